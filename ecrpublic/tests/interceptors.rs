//! Interceptors through the public API: a header added before signing reaches the server and is
//! covered by the signature (checked by the emulator with credentials), per-call interceptors,
//! hooks that end a call with a typed error before anything is sent, the metrics interceptor over
//! retries, and the logging interceptor's redaction. Every network call runs under a timeout.
#![cfg(feature = "emulator")]

mod common;
#[path = "common/emulator.rs"]
mod emulator_common;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::fault::{refused_endpoint, Fault, FaultServer};
use common::logs::Logs;
use common::{signed_headers, Canned, MockServer};
use ecrpublic::emulator::{Emulator, EmulatorOptions};
use ecrpublic::error::DescribeRepositoriesError;
use ecrpublic::input::DescribeRepositoriesInput;
use ecrpublic::interceptor::{
    BoxError, CallMetrics, ErrorContext, ErrorKind, ExecutionContext, InputContext, Interceptor, LoggingInterceptor,
    MetricsInterceptor, Outcome, OutputContext, SigningContext, TransmitContext,
};
use ecrpublic::output::DescribeRepositoriesOutput;
use ecrpublic::{CallOptions, Client, Config, Credentials, HttpRequest, RetryConfig, RetryMode, SdkError};

/// Fails the test instead of hanging it.
async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), f).await.expect("the call hung")
}

/// Adds `x-team: <value>` before signing.
struct Team(&'static str);

impl Interceptor for Team {
    fn name(&self) -> &'static str {
        "team"
    }

    fn before_signing(&self, ctx: &mut SigningContext<'_>) -> Result<(), BoxError> {
        ctx.request_mut().headers_mut().insert("x-team", http::HeaderValue::from_static(self.0));
        Ok(())
    }
}

/// Keeps a copy of every signed request.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<HttpRequest>>>);

impl Interceptor for Capture {
    fn before_transmit(&self, ctx: &TransmitContext<'_>) -> Result<(), BoxError> {
        let r = ctx.request();
        let mut copy = http::Request::new(r.body().clone());
        *copy.method_mut() = r.method().clone();
        *copy.uri_mut() = r.uri().clone();
        *copy.headers_mut() = r.headers().clone();
        self.0.lock().unwrap().push(copy);
        Ok(())
    }
}

/// Records `<tag>:<hook>` for each hook it sees, into a log shared with other recorders.
#[derive(Clone)]
struct Recorder {
    tag: &'static str,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn push(&self, what: String) {
        self.seen.lock().unwrap().push(format!("{}:{what}", self.tag));
    }
}

impl Interceptor for Recorder {
    fn before_serialization(&self, ctx: &InputContext<'_>) -> Result<(), BoxError> {
        assert!(ctx.input_as::<DescribeRepositoriesInput>().is_some(), "the typed input");
        assert_eq!((ctx.service(), ctx.operation(), ctx.attempt()), ("ECR PUBLIC", "DescribeRepositories", 0));
        self.push("before_serialization".into());
        Ok(())
    }

    fn before_signing(&self, ctx: &mut SigningContext<'_>) -> Result<(), BoxError> {
        assert!(ctx.request().headers().get("authorization").is_none(), "not signed yet");
        self.push(format!("before_signing#{}", ctx.attempt()));
        Ok(())
    }

    fn before_transmit(&self, ctx: &TransmitContext<'_>) -> Result<(), BoxError> {
        assert!(ctx.request().headers().get("authorization").is_some(), "signed");
        let id = ctx.request().headers().get("amz-sdk-invocation-id").and_then(|v| v.to_str().ok());
        assert_eq!(id, Some(ctx.invocation_id()));
        self.push(format!("before_transmit#{}", ctx.attempt()));
        Ok(())
    }

    fn after_attempt(&self, ctx: &ecrpublic::interceptor::AttemptContext<'_>) {
        let status = ctx.response().map(|r| r.status().as_u16());
        self.push(format!("after_attempt#{}:{status:?}:{}", ctx.attempt(), ctx.retrying()));
    }

    fn after_deserialization(&self, ctx: &OutputContext<'_>) -> Result<(), BoxError> {
        let typed = ctx.output_as::<DescribeRepositoriesOutput>().is_some()
            || ctx.error_as::<SdkError<DescribeRepositoriesError>>().is_some_and(|e| e.service_error().is_some());
        assert!(typed, "the typed output or error");
        self.push(format!("after_deserialization:{}", ctx.response().status().as_u16()));
        Ok(())
    }

    fn on_error(&self, ctx: &ErrorContext<'_>) {
        assert!(ctx.error_as::<SdkError<DescribeRepositoriesError>>().is_some(), "the typed error");
        self.push(format!("on_error:{}", ctx.kind().label()));
    }

    fn after_execution(&self, ctx: &ExecutionContext<'_>) {
        self.push(format!("after_execution:{}", ctx.metrics().outcome().label()));
    }
}

/// Fails in one hook.
struct Refuse(&'static str);

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused by policy")
    }
}

impl std::error::Error for Refused {}

impl Interceptor for Refuse {
    fn name(&self) -> &'static str {
        "refuse"
    }

    fn before_serialization(&self, _: &InputContext<'_>) -> Result<(), BoxError> {
        if self.0 == "before_serialization" {
            return Err(Box::new(Refused));
        }
        Ok(())
    }

    fn before_signing(&self, _: &mut SigningContext<'_>) -> Result<(), BoxError> {
        if self.0 == "before_signing" {
            return Err(Box::new(Refused));
        }
        Ok(())
    }

    fn before_transmit(&self, _: &TransmitContext<'_>) -> Result<(), BoxError> {
        if self.0 == "before_transmit" {
            return Err(Box::new(Refused));
        }
        Ok(())
    }

    fn after_deserialization(&self, _: &OutputContext<'_>) -> Result<(), BoxError> {
        if self.0 == "after_deserialization" {
            return Err("the output is not acceptable".into());
        }
        Ok(())
    }
}

/// Collects every call's metrics.
fn metrics() -> (MetricsInterceptor, Arc<Mutex<Vec<CallMetrics>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (MetricsInterceptor::new(move |m: &CallMetrics| sink.lock().unwrap().push(m.clone())), seen)
}

fn quick_retries() -> RetryConfig {
    RetryConfig {
        mode: RetryMode::Standard,
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    }
}

#[tokio::test]
async fn a_config_interceptor_adds_a_signed_header_to_every_call_of_every_client() {
    let server = MockServer::start(Canned::ok(r#"{"repositories":[]}"#, "rid")).await;
    let config = common::config(&server.endpoint()).to_builder().interceptor(Team("infra")).build();
    // Two clients of the one configuration (as clients of two services would be).
    let (a, b) = (Client::new(&config), Client::new(&config));
    within(a.describe_repositories().send()).await.expect("first client");
    within(b.describe_registries().send()).await.expect("second client");
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    for r in &sent {
        assert_eq!(r.header("x-team"), "infra");
        assert!(signed_headers(r.header("authorization")).contains(&"x-team"), "x-team is signed");
    }
}

#[tokio::test]
async fn the_emulator_accepts_the_signature_and_refuses_it_once_the_header_changes() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_credentials("AKID", "SECRET")).await.expect("start");
    let capture = Capture::default();
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(emu.url())
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .max_attempts(1)
        .interceptor(Team("infra"))
        .interceptor(capture.clone())
        .build();
    let client = Client::new(&config);
    within(client.create_repository("with-header").send()).await.expect("the emulator verifies the signature");
    within(client.describe_repositories().send()).await.expect("and again");

    // The signed request, replayed as is, is accepted; with the header's value changed it is not:
    // the emulator checked the header as part of the signature.
    let signed = capture.0.lock().unwrap().last().cloned().expect("captured");
    let replay = |team: &str| {
        let mut head = String::from("POST / HTTP/1.1");
        for (name, value) in signed.headers() {
            let value = if name == "x-team" { team } else { value.to_str().expect("text") };
            head.push_str(&format!("\r\n{name}: {value}"));
        }
        // Unsigned, so it changes nothing in the signature; it makes the server close the connection.
        head.push_str("\r\nconnection: close");
        head
    };
    let ok = within(emulator_common::raw_request(emu.port(), &replay("infra"), signed.body())).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let tampered = within(emulator_common::raw_request(emu.port(), &replay("other"), signed.body())).await;
    assert_eq!(tampered.status, 403, "{}", tampered.body);
    assert!(tampered.body.contains("InvalidSignatureException"), "{}", tampered.body);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_per_call_interceptor_affects_only_that_call_and_runs_after_the_configs() {
    let server = MockServer::start(Canned::ok(r#"{"repositories":[]}"#, "rid")).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let config = common::config(&server.endpoint())
        .to_builder()
        .interceptor(Recorder { tag: "config", seen: seen.clone() })
        .build();
    let client = Client::new(&config);
    let options =
        CallOptions::new().interceptor(Team("call")).interceptor(Recorder { tag: "call", seen: seen.clone() });
    within(client.describe_repositories().options(options).send()).await.expect("with the call's interceptors");
    let first: Vec<String> = std::mem::take(&mut *seen.lock().unwrap());
    within(client.describe_repositories().send()).await.expect("without");
    let second = seen.lock().unwrap().clone();

    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("x-team"), "call");
    assert!(sent[1].headers.get("x-team").is_none(), "the second call has no x-team: {:?}", sent[1].headers);

    let hooks = [
        "before_serialization",
        "before_signing#1",
        "before_transmit#1",
        "after_attempt#1:Some(200):false",
        "after_deserialization:200",
        "after_execution:ok",
    ];
    let both: Vec<String> = hooks.iter().flat_map(|h| [format!("config:{h}"), format!("call:{h}")]).collect();
    assert_eq!(first, both, "each hook: the config's first, then the call's");
    let config_only: Vec<String> = hooks.iter().map(|h| format!("config:{h}")).collect();
    assert_eq!(second, config_only);
}

#[tokio::test]
async fn hooks_see_retries_and_errors() {
    let server = FaultServer::start([Fault::Error(503, "ServiceUnavailable")]).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let config = common::config(&server.endpoint())
        .to_builder()
        .retry(quick_retries())
        .interceptor(Recorder { tag: "r", seen: seen.clone() })
        .build();
    within(Client::new(&config).describe_repositories().send()).await.expect("the retry succeeds");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "r:before_serialization",
            "r:before_signing#1",
            "r:before_transmit#1",
            "r:after_attempt#1:Some(503):true",
            "r:before_signing#2",
            "r:before_transmit#2",
            "r:after_attempt#2:Some(200):false",
            "r:after_deserialization:200",
            "r:after_execution:ok",
        ]
    );

    // A service error reaches after_deserialization typed, then on_error.
    let server = FaultServer::always(Fault::Error(400, "RepositoryNotFoundException")).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let config =
        common::config(&server.endpoint()).to_builder().interceptor(Recorder { tag: "r", seen: seen.clone() }).build();
    let err = within(Client::new(&config).describe_repositories().send()).await.expect_err("a service error");
    assert!(err.service_error().is_some(), "{err:?}");
    let tail: Vec<String> = seen.lock().unwrap().iter().skip(4).cloned().collect();
    assert_eq!(tail, ["r:after_deserialization:400", "r:on_error:service", "r:after_execution:service"]);
}

#[tokio::test]
async fn an_interceptor_error_ends_the_call_with_a_typed_error_and_nothing_sent() {
    for hook in ["before_serialization", "before_signing", "before_transmit"] {
        let server = MockServer::start(Canned::ok(r#"{"repositories":[]}"#, "rid")).await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let config = common::config(&server.endpoint())
            .to_builder()
            .retry(quick_retries())
            .interceptor(Refuse(hook))
            .interceptor(Recorder { tag: "r", seen: seen.clone() })
            .build();
        let err = within(Client::new(&config).describe_repositories().send()).await.expect_err(hook);
        match &err {
            SdkError::Interceptor(e) => {
                assert_eq!((e.interceptor(), e.hook()), ("refuse", hook));
                assert_eq!(e.error().to_string(), "refused by policy");
                assert_eq!(err.to_string(), format!("interceptor `refuse` failed in {hook}: refused by policy"));
            }
            other => panic!("{hook}: expected an interceptor error, got {other:?}"),
        }
        assert!(server.requests().is_empty(), "{hook}: nothing is sent, and not retried");
        let seen = seen.lock().unwrap().clone();
        assert!(seen.contains(&"r:on_error:interceptor".to_owned()), "{hook}: {seen:?}");
        assert_eq!(seen.last().map(String::as_str), Some("r:after_execution:interceptor"), "{hook}");
    }

    // After deserialization, the hook's error replaces the output.
    let server = MockServer::start(Canned::ok(r#"{"repositories":[]}"#, "rid")).await;
    let config = common::config(&server.endpoint()).to_builder().interceptor(Refuse("after_deserialization")).build();
    let err = within(Client::new(&config).describe_repositories().send()).await.expect_err("refused output");
    assert!(matches!(&err, SdkError::Interceptor(e) if e.hook() == "after_deserialization"), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn metrics_count_three_attempts_and_two_retries() {
    let server =
        FaultServer::start([Fault::Error(503, "ServiceUnavailable"), Fault::Error(503, "ServiceUnavailable")]).await;
    let (interceptor, seen) = metrics();
    let config =
        common::config(&server.endpoint()).to_builder().retry(quick_retries()).interceptor(interceptor).build();
    within(Client::new(&config).describe_repositories().send()).await.expect("the third attempt succeeds");
    assert_eq!(server.requests(), 3);
    let m = seen.lock().unwrap().pop().expect("reported");
    assert_eq!((m.service(), m.operation()), ("ECR PUBLIC", "DescribeRepositories"));
    assert_eq!((m.attempts(), m.retries(), m.outcome()), (3, 2, Outcome::Ok));
    assert_eq!(m.error_code(), None);
    let statuses: Vec<Option<u16>> = m.attempt_metrics().iter().map(|a| a.status()).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
    let numbers: Vec<u32> = m.attempt_metrics().iter().map(|a| a.attempt()).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(m.attempt_metrics()[0].outcome(), Outcome::Error(ErrorKind::Service));
    let attempts_total: Duration = m.attempt_metrics().iter().map(|a| a.latency()).sum();
    assert!(m.latency() >= attempts_total, "{m:?}");
    assert!(seen.lock().unwrap().is_empty(), "one report per call");

    // A call that fails: the service's error code; a transport error: its kind.
    let server = FaultServer::always(Fault::Error(503, "ServiceUnavailable")).await;
    let (interceptor, seen) = metrics();
    let config =
        common::config(&server.endpoint()).to_builder().retry(quick_retries()).interceptor(interceptor).build();
    within(Client::new(&config).describe_repositories().send()).await.expect_err("always 503");
    let m = seen.lock().unwrap().pop().expect("reported");
    assert_eq!((m.attempts(), m.outcome().label(), m.error_code()), (3, "service", Some("ServiceUnavailable")));

    let (interceptor, seen) = metrics();
    let config =
        common::config(&refused_endpoint().await).to_builder().retry(quick_retries()).interceptor(interceptor).build();
    within(Client::new(&config).describe_repositories().send()).await.expect_err("refused");
    let m = seen.lock().unwrap().pop().expect("reported");
    assert_eq!((m.attempts(), m.outcome().label(), m.error_code()), (3, "transport", None));
    assert!(m.attempt_metrics().iter().all(|a| a.status().is_none()), "{m:?}");

    // Validation fails before any attempt.
    let (interceptor, seen) = metrics();
    let config = common::config(&refused_endpoint().await).to_builder().interceptor(interceptor).build();
    within(Client::new(&config).create_repository("").send()).await.expect_err("invalid name");
    let m = seen.lock().unwrap().pop().expect("reported");
    assert_eq!((m.attempts(), m.retries(), m.outcome()), (0, 0, Outcome::Error(ErrorKind::Validation)));
}

#[tokio::test]
async fn metrics_of_a_call_the_operation_timeout_cuts_off() {
    let server = FaultServer::always(Fault::Silent).await;
    let (interceptor, seen) = metrics();
    let config = common::config(&server.endpoint())
        .to_builder()
        .operation_timeout(Duration::from_millis(200))
        .interceptor(interceptor)
        .build();
    let err = within(Client::new(&config).describe_repositories().send()).await.expect_err("timed out");
    assert!(matches!(err, SdkError::Timeout(_)), "{err:?}");
    let m = seen.lock().unwrap().pop().expect("reported");
    assert_eq!((m.attempts(), m.outcome()), (1, Outcome::Error(ErrorKind::Timeout(ecrpublic::TimeoutKind::Operation))));
    let attempt = &m.attempt_metrics()[0];
    assert_eq!((attempt.status(), attempt.outcome().label()), (None, "timeout"));
    assert!(attempt.latency() >= Duration::from_millis(150), "{m:?}");
}

const SECRET_KEY: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENvalue0123456789";
const AUTH_TOKEN: &str = "QVdTOnRoaXMtaXMtdGhlLXNlY3JldC1wYXNzd29yZA==";

#[tokio::test]
async fn the_logging_interceptor_never_logs_secrets() {
    let server = MockServer::start_sequence(vec![
        Canned::new(503, r#"{"__type":"ServiceUnavailableException","message":"later"}"#),
        Canned::ok(
            format!(r#"{{"authorizationData":{{"authorizationToken":"{AUTH_TOKEN}","expiresAt":1609462800}}}}"#),
            "rid-200",
        ),
    ])
    .await;
    let config = common::config(&server.endpoint())
        .to_builder()
        .credentials(Credentials::new("AKIDLOG", SECRET_KEY, Some(SESSION_TOKEN.to_owned()), None, "test"))
        .retry(quick_retries())
        .interceptor(LoggingInterceptor::new())
        .build();
    let (logs, guard) = Logs::capture();
    let out = within(Client::new(&config).get_authorization_token().send()).await.expect("the retry succeeds");
    drop(guard);
    assert_eq!(out.authorization_data.and_then(|d| d.authorization_token).as_deref(), Some(AUTH_TOKEN));

    let target = ecrpublic::interceptor::LOG_TARGET;
    let ours: Vec<String> = logs.at("DEBUG").into_iter().filter(|l| l.contains(target)).collect();
    let all = ours.join("\n");
    let count = |what: &str| ours.iter().filter(|l| l.contains(what)).count();
    assert_eq!(count("message=sending request"), 2, "{all}");
    assert_eq!(count("message=received response"), 2, "{all}");
    assert_eq!(count("message=call finished"), 1, "{all}");
    assert!(all.contains("operation=GetAuthorizationToken") && all.contains("status=503"), "{all}");
    assert!(all.contains("Credential=AKIDLOG/") && all.contains("Signature=** redacted **"), "{all}");
    assert!(all.contains("x-amz-security-token: ** redacted **"), "{all}");
    assert!(all.contains("authorizationToken") && all.contains("expiresAt"), "the body, redacted: {all}");

    // Not the secret key, the session token, either signature, nor the returned token: in what
    // the interceptor logged or anything else logged.
    let mut secrets = vec![SECRET_KEY.to_owned(), SESSION_TOKEN.to_owned(), AUTH_TOKEN.to_owned()];
    for r in server.requests() {
        let auth = r.header("authorization");
        secrets.push(auth.split("Signature=").nth(1).expect("signature").to_owned());
    }
    let everything = logs.text();
    for secret in &secrets {
        assert!(!everything.contains(secret.as_str()), "`{secret}` was logged:\n{everything}");
    }
}

#[tokio::test]
async fn the_logging_interceptor_logs_failures_at_warn() {
    let (interceptor, _) = metrics();
    let config = common::config(&refused_endpoint().await)
        .to_builder()
        .interceptor(LoggingInterceptor::new().without_bodies())
        .interceptor(interceptor)
        .build();
    let (logs, guard) = Logs::capture();
    within(Client::new(&config).describe_repositories().send()).await.expect_err("refused");
    drop(guard);
    let warn = logs.at("WARN").join("\n");
    assert!(warn.contains("message=attempt failed") && warn.contains("message=call failed"), "{warn}");
    assert!(warn.contains("kind=transport"), "{warn}");
}
