//! The notification: SMTP when `SMTP_URL` is set, otherwise `.eml` files in an outbox folder.

use std::fmt;
use std::path::{Path, PathBuf};

use fc::Error;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::validate::Submission;

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

/// Sends the survey notifications.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    shop: Mailbox,
    shown: String,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The SMTP URL holds a password: show where mail goes, not how it logs in.
        write!(f, "Mailer({} -> {})", self.shown, self.shop)
    }
}

fn mailbox(address: &str, what: &str) -> Result<Mailbox, Error> {
    address.parse().map_err(|err| {
        Error::msg(format!(
            "{what} `{address}` is not an e-mail address: {err}"
        ))
    })
}

impl Mailer {
    /// From the environment: `SMTP_URL` (`smtp://user:pass@host:587`, `smtps://…`; without it,
    /// files in `OUTBOX_DIR`, default `./outbox`), `NOTIFY_TO` (the shop, default
    /// `shop@example.com`) and `MAIL_FROM` (default `survey@example.com`).
    pub fn from_env() -> Result<Mailer, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Mailer::new(
            var("SMTP_URL").as_deref(),
            Path::new(&var("OUTBOX_DIR").unwrap_or_else(|| "outbox".into())),
            &var("MAIL_FROM").unwrap_or_else(|| "Survey <survey@example.com>".into()),
            &var("NOTIFY_TO").unwrap_or_else(|| "Shop <shop@example.com>".into()),
        )
    }

    /// A mailer over SMTP (`smtp_url`) or, without one, into `outbox`.
    pub fn new(
        smtp_url: Option<&str>,
        outbox: &Path,
        from: &str,
        to: &str,
    ) -> Result<Mailer, Error> {
        let from = mailbox(from, "MAIL_FROM")?;
        let shop = mailbox(to, "NOTIFY_TO")?;
        let (transport, shown) = match smtp_url {
            Some(url) => {
                let shown = crate::store::redact(url);
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|err| Error::msg(format!("SMTP_URL {shown} is not usable: {err}")))?
                    .build();
                (Transport::Smtp(transport), shown)
            }
            None => {
                std::fs::create_dir_all(outbox).map_err(|err| {
                    Error::msg(format!(
                        "cannot create the outbox {}: {err}",
                        outbox.display()
                    ))
                })?;
                let shown = format!("outbox {}", outbox.display());
                (
                    Transport::Outbox(AsyncFileTransport::new(PathBuf::from(outbox))),
                    shown,
                )
            }
        };
        tracing::info!("notifications go through {shown}");
        Ok(Mailer {
            transport,
            from,
            shop,
            shown,
        })
    }

    async fn send(&self, message: Message) -> Result<(), Error> {
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop)?,
            Transport::Outbox(files) => files.send(message).await.map(drop)?,
        }
        Ok(())
    }

    /// Tells the shop about survey `id`, and sends the customer a copy when they gave an
    /// address.
    pub async fn notify(&self, id: i64, survey: &Submission) -> Result<(), Error> {
        let stars = "★".repeat(usize::from(survey.satisfaction));
        let body = format!(
            "A customer filled in the satisfaction survey.\n\nSurvey:       #{id}\nName:         {}\nPhone:        {}\nSatisfaction: {}/5 {stars}\nE-mail:       {}\n",
            survey.name,
            survey.phone,
            survey.satisfaction,
            survey.email.as_deref().unwrap_or("(none)")
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(self.shop.clone())
            .subject(format!(
                "Survey #{id}: {} gave {}/5",
                survey.name, survey.satisfaction
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|err| Error::msg(format!("cannot build the notification: {err}")))?;
        self.send(message).await?;
        if let Some(email) = &survey.email {
            let customer = Mailbox::new(
                Some(survey.name.clone()),
                mailbox(email, "the customer's e-mail")?.email,
            );
            let message = Message::builder()
                .from(self.from.clone())
                .to(customer)
                .subject("Thank you for your feedback")
                .header(ContentType::TEXT_PLAIN)
                .body(format!(
                    "Dear {},\n\nthank you for rating your visit {}/5. Your survey number is #{id}.\n",
                    survey.name, survey.satisfaction
                ))
                .map_err(|err| Error::msg(format!("cannot build the customer's copy: {err}")))?;
            self.send(message).await?;
        }
        Ok(())
    }
}
