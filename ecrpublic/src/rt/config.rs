//! Client configuration: region, credentials, endpoint settings and the transport.

use std::fmt;
use std::sync::Arc;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;

use super::transport::{HttpSettings, ProxySettings, Transport};

/// How a client reaches and authenticates to the service. Build one with [`Config::builder`],
/// or read the environment with [`Config::from_env`].
#[derive(Clone, Default)]
pub struct Config {
    pub(crate) region: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
    pub(crate) credentials: Option<SharedCredentialsProvider>,
    pub(crate) transport: Option<Arc<dyn Transport>>,
    pub(crate) http: HttpSettings,
    /// Whether service-specific environment settings (`AWS_ENDPOINT_URL_<SERVICE>`) apply.
    pub(crate) from_env: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("credentials", &self.credentials.as_ref().map(|_| "set"))
            .field("transport", &self.transport.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl Config {
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Region from `AWS_REGION` or `AWS_DEFAULT_REGION`; endpoint from `AWS_ENDPOINT_URL_<SERVICE>`
    /// or `AWS_ENDPOINT_URL`; `AWS_USE_FIPS_ENDPOINT` and `AWS_USE_DUALSTACK_ENDPOINT`; credentials
    /// from the environment.
    pub async fn from_env() -> Config {
        ConfigBuilder::from_env().build()
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    pub fn use_fips(&self) -> bool {
        self.use_fips
    }

    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }

    /// A builder starting from this configuration.
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder { config: self.clone() }
    }
}

/// Builds a [`Config`].
#[derive(Clone, Default, Debug)]
pub struct ConfigBuilder {
    config: Config,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn env_bool(name: &str) -> bool {
    env(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

impl ConfigBuilder {
    /// A builder with the environment's settings; explicit setters override them.
    pub fn from_env() -> Self {
        let config = Config {
            region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")),
            endpoint_url: env("AWS_ENDPOINT_URL"),
            use_fips: env_bool("AWS_USE_FIPS_ENDPOINT"),
            use_dual_stack: env_bool("AWS_USE_DUALSTACK_ENDPOINT"),
            credentials: None,
            transport: None,
            http: HttpSettings {
                proxy: ProxySettings {
                    http: env("HTTP_PROXY").or_else(|| env("http_proxy")),
                    https: env("HTTPS_PROXY").or_else(|| env("https_proxy")),
                    no_proxy: env("NO_PROXY").or_else(|| env("no_proxy")),
                },
                ca_bundle: env("AWS_CA_BUNDLE").map(Into::into),
                pool_idle_timeout: None,
            },
            from_env: true,
        };
        ConfigBuilder { config }
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

    /// Fixed credentials.
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.credentials_provider(credentials)
    }

    /// Any credentials provider of the `aws-credential-types` ecosystem, `aws-config`'s included.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.config.credentials = Some(SharedCredentialsProvider::new(provider));
        self
    }

    /// A transport other than the built-in hyper one: a test double, a recorder, a proxy.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.config.transport = Some(Arc::new(transport));
        self
    }

    /// Send requests through a proxy: one URL for every endpoint, or [`ProxySettings`] for
    /// separate http/https proxies and a no-proxy list.
    pub fn proxy(mut self, proxy: impl Into<ProxySettings>) -> Self {
        self.config.http.proxy = proxy.into();
        self
    }

    /// Trust the CA certificates of this PEM file instead of the default roots.
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.config.http.ca_bundle = Some(path.into());
        self
    }

    /// How long an idle pooled connection is kept (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.config.http.pool_idle_timeout = Some(timeout);
        self
    }

    pub fn build(self) -> Config {
        self.config
    }
}
