//! The call's JSON text: parsed with every object checked for duplicate keys.
//!
//! `serde_json::Value` keeps the last copy of a key given twice, while a policy layer
//! with a first-wins parser would see the other copy. A call is read from text with
//! [`parse_call_json`], which refuses it instead.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::check::shown;
use super::{ArgError, ArgErrors, Rule};

/// Parses the JSON text of a call. Any object in it (the arguments object and every
/// object nested in a value) with a key given twice is refused with
/// [`Rule::DuplicateKey`], naming the key (escaped and cut, as values are). Text that
/// is not JSON is one [`Rule::JsonType`] error for `arguments`. The result is the
/// value `serde_json` reads, to hand to `from_json`.
pub fn parse_call_json(text: &str) -> Result<serde_json::Value, ArgErrors> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ArgErrors::from(ArgError::new(
            "arguments",
            Rule::JsonType,
            format!("tool arguments are not valid JSON: {e}"),
        ))
    })?;
    // A second pass over the same text, which parsed: only the keys are looked at.
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let checked = NoDuplicates {
        found: &found,
        depth: 0,
    }
    .deserialize(&mut de);
    if let Some((key, depth)) = found.into_inner() {
        let shown_key = shown(&key);
        let (arg, message) = if depth == 0 {
            (
                shown_key.clone(),
                format!(
                    "argument '{shown_key}' is given more than once in the call; give each argument once"
                ),
            )
        } else {
            (
                "arguments".to_string(),
                format!(
                    "key '{shown_key}' is given more than once in an object inside the call; give each key once"
                ),
            )
        };
        return Err(ArgError::new(arg, Rule::DuplicateKey, message).into());
    }
    // The text parsed above, so the second pass cannot fail for another reason; if it
    // does, refuse rather than guess.
    checked.map_err(|e| {
        ArgErrors::from(ArgError::new(
            "arguments",
            Rule::JsonType,
            format!("tool arguments are not valid JSON: {e}"),
        ))
    })?;
    Ok(value)
}

/// Walks a JSON value; records the first duplicate key (and the object depth).
struct NoDuplicates<'a> {
    found: &'a RefCell<Option<(String, usize)>>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for NoDuplicates<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoDuplicates<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i128<E>(self, _: i128) -> Result<(), E> {
        Ok(())
    }
    fn visit_u128<E>(self, _: u128) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(NoDuplicates {
                found: self.found,
                depth: self.depth,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                *self.found.borrow_mut() = Some((key, self.depth));
                // Stop at the first duplicate: the rest of the text is not needed.
                return Err(de::Error::custom("duplicate key"));
            }
            map.next_value_seed(NoDuplicates {
                found: self.found,
                depth: self.depth + 1,
            })?;
        }
        Ok(())
    }
}
