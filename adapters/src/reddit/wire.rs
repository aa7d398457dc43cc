//! Typed, tolerant views of Reddit's JSON. Only the fields the adapter uses
//! are kept (a real comment carries 60+; skipping the rest without building
//! `Value`s is most of the parsing cost), each as a `Value` so an odd type
//! never fails a whole response, and any non-object where an object is
//! expected reads as "absent" ([`OnlyMap`]).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// `Some(T)` when the JSON value is an object that reads as `T`; `None` for
/// any other JSON value (string, number, array, null).
#[derive(Debug)]
pub struct OnlyMap<T>(pub Option<T>);

impl<T> Default for OnlyMap<T> {
    fn default() -> Self {
        OnlyMap(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OnlyMap<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OnlyMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| OnlyMap(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(OnlyMap(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(OnlyMap(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(OnlyMap(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(OnlyMap(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(OnlyMap(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(OnlyMap(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OnlyMap(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OnlyMap(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// `{"kind":"Listing","data":{"children":[…]}}`.
#[derive(Debug, Default, Deserialize)]
pub struct Listing {
    /// The listing's `data`.
    #[serde(default)]
    pub data: OnlyMap<ListingData>,
}

/// A listing's `data`.
#[derive(Debug, Default, Deserialize)]
pub struct ListingData {
    /// Its things; entries that are not objects read as `None`.
    #[serde(default)]
    pub children: Vec<OnlyMap<WireThing>>,
}

/// `{"kind":"t1"|"more"|"t3", "data":{…}}`.
#[derive(Debug, Default, Deserialize)]
pub struct WireThing {
    /// `t1`, `t3`, `more`…
    #[serde(default)]
    pub kind: Value,
    /// The thing's fields.
    #[serde(default)]
    pub data: OnlyMap<Fields>,
}

/// The fields of a `t1` comment, `t3` post or `more` placeholder that the adapter reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)] // Reddit's own field names, documented by Reddit.
pub struct Fields {
    pub id: Value,
    pub parent_id: Value,
    pub author: Value,
    pub author_fullname: Value,
    pub body: Value,
    pub score: Value,
    pub created_utc: Value,
    pub edited: Value,
    pub permalink: Value,
    pub stickied: Value,
    pub distinguished: Value,
    pub is_submitter: Value,
    pub score_hidden: Value,
    pub controversiality: Value,
    pub gilded: Value,
    pub total_awards_received: Value,
    pub author_flair_text: Value,
    pub locked: Value,
    pub collapsed: Value,
    pub all_awardings: Value,
    /// Nested replies: a listing, or `""` when there are none.
    pub replies: OnlyMap<Listing>,
    // `more` placeholders.
    pub count: Value,
    pub children: Value,
    // `t3` posts.
    pub title: Value,
    pub selftext: Value,
    pub num_comments: Value,
    pub subreddit: Value,
    pub upvote_ratio: Value,
    pub over_18: Value,
    pub spoiler: Value,
    pub link_flair_text: Value,
    pub is_self: Value,
    pub url: Value,
}

/// The envelope of a `morechildren` answer.
#[derive(Debug, Deserialize)]
pub struct MoreChildrenAnswer {
    /// `{"errors":[…],"data":{"things":[…]}}`.
    pub json: OnlyMap<MoreChildrenJson>,
}

/// `json` of a `morechildren` answer.
#[derive(Debug, Default, Deserialize)]
pub struct MoreChildrenJson {
    /// Reddit's error list (`[["RATELIMIT", "…", "ratelimit"]]`).
    #[serde(default)]
    pub errors: Value,
    /// The things.
    #[serde(default)]
    pub data: OnlyMap<MoreChildrenData>,
}

/// `json.data` of a `morechildren` answer.
#[derive(Debug, Default, Deserialize)]
pub struct MoreChildrenData {
    /// The flat list of things.
    #[serde(default)]
    pub things: Option<Vec<OnlyMap<WireThing>>>,
}
