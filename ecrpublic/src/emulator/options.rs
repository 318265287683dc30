//! [`EmulatorOptions`] and the typed values it is seeded with: what a test cannot create through
//! the API (a verified registry, an approved custom alias, Marketplace entitlements, scan results,
//! publisher reports) is set here before the emulator starts.

use crate::types::{ImageScanFinding, PublisherReport, RegistryAliasStatus, ScanStatus};

/// The Regions Amazon ECR Public serves its API in, the emulator's default for
/// [`EmulatorOptions::regions`].
pub const SERVED_REGIONS: &[&str] = &["us-east-1", "us-west-2"];

/// The service's smallest layer part (other than the last one of an upload): 5 MiB.
pub const SERVICE_MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// The default [`EmulatorOptions::max_request_bytes`]: 32 MiB, room for the largest request the
/// model allows (a 20 MiB layer part, base64-encoded in JSON).
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;

/// The default [`EmulatorOptions::max_stored_bytes`]: 1 GiB.
pub const DEFAULT_MAX_STORED_BYTES: u64 = 1024 * 1024 * 1024;

/// The default [`EmulatorOptions::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// How to start an [`Emulator`](super::Emulator): set what you need and take the rest from
/// `Default`, e.g. `EmulatorOptions { port: Some(5000), ..Default::default() }`, or chain the
/// `with_*` setters. [`premium_registry`](Self::premium_registry) starts from a registry that may
/// hold premium repositories.
///
/// The defaults are the service's own rules and limits; the options that relax them
/// ([`min_part_size`](Self::min_part_size), [`regions`](Self::regions)) say so.
#[derive(Clone)]
pub struct EmulatorOptions {
    /// Port to listen on (on 127.0.0.1); `None` picks a free one.
    pub port: Option<u16>,
    /// Access key id / secret access key pairs whose signatures are verified. Empty (the
    /// default): any well-formed signature, or none at all, is accepted, and starting says so
    /// with a warning (`tracing`). `Debug` shows the key ids only.
    pub credentials: Vec<(String, String)>,
    /// Host names, besides `127.0.0.1`, `localhost` and `[::1]`, that requests may name in their
    /// `Host` header (with the emulator's port). A request for another host is refused with HTTP
    /// 421, so that a web page cannot reach the emulator through a name that resolves to
    /// 127.0.0.1 (DNS rebinding). Add the name a container or proxy uses. Default none.
    pub allowed_hosts: Vec<String>,
    /// The largest request body accepted; a larger one is refused with HTTP 413 before it is
    /// read. Default [`DEFAULT_MAX_REQUEST_BYTES`].
    pub max_request_bytes: usize,
    /// How many bytes the emulator keeps: image manifests, layers (each once, however many
    /// repositories hold it, so that the registry can serve them) and the parts of uploads in
    /// progress. A `PutImage` or `UploadLayerPart` past it fails with `LimitExceededException`.
    /// Default [`DEFAULT_MAX_STORED_BYTES`].
    pub max_stored_bytes: u64,
    /// How many connections are served at once; more wait to be accepted. Default
    /// [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// The registry's account id (12 digits). Default `123456789012`.
    pub account_id: String,
    /// The registry's default alias, the one it was given when it was made. It is the primary
    /// alias, used in repository URIs, unless [`custom_alias`](Self::custom_alias) is approved.
    /// Default `emulator`.
    pub registry_alias: String,
    /// A custom alias the registry asked for, with the state of that request: an `ACTIVE`
    /// (approved) one is the primary alias, used in repository URIs. Default `None`.
    pub custom_alias: Option<CustomAlias>,
    /// Whether the account is a verified Marketplace vendor (`Registry.verified`). Default false.
    pub verified: bool,
    /// The Regions requests may be signed for; a request signed for another one fails with
    /// `UnsupportedCommandException`. Default [`SERVED_REGIONS`], where the service is; empty
    /// accepts any Region.
    pub regions: Vec<String>,
    /// Smallest size of a layer part other than the last one, checked by
    /// `CompleteLayerUpload` (`LayerPartTooSmallException`). Default
    /// [`SERVICE_MIN_PART_SIZE`] (5 MiB), as the service; lower it to upload tiny test layers in
    /// several parts.
    pub min_part_size: u64,
    /// How many repositories of each type (free, premium) the registry may hold before
    /// `CreateRepository` / `CreatePremiumRepository` fail with `LimitExceededException`.
    /// Default 10 000, the service's default quota.
    pub max_repositories: usize,
    /// How many images a repository may hold before `PutImage` fails with
    /// `LimitExceededException`. Default 10 000, the service's default quota.
    pub max_images_per_repository: usize,
    /// The caller's active Marketplace entitlements, which `DescribeEntitled*` serve (a purchase
    /// cannot happen locally). Default none.
    pub entitlements: Vec<Entitlement>,
    /// How the automatic scans of images in premium repositories progress and what they find.
    pub scan: ScanOptions,
    /// The publisher reports `ListPublisherReports` lists and
    /// `GetDownloadUrlForPublisherReport` serves. Default none.
    pub publisher_reports: Vec<PublisherReport>,
}

/// A custom registry alias and the state of its request ([`EmulatorOptions::custom_alias`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomAlias {
    /// The alias, e.g. `my-company` (the service's alias pattern: `[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*`).
    pub name: String,
    /// `ACTIVE` once approved (then it is the primary alias), `PENDING` while in review,
    /// `REJECTED` if refused.
    pub status: RegistryAliasStatus,
}

impl CustomAlias {
    /// An approved (`ACTIVE`) custom alias.
    pub fn approved(name: impl Into<String>) -> Self {
        CustomAlias { name: name.into(), status: RegistryAliasStatus::Active }
    }

    /// A custom alias still in review (`PENDING`).
    pub fn pending(name: impl Into<String>) -> Self {
        CustomAlias { name: name.into(), status: RegistryAliasStatus::Pending }
    }
}

/// An active Marketplace entitlement to a premium repository ([`EmulatorOptions::entitlements`]).
///
/// The repository is looked up in the emulator's own registry when `registry_alias` is one of its
/// aliases: the caller is entitled to it once it exists and has left the `DRAFT` state. An
/// entitlement to anything else is reported as `EntitlementNotFoundException`, like one whose
/// repository does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entitlement {
    /// The publisher's registry alias, the first part of the repository URI.
    pub registry_alias: String,
    /// The premium repository's name.
    pub repository_name: String,
    /// The Marketplace product bought; `None`: the repository's first product. An entitlement
    /// through a product the repository no longer lists is not active.
    pub product_id: Option<String>,
}

impl Entitlement {
    /// An entitlement to `registry_alias/repository_name` through its first product.
    pub fn new(registry_alias: impl Into<String>, repository_name: impl Into<String>) -> Self {
        Entitlement { registry_alias: registry_alias.into(), repository_name: repository_name.into(), product_id: None }
    }

    /// The same entitlement, through the product `product_id`.
    pub fn via_product(mut self, product_id: impl Into<String>) -> Self {
        self.product_id = Some(product_id.into());
        self
    }

    /// Parses the CLI form `ALIAS/REPOSITORY[:PRODUCT]`.
    pub fn parse(text: &str) -> Option<Self> {
        let (path, product) = match text.rsplit_once(':') {
            Some((path, product)) => (path, Some(product)),
            None => (text, None),
        };
        let (alias, name) = path.split_once('/')?;
        if alias.is_empty() || name.is_empty() || product.is_some_and(str::is_empty) {
            return None;
        }
        let entitlement = Entitlement::new(alias, name);
        Some(match product {
            Some(p) => entitlement.via_product(p),
            None => entitlement,
        })
    }
}

/// How the scan of an image in a premium repository progresses ([`EmulatorOptions::scan`]),
/// counted in `DescribeImageScanFindings` calls for that image, so that tests are deterministic:
/// the first [`not_found_calls`](Self::not_found_calls) calls fail with `ScanNotFoundException`,
/// the next [`pending_calls`](Self::pending_calls) answer `PENDING`, and every later one answers
/// [`final_status`](Self::final_status), with the [`findings`](Self::findings) when that status
/// has findings (`COMPLETE`, `ACTIVE`, `SCAN_ELIGIBILITY_EXPIRED`).
///
/// The default (one call not found, one pending, then `COMPLETE` without findings) takes a
/// waiter for `COMPLETE` through each stage in three polls.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Calls answered with `ScanNotFoundException` before the scan shows. Default 1.
    pub not_found_calls: u32,
    /// Calls then answered with `PENDING`. Default 1.
    pub pending_calls: u32,
    /// The status the scan ends in: `COMPLETE` (default), `ACTIVE`, `FAILED`,
    /// `UNSUPPORTED_IMAGE`, `SCAN_ELIGIBILITY_EXPIRED` or `FINDINGS_UNAVAILABLE` (not `PENDING`).
    pub final_status: ScanStatus,
    /// The vulnerabilities every scan finds, in this order (members left out are filled in for
    /// the image: `awsAccountId`, `findingId`, the observation times and the container image
    /// resource). `findingSeverityCounts` counts them by `severity` (upper-cased; a severity
    /// that is not one of the model's `FindingSeverity` values counts as `UNDEFINED`).
    pub findings: Vec<ImageScanFinding>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions { not_found_calls: 1, pending_calls: 1, final_status: ScanStatus::Complete, findings: Vec::new() }
    }
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            port: None,
            credentials: Vec::new(),
            allowed_hosts: Vec::new(),
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            max_stored_bytes: DEFAULT_MAX_STORED_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            account_id: "123456789012".to_owned(),
            registry_alias: "emulator".to_owned(),
            custom_alias: None,
            verified: false,
            regions: SERVED_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            min_part_size: SERVICE_MIN_PART_SIZE,
            max_repositories: 10_000,
            max_images_per_repository: 10_000,
            entitlements: Vec::new(),
            scan: ScanOptions::default(),
            publisher_reports: Vec::new(),
        }
    }
}

impl std::fmt::Debug for EmulatorOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets stay out of logs and panic messages: only the key ids are shown.
        let key_ids: Vec<&str> = self.credentials.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("EmulatorOptions")
            .field("port", &self.port)
            .field("credentials", &format_args!("{key_ids:?} (secrets redacted)"))
            .field("allowed_hosts", &self.allowed_hosts)
            .field("max_request_bytes", &self.max_request_bytes)
            .field("max_stored_bytes", &self.max_stored_bytes)
            .field("max_connections", &self.max_connections)
            .field("account_id", &self.account_id)
            .field("registry_alias", &self.registry_alias)
            .field("custom_alias", &self.custom_alias)
            .field("verified", &self.verified)
            .field("regions", &self.regions)
            .field("min_part_size", &self.min_part_size)
            .field("max_repositories", &self.max_repositories)
            .field("max_images_per_repository", &self.max_images_per_repository)
            .field("entitlements", &self.entitlements)
            .field("scan", &self.scan)
            .field("publisher_reports", &self.publisher_reports)
            .finish()
    }
}

impl EmulatorOptions {
    /// The alias [`premium_registry`](Self::premium_registry) approves.
    pub const PREMIUM_ALIAS: &'static str = "publisher";

    /// The defaults, for a registry that may hold premium repositories: verified, with the
    /// approved custom alias [`PREMIUM_ALIAS`](Self::PREMIUM_ALIAS) (so repository URIs are
    /// `public.ecr.aws/publisher/NAME`).
    pub fn premium_registry() -> Self {
        EmulatorOptions::default().with_verified(true).with_custom_alias(CustomAlias::approved(Self::PREMIUM_ALIAS))
    }

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

    /// Adds a name to [`allowed_hosts`](Self::allowed_hosts).
    pub fn with_allowed_host(mut self, host: impl Into<String>) -> Self {
        self.allowed_hosts.push(host.into());
        self
    }

    /// Sets [`max_request_bytes`](Self::max_request_bytes).
    pub fn with_max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// Sets [`max_stored_bytes`](Self::max_stored_bytes).
    pub fn with_max_stored_bytes(mut self, bytes: u64) -> Self {
        self.max_stored_bytes = bytes;
        self
    }

    /// Sets [`max_connections`](Self::max_connections).
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections;
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

    /// Sets [`custom_alias`](Self::custom_alias).
    pub fn with_custom_alias(mut self, alias: CustomAlias) -> Self {
        self.custom_alias = Some(alias);
        self
    }

    /// Sets [`verified`](Self::verified).
    pub fn with_verified(mut self, verified: bool) -> Self {
        self.verified = verified;
        self
    }

    /// Serves only `region` (`Some`), or any Region (`None`): sets [`regions`](Self::regions).
    pub fn with_region(mut self, region: Option<String>) -> Self {
        self.regions = region.into_iter().collect();
        self
    }

    /// Sets [`regions`](Self::regions); empty accepts any Region.
    pub fn with_regions(mut self, regions: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.regions = regions.into_iter().map(Into::into).collect();
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

    /// Sets [`max_images_per_repository`](Self::max_images_per_repository).
    pub fn with_max_images_per_repository(mut self, n: usize) -> Self {
        self.max_images_per_repository = n;
        self
    }

    /// Adds an entitlement to [`entitlements`](Self::entitlements).
    pub fn with_entitlement(mut self, entitlement: Entitlement) -> Self {
        self.entitlements.push(entitlement);
        self
    }

    /// Sets [`scan`](Self::scan).
    pub fn with_scan(mut self, scan: ScanOptions) -> Self {
        self.scan = scan;
        self
    }

    /// Adds a finding to the [`scan`](Self::scan)'s findings.
    pub fn with_scan_finding(mut self, finding: ImageScanFinding) -> Self {
        self.scan.findings.push(finding);
        self
    }

    /// Adds a report to [`publisher_reports`](Self::publisher_reports).
    pub fn with_publisher_report(mut self, report: PublisherReport) -> Self {
        self.publisher_reports.push(report);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entitlements_parse() {
        assert_eq!(Entitlement::parse("pub/team/app"), Some(Entitlement::new("pub", "team/app")));
        assert_eq!(Entitlement::parse("pub/app:prod-1"), Some(Entitlement::new("pub", "app").via_product("prod-1")));
        for bad in ["", "pub", "/app", "pub/", "pub/app:"] {
            assert_eq!(Entitlement::parse(bad), None, "{bad}");
        }
    }
}
