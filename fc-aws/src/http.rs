//! HTTP requests from API Gateway (REST and HTTP APIs), ALB and Function URLs, and the responses
//! each of them expects.

use std::net::IpAddr;

use fc_core::Error;
use fc_core::http::{
    HeaderMap, HeaderName, HeaderValue, Request, RequestExt, RequestInfo, Response, Trigger, header,
};
use serde_json::value::RawValue;

use fc_core::adapter::{EventBody, event_body, forwarded_for, parse_json, request};

use crate::wire::{
    AlbTargetGroupResponse, ApiGatewayProxyResponse, ApiGatewayV2httpResponse, Body as AwsBody,
    HttpApiRequest, ProxyRequest,
};

const REST: &str = "API Gateway REST API (v1) request";
const HTTP_API: &str = "API Gateway HTTP API (v2) or Function URL request";
const ALB: &str = "ALB request";

/// Decodes whichever HTTP event `raw` is; the trigger it names decides the answer's shape.
pub(crate) fn decode(raw: &str) -> Result<(Request, Trigger), Error> {
    // REST and ALB events share their shape: one parse reads either. A v2 event that also
    // carries v1's fields (cargo-lambda's Function URL events do) is read as what it says.
    if let Ok(event) = serde_json::from_str::<ProxyRequest>(raw)
        && event.version.as_deref() != Some("2.0")
    {
        return match event.request_context.elb {
            None => Ok((from_rest_api(event)?, Trigger::ApiGatewayRest)),
            Some(_) => Ok((from_alb(event)?, Trigger::Alb)),
        };
    }
    if let Ok(event) = serde_json::from_str::<HttpApiRequest>(raw) {
        let request = from_http_api(event)?;
        let trigger = request.info().trigger;
        return Ok((request, trigger));
    }
    Err(explain(raw))
}

/// Names the field that keeps `raw` from being the source it most looks like.
fn explain(raw: &str) -> Error {
    let value: serde_json::Value = match serde_json::from_str(raw) {
        Ok(value) => value,
        Err(err) if err.to_string().starts_with("recursion limit exceeded") => {
            return Error::invalid_event(format!(
                "expected an HTTP request, but the event is nested deeper than fc decodes: {err}"
            ));
        }
        Err(err) => return Error::invalid_event(format!("the event is not JSON: {err}")),
    };
    let result = if value.get("version").and_then(|v| v.as_str()) == Some("2.0")
        || value.pointer("/requestContext/http").is_some()
    {
        parse_json::<HttpApiRequest>(raw.as_bytes(), HTTP_API).map(drop)
    } else if value.pointer("/requestContext/elb").is_some() {
        parse_json::<ProxyRequest>(raw.as_bytes(), ALB).map(drop)
    } else if value.get("httpMethod").is_some() || value.get("resource").is_some() {
        parse_json::<ProxyRequest>(raw.as_bytes(), REST).map(drop)
    } else {
        Ok(())
    };
    result.err().unwrap_or_else(|| {
        Error::invalid_event(
            "expected an HTTP request from API Gateway (REST or HTTP API), an ALB or a Function URL, \
             but the event has none of their fields (`httpMethod`, `requestContext.http`, `requestContext.elb`)",
        )
    })
}

/// The headers of an event, refused whole if one cannot be an HTTP header, as aws_lambda_events
/// refuses them.
fn header_map(pairs: Vec<(String, String)>, field: &str, what: &str) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::with_capacity(pairs.len());
    for (name, value) in pairs {
        let Ok(key) = HeaderName::from_bytes(name.as_bytes()) else {
            return Err(Error::invalid_event(format!(
                "invalid {what} at `{field}`: `{name}` is not a valid header name"
            )));
        };
        let Ok(value) = HeaderValue::try_from(value) else {
            return Err(Error::invalid_event(format!(
                "invalid {what} at `{field}.{name}`: not a valid header value"
            )));
        };
        map.append(key, value);
    }
    Ok(map)
}

fn from_rest_api(event: ProxyRequest) -> Result<Request, Error> {
    let path = event.path.unwrap_or_else(|| "/".to_owned());
    let params = if event.multi_value_query_string_parameters.is_empty() {
        event.query_string_parameters
    } else {
        event.multi_value_query_string_parameters
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &params {
        query.append_pair(name, value);
    }
    let query = query.finish();
    let headers = if event.multi_value_headers.is_empty() {
        header_map(event.headers, "headers", REST)?
    } else {
        header_map(event.multi_value_headers, "multiValueHeaders", REST)?
    };
    let context = event.request_context;
    let mut info = RequestInfo::default();
    info.trigger = Trigger::ApiGatewayRest;
    info.path_params = event.path_parameters.unwrap_or_default();
    info.source_ip = ip(context.identity.and_then(|i| i.source_ip).as_deref());
    // `path` is the resource path without the stage; `requestContext.path` has the stage.
    info.raw_path = Some(context.path.unwrap_or_else(|| path.clone()));
    info.stage = context.stage;
    let body = event_body(
        event.body,
        event.is_base64_encoded.unwrap_or(false),
        &headers,
        REST,
    )?;
    request(event.http_method, &path, &query, headers, body, info, REST)
}

fn from_http_api(event: HttpApiRequest) -> Result<Request, Error> {
    let context = event.request_context;
    let raw_path = event
        .raw_path
        .or(context.http.path)
        .unwrap_or_else(|| "/".to_owned());
    let path = strip_stage(&raw_path, context.stage.as_deref()).to_owned();
    let mut headers = header_map(event.headers, "headers", HTTP_API)?;
    if let Some(cookies) = event.cookies.filter(|c| !c.is_empty())
        && let Ok(value) = header::HeaderValue::from_str(&cookies.join("; "))
    {
        headers.insert(header::COOKIE, value);
    }
    let is_url = context
        .domain_name
        .as_deref()
        .is_some_and(|domain| domain.contains(".lambda-url."));
    let mut info = RequestInfo::default();
    info.trigger = if is_url {
        Trigger::FunctionUrl
    } else {
        Trigger::ApiGatewayHttp
    };
    info.path_params = event.path_parameters.unwrap_or_default();
    info.source_ip = ip(context.http.source_ip.as_deref());
    info.stage = context.stage.filter(|stage| stage != "$default");
    info.raw_path = Some(raw_path);
    let query = event.raw_query_string.unwrap_or_default();
    let body = event_body(
        event.body,
        event.is_base64_encoded.unwrap_or(false),
        &headers,
        HTTP_API,
    )?;
    request(
        context.http.method,
        &path,
        &query,
        headers,
        body,
        info,
        HTTP_API,
    )
}

fn from_alb(event: ProxyRequest) -> Result<Request, Error> {
    let path = event.path.unwrap_or_else(|| "/".to_owned());
    // ALB passes query parameters as the client sent them, still encoded.
    let params = if event.multi_value_query_string_parameters.is_empty() {
        event.query_string_parameters
    } else {
        event.multi_value_query_string_parameters
    };
    let mut query = String::new();
    for (name, value) in &params {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(name);
        query.push('=');
        query.push_str(value);
    }
    let headers = if event.multi_value_headers.is_empty() {
        header_map(event.headers, "headers", ALB)?
    } else {
        header_map(event.multi_value_headers, "multiValueHeaders", ALB)?
    };
    let mut info = RequestInfo::default();
    info.trigger = Trigger::Alb;
    info.source_ip = forwarded_for(&headers);
    info.raw_path = Some(path.clone());
    let body = event_body(
        event.body,
        event.is_base64_encoded.unwrap_or(false),
        &headers,
        ALB,
    )?;
    request(event.http_method, &path, &query, headers, body, info, ALB)
}

/// An HTTP API on a named stage puts the stage in `rawPath`; handlers route without it.
fn strip_stage<'a>(path: &'a str, stage: Option<&str>) -> &'a str {
    let Some(stage) = stage.filter(|s| !s.is_empty() && *s != "$default") else {
        return path;
    };
    match path.strip_prefix('/').and_then(|p| p.strip_prefix(stage)) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

fn ip(text: Option<&str>) -> Option<IpAddr> {
    text.and_then(|t| t.trim().parse().ok())
}

/// Encodes `response` in the shape `trigger` expects: REST, HTTP API (and Function URL) or ALB.
pub(crate) fn encode(response: Response, trigger: Trigger) -> Result<Box<RawValue>, Error> {
    let (parts, body) = response.into_parts();
    let status = parts.status;
    let (is_base64_encoded, body) = match EventBody::of(body)? {
        EventBody::Empty => (false, None),
        EventBody::Text(text) => (false, Some(AwsBody::Text(text))),
        EventBody::Binary(bytes) => (true, Some(AwsBody::Binary(bytes.into()))),
    };
    let encoded = match trigger {
        Trigger::ApiGatewayRest => {
            // API Gateway merges `headers` into `multiValueHeaders`: set only the latter so no
            // header is sent twice.
            let mut out = ApiGatewayProxyResponse::default();
            out.status_code = i64::from(status.as_u16());
            out.multi_value_headers = parts.headers;
            out.body = body;
            out.is_base64_encoded = is_base64_encoded;
            serde_json::value::to_raw_value(&out)
        }
        Trigger::ApiGatewayHttp | Trigger::FunctionUrl => {
            let mut headers = parts.headers;
            let cookies = headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_owned))
                .collect();
            headers.remove(header::SET_COOKIE);
            let mut out = ApiGatewayV2httpResponse::default();
            out.status_code = i64::from(status.as_u16());
            out.headers = headers;
            out.cookies = cookies;
            out.body = body;
            out.is_base64_encoded = is_base64_encoded;
            serde_json::value::to_raw_value(&out)
        }
        // Trigger::Alb: the only other trigger an AWS event names.
        _ => {
            // A target group uses `headers` or `multiValueHeaders` depending on its settings.
            let mut out = AlbTargetGroupResponse::default();
            out.status_code = i64::from(status.as_u16());
            out.status_description = Some(format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Unknown")
            ));
            out.headers = parts.headers.clone();
            out.multi_value_headers = parts.headers;
            out.body = body;
            out.is_base64_encoded = is_base64_encoded;
            serde_json::value::to_raw_value(&out)
        }
    };
    encoded.map_err(fc_core::adapter::unencodable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::ErrorKind;
    use fc_core::http::{Body, RequestExt, StatusCode};

    #[test]
    fn stages_are_stripped_from_http_api_paths() {
        assert_eq!(strip_stage("/prod/hello", Some("prod")), "/hello");
        assert_eq!(strip_stage("/prod", Some("prod")), "/");
        assert_eq!(strip_stage("/production/x", Some("prod")), "/production/x");
        assert_eq!(strip_stage("/hello", Some("$default")), "/hello");
        assert_eq!(strip_stage("/hello", None), "/hello");
    }

    /// What cargo-lambda 1.9's `watch` sends for a request to its `/lambda-url/<fn>/` front
    /// door: a v2 event that also has v1's `httpMethod`, `resource` and friends (captured from
    /// `cargo lambda watch` with `GET /lambda-url/probe/hello?name=url`).
    #[test]
    fn a_v2_event_with_v1_fields_is_read_as_v2() {
        let event = r#"{"authorizationToken":null,"headers":{"accept":"*/*","host":"127.0.0.1:19105",
            "user-agent":"curl/7.88.1"},"httpMethod":"GET","identitySource":null,"isBase64Encoded":false,
            "methodArn":null,"queryStringParameters":{"name":"url"},"rawPath":"/hello","rawQueryString":"name=url",
            "requestContext":{"accountId":null,"apiId":null,"domainName":"localhost","domainPrefix":"probe",
            "http":{"method":"GET","path":"/hello","protocol":"http","sourceIp":"127.0.0.1","userAgent":"cargo-lambda"},
            "requestId":"a4e6ad7c-ca5d-4b75-bc1e-47bfe1a86ecc","routeKey":"$default","stage":"$default",
            "time":"03/Dec/2026:08:54:26 +0000","timeEpoch":1796288066},"resource":null,"routeKey":"$default",
            "stageVariables":{},"type":null,"version":"2.0"}"#;
        let (request, trigger) = decode(event).unwrap();
        assert_eq!(trigger, Trigger::ApiGatewayHttp);
        assert_eq!(request.uri().path(), "/hello");
        assert_eq!(request.uri().query(), Some("name=url"));
    }

    #[test]
    fn invalid_base64_bodies_are_invalid_events() {
        let event = r#"{"version":"2.0","rawPath":"/x","rawQueryString":"","headers":{},
            "requestContext":{"http":{"method":"POST","path":"/x"}},"body":"not base64!","isBase64Encoded":true}"#;
        let err = decode(event).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidEvent);
        assert!(
            err.message()
                .contains("`body` is not valid base64 although `isBase64Encoded` is true"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn unknown_shapes_are_explained() {
        let err = decode(r#"{"hello":"world"}"#).unwrap_err();
        assert!(
            err.message()
                .starts_with("expected an HTTP request from API Gateway"),
            "{}",
            err.message()
        );
        let err =
            decode(r#"{"version":"2.0","requestContext":{"http":{"method":3}}}"#).unwrap_err();
        assert!(
            err.message().starts_with("invalid API Gateway HTTP API (v2) or Function URL request at `requestContext.http.method`"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn paths_with_spaces_and_unicode_become_valid_uris() {
        let event = r#"{"version":"2.0","rawPath":"/my path/Jürgen","rawQueryString":"q=a b","headers":{},
            "requestContext":{"http":{"method":"GET","path":"/my path"}},"isBase64Encoded":false}"#;
        let (req, _) = decode(event).unwrap();
        assert_eq!(req.uri().path(), "/my%20path/J%C3%BCrgen");
        assert_eq!(req.query_param("q").as_deref(), Some("a b"));
    }

    #[test]
    fn binary_responses_are_base64_and_cookies_move_for_http_apis() {
        let mut response = Response::new(Body::binary(vec![0u8, 159, 146, 150]));
        *response.status_mut() = StatusCode::CREATED;
        response
            .headers_mut()
            .append(header::SET_COOKIE, "a=1".parse().unwrap());
        response
            .headers_mut()
            .append(header::SET_COOKIE, "b=2".parse().unwrap());
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, "image/png".parse().unwrap());
        let json: serde_json::Value =
            serde_json::from_str(encode(response, Trigger::ApiGatewayHttp).unwrap().get()).unwrap();
        assert_eq!(json["statusCode"], 201);
        assert_eq!(json["isBase64Encoded"], true);
        assert_eq!(json["body"], "AJ+Slg==");
        assert_eq!(json["cookies"], serde_json::json!(["a=1", "b=2"]));
        assert_eq!(json["headers"]["content-type"], "image/png");
        assert!(json["headers"].get("set-cookie").is_none());
    }

    #[test]
    fn rest_and_alb_responses_use_their_header_fields() {
        let response = || {
            let mut response = Response::new(Body::text("hi"));
            response.headers_mut().append("x-tag", "a".parse().unwrap());
            response.headers_mut().append("x-tag", "b".parse().unwrap());
            response
        };
        let rest: serde_json::Value =
            serde_json::from_str(encode(response(), Trigger::ApiGatewayRest).unwrap().get())
                .unwrap();
        assert_eq!(
            rest["multiValueHeaders"]["x-tag"],
            serde_json::json!(["a", "b"])
        );
        assert_eq!(rest["body"], "hi");
        assert_eq!(rest["isBase64Encoded"], false);
        let alb: serde_json::Value =
            serde_json::from_str(encode(response(), Trigger::Alb).unwrap().get()).unwrap();
        assert_eq!(alb["statusDescription"], "200 OK");
        assert_eq!(
            alb["multiValueHeaders"]["x-tag"],
            serde_json::json!(["a", "b"])
        );
    }
}
