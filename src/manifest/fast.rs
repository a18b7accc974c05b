//! The typed fast path: a `serde::Deserializer` over the block reader's tree
//! (block.rs), so that a plain block-YAML manifest is read in one pass and
//! its tree kept as the span index. It gives exactly what serde_yaml 0.9
//! gives for the same text or it refuses: every `deserialize_*` call
//! resolves a plain scalar as serde_yaml's `de.rs` does (the resolvers below
//! follow it line by line), and anything it is not sure of — a duplicate
//! key, deep nesting, a type it was not asked to handle, any error at all —
//! is an `Error`, on which the caller parses the text with serde_yaml.

use std::fmt;
use std::num::ParseIntError;

use serde::de::{self, DeserializeSeed, Visitor};

use super::node::{Entry, Key, Kind, Node};

/// Why the fast path refused; the caller falls back to serde_yaml and the
/// text of this error is never shown (serde_yaml's error is).
#[derive(Debug)]
pub(super) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

fn refuse<T>(why: &str) -> Result<T> {
    Err(Error(why.to_string()))
}

/// serde_yaml stops at 128 nested collections; refusing well before that
/// leaves every depth error to it.
const MAX_DEPTH: usize = 100;

/// `T` from the tree `root` of `text` (as `block::index` built it).
pub(super) fn deserialize<T: de::DeserializeOwned>(text: &str, root: &Node) -> Result<T> {
    T::deserialize(NodeDe {
        text,
        node: root,
        depth: 0,
    })
}

/// One node of the tree.
struct NodeDe<'a, 'de> {
    text: &'de str,
    node: &'a Node,
    depth: usize,
}

impl<'a, 'de> NodeDe<'a, 'de> {
    fn scalar(&self) -> Option<Scalar<'de>> {
        matches!(self.node.kind, Kind::Scalar).then(|| Scalar(&self.text[self.node.start..self.node.end]))
    }

    fn deeper(&self) -> Result<usize> {
        if self.depth >= MAX_DEPTH {
            return refuse("nesting too deep for the fast path");
        }
        Ok(self.depth + 1)
    }

    /// serde_yaml hands a collection to the visitor and then requires it to
    /// have read every element (`end_sequence`, `end_mapping`).
    fn visit_collection<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value> {
        let depth = self.deeper()?;
        match &self.node.kind {
            Kind::Seq(items) => {
                let mut access = SeqAccess {
                    text: self.text,
                    items: items.iter(),
                    depth,
                };
                let value = visitor.visit_seq(&mut access)?;
                if access.items.len() > 0 {
                    return refuse("sequence not read to its end");
                }
                Ok(value)
            }
            Kind::Map(entries) => {
                if has_duplicate_keys(self.text, entries) {
                    return refuse("duplicate key");
                }
                let mut access = MapAccess {
                    text: self.text,
                    entries: entries.iter(),
                    value: None,
                    depth,
                };
                let value = visitor.visit_map(&mut access)?;
                if access.entries.len() > 0 || access.value.is_some() {
                    return refuse("mapping not read to its end");
                }
                Ok(value)
            }
            Kind::Scalar => refuse("a scalar where a collection was expected"),
        }
    }
}

/// Duplicate keys are an error in serde_yaml's typed path (serde's derive
/// reports a duplicate field): left to it.
fn has_duplicate_keys(text: &str, entries: &[Entry]) -> bool {
    fn key<'a>(text: &'a str, (key, start, _): &'a Entry) -> &'a str {
        key.name(text, *start)
    }
    let name = |entry| key(text, entry);
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, entry)| entries[..i].iter().any(|other| name(other) == name(entry)));
    }
    let mut keys: Vec<&str> = entries.iter().map(name).collect();
    keys.sort_unstable();
    keys.windows(2).any(|pair| pair[0] == pair[1])
}

/// Each call on a collection goes to `visit_collection`; on a scalar, to the
/// scalar's own resolution.
macro_rules! by_kind {
    ($($method:ident($($arg:ident: $ty:ty),*),)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value> {
                match self.scalar() {
                    Some(scalar) => scalar.$method($($arg,)* visitor),
                    None => refuse(concat!(stringify!($method), " on a collection")),
                }
            }
        )*
    };
}

impl<'a, 'de> de::Deserializer<'de> for NodeDe<'a, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.scalar() {
            Some(scalar) => scalar.deserialize_any(visitor),
            None => self.visit_collection(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.scalar() {
            Some(scalar) if scalar.is_null() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        let depth = self.deeper()?;
        visitor.visit_newtype_struct(NodeDe { depth, ..self })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.node.kind {
            // The tree has no empty scalar, the one scalar serde_yaml reads
            // as an empty sequence.
            Kind::Seq(_) => self.visit_collection(visitor),
            _ => refuse("not a sequence"),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.node.kind {
            Kind::Map(_) => self.visit_collection(visitor),
            _ => refuse("not a mapping"),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    by_kind! {
        deserialize_bool(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_str(),
        deserialize_string(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_unit(),
        deserialize_unit_struct(name: &'static str),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(),
    }
}

struct SeqAccess<'a, 'de> {
    text: &'de str,
    items: std::slice::Iter<'a, Node>,
    depth: usize,
}

impl<'a, 'de> de::SeqAccess<'de> for SeqAccess<'a, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        seed.deserialize(NodeDe {
            text: self.text,
            node,
            depth: self.depth,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'a, 'de> {
    text: &'de str,
    entries: std::slice::Iter<'a, Entry>,
    value: Option<&'a Node>,
    depth: usize,
}

impl<'a, 'de> de::MapAccess<'de> for MapAccess<'a, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((key, start, node)) = self.entries.next() else {
            return Ok(None);
        };
        // The block reader's keys are plain scalars: their text is their value.
        let Some(raw) = (match key {
            Key::InText { len } => self.text.get(*start..start + len),
            Key::Value(_) => None,
        }) else {
            return refuse("a key that is not the file's text");
        };
        self.value = Some(node);
        seed.deserialize(Scalar(raw)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let Some(node) = self.value.take() else {
            return refuse("a value without its key");
        };
        seed.deserialize(NodeDe {
            text: self.text,
            node,
            depth: self.depth,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A plain scalar: its text as written (the block reader accepts only
/// one-line plain scalars, whose value is their text).
#[derive(Clone, Copy)]
struct Scalar<'de>(&'de str);

impl<'de> Scalar<'de> {
    fn is_null(self) -> bool {
        self.0.is_empty() || parse_null(self.0)
    }

    fn refuse<V: Visitor<'de>>(self, expected: &str) -> Result<V::Value> {
        Err(Error(format!("`{}` is not {expected}", self.0)))
    }
}

impl<'de> de::Deserializer<'de> for Scalar<'de> {
    type Error = Error;

    /// serde_yaml's `visit_untagged_scalar`.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let v = self.0;
        if self.is_null() {
            return visitor.visit_unit();
        }
        if let Some(boolean) = parse_bool(v) {
            return visitor.visit_bool(boolean);
        }
        if let Some(int) = parse_unsigned_int(v, u64::from_str_radix) {
            return visitor.visit_u64(int);
        }
        if let Some(int) = parse_negative_int(v, i64::from_str_radix) {
            return visitor.visit_i64(int);
        }
        if let Some(int) = parse_unsigned_int(v, u128::from_str_radix) {
            return visitor.visit_u128(int);
        }
        if let Some(int) = parse_negative_int(v, i128::from_str_radix) {
            return visitor.visit_i128(int);
        }
        if !digits_but_not_number(v) {
            if let Some(float) = parse_f64(v) {
                return visitor.visit_f64(float);
            }
        }
        visitor.visit_borrowed_str(v)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match parse_bool(self.0) {
            Some(boolean) => visitor.visit_bool(boolean),
            None => self.refuse::<V>("a boolean"),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match parse_signed_int(self.0, i64::from_str_radix) {
            Some(int) => visitor.visit_i64(int),
            None => self.refuse::<V>("an i64"),
        }
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match parse_signed_int(self.0, i128::from_str_radix) {
            Some(int) => visitor.visit_i128(int),
            None => self.refuse::<V>("an i128"),
        }
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match parse_unsigned_int(self.0, u64::from_str_radix) {
            Some(int) => visitor.visit_u64(int),
            None => self.refuse::<V>("a u64"),
        }
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match parse_unsigned_int(self.0, u128::from_str_radix) {
            Some(int) => visitor.visit_u128(int),
            None => self.refuse::<V>("a u128"),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match parse_f64(self.0) {
            Some(float) => visitor.visit_f64(float),
            None => self.refuse::<V>("a float"),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    /// Any scalar is its text here, `123` and `~` included.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        refuse("bytes")
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        refuse("bytes")
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.is_null() {
            visitor.visit_unit()
        } else {
            self.refuse::<V>("null")
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        refuse("a scalar where a sequence was expected")
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        refuse("a scalar where a tuple was expected")
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value> {
        refuse("a scalar where a tuple was expected")
    }

    fn deserialize_map<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        refuse("a scalar where a mapping was expected")
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        refuse("a scalar where a mapping was expected")
    }

    /// An untagged scalar names a unit variant (serde_yaml's
    /// `UnitVariantAccess`): the variant is read as a string.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(UnitVariant(self))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

struct UnitVariant<'de>(Scalar<'de>);

impl<'de> de::EnumAccess<'de> for UnitVariant<'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let variant = seed.deserialize(self.0)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        refuse("a newtype variant")
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        refuse("a tuple variant")
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], _visitor: V) -> Result<V::Value> {
        refuse("a struct variant")
    }
}

// The resolvers below are serde_yaml 0.9's (`de.rs`), step for step: a
// scalar must resolve to the same value here as there.

fn parse_null(scalar: &str) -> bool {
    matches!(scalar, "null" | "Null" | "NULL" | "~")
}

fn parse_bool(scalar: &str) -> Option<bool> {
    match scalar {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

type Radix<T> = fn(&str, u32) -> std::result::Result<T, ParseIntError>;

/// `0x`, `0o` and `0b` after an optional `+`, else decimal.
fn parse_prefixed<T>(unpositive: &str, from_str_radix: Radix<T>) -> Option<Option<T>> {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return Some(None);
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(Some(int));
            }
        }
    }
    None
}

fn parse_unsigned_int<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    if let Some(result) = parse_prefixed(unpositive, from_str_radix) {
        return result;
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

/// `-0x`, `-0o` and `-0b`: the digits after the prefix, negated.
fn parse_negative_prefixed<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    None
}

fn parse_signed_int<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(unpositive) if unpositive.starts_with(['+', '-']) => return None,
        Some(unpositive) => unpositive,
        None => scalar,
    };
    // serde_yaml tries each positive prefix, then its negative form, in the
    // order 0x, -0x, 0o, -0o, 0b, -0b.
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
        if let Some(rest) = scalar.strip_prefix('-').and_then(|s| s.strip_prefix(prefix)) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_negative_int<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    if let Some(int) = parse_negative_prefixed(scalar, from_str_radix) {
        return Some(int);
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(unpositive) if unpositive.starts_with(['+', '-']) => return None,
        Some(unpositive) => unpositive,
        None => scalar,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN.copysign(1.0));
    }
    unpositive.parse::<f64>().ok().filter(|float| float.is_finite())
}

/// Leading zeros followed by digits are a string in YAML 1.2.
fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    /// The fast path's value for `text` as `T`, next to serde_yaml's.
    fn both<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> (Option<String>, Option<String>) {
        let root = super::super::block::index(text).expect("block YAML");
        let fast = super::deserialize::<T>(text, &root).ok().map(|v| format!("{v:?}"));
        let slow = serde_yaml::from_str::<T>(text).ok().map(|v| format!("{v:?}"));
        (fast, slow)
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    #[serde(untagged)]
    enum Any {
        Unit(()),
        Bool(bool),
        U64(u64),
        I64(i64),
        F64(f64),
        Text(String),
        List(Vec<Any>),
        Map(std::collections::BTreeMap<String, Any>),
    }

    #[test]
    fn plain_scalars_resolve_as_serde_yaml_resolves_them() {
        let scalars = [
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "0",
            "1",
            "-1",
            "+1",
            "++1",
            "+-1",
            "-0",
            "007",
            "-007",
            "+007",
            "0x1F",
            "0X1F",
            "-0x1F",
            "+0x1F",
            "0x+1",
            "0x-1",
            "0o17",
            "-0o17",
            "0b101",
            "-0b101",
            "0b2",
            "1_000",
            "1e3",
            "-1e3",
            "1E3",
            "1.5",
            ".5",
            "5.",
            "-.5",
            "1.",
            ".inf",
            "-.inf",
            "+.inf",
            ".Inf",
            ".INF",
            ".nan",
            ".NaN",
            "nan",
            "inf",
            "infinity",
            "-inf",
            "1e400",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "340282366920938463463374607431768211456",
            "12:30",
            "2026-03-01",
            "1.2.3",
            "0.",
            "00",
            "0x",
            "0o",
            "0b",
            "-",
            "-a",
            "a b",
            "数据",
            "3天",
        ];
        let mut refused = Vec::new();
        for scalar in scalars {
            for text in [
                format!("k: {scalar}\n"),
                format!("k: [{scalar}]\n"),
                format!("k:\n- {scalar}\n"),
            ] {
                if super::super::block::index(&text).is_none() {
                    continue;
                }
                for (fast, slow) in [
                    both::<std::collections::BTreeMap<String, Any>>(&text),
                    both::<std::collections::BTreeMap<String, Option<Any>>>(&text),
                ] {
                    if fast.is_some() {
                        assert_eq!(fast, slow, "{text:?}");
                    } else {
                        refused.push(text.clone());
                    }
                }
            }
        }
        // Only numbers beyond 64 bits are refused (an untagged enum cannot
        // buffer them, in either path); every other scalar has a fast answer.
        assert!(
            refused.iter().all(|t| t.contains("1844674407370955161")
                || t.contains("3402823")
                || t.contains("-9223372036854775809")),
            "{refused:?}"
        );
    }

    #[test]
    fn each_typed_call_resolves_as_serde_yaml() {
        for scalar in [
            "1", "0x10", "-0x10", "+5", "007", "1e3", "1.5", ".inf", "true", "~", "x", "12:30", "-1",
        ] {
            let text = format!("k: {scalar}\n");
            macro_rules! same {
                ($($t:ty),*) => {$(
                    let (fast, slow) = both::<std::collections::BTreeMap<String, $t>>(&text);
                    if fast.is_some() {
                        assert_eq!(fast, slow, "{} as {}", text, stringify!($t));
                    }
                    assert!(slow.is_some() || fast.is_none(), "{} as {}", text, stringify!($t));
                )*};
            }
            same!(
                bool,
                u8,
                u32,
                u64,
                i8,
                i32,
                i64,
                i128,
                u128,
                f32,
                f64,
                String,
                char,
                (),
                Option<u32>,
                Option<bool>,
                Option<String>,
                Option<()>
            );
        }
    }

    #[test]
    fn duplicate_keys_and_partly_read_collections_are_refused() {
        let (fast, slow) = both::<std::collections::BTreeMap<String, u32>>("a: 1\nb: 2\na: 3\n");
        assert_eq!(fast, None);
        // serde_yaml keeps the last value in a map (a struct refuses the duplicate).
        assert!(slow.is_some());
        let (fast, slow) = both::<(u32,)>("- 1\n- 2\n");
        assert_eq!((fast, slow), (None, None));
    }
}
