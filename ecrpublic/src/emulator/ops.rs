//! The 23 operations: request parsing and validation, the service's semantics on [`State`], and
//! the modeled errors.

use super::state::{Image, Repository, State, Upload};
use super::{hex, random_bytes, sha256_hex, uuid_v4};
use crate::rt::json::{from_slice, to_vec, Json, JsonReader, JsonWriter};
use crate::types::{
    AuthorizationData, ImageDetail, ImageFailure, ImageFailureCode, ImageIdentifier, ImageTagDetail, Layer,
    LayerAvailability, LayerFailure, LayerFailureCode, ReferencedImageDetail, Registry, RegistryAlias,
    RegistryAliasStatus, RegistryCatalogData, RepositoryCatalogData, RepositoryCatalogDataInput, Tag,
};
use crate::{error as e, input as i, output as o, DateTime};

/// The part size `InitiateLayerUpload` suggests.
const PART_SIZE: i64 = 10 * 1024 * 1024;
/// The most tags a repository may carry.
const MAX_TAGS: usize = 50;
const DEFAULT_PAGE: usize = 100;

/// An error response: status, code and the JSON body (`__type`, `message` and the error's
/// modeled members).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: String,
    pub body: Vec<u8>,
}

impl ApiError {
    /// `code` with a message; HTTP 500 for `ServerException`, 400 otherwise.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        let status = if code == e::ServerException::CODE { 500 } else { 400 };
        Self::with_status(status, code, message)
    }

    pub fn with_status(status: u16, code: &str, message: impl Into<String>) -> Self {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.member("__type", &code.to_owned());
        w.member("message", &message.into());
        w.end_object();
        ApiError { status, code: code.to_owned(), body: w.into_bytes() }
    }

    /// A modeled error with all its members, `__type` added in front.
    fn modeled<E: Json>(code: &str, error: &E) -> Self {
        let members = to_vec(error);
        let mut body = to_vec(&code.to_owned());
        body.splice(0..0, *b"{\"__type\":");
        if members.len() > 2 {
            body.push(b',');
        }
        body.extend_from_slice(members.get(1..).unwrap_or(b"}"));
        ApiError { status: 400, code: code.to_owned(), body }
    }

    pub fn unknown_operation(what: &str) -> Self {
        Self::new("UnknownOperationException", format!("Unknown operation {what}"))
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(e::InvalidParameterException::CODE, message)
}

fn constraint(member: &str, value: impl std::fmt::Debug, constraint: impl std::fmt::Display) -> ApiError {
    invalid(format!(
        "1 validation error detected: Value {value:?} at '{member}' failed to satisfy constraint: {constraint}"
    ))
}

fn repository_not_found(st: &State, name: &str) -> ApiError {
    ApiError::new(
        e::RepositoryNotFoundException::CODE,
        format!("The repository with name '{name}' does not exist in the registry with id '{}'", st.account_id),
    )
}

/// Every operation the emulator serves, by its name in the model (e.g. `"PutImage"`), sorted.
pub const OPERATIONS: &[&str] = &[
    "BatchCheckLayerAvailability",
    "BatchDeleteImage",
    "CompleteLayerUpload",
    "CreateRepository",
    "DeleteRepository",
    "DeleteRepositoryPolicy",
    "DescribeImageTags",
    "DescribeImages",
    "DescribeRegistries",
    "DescribeRepositories",
    "GetAuthorizationToken",
    "GetRegistryCatalogData",
    "GetRepositoryCatalogData",
    "GetRepositoryPolicy",
    "InitiateLayerUpload",
    "ListTagsForResource",
    "PutImage",
    "PutRegistryCatalogData",
    "PutRepositoryCatalogData",
    "SetRepositoryPolicy",
    "TagResource",
    "UntagResource",
    "UploadLayerPart",
];

/// Runs `operation` on the request body; the response body or the error.
pub(crate) fn dispatch(st: &mut State, operation: &str, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    if let Some(code) = st.take_injected(operation) {
        return Err(ApiError::new(&code, format!("{code} injected by the emulator for {operation}")));
    }
    macro_rules! route {
        ($($name:literal => $handler:ident($input:ty) [$($required:literal),*];)*) => {
            match operation {
                $($name => {
                    let input: $input = parse(body, &[$($required),*])?;
                    Ok(with_empty_lists(operation, to_vec(&$handler(st, input)?)))
                })*
                other => Err(ApiError::unknown_operation(other)),
            }
        };
    }
    route! {
        "BatchCheckLayerAvailability" =>
            batch_check_layer_availability(i::BatchCheckLayerAvailabilityInput) ["repositoryName", "layerDigests"];
        "BatchDeleteImage" => batch_delete_image(i::BatchDeleteImageInput) ["repositoryName", "imageIds"];
        "CompleteLayerUpload" =>
            complete_layer_upload(i::CompleteLayerUploadInput) ["repositoryName", "uploadId", "layerDigests"];
        "CreateRepository" => create_repository(i::CreateRepositoryInput) ["repositoryName"];
        "DeleteRepository" => delete_repository(i::DeleteRepositoryInput) ["repositoryName"];
        "DeleteRepositoryPolicy" => delete_repository_policy(i::DeleteRepositoryPolicyInput) ["repositoryName"];
        "DescribeImageTags" => describe_image_tags(i::DescribeImageTagsInput) ["repositoryName"];
        "DescribeImages" => describe_images(i::DescribeImagesInput) ["repositoryName"];
        "DescribeRegistries" => describe_registries(i::DescribeRegistriesInput) [];
        "DescribeRepositories" => describe_repositories(i::DescribeRepositoriesInput) [];
        "GetAuthorizationToken" => get_authorization_token(i::GetAuthorizationTokenInput) [];
        "GetRegistryCatalogData" => get_registry_catalog_data(i::GetRegistryCatalogDataInput) [];
        "GetRepositoryCatalogData" =>
            get_repository_catalog_data(i::GetRepositoryCatalogDataInput) ["repositoryName"];
        "GetRepositoryPolicy" => get_repository_policy(i::GetRepositoryPolicyInput) ["repositoryName"];
        "InitiateLayerUpload" => initiate_layer_upload(i::InitiateLayerUploadInput) ["repositoryName"];
        "ListTagsForResource" => list_tags_for_resource(i::ListTagsForResourceInput) ["resourceArn"];
        "PutImage" => put_image(i::PutImageInput) ["repositoryName", "imageManifest"];
        "PutRegistryCatalogData" => put_registry_catalog_data(i::PutRegistryCatalogDataInput) [];
        "PutRepositoryCatalogData" =>
            put_repository_catalog_data(i::PutRepositoryCatalogDataInput) ["repositoryName", "catalogData"];
        "SetRepositoryPolicy" => set_repository_policy(i::SetRepositoryPolicyInput) ["repositoryName", "policyText"];
        "TagResource" => tag_resource(i::TagResourceInput) ["resourceArn", "tags"];
        "UntagResource" => untag_resource(i::UntagResourceInput) ["resourceArn", "tagKeys"];
        "UploadLayerPart" => upload_layer_part(i::UploadLayerPartInput)
            ["repositoryName", "uploadId", "partFirstByte", "partLastByte", "layerPartBlob"];
    }
}

/// The list members of each output that the service sends as `[]` when empty (the client's
/// serializer leaves empty lists out, which the service does not).
const OUTPUT_LISTS: [(&str, &[&str]); 7] = [
    ("BatchCheckLayerAvailability", &["layers", "failures"]),
    ("BatchDeleteImage", &["imageIds", "failures"]),
    ("DescribeImageTags", &["imageTagDetails"]),
    ("DescribeImages", &["imageDetails"]),
    ("DescribeRegistries", &["registries"]),
    ("DescribeRepositories", &["repositories"]),
    ("ListTagsForResource", &["tags"]),
];

/// Adds the `[]` of `operation`'s empty top-level lists to its response body.
fn with_empty_lists(operation: &str, body: Vec<u8>) -> Vec<u8> {
    let Some((_, members)) = OUTPUT_LISTS.iter().find(|(op, _)| *op == operation) else { return body };
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return body;
    };
    let mut changed = false;
    for member in *members {
        if !object.contains_key(*member) {
            object.insert((*member).to_owned(), serde_json::Value::Array(Vec::new()));
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

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

fn check_len(member: &str, value: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(constraint(member, value, format_args!("Member must have length between {min} and {max}")));
    }
    Ok(())
}

fn check_count(member: &str, n: usize, min: usize, max: usize) -> Result<(), ApiError> {
    if n < min || n > max {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have \
             length between {min} and {max} (it has {n})"
        )));
    }
    Ok(())
}

/// `^[0-9]{12}$`
pub(crate) fn is_registry_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `[a-z0-9]+(?:[._-][a-z0-9]+)*`
fn is_name_component(s: &str) -> bool {
    !s.is_empty()
        && s.split(['.', '_', '-'])
            .all(|run| !run.is_empty() && run.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// `^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`
fn is_repository_name(s: &str) -> bool {
    s.split('/').all(is_name_component)
}

/// `^[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*$`, 2 to 50 characters.
pub(crate) fn is_registry_alias(s: &str) -> bool {
    (2..=50).contains(&s.len()) && s.as_bytes()[0].is_ascii_lowercase() && {
        let first = s.split(['.', '_', '-']).next().unwrap_or("");
        first.len() >= 2 && is_name_component(s)
    }
}

/// `^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$`
fn is_digest(s: &str) -> bool {
    match s.split_once(':') {
        Some((alg, hex)) => {
            !alg.is_empty()
                && alg.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'.'))
                && !hex.is_empty()
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
fn is_upload_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn check_repository_name(name: &str) -> Result<(), ApiError> {
    check_len("repositoryName", name, 2, 205)?;
    if !is_repository_name(name) {
        return Err(constraint(
            "repositoryName",
            name,
            "Member must satisfy regular expression pattern: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
        ));
    }
    Ok(())
}

fn check_upload_id(id: &str) -> Result<(), ApiError> {
    if !is_upload_id(id) {
        return Err(constraint(
            "uploadId",
            id,
            "Member must satisfy regular expression pattern: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        ));
    }
    Ok(())
}

/// A `RegistryId` member: 12 digits; another account's registry holds none of our repositories.
fn check_registry_id(st: &State, id: Option<&String>, repository: &str) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    if !is_registry_id(id) {
        return Err(constraint("registryId", id, "Member must satisfy regular expression pattern: [0-9]{12}"));
    }
    if *id != st.account_id {
        return Err(ApiError::new(
            e::RepositoryNotFoundException::CODE,
            format!("The repository with name '{repository}' does not exist in the registry with id '{id}'"),
        ));
    }
    Ok(())
}

/// A `RegistryIdOrAlias` member: our account id or our alias, else `RegistryNotFoundException`.
fn check_registry_id_or_alias(st: &State, id: Option<&String>) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    check_len("registryId", id, 2, 50)?;
    if *id != st.account_id && *id != st.alias {
        return Err(ApiError::new(
            e::RegistryNotFoundException::CODE,
            format!("The registry with id or alias '{id}' does not exist"),
        ));
    }
    Ok(())
}

fn check_max_results(max: Option<i32>) -> Result<usize, ApiError> {
    match max {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=1000).contains(&n) => Ok(n as usize),
        Some(n) => Err(constraint("maxResults", n, "Member must have value between 1 and 1000")),
    }
}

/// One page of `items` from the token's offset, and the token for the next page.
fn page<T>(
    st: &State,
    operation: &str,
    mut items: Vec<T>,
    token: Option<&String>,
    max: Option<i32>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let max = check_max_results(max)?;
    let start = match token {
        None => 0,
        Some(t) => st.offset(operation, t).filter(|&o| o <= items.len()).ok_or_else(|| {
            invalid(format!("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken: {t}'"))
        })?,
    };
    let end = start.saturating_add(max).min(items.len());
    let next = (end < items.len()).then(|| st.token(operation, end));
    items.truncate(end);
    Ok((items.split_off(start), next))
}

fn repository<'a>(st: &'a State, name: &str) -> Result<&'a Repository, ApiError> {
    st.repositories.get(name).ok_or_else(|| repository_not_found(st, name))
}

fn repository_mut<'a>(st: &'a mut State, name: &str) -> Result<&'a mut Repository, ApiError> {
    if !st.repositories.contains_key(name) {
        return Err(repository_not_found(st, name));
    }
    st.repositories.get_mut(name).ok_or_else(|| invalid("unreachable"))
}

fn repository_shape(st: &State, repo: &Repository) -> crate::types::Repository {
    crate::types::Repository {
        repository_arn: Some(st.repository_arn(&repo.name)),
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(repo.name.clone()),
        repository_uri: Some(st.repository_uri(&repo.name)),
        created_at: Some(repo.created_at),
        associated_repositories: Vec::new(),
    }
}

/// Validates catalog data input against the model's constraints.
fn check_catalog(c: &RepositoryCatalogDataInput) -> Result<(), ApiError> {
    if let Some(d) = &c.description {
        check_len("catalogData.description", d, 0, 1024)?;
    }
    for (member, list) in
        [("catalogData.architectures", &c.architectures), ("catalogData.operatingSystems", &c.operating_systems)]
    {
        if let Some(list) = list {
            check_count(member, list.len(), 0, 50)?;
            for v in list {
                check_len(member, v, 1, 50)?;
            }
        }
    }
    if let Some(logo) = &c.logo_image_blob {
        if logo.len() > 512_000 {
            return Err(invalid(format!(
                "1 validation error detected: Value at 'catalogData.logoImageBlob' failed to satisfy constraint: \
                 Member must have length less than or equal to 512000 (it has {} bytes)",
                logo.len()
            )));
        }
    }
    if let Some(t) = &c.about_text {
        check_len("catalogData.aboutText", t, 0, 25600)?;
    }
    if let Some(t) = &c.usage_text {
        check_len("catalogData.usageText", t, 0, 25600)?;
    }
    Ok(())
}

/// Stores the members given, keeping the others.
fn apply_catalog(
    st: &State,
    name: &str,
    old: Option<RepositoryCatalogData>,
    c: RepositoryCatalogDataInput,
) -> RepositoryCatalogData {
    let mut data = old.unwrap_or(RepositoryCatalogData {
        description: None,
        architectures: Vec::new(),
        operating_systems: Vec::new(),
        logo_url: None,
        about_text: None,
        usage_text: None,
        marketplace_certified: Some(false),
        categories: Vec::new(),
        badges: Vec::new(),
        artifact_types: Vec::new(),
    });
    if let Some(v) = c.description {
        data.description = Some(v);
    }
    if let Some(v) = c.architectures {
        data.architectures = v;
    }
    if let Some(v) = c.operating_systems {
        data.operating_systems = v;
    }
    if let Some(logo) = c.logo_image_blob {
        data.logo_url = (!logo.is_empty()).then(|| {
            format!(
                "https://logos.emulator.ecr-public.invalid/{}/{name}/{}.png",
                st.alias,
                &sha256_hex(logo.as_bytes())[..16]
            )
        });
    }
    if let Some(v) = c.about_text {
        data.about_text = Some(v);
    }
    if let Some(v) = c.usage_text {
        data.usage_text = Some(v);
    }
    data
}

/// Checks tags; their keys and values.
fn check_tags(tags: &[Tag]) -> Result<Vec<(String, String)>, ApiError> {
    let bad = |m: String| ApiError::new(e::InvalidTagParameterException::CODE, m);
    let mut out: Vec<(String, String)> = Vec::with_capacity(tags.len());
    for tag in tags {
        let key = tag.key.clone().ok_or_else(|| bad("A tag key must not be null".to_owned()))?;
        let value = tag.value.clone().unwrap_or_default();
        let key_len = key.chars().count();
        if !(1..=128).contains(&key_len) {
            return Err(bad(format!("Tag key '{key}' must have length between 1 and 128")));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(bad(format!("Tag key '{key}' uses the reserved prefix 'aws:'")));
        }
        if value.chars().count() > 256 {
            return Err(bad(format!("The value of tag '{key}' must have length between 0 and 256")));
        }
        if out.iter().any(|(k, _)| *k == key) {
            return Err(bad(format!("Tag key '{key}' is given more than once")));
        }
        out.push((key, value));
    }
    Ok(out)
}

/// Merges `new` into `existing`: a key already there gets the new value.
fn merge_tags(existing: &[(String, String)], new: Vec<(String, String)>) -> Result<Vec<(String, String)>, ApiError> {
    let mut merged = existing.to_vec();
    for (k, v) in new {
        match merged.iter_mut().find(|(ek, _)| *ek == k) {
            Some(slot) => slot.1 = v,
            None => merged.push((k, v)),
        }
    }
    if merged.len() > MAX_TAGS {
        return Err(ApiError::new(
            e::TooManyTagsException::CODE,
            format!("A resource can have at most {MAX_TAGS} tags; this request would leave it with {}", merged.len()),
        ));
    }
    Ok(merged)
}

/// The repository an ARN names: `arn:aws:ecr-public:<region>:<account>:repository/<name>`.
fn repository_from_arn(st: &State, arn: &str) -> Result<String, ApiError> {
    check_len("resourceArn", arn, 1, 2048)?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (account, resource) = match parts[..] {
        ["arn", partition, "ecr-public", _region, account, resource] if !partition.is_empty() => (account, resource),
        _ => {
            return Err(invalid(format!(
                "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN' ({arn})"
            )))
        }
    };
    let Some(name) = resource.strip_prefix("repository/") else {
        return Err(invalid(format!(
            "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN' ({arn})"
        )));
    };
    if account != st.account_id || !st.repositories.contains_key(name) {
        return Err(ApiError::new(
            e::RepositoryNotFoundException::CODE,
            format!("The repository with ARN '{arn}' does not exist in the registry with id '{}'", st.account_id),
        ));
    }
    Ok(name.to_owned())
}

fn image_detail(st: &State, repo: &Repository, image: &Image) -> ImageDetail {
    ImageDetail {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(repo.name.clone()),
        image_digest: Some(image.digest.clone()),
        image_tags: image.tags.iter().map(|(t, _)| t.clone()).collect(),
        image_size_in_bytes: Some(image.size),
        image_pushed_at: Some(image.pushed_at),
        image_manifest_media_type: Some(image.media_type.clone()),
        artifact_media_type: image.artifact_media_type.clone(),
        image_status: None,
        scheduled_deletion_at: None,
        repository_type: None,
        subject_manifest_digest: None,
    }
}

fn image_id(digest: &str, tag: Option<&str>) -> ImageIdentifier {
    ImageIdentifier { image_digest: Some(digest.to_owned()), image_tag: tag.map(str::to_owned) }
}

fn now_plus(secs: i64) -> DateTime {
    let now = DateTime::now();
    DateTime::new(now.secs() + secs, now.subsec_nanos())
}

// ---------------------------------------------------------------------------------------------
// Repositories
// ---------------------------------------------------------------------------------------------

fn create_repository(st: &mut State, input: i::CreateRepositoryInput) -> Result<o::CreateRepositoryOutput, ApiError> {
    check_repository_name(&input.repository_name)?;
    if let Some(c) = &input.catalog_data {
        check_catalog(c)?;
    }
    let tags = input.tags.as_deref().map(check_tags).transpose()?.unwrap_or_default();
    let tags = merge_tags(&[], tags)?;
    let name = input.repository_name;
    if st.repositories.contains_key(&name) {
        return Err(ApiError::new(
            e::RepositoryAlreadyExistsException::CODE,
            format!("The repository with name '{name}' already exists in the registry with id '{}'", st.account_id),
        ));
    }
    if st.repositories.len() >= st.max_repositories {
        return Err(ApiError::new(
            e::LimitExceededException::CODE,
            format!("The registry already holds the most repositories it may ({})", st.max_repositories),
        ));
    }
    let mut repo = Repository::new(&name);
    repo.tags = tags;
    repo.catalog = input.catalog_data.map(|c| apply_catalog(st, &name, None, c));
    let out = o::CreateRepositoryOutput {
        repository: Some(repository_shape(st, &repo)),
        catalog_data: repo.catalog.clone(),
        request_id: None,
    };
    st.repositories.insert(name, repo);
    Ok(out)
}

fn delete_repository(st: &mut State, input: i::DeleteRepositoryInput) -> Result<o::DeleteRepositoryOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name(name)?;
    let repo = repository(st, name)?;
    if !repo.images.is_empty() && !input.force {
        return Err(ApiError::new(
            e::RepositoryNotEmptyException::CODE,
            format!(
                "The repository with name '{name}' in registry with id '{}' cannot be deleted because it still \
                 contains images",
                st.account_id
            ),
        ));
    }
    let shape = repository_shape(st, repo);
    st.repositories.remove(name);
    st.uploads.retain(|_, u| u.repository != *name);
    Ok(o::DeleteRepositoryOutput { repository: Some(shape), request_id: None })
}

fn describe_repositories(
    st: &mut State,
    input: i::DescribeRepositoriesInput,
) -> Result<o::DescribeRepositoriesOutput, ApiError> {
    check_registry_id(st, input.registry_id.as_ref(), "")?;
    let names: Vec<String> = match &input.repository_names {
        Some(names) => {
            check_count("repositoryNames", names.len(), 1, 100)?;
            if input.next_token.is_some() || input.max_results.is_some() {
                return Err(invalid("nextToken and maxResults cannot be used together with repositoryNames"));
            }
            for name in names {
                check_repository_name(name)?;
                repository(st, name)?;
            }
            names.clone()
        }
        None => st.repositories.keys().cloned().collect(),
    };
    let (names, next_token) = page(st, "DescribeRepositories", names, input.next_token.as_ref(), input.max_results)?;
    let repositories = names.iter().filter_map(|n| st.repositories.get(n)).map(|r| repository_shape(st, r)).collect();
    Ok(o::DescribeRepositoriesOutput { repositories, next_token, request_id: None })
}

fn get_repository_catalog_data(
    st: &mut State,
    input: i::GetRepositoryCatalogDataInput,
) -> Result<o::GetRepositoryCatalogDataOutput, ApiError> {
    check_registry_id(st, input.registry_id.as_ref(), &input.repository_name)?;
    check_repository_name(&input.repository_name)?;
    let repo = repository(st, &input.repository_name)?;
    let Some(catalog) = repo.catalog.clone() else {
        return Err(ApiError::new(
            e::RepositoryCatalogDataNotFoundException::CODE,
            format!("The repository with name '{}' has no catalog data", repo.name),
        ));
    };
    Ok(o::GetRepositoryCatalogDataOutput { catalog_data: Some(catalog), request_id: None })
}

fn put_repository_catalog_data(
    st: &mut State,
    input: i::PutRepositoryCatalogDataInput,
) -> Result<o::PutRepositoryCatalogDataOutput, ApiError> {
    check_registry_id(st, input.registry_id.as_ref(), &input.repository_name)?;
    check_repository_name(&input.repository_name)?;
    check_catalog(&input.catalog_data)?;
    let old = repository(st, &input.repository_name)?.catalog.clone();
    let catalog = apply_catalog(st, &input.repository_name, old, input.catalog_data);
    repository_mut(st, &input.repository_name)?.catalog = Some(catalog.clone());
    Ok(o::PutRepositoryCatalogDataOutput { catalog_data: Some(catalog), request_id: None })
}

// ---------------------------------------------------------------------------------------------
// Repository policies
// ---------------------------------------------------------------------------------------------

fn policy_not_found(st: &State, name: &str) -> ApiError {
    ApiError::new(
        e::RepositoryPolicyNotFoundException::CODE,
        format!(
            "Repository policy does not exist for the repository with name '{name}' in the registry with id '{}'",
            st.account_id
        ),
    )
}

fn set_repository_policy(
    st: &mut State,
    input: i::SetRepositoryPolicyInput,
) -> Result<o::SetRepositoryPolicyOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name(name)?;
    check_len("policyText", &input.policy_text, 0, 10240)?;
    repository(st, name)?;
    match serde_json::from_str::<serde_json::Value>(&input.policy_text) {
        Ok(serde_json::Value::Object(_)) => {}
        _ => return Err(invalid(
            "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided': \
                 the policy must be a JSON object",
        )),
    }
    repository_mut(st, name)?.policy = Some(input.policy_text.clone());
    Ok(o::SetRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: Some(input.policy_text),
        request_id: None,
    })
}

fn get_repository_policy(
    st: &mut State,
    input: i::GetRepositoryPolicyInput,
) -> Result<o::GetRepositoryPolicyOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name(name)?;
    let policy = repository(st, name)?.policy.clone().ok_or_else(|| policy_not_found(st, name))?;
    Ok(o::GetRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: Some(policy),
        request_id: None,
    })
}

fn delete_repository_policy(
    st: &mut State,
    input: i::DeleteRepositoryPolicyInput,
) -> Result<o::DeleteRepositoryPolicyOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name(name)?;
    if repository(st, name)?.policy.is_none() {
        return Err(policy_not_found(st, name));
    }
    let policy = repository_mut(st, name)?.policy.take();
    Ok(o::DeleteRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: policy,
        request_id: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------------

fn tag_resource(st: &mut State, input: i::TagResourceInput) -> Result<o::TagResourceOutput, ApiError> {
    let name = repository_from_arn(st, &input.resource_arn)?;
    check_count("tags", input.tags.len(), 0, 200)?;
    let tags = check_tags(&input.tags)?;
    let repo = repository_mut(st, &name)?;
    repo.tags = merge_tags(&repo.tags, tags)?;
    Ok(o::TagResourceOutput { request_id: None })
}

fn untag_resource(st: &mut State, input: i::UntagResourceInput) -> Result<o::UntagResourceOutput, ApiError> {
    let name = repository_from_arn(st, &input.resource_arn)?;
    check_count("tagKeys", input.tag_keys.len(), 0, 200)?;
    for key in &input.tag_keys {
        if !(1..=128).contains(&key.chars().count()) {
            return Err(ApiError::new(
                e::InvalidTagParameterException::CODE,
                format!("Tag key '{key}' must have length between 1 and 128"),
            ));
        }
    }
    repository_mut(st, &name)?.tags.retain(|(k, _)| !input.tag_keys.contains(k));
    Ok(o::UntagResourceOutput { request_id: None })
}

fn list_tags_for_resource(
    st: &mut State,
    input: i::ListTagsForResourceInput,
) -> Result<o::ListTagsForResourceOutput, ApiError> {
    let name = repository_from_arn(st, &input.resource_arn)?;
    let tags =
        repository(st, &name)?.tags.iter().map(|(k, v)| Tag { key: Some(k.clone()), value: Some(v.clone()) }).collect();
    Ok(o::ListTagsForResourceOutput { tags, request_id: None })
}

// ---------------------------------------------------------------------------------------------
// Registries
// ---------------------------------------------------------------------------------------------

fn describe_registries(
    st: &mut State,
    input: i::DescribeRegistriesInput,
) -> Result<o::DescribeRegistriesOutput, ApiError> {
    let registry = Registry {
        registry_id: st.account_id.clone(),
        registry_arn: st.registry_arn(),
        registry_uri: format!("public.ecr.aws/{}", st.alias),
        verified: false,
        aliases: vec![RegistryAlias {
            name: st.alias.clone(),
            status: RegistryAliasStatus::Active,
            primary_registry_alias: true,
            default_registry_alias: true,
        }],
        premium_status: None,
        premium_registry_uri: None,
    };
    let (registries, next_token) =
        page(st, "DescribeRegistries", vec![registry], input.next_token.as_ref(), input.max_results)?;
    Ok(o::DescribeRegistriesOutput { registries, next_token, request_id: None })
}

fn get_registry_catalog_data(
    st: &mut State,
    _input: i::GetRegistryCatalogDataInput,
) -> Result<o::GetRegistryCatalogDataOutput, ApiError> {
    Ok(o::GetRegistryCatalogDataOutput {
        registry_catalog_data: RegistryCatalogData {
            display_name: st.registry_display_name.clone(),
            description: None,
            logo_url: None,
        },
        request_id: None,
    })
}

fn put_registry_catalog_data(
    st: &mut State,
    input: i::PutRegistryCatalogDataInput,
) -> Result<o::PutRegistryCatalogDataOutput, ApiError> {
    if let Some(name) = input.display_name {
        check_len("displayName", &name, 0, 100)?;
        st.registry_display_name = Some(name);
    }
    Ok(o::PutRegistryCatalogDataOutput {
        registry_catalog_data: RegistryCatalogData {
            display_name: st.registry_display_name.clone(),
            description: None,
            logo_url: None,
        },
        request_id: None,
    })
}

fn get_authorization_token(
    _st: &mut State,
    _input: i::GetAuthorizationTokenInput,
) -> Result<o::GetAuthorizationTokenOutput, ApiError> {
    let secret = format!("{}{}", hex(&random_bytes()), hex(&random_bytes()));
    let token = base64_simd::STANDARD.encode_to_string(format!("AWS:{secret}"));
    Ok(o::GetAuthorizationTokenOutput {
        authorization_data: Some(AuthorizationData {
            authorization_token: Some(token),
            expires_at: Some(now_plus(12 * 3600)),
        }),
        request_id: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Layer uploads
// ---------------------------------------------------------------------------------------------

fn upload_not_found(st: &State, name: &str, id: &str) -> ApiError {
    ApiError::new(
        e::UploadNotFoundException::CODE,
        format!(
            "Upload with id '{id}' is not found for the repository with name '{name}' in the registry with id '{}'",
            st.account_id
        ),
    )
}

fn initiate_layer_upload(
    st: &mut State,
    input: i::InitiateLayerUploadInput,
) -> Result<o::InitiateLayerUploadOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    check_repository_name(&input.repository_name)?;
    repository(st, &input.repository_name)?;
    let id = uuid_v4();
    st.uploads.insert(id.clone(), Upload { repository: input.repository_name, data: Vec::new(), parts: Vec::new() });
    Ok(o::InitiateLayerUploadOutput { upload_id: Some(id), part_size: Some(PART_SIZE), request_id: None })
}

fn upload_layer_part(st: &mut State, input: i::UploadLayerPartInput) -> Result<o::UploadLayerPartOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    let name = &input.repository_name;
    check_repository_name(name)?;
    check_upload_id(&input.upload_id)?;
    for (member, v) in [("partFirstByte", input.part_first_byte), ("partLastByte", input.part_last_byte)] {
        if v < 0 {
            return Err(constraint(member, v, "Member must have value greater than or equal to 0"));
        }
    }
    let blob = input.layer_part_blob.as_bytes();
    if blob.len() > 20_971_520 {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'layerPartBlob' failed to satisfy constraint: Member must have \
             length less than or equal to 20971520 (it has {} bytes)",
            blob.len()
        )));
    }
    repository(st, name)?;
    let account = st.account_id.clone();
    let received = match st.uploads.get(&input.upload_id) {
        Some(u) if u.repository == *name => u.data.len() as i64,
        _ => return Err(upload_not_found(st, name, &input.upload_id)),
    };
    let len = blob.len() as i64;
    let problem = if input.part_first_byte != received {
        Some(format!("The part starts at byte {} but the next byte expected is {received}", input.part_first_byte))
    } else if len == 0 {
        Some("The part is empty".to_owned())
    } else if input.part_last_byte != input.part_first_byte + len - 1 {
        Some(format!(
            "partLastByte {} does not match the part: {len} bytes from {} end at byte {}",
            input.part_last_byte,
            input.part_first_byte,
            input.part_first_byte + len - 1
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        let error = e::InvalidLayerPartException {
            registry_id: Some(account),
            repository_name: Some(name.clone()),
            upload_id: Some(input.upload_id.clone()),
            // Nothing received yet is reported as 0: the member's range starts at 0.
            last_valid_byte_received: Some((received - 1).max(0)),
            message: Some(problem),
            request_id: None,
        };
        return Err(ApiError::modeled(e::InvalidLayerPartException::CODE, &error));
    }
    let upload = st.uploads.get_mut(&input.upload_id).ok_or_else(|| invalid("unreachable"))?;
    upload.data.extend_from_slice(blob);
    upload.parts.push(blob.len() as u64);
    let last = upload.data.len() as i64 - 1;
    Ok(o::UploadLayerPartOutput {
        registry_id: Some(account),
        repository_name: Some(input.repository_name),
        upload_id: Some(input.upload_id),
        last_byte_received: Some(last),
        repository_type: None,
        request_id: None,
    })
}

fn complete_layer_upload(
    st: &mut State,
    input: i::CompleteLayerUploadInput,
) -> Result<o::CompleteLayerUploadOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    let name = &input.repository_name;
    check_repository_name(name)?;
    check_upload_id(&input.upload_id)?;
    check_count("layerDigests", input.layer_digests.len(), 1, 100)?;
    for d in &input.layer_digests {
        if !is_digest(d) {
            return Err(constraint(
                "layerDigests",
                d,
                "Member must satisfy regular expression pattern: [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+",
            ));
        }
    }
    repository(st, name)?;
    let upload = match st.uploads.get(&input.upload_id) {
        Some(u) if u.repository == *name => u,
        _ => return Err(upload_not_found(st, name, &input.upload_id)),
    };
    if upload.parts.is_empty() {
        return Err(ApiError::new(
            e::EmptyUploadException::CODE,
            format!("The upload with id '{}' contains no layer parts", input.upload_id),
        ));
    }
    let min = st.min_part_size;
    if let Some((n, size)) = upload.parts[..upload.parts.len() - 1].iter().enumerate().find(|(_, &s)| s < min) {
        return Err(ApiError::new(
            e::LayerPartTooSmallException::CODE,
            format!("Layer part {} is {size} bytes; every part but the last must be at least {min} bytes", n + 1),
        ));
    }
    let digest = format!("sha256:{}", sha256_hex(&upload.data));
    let size = upload.data.len() as i64;
    let given = input.layer_digests[0].to_ascii_lowercase();
    if given != digest {
        return Err(ApiError::new(
            e::InvalidLayerException::CODE,
            format!(
                "The layer digest {} does not match the uploaded content, whose digest is {digest}",
                input.layer_digests[0]
            ),
        ));
    }
    st.uploads.remove(&input.upload_id);
    let repo = repository_mut(st, name)?;
    if repo.layers.contains_key(&digest) {
        return Err(ApiError::new(
            e::LayerAlreadyExistsException::CODE,
            format!("The layer {digest} already exists in the repository with name '{name}'"),
        ));
    }
    repo.layers.insert(digest.clone(), size);
    Ok(o::CompleteLayerUploadOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        upload_id: Some(input.upload_id),
        layer_digest: Some(digest),
        repository_type: None,
        request_id: None,
    })
}

fn batch_check_layer_availability(
    st: &mut State,
    input: i::BatchCheckLayerAvailabilityInput,
) -> Result<o::BatchCheckLayerAvailabilityOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    check_repository_name(&input.repository_name)?;
    check_count("layerDigests", input.layer_digests.len(), 1, 100)?;
    for d in &input.layer_digests {
        check_len("layerDigests", d, 0, 1000)?;
    }
    let repo = repository(st, &input.repository_name)?;
    let mut out = o::BatchCheckLayerAvailabilityOutput::default();
    for d in input.layer_digests {
        let failure = |code, reason: &str| LayerFailure {
            layer_digest: Some(d.clone()),
            failure_code: Some(code),
            failure_reason: Some(reason.to_owned()),
        };
        if !is_digest(&d) {
            out.failures.push(failure(LayerFailureCode::InvalidLayerDigest, "Invalid layer digest"));
        } else if let Some(&size) = repo.layers.get(&d) {
            out.layers.push(Layer {
                layer_digest: Some(d),
                layer_availability: Some(LayerAvailability::Available),
                layer_size: Some(size),
                media_type: None,
            });
        } else {
            out.failures.push(failure(LayerFailureCode::MissingLayerDigest, "Missing layer digest"));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// The `digest` members of `manifest[key][]` (an array of descriptors); `None` if the array
/// is absent, an error if a descriptor has no digest.
fn descriptor_digests(manifest: &serde_json::Value, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = manifest.get(key) else { return Ok(None) };
    let list = list
        .as_array()
        .ok_or_else(|| invalid(format!("Invalid parameter at 'imageManifest': '{key}' is not an array")))?;
    list.iter()
        .map(|d| {
            d.get("digest").and_then(|v| v.as_str()).filter(|s| is_digest(s)).map(str::to_owned).ok_or_else(|| {
                invalid(format!("Invalid parameter at 'imageManifest': an entry of '{key}' has no valid digest"))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn put_image(st: &mut State, input: i::PutImageInput) -> Result<o::PutImageOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    let name = &input.repository_name;
    check_repository_name(name)?;
    check_len("imageManifest", &input.image_manifest, 1, 4_194_304)?;
    if let Some(tag) = &input.image_tag {
        check_len("imageTag", tag, 1, 300)?;
    }
    let account = st.account_id.clone();
    let repo = repository(st, name)?;
    let digest = format!("sha256:{}", sha256_hex(input.image_manifest.as_bytes()));
    if let Some(given) = &input.image_digest {
        if !given.eq_ignore_ascii_case(&digest) {
            return Err(ApiError::new(
                e::ImageDigestDoesNotMatchException::CODE,
                format!("The given image digest {given} does not match the manifest's digest {digest}"),
            ));
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&input.image_manifest).ok().filter(serde_json::Value::is_object).ok_or_else(|| {
            invalid("Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
        })?;
    let manifest_type = manifest.get("mediaType").and_then(|v| v.as_str());
    if let (Some(given), Some(inner)) = (&input.image_manifest_media_type, manifest_type) {
        if given != inner {
            return Err(invalid(format!(
                "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: the manifest's \
                 mediaType {inner} does not match {given}"
            )));
        }
    }
    let (media_type, artifact_media_type, size) = if let Some(children) = descriptor_digests(&manifest, "manifests")? {
        let missing: Vec<&String> = children.iter().filter(|d| repo.image_by_digest(d).is_none()).collect();
        if !missing.is_empty() {
            return Err(ApiError::new(
                e::ReferencedImagesNotFoundException::CODE,
                format!("The images referenced by the manifest list are not in the repository: {missing:?}"),
            ));
        }
        let size = children.iter().filter_map(|d| repo.image_by_digest(d)).map(|n| repo.images[n].size).sum::<i64>();
        let media_type = input.image_manifest_media_type.clone().or(manifest_type.map(str::to_owned));
        (media_type.unwrap_or_else(|| OCI_INDEX.to_owned()), None, size)
    } else {
        let layers = descriptor_digests(&manifest, "layers")?
            .ok_or_else(|| invalid("Invalid parameter at 'imageManifest': the manifest has no 'layers'"))?;
        let config = match manifest.get("config") {
            None => None,
            Some(c) => Some(
                c.get("digest")
                    .and_then(|v| v.as_str())
                    .filter(|s| is_digest(s))
                    .ok_or_else(|| invalid("Invalid parameter at 'imageManifest': 'config' has no valid digest"))?,
            ),
        };
        let missing: Vec<&str> =
            layers.iter().map(String::as_str).chain(config).filter(|d| !repo.layers.contains_key(*d)).collect();
        if !missing.is_empty() {
            return Err(ApiError::new(
                e::LayersNotFoundException::CODE,
                format!(
                    "Layers with digests {missing:?} required for pushing image into repository with name '{name}' \
                     in the registry with id '{account}' do not exist"
                ),
            ));
        }
        let size = layers.iter().filter_map(|d| repo.layers.get(d)).sum::<i64>();
        let artifact = manifest.get("config").and_then(|c| c.get("mediaType")).and_then(|v| v.as_str());
        let media_type = input.image_manifest_media_type.clone().or(manifest_type.map(str::to_owned));
        (media_type.unwrap_or_else(|| OCI_MANIFEST.to_owned()), artifact.map(str::to_owned), size)
    };

    let existing = repo.image_by_digest(&digest);
    if let Some(n) = existing {
        let has_tag = input.image_tag.as_ref().is_some_and(|t| repo.images[n].tags.iter().any(|(x, _)| x == t));
        if input.image_tag.is_none() || has_tag {
            let with_tag = input.image_tag.as_ref().map(|t| format!(" and tag '{t}'")).unwrap_or_default();
            return Err(ApiError::new(
                e::ImageAlreadyExistsException::CODE,
                format!("Image with digest '{digest}'{with_tag} already exists in the repository with name '{name}'"),
            ));
        }
    }
    let now = DateTime::now();
    let repo = repository_mut(st, name)?;
    if let Some(tag) = &input.image_tag {
        for image in &mut repo.images {
            image.tags.retain(|(t, _)| t != tag);
        }
    }
    let stored = match existing {
        Some(n) => n,
        None => {
            repo.images.push(Image {
                digest: digest.clone(),
                manifest: input.image_manifest.clone(),
                media_type: media_type.clone(),
                artifact_media_type,
                size,
                pushed_at: now,
                tags: Vec::new(),
            });
            repo.images.len() - 1
        }
    };
    if let Some(tag) = &input.image_tag {
        repo.images[stored].tags.push((tag.clone(), now));
    }
    let image = &repo.images[stored];
    Ok(o::PutImageOutput {
        image: Some(crate::types::Image {
            registry_id: Some(account),
            repository_name: Some(input.repository_name.clone()),
            image_id: Some(image_id(&digest, input.image_tag.as_deref())),
            image_manifest: Some(image.manifest.clone()),
            image_manifest_media_type: Some(image.media_type.clone()),
            repository_type: None,
            subject_manifest_digest: None,
        }),
        request_id: None,
    })
}

/// Digests of the images that an index in `repo` other than `except` references.
fn referenced_by_index(repo: &Repository, digest: &str) -> bool {
    repo.images.iter().any(|image| {
        image.digest != digest
            && serde_json::from_str::<serde_json::Value>(&image.manifest)
                .ok()
                .and_then(|m| descriptor_digests(&m, "manifests").ok().flatten())
                .is_some_and(|children| children.iter().any(|c| c == digest))
    })
}

fn batch_delete_image(st: &mut State, input: i::BatchDeleteImageInput) -> Result<o::BatchDeleteImageOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name(name)?;
    check_count("imageIds", input.image_ids.len(), 1, 100)?;
    let repo = repository_mut(st, name)?;
    let mut out = o::BatchDeleteImageOutput::default();
    for id in input.image_ids {
        let fail = |code, reason: &str| ImageFailure {
            image_id: Some(id.clone()),
            failure_code: Some(code),
            failure_reason: Some(reason.to_owned()),
        };
        if id.image_digest.is_none() && id.image_tag.is_none() {
            out.failures.push(fail(ImageFailureCode::MissingDigestAndTag, "Missing image digest and image tag"));
            continue;
        }
        if id.image_digest.as_deref().is_some_and(|d| !is_digest(d)) {
            out.failures.push(fail(ImageFailureCode::InvalidImageDigest, "Invalid image digest"));
            continue;
        }
        if id.image_tag.as_deref().is_some_and(|t| !(1..=300).contains(&t.chars().count())) {
            out.failures.push(fail(ImageFailureCode::InvalidImageTag, "Invalid image tag"));
            continue;
        }
        let found = match (&id.image_tag, &id.image_digest) {
            (Some(tag), digest) => match repo.image_by_tag(tag) {
                Some(n) if digest.as_ref().is_some_and(|d| !d.eq_ignore_ascii_case(&repo.images[n].digest)) => {
                    out.failures
                        .push(fail(ImageFailureCode::ImageTagDoesNotMatchDigest, "Image tag does not match digest"));
                    continue;
                }
                found => found.map(|n| (n, Some(tag.clone()))),
            },
            (None, Some(digest)) => repo.image_by_digest(&digest.to_ascii_lowercase()).map(|n| (n, None)),
            (None, None) => None,
        };
        let Some((n, tag)) = found else {
            out.failures.push(fail(ImageFailureCode::ImageNotFound, "Requested image not found"));
            continue;
        };
        let digest = repo.images[n].digest.clone();
        // Removing a tag leaves a still-tagged image in place; anything else removes the image.
        let removes_image = tag.is_none() || repo.images[n].tags.len() <= 1;
        if removes_image && referenced_by_index(repo, &digest) {
            out.failures.push(fail(
                ImageFailureCode::ImageReferencedByManifestList,
                "Requested image is referenced by an image index in the repository",
            ));
            continue;
        }
        match tag {
            Some(tag) => {
                repo.images[n].tags.retain(|(t, _)| *t != tag);
                out.image_ids.push(image_id(&digest, Some(&tag)));
            }
            None if repo.images[n].tags.is_empty() => out.image_ids.push(image_id(&digest, None)),
            None => out.image_ids.extend(repo.images[n].tags.iter().map(|(t, _)| image_id(&digest, Some(t)))),
        }
        if removes_image {
            repo.images.remove(n);
        }
    }
    Ok(out)
}

fn describe_images(st: &mut State, input: i::DescribeImagesInput) -> Result<o::DescribeImagesOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name(name)?;
    let repo = repository(st, name)?;
    let indexes: Vec<usize> = match &input.image_ids {
        Some(ids) => {
            check_count("imageIds", ids.len(), 1, 100)?;
            if input.next_token.is_some() || input.max_results.is_some() {
                return Err(invalid("nextToken and maxResults cannot be used together with imageIds"));
            }
            let mut found: Vec<usize> = Vec::new();
            for id in ids {
                let n = match (&id.image_digest, &id.image_tag) {
                    (Some(d), Some(t)) => {
                        repo.image_by_tag(t).filter(|&n| repo.images[n].digest.eq_ignore_ascii_case(d))
                    }
                    (Some(d), None) => repo.image_by_digest(&d.to_ascii_lowercase()),
                    (None, Some(t)) => repo.image_by_tag(t),
                    (None, None) => return Err(invalid("An imageId must have an imageDigest or an imageTag")),
                };
                let Some(n) = n else {
                    return Err(ApiError::new(
                        e::ImageNotFoundException::CODE,
                        format!(
                            "The image with imageId {{imageDigest:'{}', imageTag:'{}'}} does not exist within the \
                             repository with name '{name}' in the registry with id '{}'",
                            id.image_digest.as_deref().unwrap_or("null"),
                            id.image_tag.as_deref().unwrap_or("null"),
                            st.account_id
                        ),
                    ));
                };
                if !found.contains(&n) {
                    found.push(n);
                }
            }
            found
        }
        None => (0..repo.images.len()).collect(),
    };
    let (indexes, next_token) = page(st, "DescribeImages", indexes, input.next_token.as_ref(), input.max_results)?;
    let image_details = indexes.iter().map(|&n| image_detail(st, repo, &repo.images[n])).collect();
    Ok(o::DescribeImagesOutput { image_details, next_token, request_id: None })
}

fn describe_image_tags(
    st: &mut State,
    input: i::DescribeImageTagsInput,
) -> Result<o::DescribeImageTagsOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name(name)?;
    let repo = repository(st, name)?;
    let all: Vec<ImageTagDetail> = repo
        .images
        .iter()
        .flat_map(|image| {
            image.tags.iter().map(move |(tag, at)| ImageTagDetail {
                image_tag: Some(tag.clone()),
                created_at: Some(*at),
                image_detail: Some(ReferencedImageDetail {
                    image_digest: Some(image.digest.clone()),
                    image_size_in_bytes: Some(image.size),
                    image_pushed_at: Some(image.pushed_at),
                    image_manifest_media_type: Some(image.media_type.clone()),
                    artifact_media_type: image.artifact_media_type.clone(),
                    image_status: None,
                    scheduled_deletion_at: None,
                }),
            })
        })
        .collect();
    let (image_tag_details, next_token) =
        page(st, "DescribeImageTags", all, input.next_token.as_ref(), input.max_results)?;
    Ok(o::DescribeImageTagsOutput { image_tag_details, next_token, request_id: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        for ok in ["ab", "team/app", "a-b_c.d/e1", "a1/b2/c3"] {
            assert!(is_repository_name(ok), "{ok}");
        }
        for bad in ["", "A", "a//b", "a/", "/a", "a--b", "-a", "a-", "a b"] {
            assert!(!is_repository_name(bad), "{bad}");
        }
        assert!(is_registry_alias("emulator"));
        assert!(is_registry_alias("my-alias.x"));
        assert!(!is_registry_alias("a"));
        assert!(!is_registry_alias("1abc"));
        assert!(!is_registry_alias("a-bc"));
        assert!(is_digest("sha256:abcDEF0123"));
        assert!(!is_digest("sha256:xyz"));
        assert!(!is_digest("abc"));
        assert!(is_upload_id(&uuid_v4()));
        assert!(!is_upload_id("0a1b2c3d-0000-1111-2222-33334444555"));
        assert!(is_registry_id("123456789012"));
        assert!(!is_registry_id("12345678901a"));
    }

    #[test]
    fn modeled_error_body() {
        let error = e::InvalidLayerPartException { last_valid_byte_received: Some(4), ..Default::default() };
        let body = ApiError::modeled("InvalidLayerPartException", &error).body;
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v, serde_json::json!({"__type": "InvalidLayerPartException", "lastValidByteReceived": 4}));
        let empty = ApiError::modeled("X", &e::InvalidLayerException::default()).body;
        assert_eq!(empty, br#"{"__type":"X"}"#);
    }

    #[test]
    fn pages() {
        let st = State::new(&super::super::EmulatorOptions::default());
        let (p, next) = page(&st, "Op", vec![1, 2, 3], None, Some(2)).expect("page");
        assert_eq!(p, [1, 2]);
        let (p, next) = page(&st, "Op", vec![1, 2, 3], next.as_ref(), Some(2)).expect("page");
        assert_eq!((p, next), (vec![3], None));
        assert!(page(&st, "Op", vec![1], Some(&"bogus".to_owned()), None).is_err());
        assert!(page(&st, "Other", vec![1], Some(&st.token("Op", 0)), None).is_err());
        assert!(page(&st, "Op", vec![1], None, Some(0)).is_err());
        assert!(page(&st, "Op", vec![1], None, Some(1001)).is_err());
    }

    /// Whatever the body, every operation answers with a value, never a panic.
    #[test]
    fn odd_inputs_never_panic() {
        let mut st = State::new(&super::super::EmulatorOptions::default());
        let upload = uuid_v4();
        st.repositories.insert("app".to_owned(), Repository::new("app"));
        st.uploads.insert(upload.clone(), Upload { repository: "app".to_owned(), data: Vec::new(), parts: Vec::new() });
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
                "policyText":"[]","catalogData":{{"logoImageBlob":""}},"layerDigests":[""]}}"#
            ),
            r#"{"repositoryName":"app","imageManifest":"{\"layers\":[{\"digest\":5}],\"config\":[]}"}"#.to_owned(),
            r#"{"resourceArn":"arn:aws:ecr-public::123456789012:repository/","tags":[]}"#.to_owned(),
            r#"{"resourceArn":":::::","tagKeys":[]}"#.to_owned(),
        ];
        for op in OPERATIONS {
            for body in &bodies {
                let _ = dispatch(&mut st, op, body.as_bytes());
            }
        }
        assert!(dispatch(&mut st, "Nope", b"{}").is_err());
    }

    #[test]
    fn empty_output_lists_are_sent_as_empty_arrays() {
        let mut st = State::new(&crate::emulator::EmulatorOptions::default());
        let mut json = |op: &str, body: &str| -> serde_json::Value {
            serde_json::from_slice(&dispatch(&mut st, op, body.as_bytes()).expect(op)).expect("JSON")
        };
        assert_eq!(json("DescribeRepositories", "{}"), serde_json::json!({ "repositories": [] }));
        json("CreateRepository", r#"{"repositoryName":"app"}"#);
        assert_eq!(json("DescribeImages", r#"{"repositoryName":"app"}"#), serde_json::json!({ "imageDetails": [] }));
        assert_eq!(
            json("BatchDeleteImage", r#"{"repositoryName":"app","imageIds":[{"imageTag":"x"}]}"#)["imageIds"],
            serde_json::json!([])
        );
    }
}
