//! The built-in transport's defaults against servers on 127.0.0.1 that stall: a TLS handshake
//! that never completes (the 3.1 s connect timeout), a response body that stops or drips
//! (stalled-stream protection, not a whole-body timeout), an upload the server stops reading,
//! and a slow but steady 20 MiB upload that must not be cut off. No test asserts how long
//! anything took: each asserts which error came back, under a guard that fails a hang.

mod common;

use std::time::Duration;

use bytes::Bytes;
use ecrpublic::{
    Client, Config, ConfigBuilder, Credentials, RetryConfig, SdkError, StalledStreamProtection, TimeoutKind,
    TransportErrorKind,
};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A hang fails the test instead of the CI job.
const GUARD: Duration = Duration::from_secs(60);

fn base(endpoint: &str) -> ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry(RetryConfig::disabled())
}

type CallResult = Result<(), SdkError<ecrpublic::error::DescribeRepositoriesError>>;

async fn describe(config: &Config) -> CallResult {
    let call = Client::new(config).describe_repositories().send();
    tokio::time::timeout(GUARD, call).await.expect("the call hung: nothing timed out").map(|_| ())
}

fn transport_kind<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<T, SdkError<E>>,
) -> (TransportErrorKind, String) {
    match result {
        Err(SdkError::Transport(e)) => (e.kind(), e.to_string()),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Accepts TCP connections and holds them open, reading whatever comes and answering nothing.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            held.push(tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
            }));
        }
    });
    (addr.to_string(), task)
}

#[tokio::test]
async fn a_tls_handshake_that_never_completes_hits_the_default_connect_timeout() {
    let (addr, _server) = silent_server().await;
    // Nothing set: the default connect timeout (3.1 s) covers the TLS handshake too.
    let config = base(&format!("https://{addr}")).build();
    match describe(&config).await {
        Err(SdkError::Timeout(t)) => {
            assert_eq!(t.kind(), TimeoutKind::Connect, "{t}");
            assert!(t.to_string().contains("3.1s"), "{t}");
        }
        other => panic!("expected the connect timeout, got {other:?}"),
    }
    assert_eq!(ecrpublic::DEFAULT_CONNECT_TIMEOUT, Duration::from_millis(3100));
    assert_eq!(ecrpublic::HttpSettings::default().connect_timeout, Some(Duration::from_millis(3100)));
}

/// A server that sends the response head (announcing `length` bytes) and `first` bytes of the
/// body, then one byte every `drip`, forever.
async fn dripping_server(length: usize, first: usize, drip: Duration) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the request head and body (small here), then answer.
                let mut buf = vec![0u8; 64 * 1024];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {length}\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let _ = stream.write_all(&vec![b' '; first]).await;
                loop {
                    tokio::time::sleep(drip).await;
                    if stream.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), task)
}

#[tokio::test]
async fn a_body_dripping_a_byte_every_4s_fails_by_stalled_stream_protection() {
    let (endpoint, _server) = dripping_server(1000, 10, Duration::from_secs(4)).await;
    // A generous read timeout: each gap (4 s) is within it, so only stall protection can end this.
    let config = base(&endpoint).read_timeout(Duration::from_secs(30)).build();
    let (kind, message) = transport_kind(describe(&config).await);
    assert_eq!(kind, TransportErrorKind::DownloadStalled, "{message}");
    assert!(message.starts_with("download stalled: the response body stalled after 1"), "{message}");
    assert!(message.ends_with("fewer than 5 bytes in 5s"), "{message}");
}

#[tokio::test]
async fn stall_protection_can_be_turned_off_and_the_read_timeout_is_a_gap() {
    // The body stops after 10 bytes; without stall protection the read timeout (a gap between
    // bytes) ends the call.
    let (endpoint, _server) = dripping_server(1000, 10, Duration::from_secs(3600)).await;
    let config = base(&endpoint)
        .stalled_stream_protection(StalledStreamProtection::disabled())
        .read_timeout(Duration::from_millis(300))
        .build();
    match describe(&config).await {
        Err(SdkError::Timeout(t)) => assert_eq!(t.kind(), TimeoutKind::Read, "{t}"),
        other => panic!("expected the read timeout, got {other:?}"),
    }
    // A steady drip, each gap shorter than the read timeout: the read timeout never fires, and the
    // whole body arrives though it takes far longer than the read timeout.
    let (endpoint, _server) = dripping_server(2 + 40, 2, Duration::from_millis(20)).await;
    let config = base(&endpoint)
        .stalled_stream_protection(StalledStreamProtection::disabled())
        .read_timeout(Duration::from_millis(300))
        .build();
    let client = Client::new(&config);
    let body = tokio::time::timeout(GUARD, client.describe_repositories().send()).await.expect("no hang");
    // The client read the whole body (42 spaces: an empty output) without a timeout.
    assert!(body.is_ok(), "{body:?}");
}

/// A server that reads request bodies at about `bytes_per_sec` (or not at all with 0), then
/// answers `200 {}`.
async fn reading_server(bytes_per_sec: u64) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| async move {
                    let mut body = req.into_body();
                    let started = tokio::time::Instant::now();
                    let mut read = 0u64;
                    if bytes_per_sec == 0 {
                        std::future::pending::<()>().await;
                    }
                    while let Some(frame) = body.frame().await {
                        let Ok(frame) = frame else { break };
                        read += frame.data_ref().map_or(0, |d| d.len() as u64);
                        // Pace the reading: as if the link carried `bytes_per_sec`.
                        let due = started + Duration::from_secs_f64(read as f64 / bytes_per_sec as f64);
                        tokio::time::sleep_until(due).await;
                    }
                    let response = http::Response::builder()
                        .status(200)
                        .header("content-type", "application/x-amz-json-1.1")
                        .body(Full::new(Bytes::from_static(b"{}")))
                        .unwrap();
                    Ok::<_, std::convert::Infallible>(response)
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    (format!("http://{addr}"), task)
}

async fn upload_20_mib(config: &Config) -> Result<(), SdkError<ecrpublic::error::UploadLayerPartError>> {
    let blob = vec![7u8; 20 * 1024 * 1024];
    let call = Client::new(config)
        .upload_layer_part("repo", "11111111-2222-3333-4444-555555555555", 0, blob.len() as i64 - 1, blob)
        .send();
    tokio::time::timeout(GUARD, call).await.expect("the upload hung").map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_but_steady_20_mib_upload_is_not_cut_off() {
    // About 4.5 s of upload (the JSON body is base64, ~27 MB) at 6 MB/s, with a read timeout a
    // third of that: the read timeout only starts once the body is sent (what the socket buffers
    // still hold then drains in well under it).
    let (endpoint, _server) = reading_server(6_000_000).await;
    let config = base(&endpoint).read_timeout(Duration::from_millis(1500)).build();
    upload_20_mib(&config).await.expect("a steady upload completes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_the_server_stops_reading_fails_as_an_upload_stall() {
    let (endpoint, _server) = reading_server(0).await;
    // A higher floor and a short grace period, so that the socket buffers fill and the stall
    // shows within a second or two.
    let protection = StalledStreamProtection::new(100_000, Duration::from_millis(500));
    let config = base(&endpoint).stalled_stream_protection(protection).build();
    let (kind, message) = transport_kind(upload_20_mib(&config).await);
    assert_eq!(kind, TransportErrorKind::UploadStalled, "{message}");
    assert!(message.starts_with("upload stalled: the request body stalled after "), "{message}");
}

#[test]
fn the_defaults() {
    let p = StalledStreamProtection::default();
    assert!(p.is_enabled());
    assert_eq!((p.min_throughput(), p.grace_period()), (1, Duration::from_secs(5)));
    assert!(!StalledStreamProtection::disabled().is_enabled());
    let http = ecrpublic::HttpSettings::default();
    assert_eq!(http.read_timeout, None);
    assert_eq!(http.stalled_stream, p);
}
