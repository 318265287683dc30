//! Service-wide facts (protocol, signing name, endpoint rules) and the endpoint test cases.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::Ctx;
use crate::ir::traits::{EndpointExpect, OperationInput, StaticParam};
use crate::ModelError;

pub fn service_module(ctx: &Ctx) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let svc = ctx.service;
    let id = &svc.id;
    let json_version = if svc.traits.aws_json_1_1 {
        "1.1"
    } else if svc.traits.aws_json_1_0 {
        "1.0"
    } else {
        return Err(ModelError::new(id, "the service uses no awsJson protocol, the only ones supported"));
    };
    let signing_name =
        svc.traits.sigv4_name.as_deref().ok_or_else(|| ModelError::new(id, "no aws.auth#sigv4 signing name"))?;
    let sdk_id = svc.traits.sdk_id.as_deref().unwrap_or(svc.name());
    // `AWS_ENDPOINT_URL_<SERVICE>` uses the sdkId, upper-cased, spaces and dashes as underscores.
    let env_suffix: String =
        sdk_id.chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_uppercase() }).collect();
    // Without rules (protocol test services, say) every client must be given an endpoint URL.
    let rules = svc.traits.endpoint_rule_set.as_ref().map(|r| r.to_string()).unwrap_or_default();
    let target_prefix = svc.name();
    let version = svc.version.as_deref().unwrap_or_default();
    // Errors the model marks `@retryable`, with whether they are throttling.
    let mut retryable = std::collections::BTreeMap::new();
    for op in &ctx.ops {
        for e in &op.errors {
            if let Some(r) = e.traits.retryable {
                retryable.insert(e.name().to_string(), r.throttling);
            }
        }
    }
    let retryable = retryable.iter().map(|(code, throttling)| quote!((#code, #throttling)));
    // Wire names of `@sensitive` members, redacted from the wire trace.
    let mut sensitive = std::collections::BTreeSet::new();
    for id in ctx.homes.keys() {
        for m in ctx.shapes.get(id).map(|s| s.members.as_slice()).unwrap_or_default() {
            if m.sensitive {
                sensitive.insert(m.name.clone());
            }
        }
    }
    let sensitive = sensitive.iter();
    // Services moved from awsQuery keep their old error codes in `x-amzn-query-error`.
    let query_compatible = svc.traits.aws_query_compatible;
    Ok(quote! {
        #![doc = " What the runtime needs to know about the service."]
        pub(crate) static SERVICE: #rt::client::ServiceInfo = #rt::client::ServiceInfo {
            target_prefix: #target_prefix,
            json_version: #json_version,
            signing_name: #signing_name,
            sdk_id: #sdk_id,
            env_suffix: #env_suffix,
            api_version: #version,
            endpoint_rules: #rules,
            retryable_errors: &[#(#retryable),*],
            sensitive_members: &[#(#sensitive),*],
            query_compatible: #query_compatible,
            // The crate this is compiled into, for the user agent: its name and version.
            crate_name: env!("CARGO_PKG_NAME"),
            crate_version: env!("CARGO_PKG_VERSION"),
        };
    })
}

/// One `#[test]` per `smithy.rules#endpointTests` case of the model.
pub fn endpoint_tests_module(ctx: &Ctx) -> Result<Option<TokenStream>, ModelError> {
    let rt = super::rt();
    let cases = &ctx.service.traits.endpoint_tests;
    if cases.is_empty() {
        return Ok(None);
    }
    let mut fns = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = format_ident!("case_{:03}", i + 1);
        let doc = format!(" {}", case.documentation.as_deref().unwrap_or_default());
        let sets = case.params.iter().map(|(k, v)| {
            let v = param_value(v);
            quote!(params.set(#k, #v);)
        });
        let check = match &case.expect {
            EndpointExpect::Endpoint { url, properties, headers } => {
                // Properties (`authSchemes`, say) and headers are compared when the case names them.
                let properties = properties.as_ref().map(|p| {
                    let p = p.to_string();
                    quote!(#rt::protocol_harness::assert_endpoint_properties(&endpoint, #p);)
                });
                let headers = headers.as_ref().map(|h| {
                    let h = h.to_string();
                    quote!(#rt::protocol_harness::assert_endpoint_headers(&endpoint, #h);)
                });
                quote! {
                    let endpoint = rules().resolve(&params).expect("an endpoint");
                    assert_eq!(endpoint.url, #url);
                    #properties
                    #headers
                }
            }
            EndpointExpect::Error(err) => quote! {
                let error = rules().resolve(&params).expect_err("an error");
                assert_eq!(error.to_string(), #err);
            },
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
        for (j, input) in case.operation_inputs.iter().enumerate() {
            let name = format_ident!("case_{:03}_through_operation_{}", i + 1, j + 1);
            fns.push(operation_input_test(ctx, &name, &doc, input, &case.expect, i + 1)?);
        }
    }
    Ok(Some(quote! {
        #![doc = " The model's endpoint test cases."]
        #[allow(unused_imports)]
        use #rt::operation::Operation;
        use #rt::endpoint::{Params, RuleSet};
        fn rules() -> RuleSet {
            RuleSet::from_json(super::service::SERVICE.endpoint_rules).expect("the model's rule set parses")
        }
        #(#fns)*
    }))
}

/// A rule set parameter value as a Rust expression.
fn param_value(v: &StaticParam) -> TokenStream {
    match v {
        StaticParam::Bool(b) => quote!(#b),
        StaticParam::Str(s) => quote!(#s),
        StaticParam::List(items) => quote!(vec![#(String::from(#items)),*]),
    }
}

/// An endpoint test case's `operationInputs` entry: the operation called through a client
/// configured from `builtInParams`/`clientParams`, checking the URL it was sent to or the error.
fn operation_input_test(
    ctx: &Ctx,
    name: &proc_macro2::Ident,
    doc: &str,
    input: &OperationInput,
    expect: &EndpointExpect,
    case: usize,
) -> Result<TokenStream, ModelError> {
    let rt = super::rt();
    let id = &ctx.service.id;
    let op_name = &input.operation_name;
    let op = ctx
        .ops
        .iter()
        .find(|o| o.name() == op_name)
        .ok_or_else(|| ModelError::new(id, format!("endpoint test {case} calls unknown operation `{op_name}`")))?;
    let rule_params =
        ctx.service.traits.endpoint_rule_set.as_ref().and_then(|r| r.get("parameters")).and_then(Value::as_object);
    let mut config = Vec::new();
    for (k, v) in &input.built_in_params {
        config.push(match (k.as_str(), v) {
            ("AWS::Region", StaticParam::Str(s)) => quote!(.region(#s)),
            ("AWS::UseFIPS", StaticParam::Bool(b)) => quote!(.use_fips(#b)),
            ("AWS::UseDualStack", StaticParam::Bool(b)) => quote!(.use_dual_stack(#b)),
            ("SDK::Endpoint", StaticParam::Str(s)) => quote!(.endpoint_url(#s)),
            // The account reaches the rules as users give it: with the credentials.
            ("AWS::Auth::AccountId", StaticParam::Str(s)) => {
                quote!(.credentials(#rt::protocol_harness::credentials_of_account(#s)))
            }
            ("AWS::Auth::AccountIdEndpointMode", StaticParam::Str(s)) => {
                quote!(.account_id_endpoint_mode(#s.parse().expect("a mode")))
            }
            // Other built-ins reach the rules under the parameter name that declares them.
            (builtin, v) => {
                let param = rule_params
                    .and_then(|ps| ps.iter().find(|(_, p)| p.get("builtIn").and_then(Value::as_str) == Some(builtin)))
                    .map(|(n, _)| n.clone())
                    .ok_or_else(|| {
                        ModelError::new(id, format!("endpoint test {case} sets unknown built-in `{builtin}`"))
                    })?;
                let v = param_value(v);
                quote!(.endpoint_param(#param, #v))
            }
        });
    }
    for (k, v) in &input.client_params {
        let v = param_value(v);
        config.push(quote!(.endpoint_param(#k, #v)));
    }
    let value = super::protocol_tests::io_value(ctx, op, op.input, "Input", &input.operation_params)?;
    let op_ty = format_ident!("{}", ctx.names.op(&op.shape.id)?.ty);
    let check = match expect {
        EndpointExpect::Endpoint { url, properties, headers } => {
            let headers = headers.as_ref().filter(|h| h.as_object().is_some_and(|h| !h.is_empty()));
            let headers = headers.map(|h| {
                let h = h.to_string();
                quote!(#rt::protocol_harness::assert_sent_headers(&request, #h);)
            });
            let region = input.built_in_params.iter().find_map(|(k, v)| match (k.as_str(), v) {
                ("AWS::Region", StaticParam::Str(s)) => Some(s.as_str()),
                _ => None,
            });
            let signed = expected_signature(ctx, properties.as_ref(), region).map(|(algorithm, name, region)| {
                quote!(#rt::protocol_harness::assert_signed(&request, #algorithm, #name, #region);)
            });
            quote! {
                let request = #rt::protocol_harness::sent(&capture);
                let sent = request.uri().to_string();
                assert_eq!(sent.trim_end_matches('/'), #url.trim_end_matches('/'), "{result:?}");
                #headers
                #signed
            }
        }
        EndpointExpect::Error(err) => quote! {
            match result {
                Err(crate::SdkError::Config(e)) => assert!(e.message().contains(#err), "{e}"),
                other => panic!("expected the error {:?}, got {other:?}", #err),
            }
        },
    };
    Ok(quote! {
        #[doc = #doc]
        #[tokio::test]
        async fn #name() {
            let builder = crate::Config::builder() #(#config)*;
            let (handle, capture) = #rt::protocol_harness::harness_with(&super::service::SERVICE, builder);
            let input: <crate::operation::#op_ty as Operation>::Input = #value;
            let result = handle.call::<crate::operation::#op_ty>(&input, &Default::default()).await;
            let _ = &capture;
            #check
        }
    })
}

/// How a request to an endpoint test's expected endpoint is signed, when the case expects
/// `authSchemes`: the first scheme the runtime supports, over the service's signing name and
/// the configured region (us-east-1 without one; for SigV4a, any region). `(algorithm, name,
/// region or region set)`.
fn expected_signature(ctx: &Ctx, properties: Option<&Value>, region: Option<&str>) -> Option<(String, String, String)> {
    let schemes = properties?.get("authSchemes")?.as_array()?;
    let scheme = schemes.iter().find(|s| matches!(s.get("name").and_then(Value::as_str), Some("sigv4" | "sigv4a")))?;
    let algorithm = scheme.get("name").and_then(Value::as_str)?;
    let name = scheme.get("signingName").and_then(Value::as_str).or(ctx.service.traits.sigv4_name.as_deref())?;
    let region = if algorithm == "sigv4a" {
        let set: Vec<&str> = scheme
            .get("signingRegionSet")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if set.is_empty() {
            region.unwrap_or("*").to_string()
        } else {
            set.join(",")
        }
    } else {
        scheme.get("signingRegion").and_then(Value::as_str).or(region).unwrap_or("us-east-1").to_string()
    };
    Some((algorithm.to_string(), name.to_string(), region))
}
