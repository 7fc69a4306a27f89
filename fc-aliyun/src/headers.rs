//! The `x-fc-*` headers FC sends a custom runtime, and the fc `Context` made from them.
//!
//! Source: Function Compute, "Custom runtime: request headers" (common request headers of the
//! custom runtime HTTP server contract).

use std::time::{Duration, SystemTime};

use fc_core::{Context, Credentials, Platform, Secret, SharedStr};
use http::HeaderMap;

pub(crate) use crate::wire::header::*;

/// The FC 2.0 service the function belongs to, in [`Context::extensions`]; absent on FC 3.0,
/// which has no services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceName(pub String);

/// FC's tracing headers (`x-fc-tracing-opentracing-span-context` and its baggage), as received,
/// in [`Context::extensions`], to continue the trace in calls the handler makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TracingHeaders(pub Vec<(String, String)>);

/// What the environment says once per instance, used where a header is missing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Env {
    function_name: SharedStr,
    memory_mb: u32,
    region: SharedStr,
    account_id: SharedStr,
}

impl Env {
    pub(crate) fn from_env() -> Env {
        let var = |name: &str| std::env::var(name).unwrap_or_default();
        Env {
            function_name: SharedStr::for_instance(var("FC_FUNCTION_NAME")),
            memory_mb: var("FC_FUNCTION_MEMORY_SIZE").parse().unwrap_or(0),
            region: SharedStr::for_instance(var("FC_REGION")),
            account_id: SharedStr::for_instance(var("FC_ACCOUNT_ID")),
        }
    }
}

/// The `x-fc-*` headers of a request, found in one pass: a lookup by name parses and hashes
/// the name, and a context reads a dozen of them on every invocation.
#[derive(Default)]
struct FcHeaders<'a> {
    request_id: Option<&'a str>,
    function_name: Option<&'a str>,
    memory: Option<&'a str>,
    timeout: Option<&'a str>,
    initialization_timeout: Option<&'a str>,
    region: Option<&'a str>,
    account_id: Option<&'a str>,
    qualifier: Option<&'a str>,
    version_id: Option<&'a str>,
    service_name: Option<&'a str>,
    retry_count: Option<&'a str>,
    access_key_id: Option<&'a str>,
    access_key_secret: Option<&'a str>,
    security_token: Option<&'a str>,
    tracing: Vec<(String, String)>,
}

impl<'a> FcHeaders<'a> {
    /// Each header's first non-blank value, trimmed; every tracing header as received.
    fn read(headers: &'a HeaderMap) -> Self {
        let mut found = FcHeaders::default();
        for (name, value) in headers {
            let name = name.as_str();
            if !name.starts_with(PREFIX) {
                continue;
            }
            if name.starts_with(TRACING) {
                if let Ok(value) = value.to_str() {
                    found.tracing.push((name.to_owned(), value.to_owned()));
                }
                continue;
            }
            let slot = match name {
                REQUEST_ID => &mut found.request_id,
                FUNCTION_NAME => &mut found.function_name,
                MEMORY => &mut found.memory,
                TIMEOUT => &mut found.timeout,
                INITIALIZATION_TIMEOUT => &mut found.initialization_timeout,
                REGION => &mut found.region,
                ACCOUNT_ID => &mut found.account_id,
                QUALIFIER => &mut found.qualifier,
                VERSION_ID => &mut found.version_id,
                SERVICE_NAME => &mut found.service_name,
                RETRY_COUNT => &mut found.retry_count,
                ACCESS_KEY_ID => &mut found.access_key_id,
                ACCESS_KEY_SECRET => &mut found.access_key_secret,
                SECURITY_TOKEN => &mut found.security_token,
                _ => continue,
            };
            if slot.is_none() {
                *slot = value.to_str().ok().map(str::trim).filter(|v| !v.is_empty());
            }
        }
        found
    }
}

/// Which deadline header applies: `/initialize` has its own timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Initialize,
    Invoke,
}

/// The context of one request, from its headers (falling back to the environment).
pub(crate) fn context(headers: &HeaderMap, env: &Env, phase: Phase) -> Context {
    let found = FcHeaders::read(headers);
    // The instance's own value when FC sends none, shared when FC sends the same.
    let known = |known: &SharedStr, value: Option<&str>| match value {
        Some(value) => SharedStr::reuse(known, value),
        None => known.clone(),
    };
    let mut ctx = Context::default();
    ctx.platform = Platform::Aliyun;
    ctx.request_id = found.request_id.map(str::to_owned).unwrap_or_default();
    ctx.function_name = known(&env.function_name, found.function_name);
    ctx.memory_mb = found
        .memory
        .and_then(|m| m.parse().ok())
        .unwrap_or(env.memory_mb);
    let timeout = match phase {
        Phase::Initialize => found.initialization_timeout,
        Phase::Invoke => found.timeout,
    };
    // Seconds; FC counts the timeout from when it sends the request.
    ctx.deadline = timeout
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t > 0.0)
        .map(|t| SystemTime::now() + Duration::from_secs_f64(t));
    ctx.region = known(&env.region, found.region);
    ctx.account_id = known(&env.account_id, found.account_id);
    ctx.qualifier = found.qualifier.map(SharedStr::from);
    ctx.function_version = found.version_id.map(SharedStr::from).unwrap_or_default();
    ctx.retry_count = found.retry_count.and_then(|r| r.parse().ok()).unwrap_or(0);
    if let (Some(id), Some(secret)) = (found.access_key_id, found.access_key_secret) {
        ctx.credentials = Some(Credentials::new(
            id,
            secret,
            found.security_token.map(Secret::from),
        ));
    }
    if let Some(service) = found.service_name {
        ctx.extensions.insert(ServiceName(service.to_owned()));
    }
    // The span context is `traceid:spanid:parentid:flags` (Jaeger's text form).
    let span_context = found
        .tracing
        .iter()
        .find(|(name, _)| name == TRACING_SPAN_CONTEXT)
        .map(|(_, value)| value.as_str());
    ctx.trace_id = span_context
        .and_then(|value| value.split(':').next())
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    #[cfg(feature = "opentelemetry")]
    if let Some(parent) = span_context.and_then(span_context_parent) {
        ctx.extensions.insert(parent);
    }
    if !found.tracing.is_empty() {
        ctx.extensions.insert(TracingHeaders(found.tracing));
    }
    ctx
}

/// FC's span context (Jaeger's text form) as the OpenTelemetry context an invocation's span
/// continues; `None` when it names no valid trace.
#[cfg(feature = "opentelemetry")]
// Deprecated for new systems in favour of W3C's; FC still sends Jaeger's form.
#[allow(deprecated)]
fn span_context_parent(value: &str) -> Option<opentelemetry::Context> {
    use opentelemetry::propagation::TextMapPropagator;
    use opentelemetry::trace::TraceContextExt;

    let carrier =
        std::collections::HashMap::from([(TRACING_SPAN_CONTEXT.to_owned(), value.to_owned())]);
    let cx = opentelemetry_jaeger_propagator::Propagator::with_custom_header(TRACING_SPAN_CONTEXT)
        .extract(&carrier);
    cx.span().span_context().is_valid().then_some(cx)
}

/// Removes every `x-fc-*` header (credentials among them) before a handler sees the request.
pub(crate) fn strip(headers: &mut HeaderMap) {
    if !headers.keys().any(|name| name.as_str().starts_with(PREFIX)) {
        return;
    }
    // Rebuilt rather than removed from, name by name: FC sends a dozen or more of its own
    // headers, and a removal hashes its name again.
    let all = std::mem::take(headers);
    headers.reserve(all.keys_len());
    // The entry of the name being kept: a name comes once, before all of its values.
    let mut kept: Option<http::header::OccupiedEntry<'_, http::HeaderValue>> = None;
    for (name, value) in all {
        match name {
            Some(name) if name.as_str().starts_with(PREFIX) => kept = None,
            Some(name) => {
                kept = Some(match headers.entry(name) {
                    http::header::Entry::Vacant(entry) => entry.insert_entry(value),
                    http::header::Entry::Occupied(mut entry) => {
                        entry.append(value);
                        entry
                    }
                });
            }
            None => {
                if let Some(entry) = kept.as_mut() {
                    entry.append(value);
                }
            }
        }
    }
}

/// Removes the function's credentials from headers inside an event: the client's own
/// headers, among which only these would be FC's and secret; the client's other `x-fc-*`
/// headers are theirs to read.
pub(crate) fn strip_credentials(headers: &mut HeaderMap) {
    for name in [ACCESS_KEY_ID, ACCESS_KEY_SECRET, SECURITY_TOKEN] {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_static(value));
        }
        map
    }

    #[cfg(feature = "opentelemetry")]
    #[test]
    fn fcs_span_context_is_the_parent_of_the_invocations_span() {
        let h = headers(&[(
            "x-fc-tracing-opentracing-span-context",
            "4d9e0c7a00000001:1f2e:0:1",
        )]);
        let ctx = context(&h, &Env::default(), Phase::Invoke);
        assert_eq!(
            fc_core::testing::platform_trace(&ctx),
            Some((
                "00000000000000004d9e0c7a00000001".to_owned(),
                "0000000000001f2e".to_owned(),
                true
            ))
        );
        assert!(span_context_parent("not:a:span").is_none());
    }

    #[test]
    fn the_context_comes_from_the_headers() {
        let h = headers(&[
            ("x-fc-request-id", "1-6543-abc"),
            ("x-fc-function-name", "survey"),
            ("x-fc-function-memory", "512"),
            ("x-fc-function-timeout", "30"),
            ("x-fc-region", "cn-hangzhou"),
            ("x-fc-account-id", "1234567890123456"),
            ("x-fc-qualifier", "LATEST"),
            ("x-fc-version-id", "3"),
            ("x-fc-service-name", "shop"),
            ("x-fc-retry-count", "2"),
            ("x-fc-access-key-id", "STS.EXAMPLEID"),
            ("x-fc-access-key-secret", "very-secret"),
            ("x-fc-security-token", "token-secret"),
            ("x-fc-tracing-opentracing-span-context", "4d9e0c7a:1f2e:0:1"),
        ]);
        let ctx = context(&h, &Env::default(), Phase::Invoke);
        assert_eq!(ctx.platform, Platform::Aliyun);
        assert_eq!(ctx.request_id, "1-6543-abc");
        assert_eq!((ctx.function_name.as_str(), ctx.memory_mb), ("survey", 512));
        let left = ctx.remaining().unwrap();
        assert!(left > Duration::from_secs(29) && left <= Duration::from_secs(30));
        assert_eq!(
            (ctx.region.as_str(), ctx.account_id.as_str()),
            ("cn-hangzhou", "1234567890123456")
        );
        assert_eq!(ctx.qualifier.as_deref(), Some("LATEST"));
        assert_eq!(ctx.function_version, "3");
        assert_eq!(ctx.retry_count, 2);
        assert_eq!(ctx.trace_id.as_deref(), Some("4d9e0c7a"));
        assert_eq!(
            ctx.extensions.get::<ServiceName>().map(|s| s.0.as_str()),
            Some("shop")
        );
        let creds = ctx.credentials.as_ref().unwrap();
        assert_eq!(creds.secret_access_key.expose(), "very-secret");
        let shown = format!("{ctx:?}");
        assert!(
            !shown.contains("very-secret") && !shown.contains("token-secret"),
            "{shown}"
        );
    }

    #[test]
    fn inside_events_only_credentials_are_stripped() {
        let mut h = headers(&[
            ("x-fc-access-key-id", "STS.id"),
            ("x-fc-access-key-secret", "very-secret"),
            ("x-fc-security-token", "token-secret"),
            ("x-fc-client-tag", "blue"),
            ("content-type", "text/plain"),
        ]);
        strip_credentials(&mut h);
        let mut names: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["content-type", "x-fc-client-tag"]);
    }

    #[test]
    fn every_fc_header_is_stripped() {
        let mut h = headers(&[
            ("x-fc-access-key-secret", "very-secret"),
            ("x-fc-request-id", "r"),
            ("content-type", "text/plain"),
            ("x-forwarded-for", "1.2.3.4"),
        ]);
        h.append("x-forwarded-for", http::HeaderValue::from_static("5.6.7.8"));
        h.append("x-fc-request-id", http::HeaderValue::from_static("again"));
        strip(&mut h);
        let mut names: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["content-type", "x-forwarded-for"]);
        // Repeated headers keep every value, in order.
        let forwarded: Vec<_> = h.get_all("x-forwarded-for").iter().collect();
        assert_eq!(forwarded, ["1.2.3.4", "5.6.7.8"]);
    }
}
