//! Paginators over a custom `Transport` (no network): DescribeRepositories pages are served by
//! `nextToken`, and every request the paginator sends is logged.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use ecrpublic::error::DescribeRepositoriesError;
use ecrpublic::{Client, Config, Credentials, HttpRequest, HttpResponse, SdkError, Transport, TransportError};
use futures_core::Stream;
use serde_json::{json, Value};

type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;
/// Maps a request body to the `(status, body)` of the response.
type Reply = Arc<dyn Fn(&Value) -> (u16, String) + Send + Sync>;

/// Answers each request body with `(status, body)` from `reply`, and logs the request bodies.
#[derive(Clone)]
struct Scripted {
    log: Arc<Mutex<Vec<Value>>>,
    reply: Reply,
}

impl Transport for Scripted {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        let target = request.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(target.as_deref(), Some("SpencerFrontendService.DescribeRepositories"));
        let body: Value = serde_json::from_slice(request.body()).expect("request body is JSON");
        let (status, reply) = (self.reply)(&body);
        let mut log = self.log.lock().unwrap();
        // A paginator that does not stop fails here instead of looping forever.
        assert!(log.len() < 10, "runaway paginator: {} requests", log.len() + 1);
        log.push(body);
        drop(log);
        let response = http::Response::builder()
            .status(status)
            .header("x-amzn-RequestId", "req-page")
            .body(Bytes::from(reply))
            .expect("response");
        Box::pin(std::future::ready(Ok(response)))
    }
}

/// A client whose transport answers by the request's `nextToken` (`None` for the first page),
/// and the log of request bodies it received.
fn client(reply: impl Fn(Option<&str>) -> (u16, String) + Send + Sync + 'static) -> (Client, Arc<Mutex<Vec<Value>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let transport = Scripted {
        log: log.clone(),
        reply: Arc::new(move |body: &Value| reply(body.get("nextToken").and_then(Value::as_str))),
    };
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .transport(transport)
        .build();
    (Client::new(&config), log)
}

/// A DescribeRepositories page with the named repositories and `nextToken` (omitted if `None`).
fn page(names: &[&str], next: Option<&str>) -> (u16, String) {
    let repos: Vec<Value> = names.iter().map(|n| json!({"repositoryName": n})).collect();
    let mut body = json!({ "repositories": repos });
    if let Some(next) = next {
        body["nextToken"] = json!(next);
    }
    (200, body.to_string())
}

/// Three pages: a, b | c | d, then no token.
fn three_pages(token: Option<&str>) -> (u16, String) {
    match token {
        None => page(&["a", "b"], Some("t1")),
        Some("t1") => page(&["c"], Some("t2")),
        Some("t2") => page(&["d"], None),
        other => panic!("unexpected token {other:?}"),
    }
}

fn names(page: &ecrpublic::output::DescribeRepositoriesOutput) -> Vec<&str> {
    page.repositories.iter().map(|r| r.repository_name.as_deref().unwrap_or("?")).collect()
}

fn tokens_sent(log: &Mutex<Vec<Value>>) -> Vec<Option<String>> {
    log.lock().unwrap().iter().map(|b| b.get("nextToken").and_then(Value::as_str).map(str::to_owned)).collect()
}

#[tokio::test]
async fn yields_every_page_and_stops_without_a_token() {
    let (client, log) = client(three_pages);
    let mut pages = client.describe_repositories().into_paginator();
    let mut seen = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("page");
        assert_eq!(page.request_id(), Some("req-page"));
        seen.push(names(&page).join(","));
    }
    assert_eq!(seen, ["a,b", "c", "d"]);
    assert_eq!(tokens_sent(&log), [None, Some("t1".into()), Some("t2".into())]);
    // Exhausted for good: asking again sends nothing.
    assert!(pages.next().await.is_none());
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn stops_on_an_empty_token() {
    let (client, log) = client(|token| match token {
        None => page(&["a"], Some("t1")),
        Some("t1") => page(&["b"], Some("")),
        other => panic!("unexpected token {other:?}"),
    });
    let mut pages = client.describe_repositories().into_paginator();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        page.expect("page");
        count += 1;
    }
    assert_eq!(count, 2);
    assert_eq!(tokens_sent(&log), [None, Some("t1".into())]);
}

/// Drains `items`: the names yielded, and the error that ended the stream, if any.
async fn drain(
    mut items: ecrpublic::paginate::Items<ecrpublic::operation::DescribeRepositories>,
) -> (Vec<String>, Option<String>) {
    let mut seen = Vec::new();
    while let Some(item) = items.next().await {
        match item {
            Ok(repo) => seen.push(repo.repository_name.expect("name")),
            Err(e) => {
                assert!(items.next().await.is_none(), "nothing after the error");
                return (seen, Some(e.to_string()));
            }
        }
    }
    (seen, None)
}

#[tokio::test]
async fn the_same_token_coming_back_ends_with_an_error() {
    let (client, log) = client(|token| match token {
        None => page(&["a"], Some("t1")),
        Some("t1") => page(&["b"], Some("t1")),
        other => panic!("unexpected token {other:?}"),
    });
    let (seen, error) = drain(client.describe_repositories().into_paginator().items()).await;
    assert_eq!(seen, ["a", "b"], "the page naming the repeated token is still yielded");
    let error = error.expect("a repeated token is an error, not a silent end");
    assert!(error.contains("already sent") && error.contains("DescribeRepositories"), "{error}");
    assert!(!error.contains("t1"), "tokens are not printed: {error}");
    assert_eq!(log.lock().unwrap().len(), 2, "no request after the repeated token");
}

#[tokio::test]
async fn a_cycle_of_tokens_ends_with_an_error() {
    // A, B, A: each token differs from the one just sent, but the third page leads back.
    let (client, log) = client(|token| match token {
        None => page(&["a"], Some("A")),
        Some("A") => page(&["b"], Some("B")),
        Some("B") => page(&["c"], Some("A")),
        other => panic!("unexpected token {other:?}"),
    });
    let (seen, error) = drain(client.describe_repositories().into_paginator().items()).await;
    assert_eq!(seen, ["a", "b", "c"]);
    assert!(error.expect("a cycle is an error").contains("already sent"));
    assert_eq!(tokens_sent(&log), [None, Some("A".into()), Some("B".into())]);
}

#[tokio::test]
async fn page_size_sends_max_results_on_every_request() {
    let (client, log) = client(three_pages);
    let mut pages = client.describe_repositories().registry_id("123456789012").into_paginator().page_size(2);
    while let Some(page) = pages.next().await {
        page.expect("page");
    }
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0], json!({"registryId": "123456789012", "maxResults": 2}));
    assert_eq!(log[1], json!({"registryId": "123456789012", "maxResults": 2, "nextToken": "t1"}));
    assert_eq!(log[2], json!({"registryId": "123456789012", "maxResults": 2, "nextToken": "t2"}));
}

#[tokio::test]
async fn items_yields_every_repository_in_order() {
    let (client, log) = client(|token| match token {
        None => page(&["r1", "r2"], Some("t1")),
        // An empty page in the middle does not end the stream.
        Some("t1") => page(&[], Some("t2")),
        Some("t2") => page(&["r3", "r4", "r5"], None),
        other => panic!("unexpected token {other:?}"),
    });
    let mut items = client.describe_repositories().into_paginator().items();
    let mut seen = Vec::new();
    while let Some(item) = items.next().await {
        seen.push(item.expect("item").repository_name.expect("name"));
    }
    assert_eq!(seen, ["r1", "r2", "r3", "r4", "r5"]);
    assert_eq!(log.lock().unwrap().len(), 3);
    assert!(items.next().await.is_none());
}

fn failing_second_page(token: Option<&str>) -> (u16, String) {
    match token {
        None => page(&["a", "b"], Some("t1")),
        Some("t1") => (400, r#"{"__type":"RepositoryNotFoundException","message":"gone"}"#.into()),
        other => panic!("unexpected token {other:?}"),
    }
}

fn assert_not_found(err: SdkError<DescribeRepositoriesError>) {
    match err {
        SdkError::Service(DescribeRepositoriesError::RepositoryNotFoundException(e)) => {
            assert_eq!(e.message(), Some("gone"));
            assert_eq!(e.request_id(), Some("req-page"));
        }
        other => panic!("expected RepositoryNotFoundException, got {other:?}"),
    }
}

#[tokio::test]
async fn an_error_is_yielded_and_ends_the_pages() {
    let (client, log) = client(failing_second_page);
    let mut pages = client.describe_repositories().into_paginator();
    assert_eq!(names(&pages.next().await.expect("page 1").expect("ok")), ["a", "b"]);
    assert_not_found(pages.next().await.expect("page 2").expect_err("error"));
    assert!(pages.next().await.is_none());
    assert!(pages.next().await.is_none());
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn an_error_is_yielded_and_ends_the_items() {
    let (client, log) = client(failing_second_page);
    let mut items = client.describe_repositories().into_paginator().items();
    assert_eq!(items.next().await.expect("a").expect("ok").repository_name.as_deref(), Some("a"));
    assert_eq!(items.next().await.expect("b").expect("ok").repository_name.as_deref(), Some("b"));
    assert_not_found(items.next().await.expect("error").expect_err("error"));
    assert!(items.next().await.is_none());
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_transport_error_is_yielded_and_ends_the_stream() {
    #[derive(Clone)]
    struct FailSecond(Arc<Mutex<usize>>);
    impl Transport for FailSecond {
        fn send(&self, _request: HttpRequest) -> SendFuture<'_> {
            let mut n = self.0.lock().unwrap();
            *n += 1;
            let result = if *n == 1 {
                let (status, body) = page(&["a"], Some("t1"));
                Ok(http::Response::builder().status(status).body(Bytes::from(body)).expect("response"))
            } else {
                Err(TransportError::new(ecrpublic::TransportErrorKind::Io, "connection reset"))
            };
            Box::pin(std::future::ready(result))
        }
    }
    let calls = Arc::new(Mutex::new(0));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .transport(FailSecond(calls.clone()))
        // One attempt per page, so the count below is the pages asked for.
        .retry(ecrpublic::RetryConfig::disabled())
        .build();
    let mut items = Client::new(&config).describe_repositories().into_paginator().items();
    assert!(items.next().await.expect("a").is_ok());
    match items.next().await.expect("error") {
        Err(SdkError::Transport(e)) => assert_eq!(e.kind(), ecrpublic::TransportErrorKind::Io),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(items.next().await.is_none());
    assert_eq!(*calls.lock().unwrap(), 2);
}

#[tokio::test]
async fn starts_from_a_token_set_on_the_request() {
    let (client, log) = client(three_pages);
    let mut items = client.describe_repositories().next_token("t1").into_paginator().items();
    let mut seen = Vec::new();
    while let Some(item) = items.next().await {
        seen.push(item.expect("item").repository_name.expect("name"));
    }
    assert_eq!(seen, ["c", "d"]);
    assert_eq!(tokens_sent(&log), [Some("t1".into()), Some("t2".into())]);
}

#[tokio::test]
async fn a_caller_set_token_coming_back_ends_with_an_error() {
    // The repeated token is the one the caller started from: one request, one page, then the error.
    let (client, log) = client(|token| match token {
        Some("t1") => page(&["a"], Some("t1")),
        other => panic!("unexpected token {other:?}"),
    });
    let (seen, error) = drain(client.describe_repositories().next_token("t1").into_paginator().items()).await;
    assert_eq!(seen, ["a"]);
    assert!(error.expect("a repeated starting token is an error").contains("already sent"));
    assert_eq!(tokens_sent(&log), [Some("t1".into())]);
}

/// The next value of any stream, through `Stream::poll_next` only.
async fn next_of<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

#[tokio::test]
async fn paginator_is_a_stream() {
    let (client, log) = client(three_pages);
    let mut pages = client.describe_repositories().into_paginator().page_size(7);
    let mut seen = Vec::new();
    while let Some(page) = next_of(&mut pages).await {
        seen.push(names(&page.expect("page")).join(","));
    }
    assert_eq!(seen, ["a,b", "c", "d"]);
    assert!(next_of(&mut pages).await.is_none());
    assert_eq!(log.lock().unwrap().len(), 3);
    assert!(log.lock().unwrap().iter().all(|b| b["maxResults"] == 7));
}

#[tokio::test]
async fn items_is_a_stream() {
    let (c, _log) = client(three_pages);
    let mut items = c.describe_repositories().into_paginator().items();
    let mut seen = Vec::new();
    while let Some(item) = next_of(&mut items).await {
        seen.push(item.expect("item").repository_name.expect("name"));
    }
    assert_eq!(seen, ["a", "b", "c", "d"]);

    // An error ends the stream the same way through `poll_next`.
    let (client, log) = client(failing_second_page);
    let mut items = client.describe_repositories().into_paginator().items();
    assert!(next_of(&mut items).await.expect("a").is_ok());
    assert!(next_of(&mut items).await.expect("b").is_ok());
    assert_not_found(next_of(&mut items).await.expect("error").expect_err("error"));
    assert!(next_of(&mut items).await.is_none());
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn other_paginated_operations_move_their_own_token() {
    // DescribeImageTags pages by `nextToken` too and yields `imageTagDetails`; the request has
    // the required `repositoryName` on every page.
    let log = Arc::new(Mutex::new(Vec::<Value>::new()));
    #[derive(Clone)]
    struct Tags(Arc<Mutex<Vec<Value>>>);
    impl Transport for Tags {
        fn send(&self, request: HttpRequest) -> SendFuture<'_> {
            let body: Value = serde_json::from_slice(request.body()).expect("json");
            let reply = match body.get("nextToken").and_then(Value::as_str) {
                None => r#"{"imageTagDetails":[{"imageTag":"v1"},{"imageTag":"v2"}],"nextToken":"n"}"#,
                Some("n") => r#"{"imageTagDetails":[{"imageTag":"latest"}]}"#,
                other => panic!("unexpected token {other:?}"),
            };
            self.0.lock().unwrap().push(body);
            let response = http::Response::builder().status(200).body(Bytes::from(reply)).expect("response");
            Box::pin(std::future::ready(Ok(response)))
        }
    }
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .transport(Tags(log.clone()))
        .build();
    let mut items = Client::new(&config).describe_image_tags("my-repo").into_paginator().page_size(2).items();
    let mut seen = Vec::new();
    while let Some(item) = items.next().await {
        seen.push(item.expect("item").image_tag.expect("tag"));
    }
    assert_eq!(seen, ["v1", "v2", "latest"]);
    let log = log.lock().unwrap();
    assert_eq!(
        *log,
        [
            json!({"repositoryName": "my-repo", "maxResults": 2}),
            json!({"repositoryName": "my-repo", "maxResults": 2, "nextToken": "n"})
        ]
    );
}

/// `DescribeImageScanFindings` pages its items under `imageScanFindings.findings`: the items
/// stream walks into the nested structure on every page, typed stubs serving the pages.
#[tokio::test]
async fn nested_items_come_from_every_page() {
    use ecrpublic::operation::DescribeImageScanFindings;
    use ecrpublic::output::DescribeImageScanFindingsOutput;
    use ecrpublic::stub::Stubs;
    use ecrpublic::types::{ImageIdentifier, ImageScanFinding, ImageScanFindings, ImageScanStatus};

    let stubs = Stubs::new();
    stubs.respond_with::<DescribeImageScanFindings>(|input| {
        let (names, next): (&[&str], Option<&str>) = match input.next_token.as_deref() {
            None => (&["CVE-1", "CVE-2"], Some("p2")),
            Some("p2") => (&[], Some("p3")),
            Some("p3") => (&["CVE-3"], Some("p4")),
            _ => (&["CVE-4", "CVE-5"], None),
        };
        let findings = ImageScanFindings::default()
            .with_findings(names.iter().map(|n| ImageScanFinding::default().with_finding_id(*n)));
        let mut out = DescribeImageScanFindingsOutput::new(ImageScanStatus::default().with_status("COMPLETE"))
            .with_image_scan_findings(findings);
        out.next_token = next.map(str::to_owned);
        Ok(out)
    });
    let client = Client::new(&stubs.config());
    let image = ImageIdentifier::default().with_image_tag("v1");
    let mut items = client.describe_image_scan_findings("app", image).into_paginator().page_size(2).items();
    let mut names = Vec::new();
    while let Some(finding) = items.next().await {
        names.push(finding.expect("finding").finding_id.unwrap_or_default());
    }
    assert_eq!(names, ["CVE-1", "CVE-2", "CVE-3", "CVE-4", "CVE-5"]);
    let inputs = stubs.inputs::<DescribeImageScanFindings>();
    let tokens: Vec<Option<&str>> = inputs.iter().map(|i| i.next_token.as_deref()).collect();
    assert_eq!(tokens, [None, Some("p2"), Some("p3"), Some("p4")], "a page without findings does not end the paging");
    assert!(inputs.iter().all(|i| i.max_results == Some(2)));
}
