//! The local platform serving an HTTP function binary: answers, failures, limits, stop.

use fc_tests::{Server, request};

const PROBE: &str = env!("CARGO_BIN_EXE_probe-http");

#[test]
fn first_line_says_where_it_serves_and_requests_are_answered() {
    let server = Server::start(PROBE, &[]);
    assert!(
        server
            .banner
            .starts_with("fc: serving probe-http on http://127.0.0.1:"),
        "{}",
        server.banner
    );
    let reply = server.get("/hello");
    assert_eq!((reply.status, reply.text().as_str()), (200, "hello"));
    assert!(
        reply
            .header("x-request-id")
            .is_some_and(|id| id.len() == 36)
    );
    assert!(
        server.logged("GET /hello 200"),
        "access log: {}",
        server.stderr()
    );
}

#[test]
fn the_context_is_local_with_a_deadline_from_fc_timeout() {
    let server = Server::start(PROBE, &[("FC_TIMEOUT", "5")]);
    let first = server.get("/context").json();
    let second = server.get("/context").json();
    assert_eq!(first["platform"], "local");
    assert_eq!(first["functionName"], "probe-http");
    assert_ne!(first["requestId"], second["requestId"]);
    let remaining = first["remainingMs"].as_u64().unwrap();
    assert!(remaining > 4000 && remaining <= 5000, "{remaining}");
}

#[test]
fn a_panic_fails_that_request_only() {
    let server = Server::start(PROBE, &[]);
    let reply = server.get("/panic");
    assert_eq!(reply.status, 500);
    let body = reply.json();
    assert_eq!(body["error"], "Internal Server Error");
    assert_eq!(
        Some(body["requestId"].as_str().unwrap()),
        reply.header("x-request-id")
    );
    assert!(!reply.text().contains("on purpose"));
    assert!(server.logged("handler panicked: the probe panicked on purpose"));
    assert_eq!(server.get("/hello").status, 200, "the server keeps serving");
}

#[test]
fn a_handler_error_is_a_500_without_detail_and_the_detail_is_logged() {
    let server = Server::start(PROBE, &[]);
    let reply = server.get("/error");
    assert_eq!(reply.status, 500);
    assert!(!reply.text().contains("hunter2"), "{}", reply.text());
    let id = reply.json()["requestId"].as_str().unwrap().to_owned();
    assert!(
        server.logged("database password rejected"),
        "{}",
        server.stderr()
    );
    let log = server.stderr();
    let line = log
        .lines()
        .find(|l| l.contains("database password rejected"))
        .unwrap();
    assert!(line.contains(&id), "the log names the request: {line}");
}

#[test]
fn the_timeout_is_enforced_and_the_server_keeps_serving() {
    let server = Server::start(PROBE, &[("FC_TIMEOUT", "0.3")]);
    let reply = server.get("/sleep?ms=5000");
    assert_eq!(reply.status, 504);
    assert_eq!(reply.json()["error"], "Task timed out");
    assert_eq!(server.get("/sleep?ms=1").status, 200);
}

#[test]
fn bodies_arrive_as_text_or_binary() {
    let server = Server::start(PROBE, &[]);
    let json = server
        .request(
            "POST",
            "/echo?a=1&a=2",
            &[("Content-Type", "application/json")],
            br#"{"name":"Ada"}"#,
        )
        .json();
    assert_eq!(json["method"], "POST");
    assert_eq!(json["query"], "a=1&a=2");
    assert_eq!(json["binary"], false);
    assert_eq!(json["text"], r#"{"name":"Ada"}"#);
    assert_eq!(json["sourceIp"], "127.0.0.1");
    let png = server
        .request(
            "PUT",
            "/echo",
            &[("Content-Type", "image/png")],
            &[0x89, b'P', b'N', b'G', 0xff],
        )
        .json();
    assert_eq!(
        (png["binary"].as_bool(), png["length"].as_u64()),
        (Some(true), Some(5))
    );
}

#[test]
fn oversize_bodies_are_refused_with_413() {
    let server = Server::start(PROBE, &[("FC_BODY_LIMIT", "1024")]);
    let reply = server.request("POST", "/echo", &[], &[b'x'; 2048]);
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.json()["error"],
        "the request body is larger than the limit of 1024 bytes"
    );
    // Chunked, so the size is only known while reading.
    let mut raw = b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..3 {
        raw.extend_from_slice(b"200\r\n");
        raw.extend_from_slice(&[b'y'; 0x200]);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(fc_tests::send_raw(server.addr, &raw).status, 413);
    assert_eq!(
        server.request("POST", "/echo", &[], &[b'x'; 1024]).status,
        200
    );
}

#[test]
fn malformed_requests_get_400_and_the_server_keeps_serving() {
    let server = Server::start(PROBE, &[]);
    let reply = fc_tests::send_raw(server.addr, b"NOT HTTP AT ALL\r\n\r\n");
    assert_eq!(reply.status, 400);
    assert_eq!(server.get("/hello").status, 200);
}

#[test]
fn requests_are_served_concurrently() {
    let server = Server::start(PROBE, &[]);
    let addr = server.addr;
    let others: Vec<_> = (0..3)
        .map(|_| std::thread::spawn(move || request(addr, "GET", "/barrier?n=4", &[], b"")))
        .collect();
    let mine = server.get("/barrier?n=4");
    assert_eq!(mine.text(), "all arrived");
    for other in others {
        assert_eq!(other.join().unwrap().text(), "all arrived");
    }
}

#[test]
fn ctrl_c_lets_requests_in_flight_finish_then_exits_cleanly() {
    let mut server = Server::start(PROBE, &[]);
    let addr = server.addr;
    let in_flight = std::thread::spawn(move || request(addr, "GET", "/sleep?ms=700", &[], b""));
    assert!(
        server.logged("probe sleeping"),
        "the request reached the handler"
    );
    assert!(server.is_running());
    let status = server.interrupt();
    assert!(status.success(), "{status:?}: {}", server.stderr());
    let reply = in_flight.join().unwrap();
    assert_eq!((reply.status, reply.text().as_str()), (200, "slept"));
}

/// The access line a request got, from the server's stderr.
fn access_line(server: &Server, target: &str) -> String {
    assert!(server.logged(target), "{}", server.stderr());
    server
        .stderr()
        .lines()
        .find(|line| line.contains(target))
        .unwrap_or_default()
        .to_owned()
}

/// With `FC_LOG_FORMAT=json` the local platform logs JSON lines.
#[test]
fn json_logs_on_request() {
    let server = Server::start(env!("CARGO_BIN_EXE_hello"), &[("FC_LOG_FORMAT", "json")]);
    assert_eq!(server.get("/hello?name=json").status, 200);
    let line = access_line(&server, "GET /hello?name=json");
    let json: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|err| panic!("not a JSON line ({err}): {line}"));
    assert_eq!(json["level"], "INFO", "{json}");
    assert_eq!(json["target"], "fc_local::access", "{json}");
}

/// A subscriber the program installed before `fc::run` is the one fc's lines go through.
#[test]
fn a_subscriber_installed_first_is_the_one_used() {
    let server = Server::start(env!("CARGO_BIN_EXE_probe-subscriber"), &[]);
    assert_eq!(server.get("/hello?name=own").text(), "hello, own!\n");
    let line = access_line(&server, "GET /hello?name=own");
    // The program's format: the bare message, where fc's would begin with the time.
    assert!(line.starts_with("GET /hello?name=own 200"), "{line}");
}
