//! Stalled-stream protection: an attempt whose request or response body moves slower than a
//! floor for longer than a grace period fails, instead of hanging on a connection that has
//! stopped. The defaults are aws-smithy-runtime's: 1 byte/s, 5 s.

use std::time::Duration;

use tokio::time::Instant;

/// When a body counts as stalled. On by default for uploads and downloads of the built-in
/// transport: less than `min_throughput` bytes per second over a whole `grace_period` fails the
/// attempt with [`TransportErrorKind::UploadStalled`](crate::TransportErrorKind::UploadStalled) or
/// [`DownloadStalled`](crate::TransportErrorKind::DownloadStalled) (retried like other broken
/// connections). Time spent connecting, or waiting for the service to start its answer, is not
/// counted: the connect and read timeouts cover those.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StalledStreamProtection {
    enabled: bool,
    min_throughput: u64,
    grace_period: Duration,
}

impl Default for StalledStreamProtection {
    fn default() -> Self {
        StalledStreamProtection { enabled: true, min_throughput: 1, grace_period: Duration::from_secs(5) }
    }
}

impl StalledStreamProtection {
    /// Fail a body that moves less than `min_throughput` bytes per second for `grace_period`.
    pub fn new(min_throughput: u64, grace_period: Duration) -> Self {
        StalledStreamProtection { enabled: true, min_throughput: min_throughput.max(1), grace_period }
    }

    /// No stalled-stream protection.
    pub fn disabled() -> Self {
        StalledStreamProtection { enabled: false, ..Self::default() }
    }

    /// Whether stalled bodies are failed (on by default).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Bytes per second.
    pub fn min_throughput(&self) -> u64 {
        self.min_throughput
    }

    /// How long a body may stay below `min_throughput` before it fails (default 5 s).
    pub fn grace_period(&self) -> Duration {
        self.grace_period
    }

    pub(crate) fn monitor(&self, now: Instant) -> Option<Monitor> {
        self.enabled.then(|| {
            let needed = (self.min_throughput as f64 * self.grace_period.as_secs_f64()).ceil().max(1.0) as u64;
            Monitor { needed, grace: self.grace_period, window_start: now, window_bytes: 0 }
        })
    }
}

/// Watches one body: each window of `grace` must see `needed` bytes; a window that does ends
/// early and the next starts.
#[derive(Debug)]
pub(crate) struct Monitor {
    needed: u64,
    grace: Duration,
    window_start: Instant,
    window_bytes: u64,
}

impl Monitor {
    pub(crate) fn record(&mut self, bytes: u64, now: Instant) {
        self.window_bytes = self.window_bytes.saturating_add(bytes);
        if self.window_bytes >= self.needed {
            self.window_start = now;
            self.window_bytes = 0;
        }
    }

    /// When the current window ends.
    pub(crate) fn deadline(&self) -> Instant {
        self.window_start + self.grace
    }

    pub(crate) fn stalled(&self, now: Instant) -> bool {
        now >= self.deadline() && self.window_bytes < self.needed
    }

    pub(crate) fn describe(&self) -> String {
        format!("fewer than {} bytes in {:?}", self.needed, self.grace)
    }
}

/// Sleeps until `deadline`, or forever without one.
pub(crate) async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut m = StalledStreamProtection::default().monitor(t0).unwrap();
        assert_eq!(m.deadline(), t0 + s(5));
        // A byte every 4 s: 2 bytes in the first 5 s window, below 5: stalled.
        m.record(1, t0 + s(4));
        assert!(!m.stalled(t0 + s(4)));
        assert!(m.stalled(t0 + s(5)));
        // Enough bytes end the window early; the next one starts then.
        let mut m = StalledStreamProtection::default().monitor(t0).unwrap();
        m.record(5, t0 + s(3));
        assert_eq!(m.deadline(), t0 + s(8));
        assert!(!m.stalled(t0 + s(7)));
        assert!(m.stalled(t0 + s(8)));
        assert!(StalledStreamProtection::disabled().monitor(t0).is_none());
        let m = StalledStreamProtection::new(100, Duration::from_millis(500)).monitor(t0).unwrap();
        assert_eq!(m.describe(), "fewer than 50 bytes in 500ms");
    }
}
