//! Interceptors: user code that the call pipeline runs at fixed points of every call, to read
//! the typed input, add headers before signing, see the signed request, the response and the
//! typed output, and every error.
//!
//! A call goes: `before_serialization` (the typed input) → validation, endpoint, serialization →
//! for each attempt: credentials, `before_signing` (the request, mutable) → signing →
//! `before_transmit` (the signed request, read-only) → transport → `after_attempt` (the attempt's
//! response or error) → after the last attempt: deserialization → `after_deserialization` (the
//! typed output or error, and the response) → `on_error` (any error of the call) →
//! `after_execution` (a [`CallMetrics`] summary).
//!
//! Every hook defaults to doing nothing. The hooks before transmission and
//! `after_deserialization` may return an error: the call then ends with
//! [`SdkError::Interceptor`], and a hook that fails before transmission
//! means nothing is sent. The other hooks only observe.
//!
//! Interceptors registered on the configuration
//! ([`ConfigBuilder::interceptor`](crate::ConfigBuilder::interceptor)) run for every call of every
//! client made from it; ones set on a call
//! ([`CallOptions::interceptor`](crate::CallOptions::interceptor)) run for that call only, after
//! the configuration's. Within each list they run in the order they were added.
//!
//! Two come with the runtime: [`LoggingInterceptor`] (requests and responses through `tracing`,
//! with credentials and secrets redacted) and [`MetricsInterceptor`] (a per-call summary to a
//! callback).
//!
//! ```
//! use awsjson_runtime::interceptor::{BoxError, Interceptor, SigningContext};
//!
//! /// Tags every request with the team that sent it.
//! struct Team;
//!
//! impl Interceptor for Team {
//!     fn before_signing(&self, ctx: &mut SigningContext<'_>) -> Result<(), BoxError> {
//!         ctx.request_mut().headers_mut().insert("x-team", http::HeaderValue::from_static("infra"));
//!         Ok(())
//!     }
//! }
//!
//! let config = awsjson_runtime::Config::builder().region("us-east-1").interceptor(Team).build();
//! # let _ = config;
//! ```
//!
//! A call whose future is dropped (cancelled by the caller) runs no further hooks: no `on_error`,
//! no `after_execution`.

use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::error::{InterceptorError, SdkError, TimeoutKind, TransportErrorKind};
use super::transport::{HttpRequest, HttpResponse};

mod logging;
mod metrics;

pub use logging::{LoggingInterceptor, LOG_TARGET};
pub use metrics::MetricsInterceptor;

/// The error a hook returns to end the call.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Hooks into every call. Implement the ones you need; the others do nothing.
///
/// An interceptor is shared by every call it applies to, concurrently: keep per-call state in
/// the contexts' data (the invocation id tells calls apart), not in `&mut self`.
pub trait Interceptor: Send + Sync + 'static {
    /// The name errors and logs give this interceptor; its type's name by default.
    fn name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }

    /// Before anything else: the typed input, as [`InputContext::input_as`] gives it. An error
    /// ends the call with nothing sent.
    fn before_serialization(&self, ctx: &InputContext<'_>) -> Result<(), BoxError> {
        let _ = ctx;
        Ok(())
    }

    /// Each attempt, before the request is signed: headers added here are signed with the rest.
    /// An error ends the call with nothing sent.
    fn before_signing(&self, ctx: &mut SigningContext<'_>) -> Result<(), BoxError> {
        let _ = ctx;
        Ok(())
    }

    /// Each attempt, with the signed request as it is about to be sent. It is read-only: a
    /// change after signing would not be covered by the signature (a changed signed header or
    /// body makes the service refuse the request), so change requests in
    /// [`before_signing`](Self::before_signing). An error ends the call with nothing sent.
    fn before_transmit(&self, ctx: &TransmitContext<'_>) -> Result<(), BoxError> {
        let _ = ctx;
        Ok(())
    }

    /// Each attempt, once it has ended: its response (any status) or its error, its latency,
    /// and whether another attempt follows.
    fn after_attempt(&self, ctx: &AttemptContext<'_>) {
        let _ = ctx;
    }

    /// After the last attempt's response is read: the typed output, or the call's error (the
    /// service's error, or a response that could not be read), and the response. An error
    /// replaces the call's result.
    fn after_deserialization(&self, ctx: &OutputContext<'_>) -> Result<(), BoxError> {
        let _ = ctx;
        Ok(())
    }

    /// When the call fails, whatever the cause: validation, configuration, transport, timeout,
    /// the service, an unreadable response or an interceptor.
    fn on_error(&self, ctx: &ErrorContext<'_>) {
        let _ = ctx;
    }

    /// Last, whatever the outcome: the call's [`CallMetrics`].
    fn after_execution(&self, ctx: &ExecutionContext<'_>) {
        let _ = ctx;
    }
}

/// What every context tells of its call.
#[derive(Debug)]
pub(crate) struct CallInfo {
    service: &'static str,
    operation: &'static str,
    invocation_id: String,
    max_attempts: u32,
    started: Instant,
    /// The attempt under way, or the last one; 0 before the first.
    attempt: AtomicU32,
    /// The model's `@sensitive` member names, for redaction.
    pub(crate) sensitive: &'static [&'static str],
}

/// The accessors every context shares.
macro_rules! call_accessors {
    ($($ctx:ident),*) => {$(
        impl $ctx<'_> {
            /// The service's SDK id, e.g. `ECR PUBLIC`.
            pub fn service(&self) -> &str {
                self.call.service
            }

            /// The operation's name, e.g. `DescribeRepositories`.
            pub fn operation(&self) -> &str {
                self.call.operation
            }

            /// The call's id, sent as `amz-sdk-invocation-id`: the same for all its attempts.
            pub fn invocation_id(&self) -> &str {
                &self.call.invocation_id
            }

            /// The attempt under way (or the last one), from 1; 0 before the first.
            pub fn attempt(&self) -> u32 {
                self.call.attempt.load(Ordering::Relaxed)
            }

            /// The most attempts the call may make, the first included.
            pub fn max_attempts(&self) -> u32 {
                self.call.max_attempts
            }

            /// Time since the call started.
            pub fn elapsed(&self) -> Duration {
                self.call.started.elapsed()
            }
        }

        impl fmt::Debug for $ctx<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ctx))
                    .field("service", &self.call.service)
                    .field("operation", &self.call.operation)
                    .field("invocation_id", &self.call.invocation_id)
                    .field("attempt", &self.attempt())
                    .finish_non_exhaustive()
            }
        }
    )*};
}

call_accessors!(
    InputContext,
    SigningContext,
    TransmitContext,
    AttemptContext,
    OutputContext,
    ErrorContext,
    ExecutionContext
);

/// For [`Interceptor::before_serialization`]: the typed input.
pub struct InputContext<'a> {
    call: &'a CallInfo,
    input: &'a dyn Any,
}

impl InputContext<'_> {
    /// The input, to downcast to the operation's input type.
    pub fn input(&self) -> &dyn Any {
        self.input
    }

    /// The input if it is a `T`, e.g. `ecrpublic::input::DescribeRepositoriesInput`.
    pub fn input_as<T: 'static>(&self) -> Option<&T> {
        self.input.downcast_ref()
    }
}

/// For [`Interceptor::before_signing`]: the request of this attempt, not signed yet.
pub struct SigningContext<'a> {
    call: &'a CallInfo,
    request: &'a mut HttpRequest,
}

impl SigningContext<'_> {
    /// The request as it will be signed: method, URI, headers and body.
    pub fn request(&self) -> &HttpRequest {
        self.request
    }

    /// The request, to change: headers added here are signed. Changing the body breaks its
    /// signature (the body's hash is worked out before the first attempt).
    pub fn request_mut(&mut self) -> &mut HttpRequest {
        self.request
    }
}

/// For [`Interceptor::before_transmit`]: the signed request of this attempt.
pub struct TransmitContext<'a> {
    call: &'a CallInfo,
    request: &'a HttpRequest,
}

impl TransmitContext<'_> {
    /// The signed request. Its `Authorization` and `X-Amz-Security-Token` headers are
    /// credentials: never log them (the [`LoggingInterceptor`] redacts them).
    pub fn request(&self) -> &HttpRequest {
        self.request
    }
}

/// For [`Interceptor::after_attempt`]: how one attempt ended.
pub struct AttemptContext<'a> {
    call: &'a CallInfo,
    response: Option<&'a HttpResponse>,
    error: Option<&'a (dyn std::error::Error + 'static)>,
    latency: Duration,
    retrying: bool,
}

impl AttemptContext<'_> {
    /// The response, whatever its status; `None` when the attempt got none.
    pub fn response(&self) -> Option<&HttpResponse> {
        self.response
    }

    /// Why the attempt got no response (a transport error, a timeout), if it got none.
    pub fn error(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error
    }

    /// From the start of the attempt (credentials and signing included) to its end.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// Whether another attempt follows (after a backoff).
    pub fn retrying(&self) -> bool {
        self.retrying
    }
}

/// For [`Interceptor::after_deserialization`]: the last response and what it was read as.
pub struct OutputContext<'a> {
    call: &'a CallInfo,
    response: &'a HttpResponse,
    output: Result<&'a dyn Any, (&'a dyn Any, &'a (dyn std::error::Error + 'static))>,
}

impl OutputContext<'_> {
    /// The response: status, headers and body. The body may hold secrets (an authorization
    /// token): log it only through redaction.
    pub fn response(&self) -> &HttpResponse {
        self.response
    }

    /// The typed output, when the call succeeded.
    pub fn output(&self) -> Option<&dyn Any> {
        self.output.ok()
    }

    /// The output if the call succeeded and it is a `T`, e.g.
    /// `ecrpublic::output::DescribeRepositoriesOutput`.
    pub fn output_as<T: 'static>(&self) -> Option<&T> {
        self.output.ok()?.downcast_ref()
    }

    /// The call's error, when the service answered with one or the response could not be read.
    pub fn error(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.output.err().map(|(_, e)| e)
    }

    /// The error if there is one and it is a `T`: the call's `SdkError<E>`, e.g.
    /// `ecrpublic::SdkError<ecrpublic::error::DescribeRepositoriesError>`.
    pub fn error_as<T: 'static>(&self) -> Option<&T> {
        self.output.err()?.0.downcast_ref()
    }
}

/// For [`Interceptor::on_error`]: the call's error.
pub struct ErrorContext<'a> {
    call: &'a CallInfo,
    error: &'a (dyn std::error::Error + 'static),
    error_any: &'a dyn Any,
    kind: ErrorKind,
}

impl ErrorContext<'_> {
    /// The call's error, as a trait object; [`error_as`](Self::error_as) gives it typed.
    pub fn error(&self) -> &(dyn std::error::Error + 'static) {
        self.error
    }

    /// The error if it is a `T`: the call's `SdkError<E>`, e.g.
    /// `ecrpublic::SdkError<ecrpublic::error::DescribeRepositoriesError>`.
    pub fn error_as<T: 'static>(&self) -> Option<&T> {
        self.error_any.downcast_ref()
    }

    /// Which kind of error it is, e.g. for a metric label.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// For [`Interceptor::after_execution`]: the call's summary.
pub struct ExecutionContext<'a> {
    call: &'a CallInfo,
    metrics: &'a CallMetrics,
}

impl ExecutionContext<'_> {
    /// The call's latency, attempts and outcome.
    pub fn metrics(&self) -> &CallMetrics {
        self.metrics
    }
}

/// What kind of error ended a call or an attempt: a variant of [`SdkError`] with its
/// detail, cheap to copy into metric labels ([`label`](Self::label)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service answered with an error ([`CallMetrics::error_code`] has its code).
    Service,
    /// The client was not configured well enough to send the request ([`SdkError::Config`]).
    Config,
    /// The request was not sent or its response not received, and why.
    Transport(TransportErrorKind),
    /// A response that could not be read.
    Response,
    /// A timeout fired, and which one.
    Timeout(TimeoutKind),
    /// The input broke a constraint of the model; nothing was sent.
    Validation,
    /// An interceptor ended the call with an error.
    Interceptor,
}

impl ErrorKind {
    pub(crate) fn of<E>(error: &SdkError<E>) -> ErrorKind {
        match error {
            SdkError::Service(_) => ErrorKind::Service,
            SdkError::Config(_) => ErrorKind::Config,
            SdkError::Transport(t) => ErrorKind::Transport(t.kind()),
            SdkError::Response(_) => ErrorKind::Response,
            SdkError::Timeout(t) => ErrorKind::Timeout(t.kind()),
            SdkError::Validation(_) => ErrorKind::Validation,
            SdkError::Interceptor(_) => ErrorKind::Interceptor,
        }
    }

    /// A short, stable label: `service`, `config`, `transport`, `response`, `timeout`,
    /// `validation` or `interceptor`.
    pub fn label(&self) -> &'static str {
        match self {
            ErrorKind::Service => "service",
            ErrorKind::Config => "config",
            ErrorKind::Transport(_) => "transport",
            ErrorKind::Response => "response",
            ErrorKind::Timeout(_) => "timeout",
            ErrorKind::Validation => "validation",
            ErrorKind::Interceptor => "interceptor",
        }
    }
}

/// How a call or an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded: a 2xx response, read as the operation's output.
    Ok,
    /// It failed, with this kind of error.
    Error(ErrorKind),
}

impl Outcome {
    /// `ok`, or the error's [`ErrorKind::label`].
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error(kind) => kind.label(),
        }
    }

    /// Whether it is [`Outcome::Ok`].
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok)
    }
}

/// One attempt of a call, in [`CallMetrics::attempt_metrics`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptMetrics {
    attempt: u32,
    latency: Duration,
    status: Option<u16>,
    outcome: Outcome,
}

impl AttemptMetrics {
    /// Its number, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// From its start (credentials and signing included) to its end; for an attempt cut off by
    /// the operation timeout, to the end of the call.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// The response's HTTP status, if it got one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// `Ok` for a 2xx response; `Error(Service)` for an error response; the error's kind when
    /// it got none.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }
}

/// A call's summary: what [`Interceptor::after_execution`] and the [`MetricsInterceptor`]'s
/// callback get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallMetrics {
    service: &'static str,
    operation: &'static str,
    latency: Duration,
    attempts: Vec<AttemptMetrics>,
    outcome: Outcome,
    error_code: Option<String>,
}

impl CallMetrics {
    /// The service's SDK id, e.g. `ECR PUBLIC`.
    pub fn service(&self) -> &str {
        self.service
    }

    /// The operation's name, e.g. `DescribeRepositories`.
    pub fn operation(&self) -> &str {
        self.operation
    }

    /// The whole call: every attempt and backoff, and the hooks.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// Attempts started (0 when the call failed before the first: validation, say).
    pub fn attempts(&self) -> u32 {
        self.attempts.len() as u32
    }

    /// Attempts after the first.
    pub fn retries(&self) -> u32 {
        self.attempts().saturating_sub(1)
    }

    /// Each attempt, in order.
    pub fn attempt_metrics(&self) -> &[AttemptMetrics] {
        &self.attempts
    }

    /// `Ok` when the call succeeded, else the kind of error that ended it.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The service's error code, when the service answered the call with an error.
    pub fn error_code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }
}

pub(crate) type SharedInterceptor = Arc<dyn Interceptor>;

/// The names of interceptors, for `Debug` of the configuration and call options.
pub(crate) fn names(list: &[SharedInterceptor]) -> Vec<&'static str> {
    list.iter().map(|i| i.name()).collect()
}

/// One attempt as recorded while the call runs.
#[derive(Debug)]
struct AttemptRecord {
    started: Instant,
    ended: Option<(Duration, Option<u16>, Outcome)>,
}

/// The interceptors of one call and what they are told: made only when there is at least one.
pub(crate) struct Tracker<'a> {
    config: &'a [SharedInterceptor],
    call_only: &'a [SharedInterceptor],
    pub(crate) info: CallInfo,
    attempts: Mutex<Vec<AttemptRecord>>,
    error_code: Mutex<Option<String>>,
}

impl<'a> Tracker<'a> {
    /// `None` when neither list has an interceptor: the call then does no interceptor work.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        config: &'a [SharedInterceptor],
        call_only: &'a [SharedInterceptor],
        service: &'static str,
        operation: &'static str,
        invocation_id: &str,
        max_attempts: u32,
        sensitive: &'static [&'static str],
    ) -> Option<Tracker<'a>> {
        if config.is_empty() && call_only.is_empty() {
            return None;
        }
        Some(Tracker {
            config,
            call_only,
            info: CallInfo {
                service,
                operation,
                invocation_id: invocation_id.to_owned(),
                max_attempts,
                started: Instant::now(),
                attempt: AtomicU32::new(0),
                sensitive,
            },
            attempts: Mutex::new(Vec::new()),
            error_code: Mutex::new(None),
        })
    }

    fn each(&self) -> impl Iterator<Item = &dyn Interceptor> {
        self.config.iter().chain(self.call_only).map(|i| &**i)
    }

    /// Runs a hook that may fail on each interceptor, stopping at the first error.
    fn run(
        &self,
        hook: &'static str,
        mut f: impl FnMut(&dyn Interceptor) -> Result<(), BoxError>,
    ) -> Result<(), InterceptorError> {
        for i in self.each() {
            f(i).map_err(|e| InterceptorError::new(i.name(), hook, e))?;
        }
        Ok(())
    }

    pub(crate) fn before_serialization(&self, input: &dyn Any) -> Result<(), InterceptorError> {
        let ctx = InputContext { call: &self.info, input };
        self.run("before_serialization", |i| i.before_serialization(&ctx))
    }

    /// An attempt starts; its number.
    pub(crate) fn attempt_started(&self, attempt: u32) {
        self.info.attempt.store(attempt, Ordering::Relaxed);
        self.attempts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(AttemptRecord { started: Instant::now(), ended: None });
    }

    pub(crate) fn before_signing(&self, request: &mut HttpRequest) -> Result<(), InterceptorError> {
        let mut ctx = SigningContext { call: &self.info, request };
        self.run("before_signing", |i| i.before_signing(&mut ctx))
    }

    pub(crate) fn before_transmit(&self, request: &HttpRequest) -> Result<(), InterceptorError> {
        let ctx = TransmitContext { call: &self.info, request };
        self.run("before_transmit", |i| i.before_transmit(&ctx))
    }

    /// The attempt under way ended with this response or error.
    pub(crate) fn attempt_ended<E: std::error::Error + 'static>(
        &self,
        result: Result<&HttpResponse, &SdkError<E>>,
        retrying: bool,
    ) {
        let (status, outcome) = match result {
            Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), Outcome::Ok),
            Ok(r) => (Some(r.status().as_u16()), Outcome::Error(ErrorKind::Service)),
            Err(e) => (None, Outcome::Error(ErrorKind::of(e))),
        };
        let latency = {
            let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
            match attempts.last_mut() {
                Some(last) => {
                    let latency = last.started.elapsed();
                    last.ended = Some((latency, status, outcome));
                    latency
                }
                None => Duration::ZERO,
            }
        };
        let ctx = AttemptContext {
            call: &self.info,
            response: result.ok(),
            error: result.err().map(|e| e as &(dyn std::error::Error + 'static)),
            latency,
            retrying,
        };
        self.each().for_each(|i| i.after_attempt(&ctx));
    }

    /// The service answered with this error code.
    pub(crate) fn set_error_code(&self, code: Option<&str>) {
        *self.error_code.lock().unwrap_or_else(|e| e.into_inner()) = code.map(str::to_owned);
    }

    pub(crate) fn after_deserialization<T: 'static, E: std::error::Error + 'static>(
        &self,
        response: &HttpResponse,
        result: &Result<T, SdkError<E>>,
    ) -> Result<(), InterceptorError> {
        let output = match result {
            Ok(out) => Ok(out as &dyn Any),
            Err(e) => Err((e as &dyn Any, e as &(dyn std::error::Error + 'static))),
        };
        let ctx = OutputContext { call: &self.info, response, output };
        self.run("after_deserialization", |i| i.after_deserialization(&ctx))
    }

    /// The call is done: `on_error` for a failure, then `after_execution`.
    pub(crate) fn finish<T, E: std::error::Error + 'static>(&self, result: &Result<T, SdkError<E>>) {
        let outcome = match result {
            Ok(_) => Outcome::Ok,
            Err(e) => {
                let kind = ErrorKind::of(e);
                let ctx = ErrorContext { call: &self.info, error: e, error_any: e, kind };
                self.each().for_each(|i| i.on_error(&ctx));
                Outcome::Error(kind)
            }
        };
        let attempts = {
            let records = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
            records
                .iter()
                .zip(1..)
                .map(|(r, attempt)| {
                    // An attempt the operation timeout cut off never ended on its own.
                    let (latency, status, outcome) = r.ended.unwrap_or_else(|| (r.started.elapsed(), None, outcome));
                    AttemptMetrics { attempt, latency, status, outcome }
                })
                .collect()
        };
        let error_code = match result {
            Err(SdkError::Service(_)) => self.error_code.lock().unwrap_or_else(|e| e.into_inner()).take(),
            _ => None,
        };
        let metrics = CallMetrics {
            service: self.info.service,
            operation: self.info.operation,
            latency: self.info.started.elapsed(),
            attempts,
            outcome,
            error_code,
        };
        let ctx = ExecutionContext { call: &self.info, metrics: &metrics };
        self.each().for_each(|i| i.after_execution(&ctx));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stable() {
        assert_eq!(Outcome::Ok.label(), "ok");
        assert_eq!(Outcome::Error(ErrorKind::Transport(TransportErrorKind::Connect)).label(), "transport");
        assert_eq!(ErrorKind::Timeout(TimeoutKind::Attempt).label(), "timeout");
        let e: SdkError<std::convert::Infallible> =
            SdkError::Interceptor(InterceptorError::new("x", "before_signing", "no".into()));
        assert_eq!(ErrorKind::of(&e), ErrorKind::Interceptor);
        assert_eq!(e.to_string(), "interceptor `x` failed in before_signing: no");
    }

    #[test]
    fn debug_names_interceptors_only() {
        let secret = "s3cr3t-in-a-closure".to_owned();
        let metrics = MetricsInterceptor::new(move |_| {
            let _ = &secret;
        });
        let config = crate::Config::builder().interceptor(metrics).interceptor(LoggingInterceptor::new()).build();
        let shown = format!("{config:?}");
        assert!(shown.contains(r#"interceptors: ["metrics", "logging"]"#), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        let options = crate::CallOptions::new().interceptor(LoggingInterceptor::new());
        assert!(format!("{options:?}").contains(r#"interceptors: ["logging"]"#));
        let cleared = config.to_builder().clear_interceptors().build();
        assert!(format!("{cleared:?}").contains("interceptors: []"));
    }
}
