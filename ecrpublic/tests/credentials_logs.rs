//! What the credentials chain logs: one `info` line naming the source used (never a secret), and
//! a warning when a refresh fails while the cached credentials are still valid. One test, alone
//! in its binary, so that no other test's events race the capture.

mod common;

use common::aws;
use common::logs::Logs;
use common::tmp::TempDir;
use common::{Canned, MockServer};
use ecrpublic::{Client, Config, Env, SdkError};

async fn call(config: &Config) -> Result<(), SdkError<ecrpublic::error::DescribeRepositoriesError>> {
    Client::new(config).describe_repositories().send().await.map(|_| ())
}

#[tokio::test]
async fn the_source_used_and_failed_refreshes_are_logged_and_no_secret_is_anywhere() {
    let home = TempDir::new();
    let token_text = "eyJhbGciOiJSUzI1NiJ9.SECRET-WEB-IDENTITY-TOKEN.sig";
    let token = home.write("token", token_text);
    let sts = aws::sts().await;
    let service = MockServer::start(Canned::ok("{}", "req")).await;
    let env = Env::from_vars([
        ("HOME", home.path().to_string_lossy().into_owned()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.to_string_lossy().into_owned()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci".into()),
        ("AWS_ENDPOINT_URL_STS", sts.url()),
        ("AWS_ENDPOINT_URL_ECR_PUBLIC", service.endpoint()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]);
    let (logs, _guard) = Logs::capture();
    let config = Config::loader().env(env).load().await.unwrap().build();
    call(&config).await.expect("the call succeeds");
    let info: Vec<String> =
        logs.at("INFO").into_iter().filter(|l| l.contains("awsjson_runtime::credentials")).collect();
    assert_eq!(info.len(), 1, "{info:?} in {:#?}", logs.lines());
    assert!(info[0].contains("web identity (AWS_WEB_IDENTITY_TOKEN_FILE)"), "{info:?}");

    let (_, secret, session) = aws::sts_keys("arn:aws:iam::123456789012:role/ci");
    let shown = format!("{}\n{config:?}\n{:?}", logs.text(), Client::new(&config));
    for secret in [token_text, &secret, &session] {
        assert!(!shown.contains(secret), "`{secret}` was shown:\n{shown}");
    }

    // A refresh that fails while the cached credentials are still valid: they keep being used,
    // with a warning that says why (and no secret).
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = calls.clone();
    let cache = ecrpublic::credentials::CachedCredentials::new(FailsAfterFirst(counter));
    use aws_credential_types::provider::ProvideCredentials as _;
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "FIRSTKEY");
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "FIRSTKEY");
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    let warnings = logs.at("WARN");
    assert!(
        warnings.iter().any(|w| w.contains("refreshing credentials failed") && w.contains("STS is unreachable")),
        "{warnings:?}"
    );
    assert!(!logs.text().contains("first-secret"));
}

/// Gives credentials valid for 2 more minutes (inside the refresh window), then fails.
#[derive(Debug)]
struct FailsAfterFirst(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl aws_credential_types::provider::ProvideCredentials for FailsAfterFirst {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        aws_credential_types::provider::future::ProvideCredentials::ready(if n == 0 {
            let expiry = std::time::SystemTime::now() + std::time::Duration::from_secs(120);
            Ok(aws_credential_types::Credentials::new("FIRSTKEY", "first-secret", None, Some(expiry), "test"))
        } else {
            Err(aws_credential_types::provider::error::CredentialsError::provider_error("STS is unreachable"))
        })
    }
}
