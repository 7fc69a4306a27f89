//! The events a handler can take, and what each one's handler gives back.

mod batch;
mod cloud;
mod json;
mod message;
mod object;
mod schedule;
mod table;
mod value;

pub use batch::{BatchFailures, BatchItem, ItemId};
pub use cloud::CloudEvent;
pub use json::JsonEvent;
pub use message::{Message, MessageBody, MessageEvent, MessageSource, SourceKind};
pub use object::{ObjectChange, ObjectEvent, ObjectRecord};
pub use schedule::ScheduleEvent;
pub use table::{RowChange, TableEvent, TableRecord};
pub use value::{Row, Value};

use crate::Error;
use crate::http::{Request, Response};
use crate::reply::{Outcome, Payload};

/// A type a handler can take as its event.
///
/// fc implements it for [`Request`](crate::http::Request), [`ObjectEvent`], [`TableEvent`],
/// [`ScheduleEvent`] and [`JsonEvent<T>`]; each platform adapter then says how it delivers them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event type fc can deliver",
    label = "fc cannot deliver this to a handler",
    note = "a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::TableEvent`, `fc::ScheduleEvent`, `fc::MessageEvent`, `fc::CloudEvent<T>`, or `fc::JsonEvent<T>` for any other JSON event"
)]
pub trait Event: Sized + Send + 'static {
    /// What a handler of this event produces for the platform: a [`Response`] for HTTP, a
    /// JSON [`Payload`] or an [`Error`] for everything else.
    type Outcome: Outcome;

    /// The event's name in messages.
    const NAME: &'static str;

    /// The headers a caller's trace may come in (a W3C `traceparent`): an HTTP request's.
    fn trace_headers(&self) -> Option<&http::HeaderMap> {
        None
    }
}

impl Event for Request {
    type Outcome = Response;
    const NAME: &'static str = "HTTP request";

    fn trace_headers(&self) -> Option<&http::HeaderMap> {
        Some(self.headers())
    }
}

impl Event for ObjectEvent {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "ObjectEvent";
}

impl Event for TableEvent {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "TableEvent";
}

impl Event for MessageEvent {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "MessageEvent";
}

impl Event for ScheduleEvent {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "ScheduleEvent";
}

impl<T: Send + 'static> Event for CloudEvent<T> {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "CloudEvent";
}

impl<T: Send + 'static> Event for JsonEvent<T> {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "JSON event";
}
