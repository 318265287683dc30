//! Credentials from `aws-config`, unchanged: any provider of the `aws-credential-types`
//! ecosystem plugs into `ConfigBuilder::credentials_provider`, so an application that already
//! uses `aws-config` (for SSO, `assume_role`, web identity, ...) shares its credentials setup.
//!
//! ```text
//! cargo run -p ecrpublic --example aws_config --features aws-config
//! cargo run -p ecrpublic --example aws_config --features aws-config -- --endpoint http://127.0.0.1:PORT
//! ```
//!
//! The `aws-config` feature builds `aws-config` without its default features (no aws-lc, no
//! SSO), so it is given an HTTP client here: `aws-smithy-http-client` with rustls on `ring`, the
//! crypto this crate already uses. An application using `aws-config`'s defaults needs neither.

use std::error::Error;

use aws_config::BehaviorVersion;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let endpoint = match std::env::args().nth(1).as_deref() {
        None => None,
        Some("--endpoint") => Some(std::env::args().nth(2).ok_or("--endpoint needs a URL")?),
        Some(other) => return Err(format!("unknown argument `{other}`; usage: aws_config [--endpoint URL]").into()),
    };

    // aws-config resolves credentials (and the region) its own way...
    // (Its HTTP client is for the providers that call AWS: IMDS, ECS, STS for `assume_role`.)
    let http_client =
        aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    let sdk_config = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client).load().await;
    let provider = sdk_config.credentials_provider().ok_or("aws-config found no credentials provider")?;
    let region = sdk_config.region().map_or_else(|| "us-east-1".to_owned(), |r| r.to_string());

    // ...and its provider goes into this client as it is: no adapter, no copy of the keys. The
    // client caches nothing on top: aws-config's provider does its own caching and refreshing.
    let mut builder = ecrpublic::Config::builder().region(region).credentials_provider(provider);
    if let Some(url) = endpoint {
        builder = builder.endpoint_url(url);
    }
    let client = ecrpublic::Client::new(&builder.build());

    let output = client.describe_repositories().send().await?;
    println!("{} repositories", output.repositories.len());
    for repository in &output.repositories {
        println!("  {}", repository.repository_name.as_deref().unwrap_or("?"));
    }
    Ok(())
}
