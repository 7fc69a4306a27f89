//! What the platform knows about an HTTP request beyond the request itself.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::IpAddr;

use super::Request;

/// How an HTTP request reached the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Trigger {
    /// The local development server.
    #[default]
    Local,
    /// AWS API Gateway REST API (payload v1).
    ApiGatewayRest,
    /// AWS API Gateway HTTP API (payload v2).
    ApiGatewayHttp,
    /// AWS Application Load Balancer.
    Alb,
    /// AWS Lambda Function URL.
    FunctionUrl,
    /// FC HTTP trigger, request passed through as HTTP.
    FcHttp,
    /// FC HTTP trigger delivered as an event (FC 3.0 `version: "v1"` shape).
    FcHttpEvent,
    /// Alibaba Cloud API Gateway trigger.
    FcApiGateway,
}

/// Platform data about an HTTP request, stored in its extensions by every adapter.
///
/// Read it with [`RequestExt::info`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestInfo {
    /// How the request arrived.
    pub trigger: Trigger,
    /// Path parameters the gateway matched (`/items/{id}` → `id`).
    pub path_params: BTreeMap<String, String>,
    /// The client's address as the platform saw it.
    pub source_ip: Option<IpAddr>,
    /// The API Gateway stage, when there is one.
    pub stage: Option<String>,
    /// The path exactly as the platform received it, before fc removed a stage or base path.
    pub raw_path: Option<String>,
}

static NO_INFO: RequestInfo = RequestInfo {
    trigger: Trigger::Local,
    path_params: BTreeMap::new(),
    source_ip: None,
    stage: None,
    raw_path: None,
};

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

    #[test]
    fn info_defaults_when_no_adapter_set_it() {
        let mut req = Request::new(Body::empty());
        assert_eq!(req.info().trigger, Trigger::Local);
        let mut info = RequestInfo::default();
        info.path_params.insert("id".into(), "42".into());
        req.extensions_mut().insert(info);
        assert_eq!(req.path_param("id"), Some("42"));
    }
}
