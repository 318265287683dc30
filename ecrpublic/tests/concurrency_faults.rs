//! 1,000 calls from 64 tasks through one client while the emulator injects throttling and
//! server errors: every call ends, credentials are fetched once, the retry quota is never
//! overdrawn, and memory stays bounded. Alone in its binary, because it counts every allocation
//! and listens to every `tracing` event of the process.
#![cfg(feature = "emulator")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ecrpublic::emulator::Emulator;

/// The system allocator, keeping the bytes live now and the most live at once.
struct Counted;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `layout` is passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counted = Counted;

/// Every `retry_quota` the client logs (the tokens left after a retry was paid, or when one
/// could not be), from any thread.
#[derive(Clone, Default)]
struct QuotaLog {
    paid: Arc<Mutex<Vec<u64>>>,
    refused: Arc<Mutex<Vec<u64>>>,
    next_span: Arc<AtomicUsize>,
}

impl tracing::Subscriber for QuotaLog {
    fn enabled(&self, meta: &tracing::Metadata<'_>) -> bool {
        meta.target().starts_with("awsjson_runtime")
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed) as u64 + 1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        struct Quota(Option<u64>, bool);
        impl tracing::field::Visit for Quota {
            fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
                if field.name() == "retry_quota" {
                    self.0 = Some(value);
                }
            }
            fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
                // A negative count would arrive here; keep it so the test fails loudly.
                if field.name() == "retry_quota" {
                    self.0 = Some(value as u64);
                    self.1 = value < 0;
                }
            }
            fn record_str(&mut self, _: &tracing::field::Field, _: &str) {}
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" && format!("{value:?}").contains("exhausted") {
                    self.1 = true;
                }
            }
        }
        let mut q = Quota(None, false);
        event.record(&mut q);
        if let Some(left) = q.0 {
            let log = if q.1 { &self.refused } else { &self.paid };
            log.lock().unwrap().push(left);
        }
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// Counts its loads: credentials must be fetched once for every call of the run.
#[derive(Debug, Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl aws_credential_types::provider::ProvideCredentials for Counting {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.0.fetch_add(1, Ordering::SeqCst);
        aws_credential_types::provider::future::ProvideCredentials::ready(Ok(ecrpublic::Credentials::new(
            "AKID", "SECRET", None, None, "counting",
        )))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_from_64_tasks_with_faults_injected_all_end_within_bounds() {
    use ecrpublic::SdkError;
    const TASKS: usize = 64;
    const CALLS: usize = 1000;
    let quota = QuotaLog::default();
    tracing::subscriber::set_global_default(quota.clone()).expect("the only subscriber of this binary");
    let emu = Emulator::start().await.expect("start");
    let loads = Counting::default();
    let client = ecrpublic::Client::new(
        &ecrpublic::Config::builder()
            .region("us-east-1")
            .endpoint_url(emu.url())
            .credentials_provider(loads.clone())
            .max_attempts(3)
            .operation_timeout(std::time::Duration::from_secs(20))
            .build(),
    );
    client.create_repository("shared").send().await.expect("create");
    // Throttling and server errors in bursts, refilled while the calls run: each is retried
    // with backoff until it succeeds, or ends typed once attempts or the retry quota run out.
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    emu.fail_next("DescribeRepositories", "ThrottlingException", 150);
    emu.fail_next("DescribeRepositories", "ServerException", 150);
    let (ok, service, other) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let (client, ok, service, other) = (client.clone(), ok.clone(), service.clone(), other.clone());
            tokio::spawn(async move {
                for _ in (t..CALLS).step_by(TASKS) {
                    match client.describe_repositories().send().await {
                        Ok(out) => {
                            assert_eq!(out.repositories.len(), 1);
                            ok.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(SdkError::Service(e)) => {
                            let text = e.to_string();
                            assert!(text.contains("injected"), "an injected fault, typed: {text}");
                            service.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => {
                            // Anything else (the retry quota running dry under the storm is
                            // one) is still an `SdkError` value; it is counted and shown below.
                            eprintln!("call ended in: {e}");
                            other.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            })
        })
        .collect();
    // No task may hang: every call ends within the operation timeout, so the run within a bound.
    let all = async {
        for task in tasks {
            task.await.expect("no task panicked");
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(300), all).await.expect("every task ended");
    let (ok, service, other) =
        (ok.load(Ordering::SeqCst), service.load(Ordering::SeqCst), other.load(Ordering::SeqCst));
    eprintln!("{ok} succeeded, {service} ended in an injected error, {other} otherwise");
    assert_eq!(ok + service + other, CALLS, "every call ended in a success or a typed error");
    assert!(ok >= CALLS - 300, "most calls succeed, retried past the faults: {ok} of {CALLS}");
    assert_eq!(loads.0.load(Ordering::SeqCst), 1, "credentials are fetched once for all calls");

    // The retry quota (500 tokens; 5 a retry) paid for retries and was never overdrawn: what is
    // left after each payment is within the bucket, and a retry is refused only when less than
    // its cost is left.
    let (paid, refused) = (quota.paid.lock().unwrap().clone(), quota.refused.lock().unwrap().clone());
    eprintln!("{} retries paid for, {} refused for want of quota", paid.len(), refused.len());
    assert!(paid.len() >= 50, "the storm was retried: {} retries", paid.len());
    assert!(paid.iter().all(|&left| left <= 500 - 5), "{paid:?}");
    assert!(refused.iter().all(|&left| left < 10), "refused with enough left: {refused:?}");

    // Memory: 64 calls in flight at a time, each holding a request and a response of a few KiB,
    // plus connections and retry state. A leak of 10 KiB per call would show as 10 MB; a body
    // read without bound or a growing queue far more.
    let peak = PEAK.load(Ordering::SeqCst).saturating_sub(before);
    let after = LIVE.load(Ordering::SeqCst).saturating_sub(before);
    eprintln!("peak {} KiB above the start, {} KiB still live at the end", peak / 1024, after / 1024);
    assert!(peak < 24 << 20, "peak {} KiB above the start", peak / 1024);
    drop(client);
    drop(emu);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let left = LIVE.load(Ordering::SeqCst).saturating_sub(before);
    eprintln!("{} KiB still live once the client and emulator are gone", left / 1024);
    assert!(left < 1 << 20, "{} KiB still live once the client and emulator are gone", left / 1024);
}
