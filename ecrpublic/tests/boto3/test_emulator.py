"""Drives the ecrpublic emulator with boto3, an independent client.

    python test_emulator.py URL PREMIUM_URL OPERATIONS

URL is an emulator with the default registry (and parts of any size), PREMIUM_URL one whose
registry may hold premium repositories, with the entitlement, scan findings and publisher
reports that test_premium.py expects (the Rust test starts both). OPERATIONS is the emulator's
list of operations, comma-separated: botocore's model must have exactly those, and every one of
them must be called, or the script fails listing those never called.

botocore parses every response against its own copy of the service model (timestamps become
datetimes, modeled error members are read, unknown error codes fall back to ClientError), so
this checks the emulator's wire format and semantics without our own client in the loop.
This file drives the classic operations, test_premium.py the premium ones; together they call
every operation and provoke the main modeled errors. The signing keys must be AKID / SECRET.

Plain Python, no pytest: each check that fails is reported, and the exit status is 1 if any did.
"""

import base64
import datetime
import json
import re
import sys
import traceback

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

import test_premium
from common import (ACCOUNT, CALLED, FAILURES, check, check_keys, check_metadata, client_for, client_operations,
                    expect_error, is_datetime, manifest, push_layer, record_calls, sha256)

ALIAS = "emulator"


def run(url):
    client = client_for(url)
    print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}, emulator at {url}")
    repo = "boto3/app"

    print("registry: DescribeRegistries, GetRegistryCatalogData, PutRegistryCatalogData")
    registries = client.describe_registries()
    check_metadata(registries, "DescribeRegistries")
    check(len(registries.get("registries", [])) == 1, f"DescribeRegistries: {registries.get('registries')}")
    registry = registries["registries"][0]
    check_keys(registry, ["registryId", "registryArn", "registryUri", "verified", "aliases"], "Registry")
    check(re.fullmatch(r"[0-9]{12}", registry.get("registryId", "")) is not None, "Registry: registryId is not 12 digits")
    check(registry.get("registryArn") == f"arn:aws:ecr-public::{ACCOUNT}:registry/{ACCOUNT}", f"Registry ARN {registry.get('registryArn')}")
    check(isinstance(registry.get("verified"), bool), "Registry: verified is not a bool")
    alias = registry["aliases"][0]
    check_keys(alias, ["name", "status", "primaryRegistryAlias", "defaultRegistryAlias"], "RegistryAlias")
    check(alias.get("status") in ("ACTIVE", "PENDING", "REJECTED"), f"RegistryAlias status {alias.get('status')}")
    pages = list(client.get_paginator("describe_registries").paginate(PaginationConfig={"PageSize": 1}))
    check(sum(len(p["registries"]) for p in pages) == 1, "DescribeRegistries paginator")
    catalog = client.get_registry_catalog_data()
    check_metadata(catalog, "GetRegistryCatalogData")
    check(isinstance(catalog.get("registryCatalogData"), dict), "GetRegistryCatalogData: registryCatalogData")
    put = client.put_registry_catalog_data(displayName="boto3 registry", description="about", logoImageBlob=b"\x89PNG")
    put_data = put.get("registryCatalogData", {})
    check(put_data.get("displayName") == "boto3 registry", f"PutRegistryCatalogData: {put}")
    check(put_data.get("description") == "about" and "logoUrl" in put_data, f"registry description and logo: {put_data}")
    expect_error(client, "InvalidParameterException", client.put_registry_catalog_data, description="d" * 1025)
    catalog = client.get_registry_catalog_data()
    check(catalog["registryCatalogData"].get("displayName") == "boto3 registry", "GetRegistryCatalogData after put")

    print("repositories: CreateRepository, DescribeRepositories, catalog data, errors")
    created = client.create_repository(
        repositoryName=repo,
        catalogData={
            "description": "made by boto3",
            "architectures": ["x86-64", "ARM 64"],
            "operatingSystems": ["Linux"],
            "logoImageBlob": b"\x89PNG\r\n\x1a\nlogo",
            "aboutText": "# About",
            "usageText": "# Usage",
            "categories": ["BASE_IMAGES", "WEB_SERVERS"],
        },
        tags=[{"Key": "team", "Value": "platform"}],
    )
    check_metadata(created, "CreateRepository")
    r = created.get("repository", {})
    check_keys(r, ["repositoryArn", "registryId", "repositoryName", "repositoryUri", "createdAt"], "Repository")
    check(re.fullmatch(r"[0-9]{12}", r.get("registryId", "")) is not None, f"Repository: registryId {r.get('registryId')!r}")
    check(r.get("repositoryUri") == f"public.ecr.aws/{ALIAS}/{repo}", f"Repository: repositoryUri {r.get('repositoryUri')}")
    check(r.get("repositoryArn") == f"arn:aws:ecr-public::{ACCOUNT}:repository/{repo}", f"Repository ARN {r.get('repositoryArn')}")
    check(is_datetime(r.get("createdAt")), f"Repository: createdAt {r.get('createdAt')!r} is not a datetime")
    c = created.get("catalogData", {})
    check_keys(c, ["description", "architectures", "operatingSystems", "logoUrl", "aboutText", "usageText"], "RepositoryCatalogData")
    check(c.get("architectures") == ["x86-64", "ARM 64"], f"catalog architectures {c.get('architectures')}")
    check(c.get("categories") == ["BASE_IMAGES", "WEB_SERVERS"], f"catalog categories {c.get('categories')}")
    expect_error(client, "InvalidParameterException", client.create_repository, repositoryName="boto3/four",
                 catalogData={"categories": ["AI_ML", "DATABASES", "SECURITY", "STREAMING"]})
    check(isinstance(c.get("marketplaceCertified", False), bool), "marketplaceCertified is not a bool")
    arn = r["repositoryArn"]
    expect_error(client, "RepositoryAlreadyExistsException", client.create_repository, repositoryName=repo)
    bad = expect_error(client, "InvalidParameterException", client.create_repository, repositoryName="Bad_Name!")
    check("repositoryName" in bad.get("Error", {}).get("Message", ""), f"bad name message: {bad.get('Error')}")
    for name in ["boto3/second", "boto3/third"]:
        client.create_repository(repositoryName=name)

    described = client.describe_repositories(repositoryNames=[repo])
    check_metadata(described, "DescribeRepositories")
    check([x["repositoryName"] for x in described["repositories"]] == [repo], "DescribeRepositories by name")
    first = client.describe_repositories(maxResults=2)
    check(len(first["repositories"]) == 2 and isinstance(first.get("nextToken"), str), f"DescribeRepositories maxResults=2: {first}")
    rest = client.describe_repositories(maxResults=2, nextToken=first["nextToken"])
    check(len(rest["repositories"]) == 1 and "nextToken" not in rest, f"DescribeRepositories second page: {rest}")
    pages = list(client.get_paginator("describe_repositories").paginate(PaginationConfig={"PageSize": 1}))
    names = [x["repositoryName"] for p in pages for x in p["repositories"]]
    check(len(pages) == 3 and sorted(names) == sorted([repo, "boto3/second", "boto3/third"]), f"DescribeRepositories paginator: {names}")
    expect_error(client, "InvalidParameterException", client.describe_repositories, nextToken="not-a-token")
    expect_error(client, "RepositoryNotFoundException", client.describe_repositories, repositoryNames=["boto3/missing"])
    expect_error(client, "RepositoryNotFoundException", client.describe_images, repositoryName="boto3/missing")

    got = client.get_repository_catalog_data(repositoryName=repo)
    check_metadata(got, "GetRepositoryCatalogData")
    check(got.get("catalogData", {}).get("description") == "made by boto3", f"GetRepositoryCatalogData: {got.get('catalogData')}")
    put = client.put_repository_catalog_data(repositoryName=repo, catalogData={"description": "changed"})
    check(put.get("catalogData", {}).get("description") == "changed", f"PutRepositoryCatalogData: {put.get('catalogData')}")
    check(put.get("catalogData", {}).get("usageText") == "# Usage", "PutRepositoryCatalogData dropped usageText")

    print("tags: TagResource, UntagResource, ListTagsForResource")
    check_metadata(client.tag_resource(resourceArn=arn, tags=[{"Key": "env", "Value": "test"}]), "TagResource")
    tags = client.list_tags_for_resource(resourceArn=arn)
    check_metadata(tags, "ListTagsForResource")
    check(sorted((t["Key"], t["Value"]) for t in tags["tags"]) == [("env", "test"), ("team", "platform")], f"tags {tags['tags']}")
    check_metadata(client.untag_resource(resourceArn=arn, tagKeys=["team"]), "UntagResource")
    tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
    check(tags == [{"Key": "env", "Value": "test"}], f"tags after untag {tags}")

    print("policy: SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy")
    expect_error(client, "RepositoryPolicyNotFoundException", client.get_repository_policy, repositoryName=repo)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr-public:BatchCheckLayerAvailability"]}]})
    for op, call in [("SetRepositoryPolicy", lambda: client.set_repository_policy(repositoryName=repo, policyText=policy)),
                     ("GetRepositoryPolicy", lambda: client.get_repository_policy(repositoryName=repo)),
                     ("DeleteRepositoryPolicy", lambda: client.delete_repository_policy(repositoryName=repo))]:
        out = call()
        check_metadata(out, op)
        check_keys(out, ["registryId", "repositoryName", "policyText"], op)
        check(json.loads(out.get("policyText", "null")) == json.loads(policy), f"{op}: policyText")
    expect_error(client, "RepositoryPolicyNotFoundException", client.delete_repository_policy, repositoryName=repo)

    print("layers: InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, BatchCheckLayerAvailability")
    layer = b"layer data " * 1000
    layer_digest = push_layer(client, repo, layer, parts=3)
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [layer_digest]}}).encode()
    config_digest = push_layer(client, repo, config)
    missing_digest = sha256(b"never uploaded")
    avail = client.batch_check_layer_availability(repositoryName=repo, layerDigests=[layer_digest, missing_digest])
    check_metadata(avail, "BatchCheckLayerAvailability")
    check(len(avail.get("layers", [])) == 1, f"BatchCheckLayerAvailability layers: {avail.get('layers')}")
    if avail.get("layers"):
        found = avail["layers"][0]
        check_keys(found, ["layerDigest", "layerAvailability", "layerSize"], "Layer")
        check(found.get("layerAvailability") == "AVAILABLE" and found.get("layerSize") == len(layer), f"Layer {found}")
    check(len(avail.get("failures", [])) == 1, f"BatchCheckLayerAvailability failures: {avail.get('failures')}")
    if avail.get("failures"):
        failure = avail["failures"][0]
        check_keys(failure, ["layerDigest", "failureCode", "failureReason"], "LayerFailure")
        check(failure.get("failureCode") == "MissingLayerDigest", f"LayerFailure {failure}")

    upload_id = client.initiate_layer_upload(repositoryName=repo)["uploadId"]
    client.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=0, partLastByte=9, layerPartBlob=b"0123456789")
    bad_part = expect_error(client, "InvalidLayerPartException", client.upload_layer_part, repositoryName=repo,
                            uploadId=upload_id, partFirstByte=20, partLastByte=29, layerPartBlob=b"0123456789")
    check(bad_part.get("lastValidByteReceived") == 9, f"InvalidLayerPartException lastValidByteReceived: {bad_part}")
    check(bad_part.get("uploadId") == upload_id, f"InvalidLayerPartException uploadId: {bad_part}")
    expect_error(client, "InvalidLayerException", client.complete_layer_upload, repositoryName=repo,
                 uploadId=upload_id, layerDigests=[missing_digest])
    expect_error(client, "UploadNotFoundException", client.upload_layer_part, repositoryName=repo,
                 uploadId="00000000-0000-4000-8000-000000000000", partFirstByte=0, partLastByte=0, layerPartBlob=b"x")

    print("images: PutImage, DescribeImages, DescribeImageTags, BatchDeleteImage")
    images = []
    for n in range(3):
        m = manifest(config_digest, len(config), [(layer_digest, len(layer))], f"image {n}")
        out = client.put_image(repositoryName=repo, imageManifest=m, imageTag=f"v{n}")
        check_metadata(out, "PutImage")
        image = out.get("image", {})
        check_keys(image, ["registryId", "repositoryName", "imageId", "imageManifest", "imageManifestMediaType"], "Image")
        check(image.get("imageId", {}).get("imageDigest") == sha256(m.encode()), f"PutImage digest {image.get('imageId')}")
        check(image.get("imageId", {}).get("imageTag") == f"v{n}", f"PutImage tag {image.get('imageId')}")
        images.append((image["imageId"]["imageDigest"], m))
    expect_error(client, "ImageAlreadyExistsException", client.put_image, repositoryName=repo,
                 imageManifest=images[0][1], imageTag="v0")
    bare = json.dumps({k: v for k, v in json.loads(images[0][1]).items() if k != "mediaType"} | {"annotations": {"n": "bare"}})
    expect_error(client, "InvalidParameterException", client.put_image, repositoryName=repo, imageManifest=bare)
    subject = json.loads(bare) | {"subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                              "digest": images[0][0], "size": 1}}
    referrer = client.put_image(repositoryName=repo, imageManifest=json.dumps(subject),
                                imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")
    check(referrer["image"].get("subjectManifestDigest") == images[0][0], f"subjectManifestDigest {referrer['image']}")
    referrer_digest = referrer["image"]["imageId"]["imageDigest"]
    client.batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": referrer_digest}])
    expect_error(client, "LayersNotFoundException", client.put_image, repositoryName=repo,
                 imageManifest=manifest(config_digest, len(config), [(missing_digest, 1)], "missing layer"))

    details = client.describe_images(repositoryName=repo)
    check_metadata(details, "DescribeImages")
    check(len(details["imageDetails"]) == 3, f"DescribeImages: {len(details['imageDetails'])} images")
    for d in details["imageDetails"]:
        check_keys(d, ["registryId", "repositoryName", "imageDigest", "imageTags", "imageSizeInBytes",
                       "imagePushedAt", "imageManifestMediaType", "artifactMediaType"], "ImageDetail")
        check(is_datetime(d.get("imagePushedAt")), f"ImageDetail: imagePushedAt {d.get('imagePushedAt')!r}")
        check(isinstance(d.get("imageSizeInBytes"), int), "ImageDetail: imageSizeInBytes is not an int")
    page = client.describe_images(repositoryName=repo, maxResults=2)
    check(len(page["imageDetails"]) == 2 and "nextToken" in page, f"DescribeImages maxResults=2: {page}")
    page2 = client.describe_images(repositoryName=repo, maxResults=2, nextToken=page["nextToken"])
    check(len(page2["imageDetails"]) == 1 and "nextToken" not in page2, f"DescribeImages page 2: {page2}")
    pages = list(client.get_paginator("describe_images").paginate(repositoryName=repo, PaginationConfig={"PageSize": 1}))
    digests = [d["imageDigest"] for p in pages for d in p["imageDetails"]]
    check(len(pages) == 3 and sorted(digests) == sorted(d for d, _ in images), f"DescribeImages paginator: {digests}")
    items = list(client.get_paginator("describe_images").paginate(
        repositoryName=repo, PaginationConfig={"PageSize": 2, "MaxItems": 2}).search("imageDetails[].imageDigest"))
    check(len(items) == 2, f"DescribeImages paginator MaxItems=2: {items}")
    expect_error(client, "InvalidParameterException", client.describe_images, repositoryName=repo, nextToken="bogus")
    expect_error(client, "ImageNotFoundException", client.describe_images, repositoryName=repo,
                 imageIds=[{"imageTag": "no-such-tag"}])

    tag_details = client.describe_image_tags(repositoryName=repo)
    check_metadata(tag_details, "DescribeImageTags")
    check(sorted(t["imageTag"] for t in tag_details["imageTagDetails"]) == ["v0", "v1", "v2"], f"DescribeImageTags {tag_details}")
    for t in tag_details["imageTagDetails"]:
        check_keys(t, ["imageTag", "createdAt", "imageDetail"], "ImageTagDetail")
        check(is_datetime(t.get("createdAt")), "ImageTagDetail: createdAt is not a datetime")
        check_keys(t.get("imageDetail", {}), ["imageDigest", "imageSizeInBytes", "imagePushedAt", "imageManifestMediaType"],
                   "ReferencedImageDetail")
        check(is_datetime(t.get("imageDetail", {}).get("imagePushedAt")), "ReferencedImageDetail: imagePushedAt")
    pages = list(client.get_paginator("describe_image_tags").paginate(repositoryName=repo, PaginationConfig={"PageSize": 2}))
    check([len(p["imageTagDetails"]) for p in pages] == [2, 1], f"DescribeImageTags paginator pages {pages}")

    print("auth: GetAuthorizationToken and a bad signature")
    token = client.get_authorization_token()
    check_metadata(token, "GetAuthorizationToken")
    data = token.get("authorizationData", {})
    check_keys(data, ["authorizationToken", "expiresAt"], "AuthorizationData")
    check(base64.b64decode(data.get("authorizationToken", "")).startswith(b"AWS:"), "authorizationToken is not base64 of AWS:...")
    expires = data.get("expiresAt")
    check(is_datetime(expires), f"expiresAt {expires!r} is not a datetime")
    if is_datetime(expires):
        hours = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 3600
        check(11.9 < hours <= 12.01, f"expiresAt is {hours:.2f} hours away, expected 12")
    wrong = boto3.client("ecr-public", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKID",
                         aws_secret_access_key="WRONG", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    try:
        wrong.describe_registries()
        check(False, "a request signed with the wrong secret succeeded")
    except ClientError as e:
        check(e.response["Error"]["Code"] == "InvalidSignatureException", f"wrong secret: {e.response['Error']}")
        check(e.response["ResponseMetadata"]["HTTPStatusCode"] == 403, "wrong secret: status is not 403")

    print("cleanup: BatchDeleteImage, DeleteRepository")
    expect_error(client, "RepositoryNotEmptyException", client.delete_repository, repositoryName=repo)
    deleted = client.batch_delete_image(repositoryName=repo, imageIds=[
        {"imageDigest": images[0][0]}, {"imageTag": "v1"}, {"imageTag": "nope"}])
    check_metadata(deleted, "BatchDeleteImage")
    check(len(deleted.get("imageIds", [])) == 2, f"BatchDeleteImage imageIds {deleted.get('imageIds')}")
    check(len(deleted.get("failures", [])) == 1, f"BatchDeleteImage failures {deleted.get('failures')}")
    if deleted.get("failures"):
        failure = deleted["failures"][0]
        check_keys(failure, ["imageId", "failureCode", "failureReason"], "ImageFailure")
        check(failure.get("failureCode") == "ImageNotFound", f"ImageFailure {failure}")
    gone = client.delete_repository(repositoryName=repo, force=True)
    check_metadata(gone, "DeleteRepository")
    check(gone.get("repository", {}).get("repositoryName") == repo, f"DeleteRepository: {gone}")
    check(is_datetime(gone.get("repository", {}).get("createdAt")), "DeleteRepository: createdAt")
    for name in ["boto3/second", "boto3/third"]:
        client.delete_repository(repositoryName=name)
    expect_error(client, "RepositoryNotFoundException", client.delete_repository, repositoryName=repo)
    check(client.describe_repositories()["repositories"] == [], "repositories left after cleanup")


def main():
    if len(sys.argv) != 4:
        print("usage: test_emulator.py URL PREMIUM_URL OPERATIONS", file=sys.stderr)
        return 2
    url, premium_url = sys.argv[1], sys.argv[2]
    served = set(filter(None, sys.argv[3].split(",")))
    for name, checks in [("classic operations", lambda: run(url)),
                         ("premium operations", lambda: test_premium.run(premium_url, url))]:
        try:
            checks()
        except Exception:  # An unexpected error is a failure with its traceback, not a crash.
            FAILURES.append(f"unexpected exception in the {name}")
            traceback.print_exc(file=sys.stdout)
    operations = client_operations()
    check(operations == served,
          f"botocore {botocore.__version__} has {len(operations)} operations, the emulator {len(served)}: "
          f"only in botocore {sorted(operations - served)}, only in the emulator {sorted(served - operations)}")
    called = set(CALLED)
    missing = sorted(operations - called)
    check(not missing, f"operations never called: {missing}")
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed")
        return 1
    print(f"\nall checks passed; {len(called & operations)} of {len(operations)} operations called")
    return 0


if __name__ == "__main__":
    record_calls()
    sys.exit(main())
