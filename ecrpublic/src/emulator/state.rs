//! The emulator's in-memory registry: repositories of both types, their images and layers, the
//! uploads in progress, and what the options seeded (aliases, entitlements, scans, reports).

use std::collections::{BTreeMap, HashMap, VecDeque};

use bytes::Bytes;

use super::options::{Entitlement, ScanOptions};
use super::EmulatorOptions;
use crate::types::{PublisherReport, RegistryAliasStatus, RepositoryCatalogData, RepositoryState, RepositoryType};
use crate::DateTime;

/// The most uploads kept open at once; starting one more drops the oldest (uploads expire in the
/// service too), so that abandoned uploads cannot grow the state without bound.
pub(crate) const MAX_OPEN_UPLOADS: usize = 1_000;

/// A repository's type: free repositories and premium ones are separate namespaces (a premium
/// repository may have the name of a free one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Free,
    Premium,
}

impl Kind {
    pub fn repository_type(self) -> RepositoryType {
        match self {
            Kind::Free => RepositoryType::Free,
            Kind::Premium => RepositoryType::Premium,
        }
    }

    /// How messages name a repository of this type.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Free => "repository",
            Kind::Premium => "premium repository",
        }
    }

    pub fn other(self) -> Kind {
        match self {
            Kind::Free => Kind::Premium,
            Kind::Premium => Kind::Free,
        }
    }
}

/// Everything the emulator knows, behind one lock.
#[derive(Debug)]
pub(crate) struct State {
    pub account_id: String,
    /// The alias the registry was made with (`defaultRegistryAlias`).
    pub default_alias: String,
    pub custom_alias: Option<(String, RegistryAliasStatus)>,
    pub verified: bool,
    pub min_part_size: u64,
    pub max_repositories: usize,
    pub max_images: usize,
    max_stored_bytes: u64,
    /// At least the bytes stored: additions raise it, deletions leave it, and a recount brings it
    /// down when it nears the limit (so that no deletion path has to keep it exact).
    stored_bytes_bound: u64,
    /// Mixed into pagination tokens so that a token from another emulator is rejected.
    salt: String,
    /// By name, so listings come out in a stable order.
    pub free: BTreeMap<String, Repository>,
    pub premium: BTreeMap<String, Repository>,
    pub uploads: HashMap<String, Upload>,
    /// Upload ids, oldest first, for dropping the oldest past [`MAX_OPEN_UPLOADS`].
    upload_order: VecDeque<String>,
    pub registry_catalog: RegistryCatalog,
    pub entitlements: Vec<Entitlement>,
    pub scan: ScanOptions,
    pub reports: Vec<PublisherReport>,
    /// The next image sequence number (images list in push order, and tokens name the last one).
    next_seq: u64,
    /// Failures injected with `Emulator::fail_next`: operation -> (code, how many more times).
    injected: HashMap<String, (String, usize)>,
    /// Responses to lose (`Emulator::lose_response_next`): operation -> how many more times.
    lost: HashMap<String, usize>,
    /// Layer contents by digest (`sha256:<hex>`), once per emulator however many repositories
    /// hold the layer (their `layers` say which may serve it).
    pub blobs: HashMap<String, Bytes>,
}

/// The registry's catalog data, as `PutRegistryCatalogData` stored it.
#[derive(Debug, Default, Clone)]
pub(crate) struct RegistryCatalog {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub logo_url: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Repository {
    pub name: String,
    pub kind: Kind,
    pub created_at: DateTime,
    /// `None` until catalog data is first stored. `badges` and `artifactTypes` are not stored:
    /// they are worked out from the images when the data is read.
    pub catalog: Option<RepositoryCatalogData>,
    pub policy: Option<String>,
    /// In insertion order; keys are unique.
    pub tags: Vec<(String, String)>,
    /// Layer digest -> size in bytes.
    pub layers: HashMap<String, i64>,
    /// In push order (ascending `seq`).
    pub images: Vec<Image>,
    /// The repository of the other type this one is associated with, by name.
    pub associated: Option<String>,
    /// Premium repositories: their Marketplace products, in the order given.
    pub products: Vec<String>,
    /// Premium repositories: their state (free ones are always `AVAILABLE`).
    pub state: RepositoryState,
}

#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// Push order, unique in the emulator; the key of image listings.
    pub seq: u64,
    pub digest: String,
    pub manifest: String,
    pub media_type: String,
    pub artifact_media_type: Option<String>,
    /// The OCI 1.1 `artifactType` of the manifest, if any.
    pub artifact_type: Option<String>,
    /// The digest of the manifest's `subject` (OCI 1.1 referrers).
    pub subject: Option<String>,
    /// The digests an index (manifest list) refers to; empty for a manifest.
    pub children: Vec<String>,
    pub size: i64,
    pub pushed_at: DateTime,
    /// Tag -> when it was put on this image.
    pub tags: Vec<(String, DateTime)>,
    /// When the image is scheduled for deletion: `Some` for a `DEPRECATED` image.
    pub deletion_at: Option<DateTime>,
    /// `DescribeImageScanFindings` calls seen for this image (premium repositories).
    pub scan_calls: u32,
    /// When its scan reached its final status.
    pub scan_completed_at: Option<DateTime>,
}

pub(crate) struct Upload {
    pub kind: Kind,
    pub repository: String,
    /// The layer's SHA-256 so far, hashed as parts come so that completing does not rehash.
    pub hasher: ring::digest::Context,
    /// The parts' bytes, which become the blob the registry serves.
    pub data: Vec<u8>,
    pub received: u64,
    /// Size of each part received, in order.
    pub parts: Vec<u64>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("kind", &self.kind)
            .field("repository", &self.repository)
            .field("received", &self.received)
            .field("parts", &self.parts.len())
            .finish()
    }
}

impl Upload {
    pub fn new(kind: Kind, repository: &str) -> Self {
        Upload {
            kind,
            repository: repository.to_owned(),
            hasher: ring::digest::Context::new(&ring::digest::SHA256),
            data: Vec::new(),
            received: 0,
            parts: Vec::new(),
        }
    }
}

impl State {
    pub fn new(options: &EmulatorOptions) -> Self {
        State {
            account_id: options.account_id.clone(),
            default_alias: options.registry_alias.clone(),
            custom_alias: options.custom_alias.as_ref().map(|a| (a.name.clone(), a.status.clone())),
            verified: options.verified,
            min_part_size: options.min_part_size,
            max_repositories: options.max_repositories,
            max_images: options.max_images_per_repository,
            max_stored_bytes: options.max_stored_bytes,
            stored_bytes_bound: 0,
            salt: super::hex(&super::random_bytes()[..6]),
            free: BTreeMap::new(),
            premium: BTreeMap::new(),
            uploads: HashMap::new(),
            upload_order: VecDeque::new(),
            registry_catalog: RegistryCatalog::default(),
            entitlements: options.entitlements.clone(),
            scan: options.scan.clone(),
            reports: options.publisher_reports.clone(),
            next_seq: 0,
            injected: HashMap::new(),
            lost: HashMap::new(),
            blobs: HashMap::new(),
        }
    }

    /// The approved custom alias, if any.
    pub fn approved_alias(&self) -> Option<&str> {
        match &self.custom_alias {
            Some((name, RegistryAliasStatus::Active)) => Some(name),
            _ => None,
        }
    }

    /// The alias in repository URIs: the approved custom alias, else the default one.
    pub fn primary_alias(&self) -> &str {
        self.approved_alias().unwrap_or(&self.default_alias)
    }

    /// Whether `alias` names this registry (its default alias or an approved custom one).
    pub fn is_own_alias(&self, alias: &str) -> bool {
        alias == self.default_alias || self.approved_alias() == Some(alias)
    }

    /// Premium repositories need a verified registry with an approved custom alias.
    pub fn premium_enabled(&self) -> bool {
        self.verified && self.approved_alias().is_some()
    }

    pub fn repositories(&self, kind: Kind) -> &BTreeMap<String, Repository> {
        match kind {
            Kind::Free => &self.free,
            Kind::Premium => &self.premium,
        }
    }

    pub fn repositories_mut(&mut self, kind: Kind) -> &mut BTreeMap<String, Repository> {
        match kind {
            Kind::Free => &mut self.free,
            Kind::Premium => &mut self.premium,
        }
    }

    pub fn repository_arn(&self, kind: Kind, name: &str) -> String {
        match kind {
            Kind::Free => format!("arn:aws:ecr-public::{}:repository/{name}", self.account_id),
            Kind::Premium => format!("arn:aws:ecr-public::{}:premium-repository/{name}", self.account_id),
        }
    }

    pub fn repository_uri(&self, kind: Kind, name: &str) -> String {
        match kind {
            Kind::Free => format!("public.ecr.aws/{}/{name}", self.primary_alias()),
            Kind::Premium => format!("{}/{name}", self.premium_registry_uri()),
        }
    }

    /// Where premium repositories are pulled from (the emulator's form of it).
    pub fn premium_registry_uri(&self) -> String {
        format!("premium.public.ecr.aws/{}", self.primary_alias())
    }

    pub fn registry_arn(&self) -> String {
        format!("arn:aws:ecr-public::{}:registry/{}", self.account_id, self.account_id)
    }

    /// The bytes stored, counted afresh: image manifests, blobs (once each, however many
    /// repositories hold them) and the parts of open uploads.
    pub fn stored_bytes(&self) -> u64 {
        let manifests: u64 = self
            .free
            .values()
            .chain(self.premium.values())
            .flat_map(|r| &r.images)
            .map(|i| i.manifest.len() as u64)
            .sum();
        let blobs: u64 = self.blobs.values().map(|b| b.len() as u64).sum();
        let uploads: u64 = self.uploads.values().map(|u| u.data.len() as u64).sum();
        manifests + blobs + uploads
    }

    /// Drops the blobs no repository holds any more.
    pub fn drop_unreferenced_blobs(&mut self) {
        let held: std::collections::HashSet<&str> =
            self.free.values().chain(self.premium.values()).flat_map(|r| r.layers.keys()).map(String::as_str).collect();
        self.blobs.retain(|digest, _| held.contains(digest.as_str()));
    }

    /// Makes room for `bytes` more, or says why not (past `max_stored_bytes`).
    pub fn reserve_stored(&mut self, bytes: u64) -> Result<(), String> {
        if self.stored_bytes_bound.saturating_add(bytes) > self.max_stored_bytes {
            self.drop_unreferenced_blobs();
            self.stored_bytes_bound = self.stored_bytes();
            if self.stored_bytes_bound.saturating_add(bytes) > self.max_stored_bytes {
                return Err(format!(
                    "Storing {bytes} more bytes would take the emulator past its limit of {} stored bytes ({} held)",
                    self.max_stored_bytes, self.stored_bytes_bound
                ));
            }
        }
        self.stored_bytes_bound += bytes;
        Ok(())
    }

    /// Deletes the deprecated images whose scheduled deletion time has come, as the service does.
    pub fn purge_expired(&mut self, now: DateTime) {
        for repo in self.premium.values_mut() {
            repo.images.retain(|i| !i.deletion_at.is_some_and(|at| at.secs() <= now.secs()));
        }
    }

    /// A new image sequence number.
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Opens an upload, dropping the oldest one past [`MAX_OPEN_UPLOADS`].
    pub fn open_upload(&mut self, id: String, upload: Upload) {
        while self.uploads.len() >= MAX_OPEN_UPLOADS {
            let Some(oldest) = self.upload_order.pop_front() else { break };
            self.uploads.remove(&oldest);
        }
        self.upload_order.push_back(id.clone());
        self.uploads.insert(id, upload);
    }

    pub fn close_upload(&mut self, id: &str) -> Option<Upload> {
        self.upload_order.retain(|u| u != id);
        self.uploads.remove(id)
    }

    /// Drops the uploads into a repository that is being deleted (already out of the registry),
    /// and the blobs that only it held.
    pub fn close_uploads_of(&mut self, kind: Kind, name: &str) {
        self.uploads.retain(|_, u| !(u.kind == kind && u.repository == name));
        let uploads = &self.uploads;
        self.upload_order.retain(|id| uploads.contains_key(id));
        self.drop_unreferenced_blobs();
    }

    pub fn inject(&mut self, operation: &str, code: &str, times: usize) {
        if times == 0 {
            self.injected.remove(operation);
        } else {
            self.injected.insert(operation.to_owned(), (code.to_owned(), times));
        }
    }

    /// The error code to fail this call of `operation` with, if one was injected.
    pub fn take_injected(&mut self, operation: &str) -> Option<String> {
        let (code, left) = self.injected.get_mut(operation)?;
        let code = code.clone();
        *left -= 1;
        if *left == 0 {
            self.injected.remove(operation);
        }
        Some(code)
    }

    pub fn lose_next(&mut self, operation: &str, times: usize) {
        if times == 0 {
            self.lost.remove(operation);
        } else {
            self.lost.insert(operation.to_owned(), times);
        }
    }

    /// Whether the response to this call of `operation` is to be lost.
    pub fn take_lost(&mut self, operation: &str) -> bool {
        let Some(left) = self.lost.get_mut(operation) else { return false };
        *left -= 1;
        if *left == 0 {
            self.lost.remove(operation);
        }
        true
    }

    /// An opaque token for resuming `operation` (with the same `scope`: repository, filters)
    /// after the item whose key is `key`.
    pub fn token(&self, operation: &str, scope: &str, key: &str) -> String {
        base64_simd::URL_SAFE_NO_PAD.encode_to_string(format!("{}|{operation}|{scope}|{key}", self.salt))
    }

    /// The key in a token made by [`token`](Self::token) for the same operation and scope.
    pub fn token_key(&self, operation: &str, scope: &str, token: &str) -> Option<String> {
        let bytes = base64_simd::URL_SAFE_NO_PAD.decode_to_vec(token).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(4, '|');
        if parts.next()? != self.salt || parts.next()? != operation || parts.next()? != scope {
            return None;
        }
        parts.next().map(str::to_owned)
    }
}

impl Repository {
    pub fn new(kind: Kind, name: &str) -> Self {
        Repository {
            name: name.to_owned(),
            kind,
            created_at: DateTime::now(),
            catalog: None,
            policy: None,
            tags: Vec::new(),
            layers: HashMap::new(),
            images: Vec::new(),
            associated: None,
            products: Vec::new(),
            state: match kind {
                Kind::Free => RepositoryState::Available,
                Kind::Premium => RepositoryState::Draft,
            },
        }
    }

    pub fn image_by_digest(&self, digest: &str) -> Option<usize> {
        self.images.iter().position(|i| i.digest.eq_ignore_ascii_case(digest))
    }

    pub fn image_by_tag(&self, tag: &str) -> Option<usize> {
        self.images.iter().position(|i| i.tags.iter().any(|(t, _)| t == tag))
    }

    /// Whether an index in this repository other than `digest` itself refers to `digest`.
    pub fn referenced_by_index(&self, digest: &str) -> bool {
        self.indexes_referring_to(digest).next().is_some()
    }

    /// The indexes (manifest lists) in this repository that refer to `digest`.
    pub fn indexes_referring_to<'a>(&'a self, digest: &'a str) -> impl Iterator<Item = &'a Image> + 'a {
        self.images.iter().filter(move |i| i.digest != digest && i.children.iter().any(|c| c == digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_operation_scope_and_emulator() {
        let st = State::new(&EmulatorOptions::default());
        let t = st.token("Op", "repo", "key|with|bars");
        assert_eq!(st.token_key("Op", "repo", &t).as_deref(), Some("key|with|bars"));
        assert_eq!(st.token_key("Other", "repo", &t), None);
        assert_eq!(st.token_key("Op", "other", &t), None);
        assert_eq!(State::new(&EmulatorOptions::default()).token_key("Op", "repo", &t), None);
        assert_eq!(st.token_key("Op", "repo", "%%%"), None);
    }

    #[test]
    fn uploads_and_blobs_are_stored_bytes_until_dropped() {
        let mut st = State::new(&EmulatorOptions::default().with_max_stored_bytes(10));
        let mut upload = Upload::new(Kind::Free, "app");
        upload.data = vec![0; 6];
        st.open_upload("u0".to_owned(), upload);
        // A blob no repository holds (its repository deleted) is counted until a recount drops it.
        st.blobs.insert("sha256:00".to_owned(), Bytes::from_static(b"1234"));
        assert_eq!(st.stored_bytes(), 10);
        st.reserve_stored(10).expect("within the limit, no recount yet");
        st.reserve_stored(4).expect("the recount drops the blob");
        assert!(st.blobs.is_empty() && st.stored_bytes() == 6);
        assert!(st.reserve_stored(5).is_err());
        // An abandoned upload pushed out by newer ones frees its bytes.
        for n in 1..=MAX_OPEN_UPLOADS {
            st.open_upload(format!("u{n}"), Upload::new(Kind::Free, "app"));
        }
        assert_eq!(st.stored_bytes(), 0);
        st.reserve_stored(10).expect("room again");
    }

    #[test]
    fn open_uploads_are_bounded() {
        let mut st = State::new(&EmulatorOptions::default());
        for n in 0..MAX_OPEN_UPLOADS + 5 {
            st.open_upload(format!("u{n}"), Upload::new(Kind::Free, "app"));
        }
        assert_eq!(st.uploads.len(), MAX_OPEN_UPLOADS);
        assert!(!st.uploads.contains_key("u0") && st.uploads.contains_key(&format!("u{}", MAX_OPEN_UPLOADS + 4)));
        st.close_uploads_of(Kind::Free, "app");
        assert!(st.uploads.is_empty() && st.upload_order.is_empty());
    }
}
