//! awsJson 1.1 response rules, against a local server: tolerant reading of outputs, error codes
//! and messages, typed and unhandled errors, and failures that are values, never panics.

mod common;

use common::{Canned, MockServer};
use ecrpublic::error::{DescribeRepositoriesError, UploadLayerPartError};
use ecrpublic::types::RegistryCatalogData;
use ecrpublic::{DateTime, SdkError, TransportErrorKind};

type DescribeResult = Result<ecrpublic::output::DescribeRepositoriesOutput, SdkError<DescribeRepositoriesError>>;

/// Calls DescribeRepositories on a server answering `response`.
async fn describe(response: Canned) -> DescribeResult {
    let server = MockServer::start(response).await;
    let result = server.client().describe_repositories().send().await;
    assert_eq!(server.requests().len(), 1, "one call, one request");
    result
}

/// An error response: status 400, the given extra header, JSON body.
fn error_response(body: &str) -> Canned {
    Canned::new(400, body).header("x-amzn-RequestId", "req-err")
}

fn expect_service_error(result: DescribeResult) -> DescribeRepositoriesError {
    match result {
        Err(SdkError::Service(e)) => e,
        other => panic!("expected a service error, got {other:?}"),
    }
}

fn expect_not_found(result: DescribeResult) -> ecrpublic::error::RepositoryNotFoundException {
    match expect_service_error(result) {
        DescribeRepositoriesError::RepositoryNotFoundException(e) => e,
        other => panic!("expected RepositoryNotFoundException, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading outputs
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_response_fields_are_ignored() {
    let body = r#"{
        "newTopLevelScalar": 42,
        "newTopLevelObject": {"nested": {"deeper": [1, {"x": "}"}, [true, null]]}, "s": "]"},
        "repositories": [
            {"repositoryName": "a", "futureField": {"list": [{"k": "v"}]}, "createdAt": 1609459200},
            {"unknownArray": [[], [{}], "x"], "repositoryName": "b"}
        ],
        "newTopLevelArray": [{"repositories": "not the real one"}],
        "nextToken": "t",
        "trailingUnknown": "\u00e9\"\\"
    }"#;
    let out = describe(Canned::ok(body, "req-1")).await.expect("unknown fields do not fail the call");
    let names: Vec<_> = out.repositories.iter().map(|r| r.repository_name.as_deref()).collect();
    assert_eq!(names, [Some("a"), Some("b")]);
    assert_eq!(out.repositories[0].created_at, Some(DateTime::from_secs(1_609_459_200)));
    assert_eq!(out.next_token.as_deref(), Some("t"));
    assert_eq!(out.request_id(), Some("req-1"));
}

#[tokio::test]
async fn escaped_and_non_ascii_strings_are_decoded() {
    let body = r#"{"registryCatalogData":{"displayName":"tab\tquote\"slash\\ \u00e9 \ud83d\ude00 ü"}}"#;
    let server = MockServer::start(Canned::ok(body, "req-1")).await;
    let out = server.client().get_registry_catalog_data().send().await.expect("ok");
    assert_eq!(out.registry_catalog_data.display_name.as_deref(), Some("tab\tquote\"slash\\ é 😀 ü"));
}

#[tokio::test]
async fn unknown_enum_values_are_kept() {
    let server = MockServer::start(Canned::ok(
        r#"{"layers":[{"layerDigest":"sha256:aa","layerAvailability":"ARCHIVED"}]}"#,
        "req-1",
    ))
    .await;
    let out = server.client().batch_check_layer_availability("repo", ["sha256:aa"]).send().await.expect("ok");
    let availability = out.layers[0].layer_availability.as_ref().expect("set");
    assert_eq!(availability.as_str(), "ARCHIVED");
    assert_eq!(*availability, ecrpublic::types::LayerAvailability::Unknown("ARCHIVED".into()));
}

#[tokio::test]
async fn null_members_read_as_absent() {
    let body = r#"{"repositories":[{"repositoryName":null,"createdAt":null,"registryId":"1"}],"nextToken":null}"#;
    let out = describe(Canned::ok(body, "req-1")).await.expect("nulls are absent values");
    assert_eq!(out.next_token, None);
    assert_eq!(out.repositories.len(), 1);
    assert_eq!(out.repositories[0].repository_name, None);
    assert_eq!(out.repositories[0].created_at, None);
    assert_eq!(out.repositories[0].registry_id.as_deref(), Some("1"));
}

#[tokio::test]
async fn missing_required_output_members_are_zero_values() {
    // `registryCatalogData` is required in the output, but absent.
    let server = MockServer::start(Canned::ok("{}", "req-1")).await;
    let out = server.client().get_registry_catalog_data().send().await.expect("missing members are not errors");
    assert_eq!(out.registry_catalog_data, RegistryCatalogData::default());
    assert_eq!(out.registry_catalog_data.display_name, None);

    // Every member of Registry and RegistryAlias is required; all are absent here.
    let server = MockServer::start(Canned::ok(r#"{"registries":[{"aliases":[{}]}]}"#, "req-2")).await;
    let out = server.client().describe_registries().send().await.expect("ok");
    let registry = &out.registries[0];
    assert_eq!(registry.registry_id, "");
    assert_eq!(registry.registry_arn, "");
    assert_eq!(registry.registry_uri, "");
    assert!(!registry.verified);
    let alias = &registry.aliases[0];
    assert_eq!(alias.name, "");
    assert_eq!(alias.status.as_str(), "");
    assert!(!alias.primary_registry_alias);
    assert!(!alias.default_registry_alias);

    // And a required list absent altogether.
    let server = MockServer::start(Canned::ok("{}", "req-3")).await;
    let out = server.client().describe_registries().send().await.expect("ok");
    assert!(out.registries.is_empty());
    assert_eq!(out.request_id(), Some("req-3"));
}

#[tokio::test]
async fn absent_lists_are_empty() {
    let server = MockServer::start(Canned::ok("{}", "req-1")).await;
    let out = server.client().batch_check_layer_availability("repo", ["sha256:aa"]).send().await.expect("ok");
    assert!(out.layers.is_empty());
    assert!(out.failures.is_empty());

    let server = MockServer::start(Canned::ok(r#"{"catalogData":{"description":"d"}}"#, "req-2")).await;
    let out = server.client().get_repository_catalog_data("repo").send().await.expect("ok");
    let catalog = out.catalog_data.expect("catalog data");
    assert_eq!(catalog.description.as_deref(), Some("d"));
    assert!(catalog.architectures.is_empty());
    assert!(catalog.operating_systems.is_empty());

    let out = describe(Canned::ok("{}", "req-3")).await.expect("ok");
    assert!(out.repositories.is_empty());
}

#[tokio::test]
async fn timestamps_read_from_integers_and_fractions() {
    let body = r#"{"repositories":[
        {"createdAt":1609459200},
        {"createdAt":1.5},
        {"createdAt":1609459200.123},
        {"createdAt":0},
        {"createdAt":1.6094592E9},
        {"createdAt":1609459200.000001}
    ]}"#;
    let out = describe(Canned::ok(body, "req-1")).await.expect("ok");
    let times: Vec<_> = out.repositories.iter().map(|r| r.created_at.expect("set")).collect();
    assert_eq!(
        times,
        [
            DateTime::from_secs(1_609_459_200),
            DateTime::new(1, 500_000_000),
            DateTime::new(1_609_459_200, 123_000_000),
            DateTime::from_secs(0),
            DateTime::from_secs(1_609_459_200),
            DateTime::new(1_609_459_200, 1_000),
        ]
    );
    assert_eq!((times[1].secs(), times[1].subsec_nanos()), (1, 500_000_000));
}

#[tokio::test]
async fn malformed_success_body_is_a_response_error() {
    for body in [r#"{"repositories":[{"repositoryName":"a"}"#, "<html>oops</html>", r#"{"repositories":"nope"}"#] {
        let server = MockServer::start(Canned::ok(body, "req-bad")).await;
        let err = server.client().describe_repositories().send().await.expect_err("unreadable");
        match err {
            SdkError::Response(e) => {
                assert_eq!(e.status(), 200);
                assert_eq!(e.body(), body.as_bytes(), "the raw body is kept");
                assert_eq!(e.request_id(), Some("req-bad"));
                assert!(e.problem().contains("DescribeRepositories"), "{}", e.problem());
            }
            other => panic!("expected SdkError::Response for {body:?}, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn modeled_error_becomes_its_typed_variant() {
    let result = describe(error_response(
        r#"{"__type":"RepositoryNotFoundException","message":"The repository 'x' does not exist"}"#,
    ))
    .await;
    let err = result.as_ref().expect_err("error");
    let service = err.service_error().expect("a service error");
    assert_eq!(service.code(), "RepositoryNotFoundException");
    assert_eq!(service.message(), Some("The repository 'x' does not exist"));
    assert_eq!(service.request_id(), Some("req-err"));
    assert!(!matches!(service, DescribeRepositoriesError::Unhandled(_)), "{service:?}");

    let e = expect_not_found(result);
    assert_eq!(e.code(), "RepositoryNotFoundException");
    assert_eq!(e.message(), Some("The repository 'x' does not exist"));
    assert_eq!(e.request_id(), Some("req-err"));
}

#[tokio::test]
async fn error_code_from_header_first() {
    // The header wins over both body fields, and its `:suffix` is dropped.
    let response = error_response(r#"{"code":"ServerException","__type":"InvalidParameterException","message":"m"}"#)
        .header("X-Amzn-Errortype", "RepositoryNotFoundException:http://internal.amazon.com/coral/com.amazon.coral/");
    let e = expect_not_found(describe(response).await);
    assert_eq!(e.message(), Some("m"));
}

#[tokio::test]
async fn error_code_from_body_code_before_type() {
    let response = error_response(r#"{"__type":"InvalidParameterException","code":"RepositoryNotFoundException"}"#);
    let e = expect_not_found(describe(response).await);
    assert_eq!(e.message(), None);
    assert_eq!(e.request_id(), Some("req-err"));
}

#[tokio::test]
async fn error_code_from_type_with_namespace_and_suffix_stripped() {
    for code in [
        "com.amazonaws.ecrpublic#RepositoryNotFoundException",
        "RepositoryNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        "com.amazonaws.ecrpublic#RepositoryNotFoundException:http://internal.amazon.com/coral/",
    ] {
        let body = format!(r#"{{"__type":"{code}","message":"gone"}}"#);
        let e = expect_not_found(describe(error_response(&body)).await);
        assert_eq!(e.message(), Some("gone"), "for {code}");
    }
    let response = error_response("{}").header("x-amzn-errortype", "aws.ns#RepositoryNotFoundException:suffix");
    expect_not_found(describe(response).await);
}

#[tokio::test]
async fn error_message_from_capitalized_message() {
    let e = expect_not_found(
        describe(error_response(r#"{"__type":"RepositoryNotFoundException","Message":"capital M"}"#)).await,
    );
    assert_eq!(e.message(), Some("capital M"));
}

#[tokio::test]
async fn error_code_from_header_with_empty_body() {
    let response = Canned::new(400, "").header("X-Amzn-Errortype", "RepositoryNotFoundException");
    let e = expect_not_found(describe(response).await);
    assert_eq!(e.message(), None);
    assert_eq!(e.request_id(), None);
}

#[tokio::test]
async fn empty_header_or_mistyped_members_do_not_hide_the_error_code() {
    // An empty `X-Amzn-Errortype` falls through to the body.
    let response =
        error_response(r#"{"__type":"RepositoryNotFoundException","message":"m"}"#).header("X-Amzn-Errortype", "");
    assert_eq!(expect_not_found(describe(response).await).message(), Some("m"));
    // A `message` that is not a string is dropped, and the code after it is still read.
    let response = error_response(r#"{"message":5,"__type":"RepositoryNotFoundException"}"#);
    match expect_service_error(describe(response).await) {
        DescribeRepositoriesError::Unhandled(u) => {
            // The body does not fit the modeled structure, but the code is known.
            assert_eq!(u.code(), "RepositoryNotFoundException");
            assert_eq!(u.message(), None);
        }
        DescribeRepositoriesError::RepositoryNotFoundException(e) => assert_eq!(e.message(), None),
        other => panic!("expected the not-found code, got {other:?}"),
    }
}

#[tokio::test]
async fn modeled_error_members_are_read() {
    let server = MockServer::start(error_response(
        r#"{"__type":"InvalidLayerPartException","message":"bad part","registryId":"123456789012",
            "repositoryName":"repo","uploadId":"u","lastValidByteReceived":4095,"extra":{"ignored":[1]}}"#,
    ))
    .await;
    let err = server
        .client()
        .upload_layer_part("repo", "00000000-0000-4000-8000-000000000000", 4096, 8191, &b"x"[..])
        .send()
        .await
        .expect_err("error");
    match err.into_service_error() {
        Ok(UploadLayerPartError::InvalidLayerPartException(e)) => {
            assert_eq!(e.message(), Some("bad part"));
            assert_eq!(e.registry_id.as_deref(), Some("123456789012"));
            assert_eq!(e.repository_name.as_deref(), Some("repo"));
            assert_eq!(e.upload_id.as_deref(), Some("u"));
            assert_eq!(e.last_valid_byte_received, Some(4095));
            assert_eq!(e.request_id(), Some("req-err"));
        }
        other => panic!("expected InvalidLayerPartException, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_code_is_unhandled_with_code_message_and_request_id() {
    let response = Canned::new(503, r#"{"__type":"com.amazon#ThrottlingException","message":"slow down"}"#)
        .header("x-amzn-RequestId", "req-throttle");
    match expect_service_error(describe(response).await) {
        DescribeRepositoriesError::Unhandled(u) => {
            assert_eq!(u.code(), "ThrottlingException");
            assert_eq!(u.message(), Some("slow down"));
            assert_eq!(u.request_id(), Some("req-throttle"));
            assert_eq!(u.status(), 503);
        }
        other => panic!("expected Unhandled, got {other:?}"),
    }
}

#[tokio::test]
async fn error_modeled_for_another_operation_is_unhandled_here() {
    // UploadNotFoundException exists in the model, but not for DescribeRepositories.
    let err = expect_service_error(describe(error_response(r#"{"__type":"UploadNotFoundException"}"#)).await);
    assert_eq!(err.code(), "UploadNotFoundException");
    assert!(matches!(err, DescribeRepositoriesError::Unhandled(_)), "{err:?}");
}

#[tokio::test]
async fn display_of_service_errors() {
    let err = describe(error_response(r#"{"__type":"RepositoryNotFoundException","message":"no such repo"}"#))
        .await
        .expect_err("error");
    assert_eq!(err.to_string(), "RepositoryNotFoundException: no such repo (request id: req-err)");
    let service = err.into_service_error().expect("service error");
    assert_eq!(service.to_string(), "RepositoryNotFoundException: no such repo (request id: req-err)");

    let err = describe(error_response(r#"{"code":"Throttled","message":"later"}"#)).await.expect_err("error");
    assert_eq!(err.to_string(), "Throttled: later (request id: req-err)");

    // Without a message or request id, just the code.
    let response = Canned::new(400, "{}").header("X-Amzn-Errortype", "Throttled");
    assert_eq!(describe(response).await.expect_err("error").to_string(), "Throttled");
}

#[tokio::test]
async fn error_response_without_a_code_is_a_response_error() {
    for (status, body) in [(502, "<html>Bad Gateway</html>"), (500, r#"{"message":"no code here"}"#), (400, "")] {
        let response = Canned::new(status, body).header("x-amzn-RequestId", "req-nocode");
        match describe(response).await {
            Err(SdkError::Response(e)) => {
                assert_eq!(e.status(), status);
                assert_eq!(e.body(), body.as_bytes());
                assert_eq!(e.request_id(), Some("req-nocode"));
                assert!(e.to_string().contains(&format!("HTTP {status}")), "{e}");
            }
            other => panic!("expected SdkError::Response for {status} {body:?}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn dead_server_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let client = ecrpublic::Client::new(&common::config(&format!("http://127.0.0.1:{port}")));
    let err = client.describe_repositories().send().await.expect_err("nothing listens");
    match &err {
        SdkError::Transport(e) => assert_eq!(e.kind(), TransportErrorKind::Connect, "{e}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(err.service_error().is_none());
    assert!(std::error::Error::source(&err).is_some());
    assert!(!err.to_string().is_empty());
}

#[tokio::test]
async fn no_region_and_no_endpoint_is_a_config_error() {
    let config = ecrpublic::Config::builder()
        .credentials(ecrpublic::Credentials::new("AKID", "SECRET", None, None, "test"))
        .build();
    let err = ecrpublic::Client::new(&config).describe_repositories().send().await.expect_err("cannot resolve");
    match &err {
        SdkError::Config(e) => assert!(!e.message().is_empty()),
        other => panic!("expected a config error, got {other:?}"),
    }
}
