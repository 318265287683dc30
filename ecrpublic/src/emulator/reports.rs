//! Publisher reports: `ListPublisherReports` and `GetDownloadUrlForPublisherReport` serve the
//! reports [`EmulatorOptions::publisher_reports`](super::EmulatorOptions) seeded, those created
//! in the last 365 days, newest first.

use super::errors::ApiError;
use super::ops::now_plus;
use super::paging::Listing;
use super::state::State;
use super::validate::{check_enum, check_len, check_pattern, PUBLISHER_REPORT_ID};
use crate::types::{PublisherReport, PublisherReportGranularity, PublisherReportType};
use crate::{error as e, input as i, output as o, DateTime};

const YEAR: i64 = 365 * 24 * 3600;
/// How long a download URL is good for.
const URL_LIFETIME: i64 = 3600;

/// The reports that can be listed now, newest first, keyed so.
fn listable(st: &State) -> Vec<(String, &PublisherReport)> {
    let oldest = DateTime::now().secs().saturating_sub(YEAR);
    let mut reports: Vec<(String, &PublisherReport)> = st
        .reports
        .iter()
        .filter(|r| r.created_at.secs() >= oldest)
        .map(|r| (format!("{:020}/{}", i64::MAX.saturating_sub(r.created_at.secs().max(0)), r.report_id), r))
        .collect();
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    reports
}

pub(crate) fn list_publisher_reports(
    st: &mut State,
    input: i::ListPublisherReportsInput,
) -> Result<o::ListPublisherReportsOutput, ApiError> {
    if let Some(t) = &input.report_type {
        check_enum("reportType", t, PublisherReportType::VALUES)?;
    }
    if let Some(g) = &input.granularity {
        check_enum("granularity", g, PublisherReportGranularity::VALUES)?;
    }
    let listing = Listing {
        operation: "ListPublisherReports",
        // A token is only good with the filters it was made with.
        scope: format!(
            "{}/{}",
            input.report_type.as_ref().map_or("", |t| t.as_str()),
            input.granularity.as_ref().map_or("", |g| g.as_str())
        ),
        token: input.next_token.as_ref(),
        max_results: input.max_results,
        limit: 1000,
    };
    let matching: Vec<(String, PublisherReport)> = listable(st)
        .into_iter()
        .filter(|(_, r)| input.report_type.iter().all(|t| *t == r.report_type))
        .filter(|(_, r)| input.granularity.iter().all(|g| *g == r.granularity))
        .map(|(k, r)| (k, r.clone()))
        .collect();
    let (reports, next_token) = listing.page(st, matching)?;
    Ok(o::ListPublisherReportsOutput { reports, next_token, request_id: None })
}

pub(crate) fn get_download_url_for_publisher_report(
    st: &mut State,
    input: i::GetDownloadUrlForPublisherReportInput,
) -> Result<o::GetDownloadUrlForPublisherReportOutput, ApiError> {
    let id = &input.report_id;
    check_len("reportId", id, 1, 64)?;
    check_pattern("reportId", id, PUBLISHER_REPORT_ID)?;
    if !listable(st).iter().any(|(_, r)| r.report_id == *id) {
        return Err(ApiError::new(
            e::PublisherReportNotFoundException::CODE,
            format!("The publisher report '{id}' does not exist for the registry with id '{}'", st.account_id),
        ));
    }
    let expires = now_plus(URL_LIFETIME).secs();
    Ok(o::GetDownloadUrlForPublisherReportOutput {
        download_url: format!(
            "https://publisher-reports.emulator.ecr-public.invalid/{}/{id}.csv.gz?expires={expires}",
            st.account_id
        ),
        report_id: input.report_id,
        request_id: None,
    })
}
