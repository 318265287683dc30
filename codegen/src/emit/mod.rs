//! From the lowered model ([`crate::ir::Ctx`]) to Rust items, one token stream per generated
//! file: each kind of item has its own module here. Emitters read only the IR: they never see
//! the model, decide no names (see [`crate::passes::naming`]) and read no raw traits (endpoint
//! rules and test cases stay JSON nodes inside their typed traits: the runtime or a test reads
//! them).

mod operations;
mod paths;
mod protocol_tests;
mod roundtrip;
mod service;
mod shapes;
mod validation;
mod waiters;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::traits::TimestampFormat;
pub use crate::ir::{Ctx, Home, Module, Op};
use crate::ir::{Kind, Member, UNIT};
use crate::passes::lower;
use crate::{Model, ModelError};

/// The generated modules, each a token stream that becomes one file, and what they hold.
pub struct Modules {
    pub files: Vec<(&'static str, TokenStream)>,
    /// Generated operations, by model name.
    pub operations: Vec<String>,
    /// Generated types (structures, unions, enums), by Rust name.
    pub shapes: Vec<String>,
    /// Waiters, by model name.
    pub waiters: Vec<String>,
    /// Operations with a paginator, by model name.
    pub paginators: Vec<String>,
    /// What the generator left out or worked around.
    pub warnings: Vec<String>,
}

impl Module {
    /// `crate::types`, `crate::input`, ...
    pub fn crate_path(self) -> TokenStream {
        let m = self.path();
        quote!(crate::#m)
    }

    fn path(self) -> TokenStream {
        match self {
            Module::Types => quote!(types),
            Module::Input => quote!(input),
            Module::Output => quote!(output),
            Module::Error => quote!(error),
        }
    }
}

/// The path generated code reaches the runtime's internals by: every emitter writes `#rt::...`
/// with `let rt = rt();`, so this is the one place that decides it. A generated crate's `lib.rs`
/// binds it to the runtime's `__private` module (see [`crate::standalone_lib_rs`]).
pub fn rt() -> TokenStream {
    quote!(crate::rt)
}

/// Whether the model's service has an operation with waiters (the crate then has `waiters`).
pub fn has_waiters(model: &Model) -> Result<bool, ModelError> {
    Ok(waiters::has_waiters(&lower(model)?.ctx()?))
}

/// `crate_name` (as Rust spells it: `aws_dynamodb`) is what the examples in the docs import; without
/// one the docs have no examples.
pub fn generate(model: &Model, crate_name: Option<&str>) -> Result<Modules, ModelError> {
    let ir = lower(model)?;
    let ctx = ir.ctx()?;
    let mut files = vec![
        ("types.rs", shapes::types_module(&ctx)?),
        ("input.rs", shapes::data_module(&ctx, Module::Input)?),
        ("output.rs", shapes::data_module(&ctx, Module::Output)?),
        ("error.rs", operations::error_module(&ctx)?),
        ("operation.rs", operations::operation_module(&ctx)?),
        ("client.rs", operations::client_module(&ctx, crate_name)?),
        ("serde.rs", shapes::serde_module(&ctx)?),
        ("service.rs", service::service_module(&ctx)?),
        ("roundtrip_tests.rs", roundtrip::roundtrip_module(&ctx)?),
        ("validate.rs", validation::validate_module(&ctx)?),
    ];
    if waiters::has_waiters(&ctx) {
        files.push(("waiters.rs", waiters::waiters_module(&ctx)?));
        files.push(("waiter_tests.rs", waiters::tests_module(&ctx)?));
    }
    if let Some(tests) = service::endpoint_tests_module(&ctx)? {
        files.push(("endpoint_tests.rs", tests));
    }
    if let Some(tests) = protocol_tests::protocol_tests_module(&ctx)? {
        files.push(("protocol_tests.rs", tests));
    }
    let has = |name: &str| files.iter().any(|(n, _)| *n == name);
    let mod_file = mod_rs(&ctx, has("endpoint_tests.rs"), has("protocol_tests.rs"), has("waiters.rs"));
    files.push(("mod.rs", mod_file));
    let operations = ctx.ops.iter().map(|op| op.name().to_string()).collect();
    let shapes = ctx.homes.values().map(|h| h.name.clone()).collect();
    let waiters = waiters::names(&ctx)?;
    let paginators =
        ctx.ops.iter().filter(|op| ctx.paginators.contains_key(&op.shape.id)).map(|op| op.name().to_string()).collect();
    let warnings =
        ctx.skipped.iter().map(|op| format!("operation `{op}` left out: event streams are not supported")).collect();
    Ok(Modules { files, operations, shapes, waiters, paginators, warnings })
}

fn mod_rs(ctx: &Ctx, endpoint_tests: bool, protocol_tests: bool, waiters: bool) -> TokenStream {
    let waiters = waiters.then(|| {
        quote!(
            pub mod waiters;
            #[cfg(test)]
            mod waiter_tests;
        )
    });
    let service_doc = doc_attr(&ctx.service.doc);
    let tests = endpoint_tests.then(|| {
        quote!(
            #[cfg(test)]
            mod endpoint_tests;
        )
    });
    let protocol = protocol_tests.then(|| {
        quote!(
            #[cfg(test)]
            mod protocol_tests;
        )
    });
    quote! {
        #![doc = " Code generated from the service model: types, operations and their errors."]
        #service_doc
        pub mod client;
        pub mod error;
        pub mod input;
        pub mod operation;
        pub mod output;
        mod serde;
        pub(crate) mod service;
        pub mod types;
        mod validate;
        #waiters
        #[cfg(test)]
        mod roundtrip_tests;
        #tests
        #protocol
    }
}

impl<'m> Ctx<'m> {
    /// Whether the shape is some operation's output.
    pub fn is_output(&self, id: &str) -> bool {
        id != UNIT && self.ops.iter().any(|op| op.output.id == id)
    }

    pub fn home(&self, id: &str) -> Result<&Home, ModelError> {
        self.homes.get(id).ok_or_else(|| ModelError::new(id, "no generated type for this shape"))
    }

    /// The module a shape's generated type lives in (`types` for shapes without a named type).
    pub fn module_of(&self, id: &str) -> Module {
        self.homes.get(id).map_or(Module::Types, |h| h.module)
    }

    /// Path to a generated type as seen from module `from`.
    pub fn type_path(&self, id: &str, from: Module) -> Result<TokenStream, ModelError> {
        let home = self.home(id)?;
        let name = format_ident!("{}", home.name);
        if home.module == from {
            Ok(quote!(#name))
        } else {
            let m = home.module.path();
            Ok(quote!(crate::#m::#name))
        }
    }

    /// The Rust type of a shape used as a value (no `Option`, no `Box`).
    pub fn value_type(&self, id: &str, from: Module) -> Result<TokenStream, ModelError> {
        let shape = self.shape(id)?;
        if shape.traits.streaming {
            return Err(unsupported(id, "@streaming blobs and event streams (awsJson services do not use them)"));
        }
        Ok(match &shape.kind {
            Kind::Blob => quote!(crate::Blob),
            Kind::Boolean => quote!(bool),
            Kind::String => quote!(String),
            Kind::Byte => quote!(i8),
            Kind::Short => quote!(i16),
            Kind::Integer => quote!(i32),
            Kind::Long => quote!(i64),
            Kind::Float => quote!(f32),
            Kind::Double => quote!(f64),
            Kind::Timestamp => quote!(crate::DateTime),
            Kind::Document => quote!(crate::Document),
            Kind::Enum | Kind::IntEnum | Kind::Structure | Kind::Union => self.type_path(id, from)?,
            Kind::List => {
                let inner = self.value_type(&shape.members[0].target, from)?;
                if shape.traits.sparse {
                    quote!(Vec<Option<#inner>>)
                } else {
                    quote!(Vec<#inner>)
                }
            }
            Kind::Map => {
                let value = self.value_type(&shape.members[1].target, from)?;
                if shape.traits.sparse {
                    quote!(std::collections::HashMap<String, Option<#value>>)
                } else {
                    quote!(std::collections::HashMap<String, #value>)
                }
            }
            Kind::BigInteger | Kind::BigDecimal => quote!(crate::BigNumber),
            Kind::Service | Kind::Operation { .. } | Kind::Resource => {
                return Err(ModelError::new(id, "a service, operation or resource cannot be a member target"))
            }
        })
    }

    /// The `@timestampFormat` a member's timestamps use when not epoch seconds, as the
    /// runtime's value.
    pub fn timestamp_format(&self, member: &Member) -> Option<TokenStream> {
        let rt = rt();
        match member.timestamp_format {
            None | Some(TimestampFormat::EpochSeconds) => None,
            Some(TimestampFormat::DateTime) => Some(quote!(#rt::json::TimestampFormat::DateTime)),
            Some(TimestampFormat::HttpDate) => Some(quote!(#rt::json::TimestampFormat::HttpDate)),
        }
    }
}

fn unsupported(id: &str, what: &str) -> ModelError {
    ModelError::new(id, format!("not supported by this generator yet: {what}"))
}

/// `#[doc = "..."]` lines, one per line of Markdown, so rustdoc keeps paragraphs.
pub fn doc_attr(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote! { #( #[doc = #lines] )* }
}

/// Documentation with a fallback sentence for items the model leaves undocumented.
pub fn doc_or(text: String, fallback: impl FnOnce() -> String) -> TokenStream {
    if text.is_empty() {
        doc_attr(&fallback())
    } else {
        doc_attr(&text)
    }
}
