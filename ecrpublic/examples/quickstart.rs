//! A tour of the client: push an image to a public repository and clean up after it.
//!
//! ```text
//! cargo run -p ecrpublic --example quickstart --features emulator
//! cargo run -p ecrpublic --example quickstart --features emulator -- --endpoint URL
//! ```
//!
//! With no arguments it starts the embedded emulator (no AWS account or credentials needed).
//! With `--endpoint URL` it runs the same steps against that endpoint, with the region and
//! credentials from the environment (`AWS_REGION`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`, ...).

use std::error::Error;
use std::process::ExitCode;

use ecrpublic::emulator::{Emulator, EmulatorOptions};
use ecrpublic::error::DescribeRepositoriesError;
use ecrpublic::types::{ImageIdentifier, LayerAvailability, RepositoryCatalogDataInput, Tag};
use ecrpublic::{Client, Config, Credentials};

const USAGE: &str = "usage: quickstart [--endpoint URL]

Creates a public repository with catalog data and tags, uploads a layer in parts and a config
blob, pushes an image manifest, pages through images and repositories, gets an authorization
token, shows a modeled error, and deletes what it made.

  (no arguments)    run against an embedded emulator; no AWS account or credentials needed
  --endpoint URL    run against URL, with region and credentials from the environment
                    (region defaults to us-east-1)
  -h, --help        show this help";

/// Every part of a layer upload but the last must be at least this big (the service's minimum).
const PART_SIZE: usize = 5 * 1024 * 1024;
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

type BoxError = Box<dyn Error>;

enum Target {
    Emulator,
    Endpoint(String),
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Target>, String> {
    let mut target = Target::Emulator;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--endpoint" => {
                let url = args.next().ok_or("--endpoint needs a URL")?;
                target = Target::Endpoint(url);
            }
            other => match other.strip_prefix("--endpoint=") {
                Some(url) => target = Target::Endpoint(url.to_owned()),
                None => return Err(format!("unknown argument `{other}`")),
            },
        }
    }
    if let Target::Endpoint(url) = &target {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("--endpoint `{url}` is not an http:// or https:// URL"));
        }
    }
    Ok(Some(target))
}

#[tokio::main]
async fn main() -> ExitCode {
    let target = match parse_args(std::env::args().skip(1)) {
        Ok(Some(target)) => target,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(target).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nquickstart failed: {e}");
            // Causes, leaving out those whose text the message already has.
            let mut shown = e.to_string();
            let mut source = e.source();
            while let Some(cause) = source {
                let text = cause.to_string();
                if !shown.contains(&text) {
                    eprintln!("  caused by: {text}");
                    shown = text;
                }
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(target: Target) -> Result<(), BoxError> {
    let (client, emulator) = match target {
        Target::Emulator => {
            // The emulator verifies signatures against this key pair, and enforces the
            // service's minimum part size, so the steps below are the ones the service takes.
            let options = EmulatorOptions::default()
                .with_credentials("AKIDQUICKSTART", "quickstart-secret")
                .with_min_part_size(PART_SIZE as u64);
            let emulator = Emulator::start_with(options).await?;
            println!("Started the embedded ECR Public emulator at {} (no AWS account needed)", emulator.url());
            let config = Config::builder()
                .region("us-east-1")
                .endpoint_url(emulator.url())
                .credentials(Credentials::new("AKIDQUICKSTART", "quickstart-secret", None, None, "quickstart"))
                .build();
            (Client::new(&config), Some(emulator))
        }
        Target::Endpoint(url) => {
            let config = Config::from_env().await;
            let region = config.region().unwrap_or("us-east-1").to_owned();
            println!("Using {url} (region {region}) with credentials from the environment");
            (Client::new(&config.to_builder().region(region).endpoint_url(url).build()), None)
        }
    };

    let repo = format!("ecrpublic-quickstart-{}", std::process::id());
    let result = workflow(&client, &repo).await;
    if result.is_err() {
        // Leave nothing behind on a real registry: remove the repository and any images in it.
        let _ = client.delete_repository(&repo).force(true).send().await;
    }
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    result
}

/// Prints a step heading.
fn step(n: u32, title: &str) {
    println!("\n[{n}] {title}");
}

async fn workflow(client: &Client, repo: &str) -> Result<(), BoxError> {
    step(1, "CreateRepository with catalog data and tags");
    let catalog = RepositoryCatalogDataInput::default()
        .with_description("Hello-world image pushed by the ecrpublic quickstart")
        .with_architectures(["x86-64", "ARM 64"])
        .with_operating_systems(["Linux"])
        .with_about_text("# quickstart\nAn image made by `examples/quickstart.rs` of the ecrpublic crate.")
        .with_usage_text("Nothing to run: the image holds two files.");
    let tags = [
        Tag::default().with_key("project").with_value("ecrpublic"),
        Tag::default().with_key("purpose").with_value("quickstart"),
    ];
    let created = client.create_repository(repo).catalog_data(catalog).tags(tags).send().await?;
    let repository = created.repository.ok_or("CreateRepository returned no repository")?;
    println!("    repository created: {}", repository.repository_name.as_deref().unwrap_or(repo));
    println!("    uri:        {}", repository.repository_uri.as_deref().unwrap_or("-"));
    println!("    arn:        {}", repository.repository_arn.as_deref().unwrap_or("-"));
    if let Some(at) = repository.created_at {
        println!("    created at: {at}");
    }
    if let Some(c) = &created.catalog_data {
        println!(
            "    catalog:    {:?}, {:?} on {:?}",
            c.description.as_deref().unwrap_or(""),
            c.architectures,
            c.operating_systems
        );
    }
    if let Some(arn) = &repository.repository_arn {
        let listed = client.list_tags_for_resource(arn).send().await?;
        let tags: Vec<String> = listed
            .tags
            .iter()
            .map(|t| format!("{}={}", t.key.as_deref().unwrap_or(""), t.value.as_deref().unwrap_or("")))
            .collect();
        println!("    tags:       {}", tags.join(", "));
    }

    step(2, "Upload a layer in parts (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload)");
    let layer = layer_tar();
    let layer_digest = sha256_digest(&layer);
    let check = client.batch_check_layer_availability(repo, [&layer_digest]).send().await?;
    let present = check.layers.iter().any(|l| l.layer_availability == Some(LayerAvailability::Available));
    println!("    BatchCheckLayerAvailability: {}", if present { "already there" } else { "not there yet" });
    upload_blob(client, repo, &layer, &layer_digest).await?;
    println!("    layer uploaded: {layer_digest} ({} bytes)", layer.len());

    step(3, "Upload the image config blob");
    let config = image_config(&layer_digest);
    let config_digest = sha256_digest(config.as_bytes());
    upload_blob(client, repo, config.as_bytes(), &config_digest).await?;
    println!("    config uploaded: {config_digest} ({} bytes)", config.len());

    step(4, "PutImage: two manifests referencing the config and the layer");
    let mut pushed = Vec::new();
    for (tag, version) in [("v1", "1.0.0"), ("latest", "1.1.0")] {
        let manifest = image_manifest(&config_digest, config.len(), &layer_digest, layer.len(), version);
        let out =
            client.put_image(repo, manifest).image_tag(tag).image_manifest_media_type(OCI_MANIFEST).send().await?;
        let digest =
            out.image.and_then(|i| i.image_id).and_then(|id| id.image_digest).ok_or("PutImage returned no digest")?;
        println!("    image pushed: {repo}:{tag} = {digest}");
        pushed.push(digest);
    }

    step(5, "Page through images and repositories (paginators, one result per page)");
    let mut pages = client.describe_images(repo).into_paginator().page_size(1);
    let mut n = 0;
    while let Some(page) = pages.next().await {
        let page = page?;
        n += 1;
        for image in &page.image_details {
            println!(
                "    DescribeImages page {n}: {} tags {:?}, {} bytes, pushed {}",
                image.image_digest.as_deref().unwrap_or("-"),
                image.image_tags,
                image.image_size_in_bytes.unwrap_or(0),
                image.image_pushed_at.map(|t| t.to_string()).unwrap_or_default()
            );
        }
    }
    println!("    images: {n} pages");
    let mut tags = client.describe_image_tags(repo).into_paginator().page_size(1).items();
    while let Some(tag) = tags.next().await {
        let tag = tag?;
        let digest = tag.image_detail.and_then(|d| d.image_digest).unwrap_or_default();
        println!("    DescribeImageTags item: {} -> {digest}", tag.image_tag.unwrap_or_default());
    }
    let mut repos = client.describe_repositories().into_paginator().page_size(1).items();
    let mut count = 0;
    while let Some(r) = repos.next().await {
        let r = r?;
        count += 1;
        if count <= 10 {
            println!("    DescribeRepositories item: {}", r.repository_uri.as_deref().unwrap_or("-"));
        }
    }
    println!("    repositories: {count} in the registry");

    step(6, "GetAuthorizationToken (the token itself is a secret and is not printed)");
    let auth = client.get_authorization_token().send().await?;
    let data = auth.authorization_data.ok_or("GetAuthorizationToken returned no authorization data")?;
    let length = data.authorization_token.as_deref().map_or(0, str::len);
    match data.expires_at {
        Some(at) => println!("    token received ({length} characters), expires at {at}"),
        None => println!("    token received ({length} characters), no expiry given"),
    }

    step(7, "A modeled error: describe a repository that does not exist");
    let missing = format!("{repo}-missing");
    match client.describe_repositories().repository_names([&missing]).send().await {
        Err(ecrpublic::SdkError::Service(DescribeRepositoriesError::RepositoryNotFoundException(e))) => {
            println!("    got the expected error: {e}");
        }
        Err(other) => return Err(other.into()),
        Ok(_) => return Err(format!("repository {missing} unexpectedly exists").into()),
    }

    step(8, "Clean up: BatchDeleteImage, then DeleteRepository");
    let ids: Vec<ImageIdentifier> = pushed.iter().map(|d| ImageIdentifier::default().with_image_digest(d)).collect();
    let deleted = client.batch_delete_image(repo, ids).send().await?;
    if let Some(f) = deleted.failures.first() {
        return Err(format!(
            "BatchDeleteImage failed for {:?}: {}",
            f.image_id,
            f.failure_reason.as_deref().unwrap_or("no reason given")
        )
        .into());
    }
    println!("    images deleted: {}", deleted.image_ids.len());
    client.delete_repository(repo).send().await?;
    println!("    repository deleted: {repo}");
    println!("\nDone.");
    Ok(())
}

/// Uploads `blob` as a layer: the parts are `PART_SIZE` bytes except the last.
async fn upload_blob(client: &Client, repo: &str, blob: &[u8], digest: &str) -> Result<(), BoxError> {
    let started = client.initiate_layer_upload(repo).send().await?;
    let upload_id = started.upload_id.ok_or("InitiateLayerUpload returned no upload id")?;
    let mut first = 0usize;
    for part in blob.chunks(PART_SIZE) {
        let last = first + part.len() - 1;
        let out = client.upload_layer_part(repo, &upload_id, first as i64, last as i64, part).send().await?;
        println!(
            "    UploadLayerPart bytes {first}..={last} ({} bytes), service has up to byte {}",
            part.len(),
            out.last_byte_received.unwrap_or(-1)
        );
        first = last + 1;
    }
    let done = client.complete_layer_upload(repo, &upload_id, [digest]).send().await?;
    match done.layer_digest {
        Some(d) if d == digest => Ok(()),
        other => Err(format!("CompleteLayerUpload returned digest {other:?}, expected {digest}").into()),
    }
}

/// `sha256:<hex>` of `bytes`.
fn sha256_digest(bytes: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let hex: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// An uncompressed tar holding `hello.txt` and a 5 MiB `data.bin`, so that it takes two parts.
fn layer_tar() -> Vec<u8> {
    let hello = b"Hello from the ecrpublic quickstart!\n".to_vec();
    let data: Vec<u8> = b"ecrpublic quickstart layer data\n".iter().copied().cycle().take(PART_SIZE).collect();
    let mut tar = Vec::with_capacity(PART_SIZE + 4096);
    for (name, contents) in [("hello.txt", &hello), ("data.bin", &data)] {
        tar.extend_from_slice(&tar_header(name, contents.len()));
        tar.extend_from_slice(contents);
        tar.resize(tar.len().next_multiple_of(512), 0);
    }
    // The end of the archive: two zero blocks.
    tar.resize(tar.len() + 1024, 0);
    tar
}

/// A ustar header for a regular file.
fn tar_header(name: &str, size: usize) -> [u8; 512] {
    let mut h = [0u8; 512];
    let mut put = |at: usize, value: &[u8]| h[at..at + value.len()].copy_from_slice(value);
    put(0, name.as_bytes());
    put(100, b"0000644\0");
    put(108, b"0000000\0");
    put(116, b"0000000\0");
    put(124, format!("{size:011o}\0").as_bytes());
    put(136, b"00000000000\0");
    put(148, b"        ");
    put(156, b"0");
    put(257, b"ustar\0");
    put(263, b"00");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

/// The image configuration: platform and the layer's uncompressed digest.
fn image_config(layer_digest: &str) -> String {
    serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": { "WorkingDir": "/" },
        "rootfs": { "type": "layers", "diff_ids": [layer_digest] },
    })
    .to_string()
}

fn image_manifest(config: &str, config_size: usize, layer: &str, layer_size: usize, version: &str) -> String {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": { "mediaType": OCI_CONFIG, "digest": config, "size": config_size },
        "layers": [{ "mediaType": OCI_LAYER, "digest": layer, "size": layer_size }],
        "annotations": { "org.opencontainers.image.version": version },
    })
    .to_string()
}
