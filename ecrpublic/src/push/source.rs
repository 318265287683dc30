//! Reading an image from disk: an OCI image layout directory, or a tarball (`docker save`'s
//! output, or an OCI layout in a tar). Every blob is hashed here, before anything is sent.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{media, PushError};

/// Where a blob's bytes are: `len` bytes from `offset` in `path` (a blob file, or a tarball).
#[derive(Clone, Debug)]
pub(crate) struct BlobSource {
    pub path: PathBuf,
    pub offset: u64,
    pub len: u64,
}

impl BlobSource {
    /// Reads `len` bytes from `at` within the blob.
    pub fn read_at(&self, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(self.offset + at))?;
        let mut buf = vec![0; len];
        file.read_exact(&mut buf)?;
        Ok(buf)
    }
}

/// A blob a manifest refers to (a layer or a config), verified.
#[derive(Clone, Debug)]
pub(crate) struct BlobRef {
    pub digest: String,
    pub size: u64,
    pub source: BlobSource,
}

/// A manifest to put, with the exact bytes its digest is of.
#[derive(Clone, Debug)]
pub(crate) struct ManifestDoc {
    pub digest: String,
    pub media_type: String,
    pub text: String,
}

/// What a push sends: blobs (each once), then manifests in the order to put them. The last
/// manifest is the image itself; those before it are an index's per-platform manifests.
#[derive(Debug)]
pub(crate) struct Plan {
    pub blobs: Vec<BlobRef>,
    pub manifests: Vec<ManifestDoc>,
}

/// Reads and verifies the image at `path`. `reference` picks one image where the source holds
/// several (an `org.opencontainers.image.ref.name` of a layout, or a `RepoTags` entry of a
/// `docker save` tarball).
pub(crate) fn load(path: &Path, reference: Option<&str>) -> Result<Plan, PushError> {
    let meta = std::fs::metadata(path).map_err(|e| PushError::source(path, format!("cannot be read: {e}")))?;
    let files = if meta.is_dir() { Files::directory(path) } else { Files::tarball(path)? };
    if files.exists("oci-layout") && files.exists("index.json") {
        from_layout(&files, reference)
    } else if !meta.is_dir() && files.exists("manifest.json") {
        from_docker_archive(&files, reference)
    } else {
        Err(PushError::source(
            path,
            "is neither an OCI image layout (no `oci-layout` and `index.json`) nor a `docker save` tarball \
             (no `manifest.json`)",
        ))
    }
}

/// The files of a layout or tarball, by path relative to its root.
struct Files {
    root: PathBuf,
    /// For a tarball: each regular file's offset and size in it.
    entries: Option<HashMap<String, (u64, u64)>>,
}

/// The most a metadata file (a manifest, an index, a config) may be: ECR Public's manifest limit.
const MAX_DOCUMENT: u64 = 4 * 1024 * 1024;

impl Files {
    fn directory(root: &Path) -> Files {
        Files { root: root.to_owned(), entries: None }
    }

    /// Indexes a tarball's entries without reading their contents. Symbolic and hard links
    /// (`docker save` links legacy layer paths to `blobs/sha256/...`) resolve to their target.
    fn tarball(path: &Path) -> Result<Files, PushError> {
        let bad = |e: std::io::Error| PushError::source(path, format!("is not a readable tar archive: {e}"));
        let file = File::open(path).map_err(bad)?;
        let mut archive = tar::Archive::new(file);
        let mut entries = HashMap::new();
        let mut links = Vec::new();
        for entry in archive.entries().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            let name = normalize(&entry.path().map_err(bad)?.to_string_lossy());
            let kind = entry.header().entry_type();
            if kind.is_file() {
                entries.insert(name, (entry.raw_file_position(), entry.size()));
            } else if kind.is_symlink() || kind.is_hard_link() {
                if let Some(target) = entry.link_name().map_err(bad)? {
                    let target = target.to_string_lossy().into_owned();
                    // Symbolic links are relative to the link's folder, hard links to the root.
                    let resolved = if kind.is_symlink() && !target.starts_with('/') {
                        let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
                        normalize(&format!("{dir}/{target}"))
                    } else {
                        normalize(&target)
                    };
                    links.push((name, resolved));
                }
            }
        }
        for (name, target) in links {
            if let Some(&found) = entries.get(&target) {
                entries.insert(name, found);
            }
        }
        Ok(Files { root: path.to_owned(), entries: Some(entries) })
    }

    fn exists(&self, name: &str) -> bool {
        match &self.entries {
            Some(entries) => entries.contains_key(name),
            None => self.root.join(name).is_file(),
        }
    }

    fn source(&self, name: &str) -> Result<BlobSource, PushError> {
        match &self.entries {
            Some(entries) => entries
                .get(name)
                .map(|&(offset, len)| BlobSource { path: self.root.clone(), offset, len })
                .ok_or_else(|| PushError::source(&self.root, format!("has no file `{name}`"))),
            None => {
                let path = self.root.join(name);
                let len = std::fs::metadata(&path)
                    .map_err(|e| PushError::source(&self.root, format!("cannot read `{name}`: {e}")))?
                    .len();
                Ok(BlobSource { path, offset: 0, len })
            }
        }
    }

    /// A small file's whole content (bounded: it is read into memory).
    fn read(&self, name: &str) -> Result<Vec<u8>, PushError> {
        let source = self.source(name)?;
        if source.len > MAX_DOCUMENT {
            return Err(PushError::source(
                &self.root,
                format!("`{name}` is {} bytes, more than a manifest or config may be", source.len),
            ));
        }
        source
            .read_at(0, source.len as usize)
            .map_err(|e| PushError::source(&self.root, format!("cannot read `{name}`: {e}")))
    }

    /// The blob `digest` of a layout, checked against the size a descriptor gives and hashed.
    fn blob(&self, digest: &str, size: Option<u64>) -> Result<BlobRef, PushError> {
        let hex = digest
            .strip_prefix("sha256:")
            .filter(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .ok_or_else(|| PushError::source(&self.root, format!("refers to `{digest}`, not a sha256 digest")))?;
        let source = self.source(&format!("blobs/sha256/{hex}"))?;
        verify(&self.root, digest, size, &source)?;
        Ok(BlobRef { digest: digest.to_owned(), size: source.len, source })
    }
}

/// `a/./b/../c` -> `a/c`, without a leading `./` or `/`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Hashes the whole blob and compares it with `digest` (and `size`, where a descriptor gives
/// one): a corrupt blob is refused before anything is sent.
fn verify(root: &Path, digest: &str, size: Option<u64>, source: &BlobSource) -> Result<(), PushError> {
    if let Some(size) = size.filter(|&s| s != source.len) {
        return Err(PushError::Corrupt {
            digest: digest.to_owned(),
            problem: format!("it is {} bytes where its descriptor says {size}", source.len),
        });
    }
    let actual = sha256_of(source).map_err(|e| PushError::source(root, format!("cannot read blob {digest}: {e}")))?;
    if actual != digest {
        return Err(PushError::Corrupt {
            digest: digest.to_owned(),
            problem: format!("its content hashes to {actual}"),
        });
    }
    Ok(())
}

/// `sha256:<hex>` of a blob, read in 1 MiB pieces.
fn sha256_of(source: &BlobSource) -> std::io::Result<String> {
    let mut file = File::open(&source.path)?;
    file.seek(SeekFrom::Start(source.offset))?;
    let mut reader = file.take(source.len);
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; 1 << 20];
    let mut read = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        read += n as u64;
        ctx.update(&buf[..n]);
    }
    if read != source.len {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file ended early"));
    }
    Ok(format!("sha256:{}", crate::rt::digest::hex(ctx.finish().as_ref())))
}

fn sha256_bytes(bytes: &[u8]) -> String {
    format!("sha256:{}", crate::rt::digest::sha256_hex(bytes))
}

/// A descriptor's digest, media type and size.
struct Descriptor {
    digest: String,
    media_type: Option<String>,
    size: Option<u64>,
}

fn descriptor(root: &Path, value: &Value, what: &str) -> Result<Descriptor, PushError> {
    let digest = value
        .get("digest")
        .and_then(Value::as_str)
        .ok_or_else(|| PushError::source(root, format!("has a {what} descriptor without a digest")))?;
    Ok(Descriptor {
        digest: digest.to_owned(),
        media_type: value.get("mediaType").and_then(Value::as_str).map(str::to_owned),
        size: value.get("size").and_then(Value::as_u64),
    })
}

fn parse_json(root: &Path, name: &str, bytes: &[u8]) -> Result<Value, PushError> {
    serde_json::from_slice(bytes).map_err(|e| PushError::source(root, format!("`{name}` is not JSON: {e}")))
}

/// The image of an OCI layout (a directory or a tar of one).
fn from_layout(files: &Files, reference: Option<&str>) -> Result<Plan, PushError> {
    let root = files.root.as_path();
    let layout = parse_json(root, "oci-layout", &files.read("oci-layout")?)?;
    if layout.get("imageLayoutVersion").and_then(Value::as_str).is_none() {
        return Err(PushError::source(root, "`oci-layout` has no imageLayoutVersion"));
    }
    let index_bytes = files.read("index.json")?;
    let index = parse_json(root, "index.json", &index_bytes)?;
    let listed: Vec<&Value> =
        index.get("manifests").and_then(Value::as_array).map(|m| m.iter().collect()).unwrap_or_default();
    let ref_name = |m: &Value| {
        m.get("annotations")
            .and_then(|a| a.get("org.opencontainers.image.ref.name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut plan = Planner::new(files);
    let chosen: Vec<&Value> = match reference {
        Some(r) => listed.iter().copied().filter(|m| ref_name(m).as_deref() == Some(r)).collect(),
        None => listed.clone(),
    };
    match chosen.as_slice() {
        [] if reference.is_some() => {
            let names: Vec<String> = listed.iter().filter_map(|m| ref_name(m)).collect();
            return Err(PushError::source(
                root,
                format!("has no image named `{}` (it has {names:?})", reference.unwrap_or_default()),
            ));
        }
        [] => return Err(PushError::source(root, "`index.json` lists no manifests")),
        [one] => {
            let d = descriptor(root, one, "manifest")?;
            plan.manifest(&d, 0)?;
        }
        many => {
            // Several images, each for a platform: the layout's index is itself the image index.
            if !many.iter().all(|m| m.get("platform").is_some()) {
                let names: Vec<String> = listed.iter().filter_map(|m| ref_name(m)).collect();
                return Err(PushError::source(
                    root,
                    format!("holds {} images that are not platforms of one image; choose one of {names:?}", many.len()),
                ));
            }
            for m in many {
                plan.manifest(&descriptor(root, m, "manifest")?, 1)?;
            }
            let text =
                String::from_utf8(index_bytes).map_err(|_| PushError::source(root, "`index.json` is not UTF-8"))?;
            plan.manifests.push(ManifestDoc {
                digest: sha256_bytes(text.as_bytes()),
                media_type: media::OCI_INDEX.to_owned(),
                text,
            });
        }
    }
    Ok(plan.finish())
}

/// Walks manifests and indexes, collecting blobs once each and manifests children first.
struct Planner<'a> {
    files: &'a Files,
    blobs: BTreeMap<String, BlobRef>,
    order: Vec<String>,
    manifests: Vec<ManifestDoc>,
}

impl<'a> Planner<'a> {
    fn new(files: &'a Files) -> Self {
        Planner { files, blobs: BTreeMap::new(), order: Vec::new(), manifests: Vec::new() }
    }

    fn add_blob(&mut self, d: &Descriptor) -> Result<(), PushError> {
        if !self.blobs.contains_key(&d.digest) {
            let blob = self.files.blob(&d.digest, d.size)?;
            self.order.push(d.digest.clone());
            self.blobs.insert(d.digest.clone(), blob);
        }
        Ok(())
    }

    /// Adds the manifest or index `d` and what it refers to.
    fn manifest(&mut self, d: &Descriptor, depth: usize) -> Result<(), PushError> {
        let root = self.files.root.clone();
        if depth > 2 {
            return Err(PushError::source(&root, "nests image indexes more than two deep"));
        }
        if self.manifests.iter().any(|m| m.digest == d.digest) {
            return Ok(());
        }
        let blob = self.files.blob(&d.digest, d.size)?;
        if blob.size > MAX_DOCUMENT {
            return Err(PushError::source(&root, format!("manifest {} is larger than ECR Public takes", d.digest)));
        }
        let bytes = blob.source.read_at(0, blob.size as usize).map_err(|e| PushError::source(&root, e.to_string()))?;
        let value = parse_json(&root, &d.digest, &bytes)?;
        let media_type = value
            .get("mediaType")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| d.media_type.clone())
            .ok_or_else(|| PushError::source(&root, format!("manifest {} has no mediaType", d.digest)))?;
        if media_type == media::OCI_INDEX || media_type == media::DOCKER_LIST {
            let children = value.get("manifests").and_then(Value::as_array).cloned().unwrap_or_default();
            if children.is_empty() {
                return Err(PushError::source(&root, format!("image index {} lists no manifests", d.digest)));
            }
            for child in &children {
                self.manifest(&descriptor(&root, child, "manifest")?, depth + 1)?;
            }
        } else {
            if let Some(config) = value.get("config") {
                self.add_blob(&descriptor(&root, config, "config")?)?;
            }
            let layers = value.get("layers").and_then(Value::as_array).cloned().unwrap_or_default();
            for layer in &layers {
                self.add_blob(&descriptor(&root, layer, "layer")?)?;
            }
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| PushError::source(&root, format!("manifest {} is not UTF-8", d.digest)))?;
        self.manifests.push(ManifestDoc { digest: d.digest.clone(), media_type, text });
        Ok(())
    }

    fn finish(mut self) -> Plan {
        let blobs = self.order.iter().filter_map(|d| self.blobs.remove(d)).collect();
        Plan { blobs, manifests: self.manifests }
    }
}

/// The image of a `docker save` tarball in its classic form (`manifest.json`, a config file and
/// `layer.tar`s): an OCI manifest is made for it, layers as they are stored.
fn from_docker_archive(files: &Files, reference: Option<&str>) -> Result<Plan, PushError> {
    let root = files.root.as_path();
    let manifest = parse_json(root, "manifest.json", &files.read("manifest.json")?)?;
    let images = manifest.as_array().cloned().unwrap_or_default();
    let tags_of = |i: &Value| -> Vec<String> {
        i.get("RepoTags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let chosen: Vec<&Value> = match reference {
        Some(r) => images.iter().filter(|i| tags_of(i).iter().any(|t| t == r)).collect(),
        None => images.iter().collect(),
    };
    let image = match chosen.as_slice() {
        [one] => *one,
        [] => {
            let all: Vec<String> = images.iter().flat_map(tags_of).collect();
            return Err(PushError::source(
                root,
                format!("has no image {} (it has {all:?})", reference.unwrap_or("at all")),
            ));
        }
        many => {
            let all: Vec<String> = images.iter().flat_map(tags_of).collect();
            return Err(PushError::source(root, format!("holds {} images; choose one of {all:?}", many.len())));
        }
    };
    let config_name = image
        .get("Config")
        .and_then(Value::as_str)
        .ok_or_else(|| PushError::source(root, "`manifest.json` names no Config"))?;
    let layer_names: Vec<&str> = image
        .get("Layers")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let whole = |name: &str| -> Result<BlobRef, PushError> {
        let source = files.source(&normalize(name))?;
        let digest = sha256_of(&source).map_err(|e| PushError::source(root, format!("cannot read `{name}`: {e}")))?;
        Ok(BlobRef { digest, size: source.len, source })
    };
    let config = whole(config_name)?;
    let mut blobs = vec![config.clone()];
    let mut layers = Vec::new();
    for name in &layer_names {
        let blob = whole(name)?;
        let mut magic = [0u8; 2];
        if blob.size >= 2 {
            let head = blob.source.read_at(0, 2).map_err(|e| PushError::source(root, e.to_string()))?;
            magic.copy_from_slice(&head);
        }
        let media_type = if magic == [0x1f, 0x8b] { media::OCI_LAYER_GZIP } else { media::OCI_LAYER };
        layers.push(serde_json::json!({ "mediaType": media_type, "digest": blob.digest, "size": blob.size }));
        if !blobs.iter().any(|b: &BlobRef| b.digest == blob.digest) {
            blobs.push(blob);
        }
    }
    let doc = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_MANIFEST,
        "config": { "mediaType": media::OCI_CONFIG, "digest": config.digest, "size": config.size },
        "layers": layers,
    });
    let text = doc.to_string();
    Ok(Plan {
        blobs,
        manifests: vec![ManifestDoc {
            digest: sha256_bytes(text.as_bytes()),
            media_type: media::OCI_MANIFEST.to_owned(),
            text,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn paths_normalize_as_tar_links_need() {
        assert_eq!(normalize("./blobs/sha256/ab"), "blobs/sha256/ab");
        assert_eq!(normalize("abc/../blobs/sha256/ab"), "blobs/sha256/ab");
        assert_eq!(normalize("/x//y/./z"), "x/y/z");
        assert_eq!(normalize("../../etc"), "etc");
    }
}
