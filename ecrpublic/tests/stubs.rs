//! Typed stubs: queued outputs and errors come back typed, inputs can be read back, and nothing
//! touches the network or needs credentials.

use ecrpublic::error::{CreateRepositoryError, DescribeRepositoriesError, RepositoryAlreadyExistsException};
use ecrpublic::operation::{CreateRepository, DescribeRepositories};
use ecrpublic::output::{CreateRepositoryOutput, DescribeRepositoriesOutput};
use ecrpublic::stub::Stubs;
use ecrpublic::types::Repository;
use ecrpublic::{Client, SdkError, Unhandled};

#[tokio::test]
async fn queued_outputs_and_errors_come_back_typed() {
    let stubs = Stubs::new();
    let repo = Repository::default().with_repository_name("app").with_repository_uri("public.ecr.aws/x/app");
    stubs.respond::<CreateRepository>(Ok(CreateRepositoryOutput::default().with_repository(repo.clone())));
    stubs.respond::<CreateRepository>(Err(CreateRepositoryError::RepositoryAlreadyExistsException(
        RepositoryAlreadyExistsException::default().with_message("taken"),
    )));
    let client = Client::new(&stubs.config());

    let out = client.create_repository("app").send().await.expect("first call succeeds");
    assert_eq!(out.repository, Some(repo));
    assert_eq!(out.request_id(), Some("stub-request"));

    match client.create_repository("app").send().await {
        Err(SdkError::Service(CreateRepositoryError::RepositoryAlreadyExistsException(e))) => {
            assert_eq!(e.message(), Some("taken"));
            assert_eq!(e.to_string(), "RepositoryAlreadyExistsException: taken (request id: stub-request)");
        }
        other => panic!("expected RepositoryAlreadyExistsException, got {other:?}"),
    }

    // The queue is spent: a third call says so instead of hanging or panicking.
    match client.create_repository("app").send().await {
        Err(SdkError::Service(CreateRepositoryError::Unhandled(u))) => assert_eq!(u.code(), "NoStubbedResponse"),
        other => panic!("expected NoStubbedResponse, got {other:?}"),
    }

    let inputs = stubs.inputs::<CreateRepository>();
    assert_eq!(inputs.len(), 3);
    assert!(inputs.iter().all(|i| i.repository_name == "app"));
    assert_eq!(stubs.calls(), 3);
}

#[tokio::test]
async fn responses_can_be_computed_from_the_input() {
    let stubs = Stubs::new();
    stubs.respond_with::<DescribeRepositories>(|input| {
        let names = input.repository_names.clone().unwrap_or_default();
        if names.iter().any(|n| n == "missing") {
            return Err(DescribeRepositoriesError::Unhandled(Unhandled::new(
                "RepositoryNotFoundException",
                Some("no such repository".into()),
                None,
                400,
            )));
        }
        let repos = names.into_iter().map(|n| Repository::default().with_repository_name(n));
        Ok(DescribeRepositoriesOutput::default().with_repositories(repos))
    });
    let client = Client::new(&stubs.config());
    let out = client.describe_repositories().repository_names(["one", "two"]).send().await.expect("ok");
    let names: Vec<_> = out.repositories.iter().filter_map(|r| r.repository_name.as_deref()).collect();
    assert_eq!(names, ["one", "two"]);

    // An error code the operation models is read back as its typed variant.
    match client.describe_repositories().repository_names(["missing"]).send().await {
        Err(SdkError::Service(DescribeRepositoriesError::RepositoryNotFoundException(e))) => {
            assert_eq!(e.message(), Some("no such repository"))
        }
        other => panic!("expected RepositoryNotFoundException, got {other:?}"),
    }
    assert_eq!(stubs.inputs::<DescribeRepositories>().len(), 2);
    assert!(stubs.inputs::<CreateRepository>().is_empty());
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
}
