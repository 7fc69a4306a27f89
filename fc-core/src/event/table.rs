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

/// An item of a batch that can be reported as failed: a [`TableRecord`] or a
/// [`Message`](crate::Message).
pub trait BatchItem {
    /// The id the platform knows the item by.
    fn batch_id(&self) -> &str;
}

impl BatchItem for TableRecord {
    fn batch_id(&self) -> &str {
        &self.id
    }
}

/// The records or messages of a batch that failed, so the platform retries only those.
///
/// Return it (or `Result<BatchFailures, Error>`) from a [`TableEvent`] or
/// [`MessageEvent`](crate::MessageEvent) handler. It serializes as Lambda's partial batch
/// response, `{"batchItemFailures":[{"itemIdentifier":"…"}]}`; an empty one means the whole
/// batch succeeded. On AWS, enable `ReportBatchItemFailures` on the event source mapping. On
/// FC, which has no partial protocol, a non-empty one fails the invocation, so the trigger
/// delivers the whole batch again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchFailures {
    ids: Vec<String>,
}

impl BatchFailures {
    /// No failures yet.
    pub fn new() -> Self {
        BatchFailures::default()
    }

    /// Marks `item` as failed.
    pub fn push(&mut self, item: &impl BatchItem) {
        self.ids.push(item.batch_id().to_owned());
    }

    /// The ids of the failed records.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Whether every record succeeded.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

impl Serialize for BatchFailures {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        #[derive(Serialize)]
        struct Item<'a> {
            #[serde(rename = "itemIdentifier")]
            item_identifier: &'a str,
        }
        let items: Vec<Item<'_>> = self
            .ids
            .iter()
            .map(|id| Item {
                item_identifier: id,
            })
            .collect();
        let mut out = serializer.serialize_struct("BatchFailures", 1)?;
        out.serialize_field("batchItemFailures", &items)?;
        out.end()
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
    fn batch_failures_serialize_as_the_partial_batch_response() {
        let mut record = TableRecord::new(RowChange::Insert, "t", Row::new());
        record.id = "1405400000000002063282832".into();
        let mut failures = BatchFailures::new();
        assert_eq!(
            serde_json::to_string(&failures).unwrap_or_default(),
            r#"{"batchItemFailures":[]}"#
        );
        failures.push(&record);
        assert_eq!(
            serde_json::to_string(&failures).unwrap_or_default(),
            r#"{"batchItemFailures":[{"itemIdentifier":"1405400000000002063282832"}]}"#
        );
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
