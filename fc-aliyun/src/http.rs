//! HTTP requests in the three ways FC delivers them — passed through as HTTP, as an API
//! Gateway trigger event, as an FC 3.0 HTTP-trigger event — and the answer each expects.

use std::collections::BTreeMap;
use std::net::IpAddr;

use base64::Engine;
use bytes::Bytes;
use fc_core::Error;
use fc_core::http::{HeaderMap, Request, RequestInfo, Response, Trigger};
use http::{HeaderName, HeaderValue, Method};
use serde::Deserialize;

use fc_core::adapter::{EventBody, event_body, forwarded_for, pairs, request};

use crate::headers;
use crate::wire::{
    ApiGatewayEvent, EventResponse, HttpTriggerContext, HttpTriggerEvent, joined_headers,
};

const API_GATEWAY: &str = "API Gateway trigger event";
const HTTP_TRIGGER: &str = "HTTP trigger event";

/// A passed-through request (`x-fc-control-path: /http-invoke`): the default domain's base
/// path and every `x-fc-*` header removed.
///
/// Source: Function Compute 2.0, "HTTP handlers" — "If you do not specify a custom domain name,
/// /2016-08-15/proxy/${servicename}/${functionname}/ is used as the value of x-fc-base-path."
/// FC 3.0 has been seen sending other values (the request's own path), so only that documented
/// prefix is removed.
pub(crate) fn from_passthrough(parts: http::request::Parts, body: Bytes) -> Result<Request, Error> {
    let mut parts = parts;
    let base = parts
        .headers
        .get(headers::BASE_PATH)
        .and_then(|v| v.to_str().ok())
        .filter(|b| b.starts_with("/2016-08-15/proxy/"))
        .map(|b| b.trim_end_matches('/').to_owned());
    let raw_path = parts.uri.path().to_owned();
    if let Some(base) = base {
        let path = match raw_path.strip_prefix(&base) {
            Some("") => "/",
            Some(rest) if rest.starts_with('/') => rest,
            _ => &raw_path,
        };
        let mut target = path.to_owned();
        if let Some(query) = parts.uri.query() {
            target.push('?');
            target.push_str(query);
        }
        parts.uri = target.parse().map_err(|err| {
            Error::invalid_event(format!("`{target}` is not a valid path: {err}"))
        })?;
    } else if parts.uri.scheme().is_some() {
        // Absolute-form targets become origin-form, as handlers expect everywhere.
        let target = parts
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        parts.uri = target.parse().map_err(|err| {
            Error::invalid_event(format!("`{target}` is not a valid path: {err}"))
        })?;
    }
    headers::strip(&mut parts.headers);
    let mut info = RequestInfo::default();
    info.trigger = Trigger::FcHttp;
    info.source_ip = forwarded_for(&parts.headers);
    info.raw_path = Some(raw_path);
    Ok(fc_core::adapter::passthrough(parts, body, info))
}

/// Both shapes at once, so that an event is read in one pass; which one it is follows from the
/// fields it has, as in [`from_event_strictly`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EitherEvent<'a> {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    raw_path: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    http_method: Option<String>,
    #[serde(default, deserialize_with = "pairs")]
    headers: Vec<(String, String)>,
    #[serde(default, deserialize_with = "pairs")]
    query_parameters: Vec<(String, String)>,
    #[serde(default)]
    path_parameters: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::bool_or_string")]
    is_base64_encoded: bool,
    #[serde(default, borrow)]
    request_context: Option<HttpTriggerContext<'a>>,
}

/// Decodes an HTTP request delivered as an event, whichever of the two shapes it is.
pub(crate) fn from_event(raw: &[u8]) -> Result<Request, Error> {
    let Ok(event) = serde_json::from_slice::<EitherEvent>(raw) else {
        return from_event_strictly(raw);
    };
    match event {
        EitherEvent {
            version: Some(version),
            raw_path: Some(raw_path),
            request_context: Some(request_context),
            ..
        } => from_http_trigger(HttpTriggerEvent {
            version,
            raw_path,
            headers: event.headers,
            query_parameters: event.query_parameters,
            body: event.body,
            is_base64_encoded: event.is_base64_encoded,
            request_context,
        }),
        EitherEvent {
            version: None,
            http_method: Some(http_method),
            path: Some(path),
            ..
        }
        | EitherEvent {
            raw_path: None,
            http_method: Some(http_method),
            path: Some(path),
            ..
        } => from_api_gateway(ApiGatewayEvent {
            path,
            http_method,
            headers: event.headers,
            query_parameters: event.query_parameters,
            path_parameters: event.path_parameters,
            body: event.body,
            is_base64_encoded: event.is_base64_encoded,
        }),
        // A shape with a field missing: the strict types name it.
        _ => from_event_strictly(raw),
    }
}

/// Decodes an event by its strict shape, which explains what is wrong with it.
fn from_event_strictly(raw: &[u8]) -> Result<Request, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Marks {
        version: Option<serde::de::IgnoredAny>,
        raw_path: Option<serde::de::IgnoredAny>,
        http_method: Option<serde::de::IgnoredAny>,
    }
    let marks: Marks = serde_json::from_slice(raw).map_err(|err| {
        Error::invalid_event(format!(
            "expected an HTTP request as an API Gateway or HTTP trigger event (JSON): {err}"
        ))
    })?;
    if marks.version.is_some() && marks.raw_path.is_some() {
        let event: HttpTriggerEvent = fc_core::adapter::parse_json(raw, HTTP_TRIGGER)?;
        from_http_trigger(event)
    } else if marks.http_method.is_some() {
        let event: ApiGatewayEvent = fc_core::adapter::parse_json(raw, API_GATEWAY)?;
        from_api_gateway(event)
    } else {
        Err(Error::invalid_event(
            "expected an HTTP request as an API Gateway event (`httpMethod`, `path`) or an HTTP \
             trigger event (`version`, `rawPath`, `requestContext.http`), but the event has neither",
        ))
    }
}

fn method(text: &str, what: &str) -> Result<Method, Error> {
    let name = text.trim();
    // Events carry upper-case names; only a lower-case one needs the copy.
    let parsed = if name.bytes().any(|b| b.is_ascii_lowercase()) {
        Method::from_bytes(name.to_ascii_uppercase().as_bytes())
    } else {
        Method::from_bytes(name.as_bytes())
    };
    parsed.map_err(|_| {
        Error::invalid_event(format!("invalid {what}: `{text}` is not an HTTP method"))
    })
}

fn header_map(headers: Vec<(String, String)>) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::try_from(value),
        ) {
            map.append(name, value);
        }
    }
    // The client's headers: of FC's own, only the function's credentials could be among them.
    crate::headers::strip_credentials(&mut map);
    map
}

fn query(params: &[(String, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    query.finish()
}

fn from_api_gateway(event: ApiGatewayEvent) -> Result<Request, Error> {
    let headers = header_map(event.headers);
    let mut info = RequestInfo::default();
    info.trigger = Trigger::FcApiGateway;
    info.path_params = event.path_parameters;
    info.raw_path = Some(event.path.clone());
    info.source_ip = forwarded_for(&headers);
    let body = event_body(event.body, event.is_base64_encoded, &headers, API_GATEWAY)?;
    let method = method(&event.http_method, API_GATEWAY)?;
    request(
        method,
        &event.path,
        &query(&event.query_parameters),
        headers,
        body,
        info,
        API_GATEWAY,
    )
}

fn from_http_trigger(event: HttpTriggerEvent) -> Result<Request, Error> {
    let headers = header_map(event.headers);
    let mut info = RequestInfo::default();
    info.trigger = Trigger::FcHttpEvent;
    info.raw_path = Some(event.raw_path.clone());
    info.source_ip = event
        .request_context
        .http
        .source_ip
        .as_deref()
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .or_else(|| forwarded_for(&headers));
    let body = event_body(event.body, event.is_base64_encoded, &headers, HTTP_TRIGGER)?;
    let method = event.request_context.http.method;
    request(
        method,
        &event.raw_path,
        &query(&event.query_parameters),
        headers,
        body,
        info,
        HTTP_TRIGGER,
    )
}

pub(crate) fn to_event_response(response: Response) -> Result<Bytes, Error> {
    let (parts, body) = response.into_parts();
    let (is_base64_encoded, body) = match EventBody::of(body)? {
        EventBody::Empty => (false, String::new()),
        EventBody::Text(text) => (false, text),
        EventBody::Binary(bytes) => (
            true,
            base64::engine::general_purpose::STANDARD.encode(bytes),
        ),
    };
    let out = EventResponse {
        is_base64_encoded,
        status_code: parts.status.as_u16(),
        headers: joined_headers(&parts.headers),
        body,
    };
    serde_json::to_vec(&out)
        .map(Bytes::from)
        .map_err(fc_core::adapter::unencodable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::http::{Body, RequestExt};

    #[test]
    fn the_default_domain_base_path_is_removed() {
        let req = http::Request::builder()
            .uri("/2016-08-15/proxy/shop/survey/submitSurvey?x=1")
            .header("x-fc-base-path", "/2016-08-15/proxy/shop/survey/")
            .header("x-fc-access-key-secret", "s")
            .body(())
            .unwrap();
        let (parts, ()) = req.into_parts();
        let req = from_passthrough(parts, Bytes::new()).unwrap();
        assert_eq!(req.uri().path(), "/submitSurvey");
        assert_eq!(req.uri().query(), Some("x=1"));
        assert!(req.headers().is_empty());
        assert_eq!(
            req.info().raw_path.as_deref(),
            Some("/2016-08-15/proxy/shop/survey/submitSurvey")
        );
    }

    #[test]
    fn other_base_paths_are_left_alone() {
        let req = http::Request::builder()
            .uri("/get")
            .header("x-fc-base-path", "/get")
            .body(())
            .unwrap();
        let (parts, ()) = req.into_parts();
        assert_eq!(
            from_passthrough(parts, Bytes::new()).unwrap().uri().path(),
            "/get"
        );
    }

    #[test]
    fn an_event_without_either_shape_is_explained() {
        let err = from_event(br#"{"path":"/x"}"#).unwrap_err();
        assert!(err.message().contains("has neither"), "{}", err.message());
        let err = from_event(b"\x00").unwrap_err();
        assert!(err.message().starts_with(
            "expected an HTTP request as an API Gateway or HTTP trigger event (JSON)"
        ));
        let err = from_event(br#"{"httpMethod":"GET"}"#).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid API Gateway trigger event: missing field `path` at line 1 column 20"
        );
    }

    #[test]
    fn inside_an_event_only_the_credentials_are_removed() {
        let req = from_event(
            br#"{"version":"v1","rawPath":"/a","requestContext":{"http":{"method":"GET"}},
                "headers":{"X-Fc-Client-Tag":"blue","x-fc-access-key-secret":"s",
                           "x-fc-security-token":"t","Accept":"text/html"}}"#,
        )
        .unwrap();
        let mut names: Vec<&str> = req.headers().keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["accept", "x-fc-client-tag"]);
    }

    #[test]
    fn an_event_with_the_fields_of_both_shapes_is_an_http_trigger_event() {
        let req = from_event(
            br#"{"version":"v1","rawPath":"/a","httpMethod":"POST","path":"/b",
                "requestContext":{"http":{"method":"GET"}}}"#,
        )
        .unwrap();
        assert_eq!(req.info().trigger, Trigger::FcHttpEvent);
        assert_eq!((req.method().as_str(), req.uri().path()), ("GET", "/a"));
        let err = from_event(
            br#"{"version":"v1","rawPath":"/a","httpMethod":"POST","path":"/b","requestContext":{}}"#,
        )
        .unwrap_err();
        assert!(
            err.message().starts_with(
                "invalid HTTP trigger event at `requestContext`: missing field `http`"
            ),
            "{}",
            err.message()
        );
    }

    #[test]
    fn responses_become_the_event_answer() {
        let mut response = Response::new(Body::binary(vec![1u8, 2]));
        response.headers_mut().append("x-a", "1".parse().unwrap());
        response.headers_mut().append("x-a", "2".parse().unwrap());
        let json: serde_json::Value =
            serde_json::from_slice(&to_event_response(response).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"isBase64Encoded": true, "statusCode": 200, "headers": {"x-a": "1, 2"}, "body": "AQI="})
        );
    }
}
