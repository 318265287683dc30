//! Operations: the client's methods, the request builders behind them, paginators, and the
//! error structs and per-operation error enums.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::shapes::{argument, field_named, fields, io_key, structure, Presence};
use super::{doc_or, Ctx, Module, Op};
use crate::ir::traits::{Fault, StaticParam};
use crate::ir::Kind;
use crate::passes::naming::Builder;
use crate::ModelError;

/// `error.rs`: one struct per modeled error, one enum per operation, and the service-wide `Error`.
pub fn error_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut items = Vec::new();
    for (id, home) in ctx.homes.iter().filter(|(_, h)| h.module == Module::Error) {
        let shape = ctx.shape(id)?;
        let ty = format_ident!("{}", home.name);
        let code = shape.name();
        items.push(structure(ctx, shape, Module::Error, &home.name, true)?);
        let fs = fields(ctx, shape, Module::Error)?;
        let message = fs.iter().find(|f| f.member.name.eq_ignore_ascii_case("message"));
        let message = match message {
            Some(f) if ctx.shape(&f.member.target)?.kind == Kind::String => {
                let id = &f.ident;
                if f.presence == Presence::Optional {
                    quote!(optional(#id))
                } else {
                    quote!(required(#id))
                }
            }
            _ => quote!(none),
        };
        let (fault, default_status) = match shape.traits.error {
            Some(Fault::Server) => (quote!(Server), 500u16),
            _ => (quote!(Client), 400u16),
        };
        // An awsQuery-compatible service's users know its errors by their awsQuery codes.
        let query_code = shape.traits.aws_query_error.as_deref().filter(|_| ctx.service.traits.aws_query_compatible);
        let query_code = query_code.map(|q| quote!(query_code(#q),));
        let status = proc_macro2::Literal::u16_unsuffixed(shape.traits.http_error.unwrap_or(default_status));
        items.push(quote! {
            #rt::modeled_error!(#ty, code(#code), #query_code fault(#fault), status(#status), message(#message));
        });
    }
    for op in &ctx.ops {
        items.push(operation_error(ctx, op)?);
    }
    items.push(service_error(ctx)?);
    // The runtime's error types where users of the official SDK look for them
    // (`crate::error::SdkError`), unless a modeled error already has the name.
    let taken = |name: &str| ctx.homes.values().any(|h| h.module == Module::Error && h.name == name);
    let reexports =
        [("SdkError", quote!(crate::SdkError)), ("ProvideErrorMetadata", quote!(crate::prelude::ProvideErrorMetadata))]
            .into_iter()
            .filter(|(name, _)| !taken(name))
            .map(|(_, path)| quote!(pub use #path;));
    Ok(quote! {
        #![doc = " Errors: one struct per error the service models, one enum per operation, and `Error`, any of them."]
        #(#reexports)*
        #(#items)*
    })
}

fn operation_error(ctx: &Ctx, op: &Op) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let ty = format_ident!("{}", ctx.names.op(&op.shape.id)?.error);
    let d = format!(" An error `{}` can return.", op.name());
    let mut variants = Vec::new();
    let mut paths = Vec::new();
    for e in &op.errors {
        variants.push(error_variant(ctx, e)?);
        paths.push(ctx.type_path(&e.id, Module::Error)?);
    }
    let defs = variants.iter().zip(&paths).zip(&op.errors).map(|((v, p), e)| {
        let d = doc_or(e.doc.clone(), || format!("The `{}` error.", e.name()));
        quote!(#d #v(#p),)
    });
    // Variants hold the error structs unboxed, so matching and stubbing need no `Box`.
    Ok(quote! {
        #[doc = #d]
        #[derive(Debug)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum #ty {
            #(#defs)*
            #[doc = " An error the model does not list for this operation."]
            Unhandled(crate::Unhandled),
        }
        #rt::operation_error!(#ty, [#(#variants),*]);
    })
}

/// The service-wide `Error`: a variant per modeled error, so one type takes the errors of every
/// operation (`From` each `SdkError<XError>` and `XError`).
fn service_error(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut errors = Vec::new();
    for (id, home) in ctx.homes.iter().filter(|(_, h)| h.module == Module::Error) {
        errors.push((home.name.as_str(), ctx.shape(id)?));
    }
    // By Rust name, the order users read them in.
    errors.sort_by_key(|(name, _)| *name);
    let variants: Vec<_> = errors.iter().map(|(name, _)| format_ident!("{}", name)).collect();
    let defs = variants.iter().zip(&errors).map(|(v, (_, e))| {
        let d = doc_or(e.doc.clone(), || format!("The `{}` error.", e.name()));
        quote!(#d #v(#v),)
    });
    let mut ops = Vec::new();
    for op in &ctx.ops {
        let ty = format_ident!("{}", ctx.names.op(&op.shape.id)?.error);
        let vs = op.errors.iter().map(|e| error_variant(ctx, e)).collect::<Result<Vec<_>, _>>()?;
        ops.push(quote!(#ty(#(#vs),*)));
    }
    Ok(quote! {
        #[doc = " Any error of any operation of the service: one variant per error the model defines, and"]
        #[doc = " `Unhandled` for everything else. Every operation's `SdkError<XError>` and `XError` convert into"]
        #[doc = " it, so `?` works across operations in a function returning `Result<_, Error>`."]
        #[doc = ""]
        #[doc = " `ProvideErrorMetadata` (in `prelude`) gives the code, message and request ids of any variant."]
        #[derive(Debug)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum Error {
            #(#defs)*
            #[doc = " A service error the model does not list for the operation that returned it (its code,"]
            #[doc = " message and request id are kept), or a failure that is not the service's: transport,"]
            #[doc = " timeout, configuration, validation, an unreadable response, an interceptor. `source()` is"]
            #[doc = " the original error (`Unhandled`, `TransportError`, ...), to downcast."]
            Unhandled(crate::UnhandledError),
        }
        #rt::service_error!(Error, [#(#variants),*], { #(#ops),* });
    })
}

/// `operation.rs`: one request builder per operation, and paginators.
pub fn operation_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let mut items = Vec::new();
    for op in &ctx.ops {
        items.push(builder(ctx, op)?);
        if let Some(p) = paginator(ctx, op)? {
            items.push(p);
        }
    }
    let import = (!ctx.ops.is_empty()).then(|| {
        quote!(
            use crate::input;
        )
    });
    Ok(quote! {
        #![doc = " Request builders: set optional members, then `send().await`."]
        #import
        #(#items)*
    })
}

/// `crate::input::XInput` or `crate::output::XOutput`: the operation's own struct, or the alias
/// `data_module` writes when the shape is shared.
pub(super) fn io_path(ctx: &Ctx, op: &Op, module: Module) -> Result<TokenStream, ModelError> {
    let (shape, suffix) = if module == Module::Input { (op.input, "Input") } else { (op.output, "Output") };
    let home = ctx.home(&io_key(shape, &op.shape.id, suffix))?;
    let name = if home.module == module {
        format_ident!("{}", home.name)
    } else {
        format_ident!("{}{}", ctx.names.op(&op.shape.id)?.ty, suffix)
    };
    let m = module.crate_path();
    Ok(quote!(#m::#name))
}

fn op_doc(op: &Op) -> TokenStream {
    doc_or(op.shape.doc.clone(), || format!("Calls `{}`.", op.name()))
}

/// The variant of an operation's error enum that holds error `e`: the error's own type name.
pub(super) fn error_variant(ctx: &Ctx, e: &crate::ir::Shape) -> Result<proc_macro2::Ident, ModelError> {
    Ok(format_ident!("{}", ctx.home(&e.id)?.name))
}

/// A setter per optional input member, named by the naming pass for `builder`.
pub(super) fn setters(ctx: &Ctx, op: &Op, builder: Builder) -> Result<Vec<TokenStream>, ModelError> {
    let mut setters = Vec::new();
    for f in fields(ctx, op.input, Module::Input)?.iter().filter(|f| !f.required) {
        let (t, e) = argument(ctx, f, Module::Input, &format_ident!("value"))?;
        let field = &f.ident;
        let method = ctx.names.setter(builder, &op.shape.id, &f.member.name)?;
        let assign = if f.presence == Presence::Optional { quote!(Some(#e)) } else { e };
        let d = doc_or(f.member.doc.clone(), || format!("Sets `{}`.", f.member.name));
        setters.push(quote! {
            #d
            pub fn #method(mut self, value: #t) -> Self { self.input.#field = #assign; self }
        });
    }
    if builder == Builder::Request {
        setters.extend(accessors(ctx, op)?);
    }
    Ok(setters)
}

/// `set_x` (the field's own type, `None` clearing an optional member) and `get_x` for each
/// input member, for code that passes values through; required members, set by the client
/// method, only get `get_x`.
fn accessors(ctx: &Ctx, op: &Op) -> Result<Vec<TokenStream>, ModelError> {
    let mut out = Vec::new();
    for f in fields(ctx, op.input, Module::Input)?.iter() {
        let (set, get) = ctx.names.accessors(&op.shape.id, &f.member.name)?;
        let (field, ty) = (&f.ident, &f.ty);
        let name = f.ident.to_string();
        let name = name.trim_start_matches("r#");
        if !f.required {
            let d = format!(" Sets or clears `{name}` from a value already in its field's type.");
            out.push(quote! {
                #[doc = #d]
                pub fn #set(mut self, value: #ty) -> Self { self.input.#field = value; self }
            });
        }
        let d = format!(" `{name}` as set so far.");
        out.push(quote! {
            #[doc = #d]
            pub fn #get(&self) -> &#ty { &self.input.#field }
        });
    }
    Ok(out)
}

fn builder(ctx: &Ctx, op: &Op) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let op_names = ctx.names.op(&op.shape.id)?;
    let ty = format_ident!("{}", op_names.ty);
    let input = io_path(ctx, op, Module::Input)?;
    // Inside a macro call `crate::` would print as `crate ::`; the file imports `input`.
    let input_rel = {
        let name = input.clone().into_iter().last();
        quote!(input::#name)
    };
    let output = io_path(ctx, op, Module::Output)?;
    let error = format_ident!("{}", op_names.error);
    let name = op.name();
    let doc = op_doc(op);
    let setters = setters(ctx, op, Builder::Request)?;
    let send_doc = format!(" Sends the `{name}` request and waits for its response.");
    // `@idempotencyToken` members left unset get a fresh UUID v4, so retries stay idempotent.
    let tokens: Vec<TokenStream> = fields(ctx, op.input, Module::Input)?
        .iter()
        .filter(|f| f.member.traits.idempotency_token && f.presence == Presence::Optional)
        .map(|f| {
            let id = &f.ident;
            quote!(if self.input.#id.is_none() { self.input.#id = Some(#rt::ids::uuid_v4()); })
        })
        .collect();
    let mut_self = (!tokens.is_empty()).then(|| quote!(mut));
    let fill_tokens = quote!(#(#tokens)*);
    let host_prefix = host_prefix(ctx, op)?;
    let endpoint_params = endpoint_params(ctx, op)?;
    let gzip = op.shape.traits.request_compression.as_ref().is_some_and(|e| e.iter().any(|x| x == "gzip"));
    let compression = gzip.then(|| {
        quote!(
            const REQUEST_COMPRESSION: bool = true;
        )
    });
    let checksum = op.shape.traits.http_checksum_required.then(|| {
        quote!(
            const CHECKSUM_REQUIRED: bool = true;
        )
    });
    let sensitive_output = ctx.sensitive_outputs.contains(&op.output.id).then(|| {
        quote!(
            const SENSITIVE_OUTPUT: bool = true;
        )
    });
    let validate = ctx.constrained.contains(&op.input.id).then(|| {
        quote! {
            fn validate(input: &Self::Input, v: &mut #rt::validate::Validator) {
                #rt::validate::Validate::validate(input, "", v)
            }
        }
    });
    Ok(quote! {
        #doc
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until `send().await`"]
        pub struct #ty {
            handle: #rt::client::Handle,
            input: #input,
            options: crate::CallOptions,
        }
        #rt::request_builder!(#ty, #input_rel);
        impl #ty {
            #(#setters)*
            #[doc = #send_doc]
            pub async fn send(#mut_self self) -> Result<#output, crate::SdkError<crate::error::#error>> {
                #fill_tokens
                self.handle.call::<Self>(&self.input, &self.options).await
            }
        }
        impl #rt::operation::Operation for #ty {
            const NAME: &'static str = #name;
            type Input = #input;
            type Output = #output;
            type Error = crate::error::#error;
            #compression
            #checksum
            #sensitive_output
            #host_prefix
            #endpoint_params
            #validate
        }
    })
}

/// The endpoint rule parameters an operation binds: `staticContextParams`, `contextParam` members
/// and `operationContextParams` paths into the input.
fn endpoint_params(ctx: &Ctx, op: &Op) -> Result<Option<TokenStream>, ModelError> {
    let rt = super::rt();
    let mut sets = Vec::new();
    for (name, v) in &op.shape.traits.static_context_params {
        let value = match v {
            StaticParam::Bool(b) => quote!(#b),
            StaticParam::Str(s) => quote!(#s),
            StaticParam::List(items) => quote!(vec![#(String::from(#items)),*]),
        };
        sets.push(quote!(params.set(#name, #value);));
    }
    let static_only = sets.len();
    for f in fields(ctx, op.input, Module::Input)? {
        let Some(name) = &f.member.traits.context_param else { continue };
        let id = &f.ident;
        let target = ctx.shape(&f.member.target)?;
        // `v` is a reference when optional, the field itself when not.
        let optional = f.presence == Presence::Optional;
        let as_value = |v: TokenStream| match target.kind {
            Kind::String | Kind::Enum => Ok(quote!(#v.as_str())),
            Kind::Boolean if optional => Ok(quote!(*#v)),
            Kind::Boolean => Ok(v),
            _ => Err(ModelError::new(
                &f.member.target,
                "not supported by this generator yet: a contextParam of this type",
            )),
        };
        sets.push(if optional {
            let v = as_value(quote!(v))?;
            quote!(if let Some(v) = &input.#id { params.set(#name, #v); })
        } else {
            let v = as_value(quote!(input.#id))?;
            quote!(params.set(#name, #v);)
        });
    }
    for (name, path) in &op.shape.traits.operation_context_params {
        let expr = context_path(ctx, op, path)?;
        sets.push(quote!(if let Some(v) = #expr { params.set(#name, v); }));
    }
    if sets.is_empty() {
        return Ok(None);
    }
    // Rules fed by static parameters alone never read the input.
    let input = if sets.len() == static_only { format_ident!("_input") } else { format_ident!("input") };
    Ok(Some(quote! {
        const ENDPOINT_PARAMS: bool = true;
        fn endpoint_params(#input: &Self::Input, params: &mut #rt::endpoint::Params) {
            #(#sets)*
        }
    }))
}

/// An `operationContextParams` path (`a.b`, `a[*].b`, `keys(a)`, and a flattened multi-select
/// of string members per projected item, `a[*].[b.c, d][]`) as an expression giving
/// `Option<Value>`. Other JMESPath forms are rejected by name.
fn context_path(ctx: &Ctx, op: &Op, path: &str) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let unsupported = || {
        ModelError::new(
            &op.shape.id,
            format!("not supported by this generator yet: operationContextParams path `{path}`"),
        )
    };
    let (keys, path) = match path.strip_prefix("keys(").and_then(|p| p.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, path),
    };
    // Walk the members, borrowing as we go; after `[*]` the walk maps over list items.
    let mut shape = op.input;
    let mut code = quote!(Some(input));
    let mut projected = false;
    let segments = top_level_segments(path);
    for (i, segment) in segments.iter().enumerate() {
        if let Some(list) = segment.strip_prefix('[').and_then(|s| s.strip_suffix("][]")) {
            // Each item yields the listed members that are set; the lists are flattened into one.
            if !projected || keys || i + 1 != segments.len() {
                return Err(unsupported());
            }
            let mut picks = Vec::new();
            let mut picked = shape;
            for sub in list.split(',') {
                let mut pick = quote!(Some(x));
                let mut s = shape;
                for member in sub.trim().split('.') {
                    (pick, s) = member_access(ctx, s, member, pick, false).map_err(|_| unsupported())?;
                }
                if s.kind != Kind::String {
                    return Err(unsupported());
                }
                picks.push(pick);
                picked = s;
            }
            shape = picked;
            code =
                quote!(#code.map(|items| items.into_iter().flat_map(|x| [#(#picks),*]).flatten().collect::<Vec<_>>()));
            break;
        }
        let (member, star) = match segment.strip_suffix("[*]") {
            Some(m) => (m, true),
            None => (*segment, false),
        };
        let target;
        (code, target) = member_access(ctx, shape, member, code, projected).map_err(|_| unsupported())?;
        if star {
            if projected || target.kind != Kind::List {
                return Err(unsupported());
            }
            code = quote!(#code.map(|list| list.iter().collect::<Vec<_>>()));
            projected = true;
            shape = ctx.shape(&target.members[0].target)?;
        } else {
            shape = target;
        }
    }
    Ok(match (keys, projected, &shape.kind) {
        (true, false, Kind::Map) => {
            quote!(#code.map(|m| #rt::endpoint::Value::from(m.keys().cloned().collect::<Vec<String>>())))
        }
        (false, true, Kind::String) => {
            quote!(#code.map(|v| #rt::endpoint::Value::from(v.into_iter().cloned().collect::<Vec<String>>())))
        }
        (false, false, Kind::String) => quote!(#code.map(|v| #rt::endpoint::Value::from(v.as_str()))),
        (false, false, Kind::Boolean) => quote!(#code.map(|v| #rt::endpoint::Value::from(*v))),
        (false, false, Kind::List) => {
            quote!(#code.map(|v| #rt::endpoint::Value::from(v.iter().cloned().collect::<Vec<String>>())))
        }
        _ => return Err(unsupported()),
    })
}

/// `code` (an `Option<&T>`, or a `Vec<&T>` of projected items when `projected`) followed into
/// `member` of `shape`; with the member's target shape.
fn member_access<'m>(
    ctx: &Ctx<'m>,
    shape: &'m crate::ir::Shape,
    member: &str,
    code: TokenStream,
    projected: bool,
) -> Result<(TokenStream, &'m crate::ir::Shape), ModelError> {
    let f = member_field(ctx, shape, member)?;
    let id = &f.ident;
    let code = match (projected, f.presence == Presence::Optional) {
        (true, true) => quote!(#code.map(|items| items.into_iter().filter_map(|x| x.#id.as_ref()).collect::<Vec<_>>())),
        (true, false) => quote!(#code.map(|items| items.into_iter().map(|x| &x.#id).collect::<Vec<_>>())),
        (false, true) => quote!(#code.and_then(|x| x.#id.as_ref())),
        (false, false) => quote!(#code.map(|x| &x.#id)),
    };
    Ok((code, ctx.shape(&f.member.target)?))
}

/// A path split at the dots that are not inside brackets: `a[*].[b.c, d][]` -> `a[*]`, `[b.c, d][]`.
fn top_level_segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut from) = (0usize, 0);
    for (i, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                out.push(&path[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[from..]);
    out
}

/// `@endpoint(hostPrefix: "{label}.data-")`: the prefix, its labels read from `@hostLabel` members.
fn host_prefix(ctx: &Ctx, op: &Op) -> Result<Option<TokenStream>, ModelError> {
    let rt = super::rt();
    let Some(prefix) = op.shape.traits.host_prefix.as_deref() else { return Ok(None) };
    let fs = fields(ctx, op.input, Module::Input)?;
    let mut template = String::new();
    let mut args = Vec::new();
    let mut rest = prefix;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| ModelError::new(&op.shape.id, format!("unclosed label in hostPrefix `{prefix}`")))?;
        template.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        template.push_str("{}");
        let label = &rest[open + 1..close];
        let f = fs.iter().find(|f| f.member.name == label && f.member.traits.host_label).ok_or_else(|| {
            ModelError::new(&op.shape.id, format!("hostPrefix label `{label}` is not a @hostLabel input member"))
        })?;
        let id = &f.ident;
        let value = if f.presence == Presence::Optional {
            quote!(input.#id.as_deref().unwrap_or_default())
        } else {
            quote!(input.#id.as_str())
        };
        args.push(quote!(#rt::client::host_label(#label, #value)?));
        rest = &rest[close + 1..];
    }
    template.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    let prefix = if args.is_empty() { quote!(String::from(#prefix)) } else { quote!(format!(#template, #(#args),*)) };
    Ok(Some(quote! {
        fn host_prefix(input: &Self::Input) -> Result<Option<String>, String> {
            let _ = input;
            Ok(Some(#prefix))
        }
    }))
}

/// The last member of an output path (`a.b.c`, checked by the paginators pass), and for nested
/// paths the expression that reaches the structure holding it as an `Option<&T>`
/// (`Option<&mut T>` when `mutable`).
fn output_member<'m>(
    ctx: &Ctx<'m>,
    op: &Op<'m>,
    path: &[String],
    mutable: bool,
) -> Result<(Option<TokenStream>, super::shapes::Field<'m>), ModelError> {
    let mut shape = op.output;
    let mut walk: Option<TokenStream> = None;
    for (i, seg) in path.iter().enumerate() {
        let f = member_field(ctx, shape, seg)?;
        if i + 1 == path.len() {
            return Ok((walk, f));
        }
        let id = &f.ident;
        let start = walk.take().unwrap_or_else(|| quote!(Some(output)));
        walk = Some(match (f.presence == Presence::Optional, mutable) {
            (true, false) => quote!(#start.and_then(|x| x.#id.as_ref())),
            (true, true) => quote!(#start.and_then(|x| x.#id.as_mut())),
            (false, false) => quote!(#start.map(|x| &x.#id)),
            (false, true) => quote!(#start.map(|x| &mut x.#id)),
        });
        shape = ctx.shape(&f.member.target)?;
    }
    Err(ModelError::new(&op.shape.id, "an empty @paginated path (a generator bug)"))
}

/// The field of member `name` of structure `shape`.
fn member_field<'m>(
    ctx: &Ctx<'m>,
    shape: &'m crate::ir::Shape,
    name: &str,
) -> Result<super::shapes::Field<'m>, ModelError> {
    field_named(ctx, shape, name)?.ok_or_else(|| ModelError::new(&shape.id, format!("no member `{name}`")))
}

fn paginator(ctx: &Ctx, op: &Op) -> Result<Option<TokenStream>, ModelError> {
    let rt = super::rt();
    let Some(p) = ctx.paginators.get(&op.shape.id) else { return Ok(None) };
    let in_tok_f = member_field(ctx, op.input, &p.input_token)?;
    // Output paths may be nested (`page.next`): walk to the structure holding the last member.
    let (tok_walk, out_tok_f) = output_member(ctx, op, &p.output_token, false)?;
    let it = &in_tok_f.ident;
    let ot = &out_tok_f.ident;
    let set_token = if in_tok_f.presence == Presence::Optional {
        quote!(input.#it = token;)
    } else {
        quote!(input.#it = token.unwrap_or_default();)
    };
    // Both ends are of one Rust type (the pass checked), and the paginator never prints a
    // token, so an input token's redaction holds.
    let token_ty = ctx.value_type(&in_tok_f.member.target, Module::Input)?;
    let get_in_token =
        if in_tok_f.presence == Presence::Optional { quote!(input.#it.as_ref()) } else { quote!(Some(&input.#it)) };
    let get_token = match (&tok_walk, out_tok_f.presence == Presence::Optional) {
        (None, true) => quote!(output.#ot.as_ref()),
        (None, false) => quote!(Some(&output.#ot)),
        (Some(walk), true) => quote!(#walk.and_then(|x| x.#ot.as_ref())),
        (Some(walk), false) => quote!(#walk.map(|x| &x.#ot)),
    };
    let set_size = match &p.page_size {
        Some(n) => {
            let f = member_field(ctx, op.input, n)?;
            let id = &f.ident;
            let conv = match ctx.shape(&f.member.target)?.kind {
                Kind::Long => quote!(size.into()),
                _ => quote!(size),
            };
            let v = if f.presence == Presence::Optional { quote!(Some(#conv)) } else { conv };
            quote!(input.#id = #v;)
        }
        None => quote!(let _ = (input, size);),
    };
    let (item_ty, take_items) = match &p.items {
        Some(path) => {
            let (walk, f) = output_member(ctx, op, path, true)?;
            let id = &f.ident;
            let target = ctx.shape(&f.member.target)?;
            let item_ty = match target.kind {
                Kind::Map => {
                    let v = ctx.value_type(&target.members[1].target, Module::Output)?;
                    quote!((String, #v))
                }
                _ => ctx.value_type(&target.members[0].target, Module::Output)?,
            };
            let take = match (walk, f.presence == Presence::Optional) {
                (None, true) => quote!(output.#id.take().unwrap_or_default().into_iter().collect()),
                (None, false) => quote!(std::mem::take(&mut output.#id).into_iter().collect()),
                (Some(walk), true) => {
                    quote!(#walk.and_then(|x| x.#id.take()).unwrap_or_default().into_iter().collect())
                }
                (Some(walk), false) => {
                    quote!(#walk.map(|x| std::mem::take(&mut x.#id)).unwrap_or_default().into_iter().collect())
                }
            };
            (item_ty, take)
        }
        None => (
            quote!(()),
            quote!({
                let _ = output;
                Vec::new()
            }),
        ),
    };
    let ty = format_ident!("{}", ctx.names.op(&op.shape.id)?.ty);
    let d = format!(
        " Pages through every result of `{}`: a [`Paginator`](crate::paginate::Paginator) yields whole pages, \
         its [`items`](crate::paginate::Paginator::items) the {} one by one. Pages are requested as they are consumed.",
        op.name(),
        p.items.as_ref().map_or("items".to_string(), |i| format!("`{}`", i.join(".")))
    );
    Ok(Some(quote! {
        impl #ty {
            #[doc = #d]
            pub fn into_paginator(self) -> crate::paginate::Paginator<Self> {
                crate::paginate::Paginator::new(self.handle, self.input, self.options)
            }
        }
        impl #rt::paginate::Paginated for #ty {
            type Item = #item_ty;
            type Token = #token_ty;
            fn set_token(input: &mut Self::Input, token: Option<Self::Token>) { #set_token }
            fn token(input: &Self::Input) -> Option<&Self::Token> { #get_in_token }
            fn next_token(output: &Self::Output) -> Option<&Self::Token> { #get_token }
            fn set_page_size(input: &mut Self::Input, size: i32) { #set_size }
            fn take_items(output: &mut Self::Output) -> Vec<Self::Item> { #take_items }
        }
    }))
}

/// A client method's view of an operation's required input members: its parameters and
/// their docs, and the expression that builds the input from them.
pub(super) struct Required {
    pub params: Vec<TokenStream>,
    pub args_doc: TokenStream,
    pub make_input: TokenStream,
    pub allow: Option<TokenStream>,
}

pub(super) fn required(ctx: &Ctx, op: &Op) -> Result<Required, ModelError> {
    let input = io_path(ctx, op, Module::Input)?;
    let required: Vec<_> = fields(ctx, op.input, Module::Input)?.into_iter().filter(|f| f.required).collect();
    let mut params = Vec::new();
    let mut args = Vec::new();
    let mut arg_docs = Vec::new();
    for f in &required {
        let id = &f.ident;
        let (t, _) = argument(ctx, f, Module::Input, id)?;
        params.push(quote!(#id: #t));
        args.push(quote!(#id));
        let plain = id.to_string().trim_start_matches("r#").to_string();
        let first = f.member.doc.clone();
        let first = first.split("\n\n").next().unwrap_or("").replace('\n', " ");
        arg_docs.push(format!(" - `{plain}`: {first}"));
    }
    let args_doc = if arg_docs.is_empty() {
        quote!()
    } else {
        let head = " # Required".to_string();
        quote! { #[doc = ""] #[doc = #head] #[doc = ""] #( #[doc = #arg_docs] )* }
    };
    let make_input = if required.is_empty() { quote!(#input::default()) } else { quote!(#input::new(#(#args),*)) };
    // Required members are arguments, however many the model has.
    let allow = (params.len() + 1 > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    Ok(Required { params, args_doc, make_input, allow })
}

/// The lines of a client method's example: a call with its required members, which arrive as
/// the hidden function's parameters (so the example stays one line and still compiles).
fn example(ctx: &Ctx, op: &Op, crate_name: &str, method: &str) -> Result<Vec<String>, ModelError> {
    let required: Vec<_> = fields(ctx, op.input, Module::Input)?.into_iter().filter(|f| f.required).collect();
    let mut params = vec![format!("client: &{crate_name}::Client")];
    let mut args = Vec::new();
    for f in &required {
        let name = f.ident.to_string();
        params.push(format!("{name}: {}", rust_type(&f.value_ty.to_string(), crate_name)));
        args.push(name);
    }
    let lines = [
        String::new(),
        "# Example".into(),
        String::new(),
        "```no_run".into(),
        format!("# async fn example({}) -> Result<(), {crate_name}::Error> {{", params.join(", ")),
        format!("let output = client.{method}({}).send().await?;", args.join(", ")),
        "println!(\"{output:?}\");".into(),
        "# Ok(())".into(),
        "# }".into(),
        "```".into(),
    ];
    Ok(lines.into_iter().map(|l| if l.is_empty() { l } else { format!(" {l}") }).collect())
}

/// A type's tokens as a user writes it: `ecrpublic::types::Tag`, not `crate :: types :: Tag`.
fn rust_type(tokens: &str, crate_name: &str) -> String {
    let tight =
        tokens.replace(" :: ", "::").replace(" < ", "<").replace("< ", "<").replace(" >", ">").replace(" ,", ",");
    let tight = tight.strip_prefix(":: ").unwrap_or(&tight).to_string();
    tight.replace("crate::", &format!("{crate_name}::"))
}

/// `client.rs`: the `Client` with one method per operation; required members are its arguments.
pub fn client_module(ctx: &Ctx, crate_name: Option<&str>) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut methods = Vec::new();
    for op in &ctx.ops {
        let op_names = ctx.names.op(&op.shape.id)?;
        let ty = format_ident!("{}", op_names.ty);
        let method = crate::names::ident(&op_names.method);
        let Required { params, args_doc, make_input, allow } = required(ctx, op)?;
        let doc = op_doc(op);
        let see = format!(" Optional members are set on the returned [`{0}`](crate::operation::{0}).", ty);
        let example = match crate_name {
            Some(name) => example(ctx, op, name, &op_names.method)?,
            None => Vec::new(),
        };
        methods.push(quote! {
            #doc
            #args_doc
            #[doc = ""]
            #[doc = #see]
            #(#[doc = #example])*
            #allow
            pub fn #method(&self, #(#params),*) -> crate::operation::#ty {
                crate::operation::#ty::new(self.handle.clone(), #make_input)
            }
        });
    }
    methods.extend(super::waiters::client_methods(ctx)?);
    let mut doc_text = ctx.service.doc.clone();
    if doc_text.is_empty() {
        doc_text = "A client for the service.".into();
    }
    if !ctx.skipped.is_empty() {
        doc_text.push_str(&format!(
            "\n\nLeft out of this crate, as event-stream operations: {}.",
            ctx.skipped.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    let doc = super::doc_attr(&doc_text);
    Ok(quote! {
        #![doc = " The client: one method per operation."]
        #doc
        #[doc = ""]
        #[doc = " Cloning is cheap: clones share one connection pool and credentials cache."]
        #[derive(Clone, Debug)]
        pub struct Client {
            handle: #rt::client::Handle,
        }
        impl Client {
            #[doc = " A client with the given configuration."]
            pub fn new(config: &crate::Config) -> Self {
                Self { handle: #rt::client::Handle::new(config.clone(), &super::service::SERVICE) }
            }
            #[doc = " A client configured from the environment: region, credentials and endpoint settings."]
            pub async fn from_env() -> Self {
                Self::new(&crate::Config::from_env().await)
            }
            #[doc = " The configuration this client uses."]
            pub fn config(&self) -> &crate::Config { self.handle.config() }
            #(#methods)*
        }
    })
}
