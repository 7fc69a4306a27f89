//! Inputs the fuzzers found that once broke a decoder, kept so they never do again. Each must
//! be refused or decoded, never panic.

use fc_aws::FromLambda;
use fc_core::http::Request;
use fc_core::{ObjectEvent, ScheduleEvent, TableEvent};

#[test]
fn every_kept_input_is_handled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the regressions folder") {
        let path = entry.expect("an entry").path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable")).into_owned();
        let _ = Request::from_lambda(&text);
        let _ = ObjectEvent::from_lambda(&text);
        let _ = TableEvent::from_lambda(&text);
        let _ = ScheduleEvent::from_lambda(&text);
        count += 1;
    }
    assert!(count >= 1);
}

#[test]
fn an_alb_query_name_without_values_is_no_query() {
    let raw = include_str!("regressions/alb-query-name-without-values.json");
    let (request, _) = Request::from_lambda(raw).expect("decodes");
    assert_eq!(request.uri().path(), "/");
    assert_eq!(request.uri().query(), None);
}
