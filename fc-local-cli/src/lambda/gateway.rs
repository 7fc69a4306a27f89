//! What API Gateway, ALB and Function URLs make of an HTTP request, and of the function's answer.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use bytes::Bytes;
use fc_core::http::Body;
use fc_core::http::is_text_content_type;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri, header};
use serde_json::{Value, json};

use crate::emulator::InvalidAnswer;

/// The HTTP triggers of AWS Lambda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpTrigger {
    /// API Gateway REST API, payload format 1.0.
    ApiGatewayV1,
    /// API Gateway HTTP API, payload format 2.0.
    ApiGatewayV2,
    /// Application Load Balancer (single-value headers).
    Alb,
    /// Lambda Function URL (payload format 2.0 on a `lambda-url` domain).
    FunctionUrl,
}

const ACCOUNT: &str = "123456789012";
/// The stage a local REST API is deployed to; API Gateway puts it in `requestContext.path`.
const STAGE: &str = "local";

fn body_field(headers: &HeaderMap, body: &[u8]) -> (Value, bool) {
    if body.is_empty() {
        return (Value::Null, false);
    }
    let textual = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_text_content_type);
    match std::str::from_utf8(body) {
        Ok(text) if textual => (Value::String(text.to_owned()), false),
        _ => (
            Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
            true,
        ),
    }
}

/// Header names lower-cased, every value of each, as the gateways see them.
fn header_values(headers: &HeaderMap) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        out.entry(name.as_str().to_owned()).or_default().push(value);
    }
    out
}

/// Query pairs as sent (`raw`) and decoded.
fn query_pairs(uri: &Uri) -> (String, Vec<(String, String)>) {
    let raw = uri.query().unwrap_or_default().to_owned();
    let decoded = form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (raw, decoded)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The event `trigger` makes of a request, as API Gateway, an ALB or a Function URL would
/// send it (see the samples in `aws_lambda_events`), with a fresh request id.
pub fn http_event(
    trigger: HttpTrigger,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    source_ip: &str,
) -> Value {
    let path = uri.path();
    let (raw_query, query) = query_pairs(uri);
    let (body, is_base64) = body_field(headers, body);
    let all = header_values(headers);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let request_id = fc_local::request_id();
    match trigger {
        HttpTrigger::ApiGatewayV1 => {
            let single: BTreeMap<&String, &String> = all
                .iter()
                .filter_map(|(k, v)| v.last().map(|last| (k, last)))
                .collect();
            let mut multi_query: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (k, v) in &query {
                multi_query.entry(k).or_default().push(v);
            }
            let single_query: BTreeMap<&str, &str> = multi_query
                .iter()
                .filter_map(|(k, v)| v.last().map(|last| (*k, *last)))
                .collect();
            let proxy = path.trim_start_matches('/');
            json!({
                "resource": "/{proxy+}",
                "path": path,
                "httpMethod": method.as_str(),
                "headers": single,
                "multiValueHeaders": all,
                "queryStringParameters": if query.is_empty() { Value::Null } else { json!(single_query) },
                "multiValueQueryStringParameters": if query.is_empty() { Value::Null } else { json!(multi_query) },
                "pathParameters": if proxy.is_empty() { Value::Null } else { json!({ "proxy": proxy }) },
                "stageVariables": null,
                "requestContext": {
                    "accountId": ACCOUNT,
                    "apiId": "local",
                    "domainName": "localhost",
                    "domainPrefix": "localhost",
                    "extendedRequestId": request_id,
                    "httpMethod": method.as_str(),
                    "identity": { "sourceIp": source_ip, "userAgent": user_agent },
                    "path": format!("/{STAGE}{path}"),
                    "protocol": "HTTP/1.1",
                    "requestId": request_id,
                    "requestTimeEpoch": now_ms(),
                    "resourceId": "local",
                    "resourcePath": "/{proxy+}",
                    "stage": STAGE
                },
                "body": body,
                "isBase64Encoded": is_base64
            })
        }
        HttpTrigger::ApiGatewayV2 | HttpTrigger::FunctionUrl => {
            let mut joined: BTreeMap<&String, String> = BTreeMap::new();
            let mut cookies: Vec<String> = Vec::new();
            for (name, values) in &all {
                if name == "cookie" {
                    cookies.extend(
                        values
                            .iter()
                            .flat_map(|v| v.split(';'))
                            .map(|c| c.trim().to_owned()),
                    );
                    continue;
                }
                joined.insert(name, values.join(","));
            }
            let mut query_joined: BTreeMap<&str, String> = BTreeMap::new();
            for (k, v) in &query {
                query_joined
                    .entry(k)
                    .and_modify(|all: &mut String| {
                        all.push(',');
                        all.push_str(v);
                    })
                    .or_insert_with(|| v.clone());
            }
            let domain = match trigger {
                HttpTrigger::FunctionUrl => {
                    "local0000000000000000000000000000.lambda-url.us-east-1.on.aws"
                }
                _ => "localhost",
            };
            json!({
                "version": "2.0",
                "routeKey": "$default",
                "rawPath": path,
                "rawQueryString": raw_query,
                "cookies": if cookies.is_empty() { Value::Null } else { json!(cookies) },
                "headers": joined,
                "queryStringParameters": if query.is_empty() { Value::Null } else { json!(query_joined) },
                "requestContext": {
                    "accountId": ACCOUNT,
                    "apiId": "local",
                    "domainName": domain,
                    "domainPrefix": domain.split('.').next().unwrap_or(domain),
                    "http": {
                        "method": method.as_str(),
                        "path": path,
                        "protocol": "HTTP/1.1",
                        "sourceIp": source_ip,
                        "userAgent": user_agent
                    },
                    "requestId": request_id,
                    "routeKey": "$default",
                    "stage": "$default",
                    "timeEpoch": now_ms()
                },
                "body": body,
                "isBase64Encoded": is_base64
            })
        }
        HttpTrigger::Alb => {
            // ALB passes query parameters as the client sent them, still encoded.
            let raw_pairs: BTreeMap<&str, &str> = raw_query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .collect();
            let single: BTreeMap<&String, &String> = all
                .iter()
                .filter_map(|(k, v)| v.last().map(|last| (k, last)))
                .collect();
            json!({
                "requestContext": {
                    "elb": {
                        "targetGroupArn": format!("arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/local/0123456789abcdef")
                    }
                },
                "httpMethod": method.as_str(),
                "path": path,
                "queryStringParameters": raw_pairs,
                "headers": single,
                "body": if body.is_null() { json!("") } else { body },
                "isBase64Encoded": is_base64
            })
        }
    }
}

/// The HTTP response a gateway makes of the function's answer, or why it cannot (the gateway
/// would answer 502).
pub fn http_response(
    trigger: HttpTrigger,
    payload: &[u8],
) -> Result<Response<Bytes>, InvalidAnswer> {
    let value: Value = serde_json::from_slice(payload)
        .map_err(|err| format!("the function's response is not JSON: {err}"))?;
    let structured = value.get("statusCode").is_some();
    if !structured {
        // HTTP APIs and Function URLs take any other JSON as a 200 JSON body.
        if matches!(
            trigger,
            HttpTrigger::ApiGatewayV2 | HttpTrigger::FunctionUrl
        ) {
            let mut response = Response::new(Bytes::copy_from_slice(payload));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return Ok(response);
        }
        return Err("the function's response has no `statusCode`".into());
    }
    let status = crate::answer::status(&value)?;
    let body = crate::answer::body(&value, true)?;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let mut add = |name: &str, value: &Value| {
        let Ok(name) = http::HeaderName::from_bytes(name.as_bytes()) else {
            return;
        };
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Ok(value) = HeaderValue::from_str(&text) {
            headers.append(name, value);
        }
    };
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
            HttpTrigger::ApiGatewayV1,
            &method,
            &uri,
            &headers,
            b"{}",
            "10.0.0.1",
        );
        assert_eq!(v1["path"], "/items/7");
        assert_eq!(v1["requestContext"]["path"], "/local/items/7");
        assert_eq!(v1["multiValueHeaders"]["x-tag"], json!(["a", "b"]));
        assert_eq!(
            v1["multiValueQueryStringParameters"]["q"],
            json!(["a b", "c"])
        );
        assert_eq!(v1["body"], "{}");
        let v2 = http_event(
            HttpTrigger::ApiGatewayV2,
            &method,
            &uri,
            &headers,
            b"\xff",
            "10.0.0.1",
        );
        assert_eq!(v2["rawQueryString"], "q=a%20b&q=c");
        assert_eq!(v2["headers"]["x-tag"], "a,b");
        assert_eq!(v2["cookies"], json!(["s=1", "t=2"]));
        assert_eq!(
            (v2["body"].as_str(), v2["isBase64Encoded"].as_bool()),
            (Some("/w=="), Some(true))
        );
        let url = http_event(
            HttpTrigger::FunctionUrl,
            &method,
            &uri,
            &headers,
            b"",
            "10.0.0.1",
        );
        assert!(
            url["requestContext"]["domainName"]
                .as_str()
                .unwrap()
                .contains(".lambda-url.")
        );
        let alb = http_event(HttpTrigger::Alb, &method, &uri, &headers, b"", "10.0.0.1");
        assert_eq!(alb["queryStringParameters"]["q"], "c");
        assert!(alb["requestContext"]["elb"].is_object());
    }

    #[test]
    fn responses_become_http() {
        let payload = br#"{"statusCode":201,"multiValueHeaders":{"x-a":["1","2"]},"body":"AAE=","isBase64Encoded":true}"#;
        let response = http_response(HttpTrigger::ApiGatewayV1, payload).unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers().get_all("x-a").iter().count(), 2);
        assert_eq!(response.body().as_ref(), [0, 1]);
        let payload = br#"{"statusCode":"200","headers":{"a":"b"},"cookies":["c=1"],"body":"hi"}"#;
        let response = http_response(HttpTrigger::ApiGatewayV2, payload).unwrap();
        assert_eq!(response.headers()["set-cookie"], "c=1");
        let response = http_response(HttpTrigger::FunctionUrl, br#"{"ok":true}"#).unwrap();
        assert_eq!(response.body().as_ref(), br#"{"ok":true}"#);
        assert!(http_response(HttpTrigger::ApiGatewayV1, br#"{"ok":true}"#).is_err());
        assert!(http_response(HttpTrigger::Alb, b"not json").is_err());
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
