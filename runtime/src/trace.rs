//! The wire trace, at `trace` level: requests and responses with credentials and secrets
//! redacted, so a trace can be shared.

use super::transport::{HttpRequest, HttpResponse};

/// Headers whose values are never logged: credentials, tokens and cookies.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "x-amz-security-token",
    "proxy-authorization",
    "x-amz-sso_bearer_token",
    "x-aws-ec2-metadata-token",
    "cookie",
    "set-cookie",
];

pub(crate) fn request(r: &HttpRequest, sensitive: &[&str]) {
    if tracing::enabled!(target: "awsjson_runtime::wire", tracing::Level::TRACE) {
        tracing::trace!(
            target: "awsjson_runtime::wire",
            method = %r.method(),
            uri = %r.uri(),
            headers = %headers(r.headers()),
            body = %redact_body(r.body(), sensitive),
            "request"
        );
    }
}

pub(crate) fn response(r: &HttpResponse, sensitive: &[&str]) {
    if tracing::enabled!(target: "awsjson_runtime::wire", tracing::Level::TRACE) {
        tracing::trace!(
            target: "awsjson_runtime::wire",
            status = r.status().as_u16(),
            headers = %headers(r.headers()),
            body = %redact_body(r.body(), sensitive),
            "response"
        );
    }
}

/// Headers as `name: value; ` text, credentials redacted.
pub(crate) fn headers(h: &http::HeaderMap) -> String {
    let mut out = String::new();
    for (k, v) in h {
        let value = if SECRET_HEADERS.contains(&k.as_str()) {
            redacted_authorization(k.as_str(), v.to_str().unwrap_or(""))
        } else {
            v.to_str().unwrap_or("<binary>").to_owned()
        };
        out.push_str(&format!("{k}: {value}; "));
    }
    out
}

/// Keeps the harmless part of a SigV4 header (who and what was signed), never the signature.
fn redacted_authorization(name: &str, value: &str) -> String {
    if name == "authorization" {
        if let Some(i) = value.find("Signature=") {
            return format!("{}Signature=** redacted **", &value[..i]);
        }
    }
    "** redacted **".to_owned()
}

/// Is this JSON member name one that holds a secret? (`authorizationToken`, `secretAccessKey`, ...)
fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    (k.contains("token") && k != "nexttoken")
        || k.contains("secret")
        || k.contains("password")
        || k.contains("credential")
}

/// The body as JSON with secrets replaced: `@sensitive` members and secret-looking names.
pub(crate) fn redact_body(body: &[u8], sensitive: &[&str]) -> String {
    fn walk(v: &mut serde_json::Value, sensitive: &[&str]) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    if (is_secret_key(k) || sensitive.contains(&k.as_str())) && !v.is_null() {
                        *v = serde_json::Value::String("** redacted **".into());
                    } else {
                        walk(v, sensitive);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| walk(v, sensitive)),
            _ => {}
        }
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) => {
            walk(&mut v, sensitive);
            let s = v.to_string();
            // Layer parts are megabytes of base64: the trace keeps their size, not their bytes.
            if s.len() > 4096 {
                format!("{}... ({} bytes)", &s[..s.floor_char_boundary_compat(4096)], body.len())
            } else {
                s
            }
        }
        Err(_) if body.is_empty() => String::new(),
        Err(_) => format!("<{} bytes, not JSON>", body.len()),
    }
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for String {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let body = br#"{"authorizationData":{"authorizationToken":"QVdTOnNlY3JldA==","expiresAt":1},"nextToken":"n"}"#;
        let s = redact_body(body, &[]);
        assert!(!s.contains("QVdTOnNlY3JldA=="), "{s}");
        assert!(s.contains("\"nextToken\":\"n\""), "{s}");
        let auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecr-public/aws4_request, SignedHeaders=host, Signature=abcdef";
        let r = redacted_authorization("authorization", auth);
        assert!(!r.contains("abcdef") && r.contains("Credential=AKID"));
        assert_eq!(redacted_authorization("x-amz-security-token", "tok"), "** redacted **");
        let mut h = http::HeaderMap::new();
        h.insert("x-amz-sso_bearer_token", http::HeaderValue::from_static("bearer-secret"));
        h.insert("cookie", http::HeaderValue::from_static("session=cookie-secret"));
        h.insert("x-amz-target", http::HeaderValue::from_static("Svc.Op"));
        let shown = headers(&h);
        assert!(!shown.contains("bearer-secret") && !shown.contains("cookie-secret"), "{shown}");
        assert!(shown.contains("x-amz-target: Svc.Op"), "{shown}");
        assert_eq!(redact_body(b"\xff\x00", &[]), "<2 bytes, not JSON>");
        let s = redact_body(br#"{"Password2":"p","nested":[{"pin":"1234"}]}"#, &["pin"]);
        assert!(!s.contains("1234") && !s.contains("\"p\""), "{s}");
    }
}
