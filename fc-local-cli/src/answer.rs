//! Reading a function's `{statusCode, body, isBase64Encoded}` answer, as every gateway does.

use base64::Engine;
use bytes::Bytes;
use http::StatusCode;
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

/// `body`, base64-decoded when `isBase64Encoded` says so; `strict` refuses a body that is not
/// a string (AWS), otherwise it is sent as its JSON text (FC).
pub(crate) fn body(answer: &Value, strict: bool) -> Result<Bytes, InvalidAnswer> {
    match &answer["body"] {
        Value::Null => Ok(Bytes::new()),
        Value::String(text) if answer["isBase64Encoded"].as_bool() == Some(true) => {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(Bytes::from)
                .map_err(|err| format!("`body` is not valid base64: {err}").into())
        }
        Value::String(text) => Ok(Bytes::from(text.clone())),
        other if strict => Err(format!("`body` must be a string, got {other}").into()),
        other => Ok(Bytes::from(other.to_string())),
    }
}
