//! Testing your own code that uses the client, with typed stubs: no network, no credentials.
//!
//! `cargo test -p ecrpublic --example testing_with_stubs` runs the tests below.

use ecrpublic::error::{DeleteRepositoryError, DescribeRepositoriesError};
use ecrpublic::{Client, SdkError};

/// Code under test: the URIs of every repository whose name starts with `prefix`, across pages.
pub async fn repository_uris(
    client: &Client,
    prefix: &str,
) -> Result<Vec<String>, SdkError<DescribeRepositoriesError>> {
    let mut uris = Vec::new();
    let mut repos = client.describe_repositories().into_paginator().page_size(100).items();
    while let Some(repo) = repos.next().await {
        let repo = repo?;
        if repo.repository_name.as_deref().is_some_and(|n| n.starts_with(prefix)) {
            uris.extend(repo.repository_uri);
        }
    }
    Ok(uris)
}

/// Code under test: deletes a repository; one that is already gone counts as deleted.
/// Returns whether this call deleted it.
pub async fn ensure_deleted(client: &Client, name: &str) -> Result<bool, SdkError<DeleteRepositoryError>> {
    match client.delete_repository(name).force(true).send().await {
        Ok(_) => Ok(true),
        Err(SdkError::Service(DeleteRepositoryError::RepositoryNotFoundException(_))) => Ok(false),
        Err(e) => Err(e),
    }
}

fn main() {
    println!("This example is a test suite: cargo test -p ecrpublic --example testing_with_stubs");
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecrpublic::error::RepositoryNotFoundException;
    use ecrpublic::operation::{DeleteRepository, DescribeRepositories};
    use ecrpublic::output::{DeleteRepositoryOutput, DescribeRepositoriesOutput};
    use ecrpublic::stub::Stubs;
    use ecrpublic::types::Repository;

    fn repo(name: &str) -> Repository {
        Repository::default().with_repository_name(name).with_repository_uri(format!("public.ecr.aws/demo/{name}"))
    }

    #[tokio::test]
    async fn collects_matching_uris_across_pages() {
        let stubs = Stubs::new();
        let first = DescribeRepositoriesOutput::default()
            .with_repositories([repo("app-web"), repo("tools")])
            .with_next_token("page-2");
        let second = DescribeRepositoriesOutput::default().with_repositories([repo("app-api")]);
        stubs.respond::<DescribeRepositories>(Ok(first));
        stubs.respond::<DescribeRepositories>(Ok(second));

        let uris = repository_uris(&Client::new(&stubs.config()), "app-").await.unwrap();

        assert_eq!(uris, ["public.ecr.aws/demo/app-web", "public.ecr.aws/demo/app-api"]);
        // The code asked for the second page with the token the first one gave.
        let inputs = stubs.inputs::<DescribeRepositories>();
        assert_eq!(inputs[1].next_token.as_deref(), Some("page-2"));
        assert!(inputs.iter().all(|i| i.max_results == Some(100)));
    }

    #[tokio::test]
    async fn a_missing_repository_counts_as_deleted() {
        let stubs = Stubs::new();
        stubs.respond::<DeleteRepository>(Ok(DeleteRepositoryOutput::default()));
        stubs.respond::<DeleteRepository>(Err(DeleteRepositoryError::RepositoryNotFoundException(
            RepositoryNotFoundException::default().with_message("gone"),
        )));
        let client = Client::new(&stubs.config());

        assert!(ensure_deleted(&client, "app-web").await.unwrap());
        assert!(!ensure_deleted(&client, "app-web").await.unwrap());
        // `force` was sent both times.
        assert!(stubs.inputs::<DeleteRepository>().iter().all(|i| i.force));
    }
}
