//! The ECS (and EKS Pod Identity) container credentials endpoint.

use std::net::IpAddr;
use std::time::Duration;

use aws_credential_types::provider::{self, error::CredentialsError};
use bytes::Bytes;

use super::credentials_from_json;
use super::http::{body_excerpt, HttpClient};
use crate::env::Env;

const RELATIVE_BASE: &str = "http://169.254.170.2";
/// Link-local container endpoints that may be reached over plain HTTP: ECS, and EKS Pod Identity
/// (IPv4 and IPv6).
const CONTAINER_HOSTS: [IpAddr; 3] = [
    IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 170, 2)),
    IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 170, 23)),
    IpAddr::V6(std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)),
];

/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (against `http://169.254.170.2`) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with an `Authorization` header from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read at every load: it is rotated in place) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
///
/// A full URI is `https://` to any host, or `http://` to a host whose every resolved address is
/// a loopback address or one of the ECS/EKS link-local hosts (169.254.170.2, 169.254.170.23,
/// fd00:ec2::23), as aws-config requires: the check is on the addresses, so a DNS name that
/// points elsewhere is refused.
#[derive(Debug)]
pub struct EcsProvider {
    env: Env,
    http: HttpClient,
}

impl EcsProvider {
    /// A provider reading the container variables from `env`, with a 2 s connect and 5 s
    /// answer timeout.
    pub fn new(env: Env) -> Self {
        EcsProvider { env, http: HttpClient::new(Duration::from_secs(2), Duration::from_secs(5)) }
    }

    /// The endpoint, None when neither variable is set, and the `Host` header to send when the
    /// endpoint's name was replaced by the address it was checked at.
    async fn endpoint(&self) -> Result<Option<(http::Uri, Option<String>)>, CredentialsError> {
        if let Some(relative) = self.env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            let slash = if relative.starts_with('/') { "" } else { "/" };
            let uri = format!("{RELATIVE_BASE}{slash}{relative}");
            return uri.parse().map(|u| Some((u, None))).map_err(|e| {
                CredentialsError::invalid_configuration(format!(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI gives an invalid URI `{uri}`: {e}"
                ))
            });
        }
        let Some(full) = self.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") else { return Ok(None) };
        let uri: http::Uri = full.parse().map_err(|e| {
            CredentialsError::invalid_configuration(format!(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI `{full}` is invalid: {e}"
            ))
        })?;
        let refused = |why: String| {
            CredentialsError::invalid_configuration(format!(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI `{full}` {why}: it must be https://, or http:// to a \
                 loopback address or a container host (169.254.170.2, 169.254.170.23, fd00:ec2::23)"
            ))
        };
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") => {
                let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(|| refused("has no host".into()))?;
                let host = host.trim_start_matches('[').trim_end_matches(']');
                let port = uri.port_u16().unwrap_or(80);
                let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
                    Ok(ip) => vec![ip],
                    Err(_) => tokio::net::lookup_host((host, port))
                        .await
                        .map_err(|e| refused(format!("cannot be resolved ({e})")))?
                        .map(|a| a.ip())
                        .collect(),
                };
                if let Some(bad) = addresses.iter().find(|ip| !allowed_address(ip)) {
                    return Err(refused(format!("resolves to {bad}")));
                }
                // IPv4 first: a name such as `localhost` often has both, and servers on
                // 127.0.0.1 alone are common.
                let Some(pinned) = addresses.iter().find(|ip| ip.is_ipv4()).or(addresses.first()).copied() else {
                    return Err(refused("resolves to no address".into()));
                };
                if host.parse::<IpAddr>().is_err() {
                    // Connect to the address just checked, not to whatever a second lookup of the
                    // name gives (DNS rebinding); the name goes in the Host header.
                    let authority = uri.authority().map(|a| a.as_str().to_owned());
                    let ip = match pinned {
                        IpAddr::V4(v4) => v4.to_string(),
                        IpAddr::V6(v6) => format!("[{v6}]"),
                    };
                    let path = uri.path_and_query().map_or("/", |p| p.as_str());
                    let pinned: http::Uri = format!("http://{ip}:{port}{path}")
                        .parse()
                        .map_err(|e| refused(format!("cannot be pinned to {ip} ({e})")))?;
                    return Ok(Some((pinned, authority)));
                }
            }
            _ => return Err(refused("is not http(s)".into())),
        }
        Ok(Some((uri, None)))
    }

    async fn authorization(&self) -> Result<Option<String>, CredentialsError> {
        // The file wins: it is what EKS Pod Identity mounts, and it is rotated in place.
        if let Some(path) = self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            let read = crate::bounded::read_file(path.as_ref(), crate::bounded::MAX_TOKEN_FILE_BYTES).await;
            let token = read.map_err(|e| {
                CredentialsError::invalid_configuration(format!(
                    "could not read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE `{path}`: {e}"
                ))
            })?;
            let token = String::from_utf8(token).map_err(|_| {
                CredentialsError::invalid_configuration(format!(
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE `{path}` is not UTF-8"
                ))
            })?;
            return Ok(Some(token.trim().to_owned()));
        }
        Ok(self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
    }

    async fn load(&self) -> provider::Result {
        let Some((uri, host)) = self.endpoint().await? else {
            return Err(CredentialsError::not_loaded("AWS_CONTAINER_CREDENTIALS_* not set"));
        };
        let mut request = http::Request::get(uri.clone()).header(http::header::ACCEPT, "application/json");
        if let Some(host) = &host {
            request = request.header(http::header::HOST, host.as_str());
        }
        if let Some(token) = self.authorization().await? {
            let value = http::HeaderValue::from_str(&token).map_err(|_| {
                CredentialsError::invalid_configuration("the container authorization token is not a valid header value")
            })?;
            request = request.header(http::header::AUTHORIZATION, value);
        }
        let request = request.body(Bytes::new()).map_err(CredentialsError::unhandled)?;
        let what = match &host {
            Some(host) => format!("ECS container credentials endpoint {uri} ({host})"),
            None => format!("ECS container credentials endpoint {uri}"),
        };
        let response = self
            .http
            .send(request)
            .await
            .map_err(|e| CredentialsError::provider_error(format!("{what} failed: {e}")))?;
        if !response.status().is_success() {
            return Err(CredentialsError::provider_error(format!(
                "{what} returned HTTP {}: {}",
                response.status().as_u16(),
                body_excerpt(response.body())
            )));
        }
        let json: serde_json::Value = serde_json::from_slice(response.body())
            .map_err(|e| CredentialsError::provider_error(format!("{what} returned invalid JSON: {e}")))?;
        credentials_from_json(&json, "Token", "ecs")
            .map_err(|e| CredentialsError::provider_error(format!("{what} returned unusable credentials: {e}")))
    }
}

fn allowed_address(ip: &IpAddr) -> bool {
    let ip = match ip {
        // An IPv4-mapped IPv6 address is judged as the IPv4 address it is.
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(*ip, IpAddr::V4),
        v4 => *v4,
    };
    ip.is_loopback() || CONTAINER_HOSTS.contains(&ip)
}

super::provide_with_load!(EcsProvider);

#[cfg(test)]
mod tests {
    use super::super::error_detail;
    use super::super::test_server::TestServer;
    use super::*;
    use crate::profile::TempDir;
    use aws_credential_types::provider::ProvideCredentials as _;

    const BODY: &str = r#"{"AccessKeyId": "ECSKEY", "SecretAccessKey": "ECSSECRET", "Token": "ECSTOKEN", "Expiration": "2100-01-01T00:00:00Z"}"#;

    fn provider(vars: &[(&str, &str)]) -> EcsProvider {
        EcsProvider::new(Env::from_vars(vars.iter().copied()))
    }

    #[tokio::test]
    async fn full_uri_with_token_from_env() {
        let server = TestServer::start(|_| (200, BODY.to_owned())).await;
        let uri = format!("{}/v2/credentials?id=1", server.url());
        let p = provider(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"),
        ]);
        let creds = p.provide_credentials().await.unwrap();
        assert_eq!(
            (creds.access_key_id(), creds.secret_access_key(), creds.session_token()),
            ("ECSKEY", "ECSSECRET", Some("ECSTOKEN"))
        );
        assert!(creds.expiry().is_some());
        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].method, http::Method::GET);
        assert_eq!(requests[0].path, "/v2/credentials?id=1");
        assert_eq!(requests[0].headers.get("authorization").unwrap(), "Basic abc");
    }

    #[tokio::test]
    async fn token_file_wins_over_token_env() {
        let server = TestServer::start(|_| (200, BODY.to_owned())).await;
        let dir = TempDir::new("ecs-token");
        let file = dir.write("token", "from-file\n");
        let uri = format!("{}/creds", server.url());
        let p = provider(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &file.to_string_lossy()),
        ]);
        p.provide_credentials().await.unwrap();
        assert_eq!(server.requests()[0].headers.get("authorization").unwrap(), "from-file");

        // No token at all: no header.
        let p = provider(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]);
        p.provide_credentials().await.unwrap();
        assert!(server.requests()[1].headers.get("authorization").is_none());
    }

    #[tokio::test]
    async fn errors_name_the_endpoint() {
        let server = TestServer::start(|_| (500, "boom".to_owned())).await;
        let uri = format!("{}/creds", server.url());
        let err = provider(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::ProviderError(_)), "{err:?}");
        let detail = error_detail(&err);
        assert!(detail.contains(&uri) && detail.contains("HTTP 500") && detail.contains("boom"), "{detail}");

        let bad = TestServer::start(|_| (200, "{}".to_owned())).await;
        let uri = format!("{}/creds", bad.url());
        let err = provider(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]).provide_credentials().await.unwrap_err();
        assert!(error_detail(&err).contains("`AccessKeyId` is missing"), "{}", error_detail(&err));

        let dir = TempDir::new("ecs-no-token-file");
        let missing = dir.0.join("missing").to_string_lossy().into_owned();
        let p = provider(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &missing),
        ]);
        let err = p.provide_credentials().await.unwrap_err();
        assert!(error_detail(&err).contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), "{err:?}");
    }

    #[tokio::test]
    async fn endpoint_selection_and_host_rules() {
        let err = provider(&[]).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)));
        assert_eq!(error_detail(&err), "AWS_CONTAINER_CREDENTIALS_* not set");

        let p = provider(&[
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds/abc"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/x"),
        ]);
        assert_eq!(p.endpoint().await.unwrap().unwrap().0, "http://169.254.170.2/v2/creds/abc");

        for ok in [
            "http://127.0.0.1:8080/c",
            "http://127.1.2.3/c",
            "http://localhost/c",
            "http://[::1]/c",
            "http://[::ffff:127.0.0.1]/c",
            "http://169.254.170.2/v1/credentials",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://creds.example.com/c",
        ] {
            let p = provider(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", ok)]);
            assert!(p.endpoint().await.is_ok(), "{ok}: {:?}", p.endpoint().await);
        }
        // Not loopback or a container host (IMDS included), or not http(s).
        for bad in [
            "http://10.0.0.1/c",
            "http://169.254.169.254/latest",
            "http://[fd00:ec2::254]/c",
            "http://[::ffff:10.0.0.1]/c",
            // Names that resolve to no address, or to one that is not allowed.
            "http://example.invalid/c",
            "http://10.0.0.1.nip.invalid/c",
            "ftp://127.0.0.1/c",
            "not a uri",
        ] {
            let err = provider(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", bad)]).provide_credentials().await.unwrap_err();
            assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{bad}: {err:?}");
        }
    }

    #[tokio::test]
    async fn a_checked_name_is_connected_to_at_the_address_checked() {
        // The name is resolved once, checked, and that address is used: a second lookup (DNS
        // rebinding) cannot send the request elsewhere. The Host header keeps the name.
        let server = TestServer::start(|_| (200, BODY.to_owned())).await;
        let port = server.url().rsplit(':').next().unwrap().to_owned();
        let uri = format!("http://localhost:{port}/creds");
        let p = provider(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]);
        let (pinned, host) = p.endpoint().await.unwrap().unwrap();
        let ip: IpAddr = pinned.host().unwrap().trim_start_matches('[').trim_end_matches(']').parse().unwrap();
        assert!(ip.is_loopback(), "{pinned}");
        assert_eq!(host.as_deref(), Some(format!("localhost:{port}").as_str()));
        p.provide_credentials().await.unwrap();
        assert_eq!(server.requests()[0].headers.get("host").unwrap(), &format!("localhost:{port}"));
    }
}
