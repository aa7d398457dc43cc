//! Steam's language names (`english`, `schinese`, `koreana`…) and their
//! ISO 639-1 codes.
//!
//! Steam labels every review with one of its own API language names; the
//! record model wants ISO 639-1 codes. The same table, read backwards, turns a
//! user's `--language en` into the `language=english` Steam expects.

/// Steam API language name → ISO 639-1 code. Where several Steam names share a
/// code (`schinese`/`tchinese`, `spanish`/`latam`, `brazilian`/`portuguese`),
/// the first one listed is the one [`steam_name`] picks for that code.
const TABLE: &[(&str, &str)] = &[
    ("english", "en"),
    ("schinese", "zh"),
    ("tchinese", "zh"),
    ("japanese", "ja"),
    ("koreana", "ko"),
    ("russian", "ru"),
    ("german", "de"),
    ("french", "fr"),
    ("spanish", "es"),
    ("latam", "es"),
    ("brazilian", "pt"),
    ("portuguese", "pt"),
    ("italian", "it"),
    ("polish", "pl"),
    ("turkish", "tr"),
    ("ukrainian", "uk"),
    ("czech", "cs"),
    ("dutch", "nl"),
    ("swedish", "sv"),
    ("finnish", "fi"),
    ("danish", "da"),
    ("norwegian", "no"),
    ("hungarian", "hu"),
    ("romanian", "ro"),
    ("thai", "th"),
    ("vietnamese", "vi"),
    ("greek", "el"),
    ("bulgarian", "bg"),
    ("arabic", "ar"),
    ("indonesian", "id"),
];

/// The ISO 639-1 code of a Steam language name; `None` when the name is unknown.
///
/// ```
/// use adapters::steam::language::iso_code;
/// assert_eq!(iso_code("schinese"), Some("zh"));
/// assert_eq!(iso_code("koreana"), Some("ko"));
/// assert_eq!(iso_code("klingon"), None);
/// ```
pub fn iso_code(steam_language: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(steam_language))
        .map(|&(_, code)| code)
}

/// The value to send as Steam's `language` parameter for a user's language
/// filter: a Steam name is kept as it is (lowercased), an ISO 639-1 code is
/// turned into Steam's main name for it, `all` (or an empty filter) means
/// every language, and anything else is passed through for Steam to judge.
///
/// ```
/// use adapters::steam::language::steam_name;
/// assert_eq!(steam_name("en"), "english");
/// assert_eq!(steam_name("tchinese"), "tchinese");
/// assert_eq!(steam_name("PT"), "brazilian");
/// assert_eq!(steam_name(""), "all");
/// ```
pub fn steam_name(filter: &str) -> String {
    let filter = filter.trim().to_ascii_lowercase();
    if filter.is_empty() {
        return "all".to_string();
    }
    if filter == "all" || TABLE.iter().any(|(name, _)| *name == filter) {
        return filter;
    }
    match TABLE.iter().find(|(_, code)| *code == filter) {
        Some((name, _)) => (*name).to_string(),
        None => filter,
    }
}
