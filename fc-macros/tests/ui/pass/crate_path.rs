// `fc` renamed: the attribute is told where it is.
extern crate fc as platform;

#[allow(dead_code)]
mod app {
    #[platform::handler(crate = "platform")]
    async fn hello(_req: platform::http::Request) -> &'static str {
        "hello"
    }
}

fn main() {}
