//! Helpers shared by the emulator's test binaries (`emulator`, `emulator_premium`,
//! `emulator_rules`, `waiters`): clients pointed at an emulator, digests, image pushes, and a
//! service-error assertion.
#![allow(dead_code)] // Each binary uses some of them.

use ecrpublic::emulator::Emulator;
use ecrpublic::types::RepositoryType;
use ecrpublic::{Client, Config, Credentials};

/// A client for `emu` signed for `region`, with no retries; `validation` off leaves the checking of
/// inputs to the service.
pub fn client_with(emu: &Emulator, region: &str, validation: bool) -> Client {
    Client::new(
        &Config::builder()
            .region(region)
            .endpoint_url(emu.url())
            .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
            .max_attempts(1)
            .validation(validation)
            .build(),
    )
}

/// A client for `emu` in `us-east-1`, checking inputs before sending.
pub fn client(emu: &Emulator) -> Client {
    client_with(emu, "us-east-1", true)
}

/// A client that leaves the checking of inputs to the service.
pub fn unchecked(emu: &Emulator) -> Client {
    client_with(emu, "us-east-1", false)
}

/// `sha256:<hex>` of `bytes`, as image and layer digests are written.
pub fn sha256(bytes: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    format!("sha256:{}", d.as_ref().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The call must fail with this service error code; returns the error.
#[macro_export]
macro_rules! expect_code {
    ($call:expr, $code:expr) => {{
        let err = $call.await.expect_err(concat!("expected ", $code));
        match err.service_error() {
            Some(e) => assert_eq!(e.code(), $code, "{e}"),
            None => panic!("expected {}, got {err:?}", $code),
        }
        err
    }};
}

/// A response read off the wire by [`raw_request`].
pub struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// Sends `head` (the request line and headers, without the blank line) and `body` over a fresh
/// connection to 127.0.0.1:`port`, and reads the response to the end.
pub async fn raw_request(port: u16, head: &str, body: &[u8]) -> RawResponse {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    stream.write_all(format!("{head}\r\n\r\n").as_bytes()).await.expect("write");
    // The server may answer and close before reading all of a body it refuses.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8(response).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    RawResponse { status, head: head.to_owned(), body: body.to_owned() }
}

/// Uploads `bytes` as one layer of the repository `kind`/`repo`; its digest.
pub async fn push_layer(c: &Client, kind: &RepositoryType, repo: &str, bytes: &[u8]) -> String {
    let up = c.initiate_layer_upload(repo).repository_type(kind.clone()).send().await.expect("initiate");
    let id = up.upload_id.expect("upload id");
    let part = c
        .upload_layer_part(repo, &id, 0, bytes.len() as i64 - 1, bytes)
        .repository_type(kind.clone())
        .send()
        .await
        .expect("part");
    assert_eq!(part.repository_type.as_ref(), Some(kind));
    let digest = sha256(bytes);
    let done = c.complete_layer_upload(repo, &id, [&digest]).repository_type(kind.clone()).send().await.expect("done");
    assert_eq!((done.layer_digest.as_deref(), done.repository_type.as_ref()), (Some(digest.as_str()), Some(kind)));
    digest
}

pub fn manifest(config: &str, layer: &str, note: &str) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{layer}","size":1}}],"annotations":{{"note":"{note}"}}}}"#
    )
}

/// Pushes an image (its config and one layer) tagged `tag` into `kind`/`repo`; its digest.
pub async fn push_image(c: &Client, kind: &RepositoryType, repo: &str, tag: &str) -> String {
    let config = push_layer(c, kind, repo, format!("config of {tag}").as_bytes()).await;
    let layer = push_layer(c, kind, repo, format!("layer of {tag}").as_bytes()).await;
    let out = c
        .put_image(repo, manifest(&config, &layer, tag))
        .image_tag(tag)
        .repository_type(kind.clone())
        .send()
        .await
        .expect("put image");
    let image = out.image.expect("image");
    assert_eq!(image.repository_type.as_ref(), Some(kind));
    image.image_id.and_then(|i| i.image_digest).expect("digest")
}

pub async fn create_premium(c: &Client, name: &str) {
    c.create_premium_repository(name, ["prod-1"]).send().await.expect("create premium");
}

/// `data` as a gzip stream (stored blocks: quick in debug builds), as image layers are.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    gz.write_all(data).expect("gzip into memory");
    gz.finish().expect("gzip into memory")
}

/// skopeo, where installed (CI installs a pinned one). With `ECRPUBLIC_REQUIRE_SKOPEO` set, its
/// absence fails the test instead of skipping it.
pub fn skopeo() -> Option<String> {
    let found = std::process::Command::new("skopeo").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("ECRPUBLIC_REQUIRE_SKOPEO").is_some() {
        panic!("skopeo is not installed, and ECRPUBLIC_REQUIRE_SKOPEO is set");
    }
    found.then(|| "skopeo".to_owned())
}
