//! Reporting which items of a batch failed, so the platform delivers only those again.

use serde::{Deserialize, Serialize};

use super::{Message, TableRecord};

/// How the platform names an item of a batch in its partial batch response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ItemId {
    /// An id: an SQS message id, a Kinesis or DynamoDB Streams sequence number.
    Id(String),
    /// A Kafka record: its topic-partition (`orders-0`, the key of the event's `records` map)
    /// and offset.
    Offset {
        /// `<topic>-<partition>`.
        partition: String,
        /// The record's offset in that partition.
        offset: i64,
    },
}

/// An item of a batch that can be reported as failed: a [`TableRecord`] or a [`Message`].
pub trait BatchItem {
    /// How the platform names the item.
    fn batch_id(&self) -> ItemId;
}

impl BatchItem for TableRecord {
    fn batch_id(&self) -> ItemId {
        ItemId::Id(self.id.clone())
    }
}

impl BatchItem for Message {
    fn batch_id(&self) -> ItemId {
        match (&self.partition, self.offset) {
            (Some(partition), Some(offset)) => ItemId::Offset {
                partition: partition.clone(),
                offset,
            },
            _ => ItemId::Id(self.id.clone()),
        }
    }
}

/// The records or messages of a batch that failed, so the platform retries only those.
///
/// Return it (or `Result<BatchFailures, Error>`) from a [`TableEvent`](crate::TableEvent) or
/// [`MessageEvent`](crate::MessageEvent) handler. It serializes as Lambda's partial batch
/// response, `{"batchItemFailures":[{"itemIdentifier":"…"}]}` (for Kafka records
/// `{"itemIdentifier":{"partition":"orders-0","offset":15}}`); an empty one means the whole
/// batch succeeded. On AWS, enable `ReportBatchItemFailures` on the event source mapping. On
/// FC, which has no partial protocol, a non-empty one fails the invocation, so the trigger
/// delivers the whole batch again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchFailures {
    ids: Vec<ItemId>,
}

impl BatchFailures {
    /// No failures yet.
    pub fn new() -> Self {
        BatchFailures::default()
    }

    /// Marks `item` as failed.
    pub fn push(&mut self, item: &impl BatchItem) {
        self.ids.push(item.batch_id());
    }

    /// The failed items, as the platform names them.
    pub fn ids(&self) -> &[ItemId] {
        &self.ids
    }

    /// Whether every item succeeded.
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
            item_identifier: &'a ItemId,
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
    use crate::event::{MessageSource, Row, RowChange, SourceKind};

    #[test]
    fn failures_serialize_as_the_partial_batch_response() {
        let mut record = TableRecord::new(RowChange::Insert, "t", Row::new());
        record.id = "1405400000000002063282832".into();
        let mut failures = BatchFailures::new();
        assert_eq!(
            serde_json::to_string(&failures).unwrap_or_default(),
            r#"{"batchItemFailures":[]}"#
        );
        failures.push(&record);
        let mut kafka = Message::new("k", "v", MessageSource::new(SourceKind::Stream, "orders"));
        kafka.partition = Some("orders-0".into());
        kafka.offset = Some(15);
        failures.push(&kafka);
        assert_eq!(
            serde_json::to_string(&failures).unwrap_or_default(),
            r#"{"batchItemFailures":[{"itemIdentifier":"1405400000000002063282832"},{"itemIdentifier":{"partition":"orders-0","offset":15}}]}"#
        );
    }
}
