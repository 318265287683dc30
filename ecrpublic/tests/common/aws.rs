//! Local stand-ins, on 127.0.0.1, for the services credentials come from: STS (awsQuery: a
//! form-encoded POST, XML back), the SSO portal (`GET /federation/credentials`, JSON), SSO OIDC
//! (`POST /token`, JSON), the ECS container endpoint and EC2 instance metadata. Each speaks the
//! real wire protocol and records every request, so tests assert on exactly what was sent.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request as a stand-in saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as `application/x-www-form-urlencoded` pairs, decoded, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        parse_pairs(&String::from_utf8_lossy(&self.body))
    }

    /// One field of the form body.
    pub fn field(&self, name: &str) -> Option<String> {
        self.form().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// `Credential=AKID/DATE/REGION/SERVICE/aws4_request` of the SigV4 `Authorization`, split.
    pub fn sigv4_scope(&self) -> Option<(String, String, String)> {
        let auth = self.header("authorization")?;
        let credential = auth.split("Credential=").nth(1)?.split(',').next()?;
        let parts: Vec<&str> = credential.split('/').collect();
        (parts.len() == 5 && parts[4] == "aws4_request").then(|| (parts[0].into(), parts[2].into(), parts[3].into()))
    }
}

fn parse_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a stand-in answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Reply { status, headers: vec![("content-type".into(), content_type.into())], body: body.into() }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A server on `127.0.0.1:<ephemeral port>` that answers through a handler; stopped when dropped.
pub struct StandIn {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    task: JoinHandle<()>,
}

impl StandIn {
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, handler) = (log.clone(), handler.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let (log, handler) = (log.clone(), handler.clone());
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                            let request = Request {
                                method: parts.method.to_string(),
                                path: parts.uri.path().to_owned(),
                                query: parse_pairs(parts.uri.query().unwrap_or("")),
                                headers: parts.headers,
                                body,
                            };
                            let reply = handler(&request);
                            log.lock().unwrap().push(request);
                            let mut response = http::Response::builder().status(reply.status);
                            for (k, v) in &reply.headers {
                                response = response.header(k.as_str(), v.as_str());
                            }
                            Ok::<_, Infallible>(response.body(Full::new(Bytes::from(reply.body))).unwrap())
                        }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        StandIn { addr, requests, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------------------------------------
// STS
// ---------------------------------------------------------------------------------------------

/// The temporary keys the STS stand-in issues for a role: derived from the role's name (the last
/// part of its ARN), so a test can tell which role a request was signed for.
pub fn sts_keys(role_arn: &str) -> (String, String, String) {
    let name: String =
        role_arn.rsplit('/').next().unwrap_or(role_arn).chars().filter(char::is_ascii_alphanumeric).collect();
    (format!("ASIA{}", name.to_ascii_uppercase()), format!("secret-{name}"), format!("session-token-{name}"))
}

/// An STS that answers `AssumeRole` and `AssumeRoleWithWebIdentity` with `sts_keys` of the role,
/// expiring in an hour.
pub async fn sts() -> StandIn {
    StandIn::start(|req| {
        let action = req.field("Action").unwrap_or_default();
        let Some(role) = req.field("RoleArn") else {
            return sts_error(400, "MissingParameter", "RoleArn is required");
        };
        if req.field("Version").as_deref() != Some("2011-06-15") {
            return sts_error(400, "InvalidAction", "bad version");
        }
        match action.as_str() {
            "AssumeRole" | "AssumeRoleWithWebIdentity" => {
                let (id, secret, token) = sts_keys(&role);
                // As STS names the session: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
                let account = role.split(':').nth(4).unwrap_or_default();
                let role_name = role.rsplit('/').next().unwrap_or_default();
                let session = req.field("RoleSessionName").unwrap_or_default();
                let assumed = format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}");
                let expiration = ecrpublic::DateTime::from_secs(ecrpublic::DateTime::now().secs() + 3600);
                let body = format!(
                    "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <{action}Result>\n    \
                     <Credentials>\n      <AccessKeyId>{id}</AccessKeyId>\n      <SecretAccessKey>{secret}</SecretAccessKey>\n      \
                     <SessionToken>{token}</SessionToken>\n      <Expiration>{expiration}</Expiration>\n    </Credentials>\n    \
                     <AssumedRoleUser><Arn>{assumed}</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>\n  \
                     </{action}Result>\n  <ResponseMetadata><RequestId>sts-request-1</RequestId></ResponseMetadata>\n</{action}Response>\n"
                );
                Reply::new(200, "text/xml", body)
            }
            other => sts_error(400, "InvalidAction", &format!("Could not find operation {other}")),
        }
    })
    .await
}

/// An STS error document.
pub fn sts_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::new(
        status,
        "text/xml",
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    \
             <Code>{code}</Code>\n    <Message>{message}</Message>\n  </Error>\n  <RequestId>sts-error-1</RequestId>\n</ErrorResponse>\n"
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// SSO portal and SSO OIDC
// ---------------------------------------------------------------------------------------------

/// The SSO portal: `GET /federation/credentials?account_id=&role_name=` with
/// `x-amz-sso_bearer_token: <accepted token>` gives role credentials `ASIASSO<role>`; anything
/// else is the 401 `UnauthorizedException` the portal sends.
pub async fn sso_portal(accepted_token: &str) -> StandIn {
    let accepted = accepted_token.to_owned();
    StandIn::start(move |req| {
        if req.method != "GET" || req.path != "/federation/credentials" {
            return Reply::new(404, "application/json", r#"{"message":"not found"}"#);
        }
        if req.header("x-amz-sso_bearer_token") != Some(accepted.as_str()) {
            return Reply::new(401, "application/json", r#"{"message":"Session token not found or invalid"}"#).header(
                "x-amzn-ErrorType",
                "UnauthorizedException:http://internal.amazon.com/coral/com.amazon.switchboard.service/",
            );
        }
        let role = req.query_param("role_name").unwrap_or("none").to_owned();
        let expiration = (ecrpublic::DateTime::now().secs() + 3600) * 1000;
        let body = serde_json::json!({"roleCredentials": {
            "accessKeyId": format!("ASIASSO{}", role.to_ascii_uppercase()),
            "secretAccessKey": format!("sso-secret-{role}"),
            "sessionToken": format!("sso-session-{role}"),
            "expiration": expiration,
        }});
        Reply::new(200, "application/json", body.to_string())
    })
    .await
}

/// SSO OIDC: `POST /token` with the `refresh_token` grant of `client_id`/`refresh_token` gives
/// `new_access_token` for 8 hours, and a rotated refresh token.
pub async fn sso_oidc(client_id: &str, refresh_token: &str, new_access_token: &str) -> StandIn {
    let (client_id, refresh_token, new_token) =
        (client_id.to_owned(), refresh_token.to_owned(), new_access_token.to_owned());
    StandIn::start(move |req| {
        if req.method != "POST" || req.path != "/token" {
            return Reply::new(404, "application/json", r#"{"message":"not found"}"#);
        }
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
            return Reply::new(400, "application/json", r#"{"error":"invalid_request"}"#);
        };
        let ok = json["grantType"] == "refresh_token" && json["clientId"] == client_id.as_str() && json["refreshToken"] == refresh_token.as_str();
        if !ok {
            return Reply::new(400, "application/json", r#"{"error":"invalid_grant","error_description":"Invalid refresh token provided"}"#)
                .header("x-amzn-ErrorType", "InvalidGrantException");
        }
        let body = serde_json::json!({"accessToken": new_token, "tokenType": "Bearer", "expiresIn": 28800, "refreshToken": "rotated-refresh-token"});
        Reply::new(200, "application/json", body.to_string())
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// ECS and IMDS
// ---------------------------------------------------------------------------------------------

fn metadata_credentials(key: &str) -> String {
    let expiration = ecrpublic::DateTime::from_secs(ecrpublic::DateTime::now().secs() + 3600);
    format!(
        r#"{{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "{key}", "SecretAccessKey": "secret-{key}", "Token": "token-{key}", "Expiration": "{expiration}"}}"#
    )
}

/// An ECS container endpoint answering with credentials `key` on any path.
pub async fn ecs(key: &str) -> StandIn {
    let body = metadata_credentials(key);
    StandIn::start(move |_| Reply::new(200, "application/json", body.clone())).await
}

/// An IMDSv2 with role `node-role`, whose credentials are `key`, in region `us-west-2`.
pub async fn imds(key: &str) -> StandIn {
    let body = metadata_credentials(key);
    StandIn::start(move |req| {
        let token_ok = req.header("x-aws-ec2-metadata-token") == Some("imds-session-token");
        match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/latest/api/token") => Reply::new(200, "text/plain", "imds-session-token")
                .header("x-aws-ec2-metadata-token-ttl-seconds", "21600"),
            _ if !token_ok => Reply::new(401, "text/plain", ""),
            ("GET", "/latest/meta-data/iam/security-credentials/") => Reply::new(200, "text/plain", "node-role"),
            ("GET", "/latest/meta-data/iam/security-credentials/node-role") => {
                Reply::new(200, "application/json", body.clone())
            }
            ("GET", "/latest/meta-data/placement/region") => Reply::new(200, "text/plain", "us-west-2"),
            _ => Reply::new(404, "text/plain", ""),
        }
    })
    .await
}

/// Every request a set of stand-ins received, by name, for "nothing else was asked" checks.
pub fn counts(servers: &[(&str, &StandIn)]) -> HashMap<String, usize> {
    servers.iter().map(|(n, s)| (n.to_string(), s.requests().len())).collect()
}
