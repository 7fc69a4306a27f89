//! The queue the API sends to: SQS through the AWS SDK, or MNS through its REST API, chosen by
//! the shape of `QUEUE_URL`.

use std::fmt;

use aws_sdk_sqs::config::{BehaviorVersion, Credentials as AwsCredentials, Region};
use fc::{Context, Credentials, Error};

use crate::mns::MnsQueue;

/// A queue to send jobs to.
pub enum Queue {
    /// Amazon SQS.
    Sqs {
        /// The SDK's client, its endpoint the queue URL's host.
        client: aws_sdk_sqs::Client,
        /// The queue URL.
        url: String,
        /// FIFO queues need a group and take a deduplication id.
        fifo: bool,
    },
    /// Alibaba Cloud MNS.
    Mns(Box<MnsQueue>),
}

impl fmt::Debug for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Queue::Sqs { url, .. } => write!(f, "Sqs({url})"),
            Queue::Mns(queue) => write!(f, "Mns({})", queue.url()),
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Queue {
    /// The queue named by `QUEUE_URL`.
    pub fn from_env() -> Result<Queue, Error> {
        let url = var("QUEUE_URL").ok_or_else(|| {
            Error::msg("QUEUE_URL is not set: the SQS queue URL, or the MNS queue's https://<account>.mns.<region>.aliyuncs.com/queues/<name>")
        })?;
        Queue::new(&url)
    }

    /// The queue at `url`: `…/queues/<name>` is MNS, `…/<account>/<name>` is SQS.
    pub fn new(url: &str) -> Result<Queue, Error> {
        let parsed: http::Uri = url
            .parse()
            .map_err(|err| Error::msg(format!("QUEUE_URL `{url}` is not a URL: {err}")))?;
        let (Some(scheme), Some(authority)) = (parsed.scheme_str(), parsed.authority()) else {
            return Err(Error::msg(format!(
                "QUEUE_URL `{url}` is not an absolute http(s) URL"
            )));
        };
        let origin = format!("{scheme}://{authority}");
        let segments: Vec<&str> = parsed.path().trim_matches('/').split('/').collect();
        match segments.as_slice() {
            ["queues", name] if !name.is_empty() => {
                Ok(Queue::Mns(Box::new(MnsQueue::new(&origin, name)?)))
            }
            [_account, name] if !name.is_empty() => Ok(Queue::sqs(&origin, authority.host(), url)),
            _ => Err(Error::msg(format!(
                "QUEUE_URL `{url}` is neither an SQS queue URL (…/<account>/<name>) nor an MNS one (…/queues/<name>)"
            ))),
        }
    }

    fn sqs(origin: &str, host: &str, url: &str) -> Queue {
        // The region of `sqs.<region>.amazonaws.com`; elsewhere (an emulator) the function's.
        let region = host
            .strip_prefix("sqs.")
            .and_then(|rest| rest.split('.').next())
            .filter(|_| host.ends_with(".amazonaws.com"))
            .map(str::to_owned)
            .or_else(|| var("AWS_REGION"))
            .unwrap_or_else(|| "us-east-1".into());
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region))
            .endpoint_url(var("AWS_ENDPOINT_URL_SQS").unwrap_or_else(|| origin.to_owned()))
            .http_client(http)
            .build();
        Queue::Sqs {
            client: aws_sdk_sqs::Client::from_conf(config),
            url: url.to_owned(),
            fifo: url.ends_with(".fifo"),
        }
    }

    /// Sends `body`; `key` deduplicates on FIFO queues. Signed with the invocation's
    /// credentials (the function's role), else those in the environment. Returns the
    /// message's id.
    pub async fn send(&self, body: &str, key: &str, ctx: &Context) -> Result<String, Error> {
        match self {
            Queue::Sqs { client, url, fifo } => {
                let creds = credentials(
                    ctx,
                    [
                        "AWS_ACCESS_KEY_ID",
                        "AWS_SECRET_ACCESS_KEY",
                        "AWS_SESSION_TOKEN",
                    ],
                )?;
                let mut send = client.send_message().queue_url(url).message_body(body);
                if *fifo {
                    send = send
                        .message_group_id("surveys")
                        .message_deduplication_id(dedup_id(key));
                }
                let sent = send
                    .customize()
                    .config_override(aws_sdk_sqs::Config::builder().credentials_provider(
                        AwsCredentials::new(
                            creds.access_key_id,
                            creds.secret_access_key.expose(),
                            creds.session_token.map(|t| t.expose().to_owned()),
                            None,
                            "fc",
                        ),
                    ))
                    .send()
                    .await;
                let sent = sent.map_err(|err| {
                    Error::msg(format!(
                        "SQS SendMessage failed: {}",
                        aws_sdk_sqs::error::DisplayErrorContext(err)
                    ))
                })?;
                Ok(sent.message_id().unwrap_or_default().to_owned())
            }
            Queue::Mns(queue) => {
                let creds = credentials(
                    ctx,
                    [
                        "ALIBABA_CLOUD_ACCESS_KEY_ID",
                        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                        "ALIBABA_CLOUD_SECURITY_TOKEN",
                    ],
                )?;
                queue.send(body, &creds).await
            }
        }
    }
}

/// SQS takes 1–128 of `[A-Za-z0-9!-/:-@[-`{-~]` as a deduplication id.
fn dedup_id(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(128)
        .collect()
}

/// The invocation's credentials, else the environment's `[id, secret, token]`.
fn credentials(ctx: &Context, [id, secret, token]: [&str; 3]) -> Result<Credentials, Error> {
    if let Some(creds) = &ctx.credentials {
        return Ok(creds.clone());
    }
    match (var(id), var(secret)) {
        (Some(id), Some(secret)) => Ok(Credentials::new(id, secret, var(token).map(Into::into))),
        _ => Err(Error::msg(format!(
            "no credentials to sign the queue request: give the function a role, or set {id} and {secret}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_says_which_queue_it_is() {
        let sqs = Queue::new("https://sqs.eu-west-1.amazonaws.com/123456789012/surveys.fifo");
        assert!(matches!(sqs, Ok(Queue::Sqs { fifo: true, .. })), "{sqs:?}");
        let mns =
            Queue::new("https://1234567890123456.mns.cn-hangzhou.aliyuncs.com/queues/surveys");
        assert!(
            matches!(&mns, Ok(Queue::Mns(q)) if q.url().ends_with("aliyuncs.com/queues/surveys")),
            "{mns:?}"
        );
        for wrong in [
            "surveys",
            "https://example.com/",
            "https://example.com/a/b/c",
        ] {
            let err = Queue::new(wrong).unwrap_err();
            assert!(err.to_string().contains(wrong), "{err}");
        }
    }

    #[test]
    fn deduplication_ids_keep_what_sqs_takes() {
        assert_eq!(dedup_id("k 1\u{e9}/x"), "k1/x");
        assert_eq!(dedup_id(&"a".repeat(300)).len(), 128);
    }
}
