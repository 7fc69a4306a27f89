//! The event runner: one event from a file or stdin, one invocation, the result on stdout.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use fc_core::{Error, ErrorKind, Event, Function, Payload};
use serde::de::DeserializeOwned;

use crate::config::Config;

/// What the runner was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Stdin,
    File(PathBuf),
    Help,
}

pub(crate) fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Input, String> {
    let mut input = Input::Stdin;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Input::Help),
            "-e" | "--event" => {
                let path = args
                    .next()
                    .ok_or_else(|| format!("{arg} needs a file name (or - for stdin)"))?;
                input = file_or_stdin(path);
            }
            _ => match arg.strip_prefix("--event=") {
                Some(path) => input = file_or_stdin(path.to_owned()),
                None => return Err(format!("unexpected argument `{arg}`")),
            },
        }
    }
    Ok(input)
}

fn file_or_stdin(path: String) -> Input {
    if path == "-" {
        Input::Stdin
    } else {
        Input::File(path.into())
    }
}

fn usage(name: &str, event: &str) -> String {
    format!(
        "usage: {name} [--event FILE]\n\n\
         Runs the function once on an {event} read from FILE, or from stdin, and prints the\n\
         JSON result. Deployed on AWS Lambda or Function Compute, the same binary serves there.\n\n\
         Environment: FC_TIMEOUT (seconds, default 60), RUST_LOG (default info)."
    )
}

/// A cloud's own shape of an event, which the runner reads too: a sample from `fc-local event`,
/// or an event copied from a cloud's console or logs.
pub struct CloudShape<E> {
    /// The cloud, as an error names it: `AWS Lambda`.
    pub cloud: &'static str,
    /// Its adapter's decoder.
    pub decode: fn(&[u8]) -> Result<E, Error>,
}

impl<E> Clone for CloudShape<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for CloudShape<E> {}

impl<E> std::fmt::Debug for CloudShape<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CloudShape({})", self.cloud)
    }
}

/// Decodes one event of type `E` from fc's JSON form or, failing that, from one of `shapes`;
/// the error is that of fc's form, and says which clouds' shapes were tried too.
pub(crate) fn decode_any<E: Event + DeserializeOwned>(
    json: &[u8],
    shapes: &[CloudShape<E>],
) -> Result<E, Error> {
    let own = match decode::<E>(json) {
        Ok(event) => return Ok(event),
        Err(err) => err,
    };
    if shapes.is_empty() || json.iter().all(u8::is_ascii_whitespace) {
        return Err(own);
    }
    if let Some(event) = shapes.iter().find_map(|shape| (shape.decode)(json).ok()) {
        return Ok(event);
    }
    let clouds = shapes
        .iter()
        .map(|shape| shape.cloud)
        .collect::<Vec<_>>()
        .join(" or ");
    Err(Error::invalid_event(format!(
        "{}; nor is it an {} as {clouds} sends one",
        own.message(),
        E::NAME
    )))
}

/// Decodes one event of type `E` from JSON, naming the path of the first mismatch.
pub fn decode<E: Event + DeserializeOwned>(json: &[u8]) -> Result<E, Error> {
    if json.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid_event(format!(
            "no event: expected a {} as JSON",
            E::NAME
        )));
    }
    fc_core::adapter::parse_json(json, E::NAME)
}

/// Runs `function` on one event read as the command line says; prints the JSON result, or the
/// error on stderr with a non-zero exit status.
pub(crate) async fn run<E>(
    function: Function<E>,
    config: Config,
    shapes: &[CloudShape<E>],
) -> ExitCode
where
    E: Event<Outcome = Result<Payload, Error>> + DeserializeOwned,
{
    let input = match parse_args(std::env::args().skip(1)) {
        Ok(Input::Help) => {
            println!("{}", usage(&config.function_name, E::NAME));
            return ExitCode::SUCCESS;
        }
        Ok(input) => input,
        Err(err) => {
            eprintln!("error: {err}\n\n{}", usage(&config.function_name, E::NAME));
            return ExitCode::from(2);
        }
    };
    let json = match read(&input) {
        Ok(json) => json,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let result = match decode_any::<E>(&json, shapes) {
        Ok(event) => invoke(function, event, &config).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(payload) => {
            println!("{}", show(&payload));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {}: {err:#}", err.kind());
            ExitCode::FAILURE
        }
    }
}

async fn invoke<E>(function: Function<E>, event: E, config: &Config) -> Result<Payload, Error>
where
    E: Event<Outcome = Result<Payload, Error>>,
{
    let instance = function.init().await?;
    let ctx = config.context();
    let request_id = ctx.request_id.clone();
    tracing::info!(request_id, "invoking with one {}", E::NAME);
    let invoking = instance.clone();
    let instance_task = tokio::spawn(async move { invoking.invoke(event, ctx).await });
    let outcome = tokio::time::timeout(config.timeout, instance_task).await;
    // The process ends after this one event: let the function close what it opened.
    crate::server::stop(&instance).await;
    match outcome {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(err)) => Err(Error::new(
            ErrorKind::Internal,
            format!("the invocation task failed: {err}"),
        )),
        Err(_) => Err(Error::new(
            ErrorKind::Timeout,
            format!(
                "Task timed out after {:.2} seconds",
                config.timeout.as_secs_f64()
            ),
        )),
    }
}

fn read(input: &Input) -> Result<Vec<u8>, String> {
    match input {
        Input::File(path) => {
            std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
        }
        _ => {
            let mut stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("reading the event as JSON from stdin (end with Ctrl-D)");
            }
            let mut json = Vec::new();
            stdin
                .read_to_end(&mut json)
                .map_err(|err| format!("cannot read stdin: {err}"))?;
            Ok(json)
        }
    }
}

/// Pretty for a person at a terminal, compact for a pipe.
fn show(payload: &Payload) -> String {
    if std::io::stdout().is_terminal()
        && let Ok(value) = payload.to::<serde_json::Value>()
        && let Ok(pretty) = serde_json::to_string_pretty(&value)
    {
        return pretty;
    }
    payload.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::{JsonEvent, ObjectEvent};

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn arguments() {
        assert_eq!(parse_args(args(&[])), Ok(Input::Stdin));
        assert_eq!(
            parse_args(args(&["--event", "e.json"])),
            Ok(Input::File("e.json".into()))
        );
        assert_eq!(parse_args(args(&["--event=-"])), Ok(Input::Stdin));
        assert_eq!(parse_args(args(&["-h"])), Ok(Input::Help));
        assert_eq!(
            parse_args(args(&["--event"])),
            Err("--event needs a file name (or - for stdin)".into())
        );
        assert_eq!(
            parse_args(args(&["x"])),
            Err("unexpected argument `x`".into())
        );
    }

    #[test]
    fn a_clouds_own_shape_is_read_through_its_decoder() {
        let aws = CloudShape::<ObjectEvent> {
            cloud: "AWS Lambda",
            decode: |json| {
                let value: serde_json::Value = serde_json::from_slice(json)
                    .map_err(|err| Error::invalid_event(err.to_string()))?;
                match value.get("Records") {
                    Some(_) => decode::<ObjectEvent>(br#"{"records":[]}"#),
                    None => Err(Error::invalid_event("not S3")),
                }
            },
        };
        let event = decode_any(br#"{"Records":[]}"#, &[aws]).expect("read as the cloud's");
        assert!(event.records.is_empty());
        let err = decode_any(br#"{"Recs":[]}"#, &[aws]).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid ObjectEvent: missing field `records` at line 1 column 11; nor is it an \
             ObjectEvent as AWS Lambda sends one"
        );
        let err = decode_any::<ObjectEvent>(br#"{"Recs":[]}"#, &[]).unwrap_err();
        assert!(!err.message().contains("nor"), "{}", err.message());
    }

    #[test]
    fn decode_errors_name_the_path_and_the_expectation() {
        let err = decode::<ObjectEvent>(
            br#"{"records":[{"kind":"created","eventName":"x","bucket":"b"}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidEvent);
        assert_eq!(
            err.message(),
            "invalid ObjectEvent at `records[0]`: missing field `key` at line 1 column 59"
        );

        let err = decode::<ObjectEvent>(b"{\"records\": 3}").unwrap_err();
        assert!(
            err.message().starts_with(
                "invalid ObjectEvent at `records`: invalid type: integer `3`, expected a sequence"
            ),
            "{}",
            err.message()
        );

        let err = decode::<JsonEvent<u8>>(b"  \n").unwrap_err();
        assert_eq!(err.message(), "no event: expected a JSON event as JSON");

        let err = decode::<JsonEvent<u8>>(b"1 2").unwrap_err();
        assert!(
            err.message().contains("trailing characters"),
            "{}",
            err.message()
        );

        let err = decode::<JsonEvent<serde_json::Value>>(b"{").unwrap_err();
        assert!(
            err.message()
                .starts_with("invalid JSON event: EOF while parsing"),
            "{}",
            err.message()
        );
    }
}
