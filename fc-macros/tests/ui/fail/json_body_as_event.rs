use fc::Json;

#[derive(serde::Deserialize, serde::Serialize)]
struct Order {
    id: u64,
}

#[fc::handler]
async fn create(Json(order): Json<Order>) -> Json<Order> {
    Json(order)
}
