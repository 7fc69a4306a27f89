//! What the platform knows about an HTTP request beyond the request itself.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use crate::Platform;

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
    /// A Knative Service's request, as it came.
    Knative,
    /// A Cloud Run function's request, as it came.
    CloudRun,
    /// An OpenWhisk web action's request (`__ow_*` parameters).
    OpenWhiskWeb,
    /// Tencent Cloud API Gateway's trigger event (SCF).
    ScfApiGateway,
    /// An SCF function URL's event (the API Gateway event without `requestContext`).
    ScfFunctionUrl,
    /// An SCF web function's request, as it came.
    ScfWeb,
    /// An Azure Functions HTTP trigger's request, forwarded as it came
    /// (`enableForwardingHttpRequest`).
    AzureHttp,
    /// An Azure Functions HTTP trigger's request as an invocation's `req`, answered as its
    /// `res` output.
    AzureHttpEvent,
}

impl Trigger {
    /// Every trigger, each platform's default first.
    const ALL: [Trigger; 16] = [
        Trigger::ApiGatewayHttp,
        Trigger::ApiGatewayRest,
        Trigger::Alb,
        Trigger::FunctionUrl,
        Trigger::FcHttp,
        Trigger::FcApiGateway,
        Trigger::FcHttpEvent,
        Trigger::Knative,
        Trigger::CloudRun,
        Trigger::OpenWhiskWeb,
        Trigger::ScfApiGateway,
        Trigger::ScfFunctionUrl,
        Trigger::ScfWeb,
        Trigger::AzureHttp,
        Trigger::AzureHttpEvent,
        Trigger::Local,
    ];

    /// The platform the trigger belongs to.
    pub fn platform(self) -> Platform {
        match self {
            Trigger::ApiGatewayRest
            | Trigger::ApiGatewayHttp
            | Trigger::Alb
            | Trigger::FunctionUrl => Platform::Aws,
            Trigger::FcHttp | Trigger::FcHttpEvent | Trigger::FcApiGateway => Platform::Aliyun,
            Trigger::Knative => Platform::Knative,
            Trigger::CloudRun => Platform::Gcp,
            Trigger::OpenWhiskWeb => Platform::OpenWhisk,
            Trigger::ScfApiGateway | Trigger::ScfFunctionUrl | Trigger::ScfWeb => Platform::Tencent,
            Trigger::AzureHttp | Trigger::AzureHttpEvent => Platform::Azure,
            Trigger::Local => Platform::Local,
        }
    }

    /// The trigger's short name, unique on its platform, as `fc-local --trigger` takes it:
    /// `apigw-v2`, `apigw-v1`, `alb`, `url` (AWS), `http`, `apigw`, `http-event` (FC), `http`
    /// (Knative, Cloud Run), `web` (OpenWhisk), `apigw`, `url`, `web` (SCF), `http`,
    /// `http-event` (Azure),
    /// `local`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::ApiGatewayHttp => "apigw-v2",
            Trigger::ApiGatewayRest => "apigw-v1",
            Trigger::Alb => "alb",
            Trigger::FunctionUrl => "url",
            Trigger::FcHttp => "http",
            Trigger::FcApiGateway => "apigw",
            Trigger::FcHttpEvent => "http-event",
            Trigger::Knative | Trigger::CloudRun => "http",
            Trigger::OpenWhiskWeb => "web",
            Trigger::ScfApiGateway => "apigw",
            Trigger::ScfFunctionUrl => "url",
            Trigger::ScfWeb => "web",
            Trigger::AzureHttp => "http",
            Trigger::AzureHttpEvent => "http-event",
            Trigger::Local => "local",
        }
    }

    /// What the trigger is, in words: "API Gateway REST API (v1)".
    pub fn description(self) -> &'static str {
        match self {
            Trigger::ApiGatewayHttp => "API Gateway HTTP API (v2)",
            Trigger::ApiGatewayRest => "API Gateway REST API (v1)",
            Trigger::Alb => "ALB",
            Trigger::FunctionUrl => "Function URL",
            Trigger::FcHttp => "FC HTTP trigger",
            Trigger::FcApiGateway => "FC API Gateway",
            Trigger::FcHttpEvent => "FC HTTP trigger event",
            Trigger::Knative => "Knative Service",
            Trigger::CloudRun => "Cloud Run function",
            Trigger::OpenWhiskWeb => "OpenWhisk web action",
            Trigger::ScfApiGateway => "SCF API Gateway trigger",
            Trigger::ScfFunctionUrl => "SCF function URL",
            Trigger::ScfWeb => "SCF web function",
            Trigger::AzureHttp => "Azure Functions HTTP trigger",
            Trigger::AzureHttpEvent => "Azure Functions HTTP trigger invocation",
            Trigger::Local => "the local development server",
        }
    }

    /// The HTTP triggers of `platform`, its default (what a request meets when nothing else is
    /// configured) first.
    pub fn of(platform: Platform) -> impl Iterator<Item = Trigger> {
        Trigger::ALL
            .into_iter()
            .filter(move |trigger| trigger.platform() == platform)
    }

    /// The trigger of `platform` whose [short name](Trigger::as_str) is `name`.
    pub fn from_name(platform: Platform, name: &str) -> Option<Trigger> {
        Trigger::of(platform).find(|trigger| trigger.as_str() == name)
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
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

    #[test]
    fn each_platform_names_its_triggers_once() {
        for platform in [Platform::Aws, Platform::Aliyun, Platform::Local] {
            let triggers: Vec<Trigger> = Trigger::of(platform).collect();
            assert!(!triggers.is_empty(), "{platform}");
            for trigger in &triggers {
                assert_eq!(
                    Trigger::from_name(platform, trigger.as_str()),
                    Some(*trigger)
                );
            }
        }
        assert_eq!(
            Trigger::of(Platform::Aws).next(),
            Some(Trigger::ApiGatewayHttp)
        );
        assert_eq!(Trigger::of(Platform::Aliyun).next(), Some(Trigger::FcHttp));
        assert_eq!(Trigger::from_name(Platform::Aws, "http-event"), None);
    }
}
