//! Points in time as platforms send them: RFC 3339 text or epoch numbers.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A point in time, UTC, with nanosecond precision.
///
/// Serialized as RFC 3339 text (`2024-05-01T08:30:00.123Z`); deserialized from RFC 3339 text
/// (any offset) or from a number of milliseconds since the Unix epoch.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// Text that is not an RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    input: String,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected an RFC 3339 date-time like `2024-05-01T08:30:00Z`, got `{}`",
            self.input
        )
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp { secs: 0, nanos: 0 };

    /// The current time.
    pub fn now() -> Timestamp {
        Timestamp::from(SystemTime::now())
    }

    /// From seconds and nanoseconds since the epoch; `nanos` past one second carry over.
    pub fn from_unix(secs: i64, nanos: u32) -> Timestamp {
        Timestamp {
            secs: secs.saturating_add(i64::from(nanos / 1_000_000_000)),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// From milliseconds since the epoch (Lambda deadlines, Tablestore column timestamps).
    pub fn from_unix_millis(millis: i64) -> Timestamp {
        let nanos = millis.rem_euclid(1000) as u32 * 1_000_000;
        Timestamp::from_unix(millis.div_euclid(1000), nanos)
    }

    /// From microseconds since the epoch (Tablestore row timestamps).
    pub fn from_unix_micros(micros: i64) -> Timestamp {
        let nanos = micros.rem_euclid(1_000_000) as u32 * 1000;
        Timestamp::from_unix(micros.div_euclid(1_000_000), nanos)
    }

    /// Whole seconds since the epoch.
    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// Milliseconds since the epoch.
    pub fn unix_millis(self) -> i64 {
        self.secs
            .saturating_mul(1000)
            .saturating_add(i64::from(self.nanos / 1_000_000))
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        let nanos = Duration::from_nanos(u64::from(self.nanos));
        if self.secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(self.secs.unsigned_abs()) + nanos
        } else {
            UNIX_EPOCH - Duration::from_secs(self.secs.unsigned_abs()) + nanos
        }
    }

    /// Parses RFC 3339 text: `2024-05-01T08:30:00Z`, `2024-05-01T16:30:00.5+08:00`.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimestampError> {
        parse(text.trim()).ok_or_else(|| TimestampError {
            input: text.chars().take(64).collect(),
        })
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Timestamp::from_unix(after.as_secs() as i64, after.subsec_nanos()),
            Err(before) => {
                let before = before.duration();
                let mut secs = -(before.as_secs() as i64);
                let mut nanos = before.subsec_nanos();
                if nanos > 0 {
                    secs -= 1;
                    nanos = 1_000_000_000 - nanos;
                }
                Timestamp { secs, nanos }
            }
        }
    }
}

impl From<Timestamp> for SystemTime {
    fn from(time: Timestamp) -> Self {
        time.to_system_time()
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Timestamp::parse_rfc3339(text)
    }
}

/// RFC 3339 through chrono, which also takes a lowercase `t` and `z`. A leap second (`:60`)
/// comes back as a second and more than 10⁹ nanoseconds, which `from_unix` carries over: it is
/// folded into the next second, as most platforms do.
fn parse(text: &str) -> Option<Timestamp> {
    let time = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    Some(Timestamp::from_unix(
        time.timestamp(),
        time.timestamp_subsec_nanos(),
    ))
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match chrono::DateTime::from_timestamp(self.secs, self.nanos) {
            // `%.f`: fractions of a second as they are needed, none, milli, micro or nano;
            // written straight into `f`, as serializing a batch's timestamps goes through here.
            Some(time) => write!(f, "{}Z", time.format("%Y-%m-%dT%H:%M:%S%.f")),
            // Beyond the years ±262143, which no platform sends: the epoch seconds, plainly.
            None => write!(f, "{}.{:09} s from the Unix epoch", self.secs, self.nanos),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time or milliseconds since the Unix epoch")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
                Timestamp::parse_rfc3339(text).map_err(E::custom)
            }

            fn visit_i64<E: de::Error>(self, millis: i64) -> Result<Timestamp, E> {
                Ok(Timestamp::from_unix_millis(millis))
            }

            fn visit_u64<E: de::Error>(self, millis: u64) -> Result<Timestamp, E> {
                i64::try_from(millis)
                    .map(Timestamp::from_unix_millis)
                    .map_err(|_| E::custom("epoch milliseconds out of range"))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_platforms_send() {
        let cases = [
            ("1970-01-01T00:00:00.000Z", 0, "1970-01-01T00:00:00Z"),
            (
                "2015-10-08T16:53:06Z",
                1_444_323_186_000,
                "2015-10-08T16:53:06Z",
            ),
            (
                "2017-04-21T12:46:37.123Z",
                1_492_778_797_123,
                "2017-04-21T12:46:37.123Z",
            ),
            (
                "2024-02-29T08:00:00+08:00",
                1_709_164_800_000,
                "2024-02-29T00:00:00Z",
            ),
            (
                "2000-03-01t01:30:00-01:30",
                951_879_600_000,
                "2000-03-01T03:00:00Z",
            ),
        ];
        for (text, millis, shown) in cases {
            let ts = Timestamp::parse_rfc3339(text).unwrap_or(Timestamp::UNIX_EPOCH);
            assert_eq!(ts.unix_millis(), millis, "{text}");
            assert_eq!(ts.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for text in [
            "",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0800",
            "yesterday",
        ] {
            let err = Timestamp::parse_rfc3339(text).map(|t| t.to_string());
            assert!(err.is_err(), "{text} parsed as {err:?}");
        }
    }

    #[test]
    fn round_trips_through_epoch_units_and_system_time() {
        let ts = Timestamp::from_unix_micros(1_700_000_000_123_456);
        assert_eq!(ts.to_string(), "2023-11-14T22:13:20.123456Z");
        assert_eq!(Timestamp::from(ts.to_system_time()), ts);
        let before = Timestamp::from_unix_millis(-1500);
        assert_eq!(before.to_string(), "1969-12-31T23:59:58.500Z");
        assert_eq!(Timestamp::from(before.to_system_time()), before);
    }

    #[test]
    fn leap_seconds_fold_into_the_next_and_far_instants_still_print() {
        let leap = Timestamp::parse_rfc3339("2016-12-31T23:59:60Z").map(|t| t.to_string());
        assert_eq!(leap.as_deref(), Ok("2017-01-01T00:00:00Z"));
        let far = Timestamp::from_unix_micros(i64::MAX).to_string();
        assert!(far.ends_with("s from the Unix epoch"), "{far}");
    }

    #[test]
    fn serde_uses_rfc3339_and_accepts_epoch_millis() {
        let ts: Timestamp = serde_json::from_str("1492778797123").unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(
            serde_json::to_string(&ts).unwrap_or_default(),
            "\"2017-04-21T12:46:37.123Z\""
        );
        let err = serde_json::from_str::<Timestamp>("\"soon\"").map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("RFC 3339")));
    }
}
