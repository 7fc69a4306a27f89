//! Table change streams: DynamoDB Streams on AWS, Tablestore on FC.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::value::{Row, row_as};
use crate::error::Error;
use crate::time::Timestamp;

/// Rows inserted, modified or removed in a table (DynamoDB Streams, Tablestore).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TableEvent {
    /// One record per row change, in stream order.
    pub records: Vec<TableRecord>,
}

impl TableEvent {
    /// An event with these records.
    pub fn new(records: Vec<TableRecord>) -> Self {
        TableEvent { records }
    }
}

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RowChange {
    /// A new row (DynamoDB `INSERT`, Tablestore `PutRow` of a new key).
    Insert,
    /// A changed row (DynamoDB `MODIFY`, Tablestore `UpdateRow`).
    Modify,
    /// A deleted row (DynamoDB `REMOVE`, Tablestore `DeleteRow`).
    Remove,
}

/// One row change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TableRecord {
    /// The platform's id for this record, used to report it as failed (DynamoDB's sequence
    /// number); empty when the platform gives none.
    #[serde(default)]
    pub id: String,
    /// Insert, modify or remove.
    pub kind: RowChange,
    /// The table's name.
    pub table: String,
    /// The row's primary key columns.
    pub keys: Row,
    /// The row after the change (absent for removals, or when the stream does not carry it).
    #[serde(default)]
    pub new: Option<Row>,
    /// The row before the change (present when the stream carries old images).
    #[serde(default)]
    pub old: Option<Row>,
    /// When the change happened.
    #[serde(default)]
    pub time: Option<Timestamp>,
}

impl TableRecord {
    /// A record of a change to the row with these keys.
    pub fn new(kind: RowChange, table: impl Into<String>, keys: Row) -> Self {
        TableRecord {
            id: String::new(),
            kind,
            table: table.into(),
            keys,
            new: None,
            old: None,
            time: None,
        }
    }

    /// The row after the change, read into `T` (the keys are included when the image has them).
    pub fn new_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.read("new", self.new.as_ref())
    }

    /// The row before the change, read into `T`.
    pub fn old_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.read("old", self.old.as_ref())
    }

    /// The primary key, read into `T`.
    pub fn keys_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.read("key", Some(&self.keys))
    }

    fn read<T: DeserializeOwned>(&self, which: &str, row: Option<&Row>) -> Result<T, Error> {
        let Some(row) = row else {
            return Err(Error::invalid_event(format!(
                "{:?} record of table `{}` has no {which} row",
                self.kind, self.table
            )));
        };
        row_as(row).map_err(|err| {
            Error::invalid_event(format!(
                "{which} row of table `{}` does not match {}: {err}",
                self.table,
                std::any::type_name::<T>()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Value;

    #[derive(Debug, Deserialize)]
    struct Survey {
        name: String,
        satisfaction: u8,
    }

    #[test]
    fn reads_rows_and_explains_mismatches() {
        let keys: Row = [("id".to_owned(), Value::Int(1))].into();
        let mut record = TableRecord::new(RowChange::Insert, "surveys", keys);
        let err = record
            .new_as::<Survey>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(err, "Insert record of table `surveys` has no new row");

        record.new = Some(
            [
                ("name".to_owned(), "Ada".into()),
                ("satisfaction".to_owned(), Value::Int(4)),
            ]
            .into(),
        );
        let survey = record.new_as::<Survey>().map_err(|e| e.to_string());
        assert_eq!(
            survey.map(|s| (s.name, s.satisfaction)),
            Ok(("Ada".to_owned(), 4))
        );

        record.new = Some([("name".to_owned(), "Ada".into())].into());
        let err = record
            .new_as::<Survey>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.starts_with("new row of table `surveys` does not match"),
            "{err}"
        );
        assert!(err.ends_with("missing field `satisfaction`"), "{err}");
    }
}
