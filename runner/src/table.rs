//! The summary table printed at the end of a batch.

use engine::batch::BatchReport;
use engine::checkpoint::JobStatus;

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Renders the per-job table and the totals.
pub fn render(report: &BatchReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:>4}  {:<10} {:<14} {:<8} {:>9} {:>8}  {}\n",
        "line", "platform", "id", "status", "records", "time", "detail"
    ));
    for j in &report.jobs {
        let status = match j.status {
            JobStatus::Done => "done",
            JobStatus::Error => "error",
            JobStatus::Skipped => "skipped",
            JobStatus::Stopped => "stopped",
        };
        let detail = match &j.error {
            Some(e) => format!("{}: {}", e.kind, e.message),
            None => j.counts.notes.join("; "),
        };
        out.push_str(&format!(
            "{:>4}  {:<10} {:<14} {:<8} {:>9} {:>7.1}s  {}\n",
            j.line,
            cut(j.platform.as_deref().unwrap_or("-"), 10),
            cut(j.source_id.as_deref().unwrap_or("-"), 14),
            status,
            j.counts.written,
            j.duration_ms as f64 / 1000.0,
            cut(&detail, 110),
        ));
    }
    let t = &report.totals;
    out.push_str(&format!(
        "\n{} jobs: {} done, {} failed, {} skipped, {} stopped · {} records in {:.1}s\n",
        t.jobs,
        t.done,
        t.error,
        t.skipped,
        t.stopped,
        t.records,
        report.duration_ms as f64 / 1000.0
    ));
    out.push_str(&format!(
        "outputs in {} (combined: {}) · summary: {}/summary.json\n",
        report.out_dir,
        if report.combined_outputs.is_empty() {
            "none".to_string()
        } else {
            report.combined_outputs.join(", ")
        },
        report.out_dir
    ));
    out
}
