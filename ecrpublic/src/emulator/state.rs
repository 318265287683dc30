//! The emulator's in-memory registry.

use std::collections::{BTreeMap, HashMap};

use base64_simd::URL_SAFE_NO_PAD;

use super::EmulatorOptions;
use crate::types::RepositoryCatalogData;
use crate::DateTime;

/// Everything the emulator knows, behind one lock.
#[derive(Debug)]
pub(crate) struct State {
    pub account_id: String,
    pub alias: String,
    pub min_part_size: u64,
    pub max_repositories: usize,
    /// Mixed into pagination tokens so that a token from another emulator is rejected.
    salt: String,
    /// By name, so listings come out in a stable order.
    pub repositories: BTreeMap<String, Repository>,
    pub uploads: HashMap<String, Upload>,
    pub registry_display_name: Option<String>,
    /// Failures injected with `Emulator::fail_next`: operation -> (code, how many more times).
    injected: HashMap<String, (String, usize)>,
}

#[derive(Debug)]
pub(crate) struct Repository {
    pub name: String,
    pub created_at: DateTime,
    /// `None` until catalog data is first stored.
    pub catalog: Option<RepositoryCatalogData>,
    pub policy: Option<String>,
    /// In insertion order; keys are unique.
    pub tags: Vec<(String, String)>,
    /// Layer digest -> size in bytes.
    pub layers: HashMap<String, i64>,
    /// In push order.
    pub images: Vec<Image>,
}

#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub digest: String,
    pub manifest: String,
    pub media_type: String,
    pub artifact_media_type: Option<String>,
    pub size: i64,
    pub pushed_at: DateTime,
    /// Tag -> when it was put on this image.
    pub tags: Vec<(String, DateTime)>,
}

#[derive(Debug)]
pub(crate) struct Upload {
    pub repository: String,
    pub data: Vec<u8>,
    /// Size of each part received, in order.
    pub parts: Vec<u64>,
}

impl State {
    pub fn new(options: &EmulatorOptions) -> Self {
        State {
            account_id: options.account_id.clone(),
            alias: options.registry_alias.clone(),
            min_part_size: options.min_part_size,
            max_repositories: options.max_repositories,
            salt: super::hex(&super::random_bytes()[..6]),
            repositories: BTreeMap::new(),
            uploads: HashMap::new(),
            registry_display_name: None,
            injected: HashMap::new(),
        }
    }

    pub fn repository_arn(&self, name: &str) -> String {
        format!("arn:aws:ecr-public::{}:repository/{name}", self.account_id)
    }

    pub fn repository_uri(&self, name: &str) -> String {
        format!("public.ecr.aws/{}/{name}", self.alias)
    }

    pub fn registry_arn(&self) -> String {
        format!("arn:aws:ecr-public::{}:registry/{}", self.account_id, self.account_id)
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

    /// An opaque token for resuming `operation` at `offset`.
    pub fn token(&self, operation: &str, offset: usize) -> String {
        URL_SAFE_NO_PAD.encode_to_string(format!("{}:{operation}:{offset}", self.salt))
    }

    /// The offset in a token made by [`token`](Self::token) for the same operation.
    pub fn offset(&self, operation: &str, token: &str) -> Option<usize> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode_to_vec(token).ok()?).ok()?;
        let mut parts = text.splitn(3, ':');
        if parts.next()? != self.salt || parts.next()? != operation {
            return None;
        }
        parts.next()?.parse().ok()
    }
}

impl Repository {
    pub fn new(name: &str) -> Self {
        Repository {
            name: name.to_owned(),
            created_at: DateTime::now(),
            catalog: None,
            policy: None,
            tags: Vec::new(),
            layers: HashMap::new(),
            images: Vec::new(),
        }
    }

    pub fn image_by_digest(&self, digest: &str) -> Option<usize> {
        self.images.iter().position(|i| i.digest == digest)
    }

    pub fn image_by_tag(&self, tag: &str) -> Option<usize> {
        self.images.iter().position(|i| i.tags.iter().any(|(t, _)| t == tag))
    }
}
