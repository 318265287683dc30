//! A small, fast client for Amazon ECR Public.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ecrpublic::Config::builder().region("us-east-1").build();
//! let client = ecrpublic::Client::new(&config);
//! // Required members are arguments; optional ones are chained setters.
//! let created = client.create_repository("my-app").send().await?;
//! println!("{:?}", created.repository);
//! let mut repos = client.describe_repositories().into_paginator().items();
//! while let Some(repo) = repos.next().await {
//!     println!("{:?}", repo?.repository_name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Testing with stubs
//!
//! [`stub::Stubs`] answers calls from queued, typed responses and records the inputs:
//! ```
//! # async fn demo() {
//! use ecrpublic::{operation::CreateRepository, output::CreateRepositoryOutput, stub::Stubs, Client};
//!
//! let stubs = Stubs::new();
//! stubs.respond::<CreateRepository>(Ok(CreateRepositoryOutput::default()));
//! let client = Client::new(&stubs.config());
//! client.create_repository("my-app").send().await.unwrap();
//! assert_eq!(stubs.inputs::<CreateRepository>()[0].repository_name, "my-app");
//! # }
//! ```
//!
//! The modules under [`types`], [`input`], [`output`], [`error`] and [`operation`] are generated
//! from the service model. Everything else comes from the shared runtime, [`awsjson_runtime`]:
//! a [`Config`] built once serves this client and any other generated from the same runtime.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// Generated code is formatted by the generator (prettyplease), not rustfmt.
#[rustfmt::skip]
mod generated;
// Generated code and the emulator reach the runtime's internals as `crate::rt::...`.
use awsjson_runtime::__private as rt;

#[cfg(feature = "emulator")]
pub mod emulator;
#[cfg(feature = "push")]
pub mod push;

pub use awsjson_runtime::prelude;
pub use awsjson_runtime::public::*;
pub use generated::client::Client;
/// Each call returns its operation's own error, `SdkError<XError>`; every one of them converts
/// into this service-wide `Error`, so `?` works across operations:
///
/// ```
/// use ecrpublic::error::{DescribeRepositoriesError, RepositoryNotFoundException};
/// use ecrpublic::operation::{CreateRepository, DescribeRepositories};
/// use ecrpublic::output::CreateRepositoryOutput;
/// use ecrpublic::prelude::*;
/// use ecrpublic::{stub::Stubs, Client, Error};
///
/// // Two operations, two error types, one `?`.
/// async fn create_and_count(client: &Client, name: &str) -> Result<usize, Error> {
///     client.create_repository(name).send().await?;
///     let found = client.describe_repositories().repository_names([name]).send().await?;
///     Ok(found.repositories.len())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let stubs = Stubs::new();
/// stubs.respond::<CreateRepository>(Ok(CreateRepositoryOutput::default()));
/// stubs.respond::<DescribeRepositories>(Err(DescribeRepositoriesError::RepositoryNotFoundException(
///     RepositoryNotFoundException::default().with_message("not yet"),
/// )));
/// let client = Client::new(&stubs.config());
/// match create_and_count(&client, "app").await {
///     Err(Error::RepositoryNotFoundException(e)) => assert_eq!(e.message(), Some("not yet")),
///     other => panic!("expected RepositoryNotFoundException, got {other:?}"),
/// }
/// // Or generically, through the metadata every error gives (`prelude`).
/// let err = create_and_count(&client, "app").await.unwrap_err();
/// assert_eq!(err.code(), Some("NoStubbedResponse"));
/// assert_eq!(err.request_id(), Some("stub-request"));
/// # });
/// ```
pub use generated::error::Error;
pub use generated::{error, input, operation, output, types, waiters};
