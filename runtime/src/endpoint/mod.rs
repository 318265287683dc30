//! A run-time interpreter for Smithy endpoint rule sets
//! (`smithy.rules#endpointRuleSet`).
//!
//! [`RuleSet::from_json`] parses and statically validates a rule set (unknown
//! functions, wrong argument counts, references to names not in scope and bad
//! templates are rejected up front); [`RuleSet::resolve`] evaluates it for a
//! set of [`Params`] and yields an [`Endpoint`] or an [`EndpointError`].

use std::collections::BTreeMap;
use std::fmt;

mod eval;
mod functions;
mod partitions;
mod rules;
#[cfg(test)]
mod tests;

pub use rules::RuleSet;

/// The type of a rule-set parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// `"type": "string"`.
    String,
    /// `"type": "boolean"`.
    Boolean,
    /// `"type": "stringArray"`: a list of strings.
    StringArray,
}

/// A rule-set parameter as declared in the `parameters` map.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// The key in the `parameters` map, e.g. `Region`.
    pub name: String,
    /// The declared `type`.
    pub kind: ParamKind,
    /// The `builtIn` the SDK fills it from (e.g. `AWS::Region`), if any.
    pub built_in: Option<String>,
    /// Whether resolution fails ([`EndpointError::MissingParameter`]) when it has no value and
    /// no default.
    pub required: bool,
    /// The value used when the caller sets none.
    pub default: Option<Value>,
    /// The rule set's description of the parameter.
    pub documentation: Option<String>,
}

/// A value flowing through rule evaluation. `None` is an unset optional.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value: an unset parameter, or a function's "no result" (e.g. `parseURL` of a bad URL).
    None,
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// An integer: a number literal in the rules, such as `substring`'s bounds.
    Int(i64),
    /// A list, such as a `stringArray` parameter.
    Array(Vec<Value>),
    /// A record, such as what `parseURL` or `aws.partition` return.
    Object(BTreeMap<String, Value>),
}

impl Value {
    /// Truthiness used by conditions: set and not `false`.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, Value::None | Value::Bool(false))
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Converts to JSON; `None` becomes `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::None => serde_json::Value::Null,
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Value::to_json).collect()),
            Value::Object(o) => serde_json::Value::Object(o.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::Array(v.into_iter().map(Value::String).collect())
    }
}

impl From<Vec<&str>> for Value {
    fn from(v: Vec<&str>) -> Self {
        Value::Array(v.into_iter().map(Value::from).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::None, Into::into)
    }
}

/// Parameter values supplied by the caller. Names not declared by the rule
/// set are ignored, so callers may pass a fixed set of built-ins.
#[derive(Default, Clone, Debug)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    /// No parameters set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or, with `Value::None`, unsets) a parameter.
    pub fn set(&mut self, name: &str, v: impl Into<Value>) -> &mut Self {
        self.values.insert(name.to_string(), v.into());
        self
    }

    /// The value set for `name`; `None` when it is unset (or set to `Value::None`).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name).filter(|v| **v != Value::None)
    }
}

/// A resolved endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    /// The URL requests are sent to, e.g. `https://api.ecr-public.us-east-1.amazonaws.com`.
    pub url: String,
    /// Headers to add to each request, by name; a name may have several values.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The endpoint's properties as JSON, e.g. `authSchemes` (signing name and region).
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// Why a rule set could not be parsed or resolved to an endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointError {
    /// An error rule fired; carries its message.
    Rule(String),
    /// The rule set is malformed; names the problem.
    InvalidRuleSet(String),
    /// A required parameter has no value and no default.
    MissingParameter(String),
    /// A parameter value has the wrong type for its declaration.
    InvalidParameter(String),
    /// Rules (or a tree's sub-rules) were exhausted without a result.
    NoRuleMatched,
    /// Evaluation hit a value of the wrong type (e.g. a template over an
    /// unset value): a defect of the rule set that validation cannot see.
    Evaluation(String),
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::Rule(m) => f.write_str(m),
            EndpointError::InvalidRuleSet(m) => write!(f, "invalid endpoint rule set: {m}"),
            EndpointError::MissingParameter(p) => {
                write!(f, "missing required endpoint parameter `{p}`")
            }
            EndpointError::InvalidParameter(m) => write!(f, "invalid endpoint parameter: {m}"),
            EndpointError::NoRuleMatched => f.write_str("no endpoint rule matched the parameters"),
            EndpointError::Evaluation(m) => write!(f, "endpoint rule evaluation failed: {m}"),
        }
    }
}

impl std::error::Error for EndpointError {}
