//! The HTTP transport: a trait between the client and hyper, so tests and stubs run without a
//! network, and the default implementation: hyper 1.x with a connection pool, rustls with the
//! `ring` provider, proxies and custom CA bundles.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use super::error::{TransportError, TransportErrorKind};
pub use super::stall::StalledStreamProtection;
use super::stall::{sleep_until, Monitor};

pub type HttpRequest = http::Request<Bytes>;
pub type HttpResponse = http::Response<Bytes>;
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Sends a signed request and returns the whole response.
pub trait Transport: Send + Sync + 'static {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// Where to send requests through, if anywhere. `Debug` shows the URLs without their passwords.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// Proxy for `http://` endpoints.
    pub http: Option<String>,
    /// Proxy for `https://` endpoints (tunnelled with `CONNECT`).
    pub https: Option<String>,
    /// Comma-separated hosts, domains (`.example.com`), IPs or CIDRs that bypass the proxy; `*` for all.
    pub no_proxy: Option<String>,
}

impl ProxySettings {
    /// One proxy for every endpoint.
    pub fn all(url: impl Into<String>) -> Self {
        let url = url.into();
        ProxySettings { http: Some(url.clone()), https: Some(url), no_proxy: None }
    }

    /// No proxy at all.
    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }
}

// Hand-written: a proxy URL may carry `user:password@`, and configurations get logged.
impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |url: &Option<String>| url.as_deref().map(redact);
        f.debug_struct("ProxySettings")
            .field("http", &shown(&self.http))
            .field("https", &shown(&self.https))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl From<&str> for ProxySettings {
    fn from(url: &str) -> Self {
        ProxySettings::all(url)
    }
}

impl From<String> for ProxySettings {
    fn from(url: String) -> Self {
        ProxySettings::all(url)
    }
}

/// How the built-in transport connects. Defaults: platform root certificates (webpki's bundled
/// roots when the platform has none), no proxy, idle connections kept 90 s, a 3.1 s connect
/// timeout (TCP and TLS), no read timeout, stalled-stream protection on, responses up to
/// [`DEFAULT_MAX_RESPONSE_BYTES`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    pub proxy: ProxySettings,
    /// A PEM file of CA certificates to trust instead of the default roots.
    pub ca_bundle: Option<PathBuf>,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Option<Duration>,
    /// Longest time to open a connection: TCP (through the proxy tunnel, where one is used) and
    /// the TLS handshake. Default [`DEFAULT_CONNECT_TIMEOUT`]; `None` waits as long as the OS does.
    pub connect_timeout: Option<Duration>,
    /// Longest gap between bytes of the response: from the end of the request body to the
    /// response headers, then between pieces of the body. Never the time a whole upload or
    /// download takes. Default none.
    pub read_timeout: Option<Duration>,
    /// Fail an attempt whose request or response body moves too slowly.
    pub stalled_stream: StalledStreamProtection,
    /// The largest response body read; a longer one (announced or actual) fails the attempt with
    /// [`TransportErrorKind::ResponseTooLarge`](super::error::TransportErrorKind::ResponseTooLarge)
    /// and is not retried. Default [`DEFAULT_MAX_RESPONSE_BYTES`].
    pub max_response_bytes: u64,
}

/// The default [`HttpSettings::max_response_bytes`]: 128 MiB, far above the largest response an
/// awsJson service sends (a few MiB), and low enough that a hostile server cannot exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 128 * 1024 * 1024;

/// What a response body's buffer starts with at most, whatever `Content-Length` says: a header
/// is not trusted with memory; the buffer grows as bytes actually arrive.
const INITIAL_BODY_CAPACITY: u64 = 1024 * 1024;

/// The default connect timeout, aws-config's: 3.1 s for TCP and TLS together.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            proxy: ProxySettings::default(),
            ca_bundle: None,
            pool_idle_timeout: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: None,
            stalled_stream: StalledStreamProtection::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Called with (bytes so far, total bytes) as a body is sent or received.
pub type ProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Progress callbacks of one call, carried to the transport in the request's extensions.
#[derive(Clone, Default)]
pub struct Progress {
    pub on_sent: Option<ProgressFn>,
    pub on_received: Option<ProgressFn>,
}

/// Bodies go to hyper in pieces of this size, so that progress is reported as they leave.
const CHUNK: usize = 64 * 1024;

/// A request body handed to hyper piece by piece, reporting progress.
pub struct RequestBody {
    data: Bytes,
    sent: usize,
    on_sent: Option<ProgressFn>,
    upload: Arc<Upload>,
}

/// How far hyper has taken the request body, for stalled-stream protection and for starting
/// the read timeout only once the body is sent.
#[derive(Default)]
struct Upload {
    /// Bytes taken so far.
    taken: std::sync::atomic::AtomicU64,
    started: std::sync::atomic::AtomicBool,
    done: std::sync::atomic::AtomicBool,
    changed: tokio::sync::Notify,
}

impl Upload {
    fn new(len: usize) -> Self {
        let upload = Upload::default();
        if len == 0 {
            upload.done.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        upload
    }

    fn taken(&self) -> u64 {
        self.taken.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn started(&self) -> bool {
        self.started.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn done(&self) -> bool {
        self.done.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        use std::sync::atomic::Ordering;
        let this = self.get_mut();
        if this.sent >= this.data.len() {
            return Poll::Ready(None);
        }
        let end = (this.sent + CHUNK).min(this.data.len());
        let chunk = this.data.slice(this.sent..end);
        this.sent = end;
        let upload = &this.upload;
        upload.taken.store(end as u64, Ordering::SeqCst);
        let first = !upload.started.swap(true, Ordering::SeqCst);
        let last = end >= this.data.len();
        if last {
            upload.done.store(true, Ordering::SeqCst);
        }
        if first || last {
            upload.changed.notify_one();
        }
        if let Some(cb) = &this.on_sent {
            cb(end as u64, this.data.len() as u64);
        }
        Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent >= self.data.len()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact((self.data.len() - self.sent) as u64)
    }
}

const DEFAULT_POOL_IDLE: Duration = Duration::from_secs(90);

/// hyper 1.x with a connection pool; TLS through rustls and `ring`. Plain HTTP only for an
/// explicit `http://` endpoint.
#[derive(Clone)]
pub struct HyperTransport {
    client: HyperClient<Timed<hyper_rustls::HttpsConnector<ProxyConnector>>, RequestBody>,
    /// For the `Proxy-Authorization` of requests sent to a forward proxy.
    proxy: Option<Arc<Matcher>>,
    read_timeout: Option<Duration>,
    stalled_stream: StalledStreamProtection,
    max_response_bytes: u64,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HyperTransport")
    }
}

/// rustls on *ring*, the project's choice over aws-lc-rs (a C and assembly build). rustls 0.23.48
/// deprecates this provider because *ring* has no post-quantum key exchange; the classical
/// X25519/P-256/P-384 groups it offers are what AWS endpoints negotiate today.
#[allow(deprecated)]
pub(crate) fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

impl HyperTransport {
    pub fn new(settings: &HttpSettings) -> Result<Self, TransportError> {
        let tls_error = |m: String| TransportError::new(TransportErrorKind::Tls, m);
        let roots = root_store(settings.ca_bundle.as_ref()).map_err(tls_error)?;
        let provider = Arc::new(ring_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(format!("no usable TLS protocol version: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        // `*` bypasses every proxy; hyper-util's matcher applies it to host names only, not to
        // IP addresses.
        let bypass_all = settings.proxy.no_proxy.as_deref().is_some_and(|n| n.split(',').any(|h| h.trim() == "*"));
        for url in [&settings.proxy.http, &settings.proxy.https].into_iter().flatten() {
            check_proxy_url(url)?;
        }
        let proxy = (!settings.proxy.is_empty() && !bypass_all).then(|| {
            let p = &settings.proxy;
            let mut b = Matcher::builder();
            if let Some(v) = &p.http {
                b = b.http(v.as_str());
            }
            if let Some(v) = &p.https {
                b = b.https(v.as_str());
            }
            if let Some(v) = &p.no_proxy {
                b = b.no(v.as_str());
            }
            Arc::new(b.build())
        });
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(ProxyConnector { http, proxy: proxy.clone() });
        // The connect timeout covers TCP, the proxy tunnel and the TLS handshake together.
        let connector = Timed { inner: connector, limit: settings.connect_timeout };
        let client = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout.unwrap_or(DEFAULT_POOL_IDLE))
            // Without a timer the pool never closes idle connections: they stay open until the
            // next request to the same host finds them expired.
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(HyperTransport {
            client,
            proxy,
            read_timeout: settings.read_timeout,
            stalled_stream: settings.stalled_stream,
            max_response_bytes: settings.max_response_bytes,
        })
    }
}

/// A proxy URL must be a plain `http://` proxy (the scheme may be left out): anything else would
/// be ignored or misused silently.
fn check_proxy_url(url: &str) -> Result<(), TransportError> {
    let bad = |why: &str| {
        Err(TransportError::new(TransportErrorKind::Request, format!("invalid proxy URL `{}`: {why}", redact(url))))
    };
    let Ok(uri) = url.trim().parse::<http::Uri>() else { return bad("not a URL") };
    match uri.scheme_str() {
        None | Some("http") => {}
        Some(other) => return bad(&format!("`{other}` proxies are not supported, only `http://` ones")),
    }
    match uri.host() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => bad("no host"),
    }
}

/// The URL with the password of its user info replaced by `***`, for `Debug` and error
/// messages. The user info is what comes before the last `@` of the authority (which ends at the
/// first `/`, `?` or `#`), so an `@` in a path is left alone.
pub(crate) fn redact(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else { return url.to_owned() };
    match authority[..at].find(':') {
        Some(colon) => format!("{}:***{}", &url[..start + colon], &url[start + at..]),
        None => url.to_owned(),
    }
}

/// Whether the URL has user info (`user@` or `user:password@`) in its authority.
pub(crate) fn has_user_info(url: &str) -> bool {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].contains('@')
}

/// The trusted roots: the CA bundle when given, else the platform's store, else (no platform
/// certificates found, as in minimal containers) the webpki roots compiled into the binary.
fn root_store(ca_bundle: Option<&PathBuf>) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(path) = ca_bundle {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect::<Result<_, _>>())
            .map_err(|e| format!("cannot read the CA bundle {}: {e}", path.display()))?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(format!("the CA bundle {} holds no usable certificate", path.display()));
        }
        return Ok(roots);
    }
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if roots.is_empty() {
        tracing::debug!("no platform root certificates found; using the bundled webpki roots");
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    Ok(roots)
}

impl Transport for HyperTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let (mut parts, data) = request.into_parts();
            // A forward proxy (http endpoints) takes its credentials with each request; a
            // `CONNECT` tunnel (https) takes them when it is opened.
            if parts.uri.scheme_str() == Some("http") {
                let auth = self.proxy.as_ref().and_then(|m| m.intercept(&parts.uri)?.basic_auth().cloned());
                if let Some(auth) = auth {
                    parts.headers.insert(http::header::PROXY_AUTHORIZATION, auth);
                }
            }
            let progress = parts.extensions.remove::<Progress>().unwrap_or_default();
            let upload = Arc::new(Upload::new(data.len()));
            let body = RequestBody { data, sent: 0, on_sent: progress.on_sent, upload: upload.clone() };
            let request = http::Request::from_parts(parts, body);
            let response = self.response_head(self.client.request(request), &upload).await?;
            let (parts, mut body) = response.into_parts();
            let total = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                .unwrap_or(0);
            let max = self.max_response_bytes;
            if total > max {
                return Err(too_large(format!("the response announces {total} bytes")));
            }
            let mut data = Vec::with_capacity(total.min(INITIAL_BODY_CAPACITY) as usize);
            let mut monitor = self.stalled_stream.monitor(tokio::time::Instant::now());
            let mut last_data = tokio::time::Instant::now();
            loop {
                let read_deadline = self.read_timeout.map(|t| last_data + t);
                let stall_deadline = monitor.as_ref().map(Monitor::deadline);
                let frame = tokio::select! {
                    frame = body.frame() => frame,
                    _ = sleep_until(read_deadline) => return Err(read_timeout(self.read_timeout)),
                    _ = sleep_until(stall_deadline) => {
                        match &monitor {
                            Some(m) if m.stalled(tokio::time::Instant::now()) => {
                                return Err(TransportError::new(
                                    TransportErrorKind::DownloadStalled,
                                    format!("the response body stalled after {} bytes: {}", data.len(), m.describe()),
                                ));
                            }
                            _ => continue,
                        }
                    }
                };
                let Some(frame) = frame else { break };
                let frame = frame.map_err(|e| {
                    TransportError::new(TransportErrorKind::Io, "reading the response body").with_source(e)
                })?;
                if let Ok(chunk) = frame.into_data() {
                    let now = tokio::time::Instant::now();
                    last_data = now;
                    if let Some(m) = &mut monitor {
                        m.record(chunk.len() as u64, now);
                    }
                    if (data.len() + chunk.len()) as u64 > max {
                        return Err(too_large(format!("the response body passed {} bytes", data.len())));
                    }
                    data.extend_from_slice(&chunk);
                    if let Some(cb) = &progress.on_received {
                        cb(data.len() as u64, total.max(data.len() as u64));
                    }
                }
            }
            Ok(http::Response::from_parts(parts, Bytes::from(data)))
        })
    }
}

impl HyperTransport {
    /// Waits for the response head. While the request body is being sent, stalled-stream
    /// protection watches it; once it is all sent, the read timeout starts.
    async fn response_head<F>(
        &self,
        response: F,
        upload: &Upload,
    ) -> Result<http::Response<hyper::body::Incoming>, TransportError>
    where
        F: Future<Output = Result<http::Response<hyper::body::Incoming>, hyper_util::client::legacy::Error>>,
    {
        let mut response = std::pin::pin!(response);
        let mut monitor: Option<Monitor> = None;
        let mut counted = 0;
        while !upload.done() {
            if monitor.is_none() && upload.started() {
                monitor = self.stalled_stream.monitor(tokio::time::Instant::now());
            }
            let changed = upload.changed.notified();
            let stall_deadline = monitor.as_ref().map(Monitor::deadline);
            tokio::select! {
                // An answer before the body is all sent (an early error, say) ends the upload.
                result = &mut response => return result.map_err(classify),
                _ = changed => {}
                _ = sleep_until(stall_deadline) => {
                    let now = tokio::time::Instant::now();
                    if let Some(m) = &mut monitor {
                        let taken = upload.taken();
                        m.record(taken - counted, now);
                        counted = taken;
                        if m.stalled(now) && !upload.done() {
                            return Err(TransportError::new(
                                TransportErrorKind::UploadStalled,
                                format!("the request body stalled after {taken} bytes: {}", m.describe()),
                            ));
                        }
                    }
                }
            }
        }
        match self.read_timeout {
            None => response.await.map_err(classify),
            Some(limit) => {
                tokio::time::timeout(limit, response).await.map_err(|_| read_timeout(Some(limit)))?.map_err(classify)
            }
        }
    }
}

fn too_large(what: String) -> TransportError {
    TransportError::new(
        TransportErrorKind::ResponseTooLarge,
        format!("{what}, more than the limit (HttpSettings::max_response_bytes)"),
    )
}

fn read_timeout(limit: Option<Duration>) -> TransportError {
    let limit = limit.unwrap_or_default();
    TransportError::new(TransportErrorKind::ReadTimeout, format!("no response data within {limit:?}"))
}

/// A connector whose every connection must be ready within `limit`: for the built-in transport,
/// TCP, the proxy tunnel and the TLS handshake together.
#[derive(Clone)]
pub struct Timed<C> {
    inner: C,
    limit: Option<Duration>,
}

impl<C> tower_service::Service<http::Uri> for Timed<C>
where
    C: tower_service::Service<http::Uri> + Clone + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<C::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let connect = self.inner.call(dst);
        let limit = self.limit;
        Box::pin(async move {
            match limit {
                None => connect.await.map_err(Into::into),
                Some(limit) => match tokio::time::timeout(limit, connect).await {
                    Ok(result) => result.map_err(Into::into),
                    Err(_) => Err(Box::new(ConnectTimeout(limit)) as BoxError),
                },
            }
        })
    }
}

/// Names the cause of a failed request: connect, TLS or I/O.
fn classify(e: hyper_util::client::legacy::Error) -> TransportError {
    let (kind, what) = if has_cause::<ConnectTimeout>(&e) {
        (TransportErrorKind::ConnectTimeout, "could not connect to the endpoint in time")
    } else if has_cause::<rustls::Error>(&e) {
        (TransportErrorKind::Tls, "TLS with the endpoint failed")
    } else if e.is_connect() {
        (TransportErrorKind::Connect, "could not connect to the endpoint")
    } else {
        (TransportErrorKind::Io, "the request failed")
    };
    TransportError::new(kind, what).with_source(e)
}

/// Whether `e` or anything under it is a `T`: its sources, and the errors wrapped in
/// `io::Error`s, which `source()` skips (hyper-rustls wraps rustls' `io::Error` in another one).
fn has_cause<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut pending = vec![e];
    while let Some(e) = pending.pop() {
        if e.is::<T>() {
            return true;
        }
        if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            pending.push(inner);
        }
        pending.extend(e.source());
    }
    false
}

/// Connects directly, through a `CONNECT` tunnel (https endpoints), or to a forward proxy
/// (http endpoints, where hyper then sends the request in absolute form).
#[derive(Clone)]
pub struct ProxyConnector {
    http: HttpConnector,
    proxy: Option<Arc<Matcher>>,
}

/// The connect timeout fired.
#[derive(Debug)]
struct ConnectTimeout(Duration);

impl fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no connection within {:?}", self.0)
    }
}

impl std::error::Error for ConnectTimeout {}

impl tower_service::Service<http::Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<ProxyStream, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let mut http = self.http.clone();
        let intercept = self.proxy.as_ref().and_then(|m| m.intercept(&dst));
        Box::pin(async move {
            let Some(proxy) = intercept else {
                return Ok(ProxyStream { io: http.call(dst).await?, forward: false });
            };
            if dst.scheme_str() == Some("https") {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let io = tunnel.call(dst).await?;
                Ok(ProxyStream { io, forward: false })
            } else {
                Ok(ProxyStream { io: http.call(proxy.uri().clone()).await?, forward: true })
            }
        })
    }
}

/// A TCP stream to the endpoint or to a proxy.
pub struct ProxyStream {
    io: TokioIo<tokio::net::TcpStream>,
    /// Connected to a forward proxy: requests go in absolute form.
    forward: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forward)
    }
}

impl hyper::rt::Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxyStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://user:s3cret@proxy:8080";

    #[test]
    fn debug_hides_proxy_passwords() {
        let proxy = ProxySettings {
            http: Some(URL.to_owned()),
            https: Some("user:hunter2@proxy:3128".to_owned()),
            no_proxy: Some("localhost".to_owned()),
        };
        let settings = HttpSettings { proxy: proxy.clone(), ..HttpSettings::default() };
        let config = crate::Config::builder().proxy(proxy.clone()).build();
        for shown in [format!("{proxy:?}"), format!("{settings:?}"), format!("{config:?}"), format!("{config:#?}")] {
            assert!(!shown.contains("s3cret") && !shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("http://user:***@proxy:8080"), "{shown}");
            assert!(shown.contains("user:***@proxy:3128") && shown.contains("localhost"), "{shown}");
        }
    }

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(redact(URL), "http://user:***@proxy:8080");
        assert_eq!(redact("user:pw@proxy"), "user:***@proxy");
        assert_eq!(redact("http://user@proxy:8080"), "http://user@proxy:8080");
        assert_eq!(redact("http://proxy:8080"), "http://proxy:8080");
        // An `@` after the authority is not user info.
        assert_eq!(redact("http://proxy:8080/a:b@c"), "http://proxy:8080/a:b@c");
        assert_eq!(redact("http://u:p@ss@proxy"), "http://u:***@proxy");
    }

    #[test]
    fn invalid_proxy_errors_hide_the_password() {
        for url in ["ftp://user:s3cret@proxy:21", "http://user:s3cret@", "http://user:s3cret@proxy:80:80"] {
            let settings = HttpSettings { proxy: ProxySettings::all(url), ..HttpSettings::default() };
            let err = HyperTransport::new(&settings).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(shown.contains("proxy") && !shown.contains("s3cret"), "{shown}");
        }
    }
}
