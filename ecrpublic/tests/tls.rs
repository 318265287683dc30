//! TLS and HTTP through the public API, against a local TLS server with certificates made at
//! test time: the root store (CA bundle file, PEM in memory), client certificates (mutual TLS),
//! HTTP/2 when enabled (and the transport's limits over it), a connector and a transport of the
//! user's own.

mod common;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::tmp::TempDir;
use ecrpublic::{
    BoxFuture, ClientIdentity, Config, ConfigBuilder, Credentials, HttpRequest, HttpResponse, HttpSettings,
    HyperTransport, RetryConfig, SdkError, Transport, TransportError, TransportErrorKind,
};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A safety net against hangs; never a measure of how fast anything is.
const SAFETY: Duration = Duration::from_secs(30);

type CallResult = Result<usize, SdkError<ecrpublic::error::DescribeRegistriesError>>;

/// A client configuration without endpoint: region, test credentials, one attempt per call.
fn base() -> ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry(RetryConfig::disabled())
}

/// `DescribeRegistries`, under the safety timeout; the number of registries it returned.
async fn call(config: &Config) -> CallResult {
    let client = ecrpublic::Client::new(config);
    let call = client.describe_registries().send();
    tokio::time::timeout(SAFETY, call).await.expect("the call finishes").map(|out| out.registries.len())
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
// Certificates
// ---------------------------------------------------------------------------------------------

/// A CA, a server certificate and a client certificate it signed, made fresh for each test.
struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
    client_cert_pem: String,
    client_key_pem: String,
}

impl Pki {
    fn new() -> Self {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "ecrpublic TLS test CA");
        ca.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
        let ca = ca.self_signed(&ca_key).unwrap();

        let server_key = rcgen::KeyPair::generate().unwrap();
        let names = ["localhost", "127.0.0.1", "ecr.test.internal"].map(String::from).to_vec();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let server = params.signed_by(&server_key, &ca, &ca_key).unwrap();

        let client_key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, "ecrpublic test client");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let client = params.signed_by(&client_key, &ca, &ca_key).unwrap();

        Pki {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            server_chain: vec![server.der().clone()],
            server_key: server_key.serialize_der(),
            client_cert_pem: client.pem(),
            client_key_pem: client_key.serialize_pem(),
        }
    }

    /// The server's TLS: a client certificate signed by the CA required or not, the protocols
    /// offered by ALPN.
    fn server_config(&self, require_client_cert: bool, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
        // The test server's TLS is on *ring*, like the client's (deprecated in rustls 0.23.48
        // only for lacking post-quantum key exchange).
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.ca_der.clone()).unwrap();
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key.clone()));
        let mut config = builder.with_single_cert(self.server_chain.clone(), key).unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }

    fn ca_file(&self, dir: &TempDir) -> String {
        dir.write("ca.pem", &self.ca_pem);
        dir.file("ca.pem")
    }

    fn client_identity(&self) -> ClientIdentity {
        ClientIdentity::from_pem(self.client_cert_pem.clone(), self.client_key_pem.clone())
    }
}

// ---------------------------------------------------------------------------------------------
// A TLS server answering DescribeRegistries over HTTP/1.1 or HTTP/2 (as ALPN decides)
// ---------------------------------------------------------------------------------------------

/// How the server answers.
#[derive(Clone, Copy)]
// `Large` and `Slow` serve the HTTP/2 tests.
#[cfg_attr(not(feature = "http2"), allow(dead_code))]
enum Answer {
    /// `200` with one registry.
    Registries,
    /// `200` with a body of this many bytes.
    Large(usize),
    /// Headers, then nothing for this long before the body.
    Slow(Duration),
}

/// What the server saw of one connection and its requests.
#[derive(Default)]
struct Seen {
    /// The HTTP version of each request.
    versions: Vec<http::Version>,
    /// The `x-amz-target` of each request.
    targets: Vec<String>,
    /// Whether each connection's client showed a certificate.
    client_certs: Vec<bool>,
    /// TLS handshakes that failed, with the server's view of why.
    handshake_errors: Vec<String>,
}

struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start(tls: Arc<rustls::ServerConfig>, answer: Answer) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        let task = {
            let seen = seen.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else { return };
                    let (acceptor, seen) = (acceptor.clone(), seen.clone());
                    tokio::spawn(async move {
                        let stream = match acceptor.accept(stream).await {
                            Ok(stream) => stream,
                            Err(e) => return seen.lock().unwrap().handshake_errors.push(e.to_string()),
                        };
                        let (_, connection) = stream.get_ref();
                        let h2 = connection.alpn_protocol() == Some(b"h2");
                        seen.lock().unwrap().client_certs.push(connection.peer_certificates().is_some());
                        serve(TokioIo::new(stream), h2, answer, seen).await;
                    });
                }
            })
        };
        Server { addr, seen, task }
    }

    /// `https://localhost:PORT`.
    fn endpoint(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    fn seen<T>(&self, f: impl FnOnce(&Seen) -> T) -> T {
        f(&self.seen.lock().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Body = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;

async fn serve<S>(io: TokioIo<S>, h2: bool, answer: Answer, seen: Arc<Mutex<Seen>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let seen = seen.clone();
        async move {
            {
                let mut seen = seen.lock().unwrap();
                seen.versions.push(req.version());
                let target = req.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
                seen.targets.push(target.to_owned());
            }
            let response = http::Response::builder().status(200).header("content-type", "application/x-amz-json-1.1");
            let body: Body = match answer {
                Answer::Registries => {
                    let json = r#"{"registries":[{"registryId":"123456789012","registryArn":"arn:aws:ecr-public::123456789012:registry/123456789012","registryUri":"public.ecr.aws/test","verified":false,"aliases":[]}]}"#;
                    http_body_util::BodyExt::boxed(Full::new(Bytes::from_static(json.as_bytes())))
                }
                Answer::Large(n) => http_body_util::BodyExt::boxed(Full::new(Bytes::from(vec![b' '; n]))),
                Answer::Slow(pause) => http_body_util::BodyExt::boxed(SlowBody(Box::pin(tokio::time::sleep(pause)))),
            };
            Ok::<_, std::convert::Infallible>(response.body(body).unwrap())
        }
    });
    if h2 {
        let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new()).serve_connection(io, service).await;
    } else {
        let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
    }
}

/// A body whose only piece comes after a pause.
struct SlowBody(std::pin::Pin<Box<tokio::time::Sleep>>);

impl hyper::body::Body for SlowBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        if self.0.is_elapsed() {
            return std::task::Poll::Ready(None);
        }
        self.0.as_mut().poll(cx).map(|()| Some(Ok(hyper::body::Frame::data(Bytes::from_static(b"{}")))))
    }
}

const H2_AND_H1: &[&[u8]] = &[b"h2", b"http/1.1"];

// ---------------------------------------------------------------------------------------------
// The root store
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_self_made_ca_is_refused_by_default_and_trusted_from_a_file_or_memory() {
    let pki = Pki::new();
    let server = Server::start(pki.server_config(false, &[]), Answer::Registries).await;

    let config = base().endpoint_url(server.endpoint()).build();
    let message = transport_error(call(&config).await, TransportErrorKind::Tls);
    assert!(message.contains("TLS"), "{message}");
    assert!(server.seen(|s| s.targets.is_empty()), "nothing is sent to an untrusted server");

    let dir = TempDir::new();
    let from_file = base().endpoint_url(server.endpoint()).ca_bundle(pki.ca_file(&dir)).build();
    assert_eq!(call(&from_file).await.expect("the bundle file's CA is trusted"), 1);

    let in_memory = base().endpoint_url(server.endpoint()).ca_bundle_pem(pki.ca_pem.as_str()).build();
    assert_eq!(call(&in_memory).await.expect("the in-memory CA is trusted"), 1);
    assert!(server.seen(|s| s.targets.iter().all(|t| t.ends_with(".DescribeRegistries"))));
}

#[tokio::test]
async fn ssl_cert_file_is_honoured_by_the_loader() {
    let pki = Pki::new();
    let server = Server::start(pki.server_config(false, &[]), Answer::Registries).await;
    let dir = TempDir::new();
    let vars = [
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "AKID".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "SECRET".to_owned()),
        ("AWS_ENDPOINT_URL", server.endpoint()),
        ("AWS_MAX_ATTEMPTS", "1".to_owned()),
        ("SSL_CERT_FILE", pki.ca_file(&dir)),
    ];
    let env = ecrpublic::Env::from_vars(vars.clone());
    let config = Config::loader().env(env).load().await.unwrap().build();
    assert_eq!(call(&config).await.expect("SSL_CERT_FILE's CA is trusted"), 1);

    // A broken one is an error naming the file, not a silent fallback to other roots.
    let empty = dir.write("empty.pem", "no certificates here\n");
    let mut vars = vars.to_vec();
    vars[5].1 = empty.to_string_lossy().into_owned();
    let config = Config::loader().env(ecrpublic::Env::from_vars(vars)).load().await.unwrap().build();
    let message = transport_error(call(&config).await, TransportErrorKind::Tls);
    assert!(message.contains(&*empty.to_string_lossy()), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Client certificates
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_server_requiring_a_client_certificate_refuses_a_client_without_one() {
    let pki = Pki::new();
    let server = Server::start(pki.server_config(true, &[]), Answer::Registries).await;
    let config = base().endpoint_url(server.endpoint()).ca_bundle_pem(pki.ca_pem.as_str()).build();
    transport_error(call(&config).await, TransportErrorKind::Tls);
    assert!(server.seen(|s| s.targets.is_empty()), "no request got through");
    let errors = server.seen(|s| s.handshake_errors.clone());
    assert!(!errors.is_empty(), "the server refused the handshake");
}

#[tokio::test]
async fn a_client_certificate_from_memory_or_files_is_accepted() {
    let pki = Pki::new();
    let server = Server::start(pki.server_config(true, &[]), Answer::Registries).await;
    let with = |identity: ClientIdentity| {
        base().endpoint_url(server.endpoint()).ca_bundle_pem(pki.ca_pem.as_str()).client_identity(identity).build()
    };
    assert_eq!(call(&with(pki.client_identity())).await.expect("in-memory identity"), 1);

    let dir = TempDir::new();
    let chain = dir.write("client.crt", &pki.client_cert_pem);
    let key = dir.write("client.key", &pki.client_key_pem);
    assert_eq!(call(&with(ClientIdentity::from_pem_files(&chain, &key))).await.expect("identity in files"), 1);
    // Chain and key in one file.
    let both = dir.write("client.pem", format!("{}{}", pki.client_cert_pem, pki.client_key_pem));
    assert_eq!(call(&with(ClientIdentity::from_pem_files(&both, &both))).await.expect("one file"), 1);
    assert_eq!(server.seen(|s| s.client_certs.clone()), vec![true; 3]);
}

#[tokio::test]
async fn a_bad_client_identity_is_a_tls_error_that_quotes_no_key() {
    let pki = Pki::new();
    let other = Pki::new();
    let server = Server::start(pki.server_config(true, &[]), Answer::Registries).await;
    let key_body = |pem: &str| pem.lines().nth(1).unwrap_or_default().to_owned();
    let secret = key_body(&other.client_key_pem);
    let dir = TempDir::new();
    let missing = dir.file("missing.key");
    let cases = [
        // A key that is not the certificate's.
        (ClientIdentity::from_pem(pki.client_cert_pem.clone(), other.client_key_pem.clone()), "client certificate"),
        // No key at all, or a broken one.
        (ClientIdentity::from_pem(pki.client_cert_pem.clone(), pki.client_cert_pem.clone()), "no private key"),
        (
            ClientIdentity::from_pem(
                pki.client_cert_pem.clone(),
                other.client_key_pem.replace("-----END PRIVATE KEY-----", "").replace('A', "!"),
            ),
            "private key",
        ),
        (ClientIdentity::from_pem_files(dir.write("c.pem", &pki.client_cert_pem), &missing), "missing.key"),
        (ClientIdentity::from_pem("", other.client_key_pem.clone()), "no certificate"),
    ];
    for (identity, expected) in cases {
        let config =
            base().endpoint_url(server.endpoint()).ca_bundle_pem(pki.ca_pem.as_str()).client_identity(identity);
        let config = config.build();
        let shown = format!("{config:?}");
        assert!(!shown.contains(&secret), "{shown}");
        let message = transport_error(call(&config).await, TransportErrorKind::Tls);
        assert!(message.contains(expected), "{expected}: {message}");
        assert!(!message.contains(&secret) && !message.contains("PRIVATE KEY-----"), "{message}");
    }
    assert!(server.seen(|s| s.targets.is_empty()));
}

#[test]
fn debug_redacts_an_in_memory_private_key() {
    let pki = Pki::new();
    let secret = pki.client_key_pem.lines().nth(1).unwrap().to_owned();
    let settings = HttpSettings { client_identity: Some(pki.client_identity()), ..HttpSettings::default() };
    let config = base().client_identity(pki.client_identity()).build();
    for shown in [
        format!("{:?}", pki.client_identity()),
        format!("{settings:?}"),
        format!("{settings:#?}"),
        format!("{config:?}"),
        format!("{config:#?}"),
    ] {
        assert!(!shown.contains(&secret) && shown.contains("<redacted>"), "{shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP/2
// ---------------------------------------------------------------------------------------------

/// Without the `http2` feature, asking for HTTP/2 fails when the client is built, saying why.
#[tokio::test]
#[cfg(not(feature = "http2"))]
async fn asking_for_http2_without_the_feature_is_a_typed_error() {
    let config = base().endpoint_url("https://127.0.0.1:9").http2(true).build();
    let e = transport_error(call(&config).await, TransportErrorKind::Request);
    assert!(e.contains("`http2` feature"), "{e}");
}

#[tokio::test]
#[cfg(feature = "http2")]
async fn http2_is_used_when_enabled_and_offered() {
    let pki = Pki::new();
    let server = Server::start(pki.server_config(false, H2_AND_H1), Answer::Registries).await;
    let config = base().endpoint_url(server.endpoint()).ca_bundle_pem(pki.ca_pem.as_str());

    assert_eq!(call(&config.clone().build()).await.expect("HTTP/1.1 by default"), 1);
    assert_eq!(server.seen(|s| s.versions.clone()), vec![http::Version::HTTP_11]);

    let h2 = config.clone().http2(true).build();
    assert_eq!(call(&h2).await.expect("over HTTP/2"), 1);
    assert_eq!(call(&h2).await.expect("again, on the same connection"), 1);
    assert_eq!(
        server.seen(|s| s.versions.clone()),
        vec![http::Version::HTTP_11, http::Version::HTTP_2, http::Version::HTTP_2]
    );

    // With mutual TLS as well.
    let server = Server::start(pki.server_config(true, H2_AND_H1), Answer::Registries).await;
    let h2 = base()
        .endpoint_url(server.endpoint())
        .ca_bundle_pem(pki.ca_pem.as_str())
        .client_identity(pki.client_identity())
        .http2(true)
        .build();
    assert_eq!(call(&h2).await.expect("HTTP/2 and mTLS"), 1);
    assert_eq!(
        server.seen(|s| (s.versions.clone(), s.client_certs.clone())),
        (vec![http::Version::HTTP_2], vec![true])
    );
}

#[tokio::test]
#[cfg(feature = "http2")]
async fn http2_enabled_falls_back_to_http1_when_the_server_lacks_it() {
    let pki = Pki::new();
    let server = Server::start(pki.server_config(false, &[b"http/1.1"]), Answer::Registries).await;
    let config = base().endpoint_url(server.endpoint()).ca_bundle_pem(pki.ca_pem.as_str()).http2(true).build();
    assert_eq!(call(&config).await.expect("HTTP/1.1"), 1);
    assert_eq!(server.seen(|s| s.versions.clone()), vec![http::Version::HTTP_11]);
}

#[tokio::test]
#[cfg(feature = "http2")]
async fn the_response_limit_and_read_timeout_hold_over_http2() {
    let pki = Pki::new();
    let h2 = |server: &Server| base().endpoint_url(server.endpoint()).ca_bundle_pem(pki.ca_pem.as_str()).http2(true);

    use ecrpublic::StalledStreamProtection;
    let large = Server::start(pki.server_config(false, H2_AND_H1), Answer::Large(64 * 1024)).await;
    let config = h2(&large).max_response_bytes(1024).build();
    transport_error(call(&config).await, TransportErrorKind::ResponseTooLarge);
    assert_eq!(large.seen(|s| s.versions.clone()), vec![http::Version::HTTP_2]);

    let slow = Server::start(pki.server_config(false, H2_AND_H1), Answer::Slow(Duration::from_secs(10))).await;
    let config = h2(&slow).read_timeout(Duration::from_millis(300)).build();
    match call(&config).await {
        Err(SdkError::Timeout(e)) => assert_eq!(e.kind(), ecrpublic::TimeoutKind::Read, "{e}"),
        other => panic!("expected a read timeout, got {other:?}"),
    }
    // Stalled-stream protection: a body that stops coming in fails the attempt.
    let config =
        h2(&slow).stalled_stream_protection(StalledStreamProtection::new(1, Duration::from_millis(300))).build();
    transport_error(call(&config).await, TransportErrorKind::DownloadStalled);
    assert!(slow.seen(|s| s.versions.iter().all(|v| *v == http::Version::HTTP_2)));
}

// ---------------------------------------------------------------------------------------------
// A connector or a transport of one's own
// ---------------------------------------------------------------------------------------------

/// A connector that sends every host to one address (as a custom DNS resolver would), counting
/// the connections it opens.
#[derive(Clone)]
struct PinnedConnector {
    to: SocketAddr,
    tcp: HttpConnector,
    opened: Arc<AtomicUsize>,
}

impl tower_service::Service<http::Uri> for PinnedConnector {
    type Response = TokioIo<tokio::net::TcpStream>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        assert_eq!(dst.host(), Some("ecr.test.internal"), "the connector sees the endpoint's URI");
        self.opened.fetch_add(1, Ordering::SeqCst);
        let target = format!("http://{}", self.to).parse::<http::Uri>().unwrap();
        let connecting = self.tcp.call(target);
        Box::pin(async move { Ok(connecting.await?) })
    }
}

#[tokio::test]
async fn the_built_in_transport_runs_over_a_connector_of_ones_own() {
    let pki = Pki::new();
    let server = Server::start(pki.server_config(true, H2_AND_H1), Answer::Registries).await;
    let opened = Arc::new(AtomicUsize::new(0));
    let connector = PinnedConnector { to: server.addr, tcp: HttpConnector::new(), opened: opened.clone() };
    // A name no DNS knows: only the connector can reach it. TLS still checks the certificate
    // against it (the server's certificate names it) and still shows the client's.
    let config = base()
        .endpoint_url("https://ecr.test.internal")
        .ca_bundle_pem(pki.ca_pem.as_str())
        .client_identity(pki.client_identity())
        .http2(cfg!(feature = "http2"))
        .http_connector(connector)
        .build();
    assert_eq!(call(&config).await.expect("through the connector"), 1);
    assert_eq!(call(&config).await.expect("again, pooled"), 1);
    assert_eq!(opened.load(Ordering::SeqCst), 1, "one connection, reused");
    let version = if cfg!(feature = "http2") { http::Version::HTTP_2 } else { http::Version::HTTP_11 };
    assert_eq!(server.seen(|s| s.versions.clone()), vec![version; 2]);

    // Without the CA, the connector changes nothing about TLS: refused.
    let connector = PinnedConnector { to: server.addr, tcp: HttpConnector::new(), opened: opened.clone() };
    let config = base().endpoint_url("https://ecr.test.internal").http_connector(connector).build();
    transport_error(call(&config).await, TransportErrorKind::Tls);
}

/// A transport of one's own, here wrapping the built-in one and counting requests.
struct Counting {
    inner: HyperTransport,
    sent: Arc<AtomicUsize>,
}

impl Transport for Counting {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request)
    }
}

#[tokio::test]
async fn a_transport_of_ones_own_can_wrap_the_built_in_one() {
    let pki = Pki::new();
    let server = Server::start(pki.server_config(false, &[]), Answer::Registries).await;
    let settings = HttpSettings { ca_bundle_pem: Some(pki.ca_pem.as_str().into()), ..HttpSettings::default() };
    let sent = Arc::new(AtomicUsize::new(0));
    let transport = Counting { inner: HyperTransport::new(&settings).expect("built"), sent: sent.clone() };
    let config = base().endpoint_url(server.endpoint()).transport(transport).build();
    assert_eq!(call(&config).await.expect("through the wrapper"), 1);
    assert_eq!(sent.load(Ordering::SeqCst), 1);
}
