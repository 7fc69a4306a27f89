//! The HTTP function: an axum Router with the form page, the API description and the submit
//! flow.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json, Router};
use fc::{Context, Error};
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::mail::Mailer;
use crate::store::Store;
use crate::validate::{FieldError, SurveyForm};

/// The time the notification may take; with less left, it stays pending.
const MAIL_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// The largest submission accepted: a survey is a few hundred bytes.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The shop's name on the page when `SHOP_NAME` is not set.
pub const DEFAULT_SHOP: &str = "our shop";

const PAGE: &str = include_str!("page.html");
const OPENAPI: &str = include_str!("openapi.json");

/// What one instance holds: made once, before the first request.
#[derive(Debug)]
pub struct App {
    /// The database.
    pub store: Store,
    /// The notifier.
    pub mailer: Mailer,
    /// The shop's name, as the page shows it.
    pub shop: String,
}

/// Builds the instance's database pool and mailer from the environment (`DATABASE_URL`,
/// `SMTP_URL`, `NOTIFY_TO`, `SHOP_NAME`, …).
pub async fn setup() -> Result<App, Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let url = var("DATABASE_URL").unwrap_or_else(|| crate::store::DEFAULT_URL.into());
    Ok(App {
        store: Store::connect(&url).await?,
        mailer: Mailer::from_env()?,
        shop: var("SHOP_NAME").unwrap_or_else(|| DEFAULT_SHOP.into()),
    })
}

struct Shared {
    app: App,
    page: String,
}

/// The survey's routes, over `app`.
pub fn router(app: App) -> Router {
    let page = page(&app.shop);
    Router::new()
        .route("/", get(page_handler))
        .route("/openapi.json", get(openapi))
        .route("/submitSurvey", post(submit))
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(Arc::new(Shared { app, page }))
}

/// The form page, for the shop named `shop`.
pub fn page(shop: &str) -> String {
    PAGE.replace("{{shop}}", &html_escape::encode_text(shop))
}

async fn page_handler(State(shared): State<Arc<Shared>>) -> Html<String> {
    Html(shared.page.clone())
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// The answer to a path the app does not have.
pub async fn not_found(req: Request) -> Problem {
    Problem(
        StatusCode::NOT_FOUND,
        format!("There is no page {}.", req.uri().path()),
    )
}

/// A failure said in one sentence: `{"error": "..."}`.
#[derive(Debug)]
pub struct Problem(pub StatusCode, pub String);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// Invalid fields, each with what to do about it: `{"errors": [{"field", "message"}]}`.
#[derive(Debug)]
pub struct Invalid(pub Vec<FieldError>);

impl IntoResponse for Invalid {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, Json(json!({ "errors": self.0 }))).into_response()
    }
}

/// A survey from a JSON body, or from a form as a browser without script posts it.
#[derive(Debug)]
pub struct Submitted(pub SurveyForm);

impl<S: Send + Sync> FromRequest<S> for Submitted {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if form {
            let Form(survey) = Form::<SurveyForm>::from_request(req, state)
                .await
                .map_err(|rejection| Problem(rejection.status(), rejection.body_text()))?;
            return Ok(Submitted(survey));
        }
        match Json::<SurveyForm>::from_request(req, state).await {
            Ok(Json(survey)) => Ok(Submitted(survey)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the survey as application/json or application/x-www-form-urlencoded.".into(),
            )),
            Err(rejection) => Err(Problem(rejection.status(), rejection.body_text())),
        }
    }
}

/// The key that makes a retry store nothing new: the page's `Idempotency-Key`, else the
/// invocation's request id, which a platform's own retry keeps.
pub fn idempotency_key(headers: &HeaderMap, ctx: &Context) -> Result<String, Invalid> {
    match headers.get("idempotency-key").map(|v| v.to_str()) {
        Some(Ok(key)) if !key.trim().is_empty() && key.len() <= 200 => Ok(key.trim().to_owned()),
        Some(_) => Err(Invalid(vec![FieldError {
            field: "body",
            message: "The Idempotency-Key header must be 1 to 200 visible characters.".into(),
        }])),
        None => Ok(ctx.request_id.clone()),
    }
}

async fn submit(
    State(shared): State<Arc<Shared>>,
    Extension(ctx): Extension<Context>,
    headers: HeaderMap,
    Submitted(form): Submitted,
) -> Result<Response, Response> {
    let app = &shared.app;
    let key = idempotency_key(&headers, &ctx).map_err(IntoResponse::into_response)?;
    let submission = form
        .check()
        .map_err(|errors| Invalid(errors).into_response())?;
    let saved = app.store.save(&key, &submission).await.map_err(|err| {
        tracing::error!(
            request_id = ctx.request_id,
            "the survey was not stored: {err:#}"
        );
        Problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "The survey could not be stored; please send it again (request {}).",
                ctx.request_id
            ),
        )
        .into_response()
    })?;
    let mut notified = saved.notified;
    if saved.new {
        // The survey is stored whatever happens to the mail; a failure leaves it pending, and
        // so does too little time left to send it before the platform's deadline.
        let sent = match ctx.require_remaining(MAIL_TIME, "sending the notification") {
            Ok(()) => app.mailer.notify(saved.id, &submission).await,
            Err(err) => Err(err),
        };
        let marked = match sent {
            Ok(()) => app.store.mark_notified(saved.id).await,
            Err(err) => Err(err),
        };
        match marked {
            Ok(()) => notified = true,
            Err(err) => tracing::error!(
                request_id = ctx.request_id,
                survey = saved.id,
                "notification failed: {err:#}"
            ),
        }
    } else {
        tracing::info!(
            request_id = ctx.request_id,
            survey = saved.id,
            "a retry of a stored survey"
        );
    }
    let notification = if notified { "sent" } else { "pending" };
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": saved.id, "notification": notification })),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::HeaderValue;
    use fc::testing;
    use http_body_util::BodyExt;
    use serde_json::Value;
    use std::path::PathBuf;
    use tower::ServiceExt;

    struct Fixture {
        router: Router,
        store: Store,
        dir: PathBuf,
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    async fn fixture(name: &str, smtp: Option<&str>, shop: &str) -> Fixture {
        let dir = std::env::temp_dir().join(format!("survey-app-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/survey.db", dir.display());
        let mailer = Mailer::new(
            smtp,
            &dir.join("outbox"),
            "survey@example.com",
            "shop@example.com",
        )
        .unwrap();
        let app = App {
            store: Store::connect(&url).await.unwrap(),
            mailer,
            shop: shop.into(),
        };
        Fixture {
            router: router(app),
            store: Store::connect(&url).await.unwrap(),
            dir,
        }
    }

    impl Fixture {
        async fn send(&self, req: axum::http::Request<Body>, ctx: Context) -> (StatusCode, String) {
            let mut req = req;
            req.extensions_mut().insert(ctx);
            let response = self.router.clone().oneshot(req).await.unwrap();
            let status = response.status();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }

        async fn call(&self, req: axum::http::Request<Body>) -> (StatusCode, Value) {
            let (status, body) = self.send(req, testing::context()).await;
            let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
            (status, value)
        }

        fn outbox(&self) -> usize {
            std::fs::read_dir(self.dir.join("outbox"))
                .map(|d| d.count())
                .unwrap_or(0)
        }
    }

    fn post(content_type: &str, body: impl Into<Body>) -> axum::http::Request<Body> {
        axum::http::Request::post("/submitSurvey")
            .header("content-type", content_type)
            .body(body.into())
            .unwrap()
    }

    fn post_json(value: &Value) -> axum::http::Request<Body> {
        post("application/json", value.to_string())
    }

    fn get(path: &str) -> axum::http::Request<Body> {
        axum::http::Request::get(path).body(Body::empty()).unwrap()
    }

    #[test]
    fn the_page_never_turns_what_it_echoes_into_markup() {
        // Answers and field errors (which may quote what was typed) are set as text only.
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!PAGE.contains(sink), "the page uses {sink}");
        }
        assert!(PAGE.contains("slot.textContent = e.message"));
    }

    #[tokio::test]
    async fn the_page_names_the_shop_and_the_description_is_served() {
        let f = fixture("page", None, "Bits & <Bytes>").await;
        let (status, page) = f.send(get("/"), testing::context()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("<form id=\"survey\""));
        assert!(
            page.contains("How was your visit to Bits &amp; &lt;Bytes&gt;?"),
            "the name is escaped"
        );
        let (status, spec) = f.call(get("/openapi.json")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(spec["openapi"], "3.0.3");
        assert!(spec["paths"]["/submitSurvey"]["post"]["responses"]["415"].is_object());
    }

    #[tokio::test]
    async fn a_good_submission_is_stored_and_notified() {
        let f = fixture("good", None, DEFAULT_SHOP).await;
        let (status, body) = f
            .call(post_json(&json!({"name": "Ada", "phone": "12345", "satisfaction": 5, "email": "ada@example.org"})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["notification"], "sent");
        let stored = f.store.surveys().await.unwrap();
        assert_eq!(
            (
                stored.len(),
                stored[0].submission.name.as_str(),
                stored[0].notified
            ),
            (1, "Ada", true)
        );
        assert_eq!(
            f.outbox(),
            2,
            "the shop's notification and the customer's copy"
        );
    }

    #[tokio::test]
    async fn forms_are_accepted_too() {
        let f = fixture("form", None, DEFAULT_SHOP).await;
        let req = post(
            "application/x-www-form-urlencoded; charset=UTF-8",
            "name=Li+Lei&phone=138+0013+8000&satisfaction=4&email=",
        );
        let (status, body) = f.call(req).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let stored = f.store.surveys().await.unwrap();
        assert_eq!(
            (
                stored[0].submission.name.as_str(),
                stored[0].submission.email.as_deref()
            ),
            ("Li Lei", None)
        );
    }

    #[tokio::test]
    async fn bad_requests_get_the_right_status_and_a_sentence() {
        let f = fixture("bad", None, DEFAULT_SHOP).await;
        let (status, body) = f
            .call(post_json(
                &json!({"name": "", "phone": "12", "satisfaction": 0}),
            ))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["name", "phone", "satisfaction"]);
        let cases = [
            (
                post("text/plain", "name=x"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "application/json or application/x-www-form-urlencoded",
            ),
            (
                axum::http::Request::post("/submitSurvey")
                    .body(Body::from("{}"))
                    .unwrap(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "application/json",
            ),
            (
                post("application/json", "{\"name\":"),
                StatusCode::BAD_REQUEST,
                "EOF",
            ),
            (
                post("application/json", "1"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "expected struct SurveyForm",
            ),
            (
                post_json(&json!({"name": 42})),
                StatusCode::UNPROCESSABLE_ENTITY,
                "name: invalid type: integer `42`",
            ),
            (
                post_json(&json!({"satisfaction": "five"})),
                StatusCode::UNPROCESSABLE_ENTITY,
                "a whole number from 1 to 5",
            ),
            (
                post(
                    "application/x-www-form-urlencoded",
                    "name=A&phone=12345&satisfaction=lots",
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "a whole number from 1 to 5",
            ),
            (
                post_json(&json!({"name": "x".repeat(BODY_LIMIT)})),
                StatusCode::PAYLOAD_TOO_LARGE,
                "",
            ),
            (
                get("/nope"),
                StatusCode::NOT_FOUND,
                "There is no page /nope.",
            ),
        ];
        for (req, status, says) in cases {
            let target = format!("{} {}", req.method(), req.uri());
            let (got, body) = f.call(req).await;
            assert_eq!(got, status, "{target}: {body}");
            assert!(body.to_string().contains(says), "{target}: {body}");
        }
        let (status, _) = f.call(get("/submitSurvey")).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        let (status, _) = f
            .call(axum::http::Request::post("/").body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        let mut keyed = post_json(&json!({"name": "A", "phone": "12345", "satisfaction": 1}));
        keyed
            .headers_mut()
            .insert("idempotency-key", HeaderValue::from_static("  "));
        assert_eq!(f.call(keyed).await.0, StatusCode::BAD_REQUEST);
        assert!(
            f.store.surveys().await.unwrap().is_empty(),
            "nothing invalid was stored"
        );
    }

    #[tokio::test]
    async fn retries_store_one_survey() {
        let f = fixture("retry", None, DEFAULT_SHOP).await;
        let survey = json!({"name": "Ada", "phone": "12345", "satisfaction": 3});
        let mut ctx = testing::context();
        ctx.request_id = "same-invocation".into();
        let (_, first) = f.send(post_json(&survey), ctx.clone()).await;
        let (_, again) = f.send(post_json(&survey), ctx).await;
        assert_eq!(first, again);
        let keyed = || {
            let mut keyed = post_json(&survey);
            keyed
                .headers_mut()
                .insert("idempotency-key", HeaderValue::from_static("form-42"));
            keyed
        };
        let a = f.call(keyed()).await.1;
        let b = f.call(keyed()).await.1;
        assert_eq!(a["id"], b["id"]);
        assert_eq!(f.store.surveys().await.unwrap().len(), 2);
        assert_eq!(f.outbox(), 2, "one notification per stored survey");
    }

    #[tokio::test]
    async fn with_no_time_left_the_mail_waits_and_the_survey_is_kept() {
        let f = fixture("late", None, DEFAULT_SHOP).await;
        let mut ctx = testing::context();
        ctx.deadline = Some(std::time::SystemTime::now() + std::time::Duration::from_millis(500));
        let req = post_json(&json!({"name": "Ada", "phone": "12345", "satisfaction": 2}));
        let (status, body) = f.send(req, ctx).await;
        assert_eq!(status, StatusCode::CREATED);
        assert!(body.contains("\"pending\""), "{body}");
        assert_eq!(f.outbox(), 0);
        assert_eq!(f.store.surveys().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_failed_notification_keeps_the_survey_and_says_pending() {
        // Nothing listens on port 1: the SMTP connection fails.
        let f = fixture("smtp-down", Some("smtp://127.0.0.1:1"), DEFAULT_SHOP).await;
        let (status, body) = f
            .call(post_json(
                &json!({"name": "Ada", "phone": "12345", "satisfaction": 2}),
            ))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(body["notification"], "pending");
        let stored = f.store.surveys().await.unwrap();
        assert_eq!((stored.len(), stored[0].notified), (1, false));
    }
}
