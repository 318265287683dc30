//! Smithy protocol compliance tests: the model's `smithy.test#httpRequestTests` and
//! `httpResponseTests` cases, for the client, as `#[test]`s inside the generated crate.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::shapes::{fields, io_key, Presence};
use super::{Ctx, Module, Op};
use crate::ir::traits::HttpCase;
use crate::ir::{Kind, Shape};
use crate::passes::protocol_tests::CaseKind;
use crate::ModelError;

/// Cases that need a feature this client leaves out, with the reason the test is ignored.
fn unsupported(_op: &Op) -> Option<&'static str> {
    None
}

/// The test module, or `None` when the model has no protocol tests for its protocol.
pub fn protocol_tests_module(ctx: &Ctx) -> Result<Option<TokenStream>, ModelError> {
    let rt = super::rt();
    let mut tests = Vec::new();
    for c in &ctx.protocol_cases {
        let op = ctx
            .ops
            .iter()
            .find(|op| op.shape.id == c.op)
            .ok_or_else(|| ModelError::new(&c.op, "a protocol test runs through an operation the crate lacks"))?;
        let name = format_ident!("{}", c.name);
        tests.push(match &c.kind {
            CaseKind::Request => {
                let ignore = unsupported(op).map(|why| quote!(#[ignore = #why]));
                request_test(ctx, op, &c.case, ignore, name)?
            }
            CaseKind::Response => response_test(ctx, op, &c.case, name)?,
            CaseKind::Error(id) => error_test(ctx, op, ctx.shape(id)?, &ctx.home(id)?.name, &c.case, name)?,
        });
    }
    if tests.is_empty() {
        return Ok(None);
    }
    Ok(Some(quote! {
        #![doc = " The model's protocol compliance tests (client side)."]
        // Not every model has request, response and error cases: some helpers may go unused.
        #![allow(dead_code, unused_imports)]
        use #rt::operation::Operation;
        use #rt::protocol_harness::{assert_json, assert_same, sent};

        fn harness(
            host: &str,
            status: u16,
            headers: Vec<(&'static str, &'static str)>,
            body: &'static str,
        ) -> (#rt::client::Handle, std::sync::Arc<#rt::protocol_harness::Capture>) {
            #rt::protocol_harness::harness(&super::service::SERVICE, host, status, headers, body)
        }

        #(#tests)*
    }))
}

fn op_type(ctx: &Ctx, op: &Op) -> Result<TokenStream, ModelError> {
    let ty = format_ident!("{}", ctx.names.op(&op.shape.id)?.ty);
    Ok(quote!(crate::operation::#ty))
}

pub(super) fn io_value(
    ctx: &Ctx,
    op: &Op,
    shape: &Shape,
    suffix: &str,
    params: &Value,
) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let key = io_key(shape, &op.shape.id, suffix);
    let home = ctx.home(&key)?;
    if shape.id == crate::ir::UNIT {
        return Ok(quote!(#rt::json::Json::zero()));
    }
    struct_value(ctx, shape, home.module, &home.name, params)
}

fn request_test(
    ctx: &Ctx,
    op: &Op,
    case: &HttpCase,
    ignore: Option<TokenStream>,
    name: proc_macro2::Ident,
) -> Result<TokenStream, ModelError> {
    let input = io_value(ctx, op, op.input, "Input", &case.params)?;
    let op_ty = op_type(ctx, op)?;
    let method = case.method.as_deref().unwrap_or("POST");
    let uri = case.uri.as_deref().unwrap_or("/");
    let host = case.host.as_deref().unwrap_or("example.com");
    let mut checks = Vec::new();
    for (k, v) in &case.headers {
        checks.push(quote! {
            assert_eq!(request.headers().get(#k).and_then(|v| v.to_str().ok()), Some(#v), "header {}", #k);
        });
    }
    for k in &case.forbid_headers {
        checks.push(quote!(assert!(!request.headers().contains_key(#k), "header {} must not be sent", #k);));
    }
    for k in &case.require_headers {
        checks.push(quote!(assert!(request.headers().contains_key(#k), "header {} must be sent", #k);));
    }
    if let Some(resolved) = &case.resolved_host {
        checks.push(quote!(assert_eq!(request.uri().host(), Some(#resolved));));
    }
    if let Some(body) = &case.body {
        let json = case.body_media_type.as_deref().map_or(true, |m| m.contains("json"));
        checks.push(if body.is_empty() {
            quote!(assert!(request.body().is_empty() || request.body().as_ref() == b"{}", "an empty body");)
        } else if json {
            quote!(assert_json(request.body(), #body);)
        } else {
            quote!(assert_eq!(request.body().as_ref(), #body.as_bytes());)
        });
    }
    Ok(quote! {
        #[tokio::test]
        #ignore
        async fn #name() {
            let (handle, capture) = harness(#host, 200, vec![], "{}");
            let input: <#op_ty as Operation>::Input = #input;
            let _ = handle.call::<#op_ty>(&input, &Default::default()).await;
            let request = sent(&capture);
            assert_eq!(request.method().as_str(), #method);
            assert_eq!(request.uri().path(), #uri);
            #(#checks)*
        }
    })
}

fn response_parts(case: &HttpCase) -> (u16, TokenStream, &str) {
    let code = case.code.unwrap_or(200);
    let hs = case.headers.iter().map(|(k, v)| quote!((#k, #v)));
    (code, quote!(vec![#(#hs),*]), case.body.as_deref().unwrap_or_default())
}

fn response_test(ctx: &Ctx, op: &Op, case: &HttpCase, name: proc_macro2::Ident) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let expected = io_value(ctx, op, op.output, "Output", &case.params)?;
    let op_ty = op_type(ctx, op)?;
    let (code, hs, body) = response_parts(case);
    let request_id = case
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amzn-requestid"))
        .map(|(_, v)| quote!(assert_eq!(output.request_id(), Some(#v));));
    Ok(quote! {
        #[tokio::test]
        async fn #name() {
            let (handle, _) = harness("example.com", #code, #hs, #body);
            let input: <#op_ty as Operation>::Input = #rt::json::Json::zero();
            let output = handle.call::<#op_ty>(&input, &Default::default()).await.expect("an output");
            #request_id
            let expected: <#op_ty as Operation>::Output = #expected;
            assert_same(&output, &expected);
        }
    })
}

fn error_test(
    ctx: &Ctx,
    op: &Op,
    error: &Shape,
    error_name: &str,
    case: &HttpCase,
    name: proc_macro2::Ident,
) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let expected = struct_value(ctx, error, Module::Error, error_name, &case.params)?;
    let op_ty = op_type(ctx, op)?;
    let op_error = format_ident!("{}", ctx.names.op(&op.shape.id)?.error);
    let variant = super::operations::error_variant(ctx, error)?;
    let (code, hs, body) = response_parts(case);
    Ok(quote! {
        #[tokio::test]
        async fn #name() {
            let (handle, _) = harness("example.com", #code, #hs, #body);
            let input: <#op_ty as Operation>::Input = #rt::json::Json::zero();
            match handle.call::<#op_ty>(&input, &Default::default()).await {
                Err(crate::SdkError::Service(crate::error::#op_error::#variant(actual))) => {
                    let expected = #expected;
                    assert_same(&actual, &expected);
                }
                other => panic!("expected {}, got {other:?}", stringify!(#variant)),
            }
        }
    })
}

/// A structure literal from test parameters; members not given are zero.
fn struct_value(
    ctx: &Ctx,
    shape: &Shape,
    module: Module,
    name: &str,
    params: &Value,
) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let path = module.crate_path();
    let ty = format_ident!("{}", name);
    let mut inits = Vec::new();
    for f in fields(ctx, shape, module)? {
        let Some(v) = params.get(&f.member.name) else { continue };
        if v.is_null() && f.presence == Presence::Optional {
            continue;
        }
        let id = &f.ident;
        let value = value(ctx, &f.member.target, v)?;
        let value = if f.member.boxed { quote!(Box::new(#value)) } else { value };
        let value = if f.presence == Presence::Optional { quote!(Some(#value)) } else { value };
        inits.push(quote!(#id: #value,));
    }
    Ok(quote!(#path::#ty { #(#inits)* ..#rt::json::Json::zero() }))
}

/// A Rust expression of shape `id` from a test parameter.
fn value(ctx: &Ctx, id: &str, v: &Value) -> Result<TokenStream, ModelError> {
    let shape = ctx.shape(id)?;
    let bad = || ModelError::new(id, format!("protocol test value {v} does not fit the shape"));
    Ok(match (&shape.kind, v) {
        (Kind::String, Value::String(s)) => quote!(String::from(#s)),
        (Kind::Enum, Value::String(s)) => {
            let path = ctx.type_path(id, Module::Input)?;
            quote!(#path::from(#s))
        }
        (Kind::IntEnum, Value::Number(n)) => {
            let n = n.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or_else(bad)?;
            let path = ctx.type_path(id, Module::Input)?;
            quote!(#path::from(#n))
        }
        (Kind::Boolean, Value::Bool(b)) => quote!(#b),
        (Kind::Byte | Kind::Short | Kind::Integer | Kind::Long, Value::Number(n)) => {
            let lit = proc_macro2::Literal::i64_unsuffixed(n.as_i64().ok_or_else(bad)?);
            quote!(#lit)
        }
        (Kind::Float | Kind::Double, Value::Number(n)) => {
            let lit = proc_macro2::Literal::f64_unsuffixed(n.as_f64().ok_or_else(bad)?);
            quote!(#lit)
        }
        (Kind::Float | Kind::Double, Value::String(s)) => {
            let ty = if shape.kind == Kind::Float { quote!(f32) } else { quote!(f64) };
            match s.as_str() {
                "NaN" => quote!(#ty::NAN),
                "Infinity" => quote!(#ty::INFINITY),
                "-Infinity" => quote!(#ty::NEG_INFINITY),
                _ => return Err(bad()),
            }
        }
        (Kind::Timestamp, Value::Number(n)) => {
            let secs = n.as_f64().ok_or_else(bad)?;
            quote!(crate::DateTime::from_secs_f64(#secs))
        }
        (Kind::Blob, Value::String(s)) => {
            let bytes = proc_macro2::Literal::byte_string(s.as_bytes());
            quote!(crate::Blob::from(&#bytes[..]))
        }
        (Kind::BigInteger | Kind::BigDecimal, v) => {
            let text = v.to_string();
            quote!(crate::BigNumber::new(#text).expect("a number"))
        }
        (Kind::Document, v) => {
            let text = v.to_string();
            {
                let rt = super::rt();
                quote!(#rt::serde_json::from_str::<crate::Document>(#text).expect("a document"))
            }
        }
        (Kind::List, Value::Array(items)) => {
            let sparse = shape.traits.sparse;
            let mut out = Vec::new();
            for item in items {
                out.push(match (sparse, item) {
                    (true, Value::Null) => quote!(None),
                    (true, item) => {
                        let x = value(ctx, &shape.members[0].target, item)?;
                        quote!(Some(#x))
                    }
                    (false, item) => value(ctx, &shape.members[0].target, item)?,
                });
            }
            quote!(vec![#(#out),*])
        }
        (Kind::Map, Value::Object(entries)) => {
            let sparse = shape.traits.sparse;
            let mut out = Vec::new();
            for (k, item) in entries {
                let x = match (sparse, item) {
                    (true, Value::Null) => quote!(None),
                    (true, item) => {
                        let x = value(ctx, &shape.members[1].target, item)?;
                        quote!(Some(#x))
                    }
                    (false, item) => value(ctx, &shape.members[1].target, item)?,
                };
                out.push(quote!((String::from(#k), #x)));
            }
            quote!(std::collections::HashMap::from([#(#out),*]))
        }
        (Kind::Structure, params @ Value::Object(_)) => {
            let home = ctx.home(id)?;
            struct_value(ctx, shape, home.module, &home.name, params)?
        }
        (Kind::Union, Value::Object(entries)) => {
            let (k, item) = entries.iter().next().ok_or_else(bad)?;
            let m = shape.member(k).ok_or_else(bad)?;
            let variant = ctx.names.variant(&shape.id, &m.name)?;
            let path = ctx.type_path(id, Module::Input)?;
            if m.is_unit() {
                return Ok(quote!(#path::#variant));
            }
            let x = value(ctx, &m.target, item)?;
            let x = if m.boxed { quote!(Box::new(#x)) } else { x };
            quote!(#path::#variant(#x))
        }
        _ => return Err(bad()),
    })
}
