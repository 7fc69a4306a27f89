//! The fc `Context` of a Lambda invocation.

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use fc_core::{Context, Credentials, Platform, Secret, SharedStr};

/// The ARN the function was invoked through (`arn:aws:lambda:region:account:function:name[:alias]`),
/// in [`Context::extensions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokedArn(pub String);

/// The client context an AWS mobile SDK sent, as JSON, in [`Context::extensions`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClientContext(pub serde_json::Value);

/// The Amazon Cognito identity that invoked the function, as JSON, in [`Context::extensions`].
#[derive(Debug, Clone, PartialEq)]
pub struct CognitoIdentity(pub serde_json::Value);

/// What the environment says once per instance, and what every invocation's context shares.
#[derive(Debug, Default)]
pub(crate) struct Env {
    function_name: SharedStr,
    version: SharedStr,
    region: SharedStr,
    /// From the first invoked ARN: Lambda names no account in the environment.
    account_id: OnceLock<SharedStr>,
    credentials: Option<Credentials>,
}

impl Env {
    pub(crate) fn from_env() -> Env {
        Env::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub(crate) fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Env {
        let region = var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .unwrap_or_default();
        let credentials = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Some(Credentials::new(
                id,
                secret,
                var("AWS_SESSION_TOKEN").map(Secret::from),
            )),
            _ => None,
        };
        Env {
            function_name: SharedStr::for_instance(
                var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default(),
            ),
            version: SharedStr::for_instance(
                var("AWS_LAMBDA_FUNCTION_VERSION").unwrap_or_default(),
            ),
            region: SharedStr::for_instance(region),
            account_id: OnceLock::new(),
            credentials,
        }
    }
}

/// Builds the fc context from lambda_runtime's.
pub(crate) fn context(lambda: lambda_runtime::Context, env: &Env) -> Context {
    let mut ctx = Context::default();
    ctx.platform = Platform::Aws;
    ctx.function_name = SharedStr::reuse(&env.function_name, &lambda.env_config.function_name);
    ctx.function_version = SharedStr::reuse(&env.version, &lambda.env_config.version);
    ctx.memory_mb = u32::try_from(lambda.env_config.memory).unwrap_or(0);
    ctx.deadline = Some(UNIX_EPOCH + Duration::from_millis(lambda.deadline));
    ctx.region = env.region.clone();
    ctx.credentials.clone_from(&env.credentials);
    // Per invocation, from the Runtime API's header: with concurrent invocations the
    // process-wide `_X_AMZN_TRACE_ID` names only one of them.
    ctx.trace_id = lambda.xray_trace_id;
    #[cfg(feature = "opentelemetry")]
    if let Some(parent) = ctx.trace_id.as_deref().and_then(xray_parent) {
        ctx.extensions.insert(parent);
    }
    ctx.tenant_id = lambda.tenant_id;
    // arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>]
    let mut arn = lambda.invoked_function_arn.split(':');
    let account = arn.nth(4).unwrap_or_default();
    ctx.account_id = SharedStr::reuse(
        env.account_id
            .get_or_init(|| SharedStr::for_instance(account)),
        account,
    );
    ctx.qualifier = arn.nth(2).map(SharedStr::from);
    if let Some(client) = lambda.client_context
        && let Ok(json) = serde_json::to_value(client)
    {
        ctx.extensions.insert(ClientContext(json));
    }
    if let Some(identity) = lambda.identity
        && let Ok(json) = serde_json::to_value(identity)
    {
        ctx.extensions.insert(CognitoIdentity(json));
    }
    ctx.extensions
        .insert(InvokedArn(lambda.invoked_function_arn));
    ctx.request_id = lambda.request_id;
    ctx
}

/// The X-Ray trace `header` (`Root=1-…;Parent=…;Sampled=…`) as the OpenTelemetry context an
/// invocation's span continues; `None` when it names no valid trace.
#[cfg(feature = "opentelemetry")]
fn xray_parent(header: &str) -> Option<opentelemetry::Context> {
    use opentelemetry::propagation::TextMapPropagator;
    use opentelemetry::trace::TraceContextExt;

    let carrier =
        std::collections::HashMap::from([("x-amzn-trace-id".to_owned(), header.to_owned())]);
    let cx = opentelemetry_aws::trace::XrayPropagator::default().extract(&carrier);
    cx.span().span_context().is_valid().then_some(cx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lambda_context(arn: &str) -> lambda_runtime::Context {
        let mut lambda = lambda_runtime::Context::default();
        lambda.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".into();
        lambda.deadline = 1_542_409_706_888;
        lambda.invoked_function_arn = arn.into();
        lambda.xray_trace_id = Some(
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1".into(),
        );
        lambda.tenant_id = Some("tenant-42".into());
        lambda
    }

    #[test]
    fn fills_the_context_from_the_invocation_and_environment() {
        let env = Env::from_lookup(|name| match name {
            "AWS_REGION" => Some("eu-west-1".into()),
            "AWS_ACCESS_KEY_ID" => Some("ASIAEXAMPLE".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("wJalrXUtnFEMI/K7MDENG".into()),
            "AWS_SESSION_TOKEN" => Some("IQoJb3JpZ2luX2VjEXAMPLETOKEN".into()),
            _ => None,
        });
        let ctx = context(
            lambda_context("arn:aws:lambda:eu-west-1:123456789012:function:survey:live"),
            &env,
        );
        assert_eq!(ctx.platform, Platform::Aws);
        assert_eq!(ctx.request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
        assert_eq!(ctx.region, "eu-west-1");
        assert_eq!(ctx.account_id, "123456789012");
        assert_eq!(ctx.qualifier.as_deref(), Some("live"));
        assert_eq!(
            ctx.deadline,
            Some(UNIX_EPOCH + Duration::from_millis(1_542_409_706_888))
        );
        assert!(
            ctx.trace_id
                .as_deref()
                .is_some_and(|t| t.starts_with("Root=1-5bef4de7"))
        );
        assert_eq!(ctx.tenant_id.as_deref(), Some("tenant-42"));
        let arn = ctx.extensions.get::<InvokedArn>().map(|a| a.0.as_str());
        assert_eq!(
            arn,
            Some("arn:aws:lambda:eu-west-1:123456789012:function:survey:live")
        );
        let creds = ctx.credentials.as_ref().expect("credentials");
        assert_eq!(creds.secret_access_key.expose(), "wJalrXUtnFEMI/K7MDENG");
        let shown = format!("{ctx:?}");
        assert!(
            !shown.contains("wJalrXUtnFEMI") && !shown.contains("EXAMPLETOKEN"),
            "{shown}"
        );
    }

    #[test]
    fn an_unqualified_arn_has_no_qualifier() {
        let ctx = context(
            lambda_context("arn:aws:lambda:us-east-1:123456789012:function:survey"),
            &Env::default(),
        );
        assert_eq!(ctx.qualifier, None);
        assert_eq!(ctx.account_id, "123456789012");
        assert!(ctx.credentials.is_none());
    }

    #[cfg(feature = "opentelemetry")]
    #[test]
    fn the_x_ray_trace_is_the_parent_of_the_invocations_span() {
        let ctx = context(
            lambda_context("arn:aws:lambda:us-east-1:123456789012:function:survey"),
            &Env::default(),
        );
        assert_eq!(
            fc_core::testing::platform_trace(&ctx),
            Some((
                "5bef4de7ad49b0e87f6ef6c87fc2e700".to_owned(),
                "9a9197af755a6419".to_owned(),
                true
            ))
        );
        assert!(xray_parent("Root=nonsense").is_none());
    }
}
