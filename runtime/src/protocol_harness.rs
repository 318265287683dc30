//! What the generated protocol compliance tests run on: a client whose transport records the
//! request and answers with a canned response, and JSON comparisons.

use std::sync::{Arc, Mutex};

use super::client::{Handle, ServiceInfo};
use super::transport::{BoxFuture, HttpRequest, HttpResponse, Transport};

/// Records the request and answers with a canned response.
pub struct Capture {
    request: Mutex<Option<HttpRequest>>,
    response: (u16, Vec<(&'static str, &'static str)>, &'static str),
}

#[derive(Clone)]
struct Shared(Arc<Capture>);

impl Transport for Shared {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, super::error::TransportError>> {
        *self.0.request.lock().unwrap() = Some(request);
        let (status, headers, body) = &self.0.response;
        let mut b = http::Response::builder().status(*status);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let response = b.body(bytes::Bytes::from_static(body.as_bytes())).expect("a valid canned response");
        Box::pin(std::future::ready(Ok(response)))
    }
}

/// A client for `service` at `https://{host}`, answering every call with the canned response.
pub fn harness(
    service: &'static ServiceInfo,
    host: &str,
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: &'static str,
) -> (Handle, Arc<Capture>) {
    let capture = Arc::new(Capture { request: Mutex::new(None), response: (status, headers, body) });
    let config = super::config::Config::builder()
        .region("us-west-2")
        .endpoint_url(format!("https://{host}"))
        .credentials(aws_credential_types::Credentials::new("AKID", "SECRET", None, None, "protocol-tests"))
        .retry(super::retry::RetryConfig::disabled())
        .validation(false)
        .transport(Shared(capture.clone()))
        .build();
    (Handle::new(config, service), capture)
}

/// A client for `service` configured by `builder` (region, endpoint settings), recording the
/// request and answering `{}`; for endpoint tests that go through an operation.
pub fn harness_with(service: &'static ServiceInfo, builder: super::config::ConfigBuilder) -> (Handle, Arc<Capture>) {
    let capture = Arc::new(Capture { request: Mutex::new(None), response: (200, vec![], "{}") });
    let builder = match builder.has_credentials() {
        true => builder,
        false => {
            builder.credentials(aws_credential_types::Credentials::new("AKID", "SECRET", None, None, "endpoint-tests"))
        }
    };
    let config = builder
        .retry(super::retry::RetryConfig::disabled())
        .validation(false)
        .transport(Shared(capture.clone()))
        .build();
    (Handle::new(config, service), capture)
}

/// Test keys of `account`, as an endpoint test's `AWS::Auth::AccountId` asks.
pub fn credentials_of_account(account: &str) -> aws_credential_types::Credentials {
    let keys = super::credentials::Keys { id: "AKID".into(), secret: "SECRET".into(), token: None, expiry: None };
    super::credentials::credentials(keys, Some(account.to_owned()), "endpoint-tests")
}

/// The request the client sent.
pub fn sent(capture: &Capture) -> HttpRequest {
    capture.request.lock().unwrap().take().expect("a request was sent")
}

/// JSON equality that compares numbers by value (`1` equals `1.0`).
fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => x.as_f64() == y.as_f64(),
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Object(x), Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w))),
        _ => a == b,
    }
}

/// Panics unless the body `actual` is the JSON of `expected` (numbers compared by value, member
/// order ignored); generated protocol tests check request bodies with it.
pub fn assert_json(actual: &[u8], expected: &str) {
    let a: serde_json::Value = serde_json::from_slice(actual).expect("the body is JSON");
    let e: serde_json::Value = serde_json::from_str(expected).expect("the expected body is JSON");
    assert!(json_eq(&a, &e), "body\n  actual:   {a}\n  expected: {e}");
}

/// Outputs are compared as JSON, so NaN equals NaN and map order does not matter.
pub fn assert_same<T: super::json::Json>(actual: &T, expected: &T) {
    let a = super::json::to_vec(actual);
    let e = super::json::to_vec(expected);
    assert_json(&a, std::str::from_utf8(&e).expect("UTF-8"));
}

/// An endpoint test's expected `properties` (a JSON object), compared as JSON.
pub fn assert_endpoint_properties(endpoint: &super::endpoint::Endpoint, expected: &str) {
    let a = serde_json::Value::Object(endpoint.properties.clone());
    let e: serde_json::Value = serde_json::from_str(expected).expect("the expected properties are JSON");
    assert!(json_eq(&a, &e), "endpoint properties\n  actual:   {a}\n  expected: {e}");
}

/// An endpoint test's expected `headers` (a JSON object of lists of strings).
pub fn assert_endpoint_headers(endpoint: &super::endpoint::Endpoint, expected: &str) {
    let e: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(expected).expect("the expected headers are a JSON object of string lists");
    assert_eq!(endpoint.headers, e, "endpoint headers");
}

/// The request was sent with the headers an endpoint test expects (among others).
pub fn assert_sent_headers(request: &HttpRequest, expected: &str) {
    let e: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(expected).expect("the expected headers are a JSON object of string lists");
    for (name, values) in e {
        let sent: Vec<&str> = request.headers().get_all(name.as_str()).iter().filter_map(|v| v.to_str().ok()).collect();
        assert_eq!(sent, values, "header `{name}`");
    }
}

/// The request is signed with `algorithm` (`sigv4` or `sigv4a`) for `name` in `region` (for
/// SigV4a, the region set): the `Authorization` credential scope and, for SigV4a,
/// `X-Amz-Region-Set`.
pub fn assert_signed(request: &HttpRequest, algorithm: &str, name: &str, region: &str) {
    let header = |h: &str| request.headers().get(h).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let authorization = header("authorization");
    let credential = authorization
        .split_once(" Credential=")
        .and_then(|(_, rest)| rest.split(',').next())
        .unwrap_or_else(|| panic!("no credential in `Authorization: {authorization}`"));
    // `<key id>/<date>/[<region>/]<name>/aws4_request`
    let scope: Vec<&str> = credential.split('/').skip(2).collect();
    match algorithm {
        "sigv4" => {
            assert!(authorization.starts_with("AWS4-HMAC-SHA256 "), "not SigV4: {authorization}");
            assert_eq!(scope, [region, name, "aws4_request"], "credential scope of {credential}");
        }
        "sigv4a" => {
            assert!(authorization.starts_with("AWS4-ECDSA-P256-SHA256 "), "not SigV4a: {authorization}");
            assert_eq!(scope, [name, "aws4_request"], "credential scope of {credential}");
            assert_eq!(header("x-amz-region-set"), region, "X-Amz-Region-Set");
        }
        other => panic!("no such signing algorithm `{other}`"),
    }
}
