//! Continuing the incoming trace in OpenTelemetry (the `opentelemetry` feature).
//!
//! An invocation's span takes as its parent the trace the caller started, from a W3C
//! `traceparent` header on an HTTP request; failing that, the platform's, which its adapter
//! reads from the platform's own header (Lambda's X-Ray trace, FC's span context) and puts in
//! [`Context::extensions`] as an [`opentelemetry::Context`]. The span is an OpenTelemetry
//! span only under a subscriber with `tracing-opentelemetry`'s layer; without one this does
//! nothing.

use http::HeaderMap;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_http::HeaderExtractor;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::Context;

/// Makes the trace `ctx` and `headers` carry the parent of `span`, before it is entered.
pub(crate) fn adopt(span: &tracing::Span, ctx: &Context, headers: Option<&HeaderMap>) {
    if span.is_disabled() {
        return;
    }
    let Some(parent) = parent(ctx, headers) else {
        return;
    };
    // Fails only without tracing-opentelemetry's layer, where there is no trace to join.
    let _ = span.set_parent(parent);
}

/// The trace an invocation continues: the caller's, else the platform's.
pub(crate) fn parent(ctx: &Context, headers: Option<&HeaderMap>) -> Option<opentelemetry::Context> {
    let caller = headers
        .filter(|headers| headers.contains_key("traceparent"))
        .map(|headers| TraceContextPropagator::new().extract(&HeaderExtractor(headers)))
        .filter(|cx| cx.span().span_context().is_valid());
    caller.or_else(|| ctx.extensions.get::<opentelemetry::Context>().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    fn platform_trace(trace: u128) -> Context {
        let mut ctx = Context::default();
        let span = SpanContext::new(
            TraceId::from(trace),
            SpanId::from(7),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        ctx.extensions
            .insert(opentelemetry::Context::new().with_remote_span_context(span));
        ctx
    }

    fn trace_of(cx: Option<opentelemetry::Context>) -> Option<String> {
        cx.map(|cx| cx.span().span_context().trace_id().to_string())
    }

    #[test]
    fn the_callers_traceparent_wins_over_the_platforms_trace() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        let ctx = platform_trace(0x1234);
        assert_eq!(
            trace_of(parent(&ctx, Some(&headers))).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        // A malformed traceparent is no trace: the platform's is used.
        headers.insert("traceparent", "00-nonsense".parse().unwrap());
        assert_eq!(
            trace_of(parent(&ctx, Some(&headers))).as_deref(),
            Some("00000000000000000000000000001234")
        );
        assert_eq!(trace_of(parent(&Context::default(), Some(&headers))), None);
        assert_eq!(trace_of(parent(&Context::default(), None)), None);
    }
}
