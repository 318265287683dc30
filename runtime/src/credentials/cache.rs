//! A credentials cache with single-flight refresh.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;
use tokio::sync::Mutex;

/// How long before `expiry()` credentials are refreshed, so that a request signed just before
/// expiry does not reach the service with expired credentials, and so that a failed refresh
/// leaves time to try again while the old credentials still work.
pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);

/// The longest one load of the provider may take (as aws-config's cache allows).
pub const DEFAULT_LOAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Wraps a provider and keeps its credentials until `DEFAULT_REFRESH_BUFFER` (5 minutes) before
/// they expire (forever if they have no expiry).
///
/// - One refresh at a time: when many requests need credentials at once, one load runs. While
///   it runs, callers are served the cached credentials if they have not expired yet; only
///   callers without valid credentials wait, and they then share its result, error included
///   (so a failing provider is asked once, not once per waiting caller).
/// - Each load is bounded by a timeout (`DEFAULT_LOAD_TIMEOUT`, 5 s), and so is every wait.
/// - A refresh that fails (or times out) while the cached credentials have not expired yet keeps
///   serving them, with a warning in the log; the next call tries again.
/// - Expired credentials are never returned: without valid ones, the error is returned, and it is
///   not cached either (the next call after it loads again).
pub struct CachedCredentials<P> {
    provider: P,
    buffer: Duration,
    load_timeout: Duration,
    /// Never held across an `.await`.
    state: std::sync::Mutex<State>,
    /// Held by the one caller that is loading.
    refresh: Mutex<()>,
}

#[derive(Default)]
struct State {
    creds: Option<Credentials>,
    /// Counts finished loads, so a caller that waited for one knows it finished.
    loads: u64,
    /// The error of the last load, if it failed: for the callers that waited for it.
    last_error: Option<Arc<CredentialsError>>,
}

impl<P: fmt::Debug> fmt::Debug for CachedCredentials<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the credentials themselves.
        f.debug_struct("CachedCredentials")
            .field("provider", &self.provider)
            .field("buffer", &self.buffer)
            .field("load_timeout", &self.load_timeout)
            .finish()
    }
}

/// One load's error, handed to every caller that waited for it.
#[derive(Debug)]
struct SharedError(Arc<CredentialsError>);

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::error_detail(&self.0))
    }
}

impl std::error::Error for SharedError {}

/// A copy of a shared error, of the same kind.
fn copy(e: &Arc<CredentialsError>) -> CredentialsError {
    let shared = || SharedError(e.clone());
    match &**e {
        CredentialsError::ProviderTimedOut(t) => CredentialsError::provider_timed_out(t.timeout_duration()),
        CredentialsError::CredentialsNotLoaded(_) => CredentialsError::not_loaded(shared()),
        CredentialsError::InvalidConfiguration(_) => CredentialsError::invalid_configuration(shared()),
        CredentialsError::ProviderError(_) => CredentialsError::provider_error(shared()),
        _ => CredentialsError::unhandled(shared()),
    }
}

fn unexpired(creds: &Credentials, now: SystemTime) -> bool {
    match creds.expiry() {
        None => true,
        Some(expiry) => now < expiry,
    }
}

impl<P: ProvideCredentials> CachedCredentials<P> {
    /// Caches `provider`'s credentials with the defaults: refreshed 5 minutes before they
    /// expire, each load bounded by 5 s. Nothing is loaded until the first call.
    pub fn new(provider: P) -> Self {
        Self::with_refresh_buffer(provider, DEFAULT_REFRESH_BUFFER)
    }

    /// Refresh `buffer` before expiry instead of `DEFAULT_REFRESH_BUFFER` (5 minutes).
    pub fn with_refresh_buffer(provider: P, buffer: Duration) -> Self {
        CachedCredentials {
            provider,
            buffer,
            load_timeout: DEFAULT_LOAD_TIMEOUT,
            state: std::sync::Mutex::default(),
            refresh: Mutex::new(()),
        }
    }

    /// Bound each load by `timeout` instead of `DEFAULT_LOAD_TIMEOUT` (5 s).
    pub fn with_load_timeout(mut self, timeout: Duration) -> Self {
        self.load_timeout = timeout;
        self
    }

    /// The wrapped provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// Forget the cached credentials (after the service rejected them, say).
    pub async fn invalidate(&self) {
        self.state().creds = None;
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding it cannot leave the state half-written: take it as it is.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fresh(&self, creds: &Credentials, now: SystemTime) -> bool {
        match creds.expiry() {
            None => true,
            Some(expiry) => now + self.buffer < expiry,
        }
    }

    /// The cached credentials if fresh; else the number of loads so far and the cached
    /// credentials if they have not expired yet.
    fn cached(&self) -> Result<Credentials, (u64, Option<Credentials>)> {
        let state = self.state();
        let now = SystemTime::now();
        match &state.creds {
            Some(c) if self.fresh(c, now) => Ok(c.clone()),
            other => Err((state.loads, other.as_ref().filter(|c| unexpired(c, now)).cloned())),
        }
    }

    async fn load(&self) -> provider::Result {
        let (loads, usable) = match self.cached() {
            Ok(creds) => return Ok(creds),
            Err(found) => found,
        };
        let _refreshing = match usable {
            // Still valid: refresh if no one else is, else use them meanwhile.
            Some(old) => match self.refresh.try_lock() {
                Ok(guard) => match self.cached() {
                    Ok(creds) => return Ok(creds),
                    Err(_) => guard,
                },
                Err(_) => return Ok(old),
            },
            // Nothing usable: wait for the load under way (bounded by its timeout), then take
            // its result. If there was none, or its caller gave up, load now.
            None => {
                let guard = self.refresh.lock().await;
                let state = self.state();
                if state.loads != loads {
                    if let Some(c) = state.creds.as_ref().filter(|c| unexpired(c, SystemTime::now())) {
                        return Ok(c.clone());
                    }
                    if let Some(e) = &state.last_error {
                        return Err(copy(e));
                    }
                }
                drop(state);
                guard
            }
        };
        let loaded = match tokio::time::timeout(self.load_timeout, self.provider.provide_credentials()).await {
            Ok(Ok(creds)) if !unexpired(&creds, SystemTime::now()) => {
                Err(CredentialsError::provider_error("the provider returned credentials that have already expired"))
            }
            Ok(result) => result,
            Err(_) => Err(CredentialsError::provider_timed_out(self.load_timeout)),
        };
        let mut state = self.state();
        state.loads += 1;
        match loaded {
            Ok(creds) => {
                state.creds = Some(creds.clone());
                state.last_error = None;
                Ok(creds)
            }
            Err(e) => {
                let e = Arc::new(e);
                state.last_error = Some(e.clone());
                match state.creds.as_ref().filter(|c| unexpired(c, SystemTime::now())) {
                    Some(old) => {
                        tracing::warn!(
                            target: "awsjson_runtime::credentials",
                            error = %super::error_detail(&e),
                            "refreshing credentials failed; using the cached ones until they expire"
                        );
                        Ok(old.clone())
                    }
                    None => {
                        state.creds = None;
                        Err(copy(&e))
                    }
                }
            }
        }
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CachedCredentials<P> {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(self.load())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use aws_credential_types::provider::error::CredentialsError;

    use super::*;

    /// Counts its calls; each call takes a little while, so concurrent callers overlap it.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        expires_in: Option<Duration>,
        fail: bool,
    }

    impl Counting {
        fn new(expires_in: Option<Duration>) -> (Self, Arc<AtomicUsize>) {
            let calls = Arc::new(AtomicUsize::new(0));
            (Counting { calls: calls.clone(), expires_in, fail: false }, calls)
        }
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            provider::future::ProvideCredentials::new(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
                if self.fail {
                    return Err(CredentialsError::provider_error("nope"));
                }
                let expiry = self.expires_in.map(|d| SystemTime::now() + d);
                Ok(Credentials::new(format!("KEY{n}"), "S", None, expiry, "counting"))
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_refresh() {
        let (provider, calls) = Counting::new(Some(Duration::from_secs(3600)));
        let cache = Arc::new(CachedCredentials::new(provider));
        let barrier = Arc::new(tokio::sync::Barrier::new(20));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cache, barrier) = (cache.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    cache.provide_credentials().await.unwrap().access_key_id().to_owned()
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), "KEY1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn static_credentials_are_kept() {
        let (provider, calls) = Counting::new(None);
        let cache = CachedCredentials::new(provider);
        for _ in 0..3 {
            assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "KEY1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache.invalidate().await;
        assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "KEY2");
    }

    #[tokio::test]
    async fn refreshes_inside_the_expiry_window() {
        // Expiring in 10 minutes: outside the 5-minute window, kept.
        let (provider, calls) = Counting::new(Some(Duration::from_secs(600)));
        let cache = CachedCredentials::new(provider);
        cache.provide_credentials().await.unwrap();
        assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "KEY1");
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Expiring in 4 minutes: already inside the window, so each call refreshes.
        let (provider, calls) = Counting::new(Some(Duration::from_secs(240)));
        let cache = CachedCredentials::new(provider);
        assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "KEY1");
        assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "KEY2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        // The same credentials with a 15-minute buffer: inside the window too.
        let (provider, calls) = Counting::new(Some(Duration::from_secs(600)));
        let cache = CachedCredentials::with_refresh_buffer(provider, Duration::from_secs(900));
        cache.provide_credentials().await.unwrap();
        assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "KEY2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn under_load_exactly_one_fetch() {
        let (provider, calls) = Counting::new(Some(Duration::from_secs(3600)));
        let cache = Arc::new(CachedCredentials::new(provider));
        let tasks: Vec<_> = (0..500)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.provide_credentials().await.unwrap().access_key_id().to_owned() })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), "KEY1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    /// Succeeds once with credentials expiring in `first_expiry`, then fails or hangs.
    #[derive(Debug)]
    struct ThenBroken {
        calls: Arc<AtomicUsize>,
        first_expiry: Duration,
        hang: bool,
    }

    impl ProvideCredentials for ThenBroken {
        fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            provider::future::ProvideCredentials::new(async move {
                if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    let expiry = SystemTime::now() + self.first_expiry;
                    return Ok(Credentials::new("OLD", "S", None, Some(expiry), "then-broken"));
                }
                if self.hang {
                    std::future::pending::<()>().await;
                }
                Err(CredentialsError::provider_error("STS is down"))
            })
        }
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_valid_credentials() {
        // Valid for 2 more minutes: inside the refresh window, so every call tries to refresh.
        let calls = Arc::new(AtomicUsize::new(0));
        let cache = CachedCredentials::new(ThenBroken {
            calls: calls.clone(),
            first_expiry: Duration::from_secs(120),
            hang: false,
        });
        for _ in 0..3 {
            assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "OLD");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3, "each call tried to refresh");
    }

    #[tokio::test(start_paused = true)]
    async fn a_load_that_hangs_times_out() {
        let calls = Arc::new(AtomicUsize::new(0));
        let cache = CachedCredentials::new(ThenBroken {
            calls: calls.clone(),
            first_expiry: Duration::from_secs(120),
            hang: true,
        });
        assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "OLD");
        // The refresh hangs: after the load timeout the old (still valid) credentials are used.
        assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "OLD");

        // Nothing cached: the timeout is the error.
        let calls = Arc::new(AtomicUsize::new(1));
        let cache = CachedCredentials::new(ThenBroken { calls, first_expiry: Duration::ZERO, hang: true })
            .with_load_timeout(Duration::from_secs(2));
        let err = cache.provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::ProviderTimedOut(_)), "{err:?}");
    }

    #[tokio::test]
    async fn expired_credentials_are_never_used() {
        // The provider hands out credentials that have already expired: an error, not a signature
        // the service would reject.
        let calls = Arc::new(AtomicUsize::new(0));
        let p = ThenBroken { calls: calls.clone(), first_expiry: Duration::ZERO, hang: false };
        let cache = CachedCredentials::new(p);
        let err = cache.provide_credentials().await.unwrap_err();
        assert!(super::super::error_detail(&err).contains("already expired"), "{err:?}");
        // Cached credentials that expired are not served when the refresh fails either.
        let err = cache.provide_credentials().await.unwrap_err();
        assert!(super::super::error_detail(&err).contains("STS is down"), "{err:?}");
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let (mut provider, calls) = Counting::new(None);
        provider.fail = true;
        let cache = CachedCredentials::new(provider);
        assert!(cache.provide_credentials().await.is_err());
        assert!(cache.provide_credentials().await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    /// Succeeds once (credentials valid for `first_expiry`), then each load takes `delay` and
    /// fails, or hangs when `delay` is None.
    #[derive(Debug)]
    struct SlowThenFailing {
        calls: Arc<AtomicUsize>,
        first_expiry: Duration,
        delay: Option<Duration>,
    }

    impl ProvideCredentials for SlowThenFailing {
        fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            provider::future::ProvideCredentials::new(async move {
                if self.calls.fetch_add(1, Ordering::SeqCst) == 0 && !self.first_expiry.is_zero() {
                    let expiry = SystemTime::now() + self.first_expiry;
                    return Ok(Credentials::new("OLD", "S", None, Some(expiry), "slow"));
                }
                match self.delay {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending::<()>().await,
                }
                Err(CredentialsError::provider_error("STS is down"))
            })
        }
    }

    /// 64 concurrent calls; what each returned (the key or the error) and how long the slowest took.
    async fn sixty_four<P: ProvideCredentials + 'static>(cache: Arc<CachedCredentials<P>>) -> (Vec<String>, Duration) {
        let start = tokio::time::Instant::now();
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move {
                    match cache.provide_credentials().await {
                        Ok(c) => c.access_key_id().to_owned(),
                        Err(e) => format!("error: {}", super::super::error_detail(&e)),
                    }
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        (results, start.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn under_load_a_failing_refresh_runs_once_and_valid_credentials_keep_serving() {
        let calls = Arc::new(AtomicUsize::new(0));
        // Valid 2 more minutes: inside the refresh window. Each refresh takes 1 s, then fails.
        let provider = SlowThenFailing {
            calls: calls.clone(),
            first_expiry: Duration::from_secs(120),
            delay: Some(Duration::from_secs(1)),
        };
        let cache = Arc::new(CachedCredentials::new(provider));
        assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "OLD");
        let (results, took) = sixty_four(cache.clone()).await;
        assert!(results.iter().all(|r| r == "OLD"), "{results:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 2, "exactly one refresh for 64 callers");
        assert!(took <= Duration::from_secs(1), "callers queued behind the refresh: {took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn under_load_a_hanging_refresh_holds_no_one_past_the_load_timeout() {
        // Nothing cached and the provider hangs: every caller gets the timeout, after one load
        // timeout, not one after another.
        let calls = Arc::new(AtomicUsize::new(0));
        let provider = SlowThenFailing { calls: calls.clone(), first_expiry: Duration::ZERO, delay: None };
        let cache = Arc::new(CachedCredentials::new(provider).with_load_timeout(Duration::from_secs(2)));
        let (results, took) = sixty_four(cache.clone()).await;
        assert!(results.iter().all(|r| r.contains("error")), "{results:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one load for 64 callers");
        assert!(took <= Duration::from_secs(3), "{took:?}");

        // Valid credentials cached and the refresh hangs: callers are served at once.
        let calls = Arc::new(AtomicUsize::new(0));
        let provider = SlowThenFailing { calls: calls.clone(), first_expiry: Duration::from_secs(120), delay: None };
        let cache = Arc::new(CachedCredentials::new(provider).with_load_timeout(Duration::from_secs(2)));
        cache.provide_credentials().await.unwrap();
        let (results, took) = sixty_four(cache.clone()).await;
        assert!(results.iter().all(|r| r == "OLD"), "{results:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(took <= Duration::from_secs(2), "{took:?}");
    }
}
