use std::rc::Rc;

async fn step() {}

#[fc::handler]
async fn hello(_req: fc::http::Request) -> String {
    let name = Rc::new(String::from("hello"));
    step().await;
    name.to_string()
}
