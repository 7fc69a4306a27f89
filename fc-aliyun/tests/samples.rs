//! Every trigger FC delivers, decoded from the examples in Alibaba's documentation (named
//! beside each sample) into fc's types.

use ciborium::value::Value as Cbor;
use fc_aliyun::FromFc;
use fc_core::http::{Request, RequestExt, Trigger};
use fc_core::{ObjectChange, ObjectEvent, RowChange, ScheduleEvent, TableEvent, Value};

/// "Configure an API Gateway trigger" (Function Compute), event format, with the doc's
/// placeholders filled in.
const API_GATEWAY: &str = r#"{
    "path": "/api/items/42",
    "httpMethod": "POST",
    "headers": {"Content-Type": "application/json", "X-Ca-Request-Id": "5D1EA1B0-2A3C-4F7A-9B5C-6E2D3F4A5B6C"},
    "queryParameters": {"lang": "zh", "q": "a b"},
    "pathParameters": {"id": "42"},
    "body": "eyJuYW1lIjoiQWRhIn0=",
    "isBase64Encoded": "true"
}"#;

/// "HTTP trigger: invoke a function" (Function Compute 3.0), the `version: "v1"` event example.
const HTTP_TRIGGER: &str = r#"{
    "version": "v1",
    "rawPath": "/example",
    "body": "Hello FC!",
    "isBase64Encoded": false,
    "headers": {"header1": "value1", "header2": "value1,value2"},
    "queryParameters": {"parameter1": "value1", "parameter2": "value1,value2"},
    "requestContext": {
        "accountId": "123456*********",
        "domainName": "<http-trigger-id>.<region-id>.fcapp.run",
        "domainPrefix": "<http-trigger-id>",
        "http": {"method": "GET", "path": "/example", "protocol": "HTTP/1.1", "sourceIp": "11.11.11.11", "userAgent": "PostmanRuntime/7.32.3"},
        "requestId": "1-64f6cd87-*************",
        "time": "2023-09-05T06:41:11Z",
        "timeEpoch": "1693896071895"
    }
}"#;

/// "Trigger event formats" (Function Compute 3.0), OSS trigger, and fc-runtime-go-sdk's
/// `events/README_OSS.md`.
const OSS: &str = r#"{"events": [{
    "eventName": "ObjectCreated:PutObject", "eventSource": "acs:oss",
    "eventTime": "2022-06-10T06:21:35.000Z", "eventVersion": "1.0",
    "oss": {
        "bucket": {"arn": "acs:oss:cn-shenzhen:1581223139******:bucketname", "name": "testbucket", "ownerIdentity": "1581224182******", "virtualBucket": ""},
        "object": {"deltaSize": 29203, "eTag": "7D73E1052AF595535DE90994F4C3E6D5", "key": "image/a.jpg", "objectMeta": {"mimeType": "image/jpeg"}, "size": 29203},
        "ossSchemaVersion": "1.0", "ruleId": "7c5a5ccfb06114a4d1ea8867e3916eb543d84e7c"},
    "region": "cn-shenzhen",
    "requestParameters": {"sourceIPAddress": "106.23.1.2"},
    "responseElements": {"requestId": "62A2E2EFD0DEFE3930847A6E"},
    "userIdentity": {"principalId": "1581224182******"}
}, {
    "eventName": "ObjectRemoved:DeleteObject", "eventSource": "acs:oss",
    "eventTime": "2022-06-10T06:22:00.000Z", "eventVersion": "1.0",
    "oss": {"bucket": {"name": "testbucket"}, "object": {"key": "image/old.jpg"}},
    "region": "cn-shenzhen"
}]}"#;

/// "Trigger event formats" (Function Compute 3.0), timer trigger.
const TIMER: &str = r#"{"triggerTime":"2023-12-26T07:49:00Z","triggerName":"timer-trigger","payload":"awesome-fc"}"#;

#[test]
fn api_gateway_events_become_requests() {
    let (req, _) = Request::from_invoke(API_GATEWAY.as_bytes()).unwrap();
    assert_eq!(
        (req.method().as_str(), req.uri().path()),
        ("POST", "/api/items/42")
    );
    assert_eq!(req.query_param("q").as_deref(), Some("a b"));
    assert_eq!(req.headers()["content-type"], "application/json");
    assert_eq!(req.path_param("id"), Some("42"));
    assert_eq!(
        req.body().as_str(),
        Some(r#"{"name":"Ada"}"#),
        "base64 decoded"
    );
    assert_eq!(req.info().trigger, Trigger::FcApiGateway);
}

#[test]
fn http_trigger_events_become_requests() {
    let (req, _) = Request::from_invoke(HTTP_TRIGGER.as_bytes()).unwrap();
    assert_eq!(
        (req.method().as_str(), req.uri().path()),
        ("GET", "/example")
    );
    assert_eq!(req.headers()["header2"], "value1,value2");
    assert_eq!(req.query_param("parameter1").as_deref(), Some("value1"));
    assert_eq!(req.body().as_str(), Some("Hello FC!"));
    assert_eq!(req.info().trigger, Trigger::FcHttpEvent);
    assert_eq!(
        req.info().source_ip.map(|ip| ip.to_string()).as_deref(),
        Some("11.11.11.11")
    );
}

#[test]
fn oss_events_become_object_events() {
    let (event, ()) = ObjectEvent::from_invoke(OSS.as_bytes()).unwrap();
    let created = &event.records[0];
    assert_eq!(created.kind, ObjectChange::Created);
    assert_eq!(created.event_name, "ObjectCreated:PutObject");
    assert_eq!(
        (created.bucket.as_str(), created.key.as_str()),
        ("testbucket", "image/a.jpg")
    );
    assert_eq!(created.size, Some(29203));
    assert_eq!(
        created.etag.as_deref(),
        Some("7D73E1052AF595535DE90994F4C3E6D5")
    );
    assert_eq!(created.region.as_deref(), Some("cn-shenzhen"));
    assert_eq!(
        created.time.map(|t| t.to_string()).as_deref(),
        Some("2022-06-10T06:21:35Z")
    );
    assert_eq!(event.records[1].kind, ObjectChange::Removed);
}

#[test]
fn timer_events_become_schedule_events() {
    let (event, ()) = ScheduleEvent::from_invoke(TIMER.as_bytes()).unwrap();
    assert_eq!(event.name, "timer-trigger");
    assert_eq!(event.payload.as_deref(), Some("awesome-fc"));
    assert_eq!(
        event.time.map(|t| t.to_string()).as_deref(),
        Some("2023-12-26T07:49:00Z")
    );
}

fn text(s: &str) -> Cbor {
    Cbor::Text(s.into())
}

fn map(entries: Vec<(&str, Cbor)>) -> Cbor {
    Cbor::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
}

fn column(kind: &str, name: &str, value: Option<Cbor>, ts: i64) -> Cbor {
    let mut entries = vec![("Type", text(kind)), ("ColumnName", text(name))];
    if let Some(value) = value {
        entries.push(("Value", value));
    }
    entries.push(("Timestamp", Cbor::Integer(ts.into())));
    map(entries)
}

fn key(name: &str, value: Cbor) -> Cbor {
    map(vec![("ColumnName", text(name)), ("Value", value)])
}

/// "Configure a Tablestore trigger" (Function Compute): the documented example record,
/// extended to every value type, an update with both deletes and a row deletion, as CBOR.
fn tablestore_cbor() -> Vec<u8> {
    let put = map(vec![
        ("Type", text("PutRow")),
        (
            "Info",
            map(vec![(
                "Timestamp",
                Cbor::Integer(1_506_416_585_740_836_i64.into()),
            )]),
        ),
        (
            "PrimaryKey",
            Cbor::Array(vec![
                key("pk_0", Cbor::Integer(1_506_416_585_881_590_900_i64.into())),
                key("pk_1", text("2017-09-26 17:03:05.8815909 +0800 CST")),
                key("pk_2", Cbor::Bytes(vec![0xde, 0xad])),
            ]),
        ),
        (
            "Columns",
            Cbor::Array(vec![
                column(
                    "Put",
                    "attr_0",
                    Some(text("hello_table_store")),
                    1_506_416_585_741,
                ),
                column(
                    "Put",
                    "attr_1",
                    Some(Cbor::Integer(1_506_416_585_881_590_900_i64.into())),
                    1_506_416_585_741,
                ),
                column("Put", "attr_2", Some(Cbor::Bool(true)), 1_506_416_585_741),
                column("Put", "attr_3", Some(Cbor::Float(3.5)), 1_506_416_585_741),
                column(
                    "Put",
                    "attr_4",
                    Some(Cbor::Bytes(vec![1, 2, 3])),
                    1_506_416_585_741,
                ),
            ]),
        ),
    ]);
    let update = map(vec![
        ("Type", text("UpdateRow")),
        (
            "Info",
            map(vec![(
                "Timestamp",
                Cbor::Integer(1_506_416_600_000_000_i64.into()),
            )]),
        ),
        (
            "PrimaryKey",
            Cbor::Array(vec![key("pk_0", Cbor::Integer(7.into()))]),
        ),
        (
            "Columns",
            Cbor::Array(vec![
                column("Put", "attr_0", Some(text("changed")), 1_506_416_600_000),
                column("DeleteOneVersion", "attr_1", None, 1_506_416_585_741),
                column("DeleteAllVersions", "attr_2", None, 1_506_416_600_000),
            ]),
        ),
    ]);
    let delete = map(vec![
        ("Type", text("DeleteRow")),
        (
            "Info",
            map(vec![(
                "Timestamp",
                Cbor::Integer(1_506_416_700_000_000_i64.into()),
            )]),
        ),
        (
            "PrimaryKey",
            Cbor::Array(vec![key("pk_0", Cbor::Integer(8.into()))]),
        ),
        ("Columns", Cbor::Array(vec![])),
    ]);
    let event = map(vec![
        ("Version", text("Sync-v1")),
        ("Records", Cbor::Array(vec![put, update, delete])),
    ]);
    let mut bytes = Vec::new();
    ciborium::ser::into_writer(&event, &mut bytes).expect("CBOR encodes");
    bytes
}

#[test]
fn tablestore_cbor_becomes_a_table_event_with_every_value_type() {
    let (event, ()) = TableEvent::from_invoke(&tablestore_cbor()).unwrap();
    let [put, update, delete] = &event.records[..] else {
        panic!("three records expected, got {}", event.records.len());
    };
    assert_eq!(put.kind, RowChange::Insert);
    assert_eq!(
        put.keys["pk_0"],
        Value::Int(1_506_416_585_881_590_900),
        "beyond 2^53, exact"
    );
    assert_eq!(
        put.keys["pk_1"],
        Value::String("2017-09-26 17:03:05.8815909 +0800 CST".into())
    );
    assert_eq!(put.keys["pk_2"], Value::Bytes(vec![0xde, 0xad]));
    assert_eq!(
        put.time.map(|t| t.to_string()).as_deref(),
        Some("2017-09-26T09:03:05.740836Z")
    );
    let new = put.new.as_ref().unwrap();
    assert_eq!(new["attr_0"], Value::String("hello_table_store".into()));
    assert_eq!(new["attr_1"], Value::Int(1_506_416_585_881_590_900));
    assert_eq!(new["attr_2"], Value::Bool(true));
    assert_eq!(new["attr_3"], Value::Float(3.5));
    assert_eq!(new["attr_4"], Value::Bytes(vec![1, 2, 3]));
    assert_eq!(
        new["pk_0"], put.keys["pk_0"],
        "the new row includes its keys"
    );

    assert_eq!(update.kind, RowChange::Modify);
    let changed = update.new.as_ref().unwrap();
    assert_eq!(changed["attr_0"], Value::String("changed".into()));
    assert_eq!(
        (&changed["attr_1"], &changed["attr_2"]),
        (&Value::Null, &Value::Null)
    );

    assert_eq!(delete.kind, RowChange::Remove);
    assert_eq!(delete.keys["pk_0"], Value::Int(8));
    assert!(delete.new.is_none());
}

#[test]
fn the_consoles_json_test_event_decodes_the_same_way() {
    // The documented example, as the console's test event sends it (JSON).
    let json = r#"{"Version":"Sync-v1","Records":[{"Type":"PutRow","Info":{"Timestamp":1506416585740836},
        "PrimaryKey":[{"ColumnName":"pk_0","Value":1506416585881590900},{"ColumnName":"pk_1","Value":"2017-09-26 17:03:05.8815909 +0800 CST"},{"ColumnName":"pk_2","Value":1506416585741000}],
        "Columns":[{"Type":"Put","ColumnName":"attr_0","Value":"hello_table_store","Timestamp":1506416585741},{"Type":"Put","ColumnName":"attr_1","Value":1506416585881590900,"Timestamp":1506416585741}]}]}"#;
    let (event, ()) = TableEvent::from_invoke(json.as_bytes()).unwrap();
    let record = &event.records[0];
    assert_eq!(record.keys["pk_2"], Value::Int(1_506_416_585_741_000));
    assert_eq!(
        record.new.as_ref().unwrap()["attr_0"],
        Value::String("hello_table_store".into())
    );
}

#[test]
fn wrong_shapes_name_what_was_expected() {
    let err = ObjectEvent::from_invoke(br#"{"events":[{"eventName":"x","oss":{"bucket":{}}}]}"#)
        .unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid OSS event at `events[0].oss.bucket`: missing field `name`"),
        "{}",
        err.message()
    );
    let err =
        ScheduleEvent::from_invoke(br#"{"triggerTime":"soon","triggerName":"t"}"#).unwrap_err();
    assert!(err.message().contains("RFC 3339"), "{}", err.message());
    let err = TableEvent::from_invoke(&[0xff, 0x00]).unwrap_err();
    assert!(
        err.message().starts_with("invalid Tablestore event"),
        "{}",
        err.message()
    );
}
