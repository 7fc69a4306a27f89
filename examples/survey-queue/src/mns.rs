//! Sending to an MNS queue: one signed `POST /queues/<name>/messages` of MNS's REST API
//! (version 2015-06-06). The only Rust MNS crate is built on reqwest 0.11 and hyper 0.14; the
//! call is small enough to make with the hyper client the SQS SDK already brings.

use std::fmt::Write as _;

use base64::Engine;
use bytes::Bytes;
use fc::{Credentials, Error};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};

const NAMESPACE: &str = "http://mns.aliyuncs.com/doc/v1/";
const VERSION: &str = "2015-06-06";
const CONTENT_TYPE: &str = "text/xml;charset=utf-8";

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// One MNS queue.
#[derive(Debug)]
pub struct MnsQueue {
    origin: String,
    name: String,
    client: Client<Https, Full<Bytes>>,
}

/// SendMessage's request body.
#[derive(Serialize)]
#[serde(rename = "Message")]
struct Send<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "MessageBody")]
    body: &'a str,
    #[serde(rename = "DelaySeconds")]
    delay: u32,
    #[serde(rename = "Priority")]
    priority: u8,
}

/// SendMessage's answer.
#[derive(Deserialize)]
struct Sent {
    #[serde(rename = "MessageId")]
    id: String,
}

/// MNS's error answer.
#[derive(Deserialize)]
struct Failure {
    #[serde(rename = "Code", default)]
    code: String,
    #[serde(rename = "Message", default)]
    message: String,
}

/// The string MNS signs: method, Content-MD5, Content-Type, Date, the `x-mns-*` headers
/// (lower-case, sorted, `name:value\n` each) and the resource.
pub fn string_to_sign(
    content_md5: &str,
    date: &str,
    mns_headers: &[(&str, &str)],
    resource: &str,
) -> String {
    let mut headers: Vec<(String, &str)> = mns_headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), *value))
        .collect();
    headers.sort();
    let mut text = format!("POST\n{content_md5}\n{CONTENT_TYPE}\n{date}\n");
    for (name, value) in headers {
        let _ = writeln!(text, "{name}:{value}");
    }
    text.push_str(resource);
    text
}

/// `base64(HMAC-SHA1(secret, string_to_sign))`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl MnsQueue {
    /// The queue `name` at `origin` (`https://<account>.mns.<region>.aliyuncs.com`).
    pub fn new(origin: &str, name: &str) -> Result<MnsQueue, Error> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Ok(MnsQueue {
            origin: origin.trim_end_matches('/').to_owned(),
            name: name.to_owned(),
            client: Client::builder(TokioExecutor::new()).build(https),
        })
    }

    /// The queue's URL.
    pub fn url(&self) -> String {
        format!("{}/queues/{}", self.origin, self.name)
    }

    /// Sends `body` as one message; returns its id.
    pub async fn send(&self, body: &str, creds: &Credentials) -> Result<String, Error> {
        let xml = quick_xml::se::to_string(&Send {
            xmlns: NAMESPACE,
            body,
            delay: 0,
            priority: 8,
        })
        .map_err(|err| Error::msg(format!("the MNS message cannot be written: {err}")))?;
        let xml = format!(r#"<?xml version="1.0" encoding="UTF-8"?>{xml}"#);
        let resource = format!("/queues/{}/messages", self.name);
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let to_sign = string_to_sign("", &date, &[("x-mns-version", VERSION)], &resource);
        let authorization = format!(
            "MNS {}:{}",
            creds.access_key_id,
            signature(creds.secret_access_key.expose(), &to_sign)
        );
        let mut request = http::Request::post(format!("{}{resource}", self.origin))
            .header(http::header::AUTHORIZATION, authorization)
            .header(http::header::DATE, date)
            .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
            .header("x-mns-version", VERSION);
        if let Some(token) = &creds.session_token {
            // STS credentials: the token travels beside the signature, unsigned.
            request = request.header("security-token", token.expose());
        }
        let request = request
            .body(Full::new(Bytes::from(xml)))
            .map_err(|err| Error::msg(format!("the MNS request cannot be made: {err}")))?;
        let response = self.client.request(request).await.map_err(|err| {
            Error::msg(format!("MNS at {} cannot be reached: {err}", self.origin))
        })?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|err| Error::msg(format!("MNS's answer was cut off: {err}")))?
            .to_bytes();
        let text = String::from_utf8_lossy(&body);
        if status.is_success() {
            let sent: Sent = quick_xml::de::from_str(&text).map_err(|err| {
                Error::msg(format!(
                    "MNS answered {status} without a MessageId ({err}): {text}"
                ))
            })?;
            return Ok(sent.id);
        }
        match quick_xml::de::from_str::<Failure>(&text) {
            Ok(failure) => Err(Error::msg(format!(
                "MNS SendMessage failed with {status}, {}: {}",
                failure.code, failure.message
            ))),
            Err(_) => Err(Error::msg(format!(
                "MNS SendMessage failed with {status}: {text}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_string_signs_with_hmac_sha1() {
        // MNS API reference, "Sign requests": a request with no body and one x-mns header.
        let text = "GET\n\n\nThu, 09 Jul 2015 03:01:34 GMT\nx-mns-version:2015-06-06\n/MyQueue";
        // The page masks the last four characters.
        let signed = signature("TestAccessSecret", text);
        assert!(signed.starts_with("uwx3yeWoILzgmvesW0BQSgfM"), "{signed}");
        assert_eq!(signed.len(), 28, "base64 of a 20-byte SHA-1 MAC");
    }

    #[test]
    fn mns_headers_are_lower_cased_and_sorted() {
        let text = string_to_sign(
            "",
            "Thu, 09 Jul 2015 03:01:34 GMT",
            &[("X-MNS-Version", "2015-06-06"), ("x-mns-date", "d")],
            "/queues/q/messages",
        );
        assert_eq!(
            text,
            "POST\n\ntext/xml;charset=utf-8\nThu, 09 Jul 2015 03:01:34 GMT\nx-mns-date:d\nx-mns-version:2015-06-06\n/queues/q/messages"
        );
    }
}
