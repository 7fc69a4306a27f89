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

use ciborium::value::Value as Cbor;
use fc_core::{Error, Row, RowChange, TableEvent, TableRecord, Timestamp, Value};

use crate::wire::{Cell, TablestoreEvent, TablestoreRecord};

const WHAT: &str = "Tablestore event";

/// Nesting deeper than this is not a Tablestore record; refusing it bounds the decoder's stack.
const MAX_DEPTH: usize = 16;

fn invalid(at: &str, message: impl std::fmt::Display) -> Error {
    Error::invalid_event(format!("invalid {WHAT} at `{at}`: {message}"))
}

fn field<'a>(map: &'a [(Cbor, Cbor)], name: &str) -> Option<&'a Cbor> {
    map.iter()
        .find(|(key, _)| key.as_text() == Some(name))
        .map(|(_, value)| value)
}

fn as_map(value: &Cbor, at: impl Fn() -> String) -> Result<&[(Cbor, Cbor)], Error> {
    value
        .as_map()
        .map(Vec::as_slice)
        .ok_or_else(|| invalid(&at(), format!("expected a map, got {}", kind(value))))
}

fn as_array(value: &Cbor, at: impl Fn() -> String) -> Result<&[Cbor], Error> {
    value
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| invalid(&at(), format!("expected an array, got {}", kind(value))))
}

fn as_text(value: Option<&Cbor>, at: impl Fn() -> String) -> Result<&str, Error> {
    match value {
        Some(value) => value
            .as_text()
            .ok_or_else(|| invalid(&at(), format!("expected text, got {}", kind(value)))),
        None => Err(invalid(&at(), "missing")),
    }
}

fn as_int(value: &Cbor, at: impl Fn() -> String) -> Result<i64, Error> {
    value
        .as_integer()
        .and_then(|i| i64::try_from(i).ok())
        .ok_or_else(|| invalid(&at(), format!("expected an integer, got {}", kind(value))))
}

fn kind(value: &Cbor) -> &'static str {
    match value {
        Cbor::Integer(_) => "an integer",
        Cbor::Bytes(_) => "bytes",
        Cbor::Float(_) => "a float",
        Cbor::Text(_) => "text",
        Cbor::Bool(_) => "a boolean",
        Cbor::Null => "null",
        Cbor::Tag(..) => "a tagged value",
        Cbor::Array(_) => "an array",
        Cbor::Map(_) => "a map",
        _ => "an unknown CBOR value",
    }
}

/// A column value: Tablestore's five types, nothing else.
fn value(cbor: Option<&Cbor>, at: impl Fn() -> String) -> Result<Value, Error> {
    let Some(cbor) = cbor else {
        return Err(invalid(&at(), "missing"));
    };
    Ok(match cbor {
        Cbor::Integer(i) => Value::Int(
            i64::try_from(*i).map_err(|_| invalid(&at(), "an Integer outside the 64-bit range"))?,
        ),
        Cbor::Text(text) => Value::String(text.clone()),
        Cbor::Bytes(bytes) => Value::Bytes(bytes.clone()),
        Cbor::Bool(b) => Value::Bool(*b),
        Cbor::Float(f) => Value::Float(*f),
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

fn depth(value: &Cbor) -> usize {
    match value {
        Cbor::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Cbor::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| depth(k).max(depth(v)))
                .max()
                .unwrap_or(0)
        }
        Cbor::Tag(_, inner) => 1 + depth(inner),
        _ => 0,
    }
}

/// Decodes a Tablestore trigger's body: CBOR as the trigger sends it, or the same structure as
/// JSON, as the console's test events are. The event does not name the table (the trigger's
/// `sourceArn` does), so records have an empty `table`.
///
/// The body is read straight into [`TablestoreEvent`]; only when that fails is it walked as a
/// value tree, which says where and what is wrong (a batch is thousands of columns, and serde's
/// errors over CBOR carry no path).
pub(crate) fn table_event(raw: &[u8]) -> Result<TableEvent, Error> {
    match typed(raw) {
        Ok(event) => Ok(event),
        Err(err) => Err(walk(raw).err().unwrap_or(err)),
    }
}

fn typed(raw: &[u8]) -> Result<TableEvent, Error> {
    let event: TablestoreEvent = if raw.first() == Some(&b'{') {
        serde_json::from_slice(raw).map_err(|err| invalid(".", err))?
    } else {
        ciborium::de::from_reader_with_recursion_limit(raw, MAX_DEPTH + 4)
            .map_err(|err| invalid(".", err))?
    };
    if event.version != "Sync-v1" {
        return Err(invalid("Version", "expected `Sync-v1`"));
    }
    let mut records = Vec::with_capacity(event.records.len());
    for (index, record) in event.records.into_iter().enumerate() {
        records.push(typed_record(record, index)?);
    }
    Ok(TableEvent::new(records))
}

fn cell(value: Cell) -> Value {
    match value {
        Cell::Integer(i) => Value::Int(i),
        Cell::String(s) => Value::String(s),
        Cell::Blob(b) => Value::Bytes(b),
        Cell::Boolean(b) => Value::Bool(b),
        Cell::Double(f) => Value::Float(f),
    }
}

/// A record as fc carries it; any surprise is left to [`walk`] to explain.
fn typed_record(record: TablestoreRecord, index: usize) -> Result<TableRecord, Error> {
    let surprise = || invalid(&format!("Records[{index}]"), "unexpected");
    let kind = match record.kind.as_str() {
        "PutRow" => RowChange::Insert,
        "UpdateRow" => RowChange::Modify,
        "DeleteRow" => RowChange::Remove,
        _ => return Err(surprise()),
    };
    let mut keys = Row::new();
    for column in record.primary_key {
        keys.insert(column.column_name, cell(column.value.ok_or_else(surprise)?));
    }
    let time = record
        .info
        .and_then(|info| info.timestamp)
        .map(Timestamp::from_unix_micros);
    if kind == RowChange::Remove {
        let mut out = TableRecord::new(kind, "", keys);
        out.time = time;
        return Ok(out);
    }
    let mut out = TableRecord::new(kind, "", keys.clone());
    out.time = time;
    // The new row: its keys plus the columns put; a deleted column reads as null.
    let mut new: Row = keys;
    for column in record.columns {
        let value = match column.kind.as_deref() {
            Some("Put") => cell(column.value.ok_or_else(surprise)?),
            Some("DeleteOneVersion" | "DeleteAllVersions") => Value::Null,
            _ => return Err(surprise()),
        };
        new.insert(column.column_name, value);
    }
    out.new = Some(new);
    Ok(out)
}

/// Walks the body as a value tree: slower than [`typed`], but it names the field that is wrong.
fn walk(raw: &[u8]) -> Result<TableEvent, Error> {
    let table = "";
    let root: Cbor = if raw.first() == Some(&b'{') {
        serde_json::from_slice(raw).map_err(|err| {
            Error::invalid_event(format!(
                "invalid {WHAT}: the body is neither CBOR nor JSON: {err}"
            ))
        })?
    } else {
        ciborium::de::from_reader_with_recursion_limit(raw, MAX_DEPTH + 4).map_err(|err| {
            Error::invalid_event(format!("invalid {WHAT}: the body is not CBOR: {err}"))
        })?
    };
    if depth(&root) > MAX_DEPTH {
        return Err(Error::invalid_event(format!(
            "invalid {WHAT}: nested deeper than {MAX_DEPTH} levels"
        )));
    }
    let root = as_map(&root, || ".".into())?;
    let version = as_text(field(root, "Version"), || "Version".into())?;
    if version != "Sync-v1" {
        return Err(invalid(
            "Version",
            format!("expected `Sync-v1`, got `{version}`"),
        ));
    }
    let records = field(root, "Records").ok_or_else(|| invalid("Records", "missing"))?;
    let records = as_array(records, || "Records".into())?
        .iter()
        .enumerate()
        .map(|(i, record)| self::record(record, i, table))
        .collect::<Result<_, _>>()?;
    Ok(TableEvent::new(records))
}

// Paths in errors are built only when there is an error: a batch has thousands of columns.
fn record(record: &Cbor, index: usize, table: &str) -> Result<TableRecord, Error> {
    let at = || format!("Records[{index}]");
    let record = as_map(record, at)?;
    let kind = match as_text(field(record, "Type"), || format!("{}.Type", at()))? {
        "PutRow" => RowChange::Insert,
        "UpdateRow" => RowChange::Modify,
        "DeleteRow" => RowChange::Remove,
        other => {
            return Err(invalid(
                &format!("{}.Type", at()),
                format!("expected PutRow, UpdateRow or DeleteRow, got `{other}`"),
            ));
        }
    };
    let mut keys = Row::new();
    let pk_at = || format!("{}.PrimaryKey", at());
    let pk = field(record, "PrimaryKey").ok_or_else(|| invalid(&pk_at(), "missing"))?;
    for (i, column) in as_array(pk, pk_at)?.iter().enumerate() {
        let col_at = || format!("{}[{i}]", pk_at());
        let column = as_map(column, col_at)?;
        let name = as_text(field(column, "ColumnName"), || {
            format!("{}.ColumnName", col_at())
        })?;
        let cell = value(field(column, "Value"), || format!("{}.Value", col_at()))?;
        keys.insert(name.to_owned(), cell);
    }
    let mut time = None;
    if let Some(info) = field(record, "Info") {
        let info = as_map(info, || format!("{}.Info", at()))?;
        if let Some(ts) = field(info, "Timestamp") {
            time = Some(Timestamp::from_unix_micros(as_int(ts, || {
                format!("{}.Info.Timestamp", at())
            })?));
        }
    }
    if kind == RowChange::Remove {
        let mut out = TableRecord::new(kind, table, keys);
        out.time = time;
        return Ok(out);
    }
    let mut out = TableRecord::new(kind, table, keys.clone());
    out.time = time;
    // The new row: its keys plus the columns put; a deleted column reads as null.
    let mut new: Row = keys;
    let columns_at = || format!("{}.Columns", at());
    if let Some(columns) = field(record, "Columns") {
        for (i, column) in as_array(columns, columns_at)?.iter().enumerate() {
            let col_at = || format!("{}[{i}]", columns_at());
            let column = as_map(column, col_at)?;
            let name = as_text(field(column, "ColumnName"), || {
                format!("{}.ColumnName", col_at())
            })?;
            match as_text(field(column, "Type"), || format!("{}.Type", col_at()))? {
                "Put" => {
                    let cell = value(field(column, "Value"), || format!("{}.Value", col_at()))?;
                    new.insert(name.to_owned(), cell);
                }
                "DeleteOneVersion" | "DeleteAllVersions" => {
                    new.insert(name.to_owned(), Value::Null);
                }
                other => {
                    return Err(invalid(
                        &format!("{}.Type", col_at()),
                        format!(
                            "expected Put, DeleteOneVersion or DeleteAllVersions, got `{other}`"
                        ),
                    ));
                }
            }
        }
    }
    out.new = Some(new);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{cbor, map, text};

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
        let body = cbor(&map(vec![
            ("Version", text("Sync-v1")),
            ("Records", Cbor::Array(vec![record])),
        ]));
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
}
