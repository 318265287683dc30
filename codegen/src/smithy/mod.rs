//! The Smithy model as typed Rust values.

pub mod traits;
