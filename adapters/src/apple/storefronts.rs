//! App Store storefronts: which ones a job reads (`--param country=…`).

use engine::Error;

/// Every App Store storefront code, lowercase and sorted: the countries and
/// regions where Apple runs an App Store (Apple's availability list as of
/// 2024). `--param country=all` reads them all.
///
/// ```
/// use adapters::apple::storefronts::ALL;
/// assert!(ALL.contains(&"jp") && ALL.contains(&"us"));
/// assert!(ALL.windows(2).all(|w| w[0] < w[1]));
/// ```
pub const ALL: &[&str] = &[
    "ae", "af", "ag", "ai", "al", "am", "ao", "ar", "at", "au", "az", "ba", "bb", "be", "bf", "bg",
    "bh", "bj", "bm", "bn", "bo", "br", "bs", "bt", "bw", "by", "bz", "ca", "cd", "cg", "ch", "ci",
    "cl", "cm", "cn", "co", "cr", "cv", "cy", "cz", "de", "dk", "dm", "do", "dz", "ec", "ee", "eg",
    "es", "fi", "fj", "fm", "fr", "ga", "gb", "gd", "ge", "gh", "gm", "gr", "gt", "gw", "gy", "hk",
    "hn", "hr", "hu", "id", "ie", "il", "in", "iq", "is", "it", "jm", "jo", "jp", "ke", "kg", "kh",
    "kn", "kr", "kw", "ky", "kz", "la", "lb", "lc", "lk", "lr", "lt", "lu", "lv", "ly", "ma", "md",
    "me", "mg", "mk", "ml", "mm", "mn", "mo", "mr", "ms", "mt", "mu", "mv", "mw", "mx", "my", "mz",
    "na", "ne", "ng", "ni", "nl", "no", "np", "nr", "nz", "om", "pa", "pe", "pg", "ph", "pk", "pl",
    "pt", "pw", "py", "qa", "ro", "rs", "ru", "rw", "sa", "sb", "sc", "se", "sg", "si", "sk", "sl",
    "sn", "sr", "st", "sv", "sz", "tc", "td", "th", "tj", "tm", "tn", "to", "tr", "tt", "tw", "tz",
    "ua", "ug", "us", "uy", "uz", "vc", "ve", "vg", "vn", "vu", "xk", "ye", "za", "zm", "zw",
];

/// Storefront used when neither `--param country` nor the URL names one.
pub const DEFAULT: &str = "us";

/// The storefronts a job reads, in order, without repeats: `param` (the
/// `country` platform parameter: `jp`, `jp,us` or `all`) when given, else
/// the URL's storefront, else [`DEFAULT`]. Codes are case-insensitive; one
/// that is not an App Store storefront is a configuration error.
///
/// ```
/// use adapters::apple::storefronts::resolve;
/// assert_eq!(resolve(Some("JP, us,jp"), None).unwrap(), ["jp", "us"]);
/// assert_eq!(resolve(None, Some("fr")).unwrap(), ["fr"]);
/// assert_eq!(resolve(None, None).unwrap(), ["us"]);
/// assert_eq!(resolve(Some("all"), Some("fr")).unwrap().len(), adapters::apple::storefronts::ALL.len());
/// assert_eq!(resolve(Some("jp,zz"), None).unwrap_err().kind(), "config");
/// ```
pub fn resolve(param: Option<&str>, from_url: Option<&str>) -> Result<Vec<String>, Error> {
    let Some(param) = param else {
        return Ok(vec![from_url.unwrap_or(DEFAULT).to_ascii_lowercase()]);
    };
    if param.trim().eq_ignore_ascii_case("all") {
        return Ok(ALL.iter().map(|s| s.to_string()).collect());
    }
    let mut out: Vec<String> = Vec::new();
    for code in param.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let code = code.to_ascii_lowercase();
        if ALL.binary_search(&code.as_str()).is_err() {
            return Err(Error::Config(format!(
                "apple: --param country: {code:?} is not an App Store storefront (two-letter codes such as jp, us; or all)"
            )));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.is_empty() {
        return Err(Error::Config(
            "apple: --param country names no storefront".into(),
        ));
    }
    Ok(out)
}
