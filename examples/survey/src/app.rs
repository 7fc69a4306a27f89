//! The HTTP function: routes, content negotiation, and the submit flow.

use fc::http::{HeaderValue, Html, IntoResponse, Method, Request, Response, StatusCode, header};
use fc::{Context, Error, Json};
use serde_json::{Map, Value, json};

use crate::mail::Mailer;
use crate::store::Store;
use crate::validate::{FieldError, validate};

/// The time the notification may take; with less left, it stays pending.
const MAIL_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// The largest submission accepted: a survey is a few hundred bytes.
pub const BODY_LIMIT: usize = 16 * 1024;

const PAGE: &str = include_str!("page.html");
const OPENAPI: &str = include_str!("openapi.json");

/// What one instance holds: made once in `init`.
#[derive(Debug)]
pub struct App {
    /// The database.
    pub store: Store,
    /// The notifier.
    pub mailer: Mailer,
}

/// Builds the instance's database pool and mailer from the environment (`DATABASE_URL`,
/// `SMTP_URL`, `NOTIFY_TO`, …).
pub async fn setup() -> Result<App, Error> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| crate::store::DEFAULT_URL.into());
    Ok(App {
        store: Store::connect(&url).await?,
        mailer: Mailer::from_env()?,
    })
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = problem(StatusCode::METHOD_NOT_ALLOWED, format!("use {allow}"));
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// Routes one request.
pub async fn handle(req: Request, ctx: Context, app: &App) -> Response {
    let path = req.uri().path().trim_end_matches('/');
    match (path, req.method()) {
        ("", &Method::GET | &Method::HEAD) => Html(PAGE).into_response(),
        ("", _) => method_not_allowed("GET"),
        ("/openapi.json", &Method::GET | &Method::HEAD) => {
            let mut response = OPENAPI.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        ("/openapi.json", _) => method_not_allowed("GET"),
        ("/submitSurvey", &Method::POST) => submit(req, ctx, app).await.into_response(),
        ("/submitSurvey", _) => method_not_allowed("POST"),
        _ => problem(
            StatusCode::NOT_FOUND,
            format!("no page {}", req.uri().path()),
        ),
    }
}

fn field_errors(errors: Vec<FieldError>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "errors": errors }))).into_response()
}

/// The submitted fields, from JSON or a form.
fn fields(req: &Request) -> Result<Map<String, Value>, Box<Response>> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if req.body().len() > BODY_LIMIT {
        return Err(Box::new(problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a survey is at most {BODY_LIMIT} bytes"),
        )));
    }
    let body = req.body().as_bytes();
    match essence.as_str() {
        "application/json" => match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(fields)) => Ok(fields),
            Ok(_) => Err(Box::new(field_errors(vec![FieldError {
                field: "body",
                message: "must be a JSON object with name, phone, satisfaction and email".into(),
            }]))),
            Err(err) => Err(Box::new(field_errors(vec![FieldError {
                field: "body",
                message: format!("is not valid JSON: {err}"),
            }]))),
        },
        "application/x-www-form-urlencoded" => Ok(form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect()),
        _ => Err(Box::new(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "send the survey as application/json or application/x-www-form-urlencoded, not `{}`",
                if content_type.is_empty() {
                    "(no content type)"
                } else {
                    content_type
                }
            ),
        ))),
    }
}

async fn submit(req: Request, ctx: Context, app: &App) -> Result<Response, Error> {
    let fields = match fields(&req) {
        Ok(fields) => fields,
        Err(response) => return Ok(*response),
    };
    let submission = match validate(&fields) {
        Ok(submission) => submission,
        Err(errors) => return Ok(field_errors(errors)),
    };
    // A retried invocation carries the same key, so the survey is stored once.
    let key = match req.headers().get("idempotency-key").map(|v| v.to_str()) {
        Some(Ok(key)) if !key.trim().is_empty() && key.len() <= 200 => key.trim().to_owned(),
        Some(_) => {
            return Ok(field_errors(vec![FieldError {
                field: "body",
                message: "the Idempotency-Key header must be 1 to 200 visible characters".into(),
            }]));
        }
        None => ctx.request_id.clone(),
    };
    let saved = app.store.save(&key, &submission).await?;
    let mut notified = saved.notified;
    if saved.new {
        // The survey is stored whatever happens to the mail; a failure leaves it pending, and
        // so does too little time left to send it before the platform's deadline.
        let sent = match ctx.require_remaining(MAIL_TIME, "sending the notification") {
            Ok(()) => app.mailer.notify(saved.id, &submission).await,
            Err(err) => Err(err),
        };
        match sent {
            Ok(()) => {
                app.store.mark_notified(saved.id).await?;
                notified = true;
            }
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
    use fc::testing;
    use std::path::PathBuf;

    async fn app(name: &str, smtp: Option<&str>) -> (App, PathBuf) {
        let dir = std::env::temp_dir().join(format!("survey-app-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}/survey.db", dir.display()))
            .await
            .unwrap();
        let mailer = Mailer::new(
            smtp,
            &dir.join("outbox"),
            "survey@example.com",
            "shop@example.com",
        )
        .unwrap();
        (App { store, mailer }, dir)
    }

    async fn call(app: App, req: Request) -> (Response, &'static App) {
        let app: &'static App = Box::leak(Box::new(app));
        let response = testing::invoke_with_context(
            move |req: Request, ctx: Context| async move { handle(req, ctx, app).await },
            req,
            testing::context(),
        )
        .await;
        (response, app)
    }

    fn body(response: &Response) -> Value {
        serde_json::from_slice(response.body().as_bytes()).unwrap()
    }

    fn outbox(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir.join("outbox"))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    #[test]
    fn the_page_never_turns_what_it_echoes_into_markup() {
        // Answers and field errors (which quote what was typed) are set as text only.
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!PAGE.contains(sink), "the page uses {sink}");
        }
        assert!(PAGE.contains("slot.textContent = e.field + ' ' + e.message"));
    }

    #[tokio::test]
    async fn the_page_and_the_description_are_served() {
        let (app, dir) = app("page", None).await;
        let (response, app) = call(app, testing::get("/")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response
                .body()
                .as_str()
                .unwrap()
                .contains("<form id=\"survey\"")
        );
        let response = handle(testing::get("/openapi.json"), testing::context(), app).await;
        let spec = body(&response);
        assert_eq!(spec["openapi"], "3.0.3");
        assert!(spec["paths"]["/submitSurvey"]["post"]["responses"]["415"].is_object());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_good_submission_is_stored_and_notified() {
        let (app, dir) = app("good", None).await;
        let req = testing::post_json(
            "/submitSurvey",
            &json!({"name": "Ada", "phone": "12345", "satisfaction": 5, "email": "ada@example.org"}),
        );
        let (response, app) = call(app, req).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(body(&response)["notification"], "sent");
        let stored = app.store.surveys().await.unwrap();
        assert_eq!(
            (
                stored.len(),
                stored[0].submission.name.as_str(),
                stored[0].notified
            ),
            (1, "Ada", true)
        );
        assert_eq!(
            outbox(&dir),
            2,
            "the shop's notification and the customer's copy"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn forms_are_accepted_too() {
        let (app, dir) = app("form", None).await;
        let req = testing::request("POST", "/submitSurvey")
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8",
            )
            .body("name=Li+Lei&phone=138+0013+8000&satisfaction=4&email=".into())
            .unwrap();
        let (response, app) = call(app, req).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let stored = app.store.surveys().await.unwrap();
        assert_eq!(
            (
                stored[0].submission.name.as_str(),
                stored[0].submission.email.as_deref()
            ),
            ("Li Lei", None)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn bad_requests_get_the_right_status() {
        let (app, dir) = app("bad", None).await;
        let req = testing::post_json(
            "/submitSurvey",
            &json!({"name": "", "phone": "12", "satisfaction": 0}),
        );
        let (response, app) = call(app, req).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let fields: Vec<String> = body(&response)["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(fields, ["name", "phone", "satisfaction"]);
        let cases = [
            (
                testing::post("/submitSurvey", "name=x"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                testing::get("/submitSurvey"),
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            (testing::post("/", "x"), StatusCode::METHOD_NOT_ALLOWED),
            (testing::get("/nope"), StatusCode::NOT_FOUND),
            (
                testing::request("POST", "/submitSurvey")
                    .header("content-type", "application/json")
                    .body("{\"name\":".into())
                    .unwrap(),
                StatusCode::BAD_REQUEST,
            ),
            (
                testing::request("POST", "/submitSurvey")
                    .header("content-type", "application/json")
                    .body("[1]".into())
                    .unwrap(),
                StatusCode::BAD_REQUEST,
            ),
            (
                testing::post_json("/submitSurvey", &json!({"name": "x".repeat(BODY_LIMIT)})),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
        ];
        for (req, status) in cases {
            let target = format!("{} {}", req.method(), req.uri());
            assert_eq!(
                handle(req, testing::context(), app).await.status(),
                status,
                "{target}"
            );
        }
        assert!(
            app.store.surveys().await.unwrap().is_empty(),
            "nothing invalid was stored"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn retries_store_one_survey() {
        let (app, dir) = app("retry", None).await;
        let survey = json!({"name": "Ada", "phone": "12345", "satisfaction": 3});
        let app: &'static App = Box::leak(Box::new(app));
        let mut ctx = testing::context();
        ctx.request_id = "same-invocation".into();
        let first = handle(
            testing::post_json("/submitSurvey", &survey),
            ctx.clone(),
            app,
        )
        .await;
        let again = handle(testing::post_json("/submitSurvey", &survey), ctx, app).await;
        assert_eq!(body(&first)["id"], body(&again)["id"]);
        let keyed = || {
            let mut keyed = testing::post_json("/submitSurvey", &survey);
            keyed
                .headers_mut()
                .insert("idempotency-key", HeaderValue::from_static("form-42"));
            keyed
        };
        let a = handle(keyed(), testing::context(), app).await;
        let b = handle(keyed(), testing::context(), app).await;
        assert_eq!(body(&a)["id"], body(&b)["id"]);
        assert_eq!(app.store.surveys().await.unwrap().len(), 2);
        assert_eq!(outbox(&dir), 2, "one notification per stored survey");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn with_no_time_left_the_mail_waits_and_the_survey_is_kept() {
        let (app, dir) = app("late", None).await;
        let app: &'static App = Box::leak(Box::new(app));
        let mut ctx = testing::context();
        ctx.deadline = Some(std::time::SystemTime::now() + std::time::Duration::from_millis(500));
        let req = testing::post_json(
            "/submitSurvey",
            &json!({"name": "Ada", "phone": "12345", "satisfaction": 2}),
        );
        let response = handle(req, ctx, app).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(body(&response)["notification"], "pending");
        assert_eq!(outbox(&dir), 0);
        assert_eq!(app.store.surveys().await.unwrap().len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_failed_notification_keeps_the_survey_and_says_pending() {
        // Nothing listens on port 1: the SMTP connection fails.
        let (app, dir) = app("smtp-down", Some("smtp://127.0.0.1:1")).await;
        let req = testing::post_json(
            "/submitSurvey",
            &json!({"name": "Ada", "phone": "12345", "satisfaction": 2}),
        );
        let (response, app) = call(app, req).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(body(&response)["notification"], "pending");
        let stored = app.store.surveys().await.unwrap();
        assert_eq!((stored.len(), stored[0].notified), (1, false));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
