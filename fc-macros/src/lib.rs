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
/// expands to the function plus
///
/// ```ignore
/// fn main() -> std::process::ExitCode {
///     fc::__private::start(fc::__private::Function::new(hello))
/// }
/// ```
///
/// Options: `init = setup` (an `async fn() -> Result<S, E>` run once per instance; the handler
/// then takes `&S` as its last parameter, and the expansion calls `Function::with_init(hello,
/// setup)`), `shutdown = close` (an `async fn(&S)` run once when the instance stops; needs
/// `init`; the expansion calls `Function::with_lifecycle(hello, setup, close)`), and
/// `crate = "path"` (where `fc` is, when renamed).
#[proc_macro_attribute]
pub fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::handler(args.into(), item.into()).into()
}
