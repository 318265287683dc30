//! The default credentials chain end to end, through `Config::loader()` with an isolated `Env`:
//! its order (environment, profile, web identity, ECS, IMDS), a machine with no config files at
//! all (a container, an EC2 instance), a `[default]` profile without credentials (which must not
//! hide web identity behind IMDS), and a profile named but missing. The log line naming the
//! source is checked in `credentials_logs.rs`, a binary of its own (a log capture sees only its
//! own thread's events reliably when no other test runs).

mod common;

use common::aws::{self, StandIn};
use common::tmp::TempDir;
use common::{Canned, MockServer};
use ecrpublic::{Client, Config, Env, SdkError};

/// A home directory, with `~/.aws/config` and `~/.aws/credentials` when given.
struct Home {
    dir: TempDir,
}

impl Home {
    fn empty() -> Home {
        Home { dir: TempDir::new() }
    }

    fn with(config: &str, credentials: &str) -> Home {
        let home = Home::empty();
        std::fs::create_dir_all(home.dir.path().join(".aws")).unwrap();
        home.dir.write(".aws/config", config);
        home.dir.write(".aws/credentials", credentials);
        home
    }

    fn path(&self) -> String {
        self.dir.path().to_string_lossy().into_owned()
    }
}

/// The access key id the one request to `server` was signed with.
fn signed_with(server: &MockServer) -> String {
    let request = server.only_request();
    let auth = request.header("authorization");
    auth.split("Credential=").nth(1).and_then(|c| c.split('/').next()).unwrap_or_default().to_owned()
}

async fn call(config: &Config) -> Result<(), SdkError<ecrpublic::error::DescribeRepositoriesError>> {
    Client::new(config).describe_repositories().send().await.map(|_| ())
}

/// Loads configuration from `vars` (plus HOME) and sends one call to `service`; returns the key
/// it was signed with.
async fn key_used(vars: &[(&str, String)]) -> String {
    let service = MockServer::start(Canned::ok("{}", "req")).await;
    let mut all: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    all.push(("AWS_ENDPOINT_URL_ECR_PUBLIC".into(), service.endpoint()));
    let config = Config::loader().env(Env::from_vars(all)).load().await.expect("loads").build();
    call(&config).await.expect("the call succeeds");
    signed_with(&service)
}

#[tokio::test]
async fn no_config_files_at_all_reach_ecs() {
    // A container: no ~/.aws at all, no AWS_PROFILE, only the ECS agent's variable.
    let home = Home::empty();
    let ecs = aws::ecs("ECSKEY").await;
    let key = key_used(&[
        ("HOME", home.path()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("{}/v2/credentials/abc", ecs.url())),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ])
    .await;
    assert_eq!(key, "ECSKEY");
    assert_eq!(ecs.requests()[0].path, "/v2/credentials/abc");
}

#[tokio::test]
async fn no_config_files_at_all_reach_imds_for_credentials_and_region() {
    // An EC2 instance: nothing configured but instance metadata.
    let home = Home::empty();
    let imds = aws::imds("IMDSKEY").await;
    let service = MockServer::start(Canned::ok("{}", "req")).await;
    let env = Env::from_vars([
        ("HOME", home.path()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()),
        ("AWS_ENDPOINT_URL_ECR_PUBLIC", service.endpoint()),
    ]);
    let config = Config::loader().env(env).load().await.expect("loads").build();
    assert_eq!(config.region(), Some("us-west-2"), "the region comes from IMDS last");
    call(&config).await.expect("the call succeeds");
    assert_eq!(signed_with(&service), "IMDSKEY");
    let auth = service.only_request().header("authorization").to_owned();
    assert!(auth.contains("/us-west-2/ecr-public/aws4_request"), "{auth}");
}

#[tokio::test]
async fn a_default_profile_without_credentials_does_not_hide_web_identity_behind_imds() {
    // EKS with IRSA, and a config file that sets only a region: the pod's role, never the node's.
    let home = Home::with("[default]\nregion = eu-west-1\n", "");
    let token = home.dir.write("token", "irsa-web-identity-token");
    let sts = aws::sts().await;
    let imds = aws::imds("NODEROLEKEY").await;
    let key = key_used(&[
        ("HOME", home.path()),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.to_string_lossy().into_owned()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod".into()),
        ("AWS_ENDPOINT_URL_STS", sts.url()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()),
    ])
    .await;
    assert_eq!(key, "ASIAPOD");
    assert!(imds.requests().is_empty(), "IMDS (the node's role) was asked: {:?}", imds.requests());
}

/// Every source configured at once, each with its own key; `without` leaves sources out.
struct Everything {
    home: Home,
    sts: StandIn,
    ecs: StandIn,
    imds: StandIn,
}

impl Everything {
    async fn start() -> Everything {
        let home = Home::with(
            "[default]\nregion = us-east-1\n",
            "[default]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = s\n",
        );
        home.dir.write("token", "web-identity-token");
        Everything { home, sts: aws::sts().await, ecs: aws::ecs("ECSKEY").await, imds: aws::imds("IMDSKEY").await }
    }

    fn vars(&self, without: &[&str]) -> Vec<(&'static str, String)> {
        let mut vars = vec![("HOME", self.home.path()), ("AWS_ENDPOINT_URL_STS", self.sts.url())];
        let mut add = |source: &str, entries: Vec<(&'static str, String)>| {
            if !without.contains(&source) {
                vars.extend(entries);
            }
        };
        add("environment", vec![("AWS_ACCESS_KEY_ID", "ENVKEY".into()), ("AWS_SECRET_ACCESS_KEY", "s".into())]);
        add(
            "web identity",
            vec![
                ("AWS_WEB_IDENTITY_TOKEN_FILE", self.home.dir.file("token")),
                ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web".into()),
            ],
        );
        add("ecs", vec![("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("{}/creds", self.ecs.url()))]);
        add("imds", vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", self.imds.url())]);
        if without.contains(&"profile") {
            // A profile file without keys.
            vars.push(("AWS_SHARED_CREDENTIALS_FILE", self.home.dir.file("no-such-file")));
        }
        vars
    }
}

#[tokio::test]
async fn the_chain_order_is_aws_configs() {
    let all = Everything::start().await;
    let mut without = Vec::new();
    for (source, expected) in [
        ("environment", "ENVKEY"),
        ("profile", "PROFILEKEY"),
        ("web identity", "ASIAWEB"),
        ("ecs", "ECSKEY"),
        ("imds", "IMDSKEY"),
    ] {
        assert_eq!(key_used(&all.vars(&without)).await, expected, "without {without:?}");
        without.push(source);
    }
    // Each later source was asked only once the earlier ones were gone.
    assert_eq!(all.sts.requests().len(), 1);
    assert_eq!(all.ecs.requests().len(), 1);
}

#[tokio::test]
async fn a_profile_named_by_aws_profile_must_exist() {
    let home = Home::with("[default]\nregion = us-east-1\n", "");
    let ecs = aws::ecs("ECSKEY").await;
    let service = MockServer::start(Canned::ok("{}", "req")).await;
    let env = Env::from_vars([
        ("HOME", home.path()),
        ("AWS_PROFILE", "nope".into()),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("{}/creds", ecs.url())),
        ("AWS_ENDPOINT_URL_ECR_PUBLIC", service.endpoint()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]);
    let config = Config::loader().env(env).load().await.expect("loads").build();
    match call(&config).await {
        Err(SdkError::Config(e)) => assert!(e.message().contains("profile `nope` not found"), "{e}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(ecs.requests().is_empty(), "the chain went on past a missing named profile");
    assert!(service.requests().is_empty());
}

#[tokio::test]
async fn nothing_anywhere_lists_what_was_tried() {
    let home = Home::empty();
    let service = MockServer::start(Canned::ok("{}", "req")).await;
    let env = Env::from_vars([
        ("HOME", home.path()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ENDPOINT_URL_ECR_PUBLIC", service.endpoint()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]);
    let config = Config::loader().env(env).load().await.unwrap().build();
    let Err(SdkError::Config(e)) = call(&config).await else { panic!("expected a configuration error") };
    for source in ["environment", "profile `default`", "web identity", "ECS", "IMDSv2"] {
        assert!(e.message().contains(source), "`{source}` in {e}");
    }
}
