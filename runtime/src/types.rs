//! Primitive Smithy types that have no direct std equivalent: timestamps and blobs.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS_PER_SEC: u32 = 1_000_000_000;

/// A point in time: whole seconds since the Unix epoch plus a sub-second part.
///
/// `nanos` is always in `0..1_000_000_000` and counts forward from `secs`, so
/// -1.5 s is stored as `secs = -2, nanos = 500_000_000`. This keeps the derived
/// ordering correct for pre-1970 instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

impl DateTime {
    /// Builds a `DateTime`, carrying any excess `nanos` into the seconds
    /// (saturating at the `i64` range).
    pub fn new(secs: i64, nanos: u32) -> Self {
        let carry = i64::from(nanos / NANOS_PER_SEC);
        DateTime { secs: secs.saturating_add(carry), nanos: nanos % NANOS_PER_SEC }
    }

    /// `secs` whole seconds after the Unix epoch (before it when negative).
    pub fn from_secs(secs: i64) -> Self {
        DateTime { secs, nanos: 0 }
    }

    /// `millis` milliseconds after the Unix epoch (before it when negative).
    pub fn from_millis(millis: i64) -> Self {
        // Euclidean division keeps `nanos` non-negative for pre-epoch values.
        DateTime { secs: millis.div_euclid(1000), nanos: millis.rem_euclid(1000) as u32 * 1_000_000 }
    }

    /// Converts fractional epoch seconds, rounding to the nearest microsecond.
    ///
    /// An `f64` near the current epoch only carries ~0.2 µs of precision, so
    /// rounding to microseconds removes binary noise (1609459200.123 becomes
    /// exactly .123000000 rather than .122999906). NaN maps to the epoch and
    /// infinities saturate.
    pub fn from_secs_f64(secs: f64) -> Self {
        if secs.is_nan() {
            return DateTime::default();
        }
        // `as` saturates, and i128 holds every i64 second count in microseconds.
        let micros = (secs * 1e6).round() as i128;
        let whole = micros.div_euclid(1_000_000);
        let frac = micros.rem_euclid(1_000_000) as u32;
        if whole > i128::from(i64::MAX) {
            DateTime { secs: i64::MAX, nanos: NANOS_PER_SEC - 1 }
        } else if whole < i128::from(i64::MIN) {
            DateTime::from_secs(i64::MIN)
        } else {
            DateTime { secs: whole as i64, nanos: frac * 1000 }
        }
    }

    /// Whole seconds since the epoch (floored, so -1.5 s gives -2).
    pub fn secs(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds after `secs()`, in `0..1_000_000_000`.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Seconds since the epoch, with the fraction; for present-day times an `f64` keeps only
    /// about 0.2 µs of precision.
    pub fn as_secs_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// The current time of the system clock.
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form of the HTTP `Date` header.
    pub fn from_http_date(s: &str) -> Option<DateTime> {
        // Every field has a fixed place, so the text is read by position (measured faster than
        // `httpdate`: `cargo xtask bench parts`). Exactly four year digits also keep the day
        // arithmetic in range whatever a server sends.
        let b: &[u8; 29] = s.trim().as_bytes().try_into().ok()?;
        if &b[3..5] != b", " || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || &b[25..] != b" GMT" {
            return None;
        }
        if b[19] != b':' || b[22] != b':' {
            return None;
        }
        let month = match &b[8..11] {
            b"Jan" => 1,
            b"Feb" => 2,
            b"Mar" => 3,
            b"Apr" => 4,
            b"May" => 5,
            b"Jun" => 6,
            b"Jul" => 7,
            b"Aug" => 8,
            b"Sep" => 9,
            b"Oct" => 10,
            b"Nov" => 11,
            b"Dec" => 12,
            _ => return None,
        };
        let (day, year) = (digits(&b[5..7])?, digits(&b[12..16])?);
        let (h, m, sec) = (digits(&b[17..19])?, digits(&b[20..22])?, digits(&b[23..25])?);
        if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
            return None;
        }
        Some(DateTime::from_secs(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec))
    }
}

/// The value of a run of ASCII digits; `None` if any byte is not one. Callers pass at most four.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
}

impl DateTime {
    /// Parses RFC 3339 (`2019-12-16T23:48:18Z`, fractional seconds and `+hh:mm` offsets allowed).
    pub fn from_rfc3339(s: &str) -> Option<DateTime> {
        // `time` (already built for SigV4) parses it faster than our own parser did
        // (`cargo xtask bench parts`), and checks the day against the month too.
        let s = s.trim();
        // `time` also takes a space between date and time; Smithy's `date-time` has a `T`.
        if !matches!(s.as_bytes().get(10), Some(b'T' | b't')) {
            return None;
        }
        let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
        Some(DateTime::new(t.unix_timestamp(), t.nanosecond()))
    }

    /// The IMF-fixdate form used by HTTP (`Mon, 16 Dec 2019 23:48:18 GMT`); whole seconds.
    pub fn to_http_date(&self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let days = self.secs.div_euclid(86_400);
        let sod = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let (weekday, month) = (DAYS[days.rem_euclid(7) as usize], MONTHS[(month as usize - 1) % 12]);
        if !(0..=9999).contains(&year) {
            // Not an IMF-fixdate year; written out all the same rather than refused.
            return format!(
                "{weekday}, {day:02} {month} {year:04} {:02}:{:02}:{:02} GMT",
                sod / 3600,
                sod / 60 % 60,
                sod % 60
            );
        }
        // Pushed piece by piece: `format!` took three times as long (`cargo xtask bench parts`).
        let mut out = String::with_capacity(29);
        let two = |out: &mut String, n: i64| {
            out.push(char::from(b'0' + (n / 10) as u8));
            out.push(char::from(b'0' + (n % 10) as u8));
        };
        out.push_str(weekday);
        out.push_str(", ");
        two(&mut out, i64::from(day));
        out.push(' ');
        out.push_str(month);
        out.push(' ');
        two(&mut out, year / 100);
        two(&mut out, year % 100);
        out.push(' ');
        two(&mut out, sod / 3600);
        out.push(':');
        two(&mut out, sod / 60 % 60);
        out.push(':');
        two(&mut out, sod % 60);
        out.push_str(" GMT");
        out
    }
}

/// An arbitrary-precision number (a Smithy `bigInteger` or `bigDecimal`), kept as its decimal
/// text so no digit is lost.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct BigNumber(String);

impl BigNumber {
    /// `None` unless `text` is a JSON number.
    pub fn new(text: impl Into<String>) -> Option<BigNumber> {
        let text = text.into();
        let mut r = super::json::JsonReader::new(text.as_bytes());
        r.read_number_text().ok()?;
        r.finish().ok()?;
        Some(BigNumber(text))
    }

    /// The number's text exactly as written, e.g. `1.50e300`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BigNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<i64> for BigNumber {
    fn from(n: i64) -> Self {
        BigNumber(n.to_string())
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl From<SystemTime> for DateTime {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => DateTime { secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX), nanos: d.subsec_nanos() },
            Err(e) => {
                // Before the epoch: negate the duration while keeping nanos >= 0.
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    DateTime { secs: -secs, nanos: 0 }
                } else {
                    DateTime { secs: -secs - 1, nanos: NANOS_PER_SEC - d.subsec_nanos() }
                }
            }
        }
    }
}

/// Error returned when a `DateTime` is outside the range `SystemTime` can represent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTimeOutOfRange;

impl fmt::Display for DateTimeOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timestamp out of range for SystemTime")
    }
}

impl std::error::Error for DateTimeOutOfRange {}

impl TryFrom<DateTime> for SystemTime {
    type Error = DateTimeOutOfRange;

    fn try_from(t: DateTime) -> Result<Self, Self::Error> {
        let r = if t.secs >= 0 {
            UNIX_EPOCH.checked_add(Duration::new(t.secs as u64, t.nanos))
        } else {
            // secs < 0 and nanos counts forward, so subtract then add back.
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(t.secs.unsigned_abs()))
                .and_then(|s| s.checked_add(Duration::from_nanos(u64::from(t.nanos))))
        };
        r.ok_or(DateTimeOutOfRange)
    }
}

/// Proleptic Gregorian (year, month, day) for a day count relative to
/// 1970-01-01, after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365
    let mp = (5 * doy + 2) / 153; // March-based month, 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// RFC 3339 in UTC, e.g. `2021-01-01T00:00:00Z` or `2021-01-01T00:00:00.5Z`.
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let sod = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(f, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", year, month, day, sod / 3600, sod / 60 % 60, sod % 60)?;
        if self.nanos != 0 {
            let mut digits = 9;
            let mut n = self.nanos;
            while n % 10 == 0 {
                n /= 10;
                digits -= 1;
            }
            write!(f, ".{:0width$}", n, width = digits)?;
        }
        f.write_str("Z")
    }
}

/// Binary data; serialized as base64 in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Blob(Vec<u8>);

impl Blob {
    /// A blob holding `bytes`.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Blob(bytes.into())
    }

    /// The data, borrowed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The data, taken out of the blob.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }

    /// The length of the data in bytes (not of its base64 encoding).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the blob holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Self {
        Blob(v)
    }
}

impl From<&[u8]> for Blob {
    fn from(v: &[u8]) -> Self {
        Blob(v.to_vec())
    }
}

impl From<&str> for Blob {
    fn from(v: &str) -> Self {
        Blob(v.as_bytes().to_vec())
    }
}

impl From<Blob> for Vec<u8> {
    fn from(b: Blob) -> Self {
        b.0
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod http_date_tests {
    use super::{BigNumber, DateTime};

    #[test]
    fn rfc3339_and_http_date_round_trip() {
        let d = DateTime::from_rfc3339("2019-12-16T23:48:18Z").unwrap();
        assert_eq!(d.secs(), 1_576_540_098);
        assert_eq!(d.to_http_date(), "Mon, 16 Dec 2019 23:48:18 GMT");
        assert_eq!(DateTime::from_http_date(&d.to_http_date()), Some(d));
        let f = DateTime::from_rfc3339("2019-12-16T23:48:18.52Z").unwrap();
        assert_eq!(f.subsec_nanos(), 520_000_000);
        assert_eq!(DateTime::from_rfc3339("2019-12-17T01:48:18+02:00"), Some(d));
        assert!(DateTime::from_rfc3339("2019-12-16 23:48:18Z").is_none());
        assert!(DateTime::from_rfc3339("2019-13-16T23:48:18Z").is_none());
        assert!(DateTime::from_rfc3339("").is_none());
        assert_eq!(DateTime::from_rfc3339("2019-12-16T21:18:18-02:30").map(|x| x.secs()), Some(d.secs()));
        for bad in ["2019-12-16T23:48:18", "2019-12-16T23:48:18.Z", "2019-12-16T23:48:18+0200", "2019-1a-16T23:48:18Z"]
        {
            assert!(DateTime::from_rfc3339(bad).is_none(), "{bad}");
        }
        assert_eq!(DateTime::from_http_date(" Mon, 16 Dec 2019 23:48:18 GMT\r\n"), Some(d));
        // A year outside IMF-fixdate's four digits is still written out, never refused.
        assert_eq!(DateTime::from_secs(253_402_300_800).to_http_date(), "Sat, 01 Jan 10000 00:00:00 GMT");
        assert_eq!(DateTime::from_secs(0).to_http_date(), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            BigNumber::new("123456789012345678901234567890").unwrap().as_str(),
            "123456789012345678901234567890"
        );
        assert!(BigNumber::new("1.5e3").is_some());
        assert!(BigNumber::new("abc").is_none());
    }

    #[test]
    fn parses_imf_fixdate() {
        let d = DateTime::from_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(d.secs(), 784_111_777);
        assert_eq!(
            DateTime::from_http_date("Thu, 29 Feb 2024 00:00:00 GMT").unwrap().to_string(),
            "2024-02-29T00:00:00Z"
        );
        assert!(DateTime::from_http_date("Sun, 06 Nov 1994 08:49:37").is_none());
        assert!(DateTime::from_http_date("garbage").is_none());
        assert!(DateTime::from_http_date("Sun, 06 Foo 1994 08:49:37 GMT").is_none());
        assert_eq!(DateTime::from_http_date("Fri, 31 Dec 9999 23:59:59 GMT").unwrap().secs(), 253_402_300_799);
        // Years of other lengths would overflow the day arithmetic; they are not IMF-fixdates.
        for year in ["99999999999999999", "-9223372036854775808", "+1994", "94", ""] {
            assert!(DateTime::from_http_date(&format!("Sun, 06 Nov {year} 08:49:37 GMT")).is_none(), "{year}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_epoch_and_common_dates() {
        assert_eq!(DateTime::from_secs(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(DateTime::from_secs(1_609_459_200).to_string(), "2021-01-01T00:00:00Z");
        assert_eq!(DateTime::from_secs(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(DateTime::from_secs(1_709_164_799).to_string(), "2024-02-28T23:59:59Z");
        assert_eq!(DateTime::from_secs(1_709_164_800).to_string(), "2024-02-29T00:00:00Z");
        // 2100 is not a leap year: Feb 28 is followed by Mar 1.
        assert_eq!(DateTime::from_secs(4_107_542_400).to_string(), "2100-03-01T00:00:00Z");
        assert_eq!(DateTime::from_secs(253_402_300_799).to_string(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn display_pre_1970() {
        assert_eq!(DateTime::from_secs(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(DateTime::from_secs(-86_400).to_string(), "1969-12-31T00:00:00Z");
        assert_eq!(DateTime::from_secs(-2_208_988_800).to_string(), "1900-01-01T00:00:00Z");
        assert_eq!(DateTime::from_secs(-2_203_891_200).to_string(), "1900-03-01T00:00:00Z");
        // 1900 is not a leap year either.
        assert_eq!(DateTime::from_secs(-2_203_977_600).to_string(), "1900-02-28T00:00:00Z");
        assert_eq!(DateTime::from_secs(-62_135_596_800).to_string(), "0001-01-01T00:00:00Z");
        // -0.5 s is half a second before the epoch.
        assert_eq!(DateTime::from_secs_f64(-0.5).to_string(), "1969-12-31T23:59:59.5Z");
    }

    #[test]
    fn display_fraction_trimmed() {
        assert_eq!(DateTime::new(1_609_459_200, 500_000_000).to_string(), "2021-01-01T00:00:00.5Z");
        assert_eq!(DateTime::new(1_609_459_200, 123_000_000).to_string(), "2021-01-01T00:00:00.123Z");
        assert_eq!(DateTime::new(1_609_459_200, 1).to_string(), "2021-01-01T00:00:00.000000001Z");
        assert_eq!(DateTime::new(1_609_459_200, 120_450_000).to_string(), "2021-01-01T00:00:00.12045Z");
    }

    #[test]
    fn display_matches_day_by_day_walk() {
        // Cross-check the closed-form conversion against a naive calendar walk.
        let is_leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let (mut y, mut m, mut d) = (1900i64, 1u32, 1u32);
        let start = -2_208_988_800i64 / 86_400;
        for days in start..start + 200 * 366 {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            let len = match m {
                2 if is_leap(y) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }

    #[test]
    fn constructors() {
        let t = DateTime::from_secs_f64(1.5);
        assert_eq!((t.secs(), t.subsec_nanos()), (1, 500_000_000));
        let t = DateTime::from_secs_f64(-1.5);
        assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(t.as_secs_f64(), -1.5);
        let t = DateTime::from_secs_f64(1_609_459_200.123);
        assert_eq!((t.secs(), t.subsec_nanos()), (1_609_459_200, 123_000_000));
        let t = DateTime::from_millis(-1);
        assert_eq!((t.secs(), t.subsec_nanos()), (-1, 999_000_000));
        let t = DateTime::from_millis(1_609_459_200_123);
        assert_eq!((t.secs(), t.subsec_nanos()), (1_609_459_200, 123_000_000));
        assert_eq!(DateTime::new(1, 2_500_000_000), DateTime::new(3, 500_000_000));
        assert_eq!(DateTime::from_secs_f64(f64::NAN), DateTime::default());
        assert_eq!(DateTime::from_secs_f64(f64::INFINITY).secs(), i64::MAX);
        assert_eq!(DateTime::from_secs_f64(f64::NEG_INFINITY).secs(), i64::MIN);
        assert!(DateTime::from_secs(-1) < DateTime::from_secs_f64(-0.5));
    }

    #[test]
    fn system_time_round_trip() {
        for (secs, nanos) in [(0, 0), (1, 1), (1_609_459_200, 5), (-1, 999_999_999), (-2, 0)] {
            let t = DateTime::new(secs, nanos);
            let st = SystemTime::try_from(t).expect("in range");
            assert_eq!(DateTime::from(st), t);
        }
        let now = DateTime::now();
        assert!(now.secs() > 1_600_000_000);
        // Extremes must not panic; whether they fit is platform-dependent.
        let _ = SystemTime::try_from(DateTime::new(i64::MAX, 999_999_999));
        let _ = SystemTime::try_from(DateTime::new(i64::MIN, 1));
    }

    #[test]
    fn blob_conversions() {
        let b = Blob::new(vec![1u8, 2, 3]);
        assert_eq!(b.as_bytes(), &[1, 2, 3]);
        assert_eq!(b.len(), 3);
        assert!(!b.is_empty());
        assert!(Blob::default().is_empty());
        assert_eq!(Blob::from("hi").as_ref(), b"hi");
        assert_eq!(Blob::from(&b"hi"[..]), Blob::from(b"hi".to_vec()));
        assert_eq!(b.clone().into_inner(), vec![1, 2, 3]);
        assert_eq!(Vec::from(b), vec![1, 2, 3]);
    }
}
