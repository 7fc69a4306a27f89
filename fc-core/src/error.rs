//! The error type handlers and adapters share.

use std::error::Error as StdError;
use std::fmt;

/// Any error that can cross a thread boundary, boxed.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What went wrong, in the terms a platform reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The platform delivered an event the handler's event type cannot be made from.
    InvalidEvent,
    /// The handler returned an error.
    Handler,
    /// The handler panicked.
    Panic,
    /// The invocation ran past its deadline.
    Timeout,
    /// The one-time initialisation (`init`) failed.
    Init,
    /// fc itself failed (encoding a result, talking to the platform).
    Internal,
}

impl ErrorKind {
    /// The name platforms show for this kind (Lambda's `errorType`, FC's `errorType`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidEvent => "InvalidEvent",
            ErrorKind::Handler => "HandlerError",
            ErrorKind::Panic => "Panic",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Init => "InitError",
            ErrorKind::Internal => "InternalError",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from a handler, its initialisation or an adapter: a [kind](ErrorKind), a message,
/// and the error it came from, if any.
///
/// Any `std::error::Error + Send + Sync` converts into it, so `?` works on I/O, parse and
/// database errors. Like `anyhow::Error`, it does not implement `std::error::Error` itself
/// (that would conflict with the blanket conversion); [`Error::source`] gives the cause.
///
/// `Display` shows the message; the alternate form (`{:#}`) appends the chain of causes.
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<BoxError>,
}

impl Error {
    /// An error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// A handler error with a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Handler, message)
    }

    /// An event that could not be decoded; the message says what was expected and what came.
    pub fn invalid_event(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidEvent, message)
    }

    /// Sets the kind.
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Keeps `source` as the cause of this error.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without causes.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error this one came from.
    pub fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }

    /// Turns this error into a boxed `std::error::Error`, for APIs that want one.
    pub fn into_boxed(self) -> BoxError {
        Box::new(StdCompat(self))
    }
}

impl<E> From<E> for Error
where
    E: StdError + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Error {
            kind: ErrorKind::Handler,
            message: error.to_string(),
            source: Some(Box::new(error)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if f.alternate() {
            // The first source usually produced `message`; show it only if it adds something.
            let mut next = self.source();
            while let Some(cause) = next {
                let text = cause.to_string();
                if text != self.message {
                    write!(f, ": {text}")?;
                }
                next = cause.source();
            }
        }
        Ok(())
    }
}

/// `{:?}` reads as a sentence, because it is what `main` prints when it returns this error
/// (`fn main() -> Result<(), fc::Error>` around `fc::run`); `{:#?}` shows the fields.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return write!(f, "{}: {self:#}", self.kind);
        }
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

struct StdCompat(Error);

impl fmt::Debug for StdCompat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for StdCompat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl StdError for StdCompat {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_std_errors_and_keeps_the_cause() {
        fn parse(s: &str) -> Result<u32, Error> {
            Ok(s.parse::<u32>()?)
        }
        let err = parse("x").expect_err("not a number");
        assert_eq!(err.kind(), ErrorKind::Handler);
        assert_eq!(err.message(), "invalid digit found in string");
        assert!(err.source().is_some());
    }

    #[test]
    fn debug_reads_as_a_sentence_as_main_prints_it() {
        let err =
            Error::from(std::io::Error::other("port 3000 is taken")).with_kind(ErrorKind::Internal);
        assert_eq!(format!("{err:?}"), "InternalError: port 3000 is taken");
        assert!(format!("{err:#?}").contains("kind: Internal"));
    }

    #[test]
    fn alternate_display_shows_the_chain() {
        let io = std::io::Error::other("disk full");
        let err = Error::msg("saving the survey").with_source(io);
        assert_eq!(err.to_string(), "saving the survey");
        assert_eq!(format!("{err:#}"), "saving the survey: disk full");
        assert_eq!(err.into_boxed().to_string(), "saving the survey");
    }

    #[test]
    fn kinds_have_platform_names() {
        assert_eq!(ErrorKind::InvalidEvent.to_string(), "InvalidEvent");
        let err = Error::msg("x").with_kind(ErrorKind::Timeout);
        assert_eq!(err.kind().as_str(), "Timeout");
    }
}
