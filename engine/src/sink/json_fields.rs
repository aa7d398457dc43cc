//! JSON objects of selected columns, for JSON and NDJSON with `--fields`.

use serde::Serialize;

use super::fields::Fields;
use super::text::Encoder;
use crate::{Comment, Error};

/// JSON (array or NDJSON) of the selected columns: one object per record
/// whose keys are the [`Fields`] in their order. Values keep their JSON
/// types (`extra` stays an object, dates are RFC 3339 strings as in the
/// full record).
///
/// ```
/// use engine::sink::{Encoder, Fields, JsonFieldsEncoder};
/// let c = engine::Comment::new("steam", engine::Kind::Review, "1", "2", "u");
/// let mut out = Vec::new();
/// JsonFieldsEncoder::ndjson(Fields::parse("kind,id").unwrap()).record(&c, true, &mut out).unwrap();
/// assert_eq!(out, b"{\"kind\":\"review\",\"id\":\"1\"}\n");
/// ```
#[derive(Debug, Clone)]
pub struct JsonFieldsEncoder {
    fields: Fields,
    array: bool,
}

impl JsonFieldsEncoder {
    /// One object per line.
    pub fn ndjson(fields: Fields) -> JsonFieldsEncoder {
        JsonFieldsEncoder {
            fields,
            array: false,
        }
    }

    /// One JSON array, one object per line.
    pub fn array(fields: Fields) -> JsonFieldsEncoder {
        JsonFieldsEncoder {
            fields,
            array: true,
        }
    }
}

fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<(), Error> {
    serde_json::to_writer(&mut *out, v)
        .map_err(|e| Error::Config(format!("cannot encode record: {e}")))
}

/// Writes the JSON value of column `col` of `c` (the same value the full
/// record's serialization has for that field).
pub(crate) fn put_value(out: &mut Vec<u8>, c: &Comment, col: usize) -> Result<(), Error> {
    let s = c.sentiment.as_ref();
    match col {
        0 => put(out, &c.platform),
        1 => put(out, &c.kind),
        2 => put(out, &c.id),
        3 => put(out, &c.source_id),
        4 => put(out, &c.source_url),
        5 => put(out, &c.parent_id),
        6 => put(out, &c.root_id),
        7 => put(out, &c.depth),
        8 => put(out, &c.author),
        9 => put(out, &c.author_id),
        10 => put(out, &c.author_url),
        11 => put(out, &c.text),
        12 => put(out, &c.title),
        13 => put(out, &c.created_at),
        14 => put(out, &c.created_at_precision),
        15 => put(out, &c.created_at_raw),
        16 => put(out, &c.edited),
        17 => put(out, &c.likes),
        18 => put(out, &c.likes_approx),
        19 => put(out, &c.dislikes),
        20 => put(out, &c.reply_count),
        21 => put(out, &c.rating),
        22 => put(out, &c.language),
        23 => put(out, &s.map(|s| &s.label)),
        24 => put(out, &s.map(|s| s.score)),
        25 => put(out, &s.map(|s| &s.method)),
        26 => put(out, &c.url),
        27 => put(out, &c.extra),
        28 => put(out, &c.fetched_at),
        _ => put(out, &()),
    }
}

impl Encoder for JsonFieldsEncoder {
    fn header(&mut self, out: &mut Vec<u8>) {
        if self.array {
            out.extend_from_slice(b"[\n");
        }
    }

    fn record(&mut self, record: &Comment, first: bool, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.array && !first {
            out.extend_from_slice(b",\n");
        }
        out.push(b'{');
        for (i, (col, name)) in self
            .fields
            .indices()
            .iter()
            .zip(self.fields.names())
            .enumerate()
        {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            put_value(out, record, *col)?;
        }
        out.push(b'}');
        if !self.array {
            out.push(b'\n');
        }
        Ok(())
    }

    fn footer(&mut self, out: &mut Vec<u8>) {
        if self.array {
            out.extend_from_slice(b"\n]\n");
        }
    }

    fn separator(&self) -> &'static [u8] {
        if self.array {
            b",\n"
        } else {
            b""
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::COLUMNS;

    #[test]
    fn every_column_matches_the_full_record() {
        let mut c = Comment::new("steam", crate::Kind::Review, "1", "440", "u");
        c.text = "héllo \"q\"".into();
        c.likes = Some(3);
        c.created_at = Some(chrono::Utc::now());
        c.sentiment = Some(crate::Sentiment {
            label: "positive".into(),
            score: 0.5,
            method: "m".into(),
        });
        c.extra
            .insert("k".into(), serde_json::json!([1, {"a": null}]));
        let full = serde_json::to_value(&c).unwrap();
        let mut out = Vec::new();
        JsonFieldsEncoder::ndjson(Fields::all())
            .record(&c, true, &mut out)
            .unwrap();
        let flat: serde_json::Value = serde_json::from_slice(&out).unwrap();
        for name in COLUMNS {
            let expected = match name.strip_prefix("sentiment_") {
                Some(k) => full["sentiment"][k].clone(),
                None => full[*name].clone(),
            };
            assert_eq!(flat[*name], expected, "{name}");
        }
    }
}
