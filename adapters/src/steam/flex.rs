//! Lenient scalar types for Steam's JSON, which is not always consistent
//! about types: `recommendationid` is a string but older mirrors send numbers,
//! `weighted_vote_score` is a string in some responses and a number in others,
//! and counters have been seen quoted.
//!
//! Each type accepts every sensible encoding of its value and rejects the
//! rest with a serde error, so serde_json reports the position of the
//! offending value.

use std::fmt;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::Deserialize;

/// A string that may arrive as a JSON string or a JSON number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FlexString(pub(crate) String);

/// A non-negative integer that may arrive as a number (integral) or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FlexU64(pub(crate) u64);

/// A signed integer (Unix time) that may arrive as a number (integral) or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FlexI64(pub(crate) i64);

/// A float that may arrive as a number or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FlexF64(pub(crate) f64);

/// A boolean that may arrive as `true`/`false`, `1`/`0`, or those as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FlexBool(pub(crate) bool);

/// An integral, finite float as an `i128` (wide enough for `u64` and `i64`).
fn integral(v: f64) -> Option<i128> {
    (v.is_finite() && v.fract() == 0.0 && v.abs() < 1.8e19).then_some(v as i128)
}

/// A numeric string as an `i128`, accepting integral float notation (`"12.0"`).
fn integral_str(s: &str) -> Option<i128> {
    let s = s.trim();
    s.parse::<i128>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().and_then(integral))
}

struct StringVisitor;

impl Visitor<'_> for StringVisitor {
    type Value = FlexString;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexString, E> {
        Ok(FlexString(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<FlexString, E> {
        Ok(FlexString(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FlexString, E> {
        Ok(FlexString(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FlexString, E> {
        Ok(FlexString(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FlexString, E> {
        match integral(v) {
            Some(n) => Ok(FlexString(n.to_string())),
            None => Ok(FlexString(v.to_string())),
        }
    }
}

impl<'de> Deserialize<'de> for FlexString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

/// Integer visitor shared by [`FlexU64`] and [`FlexI64`]: accepts numbers and
/// numeric strings, then checks the range with `convert`.
struct IntVisitor<T> {
    what: &'static str,
    convert: fn(i128) -> Option<T>,
}

impl<T> IntVisitor<T> {
    fn finish<E: de::Error>(&self, n: Option<i128>, unexpected: Unexpected<'_>) -> Result<T, E> {
        n.and_then(self.convert)
            .ok_or_else(|| E::invalid_value(unexpected, &self.what))
    }
}

impl<T> Visitor<'_> for IntVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.finish(Some(i128::from(v)), Unexpected::Unsigned(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.finish(Some(i128::from(v)), Unexpected::Signed(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.finish(integral(v), Unexpected::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        self.finish(integral_str(v), Unexpected::Str(v))
    }
}

impl<'de> Deserialize<'de> for FlexU64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor {
            what: "a non-negative integer (number or string)",
            convert: |n| u64::try_from(n).ok().map(FlexU64),
        })
    }
}

impl<'de> Deserialize<'de> for FlexI64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor {
            what: "an integer (number or string)",
            convert: |n| i64::try_from(n).ok().map(FlexI64),
        })
    }
}

struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = FlexF64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a numeric string")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FlexF64, E> {
        Ok(FlexF64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FlexF64, E> {
        Ok(FlexF64(v as f64))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FlexF64, E> {
        Ok(FlexF64(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexF64, E> {
        match v.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(FlexF64(f)),
            _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
        }
    }
}

impl<'de> Deserialize<'de> for FlexF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
}

struct BoolVisitor;

impl Visitor<'_> for BoolVisitor {
    type Value = FlexBool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean, 0 or 1")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FlexBool, E> {
        Ok(FlexBool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FlexBool, E> {
        match v {
            0 | 1 => Ok(FlexBool(v == 1)),
            _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FlexBool, E> {
        match v {
            0 | 1 => Ok(FlexBool(v == 1)),
            _ => Err(E::invalid_value(Unexpected::Signed(v), &self)),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexBool, E> {
        match v.trim() {
            "true" | "1" => Ok(FlexBool(true)),
            "false" | "0" => Ok(FlexBool(false)),
            _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
        }
    }
}

impl<'de> Deserialize<'de> for FlexBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}
