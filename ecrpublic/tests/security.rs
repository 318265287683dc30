//! Secrets stay out of `Debug`, `Display` and errors; bad settings fail with typed errors.

use ecrpublic::error::GetAuthorizationTokenError;
use ecrpublic::types::AuthorizationData;
use ecrpublic::{
    BoxFuture, Client, Config, Credentials, HttpRequest, HttpResponse, SdkError, Transport, TransportError,
};

/// Answers every request with one fixed response.
#[derive(Clone)]
struct Fixed {
    status: u16,
    body: &'static str,
}

impl Transport for Fixed {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let response = http::Response::builder()
            .status(self.status)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amzn-requestid", "req-1")
            .body(bytes::Bytes::from_static(self.body.as_bytes()))
            .unwrap();
        Box::pin(async move { Ok(response) })
    }
}

fn client(transport: Fixed) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .transport(transport)
        .build();
    Client::new(&config)
}

#[test]
fn authorization_token_is_redacted_in_debug() {
    let data = AuthorizationData::default().with_authorization_token("QVdTOnMzY3JldA==");
    let shown = format!("{data:?} {data:#?}");
    assert!(!shown.contains("QVdTOnMzY3JldA=="), "{shown}");
    assert!(shown.contains("authorization_token"), "{shown}");
}

#[tokio::test]
async fn an_unreadable_successful_response_does_not_show_its_body() {
    // A 2xx body that fails to parse may still hold the output's secrets.
    let body = r#"{"authorizationData": {"authorizationToken": "TOKEN_IN_BODY", "expiresAt": "not a time"}}"#;
    let err = client(Fixed { status: 200, body }).get_authorization_token().send().await.unwrap_err();
    let SdkError::Response(response) = &err else { panic!("{err:?}") };
    assert_eq!(response.status(), 200);
    // The raw body stays available to code that asks for it...
    assert_eq!(response.body(), body.as_bytes());
    // ...but never printed.
    for shown in [format!("{err}"), format!("{err:?}"), format!("{response:#?}")] {
        assert!(!shown.contains("TOKEN_IN_BODY"), "{shown}");
        assert!(shown.contains("200"), "{shown}");
    }
}

#[tokio::test]
async fn an_unreadable_error_response_shows_a_bounded_excerpt() {
    // An error without a code (an HTML page from a proxy, say): its start helps diagnosis.
    let page: &'static str = Box::leak(format!("<html>{}</html>", "x".repeat(10_000)).into_boxed_str());
    let err = client(Fixed { status: 502, body: page }).describe_repositories().send().await.unwrap_err();
    let SdkError::Response(response) = &err else { panic!("{err:?}") };
    let shown = format!("{response:?}");
    assert!(shown.contains("<html>xxx"), "{shown}");
    assert!(shown.len() < 1_000, "{} characters: {shown}", shown.len());
    assert!(shown.contains("10013 bytes"), "{shown}");
}

#[tokio::test]
async fn no_body_of_an_operation_with_a_sensitive_output_is_shown() {
    // GetAuthorizationToken's output holds the token: whatever its status, a response the
    // client cannot read is not printed, lest a proxy or a broken server echo the token.
    let body = r#"{"weird": "TOKEN_IN_BODY"}"#;
    let err = client(Fixed { status: 400, body }).get_authorization_token().send().await.unwrap_err();
    let SdkError::Response(response) = &err else { panic!("{err:?}") };
    assert_eq!((response.status(), response.body()), (400, body.as_bytes()));
    for shown in [format!("{err}"), format!("{err:?}"), format!("{response:#?}")] {
        assert!(!shown.contains("TOKEN_IN_BODY"), "{shown}");
    }
}

/// Counts the requests it is asked to send.
#[derive(Clone, Default)]
struct Counter(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Transport for Counter {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async { Ok(http::Response::builder().status(200).body(bytes::Bytes::from_static(b"{}")).unwrap()) })
    }
}

async fn call(
    configure: impl FnOnce(ecrpublic::ConfigBuilder) -> ecrpublic::ConfigBuilder,
) -> (SdkError<GetAuthorizationTokenError>, usize) {
    let counter = Counter::default();
    let builder = Config::builder()
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .transport(counter.clone());
    let client = Client::new(&configure(builder).build());
    let err = client.get_authorization_token().send().await.unwrap_err();
    (err, counter.0.load(std::sync::atomic::Ordering::SeqCst))
}

#[tokio::test]
async fn a_region_that_is_not_a_host_label_is_refused_before_any_request() {
    let long = "a".repeat(64);
    for region in ["us-east-1/../x", "a b", "", "us-east-1.evil.com", "x@y", "-a", long.as_str()] {
        let (err, sent) = call(|b| b.region(region)).await;
        assert!(matches!(err, SdkError::Config(_)), "{region:?}: {err:?}");
        assert!(err.to_string().contains("not valid"), "{region:?}: {err}");
        assert_eq!(sent, 0, "{region:?}");
    }
}

#[tokio::test]
async fn an_endpoint_with_user_info_is_refused_without_echoing_the_password() {
    for url in ["https://user:pass-s3cret@host.example", "http://user:pass-s3cret@127.0.0.1:1/", "https://u@host"] {
        let (err, sent) = call(|b| b.region("us-east-1").endpoint_url(url)).await;
        assert!(matches!(err, SdkError::Config(_)), "{url}: {err:?}");
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("user info") && !shown.contains("s3cret"), "{url}: {shown}");
        assert_eq!(sent, 0, "{url}");
    }
}
