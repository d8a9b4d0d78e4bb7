//! The text becomes a YAML tree: serde_yaml reads it, keeping the first
//! of a key written twice so every other problem can still be found.

use std::cell::Cell;
use std::fmt;

use serde::de::DeserializeSeed;
use serde_yaml::{Mapping, Value};

use crate::yaml_kind::scalar_text;

/// A mapping key as text, when it is a scalar.
pub(super) fn scalar_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => scalar_string(v),
        _ => None,
    }
}

/// A config value as text: see [`scalar_text`].
pub(super) fn scalar_string(v: &Value) -> Option<String> {
    scalar_text(v)
}

/// serde_yaml appends "at line L column C"; the problem carries both.
pub(super) fn strip_location(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let Some(after) = rest[digits..].strip_prefix(" column ") else {
            break;
        };
        let col_digits = after.chars().take_while(char::is_ascii_digit).count();
        let end = i + " at line ".len() + digits + " column ".len() + col_digits;
        out.replace_range(i..end, "");
    }
    out
}

/// Reads a YAML value with serde_yaml, keeping the first of a key written
/// twice instead of failing, so every other problem in the file can still be
/// found; the flag notes that it happened (the source map then says where).
#[derive(Clone, Copy)]
pub(super) struct Lenient<'a>(pub(super) &'a Cell<bool>);

impl<'de> DeserializeSeed<'de> for Lenient<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Lenient<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(i.into()))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(u.into()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Number(f.into()))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Value::Sequence(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut mapping = Mapping::new();
        while let Some((k, v)) = map.next_entry_seed(self, self)? {
            if mapping.contains_key(&k) {
                self.0.set(true);
            } else {
                mapping.insert(k, v);
            }
        }
        Ok(Value::Mapping(mapping))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use serde::de::VariantAccess;
        let (tag, contents): (String, _) = data.variant()?;
        let value = contents.newtype_variant_seed(self)?;
        Ok(Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
            tag: serde_yaml::value::Tag::new(tag),
            value,
        })))
    }
}
