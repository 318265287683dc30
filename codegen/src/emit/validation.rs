//! Client-side validation: `Validate` impls that check the model's `length`, `range` and
//! `pattern` constraints before a request is sent. `required` needs no check: required
//! members are not `Option`, so the compiler already enforces them.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::shapes::{fields, Presence};
use super::{Ctx, Module};
use crate::ir::{Kind, Member, Shape};
use crate::ModelError;

/// `validate.rs`: `impl Validate` for every constrained structure that is sent.
pub fn validate_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let items = validate_impls(ctx, &ctx.constrained)?;
    let uses = (!items.is_empty()).then(|| {
        quote!(
            use #rt::validate::{Validate, Validator};
        )
    });
    Ok(quote! {
        #![doc = " Checks of the model's `length`, `range` and `pattern` constraints."]
        #uses
        #(#items)*
    })
}

fn validate_impls(ctx: &Ctx, constrained: &BTreeSet<String>) -> Result<Vec<TokenStream>, ModelError> {
    let mut items = Vec::new();
    for id in constrained {
        let shape = ctx.shape(id)?;
        let home = ctx.home(id)?;
        let path = ctx.type_path(id, Module::Types)?;
        let path = if home.module == Module::Types { quote!(crate::types::#path) } else { path };
        let body = match shape.kind {
            Kind::Structure => {
                let mut checks = Vec::new();
                for f in fields(ctx, shape, home.module)? {
                    let id = &f.ident;
                    let wire = &f.member.name;
                    let c = checks_for(ctx, f.member, quote!(#wire), quote!(value), constrained)?;
                    if c.is_empty() {
                        continue;
                    }
                    checks.push(if f.presence == Presence::Optional {
                        quote! { if let Some(value) = &self.#id { #c } }
                    } else {
                        quote! { { let value = &self.#id; #c } }
                    });
                }
                quote!(#(#checks)*)
            }
            Kind::Union => {
                let mut arms = Vec::new();
                for m in &shape.members {
                    let v = ctx.names.variant(&shape.id, &m.name)?;
                    let wire = &m.name;
                    let c = checks_for(ctx, m, quote!(#wire), quote!(value), constrained)?;
                    // Members with nothing to check share the last arm.
                    if !c.is_empty() {
                        arms.push((quote!(Self::#v(value)), c));
                    }
                }
                // One arm reads better as `if let`, and is what clippy asks for.
                match arms.as_slice() {
                    [one] => {
                        let (pat, body) = one;
                        quote!(if let #pat = self { #body })
                    }
                    _ => {
                        let arms = arms.iter().map(|(pat, body)| quote!(#pat => { #body }));
                        quote!(match self { #(#arms)* _ => {} })
                    }
                }
            }
            _ => continue,
        };
        items.push(quote! {
            impl Validate for #path {
                fn validate(&self, path: &str, v: &mut Validator) {
                    #body
                }
            }
        });
    }
    Ok(items)
}

/// In a sparse collection, checks skip the null entries.
fn skip_nulls(collection: &Shape) -> TokenStream {
    if collection.traits.sparse {
        quote!(let Some(item) = item else { continue };)
    } else {
        quote!()
    }
}

/// Checks of one value (`value`, a reference) of member `m`; `name` is an expression giving
/// its name in messages.
fn checks_for(
    ctx: &Ctx,
    m: &Member,
    name: TokenStream,
    value: TokenStream,
    constrained: &BTreeSet<String>,
) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let target = ctx.shape(&m.target)?;
    let c = &m.constraints;
    // A `@sensitive` value is never echoed in the message that rejects it.
    let secret = m.sensitive;
    let mut out = Vec::new();
    let opt_u = |v: Option<u64>| match v {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    };
    let opt_f = |v: Option<f64>| match v {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    };
    if let Some((min, max)) = c.length {
        let len = match target.kind {
            Kind::String => quote!(#value.chars().count()),
            Kind::Blob => quote!(#value.len()),
            Kind::List | Kind::Map => quote!(#value.len()),
            _ => quote!(0usize),
        };
        if matches!(target.kind, Kind::String | Kind::Blob | Kind::List | Kind::Map) {
            let (min, max) = (opt_u(min), opt_u(max));
            out.push(quote!(v.length(path, #name, #len, #min, #max);));
        }
    }
    if let Some((min, max)) = c.range {
        if matches!(target.kind, Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::Float | Kind::Double) {
            let (min, max) = (opt_f(min), opt_f(max));
            // `as f64` on a double would be a needless cast; the small types convert losslessly.
            let as_f64 = match target.kind {
                Kind::Double => quote!(*#value),
                Kind::Long => quote!(*#value as f64),
                _ => quote!(f64::from(*#value)),
            };
            let check = if secret { quote!(sensitive_range) } else { quote!(range) };
            out.push(quote!(v.#check(path, #name, #as_f64, #min, #max);));
        }
    }
    if let Some(p) = &c.pattern {
        if target.kind == Kind::String {
            let check = if secret { quote!(sensitive_pattern) } else { quote!(pattern) };
            out.push(quote!(v.#check(path, #name, #value, #p);));
        }
    }
    match target.kind {
        Kind::Structure | Kind::Union if constrained.contains(&target.id) => {
            out.push(quote!(#value.validate(&#rt::validate::join(path, #name), v);));
        }
        Kind::List => {
            let item = &target.members[0];
            let inner = checks_for(ctx, item, quote!(&name), quote!(item), constrained)?;
            if !inner.is_empty() {
                let each = skip_nulls(target);
                out.push(quote! {
                    for (i, item) in #value.iter().enumerate() {
                        #each
                        let name = format!("{}[{}]", #name, i);
                        #inner
                    }
                });
            }
        }
        Kind::Map => {
            let keys = checks_for(ctx, &target.members[0], quote!(&name), quote!(key), constrained)?;
            let values = checks_for(ctx, &target.members[1], quote!(&name), quote!(item), constrained)?;
            if !keys.is_empty() || !values.is_empty() {
                // Keys are checked before a null value (in a sparse map) is skipped.
                let (item, values) = if values.is_empty() {
                    (quote!(_), quote!())
                } else {
                    let each = skip_nulls(target);
                    (quote!(item), quote!(#each #values))
                };
                out.push(quote! {
                    for (key, #item) in #value.iter() {
                        let name = format!("{}[{}]", #name, key);
                        #keys
                        #values
                    }
                });
            }
        }
        _ => {}
    }
    Ok(quote!(#(#out)*))
}
