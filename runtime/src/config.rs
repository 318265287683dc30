//! Client configuration. Every default lives here, in [`Config::default`] and the types it
//! holds: region none, endpoint from the model's rules, standard retries (3 attempts), no
//! timeouts beyond the transport's, client-side validation on.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;

use super::env::Env;
use super::error::ConfigError;
use super::error::TransportError;
use super::profile::ProfileFiles;
use super::retry::{RetryConfig, RetryMode};
use super::tls::{ClientIdentity, PemBytes};
use super::transport::{BoxError, Connection, CustomConnector, HttpSettings, HyperTransport, ProxySettings, Transport};

/// The built-in HTTP client, made by the first client of a configuration and shared by every
/// client made from it or its clones: one connection pool for all services.
pub(crate) type SharedHttpClient = Arc<OnceLock<Result<Arc<dyn Transport>, Arc<TransportError>>>>;

/// How a client reaches and authenticates to the service. Build one with [`Config::builder`],
/// or read the environment and the shared config files with [`Config::from_env`].
#[derive(Clone)]
pub struct Config {
    pub(crate) region: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
    pub(crate) account_id_endpoint_mode: AccountIdEndpointMode,
    pub(crate) credentials: Option<SharedCredentialsProvider>,
    pub(crate) transport: Option<Arc<dyn Transport>>,
    /// A connector for the built-in transport, instead of hyper-util's TCP one.
    pub(crate) connector: Option<CustomConnector>,
    pub(crate) http: HttpSettings,
    /// Built from `http` on first use; a builder that changes `http` starts a new one.
    pub(crate) http_client: SharedHttpClient,
    pub(crate) retry: RetryConfig,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) app_id: Option<String>,
    pub(crate) behavior_version: BehaviorVersion,
    pub(crate) validation: bool,
    /// Bodies of `@requestCompression` operations at least this large are gzip-compressed.
    pub(crate) request_min_compression_size: u32,
    pub(crate) disable_request_compression: bool,
    /// Endpoint rule parameters beyond the built-ins (a service's client context parameters).
    pub(crate) endpoint_params: Vec<(String, super::endpoint::Value)>,
    /// The environment and profile files the configuration was loaded from, for settings that
    /// depend on the service (`AWS_ENDPOINT_URL_<SERVICE>`, a profile's `services` section).
    pub(crate) loaded: Option<Arc<Loaded>>,
    /// A problem found while loading; every call reports it.
    pub(crate) load_error: Option<ConfigError>,
    /// Run for every call of every client made from this configuration.
    pub(crate) interceptors: Vec<super::interceptor::SharedInterceptor>,
}

pub(crate) struct Loaded {
    pub(crate) env: Env,
    pub(crate) files: ProfileFiles,
    pub(crate) profile: String,
}

impl Loaded {
    /// A service's endpoint: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
    /// `services` section, then the profile's `endpoint_url`.
    pub(crate) fn endpoint_url(&self, env_suffix: &str) -> Option<String> {
        self.files.configured_endpoint(&self.env, &self.profile, env_suffix)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            region: None,
            endpoint_url: None,
            use_fips: false,
            use_dual_stack: false,
            account_id_endpoint_mode: AccountIdEndpointMode::default(),
            credentials: None,
            transport: None,
            connector: None,
            http: HttpSettings::default(),
            http_client: SharedHttpClient::default(),
            retry: RetryConfig::default(),
            attempt_timeout: None,
            operation_timeout: None,
            app_id: None,
            behavior_version: BehaviorVersion::default(),
            validation: true,
            request_min_compression_size: 10_240,
            disable_request_compression: false,
            endpoint_params: Vec::new(),
            loaded: None,
            load_error: None,
            interceptors: Vec::new(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("account_id_endpoint_mode", &self.account_id_endpoint_mode)
            .field("credentials", &self.credentials.as_ref().map(|_| "set"))
            .field("transport", &self.transport.as_ref().map(|_| "custom"))
            .field("http_connector", &self.connector.as_ref().map(|_| "custom"))
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("app_id", &self.app_id)
            .field("behavior_version", &self.behavior_version)
            .field("validation", &self.validation)
            .field("interceptors", &super::interceptor::names(&self.interceptors))
            .finish()
    }
}

impl Config {
    /// A builder with nothing read from the environment: no region, no credentials, and the
    /// first [`BehaviorVersion`]'s defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Configuration from the environment and the shared `config`/`credentials` files; see
    /// [`ConfigLoader`]. A problem in those files is reported by every call.
    pub async fn from_env() -> Config {
        match Config::loader().load().await {
            Ok(b) => b.build(),
            Err(e) => Config { load_error: Some(e), ..Config::default() },
        }
    }

    /// Loads configuration with options: another profile, an isolated environment.
    pub fn loader() -> ConfigLoader {
        ConfigLoader { env: Env::real(), profile: None }
    }

    /// The region requests go to, e.g. `us-east-1`; with none (and no endpoint URL) calls
    /// fail with a [`ConfigError`].
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The fixed endpoint that replaces the one the endpoint rules give, if one is set.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// Whether requests go to the region's FIPS endpoint (default `false`).
    pub fn use_fips(&self) -> bool {
        self.use_fips
    }

    /// Whether requests go to the region's dual-stack (IPv4 and IPv6) endpoint (default `false`).
    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }

    /// Whether account-based endpoints are used (default [`AccountIdEndpointMode::Preferred`]).
    pub fn account_id_endpoint_mode(&self) -> AccountIdEndpointMode {
        self.account_id_endpoint_mode
    }

    /// Whose defaults this configuration has: see [`BehaviorVersion`].
    pub fn behavior_version(&self) -> BehaviorVersion {
        self.behavior_version
    }

    /// How failed attempts are retried: mode, attempts and backoff.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// A builder starting from this configuration: for one service's overrides (another
    /// endpoint, say) while its clients keep sharing the credentials cache and, unless the HTTP
    /// settings change, the connection pool.
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder { config: self.clone() }
    }

    /// The transport a client of this configuration sends with: the custom one, else the
    /// built-in client shared by every client of this configuration.
    pub(crate) fn transport(&self) -> Result<Arc<dyn Transport>, Arc<TransportError>> {
        if let Some(t) = &self.transport {
            return Ok(t.clone());
        }
        self.http_client
            .get_or_init(|| {
                match &self.connector {
                    Some(connector) => connector.transport(&self.http),
                    None => HyperTransport::new(&self.http).map(|t| Arc::new(t) as Arc<dyn Transport>),
                }
                .map_err(Arc::new)
            })
            .clone()
    }
}

/// Reads configuration the way the AWS CLI and SDKs do, explicit settings first:
/// - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`;
/// - endpoint: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `services` section,
///   the profile's `endpoint_url`; `AWS_USE_FIPS_ENDPOINT`/`use_fips_endpoint`,
///   `AWS_USE_DUALSTACK_ENDPOINT`/`use_dualstack_endpoint`,
///   `AWS_ACCOUNT_ID_ENDPOINT_MODE`/`account_id_endpoint_mode`;
/// - credentials: the default chain (environment, profile, ECS, IMDSv2);
/// - retries: `AWS_MAX_ATTEMPTS`/`max_attempts`, `AWS_RETRY_MODE`/`retry_mode`;
/// - `AWS_SDK_UA_APP_ID`/`sdk_ua_app_id`, `AWS_CA_BUNDLE`/`ca_bundle` (else `SSL_CERT_FILE`),
///   `HTTPS_PROXY`, `HTTP_PROXY` (not under CGI, where a request can set it: only `http_proxy`
///   then), `no_proxy`/`NO_PROXY` (the lowercase one first, as curl reads them).
///
/// The profile is the one given, else `AWS_PROFILE`, else `default`.
#[derive(Debug, Clone)]
pub struct ConfigLoader {
    env: Env,
    profile: Option<String>,
}

impl ConfigLoader {
    /// Read this environment instead of the process's (for tests).
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Use this profile of the shared files.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Reads the environment and the shared files into a builder, to adjust before
    /// [`build`](ConfigBuilder::build). Fails when a file cannot be read or parsed, or when the
    /// profile given explicitly is in neither file.
    pub async fn load(self) -> Result<ConfigBuilder, ConfigError> {
        let env = self.env;
        let files = ProfileFiles::load(&env).await.map_err(|e| ConfigError::new(e.to_string()))?;
        let profile_name = ProfileFiles::selected_name(&env, self.profile.as_deref());
        if self.profile.is_some() && files.profile(&profile_name).is_none() {
            return Err(ConfigError::new(format!("profile `{profile_name}` is not in the shared config files")));
        }
        let setting = |env_key: &str, profile_key: &str| {
            env.get(env_key)
                .or_else(|| files.profile(&profile_name).and_then(|p| p.get(profile_key)).map(str::to_owned))
        };
        let flag = |env_key: &str, profile_key: &str| -> Result<bool, ConfigError> {
            match setting(env_key, profile_key) {
                None => Ok(false),
                Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
                Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
                Some(v) => Err(ConfigError::new(format!("{env_key}/{profile_key} must be true or false, not `{v}`"))),
            }
        };
        let mut retry = RetryConfig::default();
        if let Some(v) = setting("AWS_MAX_ATTEMPTS", "max_attempts") {
            retry.max_attempts = v
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ConfigError::new(format!("max attempts must be a whole number >= 1, not `{v}`")))?;
        }
        if let Some(v) = setting("AWS_RETRY_MODE", "retry_mode") {
            retry.mode = v.parse::<RetryMode>().map_err(ConfigError::new)?;
        }
        let first = |a: &str, b: &str| env.get(a).or_else(|| env.get(b));
        let min_compression =
            match setting("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "request_min_compression_size_bytes") {
                None => 10_240,
                Some(v) => v.parse::<u32>().ok().filter(|n| *n <= 10_485_760).ok_or_else(|| {
                    ConfigError::new(format!("request_min_compression_size_bytes must be 0 to 10485760, not `{v}`"))
                })?,
            };
        let account_id_endpoint_mode = match setting("AWS_ACCOUNT_ID_ENDPOINT_MODE", "account_id_endpoint_mode") {
            None => AccountIdEndpointMode::default(),
            Some(v) => v.parse().map_err(ConfigError::new)?,
        };
        let region = match super::region::from_env_and_profile(&env, &files, &profile_name) {
            Some((region, source)) => {
                super::region::check(&region)
                    .map_err(|e| ConfigError::new(format!("{e} (from {})", source.describe())))?;
                Some(region)
            }
            // Last, as aws-config does: the instance's region, on EC2.
            None => super::credentials::ImdsProvider::new(env.clone()).region().await,
        };
        // httpoxy: under CGI (`REQUEST_METHOD` set) a request's `Proxy:` header arrives as
        // `HTTP_PROXY`, so only the lowercase form, which no header can set, is trusted (as curl does).
        let http_proxy = if env.get("REQUEST_METHOD").is_some() {
            if env.get("HTTP_PROXY").is_some() {
                tracing::warn!(target: "awsjson_runtime::config", "HTTP_PROXY ignored: running as CGI (REQUEST_METHOD is set); use http_proxy");
            }
            env.get("http_proxy")
        } else {
            first("HTTP_PROXY", "http_proxy")
        };
        let http = HttpSettings {
            proxy: ProxySettings {
                http: http_proxy,
                https: first("HTTPS_PROXY", "https_proxy"),
                no_proxy: first("no_proxy", "NO_PROXY"),
            },
            // OpenSSL's variable, which curl and most TLS clients honour: the last resort.
            ca_bundle: setting("AWS_CA_BUNDLE", "ca_bundle").or_else(|| env.get("SSL_CERT_FILE")).map(Into::into),
            ..HttpSettings::default()
        };
        let config = Config {
            region: region.clone(),
            endpoint_url: None,
            use_fips: flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?,
            use_dual_stack: flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?,
            account_id_endpoint_mode,
            // Only a profile chosen here is passed on: the chain reads `AWS_PROFILE` itself, and an
            // implicit `default` that does not exist must let the chain go on to ECS and IMDS.
            credentials: Some(SharedCredentialsProvider::new(super::credentials::CachedCredentials::new(
                super::credentials::DefaultCredentialsChain::configured(
                    env.clone(),
                    self.profile.clone(),
                    region,
                    http.clone(),
                ),
            ))),
            transport: None,
            http,
            retry,
            app_id: setting("AWS_SDK_UA_APP_ID", "sdk_ua_app_id"),
            request_min_compression_size: min_compression,
            disable_request_compression: flag("AWS_DISABLE_REQUEST_COMPRESSION", "disable_request_compression")?,
            loaded: Some(Arc::new(Loaded { env, files, profile: profile_name })),
            ..Config::default()
        };
        Ok(ConfigBuilder { config })
    }
}

/// Which set of defaults a configuration starts from. When a release changes a default that
/// existing programs could notice (a timeout, the retry mode, an endpoint choice), the new
/// default comes with a new version here and the old versions keep the old one: an upgrade never
/// changes a running program's behaviour unless it asks for a newer version. Releases add
/// versions and never remove one within a major version.
///
/// There is one version so far, so every configuration behaves the same today: with the
/// defaults in the README's table.
///
/// ```
/// use awsjson_runtime::{BehaviorVersion, Config};
/// // Follow every new default as it comes:
/// let config = Config::builder().behavior_version(BehaviorVersion::latest()).build();
/// // Or stay with the defaults of December 2026 whatever the crate version:
/// let pinned = Config::builder().behavior_version(BehaviorVersion::v2026_12()).build();
/// assert_eq!(config.behavior_version(), pinned.behavior_version());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct BehaviorVersion(Version);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Version {
    /// The defaults of the first release: see the README's table.
    #[default]
    V2026_12,
}

impl BehaviorVersion {
    /// The newest defaults of this crate version; an upgrade may change them.
    pub fn latest() -> Self {
        BehaviorVersion(Version::V2026_12)
    }

    /// The defaults of December 2026 (the first release), kept as they are by later releases.
    pub fn v2026_12() -> Self {
        BehaviorVersion(Version::V2026_12)
    }

    /// Whether this version has at least the defaults of `other` (for code that changes a
    /// default with a version).
    pub fn is_at_least(self, other: BehaviorVersion) -> bool {
        self >= other
    }
}

/// Whether a service with account-based endpoints routes requests by the credentials' account
/// (the endpoint rules' `AWS::Auth::AccountIdEndpointMode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccountIdEndpointMode {
    /// The account's endpoint when the credentials name an account, else the regional one.
    #[default]
    Preferred,
    /// Always the regional endpoint.
    Disabled,
    /// The account's endpoint; a call whose credentials name no account fails.
    Required,
}

impl AccountIdEndpointMode {
    /// The name the endpoint rules and the shared config files use.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountIdEndpointMode::Preferred => "preferred",
            AccountIdEndpointMode::Disabled => "disabled",
            AccountIdEndpointMode::Required => "required",
        }
    }
}

impl std::str::FromStr for AccountIdEndpointMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        [AccountIdEndpointMode::Preferred, AccountIdEndpointMode::Disabled, AccountIdEndpointMode::Required]
            .into_iter()
            .find(|m| text.trim().eq_ignore_ascii_case(m.as_str()))
            .ok_or_else(|| {
                format!(
                    "AWS_ACCOUNT_ID_ENDPOINT_MODE/account_id_endpoint_mode must be preferred, disabled or required, \
                     not `{text}`"
                )
            })
    }
}

/// Builds a [`Config`]. Explicit settings win over anything loaded.
#[derive(Clone, Default, Debug)]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// The HTTP settings, to change: the shared client built from the old ones no longer fits.
    fn http(&mut self) -> &mut HttpSettings {
        self.config.http_client = SharedHttpClient::default();
        &mut self.config.http
    }

    /// The region to send requests to, such as `us-east-1`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.config.region = Some(region.into());
        self
    }

    /// A fixed endpoint (`https://...`, or `http://...` for a local server), instead of the one
    /// the service's endpoint rules give for the region.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.config.endpoint_url = Some(url.into());
        self
    }

    /// Use the FIPS endpoint of the region.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.config.use_fips = on;
        self
    }

    /// Use the dual-stack (IPv4 and IPv6) endpoint of the region.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.config.use_dual_stack = on;
        self
    }

    /// Take the defaults of this behaviour version (timeouts, retries and the like). See
    /// [`BehaviorVersion`]: without this call a configuration keeps the first version's.
    pub fn behavior_version(mut self, version: BehaviorVersion) -> Self {
        self.config.behavior_version = version;
        self
    }

    /// Whether requests use account-based endpoints, for services whose endpoint rules have
    /// them (DynamoDB's `https://{account}.ddb.{region}.amazonaws.com`). The account is the one
    /// the credentials name (`AWS_ACCOUNT_ID`, a profile's `aws_account_id`, an assumed role's
    /// ARN, SSO's `sso_account_id`, `AccountId` in process or container credentials).
    pub fn account_id_endpoint_mode(mut self, mode: AccountIdEndpointMode) -> Self {
        self.config.account_id_endpoint_mode = mode;
        self
    }

    pub(crate) fn has_credentials(&self) -> bool {
        self.config.credentials.is_some()
    }

    /// Fixed credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        // Nothing to load, so nothing to cache.
        self.config.credentials = Some(SharedCredentialsProvider::new(credentials));
        self
    }

    /// Any credentials provider of the `aws-credential-types` ecosystem, `aws-config`'s included,
    /// behind a [`CachedCredentials`](crate::credentials::CachedCredentials): every client made
    /// from this configuration (of any service) shares the one cache, so credentials are loaded
    /// once for all of them and again only before they expire.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.config.credentials =
            Some(SharedCredentialsProvider::new(super::credentials::CachedCredentials::new(provider)));
        self
    }

    /// A transport other than the built-in hyper one: a test double, a recorder.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.config.transport = Some(Arc::new(transport));
        self
    }

    /// Send requests through a proxy: one URL for every endpoint, or [`ProxySettings`] for
    /// separate http/https proxies and a no-proxy list.
    pub fn proxy(mut self, proxy: impl Into<ProxySettings>) -> Self {
        self.http().proxy = proxy.into();
        self
    }

    /// Trust the CA certificates of this PEM file instead of the default roots.
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.http().ca_bundle = Some(path.into());
        self.config.http.ca_bundle_pem = None;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.http().pool_idle_timeout = Some(timeout);
        self
    }

    /// Longest time to establish a connection: TCP and the TLS handshake together (default
    /// 3.1 s, [`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT)).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http().connect_timeout = Some(timeout);
        self
    }

    /// No connect timeout: wait as long as the operating system does.
    pub fn no_connect_timeout(mut self) -> Self {
        self.http().connect_timeout = None;
        self
    }

    /// Longest gap in the response: from the end of the request body to the response headers,
    /// then between pieces of the body (default none). It never limits how long a whole upload or
    /// download takes; stalled-stream protection and the attempt timeout do that.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.http().read_timeout = Some(timeout);
        self
    }

    /// Fail an attempt whose request or response body moves slower than a floor for longer than
    /// a grace period (default on: 1 byte/s over 5 s);
    /// [`StalledStreamProtection::disabled`](crate::StalledStreamProtection::disabled) turns it off.
    pub fn stalled_stream_protection(mut self, protection: super::transport::StalledStreamProtection) -> Self {
        self.http().stalled_stream = protection;
        self
    }

    /// The largest response body read (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](super::transport::DEFAULT_MAX_RESPONSE_BYTES), 128 MiB); a
    /// longer one fails with [`TransportErrorKind::ResponseTooLarge`](super::error::TransportErrorKind::ResponseTooLarge).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.config.http.max_response_bytes = bytes;
        self
    }

    // TLS and HTTP: the root store, client certificates, HTTP/2, the connector.

    /// Trust the CA certificates of this PEM text instead of the default roots (and instead of a
    /// [`ca_bundle`](Self::ca_bundle) file, set before or loaded from the environment).
    ///
    /// ```
    /// # let pem = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n";
    /// let config = awsjson_runtime::Config::builder().ca_bundle_pem(pem).build();
    /// # let _ = config;
    /// ```
    pub fn ca_bundle_pem(mut self, pem: impl Into<PemBytes>) -> Self {
        self.http().ca_bundle_pem = Some(pem.into());
        self.config.http.ca_bundle = None;
        self
    }

    /// Show this client certificate to servers that ask for one (mutual TLS).
    pub fn client_identity(mut self, identity: ClientIdentity) -> Self {
        self.http().client_identity = Some(identity);
        self
    }

    /// Offer HTTP/2 to `https://` endpoints and use it where the server accepts it (default
    /// off; see [`HttpSettings::http2`]).
    pub fn http2(mut self, on: bool) -> Self {
        self.http().http2 = on;
        self
    }

    /// Open the built-in transport's connections with this connector instead of hyper-util's
    /// TCP one: a tower `Service<Uri>` returning a byte stream, such as an `HttpConnector` with a
    /// custom DNS resolver or a service opening a Unix socket. Every HTTP setting (TLS, proxies,
    /// timeouts, HTTP/2) still applies; see [`HyperTransport::with_connector`](crate::HyperTransport::with_connector).
    /// A [`transport`](Self::transport) set as well wins over it.
    ///
    /// ```
    /// # use awsjson_runtime::Config;
    /// use hyper_util::client::legacy::connect::HttpConnector;
    ///
    /// let mut tcp = HttpConnector::new();
    /// tcp.enforce_http(false); // TLS is added on top of it
    /// tcp.set_keepalive(Some(std::time::Duration::from_secs(30)));
    /// let config = Config::builder().http_connector(tcp).build();
    /// # let _ = config;
    /// ```
    pub fn http_connector<C>(mut self, connector: C) -> Self
    where
        C: tower_service::Service<http::Uri> + Clone + Send + Sync + 'static,
        C::Response: hyper::rt::Read + hyper::rt::Write + Connection + Unpin + Send + 'static,
        C::Future: Send + 'static,
        C::Error: Into<BoxError>,
    {
        self.config.http_client = SharedHttpClient::default();
        self.config.connector = Some(CustomConnector::new(connector));
        self
    }

    /// Longest time for one attempt: signing, sending, and reading the whole response.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.config.attempt_timeout = Some(timeout);
        self
    }

    /// Longest time for the whole operation, every attempt and backoff included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.config.operation_timeout = Some(timeout);
        self
    }

    /// Retry settings; [`RetryConfig::disabled`] turns retries off.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.config.retry = retry;
        self
    }

    /// Attempts in all, the first included (default 3).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.config.retry.max_attempts = attempts.max(1);
        self
    }

    /// `standard` (default) or `adaptive`.
    pub fn retry_mode(mut self, mode: RetryMode) -> Self {
        self.config.retry.mode = mode;
        self
    }

    /// An application id added to the `User-Agent` header.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.config.app_id = Some(app_id.into());
        self
    }

    /// Check inputs against the model's constraints before sending (default on).
    pub fn validation(mut self, on: bool) -> Self {
        self.config.validation = on;
        self
    }

    /// Request bodies of operations that allow compression are gzip-compressed from this size
    /// on (default 10240 bytes; 0 to 10485760).
    pub fn request_min_compression_size(mut self, bytes: u32) -> Self {
        self.config.request_min_compression_size = bytes.min(10_485_760);
        self
    }

    /// Never compress request bodies.
    pub fn disable_request_compression(mut self, disable: bool) -> Self {
        self.config.disable_request_compression = disable;
        self
    }

    /// Sets an endpoint rule parameter beyond the built-ins, such as a client context parameter
    /// of the service's rule set.
    pub fn endpoint_param(mut self, name: impl Into<String>, value: impl Into<super::endpoint::Value>) -> Self {
        self.config.endpoint_params.push((name.into(), value.into()));
        self
    }

    /// The configuration, to give to each client (its clones share the credentials cache and
    /// connection pool). Nothing is checked here: calls report a setting they cannot use.
    pub fn build(self) -> Config {
        self.config
    }

    // Interceptors.

    /// An [`Interceptor`](super::interceptor::Interceptor) run for every call of every client
    /// made from this configuration, of whatever service, in the order added (and kept by
    /// [`Config::to_builder`]); a call's own ([`CallOptions::interceptor`](crate::CallOptions::interceptor))
    /// run after these.
    pub fn interceptor(mut self, interceptor: impl super::interceptor::Interceptor) -> Self {
        self.config.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Removes the interceptors added so far (those of a configuration this builder started from
    /// included).
    pub fn clear_interceptors(mut self) -> Self {
        self.config.interceptors.clear();
        self
    }

    /// Takes what an `aws-config` [`SdkConfig`](aws_config::SdkConfig) holds: region, credentials
    /// provider (behind this crate's cache: `SdkConfig` hands out the bare provider), endpoint URL,
    /// FIPS and dual-stack, retry settings, timeouts, stalled-stream protection and app name.
    /// Settings it leaves unset keep this builder's; settings made after this call win.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    /// let config = awsjson_runtime::Config::from(&sdk);
    /// # }
    /// ```
    #[cfg(feature = "aws-config")]
    pub fn sdk_config(mut self, sdk: &aws_config::SdkConfig) -> Self {
        use aws_config::retry::RetryMode as SdkRetryMode;
        // Its timeouts and stall settings may change the HTTP settings.
        self.config.http_client = SharedHttpClient::default();
        let c = &mut self.config;
        if let Some(region) = sdk.region() {
            c.region = Some(region.to_string());
        }
        if let Some(provider) = sdk.credentials_provider() {
            c.credentials = Some(SharedCredentialsProvider::new(super::credentials::CachedCredentials::new(provider)));
        }
        if let Some(url) = sdk.endpoint_url() {
            c.endpoint_url = Some(url.to_owned());
        }
        if let Some(on) = sdk.use_fips() {
            c.use_fips = on;
        }
        if let Some(on) = sdk.use_dual_stack() {
            c.use_dual_stack = on;
        }
        if let Some(mode) = sdk.account_id_endpoint_mode() {
            // The type is `#[non_exhaustive]`: read through its wire name, as the profile is.
            if let Ok(mode) = mode.to_string().parse() {
                c.account_id_endpoint_mode = mode;
            }
        }
        if let Some(retry) = sdk.retry_config() {
            c.retry.max_attempts = retry.max_attempts().max(1);
            c.retry.initial_backoff = retry.initial_backoff();
            c.retry.max_backoff = retry.max_backoff();
            c.retry.mode = match retry.mode() {
                SdkRetryMode::Adaptive => RetryMode::Adaptive,
                _ => RetryMode::Standard,
            };
        }
        if let Some(timeouts) = sdk.timeout_config() {
            if let Some(t) = timeouts.connect_timeout() {
                c.http.connect_timeout = Some(t);
            }
            if let Some(t) = timeouts.read_timeout() {
                c.http.read_timeout = Some(t);
            }
            if let Some(t) = timeouts.operation_timeout() {
                c.operation_timeout = Some(t);
            }
            if let Some(t) = timeouts.operation_attempt_timeout() {
                c.attempt_timeout = Some(t);
            }
        }
        if let Some(stall) = sdk.stalled_stream_protection() {
            c.http.stalled_stream = if stall.is_enabled() && (stall.upload_enabled() || stall.download_enabled()) {
                super::transport::StalledStreamProtection::new(1, stall.grace_period())
            } else {
                super::transport::StalledStreamProtection::disabled()
            };
        }
        if let Some(app) = sdk.app_name() {
            c.app_id = Some(app.to_string());
        }
        self
    }
}

/// A client configuration from `aws-config`'s: see [`ConfigBuilder::sdk_config`].
#[cfg(feature = "aws-config")]
impl From<&aws_config::SdkConfig> for Config {
    fn from(sdk: &aws_config::SdkConfig) -> Config {
        Config::builder().sdk_config(sdk).build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_of_one_config_share_its_http_client_until_its_settings_change() {
        let config = Config::builder().region("us-east-1").build();
        let a = config.transport().expect("built");
        let b = config.clone().transport().expect("built");
        assert!(Arc::ptr_eq(&a, &b), "clones share the client");
        let other_endpoint = config.to_builder().endpoint_url("http://localhost:1").build();
        assert!(Arc::ptr_eq(&a, &other_endpoint.transport().expect("built")), "an endpoint override keeps it");
        let other_http = config.to_builder().connect_timeout(Duration::from_secs(1)).build();
        assert!(!Arc::ptr_eq(&a, &other_http.transport().expect("built")), "new HTTP settings, new client");
    }

    async fn proxies(vars: &[(&str, &str)]) -> ProxySettings {
        let mut vars = vars.to_vec();
        vars.push(("AWS_REGION", "us-east-1"));
        let env = Env::from_vars(vars.iter().copied());
        Config::loader().env(env).load().await.expect("loads").build().http.proxy
    }

    #[tokio::test]
    async fn http_proxy_is_ignored_under_cgi() {
        // Outside CGI, HTTP_PROXY is used.
        let p = proxies(&[("HTTP_PROXY", "http://upper:1"), ("HTTPS_PROXY", "http://tls:2")]).await;
        assert_eq!((p.http.as_deref(), p.https.as_deref()), (Some("http://upper:1"), Some("http://tls:2")));
        // Under CGI, HTTP_PROXY may come from the request's `Proxy:` header (httpoxy): ignored.
        let p =
            proxies(&[("REQUEST_METHOD", "GET"), ("HTTP_PROXY", "http://attacker:1"), ("HTTPS_PROXY", "http://tls:2")])
                .await;
        assert_eq!((p.http.as_deref(), p.https.as_deref()), (None, Some("http://tls:2")));
        // The lowercase form cannot come from a header, so it still counts.
        let p = proxies(&[
            ("REQUEST_METHOD", "GET"),
            ("HTTP_PROXY", "http://attacker:1"),
            ("http_proxy", "http://lower:3"),
        ])
        .await;
        assert_eq!(p.http.as_deref(), Some("http://lower:3"));
    }

    async fn loaded_http(vars: &[(&str, &str)]) -> HttpSettings {
        let mut vars = vars.to_vec();
        vars.push(("AWS_REGION", "us-east-1"));
        let env = Env::from_vars(vars.iter().copied());
        Config::loader().env(env).load().await.expect("loads").build().http
    }

    #[tokio::test]
    async fn ssl_cert_file_is_the_last_resort_for_the_ca_bundle() {
        let bundle = |h: HttpSettings| h.ca_bundle.map(|p| p.display().to_string());
        assert_eq!(bundle(loaded_http(&[]).await), None);
        assert_eq!(
            bundle(loaded_http(&[("SSL_CERT_FILE", "/etc/ssl/x.pem")]).await).as_deref(),
            Some("/etc/ssl/x.pem")
        );
        let both = [("SSL_CERT_FILE", "/etc/ssl/x.pem"), ("AWS_CA_BUNDLE", "/aws/ca.pem")];
        assert_eq!(bundle(loaded_http(&both).await).as_deref(), Some("/aws/ca.pem"), "AWS_CA_BUNDLE wins");
        // An explicit setting replaces it, file or in memory.
        let env = Env::from_vars([("SSL_CERT_FILE", "/etc/ssl/x.pem"), ("AWS_REGION", "us-east-1")]);
        let loaded = Config::loader().env(env).load().await.unwrap();
        let http = loaded.clone().ca_bundle_pem("PEM").build().http;
        assert_eq!((http.ca_bundle, http.ca_bundle_pem), (None, Some(PemBytes::from("PEM"))));
        let http = loaded.ca_bundle("/mine.pem").build().http;
        assert_eq!(bundle(http).as_deref(), Some("/mine.pem"));
    }

    #[tokio::test]
    async fn a_bad_ssl_cert_file_is_a_tls_error_naming_it() {
        let env = Env::from_vars([("SSL_CERT_FILE", "/nonexistent/certs.pem"), ("AWS_REGION", "us-east-1")]);
        let config = Config::loader().env(env).load().await.unwrap().build();
        let err = config.transport().err().expect("a broken bundle fails");
        assert_eq!(err.kind(), super::super::error::TransportErrorKind::Tls);
        assert!(err.to_string().contains("/nonexistent/certs.pem"), "{err}");
    }

    #[tokio::test]
    async fn account_id_endpoint_mode_is_loaded_and_checked() {
        let load = |mode: Option<&'static str>| async move {
            let mut vars = vec![("AWS_REGION", "us-east-1")];
            vars.extend(mode.map(|m| ("AWS_ACCOUNT_ID_ENDPOINT_MODE", m)));
            Config::loader().env(Env::from_vars(vars)).load().await.map(|b| b.build().account_id_endpoint_mode)
        };
        assert_eq!(load(None).await.unwrap(), AccountIdEndpointMode::Preferred);
        assert_eq!(load(Some("disabled")).await.unwrap(), AccountIdEndpointMode::Disabled);
        assert_eq!(load(Some("REQUIRED")).await.unwrap(), AccountIdEndpointMode::Required);
        let err = load(Some("sometimes")).await.unwrap_err();
        assert!(err.to_string().contains("must be preferred, disabled or required, not `sometimes`"), "{err}");
        let built = Config::builder().account_id_endpoint_mode(AccountIdEndpointMode::Disabled).build();
        assert_eq!(built.account_id_endpoint_mode(), AccountIdEndpointMode::Disabled);
    }

    #[tokio::test]
    async fn lowercase_no_proxy_is_read_first() {
        let p = proxies(&[("NO_PROXY", "upper.example"), ("no_proxy", "lower.example")]).await;
        assert_eq!(p.no_proxy.as_deref(), Some("lower.example"));
        let p = proxies(&[("NO_PROXY", "upper.example")]).await;
        assert_eq!(p.no_proxy.as_deref(), Some("upper.example"));
    }

    #[test]
    fn tls_and_http_builders_start_a_new_http_client() {
        let config = Config::builder().region("us-east-1").build();
        config.transport().expect("built");
        assert!(config.to_builder().build().http_client.get().is_some(), "kept without changes");
        for changed in [
            config.to_builder().http2(true).build(),
            config.to_builder().ca_bundle_pem("x").build(),
            config.to_builder().client_identity(ClientIdentity::from_pem("a", "b")).build(),
            config.to_builder().http_connector(hyper_util::client::legacy::connect::HttpConnector::new()).build(),
        ] {
            assert!(changed.http_client.get().is_none(), "{changed:?}");
        }
    }
}
