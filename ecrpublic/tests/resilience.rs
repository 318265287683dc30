//! Resilience against local servers on 127.0.0.1: retries and their headers, the retry quota,
//! adaptive mode, timeouts, clock skew, the user agent, client-side validation, progress
//! callbacks and request ids. No test asserts on how long anything took: timeouts only decide
//! *which* error comes back, and every potentially hanging call runs under a generous guard.

mod common;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::fault::{Fault, FaultServer};
use common::{Canned, MockServer, Recorded};
use ecrpublic::error::{DescribeRepositoriesError, GetAuthorizationTokenError};
use ecrpublic::{Blob, CallOptions, Client, RetryConfig, RetryMode, SdkError, TimeoutKind};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Retries with a tiny backoff, so tests are fast.
fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        mode: RetryMode::Standard,
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    }
}

/// The common test configuration (region, endpoint, `AKID`/`SECRET`) with these retries.
fn client(endpoint: &str, retry: RetryConfig) -> Client {
    Client::new(&common::config(endpoint).to_builder().retry(retry).build())
}

/// The common test configuration as is: no retries, no timeouts.
fn plain_client(endpoint: &str) -> Client {
    Client::new(&common::config(endpoint))
}

/// Fails the test instead of hanging forever if a timeout under test never fires.
async fn guard<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("the call hung: no timeout fired")
}

/// Waits (bounded) until `cond` holds: the server side of a connection may lag the client.
async fn eventually(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..400 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("never happened: {what}");
}

fn error_body(code: &str, message: &str) -> String {
    format!(r#"{{"__type":"{code}","message":"{message}"}}"#)
}

fn error(status: u16, code: &str, request_id: &str) -> Canned {
    Canned::new(status, error_body(code, "simulated")).header("x-amzn-RequestId", request_id)
}

const REPOS_OK: &str = r#"{"repositories":[{"repositoryName":"r1"}]}"#;

fn ok(request_id: &str) -> Canned {
    Canned::ok(REPOS_OK, request_id)
}

fn sdk_request_headers(requests: &[Recorded]) -> Vec<String> {
    requests.iter().map(|r| r.header("amz-sdk-request").to_owned()).collect()
}

fn invocation_ids(requests: &[Recorded]) -> Vec<String> {
    requests.iter().map(|r| r.header("amz-sdk-invocation-id").to_owned()).collect()
}

fn expected_attempt_headers(n: u32, max: u32) -> Vec<String> {
    (1..=n).map(|i| format!("attempt={i}; max={max}")).collect()
}

fn assert_uuid_v4(id: &str) {
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "not a UUID: {id}");
    assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "not a UUID: {id}");
    assert_eq!(&id[14..15], "4", "not a version-4 UUID: {id}");
}

fn expect_timeout<T: std::fmt::Debug, E: std::fmt::Debug>(result: Result<T, SdkError<E>>, kind: TimeoutKind) {
    match result {
        Err(SdkError::Timeout(t)) => assert_eq!(t.kind(), kind, "wrong timeout: {t}"),
        other => panic!("expected a {kind:?} timeout, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn server_error_bursts_are_retried_until_success() {
    for status in [500, 503] {
        // Two failures then success, within 3 attempts.
        let server = MockServer::start_sequence(vec![
            error(status, "InternalFailure", "req-1"),
            error(status, "InternalFailure", "req-2"),
            ok("req-3"),
        ])
        .await;
        let out = client(&server.endpoint(), fast_retry(3)).describe_repositories().send().await;
        let out = out.unwrap_or_else(|e| panic!("HTTP {status} burst then success must succeed: {e:?}"));
        assert_eq!(out.request_id(), Some("req-3"), "the output is the successful response's");
        assert_eq!(out.repositories[0].repository_name.as_deref(), Some("r1"));
        let requests = server.requests();
        assert_eq!(requests.len(), 3, "HTTP {status}: exactly one request per attempt");
        assert_eq!(sdk_request_headers(&requests), expected_attempt_headers(3, 3));
        let ids = invocation_ids(&requests);
        assert_uuid_v4(&ids[0]);
        assert!(ids.iter().all(|id| *id == ids[0]), "one invocation id for all attempts: {ids:?}");
        // Every attempt is signed afresh and carries the same body.
        for r in &requests {
            r.assert_aws_json("DescribeRepositories");
            assert_eq!(r.body, requests[0].body);
        }
    }
}

/// A server asking for a day's pause (or one past the year 9999) gets no more than the
/// configured maximum backoff.
#[tokio::test]
async fn retry_after_never_extends_a_wait_past_the_maximum() {
    for (name, value) in [
        ("Retry-After", "86400"),
        ("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"),
        ("x-amz-retry-after", "86400000"),
        ("Retry-After", "not a number"),
    ] {
        let server = MockServer::start_sequence(vec![
            error(503, "ServiceUnavailable", "slow-1").header(name, value),
            error(429, "ThrottlingException", "slow-2").header(name, value),
            ok("after-pause"),
        ])
        .await;
        let out = guard(client(&server.endpoint(), fast_retry(3)).describe_repositories().send())
            .await
            .unwrap_or_else(|e| panic!("`{name}: {value}`: {e:?}"));
        assert_eq!(out.request_id(), Some("after-pause"), "`{name}: {value}`");
        assert_eq!(server.requests().len(), 3);
    }
}

/// Within the maximum, the service's `x-amz-retry-after` is honoured: the retry waits at least
/// that long, though the computed backoff would be a millisecond.
#[tokio::test]
async fn retry_after_within_the_maximum_is_honoured() {
    let server = MockServer::start_sequence(vec![
        error(503, "ServiceUnavailable", "pause").header("x-amz-retry-after", "300"),
        ok("resumed"),
    ])
    .await;
    let retry = RetryConfig { max_backoff: Duration::from_secs(5), ..fast_retry(2) };
    let started = std::time::Instant::now();
    let out = guard(client(&server.endpoint(), retry).describe_repositories().send()).await.expect("retried");
    assert_eq!(out.request_id(), Some("resumed"));
    assert!(started.elapsed() >= Duration::from_millis(300), "waited only {:?}", started.elapsed());
}

#[tokio::test]
async fn a_longer_burst_is_retried_within_a_larger_max() {
    let mut responses: Vec<Canned> =
        (0..4).map(|i| Canned::new(503, "").header("x-amzn-RequestId", &format!("e{i}"))).collect();
    responses.push(ok("req-ok"));
    let server = MockServer::start_sequence(responses).await;
    let out = client(&server.endpoint(), fast_retry(5)).describe_repositories().send().await.expect("fifth attempt");
    assert_eq!(out.request_id(), Some("req-ok"));
    assert_eq!(sdk_request_headers(&server.requests()), expected_attempt_headers(5, 5));
}

#[tokio::test]
async fn invocation_id_differs_between_calls() {
    let server = MockServer::start_sequence(vec![error(503, "InternalFailure", "e"), ok("a"), ok("b")]).await;
    let client = client(&server.endpoint(), fast_retry(3));
    client.describe_repositories().send().await.expect("first call");
    client.describe_repositories().send().await.expect("second call");
    let requests = server.requests();
    assert_eq!(sdk_request_headers(&requests), ["attempt=1; max=3", "attempt=2; max=3", "attempt=1; max=3"]);
    let ids = invocation_ids(&requests);
    assert_eq!(ids[0], ids[1], "same call, same id");
    assert_ne!(ids[1], ids[2], "a new call has a new id");
    assert_uuid_v4(&ids[2]);
}

#[tokio::test]
async fn throttling_codes_are_retried() {
    for (status, code) in
        [(400, "ThrottlingException"), (400, "TooManyRequestsException"), (429, "SlowDown"), (429, "NotAKnownCode")]
    {
        let server =
            MockServer::start_sequence(vec![error(status, code, "t1"), error(status, code, "t2"), ok("done")]).await;
        let out = client(&server.endpoint(), fast_retry(3)).describe_repositories().send().await;
        assert_eq!(out.expect("throttling is retried").request_id(), Some("done"), "{code}");
        assert_eq!(server.requests().len(), 3, "{status} {code} is retried");
    }
}

#[tokio::test]
async fn modeled_client_error_is_returned_at_once() {
    let server = MockServer::start(error(400, "RepositoryNotFoundException", "req-nf")).await;
    let result = client(&server.endpoint(), fast_retry(3)).describe_repositories().send().await;
    match result {
        Err(SdkError::Service(DescribeRepositoriesError::RepositoryNotFoundException(e))) => {
            assert_eq!(e.request_id(), Some("req-nf"));
            assert_eq!(e.message(), Some("simulated"));
        }
        other => panic!("expected RepositoryNotFoundException, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "a client error is not retried");
    assert_eq!(server.only_request().header("amz-sdk-request"), "attempt=1; max=3");
}

#[tokio::test]
async fn max_attempts_is_respected_and_the_last_error_returned() {
    // A 503 with an error code the model does not list: `Unhandled`, with the last response's
    // request id.
    let server = MockServer::start_sequence(vec![
        error(503, "ServiceUnavailableException", "r1"),
        error(503, "ServiceUnavailableException", "r2"),
        error(503, "ServiceUnavailableException", "r3"),
        ok("never"),
    ])
    .await;
    let result = client(&server.endpoint(), fast_retry(3)).describe_repositories().send().await;
    match result {
        Err(SdkError::Service(DescribeRepositoriesError::Unhandled(u))) => {
            assert_eq!(u.code(), "ServiceUnavailableException");
            assert_eq!(u.status(), 503);
            assert_eq!(u.message(), Some("simulated"));
            assert_eq!(u.request_id(), Some("r3"), "the last attempt's error");
        }
        other => panic!("expected Unhandled 503, got {other:?}"),
    }
    assert_eq!(sdk_request_headers(&server.requests()), expected_attempt_headers(3, 3));

    // A 503 without any error code (an empty body, as from a load balancer): `SdkError::Response`.
    let server = MockServer::start(Canned::new(503, "").header("x-amzn-RequestId", "lb")).await;
    let result = client(&server.endpoint(), fast_retry(4)).describe_repositories().send().await;
    match result {
        Err(SdkError::Response(e)) => {
            assert_eq!(e.status(), 503);
            assert_eq!(e.request_id(), Some("lb"));
            assert!(e.body().is_empty());
        }
        other => panic!("expected a response error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 4);

    // A modeled server error (500 ServerException) is retried too, and comes back typed.
    let server = MockServer::start(error(500, "ServerException", "srv")).await;
    let result = client(&server.endpoint(), fast_retry(2)).describe_repositories().send().await;
    match result {
        Err(SdkError::Service(DescribeRepositoriesError::ServerException(e))) => {
            assert_eq!(e.request_id(), Some("srv"))
        }
        other => panic!("expected ServerException, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn per_call_retry_settings_override_the_client() {
    let server = MockServer::start(Canned::new(503, "")).await;
    // Client: no retries. Call: 4 attempts.
    let c = MockServer::client(&server);
    let _ = c.describe_repositories().options(CallOptions::new().retry(fast_retry(4))).send().await;
    assert_eq!(sdk_request_headers(&server.requests()), expected_attempt_headers(4, 4));

    let server = MockServer::start(Canned::new(503, "")).await;
    // Client: 3 attempts. Call: none.
    let c = client(&server.endpoint(), fast_retry(3));
    let _ = c.describe_repositories().options(CallOptions::new().retry(RetryConfig::disabled())).send().await;
    assert_eq!(sdk_request_headers(&server.requests()), ["attempt=1; max=1"]);
}

/// Makes one call, checks whether it succeeded, and records how many requests it sent. Returns
/// the output's request id.
async fn counted_call(
    client: &Client,
    server: &MockServer,
    counts: &mut Vec<usize>,
    expect_ok: bool,
) -> Option<String> {
    let before = server.requests().len();
    let result = client.describe_repositories().send().await;
    assert_eq!(result.is_ok(), expect_ok, "call {}: {result:?}", counts.len() + 1);
    counts.push(server.requests().len() - before);
    result.ok().and_then(|o| o.request_id().map(str::to_owned))
}

/// The quota of 500 tokens, 5 per retry: an always-failing service gets 100 retries from one
/// client, then single attempts only, until successes give tokens back.
#[tokio::test]
async fn retry_quota_runs_dry_and_successes_refill_it() {
    let unavailable = || Canned::new(503, error_body("ServiceUnavailableException", "down"));
    let mut responses = Vec::new();
    // 50 calls of 3 attempts: 100 retries, 500 tokens.
    responses.extend((0..150).map(|_| unavailable()));
    // 3 calls with the quota empty: one attempt each.
    responses.extend((0..3).map(|_| unavailable()));
    // 5 first-try successes: 1 token back each.
    responses.extend((0..5).map(|i| ok(&format!("ok{i}"))));
    // A failing call: one retry (5 tokens, leaving 0), then the quota is dry again.
    responses.extend((0..2).map(|_| unavailable()));
    // 5 successes again (5 tokens), then a call retried once that then succeeds: its retry
    // cost (5) is refunded, so...
    responses.extend((0..5).map(|i| ok(&format!("again{i}"))));
    responses.push(unavailable());
    responses.push(ok("refunded"));
    // ...the next failing call can again retry once, and no more.
    responses.extend((0..2).map(|_| unavailable()));
    responses.push(unavailable());
    let server = MockServer::start_sequence(responses).await;
    let client = client(
        &server.endpoint(),
        RetryConfig { initial_backoff: Duration::ZERO, max_backoff: Duration::from_millis(1), ..fast_retry(3) },
    );

    // Requests sent by each call, in order.
    let mut counts = Vec::new();
    let c = &mut counts;
    for _ in 0..53 {
        counted_call(&client, &server, c, false).await;
    }
    for _ in 0..5 {
        counted_call(&client, &server, c, true).await;
    }
    counted_call(&client, &server, c, false).await;
    for _ in 0..5 {
        counted_call(&client, &server, c, true).await;
    }
    let refunded = counted_call(&client, &server, c, true).await;
    assert_eq!(refunded.as_deref(), Some("refunded"), "retried once, then success");
    counted_call(&client, &server, c, false).await;
    counted_call(&client, &server, c, false).await;
    assert_eq!(counts[..50], [3; 50], "the first 100 retries are allowed");
    assert_eq!(counts[50..53], [1; 3], "then the quota is dry: one attempt per call");
    assert_eq!(counts[53..59], [1, 1, 1, 1, 1, 2], "five successes refund five tokens: one retry");
    assert_eq!(counts[59..], [1, 1, 1, 1, 1, 2, 2, 1], "a retried success refunds its retry's cost");
    assert_eq!(server.requests().len(), counts.iter().sum::<usize>());
}

#[tokio::test]
async fn adaptive_mode_completes_calls_after_throttling() {
    let server = MockServer::start_sequence(vec![
        error(400, "ThrottlingException", "t1"),
        ok("first"),
        error(429, "TooManyRequestsException", "t2"),
        ok("second"),
    ])
    .await;
    let retry = RetryConfig { mode: RetryMode::Adaptive, ..fast_retry(3) };
    let client = client(&server.endpoint(), retry);
    let first = guard(client.describe_repositories().send()).await.expect("adaptive retries the throttle");
    assert_eq!(first.request_id(), Some("first"));
    let second = guard(client.describe_repositories().send()).await.expect("and keeps working");
    assert_eq!(second.request_id(), Some("second"));
    let requests = server.requests();
    assert_eq!(
        sdk_request_headers(&requests),
        ["attempt=1; max=3", "attempt=2; max=3", "attempt=1; max=3", "attempt=2; max=3"]
    );
    let ids = invocation_ids(&requests);
    assert!(ids[0] == ids[1] && ids[2] == ids[3] && ids[1] != ids[2], "{ids:?}");
}

// ---------------------------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn read_timeout_fires_when_the_server_never_answers() {
    let server = FaultServer::always(Fault::Silent).await;
    let config = common::config(&server.endpoint()).to_builder().read_timeout(Duration::from_millis(100)).build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Read);
    assert_eq!(server.requests(), 1, "the request was sent");
}

#[tokio::test]
async fn read_timeout_fires_when_the_body_stalls() {
    // Headers and part of the body, then nothing.
    let server =
        FaultServer::always(Fault::Stall(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"repositories\":")).await;
    let config = common::config(&server.endpoint()).to_builder().read_timeout(Duration::from_millis(100)).build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Read);
}

#[tokio::test]
async fn read_timeouts_are_retried() {
    let server = FaultServer::always(Fault::Silent).await;
    let config = common::config(&server.endpoint())
        .to_builder()
        .retry(fast_retry(2))
        .read_timeout(Duration::from_millis(50))
        .build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Read);
    eventually("two requests", || server.requests() >= 2).await;
    assert_eq!(server.requests(), 2, "one request per attempt");
    assert_eq!(server.connections(), 2, "a hung connection is not reused");
}

#[tokio::test]
async fn attempt_timeout_fires_alone() {
    let server = FaultServer::always(Fault::Silent).await;
    let config = common::config(&server.endpoint()).to_builder().attempt_timeout(Duration::from_millis(100)).build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Attempt);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn attempt_timeouts_are_retried() {
    let server = FaultServer::always(Fault::Silent).await;
    let config = common::config(&server.endpoint())
        .to_builder()
        .retry(fast_retry(3))
        .attempt_timeout(Duration::from_millis(50))
        .build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Attempt);
    eventually("three requests", || server.requests() >= 3).await;
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn operation_timeout_fires_alone() {
    let server = FaultServer::always(Fault::Silent).await;
    let config = common::config(&server.endpoint()).to_builder().operation_timeout(Duration::from_millis(100)).build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Operation);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn operation_timeout_bounds_all_attempts() {
    // Every attempt times out after 20 ms and would be retried 1000 times; the operation
    // timeout ends it.
    let server = FaultServer::always(Fault::Silent).await;
    let config = common::config(&server.endpoint())
        .to_builder()
        .retry(fast_retry(1000))
        .attempt_timeout(Duration::from_millis(20))
        .operation_timeout(Duration::from_millis(200))
        .build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Operation);
    assert!(server.requests() >= 1);
}

#[tokio::test]
async fn per_call_timeouts_apply_to_that_call_only() {
    let server = FaultServer::always(Fault::Silent).await;
    // The client itself has no timeouts at all: only the call's options can end these calls.
    let client = plain_client(&server.endpoint());
    let result = guard(
        client.describe_repositories().options(CallOptions::new().attempt_timeout(Duration::from_millis(100))).send(),
    )
    .await;
    expect_timeout(result, TimeoutKind::Attempt);
    let result = guard(
        client.describe_repositories().options(CallOptions::new().operation_timeout(Duration::from_millis(100))).send(),
    )
    .await;
    expect_timeout(result, TimeoutKind::Operation);

    // A call's timeout wins over the client's: the client would wait 10 minutes per attempt.
    let config = common::config(&server.endpoint()).to_builder().attempt_timeout(Duration::from_secs(600)).build();
    let client = Client::new(&config);
    let result = guard(
        client.describe_repositories().options(CallOptions::new().attempt_timeout(Duration::from_millis(100))).send(),
    )
    .await;
    expect_timeout(result, TimeoutKind::Attempt);
    assert_eq!(server.requests(), 3);
}

/// A listener with a backlog of 0 that never accepts: once its accept queue is full, Linux drops
/// further SYNs, so a new connection hangs in the handshake, locally and deterministically.
/// Returns `None` where the platform does not behave so (then there is no local way to make a
/// connect hang, and the test says so).
async fn full_backlog_listener() -> Option<(tokio::net::TcpListener, Vec<tokio::net::TcpStream>)> {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    let listener = socket.listen(0).expect("listen");
    let addr = listener.local_addr().expect("addr");
    let mut held = Vec::new();
    for _ in 0..64 {
        match tokio::time::timeout(Duration::from_millis(300), tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(e)) => panic!("connecting to the local listener failed: {e}"),
            Err(_) => return Some((listener, held)),
        }
    }
    None
}

#[tokio::test]
async fn connect_timeout_fires_when_the_handshake_hangs() {
    let Some((listener, _held)) = full_backlog_listener().await else {
        eprintln!("SKIPPED: this platform accepts connections beyond a full backlog; no local way to hang a connect");
        return;
    };
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let config = common::config(&endpoint).to_builder().connect_timeout(Duration::from_millis(100)).build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Connect);

    // Connect timeouts are retried like other connection failures; the last one is returned.
    let config =
        common::config(&endpoint).to_builder().retry(fast_retry(2)).connect_timeout(Duration::from_millis(50)).build();
    let result = guard(Client::new(&config).describe_repositories().send()).await;
    expect_timeout(result, TimeoutKind::Connect);
}

// ---------------------------------------------------------------------------------------------
// Clock skew
// ---------------------------------------------------------------------------------------------

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64;
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month as usize - 1];
    format!("{weekday}, {day:02} {month} {year} {:02}:{:02}:{:02} GMT", sod / 3600, sod / 60 % 60, sod % 60)
}

/// `20240131T235959Z` as seconds since 1970.
fn amz_date_secs(s: &str) -> i64 {
    assert_eq!(s.len(), 16, "x-amz-date: {s}");
    let num = |range: std::ops::Range<usize>| s[range].parse::<i64>().expect("digits");
    let (y, m, d) = (num(0..4), num(4..6), num(6..8));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + num(9..11) * 3600 + num(11..13) * 60 + num(13..15)
}

#[test]
fn date_helpers_agree() {
    let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
    assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(amz_date_secs("19941106T084937Z"), 784_111_777);
}

#[tokio::test]
async fn clock_skew_is_corrected_and_the_rejected_request_retried() {
    let ahead = http_date(SystemTime::now() + Duration::from_secs(3600));
    let server = MockServer::start_sequence(vec![
        Canned::new(403, r#"{"__type":"InvalidSignatureException","message":"Signature expired"}"#)
            .header("Date", &ahead)
            .header("x-amzn-RequestId", "skewed"),
        ok("accepted").header("Date", &ahead),
    ])
    .await;
    let client = client(&server.endpoint(), fast_retry(3));
    let out = client.describe_repositories().send().await.expect("the retry with the corrected clock succeeds");
    assert_eq!(out.request_id(), Some("accepted"));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = amz_date_secs(requests[0].header("x-amz-date"));
    let second = amz_date_secs(requests[1].header("x-amz-date"));
    let shift = second - first;
    assert!((3590..=3610).contains(&shift), "the retry is signed about an hour later: {shift} s");
    requests[1].assert_aws_json("DescribeRepositories");
    assert!(requests[1]
        .header("authorization")
        .contains(&format!("/{}/us-east-1/", &requests[1].header("x-amz-date")[..8])));

    // A later call is signed with the corrected clock on its first attempt.
    client.describe_repositories().send().await.expect("third request");
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "no skew error this time");
    assert_eq!(requests[2].header("amz-sdk-request"), "attempt=1; max=3");
    let shift = amz_date_secs(requests[2].header("x-amz-date")) - first;
    assert!((3590..=3610).contains(&shift), "corrected on the first attempt: {shift} s");
}

#[tokio::test]
async fn a_skew_error_is_retried_only_once() {
    let ahead = http_date(SystemTime::now() + Duration::from_secs(3600));
    let server = MockServer::start(
        Canned::new(403, r#"{"__type":"InvalidSignatureException","message":"Signature expired"}"#)
            .header("Date", &ahead)
            .header("x-amzn-RequestId", "still-bad"),
    )
    .await;
    let result = client(&server.endpoint(), fast_retry(5)).describe_repositories().send().await;
    match result {
        Err(SdkError::Service(DescribeRepositoriesError::Unhandled(u))) => {
            assert_eq!(u.code(), "InvalidSignatureException");
            assert_eq!(u.status(), 403);
            assert_eq!(u.request_id(), Some("still-bad"));
        }
        other => panic!("expected the signature error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 2, "one retry for the skew, no more");
}

#[tokio::test]
async fn a_clock_behind_is_corrected_too() {
    let behind = http_date(SystemTime::now() - Duration::from_secs(3600));
    let server = MockServer::start_sequence(vec![
        Canned::new(400, error_body("RequestTimeTooSkewed", "too skewed")).header("Date", &behind),
        ok("accepted").header("Date", &behind),
    ])
    .await;
    client(&server.endpoint(), fast_retry(3)).describe_repositories().send().await.expect("retried");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let shift = amz_date_secs(requests[1].header("x-amz-date")) - amz_date_secs(requests[0].header("x-amz-date"));
    assert!((-3610..=-3590).contains(&shift), "the retry is signed about an hour earlier: {shift} s");
}

/// A `Date` from a hostile or broken server: far in the future or the past, out of range, or
/// malformed. None may panic, and none may move the signing clock by more than the bound.
#[tokio::test]
async fn hostile_dates_never_panic_and_never_move_the_clock_past_the_bound() {
    let dates = [
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Sat, 01 Jan 99999999999999 00:00:00 GMT",
        "Sat, 01 Jan -9223372036854775808 00:00:00 GMT",
        "Sun, 32 Feb 2020 25:61:61 GMT",
        "not a date",
        "",
    ];
    for date in dates {
        let server = MockServer::start_sequence(vec![
            Canned::new(500, error_body("InternalFailure", "boom")).header("Date", date),
            Canned::new(403, error_body("InvalidSignatureException", "Signature expired")).header("Date", date),
            ok("after").header("Date", date),
        ])
        .await;
        let client = client(&server.endpoint(), fast_retry(3));
        let before = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64;
        // The call may succeed or fail; it must return, and every request must be signed near now.
        let _ = guard(client.describe_repositories().send()).await;
        let _ = guard(client.describe_repositories().send()).await;
        for request in server.requests() {
            let signed = amz_date_secs(request.header("x-amz-date"));
            assert!(
                (signed - before).abs() <= 24 * 3600 + 60,
                "`Date: {date}` moved the signing clock by {} s",
                signed - before
            );
        }
    }
}

#[tokio::test]
async fn a_signature_error_without_skew_is_not_retried() {
    // The server's clock agrees with ours (hyper sets `Date` itself): the signature is simply
    // wrong, and signing again would fail the same way.
    let server = MockServer::start(
        Canned::new(
            403,
            r#"{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"}"#,
        )
        .header("x-amzn-RequestId", "bad-sig"),
    )
    .await;
    let result = client(&server.endpoint(), fast_retry(3)).describe_repositories().send().await;
    match result {
        Err(SdkError::Service(DescribeRepositoriesError::Unhandled(u))) => {
            assert_eq!((u.code(), u.status(), u.request_id()), ("InvalidSignatureException", 403, Some("bad-sig")))
        }
        other => panic!("expected the signature error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// User agent
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn user_agent_names_the_client_and_the_app() {
    let server = MockServer::start(ok("ua")).await;
    let config = common::config(&server.endpoint()).to_builder().app_id("myapp").build();
    Client::new(&config).describe_repositories().send().await.expect("ok");
    MockServer::client(&server).describe_repositories().send().await.expect("ok");
    let requests = server.requests();
    let with_app = requests[0].header("user-agent");
    assert!(with_app.starts_with(&format!("ecrpublic/{} ", env!("CARGO_PKG_VERSION"))), "{with_app}");
    assert!(with_app.split(' ').any(|t| t == "app/myapp"), "{with_app}");
    let without = requests[1].header("user-agent");
    assert!(without.starts_with("ecrpublic/"), "{without}");
    assert!(!without.contains("app/"), "{without}");
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// A listener nobody accepts from: any connection attempt stays in its queue, so a
/// non-blocking `accept` shows whether the client connected at all.
fn idle_listener() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    (listener, endpoint)
}

fn assert_no_connection(listener: &std::net::TcpListener) {
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("the client connected (from {peer}) although the input is invalid"),
        Err(e) => panic!("accept failed: {e}"),
    }
}

#[tokio::test]
async fn invalid_input_fails_before_any_connection() {
    let (listener, endpoint) = idle_listener();
    let client = plain_client(&endpoint);
    for (name, rule) in [("A B", "pattern"), ("a", "minimum 2")] {
        let result = client.create_repository(name).send().await;
        let Err(SdkError::Validation(v)) = result else {
            panic!("expected a validation error for {name:?}: {result:?}")
        };
        assert_eq!(v.operation(), "CreateRepository");
        assert!(
            v.problems().iter().any(|p| p.contains("`repositoryName`") && p.contains(rule)),
            "{name:?}: {:?}",
            v.problems()
        );
        let shown = v.to_string();
        assert!(shown.contains("CreateRepository") && shown.contains("repositoryName"), "{shown}");
    }
    // The same through another operation, and a range rule.
    let result = client.upload_layer_part("ok-repo", "not-a-uuid", -1, 0, Blob::default()).send().await;
    let Err(SdkError::Validation(v)) = result else { panic!("expected a validation error: {result:?}") };
    assert_eq!(v.operation(), "UploadLayerPart");
    assert!(v.problems().iter().any(|p| p.contains("`uploadId`") && p.contains("pattern")), "{:?}", v.problems());
    assert!(
        v.problems().iter().any(|p| p.contains("`partFirstByte`") && p.contains("minimum 0")),
        "{:?}",
        v.problems()
    );
    assert_no_connection(&listener);

    // The check itself works: the same input with validation off does connect (and then
    // waits for an answer that never comes).
    let off = CallOptions::new().validation(false).operation_timeout(Duration::from_millis(200));
    let result = guard(client.create_repository("A B").options(off).send()).await;
    expect_timeout(result, TimeoutKind::Operation);
    assert!(listener.accept().is_ok(), "a valid call connects");
}

#[tokio::test]
async fn validation_can_be_turned_off() {
    let server = MockServer::start(Canned::ok(r#"{"repository":{"repositoryName":"A B"}}"#, "sent")).await;
    // For the whole client...
    let config = common::config(&server.endpoint()).to_builder().validation(false).build();
    let out = Client::new(&config).create_repository("A B").send().await.expect("sent without validation");
    assert_eq!(out.request_id(), Some("sent"));
    // ...or for one call.
    let client = MockServer::client(&server);
    client.create_repository("a").options(CallOptions::new().validation(false)).send().await.expect("sent");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].json()["repositoryName"], "A B");
    assert_eq!(requests[1].json()["repositoryName"], "a");
    // And a call can turn it back on for a client that has it off.
    let result =
        Client::new(&config).create_repository("A B").options(CallOptions::new().validation(true)).send().await;
    assert!(matches!(result, Err(SdkError::Validation(_))), "{result:?}");
    assert_eq!(server.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn progress_callbacks_report_the_bodies() {
    const UPLOAD: &str = "1a2b3c4d-0000-4000-8000-00000000abcd";
    // A large response (an unknown member pads it), so that it arrives in several pieces.
    let padding = "p".repeat(3 << 20);
    let response_body = format!(
        r#"{{"uploadId":"{UPLOAD}","lastByteReceived":1048575,"repositoryName":"repo","padding":"{padding}"}}"#
    );
    let server = MockServer::start(Canned::ok(response_body.clone(), "req-up")).await;
    let sent = Arc::new(Mutex::new(Vec::<(u64, u64)>::new()));
    let received = Arc::new(Mutex::new(Vec::<(u64, u64)>::new()));
    let (s, r) = (sent.clone(), received.clone());
    let options = CallOptions::new()
        .on_chunk_sent(move |n, total| s.lock().unwrap().push((n, total)))
        .on_chunk_received(move |n, total| r.lock().unwrap().push((n, total)));
    let blob: Vec<u8> = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
    let out = MockServer::client(&server)
        .upload_layer_part("repo", UPLOAD, 0, 1_048_575, blob)
        .options(options)
        .send()
        .await
        .expect("uploaded");
    assert_eq!(out.last_byte_received, Some(1_048_575));

    let request_len = server.only_request().body.len() as u64;
    assert!(request_len > 1_398_000, "a 1 MiB blob is ~1.4 MB of base64: {request_len}");
    let sent = sent.lock().unwrap().clone();
    assert!(sent.len() > 2, "reported in pieces: {sent:?}");
    assert!(sent.windows(2).all(|w| w[0].0 < w[1].0), "increasing: {sent:?}");
    assert!(sent.iter().all(|(_, total)| *total == request_len), "the total is the body's: {sent:?}");
    assert_eq!(sent.last(), Some(&(request_len, request_len)), "ends at the whole body");

    let received = received.lock().unwrap().clone();
    let len = response_body.len() as u64;
    assert!(received.len() > 1, "reported in pieces: {} calls", received.len());
    assert!(received.iter().all(|(_, total)| *total == len), "the total is the Content-Length");
    assert!(received.windows(2).all(|w| w[0].0 < w[1].0), "increasing: {received:?}");
    assert_eq!(received.last(), Some(&(len, len)), "ends at the response body's size");
}

// ---------------------------------------------------------------------------------------------
// Request ids
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn request_ids_on_outputs_and_errors() {
    let server = MockServer::start_sequence(vec![
        Canned::ok(r#"{"authorizationData":{"expiresAt":1}}"#, "rid-out"),
        error(400, "InvalidParameterException", "rid-modeled"),
        error(400, "SomethingNew", "rid-unhandled"),
        Canned::new(400, "not json").header("x-amzn-RequestId", "rid-response"),
        // The S3-style header is read too.
        Canned::new(400, error_body("SomethingNew", "m")).header("x-amz-request-id", "rid-alt"),
    ])
    .await;
    let client = MockServer::client(&server);
    let out = client.get_authorization_token().send().await.expect("ok");
    assert_eq!(out.request_id(), Some("rid-out"));

    match client.get_authorization_token().send().await {
        Err(SdkError::Service(GetAuthorizationTokenError::InvalidParameterException(e))) => {
            assert_eq!(e.request_id(), Some("rid-modeled"));
            assert!(e.to_string().contains("rid-modeled"), "{e}");
        }
        other => panic!("expected InvalidParameterException, got {other:?}"),
    }
    match client.get_authorization_token().send().await {
        Err(SdkError::Service(GetAuthorizationTokenError::Unhandled(u))) => {
            assert_eq!(u.request_id(), Some("rid-unhandled"));
            assert_eq!(u.code(), "SomethingNew");
        }
        other => panic!("expected Unhandled, got {other:?}"),
    }
    match client.get_authorization_token().send().await {
        Err(SdkError::Response(e)) => assert_eq!(e.request_id(), Some("rid-response")),
        other => panic!("expected a response error, got {other:?}"),
    }
    match client.get_authorization_token().send().await {
        Err(SdkError::Service(GetAuthorizationTokenError::Unhandled(u))) => {
            assert_eq!(u.request_id(), Some("rid-alt"))
        }
        other => panic!("expected Unhandled, got {other:?}"),
    }
}
