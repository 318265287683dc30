//! Images in free and premium repositories: `PutImage` (manifests, indexes, OCI 1.1 `subject`
//! referrers), `DescribeImages`, `DescribeImageTags`, `BatchDeleteImage`, and `SetImageStatus`
//! (deprecating images of premium repositories, with their scheduled deletion).

use super::errors::{image_not_found, invalid, limit_exceeded, validation, ApiError};
use super::paging::{number_key, Listing};
use super::state::{Image, Kind, Repository, State};
use super::validate::{
    check_count, check_enum, check_image_id, check_len, check_own_registry_id, check_range, check_registry_id,
    check_registry_id_or_alias, check_repository_name, is_digest, kind, repository, repository_mut,
};
use super::{ops::now_plus, sha256_hex};
use crate::types::{
    ImageDetail, ImageFailure, ImageFailureCode, ImageIdentifier, ImageStatus, ImageTagDetail, ReferencedImageDetail,
    RepositoryState,
};
use crate::{error as e, input as i, output as o, DateTime};

pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub(crate) const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// The manifest media types the service stores.
const MEDIA_TYPES: [&str; 4] = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST];

const DAY: i64 = 24 * 3600;

pub(crate) fn image_id(digest: &str, tag: Option<&str>) -> ImageIdentifier {
    ImageIdentifier { image_digest: Some(digest.to_owned()), image_tag: tag.map(str::to_owned) }
}

pub(crate) fn status(image: &Image) -> ImageStatus {
    if image.deletion_at.is_some() {
        ImageStatus::Deprecated
    } else {
        ImageStatus::Active
    }
}

pub(crate) fn image_detail(st: &State, repo: &Repository, image: &Image) -> ImageDetail {
    ImageDetail {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(repo.name.clone()),
        image_digest: Some(image.digest.clone()),
        image_tags: image.tags.iter().map(|(t, _)| t.clone()).collect(),
        image_size_in_bytes: Some(image.size),
        image_pushed_at: Some(image.pushed_at),
        image_manifest_media_type: Some(image.media_type.clone()),
        artifact_media_type: image.artifact_media_type.clone(),
        image_status: Some(status(image)),
        scheduled_deletion_at: image.deletion_at,
        repository_type: Some(repo.kind.repository_type()),
        subject_manifest_digest: image.subject.clone(),
    }
}

pub(crate) fn referenced_detail(image: &Image) -> ReferencedImageDetail {
    ReferencedImageDetail {
        image_digest: Some(image.digest.clone()),
        image_size_in_bytes: Some(image.size),
        image_pushed_at: Some(image.pushed_at),
        image_manifest_media_type: Some(image.media_type.clone()),
        artifact_media_type: image.artifact_media_type.clone(),
        image_status: Some(status(image)),
        scheduled_deletion_at: image.deletion_at,
    }
}

/// Looks up an image id of a request (checked with [`check_image_id`]): by tag, by digest, or
/// both, which must then agree.
pub(crate) fn find_image(repo: &Repository, id: &ImageIdentifier) -> Option<usize> {
    match (&id.image_digest, &id.image_tag) {
        (Some(d), Some(t)) => repo.image_by_tag(t).filter(|&n| repo.images[n].digest.eq_ignore_ascii_case(d)),
        (Some(d), None) => repo.image_by_digest(d),
        (None, Some(t)) => repo.image_by_tag(t),
        (None, None) => None,
    }
}

/// The images of `repo`, each keyed by its push order, for paging.
pub(crate) fn keyed_images(repo: &Repository) -> Vec<(String, &Image)> {
    repo.images.iter().map(|i| (number_key(i.seq), i)).collect()
}

/// The tags of `repo` with their images, keyed by tag, for paging.
pub(crate) fn keyed_tags(repo: &Repository) -> Vec<(String, (String, DateTime, &Image))> {
    let mut tags: Vec<_> = repo
        .images
        .iter()
        .flat_map(|image| image.tags.iter().map(move |(tag, at)| (tag.clone(), (tag.clone(), *at, image))))
        .collect();
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    tags
}

// ---------------------------------------------------------------------------------------------
// PutImage
// ---------------------------------------------------------------------------------------------

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

/// What `PutImage` learns from a manifest.
struct Parsed {
    media_type: String,
    artifact_media_type: Option<String>,
    artifact_type: Option<String>,
    subject: Option<String>,
    children: Vec<String>,
    size: i64,
}

fn parse_manifest(repo: &Repository, input: &i::PutImageInput) -> Result<Parsed, ApiError> {
    let manifest: serde_json::Value =
        serde_json::from_str(&input.image_manifest).ok().filter(serde_json::Value::is_object).ok_or_else(|| {
            invalid("Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
        })?;
    let inner = match manifest.get("mediaType") {
        None => None,
        Some(v) => {
            Some(v.as_str().ok_or_else(|| invalid("Invalid parameter at 'imageManifest': mediaType is not a string"))?)
        }
    };
    let media_type = match (input.image_manifest_media_type.as_deref(), inner) {
        (Some(given), Some(inner)) if given != inner => {
            return Err(invalid(format!(
                "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: the manifest's \
                 mediaType {inner} does not match {given}"
            )))
        }
        (Some(t), _) | (None, Some(t)) => t.to_owned(),
        (None, None) => {
            return Err(invalid(
                "Invalid parameter at 'imageManifestMediaType': the manifest has no mediaType, so \
                 imageManifestMediaType must be given",
            ))
        }
    };
    if !MEDIA_TYPES.contains(&media_type.as_str()) {
        return Err(invalid(format!(
            "Invalid parameter at 'imageManifestMediaType': the media type '{media_type}' is not supported (one of {})",
            MEDIA_TYPES.join(", ")
        )));
    }
    let subject = match manifest.get("subject") {
        None => None,
        Some(s) => {
            Some(s.get("digest").and_then(|v| v.as_str()).filter(|d| is_digest(d)).map(str::to_owned).ok_or_else(
                || invalid("Invalid parameter at 'imageManifest': 'subject' is not a descriptor with a valid digest"),
            )?)
        }
    };
    let artifact_type = match manifest.get("artifactType") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .ok_or_else(|| invalid("Invalid parameter at 'imageManifest': artifactType is not a string"))?
                .to_owned(),
        ),
    };
    if media_type == OCI_INDEX || media_type == DOCKER_LIST {
        let children = descriptor_digests(&manifest, "manifests")?.ok_or_else(|| {
            invalid(format!("Invalid parameter at 'imageManifest': an image index ({media_type}) has no 'manifests'"))
        })?;
        let missing: Vec<&String> = children.iter().filter(|d| repo.image_by_digest(d).is_none()).collect();
        if !missing.is_empty() {
            return Err(ApiError::new(
                e::ReferencedImagesNotFoundException::CODE,
                format!("The images referenced by the manifest list are not in the repository: {missing:?}"),
            ));
        }
        // The largest of the images listed, as the service reports an index's size.
        let size =
            children.iter().filter_map(|d| repo.image_by_digest(d)).map(|n| repo.images[n].size).max().unwrap_or(0);
        return Ok(Parsed { media_type, artifact_media_type: None, artifact_type, subject, children, size });
    }
    if manifest.get("manifests").is_some() {
        return Err(invalid(format!(
            "Invalid parameter at 'imageManifest': a manifest of type {media_type} cannot list 'manifests'"
        )));
    }
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
                "Layers with digests {missing:?} required for pushing image into the {} with name '{}' do not exist",
                repo.kind.noun(),
                repo.name
            ),
        ));
    }
    let size = layers.iter().filter_map(|d| repo.layers.get(d)).sum::<i64>();
    let artifact_media_type = manifest.get("config").and_then(|c| c.get("mediaType")).and_then(|v| v.as_str());
    Ok(Parsed {
        media_type,
        artifact_media_type: artifact_media_type.map(str::to_owned),
        artifact_type,
        subject,
        children: Vec::new(),
        size,
    })
}

pub(crate) fn put_image(st: &mut State, input: i::PutImageInput) -> Result<o::PutImageOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    let name = &input.repository_name;
    check_repository_name("repositoryName", name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    check_len("imageManifest", &input.image_manifest, 1, 4_194_304)?;
    if let Some(tag) = &input.image_tag {
        check_len("imageTag", tag, 1, 300)?;
    }
    let account = st.account_id.clone();
    let max_images = st.max_images;
    let repo = repository(st, kind, name)?;
    let digest = format!("sha256:{}", sha256_hex(input.image_manifest.as_bytes()));
    if let Some(given) = &input.image_digest {
        if !given.eq_ignore_ascii_case(&digest) {
            return Err(ApiError::new(
                e::ImageDigestDoesNotMatchException::CODE,
                format!("The given image digest {given} does not match the manifest's digest {digest}"),
            ));
        }
    }
    let parsed = parse_manifest(repo, &input)?;
    let existing = repo.image_by_digest(&digest);
    match existing {
        Some(n) => {
            let has_tag = input.image_tag.as_ref().is_some_and(|t| repo.images[n].tags.iter().any(|(x, _)| x == t));
            if input.image_tag.is_none() || has_tag {
                let with_tag = input.image_tag.as_ref().map(|t| format!(" and tag '{t}'")).unwrap_or_default();
                return Err(ApiError::new(
                    e::ImageAlreadyExistsException::CODE,
                    format!(
                        "Image with digest '{digest}'{with_tag} already exists in the {} with name '{name}'",
                        kind.noun()
                    ),
                ));
            }
        }
        None if repo.images.len() >= max_images => {
            return Err(limit_exceeded(format!(
                "The {} with name '{name}' already holds {max_images} images, the most a repository may hold",
                kind.noun()
            )));
        }
        None => {}
    }
    if existing.is_none() {
        st.reserve_stored(input.image_manifest.len() as u64).map_err(limit_exceeded)?;
    }
    let now = DateTime::now();
    let seq = st.next_seq();
    let repo = repository_mut(st, kind, name)?;
    if let Some(tag) = &input.image_tag {
        for image in &mut repo.images {
            image.tags.retain(|(t, _)| t != tag);
        }
    }
    let stored = match existing {
        Some(n) => n,
        None => {
            repo.images.push(Image {
                seq,
                digest: digest.clone(),
                manifest: input.image_manifest.clone(),
                media_type: parsed.media_type,
                artifact_media_type: parsed.artifact_media_type,
                artifact_type: parsed.artifact_type,
                subject: parsed.subject,
                children: parsed.children,
                size: parsed.size,
                pushed_at: now,
                tags: Vec::new(),
                deletion_at: None,
                scan_calls: 0,
                scan_completed_at: None,
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
            repository_type: Some(kind.repository_type()),
            subject_manifest_digest: image.subject.clone(),
        }),
        request_id: None,
    })
}

// ---------------------------------------------------------------------------------------------
// DescribeImages, DescribeImageTags
// ---------------------------------------------------------------------------------------------

pub(crate) fn describe_images(
    st: &mut State,
    input: i::DescribeImagesInput,
) -> Result<o::DescribeImagesOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name("repositoryName", name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    let repo = repository(st, kind, name)?;
    if let Some(ids) = &input.image_ids {
        let found = images_by_id(st, repo, ids, input.next_token.is_some() || input.max_results.is_some())?;
        let image_details = found.iter().map(|&n| image_detail(st, repo, &repo.images[n])).collect();
        return Ok(o::DescribeImagesOutput { image_details, next_token: None, request_id: None });
    }
    let listing = Listing {
        operation: "DescribeImages",
        scope: format!("{kind:?}/{name}"),
        token: input.next_token.as_ref(),
        max_results: input.max_results,
        limit: 1000,
    };
    let (images, next_token) = listing.page(st, keyed_images(repo))?;
    let image_details = images.into_iter().map(|image| image_detail(st, repo, image)).collect();
    Ok(o::DescribeImagesOutput { image_details, next_token, request_id: None })
}

/// The images `ids` name, each once, in the order asked for; `ImageNotFoundException` for one
/// that is not there. `paged`: the request also gave `nextToken` or `maxResults`, which cannot go
/// with `imageIds`.
pub(crate) fn images_by_id(
    st: &State,
    repo: &Repository,
    ids: &[ImageIdentifier],
    paged: bool,
) -> Result<Vec<usize>, ApiError> {
    check_count("imageIds", ids.len(), 1, 100)?;
    if paged {
        return Err(invalid("nextToken and maxResults cannot be used together with imageIds"));
    }
    let mut found: Vec<usize> = Vec::new();
    for id in ids {
        check_image_id("imageIds", id)?;
        let n = find_image(repo, id)
            .ok_or_else(|| image_not_found(st, &repo.name, id.image_digest.as_deref(), id.image_tag.as_deref()))?;
        if !found.contains(&n) {
            found.push(n);
        }
    }
    Ok(found)
}

pub(crate) fn describe_image_tags(
    st: &mut State,
    input: i::DescribeImageTagsInput,
) -> Result<o::DescribeImageTagsOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name("repositoryName", name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    let repo = repository(st, kind, name)?;
    let listing = Listing {
        operation: "DescribeImageTags",
        scope: format!("{kind:?}/{name}"),
        token: input.next_token.as_ref(),
        max_results: input.max_results,
        limit: 1000,
    };
    let (tags, next_token) = listing.page(st, keyed_tags(repo))?;
    let image_tag_details = tags
        .into_iter()
        .map(|(tag, at, image)| ImageTagDetail {
            image_tag: Some(tag),
            created_at: Some(at),
            image_detail: Some(referenced_detail(image)),
        })
        .collect();
    Ok(o::DescribeImageTagsOutput { image_tag_details, next_token, request_id: None })
}

// ---------------------------------------------------------------------------------------------
// BatchDeleteImage
// ---------------------------------------------------------------------------------------------

pub(crate) fn batch_delete_image(
    st: &mut State,
    input: i::BatchDeleteImageInput,
) -> Result<o::BatchDeleteImageOutput, ApiError> {
    let name = &input.repository_name;
    // A `RegistryIdOrAlias`; the operation has no RegistryNotFoundException, so a registry that
    // is not ours holds no such repository.
    if let Some(id) = &input.registry_id {
        check_len("registryId", id, 2, 50)?;
        if *id != st.account_id && !st.is_own_alias(id) {
            return Err(ApiError::new(
                e::RepositoryNotFoundException::CODE,
                format!("The repository with name '{name}' does not exist in the registry with id '{id}'"),
            ));
        }
    }
    check_repository_name("repositoryName", name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    check_count("imageIds", input.image_ids.len(), 1, 100)?;
    let repo = repository_mut(st, kind, name)?;
    if kind == Kind::Premium && repo.state != RepositoryState::Draft {
        return Err(ApiError::new(
            e::DeletionNotAllowedException::CODE,
            format!(
                "The premium repository with name '{name}' is {}, no longer DRAFT: its images cannot be deleted; \
                 deprecate them with SetImageStatus",
                repo.state
            ),
        ));
    }
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
            (None, Some(digest)) => repo.image_by_digest(digest).map(|n| (n, None)),
            (None, None) => None,
        };
        let Some((n, tag)) = found else {
            out.failures.push(fail(ImageFailureCode::ImageNotFound, "Requested image not found"));
            continue;
        };
        let digest = repo.images[n].digest.clone();
        // Removing a tag leaves a still-tagged image in place; anything else removes the image.
        let removes_image = tag.is_none() || repo.images[n].tags.len() <= 1;
        if removes_image && repo.referenced_by_index(&digest) {
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

// ---------------------------------------------------------------------------------------------
// SetImageStatus
// ---------------------------------------------------------------------------------------------

pub(crate) fn set_image_status(
    st: &mut State,
    input: i::SetImageStatusInput,
) -> Result<o::SetImageStatusOutput, ApiError> {
    check_own_registry_id(st, input.registry_id.as_ref())?;
    let name = &input.repository_name;
    check_repository_name("repositoryName", name)?;
    let kind = kind("repositoryType", Some(&input.repository_type))?;
    check_image_id("imageId", &input.image_id)?;
    check_enum("status", &input.status, ImageStatus::VALUES)?;
    let deprecate = input.status == ImageStatus::Deprecated;
    match (deprecate, input.deprecation_period_days) {
        (true, None) => {
            return Err(invalid("Invalid parameter at 'deprecationPeriodDays': it is required to set DEPRECATED"))
        }
        (true, Some(days)) => check_range("deprecationPeriodDays", days.into(), 90, 365)?,
        (false, Some(_)) => {
            return Err(invalid("Invalid parameter at 'deprecationPeriodDays': it cannot be given to set ACTIVE"))
        }
        (false, None) => {}
    }
    if kind != Kind::Premium {
        return Err(invalid(
            "Invalid parameter at 'repositoryType': the status of an image can only be set in a PREMIUM repository",
        ));
    }
    let repo = repository(st, kind, name)?;
    if repo.state == RepositoryState::Draft {
        return Err(validation(format!(
            "The premium repository with name '{name}' is DRAFT: image status can be set once it leaves DRAFT"
        )));
    }
    let n = find_image(repo, &input.image_id).ok_or_else(|| {
        image_not_found(st, name, input.image_id.image_digest.as_deref(), input.image_id.image_tag.as_deref())
    })?;
    let image = &repo.images[n];
    let now = DateTime::now();
    if image.deletion_at.is_some_and(|at| at.secs() <= now.secs()) {
        return Err(validation(format!(
            "The image {} is past its scheduled deletion time: its status can no longer change",
            image.digest
        )));
    }
    let deletion_at = input.deprecation_period_days.map(|days| now_plus(i64::from(days) * DAY));
    if let Some(at) = deletion_at {
        // An index must go before the images it lists.
        for index in repo.indexes_referring_to(&image.digest) {
            if !index.deletion_at.is_some_and(|d| d.secs() < at.secs()) {
                return Err(validation(format!(
                    "The image {} is listed by the image index {}: deprecate the index first, to be deleted before \
                     this image",
                    image.digest, index.digest
                )));
            }
        }
    } else if let Some(child) =
        image.children.iter().find(|c| repo.image_by_digest(c).is_some_and(|m| repo.images[m].deletion_at.is_some()))
    {
        return Err(validation(format!(
            "The image index {} lists the deprecated image {child}: it cannot be made ACTIVE",
            image.digest
        )));
    }
    let digest = image.digest.clone();
    let repo = repository_mut(st, kind, name)?;
    repo.images[n].deletion_at = deletion_at;
    Ok(o::SetImageStatusOutput {
        repository_name: Some(input.repository_name),
        repository_type: Some(kind.repository_type()),
        image_id: Some(image_id(&digest, input.image_id.image_tag.as_deref())),
        status: Some(input.status),
        scheduled_deletion_at: deletion_at,
        request_id: None,
    })
}
