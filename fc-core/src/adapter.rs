//! Helpers for platform adapters: the decoding every adapter does the same way.
//!
//! Handlers never need these; `fc-aws`, `fc-aliyun`, `fc-knative` and `fc-local` use them so
//! that a bad event reads the same on every platform.

pub mod s3;

use std::net::IpAddr;

use base64::Engine;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::Error;
use crate::http::{Body, HeaderMap, Method, Request, RequestInfo, Uri, header};

/// Parses `raw` as `T`, the whole of it; a failure says which field of the `what` was wrong
/// and what was expected there: "invalid S3 event at `Records[0].s3`: missing field `bucket`".
pub fn parse_json<'a, T: Deserialize<'a>>(raw: &'a [u8], what: &str) -> Result<T, Error> {
    from_json(raw).map_err(|(at, err)| Error::invalid_event(format!("invalid {what}{at}: {err}")))
}

/// Parses `raw` as `T`, the whole of it; a failure gives where it happened (`` at `a.b[0]` ``,
/// or nothing for the document itself) and serde's error, which has the line and column.
pub(crate) fn from_json<'a, T: Deserialize<'a>>(
    raw: &'a [u8],
) -> Result<T, (String, serde_json::Error)> {
    // Tracking the path costs on every value, and only a failure needs it: parse plainly, and
    // parse again with the path only to explain a failure.
    if let Ok(value) = serde_json::from_slice(raw) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(raw);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let at = match err.path().to_string().as_str() {
            "." | "?" => String::new(),
            // Deeply nested input makes paths as long as the input: keep the start.
            path if path.len() > 80 => {
                let cut = path.char_indices().nth(60).map_or(path.len(), |(i, _)| i);
                format!(" at `{}…`", &path[..cut])
            }
            path => format!(" at `{path}`"),
        };
        (at, err.into_inner())
    })?;
    de.end().map_err(|err| (String::new(), err))?;
    Ok(value)
}

/// The body of an HTTP request carried inside an event: text, or base64 when the event says
/// so (then text or binary by its `Content-Type`).
pub fn event_body(
    body: Option<String>,
    base64: bool,
    headers: &HeaderMap,
    what: &str,
) -> Result<Body, Error> {
    let Some(body) = body.filter(|b| !b.is_empty()) else {
        return Ok(Body::empty());
    };
    if !base64 {
        return Ok(Body::text(body));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|err| {
            Error::invalid_event(format!(
                "invalid {what}: `body` is not valid base64 although `isBase64Encoded` is true: {err}"
            ))
        })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Ok(Body::from_bytes(bytes.into(), content_type))
}

/// A response body as a JSON event carries it, once any stream is collected
/// ([`Outcome::buffered`](crate::Outcome::buffered)).
#[derive(Debug)]
pub enum EventBody {
    /// No body.
    Empty,
    /// Text, sent as a JSON string.
    Text(String),
    /// Bytes, sent base64-encoded with `isBase64Encoded: true`.
    Binary(bytes::Bytes),
}

impl EventBody {
    /// The body of a buffered response; a stream that was not collected is an internal error.
    pub fn of(body: Body) -> Result<EventBody, Error> {
        if body.is_empty() {
            Ok(EventBody::Empty)
        } else if body.is_binary() {
            Ok(EventBody::Binary(body.into_bytes().unwrap_or_default()))
        } else if let Some(text) = body.into_text() {
            Ok(EventBody::Text(text))
        } else {
            Err(Error::new(
                crate::ErrorKind::Internal,
                "a streaming response reached an encoder that needs it whole",
            ))
        }
    }
}

/// Characters a URI path or query cannot hold as they are; `%` stays, so existing escapes do.
const UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^');

/// Builds the handler's request from the parts an event carries; `what` names the event in
/// errors. `path` is the one the handler routes on (spaces and non-ASCII are encoded here);
/// `query` is encoded (`a=1&b=x%20y`) or empty; `info` is the platform's data about the request.
pub fn request(
    method: http::Method,
    path: &str,
    query: &str,
    headers: HeaderMap,
    body: Body,
    info: RequestInfo,
    what: &str,
) -> Result<Request, Error> {
    let mut target = utf8_percent_encode(path, UNSAFE).to_string();
    if !target.starts_with('/') {
        target.insert(0, '/');
    }
    if !query.is_empty() {
        target.push('?');
        target.extend(utf8_percent_encode(query, UNSAFE));
    }
    let uri: Uri = target.parse().map_err(|err| {
        Error::invalid_event(format!(
            "invalid {what}: `{target}` is not a valid path: {err}"
        ))
    })?;
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    request.extensions_mut().insert(info);
    Ok(request)
}

/// `X-Forwarded-For`, which the `http` crate has no constant for; a name looked up as a string
/// is parsed again on every lookup.
const X_FORWARDED_FOR: header::HeaderName = header::HeaderName::from_static("x-forwarded-for");

/// The client address a proxy put first in `X-Forwarded-For`.
pub fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get(X_FORWARDED_FOR)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|ip| {
            let ip = ip.trim();
            // Azure's front end writes the client's port too: `203.0.113.5:52345`.
            ip.parse().ok().or_else(|| {
                ip.parse::<std::net::SocketAddr>()
                    .ok()
                    .map(|addr| addr.ip())
            })
        })
}

/// Headers or query parameters as both clouds send them, `{"name": "value" | ["value", …]}` or
/// `null`, read into `(name, value)` pairs in the event's order. For `#[serde(deserialize_with)]`.
///
/// Reading each value by its type, instead of through an untagged enum, avoids buffering the
/// whole map: these maps are most of an HTTP event.
pub fn pairs<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<(String, String)>, D::Error> {
    de.deserialize_option(PairsVisitor)
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = Vec<(String, String)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of names to a string or a list of strings")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_map(self)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(name) = map.next_key::<String>()? {
            map.next_value_seed(Values {
                name,
                pairs: &mut pairs,
            })?;
        }
        Ok(pairs)
    }
}

/// The `requestContext.http` object of AWS's HTTP API (payload 2.0) and Function URL events,
/// which FC 3.0's HTTP-trigger events copied: the method, the path and the client.
///
/// Source: AWS API Gateway, "Working with AWS Lambda proxy integrations for HTTP APIs";
/// Function Compute 3.0, "HTTP trigger: event format of the request".
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpDescription<'a> {
    /// The method.
    #[serde(deserialize_with = "method", serialize_with = "method_name")]
    pub method: Method,
    /// The path.
    #[serde(default)]
    pub path: Option<String>,
    /// `HTTP/1.1`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Cow<'a, str>>,
    /// The client's address.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// The client's `User-Agent`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<Cow<'a, str>>,
}

/// An HTTP method by name, for `#[serde(deserialize_with)]`: API Gateway's console test sends
/// an empty one for GET, and a lower-case name is the upper-case method.
pub fn method<'de, D: Deserializer<'de>>(de: D) -> Result<Method, D::Error> {
    struct MethodVisitor;

    impl Visitor<'_> for MethodVisitor {
        type Value = Method;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an HTTP method")
        }

        fn visit_str<E: de::Error>(self, name: &str) -> Result<Method, E> {
            if name.is_empty() {
                return Ok(Method::GET);
            }
            // Events carry upper-case names; only a lower-case one needs the copy.
            let parsed = if name.bytes().any(|b| b.is_ascii_lowercase()) {
                Method::from_bytes(name.to_ascii_uppercase().as_bytes())
            } else {
                Method::from_bytes(name.as_bytes())
            };
            parsed.map_err(|_| E::invalid_value(de::Unexpected::Str(name), &self))
        }
    }

    de.deserialize_str(MethodVisitor)
}

/// A method by name, for `#[serde(serialize_with)]`.
pub fn method_name<S: Serializer>(method: &Method, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(method.as_str())
}

/// The error of a response that could not be encoded for the platform.
pub fn unencodable(err: impl fmt::Display) -> Error {
    Error::new(
        crate::ErrorKind::Internal,
        format!("the response could not be encoded: {err}"),
    )
}

/// Pairs as an event carries them, `{"name": "value", …}`, or `null` when there are none; the
/// names must be unique. For `#[serde(serialize_with)]`, the other way of [`pairs`].
pub fn pairs_or_null<S: Serializer>(pairs: &[(String, String)], ser: S) -> Result<S::Ok, S::Error> {
    if pairs.is_empty() {
        return ser.serialize_none();
    }
    ser.collect_map(pairs.iter().map(|(name, value)| (name, value)))
}

/// Pairs as a multi-value map, `{"name": ["value", …], …}` with the values of a name in order,
/// or `null` when there are none. For `#[serde(serialize_with)]`, the other way of [`pairs`].
pub fn grouped_pairs_or_null<S: Serializer>(
    pairs: &[(String, String)],
    ser: S,
) -> Result<S::Ok, S::Error> {
    if pairs.is_empty() {
        return ser.serialize_none();
    }
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (name, value) in pairs {
        match groups.iter_mut().find(|(known, _)| *known == name) {
            Some((_, values)) => values.push(value),
            None => groups.push((name, vec![value])),
        }
    }
    ser.collect_map(groups)
}

/// One name's value or values, appended to `pairs`.
struct Values<'a> {
    name: String,
    pairs: &'a mut Vec<(String, String)>,
}

impl<'de> DeserializeSeed<'de> for Values<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Values<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a list of strings")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.visit_string(value.to_owned())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<(), E> {
        self.pairs.push((self.name, value));
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(value) = seq.next_element::<String>()? {
            self.pairs.push((self.name.clone(), value));
        }
        Ok(())
    }
}

/// A JSON answer with `status`.
pub fn json_response(status: http::StatusCode, body: bytes::Bytes) -> crate::http::Response {
    let mut response = crate::http::Response::new(Body::binary(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// The `{"errorType", "errorMessage"}` body of a failure.
pub fn error_body(err: &Error) -> bytes::Bytes {
    let body = serde_json::json!({
        "errorType": err.kind().as_str(),
        "errorMessage": format!("{err:#}"),
    });
    bytes::Bytes::from(body.to_string())
}

/// A failure's answer over HTTP: 400 for input that cannot be read, which a retry would not
/// change; 500 for the rest, which platforms retry.
pub fn error_response(err: &Error) -> crate::http::Response {
    json_response(error_status(err), error_body(err))
}

/// The status of a failure's answer: 400 for unreadable input, 500 otherwise.
pub fn error_status(err: &Error) -> http::StatusCode {
    match err.kind() {
        crate::ErrorKind::InvalidEvent => http::StatusCode::BAD_REQUEST,
        _ => http::StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Headers from name and value text, as events carry them; a pair that is no valid header is
/// left out.
pub fn header_map<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

/// Response headers as a JSON object: each name with its value, an array for a header given
/// several times (`Set-Cookie`); values that are not text are left out.
pub fn headers_json(headers: &HeaderMap) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut out = serde_json::Map::new();
    for name in headers.keys() {
        let mut values = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| Value::String(v.to_owned()));
        let value = match (values.next(), values.next()) {
            (Some(one), None) => one,
            (Some(first), Some(second)) => {
                Value::Array([first, second].into_iter().chain(values).collect())
            }
            (None, _) => continue,
        };
        out.insert(name.as_str().to_owned(), value);
    }
    out
}

/// A request that arrived as HTTP, its body read: the body typed by its `Content-Type`, the
/// platform's `info` in its extensions.
pub fn passthrough(parts: http::request::Parts, body: bytes::Bytes, info: RequestInfo) -> Request {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let body = Body::from_bytes(body, content_type);
    let mut request = Request::from_parts(parts, body);
    request.extensions_mut().insert(info);
    request
}

/// A fresh, random request id: a UUID v4, as the clouds' request ids are.
///
/// The random bits come from a per-thread generator seeded once, not from the operating
/// system: an id must be unique, not secret, and a system call per request showed in the
/// local platform's profile.
pub fn request_id() -> String {
    let bytes = fastrand::u128(..).to_le_bytes();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    // Encoded on the stack, then one allocation of the exact size (no formatter, no regrowth).
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut text)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_first_forwarded_address_is_the_client_with_or_without_its_port() {
        let client = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(X_FORWARDED_FOR, http::HeaderValue::from_static(value));
            forwarded_for(&headers).map(|ip| ip.to_string())
        };
        assert_eq!(
            client("203.0.113.5, 10.0.0.1").as_deref(),
            Some("203.0.113.5")
        );
        assert_eq!(client("203.0.113.5:52345").as_deref(), Some("203.0.113.5"));
        assert_eq!(client("[2001:db8::1]:443").as_deref(), Some("2001:db8::1"));
        assert_eq!(client("2001:db8::1").as_deref(), Some("2001:db8::1"));
        assert_eq!(client("unknown"), None);
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        size: u64,
    }

    #[test]
    fn json_errors_name_the_path() {
        let err = parse_json::<Outer>(br#"{"inner":{"size":"big"}}"#, "S3 event").unwrap_err();
        assert_eq!(
            err.message(),
            "invalid S3 event at `inner.size`: invalid type: string \"big\", expected u64 at line 1 column 22"
        );
        let err = parse_json::<Outer>(b"true", "S3 event").unwrap_err();
        assert!(
            err.message()
                .starts_with("invalid S3 event: invalid type: boolean `true`"),
            "{}",
            err.message()
        );
        let err = parse_json::<u8>(b"1 2", "JSON event").unwrap_err();
        assert!(
            err.message().contains("trailing characters"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn bodies_and_paths_from_events() {
        let headers = HeaderMap::new();
        assert_eq!(
            event_body(Some("aGk=".into()), true, &headers, "e")
                .unwrap()
                .as_bytes(),
            b"hi"
        );
        assert_eq!(
            event_body(Some(String::new()), false, &headers, "e").unwrap(),
            Body::empty()
        );
        let err = event_body(Some("!!".into()), true, &headers, "API event").unwrap_err();
        assert!(
            err.message()
                .starts_with("invalid API event: `body` is not valid base64")
        );
        let req = request(
            http::Method::GET,
            "my path/é",
            "q=a b",
            headers,
            Body::empty(),
            RequestInfo::default(),
            "e",
        )
        .unwrap();
        assert_eq!(req.uri().to_string(), "/my%20path/%C3%A9?q=a%20b");
    }

    #[test]
    fn pairs_keep_the_event_order_and_refuse_other_values() {
        #[derive(Deserialize, Debug)]
        struct Event {
            #[serde(default, deserialize_with = "pairs")]
            headers: Vec<(String, String)>,
        }
        let event: Event =
            serde_json::from_str(r#"{"headers":{"b":"1","a":["2","3"],"c":[],"d":"x\"y"}}"#)
                .unwrap();
        let expected = [("b", "1"), ("a", "2"), ("a", "3"), ("d", "x\"y")];
        let got: Vec<(&str, &str)> = event
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expected);
        for empty in [r#"{"headers":null}"#, "{}"] {
            let event: Event = serde_json::from_str(empty).unwrap();
            assert!(event.headers.is_empty(), "{empty}");
        }
        let err = parse_json::<Event>(br#"{"headers":{"a":1}}"#, "e").unwrap_err();
        assert!(
            err.message()
                .starts_with("invalid e at `headers.a`: invalid type: integer `1`, expected a string or a list of strings"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn ids_are_uuid_v4_shaped_and_unique() {
        let ids: HashSet<String> = (0..10_000).map(|_| request_id()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(50) {
            let parts: Vec<&str> = id.split('-').collect();
            let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
            assert_eq!(lens, [8, 4, 4, 4, 12], "{id}");
            assert!(parts[2].starts_with('4'), "{id}");
            assert!(
                matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
                "{id}"
            );
        }
    }
}
