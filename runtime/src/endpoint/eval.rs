//! Evaluation of a parsed rule set.

use std::collections::BTreeMap;

use super::functions;
use super::rules::{get_path, Body, Call, EndpointDef, Expr, Func, Part, Rule, RuleSet};
use super::{Endpoint, EndpointError, ParamKind, Params, Value};

type Res<T> = Result<T, EndpointError>;

/// Bound names (parameters, then assigned variables), innermost last.
struct Scope {
    vars: Vec<(String, Value)>,
}

impl Scope {
    fn get(&self, name: &str) -> &Value {
        // Validation guarantees the name is bound; an unknown one reads as unset.
        self.vars.iter().rev().find(|(n, _)| n == name).map_or(&Value::None, |(_, v)| v)
    }
}

pub(crate) fn resolve(rs: &RuleSet, params: &Params) -> Res<Endpoint> {
    let mut scope = Scope { vars: Vec::new() };
    for p in rs.parameters() {
        let value = match params.get(&p.name) {
            Some(v) if kind_matches(p.kind, v) => v.clone(),
            Some(v) => {
                return Err(EndpointError::InvalidParameter(format!(
                    "`{}` must be a {:?}, got a {}",
                    p.name,
                    p.kind,
                    v.type_name()
                )))
            }
            None => p.default.clone().unwrap_or(Value::None),
        };
        if p.required && value == Value::None {
            return Err(EndpointError::MissingParameter(p.name.clone()));
        }
        scope.vars.push((p.name.clone(), value));
    }
    eval_rules(&rs.rules, &mut scope)?.ok_or(EndpointError::NoRuleMatched)
}

fn kind_matches(kind: ParamKind, v: &Value) -> bool {
    match (kind, v) {
        (ParamKind::String, Value::String(_)) | (ParamKind::Boolean, Value::Bool(_)) => true,
        (ParamKind::StringArray, Value::Array(items)) => items.iter().all(|i| matches!(i, Value::String(_))),
        _ => false,
    }
}

/// Evaluates rules in order; `Ok(None)` means none matched.
fn eval_rules(rules: &[Rule], scope: &mut Scope) -> Res<Option<Endpoint>> {
    for rule in rules {
        let mark = scope.vars.len();
        let outcome = eval_rule(rule, scope);
        scope.vars.truncate(mark);
        if let Some(endpoint) = outcome? {
            return Ok(Some(endpoint));
        }
    }
    Ok(None)
}

fn eval_rule(rule: &Rule, scope: &mut Scope) -> Res<Option<Endpoint>> {
    for cond in &rule.conditions {
        let v = eval_call(&cond.call, scope)?;
        if !v.is_truthy() {
            return Ok(None);
        }
        if let Some(name) = &cond.assign {
            scope.vars.push((name.clone(), v));
        }
    }
    match &rule.body {
        Body::Endpoint(def) => build_endpoint(def, scope).map(Some),
        Body::Error(msg) => Err(EndpointError::Rule(eval_string(msg, scope, "error")?)),
        // A tree whose conditions matched is terminal: exhausting it is an error.
        Body::Tree(rules) => eval_rules(rules, scope)?.map(Some).ok_or(EndpointError::NoRuleMatched),
    }
}

fn build_endpoint(def: &EndpointDef, scope: &Scope) -> Res<Endpoint> {
    let url = eval_string(&def.url, scope, "endpoint url")?;
    let mut headers = BTreeMap::new();
    for (name, values) in &def.headers {
        let values = values.iter().map(|v| eval_string(v, scope, "header value")).collect::<Res<Vec<_>>>()?;
        headers.insert(name.clone(), values);
    }
    let mut properties = serde_json::Map::new();
    for (name, value) in &def.properties {
        properties.insert(name.clone(), eval_expr(value, scope)?.to_json());
    }
    Ok(Endpoint { url, headers, properties })
}

fn eval_string(e: &Expr, scope: &Scope, what: &str) -> Res<String> {
    match eval_expr(e, scope)? {
        Value::String(s) => Ok(s),
        other => Err(EndpointError::Evaluation(format!("{what} must be a string, got {}", other.type_name()))),
    }
}

fn eval_expr(e: &Expr, scope: &Scope) -> Res<Value> {
    Ok(match e {
        Expr::Lit(v) => v.clone(),
        Expr::Template(parts) => Value::String(render(parts, scope)?),
        Expr::Array(items) => Value::Array(items.iter().map(|i| eval_expr(i, scope)).collect::<Res<_>>()?),
        Expr::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| Ok((k.clone(), eval_expr(v, scope)?))).collect::<Res<_>>()?)
        }
        Expr::Ref(name) => scope.get(name).clone(),
        Expr::Call(call) => eval_call(call, scope)?,
    })
}

fn render(parts: &[Part], scope: &Scope) -> Res<String> {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Lit(s) => out.push_str(s),
            Part::Var(name, path) => match get_path(scope.get(name), path) {
                Value::String(s) => out.push_str(s),
                other => {
                    return Err(EndpointError::Evaluation(format!(
                        "template value `{name}` must be a string, got {}",
                        other.type_name()
                    )))
                }
            },
        }
    }
    Ok(out)
}

fn eval_call(call: &Call, scope: &Scope) -> Res<Value> {
    if call.func == Func::Coalesce {
        // Lazy: the first set argument wins, later ones are not evaluated.
        for arg in &call.args {
            let v = eval_expr(arg, scope)?;
            if v != Value::None {
                return Ok(v);
            }
        }
        return Ok(Value::None);
    }
    let args = call.args.iter().map(|a| eval_expr(a, scope)).collect::<Res<Vec<_>>>()?;
    functions::call(&call.func, &args)
}
