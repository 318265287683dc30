//! Retries: which failures are retried, how long to wait, the token bucket that stops retry
//! storms, and the adaptive mode's client-side rate limiter (CUBIC).

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// `standard` retries with backoff and a retry quota; `adaptive` also slows the client down
/// after throttling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RetryMode {
    /// Retries transient errors, throttling and timeouts with jittered exponential backoff,
    /// drawing on a retry quota (the default; `legacy` parses as this too).
    #[default]
    Standard,
    /// `Standard`, plus a client-side rate limiter that slows requests down after throttling
    /// responses and speeds them up again as they succeed.
    Adaptive,
}

impl FromStr for RetryMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "standard" => Ok(RetryMode::Standard),
            "adaptive" => Ok(RetryMode::Adaptive),
            "legacy" => Ok(RetryMode::Standard),
            other => Err(format!("unknown retry mode `{other}` (expected `standard` or `adaptive`)")),
        }
    }
}

impl fmt::Display for RetryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RetryMode::Standard => "standard",
            RetryMode::Adaptive => "adaptive",
        })
    }
}

/// Retry settings. Defaults: standard mode, 3 attempts, backoff from 1 s doubling up to 20 s,
/// with full jitter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// How retries are paced (default [`RetryMode::Standard`]).
    pub mode: RetryMode,
    /// Attempts in all, the first included; 1 turns retries off.
    pub max_attempts: u32,
    /// The ceiling of the first retry's random backoff, doubled for each retry after it
    /// (default 1 s).
    pub initial_backoff: Duration,
    /// The most any backoff lasts, even when the service asks for a longer one (default 20 s).
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        RetryConfig { max_attempts: 1, ..Self::default() }
    }

    /// The wait before retry number `retry` (1 for the first retry): a random time between zero
    /// and `initial * 2^(retry-1)`, capped at `max_backoff` ("full jitter").
    pub(crate) fn backoff(&self, retry: u32, unit_random: f64) -> Duration {
        let exp = self.initial_backoff.as_secs_f64() * 2f64.powi(retry.saturating_sub(1).min(62) as i32);
        let cap = exp.min(self.max_backoff.as_secs_f64());
        Duration::from_secs_f64(cap * unit_random.clamp(0.0, 1.0))
    }
}

/// The wait a response asks for before the next attempt: `x-amz-retry-after` (milliseconds), else
/// `Retry-After` (seconds, or an HTTP date measured from `now`). Malformed values are ignored.
pub(crate) fn requested_delay(headers: &http::HeaderMap, now: std::time::SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("x-amz-retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_millis(ms));
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = super::types::DateTime::from_http_date(value)?;
    let now = super::types::DateTime::from(now);
    let secs = at.secs().checked_sub(now.secs())?;
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

impl RetryConfig {
    /// The wait before retry number `retry`: the jittered backoff, or longer where the service
    /// asked for longer, but never past `max_backoff`.
    pub(crate) fn backoff_honouring(&self, retry: u32, unit_random: f64, requested: Option<Duration>) -> Duration {
        let computed = self.backoff(retry, unit_random);
        requested.map_or(computed, |asked| asked.max(computed).min(self.max_backoff))
    }
}

/// Why a failed attempt may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retryable {
    /// The service asked the client to slow down.
    Throttling,
    /// A 5xx status or a transient error code.
    Transient,
    /// A timeout or broken connection: costs more of the retry quota.
    TimeoutOrConnection,
}

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable"];

/// Classifies an error response; `None` means not retried (a modeled client error, for example).
/// `modeled` lists the service's `@retryable` error codes, with whether each is throttling.
pub(crate) fn classify_response(status: u16, code: Option<&str>, modeled: &[(&str, bool)]) -> Option<Retryable> {
    if let Some(code) = code {
        if let Some((_, throttling)) = modeled.iter().find(|(c, _)| *c == code) {
            return Some(if *throttling { Retryable::Throttling } else { Retryable::Transient });
        }
        if THROTTLING_CODES.contains(&code) {
            return Some(Retryable::Throttling);
        }
        if TRANSIENT_CODES.contains(&code) {
            return Some(Retryable::Transient);
        }
    }
    match status {
        429 => Some(Retryable::Throttling),
        500 | 502 | 503 | 504 => Some(Retryable::Transient),
        _ => None,
    }
}

/// Retry quota shared by all calls of one client: retries spend tokens, successes give them
/// back, so a failing service is not hammered with retries.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    tokens: Mutex<u32>,
    capacity: u32,
}

pub(crate) const INITIAL_TOKENS: u32 = 500;
pub(crate) const RETRY_COST: u32 = 5;
pub(crate) const TIMEOUT_RETRY_COST: u32 = 10;

impl TokenBucket {
    pub(crate) fn new(capacity: u32) -> Self {
        TokenBucket { tokens: Mutex::new(capacity), capacity }
    }

    /// Takes the cost of a retry: `Ok(cost)`, or `Err` when the quota cannot pay it. Either way
    /// with the tokens left, which the caller logs (`retry_quota`), so a storm can be followed.
    /// Check and take happen under one lock: the count never drops below zero.
    pub(crate) fn acquire(&self, kind: Retryable) -> (Result<u32, ()>, u32) {
        let cost = if kind == Retryable::TimeoutOrConnection { TIMEOUT_RETRY_COST } else { RETRY_COST };
        let mut t = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        match t.checked_sub(cost) {
            Some(left) => {
                *t = left;
                (Ok(cost), left)
            }
            None => (Err(()), *t),
        }
    }

    /// Gives tokens back after a success: the retry's cost, or 1 for a first-try success.
    pub(crate) fn release(&self, amount: u32) {
        let mut t = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        *t = (*t + amount).min(self.capacity);
    }

    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The adaptive mode's client-side rate limiter: CUBIC congestion control over a token bucket
/// of request permits, engaged after the first throttle.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    state: Mutex<Cubic>,
}

#[derive(Debug)]
struct Cubic {
    fill_rate: f64,
    max_capacity: f64,
    current_capacity: f64,
    last_timestamp: Option<f64>,
    enabled: bool,
    measured_tx_rate: f64,
    last_tx_rate_bucket: f64,
    request_count: u64,
    last_max_rate: f64,
    last_throttle_time: f64,
    time_window: f64,
}

const MIN_FILL_RATE: f64 = 0.5;
const MIN_CAPACITY: f64 = 1.0;
const SMOOTH: f64 = 0.8;
const BETA: f64 = 0.7;
const SCALE_CONSTANT: f64 = 0.4;

impl RateLimiter {
    pub(crate) fn new(now: f64) -> Self {
        RateLimiter {
            state: Mutex::new(Cubic {
                fill_rate: 0.0,
                max_capacity: 0.0,
                current_capacity: 0.0,
                last_timestamp: None,
                enabled: false,
                measured_tx_rate: 0.0,
                last_tx_rate_bucket: (now * 2.0).floor() / 2.0,
                request_count: 0,
                last_max_rate: 0.0,
                last_throttle_time: now,
                time_window: 0.0,
            }),
        }
    }

    /// Takes a permit to send; returns how long to wait first (zero when not engaged).
    pub(crate) fn acquire(&self, now: f64) -> Duration {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if !s.enabled {
            return Duration::ZERO;
        }
        s.refill(now);
        let wait = if s.current_capacity >= 1.0 { 0.0 } else { (1.0 - s.current_capacity) / s.fill_rate };
        s.current_capacity -= 1.0;
        Duration::from_secs_f64(wait.max(0.0))
    }

    /// Records the outcome of a response: throttled or not.
    pub(crate) fn update(&self, throttled: bool, now: f64) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.update_measured_rate(now);
        let calculated = if throttled {
            let rate = if s.enabled { s.measured_tx_rate.min(s.fill_rate) } else { s.measured_tx_rate };
            s.last_max_rate = rate;
            s.calculate_time_window();
            s.last_throttle_time = now;
            s.enabled = true;
            rate * BETA
        } else {
            s.calculate_time_window();
            SCALE_CONSTANT * (now - s.last_throttle_time - s.time_window).powi(3) + s.last_max_rate
        };
        let new_rate = calculated.min(2.0 * s.measured_tx_rate);
        s.set_rate(new_rate, now);
    }

    #[cfg(test)]
    pub(crate) fn fill_rate(&self) -> (bool, f64) {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (s.enabled, s.fill_rate)
    }
}

impl Cubic {
    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_timestamp {
            let added = (now - last).max(0.0) * self.fill_rate;
            self.current_capacity = (self.current_capacity + added).min(self.max_capacity);
        }
        self.last_timestamp = Some(now);
    }

    fn set_rate(&mut self, rate: f64, now: f64) {
        self.refill(now);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        self.max_capacity = rate.max(MIN_CAPACITY);
        self.current_capacity = self.current_capacity.min(self.max_capacity);
    }

    fn calculate_time_window(&mut self) {
        self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE_CONSTANT).cbrt();
    }

    fn update_measured_rate(&mut self, now: f64) {
        let bucket = (now * 2.0).floor() / 2.0;
        self.request_count += 1;
        if bucket > self.last_tx_rate_bucket {
            let rate = self.request_count as f64 / (bucket - self.last_tx_rate_bucket);
            self.measured_tx_rate = rate * SMOOTH + self.measured_tx_rate * (1.0 - SMOOTH);
            self.request_count = 0;
            self.last_tx_rate_bucket = bucket;
        }
    }
}

/// A uniformly distributed number in [0, 1), for jitter; not for secrets.
pub(crate) fn unit_random() -> f64 {
    (super::ids::random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify_response(400, Some("ThrottlingException"), &[]), Some(Retryable::Throttling));
        assert_eq!(classify_response(400, Some("TooManyRequestsException"), &[]), Some(Retryable::Throttling));
        assert_eq!(classify_response(503, None, &[]), Some(Retryable::Transient));
        assert_eq!(classify_response(500, Some("ServerException"), &[]), Some(Retryable::Transient));
        assert_eq!(classify_response(400, Some("RepositoryNotFoundException"), &[]), None);
        assert_eq!(classify_response(403, Some("InvalidSignatureException"), &[]), None);
        // A model's @retryable errors are retried, as throttling when it says so.
        let modeled = [("Busy", true), ("Flaky", false)];
        assert_eq!(classify_response(400, Some("Busy"), &modeled), Some(Retryable::Throttling));
        assert_eq!(classify_response(400, Some("Flaky"), &modeled), Some(Retryable::Transient));
    }

    #[test]
    fn a_requested_delay_is_honoured_up_to_the_maximum() {
        let c = RetryConfig { initial_backoff: Duration::from_millis(100), ..RetryConfig::default() };
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = http::HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, http::HeaderValue::from_str(v).unwrap());
            }
            h
        };
        let ask = |pairs: &[(&'static str, &str)]| requested_delay(&headers(pairs), now);
        assert_eq!(ask(&[("x-amz-retry-after", "1500")]), Some(Duration::from_millis(1500)));
        assert_eq!(ask(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(ask(&[("x-amz-retry-after", "250"), ("retry-after", "7")]), Some(Duration::from_millis(250)));
        let later = super::super::types::DateTime::from_secs(1_700_000_030).to_http_date();
        assert_eq!(ask(&[("retry-after", &later)]), Some(Duration::from_secs(30)));
        let past = super::super::types::DateTime::from_secs(1_600_000_000).to_http_date();
        assert_eq!(ask(&[("retry-after", &past)]), Some(Duration::ZERO));
        for junk in ["-1", "soon", "Fri, 31 Dec 99999 23:59:59 GMT", "18446744073709551616", ""] {
            assert_eq!(ask(&[("retry-after", junk)]), None, "{junk}");
        }
        assert_eq!(ask(&[]), None);
        // Far-future or huge requests never wait past the configured maximum.
        let huge = Some(Duration::from_secs(u64::MAX / 4));
        assert_eq!(c.backoff_honouring(1, 0.5, huge), c.max_backoff);
        let year_9999 = ask(&[("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT")]);
        assert_eq!(c.backoff_honouring(1, 0.5, year_9999), c.max_backoff);
        // A shorter request does not cut the computed backoff; a longer one extends it.
        assert_eq!(c.backoff_honouring(2, 1.0, Some(Duration::ZERO)), Duration::from_millis(200));
        assert_eq!(c.backoff_honouring(1, 0.0, Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(c.backoff_honouring(1, 0.3, None), c.backoff(1, 0.3));
    }

    #[test]
    fn backoff_is_capped_exponential_with_full_jitter() {
        let c = RetryConfig::default();
        assert_eq!(c.backoff(1, 1.0), Duration::from_secs(1));
        assert_eq!(c.backoff(3, 1.0), Duration::from_secs(4));
        assert_eq!(c.backoff(10, 1.0), Duration::from_secs(20));
        assert_eq!(c.backoff(10, 0.0), Duration::ZERO);
        assert_eq!(c.backoff(2, 0.5), Duration::from_secs(1));
        for _ in 0..100 {
            let r = unit_random();
            assert!((0.0..1.0).contains(&r));
        }
    }

    /// `min(max, initial * 2^(retry-1))`, in exact integer arithmetic.
    fn jitter_cap(c: &RetryConfig, retry: u32) -> Duration {
        let exp = c.initial_backoff.as_nanos().saturating_mul(1u128 << (retry - 1));
        Duration::from_nanos(exp.min(c.max_backoff.as_nanos()) as u64)
    }

    #[test]
    fn backoff_stays_within_full_jitter_bounds() {
        let ms = Duration::from_millis;
        let configs = [
            (ms(10), ms(40)),
            (ms(1), ms(5)),
            (Duration::from_secs(1), Duration::from_secs(20)),
            (Duration::ZERO, ms(5)),
            // A cap below the initial backoff wins from the first retry.
            (ms(100), ms(30)),
        ];
        for (initial_backoff, max_backoff) in configs {
            let c = RetryConfig { initial_backoff, max_backoff, ..RetryConfig::default() };
            for retry in 1..=70 {
                let cap = jitter_cap(&c, retry);
                // The extremes of the random draw hit the bounds (within float rounding).
                assert_eq!(c.backoff(retry, 0.0), Duration::ZERO);
                let top = c.backoff(retry, 1.0);
                assert!(top <= cap + Duration::from_nanos(1) && cap <= top + Duration::from_nanos(1), "{c:?} {retry}");
                let draws: Vec<Duration> = (0..1000).map(|_| c.backoff(retry, unit_random())).collect();
                for d in &draws {
                    assert!(*d <= cap, "retry {retry} of {c:?}: {d:?} above {cap:?}");
                }
                // Full jitter: spread over the whole range, not bunched at one end.
                if !cap.is_zero() {
                    assert!(draws.iter().any(|d| *d < cap / 4), "retry {retry} of {c:?}: no short wait");
                    assert!(draws.iter().any(|d| *d > cap * 3 / 4), "retry {retry} of {c:?}: no long wait");
                }
            }
            // The caps themselves: doubling from the initial backoff up to the maximum.
            if c == (RetryConfig { initial_backoff: ms(10), max_backoff: ms(40), ..c }) {
                let caps: Vec<Duration> = (1..=5).map(|n| jitter_cap(&c, n)).collect();
                assert_eq!(caps, [ms(10), ms(20), ms(40), ms(40), ms(40)]);
            }
        }
        // Out-of-range draws are clamped, never a longer wait.
        let c = RetryConfig { initial_backoff: ms(10), max_backoff: ms(40), ..RetryConfig::default() };
        assert_eq!(c.backoff(1, 7.0), ms(10));
        assert_eq!(c.backoff(1, -1.0), Duration::ZERO);
        assert_eq!(c.backoff(0, 1.0), ms(10), "retry 0 is treated as the first");
    }

    #[test]
    fn token_bucket_runs_dry_and_refills() {
        let b = TokenBucket::new(INITIAL_TOKENS);
        let mut n = 0;
        while b.acquire(Retryable::Transient).0.is_ok() {
            n += 1;
        }
        assert_eq!(n, INITIAL_TOKENS / RETRY_COST);
        assert_eq!(b.acquire(Retryable::TimeoutOrConnection), (Err(()), 0));
        b.release(RETRY_COST);
        assert_eq!(b.available(), RETRY_COST);
        b.release(10_000);
        assert_eq!(b.available(), INITIAL_TOKENS);
        let b = TokenBucket::new(12);
        assert_eq!(b.acquire(Retryable::TimeoutOrConnection), (Ok(TIMEOUT_RETRY_COST), 2));
        assert_eq!(b.acquire(Retryable::Transient), (Err(()), 2), "a refusal takes nothing");
    }

    #[test]
    fn token_bucket_under_contention_never_overdraws_and_loses_no_token() {
        // Eight threads spend and refund against one small bucket at once. Every token taken is
        // given back, so the count ends where it began; at no point may more be held than exists.
        let b = std::sync::Arc::new(TokenBucket::new(60));
        use std::sync::atomic::{AtomicU32, Ordering};
        let held = std::sync::Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let (b, held) = (b.clone(), held.clone());
                std::thread::spawn(move || {
                    let kind = if i % 2 == 0 { Retryable::Transient } else { Retryable::TimeoutOrConnection };
                    let mut refused = 0;
                    for _ in 0..20_000 {
                        match b.acquire(kind) {
                            (Ok(cost), _) => {
                                let now = held.fetch_add(cost, Ordering::SeqCst) + cost;
                                assert!(now <= 60, "{now} tokens held out of 60");
                                held.fetch_sub(cost, Ordering::SeqCst);
                                b.release(cost);
                            }
                            (Err(()), left) => {
                                assert!(left < 10, "refused with {left} tokens left");
                                refused += 1;
                            }
                        }
                    }
                    refused
                })
            })
            .collect();
        for t in threads {
            t.join().expect("no thread panicked");
        }
        assert_eq!(b.available(), 60, "every token came back");
    }

    #[test]
    fn modes_parse() {
        assert_eq!("Adaptive".parse::<RetryMode>(), Ok(RetryMode::Adaptive));
        assert_eq!("standard".parse::<RetryMode>(), Ok(RetryMode::Standard));
        assert!("fast".parse::<RetryMode>().is_err());
    }

    #[test]
    fn cubic_engages_after_throttle_and_recovers() {
        let l = RateLimiter::new(0.0);
        // Not engaged before a throttle: no waiting.
        for i in 0..20 {
            let t = i as f64 * 0.1;
            assert_eq!(l.acquire(t), Duration::ZERO);
            l.update(false, t);
        }
        assert!(!l.fill_rate().0);
        l.update(true, 2.0);
        let (enabled, after_throttle) = l.fill_rate();
        assert!(enabled);
        // The rate drops to beta times the measured rate, then climbs back with successes.
        let mut t = 2.0;
        for _ in 0..40 {
            t += 0.25;
            l.update(false, t);
        }
        assert!(l.fill_rate().1 > after_throttle, "{} > {}", l.fill_rate().1, after_throttle);
        // With the bucket empty, a burst has to wait.
        let waits: Vec<Duration> = (0..50).map(|_| l.acquire(t)).collect();
        assert!(waits.iter().any(|w| *w > Duration::ZERO));
    }
}
