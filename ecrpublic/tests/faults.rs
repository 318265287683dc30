//! The client against a server that misbehaves in every way a network or a proxy does
//! (`common/fault.rs`). For each fault: whether the call was retried, a typed error that names the
//! cause, and no hang past the configured timeouts (each call runs under a guard that fails the
//! test instead of hanging it).

mod common;

use std::time::Duration;

use common::fault::{refused_endpoint, Fault, FaultServer};
use ecrpublic::error::DescribeRepositoriesError;
use ecrpublic::output::DescribeRepositoriesOutput;
use ecrpublic::{Client, RetryConfig, RetryMode, SdkError, TimeoutKind, TransportErrorKind};

type Outcome = Result<DescribeRepositoriesOutput, SdkError<DescribeRepositoriesError>>;

/// Up to three attempts with a tiny backoff.
fn client(endpoint: &str) -> Client {
    let retry = RetryConfig {
        mode: RetryMode::Standard,
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    };
    Client::new(&common::config(endpoint).to_builder().retry(retry).build())
}

async fn call(client: &Client) -> Outcome {
    tokio::time::timeout(Duration::from_secs(60), client.describe_repositories().send())
        .await
        .expect("the call hung past every timeout")
}

#[track_caller]
fn transport_kind(outcome: Outcome) -> (TransportErrorKind, String) {
    match outcome {
        Err(SdkError::Transport(t)) => (t.kind(), t.to_string()),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn connection_refused_is_retried_then_a_connect_error() {
    let outcome = call(&client(&refused_endpoint().await)).await;
    let (kind, text) = transport_kind(outcome);
    assert_eq!(kind, TransportErrorKind::Connect, "{text}");
}

#[tokio::test]
async fn resets_before_the_response_are_retried() {
    let server = FaultServer::start([Fault::ResetBeforeResponse, Fault::ResetBeforeResponse]).await;
    call(&client(&server.endpoint())).await.expect("the third attempt succeeds");
    assert_eq!(server.requests(), 3);

    let server = FaultServer::start([Fault::ResetBeforeResponse; 3]).await;
    let (kind, text) = transport_kind(call(&client(&server.endpoint())).await);
    assert_eq!((kind, server.requests()), (TransportErrorKind::Io, 3), "{text}");
}

#[tokio::test]
async fn resets_and_truncation_inside_the_body_are_retried() {
    for fault in [Fault::ResetMidBody, Fault::Truncated] {
        let server = FaultServer::start([fault]).await;
        call(&client(&server.endpoint())).await.unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert_eq!(server.requests(), 2, "{fault:?}");

        let server = FaultServer::start([fault; 3]).await;
        let (kind, text) = transport_kind(call(&client(&server.endpoint())).await);
        assert_eq!((kind, server.requests()), (TransportErrorKind::Io, 3), "{fault:?}: {text}");
    }
}

#[tokio::test]
async fn server_error_bursts_and_throttling_are_retried() {
    let server =
        FaultServer::start([Fault::Error(500, "InternalFailure"), Fault::Error(503, "ServiceUnavailable")]).await;
    call(&client(&server.endpoint())).await.expect("a 500 then a 503 then success");
    assert_eq!(server.requests(), 3);

    let server =
        FaultServer::start([Fault::Error(400, "ThrottlingException"), Fault::Error(400, "ThrottlingException")]).await;
    call(&client(&server.endpoint())).await.expect("throttled twice then success");
    assert_eq!(server.requests(), 3);

    // A burst longer than the attempts: the last error, typed, with its code and status.
    let server = FaultServer::start([Fault::Error(503, "ServiceUnavailable"); 3]).await;
    let err = call(&client(&server.endpoint())).await.expect_err("three 503s");
    let service = err.service_error().expect("a service error");
    assert_eq!((service.code(), server.requests()), ("ServiceUnavailable", 3), "{err}");
}

#[tokio::test]
async fn an_unknown_error_code_is_typed_and_not_retried() {
    let server = FaultServer::start([Fault::Error(400, "BrandNewException")]).await;
    let err = call(&client(&server.endpoint())).await.expect_err("an error");
    match err.service_error() {
        Some(DescribeRepositoriesError::Unhandled(u)) => {
            assert_eq!(u.code(), "BrandNewException");
            assert_eq!(u.message(), Some("injected BrandNewException"));
        }
        other => panic!("expected Unhandled, got {other:?}"),
    }
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_silent_server_ends_in_a_read_timeout_per_attempt() {
    let server = FaultServer::start([Fault::Silent, Fault::Silent, Fault::Silent]).await;
    let config = common::config(&server.endpoint())
        .to_builder()
        .read_timeout(Duration::from_millis(100))
        .retry(RetryConfig { max_attempts: 2, ..RetryConfig::default() })
        .build();
    match call(&Client::new(&config)).await {
        Err(SdkError::Timeout(t)) => assert_eq!(t.kind(), TimeoutKind::Read, "{t}"),
        other => panic!("expected a read timeout, got {other:?}"),
    }
    assert_eq!(server.requests(), 2, "the read timeout is retried");
}

#[tokio::test(start_paused = true)]
async fn a_body_dripping_slower_than_the_floor_is_cut_off_by_default() {
    // A byte every 4 s is under stalled-stream protection's 1 byte/s.
    let server = FaultServer::start([Fault::Drip(Duration::from_secs(4))]).await;
    let config = common::config(&server.endpoint());
    let (kind, text) = transport_kind(call(&Client::new(&config)).await);
    assert_eq!(kind, TransportErrorKind::DownloadStalled, "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_body_dripping_a_byte_a_second_ends_at_the_operation_timeout() {
    // A byte a second is at the stall floor; inside the 5 s grace period the configured time
    // limit ends it.
    let server = FaultServer::start([Fault::Drip(Duration::from_secs(1))]).await;
    let config = common::config(&server.endpoint()).to_builder().operation_timeout(Duration::from_secs(3)).build();
    match call(&Client::new(&config)).await {
        Err(SdkError::Timeout(t)) => assert_eq!(t.kind(), TimeoutKind::Operation, "{t}"),
        other => panic!("expected the operation timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_body_far_larger_than_any_response_is_refused_and_not_retried() {
    // Announced: refused from the header, before reading.
    let server = FaultServer::start([Fault::HugeAnnounced]).await;
    let (kind, text) = transport_kind(call(&client(&server.endpoint())).await);
    assert_eq!((kind, server.requests()), (TransportErrorKind::ResponseTooLarge, 1), "{text}");
    assert!(text.contains("8589934592"), "{text}");
    // Unannounced (chunked, endless): refused once the limit is passed.
    let server = FaultServer::start([Fault::HugeChunked]).await;
    let config = common::config(&server.endpoint()).to_builder().max_response_bytes(1 << 20).build();
    let (kind, text) = transport_kind(call(&Client::new(&config)).await);
    assert_eq!((kind, server.requests()), (TransportErrorKind::ResponseTooLarge, 1), "{text}");
}

#[tokio::test]
async fn invalid_json_is_a_response_error_and_not_retried() {
    let server = FaultServer::start([Fault::InvalidJson]).await;
    match call(&client(&server.endpoint())).await {
        Err(SdkError::Response(r)) => {
            assert_eq!(r.status(), 200);
            assert!(!r.problem().is_empty(), "{r}");
        }
        other => panic!("expected a response error, got {other:?}"),
    }
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_wrong_content_type_on_valid_json_is_read_as_the_service_meant() {
    // awsJson clients read the body whatever its label, as the AWS SDKs do.
    let server = FaultServer::start([Fault::WrongContentType]).await;
    let out = call(&client(&server.endpoint())).await.expect("read");
    assert!(out.repositories.is_empty());
}

#[tokio::test]
async fn a_proxys_html_error_page_is_retried_then_typed() {
    let server = FaultServer::start([Fault::HtmlPage(502); 3]).await;
    let err = call(&client(&server.endpoint())).await.expect_err("three 502 pages");
    assert_eq!(server.requests(), 3, "a 502 is retried");
    let text = err.to_string();
    assert!(text.contains("502"), "the error names the status: {text}");
}

#[tokio::test]
async fn a_tls_handshake_that_never_completes_ends_in_a_connect_timeout() {
    let server = FaultServer::start([]).await;
    let config = common::config(&server.tls_endpoint())
        .to_builder()
        .connect_timeout(Duration::from_millis(200))
        .retry(RetryConfig { max_attempts: 2, ..RetryConfig::default() })
        .build();
    match call(&Client::new(&config)).await {
        Err(SdkError::Timeout(t)) => assert_eq!(t.kind(), TimeoutKind::Connect, "{t}"),
        other => panic!("expected a connect timeout, got {other:?}"),
    }
    assert_eq!(server.connections(), 2, "the connect timeout is retried");
    assert_eq!(server.requests(), 0);
}
