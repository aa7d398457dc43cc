//! Every platform the hosted exporters list, so that a URL of a known but not
//! yet implemented platform gets "not supported yet" instead of "unknown".

/// A platform we know by name and host, whether or not an adapter exists.
///
/// ```
/// let yt = engine::known::KNOWN_PLATFORMS.iter().find(|p| p.key == "youtube").unwrap();
/// assert!(yt.hosts.contains(&"youtube.com"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct KnownPlatform {
    /// Key used everywhere (`youtube`).
    pub key: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Registrable domains (a URL matches when its host is one of these or a subdomain).
    pub hosts: &'static [&'static str],
}

macro_rules! known {
    ($( $key:literal, $name:literal, [$($host:literal),+] );+ $(;)?) => {
        /// The platform list of ExportComments (premium and business tiers) plus the
        /// platforms our issues plan (Hacker News, Google Play, OpenWeb).
        pub const KNOWN_PLATFORMS: &[KnownPlatform] = &[
            $( KnownPlatform { key: $key, name: $name, hosts: &[$($host),+] } ),+
        ];
    };
}

known! {
    "youtube", "YouTube", ["youtube.com", "youtu.be"];
    "instagram", "Instagram", ["instagram.com"];
    "facebook", "Facebook", ["facebook.com", "fb.com", "fb.watch"];
    "tiktok", "TikTok", ["tiktok.com"];
    "twitter", "Twitter/X", ["twitter.com", "x.com"];
    "reddit", "Reddit", ["reddit.com", "redd.it"];
    "linkedin", "LinkedIn", ["linkedin.com"];
    "amazon", "Amazon", ["amazon.com", "amazon.co.uk", "amazon.de", "amazon.fr", "amazon.co.jp", "amazon.in", "amazon.ca", "amazon.es", "amazon.it"];
    "trustpilot", "Trustpilot", ["trustpilot.com"];
    "google_reviews", "Google Reviews", ["google.com/maps", "maps.google.com", "maps.app.goo.gl"];
    "etsy", "Etsy", ["etsy.com"];
    "discord", "Discord", ["discord.com"];
    "steam", "Steam", ["steamcommunity.com", "steampowered.com"];
    "tripadvisor", "Tripadvisor", ["tripadvisor.com"];
    "yelp", "Yelp", ["yelp.com"];
    "airbnb", "Airbnb", ["airbnb.com"];
    "vimeo", "Vimeo", ["vimeo.com"];
    "twitch", "Twitch", ["twitch.tv"];
    "apple", "Apple App Store", ["apps.apple.com", "itunes.apple.com"];
    "appgallery", "AppGallery", ["appgallery.huawei.com"];
    "producthunt", "Product Hunt", ["producthunt.com"];
    "kickstarter", "Kickstarter", ["kickstarter.com"];
    "indiegogo", "Indiegogo", ["indiegogo.com"];
    "walmart", "Walmart", ["walmart.com"];
    "bestbuy", "Best Buy", ["bestbuy.com"];
    "aliexpress", "AliExpress", ["aliexpress.com"];
    "flipkart", "Flipkart", ["flipkart.com"];
    "shopee", "Shopee", ["shopee.com"];
    "lazada", "Lazada", ["lazada.com"];
    "imdb", "IMDb", ["imdb.com"];
    "bilibili", "Bilibili", ["bilibili.com", "b23.tv"];
    "kuaishou", "Kuaishou", ["kuaishou.com"];
    "chromewebstore", "Chrome Web Store", ["chromewebstore.google.com"];
    "figma", "Figma", ["figma.com"];
    "expedia", "Expedia", ["expedia.com"];
    "threads", "Threads", ["threads.net", "threads.com"];
    "vk", "VK", ["vk.com"];
    "douyin", "Douyin", ["douyin.com"];
    "rutube", "Rutube", ["rutube.ru"];
    "changeorg", "Change.org", ["change.org"];
    "yahoo", "Yahoo", ["yahoo.com"];
    "newsweek", "Newsweek", ["newsweek.com"];
    "disqus", "Disqus", ["disqus.com"];
    "hackernews", "Hacker News", ["news.ycombinator.com"];
    "googleplay", "Google Play", ["play.google.com"];
    "openweb", "OpenWeb", ["openweb.com"];
}

/// The known platform a URL's host and path belong to, if any.
///
/// ```
/// let u = url::Url::parse("https://www.tiktok.com/@a/video/1").unwrap();
/// assert_eq!(engine::known::known_platform(&u).map(|p| p.key), Some("tiktok"));
/// ```
pub fn known_platform(url: &url::Url) -> Option<&'static KnownPlatform> {
    let host = url.host_str()?.to_ascii_lowercase();
    let host_path = format!("{host}{}", url.path());
    KNOWN_PLATFORMS.iter().find(|p| {
        p.hosts.iter().any(|h| {
            if h.contains('/') {
                host_path == *h
                    || host_path.starts_with(&format!("{h}/"))
                    || host_path
                        .strip_prefix("www.")
                        .is_some_and(|r| r.starts_with(h))
            } else {
                host == *h || host.ends_with(&format!(".{h}"))
            }
        })
    })
}
