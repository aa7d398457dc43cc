//! What the worker adds to a job before running it: the proxy of its pool or
//! exit location, and the cross-run dedup file of a scheduled job.

use std::path::PathBuf;

use crate::store::JobRow;
use crate::{AppState, ServiceError};

fn find_location<'a>(state: &'a AppState, vpn: &str) -> Option<&'a crate::VpnLocation> {
    state
        .config
        .vpn_locations
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(vpn) || l.code.eq_ignore_ascii_case(vpn))
}

/// The labels a pool may be tagged with to serve `options.vpn`: the value
/// itself, and the name and code of the configured location it names.
pub fn vpn_labels(state: &AppState, vpn: Option<&str>) -> Vec<String> {
    let Some(vpn) = vpn else { return Vec::new() };
    let mut out = vec![vpn.to_string()];
    if let Some(l) = find_location(state, vpn) {
        out.push(l.name.clone());
        out.push(l.code.clone());
    }
    out
}

/// What the worker adds to a job's settings: the dedup file of a scheduled
/// job (only new items between runs) and a proxy from the job's pool (or the
/// pool tagged with its `vpn` location). `Err` is a message for the job.
pub async fn prepare_job(
    state: &AppState,
    job: &JobRow,
    http: &mut engine::HttpSettings,
) -> Result<Option<PathBuf>, String> {
    let parsed = crate::options::parse(Some(&job.options), &state.config.job_defaults)
        .map_err(|e| e.detail)?;
    let labels = vpn_labels(state, parsed.vpn.as_deref());
    let store = state.store.clone();
    let (id, user) = (job.id, job.user_id);
    let pool = parsed.pool.clone();
    let (key, proxy) = tokio::task::spawn_blocking(move || {
        let key = store.job_dedup_key(id)?;
        let proxy = store.pick_proxy(id, user, pool.as_deref(), &labels)?;
        Ok::<_, ServiceError>((key, proxy))
    })
    .await
    .map_err(|e| format!("store task failed: {e}"))?
    .map_err(|e| e.to_string())?;
    match proxy {
        Some(url) => http.proxy = Some(url),
        None => {
            if let Some(vpn) = &parsed.vpn {
                if find_location(state, vpn).is_none() {
                    return Err(format!("unknown VPN location {vpn:?}"));
                }
            }
        }
    }
    Ok(key.map(|k| {
        let p = crate::scheduler::dedup_path(&state.config.data_dir, &k);
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        p
    }))
}
