//! Configuration from `aws-config`, in one line: `Config::from(&sdk_config)` takes its region,
//! credentials provider, endpoint URL, retry and timeout settings and app name, so an application
//! that already uses `aws-config` shares its whole setup. (Any provider of the
//! `aws-credential-types` ecosystem also plugs into `ConfigBuilder::credentials_provider` alone.)
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

    // aws-config resolves region, credentials, endpoint, retries and timeouts its own way...
    // (Its HTTP client is for the providers that call AWS: IMDS, ECS, STS for `assume_role`.)
    let http_client =
        aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    let sdk_config = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client).load().await;
    if sdk_config.credentials_provider().is_none() {
        return Err("aws-config found no credentials provider".into());
    }

    // ...and this client takes all of it in one line: `Config::from(&sdk_config)`, or
    // `Config::builder().sdk_config(&sdk_config)` to change something after. Its credentials
    // provider goes behind this crate's cache (SdkConfig hands out the bare provider).
    let mut builder = ecrpublic::Config::builder().sdk_config(&sdk_config);
    if sdk_config.region().is_none() {
        builder = builder.region("us-east-1");
    }
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
