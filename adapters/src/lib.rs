//! # adapters — one folder per platform
//!
//! Each platform lives in its own module (`src/<platform>/`): URL detection,
//! a pure page parser, and a fetch loop, behind the [`engine::Adapter`]
//! trait. [`registry`] registers them all; adding a platform is a new folder
//! plus one line there.
//!
//! ```
//! let registry = adapters::registry();
//! let (adapter, target) = registry.detect("https://store.steampowered.com/app/440/").unwrap();
//! assert_eq!((adapter.info().key, target.id.as_str()), ("steam", "440"));
//! ```

#![warn(missing_docs)]

pub mod apple;
pub mod bilibili;
pub mod googleplay;
pub mod hackernews;
pub mod instagram;
pub mod openweb;
pub mod reddit;
pub mod steam;
pub mod tiktok;
pub mod trustpilot;
pub mod twitter;
pub mod youtube;

/// Every adapter of this crate, registered.
///
/// ```
/// assert!(adapters::registry().adapter("steam").is_some());
/// ```
pub fn registry() -> engine::Registry {
    engine::Registry::new()
        .with(steam::Steam)
        .with(bilibili::Bilibili)
        .with(youtube::YouTube)
        .with(reddit::Reddit)
        .with(hackernews::HackerNews)
        .with(apple::Apple)
        .with(googleplay::GooglePlay)
        .with(trustpilot::Trustpilot)
        .with(openweb::OpenWeb)
        .with(twitter::Twitter)
        .with(instagram::Instagram)
        .with(tiktok::TikTok)
}

#[cfg(test)]
mod json_strategy;
