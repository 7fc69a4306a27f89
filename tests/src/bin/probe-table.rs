//! A table-stream function: says what each record was, reading rows through serde.

use fc::{BatchFailures, TableEvent};

#[derive(serde::Deserialize)]
struct Survey {
    name: String,
    satisfaction: u8,
}

#[fc::handler]
async fn probe(event: TableEvent) -> serde_json::Value {
    let mut failures = BatchFailures::new();
    let records: Vec<serde_json::Value> = event
        .records
        .iter()
        .map(|record| {
            let new = record.new_as::<Survey>().ok();
            if new.as_ref().is_some_and(|s| s.satisfaction == 0) {
                failures.push(record);
            }
            serde_json::json!({
                "kind": format!("{:?}", record.kind),
                "table": record.table,
                "keys": record.keys,
                "name": new.as_ref().map(|s| s.name.clone()),
                "satisfaction": new.map(|s| s.satisfaction),
            })
        })
        .collect();
    serde_json::json!({ "records": records, "failures": failures.ids() })
}
