//! Catalog data: the checks and storage of a repository's (free or premium) and the registry's
//! gallery data. `badges` and `artifactTypes` are not inputs: they are worked out from the
//! repository's images when the data is read.

use super::errors::{invalid, ApiError};
use super::sha256_hex;
use super::state::{RegistryCatalog, Repository};
use super::validate::{check_count, check_enum, check_len};
use crate::types::{
    RepositoryArtifactType, RepositoryBadge, RepositoryCatalogData, RepositoryCatalogDataInput, RepositoryCategory,
};
use crate::Blob;

const MAX_LOGO: usize = 512_000;

const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";
const IMAGE_CONFIGS: [&str; 2] =
    ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"];
const SIGNATURE_TYPES: [&str; 3] = [
    "application/vnd.cncf.notary.signature",
    "application/vnd.dev.cosign.artifact.sig.v1+json",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
];

fn check_logo(member: &str, logo: &Blob) -> Result<(), ApiError> {
    if logo.len() > MAX_LOGO {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length \
             less than or equal to {MAX_LOGO} (it has {} bytes)",
            logo.len()
        )));
    }
    Ok(())
}

/// Checks catalog data input against the model's constraints.
pub(crate) fn check_input(c: &RepositoryCatalogDataInput) -> Result<(), ApiError> {
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
        check_logo("catalogData.logoImageBlob", logo)?;
    }
    if let Some(t) = &c.about_text {
        check_len("catalogData.aboutText", t, 0, 25600)?;
    }
    if let Some(t) = &c.usage_text {
        check_len("catalogData.usageText", t, 0, 25600)?;
    }
    if let Some(categories) = &c.categories {
        check_count("catalogData.categories", categories.len(), 0, 3)?;
        for (n, category) in categories.iter().enumerate() {
            check_enum("catalogData.categories", category, RepositoryCategory::VALUES)?;
            if categories[..n].contains(category) {
                return Err(invalid(format!(
                    "Invalid parameter at 'catalogData.categories': the category {category} is given more than once"
                )));
            }
        }
    }
    Ok(())
}

/// Where the emulator says a logo is (no such host exists).
pub(crate) fn logo_url(owner: &str, logo: &[u8]) -> String {
    format!("https://logos.emulator.ecr-public.invalid/{owner}/{}.png", &sha256_hex(logo)[..16])
}

/// Stores the members given, keeping the others; an empty logo removes the logo.
pub(crate) fn apply(
    owner: &str,
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
        data.logo_url = (!logo.is_empty()).then(|| logo_url(owner, logo.as_bytes()));
    }
    if let Some(v) = c.about_text {
        data.about_text = Some(v);
    }
    if let Some(v) = c.usage_text {
        data.usage_text = Some(v);
    }
    if let Some(v) = c.categories {
        data.categories = v;
    }
    data
}

/// The repository's catalog data as the service returns it, with the badges and artifact types
/// its images earn: `SIGNED` for a signature referrer, `SBOM` for an SBOM one; `HELM` for a Helm
/// chart, `IMAGE` for a container image.
pub(crate) fn output(repo: &Repository) -> Option<RepositoryCatalogData> {
    let mut data = repo.catalog.clone()?;
    let kind_of = |i: &super::state::Image| i.artifact_type.clone().or_else(|| i.artifact_media_type.clone());
    let types: Vec<String> = repo.images.iter().filter_map(kind_of).collect();
    let mut badges = Vec::new();
    let signed = types.iter().any(|t| SIGNATURE_TYPES.contains(&t.as_str()))
        || repo.images.iter().any(|i| i.tags.iter().any(|(t, _)| t.ends_with(".sig")));
    if signed {
        badges.push(RepositoryBadge::Signed);
    }
    let sbom = |t: &str| ["spdx", "cyclonedx", "sbom"].iter().any(|k| t.to_ascii_lowercase().contains(k));
    if types.iter().any(|t| sbom(t)) || repo.images.iter().any(|i| i.tags.iter().any(|(t, _)| t.ends_with(".sbom"))) {
        badges.push(RepositoryBadge::Sbom);
    }
    let mut artifact_types = Vec::new();
    let images = repo.images.iter().any(|i| {
        !i.children.is_empty() || i.artifact_media_type.as_deref().is_some_and(|t| IMAGE_CONFIGS.contains(&t))
    });
    if images {
        artifact_types.push(RepositoryArtifactType::Image);
    }
    if types.iter().any(|t| t == HELM_CONFIG) {
        artifact_types.push(RepositoryArtifactType::Helm);
    }
    data.badges = badges;
    data.artifact_types = artifact_types;
    Some(data)
}

/// Checks and stores `PutRegistryCatalogData`'s members, keeping those not given.
pub(crate) fn apply_registry(
    alias: &str,
    catalog: &mut RegistryCatalog,
    display_name: Option<String>,
    description: Option<String>,
    logo: Option<Blob>,
) -> Result<(), ApiError> {
    if let Some(name) = &display_name {
        check_len("displayName", name, 0, 100)?;
    }
    if let Some(d) = &description {
        check_len("description", d, 0, 1024)?;
    }
    if let Some(logo) = &logo {
        check_logo("logoImageBlob", logo)?;
    }
    if display_name.is_some() {
        catalog.display_name = display_name;
    }
    if description.is_some() {
        catalog.description = description;
    }
    if let Some(logo) = logo {
        catalog.logo_url = (!logo.is_empty()).then(|| logo_url(alias, logo.as_bytes()));
    }
    Ok(())
}
