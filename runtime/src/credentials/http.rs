//! A small HTTP client for the metadata endpoints (ECS, IMDS): plain HTTP through hyper-util's
//! legacy client, with a connect timeout and an overall deadline per request, so an unreachable
//! endpoint fails fast instead of hanging the credentials chain. `https://` (allowed for an ECS
//! full URI) uses rustls with the webpki roots, set up only when first needed. Deliberately not the
//! service transport: its proxy and CA settings are for the service endpoint, not for a container's
//! link-local or loopback credentials endpoint.

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;

type TlsClient = HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Why a request got no usable response.
#[derive(Debug)]
pub(super) enum HttpError {
    /// Nothing answered: connection refused, no route, connect timeout, or the deadline passed.
    Unreachable(String),
    /// Something answered but the exchange failed.
    Failed(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Unreachable(m) | HttpError::Failed(m) => f.write_str(m),
        }
    }
}

pub(super) struct HttpClient {
    plain: HyperClient<HttpConnector, Full<Bytes>>,
    tls: OnceLock<Result<TlsClient, String>>,
    connect: Duration,
    deadline: Duration,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient").field("deadline", &self.deadline).finish()
    }
}

impl HttpClient {
    /// `connect`: the TCP connect timeout; `read`: how long the answer may then take.
    pub(super) fn new(connect: Duration, read: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(connect));
        connector.set_nodelay(true);
        let plain = HyperClient::builder(TokioExecutor::new()).build(connector);
        HttpClient { plain, tls: OnceLock::new(), connect, deadline: connect + read }
    }

    /// Sends `request` (absolute URI) and reads the whole response, within the deadline.
    pub(super) async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, HttpError> {
        match tokio::time::timeout(self.deadline, self.send_inner(request)).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Unreachable(format!("no response within {:?}", self.deadline))),
        }
    }

    async fn send_inner(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, Full::new(body));
        let response = if request.uri().scheme() == Some(&http::uri::Scheme::HTTPS) {
            let tls = self.tls.get_or_init(|| tls_client(self.connect));
            tls.as_ref().map_err(|e| HttpError::Failed(e.clone()))?.request(request).await
        } else {
            self.plain.request(request).await
        };
        let response = response.map_err(|e| {
            let message = error_chain(&e);
            if e.is_connect() {
                HttpError::Unreachable(message)
            } else {
                HttpError::Failed(message)
            }
        })?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| HttpError::Failed(format!("reading the response body: {}", error_chain(&e))))?
            .to_bytes();
        Ok(http::Response::from_parts(parts, body))
    }
}

fn tls_client(connect: Duration) -> Result<TlsClient, String> {
    let provider = std::sync::Arc::new(crate::transport::ring_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("no usable TLS protocol version: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_only()
        .enable_http1()
        .wrap_connector(http);
    Ok(HyperClient::builder(TokioExecutor::new()).build(connector))
}

/// `error: cause: cause`, since hyper's top-level messages ("client error (Connect)") say little.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// The start of a response body, for error messages.
pub(super) fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}
