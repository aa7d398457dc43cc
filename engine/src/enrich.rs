//! The enrich stage hook: language, sentiment and the like are added to kept
//! records here, after filtering (so nothing is computed for dropped records).

use crate::Comment;

/// Adds fields to records in place. Implementations must be cheap per record
/// and must not fail: a record they cannot read is left as it is.
///
/// ```
/// struct Upper;
/// impl engine::Enricher for Upper {
///     fn name(&self) -> &'static str { "upper" }
///     fn enrich(&self, records: &mut [engine::Comment]) {
///         for r in records { r.text = r.text.to_uppercase(); }
///     }
/// }
/// let mut v = vec![engine::Comment::new("steam", engine::Kind::Review, "1", "2", "u")];
/// v[0].text = "hi".into();
/// engine::Enricher::enrich(&Upper, &mut v);
/// assert_eq!(v[0].text, "HI");
/// ```
pub trait Enricher: Send + Sync {
    /// Short name for logs.
    fn name(&self) -> &'static str;
    /// Enriches one page of kept records.
    fn enrich(&self, records: &mut [Comment]);
}
