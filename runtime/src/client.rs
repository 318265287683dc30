//! The engine behind every generated operation: validate, build the awsJson request, sign,
//! send with retries and timeouts, and read the output or the error.

use std::convert::Infallible;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use bytes::Bytes;
use tracing::Instrument;

use super::auth::{AuthScheme, Signer};
use super::config::{AccountIdEndpointMode, Config};
use super::credentials::EnvironmentCredentials;
use super::endpoint::{Params, RuleSet, Value};
use super::error::{
    ConfigError, ResponseError, SdkError, TimeoutError, TimeoutKind, TransportError, TransportErrorKind,
    ValidationError,
};
use super::interceptor::Tracker;
use super::operation::{error_fields, ErrorFields, Operation, OperationError, Output, RawError, ResponseMeta};
use super::options::CallOptions;
use super::retry::{
    classify_response, requested_delay, unit_random, RateLimiter, RetryConfig, RetryMode, Retryable, TokenBucket,
};
use super::transport::{HttpRequest, HttpResponse, Progress, Transport};
use super::{ids, json, trace, validate};

/// What the runtime needs to know of a service; generated from its model.
#[derive(Debug)]
pub struct ServiceInfo {
    /// The service shape's name: `X-Amz-Target` is `<target_prefix>.<Operation>`.
    pub target_prefix: &'static str,
    /// `1.0` or `1.1`, for `Content-Type: application/x-amz-json-<version>`.
    pub json_version: &'static str,
    /// The SigV4 signing name, unless the endpoint's `authSchemes` name another.
    pub signing_name: &'static str,
    /// The service's SDK id (`sdkId`, e.g. `ECR PUBLIC`), for the user agent, metrics and logs.
    pub sdk_id: &'static str,
    /// `AWS_ENDPOINT_URL_<env_suffix>` overrides the endpoint.
    pub env_suffix: &'static str,
    /// The model's API version (e.g. `2020-10-30`), which the user agent names.
    pub api_version: &'static str,
    /// The endpoint rule set, as JSON.
    pub endpoint_rules: &'static str,
    /// Error codes the model marks `@retryable`, and whether each is throttling.
    pub retryable_errors: &'static [(&'static str, bool)],
    /// Member names whose values are `@sensitive`: the wire trace redacts them.
    pub sensitive_members: &'static [&'static str],
    /// `@awsQueryCompatible`: the service answers errors with their awsQuery code too.
    pub query_compatible: bool,
    /// The generated crate's package name and version (`env!("CARGO_PKG_NAME")` there), which
    /// the user agent names.
    pub crate_name: &'static str,
    /// The generated crate's version (`env!("CARGO_PKG_VERSION")` there).
    pub crate_version: &'static str,
}

/// A shared, cheaply cloned client core.
#[derive(Clone)]
pub struct Handle {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    service: &'static ServiceInfo,
    /// Resolved once: these rules depend on configuration only, not on the input.
    endpoints: Endpoints,
    content_type: String,
    user_agent: String,
    transport: Result<Arc<dyn Transport>, Arc<TransportError>>,
    credentials: SharedCredentialsProvider,
    retry_quota: TokenBucket,
    rate_limiter: RateLimiter,
    /// Server time minus local time, in ms, from the last response's `Date`.
    clock_skew_ms: AtomicI64,
    started: Instant,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service.sdk_id)
            .field("api_version", &self.inner.service.api_version)
            .field("region", &self.inner.config.region)
            .field("endpoint", &self.inner.endpoints.fixed.as_ref().map(|e| e.uri.to_string()).ok())
            .finish()
    }
}

/// The outcome of sending: the final response (success or an error not worth retrying), and
/// its error fields when it is an error.
struct Reply {
    response: HttpResponse,
    error: Option<ErrorFields>,
}

impl Handle {
    /// The client core for `service` with `config`; generated `Client::new` calls it. It does
    /// no I/O and cannot fail: a configuration problem (no region, a bad CA bundle) is reported
    /// by each call.
    pub fn new(config: Config, service: &'static ServiceInfo) -> Self {
        let endpoints = Endpoints::new(&config, service);
        let transport = config.transport();
        let credentials =
            config.credentials.clone().unwrap_or_else(|| SharedCredentialsProvider::new(EnvironmentCredentials));
        let content_type = format!("application/x-amz-json-{}", service.json_version);
        let user_agent = user_agent(service, config.app_id.as_deref());
        Handle {
            inner: Arc::new(Inner {
                config,
                service,
                endpoints,
                content_type,
                user_agent,
                transport,
                credentials,
                retry_quota: TokenBucket::new(super::retry::INITIAL_TOKENS),
                rate_limiter: RateLimiter::new(0.0),
                clock_skew_ms: AtomicI64::new(0),
                started: Instant::now(),
            }),
        }
    }

    /// The configuration the client was made with, for generated `Client::config`.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends one operation and reads its output or error.
    pub async fn call<O: Operation>(
        &self,
        input: &O::Input,
        options: &CallOptions,
    ) -> Result<O::Output, SdkError<O::Error>> {
        let invocation_id = ids::uuid_v4();
        let inner = &*self.inner;
        // Nothing is allocated for interceptors unless there is one.
        let tracker = Tracker::new(
            &inner.config.interceptors,
            &options.interceptors,
            inner.service.sdk_id,
            O::NAME,
            &invocation_id,
            options.retry.unwrap_or(inner.config.retry).max_attempts.max(1),
            inner.service.sensitive_members,
        );
        let Some(tracker) = tracker else {
            return self.execute::<O>(input, options, &invocation_id, None).await;
        };
        let result = self.execute::<O>(input, options, &invocation_id, Some(&tracker)).await;
        tracker.finish(&result);
        result
    }

    /// The call, its interceptors' hooks (with `tracker`) included.
    async fn execute<O: Operation>(
        &self,
        input: &O::Input,
        options: &CallOptions,
        invocation_id: &str,
        tracker: Option<&Tracker<'_>>,
    ) -> Result<O::Output, SdkError<O::Error>> {
        if let Some(t) = tracker {
            t.before_serialization(input).map_err(SdkError::Interceptor)?;
        }
        if options.validation.unwrap_or(self.inner.config.validation) {
            let mut v = validate::Validator::new();
            O::validate(input, &mut v);
            let problems = v.into_problems();
            if !problems.is_empty() {
                return Err(SdkError::Validation(ValidationError { operation: O::NAME, problems }));
            }
        }
        let host_prefix = O::host_prefix(input)
            .map_err(|problem| SdkError::Validation(ValidationError { operation: O::NAME, problems: vec![problem] }))?;
        let endpoints = &self.inner.endpoints;
        let overridden = options.region.is_some() || options.endpoint_url.is_some();
        let endpoint = if O::ENDPOINT_PARAMS || endpoints.account_id.is_some() || overridden {
            let mut params = endpoints.base.clone();
            endpoints.override_for(options, &mut params).map_err(SdkError::Config)?;
            O::endpoint_params(input, &mut params);
            if let Some(name) = &endpoints.account_id {
                if let Some(account) = self.credentials(options).await?.account_id() {
                    params.set(name, account.as_str());
                }
            }
            let has_region = options.region.is_some() || self.inner.config.region.is_some();
            let resolved = endpoints.resolve(&params, has_region, options.endpoint_url.as_deref());
            Some(resolved.map_err(SdkError::Config)?)
        } else {
            None
        };
        let (body, sha256) = json::to_hashed(input).ok_or_else(|| {
            let problem =
                format!("the input nests deeper than {} levels, more than a request may hold", json::MAX_DEPTH);
            SdkError::Validation(ValidationError { operation: O::NAME, problems: vec![problem] })
        })?;
        let config = &self.inner.config;
        let compress = O::REQUEST_COMPRESSION
            && cfg!(feature = "gzip")
            && !config.disable_request_compression
            && body.len() >= config.request_min_compression_size as usize;
        #[cfg(feature = "gzip")]
        let (body, sha256) = if compress {
            let gz = super::gzip::compress(&body);
            let sha256 = super::digest::sha256_hex(&gz);
            (Bytes::from(gz), sha256)
        } else {
            (body, sha256)
        };
        let content_md5 = match O::CHECKSUM_REQUIRED {
            false => None,
            #[cfg(feature = "content-md5")]
            true => Some(super::digest::content_md5(&body)),
            #[cfg(not(feature = "content-md5"))]
            true => {
                let why = format!("{} needs a Content-MD5: build the runtime with its `content-md5` feature", O::NAME);
                return Err(SdkError::Config(ConfigError::new(why)));
            }
        };
        let payload = Payload { body, sha256, gzip: compress, content_md5 };
        let reply = self
            .invoke(O::NAME, endpoint, host_prefix.as_deref(), payload, options, invocation_id, tracker)
            .await
            .map_err(SdkError::widen)?;
        let result = self.read_reply::<O>(&reply);
        let Some(t) = tracker else { return result };
        if reply.error.is_some() {
            t.set_error_code(reply.error.as_ref().and_then(|f| f.code.as_deref()));
        }
        t.after_deserialization(&reply.response, &result).map_err(SdkError::Interceptor)?;
        result
    }

    /// The operation's output, or its error, from the last response.
    fn read_reply<O: Operation>(&self, reply: &Reply) -> Result<O::Output, SdkError<O::Error>> {
        let status = reply.response.status().as_u16();
        let request_id = request_id(&reply.response);
        let Some(fields) = &reply.error else {
            let mut output = json::from_slice::<O::Output>(reply.response.body()).map_err(|e| {
                SdkError::Response(
                    ResponseError::new(
                        status,
                        request_id.clone(),
                        reply.response.body().clone(),
                        format!("the {} output is not valid: {e}", O::NAME),
                    )
                    .hiding_body(O::SENSITIVE_OUTPUT),
                )
            })?;
            output.set_request_id(request_id);
            return Ok(output);
        };
        let Some(code) = &fields.code else {
            return Err(SdkError::Response(
                ResponseError::new(
                    status,
                    request_id,
                    reply.response.body().clone(),
                    "an error response without an error code",
                )
                .hiding_body(O::SENSITIVE_OUTPUT),
            ));
        };
        let query_code = self.inner.service.query_compatible.then(|| query_error_code(&reply.response)).flatten();
        let raw = RawError {
            code,
            query_code,
            message: fields.message.as_deref(),
            meta: ResponseMeta {
                request_id: request_id.as_deref(),
                extended_request_id: reply.response.headers().get("x-amz-id-2").and_then(|v| v.to_str().ok()),
            },
            status,
            body: reply.response.body(),
        };
        Err(SdkError::Service(O::Error::from_wire(&raw)))
    }

    /// Every attempt of one operation, within the operation timeout. Not generic, so it is
    /// compiled once for all operations.
    #[allow(clippy::too_many_arguments)]
    async fn invoke(
        &self,
        operation: &'static str,
        endpoint: Option<Arc<Resolved>>,
        host_prefix: Option<&str>,
        payload: Payload,
        options: &CallOptions,
        invocation_id: &str,
        tracker: Option<&Tracker<'_>>,
    ) -> Result<Reply, SdkError<Infallible>> {
        let inner = &*self.inner;
        let mut endpoint = match endpoint {
            Some(endpoint) => endpoint,
            None => inner.endpoints.fixed.clone().map_err(SdkError::Config)?,
        };
        if let Some(prefix) = host_prefix {
            let uri = prefixed(&endpoint.uri, prefix).map_err(SdkError::Config)?;
            endpoint = Arc::new(Resolved { uri, ..Resolved::clone(&endpoint) });
        }
        let transport = inner.transport.as_ref().map_err(|e| {
            SdkError::Transport(TransportError::new(e.kind(), format!("cannot set up the HTTP client: {e}")))
        })?;
        let retry = options.retry.unwrap_or(inner.config.retry);
        let span = tracing::debug_span!(
            "operation",
            service = inner.service.sdk_id,
            operation,
            invocation_id = %invocation_id,
        );
        let attempts =
            self.attempts(operation, &endpoint, transport.as_ref(), &payload, options, retry, invocation_id, tracker);
        let limit = options.operation_timeout.or(inner.config.operation_timeout);
        match limit {
            None => attempts.instrument(span).await,
            Some(limit) => tokio::time::timeout(limit, attempts.instrument(span)).await.unwrap_or_else(|_| {
                Err(SdkError::Timeout(TimeoutError::new(TimeoutKind::Operation, format!("not done within {limit:?}"))))
            }),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempts(
        &self,
        operation: &'static str,
        endpoint: &Resolved,
        transport: &dyn Transport,
        payload: &Payload,
        options: &CallOptions,
        retry: RetryConfig,
        invocation_id: &str,
        tracker: Option<&Tracker<'_>>,
    ) -> Result<Reply, SdkError<Infallible>> {
        let inner = &*self.inner;
        let max = retry.max_attempts.max(1);
        let attempt_limit = options.attempt_timeout.or(inner.config.attempt_timeout);
        let mut retry_cost = None;
        let mut skew_retried = false;
        let mut attempt = 1;
        loop {
            if retry.mode == RetryMode::Adaptive {
                let wait = inner.rate_limiter.acquire(self.now_secs());
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
            }
            let started = Instant::now();
            if let Some(t) = tracker {
                t.attempt_started(attempt);
            }
            // The clock correction this attempt is signed with.
            let skew_signed = inner.clock_skew_ms.load(Ordering::Relaxed);
            let span = tracing::debug_span!(
                "attempt",
                attempt,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty
            );
            let one =
                self.attempt(operation, endpoint, transport, payload, options, invocation_id, attempt, max, tracker);
            let outcome = match attempt_limit {
                None => one.instrument(span.clone()).await,
                Some(limit) => tokio::time::timeout(limit, one.instrument(span.clone())).await.unwrap_or_else(|_| {
                    Err(SdkError::Timeout(TimeoutError::new(
                        TimeoutKind::Attempt,
                        format!("no response within {limit:?}"),
                    )))
                }),
            };
            let (retryable, result) = match outcome {
                Ok(response) => {
                    let skew_now = self.record_clock(&response);
                    let status = response.status().as_u16();
                    let rid = request_id(&response);
                    span.record("status", status);
                    if let Some(id) = &rid {
                        span.record("request_id", id.as_str());
                    }
                    let error = (!response.status().is_success()).then(|| {
                        let header = response.headers().get("x-amzn-errortype").and_then(|v| v.to_str().ok());
                        error_fields(header, response.body())
                    });
                    let code = error.as_ref().and_then(|e| e.code.as_deref());
                    let mut kind =
                        error.as_ref().and_then(|_| classify_response(status, code, inner.service.retryable_errors));
                    // A clock-skew rejection is retried once, when the response's `Date` corrects
                    // the clock this attempt was signed with (else a retry would fail the same way).
                    if kind.is_none() && !skew_retried && skew_now != skew_signed && code.is_some_and(is_skew_error) {
                        skew_retried = true;
                        kind = Some(Retryable::Transient);
                    }
                    tracing::debug!(
                        parent: &span,
                        status,
                        request_id = rid.as_deref().unwrap_or(""),
                        duration_ms = started.elapsed().as_millis() as u64,
                        code = code.unwrap_or(""),
                        "attempt finished"
                    );
                    if retry.mode == RetryMode::Adaptive {
                        inner.rate_limiter.update(kind == Some(Retryable::Throttling), self.now_secs());
                    }
                    (kind, Ok(Reply { response, error }))
                }
                Err(e) => {
                    tracing::debug!(parent: &span, error = %e, duration_ms = started.elapsed().as_millis() as u64, "attempt failed");
                    let kind = match &e {
                        SdkError::Timeout(_) => Some(Retryable::TimeoutOrConnection),
                        SdkError::Transport(t) => match t.kind() {
                            // A larger body next time would be just as large.
                            TransportErrorKind::Request
                            | TransportErrorKind::Tls
                            | TransportErrorKind::ResponseTooLarge => None,
                            _ => Some(Retryable::TimeoutOrConnection),
                        },
                        _ => None,
                    };
                    (kind, Err(e))
                }
            };
            let ended = |result: &Result<Reply, SdkError<Infallible>>, retrying: bool| {
                if let Some(t) = tracker {
                    t.attempt_ended(result.as_ref().map(|r| &r.response), retrying);
                }
            };
            let Some(kind) = retryable else {
                // Success, or a failure not worth retrying: refund the quota on success.
                if result.as_ref().is_ok_and(|r| r.error.is_none()) {
                    inner.retry_quota.release(retry_cost.unwrap_or(1));
                }
                ended(&result, false);
                return result;
            };
            if attempt >= max {
                ended(&result, false);
                return result;
            }
            let (paid, retry_quota) = inner.retry_quota.acquire(kind);
            let Ok(cost) = paid else {
                tracing::debug!(retry_quota, "retry quota exhausted; not retrying");
                ended(&result, false);
                return result;
            };
            ended(&result, true);
            retry_cost = Some(cost);
            let requested = result.as_ref().ok().and_then(|r| requested_delay(r.response.headers(), SystemTime::now()));
            let backoff = if skew_retried && kind == Retryable::Transient && attempt == 1 {
                Duration::ZERO
            } else {
                retry.backoff_honouring(attempt, unit_random(), requested)
            };
            tracing::debug!(attempt, backoff_ms = backoff.as_millis() as u64, ?kind, retry_quota, "retrying");
            tokio::time::sleep(backoff).await;
            attempt += 1;
        }
    }

    /// The credentials to sign with (from the cache, mostly).
    async fn credentials<E>(&self, options: &CallOptions) -> Result<aws_credential_types::Credentials, SdkError<E>> {
        options
            .credentials
            .as_ref()
            .unwrap_or(&self.inner.credentials)
            .provide_credentials()
            .await
            .map_err(|e| SdkError::Config(ConfigError::new(format!("no credentials: {}", super::error::chain(&e)))))
    }

    /// One attempt: credentials, a freshly signed request, the transport.
    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        operation: &str,
        endpoint: &Resolved,
        transport: &dyn Transport,
        payload: &Payload,
        options: &CallOptions,
        invocation_id: &str,
        attempt: u32,
        max: u32,
        tracker: Option<&Tracker<'_>>,
    ) -> Result<HttpResponse, SdkError<Infallible>> {
        let inner = &*self.inner;
        let credentials = self.credentials(options).await?;
        let target = format!("{}.{}", inner.service.target_prefix, operation);
        let uri = &endpoint.uri;
        let mut request: HttpRequest = http::Request::builder()
            .method(http::Method::POST)
            .uri(uri.clone())
            .header(http::header::HOST, uri.authority().map_or("", |a| a.as_str()))
            .header(http::header::CONTENT_TYPE, &inner.content_type)
            .header("x-amz-target", target)
            .header(http::header::CONTENT_LENGTH, payload.body.len())
            .header(http::header::USER_AGENT, &inner.user_agent)
            .header("amz-sdk-invocation-id", invocation_id)
            .header("amz-sdk-request", format!("attempt={attempt}; max={max}"))
            .body(payload.body.clone())
            .map_err(|e| SdkError::Transport(TransportError::new(TransportErrorKind::Request, e.to_string())))?;
        if payload.gzip {
            request.headers_mut().insert(http::header::CONTENT_ENCODING, http::HeaderValue::from_static("gzip"));
        }
        if let Some(md5) = &payload.content_md5 {
            let value = http::HeaderValue::try_from(md5.as_str())
                .map_err(|e| SdkError::Transport(TransportError::new(TransportErrorKind::Request, e.to_string())))?;
            request.headers_mut().insert("content-md5", value);
        }
        if inner.service.query_compatible {
            request.headers_mut().insert("x-amzn-query-mode", http::HeaderValue::from_static("true"));
        }
        // Headers the endpoint rules ask for are sent, and signed, like the others.
        for (name, value) in &endpoint.headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        for (name, value) in &options.headers {
            let header = http::HeaderName::try_from(name.as_str()).map_err(|e| {
                SdkError::Config(ConfigError::new(format!(
                    "the header name `{name}` set for this call is invalid: {e}"
                )))
            })?;
            // The value is not echoed: it may be a secret.
            let value = http::HeaderValue::try_from(value.as_str()).map_err(|_| {
                SdkError::Config(ConfigError::new(format!(
                    "the value of the header `{name}` set for this call is invalid"
                )))
            })?;
            request.headers_mut().insert(header, value);
        }
        for mutate in &options.mutations {
            mutate(&mut request);
        }
        if let Some(t) = tracker {
            t.before_signing(&mut request).map_err(SdkError::Interceptor)?;
        }
        let region = options.region.as_deref().or(inner.config.region.as_deref());
        let signer = Signer::new(endpoint.auth.as_ref(), inner.service.signing_name, region);
        signer.sign(&mut request, &payload.sha256, &credentials, self.signing_time()).map_err(SdkError::Config)?;
        if options.on_sent.is_some() || options.on_received.is_some() {
            request
                .extensions_mut()
                .insert(Progress { on_sent: options.on_sent.clone(), on_received: options.on_received.clone() });
        }
        if let Some(t) = tracker {
            t.before_transmit(&request).map_err(SdkError::Interceptor)?;
        }
        trace::request(&request, inner.service.sensitive_members);
        let response = transport.send(request).await.map_err(|e| match e.kind() {
            TransportErrorKind::ConnectTimeout => {
                SdkError::Timeout(TimeoutError::new(TimeoutKind::Connect, e.to_string()))
            }
            TransportErrorKind::ReadTimeout => SdkError::Timeout(TimeoutError::new(TimeoutKind::Read, e.to_string())),
            _ => SdkError::Transport(e),
        })?;
        trace::response(&response, inner.service.sensitive_members);
        Ok(response)
    }

    fn now_secs(&self) -> f64 {
        self.inner.started.elapsed().as_secs_f64()
    }

    /// Local time corrected by the skew the service's `Date` headers showed.
    fn signing_time(&self) -> SystemTime {
        let skew = self.inner.clock_skew_ms.load(Ordering::Relaxed);
        let now = SystemTime::now();
        let shift = Duration::from_millis(skew.unsigned_abs());
        let corrected = if skew >= 0 { now.checked_add(shift) } else { now.checked_sub(shift) };
        corrected.unwrap_or(now)
    }

    /// Records the skew the response's `Date` shows; returns the skew now in effect.
    fn record_clock(&self, response: &HttpResponse) -> i64 {
        let current = || self.inner.clock_skew_ms.load(Ordering::Relaxed);
        let Some(date) = response.headers().get(http::header::DATE).and_then(|v| v.to_str().ok()) else {
            return current();
        };
        let Some(server) = super::types::DateTime::from_http_date(date) else { return current() };
        let local = super::types::DateTime::from(SystemTime::now());
        let Some(skew_ms) = server.secs().checked_sub(local.secs()).and_then(|s| s.checked_mul(1000)) else {
            return current();
        };
        if skew_ms.unsigned_abs() > MAX_CLOCK_SKEW.as_millis() as u64 {
            // A clock that far off is a broken or hostile server, not ours: signing for its time
            // would only fail, and a far-future date would push signing past the year 9999.
            tracing::warn!(date, "ignoring the response's Date header: more than 24 hours from the local clock");
            return current();
        }
        // `Date` has one-second resolution: only a real skew is worth correcting.
        let skew_ms = if skew_ms.abs() < 2_000 { 0 } else { skew_ms };
        self.inner.clock_skew_ms.store(skew_ms, Ordering::Relaxed);
        skew_ms
    }
}

/// `<crate>/<version> api/<sdk-id>#<api-version> os/<os> lang/rust md/awsjson-runtime#<version>
/// [app/<id>]`: the client crate in use, the service, and this runtime's own version.
fn user_agent(service: &ServiceInfo, app_id: Option<&str>) -> String {
    let mut ua = format!(
        "{}/{} api/{}#{} os/{} lang/rust md/{}#{}",
        service.crate_name,
        service.crate_version,
        service.sdk_id.replace(' ', "-").to_ascii_lowercase(),
        service.api_version,
        std::env::consts::OS,
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
    );
    if let Some(app) = app_id {
        ua.push_str(" app/");
        ua.push_str(app);
    }
    ua
}

/// The largest clock correction a response's `Date` may apply. Larger differences are ignored.
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(24 * 3600);

fn is_skew_error(code: &str) -> bool {
    matches!(
        code,
        "RequestTimeTooSkewed"
            | "RequestExpired"
            | "RequestInTheFuture"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "AuthFailure"
    )
}

/// The awsQuery error code of `x-amzn-query-error: Code;Fault`.
fn query_error_code(response: &HttpResponse) -> Option<&str> {
    let value = response.headers().get("x-amzn-query-error")?.to_str().ok()?;
    let (code, _fault) = value.split_once(';')?;
    Some(code.trim()).filter(|c| !c.is_empty())
}

fn request_id(response: &HttpResponse) -> Option<String> {
    let h = response.headers();
    h.get("x-amzn-requestid").or_else(|| h.get("x-amz-request-id")).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Endpoint resolution for one client: the rule set, parsed once, and the parameters the
/// configuration gives. Operations whose rules read the input resolve per call.
struct Endpoints {
    /// The rule set (`None` for a service without one), or why the configuration cannot be used:
    /// a problem loading it, or invalid rules. Per-call resolution reports it too.
    rules: Result<Option<RuleSet>, ConfigError>,
    base: Params,
    url: Option<String>,
    /// The name of the rules' `AWS::Auth::AccountId` parameter, when calls fill it in from
    /// their credentials.
    account_id: Option<String>,
    /// The names of the rules' `AWS::Region` and `SDK::Endpoint`, for per-call overrides.
    region_param: Option<String>,
    endpoint_param: Option<String>,
    /// The endpoint for operations that add no parameters of their own.
    fixed: Result<Arc<Resolved>, ConfigError>,
}

/// A resolved endpoint as requests use it: where they go, the headers its rules add, and how
/// they are signed (`auth`: the scheme the rules chose; `None`, the service's defaults).
#[derive(Clone, Debug)]
struct Resolved {
    uri: http::Uri,
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    auth: Option<AuthScheme>,
}

impl Resolved {
    fn at(uri: http::Uri) -> Arc<Resolved> {
        Arc::new(Resolved { uri, headers: Vec::new(), auth: None })
    }
}

impl Endpoints {
    fn new(config: &Config, service: &ServiceInfo) -> Endpoints {
        let url = config.endpoint_url.clone().or_else(|| config.loaded.as_ref()?.endpoint_url(service.env_suffix));
        let rules = match (&config.load_error, service.endpoint_rules) {
            (Some(e), _) => Err(e.clone()),
            (None, "") => Ok(None),
            (None, text) => RuleSet::from_json(text)
                .map(Some)
                .map_err(|e| ConfigError::new(format!("the service's endpoint rules are invalid: {e}"))),
        };
        // Built-ins go under the names the rules give them.
        let declared = |built_in: &str| -> Option<String> {
            let rules = rules.as_ref().ok()?.as_ref()?;
            let p = rules.parameters().iter().find(|p| p.built_in.as_deref() == Some(built_in))?;
            Some(p.name.clone())
        };
        let mut base = Params::new();
        let mut set = |built_in: &str, value: Value| {
            if let Some(name) = declared(built_in) {
                base.set(&name, value);
            }
        };
        if let Some(r) = &config.region {
            set("AWS::Region", r.as_str().into());
        }
        set("AWS::UseFIPS", config.use_fips.into());
        set("AWS::UseDualStack", config.use_dual_stack.into());
        if let Some(url) = &url {
            set("SDK::Endpoint", url.as_str().into());
        }
        set("AWS::Auth::AccountIdEndpointMode", config.account_id_endpoint_mode.as_str().into());
        // The account comes with the credentials, so these rules resolve per call (unless the
        // parameter is set explicitly).
        let account_id = match config.account_id_endpoint_mode {
            AccountIdEndpointMode::Disabled => None,
            _ => declared("AWS::Auth::AccountId").filter(|name| config.endpoint_params.iter().all(|(n, _)| n != name)),
        };
        let (region_param, endpoint_param) = (declared("AWS::Region"), declared("SDK::Endpoint"));
        for (name, value) in &config.endpoint_params {
            base.set(name, value.clone());
        }
        // A region goes into host names: one that is not a host label is refused before any URL.
        let rules = match config.region.as_deref().map(super::region::check) {
            Some(Err(e)) => Err(ConfigError::new(e)),
            _ => rules,
        };
        let rules = match url.as_deref().map(no_user_info) {
            Some(Err(e)) => Err(e),
            _ => rules,
        };
        let mut endpoints = Endpoints {
            rules,
            base,
            url,
            account_id,
            region_param,
            endpoint_param,
            fixed: Ok(Resolved::at(http::Uri::default())),
        };
        endpoints.fixed = endpoints.resolve(&endpoints.base, config.region.is_some(), None);
        endpoints
    }

    /// The endpoint for these parameters.
    /// Puts a call's region and endpoint URL into its parameters, checked as the configuration's are.
    fn override_for(&self, options: &CallOptions, params: &mut Params) -> Result<(), ConfigError> {
        if let Some(region) = &options.region {
            super::region::check(region).map_err(|e| ConfigError::new(format!("{e} (set for this call)")))?;
            if let Some(name) = &self.region_param {
                params.set(name, region.as_str());
            }
        }
        if let Some(url) = &options.endpoint_url {
            no_user_info(url)?;
            if let Some(name) = &self.endpoint_param {
                params.set(name, url.as_str());
            }
        }
        Ok(())
    }

    /// The endpoint for these parameters; `url` is a per-call endpoint URL (already in `params`).
    fn resolve(&self, params: &Params, has_region: bool, url: Option<&str>) -> Result<Arc<Resolved>, ConfigError> {
        let url = url.or(self.url.as_deref());
        let unconfigured = !has_region && url.is_none();
        let no_region = |detail: &str| {
            ConfigError::new(format!(
                "no region and no endpoint: set a region with Config::builder().region(..), AWS_REGION or a \
                 profile's `region`, or an endpoint URL{detail}"
            ))
        };
        let Some(rules) = self.rules.as_ref().map_err(Clone::clone)? else {
            if unconfigured {
                return Err(no_region(""));
            }
            let url = url.ok_or_else(|| ConfigError::new("this service has no endpoint rules: set an endpoint URL"))?;
            let uri = url.parse().map_err(|e| ConfigError::new(format!("invalid endpoint URL `{url}`: {e}")))?;
            return with_slash(uri, url).map(Resolved::at);
        };
        let endpoint = rules.resolve(params).map_err(|e| match unconfigured {
            true => no_region(&format!(" ({e})")),
            false => ConfigError::new(format!("cannot resolve the endpoint: {e}")),
        })?;
        let uri: http::Uri = endpoint
            .url
            .parse()
            .map_err(|e| ConfigError::new(format!("invalid endpoint URL `{}`: {e}", endpoint.url)))?;
        let uri = with_slash(uri, &endpoint.url)?;
        let auth = AuthScheme::choose(&endpoint.properties)?;
        let mut headers = Vec::new();
        for (name, values) in &endpoint.headers {
            let header = http::HeaderName::try_from(name.as_str())
                .map_err(|e| ConfigError::new(format!("the endpoint's header name `{name}` is invalid: {e}")))?;
            for value in values {
                let value = http::HeaderValue::try_from(value.as_str())
                    .map_err(|e| ConfigError::new(format!("the endpoint's header `{name}` is invalid: {e}")))?;
                headers.push((header.clone(), value));
            }
        }
        Ok(Arc::new(Resolved { uri, headers, auth }))
    }
}

/// Refuses an endpoint URL with user info: credentials in it would be sent to (and logged by)
/// whatever is on the way; SigV4 is how this client authenticates. The password is not echoed.
fn no_user_info(url: &str) -> Result<(), ConfigError> {
    match super::transport::has_user_info(url) {
        false => Ok(()),
        true => Err(ConfigError::new(format!(
            "the endpoint URL `{}` has user info (`user:password@`), which is not allowed",
            super::transport::redact(url)
        ))),
    }
}

/// The endpoint with an operation's host prefix (`@endpoint(hostPrefix: "data-")`).
fn prefixed(uri: &http::Uri, prefix: &str) -> Result<http::Uri, ConfigError> {
    let authority = uri.authority().map_or("", |a| a.as_str());
    let scheme = uri.scheme_str().unwrap_or("https");
    format!("{scheme}://{prefix}{authority}{}", uri.path())
        .parse()
        .map_err(|e| ConfigError::new(format!("host prefix `{prefix}` makes an invalid endpoint: {e}")))
}

/// Checks a value bound to an `@hostLabel` member: a DNS label, possibly dotted.
#[allow(dead_code)] // Used by services whose operations have host prefixes.
pub fn host_label<'a>(member: &str, value: &'a str) -> Result<&'a str, String> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !value.is_empty() && value.split('.').all(label_ok) {
        Ok(value)
    } else {
        Err(format!("`{member}`: `{value}` is not a valid host label"))
    }
}

/// awsJson requests go to the endpoint's path with a trailing `/`: `https://host/base` -> `/base/`.
fn with_slash(uri: http::Uri, url: &str) -> Result<http::Uri, ConfigError> {
    let uri = if uri.path().ends_with('/') {
        uri
    } else {
        format!("{url}/").parse().map_err(|e| ConfigError::new(format!("invalid endpoint URL `{url}`: {e}")))?
    };
    match uri.scheme_str() {
        Some("http") | Some("https") if uri.authority().is_some() => Ok(uri),
        _ => Err(ConfigError::new(format!("endpoint URL `{url}` is not an http(s) URL with a host"))),
    }
}

/// A request body as every attempt sends it, with its SHA-256 worked out once for all of them.
struct Payload {
    body: Bytes,
    /// Lowercase hex, as SigV4 wants it.
    sha256: String,
    gzip: bool,
    /// The body's `Content-MD5`, for `@httpChecksumRequired` operations.
    content_md5: Option<String>,
}

/// SigV4-signs the request in place for `name` in `region`; `sha256` is the body's, in hex.
pub(crate) fn sign(
    request: &mut HttpRequest,
    sha256: &str,
    credentials: &aws_credential_types::Credentials,
    region: &str,
    name: &str,
    time: SystemTime,
) -> Result<(), ConfigError> {
    Signer::v4(name, region).sign(request, sha256, credentials, time)
}

#[cfg(test)]
mod tests {
    use super::query_error_code;

    #[test]
    fn query_error_header() {
        let r = |v: &str| http::Response::builder().header("x-amzn-query-error", v).body(bytes::Bytes::new()).unwrap();
        assert_eq!(
            query_error_code(&r("AWS.SimpleQueueService.NonExistentQueue;Sender")),
            Some("AWS.SimpleQueueService.NonExistentQueue")
        );
        assert_eq!(query_error_code(&r("NoFault")), None);
        assert_eq!(query_error_code(&r(";Sender")), None);
        let none = http::Response::builder().body(bytes::Bytes::new()).unwrap();
        assert_eq!(query_error_code(&none), None);
    }
}
