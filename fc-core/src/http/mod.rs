//! HTTP requests and responses, on the [`http`](https://docs.rs/http) crate.
//!
//! A handler for HTTP takes a [`Request`] and returns anything that is [`IntoResponse`]; it
//! reads a JSON body as the type it wants with [`RequestExt::json`]. Every platform delivers
//! the same request: the path the user routed on (no API Gateway stage, no FC base path),
//! decoded query, headers and body, and a [`RequestInfo`] in the extensions.

mod body;
mod ext;
mod info;
mod json;

pub use ::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, Version, header};
pub use body::{Body, DataStream, is_text_content_type};
pub use ext::RequestExt;
pub use info::{RequestInfo, Trigger};
pub use json::JsonRejection;

pub use crate::response::{Html, IntoResponse};

/// An HTTP request as handlers see it.
pub type Request = ::http::Request<Body>;

/// An HTTP response as handlers return it.
pub type Response = ::http::Response<Body>;
