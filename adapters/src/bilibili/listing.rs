//! Where the top-level listing stands, as a resumable cursor, and the
//! request URL of each listing.

use engine::{Cursor, Error, Sort};
use serde_json::{json, Value};

use super::wbi::WbiKeys;

/// `web_location` the web client sends with the comment listing.
const WEB_LOCATION: &str = "1315875";

/// Top-level comments asked per page of the unsigned listing.
pub(crate) const LEGACY_PAGE_SIZE: u64 = 20;

/// A position in the top-level listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    /// `/x/v2/reply/wbi/main` at this `pagination_str` offset (`""` = first page).
    Wbi { offset: String },
    /// `/x/v2/reply` at this page number (1 = first page).
    Legacy { pn: u64 },
}

impl Position {
    /// The resume cursor of this position: `{"api":"wbi","offset":…}` or
    /// `{"api":"legacy","pn":…}`, plus `"pinned":[ids]` when pinned comments
    /// were exported (so a resumed job skips them when they are listed again).
    pub(crate) fn to_cursor(&self, pinned: &[String]) -> Cursor {
        let mut c = match self {
            Position::Wbi { offset } => json!({"api": "wbi", "offset": offset}),
            Position::Legacy { pn } => json!({"api": "legacy", "pn": pn}),
        };
        if !pinned.is_empty() {
            c["pinned"] = json!(pinned);
        }
        c
    }

    /// Reads a cursor written by [`to_cursor`](Self::to_cursor): the position and the pinned ids.
    pub(crate) fn from_cursor(c: &Cursor) -> Result<(Position, Vec<String>), Error> {
        let pinned = c
            .get("pinned")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok((Position::read(c)?, pinned))
    }

    fn read(c: &Cursor) -> Result<Position, Error> {
        let bad = || Error::Checkpoint(format!("bilibili: unusable resume cursor {c}"));
        match c.get("api").and_then(Value::as_str) {
            Some("wbi") => Ok(Position::Wbi {
                offset: c
                    .get("offset")
                    .and_then(Value::as_str)
                    .ok_or_else(bad)?
                    .to_string(),
            }),
            Some("legacy") => Ok(Position::Legacy {
                pn: c
                    .get("pn")
                    .and_then(Value::as_u64)
                    .filter(|p| *p >= 1)
                    .ok_or_else(bad)?,
            }),
            _ => Err(bad()),
        }
    }
}

/// The signed wbi/main URL (`mode` 2 newest, 3 hot) at `offset`.
pub(crate) fn wbi_url(
    aid: u64,
    sort: Sort,
    offset: &str,
    keys: &WbiKeys,
    wts: i64,
) -> Option<String> {
    let mode = match sort {
        Sort::Top => "3",
        Sort::Newest | Sort::Updated => "2",
    };
    let aid = aid.to_string();
    let pagination = json!({ "offset": offset }).to_string();
    let query = keys.sign(
        &[
            ("oid", &aid),
            ("type", "1"),
            ("mode", mode),
            ("pagination_str", &pagination),
            ("plat", "1"),
            ("web_location", WEB_LOCATION),
        ],
        wts,
    )?;
    Some(format!(
        "https://api.bilibili.com/x/v2/reply/wbi/main?{query}"
    ))
}

/// The unsigned listing URL (`sort` 0 by time, 1 by likes) at page `pn`.
pub(crate) fn legacy_url(aid: u64, sort: Sort, pn: u64) -> String {
    let sort = match sort {
        Sort::Top => 1,
        Sort::Newest | Sort::Updated => 0,
    };
    format!(
        "https://api.bilibili.com/x/v2/reply?oid={aid}&type=1&pn={pn}&ps={LEGACY_PAGE_SIZE}&sort={sort}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_are_checkpoint_errors() {
        for p in [
            Position::Wbi {
                offset: String::new(),
            },
            Position::Wbi {
                offset: "{\"type\":3}".into(),
            },
            Position::Legacy { pn: 4 },
        ] {
            assert_eq!(
                Position::from_cursor(&p.to_cursor(&[])).unwrap(),
                (p.clone(), vec![])
            );
            let pinned = vec!["5".to_string()];
            assert_eq!(
                Position::from_cursor(&p.to_cursor(&pinned)).unwrap(),
                (p, pinned)
            );
        }
        for bad in [
            json!(7),
            json!({"api": "legacy", "pn": 0}),
            json!({"api": "x"}),
        ] {
            assert_eq!(
                Position::from_cursor(&bad).unwrap_err().kind(),
                "checkpoint"
            );
        }
    }

    #[test]
    fn listing_urls() {
        assert_eq!(
            legacy_url(2, Sort::Top, 3),
            "https://api.bilibili.com/x/v2/reply?oid=2&type=1&pn=3&ps=20&sort=1"
        );
        let keys = WbiKeys {
            img_key: "7cd084941338484aae1ad9425b84077c".into(),
            sub_key: "4932caff0ff746eab6f01bf08b70ac45".into(),
        };
        assert_eq!(
            wbi_url(2, Sort::Top, "", &keys, 1_700_000_000).unwrap(),
            "https://api.bilibili.com/x/v2/reply/wbi/main?mode=3&oid=2\
             &pagination_str=%7B%22offset%22%3A%22%22%7D&plat=1&type=1\
             &web_location=1315875&wts=1700000000&w_rid=a6f9186c061b4daabb2a1194f59a5c83"
        );
    }
}
