//! Conveniences on [`Request`]: the platform's data, path and query parameters, a JSON body.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use super::info::NO_INFO;
use super::json::{self, JsonRejection};
use super::{Request, RequestInfo};

/// Conveniences on [`Request`].
pub trait RequestExt {
    /// The platform's data about this request (an empty one if no adapter added it).
    fn info(&self) -> &RequestInfo;

    /// A path parameter matched by the gateway.
    fn path_param(&self, name: &str) -> Option<&str>;

    /// The first value of a query-string parameter, percent-decoded.
    fn query_param(&self, name: &str) -> Option<Cow<'_, str>>;

    /// Every query-string parameter in order, percent-decoded, repeated names included.
    fn query_params(&self) -> Vec<(Cow<'_, str>, Cow<'_, str>)>;

    /// The body, read as the JSON of a `T`: the typed body of an HTTP handler.
    ///
    /// The request must say it is JSON (`Content-Type: application/json`, or a
    /// `application/*+json` type), else the rejection is a 415; a body that is not the JSON of
    /// a `T` is a 400 that names serde's reason, the field and the line and column. Return the
    /// rejection with `?` from a handler whose error type is [`JsonRejection`] (or convert it),
    /// and the client gets that answer:
    ///
    /// ```
    /// use fc_core::http::{JsonRejection, Request, RequestExt, StatusCode};
    /// use fc_core::Json;
    ///
    /// #[derive(serde::Deserialize, serde::Serialize)]
    /// struct Order { id: u64, qty: u32 }
    ///
    /// async fn create(req: Request) -> Result<(StatusCode, Json<Order>), JsonRejection> {
    ///     let order: Order = req.json()?;
    ///     Ok((StatusCode::CREATED, Json(order)))
    /// }
    /// ```
    ///
    /// Request bodies arrive buffered from every platform, so this reads them in place. A
    /// body that is a stream (one a test or a tower layer made with [`Body::new`]) is not
    /// read: collect it first with [`Body::collect`]; as a response that rejection is a 500.
    ///
    /// [`Body::new`]: super::Body::new
    /// [`Body::collect`]: super::Body::collect
    fn json<T: DeserializeOwned>(&self) -> Result<T, JsonRejection>;
}

impl RequestExt for Request {
    fn info(&self) -> &RequestInfo {
        self.extensions().get::<RequestInfo>().unwrap_or(&NO_INFO)
    }

    fn path_param(&self, name: &str) -> Option<&str> {
        self.info().path_params.get(name).map(String::as_str)
    }

    fn query_param(&self, name: &str) -> Option<Cow<'_, str>> {
        let query = self.uri().query()?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    fn query_params(&self) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        let query = self.uri().query().unwrap_or_default();
        form_urlencoded::parse(query.as_bytes()).collect()
    }

    fn json<T: DeserializeOwned>(&self) -> Result<T, JsonRejection> {
        json::read(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Body;

    #[test]
    fn query_parameters_are_decoded() {
        let req = ::http::Request::builder()
            .uri("/hello?name=J%C3%BCrgen+M&tag=a&tag=b")
            .body(Body::empty())
            .unwrap_or_default();
        assert_eq!(req.query_param("name").as_deref(), Some("Jürgen M"));
        assert_eq!(req.query_param("missing"), None);
        let tags: Vec<_> = req
            .query_params()
            .into_iter()
            .filter(|(k, _)| k == "tag")
            .map(|(_, v)| v.into_owned())
            .collect();
        assert_eq!(tags, ["a", "b"]);
    }
}
