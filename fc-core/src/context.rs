//! The invocation context: who is running the handler, for which request, until when.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::{Error, ErrorKind};

/// The platform a handler runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Platform {
    /// AWS Lambda.
    Aws,
    /// Alibaba Cloud Function Compute.
    Aliyun,
    /// Knative Serving (and Eventing), on any Kubernetes.
    Knative,
    /// Google Cloud Run functions.
    Gcp,
    /// Apache OpenWhisk.
    OpenWhisk,
    /// Tencent Cloud SCF (Serverless Cloud Function).
    Tencent,
    /// Azure Functions, through a custom handler.
    Azure,
    /// The local platform (`cargo run`, tests, `fc-local`).
    #[default]
    Local,
}

impl Platform {
    /// The platform's short name: `aws`, `aliyun`, `knative`, `gcp`, `openwhisk`, `tencent`,
    /// `azure` or `local`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Aws => "aws",
            Platform::Aliyun => "aliyun",
            Platform::Knative => "knative",
            Platform::Gcp => "gcp",
            Platform::OpenWhisk => "openwhisk",
            Platform::Tencent => "tencent",
            Platform::Azure => "azure",
            Platform::Local => "local",
        }
    }
}

impl Platform {
    /// The platform's name in words: "AWS Lambda", "Function Compute", "the local platform".
    pub fn description(self) -> &'static str {
        match self {
            Platform::Aws => "AWS Lambda",
            Platform::Aliyun => "Function Compute",
            Platform::Knative => "Knative",
            Platform::Gcp => "Google Cloud Run functions",
            Platform::OpenWhisk => "Apache OpenWhisk",
            Platform::Tencent => "Tencent Cloud SCF",
            Platform::Azure => "Azure Functions",
            Platform::Local => "the local platform",
        }
    }

    /// The platform whose [short name](Platform::as_str) is `name`.
    pub fn from_name(name: &str) -> Option<Platform> {
        [
            Platform::Aws,
            Platform::Aliyun,
            Platform::Knative,
            Platform::Gcp,
            Platform::OpenWhisk,
            Platform::Tencent,
            Platform::Azure,
            Platform::Local,
        ]
        .into_iter()
        .find(|platform| platform.as_str() == name)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a platform tells a handler about one invocation.
///
/// Adapters fill it in; tests build one with [`crate::testing::context`]. Fields a platform does
/// not provide are left at their default (empty string, `0`, `None`).
///
/// What is the same for every invocation of an instance (function name, version, region,
/// account) is a [`SharedStr`]: a context is made for every invocation, and cloned again by
/// each `Extension<Context>` an axum handler takes, and those strings are shared, not copied.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Context {
    /// The platform's id for this invocation (AWS request id, FC `x-fc-request-id`).
    pub request_id: String,
    /// Which platform is running the handler.
    pub platform: Platform,
    /// The function's name as deployed.
    pub function_name: SharedStr,
    /// The version being run (`$LATEST` on AWS, the version id on FC).
    pub function_version: SharedStr,
    /// The alias or qualifier the function was invoked through, when there is one.
    pub qualifier: Option<SharedStr>,
    /// Memory configured for the function, in MB.
    pub memory_mb: u32,
    /// When the platform will stop the invocation; `None` when no limit is known.
    pub deadline: Option<SystemTime>,
    /// The region the function runs in (`us-east-1`, `cn-hangzhou`).
    pub region: SharedStr,
    /// The cloud account that owns the function.
    pub account_id: SharedStr,
    /// The tracing id the platform propagates (X-Ray trace header, FC's trace id).
    pub trace_id: Option<String>,
    /// How many times the platform has retried this event before (0 on the first try).
    pub retry_count: u32,
    /// The tenant the invocation is for, on a function with tenant isolation (Lambda's
    /// `Lambda-Runtime-Aws-Tenant-Id`); `None` elsewhere.
    pub tenant_id: Option<String>,
    /// Temporary credentials of the function's role, when the platform supplies them.
    pub credentials: Option<Credentials>,
    /// Platform-specific data (the invoked ARN, client context, tracing headers…), by type.
    pub extensions: http::Extensions,
}

impl Context {
    /// The time left before [`Context::deadline`], zero once it has passed; `None` when
    /// no deadline is known.
    pub fn remaining(&self) -> Option<Duration> {
        let deadline = self.deadline?;
        Some(
            deadline
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO),
        )
    }

    /// Fails fast, with a [`ErrorKind::Timeout`] error, when less than `needed` is left before
    /// the deadline — better than starting a step the platform will cut off halfway.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # fn send() -> Result<(), fc_core::Error> {
    /// # let ctx = fc_core::testing::context();
    /// ctx.require_remaining(Duration::from_secs(2), "sending the e-mail")?;
    /// // ... send it
    /// # Ok(()) }
    /// ```
    pub fn require_remaining(&self, needed: Duration, step: &str) -> Result<(), Error> {
        match self.remaining() {
            Some(left) if left < needed => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "{step} needs {:.2} s but only {:.2} s are left before the deadline",
                    needed.as_secs_f64(),
                    left.as_secs_f64()
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// A string that every invocation of an instance shares: a function's name, its region, its
/// account. A clone is a reference count, or a pointer for what an instance reads once (see
/// [`SharedStr::for_instance`]), never a copy.
///
/// It reads as a `&str` (it derefs to one), compares equal to strings, and prints and
/// serializes as one.
///
/// ```
/// # use fc_core::SharedStr;
/// let region = SharedStr::from("cn-hangzhou");
/// assert_eq!(region, "cn-hangzhou");
/// assert!(region.starts_with("cn-"));
/// assert_eq!(serde_json::to_string(&region).unwrap(), "\"cn-hangzhou\"");
/// ```
#[derive(Clone, Default)]
pub struct SharedStr(Repr);

#[derive(Clone, Default)]
enum Repr {
    /// The empty string, so that a default context costs nothing to make.
    #[default]
    Empty,
    /// A string that lives as long as the process: a copy is a pointer, with no reference
    /// count for the threads serving invocations to contend on.
    Static(&'static str),
    Counted(Arc<str>),
}

impl SharedStr {
    /// The string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Empty => "",
            Repr::Static(value) => value,
            Repr::Counted(value) => value,
        }
    }

    /// A string that is part of the program.
    pub const fn from_static(value: &'static str) -> SharedStr {
        SharedStr(Repr::Static(value))
    }

    /// A value an instance reads once, from its environment, and puts in the context of every
    /// invocation: kept for the rest of the process, so that each invocation's copy is a
    /// pointer. Not for values that come with invocations, which would pile up.
    pub fn for_instance(value: impl Into<String>) -> SharedStr {
        let value: String = value.into();
        if value.is_empty() {
            return SharedStr(Repr::Empty);
        }
        SharedStr(Repr::Static(Box::leak(value.into_boxed_str())))
    }

    /// `value`, as the same shared string as `known` when they are equal: what an adapter
    /// uses for what a platform repeats on every invocation (FC sends the function's name in
    /// the headers of each request).
    pub fn reuse(known: &SharedStr, value: &str) -> SharedStr {
        if known.as_str() == value {
            known.clone()
        } else {
            SharedStr::from(value)
        }
    }
}

impl std::ops::Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for SharedStr {
    fn from(value: &str) -> Self {
        if value.is_empty() {
            SharedStr(Repr::Empty)
        } else {
            SharedStr(Repr::Counted(Arc::from(value)))
        }
    }
}

impl From<String> for SharedStr {
    fn from(value: String) -> Self {
        SharedStr::from(value.as_str())
    }
}

impl From<SharedStr> for String {
    fn from(value: SharedStr) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for SharedStr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        self == other.as_str()
    }
}

impl serde::Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for SharedStr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SharedStr::from)
    }
}

/// A string that must not be shown: its `Debug` and `Display` print `[redacted]`.
///
/// Read it with [`Secret::expose`], at the one place that needs the value.
// Shared, because every invocation's context carries the instance's credentials: a clone is
// a count, not a copy of a session token of a kilobyte or more.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(std::sync::Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into())
    }

    /// The secret value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value.into())
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.into())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Temporary credentials of the function's execution role.
///
/// `Debug` and `Display` show the access key id only; the secret and token are redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// The access key id (not secret on its own).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session (security) token of temporary credentials.
    pub session_token: Option<Secret>,
}

impl Credentials {
    /// Credentials from their three parts.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<Secret>,
        session_token: Option<Secret>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (secret [redacted])", self.access_key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_print_their_secrets() {
        let creds = Credentials::new("AKIDEXAMPLE", "s3cr3t-key", Some(Secret::new("t0k3n")));
        let mut ctx = Context {
            credentials: Some(creds),
            ..Context::default()
        };
        ctx.request_id = "r-1".into();
        for shown in [
            format!("{ctx:?}"),
            format!("{ctx:#?}"),
            ctx.credentials
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ] {
            assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
            assert!(!shown.contains("s3cr3t-key"), "{shown}");
            assert!(!shown.contains("t0k3n"), "{shown}");
        }
        let creds = ctx
            .credentials
            .as_ref()
            .map(|c| c.secret_access_key.expose());
        assert_eq!(creds, Some("s3cr3t-key"));
    }

    #[test]
    fn steps_that_cannot_finish_in_time_fail_fast() {
        let mut ctx = Context::default();
        assert!(
            ctx.require_remaining(Duration::from_secs(3600), "anything")
                .is_ok(),
            "no deadline"
        );
        ctx.deadline = Some(SystemTime::now() + Duration::from_secs(10));
        assert!(
            ctx.require_remaining(Duration::from_secs(2), "mail")
                .is_ok()
        );
        let err = ctx
            .require_remaining(Duration::from_secs(30), "the report")
            .expect_err("too little time");
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(
            err.message()
                .starts_with("the report needs 30.00 s but only "),
            "{}",
            err.message()
        );
        assert!(
            err.message().ends_with(" s are left before the deadline"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn remaining_counts_down_to_zero() {
        let mut ctx = Context::default();
        assert_eq!(ctx.remaining(), None);
        ctx.deadline = Some(SystemTime::now() + Duration::from_secs(30));
        let left = ctx.remaining().unwrap_or_default();
        assert!(left > Duration::from_secs(29) && left <= Duration::from_secs(30));
        ctx.deadline = Some(SystemTime::now() - Duration::from_secs(1));
        assert_eq!(ctx.remaining(), Some(Duration::ZERO));
    }
}
