//! The two binaries run as a user runs them: `cargo run -p hello`, and an event piped into
//! `cargo run -p hello --bin object`.

use fc_tests::{Server, run};

#[test]
fn hello_serves_greetings() {
    let server = Server::start(env!("CARGO_BIN_EXE_hello"), &[]);
    let reply = server.get("/hello?name=fc");
    assert_eq!((reply.status, reply.text().as_str()), (200, "hello, fc!\n"));
    assert_eq!(server.get("/elsewhere").status, 404);
}

#[test]
fn object_prints_its_summary_for_an_event_on_stdin() {
    let event = br#"{"records":[
        {"kind":"created","eventName":"ObjectCreated:Put","bucket":"photos","key":"cat.jpg","size":1024},
        {"kind":"removed","eventName":"ObjectRemoved:Delete","bucket":"photos","key":"old.jpg"}
    ]}"#;
    let (status, out, err) = run(env!("CARGO_BIN_EXE_object"), &[], &[], event);
    assert!(status.success(), "{err}");
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["created"], serde_json::json!(["photos/cat.jpg"]));
    assert_eq!(summary["removed"], serde_json::json!(["photos/old.jpg"]));
    assert_eq!(summary["bytes_added"], 1024);
}

#[test]
fn object_explains_an_event_of_the_wrong_shape() {
    let (status, out, err) = run(env!("CARGO_BIN_EXE_object"), &[], &[], br#"{"Recs":[]}"#);
    assert_eq!(status.code(), Some(1));
    assert!(out.is_empty());
    assert!(err.contains("invalid ObjectEvent"), "{err}");
    assert!(err.contains("missing field `records`"), "{err}");
    assert!(
        err.contains("nor is it an ObjectEvent as AWS Lambda"),
        "{err}"
    );
}
