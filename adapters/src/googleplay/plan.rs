//! What a job asks of Google Play: order, star filters, language and
//! country, from `--sort`, `--language`, the URL and `--param`.

use engine::{Error, JobOptions, Sort, Target};

use super::request::PlaySort;

/// The listings one job reads, one after the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Listing order.
    pub sort: PlaySort,
    /// One listing per entry: `None` = every star count, `Some(n)` = only n stars.
    pub stars: Vec<Option<u8>>,
    /// Language (`hl`).
    pub hl: String,
    /// Country (`gl`).
    pub gl: String,
    /// Facts for the summary.
    pub notes: Vec<String>,
}

/// The plan of `target` under `options`:
///
/// * order: `--param sort=newest|relevant|rating` when given, else `--sort`
///   (`newest` → newest, `top` → most relevant, `updated` → newest, noted);
/// * stars: `--param stars=5`, `stars=4,5` or `stars=1-3` (one listing per
///   star count, which also reaches reviews a single listing would not
///   show); absent or `all` = one unfiltered listing;
/// * `hl`: `--param hl`, else the URL's `hl`, else `--language`, else `en`;
///   `gl`: `--param gl`, else the URL's `gl`, else `US`.
///
/// ```
/// use adapters::googleplay::plan::plan;
/// use adapters::googleplay::request::PlaySort;
/// let mut t = engine::Target::new("googleplay", "a.b", "u");
/// t.params.insert("hl".into(), "de".into());
/// let o = engine::JobOptions::new().with_param("stars", "4,5").with_param("sort", "rating");
/// let p = plan(&t, &o).unwrap();
/// assert_eq!((p.sort, p.stars, p.hl.as_str(), p.gl.as_str()), (PlaySort::Rating, vec![Some(4), Some(5)], "de", "US"));
/// assert_eq!(plan(&t, &engine::JobOptions::new().with_param("stars", "6")).unwrap_err().kind(), "config");
/// ```
pub fn plan(target: &Target, options: &JobOptions) -> Result<Plan, Error> {
    let mut notes = Vec::new();
    let sort = match options.param("sort") {
        Some(s) => match s.to_ascii_lowercase().as_str() {
            "newest" | "new" | "recent" => PlaySort::Newest,
            "relevant" | "top" | "helpful" | "most_relevant" => PlaySort::Relevant,
            "rating" => PlaySort::Rating,
            other => {
                return Err(Error::Config(format!(
                    "googleplay: --param sort={other:?} (newest, relevant or rating)"
                )))
            }
        },
        None => match options.sort {
            Sort::Newest => PlaySort::Newest,
            Sort::Top => PlaySort::Relevant,
            Sort::Updated => {
                notes.push("Google Play has no 'updated' order; listed newest first".to_string());
                PlaySort::Newest
            }
        },
    };
    let stars = match options.param("stars") {
        None => vec![None],
        Some(s) if s.eq_ignore_ascii_case("all") => vec![None],
        Some(s) => stars(s).ok_or_else(|| {
            Error::Config(format!(
                "googleplay: --param stars={s:?} (1 to 5: `5`, `4,5`, `1-3` or `all`)"
            ))
        })?,
    };
    let hl = options
        .param("hl")
        .or(target.params.get("hl").map(String::as_str))
        .or(options.language.as_deref())
        .unwrap_or("en")
        .to_string();
    let gl = options
        .param("gl")
        .or(target.params.get("gl").map(String::as_str))
        .unwrap_or("US")
        .to_string();
    Ok(Plan {
        sort,
        stars,
        hl,
        gl,
        notes,
    })
}

/// `5`, `4,5`, `1-3` → the star counts, each once, in order.
fn stars(s: &str) -> Option<Vec<Option<u8>>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (u8, u8) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        if !(1..=5).contains(&a) || !(a..=5).contains(&b) {
            return None;
        }
        for n in a..=b {
            if !out.contains(&Some(n)) {
                out.push(Some(n));
            }
        }
    }
    (!out.is_empty()).then_some(out)
}
