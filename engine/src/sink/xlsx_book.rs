//! The workbook skeleton, made by rust_xlsxwriter: comments sheets with
//! their header, widths, frozen pane and autofilter but no rows (the rows
//! are spliced in from the spool, see `xlsx_assemble`), and, when the
//! export has sentiment, the Summary sheet with its native charts and the
//! Sentiment Legend sheet.

use chrono::Datelike;
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartPoint, ChartSolidFill, ChartType, Color, ExcelDateTime, Format,
    Workbook, Worksheet, XlsxError,
};

use super::fields::Fields;
use super::summary::{Granularity, Summary, OTHER};
use super::xlsx_styles::{class_format, header, probe_formats, CLASSES};

/// Name of the first comments sheet; later ones are "Comments (2)" and so on.
pub(crate) const SHEET_NAME: &str = "Comments";
pub(crate) const SUMMARY: &str = "Summary";
pub(crate) const LEGEND: &str = "Sentiment Legend";
/// Rows shown in the languages and authors tables.
const TOP_LANGUAGES: usize = 50;
const TOP_AUTHORS: usize = 25;
/// The threshold on the compound score between classes (VADER's convention).
const THRESHOLD: f64 = 0.05;

fn width_of(name: &str) -> f64 {
    match name {
        "text" => 60.0,
        "title" | "extra" | "url" | "author_url" | "source_url" => 40.0,
        "created_at" | "fetched_at" | "created_at_raw" | "author" => 20.0,
        "id" | "source_id" | "parent_id" | "root_id" | "author_id" => 22.0,
        "sentiment_label" | "sentiment_method" => 16.0,
        _ => 10.0,
    }
}

/// Name of comments sheet number `n` (from 1).
pub(crate) fn sheet_name(n: usize) -> String {
    if n == 1 {
        SHEET_NAME.to_string()
    } else {
        format!("{SHEET_NAME} ({n})")
    }
}

/// True when the workbook gets the Summary and Legend sheets: the sentiment
/// column is exported and some row has a sentiment.
pub(crate) fn has_sentiment(fields: &Fields, summary: &Summary) -> bool {
    fields.contains("sentiment_label") && summary.with_sentiment > 0
}

/// Builds the skeleton: one comments sheet per entry of `sheet_rows` (its
/// data row count), the first with the style probe row, then Summary and
/// Legend when [`has_sentiment`].
pub(crate) fn skeleton(
    fields: &Fields,
    sheet_rows: &[u64],
    summary: &Summary,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = header();
    let last_col = fields.len().saturating_sub(1) as u16;
    for (i, &rows) in sheet_rows.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(i + 1))?;
        for (c, name) in fields.names().enumerate() {
            ws.set_column_width(c as u16, width_of(name))?;
            ws.write_string_with_format(0, c as u16, name, &bold)?;
        }
        if i == 0 {
            // The probe row fixes and reveals the style numbers (see `xlsx_styles`).
            for (c, f) in probe_formats().iter().enumerate() {
                ws.write_blank(1, c as u16, f)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        let last_row = u32::try_from(rows).unwrap_or(u32::MAX);
        ws.autofilter(0, 0, last_row, last_col)?;
    }
    if has_sentiment(fields, summary) {
        summary_sheet(wb.add_worksheet(), fields, summary, &bold)?;
        legend_sheet(wb.add_worksheet(), summary, &bold)?;
    }
    wb.save_to_buffer()
}

/// Writes a two-or-more column table with a bold header at (`row`, `col`);
/// returns the last data row (the header row when there is no data).
fn table(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    head: &[&str],
    bold: &Format,
    data: &[(String, Vec<f64>)],
) -> Result<u32, XlsxError> {
    for (i, h) in head.iter().enumerate() {
        ws.write_string_with_format(row, col + i as u16, *h, bold)?;
    }
    for (r, (name, nums)) in data.iter().enumerate() {
        let at = row + 1 + r as u32;
        ws.write_string(at, col, name)?;
        for (i, n) in nums.iter().enumerate() {
            ws.write_number(at, col + 1 + i as u16, *n)?;
        }
    }
    Ok(row + data.len() as u32)
}

fn summary_sheet(
    ws: &mut Worksheet,
    fields: &Fields,
    s: &Summary,
    bold: &Format,
) -> Result<(), XlsxError> {
    ws.set_name(SUMMARY)?;
    ws.write_string_with_format(0, 0, "Summary of this export", bold)?;
    ws.write_string(1, 0, "Rows")?;
    ws.write_number(1, 1, s.rows as f64)?;
    let top = 3;
    let pct = Format::new().set_num_format("0.0%");
    let mut charts_row = top;
    let chart_col = 17;

    // Sentiment (always: the sheet exists because of it), with a pie.
    let classes: Vec<(String, Vec<f64>)> = s
        .sentiments
        .ranked()
        .into_iter()
        .map(|(k, n)| (k.to_string(), vec![n as f64]))
        .collect();
    let last = table(
        ws,
        top,
        3,
        &["Sentiment", "Comments", "Share"],
        bold,
        &classes,
    )?;
    for r in top + 1..=last {
        let formula = format!("=E{}/SUM($E${}:$E${})", r + 1, top + 2, last + 1);
        ws.write_formula_with_format(r, 5, formula.as_str(), &pct)?;
    }
    if last > top {
        let mut pie = Chart::new(ChartType::Pie);
        let points: Vec<ChartPoint> = classes
            .iter()
            .map(|(k, _)| {
                let color = CLASSES
                    .iter()
                    .find(|c| c.0 == k)
                    .map_or(Color::Gray, |c| Color::RGB(c.2));
                ChartPoint::new().set_format(
                    ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(color)),
                )
            })
            .collect();
        pie.add_series()
            .set_name("Comments by sentiment")
            .set_categories((SUMMARY, top + 1, 3, last, 3))
            .set_values((SUMMARY, top + 1, 4, last, 4))
            .set_points(&points);
        pie.title().set_name("Sentiment");
        ws.insert_chart(charts_row, chart_col, &pie)?;
        charts_row += 16;
    }

    if fields.contains("created_at") {
        let (granularity, periods) = s.timeline();
        let (label, num_format) = match granularity {
            Granularity::Day => ("Day", "yyyy-mm-dd"),
            Granularity::Month => ("Month", "yyyy-mm"),
            Granularity::Year => ("Year", "yyyy"),
        };
        let date = Format::new().set_num_format(num_format);
        ws.write_string_with_format(top, 14, label, bold)?;
        ws.write_string_with_format(top, 15, "Comments", bold)?;
        for (i, (day, n)) in periods.iter().enumerate() {
            let r = top + 1 + i as u32;
            let (y, m, d) = (day.year(), day.month(), day.day());
            if let Ok(dt) = ExcelDateTime::from_ymd(y as u16, m as u8, d as u8) {
                ws.write_datetime_with_format(r, 14, dt, &date)?;
            }
            ws.write_number(r, 15, *n as f64)?;
        }
        if !periods.is_empty() {
            let last = top + periods.len() as u32;
            let mut line = Chart::new(ChartType::Line);
            line.add_series()
                .set_name("Comments")
                .set_categories((SUMMARY, top + 1, 14, last, 14))
                .set_values((SUMMARY, top + 1, 15, last, 15));
            line.title()
                .set_name(&format!("Comments per {}", label.to_lowercase()));
            line.x_axis().set_date_axis(true).set_num_format(num_format);
            line.legend().set_hidden();
            ws.insert_chart(charts_row, chart_col, &line)?;
            charts_row += 16;
        }
        if s.undated > 0 {
            ws.write_string(top + 2 + periods.len() as u32, 14, "without a date")?;
            ws.write_number(top + 2 + periods.len() as u32, 15, s.undated as f64)?;
        }
    }

    if fields.contains("platform") {
        let rows: Vec<(String, Vec<f64>)> = s
            .platforms
            .ranked()
            .into_iter()
            .map(|(k, n)| (k.to_string(), vec![n as f64]))
            .collect();
        let last = table(ws, top, 0, &["Platform", "Comments"], bold, &rows)?;
        if last > top {
            let mut bar = Chart::new(ChartType::Bar);
            bar.add_series()
                .set_name("Comments")
                .set_categories((SUMMARY, top + 1, 0, last, 0))
                .set_values((SUMMARY, top + 1, 1, last, 1));
            bar.title().set_name("Comments per platform");
            bar.legend().set_hidden();
            ws.insert_chart(charts_row, chart_col, &bar)?;
        }
    }

    if fields.contains("language") {
        let ranked = s.languages.ranked();
        let mut rows: Vec<(String, Vec<f64>)> = ranked
            .iter()
            .filter(|(k, _)| *k != OTHER)
            .take(TOP_LANGUAGES)
            .map(|(k, n)| (k.to_string(), vec![*n as f64]))
            .collect();
        let shown: u64 = rows.iter().map(|r| r.1[0] as u64).sum();
        let total: u64 = ranked.iter().map(|r| r.1).sum();
        if total > shown {
            rows.push((OTHER.to_string(), vec![(total - shown) as f64]));
        }
        table(ws, top, 7, &["Language", "Comments"], bold, &rows)?;
    }

    if fields.contains("author") || fields.contains("author_id") {
        let approximate = s.authors.is_approximate();
        let head: &[&str] = if approximate {
            &["Author", "Platform", "Comments", "Over-count at most"]
        } else {
            &["Author", "Platform", "Comments"]
        };
        for (i, h) in head.iter().enumerate() {
            ws.write_string_with_format(top, 10 + i as u16, *h, bold)?;
        }
        for (i, a) in s.authors.top(TOP_AUTHORS).iter().enumerate() {
            let r = top + 1 + i as u32;
            let platform = a.key.split('\u{1f}').next().unwrap_or("");
            ws.write_string(r, 10, &a.name)?;
            ws.write_string(r, 11, platform)?;
            ws.write_number(r, 12, a.count as f64)?;
            if approximate {
                ws.write_number(r, 13, a.error as f64)?;
            }
        }
        let note = if approximate {
            format!(
                "Top authors are approximate: the export has more than {} distinct authors, \
                 so they were counted with the Space-Saving algorithm (bounded memory); \
                 each count is at most the last column above the truth.",
                super::summary::AUTHOR_SLOTS
            )
        } else {
            "Top authors are exact counts.".to_string()
        };
        ws.write_string(1, 3, note)?;
    }
    for (c, w) in [(0, 14.0), (3, 12.0), (7, 10.0), (10, 24.0), (14, 12.0)] {
        ws.set_column_width(c, w)?;
    }
    Ok(())
}

fn legend_sheet(ws: &mut Worksheet, s: &Summary, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name(LEGEND)?;
    ws.write_string_with_format(0, 0, "Sentiment Legend", bold)?;
    let head = [
        "Class",
        "Colour",
        "Meaning",
        "Rule on the compound score",
        "Rows",
        "Mean score",
    ];
    for (i, h) in head.iter().enumerate() {
        ws.write_string_with_format(2, i as u16, *h, bold)?;
    }
    let meaning = |label: &str| match label {
        "positive" => "The text expresses a favourable opinion or feeling.",
        "negative" => "The text expresses an unfavourable opinion or feeling.",
        _ => "Neither clearly favourable nor unfavourable (factual, mixed or too short).",
    };
    let rule = |label: &str| match label {
        "positive" => format!("score ≥ +{THRESHOLD}"),
        "negative" => format!("score ≤ −{THRESHOLD}"),
        _ => format!("−{THRESHOLD} < score < +{THRESHOLD}"),
    };
    for (i, (label, colour, _)) in CLASSES.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string(r, 0, *label)?;
        if let Some(f) = class_format(label) {
            ws.write_string_with_format(r, 1, *colour, &f)?;
        }
        ws.write_string(r, 2, meaning(label))?;
        ws.write_string(r, 3, rule(label))?;
        ws.write_number(r, 4, s.sentiments.get(label) as f64)?;
        if let Some(m) = s.mean_score(label) {
            ws.write_number(r, 5, m)?;
        }
    }
    let mut r = 7;
    let lines = [
        "How it was computed".to_string(),
        "Each text was scored by the method named in its sentiment_method column (listed below). \
         The score (sentiment_score) is a compound valence in −1 … +1; the class \
         (sentiment_label) follows from it with the ±0.05 thresholds above, the convention of \
         VADER-style lexicon scoring."
            .to_string(),
        "The sentiment_label and sentiment_score cells of the comments sheets are coloured by class."
            .to_string(),
    ];
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            ws.write_string_with_format(r, 0, l, bold)?;
        } else {
            ws.write_string(r, 0, l)?;
        }
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "Method", bold)?;
    ws.write_string_with_format(r, 1, "Rows", bold)?;
    for (m, n) in s.methods.ranked() {
        r += 1;
        ws.write_string(r, 0, if m.is_empty() { "(not named)" } else { m })?;
        ws.write_number(r, 1, n as f64)?;
    }
    let others: Vec<&str> = s
        .sentiments
        .ranked()
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| CLASSES.iter().all(|c| c.0 != *k))
        .collect();
    if !others.is_empty() {
        r += 2;
        ws.write_string(
            r,
            0,
            format!(
                "Other labels in the data (not coloured): {}",
                others.join(", ")
            ),
        )?;
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(2, 60)?;
    ws.set_column_width(3, 28)?;
    Ok(())
}
