//! `.customize(..)` on a fluent call: overrides of the client's configuration for that call
//! alone (timeout, region, endpoint, credentials), headers it adds and request mutations, seen
//! on the request the transport receives or through the error the call returns.

use std::time::Duration;

use ecrpublic::{stub::Capture, Client, Config, Credentials, HttpRequest, RetryConfig, SdkError, TimeoutKind};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// A hang fails the test instead of the CI job.
const GUARD: Duration = Duration::from_secs(60);

fn client(capture: &Capture) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKIDCLIENT", "SECRET", None, None, "test"))
        .transport(capture.clone())
        .build();
    Client::new(&config)
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `(access key, region, service)` of the SigV4 credential scope, and the signed header names.
fn signature(request: &HttpRequest) -> (String, String, String, String) {
    let auth = header(request, "authorization").expect("signed");
    let credential = auth.strip_prefix("AWS4-HMAC-SHA256 Credential=").and_then(|c| c.split(',').next()).unwrap();
    let parts: Vec<&str> = credential.split('/').collect();
    let signed = auth.split("SignedHeaders=").nth(1).and_then(|s| s.split(',').next()).unwrap();
    (parts[0].to_string(), parts[2].to_string(), parts[3].to_string(), signed.to_string())
}

#[tokio::test]
async fn a_per_call_timeout_ends_that_call_only() {
    // A server that accepts and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            held.push(tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
            }));
        }
    });
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(&url)
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry(RetryConfig::disabled())
        .build();
    let client = Client::new(&config);
    let call = client.describe_repositories().customize(|c| c.operation_timeout(Duration::from_millis(300))).send();
    let err = tokio::time::timeout(GUARD, call).await.expect("the per-call timeout ended the call").unwrap_err();
    assert!(matches!(&err, SdkError::Timeout(t) if t.kind() == TimeoutKind::Operation), "{err:?}");

    // The client itself has no timeout: the same call without the override is still waiting.
    let uncustomized = client.describe_repositories().send();
    assert!(tokio::time::timeout(Duration::from_millis(500), uncustomized).await.is_err(), "no timeout by default");
}

#[tokio::test]
async fn headers_are_added_and_signed() {
    let capture = Capture::new();
    let client = client(&capture);
    client
        .describe_repositories()
        .customize(|c| c.header("x-trace-id", "run-42").header("user-agent", "replaced/1.0"))
        .send()
        .await
        .expect("sent");
    client.describe_repositories().send().await.expect("sent");
    let requests = capture.take();
    assert_eq!(header(&requests[0], "x-trace-id"), Some("run-42"));
    assert_eq!(header(&requests[0], "user-agent"), Some("replaced/1.0"), "a header of the same name is replaced");
    assert!(signature(&requests[0]).3.split(';').any(|h| h == "x-trace-id"), "{:?}", signature(&requests[0]));
    // The next call is untouched.
    assert_eq!(header(&requests[1], "x-trace-id"), None);
}

#[tokio::test]
async fn region_endpoint_and_credentials_for_one_call() {
    let capture = Capture::new();
    let client = client(&capture);
    client.describe_repositories().customize(|c| c.region("eu-west-1")).send().await.expect("sent");
    client.describe_repositories().customize(|c| c.endpoint_url("http://localhost:4566")).send().await.expect("sent");
    let other = Credentials::new("AKIDPERCALL", "OTHER", None, None, "test");
    client.describe_repositories().customize(move |c| c.credentials(other)).send().await.expect("sent");
    client.describe_repositories().send().await.expect("sent");
    let requests = capture.take();
    let seen: Vec<(String, String, String)> = requests
        .iter()
        .map(|r| {
            let (key, region, _, _) = signature(r);
            (r.uri().authority().unwrap().to_string(), region, key)
        })
        .collect();
    let row = |host: &str, region: &str, key: &str| (host.to_string(), region.to_string(), key.to_string());
    assert_eq!(
        seen,
        [
            row("api.ecr-public.eu-west-1.amazonaws.com", "eu-west-1", "AKIDCLIENT"),
            row("localhost:4566", "us-east-1", "AKIDCLIENT"),
            row("api.ecr-public.us-east-1.amazonaws.com", "us-east-1", "AKIDPERCALL"),
            row("api.ecr-public.us-east-1.amazonaws.com", "us-east-1", "AKIDCLIENT"),
        ]
    );
    assert!(signature(&requests[0]).2 == "ecr-public");
}

#[tokio::test]
async fn a_request_mutation_runs_before_signing() {
    let capture = Capture::new();
    let client = client(&capture);
    client
        .describe_repositories()
        .customize(|c| {
            c.mutate_request(|request| {
                request.headers_mut().insert("x-added-by-mutation", http::HeaderValue::from_static("yes"));
            })
        })
        .send()
        .await
        .expect("sent");
    let request = capture.take().pop().unwrap();
    assert_eq!(header(&request, "x-added-by-mutation"), Some("yes"));
    assert!(signature(&request).3.contains("x-added-by-mutation"), "signed after the mutation");
}

#[tokio::test]
async fn bad_overrides_are_errors_and_nothing_is_sent() {
    let capture = Capture::new();
    let client = client(&capture);
    let bad_header = client.describe_repositories().customize(|c| c.header("bad header", "v")).send().await;
    let err = bad_header.expect_err("an invalid header name");
    assert!(err.to_string().contains("`bad header`"), "{err}");
    let bad_value = client.describe_repositories().customize(|c| c.header("x-secret", "line\nbreak")).send().await;
    let err = bad_value.expect_err("an invalid header value");
    assert!(err.to_string().contains("`x-secret`") && !err.to_string().contains("line"), "{err}");
    let bad_region = client.describe_repositories().customize(|c| c.region("us-east-1/evil")).send().await;
    assert!(bad_region.expect_err("not a region").to_string().contains("set for this call"));
    let with_password =
        client.describe_repositories().customize(|c| c.endpoint_url("https://user:hunter2@example.com")).send().await;
    let err = with_password.expect_err("user info");
    assert!(err.to_string().contains("user info") && !err.to_string().contains("hunter2"), "{err}");
    assert!(capture.take().is_empty(), "nothing was sent");
}
