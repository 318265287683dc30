//! A local HTTP/1.1 server for integration tests: it records every request it receives and
//! answers with canned responses, so the tests can assert exactly what went over the wire.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod aws;
pub mod fault;
pub mod logs;
pub mod tmp;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    /// The header's value; panics (failing the test) if it is absent or not text.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no `{name}` header in {:?}", self.headers))
            .to_str()
            .expect("header is text")
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts the awsJson 1.1 envelope of `operation`: method, path, content type, target and a
    /// SigV4 authorization for `ecr-public` in `us-east-1` with the test credentials.
    pub fn assert_aws_json(&self, operation: &str) {
        assert_eq!(self.method, "POST");
        assert_eq!(self.path, "/");
        assert_eq!(self.header("content-type"), "application/x-amz-json-1.1");
        assert_eq!(self.header("x-amz-target"), format!("SpencerFrontendService.{operation}"));
        let auth = self.header("authorization");
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKID/"), "authorization: {auth}");
        assert!(auth.contains("/us-east-1/ecr-public/aws4_request"), "authorization: {auth}");
        // Everything the service routes on must be covered by the signature.
        let signed = signed_headers(auth);
        for h in ["content-type", "host", "x-amz-date", "x-amz-target"] {
            assert!(signed.contains(&h), "`{h}` is not signed: {auth}");
        }
        let date = self.header("x-amz-date");
        assert_eq!(date.len(), 16, "x-amz-date: {date}");
        assert!(date.ends_with('Z') && date.as_bytes()[8] == b'T', "x-amz-date: {date}");
        assert_eq!(self.header("content-length"), self.body.len().to_string());
    }
}

/// The `SignedHeaders=` list of an `Authorization` header.
pub fn signed_headers(auth: &str) -> Vec<&str> {
    auth.split(", ")
        .find_map(|part| part.strip_prefix("SignedHeaders="))
        .unwrap_or_else(|| panic!("no SignedHeaders in {auth}"))
        .split(';')
        .collect()
}

/// A response the server sends.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Canned {
    /// `status` with an awsJson content type and no request id.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Canned {
            status,
            headers: vec![("content-type".into(), "application/x-amz-json-1.1".into())],
            body: body.into(),
        }
    }

    /// 200 with the given JSON body and `x-amzn-RequestId: <request_id>`.
    pub fn ok(body: impl Into<Vec<u8>>, request_id: &str) -> Self {
        Canned::new(200, body).header("x-amzn-RequestId", request_id)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    /// Answered in order; the last one is repeated.
    responses: VecDeque<Canned>,
}

/// A server on `127.0.0.1:<ephemeral port>`, stopped when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl MockServer {
    /// Starts a server that answers every request with `response`.
    pub async fn start(response: Canned) -> Self {
        Self::start_sequence(vec![response]).await
    }

    /// Starts a server that answers with `responses` in order, repeating the last.
    pub async fn start_sequence(responses: Vec<Canned>) -> Self {
        assert!(!responses.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State { requests: Vec::new(), responses: responses.into() }));
        let server_state = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let state = server_state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(state.clone(), req));
                    // A client closing its pooled connection is not a test failure.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        MockServer { addr, state, task }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client for this server with region `us-east-1` and credentials `AKID`/`SECRET`.
    pub fn client(&self) -> ecrpublic::Client {
        ecrpublic::Client::new(&config(&self.endpoint()))
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The one request received; fails the test if there were more or none.
    pub fn only_request(&self) -> Recorded {
        let mut requests = self.requests();
        assert_eq!(requests.len(), 1, "expected exactly one request: {requests:#?}");
        requests.remove(0)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The configuration every test uses: `us-east-1`, fixed test credentials, the given endpoint,
/// and one attempt per call, so that each call is exactly one request (retries have tests of
/// their own).
pub fn config(endpoint: &str) -> ecrpublic::Config {
    ecrpublic::Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(ecrpublic::Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry(ecrpublic::RetryConfig::disabled())
        .build()
}

async fn handle(
    state: Arc<Mutex<State>>,
    req: http::Request<Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => Bytes::from(format!("<body read failed: {e}>")),
    };
    let canned = {
        let mut state = state.lock().unwrap();
        state.requests.push(Recorded {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            headers: parts.headers,
            body,
        });
        if state.responses.len() > 1 {
            state.responses.pop_front().expect("non-empty")
        } else {
            state.responses.front().cloned().expect("non-empty")
        }
    };
    let mut response = http::Response::builder().status(canned.status);
    for (name, value) in &canned.headers {
        response = response.header(name.as_str(), value.as_str());
    }
    Ok(response.body(Full::new(Bytes::from(canned.body))).expect("valid canned response"))
}
