"""boto3 against the emulator's premium repositories: their catalog data, policies, products and
state, images pushed into them, image status, scans (with botocore's ImageScanComplete waiter),
associations, entitlements and publisher reports, with the main modeled errors of each.

Run by test_emulator.py. The premium emulator must be started with the registry of
EmulatorOptions::premium_registry() (custom alias `publisher`), an entitlement to
publisher/boto3/paid, scans that are not found for one call and pending for one, the findings
FINDINGS below, and the publisher reports REPORTS below.
"""

import datetime
import json

from common import (ACCOUNT, check, check_keys, check_metadata, client_for, expect_error, is_datetime, manifest,
                    push_layer, sha256)

ALIAS = "publisher"
REPO = "boto3/paid"
# (vulnerabilityId, severity, CVSS base score) of the findings the scans find.
FINDINGS = [("CVE-2026-0001", "CRITICAL", 9.8), ("CVE-2026-0002", "HIGH", 7.5), ("CVE-2026-0003", "HIGH", 7.1)]
# (reportId, reportType, granularity) of the seeded reports.
REPORTS = [("weekly1", "SUMMARY", "WEEKLY"), ("monthly1", "TRENDS", "MONTHLY")]
PREMIUM = {"repositoryType": "PREMIUM"}


def run(url, classic_url):
    client = client_for(url, region="us-west-2")
    print(f"premium: registry at {url} (signed for us-west-2)")

    registry = client.describe_registries()["registries"][0]
    check(registry.get("premiumStatus") == "ENABLED", f"premiumStatus {registry.get('premiumStatus')}")
    check(isinstance(registry.get("premiumRegistryUri"), str), f"premiumRegistryUri {registry.get('premiumRegistryUri')}")
    check([a["name"] for a in registry["aliases"] if a["primaryRegistryAlias"]] == [ALIAS], f"aliases {registry['aliases']}")
    plain = client_for(classic_url)
    check(plain.describe_registries()["registries"][0].get("premiumStatus") == "DISABLED", "a plain registry is DISABLED")
    expect_error(plain, "ValidationException", plain.create_premium_repository, repositoryName="x1",
                 marketplaceProducts=["prod-1"])

    print("premium: CreatePremiumRepository, DescribePremiumRepositories, catalog data")
    created = client.create_premium_repository(
        repositoryName=REPO, marketplaceProducts=["prod-1", "prod-2"],
        catalogData={"description": "paid", "categories": ["DATABASES", "SECURITY"], "logoImageBlob": b"\x89PNG"},
        tags=[{"Key": "tier", "Value": "gold"}])
    check_metadata(created, "CreatePremiumRepository")
    repo = created.get("premiumRepository", {})
    check_keys(repo, ["repositoryArn", "registryId", "repositoryName", "repositoryUri", "createdAt",
                      "marketplaceProducts", "state"], "PremiumRepository")
    check(repo.get("state") == "DRAFT", f"new premium repository state {repo.get('state')}")
    check(repo.get("repositoryArn") == f"arn:aws:ecr-public::{ACCOUNT}:premium-repository/{REPO}", f"ARN {repo.get('repositoryArn')}")
    check(is_datetime(repo.get("createdAt")), "PremiumRepository.createdAt")
    check(created.get("catalogData", {}).get("categories") == ["DATABASES", "SECURITY"], f"categories {created.get('catalogData')}")
    expect_error(client, "RepositoryAlreadyExistsException", client.create_premium_repository, repositoryName=REPO,
                 marketplaceProducts=["prod-1"])
    expect_error(client, "InvalidParameterException", client.create_premium_repository, repositoryName="boto3/dup",
                 marketplaceProducts=["p", "p"])
    client.create_premium_repository(repositoryName="boto3/empty", marketplaceProducts=["prod-3"])
    pages = list(client.get_paginator("describe_premium_repositories").paginate(PaginationConfig={"PageSize": 1}))
    names = [r["repositoryName"] for p in pages for r in p["repositories"]]
    check(names == ["boto3/empty", REPO], f"DescribePremiumRepositories paginator: {names}")
    expect_error(client, "RepositoryNotFoundException", client.describe_premium_repositories, repositoryNames=["boto3/nope"])
    expect_error(client, "RepositoryCatalogDataNotFoundException", client.get_premium_repository_catalog_data,
                 repositoryName="boto3/empty")
    put = client.put_premium_repository_catalog_data(repositoryName=REPO, catalogData={"usageText": "docker pull"})
    check_metadata(put, "PutPremiumRepositoryCatalogData")
    data = put.get("catalogData", {})
    check(data.get("description") == "paid" and data.get("usageText") == "docker pull", f"catalog after put {data}")
    got = client.get_premium_repository_catalog_data(repositoryName=REPO)
    check(got.get("repositoryName") == REPO and "logoUrl" in got.get("catalogData", {}), f"GetPremiumRepositoryCatalogData {got}")

    print("premium: policies")
    expect_error(client, "RepositoryPolicyNotFoundException", client.get_premium_repository_policy, repositoryName=REPO)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": ["ecr-public:DescribeImages"]}]})
    check(client.set_premium_repository_policy(repositoryName=REPO, policyText=policy).get("policyText") == policy,
          "SetPremiumRepositoryPolicy")
    check(client.get_premium_repository_policy(repositoryName=REPO).get("policyText") == policy, "GetPremiumRepositoryPolicy")
    lockout = json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*"}]})
    expect_error(client, "InvalidParameterException", client.set_premium_repository_policy, repositoryName=REPO,
                 policyText=lockout)
    check(client.delete_premium_repository_policy(repositoryName=REPO).get("policyText") == policy,
          "DeletePremiumRepositoryPolicy")
    expect_error(client, "RepositoryPolicyNotFoundException", client.delete_premium_repository_policy, repositoryName=REPO)

    print("premium: images, scans")
    layer = push_layer(client, REPO, b"premium layer " * 100, parts=2, **PREMIUM)
    config = push_layer(client, REPO, b'{"architecture":"amd64","os":"linux"}', **PREMIUM)
    digests = []
    for n in range(2):
        m = manifest(config, 37, [(layer, 1400)], f"premium {n}")
        out = client.put_image(repositoryName=REPO, imageManifest=m, imageTag=f"v{n}", **PREMIUM)
        check(out["image"].get("repositoryType") == "PREMIUM", f"PutImage repositoryType {out['image']}")
        digests.append(out["image"]["imageId"]["imageDigest"])
    expect_error(client, "RepositoryNotFoundException", client.describe_images, repositoryName=REPO)
    details = client.describe_images(repositoryName=REPO, **PREMIUM)["imageDetails"]
    check([d.get("imageStatus") for d in details] == ["ACTIVE", "ACTIVE"], f"image status {details}")
    check(all(d.get("repositoryType") == "PREMIUM" for d in details), "ImageDetail.repositoryType")

    expect_error(client, "ValidationException", client.describe_image_scan_findings, repositoryName=REPO,
                 imageId={"imageTag": "v0"})
    expect_error(client, "ScanNotFoundException", client.describe_image_scan_findings, repositoryName=REPO,
                 imageId={"imageTag": "v0"}, **PREMIUM)
    expect_error(client, "ImageNotFoundException", client.describe_image_scan_findings, repositoryName=REPO,
                 imageId={"imageTag": "nope"}, **PREMIUM)
    waiter = client.get_waiter("image_scan_complete")
    waiter.wait(repositoryName=REPO, imageId={"imageTag": "v0"}, WaiterConfig={"Delay": 1, "MaxAttempts": 5}, **PREMIUM)
    scan = client.describe_image_scan_findings(repositoryName=REPO, imageId={"imageTag": "v0"}, **PREMIUM)
    check(scan["imageScanStatus"].get("status") == "COMPLETE", f"scan status {scan['imageScanStatus']}")
    findings = scan.get("imageScanFindings", {})
    check(is_datetime(findings.get("imageScanCompletedAt")), "imageScanCompletedAt")
    check(findings.get("findingSeverityCounts") == {"CRITICAL": 1, "HIGH": 2}, f"counts {findings.get('findingSeverityCounts')}")
    pages = list(client.get_paginator("describe_image_scan_findings").paginate(
        repositoryName=REPO, imageId={"imageTag": "v0"}, PaginationConfig={"PageSize": 2}, **PREMIUM))
    all_findings = [f for p in pages for f in p.get("imageScanFindings", {}).get("findings", [])]
    ids = [f.get("packageVulnerabilityDetails", {}).get("vulnerabilityId") for f in all_findings]
    check(len(pages) == 2 and ids == [v for v, _, _ in FINDINGS], f"findings paginator {ids} in {len(pages)} pages")
    for f, (_, severity, score) in zip(all_findings, FINDINGS):
        check(f.get("severity") == severity, f"finding severity {f.get('severity')}")
        cvss = f.get("packageVulnerabilityDetails", {}).get("cvss", [{}])[0]
        check(cvss.get("baseScore") == score, f"CVSS {cvss}")
        check(isinstance(f.get("score"), float), f"finding score {f.get('score')!r}")
        check(is_datetime(f.get("firstObservedAt")), "finding firstObservedAt")
        image = f.get("resources", [{}])[0].get("details", {}).get("containerImage", {})
        check(image.get("imageHash") == digests[0] and is_datetime(image.get("pushedAt")), f"finding resource {image}")

    print("premium: SetImageStatus, SetRepositoryState, PutPremiumRepositoryProducts, BatchDeleteImage")
    expect_error(client, "ValidationException", client.set_image_status, repositoryName=REPO, repositoryType="PREMIUM",
                 imageId={"imageTag": "v1"}, status="DEPRECATED", deprecationPeriodDays=90)
    products = client.put_premium_repository_products(repositoryName=REPO, marketplaceProducts=["prod-1"])
    check_metadata(products, "PutPremiumRepositoryProducts")
    check(products.get("marketplaceProducts") == ["prod-1"], f"products {products}")
    expect_error(client, "InvalidParameterException", client.set_repository_state, repositoryName=REPO,
                 repositoryType="PREMIUM", state="HIDDEN")
    state = client.set_repository_state(repositoryName=REPO, repositoryType="PREMIUM", state="AVAILABLE")
    check(state.get("state") == "AVAILABLE" and state.get("repositoryType") == "PREMIUM", f"SetRepositoryState {state}")
    expect_error(client, "InvalidParameterException", client.set_repository_state, repositoryName=REPO,
                 repositoryType="PREMIUM", state="DRAFT")
    expect_error(client, "InvalidParameterException", client.put_premium_repository_products, repositoryName=REPO,
                 marketplaceProducts=["prod-9"])
    client.put_premium_repository_products(repositoryName=REPO, marketplaceProducts=["prod-1", "prod-2"])
    expect_error(client, "DeletionNotAllowedException", client.batch_delete_image, repositoryName=REPO,
                 imageIds=[{"imageTag": "v1"}], **PREMIUM)
    status = client.set_image_status(repositoryName=REPO, repositoryType="PREMIUM", imageId={"imageTag": "v1"},
                                     status="DEPRECATED", deprecationPeriodDays=90)
    check_metadata(status, "SetImageStatus")
    at = status.get("scheduledDeletionAt")
    check(is_datetime(at), f"scheduledDeletionAt {at!r}")
    if is_datetime(at):
        days = (at - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 86400
        check(89.9 < days < 90.1, f"scheduled deletion in {days:.2f} days, expected 90")
    check(status.get("imageId", {}).get("imageDigest") == digests[1], f"SetImageStatus imageId {status.get('imageId')}")
    tags = client.describe_image_tags(repositoryName=REPO, **PREMIUM)["imageTagDetails"]
    v1 = [t["imageDetail"] for t in tags if t["imageTag"] == "v1"]
    check(v1 and v1[0].get("imageStatus") == "DEPRECATED" and is_datetime(v1[0].get("scheduledDeletionAt")),
          f"DescribeImageTags image status {v1}")
    expect_error(client, "ImageNotFoundException", client.set_image_status, repositoryName=REPO,
                 repositoryType="PREMIUM", imageId={"imageTag": "nope"}, status="ACTIVE")
    back = client.set_image_status(repositoryName=REPO, repositoryType="PREMIUM", imageId={"imageTag": "v1"}, status="ACTIVE")
    check(back.get("status") == "ACTIVE" and "scheduledDeletionAt" not in back, f"ACTIVE again {back}")

    print("premium: AssociateRepositories, DisassociateRepositories")
    plain_repo = "boto3/free-twin"
    client.create_repository(repositoryName=plain_repo)
    pair = dict(repositoryName=plain_repo, repositoryType="FREE", associatedRepositoryName=REPO,
                associatedRepositoryType="PREMIUM")
    expect_error(client, "InvalidParameterException", client.associate_repositories,
                 **{**pair, "associatedRepositoryType": "FREE"})
    expect_error(client, "AssociationNotFoundException", client.disassociate_repositories, **pair)
    linked = client.associate_repositories(**pair)
    check_metadata(linked, "AssociateRepositories")
    check_keys(linked, ["registryId", "repositoryName", "repositoryType", "associatedRepositoryName",
                        "associatedRepositoryType"], "AssociateRepositories")
    expect_error(client, "AssociationAlreadyExistsException", client.associate_repositories, **pair)
    free = client.describe_repositories(repositoryNames=[plain_repo])["repositories"][0]
    check(free.get("associatedRepositories") == [{"repositoryName": REPO, "repositoryType": "PREMIUM"}],
          f"Repository.associatedRepositories {free}")
    paid = client.describe_premium_repositories(repositoryNames=[REPO])["repositories"][0]
    check(paid.get("associatedRepositories") == [{"repositoryName": plain_repo, "repositoryType": "FREE"}],
          f"PremiumRepository.associatedRepositories {paid}")
    unlinked = client.disassociate_repositories(**pair)
    check(unlinked.get("associatedRepositoryName") == REPO, f"DisassociateRepositories {unlinked}")

    print("premium: DescribeEntitledRepositories, DescribeEntitledImages, DescribeEntitledImageTags")
    entitled = [r for p in client.get_paginator("describe_entitled_repositories").paginate() for r in p["repositories"]]
    check(len(entitled) == 1, f"entitled repositories {entitled}")
    if entitled:
        check_keys(entitled[0], ["registryAlias", "repositoryName", "repositoryArn", "repositoryUri", "state",
                                 "entitledViaProductId", "registryDisplayName"], "EntitledRepository")
        check(entitled[0].get("repositoryArn") == f"arn:aws:ecr-public:::entitled-repository/{ALIAS}/{REPO}",
              f"EntitledRepository ARN {entitled[0].get('repositoryArn')}")
    images = list(client.get_paginator("describe_entitled_images").paginate(
        repositoryName=REPO, registryAlias=ALIAS, PaginationConfig={"PageSize": 1}))
    check(sum(len(p["imageDetails"]) for p in images) == 2 and len(images) == 2, f"entitled images {images}")
    check(all(is_datetime(d.get("imagePushedAt")) for p in images for d in p["imageDetails"]), "EntitledImageDetail.imagePushedAt")
    tags = client.describe_entitled_image_tags(repositoryName=REPO, registryAlias=ALIAS)
    check_metadata(tags, "DescribeEntitledImageTags")
    check(sorted(t["imageTag"] for t in tags["imageTagDetails"]) == ["v0", "v1"], f"entitled tags {tags}")
    expect_error(client, "EntitlementNotFoundException", client.describe_entitled_images, repositoryName="boto3/empty",
                 registryAlias=ALIAS)
    expect_error(client, "EntitlementNotFoundException", client.describe_entitled_image_tags, repositoryName=REPO,
                 registryAlias="someone-else")
    expect_error(client, "ImageNotFoundException", client.describe_entitled_images, repositoryName=REPO,
                 registryAlias=ALIAS, imageIds=[{"imageTag": "nope"}])
    expect_error(client, "InvalidParameterException", client.describe_entitled_repositories, nextToken="garbage")

    print("premium: ListPublisherReports, GetDownloadUrlForPublisherReport")
    reports = [r for p in client.get_paginator("list_publisher_reports").paginate(PaginationConfig={"PageSize": 1})
               for r in p["reports"]]
    check(sorted((r["reportId"], r["reportType"], r["granularity"]) for r in reports) == sorted(REPORTS), f"reports {reports}")
    for r in reports:
        check_keys(r, ["reportId", "reportType", "granularity", "period", "sizeInBytes", "createdAt"], "PublisherReport")
        check(is_datetime(r.get("createdAt")), "PublisherReport.createdAt")
    weekly = client.list_publisher_reports(reportType="SUMMARY", granularity="WEEKLY")["reports"]
    check([r["reportId"] for r in weekly] == ["weekly1"], f"weekly summaries {weekly}")
    url = client.get_download_url_for_publisher_report(reportId="weekly1")
    check_metadata(url, "GetDownloadUrlForPublisherReport")
    check(url.get("reportId") == "weekly1" and url.get("downloadUrl", "").startswith("https://"), f"download URL {url}")
    expect_error(client, "PublisherReportNotFoundException", client.get_download_url_for_publisher_report, reportId="nope")

    print("premium: DeletePremiumRepository")
    expect_error(client, "RepositoryNotEmptyException", client.delete_premium_repository, repositoryName=REPO)
    gone = client.delete_premium_repository(repositoryName="boto3/empty")
    check_metadata(gone, "DeletePremiumRepository")
    check(gone.get("premiumRepository", {}).get("repositoryName") == "boto3/empty", f"DeletePremiumRepository {gone}")
    expect_error(client, "RepositoryNotFoundException", client.delete_premium_repository, repositoryName="boto3/empty")
