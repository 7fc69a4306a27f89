//! fc-aliyun's invocation in process against fc-aws on the same request and against the floor
//! (serde_json or minicbor reading the same bytes without building anything, and writing the
//! same answer); its HTTP passthrough over a kept-alive connection against a bare hyper
//! service answering the same request on the same kind of connection; each pair interleaved
//! (tests/src/alternate.rs).
//!
//! ```text
//! cargo bench -p fc-aliyun --bench ratios      # ROUNDS=7 BATCH_MS=300
//! ```
//!
//! Prints markdown table rows on stderr: FC's runtime writes its log markers on stdout.

#[path = "../../tests/src/alternate.rs"]
mod alternate;
mod common;

use std::convert::Infallible;
use std::hint::black_box;

use alternate::{Against, Case, Plan, Side, json_floor, measure, side, step};
use bytes::Bytes;
use common::*;
use fc_core::Function;
use fc_core::http::{HeaderMap, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

fn against<'a>(name: &str, side: Side<'a>, limit: f64) -> Against<'a> {
    Against {
        name: name.to_owned(),
        side,
        limit: Some(limit),
    }
}

/// The floor of a CBOR event: the same bytes read without building anything, and `answer`
/// written.
fn cbor_floor(body: &[u8], answer: Bytes) -> Side<'_> {
    step(move || {
        minicbor::Decoder::new(black_box(body))
            .skip()
            .expect("the event is CBOR");
        answer.to_vec()
    })
}

/// A kept-alive HTTP/1.1 connection to `listener`'s server; what it sends gets `headers`.
async fn client(
    addr: std::net::SocketAddr,
) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.expect("the server listens");
    stream.set_nodelay(true).expect("nodelay");
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("a connection");
    tokio::spawn(conn);
    sender
}

/// `GET /hello?name=bench` on `sender`, with `headers`; the answer read whole.
async fn get(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    headers: &HeaderMap,
) -> Bytes {
    let mut request = http::Request::get("/hello?name=bench")
        .header("host", "bench.cn-hangzhou.fcapp.run")
        .header("user-agent", "curl/8.5.0")
        .header("accept", "*/*")
        .body(Full::new(Bytes::new()))
        .expect("a valid request");
    request.headers_mut().extend(headers.clone());
    let response = sender.send_request(request).await.expect("an answer");
    assert_eq!(response.status(), 200);
    response
        .into_body()
        .collect()
        .await
        .expect("the body")
        .to_bytes()
}

/// `n` requests on `sender` as a side.
fn requests<'a>(
    runtime: &'a Runtime,
    mut sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    headers: &'a HeaderMap,
) -> Side<'a> {
    Box::new(move |n| {
        runtime.block_on(async {
            let started = std::time::Instant::now();
            for _ in 0..n {
                black_box(get(&mut sender, headers).await);
            }
            started.elapsed()
        })
    })
}

/// A bare hyper service answering every request with the greeting, one task per connection.
async fn bare_hyper(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(|_req| async {
                let mut response =
                    http::Response::new(Full::new(Bytes::from_static(GREETING.as_bytes())));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                Ok::<_, Infallible>(response)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn listener() -> TcpListener {
    TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("a loopback port")
}

fn main() {
    let plan = Plan::from_env();
    let runtime = runtime();
    let headers = fc_headers();

    let fc = invoker(&runtime, Function::new(hello));
    let aws = AwsEquivalent::new(&runtime);
    let body = support::API_GATEWAY.as_bytes();
    let answer = runtime
        .block_on(fc.invoke(&headers, body))
        .expect("the invocation succeeds");
    let answer: serde_json::Value = serde_json::from_slice(&answer).expect("JSON");
    measure(
        Case {
            what: "FC API Gateway event".to_owned(),
            fc: side(&runtime, || async {
                fc.invoke(&headers, body)
                    .await
                    .expect("the invocation succeeds")
            }),
            against: vec![
                against(
                    "fc-aws, the same request as a v1 event",
                    side(&runtime, || aws.invoke()),
                    1.10,
                ),
                against("floor", json_floor(body, answer), 2.0),
            ],
        },
        plan,
    );

    // The passthrough over a connection: fc-aliyun's whole custom-runtime server against a
    // bare hyper service, both on this thread, each with its own kept-alive client sending the
    // same request, FC's headers included.
    let (fc_addr, bare_addr) = runtime.block_on(async {
        let fc_listener = listener().await;
        let bare_listener = listener().await;
        let addrs = (
            fc_listener.local_addr().expect("an address"),
            bare_listener.local_addr().expect("an address"),
        );
        tokio::spawn(fc_aliyun::serve(
            fc_listener,
            Function::new(hello),
            std::future::pending(),
        ));
        tokio::spawn(bare_hyper(bare_listener));
        addrs
    });
    let mut to_fc = runtime.block_on(client(fc_addr));
    let to_bare = runtime.block_on(client(bare_addr));
    assert_eq!(
        runtime.block_on(get(&mut to_fc, &headers)),
        GREETING.as_bytes()
    );
    measure(
        Case {
            what: "FC HTTP passthrough, `GET /hello` on a kept-alive connection".to_owned(),
            fc: requests(&runtime, to_fc, &headers),
            against: vec![against(
                "a bare hyper service, same request and connection",
                requests(&runtime, to_bare, &headers),
                1.2,
            )],
        },
        plan,
    );

    let objects = invoker(&runtime, Function::new(count_objects));
    let body = support::OSS.as_bytes();
    let answer = runtime
        .block_on(objects.invoke(&headers, body))
        .expect("the invocation succeeds");
    let answer: serde_json::Value = serde_json::from_slice(&answer).expect("JSON");
    measure(
        Case {
            what: "FC OSS event (2 records)".to_owned(),
            fc: side(&runtime, || async {
                objects.invoke(&headers, body).await.expect("succeeds")
            }),
            against: vec![against("floor", json_floor(body, answer), 1.5)],
        },
        plan,
    );

    let rows = invoker(&runtime, Function::new(count_rows));
    for (what, body) in [
        (
            "FC Tablestore CBOR sample (3 records)",
            support::tablestore_cbor(),
        ),
        (
            "FC Tablestore CBOR batch of 1 MB",
            support::tablestore_batch(1 << 20),
        ),
    ] {
        let answer = runtime
            .block_on(rows.invoke(&headers, &body))
            .expect("the invocation succeeds");
        let fc_ns = measure(
            Case {
                what: what.to_owned(),
                fc: side(&runtime, || async {
                    rows.invoke(&headers, &body).await.expect("succeeds")
                }),
                against: vec![against(
                    "floor (minicbor skip)",
                    cbor_floor(&body, answer),
                    1.5,
                )],
            },
            plan,
        );
        if body.len() > 100_000 {
            let rate = body.len() as f64 / (fc_ns / 1e9) / 1e6;
            eprintln!(
                "| {what}: throughput | {rate:.1} MB/s | | | | ≥ 300 MB/s | {} |",
                if rate >= 300.0 { "met" } else { "not met" }
            );
        }
    }
}
