//! `Client::push_image` end to end against the emulator: layouts and tarballs made here, pushed
//! through the service's API, and checked through the API (and, with skopeo, pulled back).
#![cfg(all(feature = "push", feature = "emulator"))]

#[path = "common/emulator.rs"]
mod emulator_common;
#[path = "common/tmp.rs"]
#[allow(dead_code)]
mod tmp;

use std::path::Path;
use std::sync::{Arc, Mutex};

use ecrpublic::emulator::{Emulator, EmulatorOptions};
use ecrpublic::push::{media, PushError, PushProgress, Stage};
use ecrpublic::types::{ImageIdentifier, LayerAvailability};
use ecrpublic::Client;
use emulator_common::{gzip, sha256, skopeo};
use serde_json::{json, Value};
use tmp::TempDir;

/// Deterministic bytes that do not compress: a layer's stand-in.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// An OCI image layout being written in a temporary directory.
struct Layout {
    dir: TempDir,
}

impl Layout {
    fn new() -> Layout {
        let dir = TempDir::new();
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).expect("blobs dir");
        dir.write("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#);
        Layout { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Stores a blob; its descriptor.
    fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let digest = sha256(bytes);
        let hex = digest.trim_start_matches("sha256:");
        std::fs::write(self.path().join("blobs/sha256").join(hex), bytes).expect("write blob");
        json!({ "mediaType": media_type, "digest": digest, "size": bytes.len() })
    }

    /// Stores an image of gzip layers of `layers` and a config that lists their diff ids; the
    /// manifest's descriptor.
    fn image(&self, arch: &str, layers: &[Vec<u8>]) -> Value {
        let diff_ids: Vec<String> = layers.iter().map(|l| sha256(l)).collect();
        let config =
            json!({ "architecture": arch, "os": "linux", "rootfs": { "type": "layers", "diff_ids": diff_ids } });
        let config = self.blob(media::OCI_CONFIG, config.to_string().as_bytes());
        let layers: Vec<Value> = layers.iter().map(|l| self.blob(media::OCI_LAYER_GZIP, &gzip(l))).collect();
        let manifest =
            json!({ "schemaVersion": 2, "mediaType": media::OCI_MANIFEST, "config": config, "layers": layers });
        let mut d = self.blob(media::OCI_MANIFEST, manifest.to_string().as_bytes());
        d["platform"] = json!({ "architecture": arch, "os": "linux" });
        d
    }

    fn index(&self, manifests: Vec<Value>) {
        let index = json!({ "schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": manifests });
        self.dir.write("index.json", index.to_string());
    }

    fn blob_path(&self, digest: &str) -> std::path::PathBuf {
        self.path().join("blobs/sha256").join(digest.trim_start_matches("sha256:"))
    }
}

/// A one-image layout with a 12 MiB layer (two parts at the emulator's 10 MiB part size) and
/// two small ones.
fn three_layer_image() -> (Layout, Value) {
    let layout = Layout::new();
    let image = layout.image("amd64", &[noise(1, 12 << 20), noise(2, 300_000), noise(3, 4_000)]);
    layout.index(vec![image.clone()]);
    (layout, image)
}

async fn emulator() -> Emulator {
    Emulator::start_with(EmulatorOptions { min_part_size: 1, ..EmulatorOptions::default() }).await.expect("emulator")
}

async fn repository(emu: &Emulator, name: &str) -> Client {
    let client = emulator_common::client(emu);
    client.create_repository(name).send().await.expect("create repository");
    client
}

/// The blobs of `manifest` (config first) the repository reports available.
async fn available(client: &Client, repo: &str, digests: &[String]) -> Vec<String> {
    let out = client.batch_check_layer_availability(repo, digests.iter().cloned()).send().await.expect("check");
    out.layers
        .into_iter()
        .filter(|l| l.layer_availability == Some(LayerAvailability::Available))
        .filter_map(|l| l.layer_digest)
        .collect()
}

fn blob_digests(layout: &Layout, manifest: &Value) -> Vec<String> {
    let text = std::fs::read(layout.blob_path(manifest["digest"].as_str().expect("digest"))).expect("manifest");
    let m: Value = serde_json::from_slice(&text).expect("manifest json");
    std::iter::once(&m["config"])
        .chain(m["layers"].as_array().expect("layers"))
        .map(|d| d["digest"].as_str().expect("digest").to_owned())
        .collect()
}

#[tokio::test]
async fn pushes_a_layout_and_a_second_push_skips_every_blob() {
    let emu = emulator().await;
    let client = repository(&emu, "app").await;
    let (layout, image) = three_layer_image();
    let events = Arc::new(Mutex::new(Vec::<PushProgress>::new()));
    let seen = events.clone();
    let summary = client
        .push_image(layout.path(), "app")
        .tag("1.0")
        .tag("latest")
        .on_progress(move |p| seen.lock().unwrap().push(p.clone()))
        .send()
        .await
        .expect("push");
    let digests = blob_digests(&layout, &image);
    assert_eq!(summary.image_digest, image["digest"].as_str().unwrap());
    assert_eq!(summary.media_type, media::OCI_MANIFEST);
    assert_eq!(summary.uploaded.iter().map(|b| b.digest.clone()).collect::<Vec<_>>(), digests);
    assert!(summary.skipped.is_empty());
    let total: u64 = summary.uploaded.iter().map(|b| b.size).sum();
    assert_eq!(summary.bytes_sent, total, "each byte once");
    assert_eq!(summary.parts_resent, 0);
    assert_eq!(summary.manifests.len(), 1);
    assert!(!summary.manifests[0].already_present);
    // What the service holds: every blob, and the image under both tags.
    assert_eq!(available(&client, "app", &digests).await.len(), digests.len());
    for tag in ["1.0", "latest"] {
        let out = client
            .describe_images("app")
            .image_ids([ImageIdentifier::default().with_image_tag(tag)])
            .send()
            .await
            .expect("describe");
        assert_eq!(out.image_details[0].image_digest.as_deref(), Some(summary.image_digest.as_str()));
        assert_eq!(out.image_details[0].image_manifest_media_type.as_deref(), Some(media::OCI_MANIFEST));
    }
    // Progress: the 12 MiB layer came in two parts, and the overall count reached the total.
    {
        let events = events.lock().unwrap();
        let big = &digests[1];
        let parts: Vec<u64> =
            events.iter().filter(|p| &p.digest == big && p.stage == Stage::Part).map(|p| p.blob_done).collect();
        assert_eq!(parts, [10 << 20, summary.uploaded[1].size]);
        assert!(summary.uploaded[1].size > 12 << 20);
        let last = events.iter().filter(|p| p.stage == Stage::Uploaded).count();
        assert_eq!(last, digests.len());
        assert!(events.iter().all(|p| p.total == total && p.done <= total));
        assert_eq!(events.iter().map(|p| p.done).max(), Some(total));
    }

    // Again: nothing to upload, and the manifest is already there under both tags.
    let again = client.push_image(layout.path(), "app").tag("1.0").tag("latest").send().await.expect("second push");
    assert!(again.uploaded.is_empty());
    assert_eq!(again.skipped.len(), digests.len());
    assert_eq!(again.bytes_sent, 0);
    assert!(again.manifests[0].already_present);
    assert_eq!(again.image_digest, summary.image_digest);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_upload_with_lost_answers_and_server_errors_resumes_and_completes() {
    let emu = emulator().await;
    let client = repository(&emu, "app").await;
    let (layout, image) = three_layer_image();
    // The first part lands but its answer is lost; then the service fails twice.
    emu.lose_response_next("UploadLayerPart", 1);
    emu.fail_next("CompleteLayerUpload", "ServerException", 1);
    let summary = client.push_image(layout.path(), "app").tag("1.0").concurrency(1).send().await.expect("push");
    assert!(summary.parts_resent >= 1, "a part was sent again: {summary:?}");
    let digests = blob_digests(&layout, &image);
    assert_eq!(available(&client, "app", &digests).await.len(), digests.len());
    // The service checked every blob's digest as it completed, so what it holds is whole.
    let out = client.describe_images("app").send().await.expect("describe");
    assert_eq!(out.image_details[0].image_digest.as_deref(), image["digest"].as_str());

    // Server errors on parts, past what the client's own retries absorb (it has one attempt).
    let (layout, image) = three_layer_image();
    let fresh = emulator().await;
    let client = repository(&fresh, "app").await;
    fresh.fail_next("UploadLayerPart", "ServerException", 3);
    let summary = client.push_image(layout.path(), "app").tag("1.0").concurrency(1).send().await.expect("push");
    assert_eq!(summary.parts_resent, 3);
    assert_eq!(available(&client, "app", &blob_digests(&layout, &image)).await.len(), 4);
    emu.shutdown().await;
    fresh.shutdown().await;
}

#[tokio::test]
async fn a_failure_that_persists_is_a_typed_error_and_puts_no_manifest() {
    let emu = emulator().await;
    let client = repository(&emu, "app").await;
    let (layout, _) = three_layer_image();
    emu.fail_next("UploadLayerPart", "ServerException", 100);
    let err = client.push_image(layout.path(), "app").tag("1.0").concurrency(1).send().await.unwrap_err();
    match &err {
        PushError::Service { operation, digest, .. } => {
            assert_eq!(*operation, "UploadLayerPart");
            assert!(digest.is_some());
        }
        other => panic!("expected a service error, got {other:?}"),
    }
    assert!(err.to_string().starts_with("UploadLayerPart of sha256:"), "{err}");
    let out = client.describe_images("app").send().await.expect("describe");
    assert!(out.image_details.is_empty(), "no manifest without its blobs");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_corrupt_blob_is_refused_before_anything_is_sent() {
    let emu = emulator().await;
    let client = repository(&emu, "app").await;
    let (layout, image) = three_layer_image();
    let digests = blob_digests(&layout, &image);
    // One byte of the last layer changes.
    let path = layout.blob_path(&digests[3]);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let err = client.push_image(layout.path(), "app").tag("1.0").send().await.unwrap_err();
    match &err {
        PushError::Corrupt { digest, problem } => {
            assert_eq!(digest, &digests[3]);
            assert!(problem.contains(&sha256(&bytes)), "{problem}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert!(available(&client, "app", &digests).await.is_empty(), "no blob left the machine");

    // A blob of the wrong size is refused the same way.
    let (layout, image) = three_layer_image();
    let digests = blob_digests(&layout, &image);
    let path = layout.blob_path(&digests[2]);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.push(0);
    std::fs::write(&path, &bytes).unwrap();
    let err = client.push_image(layout.path(), "app").send().await.unwrap_err();
    assert!(matches!(&err, PushError::Corrupt { problem, .. } if problem.contains("bytes where its descriptor says")));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_multi_platform_layout_is_pushed_whole() {
    let emu = emulator().await;
    let client = repository(&emu, "multi").await;
    let layout = Layout::new();
    // The two platforms share a layer, which goes up once.
    let shared = noise(9, 50_000);
    let amd = layout.image("amd64", &[shared.clone(), noise(10, 20_000)]);
    let arm = layout.image("arm64", &[shared, noise(11, 20_000)]);
    let index = json!({ "schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": [amd, arm] });
    let index_desc = layout.blob(media::OCI_INDEX, index.to_string().as_bytes());
    layout.index(vec![index_desc.clone()]);
    let summary = client.push_image(layout.path(), "multi").tag("v2").send().await.expect("push");
    assert_eq!(summary.image_digest, index_desc["digest"].as_str().unwrap());
    assert_eq!(summary.media_type, media::OCI_INDEX);
    assert_eq!(summary.uploaded.len(), 5, "2 configs, 3 distinct layers: {:?}", summary.uploaded);
    let kinds: Vec<(&str, usize)> = summary.manifests.iter().map(|m| (m.media_type.as_str(), m.tags.len())).collect();
    assert_eq!(kinds, [(media::OCI_MANIFEST, 0), (media::OCI_MANIFEST, 0), (media::OCI_INDEX, 1)]);
    let out = client.describe_images("multi").send().await.expect("describe");
    let mut digests: Vec<String> = out.image_details.iter().filter_map(|d| d.image_digest.clone()).collect();
    digests.sort();
    let mut expected: Vec<String> =
        [&amd, &arm, &index_desc].iter().map(|d| d["digest"].as_str().unwrap().to_owned()).collect();
    expected.sort();
    assert_eq!(digests, expected);

    // A layout whose index.json lists the platforms itself is pushed as that index.
    let flat = Layout::new();
    let a = flat.image("amd64", &[noise(12, 1_000)]);
    let b = flat.image("arm64", &[noise(13, 1_000)]);
    flat.index(vec![a, b]);
    let summary = client.push_image(flat.path(), "multi").tag("flat").send().await.expect("push flat");
    assert_eq!(summary.media_type, media::OCI_INDEX);
    let index_text = std::fs::read(flat.path().join("index.json")).unwrap();
    assert_eq!(summary.image_digest, sha256(&index_text));
    emu.shutdown().await;
}

/// A classic `docker save` tarball: `manifest.json`, a config and `layer.tar`s.
fn docker_save(dir: &TempDir, layers: &[Vec<u8>]) -> (std::path::PathBuf, Vec<String>) {
    let path = dir.path().join("image.tar");
    let mut tar = tar::Builder::new(std::fs::File::create(&path).unwrap());
    let mut add = |name: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes).unwrap();
    };
    let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_name = format!("{}.json", sha256(config).trim_start_matches("sha256:"));
    add(&config_name, config);
    let mut names = Vec::new();
    let mut digests = vec![sha256(config)];
    for (n, layer) in layers.iter().enumerate() {
        let name = format!("layer{n}/layer.tar");
        add(&name, layer);
        names.push(name);
        digests.push(sha256(layer));
    }
    let manifest = json!([{ "Config": config_name, "RepoTags": ["app:saved"], "Layers": names }]);
    add("manifest.json", manifest.to_string().as_bytes());
    tar.finish().unwrap();
    (path, digests)
}

#[tokio::test]
async fn a_docker_save_tarball_is_pushed_as_an_oci_image() {
    let emu = emulator().await;
    let client = repository(&emu, "app").await;
    let dir = TempDir::new();
    let (tarball, digests) = docker_save(&dir, &[noise(20, 3_000), noise(21, 70_000)]);
    let summary = client.push_image(&tarball, "app").tag("saved").send().await.expect("push tarball");
    assert_eq!(summary.uploaded.iter().map(|b| b.digest.clone()).collect::<Vec<_>>(), digests);
    assert_eq!(summary.media_type, media::OCI_MANIFEST);
    assert_eq!(available(&client, "app", &digests).await.len(), 3);
    // An OCI layout in a tar (as `docker save` writes since Docker 25) is the same image.
    let (layout, image) = three_layer_image();
    let layout_tar = dir.path().join("layout.tar");
    let mut tar = tar::Builder::new(std::fs::File::create(&layout_tar).unwrap());
    tar.append_dir_all(".", layout.path()).unwrap();
    tar.finish().unwrap();
    drop(tar);
    let from_tar = client.push_image(&layout_tar, "app").tag("layout").send().await.expect("push layout tar");
    assert_eq!(from_tar.image_digest, image["digest"].as_str().unwrap());
    assert_eq!(from_tar.uploaded.len(), 4);
    // A reference that is not in it names what is.
    let err = client.push_image(&tarball, "app").reference("app:other").send().await.unwrap_err();
    assert!(err.to_string().contains("app:saved"), "{err}");
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_sources_and_options_are_typed_errors() {
    let emu = emulator().await;
    let client = repository(&emu, "app").await;
    let dir = TempDir::new();
    let err = client.push_image(dir.path().join("absent"), "app").send().await.unwrap_err();
    assert!(matches!(err, PushError::Source { .. }), "{err:?}");
    let err = client.push_image(dir.path(), "app").send().await.unwrap_err();
    assert!(err.to_string().contains("neither an OCI image layout"), "{err}");
    let not_tar = dir.write("junk.tar", b"this is not a tarball at all");
    assert!(matches!(client.push_image(&not_tar, "app").send().await, Err(PushError::Source { .. })));
    let layout = Layout::new();
    layout.dir.write("index.json", "{ not json");
    let err = client.push_image(layout.path(), "app").send().await.unwrap_err();
    assert!(err.to_string().contains("`index.json` is not JSON"), "{err}");
    let (layout, image) = three_layer_image();
    std::fs::remove_file(layout.blob_path(&blob_digests(&layout, &image)[0])).unwrap();
    let err = client.push_image(layout.path(), "app").send().await.unwrap_err();
    assert!(err.to_string().contains("blobs/sha256/"), "{err}");
    let (layout, _) = three_layer_image();
    assert!(matches!(client.push_image(layout.path(), "app").concurrency(0).send().await, Err(PushError::Options(_))));
    assert!(matches!(client.push_image(layout.path(), "app").tag("").send().await, Err(PushError::Options(_))));
    // A repository that does not exist: the service's error, typed.
    let err = client.push_image(layout.path(), "nope").send().await.unwrap_err();
    assert!(matches!(&err, PushError::Service { operation: "BatchCheckLayerAvailability", .. }), "{err:?}");
    emu.shutdown().await;
}

/// Counts `UploadLayerPart` requests on the wire at once.
#[derive(Default)]
struct InFlight {
    now: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
}

struct CountParts(Arc<InFlight>);

impl ecrpublic::interceptor::Interceptor for CountParts {
    fn before_transmit(
        &self,
        ctx: &ecrpublic::interceptor::TransmitContext<'_>,
    ) -> Result<(), ecrpublic::interceptor::BoxError> {
        use std::sync::atomic::Ordering;
        if ctx.operation() == "UploadLayerPart" {
            let now = self.0.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.0.most.fetch_max(now, Ordering::SeqCst);
        }
        Ok(())
    }

    fn after_attempt(&self, ctx: &ecrpublic::interceptor::AttemptContext<'_>) {
        if ctx.operation() == "UploadLayerPart" {
            self.0.now.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

#[tokio::test]
async fn uploads_are_bounded_by_the_concurrency() {
    let emu = emulator().await;
    repository(&emu, "app").await;
    let counts = Arc::new(InFlight::default());
    let config = ecrpublic::Config::builder()
        .region("us-east-1")
        .endpoint_url(emu.url())
        .credentials(ecrpublic::Credentials::new("AKID", "SECRET", None, None, "test"))
        .interceptor(CountParts(counts.clone()))
        .build();
    let client = Client::new(&config);
    let layout = Layout::new();
    let layers: Vec<Vec<u8>> = (0..8).map(|n| noise(30 + n, 200_000)).collect();
    let image = layout.image("amd64", &layers);
    layout.index(vec![image]);
    let summary = client.push_image(layout.path(), "app").concurrency(2).send().await.expect("push");
    assert_eq!(summary.uploaded.len(), 9);
    let most = counts.most.load(std::sync::atomic::Ordering::SeqCst);
    assert!((1..=2).contains(&most), "{most} parts in flight at once");
    emu.shutdown().await;
}

/// `skopeo copy` from the emulator's pull registry into an OCI layout at `dest`.
async fn skopeo_copy(skopeo: &str, emu: &Emulator, reference: &str, dest: &Path, all: bool) {
    let mut cmd = tokio::process::Command::new(skopeo);
    cmd.args(["--insecure-policy", "copy", "--src-tls-verify=false", "--src-no-creds"]);
    if all {
        cmd.arg("--all");
    }
    cmd.arg(format!("docker://127.0.0.1:{}/{reference}", emu.port()));
    cmd.arg(format!("oci:{}:{}", dest.display(), reference.rsplit(':').next().unwrap_or("latest")));
    cmd.kill_on_drop(true);
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), cmd.output())
        .await
        .expect("skopeo finished within 2 minutes")
        .expect("skopeo ran");
    assert!(
        out.status.success(),
        "skopeo copy failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The blobs of a layout, by file name, each checked against its name.
fn layout_blobs(dir: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(dir.join("blobs/sha256"))
        .expect("blobs")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            let digest = sha256(&std::fs::read(e.path()).expect("blob"));
            assert_eq!(digest, format!("sha256:{name}"), "a blob's content matches its name");
            name
        })
        .collect()
}

#[tokio::test]
async fn skopeo_pulls_back_what_was_pushed_with_identical_digests() {
    let Some(skopeo) = skopeo() else {
        eprintln!("skipping: skopeo is not installed (CI installs skopeo 1.9.3 from Debian)");
        return;
    };
    let emu = emulator().await;
    let client = repository(&emu, "app").await;
    let (layout, _) = three_layer_image();
    let summary = client.push_image(layout.path(), "app").tag("1.0").send().await.expect("push");
    let out = TempDir::new();
    skopeo_copy(&skopeo, &emu, "app:1.0", &out.path().join("copy"), false).await;
    let copied: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("copy/index.json")).expect("index.json")).unwrap();
    assert_eq!(copied["manifests"][0]["digest"].as_str(), Some(summary.image_digest.as_str()));
    assert_eq!(layout_blobs(&out.path().join("copy")), layout_blobs(layout.path()));

    // A multi-platform image, every platform.
    let multi = Layout::new();
    let amd = multi.image("amd64", &[noise(40, 30_000)]);
    let arm = multi.image("arm64", &[noise(41, 30_000)]);
    let index = json!({ "schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": [amd, arm] });
    let index_desc = multi.blob(media::OCI_INDEX, index.to_string().as_bytes());
    multi.index(vec![index_desc.clone()]);
    let summary = client.push_image(multi.path(), "app").tag("multi").send().await.expect("push index");
    skopeo_copy(&skopeo, &emu, "app:multi", &out.path().join("multi"), true).await;
    let copied: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("multi/index.json")).expect("index.json")).unwrap();
    assert_eq!(copied["manifests"][0]["digest"].as_str(), Some(summary.image_digest.as_str()));
    assert_eq!(layout_blobs(&out.path().join("multi")), layout_blobs(multi.path()));
    emu.shutdown().await;
}
