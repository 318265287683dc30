//! Data types: structures, unions and enums, and their awsJson (de)serialization.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{doc_or, Ctx, Module};
use crate::ir::traits::EnumValue;
use crate::ir::DefaultValue;
use crate::ir::{Kind, Member, Shape};
use crate::ModelError;

pub use crate::ir::Presence;

pub struct Field<'m> {
    pub member: &'m Member,
    pub ident: Ident,
    pub value_ty: TokenStream,
    pub ty: TokenStream,
    pub presence: Presence,
    pub required: bool,
    /// The `default` trait value as a Rust expression.
    pub default: Option<TokenStream>,
}

pub fn fields<'m>(ctx: &Ctx<'m>, shape: &'m Shape, from: Module) -> Result<Vec<Field<'m>>, ModelError> {
    let mut out: Vec<Field> = Vec::new();
    for m in &shape.members {
        let mid = format!("{}${}", shape.id, m.name);
        let value_ty = ctx.value_type(&m.target, from).map_err(|e| ModelError::new(&mid, e.to_string()))?;
        let boxed_ty = if m.boxed { quote!(Box<#value_ty>) } else { value_ty.clone() };
        let lowered = m.lowered(&shape.id)?;
        let (required, presence) = (lowered.required, lowered.presence);
        let default = lowered.default.as_ref().map(|d| default_expr(ctx, &m.target, d)).transpose()?;
        let ty = match presence {
            Presence::Optional => quote!(Option<#boxed_ty>),
            _ => boxed_ty,
        };
        let ident = ctx.names.field(&shape.id, &m.name)?;
        out.push(Field { member: m, ident, value_ty, ty, presence, required, default });
    }
    Ok(out)
}

/// The field of member `name` of structure `shape`, if it has one.
pub fn field_named<'m>(ctx: &Ctx<'m>, shape: &'m Shape, name: &str) -> Result<Option<Field<'m>>, ModelError> {
    Ok(fields(ctx, shape, ctx.module_of(&shape.id))?.into_iter().find(|f| f.member.name == name))
}

/// A normalised `@default` as a Rust expression.
fn default_expr(ctx: &Ctx, target: &str, d: &DefaultValue) -> Result<TokenStream, ModelError> {
    Ok(match d {
        DefaultValue::Bool(b) => quote!(#b),
        DefaultValue::Int(n) => {
            let lit = proc_macro2::Literal::i64_unsuffixed(*n);
            quote!(#lit)
        }
        DefaultValue::Float(f) => {
            let lit = proc_macro2::Literal::f64_unsuffixed(*f);
            quote!(#lit)
        }
        DefaultValue::Str(s) => quote!(String::from(#s)),
        DefaultValue::Enum(s) => {
            let path = ctx.type_path(target, Module::Error)?;
            quote!(#path::from(#s))
        }
        DefaultValue::IntEnum(n) => {
            let path = ctx.type_path(target, Module::Error)?;
            quote!(#path::from(#n))
        }
        DefaultValue::EmptyList => quote!(Vec::new()),
        DefaultValue::EmptyMap => quote!(std::collections::HashMap::new()),
        DefaultValue::Timestamp { secs, nanos } => quote!(crate::DateTime::new(#secs, #nanos)),
        DefaultValue::Blob(bytes) => {
            let lit = proc_macro2::Literal::byte_string(bytes);
            quote!(crate::Blob::from(&#lit[..]))
        }
        DefaultValue::Document(value) => document_expr(value),
        DefaultValue::BigNumber(text) => {
            quote!(crate::BigNumber::new(#text).expect("the generator checked this number"))
        }
    })
}

/// A `@default` document (a scalar, `[]` or `{}`) as a Rust expression.
fn document_expr(value: &serde_json::Value) -> TokenStream {
    use serde_json::Value;
    match value {
        Value::Null => quote!(crate::Document::Null),
        Value::Bool(b) => quote!(crate::Document::Bool(#b)),
        Value::String(s) => quote!(crate::Document::String(String::from(#s))),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => quote!(crate::Document::from(#i)),
            (None, Some(u)) => quote!(crate::Document::from(#u)),
            _ => {
                let f = n.as_f64().unwrap_or_default();
                quote!(crate::Document::from(#f))
            }
        },
        Value::Array(_) => quote!(crate::Document::Array(Vec::new())),
        Value::Object(_) => quote!(crate::Document::Object(Default::default())),
    }
}

/// The argument type and conversion for a setter or constructor taking a member's value.
/// `var` names the argument in the conversion expression.
pub fn argument(ctx: &Ctx, f: &Field, from: Module, var: &Ident) -> Result<(TokenStream, TokenStream), ModelError> {
    let target = ctx.shape(&f.member.target)?;
    let v = quote!(#var);
    let (ty, expr) = match &target.kind {
        Kind::String | Kind::Blob | Kind::Timestamp | Kind::Enum => {
            let t = &f.value_ty;
            (quote!(impl Into<#t>), quote!(#v.into()))
        }
        Kind::List if target.traits.sparse => {
            let item_ty = ctx.value_type(&target.members[0].target, from)?;
            (quote!(impl IntoIterator<Item = Option<#item_ty>>), quote!(#v.into_iter().collect()))
        }
        Kind::List => {
            let item = ctx.shape(&target.members[0].target)?;
            let item_ty = ctx.value_type(&item.id, from)?;
            if matches!(item.kind, Kind::String | Kind::Enum) {
                (
                    quote!(impl IntoIterator<Item = impl Into<#item_ty>>),
                    quote!(#v.into_iter().map(Into::into).collect()),
                )
            } else {
                (quote!(impl IntoIterator<Item = #item_ty>), quote!(#v.into_iter().collect()))
            }
        }
        Kind::Map => {
            let val_ty = ctx.value_type(&target.members[1].target, from)?;
            let val_ty = if target.traits.sparse { quote!(Option<#val_ty>) } else { val_ty };
            (
                quote!(impl IntoIterator<Item = (impl Into<String>, #val_ty)>),
                quote!(#v.into_iter().map(|(k, v)| (k.into(), v)).collect()),
            )
        }
        _ => (f.value_ty.clone(), v),
    };
    Ok(if f.member.boxed { (ty, quote!(Box::new(#expr))) } else { (ty, expr) })
}

/// Zero value of a field: its default, or the type's zero.
fn field_zero(f: &Field) -> TokenStream {
    let rt = super::rt();
    match (&f.default, f.member.boxed) {
        (Some(d), false) => d.clone(),
        (Some(d), true) => quote!(Box::new(#d)),
        (None, _) => quote!(#rt::json::Json::zero()),
    }
}

/// A struct with `new` for its required members and `with_*` setters for the others.
/// `extra` adds private fields (the request id of outputs and errors, and the extended request
/// id of errors).
pub fn structure(ctx: &Ctx, shape: &Shape, module: Module, name: &str, extra: bool) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let fields = fields(ctx, shape, module)?;
    let ty = format_ident!("{}", name);
    let doc = doc_or(shape.doc.clone(), || format!("The `{}` structure.", shape.name()));
    let field_defs = fields.iter().map(|f| {
        let d = doc_or(f.member.doc.clone(), || format!("The `{}` member.", f.member.name));
        let (id, t) = (&f.ident, &f.ty);
        quote! { #d pub #id: #t, }
    });
    let extra_field = extra.then(|| quote!(pub(crate) request_id: Option<String>,));
    let extended_field =
        (extra && module == Module::Error).then(|| quote!(pub(crate) extended_request_id: Option<String>,));
    let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
    let mut methods = Vec::new();
    if !required.is_empty() {
        let mut params = Vec::new();
        let mut inits = Vec::new();
        for f in &required {
            let id = &f.ident;
            let (t, e) = argument(ctx, f, module, id)?;
            params.push(quote!(#id: #t));
            // `Self { id, .. }` when the argument needs no conversion.
            inits.push(if *id == e.to_string() { quote!(#id) } else { quote!(#id: #e) });
        }
        let names_list =
            required.iter().map(|f| format!("`{}`", f.ident.to_string().trim_start_matches("r#"))).collect::<Vec<_>>();
        let d = format!(" Creates a `{name}` from its required members: {}.", names_list.join(", "));
        // Required members are arguments, however many the model has.
        let allow = (params.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        methods.push(quote! {
            #[doc = #d]
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits,)* ..#rt::json::Json::zero() }
            }
        });
    }
    if module == Module::Output {
        methods.push(quote! {
            /// Starts an output to fill in with the `with_*` setters, for stubs and tests (the
            /// same as `default()`).
            pub fn builder() -> Self { #rt::json::Json::zero() }
        });
    }
    for f in fields.iter().filter(|f| !f.required) {
        let (t, e) = argument(ctx, f, module, &format_ident!("value"))?;
        let id = &f.ident;
        let setter = format_ident!("with_{}", id.to_string().trim_start_matches("r#"));
        let assign = if f.presence == Presence::Optional { quote!(Some(#e)) } else { e };
        let d = format!(" Sets [`{0}`](Self::{0}).", id.to_string().trim_start_matches("r#"));
        methods.push(quote! {
            #[doc = #d]
            pub fn #setter(mut self, value: #t) -> Self { self.#id = #assign; self }
        });
    }
    // `request_id()` comes with an output's or error's other impls (`rt::output!`,
    // `rt::modeled_error!`).
    let impl_block = (!methods.is_empty()).then(|| quote!(impl #ty { #(#methods)* }));
    let manual_debug = redacting_debug(shape, &ty, &fields);
    let derive_debug = manual_debug.is_none().then(|| quote!(Debug,));
    // Outputs are built by stubs and emulators too: they always have a zero-valued default.
    let default_impl = (required.is_empty() || module == Module::Output).then(|| quote!(#rt::json_default!(#ty);));
    Ok(quote! {
        #doc
        #[derive(Clone, #derive_debug PartialEq)]
        #[non_exhaustive]
        pub struct #ty {
            #(#field_defs)*
            #extra_field
            #extended_field
        }
        #impl_block
        #default_impl
        #manual_debug
    })
}

/// `Debug` that prints `*** Sensitive Data Redacted ***` for sensitive members (all of them
/// when the structure itself is sensitive).
fn redacting_debug(shape: &Shape, ty: &proc_macro2::Ident, fields: &[Field]) -> Option<TokenStream> {
    let whole = shape.traits.sensitive;
    if !whole && !fields.iter().any(|f| f.member.sensitive) {
        return None;
    }
    let name = ty.to_string();
    let entries = fields.iter().map(|f| {
        let id = &f.ident;
        let label = id.to_string().trim_start_matches("r#").to_string();
        if whole || f.member.sensitive {
            quote!(.field(#label, &"*** Sensitive Data Redacted ***"))
        } else {
            quote!(.field(#label, &self.#id))
        }
    });
    Some(quote! {
        impl std::fmt::Debug for #ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name) #(#entries)* .finish_non_exhaustive()
            }
        }
    })
}

fn enum_type(ctx: &Ctx, shape: &Shape, name: &str) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let ty = format_ident!("{}", name);
    let doc = doc_or(shape.doc.clone(), || format!("The `{}` enumeration.", shape.name()));
    let mut variants = Vec::new();
    for m in &shape.members {
        variants.push((m, ctx.names.variant(&shape.id, &m.name)?));
    }
    let unknown = ctx.names.catch_all(&shape.id)?;
    let defs = variants.iter().map(|(m, v)| {
        let d = doc_or(m.doc.clone(), || format!("`{}`", enum_value_display(m)));
        quote!(#d #v,)
    });
    let is_int = shape.kind == Kind::IntEnum;
    let mut values = Vec::new();
    for (m, _) in &variants {
        let mid = format!("{}${}", shape.id, m.name);
        values.push(match (is_int, &m.traits.enum_value) {
            (false, None) => {
                let s = m.name.as_str();
                quote!(#s)
            }
            (false, Some(EnumValue::Str(s))) => quote!(#s),
            (true, Some(EnumValue::Int(n))) => {
                let n = i32::try_from(*n).map_err(|_| ModelError::new(&mid, "intEnum value is not an i32"))?;
                let n = proc_macro2::Literal::i32_unsuffixed(n);
                quote!(#n)
            }
            _ => return Err(ModelError::new(&mid, "enum value has the wrong type")),
        });
    }
    let idents: Vec<&Ident> = variants.iter().map(|(_, v)| v).collect();
    let unknown_doc = if is_int {
        " A value this version of the crate does not know."
    } else {
        " A value this version of the crate does not know, kept as sent."
    };
    if is_int {
        return Ok(quote! {
            #doc
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #ty {
                #(#defs)*
                #[doc = #unknown_doc]
                #unknown(i32),
            }
            #rt::int_enum!(#ty, [#(#idents(#values)),*], #unknown);
        });
    }
    Ok(quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #ty {
            #(#defs)*
            #[doc = #unknown_doc]
            #unknown(String),
        }
        #rt::string_enum!(#ty, [#(#idents(#values)),*], #unknown);
    })
}

fn enum_value_display(m: &Member) -> String {
    match &m.traits.enum_value {
        Some(EnumValue::Str(s)) => s.clone(),
        Some(EnumValue::Int(n)) => n.to_string(),
        None => m.name.clone(),
    }
}

fn union_type(ctx: &Ctx, shape: &Shape, name: &str) -> Result<TokenStream, ModelError> {
    let ty = format_ident!("{}", name);
    let doc = doc_or(shape.doc.clone(), || format!("The `{}` union.", shape.name()));
    let mut defs = Vec::new();
    for m in &shape.members {
        let v = ctx.names.variant(&shape.id, &m.name)?;
        let d = doc_or(m.doc.clone(), || format!("The `{}` member.", m.name));
        if m.is_unit() {
            defs.push(quote!(#d #v,));
            continue;
        }
        let t = ctx.value_type(&m.target, Module::Types)?;
        let t = if m.boxed { quote!(Box<#t>) } else { t };
        defs.push(quote!(#d #v(#t),));
    }
    let unknown = ctx.names.catch_all(&shape.id)?;
    // Variants holding `@sensitive` data print as redacted (all of them when the union is).
    let secret: Vec<bool> = shape.members.iter().map(|m| shape.traits.sensitive || m.sensitive).collect();
    let (derive_debug, manual_debug) = if secret.iter().any(|s| *s) {
        let mut arms = Vec::new();
        for (m, secret) in shape.members.iter().zip(&secret) {
            let v = ctx.names.variant(&shape.id, &m.name)?;
            let label = v.to_string().trim_start_matches("r#").to_string();
            arms.push(if m.is_unit() {
                quote!(Self::#v => f.write_str(#label),)
            } else if *secret {
                quote!(Self::#v(_) => f.debug_tuple(#label).field(&"*** Sensitive Data Redacted ***").finish(),)
            } else {
                quote!(Self::#v(value) => f.debug_tuple(#label).field(value).finish(),)
            });
        }
        let label = unknown.to_string();
        let debug = quote! {
            impl std::fmt::Debug for #ty {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    match self {
                        #(#arms)*
                        Self::#unknown(name) => f.debug_tuple(#label).field(name).finish(),
                    }
                }
            }
        };
        (quote!(), Some(debug))
    } else {
        (quote!(Debug,), None)
    };
    // A variant per member as the model has them; boxing the large ones to please the lint
    // would make every user write `Box::new`.
    Ok(quote! {
        #doc
        #[derive(Clone, #derive_debug PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum #ty {
            #(#defs)*
            #[doc = " A member this version of the crate does not know; holds the member's name."]
            #unknown(String),
        }
        #manual_debug
    })
}

/// `types.rs`: every structure, union and enum that is not an operation input, output or error.
pub fn types_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut items = Vec::new();
    for (id, home) in ctx.homes.iter().filter(|(_, h)| h.module == Module::Types) {
        let shape = ctx.shape(id)?;
        items.push(match shape.kind {
            Kind::Enum | Kind::IntEnum => enum_type(ctx, shape, &home.name)?,
            Kind::Union => union_type(ctx, shape, &home.name)?,
            _ if ctx.is_output(id) => {
                // An operation output shared with other uses: it still carries the request id.
                let ty = format_ident!("{}", home.name);
                let s = structure(ctx, shape, Module::Types, &home.name, true)?;
                quote! {
                    #s
                    #rt::output!(#ty);
                }
            }
            _ => structure(ctx, shape, Module::Types, &home.name, false)?,
        });
    }
    Ok(quote! {
        #![doc = " Data types the operations send and receive."]
        #(#items)*
    })
}

/// `input.rs` or `output.rs`: one struct per operation.
pub fn data_module(ctx: &Ctx, module: Module) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut items = Vec::new();
    for op in &ctx.ops {
        let (shape, key, suffix) = match module {
            Module::Input => (op.input, io_key(op.input, &op.shape.id, "Input"), "Input"),
            _ => (op.output, io_key(op.output, &op.shape.id, "Output"), "Output"),
        };
        let home = ctx.home(&key)?;
        if home.module != module {
            // A shape shared with other uses: an alias keeps the per-operation name.
            let alias = format_ident!("{}{}", ctx.names.op(&op.shape.id)?.ty, suffix);
            let path = ctx.type_path(&key, module)?;
            let d = format!(" The {} of `{}`.", suffix.to_lowercase(), op.name());
            items.push(quote!(#[doc = #d] pub type #alias = #path;));
            continue;
        }
        items.push(structure(ctx, shape, module, &home.name, module == Module::Output)?);
        if module == Module::Output {
            let ty = format_ident!("{}", home.name);
            items.push(quote!(#rt::output!(#ty);));
        }
    }
    let doc = match module {
        Module::Input => " What each operation sends: required members are arguments of the client method.",
        _ => " What each operation returns.",
    };
    Ok(quote! {
        #![doc = #doc]
        #(#items)*
    })
}

/// The `homes` key of an operation's input or output (`Unit` has one synthetic key per operation).
pub fn io_key(shape: &Shape, op_id: &str, suffix: &str) -> String {
    if shape.id == crate::ir::UNIT {
        format!("{op_id}#{suffix}")
    } else {
        shape.id.clone()
    }
}

/// `serde.rs`: the `Json` impl of every generated type.
pub fn serde_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let mut items = Vec::new();
    // Types are named by their module (`input::X`), which the file imports.
    let mut modules = std::collections::BTreeSet::new();
    for (id, home) in &ctx.homes {
        let (m, name) = (home.module.path(), format_ident!("{}", home.name));
        modules.insert(m.to_string());
        let path = quote!(#m::#name);
        let shape = match ctx.shapes.get(id) {
            Some(s) => s,
            None => {
                let extra = match home.module {
                    Module::Types | Module::Input => Extra::None,
                    m => Extra::of(m),
                };
                items.push(json_struct(ctx, &path, &[], extra)?);
                continue;
            }
        };
        let extra = match home.module {
            Module::Output | Module::Error => Extra::of(home.module),
            _ if ctx.is_output(id) => Extra::RequestId,
            _ => Extra::None,
        };
        items.push(match shape.kind {
            Kind::Enum => json_enum(&path, false),
            Kind::IntEnum => json_enum(&path, true),
            Kind::Union => json_union(ctx, shape, &path)?,
            _ => {
                let fs = fields(ctx, shape, home.module)?;
                json_struct(ctx, &path, &fs, extra)?
            }
        });
    }
    let modules = modules.iter().map(|m| format_ident!("{}", m));
    Ok(quote! {
        #![doc = " awsJson serialization of the generated types."]
        use crate::{#(#modules),*};
        #(#items)*
    })
}

/// The private fields a structure keeps besides its members.
#[derive(Clone, Copy)]
enum Extra {
    None,
    /// An output's.
    RequestId,
    /// An error's.
    RequestIds,
}

impl Extra {
    fn of(module: Module) -> Extra {
        match module {
            Module::Error => Extra::RequestIds,
            Module::Output => Extra::RequestId,
            _ => Extra::None,
        }
    }
}

fn json_struct(ctx: &Ctx, path: &TokenStream, fs: &[Field], extra: Extra) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut members = Vec::new();
    for f in fs {
        let id = &f.ident;
        let wire = &f.member.name;
        let mut opts = Vec::new();
        if f.presence == Presence::Collection {
            opts.push(quote!(nonempty));
        }
        if let Some(format) = ctx.timestamp_format(f.member) {
            // `rt::json::TimestampFormat::X`: the macro names the enum itself.
            let variant = format.into_iter().last();
            opts.push(quote!(timestamp(#variant)));
        }
        if f.default.is_some() {
            let z = field_zero(f);
            opts.push(quote!(default(#z)));
        }
        members.push(quote!(#id(#wire #(, #opts)*)));
    }
    let extra = match extra {
        Extra::None => quote!(),
        Extra::RequestId => quote!(, request_id),
        Extra::RequestIds => quote!(, request_id, extended_request_id),
    };
    Ok(quote!(#rt::json_struct!(#path, [#(#members),*] #extra);))
}

fn json_enum(path: &TokenStream, int: bool) -> TokenStream {
    let rt = super::rt();
    let kind = if int { quote!(int) } else { quote!(str) };
    quote!(#rt::json_enum!(#path, #kind);)
}

fn json_union(ctx: &Ctx, shape: &Shape, path: &TokenStream) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let (mut variants, mut units) = (Vec::new(), Vec::new());
    for m in &shape.members {
        let v = ctx.names.variant(&shape.id, &m.name)?;
        let wire = &m.name;
        if m.is_unit() {
            units.push(quote!(#v(#wire)));
            continue;
        }
        variants.push(match ctx.timestamp_format(m) {
            None => quote!(#v(#wire)),
            Some(format) => {
                let format = format.into_iter().last();
                quote!(#v(#wire, timestamp(#format)))
            }
        });
    }
    let unknown = ctx.names.catch_all(&shape.id)?;
    let units = (!units.is_empty()).then(|| quote!(, unit [#(#units),*]));
    Ok(quote!(#rt::json_union!(#path, [#(#variants),*], #unknown #units);))
}
