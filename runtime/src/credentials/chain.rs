//! The built-in credentials chain.

use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;

use super::aws::Apis;
use super::{error_detail, EcsProvider, EnvironmentProvider, ImdsProvider, ProfileProvider, WebIdentityProvider};
use crate::env::Env;
use crate::transport::HttpSettings;

/// The sources of `aws-config`'s default chain, in its order:
/// 1. the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
/// 2. the selected profile of the shared files (static keys, `credential_process`, web identity,
///    `role_arn` with `source_profile` or `credential_source`, SSO);
/// 3. web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`);
/// 4. the ECS (or EKS Pod Identity) container endpoint;
/// 5. EC2 instance metadata (IMDSv2).
///
/// A source that has nothing to offer (`not_loaded`) passes to the next; any other error stops
/// the chain, so a broken configuration is reported instead of silently using other
/// credentials. The source that answered is logged at `info` (target `awsjson_runtime::credentials`),
/// never a secret. Wrap in [`CachedCredentials`](super::CachedCredentials).
#[derive(Debug)]
pub struct DefaultCredentialsChain {
    environment: EnvironmentProvider,
    profile: ProfileProvider,
    web_identity: WebIdentityProvider,
    ecs: EcsProvider,
    imds: ImdsProvider,
}

impl DefaultCredentialsChain {
    /// The chain reading `env` (its variables, and the shared files it points to) instead of
    /// the process's environment; nothing is read until credentials are asked for.
    pub fn new(env: Env) -> Self {
        Self::from_apis(Apis::new(env))
    }

    pub(crate) fn from_apis(apis: Apis) -> Self {
        let env = apis.env.clone();
        DefaultCredentialsChain {
            environment: EnvironmentProvider::new(env.clone()),
            profile: ProfileProvider::from_apis(apis.clone()),
            web_identity: WebIdentityProvider::from_apis(apis),
            ecs: EcsProvider::new(env.clone()),
            imds: ImdsProvider::new(env),
        }
    }

    /// Configured as a client is: its region (for STS), profile and HTTP settings (proxy, CA
    /// bundle, timeouts) for the calls to STS and SSO.
    pub(crate) fn configured(env: Env, profile: Option<String>, region: Option<String>, http: HttpSettings) -> Self {
        let mut apis = Apis::new(env).with_region(region).with_http(http);
        apis.profile = profile;
        Self::from_apis(apis)
    }

    /// Use this profile rather than `AWS_PROFILE` or `default`. A profile named here must exist.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.profile = self.profile.with_profile(name.clone());
        self.web_identity.set_profile(name);
        self
    }

    async fn load(&self) -> provider::Result {
        let mut tried = Vec::with_capacity(5);
        let mut outcome = |label: String, result: Result<Credentials, CredentialsError>| match result {
            Ok(creds) => {
                tracing::info!(target: "awsjson_runtime::credentials", provider = %label, "loaded credentials from {label}");
                Some(Ok(creds))
            }
            Err(e @ CredentialsError::CredentialsNotLoaded(_)) => {
                tried.push(format!("{label} ({})", error_detail(&e)));
                None
            }
            Err(other) => {
                tracing::debug!(source = %label, error = %error_detail(&other), "credentials source failed");
                Some(Err(other))
            }
        };
        if let Some(r) = outcome("environment".into(), self.environment.provide_credentials().await) {
            return r;
        }
        let label = format!("profile `{}`", self.profile.profile_name());
        let (label, result) = match self.profile.load_described().await {
            Ok((creds, description)) => (description, Ok(creds)),
            Err(e) => (label, Err(e)),
        };
        if let Some(r) = outcome(label, result) {
            return r;
        }
        let sources: [(&str, &dyn ProvideCredentials); 3] = [
            ("web identity (AWS_WEB_IDENTITY_TOKEN_FILE)", &self.web_identity),
            ("ECS", &self.ecs),
            ("IMDSv2", &self.imds),
        ];
        for (label, source) in sources {
            if let Some(r) = outcome(label.to_owned(), source.provide_credentials().await) {
                return r;
            }
        }
        Err(CredentialsError::not_loaded(format!("no credentials found; tried: {}", tried.join(", "))))
    }
}

impl Default for DefaultCredentialsChain {
    /// The chain over the process environment.
    fn default() -> Self {
        DefaultCredentialsChain::new(Env::real())
    }
}

super::provide_with_load!(DefaultCredentialsChain);

#[cfg(test)]
mod tests {
    use super::super::test_server::TestServer;
    use super::*;
    use crate::profile::TempDir;

    const ECS_BODY: &str =
        r#"{"AccessKeyId": "ECSKEY", "SecretAccessKey": "S", "Token": "T", "Expiration": "2100-01-01T00:00:00Z"}"#;

    /// Every source configured: environment keys, a profile, an ECS endpoint; IMDS pointed at the
    /// same local server (never reached when an earlier source answers).
    struct Setup {
        dir: TempDir,
        server: TestServer,
    }

    impl Setup {
        async fn new() -> Setup {
            let dir = TempDir::new("chain");
            dir.write("credentials", "[default]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = S\n");
            let server = TestServer::start(|_| (200, ECS_BODY.to_owned())).await;
            Setup { dir, server }
        }

        fn vars(&self, with_env_keys: bool, with_profile: bool) -> Vec<(String, String)> {
            let mut vars = vec![
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI".to_owned(), format!("{}/creds", self.server.url())),
                ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
                ("HOME".to_owned(), self.dir.path()),
            ];
            if with_profile {
                let path = self.dir.0.join("credentials").to_string_lossy().into_owned();
                vars.push(("AWS_SHARED_CREDENTIALS_FILE".to_owned(), path));
            }
            if with_env_keys {
                vars.push(("AWS_ACCESS_KEY_ID".to_owned(), "ENVKEY".to_owned()));
                vars.push(("AWS_SECRET_ACCESS_KEY".to_owned(), "S".to_owned()));
            }
            vars
        }
    }

    async fn key(vars: Vec<(String, String)>) -> String {
        let creds = DefaultCredentialsChain::new(Env::from_vars(vars)).provide_credentials().await.unwrap();
        creds.access_key_id().to_owned()
    }

    #[tokio::test]
    async fn env_beats_profile_beats_ecs() {
        let setup = Setup::new().await;
        assert_eq!(key(setup.vars(true, true)).await, "ENVKEY");
        assert_eq!(key(setup.vars(false, true)).await, "PROFILEKEY");
        assert!(setup.server.requests().is_empty(), "ECS was asked although an earlier source answered");
        assert_eq!(key(setup.vars(false, false)).await, "ECSKEY");
        assert_eq!(setup.server.requests().len(), 1);
    }

    #[tokio::test]
    async fn imds_is_last() {
        let server = TestServer::start(|r| match (r.method.as_str(), r.path.as_str()) {
            ("PUT", _) => (200, "tok".to_owned()),
            ("GET", "/latest/meta-data/iam/security-credentials/") => (200, "role".to_owned()),
            _ => (200, ECS_BODY.replace("ECSKEY", "IMDSKEY")),
        })
        .await;
        let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())]);
        let creds = DefaultCredentialsChain::new(env).provide_credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "IMDSKEY");
    }

    #[tokio::test]
    async fn nothing_found_lists_every_source() {
        let dir = TempDir::new("chain-empty");
        let env = Env::from_vars([("HOME", dir.path()), ("AWS_EC2_METADATA_DISABLED", "true".to_owned())]);
        let err = DefaultCredentialsChain::new(env).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)), "{err:?}");
        assert_eq!(
            error_detail(&err),
            "no credentials found; tried: environment (AWS_ACCESS_KEY_ID not set), profile `default` (no such profile), \
             web identity (AWS_WEB_IDENTITY_TOKEN_FILE) (AWS_WEB_IDENTITY_TOKEN_FILE not set), \
             ECS (AWS_CONTAINER_CREDENTIALS_* not set), IMDSv2 (disabled by AWS_EC2_METADATA_DISABLED)"
        );
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_failing_source_stops_the_chain() {
        let setup = Setup::new().await;
        let script = setup.dir.write("fail.sh", "echo 'login required' >&2\nexit 1\n");
        let config =
            setup.dir.write("config", &format!("[profile p]\ncredential_process = sh '{}'\n", script.display()));
        let mut vars = setup.vars(false, false);
        vars.push(("AWS_CONFIG_FILE".to_owned(), config.to_string_lossy().into_owned()));
        let chain = DefaultCredentialsChain::new(Env::from_vars(vars)).with_profile("p");
        let err = chain.provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::ProviderError(_)), "{err:?}");
        assert!(error_detail(&err).contains("login required"), "{}", error_detail(&err));
        assert!(setup.server.requests().is_empty(), "the chain went on to ECS after a failing credential_process");
    }
}
