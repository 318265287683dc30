//! From an operation name and a request body to a response body: the list of operations, input
//! parsing (missing required members, wrong types), and the shape of the output on the wire.

use super::errors::{invalid, ApiError};
use super::state::State;
use super::{entitled, images, layers, ops, premium, reports, scans};
use crate::rt::json::{from_slice, to_vec, Json, JsonReader};

/// Every operation the emulator serves, by its name in the model (e.g. `"PutImage"`), sorted.
pub const OPERATIONS: &[&str] = &[
    "AssociateRepositories",
    "BatchCheckLayerAvailability",
    "BatchDeleteImage",
    "CompleteLayerUpload",
    "CreatePremiumRepository",
    "CreateRepository",
    "DeletePremiumRepository",
    "DeletePremiumRepositoryPolicy",
    "DeleteRepository",
    "DeleteRepositoryPolicy",
    "DescribeEntitledImageTags",
    "DescribeEntitledImages",
    "DescribeEntitledRepositories",
    "DescribeImageScanFindings",
    "DescribeImageTags",
    "DescribeImages",
    "DescribePremiumRepositories",
    "DescribeRegistries",
    "DescribeRepositories",
    "DisassociateRepositories",
    "GetAuthorizationToken",
    "GetDownloadUrlForPublisherReport",
    "GetPremiumRepositoryCatalogData",
    "GetPremiumRepositoryPolicy",
    "GetRegistryCatalogData",
    "GetRepositoryCatalogData",
    "GetRepositoryPolicy",
    "InitiateLayerUpload",
    "ListPublisherReports",
    "ListTagsForResource",
    "PutImage",
    "PutPremiumRepositoryCatalogData",
    "PutPremiumRepositoryProducts",
    "PutRegistryCatalogData",
    "PutRepositoryCatalogData",
    "SetImageStatus",
    "SetPremiumRepositoryPolicy",
    "SetRepositoryPolicy",
    "SetRepositoryState",
    "TagResource",
    "UntagResource",
    "UploadLayerPart",
];

/// Runs `operation` on the request body; the response body or the error.
pub(crate) fn dispatch(st: &mut State, operation: &str, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    if let Some(code) = st.take_injected(operation) {
        return Err(ApiError::new(&code, format!("{code} injected by the emulator for {operation}")));
    }
    st.purge_expired(crate::DateTime::now());
    macro_rules! route {
        ($($name:literal => $handler:path [$($required:literal),*];)*) => {
            match operation {
                $($name => {
                    let input = parse(body, &[$($required),*])?;
                    Ok(with_empty_lists(operation, to_vec(&$handler(st, input)?)))
                })*
                other => Err(ApiError::unknown_operation(other)),
            }
        };
    }
    route! {
        "AssociateRepositories" => premium::associate_repositories
            ["repositoryName", "repositoryType", "associatedRepositoryName", "associatedRepositoryType"];
        "BatchCheckLayerAvailability" => layers::batch_check_layer_availability ["repositoryName", "layerDigests"];
        "BatchDeleteImage" => images::batch_delete_image ["repositoryName", "imageIds"];
        "CompleteLayerUpload" => layers::complete_layer_upload ["repositoryName", "uploadId", "layerDigests"];
        "CreatePremiumRepository" => premium::create_premium_repository ["repositoryName", "marketplaceProducts"];
        "CreateRepository" => ops::create_repository ["repositoryName"];
        "DeletePremiumRepository" => premium::delete_premium_repository ["repositoryName"];
        "DeletePremiumRepositoryPolicy" => premium::delete_premium_repository_policy ["repositoryName"];
        "DeleteRepository" => ops::delete_repository ["repositoryName"];
        "DeleteRepositoryPolicy" => ops::delete_repository_policy ["repositoryName"];
        "DescribeEntitledImageTags" => entitled::describe_entitled_image_tags ["repositoryName", "registryAlias"];
        "DescribeEntitledImages" => entitled::describe_entitled_images ["repositoryName", "registryAlias"];
        "DescribeEntitledRepositories" => entitled::describe_entitled_repositories [];
        "DescribeImageScanFindings" => scans::describe_image_scan_findings ["repositoryName", "imageId"];
        "DescribeImageTags" => images::describe_image_tags ["repositoryName"];
        "DescribeImages" => images::describe_images ["repositoryName"];
        "DescribePremiumRepositories" => premium::describe_premium_repositories [];
        "DescribeRegistries" => ops::describe_registries [];
        "DescribeRepositories" => ops::describe_repositories [];
        "DisassociateRepositories" => premium::disassociate_repositories
            ["repositoryName", "repositoryType", "associatedRepositoryName", "associatedRepositoryType"];
        "GetAuthorizationToken" => ops::get_authorization_token [];
        "GetDownloadUrlForPublisherReport" => reports::get_download_url_for_publisher_report ["reportId"];
        "GetPremiumRepositoryCatalogData" => premium::get_premium_repository_catalog_data ["repositoryName"];
        "GetPremiumRepositoryPolicy" => premium::get_premium_repository_policy ["repositoryName"];
        "GetRegistryCatalogData" => ops::get_registry_catalog_data [];
        "GetRepositoryCatalogData" => ops::get_repository_catalog_data ["repositoryName"];
        "GetRepositoryPolicy" => ops::get_repository_policy ["repositoryName"];
        "InitiateLayerUpload" => layers::initiate_layer_upload ["repositoryName"];
        "ListPublisherReports" => reports::list_publisher_reports [];
        "ListTagsForResource" => ops::list_tags_for_resource ["resourceArn"];
        "PutImage" => images::put_image ["repositoryName", "imageManifest"];
        "PutPremiumRepositoryCatalogData" =>
            premium::put_premium_repository_catalog_data ["repositoryName", "catalogData"];
        "PutPremiumRepositoryProducts" =>
            premium::put_premium_repository_products ["repositoryName", "marketplaceProducts"];
        "PutRegistryCatalogData" => ops::put_registry_catalog_data [];
        "PutRepositoryCatalogData" => ops::put_repository_catalog_data ["repositoryName", "catalogData"];
        "SetImageStatus" => images::set_image_status ["repositoryName", "repositoryType", "imageId", "status"];
        "SetPremiumRepositoryPolicy" => premium::set_premium_repository_policy ["repositoryName", "policyText"];
        "SetRepositoryPolicy" => ops::set_repository_policy ["repositoryName", "policyText"];
        "SetRepositoryState" => premium::set_repository_state ["repositoryName", "repositoryType", "state"];
        "TagResource" => ops::tag_resource ["resourceArn", "tags"];
        "UntagResource" => ops::untag_resource ["resourceArn", "tagKeys"];
        "UploadLayerPart" => layers::upload_layer_part
            ["repositoryName", "uploadId", "partFirstByte", "partLastByte", "layerPartBlob"];
    }
}

/// The list members of each output that the service sends as `[]` when empty (the client's
/// serializer leaves empty lists out, which the service does not); `a.b` is `b` of the object
/// `a`, when `a` is there.
const OUTPUT_LISTS: [(&str, &[&str]); 13] = [
    ("BatchCheckLayerAvailability", &["layers", "failures"]),
    ("BatchDeleteImage", &["imageIds", "failures"]),
    ("DescribeEntitledImageTags", &["imageTagDetails"]),
    ("DescribeEntitledImages", &["imageDetails"]),
    ("DescribeEntitledRepositories", &["repositories"]),
    ("DescribeImageScanFindings", &["imageScanFindings.findings"]),
    ("DescribeImageTags", &["imageTagDetails"]),
    ("DescribeImages", &["imageDetails"]),
    ("DescribePremiumRepositories", &["repositories"]),
    ("DescribeRegistries", &["registries"]),
    ("DescribeRepositories", &["repositories"]),
    ("ListPublisherReports", &["reports"]),
    ("ListTagsForResource", &["tags"]),
];

/// Adds the `[]` of `operation`'s empty lists to its response body.
fn with_empty_lists(operation: &str, body: Vec<u8>) -> Vec<u8> {
    let Some((_, members)) = OUTPUT_LISTS.iter().find(|(op, _)| *op == operation) else { return body };
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return body;
    };
    let mut changed = false;
    for member in *members {
        let (parent, name) = match member.split_once('.') {
            Some((parent, name)) => match object.get_mut(parent).and_then(serde_json::Value::as_object_mut) {
                Some(p) => (p, name),
                None => continue,
            },
            None => (&mut object, *member),
        };
        if !parent.contains_key(name) {
            parent.insert(name.to_owned(), serde_json::Value::Array(Vec::new()));
            changed = true;
        }
    }
    if !changed {
        return body;
    }
    serde_json::to_vec(&object).unwrap_or(body)
}

/// Reads the input: malformed JSON or a member of the wrong type is a `SerializationException`,
/// a missing required member an `InvalidParameterException`.
fn parse<T: Json>(body: &[u8], required: &[&str]) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    let serialization = |e: crate::rt::json::JsonError| ApiError::new("SerializationException", e.to_string());
    let mut present: Vec<String> = Vec::new();
    let mut r = JsonReader::new(body);
    // Members that are null are absent, as the reader treats them.
    r.read_object(|key, r| {
        present.push(key.to_owned());
        r.skip_value()
    })
    .and_then(|()| r.finish())
    .map_err(serialization)?;
    if let Some(missing) = required.iter().find(|name| !present.iter().any(|p| p == *name)) {
        return Err(invalid(format!(
            "1 validation error detected: Value null at '{missing}' failed to satisfy constraint: Member must not be null"
        )));
    }
    from_slice(body).map_err(serialization)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::state::{Kind, Repository, Upload};
    use crate::emulator::EmulatorOptions;

    #[test]
    fn operations_are_sorted_and_unique() {
        let mut sorted = OPERATIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, OPERATIONS);
    }

    /// Whatever the body, every operation answers with a value, never a panic.
    #[test]
    fn odd_inputs_never_panic() {
        for options in [EmulatorOptions::default(), EmulatorOptions::premium_registry()] {
            let mut st = State::new(&options);
            let upload = super::super::uuid_v4();
            for kind in [Kind::Free, Kind::Premium] {
                st.repositories_mut(kind).insert("app".to_owned(), Repository::new(kind, "app"));
            }
            st.open_upload(upload.clone(), Upload::new(Kind::Free, "app"));
            let deep = "[".repeat(10_000);
            let bodies = [
                String::new(),
                "{}".to_owned(),
                "null".to_owned(),
                "[]".to_owned(),
                "\u{0}\u{ff}".to_owned(),
                deep,
                r#"{"repositoryName":"app","registryId":null,"maxResults":-5,"nextToken":"%%%"}"#.to_owned(),
                r#"{"repositoryName":"app","maxResults":99999999999999999999}"#.to_owned(),
                format!(
                    r#"{{"repositoryName":"app","uploadId":"{upload}","partFirstByte":9223372036854775807,
                    "partLastByte":9223372036854775807,"layerPartBlob":"","layerDigests":["sha256:00"],
                    "imageIds":[{{}},{{"imageTag":""}},{{"imageDigest":"x"}}],"imageManifest":"{{\"manifests\":7}}",
                    "resourceArn":"arn:aws:ecr-public::123456789012:repository/app","tags":[{{}}],"tagKeys":[""],
                    "policyText":"[]","catalogData":{{"logoImageBlob":"","categories":["X","X","X","X"]}},
                    "repositoryType":"PREMIUM","associatedRepositoryName":"app","associatedRepositoryType":"FREE",
                    "imageId":{{}},"status":"DEPRECATED","deprecationPeriodDays":-1,"state":"NOPE",
                    "marketplaceProducts":["", "a", "a"],"registryAlias":"","reportId":"../x",
                    "reportType":"X","granularity":"Y"}}"#
                ),
                r#"{"repositoryName":"app","imageManifest":"{\"layers\":[{\"digest\":5}],\"config\":[]}"}"#.to_owned(),
                r#"{"repositoryName":"app","imageManifest":"{\"subject\":{\"digest\":[]},\"manifests\":[]}"}"#
                    .to_owned(),
                r#"{"resourceArn":"arn:aws:ecr-public::123456789012:repository/","tags":[]}"#.to_owned(),
                r#"{"resourceArn":":::::","tagKeys":[]}"#.to_owned(),
                r#"{"repositoryName":"app","repositoryType":"PREMIUM","imageId":{"imageTag":"x"},"nextToken":"e30"}"#
                    .to_owned(),
            ];
            for op in OPERATIONS {
                for body in &bodies {
                    let _ = dispatch(&mut st, op, body.as_bytes());
                }
            }
            assert!(dispatch(&mut st, "Nope", b"{}").is_err());
        }
    }

    #[test]
    fn empty_output_lists_are_sent_as_empty_arrays() {
        let mut st = State::new(&EmulatorOptions::default());
        let mut json = |op: &str, body: &str| -> serde_json::Value {
            serde_json::from_slice(&dispatch(&mut st, op, body.as_bytes()).expect(op)).expect("JSON")
        };
        assert_eq!(json("DescribeRepositories", "{}"), serde_json::json!({ "repositories": [] }));
        assert_eq!(json("DescribePremiumRepositories", "{}"), serde_json::json!({ "repositories": [] }));
        assert_eq!(json("ListPublisherReports", "{}"), serde_json::json!({ "reports": [] }));
        json("CreateRepository", r#"{"repositoryName":"app"}"#);
        assert_eq!(json("DescribeImages", r#"{"repositoryName":"app"}"#), serde_json::json!({ "imageDetails": [] }));
        assert_eq!(
            json("BatchDeleteImage", r#"{"repositoryName":"app","imageIds":[{"imageTag":"x"}]}"#)["imageIds"],
            serde_json::json!([])
        );
    }
}
