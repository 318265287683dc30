//! Passes over the resolved model that decide what the Rust crate looks like before any token
//! is emitted. Each pass has one job; emitters read their results and decide nothing themselves.
//!
//! - [`naming`]: every Rust identifier generated code declares for a model element.

pub mod naming;
