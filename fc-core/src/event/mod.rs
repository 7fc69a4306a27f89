//! The events a handler can take, and what each one's handler gives back.

mod object;
mod schedule;
mod table;
mod value;

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

pub use object::{ObjectChange, ObjectEvent, ObjectRecord};
pub use schedule::ScheduleEvent;
pub use table::{BatchFailures, RowChange, TableEvent, TableRecord};
pub use value::{Row, Value};

use crate::Error;
use crate::http::{Request, Response};
use crate::reply::{Outcome, Payload};

/// A type a handler can take as its event.
///
/// fc implements it for [`Request`](crate::http::Request), [`ObjectEvent`], [`TableEvent`],
/// [`ScheduleEvent`] and [`Json<T>`]; each platform adapter then says how it delivers them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event type fc can deliver",
    label = "fc cannot deliver this to a handler",
    note = "a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::TableEvent`, `fc::ScheduleEvent`, or `fc::Json<T>` for any other JSON payload"
)]
pub trait Event: Sized + Send + 'static {
    /// What a handler of this event produces for the platform: a [`Response`] for HTTP, a
    /// JSON [`Payload`] or an [`Error`] for everything else.
    type Outcome: Outcome;

    /// The event's name in messages.
    const NAME: &'static str;
}

impl Event for Request {
    type Outcome = Response;
    const NAME: &'static str = "HTTP request";
}

impl Event for ObjectEvent {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "ObjectEvent";
}

impl Event for TableEvent {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "TableEvent";
}

impl Event for ScheduleEvent {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "ScheduleEvent";
}

impl<T: Send + 'static> Event for Json<T> {
    type Outcome = Result<Payload, Error>;
    const NAME: &'static str = "JSON event";
}

/// A JSON payload of any shape you describe with serde.
///
/// As an event, it is any event fc has no type of its own for (queue messages, custom
/// invocations); as a response, it is a JSON body.
///
/// ```
/// use fc_core::Json;
/// #[derive(serde::Deserialize)]
/// struct Order { id: u64 }
///
/// async fn handle(Json(order): Json<Order>) -> String {
///     format!("order {}", order.id)
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Json<T>(pub T);

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Json(value)
    }
}
