//! What API Gateway, ALB and Function URLs make of an HTTP request, and of the function's answer.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use bytes::Bytes;
use fc_aws::wire::{
    ElbContext, HttpApiContext, HttpApiRequest, HttpDescription, Identity, ProxyContext,
    ProxyRequest,
};
use fc_core::Platform;
use fc_core::http::Body;
use fc_core::http::Trigger;
use fc_core::http::is_text_content_type;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri, header};
use serde_json::Value;

use crate::emulator::InvalidAnswer;
use crate::{UnsupportedTrigger, pairs};

const ACCOUNT: &str = "123456789012";
/// The stage a local REST API is deployed to; API Gateway puts it in `requestContext.path`.
const STAGE: &str = "local";

/// The body as an event carries it: text when the content type says so, base64 otherwise.
fn body_field(headers: &HeaderMap, body: &[u8]) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    let textual = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_text_content_type);
    match std::str::from_utf8(body) {
        Ok(text) if textual => (Some(text.to_owned()), false),
        _ => (
            Some(base64::engine::general_purpose::STANDARD.encode(body)),
            true,
        ),
    }
}

/// Header names lower-cased, every value of each, as the gateways see them.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect()
}

/// Now, in milliseconds since the Unix epoch and as API Gateway writes it
/// (`12/Mar/2020:19:03:58 +0000`).
fn now() -> (i64, String) {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let text = chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%d/%b/%Y:%H:%M:%S %z")
        .to_string();
    (ms, text)
}

/// The event `trigger` makes of a request, as API Gateway, an ALB or a Function URL sends it
/// (the adapter's own [`fc_aws::wire`] types), with a fresh request id.
pub fn http_event(
    trigger: Trigger,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    source_ip: &str,
) -> Result<Value, UnsupportedTrigger> {
    let path = uri.path();
    let raw_query = uri.query().unwrap_or_default();
    let query = pairs::query(uri);
    let (body, is_base64) = body_field(headers, body);
    let all = header_pairs(headers);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|agent| Cow::Owned(agent.to_owned()));
    let request_id = fc_local::request_id();
    let (now_ms, now_text) = now();
    let event = match trigger {
        Trigger::ApiGatewayRest => {
            let proxy = path.trim_start_matches('/');
            let mut context = ProxyContext::default();
            context.account_id = Some(ACCOUNT.into());
            context.api_id = Some("local".into());
            context.domain_name = Some("localhost".into());
            context.domain_prefix = Some("localhost".into());
            context.extended_request_id = Some(request_id.clone().into());
            context.http_method = Some(method.as_str().to_owned().into());
            let mut identity = Identity::default();
            identity.source_ip = Some(source_ip.to_owned());
            identity.user_agent = user_agent;
            context.identity = Some(identity);
            context.path = Some(format!("/{STAGE}{path}"));
            context.protocol = Some("HTTP/1.1".into());
            context.request_id = Some(request_id.into());
            context.request_time = Some(now_text.into());
            context.request_time_epoch = Some(now_ms);
            context.resource_id = Some("local".into());
            context.resource_path = Some("/{proxy+}".into());
            context.stage = Some(STAGE.to_owned());
            let mut event = ProxyRequest::default();
            event.resource = Some("/{proxy+}".into());
            event.path = Some(path.to_owned());
            event.http_method = method.clone();
            event.headers = pairs::last_of_each(&all);
            event.multi_value_headers = all;
            event.query_string_parameters = pairs::last_of_each(&query);
            event.multi_value_query_string_parameters = query;
            event.path_parameters =
                (!proxy.is_empty()).then(|| [("proxy".to_owned(), proxy.to_owned())].into());
            event.request_context = context;
            event.body = body;
            event.is_base64_encoded = Some(is_base64);
            serde_json::to_value(event)
        }
        Trigger::ApiGatewayHttp | Trigger::FunctionUrl => {
            let (cookies, others): (Vec<_>, Vec<_>) =
                all.into_iter().partition(|(name, _)| name == "cookie");
            let cookies: Vec<String> = cookies
                .iter()
                .flat_map(|(_, value)| value.split(';'))
                .map(|cookie| cookie.trim().to_owned())
                .collect();
            let domain = match trigger {
                Trigger::FunctionUrl => {
                    "local0000000000000000000000000000.lambda-url.us-east-1.on.aws"
                }
                _ => "localhost",
            };
            let mut http = HttpDescription::default();
            http.method = method.clone();
            http.path = Some(path.to_owned());
            http.protocol = Some("HTTP/1.1".into());
            http.source_ip = Some(source_ip.to_owned());
            http.user_agent = user_agent;
            let mut context = HttpApiContext::default();
            context.account_id = Some(ACCOUNT.into());
            context.api_id = Some("local".into());
            context.domain_name = Some(domain.to_owned());
            context.domain_prefix = domain.split('.').next().map(Cow::Borrowed);
            context.http = http;
            context.request_id = Some(request_id.into());
            context.route_key = Some("$default".into());
            context.stage = Some("$default".to_owned());
            context.time = Some(now_text.into());
            context.time_epoch = Some(now_ms);
            let mut event = HttpApiRequest::default();
            event.version = Some("2.0".into());
            event.route_key = Some("$default".into());
            event.raw_path = Some(path.to_owned());
            event.raw_query_string = Some(raw_query.to_owned());
            event.cookies = (!cookies.is_empty()).then_some(cookies);
            event.headers = pairs::joined(&others);
            event.query_string_parameters = pairs::joined(&query);
            event.request_context = context;
            event.body = body;
            event.is_base64_encoded = Some(is_base64);
            serde_json::to_value(event)
        }
        Trigger::Alb => {
            // ALB passes query parameters as the client sent them, still encoded.
            let raw_pairs: Vec<(String, String)> = raw_query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let mut elb = ElbContext::default();
            elb.target_group_arn = Some(
                format!("arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/local/0123456789abcdef").into(),
            );
            let mut context = ProxyContext::default();
            context.elb = Some(elb);
            let mut event = ProxyRequest::default();
            event.http_method = method.clone();
            event.path = Some(path.to_owned());
            event.query_string_parameters = pairs::last_of_each(&raw_pairs);
            event.headers = pairs::last_of_each(&all);
            event.request_context = context;
            // An ALB sends an empty body as "".
            event.body = Some(body.unwrap_or_default());
            event.is_base64_encoded = Some(is_base64);
            serde_json::to_value(event)
        }
        other => return Err(UnsupportedTrigger::new(other, Platform::Aws)),
    };
    // These types hold only strings, numbers and string maps.
    Ok(event.unwrap_or_default())
}

/// The HTTP response a gateway makes of the function's answer, or why it cannot (the gateway
/// would answer 502).
pub fn http_response(trigger: Trigger, payload: &[u8]) -> Result<Response<Bytes>, InvalidAnswer> {
    let value: Value = serde_json::from_slice(payload)
        .map_err(|err| format!("the function's response is not JSON: {err}"))?;
    let structured = value.get("statusCode").is_some();
    if !structured {
        // HTTP APIs and Function URLs take any other JSON as a 200 JSON body.
        if matches!(trigger, Trigger::ApiGatewayHttp | Trigger::FunctionUrl) {
            return Ok(crate::answer::json(payload));
        }
        return Err("the function's response has no `statusCode`".into());
    }
    let status = crate::answer::status(&value)?;
    let body = crate::answer::body(&value, true)?;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let mut add = |name: &str, value: &Value| crate::answer::append_header(headers, name, value);
    let multi = value["multiValueHeaders"]
        .as_object()
        .filter(|m| !m.is_empty());
    match multi {
        Some(multi) => {
            for (name, values) in multi {
                for value in values.as_array().into_iter().flatten() {
                    add(name, value);
                }
            }
        }
        None => {
            for (name, value) in value["headers"].as_object().into_iter().flatten() {
                add(name, value);
            }
        }
    }
    for cookie in value["cookies"].as_array().into_iter().flatten() {
        add("set-cookie", cookie);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use serde_json::json;

    fn request() -> (Method, Uri, HeaderMap) {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.append("x-tag", HeaderValue::from_static("a"));
        headers.append("x-tag", HeaderValue::from_static("b"));
        headers.insert(header::COOKIE, HeaderValue::from_static("s=1; t=2"));
        (
            Method::POST,
            "/items/7?q=a%20b&q=c".parse().unwrap(),
            headers,
        )
    }

    #[test]
    fn events_carry_the_request_in_each_shape() {
        let (method, uri, headers) = request();
        let v1 = http_event(
            Trigger::ApiGatewayRest,
            &method,
            &uri,
            &headers,
            b"{}",
            "10.0.0.1",
        )
        .unwrap();
        assert_eq!(v1["path"], "/items/7");
        assert_eq!(v1["requestContext"]["path"], "/local/items/7");
        assert_eq!(v1["multiValueHeaders"]["x-tag"], json!(["a", "b"]));
        assert_eq!(
            v1["multiValueQueryStringParameters"]["q"],
            json!(["a b", "c"])
        );
        assert_eq!(v1["body"], "{}");
        let v2 = http_event(
            Trigger::ApiGatewayHttp,
            &method,
            &uri,
            &headers,
            b"\xff",
            "10.0.0.1",
        )
        .unwrap();
        assert_eq!(v2["rawQueryString"], "q=a%20b&q=c");
        assert_eq!(v2["headers"]["x-tag"], "a,b");
        assert_eq!(v2["cookies"], json!(["s=1", "t=2"]));
        assert_eq!(
            (v2["body"].as_str(), v2["isBase64Encoded"].as_bool()),
            (Some("/w=="), Some(true))
        );
        let url = http_event(
            Trigger::FunctionUrl,
            &method,
            &uri,
            &headers,
            b"",
            "10.0.0.1",
        )
        .unwrap();
        assert!(
            url["requestContext"]["domainName"]
                .as_str()
                .unwrap()
                .contains(".lambda-url.")
        );
        let alb = http_event(Trigger::Alb, &method, &uri, &headers, b"", "10.0.0.1").unwrap();
        assert!(http_event(Trigger::FcHttp, &method, &uri, &headers, b"", "10.0.0.1").is_err());
        assert_eq!(alb["queryStringParameters"]["q"], "c");
        assert!(alb["requestContext"]["elb"].is_object());
    }

    #[test]
    fn responses_become_http() {
        let payload = br#"{"statusCode":201,"multiValueHeaders":{"x-a":["1","2"]},"body":"AAE=","isBase64Encoded":true}"#;
        let response = http_response(Trigger::ApiGatewayRest, payload).unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers().get_all("x-a").iter().count(), 2);
        assert_eq!(response.body().as_ref(), [0, 1]);
        let payload = br#"{"statusCode":"200","headers":{"a":"b"},"cookies":["c=1"],"body":"hi"}"#;
        let response = http_response(Trigger::ApiGatewayHttp, payload).unwrap();
        assert_eq!(response.headers()["set-cookie"], "c=1");
        let response = http_response(Trigger::FunctionUrl, br#"{"ok":true}"#).unwrap();
        assert_eq!(response.body().as_ref(), br#"{"ok":true}"#);
        assert!(http_response(Trigger::ApiGatewayRest, br#"{"ok":true}"#).is_err());
        assert!(http_response(Trigger::Alb, b"not json").is_err());
    }
}

/// Reads a streamed HTTP response (`application/vnd.awslambda.http-integration-response`): the
/// JSON metadata prelude `{statusCode, headers, cookies}`, 8 NUL bytes, then the body, which is
/// returned still streaming. As a Function URL in `RESPONSE_STREAM` mode reads it.
pub async fn split_prelude(body: Body) -> Result<Response<Body>, InvalidAnswer> {
    use http_body_util::BodyExt;

    const DELIMITER: [u8; 8] = [0; 8];
    let mut body = body;
    let mut head = Vec::new();
    let at = loop {
        if let Some(at) = head.windows(8).position(|w| w == DELIMITER) {
            break at;
        }
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    head.extend_from_slice(&data);
                }
            }
            Some(Err(err)) => {
                return Err(format!("the stream failed before its prelude: {err}").into());
            }
            None => {
                return Err("the stream ended before its metadata prelude and 8 NUL bytes".into());
            }
        }
    };
    let rest = Bytes::copy_from_slice(&head[at + DELIMITER.len()..]);
    let prelude: Prelude = serde_json::from_slice(&head[..at])
        .map_err(|err| format!("the metadata prelude is not valid: {err}"))?;
    let status = StatusCode::from_u16(prelude.status_code.unwrap_or(200))
        .map_err(|err| format!("the metadata prelude's `statusCode` is not valid: {err}"))?;
    // What followed the prelude in its chunk, then the rest of the stream.
    let first = futures_util::stream::iter((!rest.is_empty()).then_some(Ok(rest)));
    let mut response = Response::new(Body::from_stream(futures_util::StreamExt::chain(
        first,
        body.into_data_stream(),
    )));
    *response.status_mut() = status;
    // One value is a string, several an array (http_serde's header map).
    for (name, values) in prelude.headers {
        let Ok(name) = http::HeaderName::from_bytes(name.as_bytes()) else {
            continue;
        };
        let values = match values {
            Value::Array(values) => values,
            one => vec![one],
        };
        for value in values.iter().filter_map(Value::as_str) {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().append(name.clone(), value);
            }
        }
    }
    for cookie in prelude.cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Prelude {
    #[serde(default)]
    status_code: Option<u16>,
    #[serde(default)]
    headers: BTreeMap<String, Value>,
    #[serde(default)]
    cookies: Vec<String>,
}
