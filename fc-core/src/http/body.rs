//! The body of requests and responses: bytes that remember whether they are text, or a stream.

use std::fmt;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::error::BoxError;

/// A request or response body, and an [`http_body::Body`].
///
/// A body is either buffered — empty, text or binary bytes — or a stream of frames from any
/// other `http_body::Body` (axum's body, server-sent events, [`Body::from_stream`]).
///
/// Platforms that carry bodies inside JSON events need to know whether a body is text (sent as
/// a string) or binary (sent base64-encoded), so a buffered body keeps that distinction. A
/// stream passes through unbuffered where the platform can stream (HTTP on FC and locally,
/// Lambda response streaming) and is collected where it cannot.
///
/// Request bodies are always buffered: every platform delivers a request whole.
///
/// `Debug` shows the kind and length only: bodies carry passwords and personal data.
#[derive(Default)]
pub struct Body(Inner);

#[derive(Default)]
enum Inner {
    #[default]
    Empty,
    /// Always valid UTF-8.
    Text(Bytes),
    Binary(Bytes),
    // The mutex only makes the body `Sync` (so `&Request` may be held across an `.await` in a
    // `Send` future); it is never locked: polling has `&mut` access.
    Stream(Mutex<BoxBody>),
}

type BoxBody = Pin<Box<dyn http_body::Body<Data = Bytes, Error = BoxError> + Send + 'static>>;

impl Body {
    /// No body.
    pub const fn empty() -> Body {
        Body(Inner::Empty)
    }

    /// A text body.
    pub fn text(text: impl Into<String>) -> Body {
        let text: String = text.into();
        if text.is_empty() {
            return Body::empty();
        }
        Body(Inner::Text(Bytes::from(text)))
    }

    /// A binary body.
    pub fn binary(bytes: impl Into<Bytes>) -> Body {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Body::empty();
        }
        Body(Inner::Binary(bytes))
    }

    /// A body from bytes received with the given `Content-Type`: text when the type is textual
    /// and the bytes are UTF-8, binary otherwise.
    pub fn from_bytes(bytes: Bytes, content_type: Option<&str>) -> Body {
        if bytes.is_empty() {
            return Body::empty();
        }
        if content_type.is_some_and(is_text_content_type) && std::str::from_utf8(&bytes).is_ok() {
            return Body(Inner::Text(bytes));
        }
        Body(Inner::Binary(bytes))
    }

    /// A streaming body from any `http_body::Body` with `Bytes` frames: axum's body, a
    /// `StreamBody`, a hyper body.
    pub fn new<B>(body: B) -> Body
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut slot = Some(body);
        // Already one of ours: keep it as it is, buffered bodies stay buffered.
        if let Some(ours) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<Body>>() {
            return ours.take().unwrap_or_default();
        }
        let Some(body) = slot else {
            return Body::empty();
        };
        if body.is_end_stream() {
            return Body::empty();
        }
        let body = http_body_util::BodyExt::map_err(body, Into::into);
        Body(Inner::Stream(Mutex::new(Box::pin(body))))
    }

    /// A streaming body from a stream of chunks, as axum's `Body::from_stream`.
    pub fn from_stream<S, D, E>(stream: S) -> Body
    where
        S: futures_core::Stream<Item = Result<D, E>> + Send + 'static,
        D: Into<Bytes> + 'static,
        E: Into<BoxError> + 'static,
    {
        let frames = MapFrames(Box::pin(stream));
        Body(Inner::Stream(Mutex::new(Box::pin(
            http_body_util::StreamBody::new(frames),
        ))))
    }

    /// The body's bytes; empty for a stream, whose bytes are not here until it is collected
    /// (see [`Body::collect`]).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Inner::Empty | Inner::Stream(_) => &[],
            Inner::Text(bytes) | Inner::Binary(bytes) => bytes,
        }
    }

    /// The body as text: `Some` for text bodies and for binary bodies that are valid UTF-8,
    /// `None` for a stream.
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Inner::Empty => Some(""),
            Inner::Text(bytes) | Inner::Binary(bytes) => std::str::from_utf8(bytes).ok(),
            Inner::Stream(_) => None,
        }
    }

    /// The length in bytes of a buffered body (0 for a stream).
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the body is buffered and has no bytes.
    pub fn is_empty(&self) -> bool {
        matches!(self.0, Inner::Empty)
    }

    /// Whether the body is binary (and so is base64-encoded inside JSON events).
    pub fn is_binary(&self) -> bool {
        matches!(self.0, Inner::Binary(_))
    }

    /// Whether the body is a stream.
    pub fn is_stream(&self) -> bool {
        matches!(self.0, Inner::Stream(_))
    }

    /// The bytes of a buffered body, owned, without a copy; `None` for a stream.
    pub fn into_bytes(self) -> Option<Bytes> {
        match self.0 {
            Inner::Empty => Some(Bytes::new()),
            Inner::Text(bytes) | Inner::Binary(bytes) => Some(bytes),
            Inner::Stream(_) => None,
        }
    }

    /// The text of a text body, owned (no copy when the body was made from a `String`).
    pub fn into_text(self) -> Option<String> {
        match self.0 {
            Inner::Empty => Some(String::new()),
            Inner::Text(bytes) => String::from_utf8(Vec::from(bytes)).ok(),
            Inner::Binary(_) | Inner::Stream(_) => None,
        }
    }

    /// The body's data as a `Stream` of chunks, as axum's `Body::into_data_stream`; trailers
    /// are dropped.
    pub fn into_data_stream(self) -> DataStream {
        DataStream(self)
    }

    /// Reads a stream to its end; a buffered body is returned as it is. The collected bytes are
    /// text or binary by `content_type`, as for [`Body::from_bytes`].
    pub async fn collect(self, content_type: Option<&str>) -> Result<Body, BoxError> {
        match self.0 {
            Inner::Stream(stream) => {
                let stream = stream
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let bytes = http_body_util::BodyExt::collect(stream).await?.to_bytes();
                Ok(Body::from_bytes(bytes, content_type))
            }
            buffered => Ok(Body(buffered)),
        }
    }
}

/// A body's data chunks as a `Stream`, from [`Body::into_data_stream`].
#[derive(Debug)]
pub struct DataStream(Body);

impl futures_core::Stream for DataStream {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match http_body::Body::poll_frame(Pin::new(&mut self.0), cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
                Poll::Ready(Some(Err(err))) => return Poll::Ready(Some(Err(err))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Turns a stream of chunks into a stream of data frames.
struct MapFrames<D, E>(Pin<Box<dyn futures_core::Stream<Item = Result<D, E>> + Send>>);

impl<D: Into<Bytes>, E: Into<BoxError>> futures_core::Stream for MapFrames<D, E> {
    type Item = Result<Frame<Bytes>, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map(|d| Frame::data(d.into())).map_err(Into::into)))
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match &mut this.0 {
            Inner::Empty => Poll::Ready(None),
            Inner::Text(_) | Inner::Binary(_) => match std::mem::take(&mut this.0) {
                Inner::Text(bytes) | Inner::Binary(bytes) => {
                    Poll::Ready(Some(Ok(Frame::data(bytes))))
                }
                _ => Poll::Ready(None),
            },
            Inner::Stream(stream) => stream
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_mut()
                .poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Inner::Empty => true,
            Inner::Text(_) | Inner::Binary(_) => false,
            Inner::Stream(stream) => stream.lock().is_ok_and(|stream| stream.is_end_stream()),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Inner::Empty => SizeHint::with_exact(0),
            Inner::Text(bytes) | Inner::Binary(bytes) => SizeHint::with_exact(bytes.len() as u64),
            Inner::Stream(stream) => stream
                .lock()
                .map_or_else(|_| SizeHint::default(), |stream| stream.size_hint()),
        }
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
        match &self.0 {
            Inner::Empty => f.write_str("Body::Empty"),
            Inner::Text(text) => write!(f, "Body::Text({} bytes)", text.len()),
            Inner::Binary(bytes) => write!(f, "Body::Binary({} bytes)", bytes.len()),
            Inner::Stream(_) => f.write_str("Body::Stream"),
        }
    }
}

/// Buffered bodies are equal when they hold the same kind and bytes; a stream equals nothing.
impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Inner::Empty, Inner::Empty) => true,
            (Inner::Text(a), Inner::Text(b)) | (Inner::Binary(a), Inner::Binary(b)) => a == b,
            _ => false,
        }
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Self {
        Body::empty()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::text(text)
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Body::text(text)
    }
}

impl From<std::borrow::Cow<'static, str>> for Body {
    fn from(text: std::borrow::Cow<'static, str>) -> Self {
        Body::text(text)
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::binary(bytes)
    }
}

impl From<&[u8]> for Body {
    fn from(bytes: &[u8]) -> Self {
        Body::binary(Bytes::copy_from_slice(bytes))
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body::binary(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;
    use http_body_util::BodyExt;

    #[test]
    fn textual_content_types_make_text_bodies() {
        let body = Body::from_bytes(Bytes::from_static(b"{\"a\":1}"), Some("application/json"));
        assert_eq!(body, Body::text("{\"a\":1}"));
        let body = Body::from_bytes(Bytes::from_static(b"<p>"), Some("Text/HTML; charset=utf-8"));
        assert!(!body.is_binary());
        let body = Body::from_bytes(Bytes::from_static(b"\x89PNG"), Some("image/png"));
        assert!(body.is_binary());
        let body = Body::from_bytes(Bytes::from_static(b"\xff\xfe"), Some("text/plain"));
        assert!(body.is_binary(), "invalid UTF-8 stays binary");
        assert_eq!(Body::from_bytes(Bytes::new(), None), Body::empty());
    }

    #[test]
    fn debug_hides_the_content() {
        let body = Body::from("password=hunter2");
        assert_eq!(format!("{body:?}"), "Body::Text(16 bytes)");
    }

    #[test]
    fn text_from_a_string_is_not_copied() {
        let text = String::from("hello");
        let at = text.as_ptr();
        let body = Body::from(text);
        assert_eq!(body.as_bytes().as_ptr(), at);
        assert_eq!(body.into_text().map(|t| t.as_ptr()), Some(at));
    }

    #[tokio::test]
    async fn buffered_bodies_are_one_frame() {
        let body = Body::from("hi");
        assert_eq!(body.size_hint().exact(), Some(2));
        let collected = body.collect_all().await;
        assert_eq!(collected, Bytes::from_static(b"hi"));
        assert!(Body::empty().is_end_stream());
    }

    #[tokio::test]
    async fn streams_pass_frames_through_and_collect_by_content_type() {
        let chunks: Vec<Result<&'static str, std::io::Error>> = vec![Ok("a"), Ok("b")];
        let body = Body::from_stream(StreamOf(chunks.into_iter()));
        assert!(body.is_stream());
        assert_eq!(body.as_str(), None);
        let body = body.collect(Some("text/plain")).await.expect("collects");
        assert_eq!(body, Body::text("ab"));

        let failing: Vec<Result<&'static str, std::io::Error>> =
            vec![Ok("a"), Err(std::io::Error::other("gone"))];
        let err = Body::from_stream(StreamOf(failing.into_iter()))
            .collect(None)
            .await
            .expect_err("fails");
        assert_eq!(err.to_string(), "gone");
    }

    #[test]
    fn wrapping_one_of_ours_keeps_it_buffered() {
        let body = Body::new(Body::from("x"));
        assert_eq!(body, Body::text("x"));
        let body = Body::new(http_body_util::Full::new(Bytes::from_static(b"y")));
        assert!(body.is_stream());
        let body = Body::new(http_body_util::Empty::<Bytes>::new());
        assert!(body.is_empty());
    }

    struct StreamOf<I>(I);

    impl<I: Iterator + Unpin> futures_core::Stream for StreamOf<I> {
        type Item = I::Item;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
            Poll::Ready(self.0.next())
        }
    }

    trait CollectAll {
        async fn collect_all(self) -> Bytes;
    }

    impl CollectAll for Body {
        async fn collect_all(self) -> Bytes {
            BodyExt::collect(self)
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default()
        }
    }
}
