//! What FC's API Gateway trigger and HTTP trigger (in event form) make of an HTTP request, and
//! of the function's answer.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use bytes::Bytes;
use fc_aliyun::wire::{
    ApiGatewayEvent, HttpDescription, HttpTriggerContext, HttpTriggerEvent, joined_headers,
};
use fc_core::Platform;
use fc_core::http::Trigger;
use fc_core::http::is_text_content_type;
use http::{HeaderMap, Method, Response, Uri, header};
use serde_json::Value;

use crate::{UnsupportedTrigger, pairs};

/// The body as an event carries it: text when the content type says so, base64 otherwise.
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

/// The event `trigger` makes of a request, as FC documents it (the adapter's own
/// [`fc_aliyun::wire`] types), with a fresh request id. FC's passthrough HTTP trigger has no
/// event: asked for one, this gives its event form.
pub fn http_event(
    trigger: Trigger,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    source_ip: &str,
) -> Result<Value, UnsupportedTrigger> {
    let (body, is_base64) = body_field(headers, body);
    let event = match trigger {
        Trigger::FcApiGateway => {
            let mut event = ApiGatewayEvent::default();
            event.path = uri.path().to_owned();
            event.http_method = method.as_str().to_owned();
            event.headers = joined_headers(headers);
            event.query_parameters = pairs::joined(&pairs::query(uri));
            event.body = Some(body);
            event.is_base64_encoded = is_base64;
            serde_json::to_value(event)
        }
        Trigger::FcHttpEvent | Trigger::FcHttp => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let mut http = HttpDescription::default();
            http.method = method.clone();
            http.path = Some(uri.path().into());
            http.protocol = Some("HTTP/1.1".into());
            http.source_ip = Some(source_ip.to_owned());
            http.user_agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(Cow::Borrowed);
            let mut context = HttpTriggerContext::default();
            context.account_id = Some("1234567890123456".into());
            context.domain_name = Some("local.cn-hangzhou.fcapp.run".into());
            context.domain_prefix = Some("local".into());
            context.http = http;
            context.request_id = Some(fc_local::request_id().into());
            context.time = Some(crate::rfc3339(now.as_secs()).into());
            context.time_epoch = Some(now.as_millis().to_string().into());
            let mut event = HttpTriggerEvent::default();
            event.version = "v1".to_owned();
            event.raw_path = uri.path().to_owned();
            event.headers = joined_headers(headers);
            event.query_parameters = pairs::joined(&pairs::query(uri));
            event.body = Some(body);
            event.is_base64_encoded = is_base64;
            event.request_context = context;
            serde_json::to_value(event)
        }
        other => return Err(UnsupportedTrigger::new(other, Platform::Aliyun)),
    };
    // These types hold only strings, numbers and string maps.
    Ok(event.unwrap_or_default())
}

/// The HTTP response FC makes of the function's answer to an HTTP event:
/// `{isBase64Encoded, statusCode, headers, body}`. For an HTTP-trigger event anything else is a
/// 200 with the answer as its body; API Gateway refuses it (its doc: "returns 503 Service
/// Unavailable" when the result does not have the format).
pub fn http_response(
    trigger: Trigger,
    payload: &[u8],
) -> Result<Response<Bytes>, crate::emulator::InvalidAnswer> {
    let value: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    if value.get("statusCode").is_none() {
        if trigger == Trigger::FcApiGateway {
            return Err("the function's response has no `statusCode`".into());
        }
        return Ok(Response::new(Bytes::copy_from_slice(payload)));
    }
    let status = crate::answer::status(&value)?;
    let body = crate::answer::body(&value, false)?;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    crate::answer::append_headers(response.headers_mut(), &value["headers"]);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderValue, StatusCode};

    #[test]
    fn events_and_answers() {
        let mut headers = HeaderMap::new();
        headers.append("x-tag", HeaderValue::from_static("a"));
        headers.append("x-tag", HeaderValue::from_static("b"));
        let uri: Uri = "/items?q=a%20b&q=c".parse().unwrap();
        let apigw = http_event(
            Trigger::FcApiGateway,
            &Method::PUT,
            &uri,
            &headers,
            b"\x00\x01",
            "1.2.3.4",
        )
        .unwrap();
        assert_eq!(apigw["path"], "/items");
        assert_eq!(apigw["headers"]["x-tag"], "a, b");
        assert_eq!(apigw["queryParameters"]["q"], "a b,c");
        assert_eq!(
            (apigw["body"].as_str(), apigw["isBase64Encoded"].as_bool()),
            (Some("AAE="), Some(true))
        );
        let event = http_event(
            Trigger::FcHttpEvent,
            &Method::GET,
            &uri,
            &headers,
            b"",
            "1.2.3.4",
        )
        .unwrap();
        assert_eq!(
            (event["version"].as_str(), event["rawPath"].as_str()),
            (Some("v1"), Some("/items"))
        );
        assert_eq!(event["requestContext"]["http"]["sourceIp"], "1.2.3.4");

        let answer = http_response(
            Trigger::FcApiGateway,
            br#"{"isBase64Encoded":false,"statusCode":"201","headers":{"a":"b"},"body":"ok"}"#,
        )
        .unwrap();
        assert_eq!(
            (answer.status(), answer.body().as_ref()),
            (StatusCode::CREATED, b"ok".as_ref())
        );
        let plain = http_response(Trigger::FcHttpEvent, b"\"just text\"").unwrap();
        assert!(http_response(Trigger::FcApiGateway, b"\"just text\"").is_err());
        assert_eq!(
            (plain.status(), plain.body().as_ref()),
            (StatusCode::OK, b"\"just text\"".as_ref())
        );
    }
}
