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

/// Whether a column value is one of Tablestore's five types, nothing else.
fn value(cbor: &Cbor, at: impl Fn() -> String) -> Result<(), Error> {
    match cbor {
        Cbor::Integer(i) if i64::try_from(*i).is_err() => {
            Err(invalid(&at(), "an Integer outside the 64-bit range"))
        }
        Cbor::Integer(_) | Cbor::Text(_) | Cbor::Bytes(_) | Cbor::Bool(_) | Cbor::Float(_) => {
            Ok(())
        }
        other => Err(invalid(
            &at(),
            format!(
                "expected an Integer, String, Blob, Boolean or Double value, got {}",
                kind(other)
            ),
        )),
    }
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
    let read = if raw.first() == Some(&b'{') {
        serde_json::from_slice::<TablestoreEvent>(raw).map_err(|err| err.to_string())
    } else {
        ciborium::de::from_reader_with_recursion_limit::<TablestoreEvent, _>(raw, MAX_DEPTH + 4)
            .map_err(|err| err.to_string())
    };
    let event = match read {
        Ok(event) => event,
        Err(err) => return Err(explain(raw).unwrap_or_else(|| invalid(".", err))),
    };
    if event.version != "Sync-v1" {
        return Err(invalid(
            "Version",
            format!("expected `Sync-v1`, got `{}`", event.version),
        ));
    }
    let records = event
        .records
        .into_iter()
        .enumerate()
        .map(|(i, record)| self::record(record, i))
        .collect::<Result<_, _>>()?;
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

// Paths in errors are built only when there is an error: a batch has thousands of columns.
fn record(record: TablestoreRecord, index: usize) -> Result<TableRecord, Error> {
    let at = || format!("Records[{index}]");
    let kind = match record.kind.as_str() {
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
    for (i, column) in record.primary_key.into_iter().enumerate() {
        let Some(value) = column.value else {
            return Err(invalid(
                &format!("{}.PrimaryKey[{i}].Value", at()),
                "missing",
            ));
        };
        keys.insert(column.column_name, cell(value));
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
    for (i, column) in record.columns.into_iter().enumerate() {
        let col_at = || format!("{}.Columns[{i}]", at());
        let value = match column.kind.as_deref() {
            Some("Put") => match column.value {
                Some(value) => cell(value),
                None => return Err(invalid(&format!("{}.Value", col_at()), "missing")),
            },
            Some("DeleteOneVersion" | "DeleteAllVersions") => Value::Null,
            Some(other) => {
                return Err(invalid(
                    &format!("{}.Type", col_at()),
                    format!("expected Put, DeleteOneVersion or DeleteAllVersions, got `{other}`"),
                ));
            }
            None => return Err(invalid(&format!("{}.Type", col_at()), "missing")),
        };
        new.insert(column.column_name, value);
    }
    out.new = Some(new);
    Ok(out)
}

/// Why a body could not be read as a [`TablestoreEvent`], found by walking it as a value
/// tree: slower, but it names the field that is wrong (serde's errors over CBOR carry no
/// path). `None` if the walk finds nothing wrong.
fn explain(raw: &[u8]) -> Option<Error> {
    let root: Cbor = if raw.first() == Some(&b'{') {
        match serde_json::from_slice(raw) {
            Ok(root) => root,
            Err(err) => {
                return Some(Error::invalid_event(format!(
                    "invalid {WHAT}: the body is neither CBOR nor JSON: {err}"
                )));
            }
        }
    } else {
        match ciborium::de::from_reader_with_recursion_limit(raw, MAX_DEPTH + 4) {
            Ok(root) => root,
            Err(err) => {
                return Some(Error::invalid_event(format!(
                    "invalid {WHAT}: the body is not CBOR: {err}"
                )));
            }
        }
    };
    if depth(&root) > MAX_DEPTH {
        return Some(Error::invalid_event(format!(
            "invalid {WHAT}: nested deeper than {MAX_DEPTH} levels"
        )));
    }
    walk(&root).err()
}

fn walk(root: &Cbor) -> Result<(), Error> {
    let root = as_map(root, || ".".into())?;
    as_text(field(root, "Version"), || "Version".into())?;
    let records = field(root, "Records").ok_or_else(|| invalid("Records", "missing"))?;
    for (index, record) in as_array(records, || "Records".into())?.iter().enumerate() {
        let at = || format!("Records[{index}]");
        let record = as_map(record, at)?;
        as_text(field(record, "Type"), || format!("{}.Type", at()))?;
        if let Some(info) = field(record, "Info") {
            let info = as_map(info, || format!("{}.Info", at()))?;
            if let Some(ts) = field(info, "Timestamp") {
                as_int(ts, || format!("{}.Info.Timestamp", at()))?;
            }
        }
        let pk_at = || format!("{}.PrimaryKey", at());
        let pk = field(record, "PrimaryKey").ok_or_else(|| invalid(&pk_at(), "missing"))?;
        columns(pk, pk_at)?;
        if let Some(cols) = field(record, "Columns") {
            columns(cols, || format!("{}.Columns", at()))?;
        }
    }
    Ok(())
}

fn columns(list: &Cbor, at: impl Fn() -> String) -> Result<(), Error> {
    for (i, column) in as_array(list, &at)?.iter().enumerate() {
        let col_at = || format!("{}[{i}]", at());
        let column = as_map(column, col_at)?;
        as_text(field(column, "ColumnName"), || {
            format!("{}.ColumnName", col_at())
        })?;
        if let Some(kind) = field(column, "Type") {
            as_text(Some(kind), || format!("{}.Type", col_at()))?;
        }
        if let Some(value) = field(column, "Value") {
            self::value(value, || format!("{}.Value", col_at()))?;
        }
    }
    Ok(())
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
