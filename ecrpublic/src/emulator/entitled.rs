//! What the caller bought through Marketplace: `DescribeEntitledRepositories`,
//! `DescribeEntitledImages` and `DescribeEntitledImageTags`. A purchase cannot happen locally,
//! so the entitlements are the ones [`EmulatorOptions::entitlements`](super::EmulatorOptions)
//! seeded; each is active once its premium repository exists in this registry, lists the product
//! and has left `DRAFT`.

use super::errors::ApiError;
use super::images::{images_by_id, keyed_images, keyed_tags, referenced_detail, status};
use super::options::Entitlement;
use super::paging::Listing;
use super::state::{Image, Kind, Repository, State};
use super::validate::{check_len, check_pattern, check_repository_name, REGISTRY_ALIAS};
use crate::types::{EntitledImageDetail, EntitledImageTagDetail, EntitledRepository, RepositoryState};
use crate::{error as e, input as i, output as o};

/// The repository an entitlement gives access to, and the product it is through, if it is active.
fn resolve<'a>(st: &'a State, entitlement: &Entitlement) -> Option<(&'a Repository, String)> {
    if !st.is_own_alias(&entitlement.registry_alias) {
        return None;
    }
    let repo = st.repositories(Kind::Premium).get(&entitlement.repository_name)?;
    if repo.state == RepositoryState::Draft {
        return None;
    }
    let product = match &entitlement.product_id {
        Some(p) => repo.products.iter().find(|x| *x == p)?,
        None => repo.products.first()?,
    };
    Some((repo, product.clone()))
}

fn entitled_arn(alias: &str, name: &str) -> String {
    format!("arn:aws:ecr-public:::entitled-repository/{alias}/{name}")
}

pub(crate) fn describe_entitled_repositories(
    st: &mut State,
    input: i::DescribeEntitledRepositoriesInput,
) -> Result<o::DescribeEntitledRepositoriesOutput, ApiError> {
    let listing = Listing {
        operation: "DescribeEntitledRepositories",
        scope: String::new(),
        token: input.next_token.as_ref(),
        max_results: input.max_results,
        limit: 1000,
    };
    let display_name = st.registry_catalog.display_name.clone().unwrap_or_default();
    let mut entries: Vec<(String, EntitledRepository)> = Vec::new();
    for entitlement in &st.entitlements {
        let Some((repo, product)) = resolve(st, entitlement) else { continue };
        let alias = &entitlement.registry_alias;
        let key = format!("{alias}/{}|{product}", repo.name);
        if entries.iter().any(|(k, _)| *k == key) {
            continue;
        }
        entries.push((
            key,
            EntitledRepository {
                registry_alias: Some(alias.clone()),
                repository_name: Some(repo.name.clone()),
                repository_arn: Some(entitled_arn(alias, &repo.name)),
                repository_uri: Some(st.repository_uri(Kind::Premium, &repo.name)),
                state: Some(repo.state.clone()),
                entitled_via_product_id: Some(product),
                registry_display_name: Some(display_name.clone()),
            },
        ));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let (repositories, next_token) = listing.page(st, entries)?;
    Ok(o::DescribeEntitledRepositoriesOutput { repositories, next_token, request_id: None })
}

/// The repository `alias/name` if the caller is entitled to it, else
/// `EntitlementNotFoundException`.
fn entitled_repository<'a>(st: &'a State, alias: &str, name: &str) -> Result<&'a Repository, ApiError> {
    check_repository_name("repositoryName", name)?;
    check_len("registryAlias", alias, 2, 50)?;
    check_pattern("registryAlias", alias, REGISTRY_ALIAS)?;
    st.entitlements
        .iter()
        .filter(|e| e.repository_name == name && st.is_own_alias(alias))
        .find_map(|e| resolve(st, e))
        .map(|(repo, _)| repo)
        .ok_or_else(|| {
            ApiError::new(
                e::EntitlementNotFoundException::CODE,
                format!(
                    "You have no active entitlement to the premium repository '{alias}/{name}', or it does not \
                     exist or is not available yet"
                ),
            )
        })
}

fn entitled_image(repo: &Repository, image: &Image) -> EntitledImageDetail {
    EntitledImageDetail {
        repository_name: Some(repo.name.clone()),
        image_digest: Some(image.digest.clone()),
        image_tags: image.tags.iter().map(|(t, _)| t.clone()).collect(),
        image_size_in_bytes: Some(image.size),
        image_pushed_at: Some(image.pushed_at),
        image_manifest_media_type: Some(image.media_type.clone()),
        artifact_media_type: image.artifact_media_type.clone(),
        image_status: Some(status(image)),
        scheduled_deletion_at: image.deletion_at,
    }
}

pub(crate) fn describe_entitled_images(
    st: &mut State,
    input: i::DescribeEntitledImagesInput,
) -> Result<o::DescribeEntitledImagesOutput, ApiError> {
    let repo = entitled_repository(st, &input.registry_alias, &input.repository_name)?;
    let (image_details, next_token) = match &input.image_ids {
        Some(ids) => {
            let found = images_by_id(st, repo, ids, input.next_token.is_some() || input.max_results.is_some())?;
            (found.iter().map(|&n| entitled_image(repo, &repo.images[n])).collect(), None)
        }
        None => {
            let listing = Listing {
                operation: "DescribeEntitledImages",
                scope: format!("{}/{}", input.registry_alias, input.repository_name),
                token: input.next_token.as_ref(),
                max_results: input.max_results,
                limit: 1000,
            };
            let (images, next) = listing.page(st, keyed_images(repo))?;
            (images.into_iter().map(|image| entitled_image(repo, image)).collect(), next)
        }
    };
    Ok(o::DescribeEntitledImagesOutput {
        repository_name: Some(input.repository_name),
        registry_alias: Some(input.registry_alias),
        image_details,
        next_token,
        request_id: None,
    })
}

pub(crate) fn describe_entitled_image_tags(
    st: &mut State,
    input: i::DescribeEntitledImageTagsInput,
) -> Result<o::DescribeEntitledImageTagsOutput, ApiError> {
    let repo = entitled_repository(st, &input.registry_alias, &input.repository_name)?;
    let listing = Listing {
        operation: "DescribeEntitledImageTags",
        scope: format!("{}/{}", input.registry_alias, input.repository_name),
        token: input.next_token.as_ref(),
        max_results: input.max_results,
        limit: 1000,
    };
    let (tags, next_token) = listing.page(st, keyed_tags(repo))?;
    let image_tag_details = tags
        .into_iter()
        .map(|(tag, at, image)| EntitledImageTagDetail {
            image_tag: Some(tag),
            created_at: Some(at),
            image_detail: Some(referenced_detail(image)),
        })
        .collect();
    Ok(o::DescribeEntitledImageTagsOutput {
        repository_name: Some(input.repository_name),
        registry_alias: Some(input.registry_alias),
        image_tag_details,
        next_token,
        request_id: None,
    })
}
