//! The unchanged hello binaries as Lambda runs them: under the Runtime API emulator, behind
//! each HTTP trigger, and on an S3 notification.

use fc::http::Trigger;
use fc_local_cli::lambda::{LambdaEmulator, LambdaFunction, Output, http_event, http_response};
use http::{HeaderMap, HeaderValue, Method};

async fn emulator(binary: &str) -> LambdaEmulator {
    LambdaEmulator::start(LambdaFunction::new(binary).output(Output::Discard))
        .await
        .expect("the emulator starts")
}

#[tokio::test]
async fn every_http_trigger_gives_the_same_answer() {
    let lambda = emulator(env!("CARGO_BIN_EXE_hello")).await;
    let uri = "/hello?name=J%C3%BCrgen".parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("accept", HeaderValue::from_static("text/plain"));
    let mut answers = Vec::new();
    for trigger in [
        Trigger::ApiGatewayRest,
        Trigger::ApiGatewayHttp,
        Trigger::Alb,
        Trigger::FunctionUrl,
    ] {
        let event = http_event(trigger, &Method::GET, &uri, &headers, b"", "203.0.113.9")
            .expect("a trigger of the platform");
        let invocation = lambda.invoke(event.to_string()).await.unwrap();
        let payload = invocation
            .result
            .unwrap_or_else(|e| panic!("{trigger:?}: {e}"));
        let response =
            http_response(trigger, &payload).unwrap_or_else(|e| panic!("{trigger:?}: {e}"));
        answers.push(response);
    }
    fc_tests::assert_one_greeting(&answers);
}

#[tokio::test]
async fn other_paths_get_404_through_the_gateway() {
    let lambda = emulator(env!("CARGO_BIN_EXE_hello")).await;
    let event = http_event(
        Trigger::ApiGatewayRest,
        &Method::GET,
        &"/nope".parse().unwrap(),
        &HeaderMap::new(),
        b"",
        "203.0.113.9",
    )
    .expect("a trigger of the platform");
    let payload = lambda
        .invoke(event.to_string())
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(
        http_response(Trigger::ApiGatewayRest, &payload)
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn an_s3_notification_reaches_the_object_handler_with_the_decoded_key() {
    let lambda = emulator(env!("CARGO_BIN_EXE_object")).await;
    let event = serde_json::json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1",
        "eventTime": "2026-11-23T12:00:00.000Z", "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "EXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "uploads",
               "bucket": {"name": "photos", "ownerIdentity": {"principalId": "EXAMPLE"}, "arn": "arn:aws:s3:::photos"},
               "object": {"key": "summer/my+photo%281%29.jpg", "size": 2048, "eTag": "d41d8cd98f00b204e9800998ecf8427e", "sequencer": "0A1B2C3D4E5F678901"}}
    }]});
    let invocation = lambda.invoke(event.to_string()).await.unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&invocation.result.unwrap()).unwrap();
    assert_eq!(
        summary["created"],
        serde_json::json!(["photos/summer/my photo(1).jpg"])
    );
    assert_eq!(summary["bytes_added"], 2048);
    assert_eq!(summary["request_id"], invocation.request_id);
}

#[tokio::test]
async fn a_malformed_event_is_reported_and_the_next_is_served() {
    let lambda = emulator(env!("CARGO_BIN_EXE_object")).await;
    let invocation = lambda
        .invoke(r#"{"Records":[{"s3":{"bucket":7}}]}"#)
        .await
        .unwrap();
    let error = invocation.result.unwrap_err();
    assert_eq!(error.error_type, "InvalidEvent");
    assert!(
        error
            .error_message
            .starts_with("invalid S3 event at `Records[0]"),
        "{error}"
    );
    let hello = emulator(env!("CARGO_BIN_EXE_hello")).await;
    let error = hello.invoke("[1, 2, 3]").await.unwrap().result.unwrap_err();
    assert_eq!(error.error_type, "InvalidEvent");
    assert!(
        error
            .error_message
            .starts_with("expected an HTTP request from API Gateway"),
        "{error}"
    );
    let event = http_event(
        Trigger::ApiGatewayHttp,
        &Method::GET,
        &"/hello".parse().unwrap(),
        &HeaderMap::new(),
        b"",
        "203.0.113.9",
    )
    .expect("a trigger of the platform");
    let next = hello.invoke(event.to_string()).await.unwrap();
    assert!(!next.cold_start, "the same instance serves the next event");
    assert!(next.result.is_ok());
}
