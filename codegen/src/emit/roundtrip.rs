//! Round-trip tests for every operation's input and output: a value with every member set is
//! written as JSON and read back unchanged, so writer and reader agree on every member.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::shapes::{fields, io_key, Presence};
use super::{Ctx, Module};
use crate::ir::traits::TimestampFormat;
use crate::ir::{Kind, Shape};
use crate::ModelError;

/// Recursive shapes stop being filled past this depth.
const MAX_DEPTH: usize = 3;

pub fn roundtrip_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut tests = Vec::new();
    for op in &ctx.ops {
        for (shape, module, suffix) in [(op.input, Module::Input, "Input"), (op.output, Module::Output, "Output")] {
            let key = io_key(shape, &op.shape.id, suffix);
            let home = ctx.home(&key)?;
            if home.module != module {
                continue;
            }
            let name = format_ident!("{}_{}", ctx.names.op(&op.shape.id)?.snake, suffix.to_lowercase());
            let value = struct_value(ctx, shape, &home.name, module, 0)?;
            tests.push(quote! {
                #[test]
                fn #name() {
                    let value = #value;
                    let wire = to_vec(&value);
                    let back = from_slice(&wire).expect("reads back");
                    assert_eq!(value, back, "{}", String::from_utf8_lossy(&wire));
                }
            });
        }
    }
    Ok(quote! {
        #![doc = " Round trips of every operation's input and output through awsJson."]
        use #rt::json::{from_slice, to_vec};
        #(#tests)*
    })
}

fn struct_value(ctx: &Ctx, shape: &Shape, name: &str, module: Module, depth: usize) -> Result<TokenStream, ModelError> {
    let path = module.crate_path();
    let ty = format_ident!("{}", name);
    let mut inits = Vec::new();
    for f in fields(ctx, shape, module)? {
        let id = &f.ident;
        let v = if depth >= MAX_DEPTH && f.presence != Presence::Always {
            quote!(Default::default())
        } else {
            // `http-date` keeps whole seconds only.
            let whole = f.member.timestamp_format == Some(TimestampFormat::HttpDate);
            let v = sample(ctx, &f.member.target, &f.member.name, depth + 1, whole)?;
            let v = if f.member.boxed { quote!(Box::new(#v)) } else { v };
            if f.presence == Presence::Optional {
                quote!(Some(#v))
            } else {
                v
            }
        };
        inits.push(quote!(#id: #v,));
    }
    let extra = if module == Module::Error {
        quote!(request_id: None, extended_request_id: None,)
    } else if module == Module::Output || ctx.is_output(&shape.id) {
        quote!(request_id: None,)
    } else {
        quote!()
    };
    Ok(quote!(#path::#ty { #(#inits)* #extra }))
}

/// A value of shape `id` with everything set; `hint` makes strings distinct per member.
fn sample(ctx: &Ctx, id: &str, hint: &str, depth: usize, whole_secs: bool) -> Result<TokenStream, ModelError> {
    let shape = ctx.shape(id)?;
    Ok(match &shape.kind {
        Kind::String => {
            let s = format!("{hint}-value \"quoted\" \u{e9}");
            quote!(String::from(#s))
        }
        Kind::Boolean => quote!(true),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long => quote!(7),
        Kind::Float | Kind::Double => quote!(2.5),
        Kind::Timestamp if whole_secs => quote!(crate::DateTime::from_secs(1_700_000_000)),
        Kind::Timestamp => quote!(crate::DateTime::from_millis(1_700_000_000_250)),
        Kind::Blob => quote!(crate::Blob::from(&b"\x00\x01binary\xff"[..])),
        Kind::Document => quote!(crate::Document::from(#hint)),
        Kind::Enum => {
            let path = ctx.type_path(id, Module::Input)?;
            let first = shape.members.first().ok_or_else(|| ModelError::new(id, "an enum without members"))?;
            let v = match &first.traits.enum_value {
                Some(crate::ir::traits::EnumValue::Str(s)) => s.clone(),
                _ => first.name.clone(),
            };
            quote!(#path::from(#v))
        }
        Kind::IntEnum => {
            let path = ctx.type_path(id, Module::Input)?;
            quote!(#path::from(1))
        }
        Kind::List => {
            let item = sample(ctx, &shape.members[0].target, hint, depth, whole_secs)?;
            if shape.traits.sparse {
                quote!(vec![Some(#item), None])
            } else {
                quote!(vec![#item])
            }
        }
        Kind::Map => {
            let value = sample(ctx, &shape.members[1].target, hint, depth, whole_secs)?;
            if shape.traits.sparse {
                quote!([(String::from("key"), Some(#value)), (String::from("gap"), None)].into_iter().collect())
            } else {
                quote!([(String::from("key"), #value)].into_iter().collect())
            }
        }
        Kind::BigInteger | Kind::BigDecimal => quote!(crate::BigNumber::from(7)),
        Kind::Structure => {
            let home = ctx.home(id)?;
            struct_value(ctx, shape, &home.name, home.module, depth)?
        }
        Kind::Union => {
            let path = ctx.type_path(id, Module::Input)?;
            let first = shape.members.first().ok_or_else(|| ModelError::new(id, "a union without members"))?;
            // Deep in a recursive union (a filter of `And`/`Or` lists of filters, say) take the
            // first member that cannot lead back to it, so the value ends.
            let first = if depth >= MAX_DEPTH {
                shape.members.iter().find(|m| !reaches(ctx, &m.target, id, &mut BTreeSet::new())).unwrap_or(first)
            } else {
                first
            };
            if depth > 4 * MAX_DEPTH {
                return Err(ModelError::new(id, "a union whose every member leads back to it has no finite value"));
            }
            let v = ctx.names.variant(&shape.id, &first.name)?;
            if first.is_unit() {
                return Ok(quote!(#path::#v));
            }
            let whole = first.timestamp_format == Some(TimestampFormat::HttpDate);
            let inner = sample(ctx, &first.target, hint, depth + 1, whole)?;
            let inner = if first.boxed { quote!(Box::new(#inner)) } else { inner };
            quote!(#path::#v(#inner))
        }
        _ => return Err(ModelError::new(id, "cannot make a sample value of this shape")),
    })
}

/// Whether a value of shape `from` can contain one of shape `to`.
fn reaches(ctx: &Ctx, from: &str, to: &str, seen: &mut BTreeSet<String>) -> bool {
    if from == to {
        return true;
    }
    if !seen.insert(from.to_string()) {
        return false;
    }
    let Some(shape) = ctx.shapes.get(from) else { return false };
    shape.members.iter().any(|m| reaches(ctx, &m.target, to, seen))
}
