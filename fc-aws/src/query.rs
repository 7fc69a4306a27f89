//! The pairs of a `QueryMap`, read through its `Serialize` impl.
//!
//! `QueryMap` exposes its names only through an iterator that panics on a name with no values
//! (`"key": []`, found by fuzzing). Its serde form, `{"name": ["value", ...]}`, is safe; this
//! serializer collects it straight into pairs instead of building a JSON value.

use std::fmt;

use aws_lambda_events::query_map::QueryMap;
use serde::Serialize;
use serde::ser::{self, Impossible};

/// Every `(name, value)` pair, names sorted, each name's values in order.
pub(crate) fn pairs(params: &QueryMap) -> Vec<(String, String)> {
    let mut collector = Collector::default();
    if params.serialize(&mut collector).is_err() {
        return Vec::new();
    }
    // The map's order is random; a stable sort keeps each name's values in order.
    collector.pairs.sort_by(|a, b| a.0.cmp(&b.0));
    collector.pairs
}

#[derive(Default)]
struct Collector {
    pairs: Vec<(String, String)>,
    name: String,
    /// Whether strings are names (map keys) or values (sequence elements).
    in_values: bool,
}

#[derive(Debug)]
struct Unexpected;

impl fmt::Display for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a query map serializes as a map of strings to lists of strings")
    }
}

impl std::error::Error for Unexpected {}

impl ser::Error for Unexpected {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unexpected
    }
}

macro_rules! unexpected {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), Unexpected> { Err(Unexpected) })*
    };
}

impl ser::Serializer for &mut Collector {
    type Ok = ();
    type Error = Unexpected;
    type SerializeSeq = Self;
    type SerializeTuple = Impossible<(), Unexpected>;
    type SerializeTupleStruct = Impossible<(), Unexpected>;
    type SerializeTupleVariant = Impossible<(), Unexpected>;
    type SerializeMap = Self;
    type SerializeStruct = Impossible<(), Unexpected>;
    type SerializeStructVariant = Impossible<(), Unexpected>;

    fn serialize_str(self, text: &str) -> Result<(), Unexpected> {
        if self.in_values {
            self.pairs.push((self.name.clone(), text.to_owned()));
        } else {
            text.clone_into(&mut self.name);
        }
        Ok(())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unexpected> {
        value.serialize(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Unexpected> {
        Ok(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Unexpected> {
        if self.in_values {
            return Err(Unexpected);
        }
        self.in_values = true;
        Ok(self)
    }

    unexpected!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), Unexpected> {
        Err(Unexpected)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unexpected> {
        Err(Unexpected)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unexpected> {
        Err(Unexpected)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unexpected> {
        Err(Unexpected)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unexpected> {
        Err(Unexpected)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unexpected> {
        Err(Unexpected)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unexpected> {
        Err(Unexpected)
    }
}

impl ser::SerializeMap for &mut Collector {
    type Ok = ();
    type Error = Unexpected;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, name: &T) -> Result<(), Unexpected> {
        name.serialize(&mut **self)
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, values: &T) -> Result<(), Unexpected> {
        values.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Unexpected> {
        Ok(())
    }
}

impl ser::SerializeSeq for &mut Collector {
    type Ok = ();
    type Error = Unexpected;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unexpected> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Unexpected> {
        self.in_values = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn every_value_of_every_name_in_order() {
        let map: HashMap<String, Vec<String>> = [
            ("b".to_owned(), vec!["2".to_owned(), "1".to_owned()]),
            ("a".to_owned(), vec!["x y".to_owned()]),
            ("empty".to_owned(), vec![]),
        ]
        .into();
        let pairs = pairs(&QueryMap::from(map));
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "x y"), ("b", "2"), ("b", "1")]);
    }
}
