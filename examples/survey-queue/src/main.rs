//! The survey API that queues: validates a submission and sends it to `QUEUE_URL`, answering
//! 202; `survey-store` stores and mails it.
//!
//! Locally: `fc-local queue --platform aws -- target/debug/survey-store` prints the queue's URL;
//! then `QUEUE_URL=<it> cargo run -p survey-queue` (with AWS credentials in the environment,
//! any values for fc-local) and open http://127.0.0.1:3000.

#[tokio::main]
async fn main() -> Result<(), fc::Error> {
    let queue = survey_queue::Queue::from_env()?;
    let shop = std::env::var("SHOP_NAME").unwrap_or_else(|_| survey::app::DEFAULT_SHOP.into());
    fc::run(survey_queue::router(queue, &shop)).await
}
