//! Pushing an image in one call: [`Client::push_image`].
//!
//! It reads an OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/...`), a
//! tar of one, or a `docker save` tarball, and publishes it to a repository with the service's
//! own push operations, so no Docker daemon is needed:
//!
//! 1. every blob is hashed on disk and checked against its digest (and size): a corrupt blob is
//!    refused before anything is sent;
//! 2. `BatchCheckLayerAvailability` finds the blobs the repository already has; they are skipped;
//! 3. the others go up in parts of the size `InitiateLayerUpload` returns (at most 20 MiB), a few
//!    blobs at a time ([`PushImage::concurrency`]). Each upload holds one part and its request
//!    body (the part in base64 JSON) at a time, so memory stays near 2.5 × concurrency × part
//!    size whatever the image's size. A part that fails, or whose answer is lost, is sent again
//!    from the byte after the service's `lastValidByteReceived`;
//! 4. `PutImage` puts the manifest under each tag. A multi-platform image's per-platform
//!    manifests go first, by digest, then its index.
//!
//! ```no_run
//! # async fn demo(client: ecrpublic::Client) -> Result<(), ecrpublic::push::PushError> {
//! let summary = client
//!     .push_image("target/image-layout", "my-app")
//!     .tag("1.0")
//!     .tag("latest")
//!     .on_progress(|p| eprintln!("{}: {}/{} bytes", p.digest, p.blob_done, p.blob_total))
//!     .send()
//!     .await?;
//! println!("{} uploaded, {} skipped", summary.uploaded.len(), summary.skipped.len());
//! # Ok(())
//! # }
//! ```

mod source;
mod upload;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Client;

/// Media types a push writes or reads.
pub mod media {
    /// An OCI image manifest.
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// An OCI image index (a multi-platform image).
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// An OCI image config.
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// An uncompressed OCI layer (`docker save`'s `layer.tar`).
    pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
    /// A gzip-compressed OCI layer.
    pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// A Docker manifest list (a multi-platform image).
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
}

/// The default number of blobs uploaded at once.
pub const DEFAULT_CONCURRENCY: usize = 3;

/// How far one blob's upload has come, given to [`PushImage::on_progress`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushProgress {
    /// The blob (layer or config) this is about.
    pub digest: String,
    /// What happened to it.
    pub stage: Stage,
    /// Its bytes the service has.
    pub blob_done: u64,
    /// Its size.
    pub blob_total: u64,
    /// Bytes of every blob to upload that the service has.
    pub done: u64,
    /// Bytes of every blob to upload (blobs already in the repository are not counted).
    pub total: u64,
}

/// The stages of one blob in [`PushProgress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// The repository has it already; nothing is sent.
    Skipped,
    /// An upload started (also after a restart of an expired upload).
    Started,
    /// A part landed.
    Part,
    /// A part failed and is being sent again from where the service's data ends.
    Resuming,
    /// The upload is complete and the blob is in the repository.
    Uploaded,
}

/// One blob of a push.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlobReport {
    /// Its digest.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One manifest of a push.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ManifestReport {
    /// Its digest.
    pub digest: String,
    /// Its media type.
    pub media_type: String,
    /// The tags put on it by this push.
    pub tags: Vec<String>,
    /// Whether the repository had it (under every tag asked for) already.
    pub already_present: bool,
}

/// What a push did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PushSummary {
    /// The repository pushed to.
    pub repository: String,
    /// The image's digest: its manifest's, or its index's for a multi-platform image.
    pub image_digest: String,
    /// The image's media type.
    pub media_type: String,
    /// The tags it now has from this push.
    pub tags: Vec<String>,
    /// Blobs uploaded, in the order they were read.
    pub uploaded: Vec<BlobReport>,
    /// Blobs the repository had already.
    pub skipped: Vec<BlobReport>,
    /// Manifests put, the image's own last.
    pub manifests: Vec<ManifestReport>,
    /// Bytes of blob data sent, counting parts sent again.
    pub bytes_sent: u64,
    /// Parts sent again after a failure.
    pub parts_resent: u32,
    /// How long the push took, reading and hashing included.
    pub elapsed: Duration,
}

/// Why a push failed. Nothing is half-published: a manifest is only put once every blob it
/// refers to is in the repository.
#[derive(Debug)]
#[non_exhaustive]
pub enum PushError {
    /// The image on disk cannot be read, or is not a layout or tarball this understands.
    Source {
        /// The layout or tarball.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A blob does not match its digest or size; nothing was sent.
    Corrupt {
        /// The digest it should have.
        digest: String,
        /// How it differs.
        problem: String,
    },
    /// The options cannot work (no repository name, a concurrency of 0, a bad tag).
    Options(String),
    /// A call to the service failed.
    Service {
        /// The operation, e.g. `UploadLayerPart`.
        operation: &'static str,
        /// The blob or manifest it was about, if any.
        digest: Option<String>,
        /// The call's error (boxed: it is large, and a push fails once).
        source: Box<crate::Error>,
    },
    /// The service answered with something a push cannot go on from (e.g. an upload with no
    /// id, or a part size of 0).
    Protocol(String),
}

impl PushError {
    fn source(path: &Path, problem: impl Into<String>) -> PushError {
        PushError::Source { path: path.to_owned(), problem: problem.into() }
    }

    pub(crate) fn service(operation: &'static str, digest: Option<&str>, source: impl Into<crate::Error>) -> PushError {
        PushError::Service { operation, digest: digest.map(str::to_owned), source: Box::new(source.into()) }
    }
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Source { path, problem } => write!(f, "{} {problem}", path.display()),
            PushError::Corrupt { digest, problem } => {
                write!(f, "blob {digest} is corrupt: {problem}; nothing was sent")
            }
            PushError::Options(problem) => write!(f, "cannot push: {problem}"),
            PushError::Service { operation, digest: Some(d), source } => {
                write!(f, "{operation} of {d} failed: {source}")
            }
            PushError::Service { operation, digest: None, source } => write!(f, "{operation} failed: {source}"),
            PushError::Protocol(problem) => write!(f, "the service's answer cannot be used: {problem}"),
        }
    }
}

impl std::error::Error for PushError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PushError::Service { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

type ProgressFn = Arc<dyn Fn(&PushProgress) + Send + Sync>;

/// A push being set up; [`send`](Self::send) runs it. Made by [`Client::push_image`].
#[must_use = "a push does nothing until `send` is awaited"]
pub struct PushImage {
    client: Client,
    path: PathBuf,
    repository: String,
    tags: Vec<String>,
    reference: Option<String>,
    concurrency: usize,
    progress: Option<ProgressFn>,
}

impl fmt::Debug for PushImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushImage")
            .field("path", &self.path)
            .field("repository", &self.repository)
            .field("tags", &self.tags)
            .field("reference", &self.reference)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Pushes the image at `path` (an OCI layout directory, a tar of one, or a `docker save`
    /// tarball) to `repository`; see [`push`](crate::push).
    pub fn push_image(&self, path: impl AsRef<Path>, repository: impl Into<String>) -> PushImage {
        PushImage {
            client: self.clone(),
            path: path.as_ref().to_owned(),
            repository: repository.into(),
            tags: Vec::new(),
            reference: None,
            concurrency: DEFAULT_CONCURRENCY,
            progress: None,
        }
    }
}

impl PushImage {
    /// Puts the image under `tag` too; call it once per tag. Without a tag the image is pushed
    /// by digest alone.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Picks the image to push where the source holds several: a layout's
    /// `org.opencontainers.image.ref.name`, or one of a `docker save` tarball's `RepoTags`.
    pub fn reference(mut self, name: impl Into<String>) -> Self {
        self.reference = Some(name.into());
        self
    }

    /// How many blobs upload at once (default [`DEFAULT_CONCURRENCY`]); each holds one part and
    /// its request body in memory at a time.
    pub fn concurrency(mut self, blobs: usize) -> Self {
        self.concurrency = blobs;
        self
    }

    /// Called as each blob is skipped, starts, lands a part, resumes and completes. It runs on
    /// the upload's task, so it should be quick.
    pub fn on_progress(mut self, f: impl Fn(&PushProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Reads and verifies the image, then publishes it.
    pub async fn send(self) -> Result<PushSummary, PushError> {
        let started = Instant::now();
        if self.repository.is_empty() {
            return Err(PushError::Options("the repository name is empty".to_owned()));
        }
        if self.concurrency == 0 {
            return Err(PushError::Options("a concurrency of 0 would upload nothing".to_owned()));
        }
        if let Some(tag) = self.tags.iter().find(|t| t.is_empty() || t.len() > 300) {
            return Err(PushError::Options(format!("`{tag}` is not a tag (1 to 300 characters)")));
        }
        let path = self.path.clone();
        let reference = self.reference.clone();
        // Reading and hashing is blocking file work: off the async threads.
        let plan = tokio::task::spawn_blocking(move || source::load(&path, reference.as_deref()))
            .await
            .map_err(|e| PushError::source(&self.path, format!("reading it stopped: {e}")))??;
        let uploads = upload::Uploads {
            client: self.client.clone(),
            repository: self.repository.clone(),
            concurrency: self.concurrency,
            progress: self.progress.clone(),
        };
        let blobs = uploads.run(&plan.blobs).await?;
        let manifests = upload::put_manifests(&self.client, &self.repository, &plan.manifests, &self.tags).await?;
        let image = plan.manifests.last().ok_or_else(|| PushError::source(&self.path, "holds no manifest"))?;
        Ok(PushSummary {
            repository: self.repository,
            image_digest: image.digest.clone(),
            media_type: image.media_type.clone(),
            tags: self.tags,
            uploaded: blobs.uploaded,
            skipped: blobs.skipped,
            manifests,
            bytes_sent: blobs.bytes_sent,
            parts_resent: blobs.parts_resent,
            elapsed: started.elapsed(),
        })
    }
}
