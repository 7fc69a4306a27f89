//! The supermarket's customer-satisfaction survey, as one axum app that runs locally, on AWS
//! Lambda and on Function Compute through `fc::run`.
//!
//! `GET /` serves the form; `POST /submitSurvey` validates a submission, stores it in SQL
//! (SQLite by default, MySQL with `DATABASE_URL=mysql://…`) once per idempotency key, and
//! e-mails the shop (SMTP with `SMTP_URL`, else `.eml` files in `./outbox`); `GET
//! /openapi.json` describes the API. `live` is a second app: the number of stored surveys as
//! server-sent events.
//!
//! The table-stream and object-storage examples reuse the store and the mailer.

pub mod app;
pub mod live;
pub mod mail;
pub mod store;
pub mod validate;

pub use app::{App, router, setup};
pub use mail::Mailer;
pub use store::Store;
pub use validate::{FieldError, Submission, SurveyForm};
