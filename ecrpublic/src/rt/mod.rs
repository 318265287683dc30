//! The hand-written runtime the generated code calls: configuration, transport, signing,
//! endpoints, awsJson (de)serialization, errors and paginators. It knows nothing of any one
//! service; the generated code hands it a [`client::ServiceInfo`].

pub mod client;
pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod json;
pub mod operation;
pub mod paginate;
pub mod transport;
pub mod types;

/// What the crate root re-exports.
pub mod public {
    pub use super::config::{Config, ConfigBuilder};
    pub use super::error::{ConfigError, Error, ResponseError, TransportError, TransportErrorKind, Unhandled};
    pub use super::transport::{HttpRequest, HttpResponse, HttpSettings, ProxySettings, Transport};
    pub use super::types::{Blob, DateTime};
    pub use aws_credential_types::Credentials;

    /// A free-form JSON value (a Smithy `document`).
    pub type Document = serde_json::Value;

    /// Endpoint resolution from a Smithy endpoint rule set.
    pub mod endpoint {
        pub use crate::rt::endpoint::{Endpoint, EndpointError, Params, RuleSet, Value};
    }

    /// Paging through results: see each paginated operation's `into_paginator`.
    pub mod paginate {
        pub use crate::rt::paginate::{Items, Paginator};
    }
}
