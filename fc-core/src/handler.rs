//! The `Handler` trait: what an `async fn` must look like for fc to run it.

use std::future::Future;

use crate::context::Context;

#[doc(hidden)]
pub mod markers {
    //! Names that tell apart the handler shapes fc accepts; inferred, never written.

    /// `async fn(E) -> R`
    #[derive(Debug)]
    pub struct Event;
    /// `async fn(E, Context) -> R`
    #[derive(Debug)]
    pub struct EventContext;
    /// `async fn(E, &S) -> R`
    #[derive(Debug)]
    pub struct EventState;
    /// `async fn(E, Context, &S) -> R`
    #[derive(Debug)]
    pub struct EventContextState;
}

/// A function fc can call once per invocation with an event of type `E`.
///
/// Implemented for async functions and closures of these shapes:
///
/// | shape | when |
/// |---|---|
/// | `async fn(E) -> R` | the event is all you need |
/// | `async fn(E, Context) -> R` | you need the request id, deadline, credentials… |
/// | `async fn(E, &S) -> R` | with `init`: `S` is what `init` made once per instance |
/// | `async fn(E, Context, &S) -> R` | both |
///
/// `M` is inferred and only tells the shapes apart; `S` is the state made by `init`, `()`
/// without one. The state lives as long as the process (one instance), hence `&'static S`.
///
/// Implement it yourself for a handler that is a struct:
///
/// ```
/// use fc_core::{Context, Handler, ObjectEvent};
///
/// struct Counter { prefix: String }
///
/// impl Handler<ObjectEvent, ()> for Counter {
///     type Output = String;
///     async fn call(&self, event: ObjectEvent, _ctx: Context, _state: &'static ()) -> String {
///         format!("{}{}", self.prefix, event.records.len())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler of `{E}` events",
    label = "not a handler fc can call",
    note = "a handler is an `async fn(event) -> R` or `async fn(event, fc::Context) -> R`; with `#[handler(init = ...)]` it takes the state as a last `&State` parameter"
)]
pub trait Handler<E: Send + 'static, M, S: Sync + 'static = ()>: Send + Sync + 'static {
    /// What the handler returns.
    type Output;

    /// Handles one invocation. An impl may write it as an `async fn`.
    fn call(
        &self,
        event: E,
        ctx: Context,
        state: &'static S,
    ) -> impl Future<Output = Self::Output> + Send;
}

impl<F, Fut, E, S> Handler<E, markers::Event, S> for F
where
    F: Fn(E) -> Fut + Send + Sync + 'static,
    Fut: Future + Send,
    E: Send + 'static,
    S: Sync + 'static,
{
    type Output = Fut::Output;

    fn call(
        &self,
        event: E,
        _ctx: Context,
        _state: &'static S,
    ) -> impl Future<Output = Fut::Output> + Send {
        self(event)
    }
}

impl<F, Fut, E, S> Handler<E, markers::EventContext, S> for F
where
    F: Fn(E, Context) -> Fut + Send + Sync + 'static,
    Fut: Future + Send,
    E: Send + 'static,
    S: Sync + 'static,
{
    type Output = Fut::Output;

    fn call(
        &self,
        event: E,
        ctx: Context,
        _state: &'static S,
    ) -> impl Future<Output = Fut::Output> + Send {
        self(event, ctx)
    }
}

impl<F, Fut, E, S> Handler<E, markers::EventState, S> for F
where
    F: Fn(E, &'static S) -> Fut + Send + Sync + 'static,
    Fut: Future + Send,
    E: Send + 'static,
    S: Sync + 'static,
{
    type Output = Fut::Output;

    fn call(
        &self,
        event: E,
        _ctx: Context,
        state: &'static S,
    ) -> impl Future<Output = Fut::Output> + Send {
        self(event, state)
    }
}

impl<F, Fut, E, S> Handler<E, markers::EventContextState, S> for F
where
    F: Fn(E, Context, &'static S) -> Fut + Send + Sync + 'static,
    Fut: Future + Send,
    E: Send + 'static,
    S: Sync + 'static,
{
    type Output = Fut::Output;

    fn call(
        &self,
        event: E,
        ctx: Context,
        state: &'static S,
    ) -> impl Future<Output = Fut::Output> + Send {
        self(event, ctx, state)
    }
}
