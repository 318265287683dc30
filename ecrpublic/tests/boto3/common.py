"""What the boto3 checks of the emulator share: reporting checks, expecting modeled errors,
pushing layers, recording the operations called."""

import datetime
import hashlib
import json
import re

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
FAILURES = []
CALLED = []


def client_for(url, region="us-east-1", secret="SECRET"):
    return boto3.client(
        "ecr-public",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="AKID",
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def client_operations():
    return set(botocore.session.get_session().get_service_model("ecr-public").operation_names)


def record_calls():
    """Records every operation sent, so that the checks can tell which were never called."""
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-call.ecr-public", lambda model, **_: CALLED.append(model.name))


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print(f"  FAIL: {what}")


def check_keys(obj, keys, what):
    missing = [k for k in keys if k not in obj]
    check(not missing, f"{what}: missing keys {missing} in {obj!r}")


def is_datetime(value):
    return isinstance(value, datetime.datetime) and value.tzinfo is not None


def check_metadata(response, what):
    meta = response.get("ResponseMetadata", {})
    check(meta.get("HTTPStatusCode") == 200, f"{what}: HTTP status {meta.get('HTTPStatusCode')}")
    check(bool(meta.get("RequestId")), f"{what}: no request id in ResponseMetadata")


def expect_error(client, code, call, **params):
    """The call must fail with the modeled exception `code`; returns botocore's error response."""
    exception = getattr(client.exceptions, code, None)
    check(exception is not None, f"botocore's model has no exception {code}")
    try:
        call(**params)
    except ClientError as e:
        response = e.response
        got = response.get("Error", {}).get("Code")
        check(got == code, f"{call.__name__}({params}): expected {code}, got {got}: {response}")
        if exception is not None:
            check(isinstance(e, exception), f"{call.__name__}: {got} was not raised as client.exceptions.{code}")
        check(bool(response.get("Error", {}).get("Message")), f"{call.__name__}: {code} without a message")
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        check(status == 400, f"{call.__name__}: {code} with HTTP status {status}, expected 400")
        check(bool(response.get("ResponseMetadata", {}).get("RequestId")), f"{call.__name__}: {code} without request id")
        return response
    check(False, f"{call.__name__}({params}): expected {code}, but the call succeeded")
    return {}


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_layer(client, repo, data, parts=1, **extra):
    """Uploads `data` in `parts` parts (`extra`: more request members, e.g. repositoryType);
    returns its digest."""
    started = client.initiate_layer_upload(repositoryName=repo, **extra)
    check_metadata(started, "InitiateLayerUpload")
    check_keys(started, ["uploadId", "partSize"], "InitiateLayerUpload")
    check(isinstance(started.get("partSize"), int), "InitiateLayerUpload: partSize is not an int")
    check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", started["uploadId"]) is not None,
          f"InitiateLayerUpload: uploadId {started['uploadId']!r} is not a UUID")
    upload_id = started["uploadId"]
    size = -(-len(data) // parts)
    for first in range(0, len(data), size):
        chunk = data[first:first + size]
        last = first + len(chunk) - 1
        part = client.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=first,
                                        partLastByte=last, layerPartBlob=chunk, **extra)
        check_metadata(part, "UploadLayerPart")
        check_keys(part, ["registryId", "repositoryName", "uploadId", "lastByteReceived"], "UploadLayerPart")
        check(part.get("lastByteReceived") == last, f"UploadLayerPart: lastByteReceived {part.get('lastByteReceived')} != {last}")
        check(part.get("registryId") == ACCOUNT, "UploadLayerPart: registryId")
    digest = sha256(data)
    done = client.complete_layer_upload(repositoryName=repo, uploadId=upload_id, layerDigests=[digest], **extra)
    check_metadata(done, "CompleteLayerUpload")
    check_keys(done, ["registryId", "repositoryName", "uploadId", "layerDigest"], "CompleteLayerUpload")
    check(done.get("layerDigest") == digest, f"CompleteLayerUpload: layerDigest {done.get('layerDigest')} != {digest}")
    return digest


def manifest(config, config_size, layers, note):
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s} for d, s in layers],
        "annotations": {"note": note},
    })


