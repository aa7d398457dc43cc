//! `X-Sandbox: true`: a job done at once with sample records shaped like the
//! URL's platform (each marked `_sandbox`), written as real JSON and XLSX files.

use std::path::Path;

use engine::sink::{open_file, Format};
use engine::{Comment, Kind};

use crate::ServiceError;

/// Documented ceiling of sample records per sandbox job.
pub const MAX_SANDBOX_RECORDS: u64 = 100;

/// Writes `n` sample records for `platform`/`source_id` into `dir`; returns the
/// file names (JSON, XLSX) relative to `dir`.
pub fn write_samples(
    dir: &Path,
    platform: &str,
    source_id: &str,
    url: &str,
    n: u64,
) -> Result<(String, String), ServiceError> {
    std::fs::create_dir_all(dir)?;
    let names = ("sandbox.json".to_string(), "sandbox.xlsx".to_string());
    let mut sinks = [
        open_file(Format::Json, &dir.join(&names.0), None),
        open_file(Format::Xlsx, &dir.join(&names.1), None),
    ];
    let base = chrono::DateTime::from_timestamp(1_735_689_600, 0).unwrap_or_default();
    for i in 0..n.min(MAX_SANDBOX_RECORDS) {
        let top = i % 3 != 2;
        let id = format!("sandbox-{i:03}");
        let mut c = Comment::new(
            platform,
            if top { Kind::Comment } else { Kind::Reply },
            &id,
            source_id,
            url,
        );
        if !top {
            let parent = format!("sandbox-{:03}", i - 1);
            c.parent_id = Some(parent.clone());
            c.root_id = parent;
            c.depth = 1;
        }
        c.author = Some(format!("Sample user {}", i % 7 + 1));
        c.text = format!(
            "Sample comment {} for {url}: no platform was contacted.",
            i + 1
        );
        c.created_at = Some(base + chrono::Duration::hours(i as i64));
        c.created_at_precision = Some(engine::Precision::Second);
        c.likes = Some(i * 3 % 17);
        c.extra
            .insert("_sandbox".into(), serde_json::Value::Bool(true));
        for s in sinks.iter_mut() {
            let s = s
                .as_mut()
                .map_err(|e| ServiceError::Config(e.to_string()))?;
            s.write(&c)
                .map_err(|e| ServiceError::Config(e.to_string()))?;
        }
    }
    for s in sinks.iter_mut() {
        let s = s
            .as_mut()
            .map_err(|e| ServiceError::Config(e.to_string()))?;
        s.finish()
            .map_err(|e| ServiceError::Config(e.to_string()))?;
    }
    Ok(names)
}
