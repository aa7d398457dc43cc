//! The two backends behind one small interface: SQLite (embedded default)
//! and PostgreSQL (several machines). Store code writes SQL once, with `?N`
//! placeholders (rewritten to `$N` for PostgreSQL), values as [`Val`], and
//! reads columns by name from [`Row`].

use std::sync::Arc;

use crate::ServiceError;

/// A value bound to or read from a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// SQL NULL.
    Null,
    /// An integer (booleans are stored as 0/1).
    Int(i64),
    /// Text.
    Text(String),
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Val {
        Val::Int(v as i64)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::Int(v as i64)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_string())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Val {
        Val::Text(v.clone())
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Val {
        v.map_or(Val::Null, Into::into)
    }
}

/// Binds values: `vals![a, b]` → `&[Val]`.
macro_rules! vals {
    ($($x:expr),* $(,)?) => { &[$($crate::store::db::Val::from($x)),*][..] };
}
pub(crate) use vals;

/// One result row, columns by name.
#[derive(Debug, Clone)]
pub struct Row {
    cols: Arc<[String]>,
    vals: Vec<Val>,
}

impl Row {
    fn val(&self, name: &str) -> Result<&Val, ServiceError> {
        self.cols
            .iter()
            .position(|c| c == name)
            .and_then(|i| self.vals.get(i))
            .ok_or_else(|| ServiceError::Store(format!("no column {name} in the result")))
    }

    /// An integer column.
    pub fn i64(&self, name: &str) -> Result<i64, ServiceError> {
        self.opt_i64(name)?
            .ok_or_else(|| ServiceError::Store(format!("column {name} is null")))
    }

    /// A nullable integer column.
    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>, ServiceError> {
        match self.val(name)? {
            Val::Null => Ok(None),
            Val::Int(i) => Ok(Some(*i)),
            Val::Text(t) => t
                .parse()
                .map(Some)
                .map_err(|_| ServiceError::Store(format!("column {name} is not an integer"))),
        }
    }

    /// A text column.
    pub fn text(&self, name: &str) -> Result<String, ServiceError> {
        self.opt_text(name)?
            .ok_or_else(|| ServiceError::Store(format!("column {name} is null")))
    }

    /// A nullable text column.
    pub fn opt_text(&self, name: &str) -> Result<Option<String>, ServiceError> {
        match self.val(name)? {
            Val::Null => Ok(None),
            Val::Text(t) => Ok(Some(t.clone())),
            Val::Int(i) => Ok(Some(i.to_string())),
        }
    }

    /// A 0/1 column as a boolean.
    pub fn flag(&self, name: &str) -> Result<bool, ServiceError> {
        Ok(self.i64(name)? != 0)
    }
}

/// A connection or transaction of either backend.
pub trait Db {
    /// True on PostgreSQL (for the few statements that differ).
    fn is_pg(&self) -> bool;
    /// Runs a statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, ServiceError>;
    /// Runs a query; returns its rows.
    fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, ServiceError>;

    /// The first row of a query, if any.
    fn row(&mut self, sql: &str, params: &[Val]) -> Result<Option<Row>, ServiceError> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }
}

// --- SQLite -------------------------------------------------------------

fn sqlite_rows(
    c: &rusqlite::Connection,
    sql: &str,
    params: &[Val],
) -> Result<Vec<Row>, ServiceError> {
    let mut st = c.prepare_cached(sql)?;
    let cols: Arc<[String]> = st.column_names().iter().map(|s| s.to_string()).collect();
    let n = cols.len();
    let mut rows = st.query(rusqlite::params_from_iter(params.iter().map(to_sqlite)))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Val::Null,
                rusqlite::types::ValueRef::Integer(i) => Val::Int(i),
                rusqlite::types::ValueRef::Real(f) => Val::Int(f as i64),
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                    Val::Text(String::from_utf8_lossy(t).into_owned())
                }
            });
        }
        out.push(Row {
            cols: cols.clone(),
            vals,
        });
    }
    Ok(out)
}

fn to_sqlite(v: &Val) -> rusqlite::types::Value {
    match v {
        Val::Null => rusqlite::types::Value::Null,
        Val::Int(i) => rusqlite::types::Value::Integer(*i),
        Val::Text(t) => rusqlite::types::Value::Text(t.clone()),
    }
}

impl Db for rusqlite::Connection {
    fn is_pg(&self) -> bool {
        false
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, ServiceError> {
        let mut st = self.prepare_cached(sql)?;
        Ok(st.execute(rusqlite::params_from_iter(params.iter().map(to_sqlite)))? as u64)
    }
    fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, ServiceError> {
        sqlite_rows(self, sql, params)
    }
}

// --- PostgreSQL ---------------------------------------------------------

/// `?N` → `$N` (the store's SQL has no `?` inside string literals).
fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl postgres::types::ToSql for Val {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        match self {
            Val::Null => Ok(postgres::types::IsNull::Yes),
            Val::Int(i) => match *ty {
                Type::INT4 => (i32::try_from(*i)?).to_sql(ty, out),
                Type::INT2 => (i16::try_from(*i)?).to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Val::Text(t) => match *ty {
                Type::INT8 => t.parse::<i64>()?.to_sql(ty, out),
                _ => t.to_sql(ty, out),
            },
        }
    }
    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

fn pg_rows(rows: Vec<postgres::Row>) -> Result<Vec<Row>, ServiceError> {
    use postgres::types::Type;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let cols: Arc<[String]> = first
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let types: Vec<Type> = first.columns().iter().map(|c| c.type_().clone()).collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut vals = Vec::with_capacity(types.len());
        for (i, ty) in types.iter().enumerate() {
            let v = match *ty {
                Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Val::Int),
                Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|v| Val::Int(v as i64)),
                Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|v| Val::Int(v as i64)),
                Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(|v| Val::Int(v as i64)),
                _ => r.try_get::<_, Option<String>>(i)?.map(Val::Text),
            };
            vals.push(v.unwrap_or(Val::Null));
        }
        out.push(Row {
            cols: cols.clone(),
            vals,
        });
    }
    Ok(out)
}

fn pg_params(params: &[Val]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

impl From<postgres::Error> for ServiceError {
    fn from(e: postgres::Error) -> ServiceError {
        ServiceError::Store(e.to_string())
    }
}

impl Db for postgres::Client {
    fn is_pg(&self) -> bool {
        true
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, ServiceError> {
        Ok(self.execute(pg_sql(sql).as_str(), &pg_params(params))?)
    }
    fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, ServiceError> {
        pg_rows(self.query(pg_sql(sql).as_str(), &pg_params(params))?)
    }
}

impl Db for postgres::Transaction<'_> {
    fn is_pg(&self) -> bool {
        true
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, ServiceError> {
        Ok(self.execute(pg_sql(sql).as_str(), &pg_params(params))?)
    }
    fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, ServiceError> {
        pg_rows(self.query(pg_sql(sql).as_str(), &pg_params(params))?)
    }
}

/// The connection a store holds.
pub(crate) enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(PgConn),
}

/// A PostgreSQL client that may be dropped anywhere: the synchronous client
/// blocks on its own runtime when closed, which panics on an async thread, so
/// the last owner hands it to a plain thread to close.
pub(crate) struct PgConn(Option<postgres::Client>);

impl PgConn {
    pub(crate) fn new(c: postgres::Client) -> PgConn {
        PgConn(Some(c))
    }

    fn client(&mut self) -> Result<&mut postgres::Client, ServiceError> {
        self.0
            .as_mut()
            .ok_or_else(|| ServiceError::Store("PostgreSQL connection closed".into()))
    }
}

impl Drop for PgConn {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(move || drop(c));
        }
    }
}

impl Backend {
    /// Runs `f` outside a transaction.
    pub(crate) fn with<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Db) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        match self {
            Backend::Sqlite(c) => f(c),
            Backend::Postgres(c) => f(c.client()?),
        }
    }

    /// Runs `f` in a transaction that takes the write lock first on SQLite
    /// (`BEGIN IMMEDIATE`), committed when `f` succeeds.
    pub(crate) fn tx<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Db) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        match self {
            Backend::Sqlite(c) => {
                let mut t =
                    c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let v = f(&mut t)?;
                t.commit()?;
                Ok(v)
            }
            Backend::Postgres(c) => {
                let mut t = c.client()?.transaction()?;
                let v = f(&mut t)?;
                t.commit()?;
                Ok(v)
            }
        }
    }
}

impl Db for rusqlite::Transaction<'_> {
    fn is_pg(&self) -> bool {
        false
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, ServiceError> {
        let c: &rusqlite::Connection = self;
        let mut st = c.prepare_cached(sql)?;
        Ok(st.execute(rusqlite::params_from_iter(params.iter().map(to_sqlite)))? as u64)
    }
    fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, ServiceError> {
        sqlite_rows(self, sql, params)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_dollars() {
        assert_eq!(
            super::pg_sql("a = ?1 AND b = ?12 OR ? "),
            "a = $1 AND b = $12 OR ? "
        );
    }
}
