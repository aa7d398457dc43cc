//! Netscape `cookies.txt` → one `Cookie` header per platform.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};

/// Reads a Netscape cookie file and groups its cookies by the known platform
/// whose hosts they name. Values are secrets: they are never printed.
pub fn load_netscape(path: &Path) -> Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read cookies file {}", path.display()))?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for line in text.lines() {
        // `#HttpOnly_` prefixes a real cookie line; other `#` lines are comments.
        let line = line.strip_prefix("#HttpOnly_").unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 7 {
            continue;
        }
        let domain = fields[0].trim_start_matches('.');
        let Ok(url) = url::Url::parse(&format!("https://{domain}/")) else {
            continue;
        };
        if let Some(p) = engine::known::known_platform(&url) {
            out.entry(p.key.to_string())
                .or_default()
                .push(format!("{}={}", fields[5], fields[6]));
        }
    }
    Ok(out.into_iter().map(|(k, v)| (k, v.join("; "))).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_by_platform() {
        let dir = std::env::temp_dir().join(format!("cookies-test-{}", std::process::id()));
        std::fs::write(
            &dir,
            "# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t0\tSOCS\tabc\n#HttpOnly_.steampowered.com\tTRUE\t/\tFALSE\t0\tsessionid\txyz\n",
        )
        .unwrap();
        let m = super::load_netscape(&dir).unwrap();
        std::fs::remove_file(&dir).ok();
        assert_eq!(m.get("youtube").map(String::as_str), Some("SOCS=abc"));
        assert_eq!(m.get("steam").map(String::as_str), Some("sessionid=xyz"));
    }
}
