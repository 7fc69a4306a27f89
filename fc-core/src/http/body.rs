//! The body of requests and responses: bytes that remember whether they are text.

use std::fmt;

use bytes::Bytes;

/// A request or response body.
///
/// Platforms that carry bodies inside JSON events need to know whether a body is text (sent
/// as a string) or binary (sent base64-encoded), so the body keeps that distinction.
///
/// `Debug` shows the kind and length only: bodies carry passwords and personal data.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A UTF-8 body.
    Text(String),
    /// Any other bytes.
    Binary(Bytes),
}

impl Body {
    /// The body's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Body::Empty => &[],
            Body::Text(text) => text.as_bytes(),
            Body::Binary(bytes) => bytes,
        }
    }

    /// The body as text: `Some` for text bodies and for binary bodies that are valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Body::Empty => Some(""),
            Body::Text(text) => Some(text),
            Body::Binary(bytes) => std::str::from_utf8(bytes).ok(),
        }
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the body has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the body is binary (and so is base64-encoded inside JSON events).
    pub fn is_binary(&self) -> bool {
        matches!(self, Body::Binary(_))
    }

    /// The body's bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        match self {
            Body::Empty => Bytes::new(),
            Body::Text(text) => Bytes::from(text),
            Body::Binary(bytes) => bytes,
        }
    }

    /// A body from bytes received with the given `Content-Type`: text when the type is textual
    /// and the bytes are UTF-8, binary otherwise.
    pub fn from_bytes(bytes: Bytes, content_type: Option<&str>) -> Body {
        if bytes.is_empty() {
            return Body::Empty;
        }
        if content_type.is_some_and(is_text_content_type) {
            if let Ok(text) = std::str::from_utf8(&bytes) {
                return Body::Text(text.to_owned());
            }
        }
        Body::Binary(bytes)
    }
}

/// Whether a `Content-Type` names a textual format (`text/*`, JSON, XML, JavaScript, forms).
pub fn is_text_content_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/xml"
                | "application/javascript"
                | "application/x-www-form-urlencoded"
                | "application/graphql"
                | "image/svg+xml"
        )
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Body::Empty"),
            Body::Text(text) => write!(f, "Body::Text({} bytes)", text.len()),
            Body::Binary(bytes) => write!(f, "Body::Binary({} bytes)", bytes.len()),
        }
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Self {
        Body::Empty
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::Text(text)
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Body::Text(text.to_owned())
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::Binary(bytes.into())
    }
}

impl From<&[u8]> for Body {
    fn from(bytes: &[u8]) -> Self {
        Body::Binary(Bytes::copy_from_slice(bytes))
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body::Binary(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textual_content_types_make_text_bodies() {
        let body = Body::from_bytes(Bytes::from_static(b"{\"a\":1}"), Some("application/json"));
        assert_eq!(body, Body::Text("{\"a\":1}".into()));
        let body = Body::from_bytes(Bytes::from_static(b"<p>"), Some("Text/HTML; charset=utf-8"));
        assert!(!body.is_binary());
        let body = Body::from_bytes(Bytes::from_static(b"\x89PNG"), Some("image/png"));
        assert!(body.is_binary());
        let body = Body::from_bytes(Bytes::from_static(b"\xff\xfe"), Some("text/plain"));
        assert!(body.is_binary(), "invalid UTF-8 stays binary");
        assert_eq!(Body::from_bytes(Bytes::new(), None), Body::Empty);
    }

    #[test]
    fn debug_hides_the_content() {
        let body = Body::from("password=hunter2");
        assert_eq!(format!("{body:?}"), "Body::Text(16 bytes)");
    }
}
