//! Web identity: an OIDC token in a file (EKS IRSA, GitHub Actions, ...) exchanged for a role's
//! credentials with STS `AssumeRoleWithWebIdentity`. The file is read again at every load:
//! Kubernetes rotates the token in place.

use std::path::{Path, PathBuf};

use aws_credential_types::provider::{self, error::CredentialsError};

use super::aws::Apis;
use super::sts::{self, Role};
use crate::env::Env;
use crate::profile::ProfileFiles;

/// Credentials for `AWS_ROLE_ARN` from the token in `AWS_WEB_IDENTITY_TOKEN_FILE`, with session
/// name `AWS_ROLE_SESSION_NAME` (default `awsjson-runtime-<millis>`), from STS's regional endpoint
/// (`AWS_ENDPOINT_URL_STS` and the other endpoint settings override it). Not loaded when
/// `AWS_WEB_IDENTITY_TOKEN_FILE` is unset; an error when it is set without `AWS_ROLE_ARN`, or the
/// file cannot be read.
#[derive(Debug)]
pub struct WebIdentityProvider {
    apis: Apis,
}

impl WebIdentityProvider {
    /// A provider reading `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and the rest from `env`
    /// at each load.
    pub fn new(env: Env) -> Self {
        WebIdentityProvider { apis: Apis::new(env) }
    }

    pub(crate) fn from_apis(apis: Apis) -> Self {
        WebIdentityProvider { apis }
    }

    /// The profile whose endpoint and region settings STS calls use.
    pub(crate) fn set_profile(&mut self, name: String) {
        self.apis.profile = Some(name);
    }

    async fn load(&self) -> provider::Result {
        let env = &self.apis.env;
        let Some(token_file) = env.get("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            return Err(CredentialsError::not_loaded("AWS_WEB_IDENTITY_TOKEN_FILE not set"));
        };
        let Some(arn) = env.get("AWS_ROLE_ARN") else {
            return Err(CredentialsError::invalid_configuration(
                "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: web identity needs the role to assume",
            ));
        };
        let role = Role {
            arn,
            session_name: env.get("AWS_ROLE_SESSION_NAME"),
            external_id: None,
            duration_seconds: None,
            profile: None,
        };
        let files = ProfileFiles::load(env).await.map_err(CredentialsError::invalid_configuration)?;
        let endpoint = sts::Endpoint::resolve(&self.apis, &files, &self.apis.profile_name())?;
        let token = read_token(Path::new(&token_file), "AWS_WEB_IDENTITY_TOKEN_FILE").await?;
        sts::assume_role_with_web_identity(&self.apis, &endpoint, &role, &token, "web_identity").await
    }
}

super::provide_with_load!(WebIdentityProvider);

/// The token in `path`, trimmed. The error names the path and the setting it came from, never
/// the token.
pub(crate) async fn read_token(path: &Path, setting: &str) -> Result<String, CredentialsError> {
    let bytes = crate::bounded::read_file(path, crate::bounded::MAX_TOKEN_FILE_BYTES).await.map_err(|e| {
        CredentialsError::invalid_configuration(format!(
            "cannot read the web identity token file `{}` ({setting}): {e}",
            path.display()
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CredentialsError::invalid_configuration(format!(
            "the web identity token file `{}` ({setting}) is not UTF-8",
            path.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(CredentialsError::invalid_configuration(format!(
            "the web identity token file `{}` ({setting}) is empty",
            path.display()
        )));
    }
    Ok(token.to_owned())
}

/// A profile's `web_identity_token_file` (a `~/` is expanded) and `role_arn`.
#[derive(Debug)]
pub(crate) struct ProfileWebIdentity {
    pub(crate) token_file: PathBuf,
    pub(crate) role: Role,
}

impl ProfileWebIdentity {
    pub(crate) async fn load(&self, apis: &Apis, endpoint: &sts::Endpoint) -> provider::Result {
        let token = read_token(&self.token_file, "the profile's web_identity_token_file").await?;
        sts::assume_role_with_web_identity(apis, endpoint, &self.role, &token, "web_identity").await
    }
}
