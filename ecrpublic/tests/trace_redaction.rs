//! Tracing: the `operation` and `attempt` spans, the wire trace on `awsjson_runtime::wire`, and no
//! secret anywhere in what a TRACE-level subscriber sees. The subscriber is a minimal hand-written
//! one that records every span, recorded value and event as text.

mod common;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Canned, MockServer};
use ecrpublic::{Client, Credentials, RetryConfig, RetryMode};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

const SECRET_KEY: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENvalue0123456789";
const AUTH_TOKEN: &str = "QVdTOnRoaXMtaXMtdGhlLXNlY3JldC1wYXNzd29yZA==";

/// Records everything at every level as lines of text.
#[derive(Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    spans: Mutex<HashMap<u64, &'static str>>,
    next_id: AtomicU64,
}

#[derive(Default)]
struct Fields(String);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push_str(&format!(" {}={}", field.name(), value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl Recorder {
    fn push(&self, line: String) {
        self.lines.lock().unwrap().push(line);
    }
}

impl Subscriber for Recorder {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::always()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Fields::default();
        span.record(&mut fields);
        let name = span.metadata().name();
        self.spans.lock().unwrap().insert(id, name);
        self.push(format!("span {name}:{}", fields.0));
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        let name = self.spans.lock().unwrap().get(&span.into_u64()).copied().unwrap_or("?");
        self.push(format!("record {name}:{}", fields.0));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let m = event.metadata();
        self.push(format!("event {} {}:{}", m.level(), m.target(), fields.0));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

fn client(endpoint: &str) -> Client {
    let config = common::config(endpoint)
        .to_builder()
        .credentials(Credentials::new("AKIDTRACE", SECRET_KEY, Some(SESSION_TOKEN.to_owned()), None, "test"))
        .retry(RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        })
        .build();
    Client::new(&config)
}

/// The `Signature=` value of an `Authorization` header.
fn signature(auth: &str) -> &str {
    auth.split("Signature=").nth(1).unwrap_or_else(|| panic!("no signature in {auth}"))
}

#[tokio::test]
async fn spans_and_wire_trace_without_secrets() {
    let recorder = Recorder::default();
    let lines = recorder.lines.clone();
    let server = MockServer::start_sequence(vec![
        Canned::new(503, r#"{"__type":"ServiceUnavailableException","message":"later"}"#)
            .header("x-amzn-RequestId", "rid-503"),
        Canned::ok(
            format!(r#"{{"authorizationData":{{"authorizationToken":"{AUTH_TOKEN}","expiresAt":1609462800}}}}"#),
            "rid-200",
        ),
    ])
    .await;
    let out = {
        let _guard = tracing::subscriber::set_default(recorder);
        client(&server.endpoint()).get_authorization_token().send().await.expect("second attempt succeeds")
    };
    // The secret is delivered to the caller, just never traced.
    assert_eq!(out.authorization_data.and_then(|d| d.authorization_token).as_deref(), Some(AUTH_TOKEN));

    let lines = lines.lock().unwrap().clone();
    let all = lines.join("\n");

    // The spans: one operation, two attempts with their number and status.
    let op: Vec<&String> = lines.iter().filter(|l| l.starts_with("span operation:")).collect();
    assert_eq!(op.len(), 1, "{all}");
    assert!(op[0].contains("operation=GetAuthorizationToken"), "{}", op[0]);
    assert!(op[0].contains("service=ECR PUBLIC"), "{}", op[0]);
    let attempts: Vec<&String> = lines.iter().filter(|l| l.starts_with("span attempt:")).collect();
    assert_eq!(attempts.len(), 2, "{all}");
    assert!(attempts[0].contains(" attempt=1"), "{}", attempts[0]);
    assert!(attempts[1].contains(" attempt=2"), "{}", attempts[1]);
    let statuses: Vec<&String> = lines.iter().filter(|l| l.starts_with("record attempt:")).collect();
    assert!(statuses.iter().any(|l| l.contains("status=503")), "{all}");
    assert!(statuses.iter().any(|l| l.contains("status=200")), "{all}");
    assert!(statuses.iter().any(|l| l.contains("request_id=rid-200")), "{all}");

    // The wire trace: both requests and both responses, at TRACE on `awsjson_runtime::wire`.
    let wire: Vec<&String> = lines.iter().filter(|l| l.starts_with("event TRACE awsjson_runtime::wire:")).collect();
    let requests: Vec<&&String> = wire.iter().filter(|l| l.contains("message=request")).collect();
    let responses: Vec<&&String> = wire.iter().filter(|l| l.contains("message=response")).collect();
    assert_eq!((requests.len(), responses.len()), (2, 2), "{all}");
    assert!(requests[0].contains("x-amz-target: SpencerFrontendService.GetAuthorizationToken"), "{}", requests[0]);
    assert!(requests[0].contains("amz-sdk-request: attempt=1; max=3"), "{}", requests[0]);
    assert!(requests[1].contains("amz-sdk-request: attempt=2; max=3"), "{}", requests[1]);
    assert!(requests[0].contains("Credential=AKIDTRACE/"), "who signed is kept: {}", requests[0]);
    assert!(requests[0].contains("Signature=** redacted **"), "{}", requests[0]);
    assert!(requests[0].contains("x-amz-security-token: ** redacted **"), "{}", requests[0]);
    assert!(responses[0].contains("status=503") && responses[0].contains("ServiceUnavailableException"), "{all}");
    assert!(responses[1].contains("status=200") && responses[1].contains("expiresAt"), "{}", responses[1]);
    assert!(responses[1].contains("authorizationToken") && responses[1].contains("** redacted **"), "{all}");

    // And no secret anywhere: not the key, the session token, either signature, nor the token
    // the service returned.
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("x-amz-security-token"), SESSION_TOKEN, "the token was really sent");
    let mut secrets = vec![SECRET_KEY.to_owned(), SESSION_TOKEN.to_owned(), AUTH_TOKEN.to_owned()];
    for r in &sent {
        let sig = signature(r.header("authorization"));
        assert_eq!(sig.len(), 64, "{sig}");
        secrets.push(sig.to_owned());
    }
    for secret in &secrets {
        assert!(!all.contains(secret.as_str()), "`{secret}` leaked into the trace:\n{all}");
    }
}

#[tokio::test]
async fn secrets_in_error_responses_and_validation_are_not_traced() {
    let recorder = Recorder::default();
    let lines = recorder.lines.clone();
    // An error body that echoes a secret-looking member must not be traced as is.
    let server = MockServer::start(
        Canned::new(
            400,
            format!(r#"{{"__type":"InvalidParameterException","message":"bad","sessionToken":"{SESSION_TOKEN}"}}"#),
        )
        .header("x-amzn-RequestId", "rid-400"),
    )
    .await;
    {
        let _guard = tracing::subscriber::set_default(recorder);
        let result = client(&server.endpoint()).get_authorization_token().send().await;
        assert!(result.is_err());
    }
    let all = lines.lock().unwrap().join("\n");
    assert!(all.contains("InvalidParameterException"), "{all}");
    assert!(all.contains("span attempt:"), "{all}");
    for secret in [SECRET_KEY, SESSION_TOKEN] {
        assert!(!all.contains(secret), "`{secret}` leaked into the trace:\n{all}");
    }
}
