//! EC2 instance metadata (IMDSv2 only): the credentials of the instance's IAM role.

use std::fmt;
use std::time::{Duration, Instant};

use aws_credential_types::provider::{self, error::CredentialsError};
use bytes::Bytes;

use super::credentials_from_json;
use super::http::{body_excerpt, HttpClient, HttpError};
use crate::env::Env;

const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
const DEFAULT_ENDPOINT_IPV6: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";

/// A session token (`PUT /latest/api/token`), then the role name and its credentials from
/// `/latest/meta-data/iam/security-credentials/`. Endpoint from `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// (or `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`); off with `AWS_EC2_METADATA_DISABLED=true`.
/// Timeouts are short (1 s to connect, 1 s to answer) so that off EC2 the chain gives up quickly.
///
/// As aws-config's client does, the session token is kept until shortly before its 6-hour TTL
/// ends (and fetched again when IMDS rejects it with 401), and a request that fails with 5xx, 401
/// or a broken connection is retried, up to 4 attempts in all.
#[derive(Debug)]
pub struct ImdsProvider {
    env: Env,
    http: HttpClient,
    token: tokio::sync::Mutex<Option<Token>>,
}

struct Token {
    value: String,
    /// When to fetch a new one: a minute before the TTL ends.
    renew_at: Instant,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(..)")
    }
}

/// The TTL asked for the session token (the most IMDS allows).
const TOKEN_TTL: Duration = Duration::from_secs(21_600);
const MAX_ATTEMPTS: u32 = 4;

impl ImdsProvider {
    /// A provider reading its endpoint settings and `AWS_EC2_METADATA_DISABLED` from `env`; it
    /// sends nothing until asked for credentials.
    pub fn new(env: Env) -> Self {
        ImdsProvider {
            env,
            http: HttpClient::new(Duration::from_secs(1), Duration::from_secs(1)),
            token: tokio::sync::Mutex::new(None),
        }
    }

    fn endpoint(&self) -> String {
        let endpoint = self.env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT").unwrap_or_else(|| {
            match self.env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
                Some(mode) if mode.eq_ignore_ascii_case("ipv6") => DEFAULT_ENDPOINT_IPV6.to_owned(),
                _ => DEFAULT_ENDPOINT.to_owned(),
            }
        });
        endpoint.trim_end_matches('/').to_owned()
    }

    /// The instance's region (`/latest/meta-data/placement/region`); `None` off EC2, with IMDS
    /// disabled, or on any failure (logged at `debug`).
    pub async fn region(&self) -> Option<String> {
        if self.env.get_bool("AWS_EC2_METADATA_DISABLED") {
            return None;
        }
        let endpoint = self.endpoint();
        let response = match self.get(&endpoint, "/latest/meta-data/placement/region").await {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(error = %super::error_detail(&e), "no region from IMDS");
                return None;
            }
        };
        let region = String::from_utf8_lossy(response.body()).trim().to_owned();
        match (response.status().is_success(), crate::region::check(&region)) {
            (true, Ok(())) => Some(region),
            (true, Err(e)) => {
                tracing::warn!("IMDS gave an unusable region: {e}");
                None
            }
            (false, _) => {
                tracing::debug!(status = response.status().as_u16(), "no region from IMDS");
                None
            }
        }
    }

    async fn load(&self) -> provider::Result {
        if self.env.get_bool("AWS_EC2_METADATA_DISABLED") {
            return Err(CredentialsError::not_loaded("disabled by AWS_EC2_METADATA_DISABLED"));
        }
        let endpoint = self.endpoint();
        let role_response = self.get(&endpoint, ROLE_PATH).await?;
        let role = match role_response.status().as_u16() {
            200..=299 => String::from_utf8_lossy(role_response.body()).lines().next().unwrap_or("").trim().to_owned(),
            404 => String::new(),
            status => return Err(http_error(&endpoint, "role name request", status, role_response.body())),
        };
        if role.is_empty() {
            return Err(CredentialsError::not_loaded(format!("no IAM role attached to the instance ({endpoint})")));
        }

        let creds_response = self.get(&endpoint, &format!("{ROLE_PATH}{role}")).await?;
        let status = creds_response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(http_error(
                &endpoint,
                &format!("credentials request for role `{role}`"),
                status,
                creds_response.body(),
            ));
        }
        let what = format!("IMDSv2 at {endpoint} (role `{role}`)");
        let json: serde_json::Value = serde_json::from_slice(creds_response.body())
            .map_err(|e| CredentialsError::provider_error(format!("{what} returned invalid JSON: {e}")))?;
        if let Some(code) = json.get("Code").and_then(serde_json::Value::as_str).filter(|c| *c != "Success") {
            let message = json.get("Message").and_then(serde_json::Value::as_str).unwrap_or("");
            return Err(CredentialsError::provider_error(format!("{what} returned Code `{code}`: {message}")));
        }
        credentials_from_json(&json, "Token", "imds")
            .map_err(|e| CredentialsError::provider_error(format!("{what} returned unusable credentials: {e}")))
    }

    /// The session token: the one kept, or a new one.
    async fn token(&self, endpoint: &str) -> Result<String, CredentialsError> {
        let mut kept = self.token.lock().await;
        if let Some(token) = kept.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.value.clone());
        }
        let mut attempt = 1;
        let response = loop {
            let request = http::Request::put(format!("{endpoint}{TOKEN_PATH}"))
                .header(TOKEN_TTL_HEADER, TOKEN_TTL.as_secs().to_string())
                .body(Bytes::new())
                .map_err(|e| invalid_endpoint(endpoint, e))?;
            match self.http.send(request).await {
                Ok(r) if r.status().is_server_error() && attempt < MAX_ATTEMPTS => {}
                Ok(r) => break r,
                // Nothing listening: not on EC2 (or no route to IMDS), so nothing to load.
                Err(HttpError::Unreachable(e)) => {
                    return Err(CredentialsError::not_loaded(format!("no response from {endpoint}: {e}")))
                }
                Err(e) if attempt < MAX_ATTEMPTS => tracing::debug!(error = %e, "IMDS token request failed; retrying"),
                Err(e) => {
                    return Err(CredentialsError::provider_error(format!(
                        "IMDSv2 token request to {endpoint} failed: {e}"
                    )))
                }
            }
            backoff(attempt).await;
            attempt += 1;
        };
        match response.status().as_u16() {
            200..=299 => {}
            // IMDS turned off for this instance, or an endpoint that is not IMDS.
            status @ 403..=405 => {
                return Err(CredentialsError::not_loaded(format!("token request to {endpoint} returned HTTP {status}")))
            }
            status => return Err(http_error(endpoint, "token request", status, response.body())),
        }
        let value = String::from_utf8_lossy(response.body()).trim().to_owned();
        let ttl = response
            .headers()
            .get(TOKEN_TTL_HEADER)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .map_or(TOKEN_TTL, Duration::from_secs);
        let renew_at = Instant::now() + ttl.saturating_sub(Duration::from_secs(60));
        *kept = Some(Token { value: value.clone(), renew_at });
        Ok(value)
    }

    /// `GET endpoint+path` with the session token, retried on 5xx, 401 (with a new token) and
    /// broken connections.
    async fn get(&self, endpoint: &str, path: &str) -> Result<http::Response<Bytes>, CredentialsError> {
        let mut attempt = 1;
        loop {
            let token = self.token(endpoint).await?;
            let request = http::Request::get(format!("{endpoint}{path}"))
                .header(TOKEN_HEADER, token)
                .body(Bytes::new())
                .map_err(|e| invalid_endpoint(endpoint, e))?;
            match self.http.send(request).await {
                Ok(r) if r.status() == http::StatusCode::UNAUTHORIZED && attempt < MAX_ATTEMPTS => {
                    // The token expired or IMDS restarted: fetch a new one.
                    *self.token.lock().await = None;
                }
                Ok(r) if r.status().is_server_error() && attempt < MAX_ATTEMPTS => {}
                Ok(r) => return Ok(r),
                Err(e) if attempt < MAX_ATTEMPTS => tracing::debug!(error = %e, "IMDS request failed; retrying"),
                Err(e) => {
                    return Err(CredentialsError::provider_error(format!(
                        "IMDSv2 request {endpoint}{path} failed: {e}"
                    )))
                }
            }
            backoff(attempt).await;
            attempt += 1;
        }
    }
}

/// 100 ms, 200 ms, 400 ms, with full jitter.
async fn backoff(attempt: u32) {
    let cap = Duration::from_millis(100) * 2u32.pow(attempt.saturating_sub(1).min(4));
    tokio::time::sleep(cap.mul_f64(crate::retry::unit_random())).await;
}

fn invalid_endpoint(endpoint: &str, e: http::Error) -> CredentialsError {
    CredentialsError::invalid_configuration(format!("invalid IMDS endpoint `{endpoint}`: {e}"))
}

fn http_error(endpoint: &str, what: &str, status: u16, body: &[u8]) -> CredentialsError {
    CredentialsError::provider_error(format!(
        "IMDSv2 {what} to {endpoint} returned HTTP {status}: {}",
        body_excerpt(body)
    ))
}

super::provide_with_load!(ImdsProvider);

#[cfg(test)]
mod tests {
    use super::super::error_detail;
    use super::super::test_server::{Recorded, TestServer};
    use super::*;
    use aws_credential_types::provider::ProvideCredentials as _;

    const CREDS: &str = r#"{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "IMDSKEY", "SecretAccessKey": "IMDSSECRET", "Token": "IMDSTOKEN", "Expiration": "2100-01-01T00:00:00Z"}"#;

    /// An IMDS that insists on the session token, as a real one does with IMDSv2 required.
    fn imds(req: &Recorded) -> (u16, String) {
        let token_ok = req.headers.get(TOKEN_HEADER).is_some_and(|v| v == "session-token");
        match (req.method.as_str(), req.path.as_str()) {
            ("PUT", TOKEN_PATH) if req.headers.get(TOKEN_TTL_HEADER).is_some_and(|v| v == "21600") => {
                (200, "session-token".to_owned())
            }
            (_, _) if !token_ok => (401, String::new()),
            ("GET", ROLE_PATH) => (200, "my-role\n".to_owned()),
            ("GET", "/latest/meta-data/iam/security-credentials/my-role") => (200, CREDS.to_owned()),
            _ => (404, String::new()),
        }
    }

    #[tokio::test]
    async fn token_then_role_then_credentials() {
        let server = TestServer::start(imds).await;
        let endpoint = format!("{}/", server.url());
        let p = ImdsProvider::new(Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)]));
        let creds = p.provide_credentials().await.unwrap();
        assert_eq!(
            (creds.access_key_id(), creds.secret_access_key(), creds.session_token()),
            ("IMDSKEY", "IMDSSECRET", Some("IMDSTOKEN"))
        );
        assert!(creds.expiry().is_some());

        let requests = server.requests();
        let calls: Vec<(&str, &str)> = requests.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
        assert_eq!(
            calls,
            [("PUT", TOKEN_PATH), ("GET", ROLE_PATH), ("GET", "/latest/meta-data/iam/security-credentials/my-role")]
        );
        assert!(requests[1..].iter().all(|r| r.headers.get(TOKEN_HEADER).unwrap() == "session-token"));
    }

    #[tokio::test]
    async fn disabled_makes_no_request() {
        let server = TestServer::start(imds).await;
        let p = ImdsProvider::new(Env::from_vars([
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()),
            ("AWS_EC2_METADATA_DISABLED", "TRUE".to_owned()),
        ]));
        let err = p.provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)));
        assert_eq!(error_detail(&err), "disabled by AWS_EC2_METADATA_DISABLED");
        assert!(server.requests().is_empty());
    }

    #[tokio::test]
    async fn no_role_and_unreachable_are_not_loaded() {
        let server = TestServer::start(|r| match r.method.as_str() {
            "PUT" => (200, "t".to_owned()),
            _ => (404, String::new()),
        })
        .await;
        let p = ImdsProvider::new(Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())]));
        let err = p.provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)), "{err:?}");
        assert!(error_detail(&err).contains("no IAM role"));

        // A port nothing listens on: bind, note the port, close.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let endpoint = format!("http://{closed}");
        let p = ImdsProvider::new(Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint.clone())]));
        let err = p.provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)), "{err:?}");
        assert!(error_detail(&err).contains(&endpoint), "{}", error_detail(&err));
    }

    #[tokio::test]
    async fn failures_after_the_token_are_errors() {
        let server = TestServer::start(|r| match (r.method.as_str(), r.path.as_str()) {
            ("PUT", _) => (200, "t".to_owned()),
            ("GET", ROLE_PATH) => (200, "r".to_owned()),
            _ => (200, r#"{"Code": "AssumeRoleUnauthorizedAccess", "Message": "denied"}"#.to_owned()),
        })
        .await;
        let p = ImdsProvider::new(Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())]));
        let err = p.provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::ProviderError(_)), "{err:?}");
        let detail = error_detail(&err);
        assert!(detail.contains(&server.url()) && detail.contains("AssumeRoleUnauthorizedAccess"), "{detail}");
    }

    #[tokio::test]
    async fn the_session_token_is_kept_until_its_ttl() {
        let server = TestServer::start(imds).await;
        let p = ImdsProvider::new(Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())]));
        p.provide_credentials().await.unwrap();
        p.provide_credentials().await.unwrap();
        assert_eq!(p.region().await, None, "the test IMDS has no region");
        let puts = server.requests().iter().filter(|r| r.method == http::Method::PUT).count();
        assert_eq!(puts, 1, "{:?}", server.requests());
    }

    #[tokio::test]
    async fn a_rejected_token_is_replaced_and_5xx_is_retried() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let tokens = AtomicUsize::new(0);
        let failures = AtomicUsize::new(0);
        let server = TestServer::start(move |r| match (r.method.as_str(), r.path.as_str()) {
            ("PUT", TOKEN_PATH) => (200, format!("tok-{}", tokens.fetch_add(1, Ordering::SeqCst) + 1)),
            // Only the second token is accepted (IMDS restarted, say).
            _ if r.headers.get(TOKEN_HEADER).map_or(true, |t| t != "tok-2") => (401, String::new()),
            ("GET", ROLE_PATH) if failures.fetch_add(1, Ordering::SeqCst) == 0 => (503, "busy".to_owned()),
            ("GET", ROLE_PATH) => (200, "my-role".to_owned()),
            _ => (200, CREDS.to_owned()),
        })
        .await;
        let p = ImdsProvider::new(Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())]));
        assert_eq!(p.provide_credentials().await.unwrap().access_key_id(), "IMDSKEY");
        let calls: Vec<String> = server
            .requests()
            .iter()
            .map(|r| {
                let token = r.headers.get(TOKEN_HEADER).map_or("", |t| t.to_str().unwrap());
                format!("{} {} {token}", r.method, r.path)
            })
            .collect();
        assert_eq!(
            calls,
            [
                "PUT /latest/api/token ",
                "GET /latest/meta-data/iam/security-credentials/ tok-1", // 401: a new token
                "PUT /latest/api/token ",
                "GET /latest/meta-data/iam/security-credentials/ tok-2", // 503: retried
                "GET /latest/meta-data/iam/security-credentials/ tok-2",
                "GET /latest/meta-data/iam/security-credentials/my-role tok-2",
            ]
        );
    }

    #[tokio::test]
    async fn the_region_comes_from_placement() {
        let server = TestServer::start(|r| match (r.method.as_str(), r.path.as_str()) {
            ("PUT", _) => (200, "t".to_owned()),
            ("GET", "/latest/meta-data/placement/region") => (200, "ap-southeast-2\n".to_owned()),
            _ => (404, String::new()),
        })
        .await;
        let p = ImdsProvider::new(Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())]));
        assert_eq!(p.region().await.as_deref(), Some("ap-southeast-2"));
        let bad = TestServer::start(|r| match r.method.as_str() {
            "PUT" => (200, "t".to_owned()),
            _ => (200, "evil.example.com/".to_owned()),
        })
        .await;
        let p = ImdsProvider::new(Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", bad.url())]));
        assert_eq!(p.region().await, None, "a region that is not a host label is refused");
    }
}
