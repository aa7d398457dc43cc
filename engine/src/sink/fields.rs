//! `--fields`: which columns every sink writes, and in which order.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::columns::COLUMNS;
use crate::Error;

/// A selection of the flat columns ([`COLUMNS`]) in output order.
///
/// Every sink applies the same selection: CSV, XLSX and Parquet write these
/// columns in this order; JSON and NDJSON write objects with these keys in
/// this order (the whole record, nested `sentiment` included, when every
/// column is selected in the default order).
///
/// ```
/// use engine::sink::Fields;
/// let f = Fields::parse("text, id").unwrap();
/// assert_eq!(f.names().collect::<Vec<_>>(), ["text", "id"]);
/// assert!(Fields::parse("id,nope").unwrap_err().to_string().contains("valid fields"));
/// assert!(Fields::default().is_all());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fields(Vec<usize>);

impl Default for Fields {
    fn default() -> Fields {
        Fields((0..COLUMNS.len()).collect())
    }
}

impl Fields {
    /// Every column, in the default order.
    pub fn all() -> Fields {
        Fields::default()
    }

    /// A comma-separated list of column names (spaces around names ignored).
    /// An unknown or repeated name, or an empty list, is a config error that
    /// lists the valid names.
    pub fn parse(list: &str) -> Result<Fields, Error> {
        Fields::from_names(list.split(',').map(str::trim).filter(|s| !s.is_empty()))
    }

    /// The selection of these names, in this order.
    ///
    /// ```
    /// let f = engine::sink::Fields::from_names(["id", "likes"]).unwrap();
    /// assert_eq!(f.len(), 2);
    /// ```
    pub fn from_names<I, S>(names: I) -> Result<Fields, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut cols = Vec::new();
        for name in names {
            let name = name.as_ref().trim();
            let Some(i) = COLUMNS.iter().position(|c| *c == name) else {
                return Err(Error::Config(format!(
                    "unknown field {name:?} in --fields; valid fields: {}",
                    COLUMNS.join(", ")
                )));
            };
            if cols.contains(&i) {
                return Err(Error::Config(format!(
                    "field {name:?} is listed twice in --fields"
                )));
            }
            cols.push(i);
        }
        if cols.is_empty() {
            return Err(Error::Config(format!(
                "--fields is empty; valid fields: {}",
                COLUMNS.join(", ")
            )));
        }
        Ok(Fields(cols))
    }

    /// Column numbers (indices into [`COLUMNS`]) in output order.
    pub fn indices(&self) -> &[usize] {
        &self.0
    }

    /// Column names in output order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|&i| COLUMNS[i])
    }

    /// Number of columns selected.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true (a selection has at least one column); here for clippy's sake.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when every column is selected in the default order.
    pub fn is_all(&self) -> bool {
        self.0.len() == COLUMNS.len() && self.0.iter().enumerate().all(|(i, &c)| i == c)
    }

    /// Whether the column `name` is selected.
    ///
    /// ```
    /// assert!(engine::sink::Fields::all().contains("author"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        Fields::from_names(names).map_err(serde::de::Error::custom)
    }
}
