//! From the resolved model to Rust items: decides where every shape lives and what Rust type
//! stands for it, then hands each kind of item to its own module.

mod operations;
mod paths;
mod protocol_tests;
mod roundtrip;
mod service;
mod shapes;
mod validation;
mod waiters;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::docs;
use crate::model::{Kind, Member, Model, ModelError, Shape, UNIT};
use crate::passes::naming::{Names, TypeToName, Wanted};
use crate::smithy::traits::TimestampFormat;

/// The generated modules, each a token stream that becomes one file.
pub struct Modules {
    pub files: Vec<(&'static str, TokenStream)>,
}

/// Which generated module a type lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Module {
    Types,
    Input,
    Output,
    Error,
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

#[derive(Clone, Debug)]
pub struct Home {
    pub module: Module,
    pub name: String,
}

/// One operation, with the shapes it uses already looked up.
pub struct Op<'m> {
    pub shape: &'m Shape,
    pub input: &'m Shape,
    pub output: &'m Shape,
    /// Operation errors then service errors, sorted by name, without repeats.
    pub errors: Vec<&'m Shape>,
}

impl Op<'_> {
    pub fn name(&self) -> &str {
        self.shape.name()
    }
}

/// Everything the item generators need to know about the model.
pub struct Ctx<'m> {
    pub model: &'m Model,
    pub service: &'m Shape,
    pub ops: Vec<Op<'m>>,
    /// Home of every generated structure, union and enum, by shape id.
    pub homes: BTreeMap<String, Home>,
    /// Every shape reachable from an operation input. Optional lists and maps of sent
    /// structures stay `Option`, so that an empty list and an absent one can both be sent.
    pub sent: BTreeSet<String>,
    /// `(structure, member)` pairs that must be boxed to break a recursive type.
    pub boxed: BTreeSet<(String, String)>,
    /// Sent structures and unions with a `length`, `range` or `pattern` somewhere inside.
    pub constrained: BTreeSet<String>,
    /// Operations left out of the crate (event streams), for the client's docs.
    pub skipped: Vec<String>,
    /// Every Rust name generated code declares (the naming pass).
    pub names: Names,
}

/// The path generated code reaches the runtime's internals by: every emitter writes `#rt::...`
/// with `let rt = rt();`, so this is the one place that decides it. A generated crate's `lib.rs`
/// binds it to the runtime's `__private` module (see [`crate::runtime_binding`]).
pub fn rt() -> TokenStream {
    quote!(crate::rt)
}

/// Whether the model's service has an operation with waiters (the crate then has `waiters`).
pub fn has_waiters(model: &Model) -> Result<bool, ModelError> {
    Ok(waiters::has_waiters(&Ctx::new(model)?))
}

pub fn generate(model: &Model) -> Result<Modules, ModelError> {
    let ctx = Ctx::new(model)?;
    let mut files = vec![
        ("types.rs", shapes::types_module(&ctx)?),
        ("input.rs", shapes::data_module(&ctx, Module::Input)?),
        ("output.rs", shapes::data_module(&ctx, Module::Output)?),
        ("error.rs", operations::error_module(&ctx)?),
        ("operation.rs", operations::operation_module(&ctx)?),
        ("client.rs", operations::client_module(&ctx)?),
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
    Ok(Modules { files })
}

fn mod_rs(ctx: &Ctx, endpoint_tests: bool, protocol_tests: bool, waiters: bool) -> TokenStream {
    let waiters = waiters.then(|| {
        quote!(
            pub mod waiters;
            #[cfg(test)]
            mod waiter_tests;
        )
    });
    let service_doc = doc_attr(&ctx.doc_of_shape(ctx.service));
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
    fn new(model: &'m Model) -> Result<Self, ModelError> {
        let service = model.service()?;
        let service_errors = match service.extra.get("errors") {
            Some(v) => v
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.get("target").and_then(Value::as_str))
                .map(|id| model.shape(id))
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![],
        };
        let mut ops = Vec::new();
        let mut skipped = Vec::new();
        for shape in model.operations(service)? {
            let Kind::Operation { input, output, errors } = &shape.kind else { continue };
            // Event streams (streaming members) need another transport model: left out, and said so.
            let streams = [input, output]
                .iter()
                .filter_map(|id| model.shapes.get(*id))
                .any(|io| io.members.iter().any(|m| model.shapes.get(&m.target).is_some_and(|t| t.traits.streaming)));
            if streams {
                skipped.push(shape.name().to_string());
                continue;
            }
            let mut errs: BTreeMap<&str, &Shape> = BTreeMap::new();
            for e in errors.iter().map(|id| model.shape(id)).chain(service_errors.iter().map(|s| Ok(*s))) {
                let e = e?;
                if e.traits.error.is_none() || e.kind != Kind::Structure {
                    return Err(ModelError::new(&shape.id, format!("`{}` is listed as an error but is not one", e.id)));
                }
                errs.insert(e.name(), e);
            }
            let input = model.shape(input)?;
            let output = model.shape(output)?;
            for io in [input, output] {
                if io.kind != Kind::Structure {
                    return Err(ModelError::new(&shape.id, format!("input/output `{}` is not a structure", io.id)));
                }
            }
            ops.push(Op { shape, input, output, errors: errs.into_values().collect() });
        }
        let mut ctx = Ctx {
            model,
            service,
            ops,
            homes: BTreeMap::new(),
            sent: BTreeSet::new(),
            boxed: BTreeSet::new(),
            constrained: BTreeSet::new(),
            skipped,
            names: Names::default(),
        };
        ctx.place_shapes()?;
        ctx.find_recursion();
        ctx.constrained = validation::constrained(&ctx);
        Ok(ctx)
    }

    /// Decides the module and name of every type, and which structures are only ever sent.
    fn place_shapes(&mut self) -> Result<(), ModelError> {
        let mut sent = BTreeSet::new();
        let mut received = BTreeSet::new();
        for op in &self.ops {
            self.reach(&op.input.id, &mut sent)?;
            self.reach(&op.output.id, &mut received)?;
            for e in &op.errors {
                self.reach(&e.id, &mut received)?;
            }
        }
        // Operation inputs and outputs are named after their operation when nothing else uses them.
        let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
        for shape in self.model.shapes.values() {
            for m in &shape.members {
                *uses.entry(m.target.as_str()).or_default() += 1;
            }
        }
        for op in &self.ops {
            *uses.entry(op.input.id.as_str()).or_default() += 1;
            *uses.entry(op.output.id.as_str()).or_default() += 1;
        }
        // Modules first; the naming pass then names every type, field and variant at once.
        let outputs: BTreeSet<&str> = self.ops.iter().map(|op| op.output.id.as_str()).collect();
        let mut types: BTreeMap<String, (Module, TypeToName)> = BTreeMap::new();
        for op in &self.ops {
            for (shape, module, suffix) in [(op.input, Module::Input, "Input"), (op.output, Module::Output, "Output")] {
                if uses.get(shape.id.as_str()) == Some(&1) || shape.id == UNIT {
                    // Unit gets one empty struct per operation, keyed by a synthetic id.
                    let key = if shape.id == UNIT { format!("{}#{suffix}", op.shape.id) } else { shape.id.clone() };
                    let t = TypeToName {
                        key: key.clone(),
                        module: module as u8,
                        shape: (shape.id != UNIT).then_some(shape),
                        wanted: Wanted::OfOperation { op: op.shape.id.clone(), suffix },
                        has_request_id: module == Module::Output,
                    };
                    types.insert(key, (module, t));
                }
            }
        }
        let all: BTreeSet<String> = sent.union(&received).cloned().collect();
        for id in &all {
            if types.contains_key(id) || id == UNIT {
                continue;
            }
            let shape = self.model.shape(id)?;
            let module = match shape.kind {
                Kind::Structure if shape.traits.error.is_some() => Module::Error,
                Kind::Structure | Kind::Union | Kind::Enum | Kind::IntEnum => Module::Types,
                _ => continue,
            };
            let t = TypeToName {
                key: id.clone(),
                module: module as u8,
                shape: Some(shape),
                wanted: Wanted::Shape,
                has_request_id: module == Module::Error || outputs.contains(id.as_str()),
            };
            types.insert(id.clone(), (module, t));
        }
        let op_shapes: Vec<&Shape> = self.ops.iter().map(|op| op.shape).collect();
        let modules: BTreeMap<String, Module> = types.iter().map(|(k, (m, _))| (k.clone(), *m)).collect();
        let names =
            Names::decide(self.model, &op_shapes, types.into_values().map(|(_, t)| t).collect(), Module::Error as u8)?;
        let mut homes = BTreeMap::new();
        for (key, module) in modules {
            let name = names.type_name(&key)?.to_string();
            homes.insert(key, Home { module, name });
        }
        self.names = names;
        self.sent = sent;
        self.homes = homes;
        Ok(())
    }

    /// Every shape reachable from `id` through members.
    fn reach(&self, id: &str, seen: &mut BTreeSet<String>) -> Result<(), ModelError> {
        let mut pending = vec![id.to_string()];
        while let Some(id) = pending.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let shape = self.model.shape(&id)?;
            if !matches!(shape.kind, Kind::Enum | Kind::IntEnum) {
                pending.extend(shape.members.iter().map(|m| m.target.clone()));
            }
        }
        Ok(())
    }

    /// A member is boxed when its structure or union target leads back to the member's owner
    /// without passing through a list or map (those already add indirection).
    fn find_recursion(&mut self) {
        let direct = |id: &str| -> Vec<String> {
            match self.model.shapes.get(id) {
                Some(s) if matches!(s.kind, Kind::Structure | Kind::Union) => {
                    s.members.iter().map(|m| m.target.clone()).collect()
                }
                _ => vec![],
            }
        };
        let mut boxed = BTreeSet::new();
        for id in self.homes.keys() {
            for m in self.model.shapes.get(id).map(|s| s.members.as_slice()).unwrap_or_default() {
                let mut seen = BTreeSet::new();
                let mut pending = vec![m.target.clone()];
                while let Some(t) = pending.pop() {
                    if t == *id {
                        boxed.insert((id.clone(), m.name.clone()));
                        break;
                    }
                    if seen.insert(t.clone()) {
                        pending.extend(direct(&t));
                    }
                }
            }
        }
        self.boxed = boxed;
    }

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
        let shape = self.model.shape(id)?;
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

    /// The `@timestampFormat` a member's timestamps use when not epoch seconds: the member's
    /// own trait, else its target's, looking through lists and maps to their timestamps.
    pub fn timestamp_format(&self, member: &Member) -> Result<Option<TokenStream>, ModelError> {
        let rt = rt();
        let mut traits = vec![&member.traits];
        let mut target = self.model.shape(&member.target)?;
        loop {
            traits.push(&target.traits);
            match target.kind {
                Kind::Timestamp => break,
                Kind::List | Kind::Map => {
                    let m = target.members.last().ok_or_else(|| ModelError::new(&target.id, "no member"))?;
                    traits.push(&m.traits);
                    target = self.model.shape(&m.target)?;
                }
                _ => return Ok(None),
            }
        }
        Ok(match traits.iter().find_map(|t| t.timestamp_format) {
            None | Some(TimestampFormat::EpochSeconds) => None,
            Some(TimestampFormat::DateTime) => Some(quote!(#rt::json::TimestampFormat::DateTime)),
            Some(TimestampFormat::HttpDate) => Some(quote!(#rt::json::TimestampFormat::HttpDate)),
        })
    }

    pub fn doc_of_shape(&self, shape: &Shape) -> String {
        doc_text(&shape.traits)
    }

    pub fn member_doc(&self, member: &Member) -> String {
        let own = doc_text(&member.traits);
        if !own.is_empty() {
            return own;
        }
        self.model.shapes.get(&member.target).map(|t| doc_text(&t.traits)).unwrap_or_default()
    }
}

fn unsupported(id: &str, what: &str) -> ModelError {
    ModelError::new(id, format!("not supported by this generator yet: {what}"))
}

fn doc_text(traits: &crate::model::Traits) -> String {
    traits.documentation.as_deref().map(docs::to_markdown).unwrap_or_default()
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
