//! The local platform's settings, from the environment.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, SystemTime};

use fc_core::{Context, Platform, SharedStr};

/// Lambda's synchronous payload limit: the strictest platform's, so an oversize body is found
/// locally before it fails in the cloud.
pub const DEFAULT_BODY_LIMIT: usize = 6 * 1024 * 1024;

/// How the local platform runs a function.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where the HTTP server listens (`127.0.0.1:${PORT:-3000}`).
    pub addr: SocketAddr,
    /// How long one invocation may run (`FC_TIMEOUT` seconds, default 60).
    pub timeout: Duration,
    /// The largest request body accepted (`FC_BODY_LIMIT` bytes, default 6 MiB).
    pub body_limit: usize,
    /// The function's name in contexts: the executable's name.
    pub function_name: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 3000)),
            timeout: Duration::from_secs(60),
            body_limit: DEFAULT_BODY_LIMIT,
            function_name: "function".into(),
        }
    }
}

/// A variable of the environment whose value the local platform cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable} must be {expected}, got `{value}`")]
#[non_exhaustive]
pub struct ConfigError {
    /// The variable: `PORT`, `FC_TIMEOUT`, `FC_BODY_LIMIT`.
    pub variable: &'static str,
    /// What it must be.
    pub expected: &'static str,
    /// What it was.
    pub value: String,
}

impl Config {
    /// Reads `PORT`, `FC_TIMEOUT` and `FC_BODY_LIMIT`; a value that does not parse is an error
    /// that names the variable.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let bad = |variable, expected, value: String| ConfigError {
            variable,
            expected,
            value,
        };
        let mut config = Config::default();
        if let Some(port) = var("PORT") {
            let port = port
                .trim()
                .parse::<u16>()
                .map_err(|_| bad("PORT", "a port number (0-65535)", port))?;
            config.addr.set_port(port);
        }
        if let Some(timeout) = var("FC_TIMEOUT") {
            let secs = timeout
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                .ok_or_else(|| bad("FC_TIMEOUT", "a number of seconds (at most 86400)", timeout))?;
            config.timeout = Duration::from_secs_f64(secs);
        }
        if let Some(limit) = var("FC_BODY_LIMIT") {
            config.body_limit = limit
                .trim()
                .parse::<usize>()
                .map_err(|_| bad("FC_BODY_LIMIT", "a number of bytes", limit))?;
        }
        if let Some(name) = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        {
            config.function_name = name;
        }
        Ok(config)
    }

    /// A context for one local invocation: a fresh request id and a deadline `timeout` away.
    pub fn context(&self) -> Context {
        self.next_context(&self.shared_context(SharedStr::from(self.function_name.as_str())))
    }

    /// What the contexts of every invocation share: made once by a server.
    pub(crate) fn instance_context(&self) -> Context {
        self.shared_context(SharedStr::for_instance(self.function_name.as_str()))
    }

    fn shared_context(&self, function_name: SharedStr) -> Context {
        let mut ctx = Context::default();
        ctx.platform = Platform::Local;
        ctx.function_name = function_name;
        ctx.function_version = SharedStr::from_static("$LATEST");
        ctx.region = SharedStr::from_static("local");
        ctx
    }

    /// The context of the next invocation, from what they all share.
    pub(crate) fn next_context(&self, shared: &Context) -> Context {
        let mut ctx = shared.clone();
        ctx.request_id = crate::request_id();
        ctx.deadline = Some(SystemTime::now() + self.timeout);
        ctx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::testing::env as lookup;

    #[test]
    fn reads_the_environment() {
        let config =
            Config::from_lookup(lookup(&[("PORT", "8080"), ("FC_TIMEOUT", "2.5")])).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.timeout, Duration::from_millis(2500));
        let config = Config::from_lookup(lookup(&[])).unwrap();
        assert_eq!(config.addr.port(), 3000);
        assert_eq!(config.timeout, Duration::from_secs(60));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = Config::from_lookup(lookup(&[("PORT", "http")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PORT must be a port number (0-65535), got `http`"
        );
        assert_eq!(err.variable, "PORT");
        let err = Config::from_lookup(lookup(&[("FC_TIMEOUT", "-1")])).unwrap_err();
        assert!(err.to_string().starts_with("FC_TIMEOUT must be"), "{err}");
    }

    #[test]
    fn contexts_have_a_deadline_and_fresh_ids() {
        let config = Config::default();
        let (a, b) = (config.context(), config.context());
        assert_ne!(a.request_id, b.request_id);
        assert_eq!(a.platform, Platform::Local);
        let left = a.remaining().unwrap();
        assert!(left > Duration::from_secs(59) && left <= Duration::from_secs(60));
    }
}
