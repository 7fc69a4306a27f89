//! Any event fc has no type of its own for.

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

/// Any event fc has no type of its own for (a queue message, a custom invocation, a gateway's
/// event shape fc does not decode), deserialized from its JSON into a `T` you describe with
/// serde.
///
/// ```
/// use fc_core::JsonEvent;
///
/// #[derive(serde::Deserialize)]
/// struct Order { id: u64 }
///
/// async fn handle(JsonEvent(order): JsonEvent<Order>) -> String {
///     format!("order {}", order.id)
/// }
/// ```
///
/// An event that does not fit `T` fails the invocation with an `InvalidEvent` error naming
/// the field. It is not for HTTP: an HTTP function takes [`Request`](crate::http::Request) and
/// reads a JSON body with [`RequestExt::json`](crate::http::RequestExt::json), and a JSON body
/// a handler returns is [`Json<T>`](crate::Json).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonEvent<T>(pub T);

impl<T> Deref for JsonEvent<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for JsonEvent<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for JsonEvent<T> {
    fn from(value: T) -> Self {
        JsonEvent(value)
    }
}
