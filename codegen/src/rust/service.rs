//! Service-wide facts (protocol, signing name, endpoint rules) and the endpoint test cases.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::Ctx;
use crate::model::ModelError;

pub fn service_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let svc = ctx.service;
    let id = &svc.id;
    let json_version = if svc.has_trait("aws.protocols#awsJson1_1") {
        "1.1"
    } else if svc.has_trait("aws.protocols#awsJson1_0") {
        "1.0"
    } else {
        return Err(ModelError::new(id, "the service uses no awsJson protocol, the only ones supported"));
    };
    let signing_name = svc
        .trait_value("aws.auth#sigv4")
        .and_then(|v| v.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| ModelError::new(id, "no aws.auth#sigv4 signing name"))?;
    let api = svc.trait_value("aws.api#service");
    let sdk_id = api.and_then(|v| v.get("sdkId")).and_then(Value::as_str).unwrap_or(svc.name());
    // `AWS_ENDPOINT_URL_<SERVICE>` uses the sdkId, upper-cased, spaces and dashes as underscores.
    let env_suffix: String =
        sdk_id.chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_uppercase() }).collect();
    // Without rules (protocol test services, say) every client must be given an endpoint URL.
    let rules = svc.trait_value("smithy.rules#endpointRuleSet").map(|r| r.to_string()).unwrap_or_default();
    let target_prefix = svc.name();
    let version = svc.extra.get("version").and_then(Value::as_str).unwrap_or_default();
    // Errors the model marks `@retryable`, with whether they are throttling.
    let mut retryable = std::collections::BTreeMap::new();
    for op in &ctx.ops {
        for e in &op.errors {
            if let Some(r) = e.trait_value("smithy.api#retryable") {
                let throttling = r.get("throttling").and_then(Value::as_bool).unwrap_or(false);
                retryable.insert(e.name().to_string(), throttling);
            }
        }
    }
    let retryable = retryable.iter().map(|(code, throttling)| quote!((#code, #throttling)));
    // Wire names of `@sensitive` members, redacted from the wire trace.
    let mut sensitive = std::collections::BTreeSet::new();
    for id in ctx.homes.keys() {
        for m in ctx.model.shapes.get(id).map(|s| s.members.as_slice()).unwrap_or_default() {
            if super::shapes::is_sensitive(ctx, m) {
                sensitive.insert(m.name.clone());
            }
        }
    }
    let sensitive = sensitive.iter();
    Ok(quote! {
        #![doc = " What the runtime needs to know about the service."]
        pub(crate) static SERVICE: crate::rt::client::ServiceInfo = crate::rt::client::ServiceInfo {
            target_prefix: #target_prefix,
            json_version: #json_version,
            signing_name: #signing_name,
            sdk_id: #sdk_id,
            env_suffix: #env_suffix,
            api_version: #version,
            endpoint_rules: #rules,
            retryable_errors: &[#(#retryable),*],
            sensitive_members: &[#(#sensitive),*],
        };
    })
}

/// One `#[test]` per `smithy.rules#endpointTests` case of the model.
pub fn endpoint_tests_module(ctx: &Ctx) -> Result<Option<TokenStream>, ModelError> {
    let id = &ctx.service.id;
    let Some(tests) = ctx.service.trait_value("smithy.rules#endpointTests") else { return Ok(None) };
    let cases = tests.get("testCases").and_then(Value::as_array).cloned().unwrap_or_default();
    if cases.is_empty() {
        return Ok(None);
    }
    let mut fns = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = format_ident!("case_{:03}", i + 1);
        let doc = case.get("documentation").and_then(Value::as_str).unwrap_or("");
        let doc = format!(" {doc}");
        let mut sets = Vec::new();
        for (k, v) in case.get("params").and_then(Value::as_object).into_iter().flatten() {
            sets.push(match v {
                Value::Bool(b) => quote!(params.set(#k, #b);),
                Value::String(s) => quote!(params.set(#k, #s);),
                Value::Array(a) => {
                    let items: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                    quote!(params.set(#k, vec![#(#items.to_string()),*]);)
                }
                _ => {
                    return Err(ModelError::new(id, format!("endpoint test {} has an unsupported param `{k}`", i + 1)))
                }
            });
        }
        let expect =
            case.get("expect").ok_or_else(|| ModelError::new(id, format!("endpoint test {} has no expect", i + 1)))?;
        let check = if let Some(url) = expect.pointer("/endpoint/url").and_then(Value::as_str) {
            quote! {
                let endpoint = rules().resolve(&params).expect("an endpoint");
                assert_eq!(endpoint.url, #url);
            }
        } else if let Some(err) = expect.get("error").and_then(Value::as_str) {
            quote! {
                let error = rules().resolve(&params).expect_err("an error");
                assert_eq!(error.to_string(), #err);
            }
        } else {
            return Err(ModelError::new(
                id,
                format!("endpoint test {} expects neither an endpoint nor an error", i + 1),
            ));
        };
        fns.push(quote! {
            #[doc = #doc]
            #[test]
            fn #name() {
                #[allow(unused_mut)]
                let mut params = Params::new();
                #(#sets)*
                #check
            }
        });
    }
    Ok(Some(quote! {
        #![doc = " The model's endpoint test cases."]
        use crate::rt::endpoint::{Params, RuleSet};
        fn rules() -> RuleSet {
            RuleSet::from_json(super::service::SERVICE.endpoint_rules).expect("the model's rule set parses")
        }
        #(#fns)*
    }))
}
