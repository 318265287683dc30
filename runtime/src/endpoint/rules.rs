//! Parsing and static validation of a rule set into an evaluable tree.

use serde_json::{Map, Value as Json};

use super::{eval, Endpoint, EndpointError, ParamKind, Parameter, Params, Value};

/// A parsed, validated endpoint rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    version: String,
    parameters: Vec<Parameter>,
    pub(crate) rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub conditions: Vec<Condition>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    Endpoint(EndpointDef),
    Error(Expr),
    Tree(Vec<Rule>),
}

#[derive(Debug, Clone)]
pub(crate) struct EndpointDef {
    pub url: Expr,
    pub headers: Vec<(String, Vec<Expr>)>,
    pub properties: Vec<(String, Expr)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub call: Call,
    pub assign: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Lit(Value),
    Template(Vec<Part>),
    Array(Vec<Expr>),
    Object(Vec<(String, Expr)>),
    Ref(String),
    Call(Box<Call>),
}

/// A piece of a template string: literal text or `{name#path}`.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    Lit(String),
    Var(String, Vec<PathSeg>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PathSeg {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub func: Func,
    pub args: Vec<Expr>,
}

/// Supported functions. `getAttr` carries its (literal) path pre-parsed and
/// has the target as its only argument.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Func {
    IsSet,
    Not,
    BooleanEquals,
    StringEquals,
    GetAttr(Vec<PathSeg>),
    ParseUrl,
    Substring,
    UriEncode,
    IsValidHostLabel,
    Coalesce,
    AwsPartition,
    AwsParseArn,
    AwsIsVirtualHostableS3Bucket,
}

impl RuleSet {
    /// Parses and validates a rule set document (the value of the
    /// `smithy.rules#endpointRuleSet` trait).
    pub fn from_json(text: &str) -> Result<RuleSet, EndpointError> {
        let doc: Json = serde_json::from_str(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        Self::from_value(&doc)
    }

    /// Like [`RuleSet::from_json`], from an already parsed document.
    pub fn from_value(doc: &Json) -> Result<RuleSet, EndpointError> {
        let obj = as_obj(doc, "rule set")?;
        let version = as_str(field(obj, "version", "rule set")?, "rule set.version")?.to_string();
        let params = as_obj(field(obj, "parameters", "rule set")?, "parameters")?;
        let mut parameters = params.iter().map(|(name, p)| parse_parameter(name, p)).collect::<Result<Vec<_>, _>>()?;
        // Name order whatever serde_json's map order is (its `preserve_order` feature may be on).
        parameters.sort_by(|a, b| a.name.cmp(&b.name));
        let mut scope: Vec<String> = parameters.iter().map(|p| p.name.clone()).collect();
        let rules = parse_rules(field(obj, "rules", "rule set")?, "rules", &mut scope)?;
        Ok(RuleSet { version, parameters, rules })
    }

    /// The rule set's `version` string, e.g. `1.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The declared parameters, in name order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// Evaluates the rules for `params`.
    pub fn resolve(&self, params: &Params) -> Result<Endpoint, EndpointError> {
        eval::resolve(self, params)
    }
}

type Res<T> = Result<T, EndpointError>;

fn invalid(msg: impl Into<String>) -> EndpointError {
    EndpointError::InvalidRuleSet(msg.into())
}

fn as_obj<'a>(v: &'a Json, at: &str) -> Res<&'a Map<String, Json>> {
    v.as_object().ok_or_else(|| invalid(format!("{at}: expected an object")))
}

fn as_str<'a>(v: &'a Json, at: &str) -> Res<&'a str> {
    v.as_str().ok_or_else(|| invalid(format!("{at}: expected a string")))
}

fn as_array<'a>(v: &'a Json, at: &str) -> Res<&'a Vec<Json>> {
    v.as_array().ok_or_else(|| invalid(format!("{at}: expected an array")))
}

fn field<'a>(obj: &'a Map<String, Json>, key: &str, at: &str) -> Res<&'a Json> {
    obj.get(key).ok_or_else(|| invalid(format!("{at}: missing `{key}`")))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_parameter(name: &str, v: &Json) -> Res<Parameter> {
    let at = format!("parameters.{name}");
    if !is_identifier(name) {
        return Err(invalid(format!("{at}: invalid parameter name")));
    }
    let obj = as_obj(v, &at)?;
    let ty = as_str(field(obj, "type", &at)?, &at)?;
    let kind = match ty.to_ascii_lowercase().as_str() {
        "string" => ParamKind::String,
        "boolean" => ParamKind::Boolean,
        "stringarray" => ParamKind::StringArray,
        _ => return Err(invalid(format!("{at}: unknown type `{ty}`"))),
    };
    let opt_str = |key: &str| -> Res<Option<String>> {
        obj.get(key).map(|v| as_str(v, &format!("{at}.{key}")).map(str::to_string)).transpose()
    };
    let required = match obj.get("required") {
        None => false,
        Some(v) => v.as_bool().ok_or_else(|| invalid(format!("{at}.required: expected a boolean")))?,
    };
    let default = match obj.get("default") {
        None => None,
        Some(d) => {
            Some(param_value(kind, d).ok_or_else(|| invalid(format!("{at}.default: does not match type `{ty}`")))?)
        }
    };
    Ok(Parameter {
        name: name.to_string(),
        kind,
        built_in: opt_str("builtIn")?,
        required,
        default,
        documentation: opt_str("documentation")?,
    })
}

/// Converts a JSON value to a parameter value of `kind`, if it fits.
pub(crate) fn param_value(kind: ParamKind, v: &Json) -> Option<Value> {
    match (kind, v) {
        (ParamKind::String, Json::String(s)) => Some(Value::String(s.clone())),
        (ParamKind::Boolean, Json::Bool(b)) => Some(Value::Bool(*b)),
        (ParamKind::StringArray, Json::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(|s| Value::String(s.to_string())))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        _ => None,
    }
}

fn parse_rules(v: &Json, at: &str, scope: &mut Vec<String>) -> Res<Vec<Rule>> {
    let items = as_array(v, at)?;
    if items.is_empty() {
        return Err(invalid(format!("{at}: must hold at least one rule")));
    }
    items.iter().enumerate().map(|(i, r)| parse_rule(r, &format!("{at}[{i}]"), scope)).collect()
}

fn parse_rule(v: &Json, at: &str, scope: &mut Vec<String>) -> Res<Rule> {
    // Variables assigned by this rule's conditions go out of scope after it.
    let mark = scope.len();
    let result = parse_rule_in_scope(v, at, scope);
    scope.truncate(mark);
    result
}

fn parse_rule_in_scope(v: &Json, at: &str, scope: &mut Vec<String>) -> Res<Rule> {
    let obj = as_obj(v, at)?;
    let ty = as_str(field(obj, "type", at)?, &format!("{at}.type"))?;
    let conds = as_array(field(obj, "conditions", at)?, &format!("{at}.conditions"))?;
    let conditions = conds
        .iter()
        .enumerate()
        .map(|(i, c)| parse_condition(c, &format!("{at}.conditions[{i}]"), scope))
        .collect::<Res<Vec<_>>>()?;
    let sub = |key: &str| Ok::<_, EndpointError>((field(obj, key, at)?, format!("{at}.{key}")));
    let body = match ty {
        "endpoint" => {
            let (v, at) = sub("endpoint")?;
            Body::Endpoint(parse_endpoint(v, &at, scope)?)
        }
        "error" => {
            let (v, at) = sub("error")?;
            Body::Error(parse_expr(v, &at, scope)?)
        }
        "tree" => {
            let (v, at) = sub("rules")?;
            Body::Tree(parse_rules(v, &at, scope)?)
        }
        _ => return Err(invalid(format!("{at}: unknown rule type `{ty}`"))),
    };
    Ok(Rule { conditions, body })
}

fn parse_condition(v: &Json, at: &str, scope: &mut Vec<String>) -> Res<Condition> {
    let obj = as_obj(v, at)?;
    let call = parse_call(obj, at, scope)?;
    let assign = match obj.get("assign") {
        None => None,
        Some(a) => {
            let name = as_str(a, &format!("{at}.assign"))?;
            if !is_identifier(name) {
                return Err(invalid(format!("{at}: invalid variable name `{name}`")));
            }
            if scope.iter().any(|s| s == name) {
                return Err(invalid(format!("{at}: `{name}` is already defined")));
            }
            scope.push(name.to_string());
            Some(name.to_string())
        }
    };
    Ok(Condition { call, assign })
}

fn parse_endpoint(v: &Json, at: &str, scope: &[String]) -> Res<EndpointDef> {
    let obj = as_obj(v, at)?;
    let url = parse_expr(field(obj, "url", at)?, &format!("{at}.url"), scope)?;
    let mut headers = Vec::new();
    if let Some(h) = obj.get("headers") {
        for (name, values) in as_obj(h, &format!("{at}.headers"))? {
            let hat = format!("{at}.headers.{name}");
            let values = as_array(values, &hat)?.iter().map(|x| parse_expr(x, &hat, scope)).collect::<Res<Vec<_>>>()?;
            headers.push((name.clone(), values));
        }
    }
    let mut properties = Vec::new();
    if let Some(p) = obj.get("properties") {
        for (name, value) in as_obj(p, &format!("{at}.properties"))? {
            let pat = format!("{at}.properties.{name}");
            properties.push((name.clone(), parse_literal(value, &pat, scope)?));
        }
    }
    Ok(EndpointDef { url, headers, properties })
}

/// Property values are literals: objects are never refs or calls there.
fn parse_literal(v: &Json, at: &str, scope: &[String]) -> Res<Expr> {
    match v {
        Json::Object(obj) => Ok(Expr::Object(
            obj.iter()
                .map(|(k, x)| Ok((k.clone(), parse_literal(x, &format!("{at}.{k}"), scope)?)))
                .collect::<Res<_>>()?,
        )),
        Json::Array(items) => Ok(Expr::Array(items.iter().map(|x| parse_literal(x, at, scope)).collect::<Res<_>>()?)),
        _ => parse_expr(v, at, scope),
    }
}

fn parse_expr(v: &Json, at: &str, scope: &[String]) -> Res<Expr> {
    match v {
        Json::String(s) => parse_template(s, at, scope).map(Expr::Template),
        Json::Bool(b) => Ok(Expr::Lit(Value::Bool(*b))),
        Json::Number(n) => n
            .as_i64()
            .map(|i| Expr::Lit(Value::Int(i)))
            .ok_or_else(|| invalid(format!("{at}: only integer numbers are supported"))),
        Json::Array(items) => Ok(Expr::Array(items.iter().map(|x| parse_expr(x, at, scope)).collect::<Res<_>>()?)),
        Json::Object(obj) if obj.contains_key("ref") => {
            let name = as_str(field(obj, "ref", at)?, &format!("{at}.ref"))?;
            check_in_scope(name, at, scope)?;
            Ok(Expr::Ref(name.to_string()))
        }
        Json::Object(obj) if obj.contains_key("fn") => Ok(Expr::Call(Box::new(parse_call(obj, at, scope)?))),
        Json::Object(obj) => Ok(Expr::Object(
            obj.iter()
                .map(|(k, x)| Ok((k.clone(), parse_expr(x, &format!("{at}.{k}"), scope)?)))
                .collect::<Res<_>>()?,
        )),
        Json::Null => Err(invalid(format!("{at}: null is not a valid expression"))),
    }
}

fn check_in_scope(name: &str, at: &str, scope: &[String]) -> Res<()> {
    if scope.iter().any(|s| s == name) {
        Ok(())
    } else {
        Err(invalid(format!("{at}: reference to undefined name `{name}`")))
    }
}

fn parse_call(obj: &Map<String, Json>, at: &str, scope: &[String]) -> Res<Call> {
    let name = as_str(field(obj, "fn", at)?, &format!("{at}.fn"))?;
    let argv = as_array(field(obj, "argv", at)?, &format!("{at}.argv"))?;
    let at = format!("{at} ({name})");
    let (func, arity) = match name {
        "isSet" => (Func::IsSet, 1),
        "not" => (Func::Not, 1),
        "booleanEquals" => (Func::BooleanEquals, 2),
        "stringEquals" => (Func::StringEquals, 2),
        "getAttr" => {
            // The path is a literal string, parsed now; the target is argv[0].
            let path = match argv.as_slice() {
                [_, Json::String(p)] => parse_path(p, &at)?,
                _ => return Err(invalid(format!("{at}: expects a value and a path string"))),
            };
            let target = argv.first().map(|t| parse_expr(t, &at, scope)).transpose()?;
            return Ok(Call { func: Func::GetAttr(path), args: target.into_iter().collect() });
        }
        "parseURL" => (Func::ParseUrl, 1),
        "substring" => (Func::Substring, 4),
        "uriEncode" => (Func::UriEncode, 1),
        "isValidHostLabel" => (Func::IsValidHostLabel, 2),
        "coalesce" => (Func::Coalesce, 0),
        "aws.partition" => (Func::AwsPartition, 1),
        "aws.parseArn" => (Func::AwsParseArn, 1),
        "aws.isVirtualHostableS3Bucket" => (Func::AwsIsVirtualHostableS3Bucket, 2),
        _ => return Err(invalid(format!("{at}: unknown function `{name}`"))),
    };
    let arity_ok = match func {
        Func::Coalesce => argv.len() >= 2,
        _ => argv.len() == arity,
    };
    if !arity_ok {
        return Err(invalid(format!("{at}: wrong number of arguments ({})", argv.len())));
    }
    let args = argv
        .iter()
        .enumerate()
        .map(|(i, a)| parse_expr(a, &format!("{at}.argv[{i}]"), scope))
        .collect::<Res<Vec<_>>>()?;
    Ok(Call { func, args })
}

/// Parses a `getAttr` path such as `a.b[0]`.
pub(crate) fn parse_path(path: &str, at: &str) -> Res<Vec<PathSeg>> {
    let bad = || invalid(format!("{at}: invalid attribute path `{path}`"));
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => part.split_at(i),
            None => (part, ""),
        };
        if !key.is_empty() {
            segs.push(PathSeg::Key(key.to_string()));
        } else if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let inner = rest.strip_prefix('[').ok_or_else(bad)?;
            let (idx, tail) = inner.split_once(']').ok_or_else(bad)?;
            segs.push(PathSeg::Index(idx.parse().map_err(|_| bad())?));
            rest = tail;
        }
    }
    Ok(segs)
}

/// Parses a template string: `{name}` / `{name#path}` insert values, `{{`
/// and `}}` are literal braces.
fn parse_template(s: &str, at: &str, scope: &[String]) -> Res<Vec<Part>> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut var = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') | None => return Err(invalid(format!("{at}: unclosed `{{` in template `{s}`"))),
                        Some(ch) => var.push(ch),
                    }
                }
                let (name, path) = match var.split_once('#') {
                    Some((n, p)) => (n, parse_path(p, at)?),
                    None => (var.as_str(), Vec::new()),
                };
                check_in_scope(name, at, scope)?;
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(Part::Var(name.to_string(), path));
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() || parts.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Ok(parts)
}

/// Looks up a path in a value; a missing key or index yields `None`.
pub(crate) fn get_path<'a>(mut v: &'a Value, path: &[PathSeg]) -> &'a Value {
    for seg in path {
        v = match (v, seg) {
            (Value::Object(o), PathSeg::Key(k)) => o.get(k).unwrap_or(&Value::None),
            (Value::Array(a), PathSeg::Index(i)) => a.get(*i).unwrap_or(&Value::None),
            _ => &Value::None,
        };
    }
    v
}
