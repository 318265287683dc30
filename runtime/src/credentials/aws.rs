//! What the providers that call AWS services (STS, SSO, SSO OIDC) share: the environment, the
//! region the client was configured with, and an HTTP transport made from the client's HTTP
//! settings (proxy, CA bundle, connect timeout, stalled-stream protection), set up once on first
//! use. Also the typed error those calls end in.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;

use crate::env::Env;
use crate::profile::ProfileFiles;
use crate::transport::{HttpRequest, HttpResponse, HttpSettings, HyperTransport, Transport};

/// Calls to STS and SSO get a read timeout of their own: the credentials cache bounds a whole
/// load anyway (5 s by default), this only makes a silent server fail with a clear message.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub(crate) struct Apis {
    pub(crate) env: Env,
    /// The region the configuration resolved (the loader's chain, IMDS included). When unset,
    /// each call reads `AWS_REGION`, `AWS_DEFAULT_REGION` and the profile's `region`.
    pub(crate) region: Option<String>,
    /// The profile chosen in code; else `AWS_PROFILE`, else `default`.
    pub(crate) profile: Option<String>,
    http: HttpSettings,
    transport: Arc<OnceLock<Result<Arc<dyn Transport>, String>>>,
}

impl fmt::Debug for Apis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Apis")
            .field("env", &self.env)
            .field("region", &self.region)
            .field("profile", &self.profile)
            .finish()
    }
}

impl Apis {
    pub(crate) fn new(env: Env) -> Self {
        Apis { env, region: None, profile: None, http: HttpSettings::default(), transport: Arc::default() }
    }

    /// The selected profile's name.
    pub(crate) fn profile_name(&self) -> String {
        ProfileFiles::selected_name(&self.env, self.profile.as_deref())
    }

    pub(crate) fn with_region(mut self, region: Option<String>) -> Self {
        self.region = region;
        self
    }

    pub(crate) fn with_http(mut self, http: HttpSettings) -> Self {
        self.http = http;
        self.transport = Arc::default();
        self
    }

    /// The region for calls made on behalf of `profile`.
    pub(crate) fn region(&self, files: &ProfileFiles, profile: &str) -> Option<String> {
        self.region.clone().or_else(|| crate::region::from_env_and_profile(&self.env, files, profile).map(|r| r.0))
    }

    /// The endpoint of a service: configured (`AWS_ENDPOINT_URL_<SUFFIX>`, `AWS_ENDPOINT_URL`,
    /// the profile's `services` section and `endpoint_url`), else `default` of the region, which
    /// is checked to be a valid host label first.
    pub(crate) fn endpoint(
        &self,
        files: &ProfileFiles,
        profile: &str,
        env_suffix: &str,
        region: &str,
        default: impl FnOnce(&str) -> String,
    ) -> Result<String, CredentialsError> {
        if let Some(url) = files.configured_endpoint(&self.env, profile, env_suffix) {
            return Ok(url.trim_end_matches('/').to_owned());
        }
        crate::region::check(region).map_err(CredentialsError::invalid_configuration)?;
        Ok(default(region))
    }

    pub(crate) async fn send(&self, request: HttpRequest) -> Result<HttpResponse, String> {
        let transport = self
            .transport
            .get_or_init(|| {
                let mut http = self.http.clone();
                http.read_timeout = Some(http.read_timeout.map_or(READ_TIMEOUT, |t| t.min(READ_TIMEOUT)));
                HyperTransport::new(&http).map(|t| Arc::new(t) as Arc<dyn Transport>).map_err(|e| e.to_string())
            })
            .clone()?;
        transport.send(request).await.map_err(|e| e.to_string())
    }
}

/// An AWS service that credentials come from (STS, SSO, SSO OIDC) answered with an error, or with
/// something that cannot be read. It names the profile and the role (or SSO account and role)
/// the call was for, and the service's own code and message. It is the source of the
/// `CredentialsError` a provider returns: `std::error::Error::source(&err)` and
/// `downcast_ref::<ServiceError>()` get it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub(crate) service: &'static str,
    pub(crate) operation: &'static str,
    pub(crate) profile: Option<String>,
    pub(crate) subject: String,
    pub(crate) status: u16,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl ServiceError {
    /// `STS`, `SSO` or `SSO OIDC`.
    pub fn service(&self) -> &str {
        self.service
    }

    /// `AssumeRole`, `AssumeRoleWithWebIdentity`, `GetRoleCredentials` or `CreateToken`.
    pub fn operation(&self) -> &str {
        self.operation
    }

    /// The profile the call was made for; none for the environment's web identity.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// What the call was for: the role ARN, or the SSO account and role.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The HTTP status of the service's answer, e.g. 403.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The service's error code (`AccessDenied`, `ExpiredTokenException`, ...); none when the
    /// response could not be read.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The service's error message, if it sent one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id of the service's answer, which AWS support asks for.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} for {}", self.service, self.operation, self.subject)?;
        if let Some(p) = &self.profile {
            write!(f, " (profile `{p}`)")?;
        }
        write!(f, " failed with HTTP {}", self.status)?;
        match (&self.code, &self.message) {
            (Some(c), Some(m)) => write!(f, ": {c}: {m}")?,
            (Some(c), None) => write!(f, ": {c}")?,
            (None, Some(m)) => write!(f, ": {m}")?,
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id: {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// `application/x-www-form-urlencoded` of `pairs`, every byte but the unreserved ones escaped.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode(k, &mut out);
        out.push('=');
        percent_encode(v, &mut out);
    }
    out
}

pub(crate) fn percent_encode(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding() {
        assert_eq!(
            form(&[("A", "b c"), ("Role", "arn:aws:iam::1:role/x+y")]),
            "A=b%20c&Role=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx%2By"
        );
    }

    #[test]
    fn display_names_everything() {
        let e = ServiceError {
            service: "STS",
            operation: "AssumeRole",
            profile: Some("dev".into()),
            subject: "role `arn:aws:iam::1:role/r`".into(),
            status: 403,
            code: Some("AccessDenied".into()),
            message: Some("not allowed".into()),
            request_id: Some("rid".into()),
        };
        assert_eq!(
            e.to_string(),
            "STS AssumeRole for role `arn:aws:iam::1:role/r` (profile `dev`) failed with HTTP 403: AccessDenied: \
             not allowed (request id: rid)"
        );
    }
}
