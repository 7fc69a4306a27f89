//! What FC's API Gateway trigger and HTTP trigger (in event form) make of an HTTP request, and
//! of the function's answer.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use bytes::Bytes;
use fc_core::http::is_text_content_type;
use http::{HeaderMap, HeaderValue, Method, Response, Uri, header};
use serde_json::{Value, json};

/// The ways FC delivers an HTTP request as an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FcHttpTrigger {
    /// Alibaba Cloud API Gateway trigger.
    ApiGateway,
    /// FC 3.0 HTTP trigger, event form (`version: "v1"`).
    HttpEvent,
}

fn body_field(headers: &HeaderMap, body: &[u8]) -> (String, bool) {
    let textual = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_text_content_type);
    match std::str::from_utf8(body) {
        Ok(text) if textual || body.is_empty() => (text.to_owned(), false),
        _ => (base64::engine::general_purpose::STANDARD.encode(body), true),
    }
}

/// Header names and values, repeated values comma-joined (both events have one per name).
fn joined_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        out.entry(name.as_str().to_owned())
            .and_modify(|all| {
                all.push(',');
                all.push_str(&value);
            })
            .or_insert(value);
    }
    out
}

fn joined_query(uri: &Uri) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        out.entry(name.into_owned())
            .and_modify(|all| {
                all.push(',');
                all.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    out
}

/// The event `trigger` makes of a request, as FC documents it, with a fresh request id.
pub fn http_event(
    trigger: FcHttpTrigger,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    source_ip: &str,
) -> Value {
    let (body, is_base64) = body_field(headers, body);
    let header_map = joined_headers(headers);
    let query = joined_query(uri);
    match trigger {
        // Source: Function Compute, "Configure an API Gateway trigger" (event format).
        FcHttpTrigger::ApiGateway => json!({
            "path": uri.path(),
            "httpMethod": method.as_str(),
            "headers": header_map,
            "queryParameters": query,
            "pathParameters": {},
            "body": body,
            "isBase64Encoded": is_base64
        }),
        // Source: Function Compute 3.0, "HTTP trigger: event format of the request".
        FcHttpTrigger::HttpEvent => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let user_agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            json!({
                "version": "v1",
                "rawPath": uri.path(),
                "headers": header_map,
                "queryParameters": query,
                "body": body,
                "isBase64Encoded": is_base64,
                "requestContext": {
                    "accountId": "1234567890123456",
                    "domainName": "local.cn-hangzhou.fcapp.run",
                    "domainPrefix": "local",
                    "http": {
                        "method": method.as_str(),
                        "path": uri.path(),
                        "protocol": "HTTP/1.1",
                        "sourceIp": source_ip,
                        "userAgent": user_agent
                    },
                    "requestId": fc_local::request_id(),
                    "time": crate::rfc3339(now.as_secs()),
                    "timeEpoch": now.as_millis().to_string()
                }
            })
        }
    }
}

/// The HTTP response FC makes of the function's answer to an HTTP event:
/// `{isBase64Encoded, statusCode, headers, body}`. For an HTTP-trigger event anything else is a
/// 200 with the answer as its body; API Gateway refuses it (its doc: "returns 503 Service
/// Unavailable" when the result does not have the format).
pub fn http_response(
    trigger: FcHttpTrigger,
    payload: &[u8],
) -> Result<Response<Bytes>, crate::emulator::InvalidAnswer> {
    let value: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    if value.get("statusCode").is_none() {
        if trigger == FcHttpTrigger::ApiGateway {
            return Err("the function's response has no `statusCode`".into());
        }
        return Ok(Response::new(Bytes::copy_from_slice(payload)));
    }
    let status = crate::answer::status(&value)?;
    let body = crate::answer::body(&value, false)?;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    for (name, value) in value["headers"].as_object().into_iter().flatten() {
        let (Ok(name), Some(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            value.as_str(),
        ) else {
            continue;
        };
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn events_and_answers() {
        let mut headers = HeaderMap::new();
        headers.append("x-tag", HeaderValue::from_static("a"));
        headers.append("x-tag", HeaderValue::from_static("b"));
        let uri: Uri = "/items?q=a%20b&q=c".parse().unwrap();
        let apigw = http_event(
            FcHttpTrigger::ApiGateway,
            &Method::PUT,
            &uri,
            &headers,
            b"\x00\x01",
            "1.2.3.4",
        );
        assert_eq!(apigw["path"], "/items");
        assert_eq!(apigw["headers"]["x-tag"], "a,b");
        assert_eq!(apigw["queryParameters"]["q"], "a b,c");
        assert_eq!(
            (apigw["body"].as_str(), apigw["isBase64Encoded"].as_bool()),
            (Some("AAE="), Some(true))
        );
        let event = http_event(
            FcHttpTrigger::HttpEvent,
            &Method::GET,
            &uri,
            &headers,
            b"",
            "1.2.3.4",
        );
        assert_eq!(
            (event["version"].as_str(), event["rawPath"].as_str()),
            (Some("v1"), Some("/items"))
        );
        assert_eq!(event["requestContext"]["http"]["sourceIp"], "1.2.3.4");

        let answer = http_response(
            FcHttpTrigger::ApiGateway,
            br#"{"isBase64Encoded":false,"statusCode":"201","headers":{"a":"b"},"body":"ok"}"#,
        )
        .unwrap();
        assert_eq!(
            (answer.status(), answer.body().as_ref()),
            (StatusCode::CREATED, b"ok".as_ref())
        );
        let plain = http_response(FcHttpTrigger::HttpEvent, b"\"just text\"").unwrap();
        assert!(http_response(FcHttpTrigger::ApiGateway, b"\"just text\"").is_err());
        assert_eq!(
            (plain.status(), plain.body().as_ref()),
            (StatusCode::OK, b"\"just text\"".as_ref())
        );
    }
}
