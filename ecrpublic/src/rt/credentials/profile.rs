//! Credentials from the selected profile of the shared config files: static keys or
//! `credential_process`. Profiles that need STS or SSO are reported as unsupported rather than
//! skipped, so the chain does not silently fall through to other credentials.

use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;

use super::CredentialProcessProvider;
use crate::rt::env::Env;
use crate::rt::profile::{Profile, ProfileFiles};

/// The profile named explicitly, else by `AWS_PROFILE`, else `default`. Files are read on each
/// call; wrap in [`CachedCredentials`](super::CachedCredentials) to avoid that.
#[derive(Clone, Debug, Default)]
pub struct ProfileProvider {
    env: Env,
    profile: Option<String>,
}

/// Keys that mean credentials come from somewhere this runtime does not reach.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("role_arn", "assuming a role (role_arn) needs STS"),
    ("source_profile", "source_profile (role chaining) needs STS"),
    ("credential_source", "credential_source (role chaining) needs STS"),
    ("web_identity_token_file", "web identity (web_identity_token_file) needs STS"),
    ("sso_session", "IAM Identity Center (sso_session) needs SSO"),
    ("sso_start_url", "IAM Identity Center (sso_start_url) needs SSO"),
];

impl ProfileProvider {
    pub fn new(env: Env) -> Self {
        ProfileProvider { env, profile: None }
    }

    /// Use this profile rather than `AWS_PROFILE` or `default`.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// The profile this provider reads.
    pub fn profile_name(&self) -> String {
        ProfileFiles::selected_name(&self.env, self.profile.as_deref())
    }

    async fn load(&self) -> provider::Result {
        let name = self.profile_name();
        let files = ProfileFiles::load(&self.env).await.map_err(CredentialsError::invalid_configuration)?;
        let Some(profile) = files.profile(&name) else {
            // A profile asked for by name must exist; the implicit `default` may well not.
            let explicit = self.profile.is_some() || self.env.get("AWS_PROFILE").is_some();
            return Err(if explicit {
                CredentialsError::invalid_configuration(format!(
                    "profile `{name}` not found in the shared config files"
                ))
            } else {
                CredentialsError::not_loaded("no such profile")
            });
        };
        for (key, why) in UNSUPPORTED {
            if profile.get(key).is_some() {
                return Err(CredentialsError::invalid_configuration(format!(
                    "profile `{name}`: {why}, which the built-in credentials chain does not support; \
                     use aws-config's provider through `credentials_provider`"
                )));
            }
        }
        if let Some(creds) = static_keys(&name, profile)? {
            return Ok(creds);
        }
        if let Some(command) = profile.get("credential_process") {
            return CredentialProcessProvider::new(command).provide_credentials().await;
        }
        Err(CredentialsError::not_loaded("no credentials in it"))
    }
}

fn static_keys(name: &str, profile: &Profile) -> Result<Option<Credentials>, CredentialsError> {
    match (profile.get("aws_access_key_id"), profile.get("aws_secret_access_key")) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            let token = profile.get("aws_session_token").filter(|t| !t.is_empty()).map(str::to_owned);
            Ok(Some(Credentials::new(id, secret, token, None, "profile")))
        }
        (Some(id), _) if !id.is_empty() => Err(CredentialsError::invalid_configuration(format!(
            "profile `{name}` has aws_access_key_id but no aws_secret_access_key"
        ))),
        _ => Ok(None),
    }
}

super::provide_with_load!(ProfileProvider);

#[cfg(test)]
mod tests {
    use super::super::error_detail;
    use super::*;
    use crate::rt::profile::TempDir;

    fn env_with_files(dir: &TempDir, config: &str, credentials: &str, extra: &[(&str, &str)]) -> Env {
        let config = dir.write("config", config);
        let creds = dir.write("credentials", credentials);
        let mut vars = vec![
            ("AWS_CONFIG_FILE".to_owned(), config.to_string_lossy().into_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE".to_owned(), creds.to_string_lossy().into_owned()),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_vars(vars)
    }

    #[tokio::test]
    async fn static_keys_from_selected_profile() {
        let dir = TempDir::new("profile-static");
        let creds = "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\
                     [work]\naws_access_key_id = W\naws_secret_access_key = WS\naws_session_token = WT\n";
        let env = env_with_files(&dir, "", creds, &[]);
        let got = ProfileProvider::new(env.clone()).provide_credentials().await.unwrap();
        assert_eq!((got.access_key_id(), got.session_token()), ("D", None));

        let got = ProfileProvider::new(env).with_profile("work").provide_credentials().await.unwrap();
        assert_eq!((got.access_key_id(), got.secret_access_key(), got.session_token()), ("W", "WS", Some("WT")));

        let env = env_with_files(&dir, "", creds, &[("AWS_PROFILE", "work")]);
        assert_eq!(ProfileProvider::new(env).provide_credentials().await.unwrap().access_key_id(), "W");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn credential_process_from_config() {
        let dir = TempDir::new("profile-process");
        let script =
            dir.write("creds.sh", r#"printf '{"Version": 1, "AccessKeyId": "PROC", "SecretAccessKey": "PS"}'"#);
        let config = format!("[profile p]\ncredential_process = sh '{}'\n", script.display());
        let env = env_with_files(&dir, &config, "", &[("AWS_PROFILE", "p")]);
        let got = ProfileProvider::new(env).provide_credentials().await.unwrap();
        assert_eq!(got.access_key_id(), "PROC");
    }

    #[tokio::test]
    async fn missing_and_empty_profiles() {
        let dir = TempDir::new("profile-missing-creds");
        let env = env_with_files(&dir, "[default]\nregion = us-east-1\n", "", &[]);
        let err = ProfileProvider::new(env.clone()).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)));
        assert_eq!(error_detail(&err), "no credentials in it");

        let err = ProfileProvider::new(Env::default()).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)));
        assert_eq!(error_detail(&err), "no such profile");

        // Asked for by name: a missing profile is a configuration error, not a fall-through.
        let err = ProfileProvider::new(env).with_profile("nope").provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
        assert!(error_detail(&err).contains("`nope` not found"));
    }

    #[tokio::test]
    async fn assume_role_is_reported_as_unsupported() {
        let dir = TempDir::new("profile-role");
        let config = "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n\
                      [profile base]\naws_access_key_id = B\naws_secret_access_key = BS\n";
        let env = env_with_files(&dir, config, "", &[]);
        let err = ProfileProvider::new(env).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
        let detail = error_detail(&err);
        assert!(detail.contains("role_arn") && detail.contains("not support"), "{detail}");
    }

    #[tokio::test]
    async fn half_static_keys_and_bad_files_are_errors() {
        let dir = TempDir::new("profile-half");
        let env = env_with_files(&dir, "", "[default]\naws_access_key_id = ONLY\n", &[]);
        let err = ProfileProvider::new(env).provide_credentials().await.unwrap_err();
        assert!(error_detail(&err).contains("no aws_secret_access_key"), "{err:?}");

        let env = env_with_files(&dir, "[default]\ngarbage\n", "", &[]);
        let err = ProfileProvider::new(env).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
        assert!(error_detail(&err).contains("config:2:"), "{}", error_detail(&err));
    }
}
