//! IAM Identity Center (SSO) profiles: the access token `aws sso login` left in
//! `~/.aws/sso/cache/`, refreshed through SSO OIDC `CreateToken` when it is about to expire (and
//! written back), exchanged for role credentials with the portal's `GetRoleCredentials`.
//!
//! The cache file is named as the AWS CLI names it: the SHA-1 (hex) of the `sso_session` name, or
//! of the start URL for a legacy profile (`sso_start_url` in the profile itself). Legacy tokens
//! cannot be refreshed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{self, error::CredentialsError};
use aws_credential_types::Credentials;
use bytes::Bytes;

use super::aws::{percent_encode, Apis, ServiceError};
use super::http::body_excerpt;
use crate::profile::ProfileFiles;
use crate::types::DateTime;

/// A token this close to expiry is refreshed first (as the SDKs do).
const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// What an SSO profile says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SsoProfile {
    /// The profile that names it (for `aws sso login --profile NAME`).
    pub(crate) profile: String,
    /// `sso_session`: the `[sso-session NAME]` section; none for a legacy profile.
    pub(crate) session: Option<String>,
    pub(crate) start_url: String,
    pub(crate) region: String,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
}

impl SsoProfile {
    fn login_hint(&self) -> String {
        format!("run `aws sso login --profile {}`", self.profile)
    }

    fn subject(&self) -> String {
        format!("account `{}` role `{}`", self.account_id, self.role_name)
    }

    /// `~/.aws/sso/cache/<sha1 of the session name or start URL>.json`.
    fn cache_file(&self, apis: &Apis) -> Result<PathBuf, CredentialsError> {
        let home = apis.env.home_dir().ok_or_else(|| {
            CredentialsError::invalid_configuration(format!(
                "profile `{}` uses SSO, whose token cache is under the home directory, but neither HOME nor \
                 USERPROFILE is set",
                self.profile
            ))
        })?;
        let key = self.session.as_deref().unwrap_or(&self.start_url);
        Ok(home.join(".aws").join("sso").join("cache").join(format!("{}.json", cache_key(key))))
    }

    pub(crate) async fn load(&self, apis: &Apis, files: &ProfileFiles) -> provider::Result {
        let path = self.cache_file(apis)?;
        let mut token = CachedToken::read(&path, self).await?;
        let now = SystemTime::now();
        if token.expires_at <= now + REFRESH_WINDOW {
            match self.refresh(apis, files, &path, &token).await {
                Ok(Some(fresh)) => token = fresh,
                Ok(None) => {}
                Err(e) if token.expires_at > now => {
                    tracing::warn!(
                        profile = %self.profile,
                        error = %super::error_detail(&e),
                        "could not refresh the SSO token; using the cached one while it is valid"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        if token.expires_at <= SystemTime::now() {
            return Err(CredentialsError::provider_error(format!(
                "the SSO token of profile `{}` (cached in `{}`) expired at {}: {}",
                self.profile,
                path.display(),
                DateTime::from(token.expires_at),
                self.login_hint()
            )));
        }
        self.role_credentials(apis, files, &token.access_token).await
    }

    /// A fresh token through SSO OIDC `CreateToken`, written back to the cache; `None` when the
    /// cached token has no refresh token or registration to refresh with (legacy profiles).
    async fn refresh(
        &self,
        apis: &Apis,
        files: &ProfileFiles,
        path: &Path,
        token: &CachedToken,
    ) -> Result<Option<CachedToken>, CredentialsError> {
        let (Some(_), Some(refresh_token), Some(client_id), Some(client_secret)) =
            (&self.session, token.str("refreshToken"), token.str("clientId"), token.str("clientSecret"))
        else {
            return Ok(None);
        };
        if let Some(expired) = token.str("registrationExpiresAt").and_then(super::parse_rfc3339) {
            if expired <= SystemTime::now() {
                return Ok(None);
            }
        }
        let url = apis.endpoint(files, &apis.profile_name(), "SSO_OIDC", &self.region, |r| {
            format!("https://oidc.{r}.amazonaws.com")
        })?;
        let body = serde_json::json!({
            "clientId": client_id,
            "clientSecret": client_secret,
            "grantType": "refresh_token",
            "refreshToken": refresh_token,
        })
        .to_string();
        let request = request(http::Method::POST, &format!("{url}/token"))?
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::CONTENT_LENGTH, body.len())
            .body(Bytes::from(body))
            .map_err(|e| CredentialsError::invalid_configuration(format!("invalid SSO OIDC request: {e}")))?;
        let what = || format!("SSO OIDC CreateToken at {url} for profile `{}`", self.profile);
        let response =
            apis.send(request).await.map_err(|e| CredentialsError::provider_error(format!("{}: {e}", what())))?;
        let json = self.check(response, "SSO OIDC", "CreateToken")?;
        let access_token = json.get("accessToken").and_then(serde_json::Value::as_str).filter(|t| !t.is_empty());
        let expires_in = json.get("expiresIn").and_then(serde_json::Value::as_u64);
        let (Some(access_token), Some(expires_in)) = (access_token, expires_in) else {
            return Err(CredentialsError::provider_error(format!(
                "{} returned no `accessToken` and `expiresIn`",
                what()
            )));
        };
        let expires_at = SystemTime::now() + Duration::from_secs(expires_in);
        let mut fresh = token.clone();
        fresh.access_token = access_token.to_owned();
        fresh.expires_at = expires_at;
        fresh.json["accessToken"] = access_token.into();
        fresh.json["expiresAt"] = DateTime::from(expires_at).to_string().into();
        if let Some(r) = json.get("refreshToken").and_then(serde_json::Value::as_str).filter(|t| !t.is_empty()) {
            fresh.json["refreshToken"] = r.into();
        }
        if let Err(e) = write_atomically(path, &fresh.json).await {
            // The new token works for this process either way.
            tracing::warn!(path = %path.display(), error = %e, "could not write the refreshed SSO token back");
        }
        tracing::info!(profile = %self.profile, "refreshed the SSO access token");
        Ok(Some(fresh))
    }

    async fn role_credentials(&self, apis: &Apis, files: &ProfileFiles, access_token: &str) -> provider::Result {
        let base = apis.endpoint(files, &apis.profile_name(), "SSO", &self.region, |r| {
            format!("https://portal.sso.{r}.amazonaws.com")
        })?;
        let mut url = format!("{base}/federation/credentials?account_id=");
        percent_encode(&self.account_id, &mut url);
        url.push_str("&role_name=");
        percent_encode(&self.role_name, &mut url);
        let token = http::HeaderValue::from_str(access_token).map_err(|_| {
            CredentialsError::provider_error(format!(
                "the cached SSO token of profile `{}` is not a valid header value: {}",
                self.profile,
                self.login_hint()
            ))
        })?;
        let request = request(http::Method::GET, &url)?
            .header("x-amz-sso_bearer_token", token)
            .body(Bytes::new())
            .map_err(|e| CredentialsError::invalid_configuration(format!("invalid SSO request: {e}")))?;
        let response = apis.send(request).await.map_err(|e| {
            CredentialsError::provider_error(format!(
                "SSO GetRoleCredentials at {base} for profile `{}`: {e}",
                self.profile
            ))
        })?;
        let json = self.check(response, "SSO", "GetRoleCredentials")?;
        parse_role_credentials(&json, &self.account_id).map_err(|problem| {
            CredentialsError::provider_error(self.error("SSO", "GetRoleCredentials", 200, None, Some(problem), None))
        })
    }

    /// The JSON of a successful response, or the typed error of a failed one.
    fn check(
        &self,
        response: http::Response<Bytes>,
        service: &'static str,
        operation: &'static str,
    ) -> Result<serde_json::Value, CredentialsError> {
        let status = response.status().as_u16();
        let request_id = response.headers().get("x-amzn-requestid").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let json: Option<serde_json::Value> = serde_json::from_slice(response.body()).ok();
        if response.status().is_success() {
            return json.filter(serde_json::Value::is_object).ok_or_else(|| {
                let problem = format!("unreadable response: {}", body_excerpt(response.body()));
                CredentialsError::provider_error(self.error(
                    service,
                    operation,
                    status,
                    None,
                    Some(problem),
                    request_id,
                ))
            });
        }
        let text = |k: &str| json.as_ref()?.get(k)?.as_str().map(str::to_owned);
        let code = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_owned())
            .or_else(|| text("__type").map(|t| t.rsplit('#').next().unwrap_or(&t).to_owned()))
            .or_else(|| text("error"));
        let mut message = text("message").or_else(|| text("Message")).or_else(|| text("error_description"));
        if message.is_none() && json.is_none() {
            message = Some(format!("unreadable error response: {}", body_excerpt(response.body())));
        }
        if status == 401 || status == 403 || code.as_deref() == Some("InvalidGrantException") {
            let hint = self.login_hint();
            message = Some(match message {
                Some(m) => format!("{m}; {hint}"),
                None => hint,
            });
        }
        Err(CredentialsError::provider_error(self.error(service, operation, status, code, message, request_id)))
    }

    fn error(
        &self,
        service: &'static str,
        operation: &'static str,
        status: u16,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
    ) -> ServiceError {
        ServiceError {
            service,
            operation,
            profile: Some(self.profile.clone()),
            subject: self.subject(),
            status,
            code,
            message,
            request_id,
        }
    }
}

fn request(method: http::Method, url: &str) -> Result<http::request::Builder, CredentialsError> {
    let uri: http::Uri =
        url.parse().map_err(|e| CredentialsError::invalid_configuration(format!("invalid SSO URL `{url}`: {e}")))?;
    let host = uri.authority().map(|a| a.to_string()).unwrap_or_default();
    Ok(http::Request::builder()
        .method(method)
        .uri(uri)
        .header(http::header::HOST, host)
        .header(http::header::USER_AGENT, concat!("awsjson-runtime/", env!("CARGO_PKG_VERSION"), " credentials")))
}

/// `{"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken", "expiration": <ms>}}`.
/// The credentials are the role's in `account_id`, the profile's `sso_account_id`.
fn parse_role_credentials(json: &serde_json::Value, account_id: &str) -> Result<Credentials, String> {
    let creds = json.get("roleCredentials").ok_or("no `roleCredentials` in the response")?;
    let text =
        |k: &str| creds.get(k).and_then(serde_json::Value::as_str).filter(|v| !v.is_empty()).ok_or(format!("no `{k}`"));
    let expiration = creds.get("expiration").and_then(serde_json::Value::as_i64).ok_or("no `expiration`")?;
    let expiry: SystemTime = DateTime::from_millis(expiration)
        .try_into()
        .map_err(|_| format!("`expiration` {expiration} is out of range"))?;
    let keys = super::Keys {
        id: text("accessKeyId")?.into(),
        secret: text("secretAccessKey")?.into(),
        token: Some(text("sessionToken")?.into()),
        expiry: Some(expiry),
    };
    Ok(super::credentials(keys, Some(account_id.to_owned()), "sso"))
}

/// The hex SHA-1 of `key`: the cache file's name. SHA-1 is not used for security here, only to
/// find the file the AWS CLI wrote.
pub(crate) fn cache_key(key: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A cached token file: the whole JSON (written back as it was, apart from what a refresh
/// changes), and the two fields every use needs.
#[derive(Clone)]
struct CachedToken {
    json: serde_json::Value,
    access_token: String,
    expires_at: SystemTime,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken").field("expires_at", &DateTime::from(self.expires_at)).finish_non_exhaustive()
    }
}

impl CachedToken {
    async fn read(path: &Path, sso: &SsoProfile) -> Result<CachedToken, CredentialsError> {
        let bytes = match crate::bounded::read_file(path, crate::bounded::MAX_TOKEN_FILE_BYTES).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CredentialsError::provider_error(format!(
                    "profile `{}` uses SSO but there is no cached token at `{}`: {}",
                    sso.profile,
                    path.display(),
                    sso.login_hint()
                )))
            }
            Err(e) => {
                return Err(CredentialsError::provider_error(format!(
                    "cannot read the SSO token cache `{}`: {e}",
                    path.display()
                )))
            }
        };
        let bad = |why: &str| {
            CredentialsError::provider_error(format!(
                "the SSO token cache `{}` of profile `{}` is unusable ({why}): {}",
                path.display(),
                sso.profile,
                sso.login_hint()
            ))
        };
        let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad("not JSON"))?;
        let access_token = json
            .get("accessToken")
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad("no `accessToken`"))?;
        let expires_at = json
            .get("expiresAt")
            .and_then(serde_json::Value::as_str)
            .and_then(super::parse_rfc3339)
            .ok_or_else(|| bad("no valid `expiresAt`"))?;
        Ok(CachedToken { access_token: access_token.to_owned(), expires_at, json })
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(serde_json::Value::as_str).filter(|v| !v.is_empty())
    }
}

/// Writes `json` to a temporary file beside `path` and renames it over `path`, so that a reader
/// (the AWS CLI, another process) never sees half a file.
async fn write_atomically(path: &Path, json: &serde_json::Value) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(json).map_err(std::io::Error::other)?;
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let dir = path.parent().unwrap_or(Path::new("."));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("token.json");
        let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), crate::ids::random_u64()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let result = (|| {
            let mut file = options.open(&tmp)?;
            file.write_all(&text)?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    })
    .await
    .map_err(std::io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_file_names_match_the_cli() {
        // The hex SHA-1 of the key (FIPS 180 test vectors).
        assert_eq!(cache_key("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(cache_key(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }

    #[test]
    fn role_credentials_json() {
        let json = serde_json::json!({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T", "expiration": 4_102_444_800_000i64}});
        let c = parse_role_credentials(&json, "111122223333").unwrap();
        assert_eq!((c.access_key_id(), c.session_token()), ("A", Some("T")));
        assert_eq!(c.account_id().map(|a| a.as_str()), Some("111122223333"));
        assert_eq!(c.expiry().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(), 4_102_444_800);
        assert!(parse_role_credentials(&serde_json::json!({}), "1").unwrap_err().contains("roleCredentials"));
        let no_token =
            serde_json::json!({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "expiration": 1}});
        assert_eq!(parse_role_credentials(&no_token, "1").unwrap_err(), "no `sessionToken`");
    }
}
