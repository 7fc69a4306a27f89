//! Inputs the fuzzers found that once broke a decoder, kept so they never do again. Each must
//! be refused or decoded, never panic.

use fc_aws::FromLambda;
use fc_core::http::{Request, RequestExt, Trigger};
use fc_core::{ObjectEvent, ScheduleEvent, TableEvent};

#[test]
fn every_kept_input_is_handled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the regressions folder") {
        let path = entry.expect("an entry").path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable")).into_owned();
        let _ = Request::from_lambda(&text);
        let _ = ObjectEvent::from_lambda(&text);
        let _ = TableEvent::from_lambda(&text);
        let _ = ScheduleEvent::from_lambda(&text);
        count += 1;
    }
    assert!(count >= 1);
}

#[test]
fn an_alb_query_name_without_values_is_no_query() {
    let raw = include_str!("regressions/alb-query-name-without-values.json");
    let (request, _) = Request::from_lambda(raw).expect("decodes");
    assert_eq!(request.uri().path(), "/");
    assert_eq!(request.uri().query(), None);
}

/// An ALB event as a target group sends it when the request had no query string: the maps
/// are null, not empty.
#[test]
fn an_alb_event_with_null_maps_decodes() {
    let raw = serde_json::json!({
        "requestContext": { "elb": { "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda/abc" } },
        "httpMethod": "GET",
        "path": "/items",
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "headers": { "host": "lambda-alb-123578498.us-east-1.elb.amazonaws.com", "x-forwarded-for": "72.12.164.125" },
        "multiValueHeaders": null,
        "body": "",
        "isBase64Encoded": false
    })
    .to_string();
    let (request, _) = Request::from_lambda(&raw).expect("decodes");
    assert_eq!(request.uri().path(), "/items");
    assert_eq!(request.uri().query(), None);
    assert_eq!(request.info().trigger, Trigger::Alb);
    assert_eq!(
        request.info().source_ip,
        Some("72.12.164.125".parse().expect("an address"))
    );
}

/// A REST API event whose request context has no `httpMethod` (test invocations and some
/// integrations send none): the top-level method is the request's.
#[test]
fn a_rest_event_without_a_context_method_uses_the_top_level_one() {
    let raw = serde_json::json!({
        "resource": "/items/{id}",
        "path": "/items/7",
        "httpMethod": "DELETE",
        "headers": null,
        "multiValueHeaders": null,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": { "id": "7" },
        "requestContext": { "stage": "prod", "path": "/prod/items/7", "identity": { "sourceIp": "203.0.113.9" } },
        "body": null,
        "isBase64Encoded": false
    })
    .to_string();
    let (request, _) = Request::from_lambda(&raw).expect("decodes");
    assert_eq!(request.method(), "DELETE");
    assert_eq!(request.uri().path(), "/items/7");
    assert_eq!(request.info().trigger, Trigger::ApiGatewayRest);
    assert_eq!(request.path_param("id"), Some("7"));
}
