//! The push choreography: which blobs the repository lacks, their uploads part by part (a few
//! at a time, each part resumable), and the manifests after them.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::source::{BlobRef, ManifestDoc};
use super::{BlobReport, ManifestReport, ProgressFn, PushError, PushProgress, Stage};
use crate::error::{CompleteLayerUploadError, PutImageError, UploadLayerPartError};
use crate::types::LayerAvailability;
use crate::{Client, SdkError};

/// The largest part the service takes (`layerPartBlob`'s length limit): a bigger `partSize`
/// answer is not followed, so a part buffer stays bounded.
const MAX_PART: u64 = 20_971_520;
/// The most digests one `BatchCheckLayerAvailability` may name.
const CHECK_BATCH: usize = 100;
/// How many failures in a row a part survives, on top of the client's own retries.
const PART_ATTEMPTS: u32 = 5;
/// How many times an upload that the service lost (`UploadNotFoundException`) starts over.
const UPLOAD_RESTARTS: u32 = 2;

pub(crate) struct Uploads {
    pub client: Client,
    pub repository: String,
    pub concurrency: usize,
    pub progress: Option<ProgressFn>,
}

/// What the blob phase did.
pub(crate) struct BlobsDone {
    pub uploaded: Vec<BlobReport>,
    pub skipped: Vec<BlobReport>,
    pub bytes_sent: u64,
    pub parts_resent: u32,
}

/// What one blob's upload task shares with the others.
struct Shared {
    client: Client,
    repository: String,
    progress: Option<ProgressFn>,
    done: AtomicU64,
    total: u64,
}

impl Shared {
    fn report(&self, blob: &BlobRef, stage: Stage, blob_done: u64) {
        if let Some(f) = &self.progress {
            f(&PushProgress {
                digest: blob.digest.clone(),
                stage,
                blob_done,
                blob_total: blob.size,
                done: self.done.load(Ordering::Relaxed),
                total: self.total,
            });
        }
    }
}

/// A failure worth sending the same request again for: the connection, a timeout, a response
/// that did not arrive whole, or the service's own `ServerException`.
fn transient<E>(e: &SdkError<E>, server_fault: impl Fn(&E) -> bool) -> bool {
    match e {
        SdkError::Transport(_) | SdkError::Timeout(_) | SdkError::Response(_) => true,
        SdkError::Service(e) => server_fault(e),
        _ => false,
    }
}

/// Waits a little longer after each failure of the same part.
async fn pause(failures: u32) {
    tokio::time::sleep(Duration::from_millis(100u64 << failures.min(5))).await;
}

impl Uploads {
    pub async fn run(self, blobs: &[BlobRef]) -> Result<BlobsDone, PushError> {
        let mut present = HashSet::new();
        for chunk in blobs.chunks(CHECK_BATCH) {
            let out = self
                .client
                .batch_check_layer_availability(&self.repository, chunk.iter().map(|b| b.digest.clone()))
                .send()
                .await
                .map_err(|e| PushError::service("BatchCheckLayerAvailability", None, e))?;
            for layer in out.layers {
                if layer.layer_availability == Some(LayerAvailability::Available) {
                    present.extend(layer.layer_digest);
                }
            }
        }
        let (skipped, missing): (Vec<&BlobRef>, Vec<&BlobRef>) =
            blobs.iter().partition(|b| present.contains(&b.digest));
        let shared = Arc::new(Shared {
            client: self.client.clone(),
            repository: self.repository.clone(),
            progress: self.progress.clone(),
            done: AtomicU64::new(0),
            total: missing.iter().map(|b| b.size).sum(),
        });
        for blob in &skipped {
            shared.report(blob, Stage::Skipped, blob.size);
        }
        // A bounded set of upload tasks; dropping it on the first error stops the others.
        let mut tasks = tokio::task::JoinSet::new();
        let mut queue = missing.iter().map(|b| (*b).clone());
        let (mut bytes_sent, mut parts_resent) = (0, 0);
        loop {
            while tasks.len() < self.concurrency {
                let Some(blob) = queue.next() else { break };
                let shared = shared.clone();
                tasks.spawn(async move { upload_blob(&shared, &blob).await });
            }
            match tasks.join_next().await {
                None => break,
                Some(Ok(stats)) => {
                    let stats = stats?;
                    bytes_sent += stats.sent;
                    parts_resent += stats.resent;
                }
                Some(Err(e)) => return Err(PushError::Protocol(format!("an upload task ended abnormally: {e}"))),
            }
        }
        let report = |b: &&BlobRef| BlobReport { digest: b.digest.clone(), size: b.size };
        Ok(BlobsDone {
            uploaded: missing.iter().map(report).collect(),
            skipped: skipped.iter().map(report).collect(),
            bytes_sent,
            parts_resent,
        })
    }
}

#[derive(Default)]
struct PartStats {
    sent: u64,
    resent: u32,
}

/// Uploads one blob: initiate, parts from where the service's data ends, complete.
async fn upload_blob(shared: &Shared, blob: &BlobRef) -> Result<PartStats, PushError> {
    let digest = Some(blob.digest.as_str());
    let repo = shared.repository.as_str();
    let client = &shared.client;
    if blob.size == 0 {
        return Err(PushError::Options(format!(
            "blob {} is empty, and ECR Public stores no empty layers",
            blob.digest
        )));
    }
    let mut stats = PartStats::default();
    let mut restarts = 0;
    'upload: loop {
        let init = client
            .initiate_layer_upload(repo)
            .send()
            .await
            .map_err(|e| PushError::service("InitiateLayerUpload", digest, e))?;
        let upload_id = init
            .upload_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| PushError::Protocol("InitiateLayerUpload gave no uploadId".to_owned()))?;
        let part_size = match init.part_size {
            Some(n) if n > 0 => (n as u64).min(MAX_PART),
            other => return Err(PushError::Protocol(format!("InitiateLayerUpload gave a part size of {other:?}"))),
        };
        shared.report(blob, Stage::Started, 0);
        // The bytes the service has said it holds.
        let mut confirmed = 0u64;
        let mut failures = 0u32;
        while confirmed < blob.size {
            let len = part_size.min(blob.size - confirmed);
            let source = blob.source.clone();
            let at = confirmed;
            let data = tokio::task::spawn_blocking(move || source.read_at(at, len as usize))
                .await
                .map_err(|e| PushError::Protocol(format!("reading a part stopped: {e}")))?
                .map_err(|e| PushError::Source {
                    path: blob.source.path.clone(),
                    problem: format!("cannot read blob {}: {e}", blob.digest),
                })?;
            let (first, last) = (confirmed as i64, (confirmed + len - 1) as i64);
            stats.sent += len;
            match client.upload_layer_part(repo, &upload_id, first, last, data).send().await {
                Ok(out) => {
                    let landed = out.last_byte_received.unwrap_or(last);
                    if landed < first - 1 || landed > last {
                        return Err(PushError::Protocol(format!(
                            "UploadLayerPart of bytes {first}-{last} says byte {landed} is the last received"
                        )));
                    }
                    shared.done.fetch_add((landed + 1 - first) as u64, Ordering::Relaxed);
                    confirmed = (landed + 1) as u64;
                    failures = 0;
                    shared.report(blob, Stage::Part, confirmed);
                }
                Err(e) => {
                    failures += 1;
                    let resume_at = match e.service_error() {
                        Some(UploadLayerPartError::InvalidLayerPartException(x)) => {
                            // The service holds bytes up to `lastValidByteReceived`; 0 also
                            // stands for "nothing yet", which is where a push that knows of no
                            // byte landing goes on from.
                            match x.last_valid_byte_received {
                                Some(0) if confirmed == 0 => Some(0),
                                Some(l) if l >= 0 && (l as u64) < blob.size => Some(l as u64 + 1),
                                _ => None,
                            }
                        }
                        Some(UploadLayerPartError::UploadNotFoundException(_)) if restarts < UPLOAD_RESTARTS => {
                            restarts += 1;
                            shared.done.fetch_sub(confirmed, Ordering::Relaxed);
                            stats.resent += 1;
                            continue 'upload;
                        }
                        _ if transient(&e, |e| matches!(e, UploadLayerPartError::ServerException(_))) => {
                            Some(confirmed)
                        }
                        _ => None,
                    };
                    let Some(resume_at) = resume_at.filter(|_| failures < PART_ATTEMPTS) else {
                        return Err(PushError::service("UploadLayerPart", digest, e));
                    };
                    if resume_at > confirmed {
                        // A part whose answer was lost did land.
                        shared.done.fetch_add(resume_at - confirmed, Ordering::Relaxed);
                    } else if resume_at < confirmed {
                        shared.done.fetch_sub(confirmed - resume_at, Ordering::Relaxed);
                    }
                    tracing::debug!(digest = %blob.digest, from = resume_at, "resuming a layer part");
                    confirmed = resume_at;
                    stats.resent += 1;
                    shared.report(blob, Stage::Resuming, confirmed);
                    pause(failures).await;
                }
            }
        }
        complete(shared, blob, &upload_id).await?;
        shared.report(blob, Stage::Uploaded, blob.size);
        return Ok(stats);
    }
}

/// Completes an upload. A repeat after a lost answer finds the upload closed: the blob being in
/// the repository then says the first one worked.
async fn complete(shared: &Shared, blob: &BlobRef, upload_id: &str) -> Result<(), PushError> {
    let digest = Some(blob.digest.as_str());
    let mut failures = 0;
    loop {
        let sent =
            shared.client.complete_layer_upload(&shared.repository, upload_id, [blob.digest.clone()]).send().await;
        let e = match sent {
            Ok(out) if out.layer_digest.as_deref().map_or(true, |d| d == blob.digest) => return Ok(()),
            Ok(out) => {
                return Err(PushError::Protocol(format!(
                    "CompleteLayerUpload of {} answered with digest {:?}",
                    blob.digest, out.layer_digest
                )))
            }
            Err(e) => e,
        };
        match e.service_error() {
            Some(CompleteLayerUploadError::LayerAlreadyExistsException(_)) => return Ok(()),
            Some(CompleteLayerUploadError::UploadNotFoundException(_))
                if failures > 0 && in_repository(shared, blob).await? =>
            {
                return Ok(())
            }
            _ if failures + 1 < PART_ATTEMPTS
                && transient(&e, |e| matches!(e, CompleteLayerUploadError::ServerException(_))) =>
            {
                failures += 1;
                pause(failures).await;
            }
            _ => return Err(PushError::service("CompleteLayerUpload", digest, e)),
        }
    }
}

async fn in_repository(shared: &Shared, blob: &BlobRef) -> Result<bool, PushError> {
    let out = shared
        .client
        .batch_check_layer_availability(&shared.repository, [blob.digest.clone()])
        .send()
        .await
        .map_err(|e| PushError::service("BatchCheckLayerAvailability", Some(&blob.digest), e))?;
    Ok(out.layers.iter().any(|l| {
        l.layer_digest.as_deref() == Some(&blob.digest) && l.layer_availability == Some(LayerAvailability::Available)
    }))
}

/// Puts the manifests in order: an index's per-platform manifests by digest, then the image
/// under each tag (or by digest alone without tags).
pub(crate) async fn put_manifests(
    client: &Client,
    repository: &str,
    manifests: &[ManifestDoc],
    tags: &[String],
) -> Result<Vec<ManifestReport>, PushError> {
    let Some((image, children)) = manifests.split_last() else {
        return Ok(Vec::new());
    };
    let mut reports = Vec::new();
    for child in children {
        let present = put(client, repository, child, None).await?;
        reports.push(ManifestReport {
            digest: child.digest.clone(),
            media_type: child.media_type.clone(),
            tags: Vec::new(),
            already_present: present,
        });
    }
    let mut all_present = true;
    if tags.is_empty() {
        all_present = put(client, repository, image, None).await?;
    }
    for tag in tags {
        all_present &= put(client, repository, image, Some(tag)).await?;
    }
    reports.push(ManifestReport {
        digest: image.digest.clone(),
        media_type: image.media_type.clone(),
        tags: tags.to_vec(),
        already_present: all_present,
    });
    Ok(reports)
}

/// One `PutImage`; `true` when the repository had the manifest (under `tag`) already.
async fn put(client: &Client, repository: &str, doc: &ManifestDoc, tag: Option<&str>) -> Result<bool, PushError> {
    let mut call = client
        .put_image(repository, doc.text.clone())
        .image_manifest_media_type(doc.media_type.clone())
        .image_digest(doc.digest.clone());
    if let Some(tag) = tag {
        call = call.image_tag(tag);
    }
    match call.send().await {
        Ok(out) => {
            let digest = out.image.and_then(|i| i.image_id).and_then(|i| i.image_digest);
            match digest {
                Some(d) if d != doc.digest => {
                    Err(PushError::Protocol(format!("PutImage of {} answered with digest {d}", doc.digest)))
                }
                _ => Ok(false),
            }
        }
        Err(e) if matches!(e.service_error(), Some(PutImageError::ImageAlreadyExistsException(_))) => Ok(true),
        Err(e) => Err(PushError::service("PutImage", Some(&doc.digest), e)),
    }
}
