//! FC's HTTP passthrough on arbitrary header names, values and paths: the request a handler
//! gets never keeps an `x-fc-*` header, and nothing panics.
#![no_main]

use bytes::Bytes;
use fc_aliyun::FromFc;
use fc_core::http::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Lines: the first is the path, the others `name: value` headers.
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let path = lines.next().unwrap_or("/");
    let mut builder = http::Request::builder().uri(path);
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            builder = builder.header(name.trim(), value.trim());
        }
    }
    let Ok(request) = builder.body(()) else {
        return;
    };
    let (parts, ()) = request.into_parts();
    if let Ok(request) = <Request as FromFc>::from_http(parts, Bytes::from(data.to_vec())) {
        assert!(
            request
                .headers()
                .keys()
                .all(|name| !name.as_str().starts_with("x-fc-"))
        );
    }
});
