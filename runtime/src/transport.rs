//! The HTTP transport: a trait between the client and hyper, so tests and stubs run without a
//! network, and the default implementation: hyper 1.x with a connection pool, rustls with the
//! `ring` provider, proxies (with curl's `NO_PROXY` rules), custom CA bundles, client
//! certificates, optional HTTP/2, over hyper-util's TCP connector or one of the user's own.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::proxy::Tunnel;
pub use hyper_util::client::legacy::connect::Connection;
use hyper_util::client::legacy::connect::{Connected, HttpConnector};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::error::{TransportError, TransportErrorKind};
pub use super::stall::StalledStreamProtection;
use super::stall::{sleep_until, Monitor};
use super::tls::{ClientIdentity, PemBytes};

/// A request with its whole body in memory, as signed and sent.
pub type HttpRequest = http::Request<Bytes>;
/// A response with its whole body read into memory.
pub type HttpResponse = http::Response<Bytes>;
/// The future a [`Transport`] returns: boxed, `Send`, borrowing the transport for `'a`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// The error type a connector may return: anything that converts into it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Sends a signed request and returns the whole response.
///
/// Implement it to replace the built-in transport altogether (a test double, a recorder, another
/// HTTP client) and hand it to [`ConfigBuilder::transport`](crate::ConfigBuilder::transport); it
/// may also wrap a [`HyperTransport`]. To keep the built-in transport and change only how
/// connections are opened, see [`ConfigBuilder::http_connector`](crate::ConfigBuilder::http_connector).
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and reads the whole response, whatever its status; a
    /// [`TransportError`] when no complete response came back.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// Where to send requests through, if anywhere. `Debug` shows the URLs without their passwords.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// Proxy for `http://` endpoints.
    pub http: Option<String>,
    /// Proxy for `https://` endpoints (tunnelled with `CONNECT`).
    pub https: Option<String>,
    /// Hosts that bypass the proxy, with curl's rules: entries separated by commas or
    /// whitespace; `*` alone bypasses it for every host; a host name matches an entry equal to it
    /// or to one of its parent domains (`example.com` and `.example.com` both match
    /// `example.com` and `a.example.com`, never `badexample.com`), in any case; an IP address
    /// matches an equal entry or a CIDR range (`10.0.0.0/8`, `::1/128`); IPv6 addresses with or
    /// without brackets; an entry's `:port` is ignored, as is the port of the endpoint.
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
    /// The proxies to use (default none). [`Config::from_env`](crate::Config::from_env) fills
    /// them from `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`.
    pub proxy: ProxySettings,
    /// A PEM file of CA certificates to trust instead of the default roots. A bad, empty or
    /// unreadable file is a [`TransportErrorKind::Tls`] error naming it. [`Config::from_env`](crate::Config::from_env)
    /// fills it from `AWS_CA_BUNDLE`, the profile's `ca_bundle`, else `SSL_CERT_FILE`.
    pub ca_bundle: Option<PathBuf>,
    /// CA certificates in memory (PEM), trusted instead of the default roots (together with
    /// [`ca_bundle`](Self::ca_bundle) when both are set).
    pub ca_bundle_pem: Option<PemBytes>,
    /// A client certificate and key, shown to servers that ask for one (mutual TLS).
    pub client_identity: Option<ClientIdentity>,
    /// Offer HTTP/2 in the TLS handshake (ALPN `h2` and `http/1.1`) and use it when the server
    /// picks it. Default off: AWS's SDKs speak HTTP/1.1 to most services, whose endpoints gain
    /// nothing from multiplexing for request/response calls, and one HTTP/2 connection carries
    /// all of a client's concurrent calls, where HTTP/1.1 spreads them over several. Plain
    /// `http://` endpoints always get HTTP/1.1. Needs the runtime's `http2` feature (a
    /// generated crate's `http2`); without it, building the transport fails saying so.
    pub http2: bool,
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
            ca_bundle_pem: None,
            client_identity: None,
            http2: false,
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
    /// Called as the request body leaves
    /// ([`CallOptions::on_chunk_sent`](crate::CallOptions::on_chunk_sent)).
    pub on_sent: Option<ProgressFn>,
    /// Called as the response body arrives
    /// ([`CallOptions::on_chunk_received`](crate::CallOptions::on_chunk_received)).
    pub on_received: Option<ProgressFn>,
}

/// Bodies go to hyper in pieces of this size, so that progress is reported as they leave.
const CHUNK: usize = 64 * 1024;

/// A request body handed to hyper piece by piece, reporting progress.
pub(crate) struct RequestBody {
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

/// The built-in transport: hyper 1.x with a connection pool, TLS through rustls and `ring`
/// (plain HTTP only for an explicit `http://` endpoint), proxies, timeouts, stalled-stream
/// protection and the response size limit of [`HttpSettings`].
///
/// It opens connections with hyper-util's `HttpConnector` unless given another connector
/// ([`with_connector`](Self::with_connector)). A configuration builds one by itself; make one
/// by hand only to wrap it in a [`Transport`] of your own.
#[derive(Clone)]
pub struct HyperTransport<C = HttpConnector> {
    client: HyperClient<Timed<hyper_rustls::HttpsConnector<ProxyConnector<C>>>, RequestBody>,
    /// For the `Proxy-Authorization` of requests sent to a forward proxy.
    proxy: Option<Arc<Proxies>>,
    read_timeout: Option<Duration>,
    stalled_stream: StalledStreamProtection,
    max_response_bytes: u64,
}

impl<C> fmt::Debug for HyperTransport<C> {
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
    /// The built-in transport over hyper-util's TCP connector (system DNS, `TCP_NODELAY`).
    pub fn new(settings: &HttpSettings) -> Result<Self, TransportError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        HyperTransport::with_connector(settings, http)
    }
}

impl<C> HyperTransport<C>
where
    C: tower_service::Service<http::Uri> + Clone + Send + Sync + 'static,
    C::Response: hyper::rt::Read + hyper::rt::Write + Connection + Unpin + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    /// The built-in transport over another connector: a tower `Service<Uri>` that opens a byte
    /// stream to the URI's host and port, such as a hyper-util `HttpConnector` with a resolver
    /// of your own, or a service that ignores the URI and opens a Unix socket or a tunnel. TLS
    /// (for `https://` endpoints), proxies and every other setting apply on top of it; a proxy
    /// is reached through the connector too (it is called with the proxy's URI).
    ///
    /// [`ConfigBuilder::http_connector`](crate::ConfigBuilder::http_connector) does this with
    /// the configuration's settings. A connector that sends every connection to a Unix socket:
    ///
    /// ```no_run
    /// # #[cfg(unix)] {
    /// use std::task::{Context, Poll};
    /// use awsjson_runtime::{BoxError, BoxFuture, Config};
    /// use hyper_util::rt::TokioIo;
    ///
    /// #[derive(Clone)]
    /// struct UnixSocket(std::path::PathBuf);
    ///
    /// impl tower_service::Service<http::Uri> for UnixSocket {
    ///     type Response = TokioIo<tokio::net::UnixStream>;
    ///     type Error = BoxError;
    ///     type Future = BoxFuture<'static, Result<Self::Response, BoxError>>;
    ///
    ///     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
    ///         Poll::Ready(Ok(()))
    ///     }
    ///
    ///     fn call(&mut self, _endpoint: http::Uri) -> Self::Future {
    ///         let path = self.0.clone();
    ///         Box::pin(async move { Ok(TokioIo::new(tokio::net::UnixStream::connect(path).await?)) })
    ///     }
    /// }
    ///
    /// let config = Config::builder().http_connector(UnixSocket("/run/ecr-tunnel.sock".into())).build();
    /// # let _ = config;
    /// # }
    /// ```
    pub fn with_connector(settings: &HttpSettings, connector: C) -> Result<Self, TransportError> {
        let tls_error = |m: String| TransportError::new(TransportErrorKind::Tls, m);
        if settings.http2 && cfg!(not(feature = "http2")) {
            return Err(TransportError::new(
                TransportErrorKind::Request,
                "HTTP/2 was asked for, and this client was built without the runtime's `http2` feature",
            ));
        }
        let roots =
            super::tls::root_store(settings.ca_bundle.as_ref(), settings.ca_bundle_pem.as_ref()).map_err(tls_error)?;
        let provider = Arc::new(ring_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(format!("no usable TLS protocol version: {e}")))?
            .with_root_certificates(roots);
        let tls = match &settings.client_identity {
            None => tls.with_no_client_auth(),
            Some(identity) => {
                let (chain, key) = identity.load().map_err(tls_error)?;
                // rustls' errors here name the problem (a key that does not match the
                // certificate, an unsupported key type), never the key's bytes.
                tls.with_client_auth_cert(chain, key)
                    .map_err(|e| tls_error(format!("unusable client certificate or key: {e}")))?
            }
        };
        for url in [&settings.proxy.http, &settings.proxy.https].into_iter().flatten() {
            check_proxy_url(url)?;
        }
        let no_proxy = NoProxy::parse(settings.proxy.no_proxy.as_deref().unwrap_or(""));
        let proxy = (!settings.proxy.is_empty() && !no_proxy.all).then(|| {
            let p = &settings.proxy;
            let mut b = Matcher::builder();
            if let Some(v) = &p.http {
                b = b.http(v.as_str());
            }
            if let Some(v) = &p.https {
                b = b.https(v.as_str());
            }
            // NO_PROXY is applied by `Proxies`, with curl's rules.
            Arc::new(Proxies { matcher: b.build(), no_proxy })
        });
        let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http();
        let inner = ProxyConnector { inner: connector, proxy: proxy.clone() };
        #[cfg(feature = "http2")]
        let connector = if settings.http2 {
            builder.enable_all_versions().wrap_connector(inner)
        } else {
            builder.enable_http1().wrap_connector(inner)
        };
        #[cfg(not(feature = "http2"))]
        let connector = builder.enable_http1().wrap_connector(inner);
        // The connect timeout covers TCP, the proxy tunnel and the TLS handshake together.
        let connector = Timed { inner: connector, limit: settings.connect_timeout };
        let client = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout.unwrap_or(DEFAULT_POOL_IDLE))
            // Without a timer the pool never closes idle connections: they stay open until the
            // next request to the same host finds them expired.
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
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

/// The proxies to use and the hosts that bypass them.
struct Proxies {
    matcher: Matcher,
    no_proxy: NoProxy,
}

impl Proxies {
    /// The proxy for `uri`, unless its host is on the no-proxy list.
    fn intercept(&self, uri: &http::Uri) -> Option<Intercept> {
        if uri.host().is_some_and(|host| self.no_proxy.matches(host)) {
            return None;
        }
        self.matcher.intercept(uri)
    }
}

/// A `NO_PROXY` list, matched as curl matches it (see [`ProxySettings::no_proxy`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct NoProxy {
    /// `*`: no host uses the proxy.
    all: bool,
    /// Lowercase domain names, without leading or trailing dots.
    names: Vec<String>,
    /// Addresses and the number of leading bits that must match.
    nets: Vec<(IpAddr, u8)>,
}

impl NoProxy {
    fn parse(list: &str) -> NoProxy {
        let mut parsed = NoProxy::default();
        for entry in list.split(|c: char| c == ',' || c.is_whitespace()).filter(|e| !e.is_empty()) {
            if entry == "*" {
                parsed.all = true;
                continue;
            }
            let (host, prefix) = match entry.split_once('/') {
                Some((host, bits)) => match bits.parse::<u8>() {
                    Ok(bits) => (host, Some(bits)),
                    Err(_) => {
                        tracing::debug!(entry, "NO_PROXY entry ignored: not a CIDR range");
                        continue;
                    }
                },
                None => (entry, None),
            };
            let host = strip_port(host);
            match host.parse::<IpAddr>() {
                Ok(ip) => {
                    let max = if ip.is_ipv4() { 32 } else { 128 };
                    match prefix {
                        Some(bits) if bits > max => {
                            tracing::debug!(entry, "NO_PROXY entry ignored: prefix longer than the address");
                        }
                        bits => parsed.nets.push((ip, bits.unwrap_or(max))),
                    }
                }
                Err(_) if prefix.is_some() => {
                    tracing::debug!(entry, "NO_PROXY entry ignored: a CIDR range needs an IP address");
                }
                Err(_) => {
                    let name = host.trim_start_matches('.').trim_end_matches('.').to_ascii_lowercase();
                    if !name.is_empty() {
                        parsed.names.push(name);
                    }
                }
            }
        }
        parsed
    }

    /// Whether `host` (a URI's host: a name, an IPv4 address or a bracketed IPv6 one) bypasses
    /// the proxy.
    fn matches(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return self.nets.iter().any(|(net, bits)| in_range(ip, *net, *bits));
        }
        let host = bare.trim_end_matches('.').to_ascii_lowercase();
        self.names
            .iter()
            .any(|name| host.strip_suffix(name.as_str()).is_some_and(|rest| rest.is_empty() || rest.ends_with('.')))
    }
}

/// An entry without its port: `host:port`, `1.2.3.4:port`, `[v6]:port` or `[v6]`; an IPv6
/// address without brackets is left whole.
fn strip_port(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(addr, _)| addr);
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => entry,
    }
}

/// Whether `ip` shares its first `bits` bits with `net` (an IPv4 address never matches an IPv6
/// range, nor the reverse).
fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    if bits == 0 {
        return true;
    }
    let shift = width - u32::from(bits);
    (ip >> shift) == (net >> shift)
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

impl<C> Transport for HyperTransport<C>
where
    C: tower_service::Service<http::Uri> + Clone + Send + Sync + 'static,
    C::Response: hyper::rt::Read + hyper::rt::Write + Connection + Unpin + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let (mut parts, data) = request.into_parts();
            // A forward proxy (http endpoints) takes its credentials with each request; a
            // `CONNECT` tunnel (https) takes them when it is opened.
            if parts.uri.scheme_str() == Some("http") {
                let auth = self.proxy.as_ref().and_then(|p| p.intercept(&parts.uri)?.basic_auth().cloned());
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

impl<C> HyperTransport<C> {
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
/// (http endpoints, where hyper then sends the request in absolute form), with the inner
/// connector: hyper-util's `HttpConnector` or the user's own.
#[derive(Clone)]
pub struct ProxyConnector<C> {
    inner: C,
    proxy: Option<Arc<Proxies>>,
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

impl<C> tower_service::Service<http::Uri> for ProxyConnector<C>
where
    C: tower_service::Service<http::Uri> + Clone + Send + Sync + 'static,
    C::Response: hyper::rt::Read + hyper::rt::Write + Connection + Unpin + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = ProxyStream<C::Response>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<ProxyStream<C::Response>, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The inner connector is asked when a connection is opened, in `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let mut inner = self.inner.clone();
        let intercept = self.proxy.as_ref().and_then(|p| p.intercept(&dst));
        Box::pin(async move {
            let Some(proxy) = intercept else {
                std::future::poll_fn(|cx| inner.poll_ready(cx)).await.map_err(Into::into)?;
                return Ok(ProxyStream { io: inner.call(dst).await.map_err(Into::into)?, forward: false });
            };
            if dst.scheme_str() == Some("https") {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), inner);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await?;
                let io = tunnel.call(dst).await?;
                Ok(ProxyStream { io, forward: false })
            } else {
                std::future::poll_fn(|cx| inner.poll_ready(cx)).await.map_err(Into::into)?;
                let io = inner.call(proxy.uri().clone()).await.map_err(Into::into)?;
                Ok(ProxyStream { io, forward: true })
            }
        })
    }
}

/// A stream to the endpoint or to a proxy, opened by the inner connector.
pub struct ProxyStream<T> {
    io: T,
    /// Connected to a forward proxy: requests go in absolute form.
    forward: bool,
}

impl<T: Connection> Connection for ProxyStream<T> {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forward)
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for ProxyStream<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for ProxyStream<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

/// A connector given to [`ConfigBuilder::http_connector`](crate::ConfigBuilder::http_connector):
/// the built-in transport is made over it from the configuration's HTTP settings.
#[derive(Clone)]
pub(crate) struct CustomConnector(Arc<MakeTransport>);

/// Builds a transport from HTTP settings.
type MakeTransport = dyn Fn(&HttpSettings) -> Result<Arc<dyn Transport>, TransportError> + Send + Sync;

impl CustomConnector {
    pub(crate) fn new<C>(connector: C) -> Self
    where
        C: tower_service::Service<http::Uri> + Clone + Send + Sync + 'static,
        C::Response: hyper::rt::Read + hyper::rt::Write + Connection + Unpin + Send + 'static,
        C::Future: Send + 'static,
        C::Error: Into<BoxError>,
    {
        CustomConnector(Arc::new(move |settings| {
            HyperTransport::with_connector(settings, connector.clone()).map(|t| Arc::new(t) as Arc<dyn Transport>)
        }))
    }

    pub(crate) fn transport(&self, settings: &HttpSettings) -> Result<Arc<dyn Transport>, TransportError> {
        (self.0)(settings)
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

    fn bypasses(list: &str, host: &str) -> bool {
        NoProxy::parse(list).matches(host)
    }

    #[test]
    fn no_proxy_star_alone_bypasses_everything() {
        assert!(bypasses("*", "example.com") && bypasses("*", "10.1.2.3") && bypasses("*", "[::1]"));
        assert!(bypasses("a.org, *", "example.com"), "`*` as one entry of several");
        // Only a lone `*` is a wildcard: not a glob.
        assert!(!bypasses("*.example.com", "a.example.com"));
        let settings = HttpSettings {
            proxy: ProxySettings { no_proxy: Some("x,*".into()), ..ProxySettings::all("http://proxy:1") },
            ..HttpSettings::default()
        };
        assert!(HyperTransport::new(&settings).unwrap().proxy.is_none(), "no proxy at all");
    }

    #[test]
    fn no_proxy_separators_are_commas_and_whitespace() {
        let list = " a.com,b.com \tc.com\n, ,d.com";
        for host in ["a.com", "b.com", "c.com", "d.com"] {
            assert!(bypasses(list, host), "{host}");
        }
        assert!(!bypasses(list, "e.com"));
        assert!(!bypasses("", "a.com") && !bypasses(" , ", "a.com"));
    }

    #[test]
    fn no_proxy_names_match_themselves_and_subdomains() {
        assert!(bypasses("example.com", "example.com"));
        assert!(bypasses("example.com", "a.example.com") && bypasses("example.com", "a.b.example.com"));
        assert!(!bypasses("example.com", "badexample.com"));
        assert!(!bypasses("example.com", "example.com.evil.org"));
        assert!(!bypasses("a.example.com", "example.com"), "a subdomain entry does not cover its parent");
        // A leading dot changes nothing.
        assert!(bypasses(".example.com", "example.com") && bypasses(".example.com", "www.example.com"));
        assert!(!bypasses(".example.com", "badexample.com"));
        // Trailing dots (fully qualified names) on either side.
        assert!(bypasses("example.com.", "www.example.com") && bypasses("example.com", "www.example.com."));
    }

    #[test]
    fn no_proxy_is_case_insensitive() {
        assert!(bypasses("Example.COM", "www.example.com"));
        assert!(bypasses("example.com", "WWW.EXAMPLE.Com"));
    }

    #[test]
    fn no_proxy_ip_addresses_match_literally_or_by_cidr() {
        assert!(bypasses("10.1.2.3", "10.1.2.3") && !bypasses("10.1.2.3", "10.1.2.4"));
        assert!(bypasses("10.0.0.0/8", "10.200.3.4") && !bypasses("10.0.0.0/8", "11.0.0.1"));
        assert!(bypasses("192.168.0.0/16", "192.168.77.1") && !bypasses("192.168.0.0/16", "192.169.0.1"));
        assert!(bypasses("0.0.0.0/0", "8.8.8.8"));
        assert!(bypasses("::1/128", "[::1]") && !bypasses("::1/128", "[::2]"));
        assert!(bypasses("fd00::/8", "[fd12:3456::1]") && !bypasses("fd00::/8", "[fe80::1]"));
        // IPv6 compared as addresses, not strings.
        assert!(bypasses("::1", "[0:0::1]"));
        // An IPv4 range never covers IPv6 addresses, nor the reverse.
        assert!(!bypasses("0.0.0.0/0", "[::1]") && !bypasses("::/0", "127.0.0.1"));
        // An IP address does not match a name entry, nor a name an IP entry.
        assert!(!bypasses("10.1.2.3", "host.10.1.2.3") && !bypasses("1.2.3", "10.1.2.3"));
        // Broken ranges are ignored, not fatal.
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/x", "example.com/8"] {
            assert!(!bypasses(bad, "10.0.0.1") && !bypasses(bad, "example.com"), "{bad}");
            assert!(bypasses(&format!("{bad},other.org"), "other.org"), "{bad} spoils no other entry");
        }
    }

    #[test]
    fn no_proxy_ipv6_with_or_without_brackets() {
        for entry in ["::1", "[::1]", "[::1]:443"] {
            assert!(bypasses(entry, "[::1]"), "{entry}");
            assert!(!bypasses(entry, "[::2]"), "{entry}");
        }
        assert!(bypasses("[fd00::]/8", "[fd00::5]"));
    }

    #[test]
    fn no_proxy_ignores_ports() {
        // The endpoint's port never matters (the URI's host has none); an entry's is dropped.
        assert!(bypasses("example.com:8080", "example.com") && bypasses("example.com:8080", "a.example.com"));
        assert!(bypasses("10.1.2.3:443", "10.1.2.3"));
        let p = Proxies {
            matcher: Matcher::builder().https("http://proxy:3128").build(),
            no_proxy: NoProxy::parse("example.com"),
        };
        assert!(p.intercept(&"https://www.example.com:8443/x".parse().unwrap()).is_none());
        assert!(p.intercept(&"https://example.org:443/".parse().unwrap()).is_some());
    }

    #[test]
    fn strip_port_cases() {
        assert_eq!(strip_port("host:80"), "host");
        assert_eq!(strip_port("host"), "host");
        assert_eq!(strip_port("::1"), "::1");
        assert_eq!(strip_port("fe80::1:2"), "fe80::1:2");
        assert_eq!(strip_port("[::1]:80"), "::1");
        assert_eq!(strip_port("[::1]"), "::1");
        assert_eq!(strip_port("host:abc"), "host:abc");
    }
}
