//! The traits the generator reads, as typed values: each is checked once, when the model is
//! loaded, and a malformed one is an error naming the shape and the trait. Traits the generator
//! does not read are kept in [`Traits::other`] and otherwise ignored.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::smithy::cases::{endpoint_cases, http_cases};
pub use crate::smithy::cases::{EndpointCase, EndpointExpect, HttpCase, OperationInput};
use crate::smithy::ModelError;

/// The raw trait map of a shape or member, keyed by absolute trait id, as the JSON AST has it.
/// Only loading and resolving (mixins, `apply`) look at it.
pub type RawTraits = BTreeMap<String, Value>;

/// `@timestampFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    EpochSeconds,
    DateTime,
    HttpDate,
}

/// `@error`: who is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Client,
    Server,
}

/// `@retryable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retryable {
    pub throttling: bool,
}

/// `@http`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Http {
    pub method: String,
    pub uri: String,
    pub code: Option<u16>,
}

/// `@paginated`; every field may be left to the service's `@paginated`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paginated {
    pub input_token: Option<String>,
    pub output_token: Option<String>,
    pub items: Option<String>,
    pub page_size: Option<String>,
}

impl Paginated {
    /// This operation's values, the service's where it has none.
    pub fn or(&self, service: Option<&Paginated>) -> Paginated {
        let Some(s) = service else { return self.clone() };
        Paginated {
            input_token: self.input_token.clone().or_else(|| s.input_token.clone()),
            output_token: self.output_token.clone().or_else(|| s.output_token.clone()),
            items: self.items.clone().or_else(|| s.items.clone()),
            page_size: self.page_size.clone().or_else(|| s.page_size.clone()),
        }
    }
}

/// `@length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Length {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

/// `@range`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// `@enumValue` of an enum (a string) or intEnum (an integer) member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumValue {
    Str(String),
    Int(i64),
}

/// A rule set parameter's value: of `staticContextParams`, or of an endpoint test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticParam {
    Bool(bool),
    Str(String),
    List(Vec<String>),
}

/// The typed traits of one shape or member.
#[derive(Debug, Clone, Default)]
pub struct Traits {
    pub documentation: Option<String>,
    pub title: Option<String>,
    pub sensitive: bool,
    pub required: bool,
    pub client_optional: bool,
    /// `@addedDefault`: the `@default` came after the member was published.
    pub added_default: bool,
    /// `@default`: the node value (`null` says "no default"), checked against the target's type
    /// when the member is lowered.
    pub default: Option<Value>,
    pub idempotency_token: bool,
    pub json_name: Option<String>,
    pub timestamp_format: Option<TimestampFormat>,
    pub host_label: bool,
    /// `@endpoint(hostPrefix: ...)`.
    pub host_prefix: Option<String>,
    pub error: Option<Fault>,
    pub http_error: Option<u16>,
    pub retryable: Option<Retryable>,
    pub http: Option<Http>,
    pub paginated: Option<Paginated>,
    /// `smithy.waiters#waitable`: waiter name -> definition, read into waiters by the waiter pass
    /// (its errors name the waiter and the acceptor).
    pub waitable: Option<Map<String, Value>>,
    pub length: Option<Length>,
    pub range: Option<Range>,
    pub pattern: Option<String>,
    pub enum_value: Option<EnumValue>,
    /// `@requestCompression` encodings.
    pub request_compression: Option<Vec<String>>,
    /// `@httpChecksumRequired`: requests carry a `Content-MD5`.
    pub http_checksum_required: bool,
    pub streaming: bool,
    pub sparse: bool,
    pub deprecated: bool,
    pub aws_json_1_0: bool,
    pub aws_json_1_1: bool,
    pub aws_query_compatible: bool,
    /// `aws.protocols#awsQueryError` code.
    pub aws_query_error: Option<String>,
    /// `aws.auth#sigv4` signing name.
    pub sigv4_name: Option<String>,
    /// `aws.api#service` sdkId.
    pub sdk_id: Option<String>,
    /// `smithy.rules#endpointRuleSet`: the runtime interprets the rules, so they stay a node.
    pub endpoint_rule_set: Option<Value>,
    /// `smithy.rules#endpointTests` test cases.
    pub endpoint_tests: Vec<EndpointCase>,
    /// `smithy.rules#staticContextParams`, in model order.
    pub static_context_params: Vec<(String, StaticParam)>,
    /// `smithy.rules#contextParam` name.
    pub context_param: Option<String>,
    /// `smithy.rules#operationContextParams`: parameter name and JMESPath path, in model order.
    pub operation_context_params: Vec<(String, String)>,
    /// `smithy.test#httpRequestTests` cases.
    pub http_request_tests: Vec<HttpCase>,
    /// `smithy.test#httpResponseTests` cases.
    pub http_response_tests: Vec<HttpCase>,
    /// Every trait not read above, unread.
    pub other: RawTraits,
}

/// Reads one trait's value; its errors say which shape and trait.
struct Reader<'a> {
    shape: &'a str,
    id: &'a str,
    value: &'a Value,
}

impl Reader<'_> {
    fn err(&self, problem: impl Into<String>) -> ModelError {
        ModelError::in_trait(self.shape, self.id, problem)
    }
    fn string(&self) -> Result<String, ModelError> {
        self.value.as_str().map(str::to_owned).ok_or_else(|| self.err("is not a string"))
    }
    fn object(&self) -> Result<&Map<String, Value>, ModelError> {
        self.value.as_object().ok_or_else(|| self.err("is not an object"))
    }
    /// An optional string property of an object trait.
    fn prop_str(&self, key: &str) -> Result<Option<String>, ModelError> {
        match self.object()?.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(format!("`{key}` is not a string"))),
        }
    }
    /// An optional number property that must fit `T`.
    fn prop_u64(&self, key: &str) -> Result<Option<u64>, ModelError> {
        match self.object()?.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| self.err(format!("`{key}` is not a non-negative integer"))),
        }
    }
    fn prop_f64(&self, key: &str) -> Result<Option<f64>, ModelError> {
        match self.object()?.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| self.err(format!("`{key}` is not a number"))),
        }
    }
    fn u16(&self) -> Result<u16, ModelError> {
        self.value.as_u64().and_then(|n| u16::try_from(n).ok()).ok_or_else(|| self.err("is not an HTTP status code"))
    }
}

impl Traits {
    /// Types the raw traits of `shape` (a shape id, or `shape$member`).
    pub fn parse(shape: &str, raw: &RawTraits) -> Result<Traits, ModelError> {
        let mut t = Traits::default();
        for (id, value) in raw {
            let r = Reader { shape, id, value };
            match id.as_str() {
                "smithy.api#documentation" => t.documentation = Some(r.string()?),
                "smithy.api#title" => t.title = Some(r.string()?),
                "smithy.api#sensitive" => t.sensitive = true,
                "smithy.api#required" => t.required = true,
                "smithy.api#clientOptional" => t.client_optional = true,
                "smithy.api#addedDefault" => t.added_default = true,
                "smithy.api#default" => t.default = Some(value.clone()),
                "smithy.api#idempotencyToken" => t.idempotency_token = true,
                "smithy.api#jsonName" => t.json_name = Some(r.string()?),
                "smithy.api#timestampFormat" => {
                    t.timestamp_format = Some(match r.string()?.as_str() {
                        "epoch-seconds" => TimestampFormat::EpochSeconds,
                        "date-time" => TimestampFormat::DateTime,
                        "http-date" => TimestampFormat::HttpDate,
                        other => return Err(r.err(format!("unknown timestampFormat `{other}`"))),
                    })
                }
                "smithy.api#hostLabel" => t.host_label = true,
                "smithy.api#endpoint" => {
                    let prefix = r.prop_str("hostPrefix")?.ok_or_else(|| r.err("has no string `hostPrefix`"))?;
                    t.host_prefix = Some(prefix);
                }
                "smithy.api#error" => {
                    t.error = Some(match value.as_str() {
                        Some("server") => Fault::Server,
                        Some("client") => Fault::Client,
                        _ => return Err(r.err("is neither \"client\" nor \"server\"")),
                    })
                }
                "smithy.api#httpError" => t.http_error = Some(r.u16()?),
                "smithy.api#retryable" => {
                    let throttling = match r.object()?.get("throttling") {
                        None => false,
                        Some(v) => v.as_bool().ok_or_else(|| r.err("`throttling` is not a boolean"))?,
                    };
                    t.retryable = Some(Retryable { throttling });
                }
                "smithy.api#http" => {
                    let method = r.prop_str("method")?.ok_or_else(|| r.err("has no `method`"))?;
                    let uri = r.prop_str("uri")?.ok_or_else(|| r.err("has no `uri`"))?;
                    let code = match r.prop_u64("code")? {
                        Some(c) => Some(u16::try_from(c).map_err(|_| r.err("`code` is not an HTTP status code"))?),
                        None => None,
                    };
                    t.http = Some(Http { method, uri, code });
                }
                "smithy.api#paginated" => {
                    t.paginated = Some(Paginated {
                        input_token: r.prop_str("inputToken")?,
                        output_token: r.prop_str("outputToken")?,
                        items: r.prop_str("items")?,
                        page_size: r.prop_str("pageSize")?,
                    })
                }
                "smithy.waiters#waitable" => t.waitable = Some(r.object()?.clone()),
                "smithy.api#length" => t.length = Some(Length { min: r.prop_u64("min")?, max: r.prop_u64("max")? }),
                "smithy.api#range" => t.range = Some(Range { min: r.prop_f64("min")?, max: r.prop_f64("max")? }),
                "smithy.api#pattern" => t.pattern = Some(r.string()?),
                "smithy.api#enumValue" => {
                    t.enum_value = Some(match value {
                        Value::String(s) => EnumValue::Str(s.clone()),
                        Value::Number(n) => EnumValue::Int(n.as_i64().ok_or_else(|| r.err("is not an integer"))?),
                        _ => return Err(r.err("is neither a string nor an integer")),
                    })
                }
                "smithy.api#requestCompression" => {
                    let encodings = match r.object()?.get("encodings") {
                        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                        _ => return Err(r.err("has no list `encodings`")),
                    };
                    t.request_compression = Some(encodings);
                }
                "smithy.api#httpChecksumRequired" => t.http_checksum_required = true,
                "smithy.api#streaming" => t.streaming = true,
                "smithy.api#sparse" => t.sparse = true,
                "smithy.api#deprecated" => t.deprecated = true,
                "aws.protocols#awsJson1_0" => t.aws_json_1_0 = true,
                "aws.protocols#awsJson1_1" => t.aws_json_1_1 = true,
                "aws.protocols#awsQueryCompatible" => t.aws_query_compatible = true,
                "aws.protocols#awsQueryError" => t.aws_query_error = r.prop_str("code")?,
                "aws.auth#sigv4" => t.sigv4_name = r.prop_str("name")?,
                "aws.api#service" => t.sdk_id = r.prop_str("sdkId")?,
                "smithy.rules#endpointRuleSet" => {
                    r.object()?;
                    t.endpoint_rule_set = Some(value.clone());
                }
                "smithy.rules#endpointTests" => t.endpoint_tests = endpoint_cases(shape, id, value)?,
                "smithy.rules#staticContextParams" => {
                    for (name, v) in r.object()? {
                        let param = match v.get("value") {
                            Some(&Value::Bool(b)) => StaticParam::Bool(b),
                            Some(Value::String(s)) => StaticParam::Str(s.clone()),
                            Some(Value::Array(a)) => {
                                StaticParam::List(a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                            }
                            _ => return Err(r.err(format!("`{name}` has no usable value"))),
                        };
                        t.static_context_params.push((name.clone(), param));
                    }
                }
                "smithy.rules#contextParam" => {
                    t.context_param = Some(r.prop_str("name")?.ok_or_else(|| r.err("has no `name`"))?)
                }
                "smithy.rules#operationContextParams" => {
                    for (name, v) in r.object()? {
                        let path = v.get("path").and_then(Value::as_str).unwrap_or_default();
                        t.operation_context_params.push((name.clone(), path.to_string()));
                    }
                }
                "smithy.test#httpRequestTests" => t.http_request_tests = http_cases(shape, id, value)?,
                "smithy.test#httpResponseTests" => t.http_response_tests = http_cases(shape, id, value)?,
                _ => {
                    t.other.insert(id.clone(), value.clone());
                }
            }
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> RawTraits {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn typed_and_unknown() {
        let t = Traits::parse(
            "a#S",
            &raw(r#"{"smithy.api#length":{"min":1},"smithy.api#error":"server","x.y#z":{"k":1}}"#),
        )
        .unwrap();
        assert_eq!(t.length, Some(Length { min: Some(1), max: None }));
        assert_eq!(t.error, Some(Fault::Server));
        assert!(t.other.contains_key("x.y#z"));
    }

    #[test]
    fn errors_name_shape_and_trait() {
        let e = Traits::parse("a#S$m", &raw(r#"{"smithy.api#timestampFormat":"iso"}"#)).unwrap_err();
        assert_eq!(e.shape, "a#S$m");
        assert_eq!(e.trait_id.as_deref(), Some("smithy.api#timestampFormat"));
        assert!(e.to_string().contains("trait `smithy.api#timestampFormat`"), "{e}");
    }
}
