//! The `opentelemetry` feature: an invocation's span continues the caller's W3C trace, else
//! the platform's (X-Ray on Lambda, FC's span context), under the subscriber the program chose
//! with `#[fc::handler(logging = …)]`.

use fc_tests::{Reply, Server, start_behind_gateway};

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const PROBE: &str = env!("CARGO_BIN_EXE_probe-otel");
const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const CALLERS_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// The OpenTelemetry trace id the handler's span is in, and the platform's trace id.
fn traced(server: &Server, headers: &[(&str, &str)]) -> (String, String) {
    let reply: Reply = server.request("GET", "/", headers, b"");
    let text = reply.text();
    assert_eq!(reply.status, 200, "{text}");
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|field| field.strip_prefix(name))
            .unwrap_or_default()
            .to_owned()
    };
    (field("trace="), field("platform="))
}

/// The handler's line went through the program's subscriber, in the invocation's span.
fn logged_by_the_programs_subscriber(server: &Server) {
    assert!(server.logged("probe traced"), "{}", server.stderr());
    let stderr = server.stderr();
    let line = stderr
        .lines()
        .find(|line| line.ends_with("probe traced"))
        .unwrap_or_default();
    assert!(line.contains("invocation{requestId="), "{line}");
    // fc's own format names the level.
    assert!(!line.contains("INFO"), "{line}");
}

#[test]
fn locally_the_callers_trace_is_continued() {
    let server = Server::start(PROBE, &[]);
    let (trace, _) = traced(&server, &[("traceparent", TRACEPARENT)]);
    assert_eq!(trace, CALLERS_TRACE);
    // Without one, each invocation starts a trace of its own.
    let (first, _) = traced(&server, &[]);
    let (second, _) = traced(&server, &[]);
    assert!(
        first != second && first != "0".repeat(32),
        "{first} {second}"
    );
    logged_by_the_programs_subscriber(&server);
}

#[test]
fn on_lambda_the_x_ray_trace_is_continued() {
    let server = start_behind_gateway(FC_LOCAL, "aws", &[], PROBE);
    let (trace, xray) = traced(&server, &[]);
    // Root=1-<time>-<id>;Parent=…;Sampled=…: the trace id is <time><id>.
    let root = xray
        .strip_prefix("Root=1-")
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("not an X-Ray trace header: {xray}"))
        .replace('-', "");
    assert_eq!(trace, root);
    let (trace, _) = traced(&server, &[("traceparent", TRACEPARENT)]);
    assert_eq!(trace, CALLERS_TRACE);
    logged_by_the_programs_subscriber(&server);
}

#[test]
fn on_fc_its_span_context_is_continued() {
    let server = start_behind_gateway(FC_LOCAL, "aliyun", &[], PROBE);
    let (trace, fc_trace) = traced(&server, &[]);
    assert!(!fc_trace.is_empty(), "FC sent no span context");
    // Jaeger's 64-bit trace ids are the low half of a 128-bit one.
    assert_eq!(trace, format!("{fc_trace:0>32}"));
    let (trace, _) = traced(&server, &[("traceparent", TRACEPARENT)]);
    assert_eq!(trace, CALLERS_TRACE);
    logged_by_the_programs_subscriber(&server);
}
