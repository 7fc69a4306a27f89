//! Reading JSON with errors that name the path and what was expected.

use fc_core::Error;
use serde::Deserialize;

/// Parses `raw` as `T`; a failure says which field of the `what` was wrong and how.
pub(crate) fn parse<'a, T: Deserialize<'a>>(raw: &'a str, what: &str) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(raw);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let at = match path.as_str() {
            "." | "?" => String::new(),
            path => format!(" at `{path}`"),
        };
        Error::invalid_event(format!("invalid {what}{at}: {}", err.inner()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        size: u64,
    }

    #[test]
    fn errors_name_the_path() {
        let err = parse::<Outer>(r#"{"inner":{"size":"big"}}"#, "S3 event").unwrap_err();
        assert_eq!(
            err.message(),
            "invalid S3 event at `inner.size`: invalid type: string \"big\", expected u64 at line 1 column 22"
        );
        let err = parse::<Outer>("true", "S3 event").unwrap_err();
        assert!(
            err.message()
                .starts_with("invalid S3 event: invalid type: boolean `true`"),
            "{}",
            err.message()
        );
    }
}
