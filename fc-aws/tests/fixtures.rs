//! Every HTTP, S3, DynamoDB, SQS, SNS, Kinesis, Kafka and EventBridge-schedule sample shipped in
//! `aws_lambda_events` (and
//! the Function URL sample in `lambda_http`), decoded into fc's types. The samples are read from
//! the crates in the cargo registry, found through `cargo metadata`, not copied.

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report
#![allow(clippy::approx_constant)] // 3.14159 is a number in the DynamoDB sample

use std::path::PathBuf;

mod support;

use fc_aws::FromLambda;
use fc_core::http::{Request, RequestExt, Trigger};
use fc_core::{
    MessageEvent, ObjectChange, ObjectEvent, RowChange, ScheduleEvent, SourceKind, TableEvent,
    Value,
};

fn fixtures() -> PathBuf {
    support::crate_dir("aws_lambda_events").join("src/fixtures")
}

fn read(name: &str) -> String {
    let path = fixtures().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// method, path, (header, value), body, trigger, query
type HttpCase = (
    &'static str,
    &'static str,
    &'static str,
    (&'static str, &'static str),
    &'static str,
    Trigger,
    &'static str,
);

#[test]
fn every_http_sample_becomes_the_same_kind_of_request() {
    let cases: &[HttpCase] = &[
        (
            "example-apigw-request.json",
            "POST",
            "/hello/world",
            ("accept", "*/*"),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayRest,
            "name=me",
        ),
        (
            "example-apigw-request-catch-all.json",
            "POST",
            "/hello/world",
            ("accept", "*/*"),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayRest,
            "name=me",
        ),
        (
            "example-apigw-request-multi-value-parameters.json",
            "POST",
            "/hello/world",
            ("accept", "*/*"),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayRest,
            "name=me&name=me2",
        ),
        (
            "example-apigw-restapi-openapi-request.json",
            "POST",
            "/hello/world",
            ("accept", "*/*"),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayRest,
            "name=me",
        ),
        (
            "example-apigw-console-request.json",
            "POST",
            "/path/to/resource",
            (
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8",
            ),
            "{\"test\":\"body\"}",
            Trigger::ApiGatewayRest,
            "foo=bar",
        ),
        (
            "example-apigw-console-test-request.json",
            "POST",
            "/myPath",
            ("", ""),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayRest,
            "",
        ),
        (
            "example-apigw-sam-rest-request.json",
            "GET",
            "/test",
            ("host", "127.0.0.1:3000"),
            "",
            Trigger::ApiGatewayRest,
            "",
        ),
        (
            "example-apigw-v2-request-iam.json",
            "GET",
            "/my/path",
            ("header1", "value1"),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayHttp,
            "parameter1=value1&parameter1=value2&parameter2=value",
        ),
        (
            "example-apigw-v2-request-multi-value-parameters.json",
            "GET",
            "/my/path",
            ("header2", "value1,value2"),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayHttp,
            "Parameter1=value1&Parameter1=value2",
        ),
        (
            "example-apigw-v2-request-no-authorizer.json",
            "GET",
            "/",
            ("x-forwarded-for", "1.2.3.4"),
            "",
            Trigger::ApiGatewayHttp,
            "",
        ),
        (
            "example-apigw-v2-request-jwt-authorizer.json",
            "GET",
            "/my/path",
            ("header1", "value1"),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayHttp,
            "parameter1=value1&parameter1=value2&parameter2=value",
        ),
        (
            "example-apigw-v2-request-lambda-authorizer.json",
            "GET",
            "/my/path",
            ("header1", "value1"),
            "{\r\n\t\"a\": 1\r\n}",
            Trigger::ApiGatewayHttp,
            "parameter1=value1&parameter1=value2&parameter2=value",
        ),
        (
            "example-apigw-sam-http-request.json",
            "GET",
            "/dump",
            ("host", "127.0.0.1:3000"),
            "",
            Trigger::ApiGatewayHttp,
            "foo=bar",
        ),
        (
            "example-alb-lambda-target-request-headers-only.json",
            "GET",
            "/",
            ("accept", "*/*"),
            "",
            Trigger::Alb,
            "key=hello",
        ),
        (
            "example-alb-lambda-target-request-multivalue-headers.json",
            "GET",
            "/",
            ("accept", "*/*"),
            "Some text",
            Trigger::Alb,
            "key=hello",
        ),
    ];
    for &(file, method, path, (name, value), body, trigger, query) in cases {
        let (req, _) = Request::from_lambda(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(req.method(), method, "{file}");
        assert_eq!(req.uri().path(), path, "{file}");
        assert_eq!(req.uri().query().unwrap_or_default(), query, "{file}");
        if name.is_empty() {
            assert!(
                req.headers().is_empty(),
                "{file}: the sample has no headers"
            );
        } else {
            let header = req.headers().get(name).map(|v| v.to_str().unwrap());
            assert_eq!(header, Some(value), "{file}: header {name}");
        }
        assert_eq!(req.body().as_str(), Some(body), "{file}");
        assert_eq!(req.info().trigger, trigger, "{file}");
    }
}

#[test]
fn rest_api_samples_carry_stage_path_parameters_and_source_ip() {
    let (req, _) = Request::from_lambda(&read("example-apigw-request.json")).unwrap();
    let info = req.info();
    assert_eq!(info.stage.as_deref(), Some("testStage"));
    assert_eq!(req.path_param("proxy"), Some("hello/world"));
    assert_eq!(
        info.source_ip.map(|ip| ip.to_string()).as_deref(),
        Some("192.168.196.186")
    );
    assert_eq!(info.raw_path.as_deref(), Some("/hello/world"));
    assert_eq!(req.query_param("name").as_deref(), Some("me"));
}

#[test]
fn http_api_samples_carry_cookies_and_source_ip() {
    let (req, _) = Request::from_lambda(&read("example-apigw-v2-request-iam.json")).unwrap();
    assert_eq!(req.headers()["cookie"], "cookie1; cookie2");
    // This sample's `sourceIp` is the placeholder "IP", which is no address.
    assert_eq!(req.info().source_ip, None);
    assert_eq!(req.path_param("proxy"), Some("hello/world"));
    let (req, _) =
        Request::from_lambda(&read("example-apigw-v2-request-no-authorizer.json")).unwrap();
    assert_eq!(
        req.info().source_ip.map(|ip| ip.to_string()).as_deref(),
        Some("1.2.3.4")
    );
}

#[test]
fn the_function_url_sample_is_a_function_url_request() {
    let dir = support::crate_dir("lambda_http").join("tests/data");
    let raw = std::fs::read_to_string(dir.join("lambda_function_url_request.json")).unwrap();
    let (req, _) = Request::from_lambda(&raw).unwrap();
    assert_eq!(req.info().trigger, Trigger::FunctionUrl);
    assert_eq!(
        (req.method().as_str(), req.uri().path()),
        ("GET", "/my/path")
    );
    assert_eq!(req.headers()["cookie"], "test=hi");
    assert_eq!(req.headers()["host"], "id.lambda-url.eu-west-2.on.aws");
    let values: Vec<_> = req
        .query_params()
        .into_iter()
        .filter(|(k, _)| k == "parameter1")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(values, ["value1", "value2"]);
}

#[test]
fn http_api_stages_are_removed_from_the_path() {
    let dir = support::crate_dir("lambda_http").join("tests/data");
    let raw = std::fs::read_to_string(dir.join("apigw_v2_proxy_request_with_stage_in_path.json"))
        .unwrap();
    let (req, _) = Request::from_lambda(&raw).unwrap();
    let info = req.info();
    let stage = info.stage.clone().unwrap();
    let raw_path = info.raw_path.clone().unwrap();
    assert!(raw_path.starts_with(&format!("/{stage}/")), "{raw_path}");
    assert_eq!(req.uri().path(), &raw_path[stage.len() + 1..]);
}

#[test]
fn s3_samples_become_object_events_with_decoded_keys() {
    for file in [
        "example-s3-event.json",
        "example-s3-event-with-decoded.json",
    ] {
        let (event, ()) =
            ObjectEvent::from_lambda(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let record = &event.records[0];
        assert_eq!(record.kind, ObjectChange::Created, "{file}");
        assert_eq!(record.event_name, "ObjectCreated:Put");
        assert_eq!(record.bucket, "sourcebucket");
        assert_eq!(record.key, "Happy Face.jpg");
        assert_eq!(record.size, Some(1024));
        assert_eq!(
            record.etag.as_deref(),
            Some("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert_eq!(record.region.as_deref(), Some("us-east-1"));
        assert!(record.time.is_some());
    }
}

#[test]
fn dynamodb_samples_become_table_events_with_every_attribute_type() {
    let (event, ()) = TableEvent::from_lambda(&read("example-dynamodb-event.json")).unwrap();
    assert_eq!(event.records.len(), 2);
    let record = &event.records[1];
    assert_eq!(record.kind, RowChange::Insert);
    assert_eq!(record.table, "Example-Table");
    assert_eq!(record.id, "1405400000000002063282832");
    assert_eq!(record.keys["key"], Value::String("binary".into()));
    assert_eq!(record.time.map(|t| t.unix_seconds()), Some(1_480_642_020));
    assert!(record.old.is_none());
    let new = record.new.as_ref().unwrap();
    assert_eq!(new["String"], Value::String("Hello".into()));
    assert_eq!(new["IntegerNumber"], Value::Int(123));
    assert_eq!(new["FloatNumber"], Value::Float(123.45));
    assert_eq!(new["Boolean"], Value::Bool(true));
    assert_eq!(new["Null"], Value::Null);
    assert_eq!(new["Binary"], Value::Bytes(vec![0, 1, 42, 65]));
    assert_eq!(
        new["List"],
        Value::List(vec![
            "Cookies".into(),
            "Coffee".into(),
            Value::Float(3.14159)
        ])
    );
    let map = Value::Map(
        [
            ("Name".to_owned(), "Joe".into()),
            ("Age".to_owned(), Value::Int(35)),
        ]
        .into(),
    );
    assert_eq!(new["Map"], map);
    assert_eq!(
        new["StringSet"],
        Value::Set(vec!["Giraffe".into(), "Zebra".into()])
    );
    assert_eq!(
        new["NumberSet"],
        Value::Set(vec![Value::Int(1234), Value::Float(567.8)])
    );
    assert_eq!(
        new["BinarySet"],
        Value::Set(vec![Value::Bytes(vec![0, 1, 42, 65]); 2])
    );

    let (event, ()) =
        TableEvent::from_lambda(&read("example-dynamodb-event-null-items.json")).unwrap();
    assert!(event.records[0].keys.is_empty());
    assert!(event.records[0].new.is_none());
}

#[test]
fn the_eventbridge_schedule_sample_becomes_a_schedule_event() {
    let (event, ()) =
        ScheduleEvent::from_lambda(&read("example-eventbridge-schedule.json")).unwrap();
    assert_eq!(event.name, "my-scheduled-rule");
    assert_eq!(
        event.time.map(|t| t.to_string()).as_deref(),
        Some("2015-10-08T16:53:06Z")
    );
    assert_eq!(event.payload, None);
}

/// Every HTTP request sample of both crates (authorizer, WebSocket and response samples are not
/// requests to a handler).
fn proxy_samples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    for (dir, prefixes) in [
        (fixtures(), &["example-apigw-", "example-alb-"][..]),
        (
            support::crate_dir("lambda_http").join("tests/data"),
            &["apigw_", "alb_", "lambda_function_url"][..],
        ),
    ] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let excluded = ["auth", "websocket", "response"]
                .iter()
                .any(|x| name.contains(x));
            if prefixes.iter().any(|p| name.starts_with(p)) && name.ends_with(".json") && !excluded
            {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 25, "found only {} samples", files.len());
    files
}

#[test]
fn every_proxy_request_sample_of_both_crates_decodes() {
    for path in proxy_samples() {
        let raw = std::fs::read_to_string(&path).unwrap();
        let (req, _) =
            Request::from_lambda(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(req.uri().path().starts_with('/'), "{}", path.display());
    }
}

fn sorted_query(query: Option<&str>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    pairs.sort();
    pairs
}

/// fc reads its own lean shapes of some events; on every sample it must find what lambda_http
/// finds. Paths differ on purpose (lambda_http keeps the REST stage), and so may headers sent
/// both single- and multi-valued: lambda_http lets the single value replace the list, fc keeps
/// the list. lambda_http also turns `"cookies": []` into an empty `Cookie` header; fc sends none.
#[test]
fn every_proxy_request_sample_reads_as_lambda_http_reads_it() {
    for path in proxy_samples() {
        let file = path.display();
        let raw = std::fs::read_to_string(&path).unwrap();
        let (ours, _) = Request::from_lambda(&raw).unwrap();
        // lambda_http panics on this sample ("failed to build request: InvalidUriChar").
        if file
            .to_string()
            .ends_with("example-apigw-console-request.json")
        {
            continue;
        }
        let theirs = lambda_http::request::from_str(&raw).unwrap();
        assert_eq!(ours.method(), theirs.method(), "{file}");
        assert_eq!(
            sorted_query(ours.uri().query()),
            sorted_query(theirs.uri().query()),
            "{file}"
        );
        assert_eq!(ours.body().as_bytes(), theirs.body().as_ref(), "{file}");
        let names = |map: &fc_core::http::HeaderMap| {
            let mut names: Vec<String> = map
                .keys()
                .filter(|k| map.get_all(*k).iter().any(|v| !v.is_empty()))
                .map(|k| k.to_string())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(ours.headers()), names(theirs.headers()), "{file}");
        for (name, value) in theirs.headers().iter().filter(|(_, v)| !v.is_empty()) {
            assert!(
                ours.headers().get_all(name).iter().any(|v| v == value),
                "{file}: {name}: {value:?} missing from {:?}",
                ours.headers().get_all(name)
            );
        }
    }
}

fn messages(name: &str) -> MessageEvent {
    MessageEvent::from_lambda(&read(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .0
}

#[test]
fn sqs_samples_become_queue_messages() {
    let event = messages("example-sqs-event.json");
    let [message] = event.messages.as_slice() else {
        panic!("one message: {event:?}")
    };
    assert_eq!(message.id, "MessageID_1");
    assert_eq!(message.text().unwrap(), "Message Body");
    assert_eq!(message.source.kind, SourceKind::Queue);
    assert_eq!(message.source.name, "SQSQueue");
    assert_eq!(
        message.source.arn.as_deref(),
        Some("arn:aws:sqs:us-west-2:123456789012:SQSQueue")
    );
    assert_eq!(message.attributes["Attribute1"], "AttributeValue1");
    assert_eq!(message.attributes["Attribute2"], "123");
    assert_eq!(message.attributes["Attribute3"], "MTEwMA==");
    assert_eq!(
        message.time.map(|t| t.to_string()).as_deref(),
        Some("2018-03-09T18:53:45.029Z")
    );
    assert_eq!(message.group_id, None);

    #[derive(serde::Deserialize)]
    struct Body {
        a: String,
        b: u32,
    }
    let event = messages("example-sqs-event-obj.json");
    let body: Body = event.messages[0].json().unwrap();
    assert_eq!((body.a.as_str(), body.b), ("Test", 123));
}

#[test]
fn sns_samples_become_topic_messages() {
    let event = messages("example-sns-event.json");
    let message = &event.messages[0];
    assert_eq!(message.id, "82833b5c-8d5d-56d0-b0e1-7511f8253eb8");
    assert_eq!(message.text().unwrap(), "Hello\r\nworld!");
    assert_eq!(message.source.kind, SourceKind::Topic);
    assert_eq!(message.source.name, "snsNetTest");
    assert_eq!(message.attributes["Subject"], "Greetings");
    assert_eq!(
        message.time.map(|t| t.to_string()).as_deref(),
        Some("2015-08-18T18:02:32.111Z")
    );
    for name in [
        "example-sns-event-obj.json",
        "example-sns-event-pascal-case.json",
        "example-cloudwatch-alarm-sns-payload-single-metric.json",
        "example-cloudwatch-alarm-sns-payload-multiple-metrics.json",
    ] {
        let event = messages(name);
        assert!(!event.messages.is_empty(), "{name}");
        for message in &event.messages {
            assert_eq!(message.source.kind, SourceKind::Topic, "{name}");
            assert!(
                !message.id.is_empty() && !message.bytes().is_empty(),
                "{name}"
            );
        }
    }
}

#[test]
fn kinesis_samples_become_stream_messages_with_their_data_decoded() {
    for name in [
        "example-kinesis-event.json",
        "example-kinesis-event-encrypted.json",
    ] {
        let event = messages(name);
        assert_eq!(event.messages.len(), 2, "{name}");
        let message = &event.messages[0];
        assert_eq!(
            message.id,
            "49568167373333333333333333333333333333333333333333333333"
        );
        assert_eq!(message.sequence.as_deref(), Some(message.id.as_str()));
        assert_eq!(message.text().unwrap(), "Hello World");
        assert_eq!(message.partition_key.as_deref(), Some("s1"));
        assert_eq!(message.source.kind, SourceKind::Stream);
        assert_eq!(message.source.name, "simple-stream");
        assert_eq!(
            message.time.map(|t| t.to_string()).as_deref(),
            Some("2016-12-02T01:18:43.477Z")
        );
    }
}

#[test]
fn batch_failures_name_sqs_messages_and_kinesis_records_as_lambda_expects() {
    let event = messages("example-kinesis-event.json");
    let mut failures = fc_core::BatchFailures::new();
    failures.push(&event.messages[1]);
    assert_eq!(
        serde_json::to_string(&failures).unwrap(),
        r#"{"batchItemFailures":[{"itemIdentifier":"49568167373333333334444444444444444444444444444444444444"}]}"#
    );
}

#[test]
fn the_kafka_sample_becomes_stream_messages_with_key_value_and_headers_decoded() {
    let event = messages("example-kafka-event.json");
    let [message] = event.messages.as_slice() else {
        panic!("one record: {event:?}")
    };
    assert_eq!(message.id, "AWSKafkaTopic-0:0");
    assert_eq!(
        message.text().unwrap(),
        "8d5596b4-1813-4238-b24b-6dad8e3d1c0c"
    );
    assert_eq!(
        message.partition_key.as_deref(),
        Some("8d5596b4-1813-4238-b24b-6dad8e3d1c0c")
    );
    assert_eq!(message.source.kind, SourceKind::Stream);
    assert_eq!(message.source.name, "AWSKafkaTopic");
    assert!(
        message
            .source
            .arn
            .as_deref()
            .is_some_and(|arn| arn.starts_with("arn:aws:kafka:us-west-2:012345678901:cluster/"))
    );
    assert_eq!(message.attributes["headerKey"], "headerValue");
    assert_eq!(
        message.time.map(|t| t.to_string()).as_deref(),
        Some("2020-07-18T01:29:09.700Z")
    );
    // Lambda names a failed Kafka record by its topic-partition and offset.
    let mut failures = fc_core::BatchFailures::new();
    failures.push(message);
    assert_eq!(
        serde_json::to_string(&failures).unwrap(),
        r#"{"batchItemFailures":[{"itemIdentifier":{"partition":"AWSKafkaTopic-0","offset":0}}]}"#
    );
}

#[test]
fn the_eventbridge_sample_becomes_a_cloud_event_with_typed_detail() {
    #[derive(serde::Deserialize)]
    struct StateChange {
        #[serde(rename = "instance-id")]
        instance: String,
        state: String,
    }
    let (event, ()) = fc_core::CloudEvent::<StateChange>::from_lambda(&read(
        "example-eventbridge-event-obj.json",
    ))
    .unwrap();
    assert_eq!(event.id, "7bf73129-1428-4cd3-a780-95db273d1602");
    assert_eq!(event.kind, "EC2 Instance State-change Notification");
    assert_eq!(event.source, "aws.ec2");
    assert_eq!(
        (event.data.instance.as_str(), event.data.state.as_str()),
        ("i-abcd1111", "pending")
    );
    assert_eq!(
        event.resources,
        ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]
    );
    assert_eq!(
        (event.account.as_deref(), event.region.as_deref()),
        (Some("123456789012"), Some("us-east-1"))
    );
    assert_eq!(
        event.time.map(|t| t.to_string()).as_deref(),
        Some("2021-11-11T21:29:54Z")
    );
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Other {
        order: u64,
    }
    let err =
        fc_core::CloudEvent::<Other>::from_lambda(&read("example-eventbridge-event-obj.json"))
            .unwrap_err();
    assert!(
        err.message()
            .starts_with("invalid EventBridge event at `detail`: missing field `order`"),
        "{}",
        err.message()
    );
}
