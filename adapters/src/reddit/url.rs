//! Which URLs are Reddit posts: permalinks on every Reddit host, `redd.it`
//! short links, comment permalinks (a subtree) and share links (resolved in fetch).

use engine::Target;
use url::Url;

/// Target parameter holding the comment a permalink points at.
pub const PARAM_COMMENT: &str = "comment";
/// Target parameter holding the post id (the target id differs for subtrees and share links).
pub const PARAM_POST: &str = "post";
/// Target parameter holding a share link to resolve with a redirect.
pub const PARAM_SHARE: &str = "share";
/// Target parameter holding a sort named in the URL (`?sort=old`).
pub const PARAM_SORT: &str = "sort";

/// Sorts Reddit accepts for comments.
pub const SORTS: &[&str] = &["confidence", "top", "new", "controversial", "old", "qa"];

/// A Reddit base-36 id (`3hahrw`, `cu5pebp`), lowercased; `None` otherwise.
///
/// ```
/// use adapters::reddit::url::parse_id;
/// assert_eq!(parse_id("3HahRW").as_deref(), Some("3hahrw"));
/// assert_eq!(parse_id("no-way"), None);
/// assert_eq!(parse_id(""), None);
/// ```
pub fn parse_id(s: &str) -> Option<String> {
    let ok = !s.is_empty() && s.len() <= 13 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then(|| s.to_ascii_lowercase())
}

/// The canonical URL of post `id`, or of the subtree of `comment` under it.
///
/// ```
/// use adapters::reddit::url::canonical_url;
/// assert_eq!(canonical_url("abc", None), "https://www.reddit.com/comments/abc/");
/// assert_eq!(canonical_url("abc", Some("c1")), "https://www.reddit.com/comments/abc/_/c1/");
/// ```
pub fn canonical_url(id: &str, comment: Option<&str>) -> String {
    match comment {
        Some(c) => format!("https://www.reddit.com/comments/{id}/_/{c}/"),
        None => format!("https://www.reddit.com/comments/{id}/"),
    }
}

/// True for reddit.com and its subdomains (`www`, `old`, `new`, `np`, `m`…).
fn is_reddit_host(host: &str) -> bool {
    host == "reddit.com" || host.ends_with(".reddit.com")
}

/// Claims a Reddit post URL:
///
/// * `[www|old|new|np|m.]reddit.com/r/<sub>/comments/<id>[/<slug>[/<comment>]]`
///   and the same without `/r/<sub>`; a comment id exports that subtree
///   (target id `<post>-<comment>`);
/// * `redd.it/<id>`;
/// * share links `reddit.com/r/<sub>/s/<code>` (target id `s-<code>`, resolved by
///   following the redirect when fetching, since detection does no I/O).
///
/// ```
/// use adapters::reddit::url::detect;
/// let t = detect(&"https://old.reddit.com/r/rust/comments/AbC12/some_title/".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.url.as_str()), ("abc12", "https://www.reddit.com/comments/abc12/"));
/// let t = detect(&"https://www.reddit.com/r/rust/comments/abc12/t/c9x/?context=3".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.params["comment"].as_str()), ("abc12-c9x", "c9x"));
/// assert!(detect(&"https://www.reddit.com/r/rust/".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let sort = url
        .query_pairs()
        .find(|(k, _)| k == "sort")
        .map(|(_, v)| v.to_ascii_lowercase())
        .filter(|v| SORTS.contains(&v.as_str()));
    let mut target = if host == "redd.it" || host == "www.redd.it" {
        match segments.as_slice() {
            [id] => post_target(&parse_id(id)?, None),
            _ => return None,
        }
    } else if is_reddit_host(&host) {
        let rest = match segments.as_slice() {
            [r, _sub, rest @ ..] if r.eq_ignore_ascii_case("r") => rest,
            rest => rest,
        };
        match rest {
            [s, code] if s.eq_ignore_ascii_case("s") && parse_id(code).is_some() => {
                let mut t = Target::new("reddit", format!("s-{code}"), url.as_str());
                t.params
                    .insert(PARAM_SHARE.into(), url.as_str().to_string());
                t
            }
            [c, id] | [c, id, _] if c.eq_ignore_ascii_case("comments") => {
                post_target(&parse_id(id)?, None)
            }
            [c, id, _, comment, ..] if c.eq_ignore_ascii_case("comments") => {
                post_target(&parse_id(id)?, Some(&parse_id(comment)?))
            }
            _ => return None,
        }
    } else {
        return None;
    };
    if let Some(sort) = sort {
        target.params.insert(PARAM_SORT.into(), sort);
    }
    Some(target)
}

fn post_target(id: &str, comment: Option<&str>) -> Target {
    let key = match comment {
        Some(c) => format!("{id}-{c}"),
        None => id.to_string(),
    };
    let mut t = Target::new("reddit", key, canonical_url(id, comment));
    t.params.insert(PARAM_POST.into(), id.to_string());
    if let Some(c) = comment {
        t.params.insert(PARAM_COMMENT.into(), c.to_string());
    }
    t
}
