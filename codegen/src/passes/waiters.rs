//! The waiters pass: each operation's `smithy.waiters#waitable` read into typed waiters and
//! checked as the Smithy specification asks (names, delays, acceptors, matchers), and waiter
//! names checked unique across the service.

use serde_json::Value;

use crate::smithy::{ModelError, Shape};

/// One waiter of an operation, as the trait gives it (defaults filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct Waiter {
    pub name: String,
    /// Documentation as Markdown (empty when the trait has none).
    pub doc: String,
    pub min_delay: u64,
    pub max_delay: u64,
    pub deprecated: bool,
    pub acceptors: Vec<Acceptor>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Acceptor {
    pub state: AcceptorState,
    pub matcher: Matcher,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    Success,
    Failure,
    Retry,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// A path into the output.
    Output(PathMatcher),
    /// A path into `{input, output}`.
    InputOutput(PathMatcher),
    /// `true`: any output; `false`: any error.
    Success(bool),
    /// An error by code: a shape name, or an absolute shape id.
    ErrorType(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PathMatcher {
    pub path: String,
    pub expected: String,
    pub comparator: Comparator,
}

// Named as Smithy names them.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    StringEquals,
    BooleanEquals,
    AllStringEquals,
    AnyStringEquals,
}

impl Comparator {
    pub fn name(self) -> &'static str {
        match self {
            Comparator::StringEquals => "stringEquals",
            Comparator::BooleanEquals => "booleanEquals",
            Comparator::AllStringEquals => "allStringEquals",
            Comparator::AnyStringEquals => "anyStringEquals",
        }
    }
}

/// The waiters of an operation, sorted by name; an error names the operation and the waiter.
fn waiters_of(op: &Shape) -> Result<Vec<Waiter>, ModelError> {
    let Some(all) = &op.traits.waitable else { return Ok(vec![]) };
    let err = |waiter: &str, problem: String| ModelError::new(&op.id, format!("waiter `{waiter}`: {problem}"));
    let mut out = Vec::new();
    for (name, w) in all {
        let valid_name =
            name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_name {
            return Err(err(
                name,
                "a waiter name starts with an upper-case letter and has only letters and digits".into(),
            ));
        }
        let w = w.as_object().ok_or_else(|| err(name, "not an object".into()))?;
        let delay = |key: &str, default: u64| match w.get(key) {
            None => Ok(default),
            Some(v) => v.as_u64().ok_or_else(|| err(name, format!("`{key}` is not a non-negative integer"))),
        };
        let (min_delay, max_delay) = (delay("minDelay", 2)?, delay("maxDelay", 120)?);
        if min_delay < 1 {
            return Err(err(name, "minDelay must be at least 1".into()));
        }
        if max_delay < min_delay {
            return Err(err(name, format!("maxDelay ({max_delay}) is below minDelay ({min_delay})")));
        }
        let acceptors = w.get("acceptors").and_then(Value::as_array).ok_or_else(|| err(name, "no acceptors".into()))?;
        if acceptors.is_empty() {
            return Err(err(name, "a waiter needs at least one acceptor".into()));
        }
        let acceptors = acceptors
            .iter()
            .enumerate()
            .map(|(i, a)| acceptor(a).map_err(|p| err(name, format!("acceptor {i}: {p}"))))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Waiter {
            name: name.clone(),
            doc: w.get("documentation").and_then(Value::as_str).map(crate::docs::to_markdown).unwrap_or_default(),
            min_delay,
            max_delay,
            deprecated: w.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
            acceptors,
        });
    }
    Ok(out)
}

fn acceptor(a: &Value) -> Result<Acceptor, String> {
    let state = match a.get("state").and_then(Value::as_str) {
        Some("success") => AcceptorState::Success,
        Some("failure") => AcceptorState::Failure,
        Some("retry") => AcceptorState::Retry,
        Some(other) => return Err(format!("unknown state `{other}`")),
        None => return Err("no state".into()),
    };
    let m = a.get("matcher").and_then(Value::as_object).ok_or("no matcher")?;
    if m.len() != 1 {
        return Err("a matcher has exactly one member".into());
    }
    let path = |v: &Value| -> Result<PathMatcher, String> {
        let get = |k: &str| v.get(k).and_then(Value::as_str).ok_or(format!("the matcher has no `{k}`"));
        let comparator = match get("comparator")? {
            "stringEquals" => Comparator::StringEquals,
            "booleanEquals" => Comparator::BooleanEquals,
            "allStringEquals" => Comparator::AllStringEquals,
            "anyStringEquals" => Comparator::AnyStringEquals,
            other => return Err(format!("unknown comparator `{other}`")),
        };
        Ok(PathMatcher { path: get("path")?.to_owned(), expected: get("expected")?.to_owned(), comparator })
    };
    let matcher = match m.iter().next() {
        Some((k, v)) if k == "output" => Matcher::Output(path(v)?),
        Some((k, v)) if k == "inputOutput" => Matcher::InputOutput(path(v)?),
        Some((k, v)) if k == "success" => Matcher::Success(v.as_bool().ok_or("`success` is not a boolean")?),
        Some((k, v)) if k == "errorType" => {
            let e = v.as_str().filter(|s| !s.is_empty()).ok_or("`errorType` is not an error name")?;
            Matcher::ErrorType(e.to_owned())
        }
        Some((k, _)) => return Err(format!("unknown matcher `{k}`")),
        None => return Err("a matcher has exactly one member".into()),
    };
    Ok(Acceptor { state, matcher })
}

/// Every waiter of the service with its operation's id, sorted by waiter name; names must be
/// unique.
pub fn waiters(ops: &[&Shape]) -> Result<Vec<(String, Waiter)>, ModelError> {
    let mut out: Vec<(&Shape, Waiter)> = Vec::new();
    for op in ops {
        for w in waiters_of(op)? {
            let clash = |o: &(&Shape, Waiter)| o.1.name.eq_ignore_ascii_case(&w.name);
            if let Some((other, _)) = out.iter().find(|o| clash(o)) {
                return Err(ModelError::new(
                    &op.id,
                    format!("waiter `{}`: `{}` has a waiter of the same name", w.name, other.id),
                ));
            }
            out.push((op, w));
        }
    }
    out.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    Ok(out.into_iter().map(|(op, w)| (op.id.clone(), w)).collect())
}
