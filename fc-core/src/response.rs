//! Turning what an HTTP handler returns into a response.

use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::http::{Body, Response};

/// Something an HTTP handler can return.
///
/// Implemented for [`Response`], [`Body`], `String`, `&'static str`, `Vec<u8>`, `Bytes`, `()`,
/// [`StatusCode`], [`Json<T>`], [`Html<T>`], `(StatusCode, T)` and `Result<T, E>` where both
/// sides are responses. [`Error`] is a response too: a 500 that carries the request id and no
/// detail (the detail goes to the log).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an HTTP response",
    label = "an HTTP handler must return something that implements `IntoResponse`",
    note = "return `String`, `&'static str`, `Vec<u8>`, `fc::Json<T>`, `fc::http::Html<T>`, `(StatusCode, T)`, `fc::http::Response`, or `Result<T, fc::Error>` of one of them"
)]
pub trait IntoResponse {
    /// Makes the response.
    fn into_response(self) -> Response;
}

/// A JSON body a handler returns: an HTTP response with `Content-Type: application/json`, or
/// an event handler's result.
///
/// ```
/// use fc_core::{Json, http::Request};
///
/// #[derive(serde::Serialize)]
/// struct Greeting { hello: String }
///
/// async fn hello(req: Request) -> Json<Greeting> {
///     Json(Greeting { hello: req.uri().path().to_owned() })
/// }
/// ```
///
/// It is not an event: an HTTP handler takes [`Request`](crate::http::Request) and reads a
/// JSON body with [`RequestExt::json`](crate::http::RequestExt::json); any other JSON event is
/// a [`JsonEvent<T>`](crate::JsonEvent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Json<T>(pub T);

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Json(value)
    }
}

/// An HTML response (`Content-Type: text/html; charset=utf-8`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Html<T>(pub T);

/// Marks a response made from a handler's [`Error`], so the platform can log the detail and
/// replace the body with one that names the request id only.
#[derive(Clone, Debug)]
pub(crate) struct Failure(pub(crate) Arc<Error>);

fn with_content_type(body: Body, content_type: &'static str) -> Response {
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

const TEXT: &str = "text/plain; charset=utf-8";
const OCTETS: &str = "application/octet-stream";

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for Body {
    fn into_response(self) -> Response {
        Response::new(self)
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::new(Body::empty())
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = self;
        response
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        with_content_type(Body::text(self), TEXT)
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        with_content_type(Body::from(self), TEXT)
    }
}

impl IntoResponse for Cow<'static, str> {
    fn into_response(self) -> Response {
        self.into_owned().into_response()
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        with_content_type(Body::from(self), OCTETS)
    }
}

impl IntoResponse for Bytes {
    fn into_response(self) -> Response {
        with_content_type(Body::binary(self), OCTETS)
    }
}

impl<T: Into<Body>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        with_content_type(self.0.into(), "text/html; charset=utf-8")
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_string(&self.0) {
            Ok(text) => with_content_type(Body::text(text), "application/json"),
            Err(err) => Error::new(
                ErrorKind::Internal,
                format!("the response could not be encoded as JSON: {err}"),
            )
            .into_response(),
        }
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response {
        let mut response = self.1.into_response();
        *response.status_mut() = self.0;
        response
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(ok) => ok.into_response(),
            Err(err) => err.into_response(),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(Failure(Arc::new(self)));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content_type(response: &Response) -> &str {
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    #[test]
    fn common_types_get_their_content_type() {
        let r = "hi".into_response();
        assert_eq!((r.status(), content_type(&r)), (StatusCode::OK, TEXT));
        let r = vec![0u8, 1].into_response();
        assert_eq!(content_type(&r), OCTETS);
        assert!(r.body().is_binary());
        let r = Json(serde_json::json!({"ok": true})).into_response();
        assert_eq!(content_type(&r), "application/json");
        assert_eq!(r.body().as_str(), Some("{\"ok\":true}"));
        let r = Html("<h1>hi</h1>").into_response();
        assert_eq!(content_type(&r), "text/html; charset=utf-8");
    }

    #[test]
    fn status_tuples_and_results() {
        let r = (StatusCode::CREATED, "made").into_response();
        assert_eq!(r.status(), StatusCode::CREATED);
        let ok: Result<&'static str, Error> = Ok("fine");
        assert_eq!(ok.into_response().status(), StatusCode::OK);
        let err: Result<&'static str, (StatusCode, String)> =
            Err((StatusCode::BAD_REQUEST, "bad phone".into()));
        let r = err.into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.body().as_str(), Some("bad phone"));
    }

    #[test]
    fn errors_are_500_and_keep_the_detail_aside() {
        let r = Error::msg("db password wrong").into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.body().is_empty());
        let failure = r
            .extensions()
            .get::<Failure>()
            .map(|f| f.0.message().to_owned());
        assert_eq!(failure.as_deref(), Some("db password wrong"));
    }
}
