//! Tablestore stream records: a CBOR body, decoded into a `TableEvent`.
//!
//! Source: Function Compute, "Configure a Tablestore trigger" — the event is CBOR:
//!
//! ```text
//! {"Version": "Sync-v1",
//!  "Records": [{"Type": "PutRow" | "UpdateRow" | "DeleteRow",
//!               "Info": {"Timestamp": <µs>},
//!               "PrimaryKey": [{"ColumnName": "pk", "Value": <value>}],
//!               "Columns": [{"Type": "Put" | "DeleteOneVersion" | "DeleteAllVersions",
//!                            "ColumnName": "c", "Value": <value>, "Timestamp": <ms>}]}]}
//! ```
//!
//! Values are CBOR integers (Integer), text (String), byte strings (Blob), booleans (Boolean)
//! and floats (Double).
//!
//! The body is read once, token by token, straight into fc's rows: no value tree, no copy of a
//! string but the one the row keeps. A batch is thousands of columns, so the path of a field is
//! only written out when it is wrong.

use std::borrow::Cow;

use fc_core::{Error, Row, RowChange, TableEvent, TableRecord, Timestamp, Value};
use minicbor::Decoder;
use minicbor::data::Type;

const WHAT: &str = "Tablestore event";

fn invalid(at: &str, message: impl std::fmt::Display) -> Error {
    Error::invalid_event(format!("invalid {WHAT} at `{at}`: {message}"))
}

/// A body the reader could not go through: truncated, or not CBOR at all.
fn malformed(err: minicbor::decode::Error) -> Error {
    Error::invalid_event(format!("invalid {WHAT}: the body is not CBOR: {err}"))
}

/// Decodes a Tablestore trigger's body: CBOR as the trigger sends it, or the same structure as
/// JSON, as the console's test events are (made CBOR first: they are small, and there is then
/// one reader to trust). The event does not name the table (the trigger's `sourceArn` does), so
/// records have an empty `table`.
pub(crate) fn table_event(raw: &[u8]) -> Result<TableEvent, Error> {
    if raw.first() == Some(&b'{') {
        let value: ciborium::Value = serde_json::from_slice(raw).map_err(|err| {
            Error::invalid_event(format!(
                "invalid {WHAT}: the body is neither CBOR nor JSON: {err}"
            ))
        })?;
        let mut cbor = Vec::with_capacity(raw.len());
        ciborium::into_writer(&value, &mut cbor)
            .map_err(|err| Error::invalid_event(format!("invalid {WHAT}: {err}")))?;
        return decode(&cbor);
    }
    decode(raw)
}

fn decode(raw: &[u8]) -> Result<TableEvent, Error> {
    let mut reader = Reader(Decoder::new(raw));
    let event = reader.event()?;
    if reader.0.position() != raw.len() {
        return Err(Error::invalid_event(format!(
            "invalid {WHAT}: {} byte(s) after the event",
            raw.len() - reader.0.position()
        )));
    }
    Ok(event)
}

/// The entries of a map or the items of an array, of a known number or up to a break.
struct Items(Option<u64>);

/// One column as the body has it: a primary-key column, or a column put or deleted.
struct Column<'b> {
    name: Cow<'b, str>,
    kind: Option<Cow<'b, [u8]>>,
    value: Option<Value>,
}

struct Reader<'b>(Decoder<'b>);

impl<'b> Reader<'b> {
    fn datatype(&self) -> Result<Type, Error> {
        self.0.datatype().map_err(malformed)
    }

    /// The next item's major type (CBOR's top three bits): what the common cases are told
    /// apart by without decoding the header twice; anything else goes through `datatype`.
    fn major(&self) -> Option<u8> {
        self.0.input().get(self.0.position()).map(|head| head >> 5)
    }

    /// Whether another entry or item follows; the break that ends an open-ended one is read.
    #[inline]
    fn next(&mut self, items: &mut Items) -> Result<bool, Error> {
        match &mut items.0 {
            Some(0) => Ok(false),
            Some(left) => {
                *left -= 1;
                Ok(true)
            }
            None if self.datatype()? == Type::Break => {
                self.0.set_position(self.0.position() + 1);
                Ok(false)
            }
            None => Ok(true),
        }
    }

    fn map(&mut self, at: &dyn Fn() -> String) -> Result<Items, Error> {
        // Major type 5 is a map, of a known size or open-ended.
        if self.major() == Some(5) {
            return self.0.map().map(Items).map_err(malformed);
        }
        Err(self.unexpected(at, "a map"))
    }

    fn array(&mut self, at: &dyn Fn() -> String) -> Result<Items, Error> {
        // Major type 4 is an array, of a known size or open-ended.
        if self.major() == Some(4) {
            return self.0.array().map(Items).map_err(malformed);
        }
        Err(self.unexpected(at, "an array"))
    }

    /// Why the next item is not the `expected` one: what it is instead, or that there is none.
    fn unexpected(&self, at: &dyn Fn() -> String, expected: &str) -> Error {
        match self.datatype() {
            Ok(other) => invalid(&at(), format!("expected {expected}, got {}", kind(other))),
            Err(err) => err,
        }
    }

    /// A definite text string shorter than 256 bytes, as bytes, taken straight from the input:
    /// the keys and most values of a batch, which would otherwise have their header decoded
    /// twice. `None` (and nothing read) for anything else.
    fn short(&mut self) -> Option<&'b [u8]> {
        let input = self.0.input();
        let at = self.0.position();
        let (len, start) = match *input.get(at)? {
            head @ 0x60..=0x77 => (usize::from(head - 0x60), at + 1),
            0x78 => (usize::from(*input.get(at + 1)?), at + 2),
            _ => return None,
        };
        let bytes = input.get(start..start + len)?;
        self.0.set_position(start + len);
        Some(bytes)
    }

    /// A map key or a name from a fixed set: compared as bytes, so not checked for UTF-8 (one
    /// that is not valid UTF-8 matches nothing).
    fn key(&mut self, at: &dyn Fn() -> String) -> Result<Cow<'b, [u8]>, Error> {
        match self.short() {
            Some(bytes) => Ok(Cow::Borrowed(bytes)),
            None => Ok(match self.text(at)? {
                Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            }),
        }
    }

    fn text(&mut self, at: &dyn Fn() -> String) -> Result<Cow<'b, str>, Error> {
        if let Some(bytes) = self.short() {
            return std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|err| invalid(&at(), format!("text that is not UTF-8: {err}")));
        }
        match self.datatype()? {
            Type::String => self.0.str().map(Cow::Borrowed).map_err(malformed),
            Type::StringIndef => {
                let mut text = String::new();
                for chunk in self.0.str_iter().map_err(malformed)? {
                    text.push_str(chunk.map_err(malformed)?);
                }
                Ok(Cow::Owned(text))
            }
            other => Err(invalid(
                &at(),
                format!("expected text, got {}", kind(other)),
            )),
        }
    }

    fn int(&mut self, at: &dyn Fn() -> String) -> Result<i64, Error> {
        let datatype = match self.major() {
            Some(0) => Type::U64,
            Some(1) => Type::I64,
            _ => self.datatype()?,
        };
        match datatype {
            Type::U8 | Type::U16 | Type::U32 | Type::U64 => {
                let n = self.0.u64().map_err(malformed)?;
                i64::try_from(n).map_err(|_| invalid(&at(), "an Integer outside the 64-bit range"))
            }
            Type::I8 | Type::I16 | Type::I32 | Type::I64 => self
                .0
                .i64()
                .map_err(|_| invalid(&at(), "an Integer outside the 64-bit range")),
            Type::Int => Err(invalid(&at(), "an Integer outside the 64-bit range")),
            other => Err(invalid(
                &at(),
                format!("expected an integer, got {}", kind(other)),
            )),
        }
    }

    /// A column value: one of Tablestore's five types, nothing else.
    fn value(&mut self, at: &dyn Fn() -> String) -> Result<Value, Error> {
        match self.major() {
            Some(0 | 1) => return Ok(Value::Int(self.int(at)?)),
            Some(3) => return Ok(Value::String(self.text(at)?.into_owned())),
            _ => {}
        }
        Ok(match self.datatype()? {
            int if is_integer(int) => Value::Int(self.int(at)?),
            Type::String | Type::StringIndef => Value::String(self.text(at)?.into_owned()),
            Type::Bytes => Value::Bytes(self.0.bytes().map_err(malformed)?.to_vec()),
            Type::BytesIndef => {
                let mut bytes = Vec::new();
                for chunk in self.0.bytes_iter().map_err(malformed)? {
                    bytes.extend_from_slice(chunk.map_err(malformed)?);
                }
                Value::Bytes(bytes)
            }
            Type::Bool => Value::Bool(self.0.bool().map_err(malformed)?),
            Type::F16 | Type::F32 | Type::F64 => Value::Float(self.0.f64().map_err(malformed)?),
            other => {
                return Err(invalid(
                    &at(),
                    format!(
                        "expected an Integer, String, Blob, Boolean or Double value, got {}",
                        kind(other)
                    ),
                ));
            }
        })
    }

    fn skip(&mut self) -> Result<(), Error> {
        self.0.skip().map_err(malformed)
    }

    /// Reads a null (or undefined) if one comes next: what an optional field may be.
    fn null(&mut self) -> bool {
        let at = self.0.position();
        // Null and undefined are one byte each.
        let null = matches!(self.0.input().get(at), Some(0xf6 | 0xf7));
        if null {
            self.0.set_position(at + 1);
        }
        null
    }

    fn event(&mut self) -> Result<TableEvent, Error> {
        let mut entries = self.map(&|| ".".into())?;
        let mut version = None;
        let mut records = None;
        while self.next(&mut entries)? {
            match &*self.key(&|| ".".into())? {
                b"Version" => version = Some(self.text(&|| "Version".into())?),
                b"Records" => {
                    let mut items = self.array(&|| "Records".into())?;
                    // A record takes more than 16 bytes, so the rest of the body bounds what a
                    // count can make us allocate.
                    let left = (self.0.input().len() - self.0.position()) / 16;
                    let count = items
                        .0
                        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
                    let mut list = Vec::with_capacity(count.min(left));
                    while self.next(&mut items)? {
                        list.push(self.record(list.len())?);
                    }
                    records = Some(list);
                }
                _ => self.skip()?,
            }
        }
        match version.as_deref() {
            Some("Sync-v1") => {}
            Some(other) => {
                return Err(invalid(
                    "Version",
                    format!("expected `Sync-v1`, got `{other}`"),
                ));
            }
            None => return Err(invalid("Version", "missing")),
        }
        let records = records.ok_or_else(|| invalid("Records", "missing"))?;
        Ok(TableEvent::new(records))
    }

    fn record(&mut self, index: usize) -> Result<TableRecord, Error> {
        let at = || format!("Records[{index}]");
        let mut entries = self.map(&at)?;
        let mut kind = None;
        let mut time = None;
        let mut keys = None;
        // The columns put or deleted go straight into the new row; the keys join them at the end.
        let mut new = Row::new();
        while self.next(&mut entries)? {
            match &*self.key(&at)? {
                b"Type" => {
                    let at = || format!("{}.Type", at());
                    kind = Some(match &*self.key(&at)? {
                        b"PutRow" => RowChange::Insert,
                        b"UpdateRow" => RowChange::Modify,
                        b"DeleteRow" => RowChange::Remove,
                        other => {
                            return Err(invalid(
                                &at(),
                                format!(
                                    "expected PutRow, UpdateRow or DeleteRow, got `{}`",
                                    String::from_utf8_lossy(other)
                                ),
                            ));
                        }
                    });
                }
                b"Info" if self.null() => {}
                b"Info" => time = self.info(&|| format!("{}.Info", at()))?,
                b"PrimaryKey" => {
                    let at = || format!("{}.PrimaryKey", at());
                    let mut row = Row::new();
                    self.columns(&at, |i, column| {
                        let value = column
                            .value
                            .ok_or_else(|| invalid(&format!("{}[{i}].Value", at()), "missing"))?;
                        row.insert(column.name.into_owned(), value);
                        Ok(())
                    })?;
                    keys = Some(row);
                }
                b"Columns" => {
                    let at = || format!("{}.Columns", at());
                    self.columns(&at, |i, column| {
                        let value = match column.kind.as_deref() {
                            Some(b"Put") => column.value.ok_or_else(|| {
                                invalid(&format!("{}[{i}].Value", at()), "missing")
                            })?,
                            Some(b"DeleteOneVersion" | b"DeleteAllVersions") => Value::Null,
                            Some(other) => {
                                return Err(invalid(
                                    &format!("{}[{i}].Type", at()),
                                    format!(
                                        "expected Put, DeleteOneVersion or DeleteAllVersions, got `{}`",
                                        String::from_utf8_lossy(other)
                                    ),
                                ));
                            }
                            None => return Err(invalid(&format!("{}[{i}].Type", at()), "missing")),
                        };
                        new.insert(column.name.into_owned(), value);
                        Ok(())
                    })?;
                }
                _ => self.skip()?,
            }
        }
        let kind = kind.ok_or_else(|| invalid(&format!("{}.Type", at()), "missing"))?;
        let keys = keys.ok_or_else(|| invalid(&format!("{}.PrimaryKey", at()), "missing"))?;
        let mut out = if kind == RowChange::Remove {
            TableRecord::new(kind, "", keys)
        } else {
            // The new row: the keys plus the columns put (a column put wins over a key of the
            // same name); a deleted column reads as null.
            for (name, value) in &keys {
                if !new.contains_key(name) {
                    new.insert(name.clone(), value.clone());
                }
            }
            let mut out = TableRecord::new(kind, "", keys);
            out.new = Some(new);
            out
        };
        out.time = time.map(Timestamp::from_unix_micros);
        Ok(out)
    }

    fn info(&mut self, at: &dyn Fn() -> String) -> Result<Option<i64>, Error> {
        let mut entries = self.map(at)?;
        let mut time = None;
        while self.next(&mut entries)? {
            match &*self.key(at)? {
                b"Timestamp" if self.null() => {}
                b"Timestamp" => time = Some(self.int(&|| format!("{}.Timestamp", at()))?),
                _ => self.skip()?,
            }
        }
        Ok(time)
    }

    /// Reads a list of columns, handing each to `each` with its index.
    fn columns(
        &mut self,
        at: &dyn Fn() -> String,
        mut each: impl FnMut(usize, Column<'b>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut items = self.array(at)?;
        let mut i = 0;
        while self.next(&mut items)? {
            let col_at = || format!("{}[{i}]", at());
            let mut entries = self.map(&col_at)?;
            let mut name = None;
            let mut kind = None;
            let mut value = None;
            while self.next(&mut entries)? {
                match &*self.key(&col_at)? {
                    b"ColumnName" => {
                        name = Some(self.text(&|| format!("{}.ColumnName", col_at()))?);
                    }
                    b"Type" if self.null() => {}
                    b"Type" => kind = Some(self.key(&|| format!("{}.Type", col_at()))?),
                    b"Value" => value = Some(self.value(&|| format!("{}.Value", col_at()))?),
                    b"Timestamp" if self.null() => {}
                    b"Timestamp" => {
                        self.int(&|| format!("{}.Timestamp", col_at()))?;
                    }
                    _ => self.skip()?,
                }
            }
            let name =
                name.ok_or_else(|| invalid(&format!("{}.ColumnName", col_at()), "missing"))?;
            each(i, Column { name, kind, value })?;
            i += 1;
        }
        Ok(())
    }
}

fn is_integer(datatype: Type) -> bool {
    matches!(
        datatype,
        Type::U8
            | Type::U16
            | Type::U32
            | Type::U64
            | Type::I8
            | Type::I16
            | Type::I32
            | Type::I64
            | Type::Int
    )
}

fn kind(datatype: Type) -> &'static str {
    match datatype {
        int if is_integer(int) => "an integer",
        Type::Bytes | Type::BytesIndef => "bytes",
        Type::F16 | Type::F32 | Type::F64 => "a float",
        Type::String | Type::StringIndef => "text",
        Type::Bool => "a boolean",
        Type::Null => "null",
        Type::Undefined => "undefined",
        Type::Tag => "a tagged value",
        Type::Array | Type::ArrayIndef => "an array",
        Type::Map | Type::MapIndef => "a map",
        Type::Break => "the end of a list",
        _ => "an unknown CBOR value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{cbor, map, text};
    use ciborium::value::Value as Cbor;

    /// A `Sync-v1` event of this one record.
    fn one_record(record: Cbor) -> Vec<u8> {
        cbor(&map(vec![
            ("Version", text("Sync-v1")),
            ("Records", Cbor::Array(vec![record])),
        ]))
    }

    #[test]
    fn unknown_value_types_and_truncated_bodies_are_invalid() {
        let record = map(vec![
            ("Type", text("PutRow")),
            (
                "PrimaryKey",
                Cbor::Array(vec![map(vec![
                    ("ColumnName", text("id")),
                    ("Value", Cbor::Null),
                ])]),
            ),
        ]);
        let body = one_record(record);
        let err = table_event(&body).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid Tablestore event at `Records[0].PrimaryKey[0].Value`: expected an Integer, String, Blob, Boolean or Double value, got null"
        );
        let err = table_event(&body[..body.len() - 3]).unwrap_err();
        assert!(
            err.message()
                .starts_with("invalid Tablestore event: the body is not CBOR"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut deep = Cbor::Integer(1.into());
        for _ in 0..40 {
            deep = Cbor::Array(vec![deep]);
        }
        let body = cbor(&map(vec![("Version", text("Sync-v1")), ("Records", deep)]));
        let err = table_event(&body).unwrap_err();
        assert!(
            err.message().starts_with("invalid Tablestore event"),
            "{}",
            err.message()
        );
    }

    type Encoder<'a> = minicbor::Encoder<&'a mut Vec<u8>>;
    /// Writes one column value.
    type WriteValue = fn(&mut Encoder<'_>);

    /// The event written token by token: open-ended maps, lists and text included, as a
    /// streaming encoder may send them.
    fn streamed(value: impl FnOnce(&mut Encoder<'_>)) -> Vec<u8> {
        let mut body = Vec::new();
        let mut e = minicbor::Encoder::new(&mut body);
        e.begin_map()
            .unwrap()
            .str("Version")
            .unwrap()
            .str("Sync-v1")
            .unwrap();
        e.str("Records").unwrap().begin_array().unwrap();
        e.begin_map().unwrap();
        e.str("Type").unwrap().str("UpdateRow").unwrap();
        e.str("Info").unwrap().null().unwrap();
        e.str("PrimaryKey").unwrap().array(1).unwrap();
        e.map(2)
            .unwrap()
            .str("ColumnName")
            .unwrap()
            .str("id")
            .unwrap();
        e.str("Value").unwrap().u64(7).unwrap();
        e.str("Columns").unwrap().begin_array().unwrap();
        e.begin_map().unwrap();
        e.str("Type").unwrap().str("Put").unwrap();
        e.str("ColumnName")
            .unwrap()
            .begin_str()
            .unwrap()
            .str("na")
            .unwrap()
            .str("me")
            .unwrap();
        e.end().unwrap();
        e.str("Value").unwrap();
        value(&mut e);
        e.str("Timestamp").unwrap().null().unwrap();
        e.end().unwrap();
        e.end().unwrap();
        e.end().unwrap();
        e.end().unwrap();
        e.end().unwrap();
        body
    }

    #[test]
    fn open_ended_maps_lists_and_text_are_read_and_nulls_mean_absent() {
        let body = streamed(|e| {
            e.begin_bytes()
                .unwrap()
                .bytes(&[1])
                .unwrap()
                .bytes(&[2, 3])
                .unwrap();
            e.end().unwrap();
        });
        let event = table_event(&body).unwrap();
        let [record] = &event.records[..] else {
            panic!("one record: {event:?}")
        };
        assert_eq!(record.kind, RowChange::Modify);
        assert_eq!(record.keys["id"], Value::Int(7));
        assert_eq!(record.time, None);
        let new = record.new.as_ref().unwrap();
        assert_eq!(new["name"], Value::Bytes(vec![1, 2, 3]));
        assert_eq!(new["id"], Value::Int(7));
    }

    #[test]
    fn text_of_every_header_size_is_read_and_must_be_utf8() {
        // Lengths in the header byte, in one more byte, in two, in four.
        for len in [0, 23, 24, 255, 256, 70_000] {
            let text = "é".repeat(len / 2) + &"x".repeat(len % 2);
            let body = streamed(|e| {
                e.str(&text).unwrap();
            });
            let event = table_event(&body).unwrap();
            let new = event.records[0].new.as_ref().unwrap();
            assert_eq!(new["name"], Value::String(text.clone()), "length {len}");
        }
        for head in [&[0x62][..], &[0x78, 2]] {
            let body = streamed(|e| {
                e.writer_mut().extend_from_slice(head);
                e.writer_mut().extend_from_slice(&[0xff, 0xfe]);
            });
            let err = table_event(&body).unwrap_err();
            assert!(
                err.message()
                    .starts_with("invalid Tablestore event at `Records[0].Columns[0].Value`: text that is not UTF-8"),
                "{}",
                err.message()
            );
        }
        let body = streamed(|e| {
            e.i64(-5).unwrap();
        });
        let event = table_event(&body).unwrap();
        assert_eq!(
            event.records[0].new.as_ref().unwrap()["name"],
            Value::Int(-5)
        );
    }

    #[test]
    fn values_outside_tablestores_types_name_their_place() {
        let cases: [(WriteValue, &str); 3] = [
            (
                |e| {
                    e.u64(u64::MAX).unwrap();
                },
                "at `Records[0].Columns[0].Value`: an Integer outside the 64-bit range",
            ),
            (
                |e| {
                    e.tag(minicbor::data::Tag::new(1)).unwrap().u8(1).unwrap();
                },
                "at `Records[0].Columns[0].Value`: expected an Integer, String, Blob, Boolean or Double value, got a tagged value",
            ),
            (
                |e| {
                    e.begin_map().unwrap().end().unwrap();
                },
                "got a map",
            ),
        ];
        for (value, expected) in cases {
            let err = table_event(&streamed(value)).unwrap_err();
            assert!(err.message().contains(expected), "{}", err.message());
        }
    }

    #[test]
    fn missing_fields_and_trailing_bytes_are_refused() {
        let body = cbor(&map(vec![("Records", Cbor::Array(vec![]))]));
        let err = table_event(&body).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid Tablestore event at `Version`: missing"
        );
        let body = cbor(&map(vec![("Version", text("Sync-v1"))]));
        let err = table_event(&body).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid Tablestore event at `Records`: missing"
        );
        let record = map(vec![
            ("Type", text("DeleteRow")),
            (
                "PrimaryKey",
                Cbor::Array(vec![map(vec![("Value", Cbor::Integer(1.into()))])]),
            ),
        ]);
        let body = one_record(record);
        let err = table_event(&body).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid Tablestore event at `Records[0].PrimaryKey[0].ColumnName`: missing"
        );
        let mut body = cbor(&map(vec![
            ("Version", text("Sync-v1")),
            ("Records", Cbor::Array(vec![])),
        ]));
        body.push(0);
        let err = table_event(&body).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid Tablestore event: 1 byte(s) after the event"
        );
    }

    #[test]
    fn unknown_fields_are_skipped_however_deep() {
        let mut body = Vec::new();
        let mut e = minicbor::Encoder::new(&mut body);
        e.map(3)
            .unwrap()
            .str("Version")
            .unwrap()
            .str("Sync-v1")
            .unwrap();
        e.str("Extra").unwrap();
        for _ in 0..100_000 {
            e.array(1).unwrap();
        }
        e.u8(1).unwrap().str("Records").unwrap().array(0).unwrap();
        assert!(table_event(&body).unwrap().records.is_empty());
    }
}
