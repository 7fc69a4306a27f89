//! Name/value pairs as the gateways put them in events.

use http::Uri;

/// The query's parameters, decoded, in order.
pub(crate) fn query(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The last value of each name, as REST's and ALB's `headers` and `queryStringParameters`.
pub(crate) fn last_of_each(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in pairs {
        match out.iter_mut().find(|(known, _)| known == name) {
            Some((_, last)) => last.clone_from(value),
            None => out.push((name.clone(), value.clone())),
        }
    }
    out
}

/// The values of each name joined with commas, as HTTP APIs send headers and query values.
pub(crate) fn joined(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in pairs {
        match out.iter_mut().find(|(known, _)| known == name) {
            Some((_, all)) => {
                all.push(',');
                all.push_str(value);
            }
            None => out.push((name.clone(), value.clone())),
        }
    }
    out
}
