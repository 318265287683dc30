//! An in-process Amazon ECR Public emulator, for tests and local development.
//!
//! It speaks the awsJson 1.1 protocol on `http://127.0.0.1:PORT`, keeps its state in memory and
//! implements all 23 operations of the model with the service's validation and errors.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use ecrpublic::emulator::Emulator;
//!
//! let emu = Emulator::start().await?;
//! let config = ecrpublic::Config::builder()
//!     .region("us-east-1")
//!     .endpoint_url(emu.url())
//!     .credentials(ecrpublic::Credentials::new("AKID", "SECRET", None, None, "test"))
//!     .build();
//! let client = ecrpublic::Client::new(&config);
//! client.create_repository("my-app").send().await?;
//! emu.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Requests must carry a well-formed SigV4 `Authorization` header; with
//! [`EmulatorOptions::credentials`] set, the signature is also verified against those keys.

mod ops;
mod server;
mod sigv4;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use ops::OPERATIONS;

// Hex, SHA-256 and request ids as the client's runtime makes them.
pub(crate) use crate::rt::digest::{hex, sha256_hex};
pub(crate) use crate::rt::ids::uuid_v4;

/// How to start an [`Emulator`]: set what you need and take the rest from `Default`, e.g.
/// `EmulatorOptions { port: Some(5000), ..Default::default() }`, or chain the `with_*` setters.
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    /// Port to listen on (on 127.0.0.1); `None` picks a free one.
    pub port: Option<u16>,
    /// Access key id / secret access key pairs whose signatures are verified. Empty (the
    /// default): any well-formed signature, or none at all, is accepted.
    pub credentials: Vec<(String, String)>,
    /// The registry's account id (12 digits). Default `123456789012`.
    pub account_id: String,
    /// The registry's alias, used in repository URIs. Default `emulator`.
    pub registry_alias: String,
    /// The Region the API is served in: requests signed for another one fail with
    /// `UnsupportedCommandException`, as the service is only in `us-east-1`. `None` accepts any.
    pub region: Option<String>,
    /// Smallest size of a layer part other than the last one, checked by
    /// `CompleteLayerUpload` (`LayerPartTooSmallException`). The service requires 5 MiB; the
    /// default, 0, lets tests upload tiny parts.
    pub min_part_size: u64,
    /// How many repositories the registry may hold before `CreateRepository` fails with
    /// `LimitExceededException`. Default 10 000, the service's default quota.
    pub max_repositories: usize,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            port: None,
            credentials: Vec::new(),
            account_id: "123456789012".to_owned(),
            registry_alias: "emulator".to_owned(),
            region: Some("us-east-1".to_owned()),
            min_part_size: 0,
            max_repositories: 10_000,
        }
    }
}

impl EmulatorOptions {
    /// Sets [`port`](Self::port).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Adds a key pair to [`credentials`](Self::credentials).
    pub fn with_credentials(mut self, access_key_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials.push((access_key_id.into(), secret.into()));
        self
    }

    /// Sets [`account_id`](Self::account_id).
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = account_id.into();
        self
    }

    /// Sets [`registry_alias`](Self::registry_alias).
    pub fn with_registry_alias(mut self, alias: impl Into<String>) -> Self {
        self.registry_alias = alias.into();
        self
    }

    /// Sets [`region`](Self::region).
    pub fn with_region(mut self, region: Option<String>) -> Self {
        self.region = region;
        self
    }

    /// Sets [`min_part_size`](Self::min_part_size).
    pub fn with_min_part_size(mut self, bytes: u64) -> Self {
        self.min_part_size = bytes;
        self
    }

    /// Sets [`max_repositories`](Self::max_repositories).
    pub fn with_max_repositories(mut self, n: usize) -> Self {
        self.max_repositories = n;
        self
    }
}

/// A running emulator. Stopped by [`shutdown`](Self::shutdown) or when dropped.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").field("addr", &self.addr).finish()
    }
}

impl Emulator {
    /// Starts an emulator with the default options on a free port of 127.0.0.1.
    pub async fn start() -> Result<Emulator, std::io::Error> {
        Self::start_with(EmulatorOptions::default()).await
    }

    /// Starts an emulator with these options.
    pub async fn start_with(options: EmulatorOptions) -> Result<Emulator, std::io::Error> {
        let invalid = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, m);
        if !ops::is_registry_id(&options.account_id) {
            return Err(invalid(format!("account id `{}` is not 12 digits", options.account_id)));
        }
        if !ops::is_registry_alias(&options.registry_alias) {
            return Err(invalid(format!("registry alias `{}` is not a valid alias", options.registry_alias)));
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port.unwrap_or(0))).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(server::Shared {
            state: Mutex::new(state::State::new(&options)),
            credentials: options.credentials.clone(),
            region: options.region.clone(),
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, shared.clone(), stopped));
        Ok(Emulator { addr, shared, stop, task: Some(task) })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Makes the next `times` calls of `operation` (e.g. `"PutImage"`) fail with the error
    /// `code` (e.g. `"ServerException"`, answered with HTTP 500; other codes with 400), to test
    /// how callers handle failures.
    pub fn fail_next(&self, operation: &str, code: &str, times: usize) {
        let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        state.inject(operation, code, times);
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for that.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // The server task stops accepting and winds down its connections on its own.
        let _ = self.stop.send(true);
    }
}

/// 16 random bytes, from the standard library's randomly keyed hasher, a counter and the clock.
pub(crate) fn random_bytes() -> [u8; 16] {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};

    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut out = [0u8; 16];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u128(nanos);
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}
