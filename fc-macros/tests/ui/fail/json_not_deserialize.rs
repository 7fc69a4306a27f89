struct Order {
    id: u64,
}

#[fc::handler]
async fn order(fc::JsonEvent(order): fc::JsonEvent<Order>) -> u64 {
    order.id
}
