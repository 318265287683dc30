//! Per-call overrides of the client's configuration, and progress callbacks.

use std::sync::Arc;
use std::time::Duration;

use super::interceptor::{Interceptor, SharedInterceptor};
use super::retry::RetryConfig;
use super::transport::ProgressFn;

/// Settings for one call, overriding the client's: `client.op(..).options(CallOptions::new().attempt_timeout(..))`.
#[derive(Clone, Default)]
pub struct CallOptions {
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) validation: Option<bool>,
    pub(crate) on_sent: Option<ProgressFn>,
    pub(crate) on_received: Option<ProgressFn>,
    /// Run for this call, after the configuration's.
    pub(crate) interceptors: Vec<SharedInterceptor>,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallOptions")
            .field("retry", &self.retry)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("validation", &self.validation)
            .field("on_chunk_sent", &self.on_sent.is_some())
            .field("on_chunk_received", &self.on_received.is_some())
            .field("interceptors", &super::interceptor::names(&self.interceptors))
            .finish()
    }
}

impl CallOptions {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Check the input against the model's constraints before sending.
    pub fn validation(mut self, on: bool) -> Self {
        self.validation = Some(on);
        self
    }

    /// Called with (bytes sent so far, total) as the request body leaves, e.g. for a layer upload.
    pub fn on_chunk_sent(mut self, f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.on_sent = Some(Arc::new(f));
        self
    }

    /// Called with (bytes received so far, expected total) as the response body arrives.
    pub fn on_chunk_received(mut self, f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.on_received = Some(Arc::new(f));
        self
    }

    /// An [`Interceptor`] for this call only, run after the configuration's (and after the
    /// ones added to these options before it).
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }
}
