//! Listings ("views") of one business and the resume cursor over them.
//!
//! Trustpilot serves only the first [`PAGE_CAP`] pages (20 reviews each) of a
//! listing without a login. A listing with more pages is replaced by
//! narrower ones that together hold the same reviews: one per star rating,
//! and a star listing still too long by one per review language. Reviews seen
//! in several listings are exported once.

use serde::{Deserialize, Serialize};

/// Pages of one listing Trustpilot serves without a login (page 11 redirects
/// to its login page).
pub const PAGE_CAP: u64 = 10;

/// One listing: the business's reviews with a star filter (empty = every
/// rating) and a language filter (`all` or a code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// Star ratings kept, sorted (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stars: Vec<u8>,
    /// `all` or a language code.
    pub languages: String,
}

impl View {
    /// Query parameters of page `page` of this listing, in the order the site
    /// sends them: `page`, `sort`, `languages`, then one `stars` per rating.
    ///
    /// ```
    /// use adapters::trustpilot::views::View;
    /// let v = View { stars: vec![1, 2], languages: "all".into() };
    /// let q: Vec<(String, String)> = v.query(3, "recency");
    /// assert_eq!(q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"),
    ///            "page=3&sort=recency&languages=all&stars=1&stars=2");
    /// ```
    pub fn query(&self, page: u64, sort: &str) -> Vec<(String, String)> {
        let mut q = vec![
            ("page".to_string(), page.to_string()),
            ("sort".to_string(), sort.to_string()),
            ("languages".to_string(), self.languages.clone()),
        ];
        q.extend(
            self.stars
                .iter()
                .map(|s| ("stars".to_string(), s.to_string())),
        );
        q
    }

    /// A short description for notes: `stars=1,2 languages=en`.
    ///
    /// ```
    /// let v = adapters::trustpilot::views::View { stars: vec![], languages: "all".into() };
    /// assert_eq!(v.label(), "all ratings, languages=all");
    /// ```
    pub fn label(&self) -> String {
        if self.stars.is_empty() {
            format!("all ratings, languages={}", self.languages)
        } else {
            let stars: Vec<String> = self.stars.iter().map(u8::to_string).collect();
            format!("stars={}, languages={}", stars.join(","), self.languages)
        }
    }

    /// The narrower listings that together hold this one's reviews, or
    /// `None` when it cannot be narrowed: first one per star rating, then (for
    /// a single rating in all languages) one per language the page offers.
    ///
    /// ```
    /// use adapters::trustpilot::views::View;
    /// let all = View { stars: vec![], languages: "all".into() };
    /// assert_eq!(all.split(&[]).unwrap().len(), 5);
    /// let five = View { stars: vec![5], languages: "all".into() };
    /// let by_lang = five.split(&["en".into(), "da".into()]).unwrap();
    /// assert_eq!(by_lang[1], View { stars: vec![5], languages: "da".into() });
    /// assert!(by_lang[1].split(&["en".into(), "da".into()]).is_none());
    /// assert!(five.split(&["en".into()]).is_none());
    /// ```
    pub fn split(&self, languages: &[String]) -> Option<Vec<View>> {
        if self.stars.len() != 1 {
            let stars: Vec<u8> = if self.stars.is_empty() {
                (1..=5).collect()
            } else {
                self.stars.clone()
            };
            return Some(
                stars
                    .into_iter()
                    .map(|s| View {
                        stars: vec![s],
                        languages: self.languages.clone(),
                    })
                    .collect(),
            );
        }
        // One language is the listing itself: narrowing by it gains nothing.
        if self.languages != "all" || languages.len() < 2 {
            return None;
        }
        Some(
            languages
                .iter()
                .map(|l| View {
                    stars: self.stars.clone(),
                    languages: l.clone(),
                })
                .collect(),
        )
    }
}

/// Where a fetch stands: the listings still to read (the current one first)
/// and the page of the current one to fetch next. Serialized as the resume
/// cursor: `{"views":[{"stars":[5],"languages":"all"},…],"page":3}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Listings still to read, the current one first.
    pub views: Vec<View>,
    /// Next page of `views[0]` (1-based).
    pub page: u64,
}
