//! A neutral value type for table rows: what DynamoDB attributes and Tablestore columns hold.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer, forward_to_deserialize_any};

/// One cell of a table row, whatever table service it came from.
///
/// Read a whole row into your own type with [`TableRecord::new_as`](super::TableRecord::new_as)
/// rather than matching on values by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// No value (DynamoDB `NULL`).
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (DynamoDB `N` without a fraction, Tablestore `Integer`).
    Int(i64),
    /// A floating-point number (DynamoDB `N` with a fraction or beyond `i64`, Tablestore `Double`).
    Float(f64),
    /// Text.
    String(String),
    /// Bytes (DynamoDB `B`, Tablestore `Blob`).
    Bytes(Vec<u8>),
    /// An ordered list (DynamoDB `L`).
    List(Vec<Value>),
    /// A set of strings, numbers or byte strings (DynamoDB `SS`, `NS`, `BS`).
    Set(Vec<Value>),
    /// A map from names to values (DynamoDB `M`).
    Map(BTreeMap<String, Value>),
}

/// A table row: column (attribute) names to values.
pub type Row = BTreeMap<String, Value>;

impl Value {
    /// Parses a number the way table services send it as text (`"42"`, `"-1.5e3"`).
    pub fn parse_number(text: &str) -> Option<Value> {
        let text = text.trim();
        if let Ok(int) = text.parse::<i64>() {
            return Some(Value::Int(int));
        }
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::Float)
    }

    /// The value as text, when it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an integer, when it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(json: serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => {
                Value::Map(map.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

macro_rules! from_scalar {
    ($($ty:ty => $variant:ident via $conv:expr),* $(,)?) => {$(
        impl From<$ty> for Value {
            fn from(v: $ty) -> Self {
                Value::$variant($conv(v))
            }
        }
    )*};
}

from_scalar! {
    bool => Bool via std::convert::identity,
    i32 => Int via i64::from,
    i64 => Int via std::convert::identity,
    u32 => Int via i64::from,
    f64 => Float via std::convert::identity,
    String => String via std::convert::identity,
    &str => String via str::to_owned,
    Vec<u8> => Bytes via std::convert::identity,
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::String(s) => serializer.serialize_str(s),
            Value::Bytes(b) => serializer.serialize_bytes(b),
            Value::List(items) | Value::Set(items) => serializer.collect_seq(items),
            Value::Map(map) => serializer.collect_map(map),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_bytes<E>(self, b: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(b.to_vec()))
    }

    fn visit_byte_buf<E>(self, b: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(b))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            out.insert(key, value);
        }
        Ok(Value::Map(out))
    }
}

/// The error of reading a [`Value`] into another type.
pub(crate) type DeError = de::value::Error;

/// Deserializes a row (a map of values) into `T`, naming the path of the first mismatch.
pub(crate) fn row_as<'de, T: Deserialize<'de>>(
    row: &'de Row,
) -> Result<T, serde_path_to_error::Error<DeError>> {
    let map = MapDeserializer::<_, DeError>::new(row.iter().map(|(k, v)| (k.as_str(), v)));
    serde_path_to_error::deserialize(map)
}

impl<'de> IntoDeserializer<'de, DeError> for &'de Value {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for &'de Value {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Bytes(b) => visitor.visit_borrowed_bytes(b),
            Value::List(items) | Value::Set(items) => {
                let mut seq = SeqDeserializer::new(items.iter());
                let out = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            Value::Map(map) => {
                let mut access = MapDeserializer::new(map.iter().map(|(k, v)| (k.as_str(), v)));
                let out = visitor.visit_map(&mut access)?;
                access.end()?;
                Ok(out)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            // `Vec<u8>` fields read bytes as a sequence of numbers.
            Value::Bytes(bytes) => {
                let mut seq = SeqDeserializer::new(bytes.iter().copied());
                let out = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Map(map) if map.len() == 1 => {
                let access = MapDeserializer::new(map.iter().map(|(k, v)| (k.as_str(), v)));
                visitor.visit_enum(de::value::MapAccessDeserializer::new(access))
            }
            other => Err(de::Error::invalid_type(
                de::Unexpected::Other(other.type_name()),
                &"a string or a map with one entry (an enum)",
            )),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Mood {
        Happy,
        Sad,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Survey {
        id: u64,
        name: String,
        satisfaction: u8,
        score: f64,
        email: Option<String>,
        photo: Vec<u8>,
        tags: Vec<String>,
        mood: Mood,
        extra: BTreeMap<String, i32>,
    }

    fn row() -> Row {
        let mut row = Row::new();
        row.insert("id".into(), Value::Int(7));
        row.insert("name".into(), "Ada".into());
        row.insert("satisfaction".into(), Value::Int(5));
        row.insert("score".into(), Value::Int(3));
        row.insert("email".into(), Value::Null);
        row.insert("photo".into(), Value::Bytes(vec![1, 2]));
        row.insert("tags".into(), Value::Set(vec!["a".into(), "b".into()]));
        row.insert("mood".into(), "happy".into());
        row.insert(
            "extra".into(),
            Value::Map([("k".to_owned(), Value::Int(1))].into()),
        );
        row
    }

    #[test]
    fn rows_read_into_user_types() {
        let survey: Survey = row_as(&row())
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(survey.name, "Ada");
        assert_eq!(survey.score, 3.0);
        assert_eq!(survey.email, None);
        assert_eq!(survey.photo, [1, 2]);
        assert_eq!(survey.tags, ["a", "b"]);
        assert_eq!(survey.mood, Mood::Happy);
        assert_eq!(survey.extra["k"], 1);
        let _ = Mood::Sad;
    }

    #[test]
    fn mismatches_name_the_column() {
        let mut bad = row();
        bad.insert("satisfaction".into(), "five".into());
        let err = row_as::<Survey>(&bad)
            .map(|_| ())
            .map_err(|e| e.to_string());
        let err = err.err().unwrap_or_default();
        assert!(
            err.starts_with("satisfaction: invalid type: string \"five\""),
            "{err}"
        );
        let mut out_of_range = row();
        out_of_range.insert("satisfaction".into(), Value::Int(300));
        assert!(row_as::<Survey>(&out_of_range).is_err());
    }

    #[test]
    fn numbers_parse_as_tables_send_them() {
        assert_eq!(Value::parse_number("42"), Some(Value::Int(42)));
        assert_eq!(Value::parse_number("-1.5e3"), Some(Value::Float(-1500.0)));
        assert_eq!(
            Value::parse_number("9223372036854775808"),
            Some(Value::Float(9.223372036854776e18))
        );
        assert_eq!(Value::parse_number("NaN"), None);
        assert_eq!(Value::parse_number("x"), None);
    }

    #[test]
    fn json_values_convert() {
        let v = Value::from(serde_json::json!({"a": [1, 2.5, "x", null, true]}));
        let expected = Value::Map(
            [(
                "a".to_owned(),
                Value::List(vec![
                    Value::Int(1),
                    Value::Float(2.5),
                    "x".into(),
                    Value::Null,
                    Value::Bool(true),
                ]),
            )]
            .into(),
        );
        assert_eq!(v, expected);
        let back: Value =
            serde_json::from_str("{\"a\":[1,2.5,\"x\",null,true]}").unwrap_or_default();
        assert_eq!(back, expected);
    }
}
