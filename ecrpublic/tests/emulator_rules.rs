//! The classic operations against the service's documented rules and limits, where the emulator
//! used to differ: part sizes and counts, manifest media types, Regions, policy documents,
//! pagination after deletions, whole-value patterns, and the members the model added.
#![cfg(feature = "emulator")]

#[path = "common/emulator.rs"]
mod emulator_common;
use emulator_common::{client, client_with, sha256, unchecked};

use ecrpublic::emulator::{Emulator, EmulatorOptions};
use ecrpublic::types::{
    ImageIdentifier, RepositoryArtifactType, RepositoryBadge, RepositoryCatalogDataInput, RepositoryCategory,
    RepositoryType,
};
use ecrpublic::Client;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const MIB: usize = 1024 * 1024;

async fn tiny_parts() -> Emulator {
    Emulator::start_with(EmulatorOptions::default().with_min_part_size(1)).await.expect("start")
}

/// Uploads `parts` as one layer; the CompleteLayerUpload result.
async fn upload(c: &Client, repo: &str, parts: &[&[u8]]) -> Result<String, String> {
    let id = c.initiate_layer_upload(repo).send().await.expect("initiate").upload_id.expect("id");
    let mut first = 0i64;
    let mut all = Vec::new();
    for part in parts {
        let last = first + part.len() as i64 - 1;
        c.upload_layer_part(repo, &id, first, last, *part).send().await.expect("part");
        first = last + 1;
        all.extend_from_slice(part);
    }
    match c.complete_layer_upload(repo, &id, [sha256(&all)]).send().await {
        Ok(out) => Ok(out.layer_digest.expect("digest")),
        Err(e) => Err(e.service_error().map(|e| e.code().to_owned()).unwrap_or_else(|| format!("{e:?}"))),
    }
}

fn manifest(config: &str, layer: &str, extra: &str) -> String {
    format!(
        r#"{{"schemaVersion":2{extra},"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{layer}","size":1}}]}}"#
    )
}

/// A config and a layer in `repo`; their digests.
async fn blobs(c: &Client, repo: &str, note: &str) -> (String, String) {
    let config = upload(c, repo, &[format!("config {note}").as_bytes()]).await.expect("config");
    let layer = upload(c, repo, &[format!("layer {note}").as_bytes()]).await.expect("layer");
    (config, layer)
}

async fn put(c: &Client, repo: &str, manifest: &str, tag: &str) -> String {
    let out = c.put_image(repo, manifest).image_tag(tag).send().await.expect("put image");
    out.image.and_then(|i| i.image_id).and_then(|i| i.image_digest).expect("digest")
}

#[tokio::test]
async fn parts_under_5_mib_fail_by_default_and_an_upload_has_at_most_1000_parts() {
    let emu = Emulator::start().await.expect("start");
    let c = client(&emu);
    c.create_repository("app").send().await.expect("create");
    assert_eq!(upload(&c, "app", &[b"ab", b"c"]).await, Err("LayerPartTooSmallException".to_owned()));
    let five = vec![7u8; 5 * MIB];
    let just_under = vec![7u8; 5 * MIB - 1];
    assert_eq!(upload(&c, "app", &[&just_under, b"c"]).await, Err("LayerPartTooSmallException".to_owned()));
    upload(&c, "app", &[&five, b"the last part may be small"]).await.expect("5 MiB parts");
    upload(&c, "app", &[b"one small part alone"]).await.expect("a single part");
    emu.shutdown().await;

    let emu = tiny_parts().await;
    let c = client(&emu);
    c.create_repository("app").send().await.expect("create");
    let id = c.initiate_layer_upload("app").send().await.expect("initiate").upload_id.expect("id");
    for n in 0..1000i64 {
        c.upload_layer_part("app", &id, n, n, &b"x"[..]).send().await.expect("part");
    }
    expect_code!(c.upload_layer_part("app", &id, 1000, 1000, &b"x"[..]).send(), "LimitExceededException");
    let done = c.complete_layer_upload("app", &id, [sha256(&[b'x'; 1000])]).send().await.expect("1000 parts");
    assert_eq!(done.layer_digest, Some(sha256(&[b'x'; 1000])));
}

#[tokio::test]
async fn put_image_needs_a_supported_media_type() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_min_part_size(1).with_max_images_per_repository(3))
        .await
        .expect("start");
    let c = client(&emu);
    c.create_repository("app").send().await.expect("create");
    let (config, layer) = blobs(&c, "app", "a").await;
    let bare = manifest(&config, &layer, "");
    expect_code!(c.put_image("app", &bare).send(), "InvalidParameterException");
    expect_code!(c.put_image("app", &bare).image_manifest_media_type("text/plain").send(), "InvalidParameterException");
    let out = c.put_image("app", &bare).image_manifest_media_type(OCI_MANIFEST).image_tag("bare").send().await;
    let image = out.expect("the media type given beside the manifest").image.expect("image");
    assert_eq!(image.image_manifest_media_type.as_deref(), Some(OCI_MANIFEST));
    let docker = manifest(&config, &layer, r#","mediaType":"application/vnd.docker.distribution.manifest.v2+json""#);
    let out = c.put_image("app", &docker).image_tag("docker").send().await.expect("docker schema 2");
    let image = out.image.expect("image");
    assert_eq!(
        image.image_manifest_media_type.as_deref(),
        Some("application/vnd.docker.distribution.manifest.v2+json")
    );
    let odd = manifest(&config, &layer, r#","mediaType":"application/x-unknown""#);
    expect_code!(c.put_image("app", &odd).send(), "InvalidParameterException");

    // An index's size is the largest of its images'; a manifest type cannot list manifests.
    let small = put(
        &c,
        "app",
        &manifest(
            &config,
            &layer,
            r#","mediaType":"application/vnd.oci.image.manifest.v1+json","annotations":{"n":"1"}"#,
        ),
        "small",
    )
    .await;
    let sizes = c.describe_images("app").send().await.expect("describe").image_details;
    let size =
        sizes.iter().find(|d| d.image_digest.as_deref() == Some(small.as_str())).and_then(|d| d.image_size_in_bytes);
    let entries = format!(
        r#"[{{"mediaType":"{OCI_MANIFEST}","digest":"{small}","size":1}},{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1}}]"#,
        sha256(bare.as_bytes())
    );
    let index =
        format!(r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":{entries}}}"#);
    expect_code!(c.put_image("app", &index).send(), "LimitExceededException");
    c.batch_delete_image("app", [ImageIdentifier::default().with_image_tag("docker")]).send().await.expect("room");
    let di = put(&c, "app", &index, "multi").await;
    let detail = c.describe_images("app").image_ids([ImageIdentifier::default().with_image_digest(&di)]).send().await;
    assert_eq!(detail.expect("index").image_details[0].image_size_in_bytes, size, "the largest, not the sum");
    let wrong = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","manifests":{entries}}}"#);
    expect_code!(c.put_image("app", &wrong).send(), "InvalidParameterException");
}

#[tokio::test]
async fn subjects_badges_and_artifact_types() {
    let emu = tiny_parts().await;
    let c = client(&emu);
    c.create_repository("app").catalog_data(RepositoryCatalogDataInput::default()).send().await.expect("create");
    let (config, layer) = blobs(&c, "app", "a").await;
    let image = put(
        &c,
        "app",
        &manifest(&config, &layer, r#","mediaType":"application/vnd.oci.image.manifest.v1+json""#),
        "v1",
    )
    .await;
    let data = c.get_repository_catalog_data("app").send().await.expect("catalog").catalog_data.expect("data");
    assert_eq!((data.artifact_types, data.badges), (vec![RepositoryArtifactType::Image], vec![]));

    // An OCI 1.1 signature of the image: a referrer with a subject.
    let empty = upload(&c, "app", &[b"{}"]).await.expect("empty config");
    let signature = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"application/vnd.cncf.notary.signature","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{empty}","size":2}},"layers":[{{"mediaType":"application/jose+json","digest":"{layer}","size":1}}],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{image}","size":1}}}}"#
    );
    let out = c.put_image("app", &signature).send().await.expect("signature");
    assert_eq!(out.image.and_then(|i| i.subject_manifest_digest).as_deref(), Some(image.as_str()));
    let details = c.describe_images("app").send().await.expect("describe").image_details;
    let subjects: Vec<_> = details.iter().map(|d| d.subject_manifest_digest.clone()).collect();
    assert_eq!(subjects, [None, Some(image.clone())]);
    assert!(details.iter().all(|d| d.repository_type == Some(RepositoryType::Free)));
    let data = c.get_repository_catalog_data("app").send().await.expect("catalog").catalog_data.expect("data");
    assert_eq!(data.badges, [RepositoryBadge::Signed]);
    let broken = signature.replace(&format!(r#""digest":"{image}""#), r#""digest":"not-a-digest""#);
    expect_code!(c.put_image("app", &broken).send(), "InvalidParameterException");
}

#[tokio::test]
async fn every_region_of_the_service_is_served() {
    let emu = Emulator::start().await.expect("start");
    client_with(&emu, "us-west-2", true).describe_registries().send().await.expect("us-west-2");
    client_with(&emu, "us-east-1", true).describe_registries().send().await.expect("us-east-1");
    expect_code!(client_with(&emu, "eu-west-1", true).describe_registries().send(), "UnsupportedCommandException");
    let any = Emulator::start_with(EmulatorOptions::default().with_region(None)).await.expect("start");
    client_with(&any, "ap-south-2", true).describe_registries().send().await.expect("any Region");
    let one = Emulator::start_with(EmulatorOptions::default().with_regions(["eu-west-1"])).await.expect("start");
    client_with(&one, "eu-west-1", true).describe_registries().send().await.expect("eu-west-1");
    expect_code!(client_with(&one, "us-east-1", true).describe_registries().send(), "UnsupportedCommandException");
}

#[tokio::test]
async fn repository_policies_must_be_policies_that_leave_the_caller_in() {
    let emu = Emulator::start().await.expect("start");
    let c = client(&emu);
    c.create_repository("app").send().await.expect("create");
    for not_a_policy in [
        "{}",
        r#"{"Version":"2012-10-17"}"#,
        r#"{"Statement":[{"Effect":"Permit","Principal":"*","Action":"ecr-public:*"}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Principal":"*"}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":"ecr-public:*"}]}"#,
        r#"{"Statement":[]}"#,
    ] {
        expect_code!(c.set_repository_policy("app", not_a_policy).send(), "InvalidParameterException");
    }
    expect_code!(c.get_repository_policy("app").send(), "RepositoryPolicyNotFoundException");
    for lockout in [
        r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr-public:SetRepositoryPolicy"}]}"#,
        r#"{"Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*"}]}"#,
    ] {
        let err = expect_code!(c.set_repository_policy("app", lockout).send(), "InvalidParameterException");
        assert!(err.to_string().contains("force"), "{err}");
        c.set_repository_policy("app", lockout).force(true).send().await.expect("forced");
    }
    let other = r#"{"Statement":[{"Effect":"Deny","Principal":{"AWS":"999999999999"},"Action":"*"}]}"#;
    c.set_repository_policy("app", other).send().await.expect("another account's deny");
}

#[tokio::test]
async fn pagination_survives_deletions_between_pages() {
    let emu = tiny_parts().await;
    let c = client(&emu);
    for n in 0..6 {
        c.create_repository(format!("repo{n}")).send().await.expect("create");
    }
    let first = c.describe_repositories().max_results(2).send().await.expect("page 1");
    let names =
        |r: &[ecrpublic::types::Repository]| r.iter().filter_map(|r| r.repository_name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&first.repositories), ["repo0", "repo1"]);
    // Deleting one returned and one not yet returned neither skips nor repeats the others.
    c.delete_repository("repo1").send().await.expect("delete");
    c.delete_repository("repo2").send().await.expect("delete");
    let second = c.describe_repositories().max_results(2).next_token(first.next_token.expect("token")).send().await;
    let second = second.expect("page 2");
    assert_eq!(names(&second.repositories), ["repo3", "repo4"]);
    let third = c.describe_repositories().max_results(2).next_token(second.next_token.expect("token")).send().await;
    let third = third.expect("page 3");
    assert_eq!((names(&third.repositories), third.next_token), (vec!["repo5".to_owned()], None));
    expect_code!(c.describe_repositories().next_token("garbage").send(), "InvalidParameterException");

    // Images and tags too.
    let (config, layer) = blobs(&c, "repo0", "x").await;
    let mut digests = Vec::new();
    for n in 0..5 {
        let m = manifest(&config, &layer, &format!(r#","mediaType":"{OCI_MANIFEST}","annotations":{{"n":"{n}"}}"#));
        digests.push(put(&c, "repo0", &m, &format!("t{n}")).await);
    }
    let page = c.describe_images("repo0").max_results(2).send().await.expect("images");
    let delete = [0, 2].map(|n| ImageIdentifier::default().with_image_digest(&digests[n]));
    c.batch_delete_image("repo0", delete).send().await.expect("delete");
    let rest = c.describe_images("repo0").max_results(10).next_token(page.next_token.expect("token")).send().await;
    let rest: Vec<_> = rest.expect("rest").image_details.into_iter().filter_map(|d| d.image_digest).collect();
    assert_eq!(rest, digests[2..].iter().filter(|d| **d != digests[2]).cloned().collect::<Vec<_>>());
    let page = c.describe_image_tags("repo0").max_results(1).send().await.expect("tags");
    assert_eq!(page.image_tag_details[0].image_tag.as_deref(), Some("t1"));
    c.batch_delete_image(
        "repo0",
        [ImageIdentifier::default().with_image_tag("t1"), ImageIdentifier::default().with_image_tag("t3")],
    )
    .send()
    .await
    .expect("delete");
    let rest = c.describe_image_tags("repo0").next_token(page.next_token.expect("token")).send().await.expect("rest");
    let tags: Vec<_> = rest.image_tag_details.iter().filter_map(|t| t.image_tag.as_deref()).collect();
    assert_eq!(tags, ["t4"]);
    expect_code!(c.describe_image_tags("repo0").next_token("garbage").send(), "InvalidParameterException");
    expect_code!(c.describe_images("repo0").next_token("garbage").send(), "InvalidParameterException");
}

#[tokio::test]
async fn new_members_are_stored_checked_and_returned() {
    let emu = tiny_parts().await;
    let c = client(&emu);
    let u = unchecked(&emu);
    let categories = [RepositoryCategory::BaseImages, RepositoryCategory::WebServers, RepositoryCategory::CiCdTools];
    let created = c
        .create_repository("app")
        .catalog_data(RepositoryCatalogDataInput::default().with_categories(categories.clone()))
        .send()
        .await
        .expect("create");
    assert_eq!(created.catalog_data.expect("data").categories, categories);
    let got = c.get_repository_catalog_data("app").send().await.expect("get").catalog_data.expect("data");
    assert_eq!(got.categories, categories);
    for bad in [
        vec![
            RepositoryCategory::AiMl,
            RepositoryCategory::Databases,
            RepositoryCategory::Security,
            RepositoryCategory::Monitoring,
        ],
        vec![RepositoryCategory::AiMl, RepositoryCategory::AiMl],
        vec![RepositoryCategory::from("GAMES")],
    ] {
        let input = RepositoryCatalogDataInput::default().with_categories(bad.clone());
        expect_code!(u.put_repository_catalog_data("app", input).send(), "InvalidParameterException");
    }

    let put = c
        .put_registry_catalog_data()
        .display_name("Registry")
        .description("About the registry")
        .logo_image_blob(&b"\x89PNG logo"[..])
        .send()
        .await
        .expect("put");
    let data = put.registry_catalog_data;
    assert_eq!(data.description.as_deref(), Some("About the registry"));
    assert!(data.logo_url.as_deref().is_some_and(|u| u.starts_with("https://")));
    let got = c.get_registry_catalog_data().send().await.expect("get").registry_catalog_data;
    assert_eq!(
        (got.display_name.as_deref(), got.description.as_deref()),
        (Some("Registry"), Some("About the registry"))
    );
    assert_eq!(got.logo_url, data.logo_url);
    c.put_registry_catalog_data().logo_image_blob(Vec::new()).send().await.expect("an empty logo removes it");
    let got = c.get_registry_catalog_data().send().await.expect("get").registry_catalog_data;
    assert_eq!((got.logo_url, got.description.as_deref()), (None, Some("About the registry")));
    expect_code!(u.put_registry_catalog_data().description("d".repeat(1025)).send(), "InvalidParameterException");

    expect_code!(
        u.describe_images("app").repository_type(RepositoryType::from("GOLD")).send(),
        "InvalidParameterException"
    );
    let out = c.initiate_layer_upload("app").repository_type(RepositoryType::Free).send().await;
    let id = out.expect("FREE").upload_id.expect("id");
    let part = c.upload_layer_part("app", &id, 0, 0, &b"x"[..]).send().await.expect("part");
    assert_eq!(part.repository_type, Some(RepositoryType::Free));
    // No premium repository of that name.
    expect_code!(
        c.initiate_layer_upload("app").repository_type(RepositoryType::Premium).send(),
        "RepositoryNotFoundException"
    );

    // Whole-value patterns: the model's repository names allow `--` and `__`, not `___`.
    for ok in ["a--b", "a__b", "team/a---b_c"] {
        c.create_repository(ok).send().await.unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in ["a___b", "a..b", "Bad_Name!", "ok/Bad", "a_-b"] {
        expect_code!(u.create_repository(bad).send(), "InvalidParameterException");
    }
    expect_code!(u.describe_images("app").registry_id("x123456789012").send(), "InvalidParameterException");
}

#[tokio::test]
async fn batch_delete_image_takes_a_registry_alias() {
    let emu = tiny_parts().await;
    let c = client(&emu);
    c.create_repository("app").send().await.expect("create");
    let (config, layer) = blobs(&c, "app", "x").await;
    put(&c, "app", &manifest(&config, &layer, &format!(r#","mediaType":"{OCI_MANIFEST}""#)), "v1").await;
    let tag = || [ImageIdentifier::default().with_image_tag("v1")];
    expect_code!(c.batch_delete_image("app", tag()).registry_id("someone").send(), "RepositoryNotFoundException");
    let out = c.batch_delete_image("app", tag()).registry_id("emulator").send().await.expect("by alias");
    assert_eq!(out.image_ids.len(), 1);
}
