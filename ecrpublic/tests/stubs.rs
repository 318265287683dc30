//! Typed stubs: queued outputs and errors come back typed, inputs can be read back, and nothing
//! touches the network or needs credentials. And `Capture`, which records what goes on the wire.
//!
//! Errors are checked through `Display` and the operation error's `code()`, not by naming the
//! per-call error type.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use ecrpublic::error::{CreateRepositoryError, DescribeRepositoriesError, RepositoryAlreadyExistsException};
use ecrpublic::operation::{CreateRepository, DescribeRepositories};
use ecrpublic::output::{CreateRepositoryOutput, DescribeRepositoriesOutput};
use ecrpublic::stub::{Capture, Stubs, NO_STUBBED_RESPONSE};
use ecrpublic::types::Repository;
use ecrpublic::{Client, HttpRequest, RetryConfig, Unhandled};

fn repo(name: &str) -> Repository {
    Repository::default().with_repository_name(name).with_repository_uri(format!("public.ecr.aws/x/{name}"))
}

fn created(name: &str) -> Result<CreateRepositoryOutput, CreateRepositoryError> {
    Ok(CreateRepositoryOutput::default().with_repository(repo(name)))
}

fn taken() -> Result<CreateRepositoryOutput, CreateRepositoryError> {
    Err(CreateRepositoryError::RepositoryAlreadyExistsException(
        RepositoryAlreadyExistsException::default().with_message("taken"),
    ))
}

/// The text of a panic `f` raises.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("it panics");
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload.downcast::<&str>().map(|s| s.to_string()).unwrap_or_default(),
    }
}

#[tokio::test]
async fn queued_outputs_and_errors_come_back_typed() {
    let stubs = Stubs::new();
    stubs.respond::<CreateRepository>(created("app"));
    stubs.respond::<CreateRepository>(taken());
    let client = Client::new(&stubs.config());

    let out = client.create_repository("app").send().await.expect("first call succeeds");
    assert_eq!(out.repository, Some(repo("app")));
    assert_eq!(out.request_id(), Some("stub-request"));

    let err = client.create_repository("app").send().await.expect_err("second call fails");
    match err.service_error() {
        Some(CreateRepositoryError::RepositoryAlreadyExistsException(e)) => assert_eq!(e.message(), Some("taken")),
        _ => panic!("expected RepositoryAlreadyExistsException, got {err:?}"),
    }
    assert_eq!(err.to_string(), "RepositoryAlreadyExistsException: taken (request id: stub-request)");

    let inputs = stubs.inputs::<CreateRepository>();
    assert_eq!(inputs.len(), 2);
    assert!(inputs.iter().all(|i| i.repository_name == "app"));
    assert_eq!(stubs.calls(), 2);
}

#[tokio::test]
async fn respond_default_answers_every_call_with_the_default_output() {
    let stubs = Stubs::new();
    stubs.respond_default::<DescribeRepositories>();
    let client = Client::new(&stubs.config());
    for _ in 0..3 {
        let out = client.describe_repositories().send().await.expect("the default output");
        assert!(out.repositories.is_empty() && out.next_token.is_none());
        assert_eq!(out.request_id(), Some("stub-request"));
    }
    assert_eq!(stubs.inputs::<DescribeRepositories>().len(), 3);
    // A fallback never runs out, so it is never "unconsumed".
    assert!(stubs.unconsumed().is_empty());
}

#[tokio::test]
async fn an_unstubbed_call_names_the_operation_and_comes_back_at_once() {
    let stubs = Stubs::new();
    // Retries on, as a user's own configuration might have them: the error is still final.
    let config = stubs.config_builder().retry(RetryConfig::default()).build();
    let client = Client::new(&config);

    let start = Instant::now();
    let call = client.create_repository("app").send();
    let err = tokio::time::timeout(Duration::from_secs(5), call).await.expect("no hang").expect_err("unstubbed");
    assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
    assert_eq!(stubs.calls(), 1, "not retried");

    let shown = err.to_string();
    assert!(shown.starts_with("NoStubbedResponse: no response is stubbed for CreateRepository"), "{shown}");
    assert_eq!(err.service_error().map(|e| e.code()), Some(NO_STUBBED_RESPONSE));
    // The call was still recorded.
    assert_eq!(stubs.inputs::<CreateRepository>()[0].repository_name, "app");
}

#[tokio::test]
async fn a_sequence_is_answered_in_order_then_falls_through() {
    let stubs = Stubs::new();
    stubs.respond_sequence::<CreateRepository>([created("one"), created("two"), taken()]);
    let client = Client::new(&stubs.config());

    let first = client.create_repository("one").send().await.expect("first");
    let second = client.create_repository("two").send().await.expect("second");
    let names = [first, second].map(|o| o.repository.and_then(|r| r.repository_name).unwrap_or_default());
    assert_eq!(names, ["one", "two"]);
    let third = client.create_repository("three").send().await.expect_err("third");
    assert_eq!(third.service_error().map(|e| e.code()), Some("RepositoryAlreadyExistsException"));

    // Used up and no fallback: the unstubbed error.
    let fourth = client.create_repository("four").send().await.expect_err("fourth");
    assert_eq!(fourth.service_error().map(|e| e.code()), Some(NO_STUBBED_RESPONSE), "{fourth}");

    // With a fallback, it answers once the sequence is used up; one-shot answers still come first.
    stubs.respond_default::<CreateRepository>();
    stubs.respond::<CreateRepository>(created("five"));
    let fifth = client.create_repository("five").send().await.expect("fifth");
    assert_eq!(fifth.repository, Some(repo("five")));
    let sixth = client.create_repository("six").send().await.expect("sixth");
    assert_eq!(sixth.repository, None, "the default output");
    assert_eq!(stubs.calls(), 6);
}

#[tokio::test]
async fn responses_can_be_computed_from_the_input() {
    let stubs = Stubs::new();
    let seen = stubs.clone();
    stubs.respond_with::<DescribeRepositories>(move |input| {
        let names = input.repository_names.clone().unwrap_or_default();
        if names.iter().any(|n| n == "missing") {
            return Err(DescribeRepositoriesError::Unhandled(Unhandled::new(
                "RepositoryNotFoundException",
                Some("no such repository".into()),
                None,
                400,
            )));
        }
        // A responder may use the stubs it belongs to: the call is recorded before it runs.
        let calls = seen.calls();
        let repos = names.into_iter().map(|n| Repository::default().with_repository_name(format!("{n}-{calls}")));
        Ok(DescribeRepositoriesOutput::default().with_repositories(repos))
    });
    let client = Client::new(&stubs.config());
    let out = client.describe_repositories().repository_names(["one", "two"]).send().await.expect("ok");
    let names: Vec<_> = out.repositories.iter().filter_map(|r| r.repository_name.as_deref()).collect();
    assert_eq!(names, ["one-1", "two-1"]);

    // An error code the operation models is read back as its typed variant.
    let err = client.describe_repositories().repository_names(["missing"]).send().await.expect_err("missing");
    assert!(matches!(err.service_error(), Some(DescribeRepositoriesError::RepositoryNotFoundException(_))), "{err:?}");
    assert_eq!(err.to_string(), "RepositoryNotFoundException: no such repository (request id: stub-request)");
    assert_eq!(stubs.inputs::<DescribeRepositories>().len(), 2);
    assert!(stubs.inputs::<CreateRepository>().is_empty());
}

#[tokio::test]
async fn respond_once_with_computes_one_answer() {
    let stubs = Stubs::new();
    stubs.respond_once_with::<CreateRepository>(|input| created(&input.repository_name.to_uppercase()));
    let client = Client::new(&stubs.config());

    let out = client.create_repository("app").send().await.expect("computed");
    assert_eq!(out.repository.and_then(|r| r.repository_name).as_deref(), Some("APP"));
    let err = client.create_repository("app").send().await.expect_err("used up");
    assert_eq!(err.service_error().map(|e| e.code()), Some(NO_STUBBED_RESPONSE));

    // Queued after a fallback, it still answers first, once.
    stubs.respond_with::<CreateRepository>(|_| taken());
    stubs.respond_once_with::<CreateRepository>(|input| created(&input.repository_name));
    assert!(client.create_repository("api").send().await.is_ok());
    let err = client.create_repository("ops").send().await.expect_err("the fallback");
    assert_eq!(err.service_error().map(|e| e.code()), Some("RepositoryAlreadyExistsException"));
}

#[tokio::test]
async fn unconsumed_answers_are_listed_and_asserted() {
    let stubs = Stubs::new();
    stubs.respond_sequence::<CreateRepository>([created("web"), created("api")]);
    stubs.respond::<DescribeRepositories>(Ok(DescribeRepositoriesOutput::default()));
    stubs.respond_default::<DescribeRepositories>();
    let client = Client::new(&stubs.config());
    client.create_repository("web").send().await.expect("web");

    assert_eq!(stubs.unconsumed(), [("CreateRepository".to_string(), 1), ("DescribeRepositories".to_string(), 1)]);
    let message = panic_message(|| stubs.assert_all_consumed());
    assert_eq!(message, "stubbed responses were never used: CreateRepository (1 left), DescribeRepositories (1 left)");

    client.create_repository("api").send().await.expect("api");
    client.describe_repositories().send().await.expect("queued");
    client.describe_repositories().send().await.expect("fallback");
    assert!(stubs.unconsumed().is_empty());
    stubs.assert_all_consumed();
}

#[test]
#[should_panic(expected = "stubbed responses were never used: CreateRepository (2 left)")]
fn strict_stubs_panic_when_dropped_with_answers_left() {
    let stubs = Stubs::strict();
    stubs.respond_sequence::<CreateRepository>([created("web"), created("api")]);
    let _client = Client::new(&stubs.config());
}

#[tokio::test]
async fn strict_stubs_pass_when_everything_was_used_and_stay_quiet_while_panicking() {
    {
        let stubs = Stubs::strict();
        stubs.respond::<CreateRepository>(created("web"));
        let client = Client::new(&stubs.config());
        client.create_repository("web").send().await.expect("web");
    }
    // A test that fails for its own reason shows that reason, not the stubs' complaint.
    let message = panic_message(|| {
        let stubs = Stubs::strict();
        stubs.respond::<CreateRepository>(created("web"));
        panic!("the test's own failure");
    });
    assert_eq!(message, "the test's own failure");
}

#[tokio::test]
async fn debug_lists_operations_and_counts_without_bodies() {
    let stubs = Stubs::new();
    stubs.respond_sequence::<CreateRepository>([created("hidden-output"), created("hidden-output")]);
    stubs.respond_with::<DescribeRepositories>(|_| Ok(DescribeRepositoriesOutput::default()));
    let client = Client::new(&stubs.config());
    client.create_repository("hidden-input").send().await.expect("web");

    let shown = format!("{stubs:?}");
    assert_eq!(
        shown,
        "Stubs { strict: false, operations: {\"CreateRepository\": Operation { queued: 1, calls: 1 }, \
         \"DescribeRepositories\": Operation { queued: 0, fallback: RespondWith, calls: 0 }} }"
    );
    assert!(!shown.contains("hidden"), "{shown}");
}

/// `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<scope>, ...`: the scope.
fn signing_scope(request: &HttpRequest) -> String {
    let authorization = request.headers()["authorization"].to_str().expect("ASCII");
    let credential = authorization
        .strip_prefix("AWS4-HMAC-SHA256 Credential=")
        .and_then(|c| c.split(',').next())
        .unwrap_or_else(|| panic!("not SigV4: {authorization}"));
    credential.splitn(3, '/').nth(2).expect("key/date/scope").to_string()
}

#[tokio::test]
async fn capture_records_what_goes_on_the_wire() {
    let capture = Capture::new();
    let client = Client::new(&capture.config());
    let out = client.create_repository("app").send().await.expect("`{}` reads as the default output");
    assert_eq!(out.repository, None);

    let request = capture.last().expect("a request");
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri().host(), Some("api.ecr-public.us-east-1.amazonaws.com"));
    assert_eq!(request.headers()["x-amz-target"], "SpencerFrontendService.CreateRepository");
    assert_eq!(request.headers()["content-type"], "application/x-amz-json-1.1");
    assert_eq!(signing_scope(&request), "us-east-1/ecr-public/aws4_request");
    let body: serde_json::Value = serde_json::from_slice(request.body()).expect("JSON");
    assert_eq!(body, serde_json::json!({ "repositoryName": "app" }));

    // Another region through the builder; `take` empties the record.
    let client = Client::new(&capture.config_builder().region("eu-west-1").build());
    client.describe_repositories().send().await.expect("sent");
    let requests = capture.take();
    assert_eq!(requests.len(), 2);
    assert_eq!(signing_scope(&requests[1]), "eu-west-1/ecr-public/aws4_request");
    assert!(capture.is_empty() && capture.last().is_none());
    assert_eq!(format!("{capture:?}"), "Capture { requests: 0, status: 200 }");
}

#[tokio::test]
async fn capture_answers_with_the_response_it_is_given() {
    let body = r#"{"__type":"RepositoryAlreadyExistsException","message":"taken"}"#;
    let capture = Capture::answering(400, body).with_header("x-amzn-requestid", "req-1");
    let client = Client::new(&capture.config());
    let err = client.create_repository("app").send().await.expect_err("an error response");
    assert_eq!(err.to_string(), "RepositoryAlreadyExistsException: taken (request id: req-1)");
    assert_eq!(capture.len(), 1, "no retries");

    capture.set_response(200, r#"{"repository":{"repositoryName":"app"}}"#);
    let out = client.create_repository("app").send().await.expect("now it succeeds");
    assert_eq!(out.repository.and_then(|r| r.repository_name).as_deref(), Some("app"));
    assert_eq!(capture.requests().len(), 2);
}

// The examples in the documentation of `Stubs` and `Capture`, which the runtime cannot run
// itself; keep them in step.

#[tokio::test]
async fn the_stubs_doc_example_runs() {
    let stubs = Stubs::new();
    // One answer, then a sequence: `create_repository` succeeds twice, then fails.
    stubs.respond::<CreateRepository>(Ok(CreateRepositoryOutput::default()));
    stubs.respond_sequence::<CreateRepository>([
        Ok(CreateRepositoryOutput::default()),
        Err(CreateRepositoryError::RepositoryAlreadyExistsException(
            RepositoryAlreadyExistsException::default().with_message("taken"),
        )),
    ]);
    // Every `describe_repositories` call: the repositories it asked for.
    stubs.respond_with::<DescribeRepositories>(|input| {
        let names = input.repository_names.clone().unwrap_or_default();
        let repos = names.into_iter().map(|n| Repository::default().with_repository_name(n));
        Ok(DescribeRepositoriesOutput::default().with_repositories(repos))
    });

    let client = Client::new(&stubs.config());
    client.create_repository("web").send().await.unwrap();
    client.create_repository("api").send().await.unwrap();
    let err = client.create_repository("ops").send().await.unwrap_err();
    assert_eq!(err.to_string(), "RepositoryAlreadyExistsException: taken (request id: stub-request)");
    let out = client.describe_repositories().repository_names(["web"]).send().await.unwrap();
    assert_eq!(out.repositories[0].repository_name.as_deref(), Some("web"));

    let names: Vec<_> = stubs.inputs::<CreateRepository>().into_iter().map(|i| i.repository_name).collect();
    assert_eq!(names, ["web", "api", "ops"]);
    stubs.assert_all_consumed();
}

#[tokio::test]
async fn the_capture_doc_example_runs() {
    let capture = Capture::new();
    let client = Client::new(&capture.config());
    client.create_repository("app").send().await.unwrap();

    let request = capture.last().unwrap();
    assert_eq!(request.headers()["x-amz-target"], "SpencerFrontendService.CreateRepository");
    assert_eq!(request.uri().host(), Some("api.ecr-public.us-east-1.amazonaws.com"));
    assert!(std::str::from_utf8(request.body()).unwrap().contains(r#""repositoryName":"app""#));
}

#[tokio::test]
async fn paginators_run_against_stubs() {
    let stubs = Stubs::new();
    for (names, token) in [(&["a", "b"][..], Some("t1")), (&["c"][..], None)] {
        let repos = names.iter().map(|n| Repository::default().with_repository_name(*n));
        let mut page = DescribeRepositoriesOutput::default().with_repositories(repos);
        if let Some(t) = token {
            page = page.with_next_token(t);
        }
        stubs.respond::<DescribeRepositories>(Ok(page));
    }
    let client = Client::new(&stubs.config());
    let mut items = client.describe_repositories().into_paginator().page_size(2).items();
    let mut seen = Vec::new();
    while let Some(repo) = items.next().await {
        seen.push(repo.expect("page").repository_name.unwrap_or_default());
    }
    assert_eq!(seen, ["a", "b", "c"]);
    let inputs = stubs.inputs::<DescribeRepositories>();
    assert_eq!(inputs.iter().map(|i| i.next_token.clone()).collect::<Vec<_>>(), [None, Some("t1".to_string())]);
    assert!(inputs.iter().all(|i| i.max_results == Some(2)));
    stubs.assert_all_consumed();
}
