//! An HTTP handler that answers with the OpenTelemetry trace its invocation's span continues,
//! under the program's own subscriber (`logging`): tracing-opentelemetry's layer, and bare log
//! lines (no time, no level), as fc's never are.

use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::prelude::*;

fn setup_tracing() {
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("probe-otel")))
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .without_time()
                .with_level(false)
                .with_target(false)
                .with_ansi(false),
        )
        .init();
}

#[fc::handler(logging = setup_tracing)]
async fn traced(_req: fc::http::Request, ctx: fc::Context) -> String {
    let cx = tracing::Span::current().context();
    let span = cx.span();
    let span = span.span_context();
    tracing::info!("probe traced");
    format!(
        "trace={} platform={}\n",
        span.trace_id(),
        ctx.trace_id.unwrap_or_default()
    )
}
