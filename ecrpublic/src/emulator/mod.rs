//! An in-process Amazon ECR Public emulator, for tests and local development.
//!
//! It speaks the awsJson 1.1 protocol on `http://127.0.0.1:PORT` (`POST /`), keeps its state in
//! memory and implements every operation of the model ([`OPERATIONS`]) with the service's
//! documented validation, limits and errors; and it serves what was pushed as a registry that
//! container tools pull from (see [below](#the-pull-registry)):
//!
//! - free repositories, their catalog data (with `categories`, and the `badges` and
//!   `artifactTypes` their images earn), policies (which must be IAM policies, and may not lock
//!   the caller out without `force`) and tags; layer uploads (parts of at least 5 MiB but the
//!   last, at most 1 000 parts); images with OCI 1.1 `subject`s (`subjectManifestDigest`);
//! - premium repositories, in a registry that is verified and has an approved custom alias
//!   ([`EmulatorOptions::premium_registry`]): their catalog data, policies, Marketplace products
//!   and state (`DRAFT` → `AVAILABLE` ⇄ `HIDDEN`); classic operations reach them with
//!   `repositoryType: PREMIUM`; images deprecated with `SetImageStatus` carry their
//!   `scheduledDeletionAt`, and images can only be deleted while the repository is `DRAFT`;
//! - associations between a free and a premium repository;
//! - what cannot happen locally is seeded through [`EmulatorOptions`]: Marketplace
//!   [`entitlements`](EmulatorOptions::entitlements) for `DescribeEntitled*`, how
//!   [`scans`](EmulatorOptions::scan) of premium images progress and what they find (counted in
//!   calls, so tests are deterministic), and [`publisher_reports`](EmulatorOptions::publisher_reports).
//!
//! Listings page with opaque tokens that name the last item returned, so that deleting items
//! between pages neither skips nor repeats the others.
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
//! Requests must carry a well-formed SigV4 `Authorization` header, signed for a Region the service
//! is in (`us-east-1` or `us-west-2`, [`EmulatorOptions::regions`]); with
//! [`EmulatorOptions::credentials`] set, the signature is also verified against those keys, and
//! an `UNSIGNED-PAYLOAD` body is refused. Without credentials it verifies nothing, and warns so
//! when it starts.
//!
//! It listens on 127.0.0.1 only, refuses requests whose `Host` is not its own
//! ([`EmulatorOptions::allowed_hosts`]), and bounds what a client can make it hold: request size,
//! stored bytes, connections at once, and how long a request may take to arrive.
//!
//! Tests that upload tiny layers in several parts lower [`EmulatorOptions::min_part_size`] (the
//! service's 5 MiB is the default).
//!
//! # The pull registry
//!
//! Layers uploaded and images put through the API can be pulled over the [OCI Distribution
//! Spec](https://github.com/opencontainers/distribution-spec) on the same port, as from
//! `public.ecr.aws`, by skopeo, crane, oras, docker (as an insecure registry) or a test's own HTTP
//! client:
//!
//! ```text
//! skopeo copy --src-tls-verify=false docker://127.0.0.1:PORT/REPO:TAG oci:DIR
//! crane pull --insecure 127.0.0.1:PORT/REPO:TAG image.tar
//! ```
//!
//! - **Tokens.** Pulls are anonymous, as on `public.ecr.aws`, but take a bearer token: `GET /v2/`
//!   (or any `/v2/` request) without one answers 401 with `WWW-Authenticate: Bearer
//!   realm="http://HOST/token",service="HOST"` (`HOST` being the `Host` the request came to, so
//!   [allowed host](EmulatorOptions::allowed_hosts) names work), plus
//!   `scope="repository:NAME:pull"` for a repository's paths. `GET /token?scope=...` issues a
//!   token (`token`, `access_token`, `expires_in`: an hour) for the repositories its scopes name.
//!   Tokens grant `pull` only: a scope of `pull,push` grants pull, one of `push` alone nothing;
//!   and a token only opens the repositories its scopes wrote, exactly as the path writes them.
//!   Tokens are signed with a key of this emulator's, so one from another emulator is refused.
//!   No SigV4 is checked on the registry side.
//! - **Names.** `/v2/NAME/...` names a *free* repository, where `NAME` may hold `/`, or
//!   `/v2/ALIAS/NAME/...` with the registry's default (or approved custom) alias, as
//!   `public.ecr.aws/ALIAS/NAME` is written (the whole path is tried as a name first). Premium
//!   repositories are behind Marketplace entitlements and are not served.
//! - **What is served.** `GET`/`HEAD /v2/NAME/manifests/TAG-OR-DIGEST`: the exact bytes `PutImage`
//!   stored, with the media type it recorded (OCI manifest or index, Docker manifest or manifest
//!   list, whatever the `Accept`), `Docker-Content-Digest` and `ETag`; deprecated images are not
//!   served. `GET`/`HEAD /v2/NAME/blobs/DIGEST`: a layer (or config) that repository holds, with
//!   single byte ranges (206, or 416 past the end). `GET /v2/NAME/tags/list`, sorted, paged with
//!   `n` and `last` and a `Link` header. Writes (`PUT`, `POST`, `PATCH`, `DELETE`) answer 405
//!   `UNSUPPORTED`: pushing goes through the API. Errors are the spec's JSON
//!   (`NAME_UNKNOWN`, `MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`, `UNAUTHORIZED`...).
//!
//! Layers are therefore kept, once each however many repositories hold them, and count against
//! [`EmulatorOptions::max_stored_bytes`] with the manifests and the parts of open uploads.

mod catalog;
mod dispatch;
mod entitled;
mod errors;
mod images;
mod layers;
mod ops;
mod options;
mod paging;
mod policy;
mod premium;
mod registry;
mod reports;
mod scans;
mod server;
mod sigv4;
mod state;
mod validate;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use dispatch::OPERATIONS;
pub use options::{
    CustomAlias, EmulatorOptions, Entitlement, ScanOptions, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_REQUEST_BYTES,
    DEFAULT_MAX_STORED_BYTES, SERVED_REGIONS, SERVICE_MIN_PART_SIZE,
};

// Hex, SHA-256 and request ids as the client's runtime makes them.
pub(crate) use crate::rt::digest::{hex, sha256_hex};
pub(crate) use crate::rt::ids::uuid_v4;

/// Why options cannot start an emulator, if they cannot.
fn check_options(options: &EmulatorOptions) -> Result<(), String> {
    use crate::types::{RegistryAliasStatus, ScanStatus};
    if !validate::is_registry_id(&options.account_id) {
        return Err(format!("account id `{}` is not 12 digits", options.account_id));
    }
    if !validate::is_registry_alias(&options.registry_alias) {
        return Err(format!("registry alias `{}` is not a valid alias", options.registry_alias));
    }
    if let Some(custom) = &options.custom_alias {
        if !validate::is_registry_alias(&custom.name) || custom.name == options.registry_alias {
            return Err(format!("custom alias `{}` is not a valid alias other than the default one", custom.name));
        }
        if !RegistryAliasStatus::VALUES.contains(&custom.status.as_str()) {
            return Err(format!("custom alias status `{}` is not ACTIVE, PENDING or REJECTED", custom.status));
        }
    }
    if let Some(r) =
        options.regions.iter().find(|r| r.is_empty() || !r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err(format!("`{r}` is not a Region name"));
    }
    if options.max_request_bytes == 0 || options.max_connections == 0 {
        return Err("max_request_bytes and max_connections must be at least 1".to_owned());
    }
    if let Some(h) = options.allowed_hosts.iter().find(|h| server::host_name(h).is_none()) {
        return Err(format!("`{h}` is not a host name (give it without a port)"));
    }
    let status = &options.scan.final_status;
    if *status == ScanStatus::Pending || !ScanStatus::VALUES.contains(&status.as_str()) {
        return Err(format!("a scan cannot end in `{status}`"));
    }
    for e in &options.entitlements {
        let product_ok = e
            .product_id
            .as_deref()
            .iter()
            .all(|p| (1..=255).contains(&p.len()) && validate::full_match(validate::MARKETPLACE_PRODUCT_ID, p));
        if !validate::is_registry_alias(&e.registry_alias)
            || validate::check_repository_name("repositoryName", &e.repository_name).is_err()
            || !product_ok
        {
            return Err(format!("entitlement {e:?} does not name ALIAS/REPOSITORY[:PRODUCT] of valid names"));
        }
    }
    for (n, r) in options.publisher_reports.iter().enumerate() {
        let id_ok =
            (1..=64).contains(&r.report_id.len()) && validate::full_match(validate::PUBLISHER_REPORT_ID, &r.report_id);
        let dates_ok = [&r.period.start_date, &r.period.end_date]
            .iter()
            .all(|d| validate::full_match(validate::PUBLISHER_REPORT_DATE, d));
        if !id_ok || !dates_ok || r.size_in_bytes < 0 {
            return Err(format!("publisher report {r:?} needs an id of [a-z0-9]{{1,64}}, YYYY-MM-DD dates and a size"));
        }
        if options.publisher_reports[..n].iter().any(|o| o.report_id == r.report_id) {
            return Err(format!("publisher report id `{}` is given twice", r.report_id));
        }
    }
    Ok(())
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

    /// Starts an emulator with these options; options that name something invalid (an account id
    /// that is not 12 digits, an alias not of the service's form, a scan that ends `PENDING`...)
    /// are an `InvalidInput` error.
    pub async fn start_with(options: EmulatorOptions) -> Result<Emulator, std::io::Error> {
        check_options(&options).map_err(|m| std::io::Error::new(std::io::ErrorKind::InvalidInput, m))?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port.unwrap_or(0))).await?;
        let addr = listener.local_addr()?;
        if options.credentials.is_empty() {
            tracing::warn!(
                "the ECR Public emulator at http://{addr} verifies no signatures: any request is served, signed or \
                 not; give it credentials to check them"
            );
        }
        let shared = Arc::new(server::Shared::new(&options, addr.port()));
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

    /// Makes the next `times` calls of `operation` (e.g. `"UploadLayerPart"`) run in full, their
    /// changes to the state made, but answer nothing: the connection is closed instead of a
    /// response, as when a response is lost on the way back. For testing that callers resume or
    /// retry safely (a retried part that already landed gets `InvalidLayerPartException`, whose
    /// `lastValidByteReceived` says where to resume). `times` 0 clears it.
    pub fn lose_response_next(&self, operation: &str, times: usize) {
        let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        state.lose_next(operation, times);
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

/// The emulator's request handling without the socket, for the fuzz targets (`fuzz/`): one
/// registry's state, and requests run on it as the server runs them once a request has been
/// read and its signature checked. Not part of the documented API.
#[doc(hidden)]
pub struct Session(state::State);

impl Session {
    /// A registry as [`Emulator::start_with`] would start it.
    pub fn new(options: &EmulatorOptions) -> Session {
        Session(state::State::new(options))
    }

    /// Runs `operation` on `body`: the response body, or the error's HTTP status and body.
    pub fn handle(&mut self, operation: &str, body: &[u8]) -> Result<Vec<u8>, (u16, Vec<u8>)> {
        dispatch::dispatch(&mut self.0, operation, body).map_err(|e| (e.status, e.body))
    }
}
