//! The `#[handler]` attribute of [fc](https://docs.rs/fc). Use it through `fc::handler`; its
//! documentation, with the code each form expands to, is there.
//!
//! This crate only parses and emits: everything the generated `main` does lives in `fc`.

mod entry;

use proc_macro::TokenStream;

/// Makes an `async fn` the entry point of a serverless function: the function is kept as
/// written, and a `main` is generated that runs it on the platform detected at start-up.
///
/// ```ignore
/// #[fc::handler]
/// async fn hello(req: fc::http::Request) -> String {
///     format!("hello {}", req.uri().path())
/// }
/// ```
///
/// expands to the function plus a `main` that hands it, typed as written, to fc:
///
/// ```ignore
/// fn main() -> std::process::ExitCode {
///     fc::__private::start::<fc::http::Request, _, _, _, _>(
///         move |event: fc::http::Request, _ctx: fc::Context, _state: &'static ()| async move {
///             fc::__private::reply::<fc::__private::Checked<fc::http::Request>, String, _>(
///                 hello(event).await,
///             )
///         },
///         fc::__private::no_init(),
///         None,
///         None,
///     )
/// }
/// ```
///
/// Each helper checks one part of the signature and is spanned on its tokens, so a mistake is
/// one error that points at it: the event type, the return type, the second parameter
/// (`fc::__private::context::<T>(ctx)`, which must be `fc::Context`), `init` or `shutdown`.
///
/// Options: `init = setup` (an `async fn() -> Result<S, E>` run once per instance; the handler
/// then takes `&S` as its last parameter, and the expansion passes
/// `fc::__private::init::<S, _, _, _>(setup)` instead of `no_init()`), `shutdown = close` (an
/// `async fn(&S)` run once when the instance stops; needs `init`; the expansion passes
/// `Some(fc::__private::shutdown::<S, _, _>(close))`), `logging = setup_tracing` (a `fn()` that
/// installs the program's own tracing subscriber, run before fc would install its own; the
/// expansion passes `Some(fc::__private::logging(setup_tracing))`), and `crate = "path"`
/// (where `fc` is, when renamed).
#[proc_macro_attribute]
pub fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::handler(args.into(), item.into()).into()
}
