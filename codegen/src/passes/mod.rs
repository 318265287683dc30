//! Passes over the resolved model that decide what the Rust crate looks like before any token
//! is emitted; together they lower the model to the IR ([`crate::ir`]). Each has one job, and
//! emitters read their results and decide nothing themselves.
//!
//! - [`lower`]: operations, the module of every type, boxing; runs the others;
//! - [`members`]: each member's requiredness, presence and normalised `@default`;
//! - [`naming`]: every Rust identifier generated code declares for a model element;
//! - [`constraints`]: which sent shapes carry constraints to validate;
//! - [`sensitivity`]: which outputs hold `@sensitive` data, so errors never show their bodies;
//! - [`paginators`]: `@paginated` checked against the operation's shapes;
//! - [`waiters`]: `smithy.waiters#waitable` read into typed, checked waiters;
//! - [`protocol_tests`]: which `smithy.test` cases the crate runs, and their test names.

pub mod constraints;
mod lower;
pub mod members;
pub mod naming;
pub mod paginators;
pub mod protocol_tests;
pub mod sensitivity;
pub mod waiters;

pub use lower::lower;
