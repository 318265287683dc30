//! Waiters (read from `smithy.waiters#waitable` by the waiters pass): each acceptor's matcher
//! compiled to a Rust condition, and one builder per waiter behind a `wait_until_*` client
//! method.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::operations::{error_variant, io_path, required, setters, Required};
use super::paths::{Compiler, Root};
use super::{doc_or, Ctx, Module, Op};
use crate::ir::shape_name;
use crate::jmespath;
use crate::names;
use crate::passes::naming::Builder;
use crate::passes::waiters::{Acceptor, AcceptorState, Comparator, Matcher, Waiter};
use crate::ModelError;

/// Every waiter of the service with its operation, sorted by waiter name (the waiters pass).
fn all<'c, 'm>(ctx: &'c Ctx<'m>) -> Result<Vec<(&'c Op<'m>, &'c Waiter)>, ModelError> {
    ctx.waiters
        .iter()
        .map(|(op_id, w)| {
            let op = ctx.ops.iter().find(|op| op.shape.id == *op_id);
            op.map(|op| (op, w)).ok_or_else(|| ModelError::new(op_id, "a waiter of an operation not generated"))
        })
        .collect()
}

/// Every waiter's model name, sorted.
pub fn names(ctx: &Ctx) -> Result<Vec<String>, ModelError> {
    Ok(all(ctx)?.into_iter().map(|(_, w)| w.name.clone()).collect())
}

pub fn has_waiters(ctx: &Ctx) -> bool {
    !ctx.waiters.is_empty()
}

/// The client's `wait_until_*` methods.
pub fn client_methods(ctx: &Ctx) -> Result<Vec<TokenStream>, ModelError> {
    let mut methods = Vec::new();
    for (op, w) in all(ctx)? {
        let waiter_names = ctx.names.waiter(&w.name)?;
        let method = names::ident(&waiter_names.method);
        let ty = format_ident!("{}", waiter_names.ty);
        let Required { params, args_doc, make_input, allow } = required(ctx, op)?;
        let doc = waiter_doc(op, w);
        let see = format!(
            " Optional members, `max_wait` (required before `send`) and the delays are set on the returned \
             [`{ty}`](crate::waiters::{ty})."
        );
        let deprecated = w.deprecated.then(|| quote!(#[deprecated(note = "the service model deprecates this waiter")]));
        methods.push(quote! {
            #doc
            #args_doc
            #[doc = ""]
            #[doc = #see]
            #deprecated
            #allow
            pub fn #method(&self, #(#params),*) -> crate::waiters::#ty {
                crate::waiters::#ty::new(self.handle.clone(), #make_input)
            }
        });
    }
    Ok(methods)
}

fn waiter_doc(op: &Op, w: &Waiter) -> TokenStream {
    doc_or(w.doc.clone(), || {
        format!("Waits with `{}` until the `{}` waiter's acceptors say it is done.", op.name(), w.name)
    })
}

/// `waiters.rs`: one builder and one matcher function per waiter.
pub fn waiters_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut items = Vec::new();
    for (op, w) in all(ctx)? {
        items.push(waiter(ctx, op, w)?);
    }
    Ok(quote! {
        #![doc = " Waiters: each calls its operation until the resource reaches the state waited for."]
        #![doc = ""]
        #![doc = " Start one with the client's `wait_until_*` method, give it a `max_wait`, then `send().await`."]
        #![doc = " Between calls it sleeps a random time between `min_delay` and a ceiling that doubles with each"]
        #![doc = " call up to `max_delay`, never past `max_wait`."]
        pub use #rt::waiter::{Waited, WaiterConfigError, WaiterError};
        #(#items)*
    })
}

fn waiter(ctx: &Ctx, op: &Op, w: &Waiter) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let ty = format_ident!("{}", ctx.names.waiter(&w.name)?.ty);
    let op_names = ctx.names.op(&op.shape.id)?;
    let op_ty = format_ident!("{}", op_names.ty);
    let input = io_path(ctx, op, Module::Input)?;
    let output = io_path(ctx, op, Module::Output)?;
    let error = format_ident!("{}", op_names.error);
    let classify = format_ident!("{}_state", ctx.names.waiter(&w.name)?.snake);
    let doc = waiter_doc(op, w);
    let setters = setters(ctx, op, Builder::Waiter)?;
    let (min, max) = (w.min_delay, w.max_delay);
    let arms = conditions(ctx, op, w)?;
    let uses_input = w.acceptors.iter().any(|a| matches!(a.matcher, Matcher::InputOutput(_)));
    let input_param = if uses_input { quote!(input) } else { quote!(_input) };
    let delays_doc = format!(
        " The model's delays: at least {min} s and at most {max} s between calls, growing from the first to the \
         second with each call."
    );
    let classify_doc = format!(" The state the first of `{}`'s acceptors that matches the response moves to.", w.name);
    let send_doc = format!(
        " Calls `{}` until the acceptors say success (`Ok`), failure or an unexpected error, or `max_wait` runs out \
         (`Err`).",
        op.name()
    );
    Ok(quote! {
        #doc
        #[doc = ""]
        #[doc = #delays_doc]
        #[derive(Clone, Debug)]
        #[must_use = "a waiter does nothing until `send().await`"]
        pub struct #ty {
            handle: #rt::client::Handle,
            input: #input,
            options: crate::CallOptions,
            delays: #rt::waiter::Delays,
        }
        impl #ty {
            pub(crate) fn new(handle: #rt::client::Handle, input: #input) -> Self {
                Self {
                    handle,
                    input,
                    options: crate::CallOptions::default(),
                    delays: #rt::waiter::Delays::from_model(#min, #max),
                }
            }
            #(#setters)*
            #[doc = " The input as built so far."]
            pub fn input(&self) -> &#input { &self.input }
            #[doc = " Overrides the client's configuration for each call: timeouts, retries, validation."]
            pub fn options(mut self, options: crate::CallOptions) -> Self { self.options = options; self }
            #[doc = " The longest the waiter may take, from its first call. Required."]
            pub fn max_wait(mut self, max_wait: std::time::Duration) -> Self {
                self.delays.max_wait = Some(max_wait);
                self
            }
            #[doc = " The shortest delay between two calls (more than zero)."]
            pub fn min_delay(mut self, delay: std::time::Duration) -> Self { self.delays.min_delay = delay; self }
            #[doc = " The longest delay between two calls (at least `min_delay`)."]
            pub fn max_delay(mut self, delay: std::time::Duration) -> Self { self.delays.max_delay = delay; self }
            #[doc = #send_doc]
            pub async fn send(
                self,
            ) -> Result<Waited<#output, crate::error::#error>, WaiterError<#output, crate::error::#error>> {
                #rt::waiter::wait::<crate::operation::#op_ty>(
                    &self.handle,
                    &self.input,
                    &self.options,
                    self.delays,
                    #classify,
                )
                .await
            }
        }
        #[doc = #classify_doc]
        pub(crate) fn #classify(
            #input_param: &#input,
            response: Result<&#output, &crate::SdkError<crate::error::#error>>,
        ) -> Option<#rt::waiter::State> {
            use #rt::waiter::State;
            #(#arms)*
            None
        }
    })
}

/// One `if` per acceptor, in model order.
fn conditions(ctx: &Ctx, op: &Op, w: &Waiter) -> Result<Vec<TokenStream>, ModelError> {
    let compiler = Compiler::new(ctx, op.input, op.output);
    let error = format_ident!("{}", ctx.names.op(&op.shape.id)?.error);
    let mut arms = Vec::new();
    for (i, a) in w.acceptors.iter().enumerate() {
        let err =
            |problem: String| ModelError::new(&op.shape.id, format!("waiter `{}`: acceptor {i}: {problem}", w.name));
        let test = match &a.matcher {
            Matcher::Success(true) => quote!(response.is_ok()),
            Matcher::Success(false) => quote!(response.is_err()),
            Matcher::ErrorType(name) => {
                let code = shape_name(name);
                match op.errors.iter().find(|e| e.id == *name || e.name() == code) {
                    // A modeled error is matched by its variant, whatever code it arrives with.
                    Some(e) => {
                        let variant = error_variant(ctx, e)?;
                        quote!(let Err(crate::SdkError::Service(crate::error::#error::#variant(_))) = response)
                    }
                    // Models name codes their operations do not list, too.
                    None => quote!(response.is_err_and(|e| e.service_error().is_some_and(|e| e.code() == #code))),
                }
            }
            Matcher::Output(p) | Matcher::InputOutput(p) => {
                let root = if matches!(a.matcher, Matcher::Output(_)) { Root::Output } else { Root::InputOutput };
                let ast = jmespath::parse(&p.path).map_err(|e| err(format!("path `{}`: {e}", p.path)))?;
                let cond = compiler
                    .matcher(root, &ast, p.comparator.name(), &p.expected)
                    .map_err(|e| err(format!("path `{}`: {e}", p.path)))?;
                quote!(response.is_ok_and(|output| #cond))
            }
        };
        let state = match a.state {
            AcceptorState::Success => quote!(State::Success),
            AcceptorState::Failure => quote!(State::Failure),
            AcceptorState::Retry => quote!(State::Retry),
        };
        arms.push(quote! {
            if #test {
                return Some(#state);
            }
        });
    }
    Ok(arms)
}

/// A response document that makes a plain path (members, `[]`/`[*]` projections) give `value`:
/// `Table.TableStatus` -> `{"Table": {"TableStatus": value}}`. `None` for other paths.
fn witness(ast: &jmespath::Ast, value: Value) -> Option<Value> {
    use jmespath::Ast;
    match ast {
        Ast::Identity => Some(value),
        Ast::Field(name) => Some(Value::Object([(name.clone(), value)].into_iter().collect())),
        Ast::Sub(left, right) => witness(left, witness(right, value)?),
        Ast::Projection(left, right) => {
            let item = witness(right, value)?;
            match &**left {
                Ast::Flatten(inner) => witness(inner, Value::Array(vec![item])),
                other => witness(other, Value::Array(vec![item])),
            }
        }
        _ => None,
    }
}

/// A plain output acceptor: its path, whether it compares a boolean, its expected value, and
/// the document that makes it match.
fn plain(a: &Acceptor) -> Option<(&str, bool, &str, Value)> {
    let Matcher::Output(p) = &a.matcher else { return None };
    let ast = jmespath::parse(&p.path).ok()?;
    let boolean = p.comparator == Comparator::BooleanEquals;
    let value = if boolean { Value::Bool(p.expected == "true") } else { Value::String(p.expected.clone()) };
    Some((p.path.as_str(), boolean, p.expected.as_str(), witness(&ast, value)?))
}

/// `waiter_tests.rs`: for each acceptor whose match can be told without running the path (an
/// error it names, or a plain path), a response that triggers it must give the state of the
/// first acceptor that matches it; and a response with nothing set must not panic.
pub fn tests_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let mut tests = Vec::new();
    let mut uses_state = false;
    for (op, w) in all(ctx)? {
        let snake = &ctx.names.waiter(&w.name)?.snake;
        let classify = format_ident!("{snake}_state");
        let test = format_ident!("{snake}_acceptors");
        let output = io_path(ctx, op, Module::Output)?;
        let error = format_ident!("{}", ctx.names.op(&op.shape.id)?.error);
        let state = |a: &Acceptor| match a.state {
            AcceptorState::Success => quote!(Some(State::Success)),
            AcceptorState::Failure => quote!(Some(State::Failure)),
            AcceptorState::Retry => quote!(Some(State::Retry)),
        };
        let mut checks = Vec::new();
        for (i, a) in w.acceptors.iter().enumerate() {
            let earlier = &w.acceptors[..=i];
            let n = proc_macro2::Literal::usize_unsuffixed(i);
            if let Matcher::ErrorType(name) = &a.matcher {
                let code = shape_name(name);
                // Only errorType and `success: false` acceptors look at errors.
                let first = earlier.iter().find(|b| match &b.matcher {
                    Matcher::ErrorType(other) => shape_name(other) == code,
                    Matcher::Success(false) => true,
                    _ => false,
                });
                let want = first.map(state);
                let value = match op.errors.iter().find(|e| e.id == *name || e.name() == code) {
                    Some(e) => {
                        let variant = error_variant(ctx, e)?;
                        quote!(crate::error::#error::#variant(#rt::json::Json::zero()))
                    }
                    None => quote!(crate::error::#error::Unhandled(crate::Unhandled::new(#code, None, None, 400))),
                };
                checks.push(quote! {
                    let error = crate::SdkError::Service(#value);
                    assert_eq!(#classify(&input, Err(&error)), #want, "acceptor {}: errorType {}", #n, #code);
                });
                continue;
            }
            let Some((path, boolean, expected, doc)) = plain(a) else { continue };
            // The first acceptor this document matches, if every one before can be told.
            let mut want = None;
            for b in earlier {
                match (&b.matcher, plain(b)) {
                    (Matcher::Success(true), _) => want = Some(state(b)),
                    (Matcher::Success(false) | Matcher::ErrorType(_), _) => continue,
                    (_, Some((p, bo, e, _))) if p == path && bo == boolean && e == expected => want = Some(state(b)),
                    (_, Some(_)) => continue,
                    (_, None) => break,
                }
                break;
            }
            let Some(want) = want else { continue };
            let doc = doc.to_string();
            checks.push(quote! {
                let output: #output = #rt::json::from_slice(#doc.as_bytes()).expect("the document parses");
                assert_eq!(#classify(&input, Ok(&output)), #want, "acceptor {}: `{}` in {}", #n, #path, #doc);
            });
        }
        uses_state |= !checks.is_empty();
        tests.push(quote! {
            #[test]
            fn #test() {
                let input = #rt::json::Json::zero();
                // Nothing set: whatever the state, computing it does not panic.
                let _ = #classify(&input, Ok(&#rt::json::Json::zero()));
                #(#checks)*
            }
        });
    }
    // Acceptors that cannot be checked without a response leave `State` unused.
    let use_state = uses_state.then(|| quote!(use #rt::waiter::State;));
    Ok(quote! {
        use super::waiters::*;
        #use_state
        #(#tests)*
    })
}
