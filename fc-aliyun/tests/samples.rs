//! Every trigger FC delivers, decoded from the examples in Alibaba's documentation (named
//! beside each sample) into fc's types.

mod support;

use fc_aliyun::FromFc;
use fc_core::http::{Request, RequestExt, Trigger};
use fc_core::{
    MessageEvent, ObjectChange, ObjectEvent, RowChange, ScheduleEvent, SourceKind, TableEvent,
    Value,
};
use support::{
    APACHE_ROCKETMQ, API_GATEWAY, CDN_LOG_FILE, EVENTBRIDGE, HTTP_TRIGGER, KAFKA, KAFKA_TEXTS,
    MNS_QUEUE, MNS_TOPIC_JSON, MNS_TOPIC_STREAM, OSS, RABBITMQ, ROCKETMQ, SLS, TIMER,
    tablestore_cbor,
};

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

#[test]
fn mns_queue_events_become_queue_messages_one_or_a_batch() {
    let (event, ()) = MessageEvent::from_invoke(MNS_QUEUE.as_bytes()).unwrap();
    let [message] = event.messages.as_slice() else {
        panic!("one message: {event:?}")
    };
    assert_eq!(message.id, "C6DB60D1574661357FA227277445****");
    assert_eq!(message.text().unwrap(), "TEST");
    assert_eq!(message.source.kind, SourceKind::Queue);
    assert_eq!(message.source.name, "zeus");
    assert_eq!(
        message.source.arn.as_deref(),
        Some("acs:mns:cn-hangzhou:123456789098****:queues/zeus")
    );
    assert_eq!(
        message.time.map(|t| t.to_string()).as_deref(),
        Some("2021-04-08T06:28:17.093Z")
    );
    // In event-stream mode the trigger sends a batch: an array of the same events.
    let batch = format!("[{MNS_QUEUE}, {MNS_QUEUE}]");
    let (event, ()) = MessageEvent::from_invoke(batch.as_bytes()).unwrap();
    assert_eq!(event.messages.len(), 2);
}

#[test]
fn mns_topic_messages_in_every_format_become_topic_messages() {
    let (event, ()) = MessageEvent::from_invoke(MNS_TOPIC_JSON.as_bytes()).unwrap();
    let message = &event.messages[0];
    assert_eq!(message.id, "2F5B3C281B283D4EAC694B742528****");
    assert_eq!(message.text().unwrap(), "hello topic");
    assert_eq!(
        (message.source.kind, message.source.name.as_str()),
        (SourceKind::Topic, "test-topic")
    );
    assert_eq!(message.attributes["key"], "value");
    assert_eq!(message.attributes.len(), 1, "{:?}", message.attributes);
    assert_eq!(
        message.time.map(|t| t.to_string()).as_deref(),
        Some("2019-02-15T07:38:22.888Z")
    );

    let (event, ()) = MessageEvent::from_invoke(MNS_TOPIC_STREAM.as_bytes()).unwrap();
    let message = &event.messages[0];
    assert_eq!(message.text().unwrap(), "hello topic");
    assert_eq!(message.attributes["Extend"], r#"{"key":"value"}"#);
    assert_eq!(message.source.kind, SourceKind::Topic);

    // STREAM format without attributes: the bare message, text or not.
    for bare in [&b"hello topic"[..], b"{\"order\": 7}", &[0xff, 0x00, 0x01]] {
        let (event, ()) = MessageEvent::from_invoke(bare).unwrap();
        assert_eq!(event.messages[0].bytes(), bare);
        assert_eq!(event.messages[0].id, "");
    }
}

#[test]
fn mns_events_without_their_ids_name_the_missing_field() {
    let no_id = MNS_QUEUE.replace(r#""messageId": "C6DB60D1574661357FA227277445****", "#, "");
    let err = MessageEvent::from_invoke(no_id.as_bytes()).unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid MNS queue event at `data`: missing field `messageId`"),
        "{}",
        err.message()
    );
    let no_id = MNS_TOPIC_JSON.replace(
        r#""MessageId": "2F5B3C281B283D4EAC694B742528****""#,
        r#""x": 1"#,
    );
    let err = MessageEvent::from_invoke(no_id.as_bytes()).unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid MNS topic message: missing field `MessageId`"),
        "{}",
        err.message()
    );
    // One bad event in a batch fails the batch, naming which.
    let batch = format!("[{MNS_QUEUE}, {{\"id\": 1}}]");
    let err = MessageEvent::from_invoke(batch.as_bytes()).unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid EventBridge event [1]: expected the `type` of an MNS queue"),
        "{}",
        err.message()
    );
}

#[test]
fn failed_items_fail_the_invocation_on_fc() {
    let mut failures = fc_core::BatchFailures::new();
    let (event, ()) = MessageEvent::from_invoke(MNS_QUEUE.as_bytes()).unwrap();
    let ok = MessageEvent::into_invoke(fc_core::Payload::json(&failures), ()).unwrap();
    assert_eq!(&ok[..], br#"{"batchItemFailures":[]}"#);
    failures.push(&event.messages[0]);
    let err = MessageEvent::into_invoke(fc_core::Payload::json(&failures), ()).unwrap_err();
    assert!(
        err.message().starts_with(
            "1 item(s) of the batch failed (C6DB60D1574661357FA227277445****); FC has no partial batch response"
        ),
        "{}",
        err.message()
    );
}

#[test]
fn eventbridge_events_become_cloud_events_with_typed_data() {
    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Meeting {
        meeting_name: String,
        action: String,
    }
    let (event, ()) = fc_core::CloudEvent::<Meeting>::from_invoke(EVENTBRIDGE.as_bytes()).unwrap();
    assert_eq!(event.id, "45ef4dewdwe1-7c35-447a-bd93-fab****");
    assert_eq!(event.kind, "aliyuncvc:MeetingEvent:MemberOperate");
    assert_eq!(event.source, "acs:aliyuncvc");
    assert_eq!(
        (event.data.meeting_name.as_str(), event.data.action.as_str()),
        ("swqd", "camera_off")
    );
    assert_eq!(
        (event.account.as_deref(), event.region.as_deref()),
        (Some("123456789098****"), Some("cn-hangzhou"))
    );
    assert_eq!(
        event.time.map(|t| t.to_string()).as_deref(),
        Some("2020-11-19T13:04:41Z")
    );
    // The MNS queue event is an EventBridge event too.
    let (event, ()) =
        fc_core::CloudEvent::<serde_json::Value>::from_invoke(MNS_QUEUE.as_bytes()).unwrap();
    assert_eq!(event.data["messageBody"], "TEST");
    let err = fc_core::CloudEvent::<Meeting>::from_invoke(MNS_QUEUE.as_bytes()).unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid EventBridge event at `data`: missing field `meetingName`"),
        "{}",
        err.message()
    );
}

#[test]
fn kafka_rocketmq_and_rabbitmq_events_become_messages() {
    let (event, ()) = MessageEvent::from_invoke(KAFKA.as_bytes()).unwrap();
    let message = &event.messages[0];
    assert_eq!(message.id, "****-7:25");
    assert_eq!(message.text().unwrap(), "hello kafka msg");
    assert_eq!(message.partition_key.as_deref(), Some("keytest"));
    assert_eq!(
        (message.source.kind, message.source.name.as_str()),
        (SourceKind::Stream, "****")
    );
    assert_eq!(
        (message.partition.as_deref(), message.offset),
        (Some("****-7"), Some(25))
    );
    assert_eq!(
        message.time.map(|t| t.to_string()).as_deref(),
        Some("2022-06-23T02:49:51.589Z")
    );
    // Each event as a JSON text reads the same way.
    let (event, ()) = MessageEvent::from_invoke(KAFKA_TEXTS.as_bytes()).unwrap();
    let message = &event.messages[0];
    assert_eq!(message.id, "HelloTopic-9:3");
    assert!(
        message
            .text()
            .unwrap()
            .contains("TestKafkaEventBridgetrigger")
    );

    let (event, ()) = MessageEvent::from_invoke(ROCKETMQ.as_bytes()).unwrap();
    let message = &event.messages[0];
    assert_eq!(message.id, "94ebc15f-f0db-4bbe-acce-56fb72fb****");
    assert_eq!(message.text().unwrap(), "TEST");
    assert_eq!(
        (message.source.kind, message.source.name.as_str()),
        (SourceKind::Topic, "TopicName")
    );
    assert_eq!(message.attributes["TAGS"], "systemProperties.TAGS");

    let (event, ()) = MessageEvent::from_invoke(APACHE_ROCKETMQ.as_bytes()).unwrap();
    let message = &event.messages[0];
    assert_eq!(message.id, "7F0000010BDD2A84AEE70DA49B57****");
    assert_eq!(message.text().unwrap(), "Hello RocketMQ");
    assert_eq!(
        (message.source.kind, message.source.name.as_str()),
        (SourceKind::Topic, "testTopic")
    );
    assert_eq!(message.attributes["TAGS"], "TagA");
    let no_topic = APACHE_ROCKETMQ.replace(r#""topic": "testTopic", "#, "");
    let err = MessageEvent::from_invoke(no_topic.as_bytes()).unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid RocketMQ event [0]: missing field `topic`"),
        "{}",
        err.message()
    );

    let (event, ()) = MessageEvent::from_invoke(RABBITMQ.as_bytes()).unwrap();
    let message = &event.messages[0];
    assert_eq!(message.id, "f7622d51-e198-41de-a072-77c1ead7****");
    assert_eq!(
        message.json::<serde_json::Value>().unwrap(),
        serde_json::json!({"Hello": "RabbitMQ"})
    );
    assert_eq!(
        (message.source.kind, message.source.name.as_str()),
        (SourceKind::Queue, "housekeeping")
    );
    assert_eq!(message.attributes["routingKey"], "housekeeping");

    let no_offset = KAFKA.replace(r#""offset":25, "#, "");
    let err = MessageEvent::from_invoke(no_offset.as_bytes()).unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid Kafka event [0] at `data`: missing field `offset`"),
        "{}",
        err.message()
    );
}

#[test]
fn sls_and_cdn_events_read_as_their_typed_structs() {
    use fc_aliyun::{CdnEvent, SlsEvent};
    use fc_core::JsonEvent;

    let (JsonEvent(sls), ()) = JsonEvent::<SlsEvent>::from_invoke(SLS.as_bytes()).unwrap();
    assert_eq!(sls.source.logstore_name, "fc-test-logstore");
    assert_eq!(sls.source.shard_id, 0);
    assert_eq!(sls.source.begin_cursor, "MTUyOTQ4MDIwOTY1NTk3ODQ2Mw==");
    assert_eq!(sls.cursor_time, Some(1_529_486_425));

    let (JsonEvent(cdn), ()) = JsonEvent::<CdnEvent>::from_invoke(CDN_LOG_FILE.as_bytes()).unwrap();
    let record = &cdn.events[0];
    assert_eq!(record.event_name, "LogFileCreated");
    assert_eq!(record.resource.domain, "example.com");
    assert_eq!(record.event_parameter["fileSize"], 1_788_115);
    assert_eq!(
        record.event_time.map(|t| t.to_string()).as_deref(),
        Some("2018-06-14T07:31:49Z")
    );

    let err = JsonEvent::<SlsEvent>::from_invoke(br#"{"source":{},"jobName":"j","taskId":"t"}"#)
        .unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid JSON event at `source`: missing field `endpoint`"),
        "{}",
        err.message()
    );
}
