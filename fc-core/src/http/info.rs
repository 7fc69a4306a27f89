//! What the platform knows about an HTTP request beyond the request itself.

use std::collections::BTreeMap;
use std::net::IpAddr;

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
/// Read it with [`RequestExt::info`](super::RequestExt::info).
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

pub(super) static NO_INFO: RequestInfo = RequestInfo {
    trigger: Trigger::Local,
    path_params: BTreeMap::new(),
    source_ip: None,
    stage: None,
    raw_path: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Body, Request, RequestExt};

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
