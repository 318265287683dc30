//! Waiters (Smithy `@waitable`): call an operation until one of its acceptors says the
//! resource reached the state waited for, or a state it cannot leave, or time runs out.
//!
//! The generated code decides which acceptor a response matches; this module sends the calls
//! and sleeps between them with the Smithy delay rule: attempt `n` waits a random time between
//! `min_delay` and `min(max_delay, min_delay * 2^(n-1))`, never past `max_wait`.

use std::fmt;
use std::time::Duration;

use super::client::Handle;
use super::error::SdkError;
use super::operation::Operation;
use super::options::CallOptions;

/// The state an acceptor moves the waiter to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Done: the waiter returns the response.
    Success,
    /// The resource will not reach the state waited for: the waiter fails.
    Failure,
    /// Not yet: the waiter calls again after a delay.
    Retry,
}

/// What a response of an operation is: its output or its error.
pub type Response<O, E> = Result<O, SdkError<E>>;

/// Which acceptor a response matches, first in model order, if any.
pub type Classify<O> = fn(
    &<O as Operation>::Input,
    Result<&<O as Operation>::Output, &SdkError<<O as Operation>::Error>>,
) -> Option<State>;

/// A waiter's timing: the model's delays, which the caller may change, and the caller's
/// `max_wait`, which the waiter needs before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delays {
    /// The shortest delay between calls (and the first delay's length); must not be zero.
    pub min_delay: Duration,
    /// The longest delay between calls; must not be below `min_delay`.
    pub max_delay: Duration,
    /// How long to wait in all before [`WaiterError::TimedOut`]; the waiter fails with
    /// [`WaiterConfigError::MaxWaitMissing`] while it is `None`.
    pub max_wait: Option<Duration>,
}

impl Delays {
    /// The model's delays, in seconds.
    pub const fn from_model(min_delay_secs: u64, max_delay_secs: u64) -> Self {
        Delays {
            min_delay: Duration::from_secs(min_delay_secs),
            max_delay: Duration::from_secs(max_delay_secs),
            max_wait: None,
        }
    }

    fn check(&self) -> Result<Duration, WaiterConfigError> {
        let max_wait = match self.max_wait {
            None => return Err(WaiterConfigError::MaxWaitMissing),
            Some(w) if w.is_zero() => return Err(WaiterConfigError::MaxWaitZero),
            Some(w) => w,
        };
        if self.min_delay.is_zero() {
            return Err(WaiterConfigError::MinDelayZero);
        }
        if self.max_delay < self.min_delay {
            return Err(WaiterConfigError::MaxDelayBelowMinDelay {
                min_delay: self.min_delay,
                max_delay: self.max_delay,
            });
        }
        Ok(max_wait)
    }

    /// The delay before attempt `attempt + 1`, given the time left and a random number:
    /// uniform between `min_delay` and the attempt's ceiling; all of the time left when less
    /// than `min_delay` would remain after it.
    pub fn delay(&self, attempt: u32, remaining: Duration, random: u64) -> Duration {
        let doubling = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
        let ceiling = self.min_delay.saturating_mul(doubling).min(self.max_delay);
        let span = ceiling.saturating_sub(self.min_delay).as_nanos();
        // `span + 1` cannot overflow: a `Duration` holds far fewer nanoseconds than a u128.
        let jitter = u64::try_from(u128::from(random) % (span + 1)).unwrap_or(u64::MAX);
        let delay = self.min_delay + Duration::from_nanos(jitter);
        // A remainder too short for another delay would go unused: the last call is made
        // when `max_wait` runs out instead.
        if remaining.saturating_sub(delay) < self.min_delay {
            remaining
        } else {
            delay
        }
    }
}

/// The response that matched a success acceptor, and how many calls it took.
#[derive(Debug)]
pub struct Waited<O, E> {
    response: Response<O, E>,
    attempts: u32,
}

impl<O, E> Waited<O, E> {
    /// The output that ended the wait; `None` when an error did (a waiter for a deletion, say).
    pub fn output(&self) -> Option<&O> {
        self.response.as_ref().ok()
    }

    /// The output that ended the wait, if an output did.
    pub fn into_output(self) -> Option<O> {
        self.response.ok()
    }

    /// The error that ended the wait, if an error did.
    pub fn error(&self) -> Option<&SdkError<E>> {
        self.response.as_ref().err()
    }

    /// The response that ended the wait.
    pub fn into_response(self) -> Response<O, E> {
        self.response
    }

    /// How many calls were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// Why a waiter gave up.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaiterError<O, E> {
    /// A failure acceptor matched: the resource will not reach the state waited for.
    FailureState {
        /// The response the failure acceptor matched.
        response: Response<O, E>,
        /// How many calls were made.
        attempts: u32,
    },
    /// The call failed with an error no acceptor matches.
    UnexpectedError {
        /// The call's error.
        error: SdkError<E>,
        /// How many calls were made.
        attempts: u32,
    },
    /// `max_wait` ran out before an acceptor ended the wait; the last response is kept.
    TimedOut {
        /// The last call's response, which matched a retry acceptor or none.
        last: Response<O, E>,
        /// How many calls were made.
        attempts: u32,
        /// The time since the waiter started.
        elapsed: Duration,
    },
    /// The waiter was set up wrongly; nothing was sent.
    Config(WaiterConfigError),
}

impl<O, E> WaiterError<O, E> {
    /// The last response, for every variant but `Config`.
    pub fn last_response(&self) -> Option<&Response<O, E>> {
        match self {
            WaiterError::FailureState { response, .. } | WaiterError::TimedOut { last: response, .. } => Some(response),
            WaiterError::UnexpectedError { .. } | WaiterError::Config(_) => None,
        }
    }

    /// The last output, when the last response was one.
    pub fn last_output(&self) -> Option<&O> {
        self.last_response().and_then(|r| r.as_ref().ok())
    }

    /// The error the service or the transport gave last, if the last response was an error.
    pub fn last_error(&self) -> Option<&SdkError<E>> {
        match self {
            WaiterError::UnexpectedError { error, .. } => Some(error),
            other => other.last_response().and_then(|r| r.as_ref().err()),
        }
    }
}

impl<O, E: fmt::Display> fmt::Display for WaiterError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let calls = |n: &u32| if *n == 1 { "1 call".to_string() } else { format!("{n} calls") };
        match self {
            WaiterError::FailureState { response: Ok(_), attempts } => {
                write!(f, "the waiter reached a failure state after {}", calls(attempts))
            }
            WaiterError::FailureState { response: Err(e), attempts } => {
                write!(f, "the waiter reached a failure state after {}: {e}", calls(attempts))
            }
            WaiterError::UnexpectedError { error, attempts } => {
                write!(f, "the waiter stopped on an error no acceptor matches after {}: {error}", calls(attempts))
            }
            WaiterError::TimedOut { attempts, elapsed, .. } => {
                write!(f, "the waiter timed out after {elapsed:?} and {}", calls(attempts))
            }
            WaiterError::Config(e) => write!(f, "the waiter is not set up right: {e}"),
        }
    }
}

impl<O: fmt::Debug, E: std::error::Error + 'static> std::error::Error for WaiterError<O, E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaiterError::Config(e) => Some(e),
            other => other.last_error().map(|e| e as &(dyn std::error::Error + 'static)),
        }
    }
}

/// A waiter set up wrongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaiterConfigError {
    /// No `max_wait` was given: a waiter never waits without a bound.
    MaxWaitMissing,
    /// `max_wait` is zero: not even one call would fit.
    MaxWaitZero,
    /// `min_delay` is zero: the waiter would call the service in a tight loop.
    MinDelayZero,
    /// `max_delay` is below `min_delay`.
    MaxDelayBelowMinDelay {
        /// The `min_delay` given.
        min_delay: Duration,
        /// The `max_delay` given, shorter than `min_delay`.
        max_delay: Duration,
    },
}

impl fmt::Display for WaiterConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaiterConfigError::MaxWaitMissing => f.write_str("no max_wait was set"),
            WaiterConfigError::MaxWaitZero => f.write_str("max_wait is zero"),
            WaiterConfigError::MinDelayZero => f.write_str("min_delay is zero"),
            WaiterConfigError::MaxDelayBelowMinDelay { min_delay, max_delay } => {
                write!(f, "max_delay ({max_delay:?}) is below min_delay ({min_delay:?})")
            }
        }
    }
}

impl std::error::Error for WaiterConfigError {}

/// Calls `O` until `classify` says success or failure, an error no acceptor matches comes
/// back, or `max_wait` runs out. The first call goes out at once.
pub async fn wait<O: Operation>(
    handle: &Handle,
    input: &O::Input,
    options: &CallOptions,
    delays: Delays,
    classify: Classify<O>,
) -> Result<Waited<O::Output, O::Error>, WaiterError<O::Output, O::Error>> {
    let max_wait = delays.check().map_err(WaiterError::Config)?;
    let start = tokio::time::Instant::now();
    let mut attempts = 0u32;
    loop {
        attempts = attempts.saturating_add(1);
        let response = handle.call::<O>(input, options).await;
        match (classify(input, response.as_ref()), response) {
            (Some(State::Success), response) => return Ok(Waited { response, attempts }),
            (Some(State::Failure), response) => return Err(WaiterError::FailureState { response, attempts }),
            (None, Err(error)) => return Err(WaiterError::UnexpectedError { error, attempts }),
            (Some(State::Retry) | None, last) => {
                let elapsed = start.elapsed();
                let remaining = max_wait.saturating_sub(elapsed);
                // Too little time for another delay: the spec's waiters stop here.
                if remaining < delays.min_delay || remaining.is_zero() {
                    return Err(WaiterError::TimedOut { last, attempts, elapsed });
                }
                tokio::time::sleep(delays.delay(attempts, remaining, super::ids::random_u64())).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn delays_double_from_min_to_max_with_jitter() {
        let d = Delays { min_delay: 2 * S, max_delay: 120 * S, max_wait: Some(3600 * S) };
        let far = 3600 * S;
        // Random 0 gives the minimum, the largest random the attempt's ceiling.
        for attempt in 1..=10 {
            assert_eq!(d.delay(attempt, far, 0), 2 * S);
        }
        // The ceiling doubles per attempt up to max_delay: a random number equal to the span
        // between min_delay and the ceiling reaches it.
        let ceilings: Vec<u64> = (1..=9u32)
            .map(|a| {
                let ceiling = (2u64 << (a - 1)).min(120);
                d.delay(a, far, (ceiling - 2) * 1_000_000_000).as_secs()
            })
            .collect();
        assert_eq!(ceilings, [2, 4, 8, 16, 32, 64, 120, 120, 120]);
        // Always within [min, ceiling], never past the time left.
        for random in [1, 7, 1 << 40, u64::MAX / 3] {
            for attempt in 1..40 {
                let ceiling = Duration::from_secs((2u64.saturating_mul(1 << (attempt - 1).min(20))).min(120));
                let got = d.delay(attempt, far, random);
                assert!(got >= 2 * S && got <= ceiling, "attempt {attempt}: {got:?} not in [2s, {ceiling:?}]");
                // Near the end the delay takes all the time left, so the last call lands on max_wait.
                assert_eq!(d.delay(attempt, 3 * S, random), 3 * S);
            }
        }
        assert_eq!(d.delay(5, S / 2, u64::MAX), S / 2);
        assert_eq!(d.delay(1, 5 * S, 0), 2 * S, "3 s remain after it: enough for another delay");
        assert_eq!(d.delay(1, 3 * S, 0), 3 * S, "1 s would remain: too little, so all of it");
        // A huge attempt number saturates instead of overflowing.
        assert!(d.delay(u32::MAX, far, 12345) <= 120 * S);
    }

    #[test]
    fn bad_setups_are_errors() {
        let d = Delays::from_model(2, 120);
        assert_eq!(d.check(), Err(WaiterConfigError::MaxWaitMissing));
        assert_eq!(Delays { max_wait: Some(Duration::ZERO), ..d }.check(), Err(WaiterConfigError::MaxWaitZero));
        let d = Delays { max_wait: Some(S), ..d };
        assert_eq!(d.check(), Ok(S));
        assert_eq!(Delays { min_delay: Duration::ZERO, ..d }.check(), Err(WaiterConfigError::MinDelayZero));
        assert!(matches!(Delays { max_delay: S, ..d }.check(), Err(WaiterConfigError::MaxDelayBelowMinDelay { .. })));
    }
}
