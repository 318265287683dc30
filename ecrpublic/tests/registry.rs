//! The emulator as a registry: images pushed through the ECR Public API, pulled over the OCI
//! Distribution Spec as a container tool pulls them (challenge, anonymous token, bearer
//! requests), and the fault that loses responses for push-resume tests.
#![cfg(feature = "emulator")]

#[path = "common/emulator.rs"]
mod emulator_common;
#[path = "common/tmp.rs"]
#[allow(dead_code)] // Only `new` and `path` are used here.
mod tmp;

use bytes::Bytes;
use ecrpublic::emulator::{Emulator, EmulatorOptions};
use ecrpublic::error::UploadLayerPartError;
use ecrpublic::types::ImageIdentifier;
use ecrpublic::Client;
use emulator_common::{client, create_premium, push_image, raw_request, sha256};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::connect::HttpConnector;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

type Http = hyper_util::client::legacy::Client<HttpConnector, Empty<Bytes>>;

fn http() -> Http {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

/// A response, read whole.
struct Got {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no `{name}` in {:?}", self.headers))
            .to_str()
            .expect("header is text")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The OCI error code of an error response, after checking its shape.
    fn error_code(&self) -> String {
        assert_eq!(self.header("content-type"), "application/json");
        let v = self.json();
        let e = &v["errors"][0];
        assert!(e["message"].is_string() && e.get("detail").is_some(), "{v}");
        e["code"].as_str().expect("code").to_owned()
    }
}

async fn send(http: &Http, method: &str, url: &str, headers: &[(&str, &str)]) -> Got {
    let mut request = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = http.request(request.body(Empty::new()).expect("request")).await.expect("response");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.expect("body").to_bytes();
    // Every registry response says which API it speaks.
    assert_eq!(headers.get("docker-distribution-api-version").map(|v| v.as_bytes()), Some(&b"registry/2.0"[..]));
    Got { status, headers, body }
}

async fn get(http: &Http, url: &str, token: &str) -> Got {
    send(http, "GET", url, &[("authorization", &format!("Bearer {token}"))]).await
}

/// The parameters of a `Bearer k="v",...` challenge.
fn challenge(value: &str) -> Vec<(String, String)> {
    let params = value.strip_prefix("Bearer ").unwrap_or_else(|| panic!("not a Bearer challenge: {value}"));
    let mut out = Vec::new();
    let mut rest = params;
    while let Some((key, after)) = rest.split_once("=\"") {
        let (v, tail) = after.split_once('"').expect("closing quote");
        out.push((key.trim_start_matches(',').to_owned(), v.to_owned()));
        rest = tail;
    }
    out
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// A pull token for `name`, found as a client finds it: `/v2/` challenges, the challenge names
/// the realm and service, the realm issues a token for the scope.
async fn token(http: &Http, emu: &Emulator, name: &str) -> String {
    let r = send(http, "GET", &format!("{}/v2/", emu.url()), &[]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.error_code(), "UNAUTHORIZED");
    let params = challenge(r.header("www-authenticate"));
    let realm = param(&params, "realm").expect("realm");
    let service = param(&params, "service").expect("service");
    assert_eq!(realm, format!("{}/token", emu.url()));
    assert_eq!(service, format!("127.0.0.1:{}", emu.port()));
    let scope = format!("repository:{name}:pull").replace(':', "%3A").replace('/', "%2F");
    let r = send(http, "GET", &format!("{realm}?service={service}&scope={scope}"), &[]).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["token"], v["access_token"]);
    assert!(v["expires_in"].as_u64().is_some_and(|s| s > 60), "{v}");
    v["token"].as_str().expect("token").to_owned()
}

/// Uploads `bytes` into `repo` in parts of at most `part` bytes; its digest.
async fn push_layer(c: &Client, repo: &str, bytes: &[u8], part: usize) -> String {
    let id = c.initiate_layer_upload(repo).send().await.expect("initiate").upload_id.expect("id");
    for (n, chunk) in bytes.chunks(part).enumerate() {
        let first = (n * part) as i64;
        c.upload_layer_part(repo, &id, first, first + chunk.len() as i64 - 1, chunk).send().await.expect("part");
    }
    let digest = sha256(bytes);
    c.complete_layer_upload(repo, &id, [&digest]).send().await.expect("complete");
    digest
}

fn oci_manifest(media_type: &str, config: &str, layers: &[(&str, usize)]) -> String {
    let layers: Vec<String> = layers
        .iter()
        .map(|(d, size)| {
            format!(r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{d}","size":{size}}}"#)
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{media_type}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{}]}}"#,
        layers.join(",")
    )
}

/// Puts `manifest` tagged `tag`; the digest PutImage reports.
async fn put(c: &Client, repo: &str, manifest: &str, tag: &str) -> String {
    let out = c.put_image(repo, manifest).image_tag(tag).send().await.expect("put image");
    out.image.and_then(|i| i.image_id).and_then(|i| i.image_digest).expect("digest")
}

fn small_parts() -> EmulatorOptions {
    EmulatorOptions::default().with_min_part_size(4)
}

#[tokio::test]
async fn images_pushed_through_the_api_are_pulled_over_the_registry_api() {
    let emu = Emulator::start_with(small_parts()).await.unwrap();
    let c = client(&emu);
    let http = http();
    let base = emu.url();
    c.create_repository("team/app").send().await.unwrap();
    let config = push_layer(&c, "team/app", b"{}", 64).await;
    let layer: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    // Several parts: the blob is the parts' bytes in order.
    let layer_digest = push_layer(&c, "team/app", &layer, 300).await;
    let manifest = oci_manifest(OCI_MANIFEST, &config, &[(&layer_digest, layer.len())]);
    let digest = put(&c, "team/app", &manifest, "v1").await;
    assert_eq!(digest, sha256(manifest.as_bytes()));
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}}]}}"#,
        manifest.len()
    );
    let index_digest = put(&c, "team/app", &index, "multi").await;
    let docker = oci_manifest(DOCKER_MANIFEST, &config, &[(&layer_digest, layer.len())]);
    let docker_digest = put(&c, "team/app", &docker, "docker").await;

    let t = token(&http, &emu, "team/app").await;
    let r = get(&http, &format!("{base}/v2/"), &t).await;
    assert_eq!((r.status, r.json()), (200, serde_json::json!({})));

    // A manifest by tag and by digest: the stored bytes, their digest, their media type.
    for reference in ["v1", digest.as_str()] {
        let r = get(&http, &format!("{base}/v2/team/app/manifests/{reference}"), &t).await;
        assert_eq!(r.status, 200, "{reference}");
        assert_eq!(r.body, manifest.as_bytes());
        assert_eq!(sha256(&r.body), digest);
        assert_eq!(r.header("docker-content-digest"), digest);
        assert_eq!(r.header("content-type"), OCI_MANIFEST);
        assert_eq!(r.header("content-length"), manifest.len().to_string());
        assert_eq!(r.header("etag"), format!("\"{digest}\""));
    }
    // HEAD: the same headers and no body.
    let auth = format!("Bearer {t}");
    let r = send(&http, "HEAD", &format!("{base}/v2/team/app/manifests/v1"), &[("authorization", &auth)]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(r.header("docker-content-digest"), digest);
    assert_eq!(r.header("content-type"), OCI_MANIFEST);
    assert_eq!(r.header("content-length"), manifest.len().to_string());
    // An index and a Docker manifest keep their media types; an Accept that lists neither still
    // gets the stored manifest, unconverted.
    let r = get(&http, &format!("{base}/v2/team/app/manifests/multi"), &t).await;
    assert_eq!((r.header("content-type"), r.header("docker-content-digest")), (OCI_INDEX, index_digest.as_str()));
    assert_eq!(r.body, index.as_bytes());
    let accept = [("authorization", auth.as_str()), ("accept", DOCKER_MANIFEST)];
    let r = send(&http, "GET", &format!("{base}/v2/team/app/manifests/v1"), &accept).await;
    assert_eq!((r.status, r.header("content-type")), (200, OCI_MANIFEST));
    let r = get(&http, &format!("{base}/v2/team/app/manifests/{docker_digest}"), &t).await;
    assert_eq!((r.header("content-type"), &r.body[..]), (DOCKER_MANIFEST, docker.as_bytes()));

    // Blobs, whole.
    for (d, bytes) in [(&config, &b"{}"[..]), (&layer_digest, &layer[..])] {
        let r = get(&http, &format!("{base}/v2/team/app/blobs/{d}"), &t).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body, bytes);
        assert_eq!(sha256(&r.body), *d);
        assert_eq!(r.header("docker-content-digest"), d.as_str());
        assert_eq!(r.header("content-type"), "application/octet-stream");
        assert_eq!(r.header("content-length"), bytes.len().to_string());
        assert_eq!(r.header("accept-ranges"), "bytes");
    }
    let r = send(&http, "HEAD", &format!("{base}/v2/team/app/blobs/{layer_digest}"), &[("authorization", &auth)]).await;
    assert_eq!((r.status, r.header("content-length"), r.body.len()), (200, "1000", 0));
    // Ranges.
    let blob = format!("{base}/v2/team/app/blobs/{layer_digest}");
    for (asked, first, last) in [("bytes=10-19", 10, 19), ("bytes=990-", 990, 999), ("bytes=-5", 995, 999)] {
        let r = send(&http, "GET", &blob, &[("authorization", &auth), ("range", asked)]).await;
        assert_eq!(r.status, 206, "{asked}");
        assert_eq!(r.header("content-range"), format!("bytes {first}-{last}/1000"));
        assert_eq!(r.body, layer[first..=last]);
    }
    let r = send(&http, "GET", &blob, &[("authorization", &auth), ("range", "bytes=1000-")]).await;
    assert_eq!((r.status, r.header("content-range")), (416, "bytes */1000"));
    // Several ranges: the whole blob is a valid answer.
    let r = send(&http, "GET", &blob, &[("authorization", &auth), ("range", "bytes=0-1,5-6")]).await;
    assert_eq!((r.status, r.body.len()), (200, 1000));

    // `public.ecr.aws/ALIAS/NAME` is written with the registry's alias: that path works too,
    // with a token for the name as written.
    let aliased = token(&http, &emu, "emulator/team/app").await;
    let r = get(&http, &format!("{base}/v2/emulator/team/app/manifests/v1"), &aliased).await;
    assert_eq!((r.status, &r.body[..]), (200, manifest.as_bytes()));
    emu.shutdown().await;
}

#[tokio::test]
async fn tags_list_sorted_and_paged() {
    let emu = Emulator::start_with(small_parts()).await.unwrap();
    let c = client(&emu);
    let http = http();
    c.create_repository("app").send().await.unwrap();
    let config = push_layer(&c, "app", b"{}", 64).await;
    let manifest = oci_manifest(OCI_MANIFEST, &config, &[]);
    for tag in ["v3", "latest", "v1", "v2", "beta"] {
        put(&c, "app", &manifest, tag).await;
    }
    // An untagged image adds no tag.
    c.put_image("app", oci_manifest(OCI_MANIFEST, &config, &[(&config, 2)])).send().await.unwrap();
    let t = token(&http, &emu, "app").await;
    let base = emu.url();
    let r = get(&http, &format!("{base}/v2/app/tags/list"), &t).await;
    assert_eq!(r.json(), serde_json::json!({"name": "app", "tags": ["beta", "latest", "v1", "v2", "v3"]}));
    assert!(r.headers.get("link").is_none());
    // Follow the `Link`s two at a time.
    let mut url = format!("{base}/v2/app/tags/list?n=2");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = get(&http, &url, &t).await;
        assert_eq!(r.status, 200);
        let tags = r.json()["tags"].as_array().expect("tags").clone();
        assert!(tags.len() <= 2);
        seen.extend(tags.into_iter().map(|t| t.as_str().expect("tag").to_owned()));
        pages += 1;
        let Some(link) = r.headers.get("link") else { break };
        let link = link.to_str().unwrap();
        assert!(link.ends_with(">; rel=\"next\""), "{link}");
        let path = link.strip_prefix('<').and_then(|l| l.split_once('>')).map(|(p, _)| p).expect("link target");
        assert!(path.starts_with("/v2/app/tags/list?n=2&last="), "{link}");
        url = format!("{base}{path}");
    }
    assert_eq!((seen, pages), (["beta", "latest", "v1", "v2", "v3"].map(String::from).to_vec(), 3));
    let r = get(&http, &format!("{base}/v2/app/tags/list?last=v1"), &t).await;
    assert_eq!(r.json()["tags"], serde_json::json!(["v2", "v3"]));
    let r = get(&http, &format!("{base}/v2/app/tags/list?n=many"), &t).await;
    assert_eq!(r.status, 400);
    emu.shutdown().await;
}

#[tokio::test]
async fn tokens_are_needed_and_bound_to_their_repository() {
    let emu = Emulator::start_with(small_parts()).await.unwrap();
    let c = client(&emu);
    let http = http();
    let base = emu.url();
    for repo in ["app", "other"] {
        c.create_repository(repo).send().await.unwrap();
    }
    let config = push_layer(&c, "app", b"{}", 64).await;
    put(&c, "app", &oci_manifest(OCI_MANIFEST, &config, &[]), "v1").await;
    let manifest_url = format!("{base}/v2/app/manifests/v1");

    // No token: a challenge naming the scope to ask for.
    let r = send(&http, "GET", &manifest_url, &[]).await;
    assert_eq!((r.status, r.error_code()), (401, "UNAUTHORIZED".to_owned()));
    let params = challenge(r.header("www-authenticate"));
    assert_eq!(param(&params, "scope"), Some("repository:app:pull"));
    assert_eq!(param(&params, "realm"), Some(format!("{base}/token").as_str()));
    // A token for another repository does not open this one.
    let other = token(&http, &emu, "other").await;
    let r = get(&http, &manifest_url, &other).await;
    assert_eq!(r.status, 401);
    let params = challenge(r.header("www-authenticate"));
    assert_eq!(param(&params, "error"), Some("insufficient_scope"));
    // A made-up or edited token neither.
    let r = get(&http, &manifest_url, "not-a-token").await;
    assert_eq!(r.status, 401);
    let good = token(&http, &emu, "app").await;
    let edited = format!("{}x", good);
    assert_eq!(get(&http, &manifest_url, &edited).await.status, 401);
    assert_eq!(get(&http, &manifest_url, &good).await.status, 200);
    // Tokens grant pull alone: a push scope grants nothing, pull,push grants pull.
    let push_only = send(&http, "GET", &format!("{base}/token?scope=repository%3Aapp%3Apush"), &[]).await.json();
    let push_only = push_only["token"].as_str().unwrap().to_owned();
    assert_eq!(get(&http, &manifest_url, &push_only).await.status, 401);
    let both = send(&http, "GET", &format!("{base}/token?scope=repository:app:pull,push"), &[]).await.json();
    assert_eq!(get(&http, &manifest_url, both["token"].as_str().unwrap()).await.status, 200);
    // Several scopes in one token.
    let two = send(&http, "GET", &format!("{base}/token?scope=repository:app:pull&scope=repository:other:pull"), &[])
        .await
        .json();
    let two = two["token"].as_str().unwrap().to_owned();
    assert_eq!(get(&http, &manifest_url, &two).await.status, 200);

    // A token from another emulator is refused.
    let emu2 = Emulator::start().await.unwrap();
    let foreign = token(&http, &emu2, "app").await;
    assert_eq!(get(&http, &manifest_url, &foreign).await.status, 401);
    emu2.shutdown().await;
    emu.shutdown().await;
}

#[tokio::test]
async fn errors_use_oci_codes() {
    let emu = Emulator::start_with(small_parts()).await.unwrap();
    let c = client(&emu);
    let http = http();
    let base = emu.url();
    for repo in ["app", "other"] {
        c.create_repository(repo).send().await.unwrap();
    }
    let config = push_layer(&c, "app", b"{}", 64).await;
    let only_in_app = push_layer(&c, "app", b"a layer of app", 64).await;
    put(&c, "app", &oci_manifest(OCI_MANIFEST, &config, &[(&only_in_app, 14)]), "v1").await;
    let t = token(&http, &emu, "app").await;
    let missing = sha256(b"nothing");
    for (path, status, code) in [
        ("/v2/app/manifests/v9".to_owned(), 404, "MANIFEST_UNKNOWN"),
        (format!("/v2/app/manifests/{missing}"), 404, "MANIFEST_UNKNOWN"),
        ("/v2/app/manifests/sha256:xyz".to_owned(), 400, "MANIFEST_INVALID"),
        ("/v2/app/manifests/-bad".to_owned(), 400, "MANIFEST_INVALID"),
        (format!("/v2/app/blobs/{missing}"), 404, "BLOB_UNKNOWN"),
        ("/v2/app/blobs/nodigest".to_owned(), 400, "DIGEST_INVALID"),
    ] {
        let r = get(&http, &format!("{base}{path}"), &t).await;
        assert_eq!((r.status, r.error_code()), (status, code.to_owned()), "{path}");
    }
    // Names the path gives are checked before tokens, looked up after.
    let r = get(&http, &format!("{base}/v2/App/manifests/v1"), &t).await;
    assert_eq!((r.status, r.error_code()), (400, "NAME_INVALID".to_owned()));
    let nope = token(&http, &emu, "nope").await;
    let r = get(&http, &format!("{base}/v2/nope/manifests/v1"), &nope).await;
    assert_eq!((r.status, r.error_code()), (404, "NAME_UNKNOWN".to_owned()));
    // An alias that is not the registry's does not resolve.
    let alien = token(&http, &emu, "someone/app").await;
    let r = get(&http, &format!("{base}/v2/someone/app/manifests/v1"), &alien).await;
    assert_eq!((r.status, r.error_code()), (404, "NAME_UNKNOWN".to_owned()));
    // A blob of one repository is not served from another.
    let other = token(&http, &emu, "other").await;
    let r = get(&http, &format!("{base}/v2/other/blobs/{only_in_app}"), &other).await;
    assert_eq!((r.status, r.error_code()), (404, "BLOB_UNKNOWN".to_owned()));
    assert_eq!(get(&http, &format!("{base}/v2/app/blobs/{only_in_app}"), &t).await.status, 200);
    // Writes go through the ECR Public API.
    let auth = format!("Bearer {t}");
    for (method, path) in
        [("PUT", "/v2/app/manifests/v2"), ("POST", "/v2/app/blobs/uploads/"), ("DELETE", "/v2/app/manifests/v1")]
    {
        let r = send(&http, method, &format!("{base}{path}"), &[("authorization", &auth)]).await;
        assert_eq!((r.status, r.error_code()), (405, "UNSUPPORTED".to_owned()), "{method} {path}");
    }
    // Deleted images are gone from the registry too.
    c.batch_delete_image("app", [ImageIdentifier::default().with_image_tag("v1")]).send().await.unwrap();
    let r = get(&http, &format!("{base}/v2/app/manifests/v1"), &t).await;
    assert_eq!((r.status, r.error_code()), (404, "MANIFEST_UNKNOWN".to_owned()));
    // Other paths under /v2/ are not endpoints; the awsJson API is untouched.
    assert_eq!(get(&http, &format!("{base}/v2/_catalog"), &t).await.status, 404);
    c.describe_repositories().send().await.expect("the API still answers");
    emu.shutdown().await;
}

#[tokio::test]
async fn premium_repositories_are_not_served_and_the_custom_alias_resolves() {
    let emu = Emulator::start_with(EmulatorOptions::premium_registry()).await.unwrap();
    let c = client(&emu);
    let http = http();
    let base = emu.url();
    create_premium(&c, "prem").await;
    push_image(&c, &ecrpublic::types::RepositoryType::Premium, "prem", "v1").await;
    let t = token(&http, &emu, "prem").await;
    let r = get(&http, &format!("{base}/v2/prem/manifests/v1"), &t).await;
    assert_eq!((r.status, r.error_code()), (404, "NAME_UNKNOWN".to_owned()));
    // A free repository is reached through the approved custom alias and the default one.
    c.create_repository("free").send().await.unwrap();
    push_image(&c, &ecrpublic::types::RepositoryType::Free, "free", "v1").await;
    for name in ["free", "publisher/free", "emulator/free"] {
        let t = token(&http, &emu, name).await;
        assert_eq!(get(&http, &format!("{base}/v2/{name}/manifests/v1"), &t).await.status, 200, "{name}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn the_host_check_applies_to_the_registry() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_allowed_host("registry.test")).await.unwrap();
    let port = emu.port();
    let r = raw_request(port, "GET /v2/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close", b"").await;
    assert_eq!(r.status, 421, "{}", r.head);
    assert!(r.body.contains("DENIED"), "{}", r.body);
    let r = raw_request(
        port,
        "GET /token?scope=repository:a:pull HTTP/1.1\r\nHost: evil.example\r\nConnection: close",
        b"",
    )
    .await;
    assert_eq!(r.status, 421);
    // An allowed name: the challenge sends the client back to the name it used.
    let r =
        raw_request(port, &format!("GET /v2/ HTTP/1.1\r\nHost: registry.test:{port}\r\nConnection: close"), b"").await;
    assert_eq!(r.status, 401);
    let expected = format!("Bearer realm=\"http://registry.test:{port}/token\",service=\"registry.test:{port}\"");
    assert!(
        r.head.to_ascii_lowercase().contains(&format!("www-authenticate: {}", expected.to_ascii_lowercase())),
        "{}",
        r.head
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn stored_bytes_count_layers_once() {
    let emu = Emulator::start_with(small_parts().with_max_stored_bytes(150)).await.unwrap();
    let c = client(&emu);
    for repo in ["ra", "rb", "rc"] {
        c.create_repository(repo).send().await.unwrap();
    }
    let sixty = vec![6u8; 60];
    push_layer(&c, "ra", &sixty, 60).await;
    // The same layer in a second repository is stored once (the upload holds it meanwhile).
    push_layer(&c, "rb", &sixty, 60).await;
    push_layer(&c, "rc", &[8u8; 80], 80).await;
    // 140 held: ten more bytes fit, eleven do not, whether in a part or in a manifest.
    let id = c.initiate_layer_upload("rc").send().await.unwrap().upload_id.unwrap();
    let err = c.upload_layer_part("rc", &id, 0, 10, &[1u8; 11][..]).send().await.expect_err("past the limit");
    let service = err.service_error().expect("a service error");
    assert_eq!(service.code(), "LimitExceededException", "{err}");
    assert!(service.message().unwrap_or_default().contains("150 stored bytes"), "{err}");
    c.upload_layer_part("rc", &id, 0, 9, &[1u8; 10][..]).send().await.expect("ten fit");
    let err = c
        .put_image("rc", r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#)
        .send()
        .await
        .expect_err("no room for a manifest");
    assert_eq!(err.service_error().map(|e| e.code()), Some("LimitExceededException"));
    // Deleting both repositories that held the 60 bytes frees them.
    c.delete_repository("ra").force(true).send().await.unwrap();
    let r = c.upload_layer_part("rc", &id, 10, 59, &[1u8; 50][..]).send().await;
    assert_eq!(
        r.err().and_then(|e| e.service_error().map(|s| s.code().to_owned())).as_deref(),
        Some("LimitExceededException")
    );
    c.delete_repository("rb").force(true).send().await.unwrap();
    c.upload_layer_part("rc", &id, 10, 59, &[1u8; 50][..]).send().await.expect("room again");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_lost_response_leaves_the_part_stored() {
    let emu = Emulator::start_with(small_parts()).await.unwrap();
    let c = client(&emu);
    c.create_repository("app").send().await.unwrap();
    let id = c.initiate_layer_upload("app").send().await.unwrap().upload_id.unwrap();
    c.upload_layer_part("app", &id, 0, 3, &b"abcd"[..]).send().await.expect("part 1");
    emu.lose_response_next("UploadLayerPart", 1);
    // The default emulator verifies no signatures: a raw, unsigned request is served.
    let body = serde_json::json!({
        "repositoryName": "app",
        "uploadId": id,
        "partFirstByte": 4,
        "partLastByte": 9,
        "layerPartBlob": base64_simd::STANDARD.encode_to_string(b"efghij"),
    })
    .to_string();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: SpencerFrontendService.UploadLayerPart\r\nContent-Length: {}",
        emu.port(),
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", emu.port())).await.unwrap();
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    stream.write_all(format!("{head}\r\n\r\n{body}").as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    assert!(response.is_empty(), "a response came: {}", String::from_utf8_lossy(&response));
    // The part landed: sending it again says where the upload stands.
    let err = c.upload_layer_part("app", &id, 4, 9, &b"efghij"[..]).send().await.expect_err("already there");
    match err.into_service_error() {
        Ok(UploadLayerPartError::InvalidLayerPartException(e)) => assert_eq!(e.last_valid_byte_received, Some(9)),
        other => panic!("{other:?}"),
    }
    // Only one response was lost, and the layer is whole.
    c.upload_layer_part("app", &id, 10, 11, &b"kl"[..]).send().await.expect("part 3");
    let digest = sha256(b"abcdefghijkl");
    c.complete_layer_upload("app", &id, [&digest]).send().await.expect("complete");
    // Through the client, a lost response is an error it sees (no retries in these tests).
    emu.lose_response_next("CreateRepository", 1);
    c.create_repository("lost").send().await.expect_err("no response");
    let again = c.create_repository("lost").send().await.expect_err("it was created");
    assert_eq!(again.service_error().map(|e| e.code()), Some("RepositoryAlreadyExistsException"));
    emu.shutdown().await;
}

/// `skopeo` (when installed) pulls an image and an index pushed through the API, as a user
/// would: challenge, token, manifests, blobs, digests checked on the way.
#[tokio::test]
async fn skopeo_pulls_what_was_pushed() {
    if emulator_common::skopeo().is_none() {
        eprintln!("skipping: skopeo is not installed (CI installs skopeo 1.9.3 from Debian)");
        return;
    }
    let emu = Emulator::start_with(small_parts()).await.unwrap();
    let c = client(&emu);
    c.create_repository("team/app").send().await.unwrap();
    // A gzip layer: skopeo would compress an uncompressed one on its way into an OCI layout.
    let content: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let layer = emulator_common::gzip(&content);
    let layer_digest = push_layer(&c, "team/app", &layer, 4096).await;
    let diff_id = sha256(&content);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff_id}"]}},"config":{{}}}}"#
    );
    let config_digest = push_layer(&c, "team/app", config.as_bytes(), 4096).await;
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{layer_digest}","size":{}}}]}}"#,
        config.len(),
        layer.len()
    );
    let digest = put(&c, "team/app", &manifest, "v1").await;
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}}]}}"#,
        manifest.len()
    );
    put(&c, "team/app", &index, "multi").await;

    let tmp = tmp::TempDir::new();
    let dir = tmp.path();
    let skopeo = |args: Vec<String>| async move {
        let out = tokio::process::Command::new("skopeo").args(&args).output().await.expect("run skopeo");
        assert!(out.status.success(), "skopeo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let src = |reference: &str| format!("docker://127.0.0.1:{}/{reference}", emu.port());
    let inspected =
        skopeo(vec!["inspect".into(), "--tls-verify=false".into(), "--raw".into(), src("team/app:v1")]).await;
    assert_eq!(inspected, manifest);
    for (reference, extra) in [("team/app:v1", None), ("team/app:multi", Some("--all")), ("emulator/team/app:v1", None)]
    {
        let out = dir.join(reference.replace([':', '/'], "_"));
        let mut args = vec!["copy".to_owned(), "--src-tls-verify=false".to_owned()];
        args.extend(extra.map(str::to_owned));
        args.extend([src(reference), format!("oci:{}", out.display())]);
        skopeo(args).await;
        let blob = out.join("blobs/sha256").join(layer_digest.trim_start_matches("sha256:"));
        assert_eq!(std::fs::read(&blob).expect("the layer was copied"), layer, "{reference}");
    }
    emu.shutdown().await;
}
