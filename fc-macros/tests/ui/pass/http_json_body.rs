// An HTTP function with a typed JSON body: `req.json()`, whose rejection is a 400/415 response.
#[allow(dead_code)]
mod app {
    use fc::Json;
    use fc::http::{IntoResponse, JsonRejection, Request, RequestExt, StatusCode};

    #[derive(serde::Deserialize, serde::Serialize)]
    struct Order {
        id: u64,
    }

    #[fc::handler]
    async fn create(req: Request) -> Result<(StatusCode, Json<Order>), JsonRejection> {
        let order: Order = req.json()?;
        Ok((StatusCode::CREATED, Json(order)))
    }

    mod opaque {
        use super::*;

        #[fc::handler]
        async fn create(req: Request) -> impl IntoResponse {
            match req.json::<Order>() {
                Ok(order) => Json(order).into_response(),
                Err(rejection) => rejection.into_response(),
            }
        }
    }
}

fn main() {}
