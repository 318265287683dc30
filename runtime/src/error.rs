//! The errors a call returns. Every failure is a value: nothing here panics, and a response
//! that cannot be read keeps its status and body.

use std::fmt;

use bytes::Bytes;

/// Why a call failed. `E` is the operation's error enum, for errors the service returned.
///
/// Each generated crate also has a service-wide `Error` that every `SdkError<XError>` of its
/// operations converts into, so `?` works across operations.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The service answered with an error: one the model lists for the operation, or
    /// `Unhandled` for any other code.
    Service(E),
    /// The client is not configured well enough to send the request.
    Config(ConfigError),
    /// The request was not sent or its response not received.
    Transport(TransportError),
    /// The service answered with something this client cannot read.
    Response(ResponseError),
    /// A timeout fired; it says which.
    Timeout(TimeoutError),
    /// The input breaks a constraint of the model; nothing was sent.
    Validation(ValidationError),
    /// An [`Interceptor`](crate::interceptor::Interceptor) ended the call with an error.
    Interceptor(InterceptorError),
}

impl<E> SdkError<E> {
    /// The service's error, if the service answered with one.
    pub fn service_error(&self) -> Option<&E> {
        match self {
            SdkError::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The service's error, or this error back.
    pub fn into_service_error(self) -> Result<E, Self> {
        match self {
            SdkError::Service(e) => Ok(e),
            other => Err(other),
        }
    }
}

impl SdkError<std::convert::Infallible> {
    /// Widens an error that cannot be a service error to any operation's error type.
    pub(crate) fn widen<E>(self) -> SdkError<E> {
        match self {
            SdkError::Service(never) => match never {},
            SdkError::Config(e) => SdkError::Config(e),
            SdkError::Transport(e) => SdkError::Transport(e),
            SdkError::Response(e) => SdkError::Response(e),
            SdkError::Timeout(e) => SdkError::Timeout(e),
            SdkError::Validation(e) => SdkError::Validation(e),
            SdkError::Interceptor(e) => SdkError::Interceptor(e),
        }
    }
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Service(e) => e.fmt(f),
            SdkError::Config(e) => e.fmt(f),
            SdkError::Transport(e) => e.fmt(f),
            SdkError::Response(e) => e.fmt(f),
            SdkError::Timeout(e) => e.fmt(f),
            SdkError::Validation(e) => e.fmt(f),
            SdkError::Interceptor(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SdkError::Service(e) => Some(e),
            SdkError::Config(e) => Some(e),
            SdkError::Transport(e) => Some(e),
            SdkError::Response(e) => Some(e),
            SdkError::Timeout(e) => Some(e),
            SdkError::Validation(e) => Some(e),
            SdkError::Interceptor(e) => Some(e),
        }
    }
}

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Opening the connection.
    Connect,
    /// Waiting for response data.
    Read,
    /// One attempt, from signing to the last byte of the response.
    Attempt,
    /// The whole operation, all attempts and backoff included.
    Operation,
}

/// A timeout fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    kind: TimeoutKind,
    detail: String,
}

impl TimeoutError {
    pub(crate) fn new(kind: TimeoutKind, detail: impl Into<String>) -> Self {
        TimeoutError { kind, detail: detail.into() }
    }

    /// Which limit ran out: connect, read, attempt or operation.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = match self.kind {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Read => "read",
            TimeoutKind::Attempt => "attempt",
            TimeoutKind::Operation => "operation",
        };
        write!(f, "{which} timeout: {}", self.detail)
    }
}

impl std::error::Error for TimeoutError {}

/// An input that breaks a constraint of the model, found before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub(crate) operation: &'static str,
    pub(crate) problems: Vec<String>,
}

impl ValidationError {
    /// The operation whose input was refused.
    pub fn operation(&self) -> &str {
        self.operation
    }

    /// Each problem, naming the member and the rule, e.g. "`repositoryName`: length 1 is below the minimum 2".
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} input: {}", self.operation, self.problems.join("; "))
    }
}

impl std::error::Error for ValidationError {}

/// An interceptor's hook returned an error, which ended the call: which interceptor, in which
/// hook, and its error (the [`source`](std::error::Error::source)). A hook that runs before the
/// request is transmitted ends the call with nothing sent.
#[derive(Debug)]
pub struct InterceptorError {
    interceptor: &'static str,
    hook: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl InterceptorError {
    pub(crate) fn new(
        interceptor: &'static str,
        hook: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Self {
        InterceptorError { interceptor, hook, source }
    }

    /// The interceptor's [`name`](crate::interceptor::Interceptor::name).
    pub fn interceptor(&self) -> &str {
        self.interceptor
    }

    /// The hook that failed, e.g. `before_signing`.
    pub fn hook(&self) -> &str {
        self.hook
    }

    /// The error the hook returned.
    pub fn error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.source.as_ref()
    }
}

impl fmt::Display for InterceptorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interceptor `{}` failed in {}: {}", self.interceptor, self.hook, chain(self.source.as_ref()))
    }
}

impl std::error::Error for InterceptorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// A configuration problem: no region, no credentials, an endpoint that cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError { message: message.into() }
    }

    /// What is wrong with the configuration.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// What went wrong on the way to the service or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (refused, unreachable, DNS).
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// The connection broke while sending or receiving.
    Io,
    /// The request could not be built (a bad URL or header).
    Request,
    /// The connect timeout fired.
    ConnectTimeout,
    /// The read timeout fired.
    ReadTimeout,
    /// Stalled-stream protection: the request body was sent too slowly.
    UploadStalled,
    /// Stalled-stream protection: the response body arrived too slowly.
    DownloadStalled,
    /// The response body is longer than the configured limit (`max_response_bytes`).
    ResponseTooLarge,
}

/// The request was not sent or its response not received.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// A transport error of `kind`, described by `message`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError { kind, message: message.into(), source: None }
    }

    /// The same error, with the underlying cause kept as its `source()`.
    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What failed: connecting, TLS, a timeout, the request or the response.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Tls => "TLS handshake failed",
            TransportErrorKind::Io => "I/O error",
            TransportErrorKind::Request => "invalid request",
            TransportErrorKind::ConnectTimeout => "connect timeout",
            TransportErrorKind::ReadTimeout => "read timeout",
            TransportErrorKind::UploadStalled => "upload stalled",
            TransportErrorKind::DownloadStalled => "download stalled",
            TransportErrorKind::ResponseTooLarge => "response too large",
        };
        write!(f, "{what}: {}", self.message)?;
        // The source usually says the root cause (`Connection refused`); show it inline.
        match &self.source {
            Some(s) => write!(f, ": {}", chain(s.as_ref())),
            None => Ok(()),
        }
    }
}

/// An error and its sources, `: `-separated, so one line names the root cause.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

impl std::error::Error for TransportError {}

/// A response this client cannot read: its status and body are kept for diagnosis.
///
/// [`body`](ResponseError::body) gives the whole body; `Debug` shows at most its first
/// [`RESPONSE_EXCERPT_BYTES`] bytes, and only for an error (non-2xx) response: a successful
/// response that failed to parse may still carry the output's secrets (an authorization token),
/// so its body is never printed, nor is the body of an operation whose output has `@sensitive`
/// members. `Display` never shows the body.
#[derive(Clone)]
pub struct ResponseError {
    status: u16,
    request_id: Option<String>,
    body: Bytes,
    problem: String,
    /// The body may hold secrets: `Debug` does not show it.
    hide_body: bool,
}

/// The most of a response body `ResponseError`'s `Debug` shows.
pub const RESPONSE_EXCERPT_BYTES: usize = 256;

impl ResponseError {
    pub(crate) fn new(status: u16, request_id: Option<String>, body: Bytes, problem: impl Into<String>) -> Self {
        let hide_body = (200..300).contains(&status);
        ResponseError { status, request_id, body, problem: problem.into(), hide_body }
    }

    /// Never show the body, whatever the status (the operation's output is sensitive).
    pub(crate) fn hiding_body(mut self, hide: bool) -> Self {
        self.hide_body |= hide;
        self
    }

    /// The HTTP status of the response that could not be read.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response's request id, when it had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The raw response body. It may hold secrets: see the type's docs before logging it.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Why the response could not be read.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

/// A body in `Debug`: hidden, or its first bytes (lossy UTF-8) and its length.
struct BodyExcerpt<'a>(&'a ResponseError);

impl fmt::Debug for BodyExcerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = &self.0.body;
        if self.0.hide_body {
            return write!(f, "<{} bytes, not shown: they may hold secrets>", body.len());
        }
        let cut = body.len().min(RESPONSE_EXCERPT_BYTES);
        write!(f, "{:?}", String::from_utf8_lossy(&body[..cut]))?;
        if cut < body.len() {
            write!(f, "... ({} bytes)", body.len())?;
        }
        Ok(())
    }
}

impl fmt::Debug for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseError")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("body", &BodyExcerpt(self))
            .field("problem", &self.problem)
            .finish()
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unreadable response (HTTP {}): {}", self.status, self.problem)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id: {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ResponseError {}

/// A service error the model does not list for the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unhandled {
    pub(crate) code: String,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) extended_request_id: Option<String>,
    pub(crate) status: u16,
}

impl Unhandled {
    /// An unhandled error, for stubs and tests.
    pub fn new(code: impl Into<String>, message: Option<String>, request_id: Option<String>, status: u16) -> Self {
        Unhandled { code: code.into(), message, request_id, extended_request_id: None, status }
    }

    /// Sets the extended request id (`x-amz-id-2`), for stubs and tests.
    pub fn with_extended_request_id(mut self, id: impl Into<String>) -> Self {
        self.extended_request_id = Some(id.into());
        self
    }

    /// The error code the service sent.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message the service gave, when it gave one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The response's request id, when it had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.status
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_service_error(f, &self.code, self.message(), self.request_id())
    }
}

impl std::error::Error for Unhandled {}

/// What an error tells of the service's answer: its code, message and request ids. Each is
/// `None` when there is no service answer (a transport failure, a timeout) or it lacks the item.
///
/// Implemented by the modeled error structures, the per-operation error enums, [`SdkError`],
/// [`Unhandled`] and a generated crate's service-wide `Error`. Types that also have inherent
/// `code()`/`message()`/`request_id()` methods keep them: call the trait's as
/// `ProvideErrorMetadata::code(&e)`, or bring it in with `use <crate>::prelude::*`.
pub trait ProvideErrorMetadata {
    /// The error code the service sent.
    fn code(&self) -> Option<&str>;
    /// The message the service gave.
    fn message(&self) -> Option<&str>;
    /// The request id of the response (`x-amzn-RequestId`).
    fn request_id(&self) -> Option<&str>;
    /// The extended request id (`x-amz-id-2`), which few services send.
    fn extended_request_id(&self) -> Option<&str>;
}

impl ProvideErrorMetadata for Unhandled {
    fn code(&self) -> Option<&str> {
        Some(&self.code)
    }
    fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    fn extended_request_id(&self) -> Option<&str> {
        self.extended_request_id.as_deref()
    }
}

impl<E: ProvideErrorMetadata> ProvideErrorMetadata for SdkError<E> {
    fn code(&self) -> Option<&str> {
        self.service_error().and_then(E::code)
    }
    fn message(&self) -> Option<&str> {
        self.service_error().and_then(E::message)
    }
    fn request_id(&self) -> Option<&str> {
        self.service_error().and_then(E::request_id)
    }
    fn extended_request_id(&self) -> Option<&str> {
        self.service_error().and_then(E::extended_request_id)
    }
}

/// What the `Unhandled` variant of a service-wide `Error` holds: a service error the model does
/// not list, or a failure that is no service error at all (transport, timeout, configuration,
/// validation, unreadable response, interceptor).
///
/// The original error is the [`source`](std::error::Error::source): downcast it to
/// [`Unhandled`], [`TransportError`], [`TimeoutError`] and so on. The metadata is the service's,
/// when it answered.
#[derive(Debug)]
pub struct UnhandledError {
    source: Box<dyn std::error::Error + Send + Sync>,
    // Copied out of the source, which is opaque once boxed.
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    extended_request_id: Option<String>,
}

impl UnhandledError {
    /// The original error, owned.
    pub fn into_source(self) -> Box<dyn std::error::Error + Send + Sync> {
        self.source
    }

    fn with_meta(source: Box<dyn std::error::Error + Send + Sync>, meta: &dyn ProvideErrorMetadata) -> Self {
        let owned = |s: Option<&str>| s.map(str::to_owned);
        UnhandledError {
            code: owned(meta.code()),
            message: owned(meta.message()),
            request_id: owned(meta.request_id()),
            extended_request_id: owned(meta.extended_request_id()),
            source,
        }
    }
}

impl From<Unhandled> for UnhandledError {
    fn from(e: Unhandled) -> Self {
        let meta = e.clone();
        UnhandledError::with_meta(Box::new(e), &meta)
    }
}

/// No service answer, so no metadata.
struct NoMeta;

impl ProvideErrorMetadata for NoMeta {
    fn code(&self) -> Option<&str> {
        None
    }
    fn message(&self) -> Option<&str> {
        None
    }
    fn request_id(&self) -> Option<&str> {
        None
    }
    fn extended_request_id(&self) -> Option<&str> {
        None
    }
}

/// The service's error, or what any other kind of failure becomes in a service-wide `Error`:
/// the shared half of every generated `From<SdkError<XError>> for Error`.
pub fn split_sdk_error<E>(e: SdkError<E>) -> Result<E, UnhandledError> {
    let source: Box<dyn std::error::Error + Send + Sync> = match e {
        SdkError::Service(e) => return Ok(e),
        SdkError::Config(e) => Box::new(e),
        SdkError::Transport(e) => Box::new(e),
        SdkError::Response(e) => Box::new(e),
        SdkError::Timeout(e) => Box::new(e),
        SdkError::Validation(e) => Box::new(e),
        SdkError::Interceptor(e) => Box::new(e),
    };
    Err(UnhandledError::with_meta(source, &NoMeta))
}

impl fmt::Display for UnhandledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.source.fmt(f)
    }
}

impl std::error::Error for UnhandledError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

impl ProvideErrorMetadata for UnhandledError {
    fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
    fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    fn extended_request_id(&self) -> Option<&str> {
        self.extended_request_id.as_deref()
    }
}

/// `Code: message (request id: ...)`, the one format of every service error.
pub fn fmt_service_error(
    f: &mut fmt::Formatter<'_>,
    code: &str,
    message: Option<&str>,
    request_id: Option<&str>,
) -> fmt::Result {
    f.write_str(code)?;
    if let Some(m) = message {
        write!(f, ": {m}")?;
    }
    if let Some(id) = request_id {
        write!(f, " (request id: {id})")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_service_error_splits_out_and_the_rest_becomes_unhandled() {
        let e: SdkError<Unhandled> = SdkError::Service(Unhandled::new("Code", None, None, 400));
        assert_eq!(split_sdk_error(e).map(|u| u.code).ok().as_deref(), Some("Code"));

        let e: SdkError<Unhandled> = SdkError::Transport(TransportError::new(TransportErrorKind::Connect, "refused"));
        assert_eq!(ProvideErrorMetadata::code(&e), None);
        let text = e.to_string();
        let u = split_sdk_error(e).expect_err("not a service error");
        assert_eq!(u.to_string(), text);
        let t = u.source().and_then(|s| s.downcast_ref::<TransportError>()).expect("the original error");
        assert_eq!(t.kind(), TransportErrorKind::Connect);
        assert_eq!((u.code(), u.message(), u.request_id(), u.extended_request_id()), (None, None, None, None));
        assert!(u.into_source().downcast::<TransportError>().is_ok());
    }

    #[test]
    fn an_unhandled_service_error_keeps_its_metadata() {
        let e = Unhandled::new("Code", Some("m".into()), Some("rid".into()), 400).with_extended_request_id("ext");
        let sdk: SdkError<Unhandled> = SdkError::Service(e.clone());
        assert_eq!(sdk.extended_request_id(), Some("ext"));
        let u = UnhandledError::from(e.clone());
        assert_eq!((u.code(), u.message(), u.request_id()), (Some("Code"), Some("m"), Some("rid")));
        assert_eq!(u.extended_request_id(), Some("ext"));
        assert_eq!(u.source().and_then(|s| s.downcast_ref::<Unhandled>()), Some(&e));
        assert_eq!(u.to_string(), "Code: m (request id: rid)");
    }
}
