//! The `ImageScanComplete` waiter over typed stubs, in paused time (sleeps advance the clock
//! at once), and against the emulator's premium-registry scans.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecrpublic::error::{DescribeImageScanFindingsError, RepositoryNotFoundException, ScanNotFoundException};
use ecrpublic::operation::DescribeImageScanFindings;
use ecrpublic::output::DescribeImageScanFindingsOutput;
use ecrpublic::stub::Stubs;
use ecrpublic::types::{ImageIdentifier, ImageScanStatus, ScanStatus};
use ecrpublic::waiters::{WaiterConfigError, WaiterError};
use ecrpublic::{Client, SdkError, Unhandled};
use tokio::time::Instant;

const S: Duration = Duration::from_secs(1);

fn scan(status: &str) -> Result<DescribeImageScanFindingsOutput, DescribeImageScanFindingsError> {
    Ok(DescribeImageScanFindingsOutput::new(ImageScanStatus::default().with_status(status)))
}

fn not_found() -> Result<DescribeImageScanFindingsOutput, DescribeImageScanFindingsError> {
    Err(DescribeImageScanFindingsError::ScanNotFoundException(ScanNotFoundException::default()))
}

/// Answers call `n` with `script(n)` (the last answer repeats) and records when each call came.
fn scripted(
    script: impl Fn(usize) -> Result<DescribeImageScanFindingsOutput, DescribeImageScanFindingsError>
        + Send
        + Sync
        + 'static,
) -> (Client, Stubs, Arc<Mutex<Vec<Instant>>>) {
    let stubs = Stubs::new();
    let times = Arc::new(Mutex::new(Vec::new()));
    let (calls, log) = (AtomicUsize::new(0), times.clone());
    stubs.respond_with::<DescribeImageScanFindings>(move |_| {
        log.lock().unwrap().push(Instant::now());
        script(calls.fetch_add(1, Ordering::SeqCst))
    });
    (Client::new(&stubs.config()), stubs, times)
}

fn image() -> ImageIdentifier {
    ImageIdentifier::default().with_image_tag("v1")
}

/// The gaps between calls.
fn gaps(times: &Mutex<Vec<Instant>>) -> Vec<Duration> {
    times.lock().unwrap().windows(2).map(|w| w[1] - w[0]).collect()
}

/// Gap `n` (after call `n + 1`) is within `[min, min(max, min * 2^n)]`.
fn assert_within_bounds(gaps: &[Duration], min: Duration, max: Duration) {
    for (n, gap) in gaps.iter().enumerate() {
        let ceiling = min.saturating_mul(1 << n.min(20)).min(max);
        assert!(*gap >= min && *gap <= ceiling, "delay {n} is {gap:?}, not in [{min:?}, {ceiling:?}]: {gaps:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn succeeds_after_scan_not_found_then_pending_then_complete() {
    let (client, stubs, times) = scripted(|n| match n {
        0 => not_found(),
        1 => scan("PENDING"),
        _ => scan("COMPLETE"),
    });
    let waited = client
        .wait_until_image_scan_complete("app", image())
        .registry_id("123456789012")
        .max_wait(600 * S)
        .send()
        .await
        .expect("the scan completes");
    assert_eq!(waited.attempts(), 3);
    assert_eq!(waited.output().unwrap().image_scan_status.status, Some(ScanStatus::Complete));
    // Every call sends the same input, optional members included.
    let inputs = stubs.inputs::<DescribeImageScanFindings>();
    assert_eq!(inputs.len(), 3);
    assert!(inputs.iter().all(|i| i.repository_name == "app" && i.registry_id.as_deref() == Some("123456789012")));
    // The model's minDelay is 10 s, its maxDelay the default 120 s.
    let gaps = gaps(&times);
    assert_eq!(gaps.len(), 2);
    assert_within_bounds(&gaps, 10 * S, 120 * S);
}

#[tokio::test(start_paused = true)]
async fn active_is_success_too() {
    let (client, _, _) = scripted(|_| scan("ACTIVE"));
    let waited = client.wait_until_image_scan_complete("app", image()).max_wait(60 * S).send().await.unwrap();
    assert_eq!(waited.attempts(), 1);
    assert_eq!(waited.into_output().unwrap().image_scan_status.status, Some(ScanStatus::Active));
}

#[tokio::test(start_paused = true)]
async fn each_failure_state_fails_with_the_last_output() {
    for status in ["FAILED", "UNSUPPORTED_IMAGE", "SCAN_ELIGIBILITY_EXPIRED", "FINDINGS_UNAVAILABLE"] {
        let (client, _, _) = scripted(move |n| if n == 0 { scan("PENDING") } else { scan(status) });
        let err = client.wait_until_image_scan_complete("app", image()).max_wait(600 * S).send().await.unwrap_err();
        match &err {
            WaiterError::FailureState { response: Ok(out), attempts } => {
                assert_eq!(out.image_scan_status.status.as_ref().map(ScanStatus::as_str), Some(status));
                assert_eq!(*attempts, 2, "{status}");
            }
            other => panic!("{status}: expected FailureState, got {other:?}"),
        }
        assert_eq!(err.last_output().unwrap().image_scan_status.status.as_ref().unwrap().as_str(), status);
        assert_eq!(err.to_string(), "the waiter reached a failure state after 2 calls");
    }
}

#[tokio::test(start_paused = true)]
async fn errors_no_acceptor_matches_end_the_wait() {
    // One the model lists for the operation, and one it does not.
    let listed = |_| {
        Err(DescribeImageScanFindingsError::RepositoryNotFoundException(
            RepositoryNotFoundException::default().with_message("gone"),
        ))
    };
    let unlisted = |_| {
        Err(DescribeImageScanFindingsError::Unhandled(Unhandled::new(
            "SomethingNewException",
            Some("new".into()),
            None,
            400,
        )))
    };
    for (name, client) in [("listed", scripted(listed).0), ("unlisted", scripted(unlisted).0)] {
        let err = client.wait_until_image_scan_complete("app", image()).max_wait(600 * S).send().await.unwrap_err();
        match &err {
            WaiterError::UnexpectedError { error: SdkError::Service(e), attempts: 1 } => {
                assert!(matches!(e.code(), "RepositoryNotFoundException" | "SomethingNewException"), "{name}")
            }
            other => panic!("{name}: expected UnexpectedError, got {other:?}"),
        }
        let source = std::error::Error::source(&err).expect("the error is the source");
        assert!(source.to_string().contains("Exception"), "{name}: {source}");
        assert!(err.to_string().starts_with("the waiter stopped on an error no acceptor matches after 1 call: "));
    }
}

#[tokio::test(start_paused = true)]
async fn times_out_exactly_at_max_wait_with_the_last_response() {
    let (client, _, times) = scripted(|_| scan("PENDING"));
    let start = Instant::now();
    let err = client.wait_until_image_scan_complete("app", image()).max_wait(300 * S).send().await.unwrap_err();
    let WaiterError::TimedOut { last: Ok(last), attempts, elapsed } = &err else {
        panic!("expected TimedOut with an output, got {err:?}")
    };
    assert_eq!(last.image_scan_status.status, Some(ScanStatus::Pending));
    // The last call lands on max_wait, never after it.
    assert_eq!(*elapsed, 300 * S);
    assert_eq!(start.elapsed(), 300 * S);
    let times = times.lock().unwrap().clone();
    assert_eq!(times.len() as u32, *attempts);
    assert_eq!(*times.last().unwrap() - start, 300 * S);
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    // All but the last delay follow the rule; the last takes what was left (less than 2 x 10 s).
    let (last_gap, rule) = gaps.split_last().unwrap();
    assert_within_bounds(rule, 10 * S, 120 * S);
    assert!(*last_gap >= 10 * S && *last_gap < 120 * S + 10 * S, "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn retries_on_scan_not_found_until_timed_out_with_the_error() {
    let (client, _, _) = scripted(|_| not_found());
    let err = client.wait_until_image_scan_complete("app", image()).max_wait(25 * S).send().await.unwrap_err();
    match &err {
        WaiterError::TimedOut { last: Err(SdkError::Service(e)), elapsed, .. } => {
            assert_eq!(e.code(), "ScanNotFoundException");
            assert_eq!(*elapsed, 25 * S);
        }
        other => panic!("expected TimedOut with ScanNotFoundException, got {other:?}"),
    }
    assert!(err.last_error().is_some());
}

#[tokio::test(start_paused = true)]
async fn caller_delays_replace_the_model_ones() {
    let (client, _, times) = scripted(|n| if n < 6 { scan("PENDING") } else { scan("COMPLETE") });
    let waited = client
        .wait_until_image_scan_complete("app", image())
        .min_delay(S)
        .max_delay(3 * S)
        .max_wait(3600 * S)
        .send()
        .await
        .unwrap();
    assert_eq!(waited.attempts(), 7);
    let gaps = gaps(&times);
    assert_within_bounds(&gaps, S, 3 * S);
}

#[tokio::test(start_paused = true)]
async fn bad_setups_fail_before_any_call() {
    let (client, stubs, _) = scripted(|_| scan("COMPLETE"));
    let w = client.wait_until_image_scan_complete("app", image());
    let cases = [
        (w.clone(), WaiterConfigError::MaxWaitMissing),
        (w.clone().max_wait(Duration::ZERO), WaiterConfigError::MaxWaitZero),
        (w.clone().max_wait(S).min_delay(Duration::ZERO), WaiterConfigError::MinDelayZero),
        (
            w.clone().max_wait(S).max_delay(5 * S),
            WaiterConfigError::MaxDelayBelowMinDelay { min_delay: 10 * S, max_delay: 5 * S },
        ),
    ];
    for (waiter, want) in cases {
        match waiter.send().await {
            Err(WaiterError::Config(got)) => assert_eq!(got, want),
            other => panic!("expected {want:?}, got {other:?}"),
        }
    }
    assert_eq!(stubs.calls(), 0);
    let err = w.send().await.unwrap_err();
    assert_eq!(err.to_string(), "the waiter is not set up right: no max_wait was set");
    assert!(std::error::Error::source(&err).is_some());
}

#[cfg(feature = "emulator")]
#[path = "common/emulator.rs"]
mod common;

#[cfg(feature = "emulator")]
mod emulator {
    use super::*;
    use crate::common;
    use ecrpublic::emulator::{Emulator, EmulatorOptions, ScanOptions};
    use ecrpublic::types::RepositoryType;

    /// A premium repository `app` with an image `v1` in an emulator whose scans end in `status`
    /// after one `ScanNotFoundException` and two `PENDING` answers.
    async fn scanned(status: ScanStatus) -> (Emulator, Client) {
        let scan = ScanOptions { not_found_calls: 1, pending_calls: 2, final_status: status, ..ScanOptions::default() };
        let options = EmulatorOptions::premium_registry().with_min_part_size(1).with_scan(scan);
        let emu = Emulator::start_with(options).await.expect("start");
        let c = common::client(&emu);
        common::create_premium(&c, "app").await;
        common::push_image(&c, &RepositoryType::Premium, "app", "v1").await;
        (emu, c)
    }

    /// Waits for the scan of `app:v1`, in real time (the emulator is a real server): short
    /// delays keep the tests quick.
    async fn wait_premium(
        c: &Client,
    ) -> Result<
        ecrpublic::waiters::Waited<DescribeImageScanFindingsOutput, DescribeImageScanFindingsError>,
        WaiterError<DescribeImageScanFindingsOutput, DescribeImageScanFindingsError>,
    > {
        c.wait_until_image_scan_complete("app", image())
            .repository_type(RepositoryType::Premium)
            .min_delay(Duration::from_millis(5))
            .max_delay(Duration::from_millis(20))
            .max_wait(30 * S)
            .send()
            .await
    }

    #[tokio::test]
    async fn waits_through_not_found_and_pending_to_complete() {
        let (_emu, c) = scanned(ScanStatus::Complete).await;
        let waited = wait_premium(&c).await.expect("the scan completes");
        assert_eq!(waited.attempts(), 4, "not found, pending, pending, complete");
        assert_eq!(waited.output().unwrap().image_scan_status.status, Some(ScanStatus::Complete));
    }

    #[tokio::test]
    async fn a_failed_scan_is_a_failure_state() {
        let (_emu, c) = scanned(ScanStatus::Failed).await;
        let err = wait_premium(&c).await.unwrap_err();
        match err {
            WaiterError::FailureState { response: Ok(out), attempts: 4 } => {
                assert_eq!(out.image_scan_status.status, Some(ScanStatus::Failed))
            }
            other => panic!("expected FailureState after 4 calls, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_free_repository_has_no_scan_to_wait_for() {
        let (_emu, c) = scanned(ScanStatus::Complete).await;
        c.create_repository("free").send().await.expect("free repository");
        let err = c.wait_until_image_scan_complete("free", image()).max_wait(30 * S).send().await.unwrap_err();
        assert!(matches!(err, WaiterError::UnexpectedError { attempts: 1, .. }), "{err:?}");
    }
}
