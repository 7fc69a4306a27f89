//! An event function whose behaviour the event chooses.

use std::time::Duration;

use fc::{Context, Error, JsonEvent};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "lowercase")]
enum Command {
    Echo { value: serde_json::Value },
    Fail { message: String },
    Panic,
    Sleep { ms: u64 },
}

#[fc::handler]
async fn probe(
    JsonEvent(command): JsonEvent<Command>,
    ctx: Context,
) -> Result<serde_json::Value, Error> {
    match command {
        Command::Echo { value } => {
            Ok(serde_json::json!({ "echo": value, "platform": ctx.platform.as_str() }))
        }
        Command::Fail { message } => Err(Error::msg(message)),
        Command::Panic => panic!("the probe panicked on purpose"),
        Command::Sleep { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(serde_json::json!("slept"))
        }
    }
}
