//! The emulator, driven through this crate's own client (and raw HTTP where the client cannot
//! send what is being tested).
#![cfg(feature = "emulator")]

#[path = "common/emulator.rs"]
mod emulator_common;
use emulator_common::sha256;

use ecrpublic::emulator::{Emulator, EmulatorOptions};
use ecrpublic::error::{CompleteLayerUploadError, UploadLayerPartError};
use ecrpublic::types::{
    ImageFailureCode, ImageIdentifier, LayerAvailability, LayerFailureCode, RegistryAliasStatus,
    RepositoryCatalogDataInput, Tag,
};
use ecrpublic::{Blob, Client, Config, Credentials};

const ACCOUNT: &str = "123456789012";

fn client_for(emu: &Emulator, akid: &str, secret: &str, region: &str) -> Client {
    Client::new(
        &Config::builder()
            .region(region)
            .endpoint_url(emu.url())
            .credentials(Credentials::new(akid, secret, None, None, "test"))
            .build(),
    )
}

fn client(emu: &Emulator) -> Client {
    client_for(emu, "AKID", "SECRET", "us-east-1")
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::default().with_key(key).with_value(value)
}

/// Uploads `bytes` as one layer of `repo` and returns its digest.
async fn push_layer(c: &Client, repo: &str, bytes: &[u8]) -> String {
    let up = c.initiate_layer_upload(repo).send().await.expect("initiate");
    let id = up.upload_id.expect("upload id");
    c.upload_layer_part(repo, &id, 0, bytes.len() as i64 - 1, bytes).send().await.expect("part");
    let digest = sha256(bytes);
    let done = c.complete_layer_upload(repo, &id, [&digest]).send().await.expect("complete");
    assert_eq!(done.layer_digest.as_deref(), Some(digest.as_str()));
    digest
}

fn manifest(config: &str, layers: &[&str], note: &str) -> String {
    let layers: Vec<String> = layers
        .iter()
        .map(|d| format!(r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{d}","size":1}}"#))
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{}],"annotations":{{"note":"{note}"}}}}"#,
        layers.join(",")
    )
}

/// Pushes a config and a layer and an image with `tag`; returns the image digest.
async fn push_image(c: &Client, repo: &str, tag: &str) -> String {
    let config = push_layer(c, repo, format!("config of {tag}").as_bytes()).await;
    let layer = push_layer(c, repo, format!("layer of {tag}").as_bytes()).await;
    let m = manifest(&config, &[&layer], tag);
    let out = c.put_image(repo, &m).image_tag(tag).send().await.expect("put image");
    out.image.and_then(|i| i.image_id).and_then(|i| i.image_digest).expect("digest")
}

struct Raw {
    status: u16,
    head: String,
    body: serde_json::Value,
}

impl Raw {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// Sends one HTTP/1.1 request by hand and reads the whole response.
async fn raw(emu: &Emulator, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Raw {
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}", body.len());
    for (k, v) in headers {
        head.push_str(&format!("\r\n{k}: {v}"));
    }
    let r = emulator_common::raw_request(emu.port(), &head, body).await;
    let body =
        if r.body.is_empty() { serde_json::Value::Null } else { serde_json::from_str(&r.body).expect("JSON body") };
    Raw { status: r.status, head: r.head, body }
}

async fn raw_call(emu: &Emulator, target: &str, body: &str) -> Raw {
    raw(emu, "POST", "/", &[("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", target)], body.as_bytes())
        .await
}

/// Calls `operation` with `input` by hand, so that the emulator's own validation is reached
/// (the client validates first); returns the status, error code and message.
async fn raw_error(emu: &Emulator, operation: &str, input: serde_json::Value) -> (u16, String, String) {
    let r = raw_call(emu, &format!("SpencerFrontendService.{operation}"), &input.to_string()).await;
    let code = r.body["__type"].as_str().unwrap_or("").to_owned();
    let message = r.body["message"].as_str().unwrap_or("").to_owned();
    (r.status, code, message)
}

/// The raw call must fail with `InvalidParameterException` naming `member`.
async fn expect_invalid(emu: &Emulator, operation: &str, input: serde_json::Value, member: &str) {
    let (status, code, message) = raw_error(emu, operation, input.clone()).await;
    assert_eq!((status, code.as_str()), (400, "InvalidParameterException"), "{operation} {input}: {message}");
    assert!(message.contains(member), "{operation} {input}: `{message}` does not name {member}");
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[tokio::test]
async fn full_workflow() {
    // Tiny layers in several parts: below the service's 5 MiB minimum part size.
    let emu = Emulator::start_with(EmulatorOptions::default().with_min_part_size(1)).await.expect("start");
    let c = client(&emu);
    let repo = "team/app";

    let catalog = RepositoryCatalogDataInput::default()
        .with_description("An app")
        .with_architectures(["x86-64", "ARM 64"])
        .with_operating_systems(["Linux"])
        .with_logo_image_blob(&b"\x89PNG\r\n\x1a\n"[..])
        .with_about_text("# About")
        .with_usage_text("docker pull");
    let created = c
        .create_repository(repo)
        .catalog_data(catalog)
        .tags([tag("team", "infra"), tag("env", "")])
        .send()
        .await
        .expect("create");
    assert!(created.request_id().is_some_and(is_uuid), "{:?}", created.request_id());
    let r = created.repository.expect("repository");
    let arn = format!("arn:aws:ecr-public::{ACCOUNT}:repository/{repo}");
    assert_eq!(r.repository_arn.as_deref(), Some(arn.as_str()));
    assert_eq!(r.registry_id.as_deref(), Some(ACCOUNT));
    assert_eq!(r.repository_uri.as_deref(), Some("public.ecr.aws/emulator/team/app"));
    assert!(r.created_at.is_some());
    let cat = created.catalog_data.expect("catalog data");
    assert_eq!(cat.description.as_deref(), Some("An app"));
    assert_eq!(cat.architectures, ["x86-64", "ARM 64"]);
    assert_eq!(cat.operating_systems, ["Linux"]);
    assert!(cat.logo_url.is_some());
    let tags = c.list_tags_for_resource(&arn).send().await.expect("tags").tags;
    assert_eq!(tags, [tag("team", "infra"), tag("env", "")]);

    // A layer in two parts, with a misplaced part in between.
    let layer: Vec<u8> = (0..100u8).collect();
    let up = c.initiate_layer_upload(repo).send().await.expect("initiate");
    let id = up.upload_id.expect("upload id");
    assert!(is_uuid(&id), "{id}");
    assert_eq!(up.part_size, Some(10 * 1024 * 1024));
    let p1 = c.upload_layer_part(repo, &id, 0, 39, &layer[..40]).send().await.expect("part 1");
    assert_eq!(p1.last_byte_received, Some(39));
    assert_eq!(p1.upload_id.as_deref(), Some(id.as_str()));
    let err = expect_code!(c.upload_layer_part(repo, &id, 50, 99, &layer[50..]).send(), "InvalidLayerPartException");
    match err.into_service_error() {
        Ok(UploadLayerPartError::InvalidLayerPartException(e)) => {
            assert_eq!(e.last_valid_byte_received, Some(39));
            assert_eq!(e.upload_id.as_deref(), Some(id.as_str()));
            assert_eq!(e.repository_name.as_deref(), Some(repo));
            assert_eq!(e.registry_id.as_deref(), Some(ACCOUNT));
        }
        other => panic!("{other:?}"),
    }
    // partLastByte must match the part's length.
    expect_code!(c.upload_layer_part(repo, &id, 40, 98, &layer[40..]).send(), "InvalidLayerPartException");
    let p2 = c.upload_layer_part(repo, &id, 40, 99, &layer[40..]).send().await.expect("part 2");
    assert_eq!(p2.last_byte_received, Some(99));
    let digest = sha256(&layer);
    let wrong = sha256(b"something else");
    let err = expect_code!(c.complete_layer_upload(repo, &id, [&wrong]).send(), "InvalidLayerException");
    assert!(matches!(err.into_service_error(), Ok(CompleteLayerUploadError::InvalidLayerException(_))));
    let done = c.complete_layer_upload(repo, &id, [&digest]).send().await.expect("complete");
    assert_eq!(done.layer_digest.as_deref(), Some(digest.as_str()));
    assert_eq!(done.upload_id.as_deref(), Some(id.as_str()));
    expect_code!(c.upload_layer_part(repo, &id, 100, 100, &b"x"[..]).send(), "UploadNotFoundException");

    let config = push_layer(&c, repo, b"{\"architecture\":\"amd64\"}").await;
    let check = c
        .batch_check_layer_availability(repo, [digest.as_str(), &sha256(b"missing"), "not-a-digest"])
        .send()
        .await
        .expect("check");
    assert_eq!(check.layers.len(), 1);
    assert_eq!(check.layers[0].layer_digest.as_deref(), Some(digest.as_str()));
    assert_eq!(check.layers[0].layer_availability, Some(LayerAvailability::Available));
    assert_eq!(check.layers[0].layer_size, Some(100));
    let codes: Vec<_> = check.failures.iter().map(|f| f.failure_code.clone()).collect();
    assert_eq!(codes, [Some(LayerFailureCode::MissingLayerDigest), Some(LayerFailureCode::InvalidLayerDigest)]);

    // Two images; the tag moves from the first to the second.
    let m1 = manifest(&config, &[&digest], "one");
    let put = c.put_image(repo, &m1).image_tag("latest").send().await.expect("put 1");
    let image = put.image.expect("image");
    let d1 = sha256(m1.as_bytes());
    assert_eq!(image.image_id, Some(ImageIdentifier::default().with_image_digest(&d1).with_image_tag("latest")));
    assert_eq!(image.image_manifest.as_deref(), Some(m1.as_str()));
    assert_eq!(image.image_manifest_media_type.as_deref(), Some("application/vnd.oci.image.manifest.v1+json"));
    expect_code!(c.put_image(repo, &m1).image_tag("latest").send(), "ImageAlreadyExistsException");
    c.put_image(repo, &m1).image_tag("v1").image_digest(&d1).send().await.expect("second tag, same image");
    let m2 = manifest(&config, &[&digest], "two");
    let d2 = sha256(m2.as_bytes());
    c.put_image(repo, &m2).image_tag("latest").send().await.expect("put 2");

    let mut items = c.describe_images(repo).into_paginator().page_size(1).items();
    let mut details = Vec::new();
    while let Some(item) = items.next().await {
        details.push(item.expect("image detail"));
    }
    assert_eq!(details.len(), 2);
    assert_eq!(details[0].image_digest.as_deref(), Some(d1.as_str()));
    assert_eq!(details[0].image_tags, ["v1"]);
    assert_eq!(details[1].image_digest.as_deref(), Some(d2.as_str()));
    assert_eq!(details[1].image_tags, ["latest"]);
    assert_eq!(details[1].image_size_in_bytes, Some(100));
    assert_eq!(details[1].registry_id.as_deref(), Some(ACCOUNT));
    assert_eq!(details[1].repository_name.as_deref(), Some(repo));
    assert!(details[1].image_pushed_at.is_some());
    assert_eq!(details[1].image_manifest_media_type.as_deref(), Some("application/vnd.oci.image.manifest.v1+json"));
    assert_eq!(details[1].artifact_media_type.as_deref(), Some("application/vnd.oci.image.config.v1+json"));

    let one = c
        .describe_images(repo)
        .image_ids([ImageIdentifier::default().with_image_tag("latest")])
        .send()
        .await
        .expect("by tag");
    assert_eq!(one.image_details.len(), 1);
    assert_eq!(one.image_details[0].image_digest.as_deref(), Some(d2.as_str()));

    let tags = c.describe_image_tags(repo).send().await.expect("tags");
    let mut names: Vec<_> = tags.image_tag_details.iter().filter_map(|t| t.image_tag.clone()).collect();
    names.sort();
    assert_eq!(names, ["latest", "v1"]);
    let latest = tags.image_tag_details.iter().find(|t| t.image_tag.as_deref() == Some("latest")).expect("latest");
    assert_eq!(latest.image_detail.as_ref().and_then(|d| d.image_digest.as_deref()), Some(d2.as_str()));

    // Deleting: by tag, by digest, and failures.
    let deleted = c
        .batch_delete_image(
            repo,
            [
                ImageIdentifier::default().with_image_tag("v1"),
                ImageIdentifier::default(),
                ImageIdentifier::default().with_image_tag("nope"),
                ImageIdentifier::default().with_image_digest("sha256:zz"),
                ImageIdentifier::default().with_image_tag("latest").with_image_digest(&d1),
            ],
        )
        .send()
        .await
        .expect("batch delete");
    assert_eq!(deleted.image_ids, [ImageIdentifier::default().with_image_digest(&d1).with_image_tag("v1")]);
    let codes: Vec<_> = deleted.failures.iter().map(|f| f.failure_code.clone().expect("code")).collect();
    assert_eq!(
        codes,
        [
            ImageFailureCode::MissingDigestAndTag,
            ImageFailureCode::ImageNotFound,
            ImageFailureCode::InvalidImageDigest,
            ImageFailureCode::ImageTagDoesNotMatchDigest,
        ]
    );
    assert!(deleted.failures.iter().all(|f| f.failure_reason.is_some() && f.image_id.is_some()));
    let left = c.describe_images(repo).send().await.expect("describe").image_details;
    assert_eq!(left.len(), 1, "the untagged image went with its last tag");

    expect_code!(c.delete_repository(repo).send(), "RepositoryNotEmptyException");
    let gone = c.delete_repository(repo).force(true).send().await.expect("force delete");
    assert_eq!(gone.repository.and_then(|r| r.repository_name).as_deref(), Some(repo));
    expect_code!(c.describe_images(repo).send(), "RepositoryNotFoundException");

    // An empty repository goes without force.
    c.create_repository("empty").send().await.expect("create");
    c.delete_repository("empty").send().await.expect("delete");
    emu.shutdown().await;
}

#[tokio::test]
async fn every_modeled_error() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_min_part_size(4).with_max_repositories(3))
        .await
        .expect("start");
    let c = client(&emu);
    c.create_repository("app").send().await.expect("create");
    let arn = format!("arn:aws:ecr-public::{ACCOUNT}:repository/app");

    expect_code!(c.create_repository("app").send(), "RepositoryAlreadyExistsException");
    expect_code!(c.set_repository_policy("app", "not json").send(), "InvalidParameterException");
    expect_code!(c.describe_repositories().repository_names(["nope"]).send(), "RepositoryNotFoundException");
    expect_code!(c.get_repository_catalog_data("app").send(), "RepositoryCatalogDataNotFoundException");
    expect_code!(c.get_repository_policy("app").send(), "RepositoryPolicyNotFoundException");
    expect_code!(c.delete_repository_policy("app").send(), "RepositoryPolicyNotFoundException");
    expect_code!(c.initiate_layer_upload("app").registry_id("otheralias").send(), "RegistryNotFoundException");
    expect_code!(c.tag_resource(&arn, [tag("aws:reserved", "x")]).send(), "InvalidTagParameterException");
    let many: Vec<Tag> = (0..51).map(|n| tag(&format!("k{n}"), "v")).collect();
    expect_code!(c.tag_resource(&arn, many).send(), "TooManyTagsException");

    // Uploads.
    let id = c.initiate_layer_upload("app").send().await.expect("initiate").upload_id.expect("id");
    let some_digest = sha256(b"abc");
    expect_code!(c.complete_layer_upload("app", &id, [&some_digest]).send(), "EmptyUploadException");
    c.upload_layer_part("app", &id, 0, 1, &b"ab"[..]).send().await.expect("small part");
    c.upload_layer_part("app", &id, 2, 2, &b"c"[..]).send().await.expect("last part");
    expect_code!(c.complete_layer_upload("app", &id, [&some_digest]).send(), "LayerPartTooSmallException");
    let unknown = "00000000-0000-4000-8000-000000000000";
    expect_code!(c.complete_layer_upload("app", unknown, [&some_digest]).send(), "UploadNotFoundException");
    expect_code!(c.upload_layer_part("app", &id, 0, 0, &b"a"[..]).send(), "InvalidLayerPartException");
    let layer = push_layer(&c, "app", b"abcd").await;
    let id = c.initiate_layer_upload("app").send().await.expect("initiate").upload_id.expect("id");
    c.upload_layer_part("app", &id, 0, 3, &b"abcd"[..]).send().await.expect("part");
    expect_code!(c.complete_layer_upload("app", &id, [&layer]).send(), "LayerAlreadyExistsException");
    expect_code!(c.complete_layer_upload("app", &id, [&layer]).send(), "UploadNotFoundException");
    let id = c.initiate_layer_upload("app").send().await.expect("initiate").upload_id.expect("id");
    c.upload_layer_part("app", &id, 0, 3, &b"wxyz"[..]).send().await.expect("part");
    expect_code!(c.complete_layer_upload("app", &id, [&layer]).send(), "InvalidLayerException");

    // Images.
    let missing = manifest(&layer, &[&sha256(b"not uploaded")], "x");
    expect_code!(c.put_image("app", &missing).send(), "LayersNotFoundException");
    let good = manifest(&layer, &[&layer], "x");
    expect_code!(c.put_image("app", &good).image_digest(sha256(b"other")).send(), "ImageDigestDoesNotMatchException");
    expect_code!(c.put_image("app", "{not json").send(), "InvalidParameterException");
    c.put_image("app", &good).send().await.expect("untagged put");
    expect_code!(c.put_image("app", &good).send(), "ImageAlreadyExistsException");
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":1}}]}}"#,
        sha256(b"no such image")
    );
    expect_code!(c.put_image("app", &index).send(), "ReferencedImagesNotFoundException");
    expect_code!(
        c.describe_images("app").image_ids([ImageIdentifier::default().with_image_tag("nope")]).send(),
        "ImageNotFoundException"
    );
    expect_code!(c.delete_repository("app").send(), "RepositoryNotEmptyException");

    // Limits, Regions and injected failures.
    c.create_repository("two").send().await.expect("create");
    c.create_repository("three").send().await.expect("create");
    expect_code!(c.create_repository("four").send(), "LimitExceededException");
    let elsewhere = client_for(&emu, "AKID", "SECRET", "eu-west-1");
    expect_code!(elsewhere.describe_registries().send(), "UnsupportedCommandException");
    emu.fail_next("PutImage", "ImageTagAlreadyExistsException", 1);
    expect_code!(c.put_image("app", &good).image_tag("t").send(), "ImageTagAlreadyExistsException");
    emu.fail_next("DescribeRegistries", "ServerException", 10);
    expect_code!(c.describe_registries().send(), "ServerException");
    let raw = raw_call(&emu, "SpencerFrontendService.DescribeRegistries", "{}").await;
    assert_eq!(raw.status, 500);
    assert_eq!(raw.body["__type"], "ServerException");
    emu.fail_next("DescribeRegistries", "ServerException", 0);
    c.describe_registries().send().await.expect("no longer failing");
}

#[tokio::test]
async fn validation_names_the_member() {
    use serde_json::json;
    let emu = Emulator::start().await.expect("start");
    let c = client(&emu);
    c.create_repository("app").send().await.expect("create");
    let upload = "00000000-0000-4000-8000-000000000000";
    let cases = [
        ("CreateRepository", json!({"repositoryName": "x"}), "repositoryName"),
        ("CreateRepository", json!({"repositoryName": "Bad_Name"}), "repositoryName"),
        ("CreateRepository", json!({"repositoryName": "a//b"}), "repositoryName"),
        ("CreateRepository", json!({"repositoryName": "a".repeat(206)}), "repositoryName"),
        ("CreateRepository", json!({}), "repositoryName"),
        ("DescribeImages", json!({"repositoryName": "app", "maxResults": 0}), "maxResults"),
        ("DescribeImages", json!({"repositoryName": "app", "maxResults": 1001}), "maxResults"),
        ("DescribeRepositories", json!({"maxResults": 0}), "maxResults"),
        ("DescribeRepositories", json!({"repositoryNames": []}), "repositoryNames"),
        ("DeleteRepository", json!({"repositoryName": "app", "registryId": "12345"}), "registryId"),
        ("InitiateLayerUpload", json!({"repositoryName": "app", "registryId": "x"}), "registryId"),
        (
            "UploadLayerPart",
            json!({"repositoryName": "app", "uploadId": "not-a-uuid", "partFirstByte": 0,
            "partLastByte": 0, "layerPartBlob": "YQ=="}),
            "uploadId",
        ),
        (
            "UploadLayerPart",
            json!({"repositoryName": "app", "uploadId": upload, "partFirstByte": -1,
            "partLastByte": 0, "layerPartBlob": "YQ=="}),
            "partFirstByte",
        ),
        (
            "UploadLayerPart",
            json!({"repositoryName": "app", "uploadId": upload, "partFirstByte": 0,
            "layerPartBlob": "YQ=="}),
            "partLastByte",
        ),
        (
            "CompleteLayerUpload",
            json!({"repositoryName": "app", "uploadId": upload, "layerDigests": ["nodigest"]}),
            "layerDigests",
        ),
        (
            "CompleteLayerUpload",
            json!({"repositoryName": "app", "uploadId": upload, "layerDigests": []}),
            "layerDigests",
        ),
        ("BatchCheckLayerAvailability", json!({"repositoryName": "app", "layerDigests": []}), "layerDigests"),
        ("BatchDeleteImage", json!({"repositoryName": "app", "imageIds": []}), "imageIds"),
        ("PutImage", json!({"repositoryName": "app", "imageManifest": ""}), "imageManifest"),
        ("PutImage", json!({"repositoryName": "app", "imageManifest": "{}", "imageTag": ""}), "imageTag"),
        ("PutRegistryCatalogData", json!({"displayName": "x".repeat(101)}), "displayName"),
        (
            "PutRepositoryCatalogData",
            json!({"repositoryName": "app", "catalogData": {"description": "d".repeat(1025)}}),
            "description",
        ),
        (
            "PutRepositoryCatalogData",
            json!({"repositoryName": "app", "catalogData": {"architectures": [""]}}),
            "architectures",
        ),
        ("PutRepositoryCatalogData", json!({"repositoryName": "app"}), "catalogData"),
        ("SetRepositoryPolicy", json!({"repositoryName": "app", "policyText": "x".repeat(10241)}), "policyText"),
        ("ListTagsForResource", json!({"resourceArn": ""}), "resourceArn"),
        ("ListTagsForResource", json!({"resourceArn": "not-an-arn"}), "resourceArn"),
        ("TagResource", json!({"resourceArn": format!("arn:aws:ecr-public::{ACCOUNT}:repository/app")}), "tags"),
    ];
    for (operation, input, member) in cases {
        expect_invalid(&emu, operation, input, member).await;
    }
    // Wrong types are serialization errors.
    let (status, code, _) = raw_error(&emu, "CreateRepository", json!({"repositoryName": 5})).await;
    assert_eq!((status, code.as_str()), (400, "SerializationException"));
    let (_, code, _) = raw_error(
        &emu,
        "UploadLayerPart",
        json!({"repositoryName": "app", "uploadId": upload,
        "partFirstByte": 0, "partLastByte": 0, "layerPartBlob": "not base64!"}),
    )
    .await;
    assert_eq!(code, "SerializationException");
    // Another account's registry holds none of our repositories.
    expect_code!(c.delete_repository("app").registry_id("999999999999").send(), "RepositoryNotFoundException");
}

#[tokio::test]
async fn catalog_data_policies_and_tags() {
    let emu = Emulator::start().await.expect("start");
    let c = client(&emu);
    c.create_repository("app").send().await.expect("create");
    let arn = format!("arn:aws:ecr-public::{ACCOUNT}:repository/app");

    // The logo may be at most 512000 bytes (the model's `LogoImageBlob` length).
    let at_limit = RepositoryCatalogDataInput::default().with_logo_image_blob(vec![7u8; 512_000]);
    let put = c.put_repository_catalog_data("app", at_limit).send().await.expect("logo at the limit");
    assert!(put.catalog_data.and_then(|d| d.logo_url).is_some());
    let over = base64_simd::STANDARD.encode_to_string(vec![7u8; 512_001]);
    let input = serde_json::json!({"repositoryName": "app", "catalogData": {"logoImageBlob": over}});
    expect_invalid(&emu, "PutRepositoryCatalogData", input, "logoImageBlob").await;
    let update = RepositoryCatalogDataInput::default()
        .with_description("Now described")
        .with_architectures(["ARM"])
        .with_operating_systems(["Linux", "Windows"]);
    c.put_repository_catalog_data("app", update).send().await.expect("update");
    let got = c.get_repository_catalog_data("app").send().await.expect("get").catalog_data.expect("data");
    assert_eq!(got.description.as_deref(), Some("Now described"));
    assert_eq!(got.architectures, ["ARM"]);
    assert_eq!(got.operating_systems, ["Linux", "Windows"]);
    assert!(got.logo_url.is_some(), "kept from the earlier put");
    let too_many: Vec<String> = (0..51).map(|n| format!("a{n}")).collect();
    let input = serde_json::json!({"repositoryName": "app", "catalogData": {"architectures": too_many}});
    expect_invalid(&emu, "PutRepositoryCatalogData", input, "architectures").await;

    // Policies must be IAM policies.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr-public:BatchCheckLayerAvailability"}]}"#;
    expect_code!(c.set_repository_policy("app", "not json").send(), "InvalidParameterException");
    let set = c.set_repository_policy("app", policy).send().await.expect("set");
    assert_eq!(set.policy_text.as_deref(), Some(policy));
    assert_eq!(set.registry_id.as_deref(), Some(ACCOUNT));
    let got = c.get_repository_policy("app").send().await.expect("get");
    assert_eq!(got.policy_text.as_deref(), Some(policy));
    let deleted = c.delete_repository_policy("app").send().await.expect("delete");
    assert_eq!(deleted.policy_text.as_deref(), Some(policy));
    expect_code!(c.get_repository_policy("app").send(), "RepositoryPolicyNotFoundException");

    // Tags.
    c.tag_resource(&arn, [tag("a", "1"), tag("b", "2")]).send().await.expect("tag");
    c.tag_resource(&arn, [tag("a", "changed")]).send().await.expect("retag");
    c.untag_resource(&arn, ["b", "never-there"]).send().await.expect("untag");
    let tags = c.list_tags_for_resource(&arn).send().await.expect("list").tags;
    assert_eq!(tags, [tag("a", "changed")]);
    for tags in [
        serde_json::json!([{"Key": "k".repeat(129), "Value": "v"}]),
        serde_json::json!([{"Key": "k", "Value": "v".repeat(257)}]),
        serde_json::json!([{"Key": "", "Value": "v"}]),
        serde_json::json!([{"Value": "v"}]),
        serde_json::json!([{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}]),
    ] {
        let input = serde_json::json!({"resourceArn": arn, "tags": tags});
        let (status, code, message) = raw_error(&emu, "TagResource", input).await;
        assert_eq!((status, code.as_str()), (400, "InvalidTagParameterException"), "{tags}: {message}");
    }
    expect_code!(c.tag_resource(&arn, [tag("aws:reserved", "v")]).send(), "InvalidTagParameterException");
    c.tag_resource(&arn, [tag(&"k".repeat(128), &"v".repeat(256))]).send().await.expect("at the limits");
    let fifty: Vec<Tag> = (0..48).map(|n| tag(&format!("k{n}"), "v")).collect();
    c.tag_resource(&arn, fifty).send().await.expect("50 tags in all");
    expect_code!(c.tag_resource(&arn, [tag("one-more", "v")]).send(), "TooManyTagsException");
    let input = serde_json::json!({"resourceArn": arn, "tagKeys": [""]});
    assert_eq!(raw_error(&emu, "UntagResource", input).await.1, "InvalidTagParameterException");
    expect_code!(c.list_tags_for_resource("not-an-arn").send(), "InvalidParameterException");
    let other = format!("arn:aws:ecr-public::{ACCOUNT}:repository/other");
    expect_code!(c.list_tags_for_resource(&other).send(), "RepositoryNotFoundException");
}

#[tokio::test]
async fn registries_and_tokens() {
    let emu =
        Emulator::start_with(EmulatorOptions::default().with_account_id("000011112222").with_registry_alias("myalias"))
            .await
            .expect("start");
    let c = client(&emu);
    let out = c.describe_registries().send().await.expect("describe");
    assert_eq!(out.registries.len(), 1);
    assert_eq!(out.next_token, None);
    let r = &out.registries[0];
    assert_eq!(r.registry_id, "000011112222");
    assert_eq!(r.registry_arn, "arn:aws:ecr-public::000011112222:registry/000011112222");
    assert_eq!(r.registry_uri, "public.ecr.aws/myalias");
    assert_eq!(r.aliases.len(), 1);
    assert_eq!(r.aliases[0].name, "myalias");
    assert_eq!(r.aliases[0].status, RegistryAliasStatus::Active);
    assert!(r.aliases[0].primary_registry_alias && r.aliases[0].default_registry_alias);

    let data = c.get_registry_catalog_data().send().await.expect("get").registry_catalog_data;
    assert_eq!(data.display_name, None);
    c.put_registry_catalog_data().display_name("My Registry").send().await.expect("put");
    let data = c.get_registry_catalog_data().send().await.expect("get").registry_catalog_data;
    assert_eq!(data.display_name.as_deref(), Some("My Registry"));

    let auth = c.get_authorization_token().send().await.expect("token").authorization_data.expect("data");
    let token = auth.authorization_token.expect("token");
    let decoded = String::from_utf8(base64_simd::STANDARD.decode_to_vec(&token).expect("base64")).expect("utf-8");
    assert!(decoded.starts_with("AWS:") && decoded.len() > 20, "{decoded}");
    let expires = auth.expires_at.expect("expiry").secs();
    let now = ecrpublic::DateTime::now().secs();
    assert!((now + 12 * 3600 - 60..=now + 12 * 3600 + 60).contains(&expires), "{expires} vs {now}");

    // The alias works as a registry id where the model allows one.
    c.create_repository("app").send().await.expect("create");
    c.initiate_layer_upload("app").registry_id("myalias").send().await.expect("by alias");
    c.initiate_layer_upload("app").registry_id("000011112222").send().await.expect("by id");
    let created = c.describe_repositories().send().await.expect("describe").repositories;
    assert_eq!(created[0].repository_uri.as_deref(), Some("public.ecr.aws/myalias/app"));
}

#[tokio::test]
async fn pagination() {
    let emu = Emulator::start().await.expect("start");
    let c = client(&emu);
    for n in 0..5 {
        c.create_repository(format!("repo{n}")).send().await.expect("create");
    }
    let first = c.describe_repositories().max_results(2).send().await.expect("page 1");
    assert_eq!(first.repositories.len(), 2);
    let token = first.next_token.expect("a next token");
    let second = c.describe_repositories().max_results(2).next_token(&token).send().await.expect("page 2");
    assert_eq!(second.repositories[0].repository_name.as_deref(), Some("repo2"));

    let mut names = Vec::new();
    let mut items = c.describe_repositories().into_paginator().page_size(2).items();
    while let Some(r) = items.next().await {
        names.push(r.expect("repository").repository_name.expect("name"));
    }
    assert_eq!(names, ["repo0", "repo1", "repo2", "repo3", "repo4"]);
    let all = c.describe_repositories().send().await.expect("default page");
    assert_eq!((all.repositories.len(), all.next_token), (5, None));

    expect_code!(c.describe_repositories().next_token("garbage").send(), "InvalidParameterException");
    // A token is only good for the operation that made it.
    expect_code!(c.describe_image_tags("repo0").next_token(&token).send(), "InvalidParameterException");
    expect_code!(c.describe_registries().next_token(&token).send(), "InvalidParameterException");
    expect_code!(
        c.describe_repositories().repository_names(["repo0"]).max_results(1).send(),
        "InvalidParameterException"
    );
    // A token from another emulator is rejected too.
    let other = Emulator::start().await.expect("start");
    expect_code!(client(&other).describe_repositories().next_token(&token).send(), "InvalidParameterException");

    // Tags page like the rest.
    push_image(&c, "repo0", "a").await;
    push_image(&c, "repo0", "b").await;
    push_image(&c, "repo0", "c").await;
    let mut tags = Vec::new();
    let mut items = c.describe_image_tags("repo0").into_paginator().page_size(2).items();
    while let Some(t) = items.next().await {
        tags.push(t.expect("tag").image_tag.expect("name"));
    }
    assert_eq!(tags, ["a", "b", "c"]);
}

#[tokio::test]
async fn protocol_errors() {
    let emu = Emulator::start().await.expect("start");

    let r = raw_call(&emu, "SpencerFrontendService.CreateRepository", "{not json").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["__type"], "SerializationException");
    assert!(r.body["message"].is_string());
    assert!(r.header("x-amzn-RequestId").is_some_and(|id| is_uuid(&id)), "{}", r.head);
    assert_eq!(r.header("content-type").as_deref(), Some("application/x-amz-json-1.1"));

    let r = raw_call(&emu, "SpencerFrontendService.CreateRepository", "[1, 2]").await;
    assert_eq!((r.status, r.body["__type"].as_str()), (400, Some("SerializationException")));
    let r = raw_call(&emu, "SpencerFrontendService.CreateRepository", r#"{"repositoryName":"a1"} trailing"#).await;
    assert_eq!((r.status, r.body["__type"].as_str()), (400, Some("SerializationException")));
    let r = raw(
        &emu,
        "POST",
        "/",
        &[("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "SpencerFrontendService.CreateRepository")],
        b"{\"repositoryName\":\"\xff\xfe\"}",
    )
    .await;
    assert_eq!((r.status, r.body["__type"].as_str()), (400, Some("SerializationException")));

    let r = raw_call(&emu, "SpencerFrontendService.LaunchRockets", "{}").await;
    assert_eq!((r.status, r.body["__type"].as_str()), (400, Some("UnknownOperationException")));
    let r = raw_call(&emu, "OtherService.CreateRepository", "{}").await;
    assert_eq!((r.status, r.body["__type"].as_str()), (400, Some("UnknownOperationException")));
    let r = raw(&emu, "POST", "/", &[("Content-Type", "application/x-amz-json-1.1")], b"{}").await;
    assert_eq!((r.status, r.body["__type"].as_str()), (400, Some("UnknownOperationException")));
    let r = raw(&emu, "GET", "/", &[], b"").await;
    assert_eq!(r.status, 405);
    let r = raw(&emu, "POST", "/elsewhere", &[], b"{}").await;
    assert_eq!(r.status, 404);

    // An empty body is an empty input; success carries a request id too.
    let r = raw_call(&emu, "SpencerFrontendService.DescribeRegistries", "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["registries"][0]["registryId"], ACCOUNT);
    assert!(r.header("x-amzn-RequestId").is_some_and(|id| is_uuid(&id)));

    // A malformed Authorization header is rejected even without configured credentials.
    let r = raw(
        &emu,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "SpencerFrontendService.DescribeRegistries"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=nonsense"),
        ],
        b"{}",
    )
    .await;
    assert_eq!((r.status, r.body["__type"].as_str()), (403, Some("IncompleteSignatureException")));
}

#[tokio::test]
async fn signatures_are_checked_with_credentials() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_credentials("AKID", "SECRET")).await.expect("start");
    client(&emu).create_repository("signed").send().await.expect("right credentials are accepted");
    // Large enough that the client hashes the body on a second thread while encoding it.
    let payload = vec![42u8; 3 << 20];
    let last = payload.len() as i64 - 1;
    let up = client(&emu).initiate_layer_upload("signed").send().await.expect("initiate");
    client(&emu)
        .upload_layer_part("signed", up.upload_id.expect("id"), 0, last, Blob::new(payload))
        .send()
        .await
        .expect("a large signed body");

    let wrong = client_for(&emu, "AKID", "WRONG", "us-east-1");
    let err = expect_code!(wrong.describe_repositories().send(), "InvalidSignatureException");
    assert!(err.service_error().and_then(|e| e.request_id()).is_some());
    let unknown = client_for(&emu, "NOBODY", "SECRET", "us-east-1");
    expect_code!(unknown.describe_repositories().send(), "UnrecognizedClientException");

    let r = raw_call(&emu, "SpencerFrontendService.DescribeRepositories", "{}").await;
    assert_eq!((r.status, r.body["__type"].as_str()), (403, Some("MissingAuthenticationTokenException")));
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let emu = Emulator::start().await.expect("start");
    let url = emu.url();
    assert_eq!(url, format!("http://127.0.0.1:{}", emu.port()));
    let c = client(&emu);
    c.describe_registries().send().await.expect("serving");
    emu.shutdown().await;
    let err = c.describe_registries().send().await.expect_err("stopped");
    assert!(err.service_error().is_none(), "{err:?}");

    // Dropping stops it as well.
    let emu = Emulator::start().await.expect("start");
    let port = emu.port();
    drop(emu);
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "still accepting after drop");
}

#[tokio::test]
async fn binary_prints_its_url_first() {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ecrpublic-emulator"))
        .args(["--port", "0", "--credentials", "AKID:SECRET"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line).expect("first line");
    let url = line.trim().strip_prefix("listening on ").expect("listening line").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let c = Client::new(
        &Config::builder()
            .region("us-east-1")
            .endpoint_url(&url)
            .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
            .build(),
    );
    let served = c.create_repository("from-binary").send().await;
    child.kill().expect("kill");
    let _ = child.wait();
    served.expect("served by the binary");

    // Verifying signatures, it warns of nothing; without credentials, it says what that means.
    for (args, warns) in [(&["--port", "0", "--credentials", "AKID:SECRET"][..], false), (&["--port", "0"], true)] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ecrpublic-emulator"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
        child.kill().expect("kill");
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.contains("warning: no --credentials: every request is served"), warns, "{args:?}: {stderr}");
    }

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecrpublic-emulator"))
        .args(["--credentials", "no-colon"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("AKID:SECRET") && err.contains("usage:"), "{err}");
}
