//! The queue's consumer: stores each queued survey once and mails the shop. On Lambda the
//! messages that failed go back as `batchItemFailures` and only they are delivered again; FC
//! has no such report, so fc fails the invocation and the trigger delivers the whole batch
//! again — storing is idempotent, so the surveys already stored are not stored twice.

use fc::{BatchFailures, Context, Error, MessageEvent};
use survey_queue::Consumer;

async fn setup() -> Result<Consumer, Error> {
    Consumer::from_env().await
}

#[fc::handler(init = setup)]
async fn store(event: MessageEvent, ctx: Context, consumer: &Consumer) -> BatchFailures {
    consumer.handle(&event, &ctx).await
}
