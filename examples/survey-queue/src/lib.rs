//! The survey's asynchronous path, as event-driven apps split it: the API validates a
//! submission and puts it on a queue (SQS on AWS, MNS on Function Compute), answering 202 at
//! once; a second function takes the queue's messages in batches, stores each survey once and
//! mails the shop, and reports the messages it could not handle so the queue delivers them
//! again.
//!
//! `QUEUE_URL` names the queue: `https://sqs.<region>.amazonaws.com/<account>/<name>` or
//! `https://<account>.mns.<region>.aliyuncs.com/queues/<name>` (fc-local's queue prints its own).

pub mod mns;
pub mod queue;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use fc::{BatchFailures, Context, Error, Message, MessageEvent};
use serde::{Deserialize, Serialize};
use serde_json::json;
use survey::app::{Invalid, Problem, Submitted, idempotency_key, not_found};
use survey::{Mailer, Store, Submission};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub use queue::Queue;

/// What a message carries: a checked submission and the key that makes a redelivery, or a
/// second send of the same form, store nothing new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The page's `Idempotency-Key`, else the API request's id.
    pub key: String,
    /// The survey.
    pub survey: Submission,
}

struct Api {
    queue: Queue,
    page: String,
}

/// The API: the form page and `POST /submitSurvey`, which queues the survey.
pub fn router(queue: Queue, shop: &str) -> Router {
    let page = survey::app::page(shop);
    Router::new()
        .route(
            "/",
            get(|State(api): State<Arc<Api>>| async move { Html(api.page.clone()) }),
        )
        .route("/submitSurvey", post(submit))
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(survey::app::BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(Arc::new(Api { queue, page }))
}

async fn submit(
    State(api): State<Arc<Api>>,
    Extension(ctx): Extension<Context>,
    headers: HeaderMap,
    Submitted(form): Submitted,
) -> Result<Response, Response> {
    let key = idempotency_key(&headers, &ctx).map_err(IntoResponse::into_response)?;
    let survey = form
        .check()
        .map_err(|errors| Invalid(errors).into_response())?;
    let job = serde_json::to_string(&Job {
        key: key.clone(),
        survey,
    })
    .map_err(|err| Problem(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response())?;
    let id = api.queue.send(&job, &key, &ctx).await.map_err(|err| {
        tracing::error!(
            request_id = ctx.request_id,
            "the survey was not queued: {err:#}"
        );
        Problem(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The survey could not be queued; please send it again (request {}).",
                ctx.request_id
            ),
        )
        .into_response()
    })?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "queued": id }))).into_response())
}

/// What the consumer holds: the database and the mailer, as the survey function has them.
#[derive(Debug)]
pub struct Consumer {
    /// The database.
    pub store: Store,
    /// The notifier.
    pub mailer: Mailer,
}

impl Consumer {
    /// From the environment, as the survey function: `DATABASE_URL`, `SMTP_URL`, …
    pub async fn from_env() -> Result<Consumer, Error> {
        let app = survey::setup().await?;
        Ok(Consumer {
            store: app.store,
            mailer: app.mailer,
        })
    }

    /// Stores and mails every message's survey; the messages that failed are returned, for
    /// the queue to deliver again. A body that is not a job fails too: after the queue's
    /// retries it lands in the dead-letter queue, kept for someone to look at.
    pub async fn handle(&self, event: &MessageEvent, ctx: &Context) -> BatchFailures {
        let mut failures = BatchFailures::new();
        for message in &event.messages {
            if let Err(err) = self.handle_one(message).await {
                tracing::error!(request_id = ctx.request_id, message = message.id, "{err:#}");
                failures.push(message);
            }
        }
        failures
    }

    async fn handle_one(&self, message: &Message) -> Result<(), Error> {
        let job: Job = message.json()?;
        let saved = self.store.save(&job.key, &job.survey).await?;
        if saved.notified {
            return Ok(());
        }
        self.mailer.notify(saved.id, &job.survey).await?;
        self.store.mark_notified(saved.id).await
    }
}
