//! Provider-neutral types for [fc](https://docs.rs/fc): write a serverless handler once, run it
//! on AWS Lambda, Alibaba Cloud Function Compute and locally.
//!
//! This crate holds only types and traits: no runtime, no I/O, no platform code. Users depend
//! on the `fc` facade, which re-exports all of it; platform adapters depend on this crate. The
//! one exception is opt-in: the `serve` feature adds [`serve`], the HTTP server loop that the
//! platforms serving HTTP share. The `opentelemetry` feature makes each invocation's span
//! continue the incoming trace: the caller's W3C `traceparent`, else the one the platform's
//! adapter put in [`Context::extensions`] as an `opentelemetry::Context`.
//!
//! | type | what it is |
//! |---|---|
//! | [`Context`] | the invocation: request id, deadline, function, region, credentials |
//! | [`http::Request`], [`http::Response`] | HTTP on the `http` crate, with a text-aware [`http::Body`] |
//! | [`ObjectEvent`] | objects created or removed (S3, OSS) |
//! | [`TableEvent`] | rows inserted, modified or removed (DynamoDB Streams, Tablestore) |
//! | [`ScheduleEvent`] | a schedule fired (EventBridge, FC timer) |
//! | [`CloudEvent<T>`] | an event-bus event with typed data (EventBridge on both clouds) |
//! | [`MessageEvent`] | messages from a queue, topic or stream (SQS, SNS, Kinesis, Kafka, MNS) |
//! | [`JsonEvent<T>`] | any other event, deserialized from its JSON |
//! | [`Json<T>`] | a JSON body a handler returns |
//! | [`Handler`] | the shapes of `async fn` fc can run |
//! | [`Error`] | what handlers, `init` and adapters fail with |
//!
//! The smallest handler, tested:
//!
//! ```
//! use fc_core::{http::Request, testing};
//!
//! async fn hello(_req: Request) -> &'static str {
//!     "hello"
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = testing::invoke(hello, testing::get("/")).await;
//! assert_eq!(response.body().as_str(), Some("hello"));
//! # });
//! ```

pub mod adapter;
mod context;
mod error;
pub mod event;
mod function;
mod handler;
pub mod http;
mod reply;
mod response;
#[cfg(feature = "serve")]
pub mod serve;
mod service;
pub mod testing;
mod time;
#[cfg(feature = "opentelemetry")]
mod trace;

pub use context::{Context, Credentials, Platform, Secret, SharedStr};
pub use error::{BoxError, Error, ErrorKind};
pub use event::{
    BatchFailures, BatchItem, CloudEvent, Event, ItemId, JsonEvent, Message, MessageBody,
    MessageEvent, MessageSource, ObjectChange, ObjectEvent, ObjectRecord, Row, RowChange,
    ScheduleEvent, SourceKind, TableEvent, TableRecord, Value,
};
pub use function::{BoxFuture, Function, Instance, Invocation};
pub use handler::{Handler, markers as handler_markers};
pub use reply::{IntoPayload, Outcome, Payload, Reply, markers as payload_markers};
pub use response::Json;
pub use service::HttpService;
pub use time::{Timestamp, TimestampError};
