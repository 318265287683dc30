//! A per-call summary handed to a callback, for any metrics library.

use std::fmt;
use std::sync::Arc;

use super::{CallMetrics, ExecutionContext, Interceptor};

/// Calls a function with each call's [`CallMetrics`] once the call is done, whatever its
/// outcome: the operation, the attempts and retries, the total latency and each attempt's, and
/// the outcome (`ok`, or the kind of error and the service's error code). Wire it to the
/// `metrics` crate, OpenTelemetry or your own counters; this runtime depends on none of them.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
///
/// use awsjson_runtime::interceptor::{CallMetrics, MetricsInterceptor};
///
/// let failures = Arc::new(AtomicU64::new(0));
/// let counted = failures.clone();
/// let metrics = MetricsInterceptor::new(move |m: &CallMetrics| {
///     // With the `metrics` crate, for example:
///     // metrics::histogram!("aws_call_seconds", "operation" => m.operation().to_owned(),
///     //     "outcome" => m.outcome().label()).record(m.latency().as_secs_f64());
///     // metrics::counter!("aws_call_retries", "operation" => m.operation().to_owned())
///     //     .increment(m.retries().into());
///     if !m.outcome().is_ok() {
///         counted.fetch_add(1, Ordering::Relaxed);
///     }
///     for a in m.attempt_metrics() {
///         let _ = (a.attempt(), a.latency(), a.status(), a.outcome().label());
///     }
/// });
/// let config = awsjson_runtime::Config::builder().region("us-east-1").interceptor(metrics).build();
/// # let _ = config;
/// ```
///
/// The callback runs on the task making the call, before the call returns: keep it quick.
#[derive(Clone)]
pub struct MetricsInterceptor {
    report: Arc<dyn Fn(&CallMetrics) + Send + Sync>,
}

impl MetricsInterceptor {
    /// An interceptor that calls `report` with each call's metrics once the call has ended.
    pub fn new(report: impl Fn(&CallMetrics) + Send + Sync + 'static) -> Self {
        MetricsInterceptor { report: Arc::new(report) }
    }
}

impl fmt::Debug for MetricsInterceptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsInterceptor")
    }
}

impl Interceptor for MetricsInterceptor {
    fn name(&self) -> &'static str {
        "metrics"
    }

    fn after_execution(&self, ctx: &ExecutionContext<'_>) {
        (self.report)(ctx.metrics());
    }
}
