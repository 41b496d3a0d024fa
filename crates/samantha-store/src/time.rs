//! Timestamps: milliseconds since the Unix epoch in UTC.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// A point in time with millisecond precision, stored as INTEGER
/// milliseconds since 1970-01-01T00:00:00Z and written in exports as an
/// RFC 3339 string such as `2026-12-04T21:05:47.123Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Returns the current time, truncated to milliseconds.
    pub fn now() -> Self {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        Self(i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX))
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    /// Formats as RFC 3339 in UTC with exactly three fractional digits.
    /// Out-of-range values, which only a hand-edited database can hold, are
    /// written as the raw millisecond count.
    pub fn to_rfc3339(self) -> String {
        let format = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );

        let nanos = i128::from(self.0) * 1_000_000;
        let formatted = OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|at| at.format(&format).ok());

        formatted.unwrap_or_else(|| self.0.to_string())
    }

    /// Parses an RFC 3339 string; digits below a millisecond are dropped.
    ///
    /// # Errors
    ///
    /// Returns the parse error when `text` is not RFC 3339.
    pub fn parse_rfc3339(text: &str) -> Result<Self, time::error::Parse> {
        let at = OffsetDateTime::parse(text, &Rfc3339)?;
        let millis = at.unix_timestamp_nanos().div_euclid(1_000_000);
        Ok(Self(i64::try_from(millis).unwrap_or(i64::MAX)))
    }

    /// Returns the UTC calendar date as `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let rfc3339 = self.to_rfc3339();
        rfc3339.get(..10).unwrap_or(&rfc3339).to_owned()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse_rfc3339(&text).map_err(|error| {
            serde::de::Error::custom(format!("invalid RFC 3339 time {text:?}: {error}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let at = Timestamp(1_796_418_347_123);
        let text = at.to_rfc3339();
        assert_eq!(text, "2026-12-04T21:05:47.123Z");
        assert_eq!(Timestamp::parse_rfc3339(&text).ok(), Some(at));
        assert_eq!(at.date(), "2026-12-04");
    }

    #[test]
    fn rfc3339_whole_seconds() {
        let at = Timestamp(1_796_418_347_000);
        assert_eq!(at.to_rfc3339(), "2026-12-04T21:05:47.000Z");
        assert_eq!(Timestamp::parse_rfc3339(&at.to_rfc3339()).ok(), Some(at));
    }

    #[test]
    fn rfc3339_offset_parsed() {
        let parsed = Timestamp::parse_rfc3339("2026-12-04T22:05:47.1+01:00").ok();
        assert_eq!(parsed, Some(Timestamp(1_796_418_347_100)));
    }
}
