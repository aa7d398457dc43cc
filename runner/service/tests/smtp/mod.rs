//! A local SMTP server (tokio on 127.0.0.1:0) speaking the part of RFC 5321 a
//! client sending one message needs, recording every message it accepts and
//! refusing the first `refuse_first` with a temporary 451.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// A header's value (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut out: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = out.as_mut() {
                    v.push_str(line.trim_start());
                }
                continue;
            }
            if out.is_some() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case(name) {
                    out = Some(v.trim().to_string());
                }
            }
        }
        out
    }

    /// The body after the headers, soft line breaks of quoted-printable undone.
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        body.replace("=\r\n", "").replace("=3D", "=")
    }
}

#[derive(Default)]
pub struct Smtp {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
    pub refused: Arc<AtomicUsize>,
}

impl Smtp {
    pub async fn start(refuse_first: usize) -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let refused = Arc::new(AtomicUsize::new(0));
        let (m, r) = (mails.clone(), refused.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (m, r) = (m.clone(), r.clone());
                tokio::spawn(async move {
                    let (rd, mut wr) = sock.into_split();
                    let mut lines = BufReader::new(rd).lines();
                    let _ = wr.write_all(b"220 localhost ESMTP test\r\n").await;
                    let (mut from, mut to) = (String::new(), Vec::new());
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            b"250-localhost\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("HELO")
                            || upper.starts_with("RSET")
                            || upper.starts_with("NOOP")
                        {
                            b"250 OK\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            from = line[10..].trim().trim_matches(['<', '>']).to_string();
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                            b"250 OK\r\n"
                        } else if upper.starts_with("DATA") {
                            let _ = wr
                                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                                .await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                                data.push_str("\r\n");
                            }
                            if r.fetch_add(1, Ordering::SeqCst) < refuse_first {
                                b"451 4.3.0 try again later\r\n"
                            } else {
                                m.lock().unwrap().push(Mail {
                                    from: from.clone(),
                                    to: to.clone(),
                                    data,
                                });
                                b"250 OK queued\r\n"
                            }
                        } else if upper.starts_with("QUIT") {
                            let _ = wr.write_all(b"221 Bye\r\n").await;
                            break;
                        } else {
                            b"502 command not implemented\r\n"
                        };
                        if wr.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Smtp {
            port,
            mails,
            refused,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until `n` messages arrived (panics after `secs`).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.mails();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{} mails, expected {n}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
