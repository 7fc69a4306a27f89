//! Reading JSON with errors that name the path and what was expected.

use fc_core::Error;
use serde::Deserialize;

/// Parses `raw` as `T`; a failure says which field of the `what` was wrong and how.
pub(crate) fn parse<'a, T: Deserialize<'a>>(raw: &'a [u8], what: &str) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(raw);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let at = match path.as_str() {
            "." | "?" => String::new(),
            path => format!(" at `{path}`"),
        };
        Error::invalid_event(format!("invalid {what}{at}: {}", err.inner()))
    })
}
