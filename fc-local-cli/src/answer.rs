//! Reading a function's `{statusCode, body, isBase64Encoded}` answer, as every gateway does.

use base64::Engine;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::Value;

use crate::emulator::InvalidAnswer;

/// `statusCode`, a number or a numeric string.
pub(crate) fn status(answer: &Value) -> Result<StatusCode, InvalidAnswer> {
    let code = &answer["statusCode"];
    match code {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .and_then(|code| StatusCode::from_u16(code).ok())
    .ok_or_else(|| format!("`statusCode` is not an HTTP status: {code}").into())
}

/// `body`, base64-decoded when `isBase64Encoded` says so (`true`, or `"true"` as Tencent's
/// gateways write it); `strict` refuses a body that is not a string (AWS), otherwise it is
/// sent as its JSON text (FC, SCF).
pub(crate) fn body(answer: &Value, strict: bool) -> Result<Bytes, InvalidAnswer> {
    let base64 = match &answer["isBase64Encoded"] {
        Value::Bool(flag) => *flag,
        Value::String(flag) => flag.eq_ignore_ascii_case("true"),
        _ => false,
    };
    match &answer["body"] {
        Value::Null => Ok(Bytes::new()),
        Value::String(text) if base64 => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Bytes::from)
            .map_err(|err| format!("`body` is not valid base64: {err}").into()),
        Value::String(text) => Ok(Bytes::from(text.clone())),
        other if strict => Err(format!("`body` must be a string, got {other}").into()),
        other => Ok(Bytes::from(other.to_string())),
    }
}

/// Any JSON answer without `statusCode`, as a 200 JSON body (AWS HTTP APIs and Function URLs,
/// SCF function URLs).
pub(crate) fn json(payload: &[u8]) -> Response<Bytes> {
    let mut response = Response::new(Bytes::copy_from_slice(payload));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Adds a header of a JSON answer: a string as it is, a number or boolean as its text; one that
/// is no valid header is left out.
pub(crate) fn append_header(headers: &mut http::HeaderMap, name: &str, value: &Value) {
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
}

/// Adds the headers of a JSON answer's `{name: value | [value, …]}` map (FC, SCF, Azure).
pub(crate) fn append_headers(headers: &mut http::HeaderMap, map: &Value) {
    for (name, value) in map.as_object().into_iter().flatten() {
        match value {
            Value::Array(values) => {
                for value in values {
                    append_header(headers, name, value);
                }
            }
            value => append_header(headers, name, value),
        }
    }
}
