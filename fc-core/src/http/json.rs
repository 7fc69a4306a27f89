//! Reading a request's body as JSON, and the answer when it is not.

use std::fmt;

use http::{HeaderValue, StatusCode, header};
use serde::de::DeserializeOwned;

use super::{Body, IntoResponse, Request, Response};
use crate::adapter::from_json;
use crate::error::{Error, ErrorKind};

/// Why [`RequestExt::json`](super::RequestExt::json) could not read a request's body.
///
/// As a response it is the answer a client should get: 415 when the request does not say it
/// is JSON, 400 when the body is not the JSON the handler needs, with the reason as plain text
/// (serde's own words: the field, the line and column). A body that is a stream is the
/// caller's mistake, not the client's: that answers 500, and the detail goes to the log.
#[derive(Debug)]
pub struct JsonRejection(Kind);

#[derive(Debug)]
enum Kind {
    /// `Content-Type` missing or not a JSON type; the value, when there was one in text.
    ContentType(Option<String>),
    /// The body is not the JSON of the type asked for.
    Invalid {
        at: String,
        error: serde_json::Error,
    },
    /// The body is a stream, not read yet.
    Stream,
}

impl JsonRejection {
    /// The status this answers with: 415, 400, or 500 for a streaming body.
    pub fn status(&self) -> StatusCode {
        match self.0 {
            Kind::ContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::Invalid { .. } => StatusCode::BAD_REQUEST,
            Kind::Stream => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for JsonRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const EXPECTED: &str = "expected a request with `Content-Type: application/json`";
        match &self.0 {
            Kind::ContentType(None) => f.write_str(EXPECTED),
            Kind::ContentType(Some(given)) => write!(f, "{EXPECTED}, not `{given}`"),
            Kind::Invalid { at, error } => write!(f, "invalid JSON body{at}: {error}"),
            Kind::Stream => f.write_str(
                "the request body is a stream: collect it with `Body::collect` before reading it as JSON",
            ),
        }
    }
}

impl std::error::Error for JsonRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0 {
            Kind::Invalid { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl IntoResponse for JsonRejection {
    fn into_response(self) -> Response {
        if let Kind::Stream = self.0 {
            return Error::new(ErrorKind::Internal, self.to_string()).into_response();
        }
        let mut response = Response::new(Body::text(self.to_string()));
        *response.status_mut() = self.status();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

/// The body of `req` as a `T`, if the request says it is JSON.
pub(super) fn read<T: DeserializeOwned>(req: &Request) -> Result<T, JsonRejection> {
    match req.headers().get(header::CONTENT_TYPE) {
        Some(value) if value.to_str().is_ok_and(is_json) => {}
        Some(value) => {
            let given = value.to_str().ok().map(str::to_owned);
            return Err(JsonRejection(Kind::ContentType(given)));
        }
        None => return Err(JsonRejection(Kind::ContentType(None))),
    }
    if req.body().is_stream() {
        return Err(JsonRejection(Kind::Stream));
    }
    from_json(req.body().as_bytes())
        .map_err(|(at, error)| JsonRejection(Kind::Invalid { at, error }))
}

/// `application/json`, or `application/<anything>+json`, with any parameters.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let subtype = subtype.to_ascii_lowercase();
    kind.eq_ignore_ascii_case("application") && (subtype == "json" || subtype.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::RequestExt;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Order {
        id: u64,
        qty: u32,
    }

    fn post(content_type: Option<&str>, body: impl Into<Body>) -> Request {
        let mut req = Request::new(body.into());
        if let Some(content_type) = content_type {
            req.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("x")),
            );
        }
        req
    }

    fn answer(rejection: JsonRejection) -> (StatusCode, String) {
        let response = rejection.into_response();
        let body = response.body().as_str().unwrap_or_default().to_owned();
        (response.status(), body)
    }

    #[test]
    fn a_json_body_is_read() {
        let req = post(Some("application/json"), r#"{"id":7,"qty":2}"#);
        assert_eq!(req.json::<Order>().ok(), Some(Order { id: 7, qty: 2 }));
        let req = post(
            Some("Application/Problem+JSON; charset=utf-8"),
            r#"{"id":7,"qty":2}"#,
        );
        assert_eq!(req.json::<Order>().ok(), Some(Order { id: 7, qty: 2 }));
    }

    #[test]
    fn bad_json_is_a_400_in_serdes_words() {
        let req = post(Some("application/json"), r#"{"id":7,"qty":}"#);
        let (status, body) = answer(req.json::<Order>().unwrap_err());
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            "invalid JSON body at `qty`: expected value at line 1 column 15"
        );

        let req = post(Some("application/json"), Body::empty());
        let (status, body) = answer(req.json::<Order>().unwrap_err());
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            "invalid JSON body: EOF while parsing a value at line 1 column 0"
        );

        let req = post(Some("application/json"), r#"{"id":7,"qty":2} {}"#);
        let rejection = req.json::<Order>().unwrap_err();
        assert!(std::error::Error::source(&rejection).is_some());
        let (_, body) = answer(rejection);
        assert_eq!(
            body,
            "invalid JSON body: trailing characters at line 1 column 18"
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named() {
        let req = post(Some("application/json"), r#"{"id":7,"qty":"two"}"#);
        let (status, body) = answer(req.json::<Order>().unwrap_err());
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            "invalid JSON body at `qty`: invalid type: string \"two\", expected u32 at line 1 column 19"
        );
        let req = post(Some("application/json"), r#"{"id":7}"#);
        let (_, body) = answer(req.json::<Order>().unwrap_err());
        assert_eq!(
            body,
            "invalid JSON body: missing field `qty` at line 1 column 8"
        );
    }

    #[test]
    fn a_missing_or_other_content_type_is_a_415() {
        let req = post(None, r#"{"id":7,"qty":2}"#);
        let (status, body) = answer(req.json::<Order>().unwrap_err());
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            body,
            "expected a request with `Content-Type: application/json`"
        );
        for other in ["text/plain", "application/jsonx", "text/json", "json"] {
            let req = post(Some(other), r#"{"id":7,"qty":2}"#);
            let (status, body) = answer(req.json::<Order>().unwrap_err());
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{other}");
            assert_eq!(
                body,
                format!("expected a request with `Content-Type: application/json`, not `{other}`")
            );
        }
    }

    #[test]
    fn a_streaming_body_is_not_read_and_is_the_callers_mistake() {
        let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![Ok(b"{}")];
        let stream = Body::from_stream(StreamOf(chunks.into_iter()));
        let req = post(Some("application/json"), stream);
        let rejection = req.json::<serde_json::Value>().unwrap_err();
        assert_eq!(rejection.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let response = rejection.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        // The detail is for the log: the platform replaces the body with the request id.
        assert!(response.body().is_empty());
    }

    #[tokio::test]
    async fn a_handler_answers_the_rejection_with_question_mark() {
        use crate::{Json, testing};

        async fn create(req: Request) -> Result<(StatusCode, Json<u64>), JsonRejection> {
            let order: Order = req.json()?;
            Ok((StatusCode::CREATED, Json(order.id * u64::from(order.qty))))
        }

        let ok = testing::post_json("/orders", &serde_json::json!({"id": 7, "qty": 2}));
        let response = testing::invoke(create, ok).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.body().as_str(), Some("14"));

        let response = testing::invoke(create, testing::post("/orders", "{\"id\":7}")).await;
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

        let bad = testing::post_json("/orders", &serde_json::json!({"id": -1, "qty": 2}));
        let response = testing::invoke(create, bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.body().as_str(),
            Some(
                "invalid JSON body at `id`: invalid value: integer `-1`, expected u64 at line 1 column 8"
            )
        );
    }

    struct StreamOf<I>(I);

    impl<I: Iterator + Unpin> futures_core::Stream for StreamOf<I> {
        type Item = I::Item;

        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<I::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
}
