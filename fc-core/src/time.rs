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

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(text: &[u8], at: usize, count: usize) -> Option<u32> {
    let part = text.get(at..at + count)?;
    part.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

fn parse(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let year = i64::from(digits(b, 0, 4)?);
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    let separators_ok = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':');
    if !separators_ok
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b[at] - b'0');
            }
            at += 1;
        }
        let count = at - start;
        if count == 0 {
            return None;
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let offset_secs: i64 = match b.get(at)? {
        b'Z' | b'z' if at + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if at + 6 == b.len() && b[at + 3] == b':' => {
            let hours = i64::from(digits(b, at + 1, 2)?);
            let minutes = i64::from(digits(b, at + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    // A leap second (:60) is folded into the next second, as most platforms do.
    let secs = days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second)
        - offset_secs;
    Some(Timestamp { secs, nanos })
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let of_day = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            of_day / 3600,
            of_day % 3600 / 60,
            of_day % 60
        )?;
        let nanos = self.nanos;
        if nanos == 0 {
        } else if nanos % 1_000_000 == 0 {
            write!(f, ".{:03}", nanos / 1_000_000)?;
        } else if nanos % 1000 == 0 {
            write!(f, ".{:06}", nanos / 1000)?;
        } else {
            write!(f, ".{nanos:09}")?;
        }
        f.write_str("Z")
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
