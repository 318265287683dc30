//! The runtime behind clients generated from Smithy models of awsJson 1.0 and 1.1 services:
//! configuration, credentials, transport, SigV4 signing, retries, endpoint rules, JSON,
//! paginators, waiters, typed stubs. It knows nothing of any one service; each generated crate hands it
//! a `ServiceInfo` and re-exports [`public`] at its root.
//!
//! One [`Config`] serves every service: build it once and give it to each client, and they
//! share its credentials cache and its HTTP connection pool.
//!
//! ```no_run
//! # async fn demo() {
//! let config = awsjson_runtime::Config::from_env().await;
//! // let ecr = ecrpublic::Client::new(&config);
//! // let kms = kms::Client::new(&config);
//! // Per service: another endpoint, the rest shared.
//! let local = config.to_builder().endpoint_url("http://localhost:4566").build();
//! # let _ = local;
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod bounded;
mod client;
mod config;
pub mod credentials;
mod digest;
pub mod endpoint;
mod env;
mod error;
#[cfg(feature = "gzip")]
mod gzip;
mod ids;
pub mod interceptor;
mod json;
mod macros;
mod operation;
mod options;
pub mod paginate;
pub mod profile;
// Used by generated protocol tests, where a model has them.
#[allow(dead_code)]
mod protocol_harness;
mod region;
mod retry;
mod stall;
pub mod stub;
mod tls;
mod trace;
mod transport;
mod types;
mod validate;
pub mod waiter;

pub use public::*;

/// What a generated crate re-exports at its root (`pub use awsjson_runtime::public::*`), so its
/// users name `ecrpublic::Config` and `kms::Config`, one and the same type.
pub mod public {
    pub use crate::config::ConfigLoader;
    pub use crate::config::{AccountIdEndpointMode, BehaviorVersion, Config, ConfigBuilder};
    pub use crate::env::Env;
    pub use crate::error::{
        ConfigError, InterceptorError, ProvideErrorMetadata, ResponseError, SdkError, TimeoutError, TimeoutKind,
        TransportError, TransportErrorKind, Unhandled, UnhandledError, ValidationError, RESPONSE_EXCERPT_BYTES,
    };
    pub use crate::options::CallOptions;
    pub use crate::retry::{RetryConfig, RetryMode};
    pub use crate::tls::{ClientIdentity, PemBytes};
    pub use crate::transport::{
        BoxError, BoxFuture, Connection, HttpRequest, HttpResponse, HttpSettings, HyperTransport, Progress, ProgressFn,
        ProxySettings, StalledStreamProtection, Transport, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    };
    pub use crate::types::{BigNumber, Blob, DateTime};
    pub use crate::{credentials, endpoint, interceptor, paginate, profile, stub};
    pub use aws_credential_types::Credentials;

    /// A free-form JSON value (a Smithy `document`).
    pub type Document = serde_json::Value;
}

/// The traits worth having in scope when handling a call's result: `use ecrpublic::prelude::*`
/// (each generated crate re-exports this module as its `prelude`).
pub mod prelude {
    pub use crate::error::ProvideErrorMetadata;
}

/// What generated code calls and its users never need: the operation engine, the JSON reader
/// and writer, validation, the protocol test harness. Generated crates reach it as `crate::rt`;
/// it follows no semver promise beyond the generator of the same release.
#[doc(hidden)]
pub mod __private {
    pub mod client {
        pub use crate::client::*;
    }
    pub mod digest {
        pub use crate::digest::*;
    }
    pub mod error {
        pub use crate::error::*;
    }
    pub mod ids {
        pub use crate::ids::*;
    }
    pub mod json {
        pub use crate::json::*;
    }
    pub mod operation {
        pub use crate::operation::*;
    }
    pub mod protocol_harness {
        pub use crate::protocol_harness::*;
    }
    pub mod types {
        pub use crate::types::*;
    }
    pub mod validate {
        pub use crate::validate::*;
    }
    pub use crate::{endpoint, paginate, waiter};
    // What every generated error, enum, JSON impl, output and request builder shares: generated
    // code calls these with its per-shape facts only (`macros`).
    pub use crate::{
        __int_enum as int_enum, __json_default as json_default, __json_enum as json_enum, __json_struct as json_struct,
        __json_union as json_union, __modeled_error as modeled_error, __operation_error as operation_error,
        __output as output, __request_builder as request_builder, __service_error as service_error,
        __string_enum as string_enum,
    };
    // Generated tests build `Document` values from JSON text.
    pub use serde_json;
}
