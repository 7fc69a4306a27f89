struct Summary {
    count: usize,
}

#[fc::handler]
async fn index(event: fc::ObjectEvent) -> Summary {
    Summary { count: event.records.len() }
}
