//! The built-in transport against real sockets on 127.0.0.1: TLS with a CA made at test time,
//! forward and `CONNECT` proxies, connection failures and the connection pool.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::tmp::TempDir;
use ecrpublic::{
    Client, Config, ConfigBuilder, Credentials, Env, ProxySettings, RetryConfig, SdkError, TransportErrorKind,
};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A safety net against hangs; never a measure of how fast anything is.
const SAFETY: Duration = Duration::from_secs(30);

type CallResult = Result<(), SdkError<ecrpublic::error::DescribeRepositoriesError>>;

/// A client configuration without endpoint: region, test credentials, one attempt per call.
fn base() -> ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry(RetryConfig::disabled())
}

async fn call_with(client: &Client) -> CallResult {
    let call = client.describe_repositories().send();
    tokio::time::timeout(SAFETY, call).await.expect("the call finishes").map(|_| ())
}

async fn call(config: Config) -> CallResult {
    call_with(&Client::new(&config)).await
}

fn transport_error(result: CallResult, kind: TransportErrorKind) -> String {
    match result {
        Err(SdkError::Transport(e)) => {
            assert_eq!(e.kind(), kind, "{e}");
            e.to_string()
        }
        other => panic!("expected a {kind:?} transport error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// A target server: plain or TLS, counting connections and recording requests
// ---------------------------------------------------------------------------------------------

/// A CA and a server certificate it signed, made fresh for each test.
struct Pki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

impl Pki {
    /// A server certificate for `names` (host names or IP addresses).
    fn new(names: &[&str]) -> Self {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "ecrpublic test CA");
        ca.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
        let ca = ca.self_signed(&ca_key).unwrap();

        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, names[0]);
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();

        // The test server's TLS is on *ring*, like the client's (deprecated in rustls 0.23.48
        // only for lacking post-quantum key exchange).
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap();
        Pki { ca_pem: ca.pem(), server: Arc::new(server) }
    }

    /// The CA certificate written to `ca.pem` in `dir`.
    fn ca_file(&self, dir: &TempDir) -> String {
        dir.write("ca.pem", &self.ca_pem);
        dir.file("ca.pem")
    }
}

/// One request as the target saw it.
#[derive(Debug, Clone)]
struct Seen {
    uri: String,
    host: String,
    authorization: String,
}

/// An HTTP/1.1 server on 127.0.0.1 answering `200 {}`; over TLS when given a configuration.
struct Target {
    addr: SocketAddr,
    tls: bool,
    accepted: Arc<AtomicUsize>,
    /// Connections that ended, for waiting on the client closing one.
    closed: watch::Receiver<usize>,
    requests: Arc<Mutex<Vec<Seen>>>,
    /// TLS handshakes that failed, with the server's view of why.
    handshake_errors: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Target {
    async fn http() -> Self {
        Self::start(None).await
    }

    async fn https(pki: &Pki) -> Self {
        Self::start(Some(tokio_rustls::TlsAcceptor::from(pki.server.clone()))).await
    }

    async fn start(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let (closed_tx, closed) = watch::channel(0usize);
        let closed_tx = Arc::new(closed_tx);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handshake_errors = Arc::new(Mutex::new(Vec::new()));
        let is_tls = tls.is_some();
        let task = {
            let (accepted, requests, handshake_errors) = (accepted.clone(), requests.clone(), handshake_errors.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else { return };
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let (tls, requests, errors, closed_tx) =
                        (tls.clone(), requests.clone(), handshake_errors.clone(), closed_tx.clone());
                    tokio::spawn(async move {
                        match tls {
                            None => serve(stream, requests).await,
                            Some(acceptor) => match acceptor.accept(stream).await {
                                Ok(stream) => serve(stream, requests).await,
                                Err(e) => errors.lock().unwrap().push(e.to_string()),
                            },
                        }
                        closed_tx.send_modify(|n| *n += 1);
                    });
                }
            })
        };
        Target { addr, tls: is_tls, accepted, closed, requests, handshake_errors, task }
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` for TLS.
    fn endpoint(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.port())
        } else {
            format!("http://127.0.0.1:{}", self.port())
        }
    }

    fn requests(&self) -> Vec<Seen> {
        self.requests.lock().unwrap().clone()
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Waits until `n` connections have ended.
    async fn wait_closed(&self, n: usize) {
        let mut closed = self.closed.clone();
        tokio::time::timeout(SAFETY, closed.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("{n} connection(s) not closed within {SAFETY:?}"))
            .unwrap();
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(stream: S, requests: Arc<Mutex<Vec<Seen>>>) {
    let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let requests = requests.clone();
        async move {
            let header =
                |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            requests.lock().unwrap().push(Seen {
                uri: req.uri().to_string(),
                host: header("host"),
                authorization: header("authorization"),
            });
            let response = http::Response::builder()
                .status(200)
                .header("content-type", "application/x-amz-json-1.1")
                .body(Full::new(Bytes::from_static(b"{}")))
                .unwrap();
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn https_with_the_test_ca_bundle() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let server = Target::https(&pki).await;
    let dir = TempDir::new();
    let config = base().endpoint_url(server.endpoint()).ca_bundle(pki.ca_file(&dir)).build();
    call(config).await.expect("the CA bundle makes the certificate trusted");
    let seen = server.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].host, format!("localhost:{}", server.port()));
    assert!(seen[0].authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKID/"), "{seen:?}");

    // The certificate names 127.0.0.1 too.
    let config = base().endpoint_url(format!("https://127.0.0.1:{}", server.port())).ca_bundle(pki.ca_file(&dir));
    call(config.build()).await.expect("the IP address SAN matches");
}

#[tokio::test]
async fn https_without_the_ca_bundle_is_an_unknown_issuer() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let server = Target::https(&pki).await;
    let message = transport_error(call(base().endpoint_url(server.endpoint()).build()).await, TransportErrorKind::Tls);
    assert!(message.contains("invalid peer certificate") && message.contains("UnknownIssuer"), "{message}");
    assert!(server.requests().is_empty());
    // The client gave up in the handshake: the server saw it fail, not a request.
    server.wait_closed(1).await;
    let errors = server.handshake_errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[tokio::test]
async fn https_with_a_certificate_for_another_name() {
    let pki = Pki::new(&["other.test"]);
    let server = Target::https(&pki).await;
    let dir = TempDir::new();
    let config = base().endpoint_url(server.endpoint()).ca_bundle(pki.ca_file(&dir)).build();
    let message = transport_error(call(config).await, TransportErrorKind::Tls);
    assert!(message.contains("not valid for name \"localhost\""), "{message}");
}

#[tokio::test]
async fn tls_failures_are_not_retried() {
    let pki = Pki::new(&["localhost"]);
    let server = Target::https(&pki).await;
    let config = base().endpoint_url(server.endpoint()).retry(RetryConfig::default()).build();
    let message = transport_error(call(config).await, TransportErrorKind::Tls);
    assert!(message.starts_with("TLS handshake failed"), "{message}");
    // Retrying cannot fix a certificate: one connection, not one per attempt.
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn another_ca_is_not_trusted() {
    let pki = Pki::new(&["localhost"]);
    let other = Pki::new(&["localhost"]);
    let server = Target::https(&pki).await;
    let dir = TempDir::new();
    let config = base().endpoint_url(server.endpoint()).ca_bundle(other.ca_file(&dir)).build();
    let message = transport_error(call(config).await, TransportErrorKind::Tls);
    assert!(message.contains("invalid peer certificate"), "{message}");
}

#[tokio::test]
async fn ca_bundle_from_the_environment_and_profile() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let server = Target::https(&pki).await;
    let dir = TempDir::new();
    let ca = pki.ca_file(&dir);

    let env = Env::from_vars([
        ("AWS_CA_BUNDLE", ca.as_str()),
        ("AWS_ENDPOINT_URL", server.endpoint().as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_MAX_ATTEMPTS", "1"),
        // No region: IMDS would be asked for one. Nothing may leave 127.0.0.1.
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let config = Config::loader().env(env).load().await.unwrap().build();
    call(config).await.expect("AWS_CA_BUNDLE is trusted");

    let profile = dir.write("config", format!("[default]\nca_bundle = {ca}\nendpoint_url = {}\n", server.endpoint()));
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", profile.to_string_lossy().as_ref()),
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_MAX_ATTEMPTS", "1"),
        // No region: IMDS would be asked for one. Nothing may leave 127.0.0.1.
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let config = Config::loader().env(env).load().await.unwrap().build();
    call(config).await.expect("the profile's ca_bundle is trusted");
    assert_eq!(server.requests().len(), 2);

    // The environment beats the profile: a bundle of another CA fails.
    let other_dir = TempDir::new();
    let other = Pki::new(&["localhost"]).ca_file(&other_dir);
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", profile.to_string_lossy().as_ref()),
        ("AWS_CA_BUNDLE", other.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_MAX_ATTEMPTS", "1"),
        // No region: IMDS would be asked for one. Nothing may leave 127.0.0.1.
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let config = Config::loader().env(env).load().await.unwrap().build();
    transport_error(call(config).await, TransportErrorKind::Tls);
}

#[tokio::test]
async fn a_bad_ca_bundle_is_a_clear_error() {
    let dir = TempDir::new();
    let missing = dir.file("missing.pem");
    let server = Target::http().await;
    let config = base().endpoint_url(server.endpoint()).ca_bundle(&missing).build();
    let message = transport_error(call(config).await, TransportErrorKind::Tls);
    assert!(message.contains(&missing) && message.contains("CA bundle"), "{message}");

    let empty = dir.write("empty.pem", "not a certificate\n");
    let config = base().endpoint_url(server.endpoint()).ca_bundle(&empty).build();
    let message = transport_error(call(config).await, TransportErrorKind::Tls);
    assert!(message.contains(&*empty.to_string_lossy()) && message.contains("no usable certificate"), "{message}");
    assert!(server.requests().is_empty(), "nothing is sent with a broken CA bundle");
}

// ---------------------------------------------------------------------------------------------
// Proxies
// ---------------------------------------------------------------------------------------------

/// A proxy on 127.0.0.1: `CONNECT host:port` is tunnelled, an absolute-form request is
/// forwarded to its host. It records the request head (line and headers) that opens each
/// connection.
struct Proxy {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Proxy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let task = {
            let heads = heads.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else { return };
                    tokio::spawn(proxy_connection(stream, heads.clone()));
                }
            })
        };
        Proxy { addr, heads, task }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request line of each connection.
    fn seen(&self) -> Vec<String> {
        self.heads().iter().map(|h| h.lines().next().unwrap_or_default().to_owned()).collect()
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn proxy_connection(mut client: TcpStream, heads: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    };
    let text = String::from_utf8_lossy(&head[..head_end]).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    heads.lock().unwrap().push(text.clone());
    let mut words = line.split(' ');
    let (method, target) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
    let (authority, forward) = if method == "CONNECT" {
        (target.to_owned(), &head[head_end..])
    } else {
        match target.parse::<http::Uri>().ok().and_then(|u| u.authority().map(|a| a.to_string())) {
            Some(a) => (a, &head[..]),
            None => {
                let _ = client.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
                return;
            }
        }
    };
    let Ok(mut upstream) = TcpStream::connect(&authority).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n").await;
        return;
    };
    if method == "CONNECT" && client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await.is_err() {
        return;
    }
    if upstream.write_all(forward).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

#[tokio::test]
async fn http_endpoint_through_a_forward_proxy() {
    let proxy = Proxy::start().await;
    let server = Target::http().await;
    call(base().endpoint_url(server.endpoint()).proxy(proxy.url()).build()).await.expect("call through the proxy");
    assert_eq!(proxy.seen(), [format!("POST http://127.0.0.1:{}/ HTTP/1.1", server.port())]);
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].host, format!("127.0.0.1:{}", server.port()), "the Host header names the endpoint");
}

#[tokio::test]
async fn https_endpoint_through_a_connect_tunnel() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let server = Target::https(&pki).await;
    let proxy = Proxy::start().await;
    let dir = TempDir::new();
    let config = base().endpoint_url(server.endpoint()).ca_bundle(pki.ca_file(&dir)).proxy(proxy.url()).build();
    call(config).await.expect("call through the tunnel");
    assert_eq!(proxy.seen(), [format!("CONNECT localhost:{} HTTP/1.1", server.port())]);
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    // Through the tunnel the request is in origin form, as to the endpoint itself.
    assert_eq!(seen[0].uri, "/");
}

#[tokio::test]
async fn each_scheme_uses_its_own_proxy() {
    let pki = Pki::new(&["localhost"]);
    let tls = Target::https(&pki).await;
    let plain = Target::http().await;
    let (http_proxy, https_proxy) = (Proxy::start().await, Proxy::start().await);
    let dir = TempDir::new();
    let proxy = ProxySettings { http: Some(http_proxy.url()), https: Some(https_proxy.url()), no_proxy: None };
    let with = |endpoint: String| base().endpoint_url(endpoint).ca_bundle(pki.ca_file(&dir)).proxy(proxy.clone());
    call(with(plain.endpoint()).build()).await.expect("http call");
    call(with(tls.endpoint()).build()).await.expect("https call");
    assert_eq!(http_proxy.seen(), [format!("POST http://127.0.0.1:{}/ HTTP/1.1", plain.port())]);
    assert_eq!(https_proxy.seen(), [format!("CONNECT localhost:{} HTTP/1.1", tls.port())]);

    // An https-only proxy leaves http endpoints direct.
    let only_https = ProxySettings { https: Some(https_proxy.url()), ..ProxySettings::default() };
    call(base().endpoint_url(plain.endpoint()).proxy(only_https).build()).await.expect("direct http call");
    assert_eq!(https_proxy.seen().len(), 1);
    assert_eq!(plain.requests().len(), 2);
}

#[tokio::test]
async fn no_proxy_bypasses_the_proxy() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let tls = Target::https(&pki).await;
    let plain = Target::http().await;
    let proxy = Proxy::start().await;
    let dir = TempDir::new();
    for no_proxy in ["127.0.0.1,localhost", "localhost, 127.0.0.0/8", "*"] {
        let settings = ProxySettings::all(proxy.url());
        let settings = ProxySettings { no_proxy: Some(no_proxy.to_owned()), ..settings };
        let with =
            |endpoint: String| base().endpoint_url(endpoint).ca_bundle(pki.ca_file(&dir)).proxy(settings.clone());
        call(with(plain.endpoint()).build()).await.expect("direct http call");
        call(with(tls.endpoint()).build()).await.expect("direct https call");
    }
    assert_eq!(proxy.seen(), Vec::<String>::new(), "the proxy saw nothing");
    assert_eq!((plain.requests().len(), tls.requests().len()), (3, 3));

    // A no-proxy list naming other hosts does not bypass it.
    let settings = ProxySettings { no_proxy: Some("example.com,10.0.0.0/8".into()), ..ProxySettings::all(proxy.url()) };
    call(base().endpoint_url(plain.endpoint()).proxy(settings).build()).await.expect("proxied call");
    assert_eq!(proxy.seen().len(), 1);
}

/// A configuration loaded from `vars` only (no profile files), for `endpoint`.
async fn loaded(vars: &[(&str, &str)], endpoint: &str, ca: Option<&str>) -> Config {
    let mut all = vec![
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_MAX_ATTEMPTS", "1"),
    ];
    if let Some(ca) = ca {
        all.push(("AWS_CA_BUNDLE", ca));
    }
    all.extend_from_slice(vars);
    Config::loader().env(Env::from_vars(all)).load().await.expect("configuration loads").build()
}

#[tokio::test]
async fn proxies_from_the_environment() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let tls = Target::https(&pki).await;
    let plain = Target::http().await;
    let (http_proxy, https_proxy) = (Proxy::start().await, Proxy::start().await);
    let dir = TempDir::new();
    let ca = pki.ca_file(&dir);
    let (http_url, https_url) = (http_proxy.url(), https_proxy.url());
    let vars = [("HTTP_PROXY", http_url.as_str()), ("HTTPS_PROXY", https_url.as_str())];

    call(loaded(&vars, &plain.endpoint(), None).await).await.expect("http call");
    call(loaded(&vars, &tls.endpoint(), Some(&ca)).await).await.expect("https call");
    assert_eq!(http_proxy.seen(), [format!("POST http://127.0.0.1:{}/ HTTP/1.1", plain.port())]);
    assert_eq!(https_proxy.seen(), [format!("CONNECT localhost:{} HTTP/1.1", tls.port())]);

    // Lower-case names work too.
    let lower = [("http_proxy", http_url.as_str()), ("https_proxy", https_url.as_str())];
    call(loaded(&lower, &plain.endpoint(), None).await).await.expect("http call");
    call(loaded(&lower, &tls.endpoint(), Some(&ca)).await).await.expect("https call");
    assert_eq!((http_proxy.seen().len(), https_proxy.seen().len()), (2, 2));

    // NO_PROXY (or no_proxy) bypasses them.
    for no_proxy in ["NO_PROXY", "no_proxy"] {
        let vars = [vars[0], vars[1], (no_proxy, "localhost,127.0.0.1")];
        call(loaded(&vars, &plain.endpoint(), None).await).await.expect("direct http call");
        call(loaded(&vars, &tls.endpoint(), Some(&ca)).await).await.expect("direct https call");
    }
    assert_eq!((http_proxy.seen().len(), https_proxy.seen().len()), (2, 2), "bypassed");
    assert_eq!((plain.requests().len(), tls.requests().len()), (4, 4));

    // No proxy variables: direct.
    let config = loaded(&[], &plain.endpoint(), None).await;
    assert!(format!("{config:?}").contains("proxy: ProxySettings { http: None, https: None, no_proxy: None }"));
}

#[tokio::test]
async fn proxy_credentials_go_to_the_proxy() {
    let pki = Pki::new(&["localhost"]);
    let tls = Target::https(&pki).await;
    let plain = Target::http().await;
    let proxy = Proxy::start().await;
    let dir = TempDir::new();
    let url = format!("http://user:pa%3Ass@{}", proxy.addr);
    let with = |endpoint: String| base().endpoint_url(endpoint).ca_bundle(pki.ca_file(&dir)).proxy(url.as_str());
    call(with(plain.endpoint()).build()).await.expect("http call");
    call(with(tls.endpoint()).build()).await.expect("https call");
    let expected = format!(
        "proxy-authorization: basic {}",
        base64_simd::STANDARD.encode_to_string("user:pa:ss").to_ascii_lowercase()
    );
    let heads = proxy.heads();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(heads[0].starts_with("POST http://"), "{heads:?}");
    assert!(heads[1].starts_with("CONNECT localhost:"), "{heads:?}");
    for head in &heads {
        assert!(head.to_ascii_lowercase().contains(&expected), "`{expected}` in {head}");
    }
}

#[tokio::test]
async fn a_proxy_url_without_scheme_is_http() {
    let proxy = Proxy::start().await;
    let server = Target::http().await;
    call(base().endpoint_url(server.endpoint()).proxy(proxy.addr.to_string()).build()).await.expect("call");
    assert_eq!(proxy.seen().len(), 1);
}

#[tokio::test]
async fn an_unusable_proxy_url_is_a_clear_error() {
    let server = Target::http().await;
    for (url, why) in [
        ("socks5://127.0.0.1:1080", "`socks5` proxies are not supported"),
        ("https://127.0.0.1:8443", "`https` proxies are not supported"),
        ("not a proxy", "not a URL"),
        ("http://user:hunter2@", "not a URL"),
        ("https://user:hunter2@127.0.0.1:8443", "`https` proxies are not supported"),
    ] {
        let config = base().endpoint_url(server.endpoint()).proxy(url).build();
        let message = transport_error(call(config).await, TransportErrorKind::Request);
        assert!(message.contains("invalid proxy URL") && message.contains(why), "{url}: {message}");
        assert!(!message.contains("hunter2"), "the password is not shown: {message}");
    }
    // The same from the environment.
    let config = loaded(&[("HTTP_PROXY", "socks5h://127.0.0.1:1080")], &server.endpoint(), None).await;
    let message = transport_error(call(config).await, TransportErrorKind::Request);
    assert!(message.contains("invalid proxy URL `socks5h://127.0.0.1:1080`"), "{message}");
    assert!(server.requests().is_empty(), "nothing is sent past a bad proxy setting");
}

#[tokio::test]
async fn a_proxy_that_is_down_is_a_connect_error() {
    let closed = closed_port().await;
    let server = Target::http().await;
    let config = base().endpoint_url(server.endpoint()).proxy(format!("http://127.0.0.1:{closed}")).build();
    let message = transport_error(call(config).await, TransportErrorKind::Connect);
    assert!(message.contains("Connection refused"), "{message}");
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Connection failures
// ---------------------------------------------------------------------------------------------

/// A port on 127.0.0.1 that nothing listens on.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let port = closed_port().await;
    let config = base().endpoint_url(format!("http://127.0.0.1:{port}")).build();
    let message = transport_error(call(config).await, TransportErrorKind::Connect);
    assert!(message.contains("Connection refused"), "{message}");
    assert!(message.contains("could not connect"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// The connection pool
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn sequential_calls_reuse_one_connection() {
    let server = Target::http().await;
    let client = Client::new(&base().endpoint_url(server.endpoint()).build());
    for _ in 0..3 {
        call_with(&client).await.expect("call succeeds");
    }
    assert_eq!(server.requests().len(), 3);
    assert_eq!(server.accepted(), 1, "one pooled connection");

    // Over TLS too.
    let pki = Pki::new(&["localhost"]);
    let server = Target::https(&pki).await;
    let dir = TempDir::new();
    let client = Client::new(&base().endpoint_url(server.endpoint()).ca_bundle(pki.ca_file(&dir)).build());
    for _ in 0..3 {
        call_with(&client).await.expect("call succeeds");
    }
    assert_eq!((server.requests().len(), server.accepted()), (3, 1));
}

#[tokio::test]
async fn an_expired_idle_connection_is_not_reused() {
    let server = Target::http().await;
    let config = base().endpoint_url(server.endpoint()).pool_idle_timeout(Duration::from_millis(50)).build();
    let client = Client::new(&config);
    call_with(&client).await.expect("first call");
    // Not a timing assertion: only a wait well past the idle timeout.
    tokio::time::sleep(Duration::from_millis(300)).await;
    call_with(&client).await.expect("second call");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.accepted(), 2, "a new connection after the idle timeout");
}

#[tokio::test]
async fn the_pool_closes_idle_connections_in_the_background() {
    let server = Target::http().await;
    let config = base().endpoint_url(server.endpoint()).pool_idle_timeout(Duration::from_millis(50)).build();
    let client = Client::new(&config);
    call_with(&client).await.expect("first call");
    // The client itself closes the idle connection, without another request to trigger it.
    server.wait_closed(1).await;
    call_with(&client).await.expect("second call");
    assert_eq!(server.accepted(), 2);
    drop(client);
}
