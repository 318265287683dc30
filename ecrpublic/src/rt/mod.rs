//! The hand-written runtime the generated code calls: configuration, transport, signing,
//! endpoints, awsJson (de)serialization, errors and paginators. It knows nothing of any one
//! service; the generated code hands it a [`client::ServiceInfo`].

pub mod client;
pub mod config;
pub mod credentials;
pub(crate) mod digest;
pub mod endpoint;
pub mod env;
pub mod error;
#[cfg(feature = "gzip")]
pub(crate) mod gzip;
pub(crate) mod ids;
pub mod json;
pub mod operation;
pub mod options;
pub mod paginate;
pub mod profile;
#[cfg(test)]
#[allow(dead_code)] // Used by generated protocol tests, where a model has them.
pub(crate) mod protocol_harness;
pub mod region;
pub mod retry;
pub(crate) mod stall;
pub mod stub;
pub(crate) mod trace;
pub mod transport;
pub mod types;
pub mod validate;
pub mod waiter;

/// What the crate root re-exports.
pub mod public {
    pub use super::config::ConfigLoader;
    pub use super::config::{Config, ConfigBuilder};
    pub use super::env::Env;
    pub use super::error::{
        ConfigError, Error, ResponseError, TimeoutError, TimeoutKind, TransportError, TransportErrorKind, Unhandled,
        ValidationError,
    };
    pub use super::options::CallOptions;
    pub use super::retry::{RetryConfig, RetryMode};
    pub use super::transport::{
        BoxFuture, HttpRequest, HttpResponse, HttpSettings, Progress, ProxySettings, StalledStreamProtection,
        Transport, DEFAULT_CONNECT_TIMEOUT,
    };
    pub use super::types::{BigNumber, Blob, DateTime};
    pub use aws_credential_types::Credentials;

    /// A free-form JSON value (a Smithy `document`).
    pub type Document = serde_json::Value;

    /// Endpoint resolution from a Smithy endpoint rule set.
    pub mod endpoint {
        pub use crate::rt::endpoint::{Endpoint, EndpointError, Params, RuleSet, Value};
    }

    /// Credentials providers: the default chain and its parts, and a cache for any provider.
    pub mod credentials {
        pub use crate::rt::credentials::*;
    }

    /// The shared `config` and `credentials` files.
    pub mod profile {
        pub use crate::rt::profile::{Profile, ProfileError, ProfileFiles};
    }

    /// Typed stubs for tests: queue outputs and errors, read back inputs.
    pub mod stub {
        pub use crate::rt::stub::Stubs;
    }

    /// Paging through results: see each paginated operation's `into_paginator`.
    pub mod paginate {
        pub use crate::rt::paginate::{Items, Paginator};
    }
}
