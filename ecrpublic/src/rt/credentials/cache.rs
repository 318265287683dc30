//! A credentials cache with single-flight refresh.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{self, ProvideCredentials};
use aws_credential_types::Credentials;
use tokio::sync::Mutex;

/// How long before `expiry()` credentials are refreshed, so that a request signed just before
/// expiry does not reach the service with expired credentials.
pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);

/// Wraps a provider and keeps its credentials until `DEFAULT_REFRESH_BUFFER` (5 minutes) before they expire
/// (forever if they have no expiry). When many requests need credentials at once, one refresh
/// runs and the others wait for it: the lock is held across the refresh. Errors are not cached;
/// the next caller tries again.
pub struct CachedCredentials<P> {
    provider: P,
    buffer: Duration,
    cached: Mutex<Option<Credentials>>,
}

impl<P: fmt::Debug> fmt::Debug for CachedCredentials<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the credentials themselves.
        f.debug_struct("CachedCredentials").field("provider", &self.provider).field("buffer", &self.buffer).finish()
    }
}

impl<P: ProvideCredentials> CachedCredentials<P> {
    pub fn new(provider: P) -> Self {
        Self::with_refresh_buffer(provider, DEFAULT_REFRESH_BUFFER)
    }

    /// Refresh `buffer` before expiry instead of `DEFAULT_REFRESH_BUFFER` (5 minutes).
    pub fn with_refresh_buffer(provider: P, buffer: Duration) -> Self {
        CachedCredentials { provider, buffer, cached: Mutex::new(None) }
    }

    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// Forget the cached credentials (after the service rejected them, say).
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    fn fresh(&self, creds: &Credentials) -> bool {
        match creds.expiry() {
            None => true,
            Some(expiry) => SystemTime::now() + self.buffer < expiry,
        }
    }

    async fn load(&self) -> provider::Result {
        let mut cached = self.cached.lock().await;
        if let Some(creds) = cached.as_ref().filter(|c| self.fresh(c)) {
            return Ok(creds.clone());
        }
        let creds = self.provider.provide_credentials().await?;
        *cached = Some(creds.clone());
        Ok(creds)
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

    #[tokio::test]
    async fn errors_are_not_cached() {
        let (mut provider, calls) = Counting::new(None);
        provider.fail = true;
        let cache = CachedCredentials::new(provider);
        assert!(cache.provide_credentials().await.is_err());
        assert!(cache.provide_credentials().await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
