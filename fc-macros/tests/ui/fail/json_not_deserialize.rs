struct Order {
    id: u64,
}

#[fc::handler]
async fn order(fc::Json(order): fc::Json<Order>) -> u64 {
    order.id
}
