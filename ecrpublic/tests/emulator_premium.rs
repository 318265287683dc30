//! The emulator's premium repositories and what comes with them (products, states, associations,
//! image status, scans, entitlements, publisher reports), driven through this crate's client:
//! the happy path of each new operation and each of its modeled errors.
#![cfg(feature = "emulator")]

#[path = "common/emulator.rs"]
mod emulator_common;
use emulator_common::{client, client_with, create_premium, push_image, unchecked};

use ecrpublic::emulator::{CustomAlias, Emulator, EmulatorOptions, Entitlement, ScanOptions};
use ecrpublic::types::{
    CvssScore, ImageIdentifier, ImageScanFinding, ImageStatus, PackageVulnerabilityDetails, PublisherReport,
    PublisherReportGranularity, PublisherReportPeriod, PublisherReportType, RegistryAliasStatus, RegistryPremiumStatus,
    RepositoryCatalogDataInput, RepositoryCategory, RepositoryState, RepositoryType, ScanStatus, Tag,
    VulnerablePackage,
};
use ecrpublic::DateTime;

const ACCOUNT: &str = "123456789012";
const ALIAS: &str = EmulatorOptions::PREMIUM_ALIAS;
const PREMIUM: RepositoryType = RepositoryType::Premium;

async fn premium() -> Emulator {
    Emulator::start_with(EmulatorOptions::premium_registry().with_min_part_size(1)).await.expect("start")
}

fn digest_id(digest: &str) -> ImageIdentifier {
    ImageIdentifier::default().with_image_digest(digest)
}

fn tag_id(tag: &str) -> ImageIdentifier {
    ImageIdentifier::default().with_image_tag(tag)
}

#[tokio::test]
async fn premium_needs_a_verified_registry_with_an_approved_alias() {
    for options in [
        EmulatorOptions::default(),
        EmulatorOptions::default().with_verified(true),
        EmulatorOptions::default().with_custom_alias(CustomAlias::approved("mine")),
        EmulatorOptions::default().with_verified(true).with_custom_alias(CustomAlias::pending("mine")),
    ] {
        let emu = Emulator::start_with(options).await.expect("start");
        let c = client(&emu);
        expect_code!(c.create_premium_repository("app", ["prod-1"]).send(), "ValidationException");
        let registry = c.describe_registries().send().await.expect("describe").registries.remove(0);
        assert_eq!(registry.premium_status, Some(RegistryPremiumStatus::Disabled));
        assert_eq!(registry.premium_registry_uri, None);
        assert!(c.describe_premium_repositories().send().await.expect("none").repositories.is_empty());
    }

    let emu = premium().await;
    let c = client(&emu);
    let registry = c.describe_registries().send().await.expect("describe").registries.remove(0);
    assert!(registry.verified);
    assert_eq!(registry.premium_status, Some(RegistryPremiumStatus::Enabled));
    assert_eq!(registry.premium_registry_uri.as_deref(), Some("premium.public.ecr.aws/publisher"));
    assert_eq!(registry.registry_uri, "public.ecr.aws/publisher");
    let aliases: Vec<_> = registry
        .aliases
        .iter()
        .map(|a| (a.name.as_str(), &a.status, a.primary_registry_alias, a.default_registry_alias))
        .collect();
    assert_eq!(
        aliases,
        [
            ("emulator", &RegistryAliasStatus::Active, false, true),
            ("publisher", &RegistryAliasStatus::Active, true, false)
        ]
    );
    // The approved alias names the registry, and is in repository URIs.
    let created = c.create_repository("app").send().await.expect("free").repository.expect("repository");
    assert_eq!(created.repository_uri.as_deref(), Some("public.ecr.aws/publisher/app"));
    c.initiate_layer_upload("app").registry_id("publisher").send().await.expect("by the custom alias");
    c.initiate_layer_upload("app").registry_id("emulator").send().await.expect("by the default alias");
}

#[tokio::test]
async fn premium_repositories_their_catalog_products_and_state() {
    let emu = Emulator::start_with(EmulatorOptions::premium_registry().with_max_repositories(2)).await.expect("start");
    let c = client(&emu);
    let catalog = RepositoryCatalogDataInput::default()
        .with_description("Paid app")
        .with_categories([RepositoryCategory::Databases, RepositoryCategory::Security]);
    let created = c
        .create_premium_repository("team/app", ["prod-1", "prod-2"])
        .catalog_data(catalog)
        .tags([Tag::default().with_key("team").with_value("db")])
        .send()
        .await
        .expect("create");
    let repo = created.premium_repository.expect("repository");
    let arn = format!("arn:aws:ecr-public::{ACCOUNT}:premium-repository/team/app");
    assert_eq!(repo.repository_arn.as_deref(), Some(arn.as_str()));
    assert_eq!(repo.registry_id.as_deref(), Some(ACCOUNT));
    assert_eq!(repo.repository_uri.as_deref(), Some("premium.public.ecr.aws/publisher/team/app"));
    assert_eq!(repo.state, Some(RepositoryState::Draft));
    assert_eq!(repo.marketplace_products, ["prod-1", "prod-2"]);
    assert!(repo.created_at.is_some());
    let data = created.catalog_data.expect("catalog");
    assert_eq!(data.categories, [RepositoryCategory::Databases, RepositoryCategory::Security]);
    assert_eq!(data.marketplace_certified, Some(false));
    let tags = c.list_tags_for_resource(&arn).send().await.expect("tags").tags;
    assert_eq!(tags, [Tag::default().with_key("team").with_value("db")]);

    // Errors of CreatePremiumRepository.
    expect_code!(c.create_premium_repository("team/app", ["prod-1"]).send(), "RepositoryAlreadyExistsException");
    expect_code!(c.create_premium_repository("dup", ["p", "p"]).send(), "InvalidParameterException");
    expect_code!(
        c.create_premium_repository("tagged", ["p"]).tags([Tag::default().with_key("aws:x").with_value("v")]).send(),
        "InvalidTagParameterException"
    );
    let many: Vec<Tag> = (0..51).map(|n| Tag::default().with_key(format!("k{n}")).with_value("v")).collect();
    expect_code!(c.create_premium_repository("tagged", ["p"]).tags(many).send(), "TooManyTagsException");
    c.create_repository("team/app").send().await.expect("a free repository may share the name");
    c.create_premium_repository("second", ["p"]).send().await.expect("second");
    expect_code!(c.create_premium_repository("third", ["p"]).send(), "LimitExceededException");

    // DescribePremiumRepositories.
    let all = c.describe_premium_repositories().send().await.expect("all").repositories;
    let names: Vec<_> = all.iter().filter_map(|r| r.repository_name.as_deref()).collect();
    assert_eq!(names, ["second", "team/app"]);
    let page = c.describe_premium_repositories().max_results(1).send().await.expect("page");
    assert_eq!(page.repositories.len(), 1);
    let rest =
        c.describe_premium_repositories().next_token(page.next_token.expect("token")).send().await.expect("rest");
    assert_eq!(rest.repositories[0].repository_name.as_deref(), Some("team/app"));
    let one = c.describe_premium_repositories().repository_names(["team/app"]).send().await.expect("by name");
    assert_eq!(one.repositories.len(), 1);
    expect_code!(c.describe_premium_repositories().repository_names(["nope"]).send(), "RepositoryNotFoundException");
    expect_code!(
        c.describe_premium_repositories().repository_names(["second"]).max_results(1).send(),
        "InvalidParameterException"
    );

    // Catalog data.
    expect_code!(c.get_premium_repository_catalog_data("second").send(), "RepositoryCatalogDataNotFoundException");
    expect_code!(c.get_premium_repository_catalog_data("nope").send(), "RepositoryNotFoundException");
    let got = c.get_premium_repository_catalog_data("team/app").send().await.expect("get");
    assert_eq!(got.catalog_data.and_then(|d| d.description).as_deref(), Some("Paid app"));
    let put = c
        .put_premium_repository_catalog_data("team/app", RepositoryCatalogDataInput::default().with_usage_text("pull"))
        .send()
        .await
        .expect("put");
    assert_eq!(put.repository_name.as_deref(), Some("team/app"));
    let data = put.catalog_data.expect("data");
    assert_eq!((data.description.as_deref(), data.usage_text.as_deref()), (Some("Paid app"), Some("pull")));
    let four = RepositoryCatalogDataInput::default().with_categories([
        RepositoryCategory::AiMl,
        RepositoryCategory::Databases,
        RepositoryCategory::Networking,
        RepositoryCategory::Streaming,
    ]);
    expect_code!(
        unchecked(&emu).put_premium_repository_catalog_data("team/app", four).send(),
        "InvalidParameterException"
    );
    expect_code!(
        c.put_premium_repository_catalog_data("nope", RepositoryCatalogDataInput::default()).send(),
        "RepositoryNotFoundException"
    );

    // Policies.
    expect_code!(c.get_premium_repository_policy("team/app").send(), "RepositoryPolicyNotFoundException");
    expect_code!(c.delete_premium_repository_policy("team/app").send(), "RepositoryPolicyNotFoundException");
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr-public:DescribeImages"}]}"#;
    let set = c.set_premium_repository_policy("team/app", policy).send().await.expect("set");
    assert_eq!(set.policy_text.as_deref(), Some(policy));
    let lockout = r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"ecr-public:*"}}"#;
    expect_code!(c.set_premium_repository_policy("team/app", lockout).send(), "InvalidParameterException");
    expect_code!(c.set_premium_repository_policy("team/app", "{}").send(), "InvalidParameterException");
    expect_code!(c.set_premium_repository_policy("nope", policy).send(), "RepositoryNotFoundException");
    let got = c.get_premium_repository_policy("team/app").send().await.expect("get");
    assert_eq!(got.policy_text.as_deref(), Some(policy));
    c.set_premium_repository_policy("team/app", lockout).force(true).send().await.expect("forced");
    let deleted = c.delete_premium_repository_policy("team/app").send().await.expect("delete");
    assert_eq!(deleted.policy_text.as_deref(), Some(lockout));
    expect_code!(c.get_premium_repository_policy("nope").send(), "RepositoryNotFoundException");
    expect_code!(c.delete_premium_repository_policy("nope").send(), "RepositoryNotFoundException");

    // Products: replaced in DRAFT, only added to afterwards.
    let out = c.put_premium_repository_products("team/app", ["prod-2"]).send().await.expect("in DRAFT");
    assert_eq!(out.marketplace_products, ["prod-2"]);
    expect_code!(c.put_premium_repository_products("team/app", ["a", "a"]).send(), "InvalidParameterException");
    expect_code!(c.put_premium_repository_products("nope", ["a"]).send(), "RepositoryNotFoundException");

    // State: DRAFT -> AVAILABLE <-> HIDDEN, never DRAFT again.
    expect_code!(
        c.set_repository_state("team/app", PREMIUM, RepositoryState::Hidden).send(),
        "InvalidParameterException"
    );
    expect_code!(
        c.set_repository_state("team/app", RepositoryType::Free, RepositoryState::Available).send(),
        "InvalidParameterException"
    );
    expect_code!(
        c.set_repository_state("nope", PREMIUM, RepositoryState::Available).send(),
        "RepositoryNotFoundException"
    );
    for (to, expected) in [
        (RepositoryState::Available, RepositoryState::Available),
        (RepositoryState::Available, RepositoryState::Available),
        (RepositoryState::Hidden, RepositoryState::Hidden),
        (RepositoryState::Available, RepositoryState::Available),
    ] {
        let out = c.set_repository_state("team/app", PREMIUM, to).send().await.expect("allowed");
        assert_eq!((out.state, out.repository_type), (Some(expected), Some(PREMIUM)));
    }
    expect_code!(
        c.set_repository_state("team/app", PREMIUM, RepositoryState::Draft).send(),
        "InvalidParameterException"
    );
    let described = c.describe_premium_repositories().repository_names(["team/app"]).send().await.expect("describe");
    assert_eq!(described.repositories[0].state, Some(RepositoryState::Available));
    expect_code!(c.put_premium_repository_products("team/app", ["prod-3"]).send(), "InvalidParameterException");
    let out = c.put_premium_repository_products("team/app", ["prod-2", "prod-3"]).send().await.expect("add");
    assert_eq!(out.marketplace_products, ["prod-2", "prod-3"]);

    // Deleting.
    let gone = c.delete_premium_repository("second").send().await.expect("delete");
    let shape = gone.premium_repository.expect("shape");
    assert_eq!(shape.repository_name.as_deref(), Some("second"));
    assert!(shape.marketplace_products.is_empty() && shape.state.is_none());
    expect_code!(c.delete_premium_repository("second").send(), "RepositoryNotFoundException");
    expect_code!(c.delete_premium_repository("second").registry_id("999999999999").send(), "InvalidParameterException");
    emu.shutdown().await;
}

#[tokio::test]
async fn images_of_premium_repositories_and_their_status() {
    let emu = premium().await;
    let c = client(&emu);
    create_premium(&c, "app").await;
    c.create_repository("app").send().await.expect("free namesake");
    let d1 = push_image(&c, &PREMIUM, "app", "v1").await;
    let d2 = push_image(&c, &PREMIUM, "app", "v2").await;
    assert!(c.describe_images("app").send().await.expect("free").image_details.is_empty(), "separate namespaces");
    let details = c.describe_images("app").repository_type(PREMIUM).send().await.expect("premium").image_details;
    assert_eq!(details.len(), 2);
    assert_eq!(details[0].repository_type, Some(PREMIUM));
    assert_eq!(details[0].image_status, Some(ImageStatus::Active));
    assert_eq!(details[0].scheduled_deletion_at, None);

    // In DRAFT images can be deleted, and their status not set.
    expect_code!(
        c.set_image_status("app", PREMIUM, digest_id(&d1), ImageStatus::Deprecated).deprecation_period_days(90).send(),
        "ValidationException"
    );
    let d3 = push_image(&c, &PREMIUM, "app", "v3").await;
    let deleted = c.batch_delete_image("app", [tag_id("v3")]).repository_type(PREMIUM).send().await.expect("in DRAFT");
    assert_eq!(deleted.image_ids, [digest_id(&d3).with_image_tag("v3")]);

    // An index of both images.
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{d1}","size":1}},{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{d2}","size":1}}]}}"#
    );
    let di = c
        .put_image("app", &index)
        .image_tag("multi")
        .repository_type(PREMIUM)
        .send()
        .await
        .expect("index")
        .image
        .and_then(|i| i.image_id)
        .and_then(|i| i.image_digest)
        .expect("digest");

    c.set_repository_state("app", PREMIUM, RepositoryState::Available).send().await.expect("available");
    expect_code!(
        c.batch_delete_image("app", [tag_id("v1")]).repository_type(PREMIUM).send(),
        "DeletionNotAllowedException"
    );

    // SetImageStatus errors.
    let deprecate = |id: ImageIdentifier, days: i32| {
        c.set_image_status("app", PREMIUM, id, ImageStatus::Deprecated).deprecation_period_days(days)
    };
    expect_code!(deprecate(tag_id("nope"), 90).send(), "ImageNotFoundException");
    expect_code!(
        c.set_image_status("nope", PREMIUM, tag_id("v1"), ImageStatus::Deprecated).deprecation_period_days(90).send(),
        "RepositoryNotFoundException"
    );
    expect_code!(
        c.set_image_status("app", RepositoryType::Free, tag_id("v1"), ImageStatus::Active).send(),
        "InvalidParameterException"
    );
    expect_code!(
        c.set_image_status("app", PREMIUM, tag_id("v1"), ImageStatus::Deprecated).send(),
        "InvalidParameterException"
    );
    expect_code!(
        unchecked(&emu)
            .set_image_status("app", PREMIUM, tag_id("v1"), ImageStatus::Deprecated)
            .deprecation_period_days(89)
            .send(),
        "InvalidParameterException"
    );
    expect_code!(
        c.set_image_status("app", PREMIUM, tag_id("v1"), ImageStatus::Active).deprecation_period_days(90).send(),
        "InvalidParameterException"
    );
    // An image an index lists goes after the index.
    expect_code!(deprecate(tag_id("v1"), 200).send(), "ValidationException");
    let out = deprecate(tag_id("multi"), 100).send().await.expect("deprecate the index");
    assert_eq!(out.status, Some(ImageStatus::Deprecated));
    assert_eq!(out.image_id, Some(digest_id(&di).with_image_tag("multi")));
    let at = out.scheduled_deletion_at.expect("scheduled").secs();
    let expected = DateTime::now().secs() + 100 * 86_400;
    assert!((expected - 60..=expected + 60).contains(&at), "{at} vs {expected}");
    expect_code!(deprecate(tag_id("v1"), 100).send(), "ValidationException");
    let v1 = deprecate(digest_id(&d1), 101).send().await.expect("after the index");
    assert_eq!(v1.repository_type, Some(PREMIUM));
    expect_code!(
        c.set_image_status("app", PREMIUM, tag_id("multi"), ImageStatus::Active).send(),
        "ValidationException"
    );

    // The status is in DescribeImages and DescribeImageTags.
    let details = c.describe_images("app").repository_type(PREMIUM).image_ids([tag_id("v1")]).send().await.expect("v1");
    assert_eq!(details.image_details[0].image_status, Some(ImageStatus::Deprecated));
    assert_eq!(details.image_details[0].scheduled_deletion_at, v1.scheduled_deletion_at);
    let tags = c.describe_image_tags("app").repository_type(PREMIUM).send().await.expect("tags").image_tag_details;
    let v1_tag = tags.iter().find(|t| t.image_tag.as_deref() == Some("v1")).and_then(|t| t.image_detail.clone());
    assert_eq!(v1_tag.and_then(|d| d.image_status), Some(ImageStatus::Deprecated));

    // ACTIVE cancels the deletion.
    let back = c.set_image_status("app", PREMIUM, tag_id("v1"), ImageStatus::Active).send().await.expect("active");
    assert_eq!((back.status, back.scheduled_deletion_at), (Some(ImageStatus::Active), None));
    expect_code!(c.delete_premium_repository("app").send(), "RepositoryNotEmptyException");
    emu.shutdown().await;
}

#[tokio::test]
async fn associations_between_a_free_and_a_premium_repository() {
    let emu = premium().await;
    let c = client(&emu);
    create_premium(&c, "paid").await;
    create_premium(&c, "paid2").await;
    c.create_repository("free").send().await.expect("free");
    c.create_repository("free2").send().await.expect("free2");
    let free = RepositoryType::Free;

    expect_code!(
        c.associate_repositories("free", free.clone(), "free2", free.clone()).send(),
        "InvalidParameterException"
    );
    expect_code!(c.associate_repositories("free", free.clone(), "nope", PREMIUM).send(), "RepositoryNotFoundException");
    expect_code!(c.associate_repositories("paid", free.clone(), "free", PREMIUM).send(), "RepositoryNotFoundException");
    let out = c.associate_repositories("free", free.clone(), "paid", PREMIUM).send().await.expect("associate");
    assert_eq!(out.registry_id.as_deref(), Some(ACCOUNT));
    assert_eq!((out.repository_name.as_deref(), out.repository_type.as_ref()), (Some("free"), Some(&free)));
    assert_eq!(
        (out.associated_repository_name.as_deref(), out.associated_repository_type),
        (Some("paid"), Some(PREMIUM))
    );
    expect_code!(
        c.associate_repositories("free", free.clone(), "paid2", PREMIUM).send(),
        "AssociationAlreadyExistsException"
    );
    expect_code!(
        c.associate_repositories("paid", PREMIUM, "free2", free.clone()).send(),
        "AssociationAlreadyExistsException"
    );

    let described = c.describe_repositories().repository_names(["free"]).send().await.expect("free");
    let linked = &described.repositories[0].associated_repositories;
    assert_eq!(linked.len(), 1);
    assert_eq!(
        (linked[0].repository_name.as_deref(), linked[0].repository_type.as_ref()),
        (Some("paid"), Some(&PREMIUM))
    );
    let premium = c.describe_premium_repositories().repository_names(["paid"]).send().await.expect("paid");
    let linked = &premium.repositories[0].associated_repositories;
    assert_eq!((linked[0].repository_name.as_deref(), linked[0].repository_type.as_ref()), (Some("free"), Some(&free)));

    expect_code!(
        c.disassociate_repositories("free2", free.clone(), "paid", PREMIUM).send(),
        "AssociationNotFoundException"
    );
    expect_code!(
        c.disassociate_repositories("free", free.clone(), "nope", PREMIUM).send(),
        "RepositoryNotFoundException"
    );
    expect_code!(
        c.disassociate_repositories("free", free.clone(), "free2", free.clone()).send(),
        "InvalidParameterException"
    );
    let out =
        c.disassociate_repositories("paid", PREMIUM, "free", free.clone()).send().await.expect("from either side");
    assert_eq!(out.associated_repository_name.as_deref(), Some("free"));
    let described = c.describe_repositories().repository_names(["free"]).send().await.expect("free");
    assert!(described.repositories[0].associated_repositories.is_empty());

    // Deleting one side ends the association.
    c.associate_repositories("free2", free.clone(), "paid2", PREMIUM).send().await.expect("associate");
    c.delete_repository("free2").send().await.expect("delete");
    let premium = c.describe_premium_repositories().repository_names(["paid2"]).send().await.expect("paid2");
    assert!(premium.repositories[0].associated_repositories.is_empty());
    emu.shutdown().await;
}

fn finding(severity: &str, id: &str, score: f64) -> ImageScanFinding {
    ImageScanFinding::default()
        .with_severity(severity)
        .with_title(format!("{id} in openssl"))
        .with_package_vulnerability_details(
            PackageVulnerabilityDetails::default()
                .with_vulnerability_id(id)
                .with_cvss([CvssScore::default().with_base_score(score).with_version("3.1").with_source("NVD")])
                .with_vulnerable_packages([VulnerablePackage::default()
                    .with_name("openssl")
                    .with_version("3.0.1")
                    .with_fixed_in_version("3.0.9")]),
        )
}

#[tokio::test]
async fn scans_progress_deterministically_to_their_findings() {
    let scan = ScanOptions {
        not_found_calls: 2,
        pending_calls: 2,
        findings: vec![
            finding("HIGH", "CVE-2026-1", 8.1),
            finding("CRITICAL", "CVE-2026-2", 9.8),
            finding("HIGH", "CVE-2026-3", 7.5),
        ],
        ..ScanOptions::default()
    };
    let emu = Emulator::start_with(EmulatorOptions::premium_registry().with_min_part_size(1).with_scan(scan))
        .await
        .expect("start");
    let c = client(&emu);
    create_premium(&c, "app").await;
    c.create_repository("app").send().await.expect("free");
    let digest = push_image(&c, &PREMIUM, "app", "v1").await;
    push_image(&c, &RepositoryType::Free, "app", "v1").await;
    let scan = |id: ImageIdentifier| c.describe_image_scan_findings("app", id).repository_type(PREMIUM);

    expect_code!(c.describe_image_scan_findings("app", tag_id("v1")).send(), "ValidationException");
    expect_code!(scan(tag_id("nope")).send(), "ImageNotFoundException");
    expect_code!(
        c.describe_image_scan_findings("nope", tag_id("v1")).repository_type(PREMIUM).send(),
        "RepositoryNotFoundException"
    );
    expect_code!(scan(tag_id("v1")).send(), "ScanNotFoundException");
    expect_code!(scan(digest_id(&digest)).send(), "ScanNotFoundException");
    for _ in 0..2 {
        let out = scan(tag_id("v1")).send().await.expect("pending");
        assert_eq!(out.image_scan_status.status, Some(ScanStatus::Pending));
        assert!(out.image_scan_findings.is_none());
    }
    let out = scan(tag_id("v1")).max_results(2).send().await.expect("complete");
    assert_eq!(out.image_scan_status.status, Some(ScanStatus::Complete));
    assert!(out.image_scan_status.description.is_some());
    assert_eq!(out.registry_id.as_deref(), Some(ACCOUNT));
    assert_eq!(out.image_id, Some(digest_id(&digest).with_image_tag("v1")));
    let findings = out.image_scan_findings.expect("findings");
    assert!(findings.image_scan_completed_at.is_some());
    assert_eq!(findings.finding_severity_counts.get("HIGH"), Some(&2));
    assert_eq!(findings.finding_severity_counts.get("CRITICAL"), Some(&1));
    assert_eq!(findings.findings.len(), 2);
    let first = &findings.findings[0];
    assert_eq!(first.aws_account_id.as_deref(), Some(ACCOUNT));
    let details = first.package_vulnerability_details.as_ref().expect("details");
    assert_eq!(details.cvss[0].base_score, Some(8.1));
    assert_eq!(details.vulnerable_packages[0].fixed_in_version.as_deref(), Some("3.0.9"));
    let image = first.resources[0].details.as_ref().and_then(|d| d.container_image.as_ref()).expect("image");
    assert_eq!(image.image_hash.as_deref(), Some(digest.as_str()));
    let token = out.next_token.expect("a second page");
    let rest = scan(tag_id("v1")).max_results(2).next_token(&token).send().await.expect("page 2");
    let ids: Vec<_> = rest
        .image_scan_findings
        .expect("findings")
        .findings
        .iter()
        .filter_map(|f| f.package_vulnerability_details.as_ref()?.vulnerability_id.clone())
        .collect();
    assert_eq!((ids, rest.next_token), (vec!["CVE-2026-3".to_owned()], None));
    expect_code!(scan(tag_id("v1")).next_token("garbage").send(), "InvalidParameterException");
    emu.shutdown().await;

    // The default takes a waiter through each stage quickly; other outcomes are configured.
    let emu = premium().await;
    let c = client(&emu);
    create_premium(&c, "app").await;
    push_image(&c, &PREMIUM, "app", "v1").await;
    let mut seen = Vec::new();
    loop {
        match c.describe_image_scan_findings("app", tag_id("v1")).repository_type(PREMIUM).send().await {
            Err(e) => seen.push(e.service_error().map(|e| e.code().to_owned()).unwrap_or_default()),
            Ok(out) => {
                let status = out.image_scan_status.status.expect("status");
                seen.push(status.to_string());
                if status != ScanStatus::Pending {
                    let findings = out.image_scan_findings.expect("COMPLETE has findings");
                    assert!(findings.findings.is_empty() && findings.finding_severity_counts.is_empty());
                    break;
                }
            }
        }
    }
    assert_eq!(seen, ["ScanNotFoundException", "PENDING", "COMPLETE"]);
    for status in [
        ScanStatus::Failed,
        ScanStatus::UnsupportedImage,
        ScanStatus::FindingsUnavailable,
        ScanStatus::Active,
        ScanStatus::ScanEligibilityExpired,
    ] {
        let scan = ScanOptions {
            not_found_calls: 0,
            pending_calls: 0,
            final_status: status.clone(),
            ..ScanOptions::default()
        };
        let options = EmulatorOptions::premium_registry()
            .with_min_part_size(1)
            .with_scan(scan)
            .with_scan_finding(finding("LOW", "CVE-1", 2.0));
        let emu = Emulator::start_with(options).await.expect("start");
        let c = client(&emu);
        create_premium(&c, "app").await;
        push_image(&c, &PREMIUM, "app", "v1").await;
        let out =
            c.describe_image_scan_findings("app", tag_id("v1")).repository_type(PREMIUM).send().await.expect("final");
        assert_eq!(out.image_scan_status.status.as_ref(), Some(&status));
        let with_findings = matches!(status, ScanStatus::Active | ScanStatus::ScanEligibilityExpired);
        assert_eq!(out.image_scan_findings.is_some(), with_findings, "{status}");
    }
    let pending_end = ScanOptions { final_status: ScanStatus::Pending, ..ScanOptions::default() };
    Emulator::start_with(EmulatorOptions::premium_registry().with_scan(pending_end))
        .await
        .expect_err("a scan cannot end PENDING");
}

#[tokio::test]
async fn entitlements_are_seeded_and_served_once_available() {
    let options = EmulatorOptions::premium_registry()
        .with_min_part_size(1)
        .with_entitlement(Entitlement::new(ALIAS, "app"))
        .with_entitlement(Entitlement::new(ALIAS, "app").via_product("prod-2"))
        .with_entitlement(Entitlement::new(ALIAS, "other").via_product("not-listed"))
        .with_entitlement(Entitlement::new("someone-else", "app"));
    let emu = Emulator::start_with(options).await.expect("start");
    let c = client(&emu);
    c.put_registry_catalog_data().display_name("Publisher Inc").send().await.expect("display name");
    c.create_premium_repository("app", ["prod-1", "prod-2"]).send().await.expect("app");
    c.create_premium_repository("other", ["prod-9"]).send().await.expect("other");
    push_image(&c, &PREMIUM, "app", "v1").await;
    push_image(&c, &PREMIUM, "app", "v2").await;

    // Nothing while DRAFT.
    assert!(c.describe_entitled_repositories().send().await.expect("none yet").repositories.is_empty());
    expect_code!(c.describe_entitled_images("app", ALIAS).send(), "EntitlementNotFoundException");
    expect_code!(c.describe_entitled_image_tags("app", ALIAS).send(), "EntitlementNotFoundException");

    for name in ["app", "other"] {
        c.set_repository_state(name, PREMIUM, RepositoryState::Available).send().await.expect("available");
    }
    let entitled = c.describe_entitled_repositories().send().await.expect("entitled").repositories;
    let pairs: Vec<_> =
        entitled.iter().map(|r| (r.repository_name.as_deref(), r.entitled_via_product_id.as_deref())).collect();
    assert_eq!(pairs, [(Some("app"), Some("prod-1")), (Some("app"), Some("prod-2"))]);
    let first = &entitled[0];
    assert_eq!(first.repository_arn.as_deref(), Some("arn:aws:ecr-public:::entitled-repository/publisher/app"));
    assert_eq!(first.repository_uri.as_deref(), Some("premium.public.ecr.aws/publisher/app"));
    assert_eq!(
        (first.state.as_ref(), first.registry_alias.as_deref()),
        (Some(&RepositoryState::Available), Some(ALIAS))
    );
    assert_eq!(first.registry_display_name.as_deref(), Some("Publisher Inc"));
    let page = c.describe_entitled_repositories().max_results(1).send().await.expect("page");
    let rest =
        c.describe_entitled_repositories().next_token(page.next_token.expect("token")).send().await.expect("rest");
    assert_eq!(rest.repositories[0].entitled_via_product_id.as_deref(), Some("prod-2"));
    expect_code!(c.describe_entitled_repositories().next_token("garbage").send(), "InvalidParameterException");

    let images = c.describe_entitled_images("app", ALIAS).send().await.expect("images");
    assert_eq!((images.repository_name.as_deref(), images.registry_alias.as_deref()), (Some("app"), Some(ALIAS)));
    assert_eq!(images.image_details.len(), 2);
    assert_eq!(images.image_details[0].image_tags, ["v1"]);
    assert_eq!(images.image_details[0].image_status, Some(ImageStatus::Active));
    let page = c.describe_entitled_images("app", ALIAS).max_results(1).send().await.expect("page");
    let rest = c.describe_entitled_images("app", ALIAS).next_token(page.next_token.expect("token")).send().await;
    assert_eq!(rest.expect("rest").image_details[0].image_tags, ["v2"]);
    let one = c.describe_entitled_images("app", ALIAS).image_ids([tag_id("v2")]).send().await.expect("by tag");
    assert_eq!(one.image_details.len(), 1);
    expect_code!(c.describe_entitled_images("app", ALIAS).image_ids([tag_id("nope")]).send(), "ImageNotFoundException");
    expect_code!(
        c.describe_entitled_images("app", ALIAS).image_ids([tag_id("v1")]).max_results(1).send(),
        "InvalidParameterException"
    );
    let tags = c.describe_entitled_image_tags("app", ALIAS).send().await.expect("tags");
    let names: Vec<_> = tags.image_tag_details.iter().filter_map(|t| t.image_tag.as_deref()).collect();
    assert_eq!(names, ["v1", "v2"]);
    assert!(tags.image_tag_details[0].image_detail.as_ref().and_then(|d| d.image_digest.as_ref()).is_some());
    expect_code!(
        c.describe_entitled_image_tags("app", ALIAS).next_token("garbage").send(),
        "InvalidParameterException"
    );

    // Entitlements to nothing that exists, or through a product no longer listed.
    expect_code!(c.describe_entitled_images("other", ALIAS).send(), "EntitlementNotFoundException");
    expect_code!(c.describe_entitled_images("app", "someone-else").send(), "EntitlementNotFoundException");
    expect_code!(c.describe_entitled_image_tags("missing", ALIAS).send(), "EntitlementNotFoundException");
    expect_code!(unchecked(&emu).describe_entitled_image_tags("app", "Bad Alias").send(), "InvalidParameterException");
    // HIDDEN keeps the entitlement.
    c.set_repository_state("app", PREMIUM, RepositoryState::Hidden).send().await.expect("hidden");
    let entitled = c.describe_entitled_repositories().send().await.expect("entitled").repositories;
    assert_eq!(entitled[0].state, Some(RepositoryState::Hidden));
    emu.shutdown().await;
}

fn report(
    id: &str,
    report_type: PublisherReportType,
    granularity: PublisherReportGranularity,
    age_days: i64,
) -> PublisherReport {
    PublisherReport::new(
        id,
        report_type,
        granularity,
        PublisherReportPeriod::new("2026-10-05", "2026-10-11"),
        1024,
        DateTime::from_secs(DateTime::now().secs() - age_days * 86_400),
    )
}

#[tokio::test]
async fn publisher_reports_are_seeded() {
    use PublisherReportGranularity::{Monthly, Weekly};
    use PublisherReportType::{Summary, Trends};
    let options = EmulatorOptions::default()
        .with_publisher_report(report("week1", Summary, Weekly, 10))
        .with_publisher_report(report("week2", Summary, Weekly, 3))
        .with_publisher_report(report("trends1", Trends, Monthly, 5))
        .with_publisher_report(report("ancient", Summary, Weekly, 400));
    let emu = Emulator::start_with(options).await.expect("start");
    let c = client(&emu);
    let all = c.list_publisher_reports().send().await.expect("all").reports;
    let ids: Vec<_> = all.iter().map(|r| r.report_id.as_str()).collect();
    assert_eq!(ids, ["week2", "trends1", "week1"], "the last 365 days, newest first");
    assert_eq!(all[0].period.start_date, "2026-10-05");
    let weekly = c.list_publisher_reports().report_type(Summary).granularity(Weekly).max_results(1).send().await;
    let weekly = weekly.expect("weekly summaries");
    assert_eq!(weekly.reports[0].report_id, "week2");
    let token = weekly.next_token.expect("token");
    let rest = c.list_publisher_reports().report_type(Summary).granularity(Weekly).next_token(&token).send().await;
    assert_eq!(rest.expect("rest").reports.iter().map(|r| r.report_id.as_str()).collect::<Vec<_>>(), ["week1"]);
    expect_code!(c.list_publisher_reports().report_type(Trends).next_token(&token).send(), "InvalidParameterException");
    expect_code!(unchecked(&emu).list_publisher_reports().granularity("DAILY").send(), "InvalidParameterException");

    let url = c.get_download_url_for_publisher_report("week1").send().await.expect("url");
    assert_eq!(url.report_id, "week1");
    assert!(url.download_url.starts_with("https://") && url.download_url.contains("week1"), "{}", url.download_url);
    expect_code!(c.get_download_url_for_publisher_report("nope").send(), "PublisherReportNotFoundException");
    expect_code!(c.get_download_url_for_publisher_report("ancient").send(), "PublisherReportNotFoundException");
    expect_code!(unchecked(&emu).get_download_url_for_publisher_report("Week-1").send(), "InvalidParameterException");

    let twice = EmulatorOptions::default()
        .with_publisher_report(report("a", Summary, Weekly, 1))
        .with_publisher_report(report("a", Trends, Weekly, 1));
    Emulator::start_with(twice).await.expect_err("report ids are unique");
}

/// The modeled errors of the new operations that only a service under load or in another Region
/// gives: UnsupportedCommandException for a Region it is not in, and injected ones.
#[tokio::test]
async fn the_other_modeled_errors_of_the_new_operations_are_typed() {
    let emu = premium().await;
    let c = client(&emu);
    let elsewhere = client_with(&emu, "eu-west-1", true);
    create_premium(&c, "app").await;
    c.create_repository("free").send().await.expect("free");
    macro_rules! check {
        ($op:literal, |$cl:ident| $call:expr, [$($code:literal),*]) => {{
            {
                let $cl = &elsewhere;
                expect_code!($call.send(), "UnsupportedCommandException");
            }
            $(
                emu.fail_next($op, $code, 1);
                let $cl = &c;
                expect_code!($call.send(), $code);
            )*
        }};
    }
    check!(
        "AssociateRepositories",
        |x| x.associate_repositories("free", RepositoryType::Free, "app", PREMIUM),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "DisassociateRepositories",
        |x| x.disassociate_repositories("free", RepositoryType::Free, "app", PREMIUM),
        ["LimitExceededException", "ServerException"]
    );
    check!("CreatePremiumRepository", |x| x.create_premium_repository("new", ["p"]), ["ServerException"]);
    check!(
        "DeletePremiumRepository",
        |x| x.delete_premium_repository("app"),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "DeletePremiumRepositoryPolicy",
        |x| x.delete_premium_repository_policy("app"),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "DescribePremiumRepositories",
        |x| x.describe_premium_repositories(),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "GetPremiumRepositoryCatalogData",
        |x| x.get_premium_repository_catalog_data("app"),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "GetPremiumRepositoryPolicy",
        |x| x.get_premium_repository_policy("app"),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "PutPremiumRepositoryCatalogData",
        |x| x.put_premium_repository_catalog_data("app", RepositoryCatalogDataInput::default()),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "PutPremiumRepositoryProducts",
        |x| x.put_premium_repository_products("app", ["p"]),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "SetPremiumRepositoryPolicy",
        |x| x.set_premium_repository_policy("app", "{}"),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "SetRepositoryState",
        |x| x.set_repository_state("app", PREMIUM, RepositoryState::Available),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "SetImageStatus",
        |x| x.set_image_status("app", PREMIUM, tag_id("v1"), ImageStatus::Active),
        ["ConflictException", "ServerException"]
    );
    check!(
        "DescribeEntitledRepositories",
        |x| x.describe_entitled_repositories(),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "DescribeEntitledImages",
        |x| x.describe_entitled_images("app", ALIAS),
        ["LimitExceededException", "ServerException"]
    );
    check!(
        "DescribeEntitledImageTags",
        |x| x.describe_entitled_image_tags("app", ALIAS),
        ["LimitExceededException", "ServerException"]
    );
    check!("ListPublisherReports", |x| x.list_publisher_reports(), ["LimitExceededException", "ServerException"]);
    check!(
        "GetDownloadUrlForPublisherReport",
        |x| x.get_download_url_for_publisher_report("r1"),
        ["LimitExceededException", "ServerException"]
    );
    // DescribeImageScanFindings has no UnsupportedCommandException in the model, so the Region
    // check's error comes back untyped; its ServerException is injected.
    emu.fail_next("DescribeImageScanFindings", "ServerException", 1);
    expect_code!(
        c.describe_image_scan_findings("app", tag_id("v1")).repository_type(PREMIUM).send(),
        "ServerException"
    );
    emu.shutdown().await;
}
