//! A transport that records the requests a client sends and answers each with one canned
//! response.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::{HeaderName, HeaderValue};

use crate::config::{Config, ConfigBuilder};
use crate::error::TransportError;
use crate::transport::{BoxFuture, HttpRequest, HttpResponse, Transport};

struct Canned {
    status: http::StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

/// A [`Transport`] that records every request sent through it (method, URI, headers, body:
/// what the client signed) and answers each with the same response, `200` with body `{}`
/// unless set otherwise. Cloning shares the record, so keep one clone and give another to the
/// client through [`Capture::config`] or [`ConfigBuilder::transport`].
///
/// For tests of what goes on the wire: the host, the `Authorization` scope, headers, the body.
///
/// With the ECR Public client:
// The runtime cannot depend on a generated crate: ecrpublic/tests/stubs.rs runs this example.
/// ```ignore
/// # async fn demo() {
/// use ecrpublic::{stub::Capture, Client};
///
/// let capture = Capture::new();
/// let client = Client::new(&capture.config());
/// client.create_repository("app").send().await.unwrap();
///
/// let request = capture.last().unwrap();
/// assert_eq!(request.headers()["x-amz-target"], "SpencerFrontendService.CreateRepository");
/// assert_eq!(request.uri().host(), Some("api.ecr-public.us-east-1.amazonaws.com"));
/// assert!(std::str::from_utf8(request.body()).unwrap().contains(r#""repositoryName":"app""#));
/// # }
/// ```
#[derive(Clone)]
pub struct Capture {
    requests: Arc<Mutex<Vec<HttpRequest>>>,
    response: Arc<Mutex<Canned>>,
}

impl Default for Capture {
    fn default() -> Self {
        Capture::answering(200, "{}")
    }
}

impl fmt::Debug for Capture {
    // No bodies or headers: requests carry signatures and may carry secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Capture")
            .field("requests", &self.len())
            .field("status", &lock(&self.response).status.as_u16())
            .finish()
    }
}

impl Capture {
    /// Answers every request with status `200` and body `{}`, which every operation reads as
    /// its default output.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers every request with `status` and `body`.
    ///
    /// # Panics
    ///
    /// If `status` is not within `100..=999`: a mistake in the test.
    pub fn answering(status: u16, body: impl Into<Bytes>) -> Self {
        let response = Canned::new(status, body.into());
        Capture { requests: Arc::default(), response: Arc::new(Mutex::new(response)) }
    }

    /// Adds a header to the response, such as `x-amzn-errortype` for an error.
    ///
    /// # Panics
    ///
    /// If `name` or `value` is not a valid header name or value: a mistake in the test.
    pub fn with_header(self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|e| panic!("header name {name:?}: {e}"));
        let value = HeaderValue::from_str(value).unwrap_or_else(|e| panic!("header value {value:?}: {e}"));
        lock(&self.response).headers.push((name, value));
        self
    }

    /// From now on, answers with `status` and `body` (and no headers), for this clone and
    /// every other.
    ///
    /// # Panics
    ///
    /// If `status` is not within `100..=999`.
    pub fn set_response(&self, status: u16, body: impl Into<Bytes>) {
        *lock(&self.response) = Canned::new(status, body.into());
    }

    /// A configuration whose client sends through this capture: region `us-east-1`, test
    /// credentials, no retries (each call sends exactly one request).
    pub fn config(&self) -> Config {
        self.config_builder().build()
    }

    /// [`config`](Capture::config) before it is built, to set the region, endpoint or other
    /// settings a test is about.
    pub fn config_builder(&self) -> ConfigBuilder {
        super::test_config(self.clone())
    }

    /// Copies of every request received so far, in order. A copy has the method, URI, version,
    /// headers and body; not the extensions.
    pub fn requests(&self) -> Vec<HttpRequest> {
        lock(&self.requests).iter().map(copy).collect()
    }

    /// A copy of the last request received.
    pub fn last(&self) -> Option<HttpRequest> {
        lock(&self.requests).last().map(copy)
    }

    /// Every request received so far, leaving the record empty.
    pub fn take(&self) -> Vec<HttpRequest> {
        std::mem::take(&mut *lock(&self.requests))
    }

    /// How many requests were received (and not taken).
    pub fn len(&self) -> usize {
        lock(&self.requests).len()
    }

    /// Whether no request was received (or all were taken).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Transport for Capture {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        lock(&self.requests).push(request);
        let response = {
            let canned = lock(&self.response);
            let mut response = HttpResponse::new(canned.body.clone());
            *response.status_mut() = canned.status;
            for (name, value) in &canned.headers {
                response.headers_mut().append(name.clone(), value.clone());
            }
            response
        };
        Box::pin(std::future::ready(Ok(response)))
    }
}

impl Canned {
    fn new(status: u16, body: Bytes) -> Self {
        let status = http::StatusCode::from_u16(status).unwrap_or_else(|e| panic!("status {status}: {e}"));
        Canned { status, headers: Vec::new(), body }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn copy(request: &HttpRequest) -> HttpRequest {
    let mut copy = HttpRequest::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}
