//! Credentials through STS, against the local STS stand-in: web identity from the environment and
//! from a profile (unsigned, the token re-read at each load), `role_arn` with `source_profile`
//! (chains signed hop by hop) and with `credential_source`, the STS endpoint settings, STS errors
//! and broken answers, loops and unsupported settings.

mod common;

use std::error::Error as _;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use common::aws::{self, sts_keys, StandIn};
use common::tmp::TempDir;
use common::{Canned, MockServer};
use ecrpublic::credentials::{ProfileProvider, ServiceError, WebIdentityProvider};
use ecrpublic::{Client, Config, Env, SdkError};

fn vars(list: &[(&str, &str)]) -> Env {
    Env::from_vars(list.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

/// What `CredentialsError` says, with its source.
fn detail(e: &CredentialsError) -> String {
    ecrpublic::credentials::error_detail(e)
}

async fn call(config: &Config) -> Result<(), SdkError<ecrpublic::error::DescribeRepositoriesError>> {
    Client::new(config).describe_repositories().send().await.map(|_| ())
}

fn signed_with(server: &MockServer) -> String {
    let request = server.only_request();
    let auth = request.header("authorization");
    auth.split("Credential=").nth(1).and_then(|c| c.split('/').next()).unwrap_or_default().to_owned()
}

// ---------------------------------------------------------------------------------------------
// Web identity
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn web_identity_from_the_environment_is_an_unsigned_form_post() {
    let dir = TempDir::new();
    let token = dir.write("token", "first-token\n");
    let sts = aws::sts().await;
    let env = vars(&[
        ("AWS_WEB_IDENTITY_TOKEN_FILE", &token.to_string_lossy()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci-deploy"),
        ("AWS_ROLE_SESSION_NAME", "github-run-42"),
        ("AWS_ENDPOINT_URL_STS", &sts.url()),
    ]);
    let provider = WebIdentityProvider::new(env);
    let creds = provider.provide_credentials().await.unwrap();
    let (id, secret, session) = sts_keys("arn:aws:iam::123456789012:role/ci-deploy");
    assert_eq!((creds.access_key_id(), creds.secret_access_key()), (id.as_str(), secret.as_str()));
    assert_eq!(creds.session_token(), Some(session.as_str()));
    assert!(creds.expiry().is_some());
    // The role's account, which account-based endpoints route on.
    assert_eq!(creds.account_id().map(|a| a.as_str()), Some("123456789012"));

    let request = &sts.requests()[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/"));
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded; charset=utf-8"));
    assert_eq!(
        request.form(),
        [
            ("Action".to_owned(), "AssumeRoleWithWebIdentity".to_owned()),
            ("Version".to_owned(), "2011-06-15".to_owned()),
            ("RoleArn".to_owned(), "arn:aws:iam::123456789012:role/ci-deploy".to_owned()),
            ("RoleSessionName".to_owned(), "github-run-42".to_owned()),
            ("WebIdentityToken".to_owned(), "first-token".to_owned()),
        ]
    );
    assert!(request.header("authorization").is_none(), "AssumeRoleWithWebIdentity is sent unsigned");
    assert!(request.header("x-amz-security-token").is_none());

    // Kubernetes rotates the file in place: the next load reads it again.
    dir.write("token", "rotated-token");
    provider.provide_credentials().await.unwrap();
    assert_eq!(sts.requests()[1].field("WebIdentityToken").as_deref(), Some("rotated-token"));
}

#[tokio::test]
async fn web_identity_session_name_defaults_and_endpoint_from_aws_endpoint_url() {
    let dir = TempDir::new();
    let token = dir.write("token", "t");
    let sts = aws::sts().await;
    // AWS_ENDPOINT_URL applies to every service, STS included.
    let env = vars(&[
        ("AWS_WEB_IDENTITY_TOKEN_FILE", &token.to_string_lossy()),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
        ("AWS_ENDPOINT_URL", &sts.url()),
    ]);
    WebIdentityProvider::new(env).provide_credentials().await.unwrap();
    let name = sts.requests()[0].field("RoleSessionName").unwrap();
    let millis = name.strip_prefix("awsjson-runtime-").expect("awsjson-runtime-<millis>");
    assert!(!millis.is_empty() && millis.bytes().all(|b| b.is_ascii_digit()), "{name}");
}

#[tokio::test]
async fn a_missing_token_file_is_an_error_naming_the_path() {
    let dir = TempDir::new();
    let missing = dir.file("no-such-token");
    let sts = aws::sts().await;
    let env = vars(&[
        ("AWS_WEB_IDENTITY_TOKEN_FILE", &missing),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
        ("AWS_ENDPOINT_URL_STS", &sts.url()),
        ("HOME", &dir.path().to_string_lossy()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_REGION", "us-east-1"),
    ]);
    let err = WebIdentityProvider::new(env.clone()).provide_credentials().await.unwrap_err();
    assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
    assert!(
        detail(&err).contains(&missing) && detail(&err).contains("AWS_WEB_IDENTITY_TOKEN_FILE"),
        "{}",
        detail(&err)
    );

    // Through the client: a configuration error, and the chain did not go on.
    let config = Config::loader().env(env).load().await.unwrap().endpoint_url(sts.url()).build();
    match call(&config).await {
        Err(SdkError::Config(e)) => assert!(e.message().contains(&missing), "{e}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(sts.requests().is_empty());

    // The token file without the role is an error too.
    let token = dir.write("token", "t");
    let err = WebIdentityProvider::new(vars(&[("AWS_WEB_IDENTITY_TOKEN_FILE", &token.to_string_lossy())]))
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(detail(&err).contains("AWS_ROLE_ARN is not"), "{}", detail(&err));
}

#[tokio::test]
async fn web_identity_from_a_profile() {
    let dir = TempDir::new();
    let token = dir.write("token", "profile-token");
    let sts = aws::sts().await;
    let config = dir.write(
        "config",
        format!(
            "[profile eks]\nrole_arn = arn:aws:iam::1:role/from-profile\nweb_identity_token_file = {}\n\
             role_session_name = sess\n",
            token.display()
        ),
    );
    let env = vars(&[("AWS_CONFIG_FILE", &config.to_string_lossy()), ("AWS_ENDPOINT_URL_STS", &sts.url())]);
    let creds = ProfileProvider::new(env).with_profile("eks").provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIAFROMPROFILE");
    let request = &sts.requests()[0];
    assert_eq!(request.field("WebIdentityToken").as_deref(), Some("profile-token"));
    assert_eq!(request.field("RoleSessionName").as_deref(), Some("sess"));
    assert!(request.header("authorization").is_none());
}

// ---------------------------------------------------------------------------------------------
// Assumed roles
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_role_chain_is_signed_hop_by_hop() {
    let dir = TempDir::new();
    let sts = aws::sts().await;
    let service = MockServer::start(Canned::ok("{}", "req")).await;
    let config = dir.write(
        "config",
        format!(
            "[profile deploy]\nrole_arn = arn:aws:iam::2:role/deploy\nsource_profile = jump\nregion = eu-west-2\n\
             role_session_name = deploy-session\nexternal_id = ext-123\nduration_seconds = 1800\n\
             services = local\n\
             [profile jump]\nrole_arn = arn:aws:iam::1:role/jump\nsource_profile = base\n\
             [services local]\nsts =\n  endpoint_url = {}\necr_public =\n  endpoint_url = {}\n",
            sts.url(),
            service.endpoint()
        ),
    );
    let creds = dir.write("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
    let env = vars(&[
        ("AWS_CONFIG_FILE", &config.to_string_lossy()),
        ("AWS_SHARED_CREDENTIALS_FILE", &creds.to_string_lossy()),
        ("AWS_PROFILE", "deploy"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let config = Config::loader().env(env).load().await.unwrap().build();
    call(&config).await.expect("the call succeeds");

    let requests = sts.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    // First hop: the base profile's static keys assume `jump`, signed for sts in the profile's region.
    let first = &requests[0];
    assert_eq!(first.field("Action").as_deref(), Some("AssumeRole"));
    assert_eq!(first.field("RoleArn").as_deref(), Some("arn:aws:iam::1:role/jump"));
    assert_eq!(first.sigv4_scope(), Some(("AKIDBASE".into(), "eu-west-2".into(), "sts".into())));
    assert!(first.header("x-amz-security-token").is_none());
    assert_eq!(first.field("ExternalId"), None);
    // Second hop: `jump`'s temporary credentials assume `deploy`, with its settings.
    let second = &requests[1];
    let (jump_key, _, jump_token) = sts_keys("arn:aws:iam::1:role/jump");
    assert_eq!(second.sigv4_scope(), Some((jump_key, "eu-west-2".into(), "sts".into())));
    assert_eq!(second.header("x-amz-security-token"), Some(jump_token.as_str()));
    let form = second.form();
    assert_eq!(
        form,
        [
            ("Action".to_owned(), "AssumeRole".to_owned()),
            ("Version".to_owned(), "2011-06-15".to_owned()),
            ("RoleArn".to_owned(), "arn:aws:iam::2:role/deploy".to_owned()),
            ("RoleSessionName".to_owned(), "deploy-session".to_owned()),
            ("ExternalId".to_owned(), "ext-123".to_owned()),
            ("DurationSeconds".to_owned(), "1800".to_owned()),
        ]
    );
    // The service call is signed with the last role's credentials.
    assert_eq!(signed_with(&service), "ASIADEPLOY");
}

#[tokio::test]
async fn credential_source_environment_ecs_and_imds() {
    let dir = TempDir::new();
    let sts = aws::sts().await;
    let ecs = aws::ecs("ECSKEY").await;
    let imds = aws::imds("IMDSKEY").await;
    let config = dir.write(
        "config",
        "[profile env]\nrole_arn = arn:aws:iam::1:role/from-env\ncredential_source = Environment\n\
         [profile ecs]\nrole_arn = arn:aws:iam::1:role/from-ecs\ncredential_source = EcsContainer\n\
         [profile ec2]\nrole_arn = arn:aws:iam::1:role/from-ec2\ncredential_source = Ec2InstanceMetadata\n",
    );
    let env = vars(&[
        ("AWS_CONFIG_FILE", &config.to_string_lossy()),
        ("AWS_SHARED_CREDENTIALS_FILE", &dir.file("none")),
        ("AWS_ENDPOINT_URL_STS", &sts.url()),
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &format!("{}/creds", ecs.url())),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url()),
    ]);
    for (profile, source_key, assumed) in
        [("env", "AKIDENV", "ASIAFROMENV"), ("ecs", "ECSKEY", "ASIAFROMECS"), ("ec2", "IMDSKEY", "ASIAFROMEC2")]
    {
        let creds = ProfileProvider::new(env.clone()).with_profile(profile).provide_credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), assumed);
        let request = sts.requests().pop().unwrap();
        assert_eq!(request.sigv4_scope().map(|s| s.0), Some(source_key.to_owned()), "{profile}");
    }

    // A named source that has nothing is an error, not a fall-through.
    let empty = vars(&[("AWS_CONFIG_FILE", &config.to_string_lossy()), ("AWS_ENDPOINT_URL_STS", &sts.url())]);
    let err = ProfileProvider::new(empty).with_profile("env").provide_credentials().await.unwrap_err();
    assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
    assert!(detail(&err).contains("credential_source = Environment"), "{}", detail(&err));
}

/// Profile files in a temporary directory, `[profile p]` assuming `arn:aws:iam::1:role/r` from
/// static keys, with STS at `sts`.
fn role_profile(dir: &TempDir, sts: &StandIn, extra: &str) -> Env {
    let config = dir.write(
        "config",
        format!(
            "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n{extra}\n\
             [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"
        ),
    );
    vars(&[("AWS_CONFIG_FILE", &config.to_string_lossy()), ("AWS_ENDPOINT_URL_STS", &sts.url())])
}

#[tokio::test]
async fn an_sts_error_is_typed_and_names_profile_role_code_and_message() {
    let sts = StandIn::start(|_| {
        aws::sts_error(403, "AccessDenied", "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole")
    })
    .await;
    let dir = TempDir::new();
    let env = role_profile(&dir, &sts, "");
    let err = ProfileProvider::new(env.clone()).with_profile("p").provide_credentials().await.unwrap_err();
    assert!(matches!(err, CredentialsError::ProviderError(_)), "{err:?}");
    let sts_error = err.source().and_then(|s| s.downcast_ref::<ServiceError>()).expect("a ServiceError");
    assert_eq!(
        (sts_error.service(), sts_error.operation(), sts_error.profile(), sts_error.status()),
        ("STS", "AssumeRole", Some("p"), 403)
    );
    assert_eq!(sts_error.code(), Some("AccessDenied"));
    assert_eq!(sts_error.subject(), "role `arn:aws:iam::1:role/r`");
    assert!(sts_error.message().unwrap().contains("not authorized"));
    assert_eq!(sts_error.request_id(), Some("sts-error-1"));
    assert_eq!(
        detail(&err),
        "STS AssumeRole for role `arn:aws:iam::1:role/r` (profile `p`) failed with HTTP 403: AccessDenied: User: \
         arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole (request id: sts-error-1)"
    );
    assert!(!format!("{err:?}").contains("base-secret"));
}

#[tokio::test]
async fn a_broken_sts_answer_is_a_clear_error() {
    for body in ["<html>502 Bad Gateway</html>", "<AssumeRoleResponse><AssumeRoleResult><Credentials>", "{}"] {
        let body = body.to_owned();
        let sts = StandIn::start(move |_| aws::Reply::new(200, "text/xml", body.clone())).await;
        let dir = TempDir::new();
        let err = ProfileProvider::new(role_profile(&dir, &sts, ""))
            .with_profile("p")
            .provide_credentials()
            .await
            .unwrap_err();
        let text = detail(&err);
        assert!(text.contains("STS AssumeRole") && text.contains("unreadable response"), "{text}");
    }
    // An error status with a body that is not an STS error document.
    let sts = StandIn::start(|_| aws::Reply::new(503, "text/html", "Service Unavailable")).await;
    let dir = TempDir::new();
    let err =
        ProfileProvider::new(role_profile(&dir, &sts, "")).with_profile("p").provide_credentials().await.unwrap_err();
    assert!(detail(&err).contains("HTTP 503: unreadable error response: Service Unavailable"), "{}", detail(&err));
    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = TempDir::new();
    let config = dir.write("config", "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n[profile base]\naws_access_key_id = A\naws_secret_access_key = S\n");
    let env =
        vars(&[("AWS_CONFIG_FILE", &config.to_string_lossy()), ("AWS_ENDPOINT_URL_STS", &format!("http://{closed}"))]);
    let err = ProfileProvider::new(env).with_profile("p").provide_credentials().await.unwrap_err();
    assert!(
        detail(&err).contains("Connection refused") && detail(&err).contains(&closed.to_string()),
        "{}",
        detail(&err)
    );
}

#[tokio::test]
async fn sts_endpoint_precedence() {
    let servers: Vec<StandIn> = futures_join(4).await;
    let [service_env, global_env, services_section, profile_url] = &servers[..] else { unreachable!() };
    let dir = TempDir::new();
    let config = dir.write(
        "config",
        format!(
            "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\nservices = s\nendpoint_url = {}\n\
             [services s]\nsts =\n  endpoint_url = {}\n\
             [profile base]\naws_access_key_id = A\naws_secret_access_key = S\n",
            profile_url.url(),
            services_section.url()
        ),
    );
    let path = config.to_string_lossy().into_owned();
    let load = |extra: &[(&str, &str)]| {
        let mut all = vec![("AWS_CONFIG_FILE", path.as_str())];
        all.extend_from_slice(extra);
        ProfileProvider::new(vars(&all)).with_profile("p")
    };
    let hits = || servers.iter().map(|s| s.requests().len()).collect::<Vec<_>>();
    let (a, b) = (service_env.url(), global_env.url());
    load(&[("AWS_ENDPOINT_URL_STS", &a), ("AWS_ENDPOINT_URL", &b)]).provide_credentials().await.unwrap();
    assert_eq!(hits(), [1, 0, 0, 0]);
    load(&[("AWS_ENDPOINT_URL", &b)]).provide_credentials().await.unwrap();
    assert_eq!(hits(), [1, 1, 0, 0]);
    load(&[]).provide_credentials().await.unwrap();
    assert_eq!(hits(), [1, 1, 1, 0]);
    // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: the regional endpoint, which is not on this machine;
    // with a region that is not a host label, it is refused before any URL is built.
    let err = load(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), ("AWS_REGION", "us-east-1.attacker.example")])
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(detail(&err).contains("region `us-east-1.attacker.example` is not valid"), "{}", detail(&err));
    assert_eq!(hits(), [1, 1, 1, 0]);
}

async fn futures_join(n: usize) -> Vec<StandIn> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(aws::sts().await);
    }
    out
}

#[tokio::test]
async fn loops_and_mfa_are_named_errors_through_the_client() {
    let sts = aws::sts().await;
    let dir = TempDir::new();
    let config = dir.write(
        "config",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n\
         [profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n\
         [profile mfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = keys\nmfa_serial = arn:aws:iam::1:mfa/me\n\
         [profile keys]\naws_access_key_id = A\naws_secret_access_key = S\n",
    );
    for (profile, expected) in [
        ("a", "source_profile loop: `a` -> `b` -> `c` -> `a`"),
        ("mfa", "profile `mfa` sets mfa_serial: assuming a role with an MFA code is not supported"),
    ] {
        let env = vars(&[
            ("AWS_CONFIG_FILE", &config.to_string_lossy()),
            ("AWS_ENDPOINT_URL_STS", &sts.url()),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]);
        let config = Config::loader().env(env).profile(profile).load().await.unwrap().endpoint_url(sts.url()).build();
        match call(&config).await {
            Err(SdkError::Config(e)) => assert!(e.message().contains(expected), "{e}"),
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }
    assert!(sts.requests().is_empty(), "nothing is sent for a broken profile");
}
