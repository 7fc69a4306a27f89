//! The `fc-local` command and the platform emulators behind it: any fc handler binary runs on a
//! laptop exactly as AWS Lambda, Alibaba Cloud Function Compute, Knative, Cloud Run, Apache
//! OpenWhisk, Tencent Cloud SCF or Azure Functions runs it, with no Docker.
//!
//! - [`lambda`]: the Lambda Runtime API, serving invocations to a function process;
//! - [`aliyun`]: Function Compute's custom-runtime protocol, calling a function's HTTP server;
//! - [`knative`]: Knative's and Cloud Run's container contract, HTTP and CloudEvents;
//! - [`openwhisk`]: Apache OpenWhisk's action interface (Docker and native actions) and web
//!   actions;
//! - [`tencent`]: Tencent Cloud SCF's Custom Runtime API, and its API Gateway and function URL
//!   events;
//! - [`azure`]: the Azure Functions host's side of a custom handler: invocations, and HTTP
//!   requests forwarded or made invocations;
//! - [`cli`]: the `fc-local` command (`start`, `invoke`, `event`, `package`) and the gateways
//!   that turn HTTP requests into each cloud's trigger events.
//!
//! None of this is linked into a user's function: the local platform a function runs on with
//! `cargo run` is the `fc-local` library crate.

pub mod aliyun;
mod answer;
pub mod azure;
pub mod cli;
mod emulator;
pub mod knative;
pub mod lambda;
pub mod openwhisk;
mod pairs;
pub mod tencent;

pub use emulator::{EmulatorError, FunctionError, InvalidAnswer, Output};

use fc_core::Platform;
use fc_core::http::Trigger;

/// A trigger asked of a platform that does not have it (an FC trigger of the Lambda gateway).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{trigger} is not a trigger of {}", platform.description())]
pub struct UnsupportedTrigger {
    /// The trigger asked for.
    pub trigger: Trigger,
    /// The platform asked.
    pub platform: Platform,
}

impl UnsupportedTrigger {
    pub(crate) fn new(trigger: Trigger, platform: Platform) -> Self {
        UnsupportedTrigger { trigger, platform }
    }
}

/// `time` of FC 3.0's HTTP-trigger events: RFC 3339 in UTC.
pub(crate) fn rfc3339(secs: u64) -> String {
    fc_core::Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX), 0).to_string()
}
