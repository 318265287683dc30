//! The registry side: the pull half of the OCI Distribution Spec (`/v2/...`) and the anonymous
//! bearer-token endpoint (`/token`) in front of it, as `public.ecr.aws` serves them, so that
//! container tools (skopeo, crane, oras, docker) can pull what was pushed through the API.
//!
//! - `GET /token?scope=repository:NAME:pull` issues an opaque token, an HMAC (keyed per emulator)
//!   of the repositories it grants and its expiry. Tokens grant `pull` alone: a scope asking
//!   `pull,push` grants pull, one asking only `push` grants nothing (anonymous pushes are refused
//!   as `public.ecr.aws` refuses them; pushing goes through the ECR Public API).
//! - Every `/v2/` request needs `Authorization: Bearer <token>`, else 401 with a
//!   `WWW-Authenticate` challenge naming the token endpoint (at the `Host` the request came to)
//!   and the scope to ask for. A token grants the repository names its scopes wrote, exactly
//!   as the path writes them (`alias/app` and `app` are different scopes), as the service checks.
//! - `NAME` is a free repository's name, or `ALIAS/NAME` with the registry's default (or approved
//!   custom) alias, as `public.ecr.aws/ALIAS/NAME` is written; the whole path is tried as a
//!   name first. Premium repositories are behind Marketplace entitlements and are not served.
//! - Manifests by tag or digest (the exact bytes `PutImage` stored, with its media type), blobs
//!   the repository holds (with byte ranges), and tag lists (with `n`/`last` paging). Other
//!   methods answer 405; deprecated images are not served.
//!
//! Nothing here verifies SigV4: pulls are anonymous.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{header, Method};
use http_body_util::Full;
use ring::hmac;

use super::server::Shared;
use super::state::{Image, Repository, State};
use super::validate::{full_match, is_digest, REPOSITORY_NAME};

type Response = hyper::Response<Full<Bytes>>;

/// Where the token endpoint is; the challenge's `realm` names it.
const TOKEN_PATH: &str = "/token";
/// How long a token is good for, in seconds.
const TOKEN_LIFETIME: u64 = 3600;
/// The most repository scopes one token may name (tools ask for one or two).
const MAX_SCOPES: usize = 16;
/// The longest name a path may give: a repository name (205) behind an alias (50) and a slash.
const MAX_NAME: usize = 256;
const JSON: &str = "application/json";

/// Whether `path` is the registry's rather than the awsJson API's.
pub(crate) fn is_registry_path(path: &str) -> bool {
    path == "/v2" || path.starts_with("/v2/") || path == TOKEN_PATH || path == "/token/"
}

/// Issues and checks bearer tokens with a key made when the emulator starts, so that a token
/// from another emulator (or one edited) is refused.
pub(crate) struct Tokens {
    key: hmac::Key,
}

impl Tokens {
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(&super::random_bytes());
        key[16..].copy_from_slice(&super::random_bytes());
        Tokens { key: hmac::Key::new(hmac::HMAC_SHA256, &key) }
    }

    /// A token granting pull of `names` until `expires` (Unix seconds).
    fn issue(&self, names: &[String], expires: u64) -> String {
        // Names are of [a-z0-9._/-] (checked before), so a space separates them.
        let payload = format!("{expires}|{}", names.join(" "));
        let tag = hmac::sign(&self.key, payload.as_bytes());
        let b64 = base64_simd::URL_SAFE_NO_PAD;
        format!("{}.{}", b64.encode_to_string(payload.as_bytes()), b64.encode_to_string(tag.as_ref()))
    }

    /// The names a token grants pull of, if it is one of ours and has not expired.
    fn check(&self, token: &str, now: u64) -> Option<Vec<String>> {
        let b64 = base64_simd::URL_SAFE_NO_PAD;
        let (payload, tag) = token.split_once('.')?;
        let payload = b64.decode_to_vec(payload).ok()?;
        hmac::verify(&self.key, &payload, &b64.decode_to_vec(tag).ok()?).ok()?;
        let text = String::from_utf8(payload).ok()?;
        let (expires, names) = text.split_once('|')?;
        if expires.parse::<u64>().ok()? <= now {
            return None;
        }
        Some(names.split(' ').filter(|n| !n.is_empty()).map(str::to_owned).collect())
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A response with the registry's headers; a header value that cannot be sent makes it a 500
/// rather than a panic.
fn respond(status: u16, content_type: &str, headers: &[(&str, String)], body: Bytes) -> Response {
    let mut builder = hyper::Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header("Docker-Distribution-API-Version", "registry/2.0");
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    builder.body(Full::new(body)).unwrap_or_else(|_| {
        let mut r = hyper::Response::new(Full::new(Bytes::new()));
        *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

/// An OCI error response (`{"errors":[{"code","message","detail"}]}`).
fn error_with(status: u16, code: &str, message: &str, headers: &[(&str, String)]) -> Response {
    let body = serde_json::json!({"errors": [{"code": code, "message": message, "detail": null}]});
    respond(status, JSON, headers, Bytes::from(body.to_string()))
}

fn error(status: u16, code: &str, message: &str) -> Response {
    error_with(status, code, message, &[])
}

/// The answer to a request for a host the emulator does not serve.
pub(crate) fn misdirected(message: &str) -> Response {
    error(421, "DENIED", message)
}

/// `host` with the emulator's port when it names none, for URLs in challenges.
fn authority(host: &str, port: u16) -> String {
    let has_port = host.rsplit_once(':').is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if has_port {
        host.to_owned()
    } else {
        format!("{host}:{port}")
    }
}

/// 401 with the challenge a client follows to the token endpoint.
fn challenge(authority: &str, name: Option<&str>, insufficient: bool) -> Response {
    let mut value = format!("Bearer realm=\"http://{authority}{TOKEN_PATH}\",service=\"{authority}\"");
    if let Some(name) = name {
        value.push_str(&format!(",scope=\"repository:{name}:pull\""));
    }
    if insufficient {
        value.push_str(",error=\"insufficient_scope\"");
    }
    let message = match (name, insufficient) {
        (Some(name), true) => format!("The token does not grant pull of repository '{name}'"),
        _ => "Authentication required: get a bearer token from the realm the challenge names".to_owned(),
    };
    error_with(401, "UNAUTHORIZED", &message, &[("WWW-Authenticate", value)])
}

/// `%XX` and `+` decoded, as query strings are written; `None` if that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The query's `key=value` pairs, decoded; pairs that do not decode are skipped.
fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).filter_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        Some((percent_decode(k)?, percent_decode(v)?))
    })
}

/// Whether `name` can name a repository in a path (`NAME` or `ALIAS/NAME`).
fn valid_name(name: &str) -> bool {
    name.len() <= MAX_NAME && full_match(REPOSITORY_NAME, name)
}

/// A tag as the Distribution Spec writes them (with the service's 300 characters).
fn valid_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    first_ok && tag.len() <= 300 && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

/// The repository named `name` in a path: a free repository of that name, else `ALIAS/NAME`
/// with one of the registry's own aliases.
fn resolve<'a>(st: &'a State, name: &str) -> Option<&'a Repository> {
    st.free.get(name).or_else(|| {
        let (alias, rest) = name.split_once('/')?;
        if st.is_own_alias(alias) {
            st.free.get(rest)
        } else {
            None
        }
    })
}

/// What a `/v2/NAME/...` path asks for.
enum Endpoint<'a> {
    Manifest(&'a str),
    Blob(&'a str),
    Tags,
}

/// `NAME/manifests/REF`, `NAME/blobs/DIGEST` or `NAME/tags/list` split; the name may hold `/`.
fn route(rest: &str) -> Option<(&str, Endpoint<'_>)> {
    if let Some(name) = rest.strip_suffix("/tags/list") {
        return Some((name, Endpoint::Tags));
    }
    let (left, reference) = rest.rsplit_once('/')?;
    let (name, kind) = left.rsplit_once('/')?;
    match kind {
        "manifests" => Some((name, Endpoint::Manifest(reference))),
        "blobs" => Some((name, Endpoint::Blob(reference))),
        _ => None,
    }
}

/// The bearer token of a request, if it has one.
fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Serves a registry request (its `Host` already checked).
pub(crate) fn handle<B>(shared: &Shared, host: &str, request: &hyper::Request<B>) -> Response {
    let response = serve(shared, host, request);
    if request.method() != Method::HEAD {
        return response;
    }
    // HEAD: the headers a GET would get, its length included, and no body.
    let (mut parts, body) = response.into_parts();
    let len = hyper::body::Body::size_hint(&body).exact().unwrap_or(0);
    if !parts.headers.contains_key(header::CONTENT_LENGTH) {
        parts.headers.insert(header::CONTENT_LENGTH, http::HeaderValue::from(len));
    }
    hyper::Response::from_parts(parts, Full::new(Bytes::new()))
}

fn serve<B>(shared: &Shared, host: &str, request: &hyper::Request<B>) -> Response {
    let path = request.uri().path();
    let query = request.uri().query().unwrap_or("");
    let method = request.method();
    let authority = authority(host, shared.port);
    if *method != Method::GET && *method != Method::HEAD {
        let message = format!(
            "{method} is not supported: this registry serves pulls only; push through the ECR Public API \
             (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, PutImage)"
        );
        return error_with(405, "UNSUPPORTED", &message, &[("Allow", "GET, HEAD".to_owned())]);
    }
    if path == TOKEN_PATH || path == "/token/" {
        return token(shared, query);
    }
    let granted = bearer(request.headers()).and_then(|t| shared.tokens.check(t, now_secs()));
    let rest = path.strip_prefix("/v2").unwrap_or("");
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    if rest.is_empty() {
        return match granted {
            Some(_) => respond(200, JSON, &[], Bytes::from_static(b"{}")),
            None => challenge(&authority, None, false),
        };
    }
    let Some((name, endpoint)) = route(rest) else {
        return error(404, "UNSUPPORTED", &format!("No registry endpoint at {path}"));
    };
    if !valid_name(name) {
        return error(400, "NAME_INVALID", &format!("'{name}' is not a valid repository name"));
    }
    match &granted {
        Some(names) if names.iter().any(|n| n == name) => {}
        Some(_) => return challenge(&authority, Some(name), true),
        None => return challenge(&authority, Some(name), false),
    }
    let st = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    let Some(repo) = resolve(&st, name) else {
        return error(
            404,
            "NAME_UNKNOWN",
            &format!("The repository with name '{name}' does not exist in the registry"),
        );
    };
    match endpoint {
        Endpoint::Manifest(reference) => manifest(repo, name, reference),
        Endpoint::Blob(digest) => blob(&st, repo, name, digest, request.headers()),
        Endpoint::Tags => tags(repo, name, query),
    }
}

/// `GET /token`: a token for the `scope`s asked (several parameters, or several scopes in one
/// separated by spaces). `service` and any credentials are not checked: pulls are anonymous.
fn token(shared: &Shared, query: &str) -> Response {
    let mut names: Vec<String> = Vec::new();
    for (key, value) in query_pairs(query) {
        if key != "scope" {
            continue;
        }
        for scope in value.split(' ') {
            let Some((name, actions)) = scope.strip_prefix("repository:").and_then(|s| s.rsplit_once(':')) else {
                continue;
            };
            let pull = actions.split(',').any(|a| a == "pull" || a == "*");
            if pull && valid_name(name) && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    if names.len() > MAX_SCOPES {
        return error(400, "DENIED", &format!("A token may grant at most {MAX_SCOPES} repositories"));
    }
    let token = shared.tokens.issue(&names, now_secs() + TOKEN_LIFETIME);
    let body = serde_json::json!({"token": token, "access_token": token, "expires_in": TOKEN_LIFETIME});
    respond(200, JSON, &[], Bytes::from(body.to_string()))
}

/// An image that may be served (deprecated ones are on their way out).
fn servable(image: &Image) -> bool {
    image.deletion_at.is_none()
}

/// `GET /v2/NAME/manifests/REF`: the stored bytes under the stored media type, whatever the
/// `Accept` asks (nothing is converted; registries answer so for OCI types).
fn manifest(repo: &Repository, name: &str, reference: &str) -> Response {
    let found = if reference.contains(':') {
        if !is_digest(reference) {
            return error(400, "MANIFEST_INVALID", &format!("'{reference}' is not a digest"));
        }
        repo.image_by_digest(reference)
    } else {
        if !valid_tag(reference) {
            return error(400, "MANIFEST_INVALID", &format!("'{reference}' is neither a tag nor a digest"));
        }
        repo.image_by_tag(reference)
    };
    let Some(image) = found.and_then(|n| repo.images.get(n)).filter(|i| servable(i)) else {
        return error(404, "MANIFEST_UNKNOWN", &format!("No manifest '{reference}' in repository '{name}'"));
    };
    let headers = [("Docker-Content-Digest", image.digest.clone()), ("ETag", format!("\"{}\"", image.digest))];
    respond(200, &image.media_type, &headers, Bytes::from(image.manifest.clone()))
}

/// What a `Range` header asks of a body of `total` bytes.
#[derive(Debug, PartialEq)]
enum Range {
    /// No range, or one not understood (served whole, as RFC 9110 allows).
    Whole,
    /// First and last byte, both within the body.
    Part(usize, usize),
    Unsatisfiable,
}

fn range(header: Option<&str>, total: usize) -> Range {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Range::Whole };
    // Several ranges would need multipart/byteranges: the whole body is a valid answer.
    let Some((first, last)) = spec.split_once('-').filter(|_| !spec.contains(',')) else { return Range::Whole };
    let (first, last) = (first.trim(), last.trim());
    let total64 = total as u64;
    if first.is_empty() {
        let Ok(suffix) = last.parse::<u64>() else { return Range::Whole };
        if suffix == 0 || total == 0 {
            return Range::Unsatisfiable;
        }
        return Range::Part((total64 - suffix.min(total64)) as usize, total - 1);
    }
    let Ok(first) = first.parse::<u64>() else { return Range::Whole };
    let last = match last {
        "" => None,
        l => match l.parse::<u64>() {
            Ok(l) if l >= first => Some(l),
            _ => return Range::Whole,
        },
    };
    if first >= total64 {
        return Range::Unsatisfiable;
    }
    let last = last.map_or(total64 - 1, |l| l.min(total64 - 1));
    Range::Part(first as usize, last as usize)
}

/// `GET /v2/NAME/blobs/DIGEST`: a layer the repository holds, whole or a byte range, sliced
/// from the stored bytes without copying.
fn blob(st: &State, repo: &Repository, name: &str, digest: &str, headers: &http::HeaderMap) -> Response {
    if !is_digest(digest) {
        return error(400, "DIGEST_INVALID", &format!("'{digest}' is not a digest"));
    }
    let digest = digest.to_ascii_lowercase();
    let Some(bytes) = repo.layers.contains_key(&digest).then(|| st.blobs.get(&digest)).flatten() else {
        return error(404, "BLOB_UNKNOWN", &format!("No blob {digest} in repository '{name}'"));
    };
    let total = bytes.len();
    let mut out = vec![
        ("Docker-Content-Digest", digest.clone()),
        ("ETag", format!("\"{digest}\"")),
        ("Accept-Ranges", "bytes".to_owned()),
    ];
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    const OCTETS: &str = "application/octet-stream";
    match range(asked, total) {
        Range::Whole => respond(200, OCTETS, &out, bytes.clone()),
        Range::Part(first, last) => {
            out.push(("Content-Range", format!("bytes {first}-{last}/{total}")));
            respond(206, OCTETS, &out, bytes.slice(first..=last))
        }
        Range::Unsatisfiable => {
            out.push(("Content-Range", format!("bytes */{total}")));
            error_with(416, "BLOB_UNKNOWN", &format!("Range {} is outside the blob", asked.unwrap_or("")), &out)
        }
    }
}

/// `GET /v2/NAME/tags/list`: the tags of the images served, sorted, paged by `n` and `last`.
fn tags(repo: &Repository, name: &str, query: &str) -> Response {
    let mut all: Vec<&str> =
        repo.images.iter().filter(|i| servable(i)).flat_map(|i| i.tags.iter().map(|(t, _)| t.as_str())).collect();
    all.sort_unstable();
    all.dedup();
    let (mut n, mut last) = (None, None);
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "n" => match value.parse::<usize>() {
                Ok(v) => n = Some(v),
                Err(_) => return error(400, "PAGINATION_NUMBER_INVALID", &format!("n={value} is not a number")),
            },
            "last" => last = Some(value),
            _ => {}
        }
    }
    let start = last.as_deref().map_or(0, |l| all.partition_point(|t| *t <= l));
    let rest = all.get(start..).unwrap_or(&[]);
    let page = rest.get(..n.unwrap_or(rest.len()).min(rest.len())).unwrap_or(&[]);
    let mut headers = Vec::new();
    if let (Some(n), Some(last)) = (n, page.last()) {
        if rest.len() > page.len() {
            headers.push(("Link", format!("</v2/{name}/tags/list?n={n}&last={last}>; rel=\"next\"")));
        }
    }
    let body = serde_json::json!({"name": name, "tags": page});
    respond(200, JSON, &headers, Bytes::from(body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(range(None, 10), Range::Whole);
        assert_eq!(range(Some("bytes=2-4"), 10), Range::Part(2, 4));
        assert_eq!(range(Some("bytes=2-"), 10), Range::Part(2, 9));
        assert_eq!(range(Some("bytes=5-100"), 10), Range::Part(5, 9));
        assert_eq!(range(Some("bytes=-3"), 10), Range::Part(7, 9));
        assert_eq!(range(Some("bytes=-30"), 10), Range::Part(0, 9));
        assert_eq!(range(Some("bytes=10-"), 10), Range::Unsatisfiable);
        assert_eq!(range(Some("bytes=-0"), 10), Range::Unsatisfiable);
        assert_eq!(range(Some("bytes=0-"), 0), Range::Unsatisfiable);
        assert_eq!(range(Some("bytes=4-2"), 10), Range::Whole);
        assert_eq!(range(Some("bytes=0-1,4-5"), 10), Range::Whole);
        assert_eq!(range(Some("items=0-1"), 10), Range::Whole);
        assert_eq!(range(Some("bytes=x-1"), 10), Range::Whole);
    }

    #[test]
    fn tokens_grant_what_they_name_until_they_expire() {
        let tokens = Tokens::new();
        let t = tokens.issue(&["a/b".to_owned(), "c".to_owned()], 100);
        assert_eq!(tokens.check(&t, 99), Some(vec!["a/b".to_owned(), "c".to_owned()]));
        assert_eq!(tokens.check(&t, 100), None);
        assert_eq!(Tokens::new().check(&t, 99), None);
        let (payload, tag) = t.split_once('.').unwrap_or_default();
        let forged = base64_simd::URL_SAFE_NO_PAD.encode_to_string(b"999|a/b c d");
        assert_eq!(tokens.check(&format!("{forged}.{tag}"), 99), None);
        assert_eq!(tokens.check(payload, 99), None);
        assert_eq!(tokens.check("", 0), None);
    }

    #[test]
    fn paths_and_queries() {
        assert!(matches!(route("team/app/manifests/v1"), Some(("team/app", Endpoint::Manifest("v1")))));
        assert!(matches!(route("app/blobs/sha256:00"), Some(("app", Endpoint::Blob("sha256:00")))));
        assert!(matches!(route("a/b/tags/list"), Some(("a/b", Endpoint::Tags))));
        assert!(route("app/uploads/x").is_none() && route("_catalog").is_none());
        assert_eq!(percent_decode("repository%3Ateam%2Fapp%3Apull+x").as_deref(), Some("repository:team/app:pull x"));
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(authority("localhost", 5), "localhost:5");
        assert_eq!(authority("[::1]", 5), "[::1]:5");
        assert_eq!(authority("127.0.0.1:7", 5), "127.0.0.1:7");
        assert!(valid_tag("v1.0_a-b") && !valid_tag(".x") && !valid_tag("") && !valid_tag("a b"));
    }
}
