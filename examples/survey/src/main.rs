//! The survey function.
//!
//! Run with `cargo run -p survey`, then open http://127.0.0.1:3000.

use fc::Context;
use fc::http::{Request, Response};
use survey::App;

#[fc::handler(init = survey::setup)]
async fn survey(req: Request, ctx: Context, app: &App) -> Response {
    survey::handle(req, ctx, app).await
}
