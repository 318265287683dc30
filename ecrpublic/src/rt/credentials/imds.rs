//! EC2 instance metadata (IMDSv2 only): the credentials of the instance's IAM role.

use std::time::Duration;

use aws_credential_types::provider::{self, error::CredentialsError};
use bytes::Bytes;

use super::credentials_from_json;
use super::http::{body_excerpt, HttpClient, HttpError};
use crate::rt::env::Env;

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
#[derive(Debug)]
pub struct ImdsProvider {
    env: Env,
    http: HttpClient,
}

impl ImdsProvider {
    pub fn new(env: Env) -> Self {
        ImdsProvider { env, http: HttpClient::new(Duration::from_secs(1), Duration::from_secs(1)) }
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

    async fn load(&self) -> provider::Result {
        if self.env.get_bool("AWS_EC2_METADATA_DISABLED") {
            return Err(CredentialsError::not_loaded("disabled by AWS_EC2_METADATA_DISABLED"));
        }
        let endpoint = self.endpoint();

        let token_request = http::Request::put(format!("{endpoint}{TOKEN_PATH}"))
            .header(TOKEN_TTL_HEADER, "21600")
            .body(Bytes::new())
            .map_err(|e| invalid_endpoint(&endpoint, e))?;
        let response = match self.http.send(token_request).await {
            Ok(r) => r,
            // Nothing listening: not on EC2 (or no route to IMDS), so nothing to load.
            Err(HttpError::Unreachable(e)) => {
                return Err(CredentialsError::not_loaded(format!("no response from {endpoint}: {e}")))
            }
            Err(e) => {
                return Err(CredentialsError::provider_error(format!("IMDSv2 token request to {endpoint} failed: {e}")))
            }
        };
        let token = match response.status().as_u16() {
            200..=299 => String::from_utf8_lossy(response.body()).trim().to_owned(),
            // IMDS turned off for this instance, or an endpoint that is not IMDS.
            status @ 403..=405 => {
                return Err(CredentialsError::not_loaded(format!("token request to {endpoint} returned HTTP {status}")))
            }
            status => return Err(http_error(&endpoint, "token request", status, response.body())),
        };

        let role_response = self.get(&endpoint, ROLE_PATH, &token).await?;
        let role = match role_response.status().as_u16() {
            200..=299 => String::from_utf8_lossy(role_response.body()).lines().next().unwrap_or("").trim().to_owned(),
            404 => String::new(),
            status => return Err(http_error(&endpoint, "role name request", status, role_response.body())),
        };
        if role.is_empty() {
            return Err(CredentialsError::not_loaded(format!("no IAM role attached to the instance ({endpoint})")));
        }

        let creds_response = self.get(&endpoint, &format!("{ROLE_PATH}{role}"), &token).await?;
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

    async fn get(&self, endpoint: &str, path: &str, token: &str) -> Result<http::Response<Bytes>, CredentialsError> {
        let request = http::Request::get(format!("{endpoint}{path}"))
            .header(TOKEN_HEADER, token)
            .body(Bytes::new())
            .map_err(|e| invalid_endpoint(endpoint, e))?;
        self.http
            .send(request)
            .await
            .map_err(|e| CredentialsError::provider_error(format!("IMDSv2 request {endpoint}{path} failed: {e}")))
    }
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
}
