//! Per-call overrides of the client's configuration, and progress callbacks.

use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;

use super::interceptor::{Interceptor, SharedInterceptor};
use super::retry::RetryConfig;
use super::transport::{HttpRequest, ProgressFn};

/// Changes one outgoing request, before it is signed.
pub(crate) type RequestMutation = Arc<dyn Fn(&mut HttpRequest) + Send + Sync>;

/// Settings for one call, overriding the client's:
/// `client.op(..).customize(|c| c.operation_timeout(..).header("x-trace", "1"))`, or
/// `.options(CallOptions::new()...)` to pass options built elsewhere.
#[derive(Clone, Default)]
pub struct CallOptions {
    pub(crate) region: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) credentials: Option<SharedCredentialsProvider>,
    /// Added to the request and signed; a name or value that is not valid HTTP fails the call.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) mutations: Vec<RequestMutation>,
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
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url.as_deref().map(super::transport::redact))
            .field("credentials", &self.credentials.as_ref().map(|_| "set"))
            // Header values may be secrets: names only.
            .field("headers", &self.headers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("request_mutations", &self.mutations.len())
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
    /// No overrides: the client's configuration as it is.
    pub fn new() -> Self {
        Self::default()
    }

    /// Send this call to another region: its endpoint, and signed for it.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Send this call to a fixed endpoint instead of the one the rules give.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Sign this call with these credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(SharedCredentialsProvider::new(credentials));
        self
    }

    /// Sign this call with credentials from this provider (not cached: pass a
    /// [`CachedCredentials`](crate::credentials::CachedCredentials) to share loads between calls).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(SharedCredentialsProvider::new(provider));
        self
    }

    /// Adds a header to the request, signed with the rest. A header of the same name that the
    /// client sets is replaced.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Changes the request before it is signed (after the headers above, before interceptors'
    /// `before_signing`), on every attempt.
    pub fn mutate_request(mut self, f: impl Fn(&mut HttpRequest) + Send + Sync + 'static) -> Self {
        self.mutations.push(Arc::new(f));
        self
    }

    /// Retry settings for this call: attempts, backoff, mode.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The longest one attempt may take, from signing to the whole response.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The longest the whole call may take, retries and backoff included.
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
