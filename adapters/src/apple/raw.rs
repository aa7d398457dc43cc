//! The feed's wire shapes, deserialized without building a JSON tree:
//! strings are borrowed from the body, unknown fields skipped, and every
//! value is taken *tolerantly* (a field of the wrong type is recorded as
//! such, not an error), so the parser can name the position of a shape
//! change (`feed.entry[3].im:rating.label`) instead of failing on serde's
//! first surprise.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A field as the feed gives it: `{"label": v, "attributes": …}` or a bare `v`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Label<'a> {
    /// The key is not there.
    #[default]
    Absent,
    /// `null`, or an object without `label`.
    Null,
    /// A string.
    Str(Cow<'a, str>),
    /// An integer.
    Int(i128),
    /// Another number.
    Float(f64),
    /// Something else (named for messages: "a list", "a boolean"…).
    Other(&'static str),
}

impl Label<'_> {
    /// True when the key was present (even as `null`).
    pub(crate) fn present(&self) -> bool {
        !matches!(self, Label::Absent)
    }

    /// The value as text: strings as they are, numbers printed.
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Label::Str(s) => Some(s.to_string()),
            Label::Int(n) => Some(n.to_string()),
            Label::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }

    /// A count sent as `"12"` or `12`.
    pub(crate) fn count(&self) -> Option<u64> {
        match self {
            Label::Str(s) => s.trim().parse().ok(),
            Label::Int(n) => u64::try_from(*n).ok(),
            _ => None,
        }
    }

    /// A number sent as a string or a number.
    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            Label::Str(s) => s.trim().parse().ok(),
            Label::Int(n) => Some(*n as f64),
            Label::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// How the value looks, for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Label::Absent | Label::Null => "null".into(),
            Label::Str(s) => format!("{:?}", s.chars().take(40).collect::<String>()),
            Label::Int(n) => n.to_string(),
            Label::Float(f) => f.to_string(),
            Label::Other(kind) => (*kind).to_string(),
        }
    }
}

/// The scalar visits shared by [`Label`] and the label inside it.
macro_rules! scalar_visits {
    () => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Label::Other("a boolean"))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Label::Int(v.into()))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Label::Int(v.into()))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Label::Float(v))
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Label::Str(Cow::Borrowed(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Label::Str(Cow::Owned(v.to_string())))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Label::Str(Cow::Owned(v)))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Label::Null)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Label::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Label::Other("a list"))
        }
    };
}

/// The value inside `{"label": …}`: a scalar, or an object (not a label).
struct Inner<'a>(Label<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Inner<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Label<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a label value")
            }
            scalar_visits!();
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Label::Other("an object"))
            }
        }
        d.deserialize_any(V(PhantomData)).map(Inner)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Label<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Label<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a label")
            }
            scalar_visits!();
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut label = Label::Null;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == "label" {
                        label = map.next_value::<Inner<'a>>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(label)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// `content`: one `{"label", "attributes": {"type"}}`, or a list of them
/// (text and html) of which the `text` one is kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Content<'a>(pub Label<'a>);

/// One `{"label", "attributes": {"type"}}` of a content list.
struct Part<'a> {
    label: Label<'a>,
    is_text: bool,
}

impl<'de: 'a, 'a> Deserialize<'de> for Part<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Attributes<'a> {
            #[serde(borrow, rename = "type", default)]
            kind: Label<'a>,
        }
        #[derive(serde::Deserialize)]
        struct Raw<'a> {
            #[serde(borrow, default)]
            label: Label<'a>,
            #[serde(borrow, default)]
            attributes: Tolerant<Attributes<'a>>,
        }
        let raw = Tolerant::<Raw<'a>>::deserialize(d)?;
        Ok(match raw {
            Tolerant::Value(r) => Part {
                is_text: matches!(&r.attributes, Tolerant::Value(a) if a.kind == Label::Str("text".into())),
                label: r.label,
            },
            Tolerant::Absent => Part {
                label: Label::Null,
                is_text: false,
            },
            Tolerant::Invalid(kind) => Part {
                label: Label::Other(kind),
                is_text: false,
            },
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Content<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("content")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut first = None;
                let mut text = None;
                while let Some(part) = seq.next_element::<Part<'a>>()? {
                    if part.is_text && text.is_none() {
                        text = Some(part.label);
                    } else if first.is_none() {
                        first = Some(part.label);
                    }
                }
                Ok(Content(text.or(first).unwrap_or(Label::Null)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Label::deserialize(MapAccessDeserializer::new(map)).map(Content)
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Content(Label::Str(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Content(Label::Str(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Content(Label::Null))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Content(Label::Other("a boolean")))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Content(Label::Int(v.into())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Content(Label::Int(v.into())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Content(Label::Float(v)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// An object field read as `T` when it is an object, else recorded as invalid.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Tolerant<T> {
    /// The key is not there.
    #[default]
    Absent,
    /// An object, read.
    Value(T),
    /// Not an object ("a string", "null"…).
    Invalid(&'static str),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tolerant<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Tolerant<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Tolerant::Value)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Tolerant::Invalid("a list"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Tolerant::Invalid("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Tolerant::Invalid("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Tolerant::Invalid("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Tolerant::Invalid("a number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Tolerant::Invalid("a string"))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Tolerant::Invalid("null"))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// `feed.entry`: absent, `null`, one object or a list.
#[derive(Debug, Default)]
pub(crate) enum Entries<'a> {
    /// No `entry` key (or `null`).
    #[default]
    None,
    /// A list.
    List(Vec<Tolerant<RawEntry<'a>>>),
    /// One object.
    One(Box<RawEntry<'a>>),
    /// Something else.
    Other(&'static str),
}

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("entries")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(50).min(200));
                while let Some(e) = seq.next_element()? {
                    list.push(e);
                }
                Ok(Entries::List(list))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                RawEntry::deserialize(MapAccessDeserializer::new(map))
                    .map(|e| Entries::One(Box::new(e)))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Entries::None)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Entries::Other("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Entries::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Entries::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Entries::Other("a number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Entries::Other("a string"))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The whole body: `{"feed": {…}}`.
#[derive(serde::Deserialize)]
pub(crate) struct RawRoot<'a> {
    #[serde(borrow, default)]
    pub feed: Tolerant<RawFeed<'a>>,
}

/// `feed`: only `entry` matters.
#[derive(serde::Deserialize)]
pub(crate) struct RawFeed<'a> {
    #[serde(borrow, default)]
    pub entry: Entries<'a>,
}

/// One entry: a review, or the app itself in older feeds.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct RawEntry<'a> {
    #[serde(borrow, default)]
    pub id: Label<'a>,
    #[serde(borrow, default, rename = "im:rating")]
    pub rating: Label<'a>,
    #[serde(borrow, default)]
    pub title: Label<'a>,
    #[serde(borrow, default)]
    pub content: Content<'a>,
    #[serde(borrow, default)]
    pub author: Tolerant<RawAuthor<'a>>,
    #[serde(borrow, default)]
    pub updated: Label<'a>,
    #[serde(borrow, default, rename = "im:version")]
    pub version: Label<'a>,
    #[serde(borrow, default, rename = "im:voteSum")]
    pub vote_sum: Label<'a>,
    #[serde(borrow, default, rename = "im:voteCount")]
    pub vote_count: Label<'a>,
}

/// `author`: `name` and `uri` labels.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct RawAuthor<'a> {
    #[serde(borrow, default)]
    pub name: Label<'a>,
    #[serde(borrow, default)]
    pub uri: Label<'a>,
}
