//! `DescribeImageScanFindings`: images in premium repositories are scanned when pushed. The scan
//! progresses deterministically, by the calls made for the image, as
//! [`ScanOptions`](super::options::ScanOptions) sets: not found, then `PENDING`, then its final
//! status, with the configured findings (paged) and their counts by severity.

use std::collections::HashMap;

use super::errors::{image_not_found, validation, ApiError};
use super::images::{find_image, image_id};
use super::paging::{number_key, Listing};
use super::state::{Image, Kind, State};
use super::validate::{
    check_image_id, check_max_results, check_own_registry_id, check_repository_name, kind, repository, repository_mut,
};
use crate::types::{
    ContainerImageDetails, FindingSeverity, ImageScanFinding, ImageScanFindings, ImageScanStatus, Resource,
    ResourceDetails, ScanStatus,
};
use crate::{error as e, input as i, output as o, DateTime};

/// Where a scan is, at one call.
#[derive(Debug, PartialEq)]
pub(crate) enum Stage {
    NotFound,
    Pending,
    Final,
}

/// The stage of the `call`-th call (from 1) for an image.
pub(crate) fn stage(not_found: u32, pending: u32, call: u32) -> Stage {
    if call <= not_found {
        Stage::NotFound
    } else if call - not_found <= pending {
        Stage::Pending
    } else {
        Stage::Final
    }
}

fn description(status: &ScanStatus) -> &'static str {
    match status {
        ScanStatus::Pending => "The scan is in progress.",
        ScanStatus::Complete => "The scan was completed successfully.",
        ScanStatus::Active => "Continuous scanning is active; the findings are kept up to date.",
        ScanStatus::Failed => "The scan failed.",
        ScanStatus::UnsupportedImage => "The image's media type, operating system or package manager is not supported.",
        ScanStatus::ScanEligibilityExpired => {
            "The image is no longer eligible for scanning; its findings are not updated."
        }
        ScanStatus::FindingsUnavailable => "The findings are not available for the image.",
        _ => "",
    }
}

/// Statuses that come with the findings of the last completed scan.
fn has_findings(status: &ScanStatus) -> bool {
    matches!(status, ScanStatus::Complete | ScanStatus::Active | ScanStatus::ScanEligibilityExpired)
}

/// A configured finding, with the members left out filled in for `image`.
fn finding(st: &State, repo: &str, image: &Image, n: usize, f: &ImageScanFinding, at: DateTime) -> ImageScanFinding {
    let mut f = f.clone();
    f.aws_account_id.get_or_insert_with(|| st.account_id.clone());
    f.finding_id.get_or_insert_with(|| format!("finding-{}", n + 1));
    f.first_observed_at.get_or_insert(at);
    f.last_observed_at.get_or_insert(at);
    f.updated_at.get_or_insert(at);
    if f.resources.is_empty() {
        f.resources.push(Resource {
            details: Some(ResourceDetails {
                container_image: Some(ContainerImageDetails {
                    architecture: None,
                    author: None,
                    image_hash: Some(image.digest.clone()),
                    image_tags: image.tags.iter().map(|(t, _)| t.clone()).collect(),
                    platform: None,
                    pushed_at: Some(image.pushed_at),
                    registry: Some(st.account_id.clone()),
                    repository_name: Some(repo.to_owned()),
                }),
            }),
            r#type: Some("AWS_ECR_CONTAINER_IMAGE".to_owned()),
        });
    }
    f
}

/// The counts of `findings` by severity (`UNDEFINED` for a severity the model does not name).
pub(crate) fn severity_counts(findings: &[ImageScanFinding]) -> HashMap<String, i32> {
    let mut counts: HashMap<String, i32> = HashMap::new();
    for f in findings {
        let severity = f.severity.as_deref().unwrap_or("").to_ascii_uppercase();
        let key = if FindingSeverity::VALUES.contains(&severity.as_str()) { severity } else { "UNDEFINED".to_owned() };
        *counts.entry(key).or_default() += 1;
    }
    counts
}

pub(crate) fn describe_image_scan_findings(
    st: &mut State,
    input: i::DescribeImageScanFindingsInput,
) -> Result<o::DescribeImageScanFindingsOutput, ApiError> {
    check_own_registry_id(st, input.registry_id.as_ref())?;
    let name = &input.repository_name;
    check_repository_name("repositoryName", name)?;
    let kind = kind("repositoryType", input.repository_type.as_ref())?;
    check_image_id("imageId", &input.image_id)?;
    check_max_results(input.max_results, 100)?;
    if kind != Kind::Premium {
        return Err(validation(
            "Image scanning is only supported for premium repositories: give repositoryType PREMIUM",
        ));
    }
    let (not_found, pending, final_status) =
        (st.scan.not_found_calls, st.scan.pending_calls, st.scan.final_status.clone());
    let account = st.account_id.clone();
    let Some(n) = find_image(repository(st, kind, name)?, &input.image_id) else {
        let (digest, tag) = (input.image_id.image_digest.as_deref(), input.image_id.image_tag.as_deref());
        return Err(image_not_found(st, name, digest, tag));
    };
    let repo = repository_mut(st, kind, name)?;
    let image = &mut repo.images[n];
    image.scan_calls = image.scan_calls.saturating_add(1);
    let status = match stage(not_found, pending, image.scan_calls) {
        Stage::NotFound => {
            return Err(ApiError::new(
                e::ScanNotFoundException::CODE,
                format!("No scan was found for the image {} in the premium repository '{name}'", image.digest),
            ))
        }
        Stage::Pending => ScanStatus::Pending,
        Stage::Final => final_status,
    };
    if status != ScanStatus::Pending && image.scan_completed_at.is_none() {
        image.scan_completed_at = Some(DateTime::now());
    }
    let image = repo.images[n].clone();
    let id = image_id(&image.digest, input.image_id.image_tag.as_deref());
    let mut next_token = None;
    let image_scan_findings = match image.scan_completed_at {
        Some(at) if has_findings(&status) => {
            let all: Vec<ImageScanFinding> =
                st.scan.findings.iter().enumerate().map(|(k, f)| finding(st, name, &image, k, f, at)).collect();
            let counts = severity_counts(&all);
            let listing = Listing {
                operation: "DescribeImageScanFindings",
                scope: format!("{name}/{}", image.digest),
                token: input.next_token.as_ref(),
                max_results: input.max_results,
                limit: 100,
            };
            let keyed = all.into_iter().enumerate().map(|(k, f)| (number_key(k as u64), f)).collect();
            let (findings, next) = listing.page(st, keyed)?;
            next_token = next;
            Some(ImageScanFindings {
                image_scan_completed_at: Some(at),
                vulnerability_source_updated_at: Some(at),
                finding_severity_counts: counts,
                findings,
            })
        }
        _ => None,
    };
    Ok(o::DescribeImageScanFindingsOutput {
        registry_id: Some(account),
        repository_name: Some(input.repository_name),
        image_id: Some(id),
        image_scan_status: ImageScanStatus { description: Some(description(&status).to_owned()), status: Some(status) },
        image_scan_findings,
        next_token,
        request_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages() {
        let seen: Vec<Stage> = (1..=5).map(|c| stage(2, 1, c)).collect();
        assert_eq!(seen, [Stage::NotFound, Stage::NotFound, Stage::Pending, Stage::Final, Stage::Final]);
        assert_eq!(stage(0, 0, 1), Stage::Final);
    }

    #[test]
    fn counts_follow_the_findings() {
        let f = |s: &str| ImageScanFinding::default().with_severity(s);
        let counts = severity_counts(&[f("HIGH"), f("high"), f("CRITICAL"), f("weird"), ImageScanFinding::default()]);
        assert_eq!(counts.get("HIGH"), Some(&2));
        assert_eq!(counts.get("CRITICAL"), Some(&1));
        assert_eq!(counts.get("UNDEFINED"), Some(&2));
        assert_eq!(counts.values().sum::<i32>(), 5);
    }
}
