//! Every operation, end to end against a local server: the exact awsJson 1.1 request that goes
//! over the wire, and the typed output read back from a canned response.

mod common;

use common::{Canned, MockServer};
use ecrpublic::types::{
    ImageFailureCode, ImageIdentifier, LayerAvailability, LayerFailureCode, RegistryAliasStatus,
    RepositoryCatalogDataInput, Tag,
};
use ecrpublic::{Blob, DateTime};
use serde_json::json;

const REGISTRY: &str = "123456789012";
const UPLOAD: &str = "0a1b2c3d-0000-1111-2222-333344445555";

fn tag(key: &str, value: &str) -> Tag {
    Tag::default().with_key(key).with_value(value)
}

fn catalog_input() -> RepositoryCatalogDataInput {
    RepositoryCatalogDataInput::default()
        .with_description("An app")
        .with_architectures(["x86-64", "ARM 64"])
        .with_operating_systems(["Linux"])
        .with_logo_image_blob(&b"\x89PNG\r\n"[..])
        .with_about_text("# About")
        .with_usage_text("docker pull")
}

/// `catalog_input()` as the service must receive it: the blob in base64.
fn catalog_input_json() -> serde_json::Value {
    json!({
        "description": "An app",
        "architectures": ["x86-64", "ARM 64"],
        "operatingSystems": ["Linux"],
        "logoImageBlob": "iVBORw0K",
        "aboutText": "# About",
        "usageText": "docker pull",
    })
}

const CATALOG_JSON: &str = r##"{"description":"An app","architectures":["x86-64"],"operatingSystems":["Linux"],
    "logoUrl":"https://logo.example/x.png","aboutText":"# About","usageText":"docker pull","marketplaceCertified":true}"##;

fn assert_catalog(c: &ecrpublic::types::RepositoryCatalogData) {
    assert_eq!(c.description.as_deref(), Some("An app"));
    assert_eq!(c.architectures, ["x86-64"]);
    assert_eq!(c.operating_systems, ["Linux"]);
    assert_eq!(c.logo_url.as_deref(), Some("https://logo.example/x.png"));
    assert_eq!(c.about_text.as_deref(), Some("# About"));
    assert_eq!(c.usage_text.as_deref(), Some("docker pull"));
    assert_eq!(c.marketplace_certified, Some(true));
}

#[tokio::test]
async fn batch_check_layer_availability() {
    let server = MockServer::start(Canned::ok(
        r#"{"layers":[{"layerDigest":"sha256:aa","layerAvailability":"AVAILABLE","layerSize":1024,
            "mediaType":"application/vnd.oci.image.layer.v1.tar+gzip"}],
           "failures":[{"layerDigest":"sha256:bb","failureCode":"MissingLayerDigest","failureReason":"no such layer"}]}"#,
        "req-bcla",
    ))
    .await;
    let out = server
        .client()
        .batch_check_layer_availability("my-repo", ["sha256:aa", "sha256:bb"])
        .registry_id(REGISTRY)
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("BatchCheckLayerAvailability");
    assert_eq!(
        req.json(),
        json!({"registryId": REGISTRY, "repositoryName": "my-repo", "layerDigests": ["sha256:aa", "sha256:bb"]})
    );

    assert_eq!(out.request_id(), Some("req-bcla"));
    assert_eq!(out.layers.len(), 1);
    let layer = &out.layers[0];
    assert_eq!(layer.layer_digest.as_deref(), Some("sha256:aa"));
    assert_eq!(layer.layer_availability, Some(LayerAvailability::Available));
    assert_eq!(layer.layer_size, Some(1024));
    assert_eq!(layer.media_type.as_deref(), Some("application/vnd.oci.image.layer.v1.tar+gzip"));
    assert_eq!(out.failures.len(), 1);
    assert_eq!(out.failures[0].layer_digest.as_deref(), Some("sha256:bb"));
    assert_eq!(out.failures[0].failure_code, Some(LayerFailureCode::MissingLayerDigest));
    assert_eq!(out.failures[0].failure_reason.as_deref(), Some("no such layer"));
}

#[tokio::test]
async fn batch_delete_image() {
    let server = MockServer::start(Canned::ok(
        r#"{"imageIds":[{"imageDigest":"sha256:cc","imageTag":"latest"}],
           "failures":[{"imageId":{"imageTag":"old"},"failureCode":"ImageNotFound","failureReason":"gone"}]}"#,
        "req-bdi",
    ))
    .await;
    let ids =
        [ImageIdentifier::default().with_image_digest("sha256:cc"), ImageIdentifier::default().with_image_tag("old")];
    let out = server.client().batch_delete_image("my-repo", ids).registry_id(REGISTRY).send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("BatchDeleteImage");
    assert_eq!(
        req.json(),
        json!({
            "registryId": REGISTRY,
            "repositoryName": "my-repo",
            "imageIds": [{"imageDigest": "sha256:cc"}, {"imageTag": "old"}],
        })
    );

    assert_eq!(out.request_id(), Some("req-bdi"));
    assert_eq!(out.image_ids, [ImageIdentifier::default().with_image_digest("sha256:cc").with_image_tag("latest")]);
    assert_eq!(out.failures.len(), 1);
    let failure = &out.failures[0];
    assert_eq!(failure.image_id, Some(ImageIdentifier::default().with_image_tag("old")));
    assert_eq!(failure.failure_code, Some(ImageFailureCode::ImageNotFound));
    assert_eq!(failure.failure_reason.as_deref(), Some("gone"));
}

#[tokio::test]
async fn complete_layer_upload() {
    let server = MockServer::start(Canned::ok(
        format!(r#"{{"registryId":"{REGISTRY}","repositoryName":"my-repo","uploadId":"{UPLOAD}","layerDigest":"sha256:dd"}}"#),
        "req-clu",
    ))
    .await;
    let out = server
        .client()
        .complete_layer_upload("my-repo", UPLOAD, ["sha256:dd"])
        .registry_id(REGISTRY)
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("CompleteLayerUpload");
    assert_eq!(
        req.json(),
        json!({"registryId": REGISTRY, "repositoryName": "my-repo", "uploadId": UPLOAD, "layerDigests": ["sha256:dd"]})
    );

    assert_eq!(out.request_id(), Some("req-clu"));
    assert_eq!(out.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(out.repository_name.as_deref(), Some("my-repo"));
    assert_eq!(out.upload_id.as_deref(), Some(UPLOAD));
    assert_eq!(out.layer_digest.as_deref(), Some("sha256:dd"));
}

#[tokio::test]
async fn create_repository() {
    let server = MockServer::start(Canned::ok(
        format!(
            r#"{{"repository":{{"repositoryArn":"arn:aws:ecr-public::{REGISTRY}:repository/team/app",
                "registryId":"{REGISTRY}","repositoryName":"team/app","repositoryUri":"public.ecr.aws/abc/team/app",
                "createdAt":1609459200.5}},
               "catalogData":{CATALOG_JSON}}}"#
        ),
        "req-cr",
    ))
    .await;
    let out = server
        .client()
        .create_repository("team/app")
        .catalog_data(catalog_input())
        .tags([tag("team", "infra"), tag("env", "")])
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("CreateRepository");
    assert_eq!(
        req.json(),
        json!({
            "repositoryName": "team/app",
            "catalogData": catalog_input_json(),
            // The model spells the tag members `Key` and `Value`.
            "tags": [{"Key": "team", "Value": "infra"}, {"Key": "env", "Value": ""}],
        })
    );

    assert_eq!(out.request_id(), Some("req-cr"));
    let repo = out.repository.expect("repository");
    assert_eq!(repo.repository_arn.as_deref(), Some("arn:aws:ecr-public::123456789012:repository/team/app"));
    assert_eq!(repo.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(repo.repository_name.as_deref(), Some("team/app"));
    assert_eq!(repo.repository_uri.as_deref(), Some("public.ecr.aws/abc/team/app"));
    assert_eq!(repo.created_at, Some(DateTime::new(1_609_459_200, 500_000_000)));
    assert_catalog(&out.catalog_data.expect("catalog data"));
}

#[tokio::test]
async fn create_repository_sends_only_what_is_set() {
    let server = MockServer::start(Canned::ok("{}", "req-cr2")).await;
    let out = server.client().create_repository("bare").send().await.expect("success");
    server.only_request().assert_aws_json("CreateRepository");
    // Unset optional members are omitted, not sent as null.
    assert_eq!(server.only_request().json(), json!({"repositoryName": "bare"}));
    assert_eq!(out.repository, None);
    assert_eq!(out.catalog_data, None);
}

#[tokio::test]
async fn delete_repository() {
    let server = MockServer::start(Canned::ok(
        format!(r#"{{"repository":{{"registryId":"{REGISTRY}","repositoryName":"my-repo","createdAt":1609459200}}}}"#),
        "req-dr",
    ))
    .await;
    let client = server.client();
    let out = client.delete_repository("my-repo").registry_id(REGISTRY).force(true).send().await.expect("success");
    // Without `force`, the service must not be asked to force: the member is false or absent.
    client.delete_repository("other").send().await.expect("success");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    requests[0].assert_aws_json("DeleteRepository");
    assert_eq!(requests[0].json(), json!({"registryId": REGISTRY, "repositoryName": "my-repo", "force": true}));
    requests[1].assert_aws_json("DeleteRepository");
    let mut unforced = requests[1].json();
    let force = unforced.as_object_mut().expect("object").remove("force");
    assert!(matches!(force, None | Some(serde_json::Value::Bool(false))), "force: {force:?}");
    assert_eq!(unforced, json!({"repositoryName": "other"}));

    assert_eq!(out.request_id(), Some("req-dr"));
    let repo = out.repository.expect("repository");
    assert_eq!(repo.repository_name.as_deref(), Some("my-repo"));
    assert_eq!(repo.created_at, Some(DateTime::from_secs(1_609_459_200)));
}

#[tokio::test]
async fn delete_repository_policy() {
    let policy = r#"{"Version":"2012-10-17","Statement":[]}"#;
    let body = json!({"registryId": REGISTRY, "repositoryName": "my-repo", "policyText": policy}).to_string();
    let server = MockServer::start(Canned::ok(body, "req-drp")).await;
    let out = server.client().delete_repository_policy("my-repo").registry_id(REGISTRY).send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("DeleteRepositoryPolicy");
    assert_eq!(req.json(), json!({"registryId": REGISTRY, "repositoryName": "my-repo"}));

    assert_eq!(out.request_id(), Some("req-drp"));
    assert_eq!(out.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(out.repository_name.as_deref(), Some("my-repo"));
    assert_eq!(out.policy_text.as_deref(), Some(policy));
}

#[tokio::test]
async fn describe_image_tags() {
    let server = MockServer::start(Canned::ok(
        r#"{"imageTagDetails":[{"imageTag":"latest","createdAt":1609459200,
             "imageDetail":{"imageDigest":"sha256:ee","imageSizeInBytes":2048,"imagePushedAt":1609459201.25,
               "imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json",
               "artifactMediaType":"application/vnd.oci.image.config.v1+json"}}],
           "nextToken":"page-2"}"#,
        "req-dit",
    ))
    .await;
    let out = server
        .client()
        .describe_image_tags("my-repo")
        .registry_id(REGISTRY)
        .next_token("page-1")
        .max_results(50)
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("DescribeImageTags");
    assert_eq!(
        req.json(),
        json!({"registryId": REGISTRY, "repositoryName": "my-repo", "nextToken": "page-1", "maxResults": 50})
    );

    assert_eq!(out.request_id(), Some("req-dit"));
    assert_eq!(out.next_token.as_deref(), Some("page-2"));
    assert_eq!(out.image_tag_details.len(), 1);
    let detail = &out.image_tag_details[0];
    assert_eq!(detail.image_tag.as_deref(), Some("latest"));
    assert_eq!(detail.created_at, Some(DateTime::from_secs(1_609_459_200)));
    let image = detail.image_detail.as_ref().expect("image detail");
    assert_eq!(image.image_digest.as_deref(), Some("sha256:ee"));
    assert_eq!(image.image_size_in_bytes, Some(2048));
    assert_eq!(image.image_pushed_at, Some(DateTime::new(1_609_459_201, 250_000_000)));
    assert_eq!(image.image_manifest_media_type.as_deref(), Some("application/vnd.oci.image.manifest.v1+json"));
    assert_eq!(image.artifact_media_type.as_deref(), Some("application/vnd.oci.image.config.v1+json"));
}

#[tokio::test]
async fn describe_images() {
    let server = MockServer::start(Canned::ok(
        format!(
            r#"{{"imageDetails":[{{"registryId":"{REGISTRY}","repositoryName":"my-repo","imageDigest":"sha256:ff",
                "imageTags":["v1","latest"],"imageSizeInBytes":4096,"imagePushedAt":1609459200,
                "imageManifestMediaType":"application/vnd.docker.distribution.manifest.v2+json",
                "artifactMediaType":"application/vnd.docker.container.image.v1+json"}}],"nextToken":"n2"}}"#
        ),
        "req-di",
    ))
    .await;
    let out = server
        .client()
        .describe_images("my-repo")
        .registry_id(REGISTRY)
        .image_ids([ImageIdentifier::default().with_image_tag("v1")])
        .max_results(10)
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("DescribeImages");
    assert_eq!(
        req.json(),
        json!({"registryId": REGISTRY, "repositoryName": "my-repo", "imageIds": [{"imageTag": "v1"}], "maxResults": 10})
    );

    assert_eq!(out.request_id(), Some("req-di"));
    assert_eq!(out.next_token.as_deref(), Some("n2"));
    assert_eq!(out.image_details.len(), 1);
    let d = &out.image_details[0];
    assert_eq!(d.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(d.repository_name.as_deref(), Some("my-repo"));
    assert_eq!(d.image_digest.as_deref(), Some("sha256:ff"));
    assert_eq!(d.image_tags, ["v1", "latest"]);
    assert_eq!(d.image_size_in_bytes, Some(4096));
    assert_eq!(d.image_pushed_at, Some(DateTime::from_secs(1_609_459_200)));
    assert_eq!(d.image_manifest_media_type.as_deref(), Some("application/vnd.docker.distribution.manifest.v2+json"));
    assert_eq!(d.artifact_media_type.as_deref(), Some("application/vnd.docker.container.image.v1+json"));
}

#[tokio::test]
async fn describe_registries() {
    let server = MockServer::start(Canned::ok(
        format!(
            r#"{{"registries":[{{"registryId":"{REGISTRY}","registryArn":"arn:aws:ecr-public::{REGISTRY}:registry/{REGISTRY}",
                "registryUri":"public.ecr.aws/abc","verified":true,
                "aliases":[{{"name":"abc","status":"ACTIVE","primaryRegistryAlias":true,"defaultRegistryAlias":false}},
                           {{"name":"xyz","status":"PENDING","primaryRegistryAlias":false,"defaultRegistryAlias":true}}]}}],
               "nextToken":"more"}}"#
        ),
        "req-dreg",
    ))
    .await;
    let out = server.client().describe_registries().max_results(5).send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("DescribeRegistries");
    assert_eq!(req.json(), json!({"maxResults": 5}));

    assert_eq!(out.request_id(), Some("req-dreg"));
    assert_eq!(out.next_token.as_deref(), Some("more"));
    assert_eq!(out.registries.len(), 1);
    let r = &out.registries[0];
    assert_eq!(r.registry_id, REGISTRY);
    assert_eq!(r.registry_arn, "arn:aws:ecr-public::123456789012:registry/123456789012");
    assert_eq!(r.registry_uri, "public.ecr.aws/abc");
    assert!(r.verified);
    assert_eq!(r.aliases.len(), 2);
    assert_eq!(r.aliases[0].name, "abc");
    assert_eq!(r.aliases[0].status, RegistryAliasStatus::Active);
    assert!(r.aliases[0].primary_registry_alias);
    assert!(!r.aliases[0].default_registry_alias);
    assert_eq!(r.aliases[1].name, "xyz");
    assert_eq!(r.aliases[1].status, RegistryAliasStatus::Pending);
    assert!(!r.aliases[1].primary_registry_alias);
    assert!(r.aliases[1].default_registry_alias);
}

#[tokio::test]
async fn describe_repositories() {
    let server = MockServer::start(Canned::ok(
        format!(
            r#"{{"repositories":[{{"repositoryArn":"arn:a","registryId":"{REGISTRY}","repositoryName":"a",
                  "repositoryUri":"public.ecr.aws/abc/a","createdAt":1609459200}},
                {{"repositoryName":"b","createdAt":1609459300.75}}]}}"#
        ),
        "req-drepo",
    ))
    .await;
    let out = server
        .client()
        .describe_repositories()
        .registry_id(REGISTRY)
        .repository_names(["app-a", "app-b"])
        .max_results(2)
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("DescribeRepositories");
    assert_eq!(req.json(), json!({"registryId": REGISTRY, "repositoryNames": ["app-a", "app-b"], "maxResults": 2}));

    assert_eq!(out.request_id(), Some("req-drepo"));
    assert_eq!(out.next_token, None);
    assert_eq!(out.repositories.len(), 2);
    let a = &out.repositories[0];
    assert_eq!(a.repository_arn.as_deref(), Some("arn:a"));
    assert_eq!(a.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(a.repository_name.as_deref(), Some("a"));
    assert_eq!(a.repository_uri.as_deref(), Some("public.ecr.aws/abc/a"));
    assert_eq!(a.created_at, Some(DateTime::from_secs(1_609_459_200)));
    let b = &out.repositories[1];
    assert_eq!(b.repository_name.as_deref(), Some("b"));
    assert_eq!(b.repository_arn, None);
    assert_eq!(b.created_at, Some(DateTime::new(1_609_459_300, 750_000_000)));
}

#[tokio::test]
async fn get_authorization_token() {
    let server = MockServer::start(Canned::ok(
        r#"{"authorizationData":{"authorizationToken":"QVdTOnNlY3JldA==","expiresAt":1609462800}}"#,
        "req-gat",
    ))
    .await;
    let out = server.client().get_authorization_token().send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("GetAuthorizationToken");
    // An operation without input members still sends an empty JSON object.
    assert_eq!(req.body.as_ref(), b"{}");

    assert_eq!(out.request_id(), Some("req-gat"));
    let data = out.authorization_data.expect("authorization data");
    // The token is a modeled string (it happens to be base64): it is not decoded.
    assert_eq!(data.authorization_token.as_deref(), Some("QVdTOnNlY3JldA=="));
    assert_eq!(data.expires_at, Some(DateTime::from_secs(1_609_462_800)));
}

#[tokio::test]
async fn get_registry_catalog_data() {
    let server =
        MockServer::start(Canned::ok(r#"{"registryCatalogData":{"displayName":"My Registry"}}"#, "req-grcd")).await;
    let out = server.client().get_registry_catalog_data().send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("GetRegistryCatalogData");
    assert_eq!(req.body.as_ref(), b"{}");

    assert_eq!(out.request_id(), Some("req-grcd"));
    assert_eq!(out.registry_catalog_data.display_name.as_deref(), Some("My Registry"));
}

#[tokio::test]
async fn get_repository_catalog_data() {
    let server = MockServer::start(Canned::ok(format!(r#"{{"catalogData":{CATALOG_JSON}}}"#), "req-grepcd")).await;
    let out =
        server.client().get_repository_catalog_data("my-repo").registry_id(REGISTRY).send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("GetRepositoryCatalogData");
    assert_eq!(req.json(), json!({"registryId": REGISTRY, "repositoryName": "my-repo"}));

    assert_eq!(out.request_id(), Some("req-grepcd"));
    assert_catalog(&out.catalog_data.expect("catalog data"));
}

#[tokio::test]
async fn get_repository_policy() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#;
    let body = json!({"registryId": REGISTRY, "repositoryName": "my-repo", "policyText": policy}).to_string();
    let server = MockServer::start(Canned::ok(body, "req-grp")).await;
    let out = server.client().get_repository_policy("my-repo").registry_id(REGISTRY).send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("GetRepositoryPolicy");
    assert_eq!(req.json(), json!({"registryId": REGISTRY, "repositoryName": "my-repo"}));

    assert_eq!(out.request_id(), Some("req-grp"));
    assert_eq!(out.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(out.repository_name.as_deref(), Some("my-repo"));
    assert_eq!(out.policy_text.as_deref(), Some(policy));
}

#[tokio::test]
async fn initiate_layer_upload() {
    let server =
        MockServer::start(Canned::ok(format!(r#"{{"uploadId":"{UPLOAD}","partSize":10485760}}"#), "req-ilu")).await;
    let out = server.client().initiate_layer_upload("my-repo").registry_id("my-alias").send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("InitiateLayerUpload");
    assert_eq!(req.json(), json!({"registryId": "my-alias", "repositoryName": "my-repo"}));

    assert_eq!(out.request_id(), Some("req-ilu"));
    assert_eq!(out.upload_id.as_deref(), Some(UPLOAD));
    assert_eq!(out.part_size, Some(10_485_760));
}

#[tokio::test]
async fn list_tags_for_resource() {
    let server =
        MockServer::start(Canned::ok(r#"{"tags":[{"Key":"team","Value":"infra"},{"Key":"env"}]}"#, "req-ltfr")).await;
    let arn = "arn:aws:ecr-public::123456789012:repository/my-repo";
    let out = server.client().list_tags_for_resource(arn).send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("ListTagsForResource");
    assert_eq!(req.json(), json!({"resourceArn": arn}));

    assert_eq!(out.request_id(), Some("req-ltfr"));
    assert_eq!(out.tags, [tag("team", "infra"), Tag::default().with_key("env")]);
}

#[tokio::test]
async fn put_image() {
    let manifest = r#"{"schemaVersion":2,"layers":[]}"#;
    let media = "application/vnd.oci.image.manifest.v1+json";
    let body = json!({"image": {
        "registryId": REGISTRY,
        "repositoryName": "my-repo",
        "imageId": {"imageDigest": "sha256:11", "imageTag": "v2"},
        "imageManifest": manifest,
        "imageManifestMediaType": media,
    }})
    .to_string();
    let server = MockServer::start(Canned::ok(body, "req-pi")).await;
    let out = server
        .client()
        .put_image("my-repo", manifest)
        .registry_id(REGISTRY)
        .image_manifest_media_type(media)
        .image_tag("v2")
        .image_digest("sha256:11")
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("PutImage");
    assert_eq!(
        req.json(),
        json!({
            "registryId": REGISTRY,
            "repositoryName": "my-repo",
            // A JSON document inside a string member travels as an escaped string.
            "imageManifest": manifest,
            "imageManifestMediaType": media,
            "imageTag": "v2",
            "imageDigest": "sha256:11",
        })
    );

    assert_eq!(out.request_id(), Some("req-pi"));
    let image = out.image.expect("image");
    assert_eq!(image.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(image.repository_name.as_deref(), Some("my-repo"));
    assert_eq!(image.image_id, Some(ImageIdentifier::default().with_image_digest("sha256:11").with_image_tag("v2")));
    assert_eq!(image.image_manifest.as_deref(), Some(manifest));
    assert_eq!(image.image_manifest_media_type.as_deref(), Some(media));
}

#[tokio::test]
async fn put_registry_catalog_data() {
    let server =
        MockServer::start(Canned::ok(r#"{"registryCatalogData":{"displayName":"Renamed \u00e9"}}"#, "req-prcd")).await;
    let out = server.client().put_registry_catalog_data().display_name("Renamed é").send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("PutRegistryCatalogData");
    assert_eq!(req.json(), json!({"displayName": "Renamed é"}));

    assert_eq!(out.request_id(), Some("req-prcd"));
    assert_eq!(out.registry_catalog_data.display_name.as_deref(), Some("Renamed é"));
}

#[tokio::test]
async fn put_repository_catalog_data() {
    let server = MockServer::start(Canned::ok(format!(r#"{{"catalogData":{CATALOG_JSON}}}"#), "req-prepcd")).await;
    let out = server
        .client()
        .put_repository_catalog_data("my-repo", catalog_input())
        .registry_id(REGISTRY)
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("PutRepositoryCatalogData");
    assert_eq!(
        req.json(),
        json!({"registryId": REGISTRY, "repositoryName": "my-repo", "catalogData": catalog_input_json()})
    );

    assert_eq!(out.request_id(), Some("req-prepcd"));
    assert_catalog(&out.catalog_data.expect("catalog data"));
}

#[tokio::test]
async fn set_repository_policy() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*"}]}"#;
    let body = json!({"registryId": REGISTRY, "repositoryName": "my-repo", "policyText": policy}).to_string();
    let server = MockServer::start(Canned::ok(body, "req-srp")).await;
    let out = server
        .client()
        .set_repository_policy("my-repo", policy)
        .registry_id(REGISTRY)
        .force(true)
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("SetRepositoryPolicy");
    assert_eq!(
        req.json(),
        json!({"registryId": REGISTRY, "repositoryName": "my-repo", "policyText": policy, "force": true})
    );

    assert_eq!(out.request_id(), Some("req-srp"));
    assert_eq!(out.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(out.repository_name.as_deref(), Some("my-repo"));
    assert_eq!(out.policy_text.as_deref(), Some(policy));
}

#[tokio::test]
async fn tag_resource() {
    let server = MockServer::start(Canned::ok("{}", "req-tr")).await;
    let arn = "arn:aws:ecr-public::123456789012:repository/my-repo";
    let out = server.client().tag_resource(arn, [tag("team", "infra"), tag("cost", "42")]).send().await.expect("ok");

    let req = server.only_request();
    req.assert_aws_json("TagResource");
    assert_eq!(
        req.json(),
        json!({"resourceArn": arn, "tags": [{"Key": "team", "Value": "infra"}, {"Key": "cost", "Value": "42"}]})
    );
    assert_eq!(out.request_id(), Some("req-tr"));
}

#[tokio::test]
async fn untag_resource() {
    // The service may answer an output without members with an empty body.
    let server = MockServer::start(Canned::ok("", "req-ur")).await;
    let arn = "arn:aws:ecr-public::123456789012:repository/my-repo";
    let out = server.client().untag_resource(arn, ["team", "cost"]).send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("UntagResource");
    assert_eq!(req.json(), json!({"resourceArn": arn, "tagKeys": ["team", "cost"]}));
    assert_eq!(out.request_id(), Some("req-ur"));
}

#[tokio::test]
async fn upload_layer_part() {
    let server = MockServer::start(Canned::ok(
        format!(
            r#"{{"registryId":"{REGISTRY}","repositoryName":"my-repo","uploadId":"{UPLOAD}","lastByteReceived":12}}"#
        ),
        "req-ulp",
    ))
    .await;
    let part = Blob::new(b"layer-bytes\x00\xff".to_vec());
    let out = server
        .client()
        .upload_layer_part("my-repo", UPLOAD, 0, 12, part)
        .registry_id(REGISTRY)
        .send()
        .await
        .expect("success");

    let req = server.only_request();
    req.assert_aws_json("UploadLayerPart");
    assert_eq!(
        req.json(),
        json!({
            "registryId": REGISTRY,
            "repositoryName": "my-repo",
            "uploadId": UPLOAD,
            "partFirstByte": 0,
            "partLastByte": 12,
            "layerPartBlob": "bGF5ZXItYnl0ZXMA/w==",
        })
    );

    assert_eq!(out.request_id(), Some("req-ulp"));
    assert_eq!(out.registry_id.as_deref(), Some(REGISTRY));
    assert_eq!(out.repository_name.as_deref(), Some("my-repo"));
    assert_eq!(out.upload_id.as_deref(), Some(UPLOAD));
    assert_eq!(out.last_byte_received, Some(12));
}

#[tokio::test]
async fn large_offsets_keep_full_precision() {
    // Layer offsets are 64-bit: a value above 2^53 must not be rounded through a float.
    let big = (1i64 << 53) + 1;
    let body = format!(r#"{{"lastByteReceived":{big}}}"#);
    let server = MockServer::start(Canned::ok(body, "req-big")).await;
    let out =
        server.client().upload_layer_part("my-repo", UPLOAD, big - 1, big, Blob::default()).send().await.expect("ok");
    let req = server.only_request();
    let sent = String::from_utf8(req.body.to_vec()).expect("utf-8");
    assert!(sent.contains(&format!(r#""partLastByte":{big}"#)), "{sent}");
    assert!(sent.contains(r#""layerPartBlob":"""#), "an empty blob is an empty string: {sent}");
    assert_eq!(out.last_byte_received, Some(big));
}

#[tokio::test]
async fn session_token_is_sent_and_signed() {
    let server = MockServer::start(Canned::ok("{}", "req-st")).await;
    let config = common::config(&server.endpoint())
        .to_builder()
        .credentials(ecrpublic::Credentials::new("AKID", "SECRET", Some("SESSION".into()), None, "test"))
        .build();
    ecrpublic::Client::new(&config).get_authorization_token().send().await.expect("success");

    let req = server.only_request();
    req.assert_aws_json("GetAuthorizationToken");
    assert_eq!(req.header("x-amz-security-token"), "SESSION");
    assert!(common::signed_headers(req.header("authorization")).contains(&"x-amz-security-token"));
}

/// The user agent names this crate at the version in use, the service, and the runtime.
#[tokio::test]
async fn user_agent_names_the_crate_the_service_and_the_runtime() {
    let server = MockServer::start(Canned::ok("{}", "req-ua")).await;
    server.client().get_authorization_token().send().await.expect("success");
    let ua = server.only_request().header("user-agent").to_string();
    let tokens: Vec<&str> = ua.split(' ').collect();
    assert_eq!(tokens[0], concat!("ecrpublic/", env!("CARGO_PKG_VERSION")), "{ua}");
    assert_eq!(tokens[1], "api/ecr-public#2020-10-30", "{ua}");
    assert!(tokens.iter().any(|t| t.strip_prefix("md/awsjson-runtime#").is_some_and(|v| !v.is_empty())), "{ua}");
}

#[tokio::test]
async fn no_session_token_header_without_a_session_token() {
    let server = MockServer::start(Canned::ok("{}", "req-nst")).await;
    server.client().get_authorization_token().send().await.expect("success");
    assert!(server.only_request().headers.get("x-amz-security-token").is_none());
}

/// Recomputes the SigV4 signature from what the server received (signed headers, body, the
/// request's own `x-amz-date`): a header or body changed after signing would not verify.
#[tokio::test]
async fn signature_verifies_against_the_received_request() {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;

    let server = MockServer::start(Canned::ok("{}", "req-sig")).await;
    server
        .client()
        .create_repository("signed/repo")
        .catalog_data(catalog_input())
        .tags([tag("k", "v \"quoted\" \u{e9}")])
        .send()
        .await
        .expect("success");
    let req = server.only_request();
    let auth = req.header("authorization");
    let signed = common::signed_headers(auth);
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .filter(|(name, _)| signed.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str(), value.to_str().expect("text")))
        .collect();
    assert_eq!(headers.len(), signed.len(), "every signed header arrived: {signed:?}");

    let credentials = ecrpublic::Credentials::new("AKID", "SECRET", None, None, "test");
    let identity = credentials.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ecr-public")
        .time(parse_amz_date(req.header("x-amz-date")))
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let uri = format!("{}{}", server.endpoint(), req.path);
    let signable =
        SignableRequest::new("POST", &uri, headers.into_iter(), SignableBody::Bytes(&req.body)).expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    let (expected_headers, _) = instructions.into_parts();
    let expected =
        expected_headers.iter().find(|h| h.name() == "authorization").map(|h| h.value().to_owned()).expect("auth");
    assert_eq!(auth, expected);
}

/// `20240131T235959Z` as a `SystemTime`.
fn parse_amz_date(s: &str) -> std::time::SystemTime {
    let num = |range: std::ops::Range<usize>| s[range].parse::<i64>().expect("digits");
    let (y, m, d) = (num(0..4), num(4..6), num(6..8));
    let (hh, mm, ss) = (num(9..11), num(11..13), num(13..15));
    // Days from 1970-01-01 to y-m-d (Howard Hinnant's `days_from_civil`).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(secs).expect("after 1970"))
}
