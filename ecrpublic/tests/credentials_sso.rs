//! IAM Identity Center (SSO) profiles against local stand-ins of the SSO portal and SSO OIDC,
//! with token caches written as the AWS CLI writes them: `sso_session` and legacy profiles, a
//! token refreshed (and written back) before it expires, expired tokens, failed refreshes, and
//! the portal's errors.

mod common;

use std::error::Error as _;
use std::path::PathBuf;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use common::aws::{self, StandIn};
use common::tmp::TempDir;
use common::{Canned, MockServer};
use ecrpublic::credentials::{ProfileProvider, ServiceError};
use ecrpublic::{Client, Config, DateTime, Env};

const CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-2
sso_account_id = 444455556666
sso_role_name = ReadOnly
";

/// SHA-1 hex, computed independently of the crate (with ring, as a cross-check).
fn sha1_hex(text: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

struct Setup {
    home: TempDir,
    portal: StandIn,
    oidc: StandIn,
}

impl Setup {
    async fn new(accepted_token: &str) -> Setup {
        let home = TempDir::new();
        std::fs::create_dir_all(home.path().join(".aws/sso/cache")).unwrap();
        home.write(".aws/config", CONFIG);
        Setup {
            home,
            portal: aws::sso_portal(accepted_token).await,
            oidc: aws::sso_oidc("client-id-1", "refresh-token-1", "refreshed-access-token").await,
        }
    }

    fn env(&self) -> Env {
        Env::from_vars([
            ("HOME", self.home.path().to_string_lossy().into_owned()),
            ("AWS_ENDPOINT_URL_SSO", self.portal.url()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", self.oidc.url()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ])
    }

    fn cache_file(&self, key: &str) -> PathBuf {
        self.home.path().join(".aws/sso/cache").join(format!("{}.json", sha1_hex(key)))
    }

    /// A cache entry as `aws sso login` writes it for the `corp` session.
    fn write_session_token(&self, token: &str, expires_in_secs: i64, with_refresh: bool) {
        let mut json = serde_json::json!({
            "startUrl": "https://corp.awsapps.com/start",
            "region": "eu-west-1",
            "accessToken": token,
            "expiresAt": at(expires_in_secs),
        });
        if with_refresh {
            json["clientId"] = "client-id-1".into();
            json["clientSecret"] = "client-secret-1".into();
            json["registrationExpiresAt"] = at(90 * 86_400).into();
            json["refreshToken"] = "refresh-token-1".into();
        }
        std::fs::write(self.cache_file("corp"), serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    }

    async fn load(&self, profile: &str) -> Result<aws_credential_types::Credentials, CredentialsError> {
        ProfileProvider::new(self.env()).with_profile(profile).provide_credentials().await
    }
}

fn at(from_now_secs: i64) -> String {
    DateTime::from_secs(DateTime::now().secs() + from_now_secs).to_string()
}

fn detail(e: &CredentialsError) -> String {
    ecrpublic::credentials::error_detail(e)
}

#[tokio::test]
async fn an_sso_session_profile_gets_role_credentials_with_the_bearer_token() {
    let setup = Setup::new("cached-access-token").await;
    setup.write_session_token("cached-access-token", 3600, true);
    let service = MockServer::start(Canned::ok("{}", "req")).await;
    let mut vars = vec![
        ("HOME".to_owned(), setup.home.path().to_string_lossy().into_owned()),
        ("AWS_ENDPOINT_URL_SSO".to_owned(), setup.portal.url()),
        ("AWS_ENDPOINT_URL_ECR_PUBLIC".to_owned(), service.endpoint()),
        ("AWS_PROFILE".to_owned(), "dev".to_owned()),
    ];
    vars.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
    let config = Config::loader().env(Env::from_vars(vars)).load().await.unwrap().build();
    Client::new(&config).describe_repositories().send().await.expect("the call succeeds");

    let request = &setup.portal.requests()[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("GET", "/federation/credentials"));
    assert_eq!(request.query_param("account_id"), Some("111122223333"));
    assert_eq!(request.query_param("role_name"), Some("Developer"));
    assert_eq!(request.header("x-amz-sso_bearer_token"), Some("cached-access-token"));
    assert!(request.header("authorization").is_none(), "GetRoleCredentials is not SigV4-signed");
    assert!(setup.oidc.requests().is_empty(), "a fresh token is not refreshed");
    let auth = service.only_request().header("authorization").to_owned();
    assert!(auth.contains("Credential=ASIASSODEVELOPER/") && auth.contains("/eu-west-1/ecr-public/"), "{auth}");
}

#[tokio::test]
async fn a_legacy_profile_reads_the_cache_named_after_its_start_url() {
    let setup = Setup::new("legacy-token").await;
    let json = serde_json::json!({"startUrl": "https://legacy.awsapps.com/start", "region": "us-east-2",
        "accessToken": "legacy-token", "expiresAt": at(3600)});
    std::fs::write(setup.cache_file("https://legacy.awsapps.com/start"), json.to_string()).unwrap();
    let creds = setup.load("legacy").await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIASSOREADONLY");
    assert_eq!(setup.portal.requests()[0].query_param("account_id"), Some("444455556666"));
    // The credentials say which account they are for (account-based endpoints route on it).
    assert_eq!(creds.account_id().map(|a| a.as_str()), Some("444455556666"));
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_and_written_back() {
    let setup = Setup::new("refreshed-access-token").await;
    // Two minutes left: inside the 5-minute window, so it is refreshed first.
    setup.write_session_token("old-access-token", 120, true);
    let creds = setup.load("dev").await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIASSODEVELOPER");

    let refresh = &setup.oidc.requests()[0];
    assert_eq!((refresh.method.as_str(), refresh.path.as_str()), ("POST", "/token"));
    assert_eq!(refresh.header("content-type"), Some("application/json"));
    assert_eq!(
        refresh.json(),
        serde_json::json!({"clientId": "client-id-1", "clientSecret": "client-secret-1",
            "grantType": "refresh_token", "refreshToken": "refresh-token-1"})
    );
    assert_eq!(setup.portal.requests()[0].header("x-amz-sso_bearer_token"), Some("refreshed-access-token"));

    // The cache now holds the new token, its new expiry and the rotated refresh token; the rest is kept.
    let cached: serde_json::Value = serde_json::from_slice(&std::fs::read(setup.cache_file("corp")).unwrap()).unwrap();
    assert_eq!(cached["accessToken"], "refreshed-access-token");
    assert_eq!(cached["refreshToken"], "rotated-refresh-token");
    assert_eq!(
        (cached["clientId"].as_str(), cached["startUrl"].as_str()),
        (Some("client-id-1"), Some("https://corp.awsapps.com/start"))
    );
    let expires = DateTime::from_rfc3339(cached["expiresAt"].as_str().unwrap()).unwrap();
    assert!(expires.secs() > DateTime::now().secs() + 7 * 3600, "{expires}");
    // Written atomically: no temporary file left beside it.
    let names: Vec<String> = std::fs::read_dir(setup.home.path().join(".aws/sso/cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [format!("{}.json", sha1_hex("corp"))]);
}

#[tokio::test]
async fn an_expired_token_without_refresh_says_to_log_in_again() {
    let setup = Setup::new("t").await;
    setup.write_session_token("expired-token", -60, false);
    let err = setup.load("dev").await.unwrap_err();
    let text = detail(&err);
    assert!(text.contains("expired") && text.contains("run `aws sso login --profile dev`"), "{text}");
    assert!(text.contains(&setup.cache_file("corp").display().to_string()), "{text}");
    assert!(setup.portal.requests().is_empty() && setup.oidc.requests().is_empty());
    assert!(!text.contains("expired-token"), "the token is not shown: {text}");

    // No cache at all.
    let err = setup.load("legacy").await.unwrap_err();
    assert!(detail(&err).contains("no cached token") && detail(&err).contains("--profile legacy"), "{}", detail(&err));
    // A broken cache file.
    std::fs::write(setup.cache_file("corp"), "{not json").unwrap();
    let err = setup.load("dev").await.unwrap_err();
    assert!(detail(&err).contains("unusable (not JSON)"), "{}", detail(&err));
}

#[tokio::test]
async fn a_failed_refresh_of_an_expired_token_is_a_typed_error() {
    let setup = Setup::new("t").await;
    setup.write_session_token("expired-token", -60, true);
    // The OIDC stand-in refuses this refresh token.
    let json = std::fs::read_to_string(setup.cache_file("corp")).unwrap().replace("refresh-token-1", "revoked");
    std::fs::write(setup.cache_file("corp"), json).unwrap();
    let err = setup.load("dev").await.unwrap_err();
    let e = err.source().and_then(|s| s.downcast_ref::<ServiceError>()).expect("a ServiceError");
    assert_eq!((e.service(), e.operation(), e.code()), ("SSO OIDC", "CreateToken", Some("InvalidGrantException")));
    assert!(e.message().unwrap().contains("aws sso login --profile dev"), "{e}");
}

#[tokio::test]
async fn a_failed_refresh_of_a_still_valid_token_uses_the_token() {
    let setup = Setup::new("still-valid-token").await;
    setup.write_session_token("still-valid-token", 120, true);
    let json = std::fs::read_to_string(setup.cache_file("corp")).unwrap().replace("refresh-token-1", "revoked");
    std::fs::write(setup.cache_file("corp"), json).unwrap();
    let creds = setup.load("dev").await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIASSODEVELOPER");
    assert_eq!(setup.oidc.requests().len(), 1, "the refresh was tried");
    assert_eq!(setup.portal.requests()[0].header("x-amz-sso_bearer_token"), Some("still-valid-token"));
}

#[tokio::test]
async fn the_portal_rejecting_the_token_is_a_typed_error() {
    let setup = Setup::new("the-right-token").await;
    setup.write_session_token("a-revoked-token", 3600, false);
    let err = setup.load("dev").await.unwrap_err();
    let e = err.source().and_then(|s| s.downcast_ref::<ServiceError>()).expect("a ServiceError");
    assert_eq!(
        (e.service(), e.operation(), e.status(), e.code()),
        ("SSO", "GetRoleCredentials", 401, Some("UnauthorizedException"))
    );
    assert_eq!(e.profile(), Some("dev"));
    assert_eq!(e.subject(), "account `111122223333` role `Developer`");
    assert!(
        e.message().unwrap().starts_with("Session token not found or invalid; run `aws sso login --profile dev`"),
        "{e}"
    );
    assert!(!format!("{err:?} {err}").contains("a-revoked-token"));
}

#[test]
fn cache_file_names_are_the_clis() {
    // Python's hashlib.sha1(b"corp").hexdigest(), and of the legacy start URL: the names the AWS CLI uses.
    assert_eq!(sha1_hex("corp"), "ee0bfd2552fbd840c02cc48b6e823320543c450f");
    assert_eq!(sha1_hex("https://legacy.awsapps.com/start"), "79e435d7a515078e81c9dffc35f38d5687ebd3a7");
}
