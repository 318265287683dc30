//! Layer uploads (`InitiateLayerUpload`, `UploadLayerPart`, `CompleteLayerUpload`) and
//! `BatchCheckLayerAvailability`, into free or (with `repositoryType: PREMIUM`) premium
//! repositories. Parts are hashed as they arrive and kept: a completed layer is a blob the
//! registry side (`registry.rs`) serves, counted against `max_stored_bytes`.

use bytes::Bytes;

use super::errors::{constraint, invalid, limit_exceeded, ApiError};
use super::state::{Kind, State, Upload};
use super::validate::{
    check_count, check_digest, check_len, check_registry_id_or_alias, check_repository_name, check_upload_id,
    is_digest, kind, repository, repository_mut,
};
use super::{hex, uuid_v4};
use crate::types::{Layer, LayerAvailability, LayerFailure, LayerFailureCode};
use crate::{error as e, input as i, output as o};

/// The part size `InitiateLayerUpload` suggests.
const PART_SIZE: i64 = 10 * 1024 * 1024;
/// The largest layer part the service takes.
const MAX_PART: usize = 20_971_520;
/// The most parts an upload may have.
pub(crate) const MAX_PARTS: usize = 1_000;

fn upload_not_found(st: &State, name: &str, id: &str) -> ApiError {
    ApiError::new(
        e::UploadNotFoundException::CODE,
        format!(
            "Upload with id '{id}' is not found for the repository with name '{name}' in the registry with id '{}'",
            st.account_id
        ),
    )
}

/// The upload `id` into `kind`/`name`, if it is one.
fn upload<'a>(st: &'a State, kind: Kind, name: &str, id: &str) -> Result<&'a Upload, ApiError> {
    match st.uploads.get(id) {
        Some(u) if u.kind == kind && u.repository == name => Ok(u),
        _ => Err(upload_not_found(st, name, id)),
    }
}

pub(crate) fn initiate_layer_upload(
    st: &mut State,
    input: i::InitiateLayerUploadInput,
) -> Result<o::InitiateLayerUploadOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    check_repository_name("repositoryName", &input.repository_name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    repository(st, kind, &input.repository_name)?;
    let id = uuid_v4();
    st.open_upload(id.clone(), Upload::new(kind, &input.repository_name));
    Ok(o::InitiateLayerUploadOutput { upload_id: Some(id), part_size: Some(PART_SIZE), request_id: None })
}

pub(crate) fn upload_layer_part(
    st: &mut State,
    input: i::UploadLayerPartInput,
) -> Result<o::UploadLayerPartOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    let name = &input.repository_name;
    check_repository_name("repositoryName", name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    check_upload_id(&input.upload_id)?;
    for (member, v) in [("partFirstByte", input.part_first_byte), ("partLastByte", input.part_last_byte)] {
        if v < 0 {
            return Err(constraint(member, v, "Member must have value greater than or equal to 0"));
        }
    }
    let blob = input.layer_part_blob.as_bytes();
    if blob.len() > MAX_PART {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'layerPartBlob' failed to satisfy constraint: Member must have \
             length less than or equal to {MAX_PART} (it has {} bytes)",
            blob.len()
        )));
    }
    repository(st, kind, name)?;
    let account = st.account_id.clone();
    let current = upload(st, kind, name, &input.upload_id)?;
    if current.parts.len() >= MAX_PARTS {
        return Err(limit_exceeded(format!(
            "The upload with id '{}' already has {MAX_PARTS} parts, the most an upload may have",
            input.upload_id
        )));
    }
    let received = current.received as i64;
    let len = blob.len() as i64;
    let problem = if input.part_first_byte != received {
        Some(format!("The part starts at byte {} but the next byte expected is {received}", input.part_first_byte))
    } else if len == 0 {
        Some("The part is empty".to_owned())
    } else if input.part_last_byte != input.part_first_byte.saturating_add(len - 1) {
        Some(format!(
            "partLastByte {} does not match the part: {len} bytes from {} end at byte {}",
            input.part_last_byte,
            input.part_first_byte,
            input.part_first_byte.saturating_add(len - 1)
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
            extended_request_id: None,
        };
        return Err(ApiError::modeled(e::InvalidLayerPartException::CODE, &error));
    }
    st.reserve_stored(blob.len() as u64).map_err(limit_exceeded)?;
    let upload = st.uploads.get_mut(&input.upload_id).ok_or_else(|| invalid("unreachable"))?;
    upload.hasher.update(blob);
    upload.data.extend_from_slice(blob);
    upload.received += blob.len() as u64;
    upload.parts.push(blob.len() as u64);
    let last = upload.received as i64 - 1;
    Ok(o::UploadLayerPartOutput {
        registry_id: Some(account),
        repository_name: Some(input.repository_name),
        upload_id: Some(input.upload_id),
        last_byte_received: Some(last),
        repository_type: Some(kind.repository_type()),
        request_id: None,
    })
}

pub(crate) fn complete_layer_upload(
    st: &mut State,
    input: i::CompleteLayerUploadInput,
) -> Result<o::CompleteLayerUploadOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    let name = &input.repository_name;
    check_repository_name("repositoryName", name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    check_upload_id(&input.upload_id)?;
    check_count("layerDigests", input.layer_digests.len(), 1, 100)?;
    for d in &input.layer_digests {
        check_digest("layerDigests", d)?;
    }
    repository(st, kind, name)?;
    let upload = upload(st, kind, name, &input.upload_id)?;
    let Some((_, but_last)) = upload.parts.split_last() else {
        return Err(ApiError::new(
            e::EmptyUploadException::CODE,
            format!("The upload with id '{}' contains no layer parts", input.upload_id),
        ));
    };
    let min = st.min_part_size;
    if let Some((n, size)) = but_last.iter().enumerate().find(|(_, &s)| s < min) {
        return Err(ApiError::new(
            e::LayerPartTooSmallException::CODE,
            format!("Layer part {} is {size} bytes; every part but the last must be at least {min} bytes", n + 1),
        ));
    }
    let digest = format!("sha256:{}", hex(upload.hasher.clone().finish().as_ref()));
    let size = upload.received as i64;
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
    let data = st.close_upload(&input.upload_id).map(|u| u.data).unwrap_or_default();
    let account = st.account_id.clone();
    let repo = repository_mut(st, kind, name)?;
    if repo.layers.contains_key(&digest) {
        return Err(ApiError::new(
            e::LayerAlreadyExistsException::CODE,
            format!("The layer {digest} already exists in the {} with name '{name}'", kind.noun()),
        ));
    }
    repo.layers.insert(digest.clone(), size);
    // Held once: a layer another repository already has keeps its first copy.
    st.blobs.entry(digest.clone()).or_insert_with(|| Bytes::from(data));
    Ok(o::CompleteLayerUploadOutput {
        registry_id: Some(account),
        repository_name: Some(input.repository_name),
        upload_id: Some(input.upload_id),
        layer_digest: Some(digest),
        repository_type: Some(kind.repository_type()),
        request_id: None,
    })
}

pub(crate) fn batch_check_layer_availability(
    st: &mut State,
    input: i::BatchCheckLayerAvailabilityInput,
) -> Result<o::BatchCheckLayerAvailabilityOutput, ApiError> {
    check_registry_id_or_alias(st, input.registry_id.as_ref())?;
    check_repository_name("repositoryName", &input.repository_name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    check_count("layerDigests", input.layer_digests.len(), 1, 100)?;
    for d in &input.layer_digests {
        check_len("layerDigests", d, 0, 1000)?;
    }
    let repo = repository(st, kind, &input.repository_name)?;
    let mut out = o::BatchCheckLayerAvailabilityOutput::default();
    for d in input.layer_digests {
        let failure = |code, reason: &str| LayerFailure {
            layer_digest: Some(d.clone()),
            failure_code: Some(code),
            failure_reason: Some(reason.to_owned()),
        };
        if !is_digest(&d) {
            out.failures.push(failure(LayerFailureCode::InvalidLayerDigest, "Invalid layer digest"));
        } else if let Some(&size) = repo.layers.get(&d.to_ascii_lowercase()) {
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
