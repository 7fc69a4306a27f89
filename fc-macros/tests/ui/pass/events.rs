#[allow(dead_code)]
mod object {
    #[fc::handler]
    async fn index(event: fc::ObjectEvent) -> usize {
        event.records.len()
    }
}

#[allow(dead_code)]
mod table {
    #[derive(serde::Serialize)]
    struct Report {
        inserted: usize,
    }

    #[fc::handler]
    async fn notify(event: fc::TableEvent, _ctx: fc::Context) -> Result<Report, fc::Error> {
        Ok(Report { inserted: event.records.len() })
    }
}

#[allow(dead_code)]
mod schedule {
    #[fc::handler]
    async fn tick(_event: fc::ScheduleEvent) {}
}

#[allow(dead_code)]
mod json {
    #[derive(serde::Deserialize)]
    struct Order {
        id: u64,
    }

    // Any other event, as its JSON; a JSON result.
    #[fc::handler]
    async fn order(fc::JsonEvent(order): fc::JsonEvent<Order>) -> fc::Json<u64> {
        fc::Json(order.id)
    }
}

fn main() {}
