use fc::http::IntoResponse;

#[fc::handler]
async fn index(_event: fc::ObjectEvent) -> impl IntoResponse {
    "indexed"
}
