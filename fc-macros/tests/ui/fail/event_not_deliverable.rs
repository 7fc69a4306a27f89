#[fc::handler]
async fn hello(name: String) -> String {
    name
}
