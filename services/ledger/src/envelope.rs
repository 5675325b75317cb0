//! The event envelope every leaf carries (docs/ARCHITECTURE.md, "The record"): who, what, which stream, which
//! position in it, and the hash of its predecessor in the same stream.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde_json::{Value, json};

use crate::hash::Hash;
use crate::leaf::{Leaf, LeafError};

/// Name of one aggregate's stream: `kind/id`, e.g. `issue/01J…`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("stream name {0:?} is not `kind/id` ([a-z][a-z0-9_]* / [A-Za-z0-9_.:-]{{1,128}})")]
    BadStream(String),
    #[error("event id {0:?} is not a lower-case hyphenated UUID")]
    BadId(String),
    #[error("time {0:?} is not YYYY-MM-DDTHH:MM:SS.mmmZ")]
    BadTime(String),
    #[error("date {0:?} is not a day written YYYY-MM-DD")]
    BadDate(String),
    #[error("event type {0:?} is not `word.word` in [a-z0-9_.]")]
    BadType(String),
    #[error("envelope field `{0}` is missing or has the wrong type")]
    Field(&'static str),
    #[error("malformed envelope: {0}")]
    Malformed(String),
    #[error(transparent)]
    Leaf(#[from] LeafError),
}

impl StreamName {
    pub fn new(name: impl Into<String>) -> Result<StreamName, EnvelopeError> {
        let name = name.into();
        let valid = name.split_once('/').is_some_and(|(kind, id)| {
            let mut k = kind.bytes();
            k.next().is_some_and(|b| b.is_ascii_lowercase())
                && k.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && (1..=128).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._:-_".contains(&b))
        });
        if valid {
            Ok(StreamName(name))
        } else {
            Err(EnvelopeError::BadStream(name))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The aggregate kind (`issue` in `issue/42`).
    pub fn kind(&self) -> &str {
        self.0.split_once('/').map_or("", |(k, _)| k)
    }
}

impl fmt::Display for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamName({})", self.0)
    }
}

impl FromStr for StreamName {
    type Err = EnvelopeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StreamName::new(s)
    }
}

/// A UTC instant with millisecond precision, written `2026-11-26T08:00:00.000Z`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn from_unix_millis(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    pub fn unix_millis(&self) -> i64 {
        self.0
    }

    /// The calendar date and the time of day `offset_minutes` east of UTC (a
    /// reader's zone: Asia/Shanghai is +480, with no daylight saving).
    pub fn civil(&self, offset_minutes: i32) -> CivilTime {
        let local = self.0 + i64::from(offset_minutes) * 60_000;
        let (year, month, day) = civil_from_days(local.div_euclid(86_400_000));
        let minutes_of_day = local.rem_euclid(86_400_000) / 60_000;
        CivilTime {
            year,
            month: month as u8,
            day: day as u8,
            hour: (minutes_of_day / 60) as u8,
            minute: (minutes_of_day % 60) as u8,
        }
    }
}

impl Timestamp {
    /// The calendar date of this instant `offset_minutes` east of UTC.
    pub fn date(&self, offset_minutes: i32) -> Date {
        let local = self.0 + i64::from(offset_minutes) * 60_000;
        Date(local.div_euclid(86_400_000))
    }
}

/// A calendar date (proleptic Gregorian), written `2026-10-01`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date(i64);

impl Date {
    /// `None` when there is no such day.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then(|| Date(days_from_civil(year, i64::from(month), i64::from(day))))
    }

    pub fn year(&self) -> i64 {
        civil_from_days(self.0).0
    }

    /// 1 = Monday … 7 = Sunday (ISO 8601).
    pub fn weekday(&self) -> u8 {
        // 1970-01-01 was a Thursday.
        ((self.0 + 3).rem_euclid(7) + 1) as u8
    }

    pub fn is_weekend(&self) -> bool {
        self.weekday() >= 6
    }

    /// The day `n` days later (earlier when negative).
    pub fn plus_days(&self, n: i64) -> Date {
        Date(self.0 + n)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(&self, later: Date) -> i64 {
        later.0 - self.0
    }

    /// The instant this day begins, `offset_minutes` east of UTC.
    pub fn start(&self, offset_minutes: i32) -> Timestamp {
        Timestamp(self.0 * 86_400_000 - i64::from(offset_minutes) * 60_000)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = EnvelopeError;
    /// Exactly `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || EnvelopeError::BadDate(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, EnvelopeError> {
            let part = &s[r];
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        Date::from_ymd(i64::from(num(0..4)?), num(5..7)?, num(8..10)?).ok_or_else(bad)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A wall-clock reading of a [`Timestamp`] in some zone, to the minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

// Civil-date conversions after Howard Hinnant's `days_from_civil`/`civil_from_days`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        let (h, rest) = (ms_of_day / 3_600_000, ms_of_day % 3_600_000);
        let (min, rest) = (rest / 60_000, rest % 60_000);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{:02}.{:03}Z",
            rest / 1000,
            rest % 1000
        )
    }
}

impl FromStr for Timestamp {
    type Err = EnvelopeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || EnvelopeError::BadTime(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 24 {
            return Err(bad());
        }
        for (i, &c) in b.iter().enumerate() {
            let ok = match i {
                4 | 7 => c == b'-',
                10 => c == b'T',
                13 | 16 => c == b':',
                19 => c == b'.',
                23 => c == b'Z',
                _ => c.is_ascii_digit(),
            };
            if !ok {
                return Err(bad());
            }
        }
        let num = |r: std::ops::Range<usize>| -> i64 {
            b[r].iter().fold(0, |n, &c| n * 10 + i64::from(c - b'0'))
        };
        let (y, mo, d) = (num(0..4), num(5..7), num(8..10));
        let (h, mi, sec, ms) = (num(11..13), num(14..16), num(17..19), num(20..23));
        let days_in_month = match mo {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if d < 1 || d > days_in_month || h > 23 || mi > 59 || sec > 59 {
            return Err(bad());
        }
        let days = days_from_civil(y, mo, d);
        Ok(Timestamp(
            days * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms,
        ))
    }
}

impl Timestamp {
    /// This instant plus `hours` (deadlines in the rules are whole hours).
    pub fn plus_hours(&self, hours: u32) -> Timestamp {
        Timestamp(self.0.saturating_add(i64::from(hours) * 3_600_000))
    }

    /// This instant less `hours`.
    pub fn minus_hours(&self, hours: u32) -> Timestamp {
        Timestamp(self.0.saturating_sub(i64::from(hours) * 3_600_000))
    }
}

// Event bodies carry instants in the envelope's own text form.
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn valid_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

fn valid_type(s: &str) -> bool {
    s.split('.').count() >= 2
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// What a writer supplies for one event; the store adds `log`, `stream`, `seq` and
/// `prev` when it assigns the position.
#[derive(Clone, Debug, PartialEq)]
pub struct EventDraft {
    /// UUID, derived from the command's idempotency key so retries are recognised.
    pub id: String,
    pub kind: String,
    pub version: u32,
    pub actor: Value,
    pub time: Timestamp,
    pub body: Value,
}

impl EventDraft {
    pub fn validate(&self) -> Result<(), EnvelopeError> {
        if !valid_uuid(&self.id) {
            return Err(EnvelopeError::BadId(self.id.clone()));
        }
        if !valid_type(&self.kind) {
            return Err(EnvelopeError::BadType(self.kind.clone()));
        }
        if !self.actor.is_object() {
            return Err(EnvelopeError::Field("actor"));
        }
        Ok(())
    }

    /// Builds the leaf for this event at a position in a stream of a log.
    pub fn seal(
        &self,
        log: &str,
        stream: &StreamName,
        seq: u64,
        prev: Option<&Hash>,
    ) -> Result<Leaf, EnvelopeError> {
        self.validate()?;
        let value = json!({
            "actor": self.actor,
            "body": self.body,
            "id": self.id,
            "log": log,
            "prev": prev.map(|h| json!({"leaf_hash": h.to_base64()})),
            "seq": seq,
            "stream": stream.as_str(),
            "time": self.time.to_string(),
            "type": self.kind,
            "v": self.version,
        });
        Ok(Leaf::encode(&value)?)
    }
}

/// The envelope fields of a leaf that the log's own checks need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafHeader {
    pub id: String,
    pub log: String,
    pub stream: StreamName,
    pub seq: u64,
    pub prev: Option<Hash>,
    pub kind: String,
    pub version: u32,
    pub time: Timestamp,
}

/// The envelope as it is on the wire, borrowed from the leaf bytes where possible.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEnvelope<'a> {
    actor: AnyObject,
    #[allow(dead_code)]
    body: serde::de::IgnoredAny,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    log: Cow<'a, str>,
    #[serde(borrow)]
    prev: Option<WirePrev<'a>>,
    seq: u64,
    #[serde(borrow)]
    stream: Cow<'a, str>,
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    v: u32,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePrev<'a> {
    #[serde(borrow)]
    leaf_hash: Cow<'a, str>,
}

/// Accepts any JSON object and keeps nothing of it.
struct AnyObject;

impl<'de> serde::Deserialize<'de> for AnyObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = AnyObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<AnyObject, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(AnyObject)
            }
        }
        d.deserialize_map(Visit)
    }
}

impl LeafHeader {
    /// Reads and checks the envelope of a leaf: exactly the ten fields, each of the
    /// right type and form.
    pub fn from_leaf(leaf: &Leaf) -> Result<LeafHeader, EnvelopeError> {
        LeafHeader::from_bytes(leaf.as_bytes())
    }

    /// As [`LeafHeader::from_leaf`], for bytes not (yet) known to be canonical.
    pub fn from_bytes(bytes: &[u8]) -> Result<LeafHeader, EnvelopeError> {
        let wire: WireEnvelope<'_> =
            serde_json::from_slice(bytes).map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
        let AnyObject = wire.actor;
        if !valid_uuid(&wire.id) {
            return Err(EnvelopeError::BadId(wire.id.into_owned()));
        }
        if !valid_type(&wire.kind) {
            return Err(EnvelopeError::BadType(wire.kind.into_owned()));
        }
        if wire.seq < 1 {
            return Err(EnvelopeError::Field("seq"));
        }
        if wire.v < 1 {
            return Err(EnvelopeError::Field("v"));
        }
        let prev = match wire.prev {
            None => None,
            Some(p) => Some(
                p.leaf_hash
                    .parse::<Hash>()
                    .map_err(|_| EnvelopeError::Field("prev"))?,
            ),
        };
        Ok(LeafHeader {
            id: wire.id.into_owned(),
            log: wire.log.into_owned(),
            stream: StreamName::new(wire.stream.into_owned())?,
            seq: wire.seq,
            prev,
            kind: wire.kind.into_owned(),
            version: wire.v,
            time: wire.time.parse()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        for s in [
            "1970-01-01T00:00:00.000Z",
            "2026-11-26T08:00:00.000Z",
            "2024-02-29T23:59:59.999Z",
            "1969-12-31T23:59:59.999Z",
            "2100-03-01T00:00:00.001Z",
        ] {
            let t: Timestamp = s.parse().unwrap();
            assert_eq!(t.to_string(), s);
        }
        assert_eq!(
            "1970-01-01T00:00:01.500Z".parse::<Timestamp>().unwrap(),
            Timestamp::from_unix_millis(1500)
        );
        for bad in [
            "2026-02-29T00:00:00.000Z",
            "2026-13-01T00:00:00.000Z",
            "2026-11-26T24:00:00.000Z",
            "2026-11-26T08:00:00Z",
            "2026-11-26 08:00:00.000Z",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad}");
        }
    }

    #[test]
    fn stream_names() {
        assert!(StreamName::new("issue/01J9ZK").is_ok());
        assert_eq!(StreamName::new("vector/05").unwrap().kind(), "vector");
        for bad in ["issue", "/x", "Issue/1", "issue/", "issue/a b", "issue/é"] {
            assert!(StreamName::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn seal_then_read_header() {
        let draft = EventDraft {
            id: "128b2f33-0c5c-4fd0-a6a3-a4506513270e".into(),
            kind: "issue.raised".into(),
            version: 1,
            actor: json!({"id": "m_1", "role": "resident"}),
            time: "2026-11-26T08:00:00.000Z".parse().unwrap(),
            body: json!({"title": "水"}),
        };
        let stream = StreamName::new("issue/1").unwrap();
        let prev = crate::hash::leaf_hash(b"p");
        let leaf = draft
            .seal("example.org/log", &stream, 2, Some(&prev))
            .unwrap();
        let leaf = Leaf::parse(leaf.as_bytes().to_vec()).unwrap();
        let h = LeafHeader::from_leaf(&leaf).unwrap();
        assert_eq!((h.seq, h.prev, h.stream), (2, Some(prev), stream));
        assert_eq!(h.log, "example.org/log");
    }

    #[test]
    fn header_rejects_malformed_envelopes() {
        let base = json!({"actor":{"id":"m"},"body":{},"id":"128b2f33-0c5c-4fd0-a6a3-a4506513270e",
            "log":"l","prev":null,"seq":1,"stream":"a/b","time":"2026-11-26T08:00:00.000Z","type":"a.b","v":1});
        let header = |v: &Value| LeafHeader::from_leaf(&Leaf::encode(v).unwrap());
        assert!(header(&base).is_ok());
        for (field, bad) in [
            ("seq", json!(0)),
            ("prev", json!({"leaf_hash": "x"})),
            ("id", json!("X")),
            ("stream", json!("nope")),
            ("time", json!("yesterday")),
            ("extra", json!(1)),
            ("actor", json!("m")),
            (
                "prev",
                json!({"leaf_hash": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "x": 1}),
            ),
        ] {
            let mut v = base.clone();
            v[field] = bad;
            assert!(header(&v).is_err(), "{field}");
        }
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove("body");
        assert!(header(&missing).is_err());
    }
}
