//! The unchanged hello binaries as Function Compute runs them: a custom runtime under the FC
//! invoker emulator, reached by every HTTP path FC has, and by an OSS notification.

use bytes::Bytes;
use fc::http::Trigger;
use fc_local_cli::aliyun::{FcEmulator, FcFunction, Output, http_event, http_response};
use http::{HeaderMap, Method, Request};

async fn emulator(binary: &str) -> FcEmulator {
    FcEmulator::start(FcFunction::new(binary).output(Output::Discard))
        .await
        .expect("the function starts")
}

#[tokio::test]
async fn every_way_an_http_request_arrives_gives_the_same_answer() {
    let fc = emulator(env!("CARGO_BIN_EXE_hello")).await;
    let target = "/hello?name=J%C3%BCrgen";
    let get = || {
        Request::builder()
            .method("GET")
            .uri(target)
            .header("accept", "text/plain")
            .body(Bytes::new())
            .unwrap()
    };
    let mut answers = Vec::new();
    for base in [None, Some("/2016-08-15/proxy/shop/hello")] {
        let (_, response) = fc.http(get(), base).await.unwrap();
        answers.push(response);
    }
    for trigger in [Trigger::FcApiGateway, Trigger::FcHttpEvent] {
        let mut headers = HeaderMap::new();
        headers.insert("accept", "text/plain".parse().unwrap());
        let event = http_event(
            trigger,
            &Method::GET,
            &target.parse().unwrap(),
            &headers,
            b"",
            "203.0.113.9",
        )
        .expect("a trigger of the platform");
        let payload = fc.invoke(event.to_string()).await.unwrap().result.unwrap();
        let response = http_response(trigger, &payload).unwrap();
        answers.push(response);
    }
    fc_tests::assert_one_greeting(&answers);
}

#[tokio::test]
async fn an_oss_notification_reaches_the_object_handler() {
    let fc = emulator(env!("CARGO_BIN_EXE_object")).await;
    // The documented OSS trigger event; OSS sends keys as they are.
    let event = serde_json::json!({"events": [{
        "eventName": "ObjectCreated:PutObject", "eventSource": "acs:oss",
        "eventTime": "2026-11-23T12:00:00.000Z", "eventVersion": "1.0",
        "oss": {
            "bucket": {"arn": "acs:oss:cn-hangzhou:1234567890123456:photos", "name": "photos", "ownerIdentity": "1234567890123456"},
            "object": {"deltaSize": 2048, "eTag": "688A7BF4F233DC9C88A80BF985AB7329", "key": "summer/my photo.jpg", "size": 2048},
            "ossSchemaVersion": "1.0", "ruleId": "9adac8e253828f4f7c0466d941fa3db81161e853"
        },
        "region": "cn-hangzhou",
        "requestParameters": {"sourceIPAddress": "140.205.128.221"},
        "responseElements": {"requestId": "58F9FF2D3DF792092E12044C"},
        "userIdentity": {"principalId": "1234567890123456"}
    }]});
    let invocation = fc.invoke(event.to_string()).await.unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&invocation.result.unwrap()).unwrap();
    assert_eq!(
        summary["created"],
        serde_json::json!(["photos/summer/my photo.jpg"])
    );
    assert_eq!(summary["bytes_added"], 2048);
    assert_eq!(summary["request_id"], invocation.request_id);
}
