//! The samples of FC's triggers, from Alibaba's documentation (named beside each), shared by
//! the tests and the benchmarks.

#![allow(dead_code)] // each user takes what it needs

use ciborium::value::Value as Cbor;

/// "Configure an API Gateway trigger" (Function Compute), event format, with the doc's
/// placeholders filled in.
pub(crate) const API_GATEWAY: &str = r#"{
    "path": "/api/items/42",
    "httpMethod": "POST",
    "headers": {"Content-Type": "application/json", "X-Ca-Request-Id": "5D1EA1B0-2A3C-4F7A-9B5C-6E2D3F4A5B6C"},
    "queryParameters": {"lang": "zh", "q": "a b"},
    "pathParameters": {"id": "42"},
    "body": "eyJuYW1lIjoiQWRhIn0=",
    "isBase64Encoded": "true"
}"#;

/// "HTTP trigger: invoke a function" (Function Compute 3.0), the `version: "v1"` event example.
pub(crate) const HTTP_TRIGGER: &str = r#"{
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
pub(crate) const OSS: &str = r#"{"events": [{
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
pub(crate) const TIMER: &str = r#"{"triggerTime":"2023-12-26T07:49:00Z","triggerName":"timer-trigger","payload":"awesome-fc"}"#;

/// EventBridge, "MNS queue event source: event example" — what an MNS queue trigger delivers
/// in event mode.
pub(crate) const MNS_QUEUE: &str = r#"{
    "id": "bffb9722-9c48-407b-9895-b038f78f****",
    "source": "acs:mns",
    "specversion": "1.0",
    "type": "mns:Queue:SendMessage",
    "datacontenttype": "application/json; charset=utf-8",
    "subject": "acs:mns:cn-hangzhou:123456789098****:queues/zeus",
    "time": "2021-04-08T06:28:17.093Z",
    "aliyunpublishtime": "2021-04-08T06:30:31.367Z",
    "aliyuneventbusname": "mybus",
    "data": {"requestId": "606EA3074344430D4C81****", "messageId": "C6DB60D1574661357FA227277445****", "messageBody": "TEST"}
}"#;

/// Function Compute, "MNS topic trigger: event format", JSON format with a message attribute
/// (also the fc3 component's `mns-with-MessageAttributes` test event).
pub(crate) const MNS_TOPIC_JSON: &str = r#"{
    "key": "value",
    "TopicOwner": "118620210433****",
    "Message": "hello topic",
    "Subscriber": "118620210433****",
    "PublishTime": 1550216302888,
    "SubscriptionName": "test-fc-subscribe",
    "MessageMD5": "BA4BA9B48AC81F0F9C66F6C909C3****",
    "TopicName": "test-topic",
    "MessageId": "2F5B3C281B283D4EAC694B742528****"
}"#;

/// Function Compute, "MNS topic trigger: event format", STREAM format with attributes.
pub(crate) const MNS_TOPIC_STREAM: &str =
    r#"{"body": "hello topic", "attrs": {"Extend": "{\"key\":\"value\"}"}}"#;

/// Alibaba Cloud EventBridge, "Event overview": the event example.
pub(crate) const EVENTBRIDGE: &str = r#"{
    "data": {"meetingName": "swqd", "groupId": "456", "action": "camera_off", "time": 1590592527490, "userId": "199525", "meetingUUID": "hz-20864c8f-b10d-45cd-9935-884bca1b****"},
    "id": "45ef4dewdwe1-7c35-447a-bd93-fab****",
    "source": "acs:aliyuncvc",
    "specversion": "1.0",
    "subject": "acs.aliyuncvc:cn-hangzhou:{AccountId}:215672",
    "time": "2020-11-19T21:04:41+08:00",
    "type": "aliyuncvc:MeetingEvent:MemberOperate",
    "aliyunaccountid": "123456789098****",
    "aliyunpublishtime": "2020-11-19T21:04:42.179PRC",
    "aliyuneventbusname": "default",
    "aliyunregionid": "cn-hangzhou",
    "aliyunpublishaddr": "172.25.XX.XX"
}"#;

/// Function Compute 3.0, "Trigger event formats" (触发器event格式), Kafka trigger: a batch of
/// EventBridge events (one of the documented two).
pub(crate) const KAFKA: &str = r#"[ { "specversion":"1.0", "id":"8e215af8-ca18-4249-8645-f96c1026****", "source":"acs:alikafka", "type":"alikafka:Topic:Message", "subject":"acs:alikafka_pre-cn-i7m2t7t1****:topic:mytopic", "datacontenttype":"application/json; charset=utf-8", "time":"2022-06-23T02:49:51.589Z", "aliyunaccountid":"164901546557****", "data":{ "topic":"****", "partition":7, "offset":25, "timestamp":1655952591589, "headers":{ "headers":[ ], "isReadOnly":false }, "key":"keytest", "value":"hello kafka msg" } } ]"#;

/// aliyun/fc-runtime-go-sdk, `events/README_KAFKA_EVENTBRIDGE.md`: a Kafka event stream that
/// sends each event as a JSON text.
pub(crate) const KAFKA_TEXTS: &str = r#"["{\"data\":{\"topic\":\"HelloTopic\",\"partition\":9,\"offset\":3,\"timestamp\":1659346376797,\"headers\":{\"headers\":[],\"isReadOnly\":false},\"value\":\"b\\u0027{\\\\n    \\\"Test\\\": \\\"TestKafkaEventBridgetrigger\\\"\\\\n}\\u0027\"},\"id\":\"1cb591f9-987e-41d9-b974-0342e9acb90a\",\"source\":\"acs:alikafka\",\"specversion\":\"1.0\",\"type\":\"alikafka:Topic:Message\",\"datacontenttype\":\"application/json; charset\\u003dutf-8\",\"time\":\"2022-08-01T09:32:56.797Z\",\"subject\":\"acs:alikafka:alikafka_pre-cn-7pp2t2jwj001:topic:HelloTopic\",\"aliyunaccountid\":\"1938858730552836\"}"]"#;

/// Function Compute 3.0, "Trigger event formats", RocketMQ trigger (one of the documented two).
pub(crate) const ROCKETMQ: &str = r#"[ { "id":"94ebc15f-f0db-4bbe-acce-56fb72fb****", "source":"RocketMQ-Function-rocketmq-trigger", "specversion":"1.0", "type":"mq:Topic:SendMessage", "datacontenttype":"application/json; charset=utf-8", "subject":"acs:mq:cn-hangzhou:164901546557****:MQ_INST_164901546557****_BXhFHryi%TopicName", "time":"2021-04-08T06:01:20.766Z", "aliyunaccountid":"164901546557****", "aliyunpublishtime":"2021-10-15T02:05:16.791Z", "aliyunoriginalaccountid":"164901546557****", "aliyuneventbusname":"RocketMQ-Function-rocketmq-trigger", "aliyunregionid":"cn-chengdu", "aliyunpublishaddr":"42.120.XX.XX", "data":{ "topic":"TopicName", "systemProperties":{ "MIN_OFFSET":"0", "TRACE_ON":"true", "MAX_OFFSET":"8", "MSG_REGION":"cn-hangzhou", "KEYS":"systemProperties.KEYS", "CONSUME_START_TIME":1628577790396, "TAGS":"systemProperties.TAGS", "INSTANCE_ID":"MQ_INST_164901546557****_BXhFHryi" }, "userProperties":{ }, "body":"TEST" } } ]"#;

/// Function Compute 3.0, "Trigger event formats" (触发器event格式), self-managed Apache RocketMQ
/// trigger (自建Apache RocketMQ触发器): the messages bare, without an EventBridge envelope.
pub(crate) const APACHE_ROCKETMQ: &str = r#"[ { "msgId": "7F0000010BDD2A84AEE70DA49B57****", "topic": "testTopic", "systemProperties": { "UNIQ_KEY": "7F0000010BDD2A84AEE70DA49B57****", "CLUSTER": "DefaultCluster", "MIN_OFFSET": "0", "TAGS": "TagA", "MAX_OFFSET": "128" }, "userProperties": {}, "body": "Hello RocketMQ" } ]"#;

/// Function Compute 3.0, "Trigger event formats", RabbitMQ trigger (one of the documented two).
pub(crate) const RABBITMQ: &str = r#"[ { "id":"bj694332-4cj1-389e-9d8c-b137h30b****", "source":"RabbitMQ-Function-rabbitmq-trigger", "specversion":"1.0", "type":"amqp:Queue:SendMessage", "datacontenttype":"application/json;charset=utf-8", "subject":"acs:amqp:cn-hangzhou:164901546557****:/instances/amqp-cn-tl32e756****/vhosts/eb-connect/queues/housekeeping", "time":"2021-08-12T06:56:40.709Z", "aliyunaccountid":"164901546557****", "aliyunpublishtime":"2021-10-15T08:58:55.140Z", "aliyunoriginalaccountid":"164901546557****", "aliyuneventbusname":"RabbitMQ-Function-rabbitmq-trigger", "aliyunregionid":"cn-chengdu", "aliyunpublishaddr":"42.120.XX.XX", "data":{ "envelope":{ "deliveryTag":98, "exchange":"", "redeliver":false, "routingKey":"housekeeping" }, "body":{ "Hello":"RabbitMQ" }, "props":{ "contentEncoding":"UTF-8", "messageId":"f7622d51-e198-41de-a072-77c1ead7****" } } } ]"#;

/// Function Compute 3.0, "Trigger event formats", SLS trigger.
pub(crate) const SLS: &str = r#"{ "parameter": {}, "source": { "endpoint": "http://cn-hangzhou-intranet.log.aliyuncs.com", "projectName": "fc-test-project", "logstoreName": "fc-test-logstore", "shardId": 0, "beginCursor": "MTUyOTQ4MDIwOTY1NTk3ODQ2Mw==", "endCursor": "MTUyOTQ4MDIwOTY1NTk3ODQ2NA==" }, "jobName": "1f7043ced683de1a4e3d8d70b5a412843d81****", "taskId": "c2691505-38da-4d1b-998a-f1d4bb8c****", "cursorTime": 1529486425 }"#;

/// Function Compute 3.0, "Trigger event formats", CDN trigger: `LogFileCreated`.
pub(crate) const CDN_LOG_FILE: &str = r#"{ "events": [ { "eventName": "LogFileCreated", "eventSource": "cdn", "region": "cn-hangzhou", "eventVersion": "1.0.0", "eventTime": "2018-06-14T15:31:49+08:00", "traceId": "c6459282-6a4d-4413-894c-e4ea3968****", "userIdentity": { "aliUid": "164901546557****" }, "resource": { "domain": "example.com" }, "eventParameter": { "domain": "example.com", "endTime": 1528959900, "fileSize": 1788115, "filePath": "http://cdnlog.cn-hangzhou.oss.aliyun-inc.com/www.aliyun.com/2017_12_27/www.aliyun.com_2017_12_27_0800_0900.gz?OSSAccessKeyId=xxxx&Expires=xxxx&Signature=xxxx", "startTime": 1528959600 } } ] }"#;

pub(crate) fn text(s: &str) -> Cbor {
    Cbor::Text(s.into())
}

pub(crate) fn map(entries: Vec<(&str, Cbor)>) -> Cbor {
    Cbor::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
}

pub(crate) fn cbor(value: &Cbor) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::ser::into_writer(value, &mut bytes).expect("CBOR encodes");
    bytes
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
pub(crate) fn tablestore_cbor() -> Vec<u8> {
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
    cbor(&event)
}

/// A Tablestore batch of at least `size` bytes: the documented record, over and over.
pub(crate) fn tablestore_batch(size: usize) -> Vec<u8> {
    // The sample's three records, repeated past `size`.
    tablestore_records(3 * (size / tablestore_cbor().len() + 1))
}

/// A Tablestore event of `n` records, the sample's three in turn.
pub(crate) fn tablestore_records(n: usize) -> Vec<u8> {
    let one = tablestore_cbor();
    let event: Cbor = ciborium::de::from_reader(one.as_slice()).expect("the sample decodes");
    let records = event
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_text() == Some("Records")))
        .and_then(|(_, v)| v.as_array())
        .expect("the sample has records")
        .clone();
    let batch = map(vec![
        ("Version", text("Sync-v1")),
        (
            "Records",
            Cbor::Array(records.iter().cycle().take(n).cloned().collect()),
        ),
    ]);
    cbor(&batch)
}
