//! Requests and responses logged through `tracing`, with credentials and secrets redacted the
//! way the wire trace redacts them.

use tracing::Level;

use super::{AttemptContext, BoxError, ErrorContext, ExecutionContext, Interceptor, TransmitContext};
use crate::trace;

/// The target every event of a [`LoggingInterceptor`] is logged on.
pub const LOG_TARGET: &str = "awsjson_runtime::interceptor::logging";

/// Logs each signed request, each response, each failed attempt and each call's outcome through
/// `tracing`, on target [`LOG_TARGET`] at a level of your choosing (default `DEBUG`).
///
/// Redacted, never logged in clear: the signature of `Authorization` (who signed and what is
/// kept), `X-Amz-Security-Token`, `Proxy-Authorization`, the model's `@sensitive` members and
/// members whose names say they hold a secret (`authorizationToken`, `secretAccessKey`, ...).
/// Bodies over 4 KiB are cut short; [`without_bodies`](Self::without_bodies) leaves them out.
///
/// ```
/// use awsjson_runtime::interceptor::LoggingInterceptor;
///
/// let config = awsjson_runtime::Config::builder()
///     .region("us-east-1")
///     .interceptor(LoggingInterceptor::new().level(tracing::Level::INFO))
///     .build();
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct LoggingInterceptor {
    level: Level,
    bodies: bool,
}

impl Default for LoggingInterceptor {
    fn default() -> Self {
        LoggingInterceptor { level: Level::DEBUG, bodies: true }
    }
}

impl LoggingInterceptor {
    /// Logs at `DEBUG`, bodies included (redacted).
    pub fn new() -> Self {
        Self::default()
    }

    /// The level requests, responses and outcomes are logged at (failures too, unless this is
    /// lower than `WARN`: they are then logged at `WARN`).
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Log headers and status only, no bodies.
    pub fn without_bodies(mut self) -> Self {
        self.bodies = false;
        self
    }

    fn body(&self, body: &[u8], sensitive: &[&str]) -> String {
        if self.bodies {
            trace::redact_body(body, sensitive)
        } else {
            format!("<{} bytes>", body.len())
        }
    }
}

/// `tracing`'s macros take a constant level: one arm each.
macro_rules! log_at {
    ($level:expr, $($rest:tt)+) => {
        match $level {
            Level::TRACE => tracing::event!(target: LOG_TARGET, Level::TRACE, $($rest)+),
            Level::DEBUG => tracing::event!(target: LOG_TARGET, Level::DEBUG, $($rest)+),
            Level::INFO => tracing::event!(target: LOG_TARGET, Level::INFO, $($rest)+),
            Level::WARN => tracing::event!(target: LOG_TARGET, Level::WARN, $($rest)+),
            _ => tracing::event!(target: LOG_TARGET, Level::ERROR, $($rest)+),
        }
    };
}

/// Whether anything at `level` on the target would be recorded.
fn enabled(level: Level) -> bool {
    match level {
        Level::TRACE => tracing::enabled!(target: LOG_TARGET, Level::TRACE),
        Level::DEBUG => tracing::enabled!(target: LOG_TARGET, Level::DEBUG),
        Level::INFO => tracing::enabled!(target: LOG_TARGET, Level::INFO),
        Level::WARN => tracing::enabled!(target: LOG_TARGET, Level::WARN),
        _ => tracing::enabled!(target: LOG_TARGET, Level::ERROR),
    }
}

impl Interceptor for LoggingInterceptor {
    fn name(&self) -> &'static str {
        "logging"
    }

    fn before_transmit(&self, ctx: &TransmitContext<'_>) -> Result<(), BoxError> {
        if !enabled(self.level) {
            return Ok(());
        }
        let r = ctx.request();
        log_at!(
            self.level,
            service = ctx.service(),
            operation = ctx.operation(),
            invocation_id = ctx.invocation_id(),
            attempt = ctx.attempt(),
            method = %r.method(),
            uri = %r.uri(),
            headers = %trace::headers(r.headers()),
            body = %self.body(r.body(), ctx.call.sensitive),
            "sending request"
        );
        Ok(())
    }

    fn after_attempt(&self, ctx: &AttemptContext<'_>) {
        let failed = self.level.min(Level::WARN);
        match (ctx.response(), ctx.error()) {
            (Some(r), _) if enabled(self.level) => log_at!(
                self.level,
                service = ctx.service(),
                operation = ctx.operation(),
                invocation_id = ctx.invocation_id(),
                attempt = ctx.attempt(),
                status = r.status().as_u16(),
                latency_ms = ctx.latency().as_millis() as u64,
                retrying = ctx.retrying(),
                headers = %trace::headers(r.headers()),
                body = %self.body(r.body(), ctx.call.sensitive),
                "received response"
            ),
            (None, Some(e)) if enabled(failed) => log_at!(
                failed,
                service = ctx.service(),
                operation = ctx.operation(),
                invocation_id = ctx.invocation_id(),
                attempt = ctx.attempt(),
                latency_ms = ctx.latency().as_millis() as u64,
                retrying = ctx.retrying(),
                error = %e,
                "attempt failed"
            ),
            _ => {}
        }
    }

    fn on_error(&self, ctx: &ErrorContext<'_>) {
        let failed = self.level.min(Level::WARN);
        if enabled(failed) {
            log_at!(
                failed,
                service = ctx.service(),
                operation = ctx.operation(),
                invocation_id = ctx.invocation_id(),
                kind = ctx.kind().label(),
                error = %ctx.error(),
                "call failed"
            );
        }
    }

    fn after_execution(&self, ctx: &ExecutionContext<'_>) {
        if enabled(self.level) {
            let m = ctx.metrics();
            log_at!(
                self.level,
                service = m.service(),
                operation = m.operation(),
                invocation_id = ctx.invocation_id(),
                attempts = m.attempts(),
                latency_ms = m.latency().as_millis() as u64,
                outcome = m.outcome().label(),
                "call finished"
            );
        }
    }
}
