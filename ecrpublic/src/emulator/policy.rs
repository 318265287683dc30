//! Repository policies: the document must be an IAM policy of a resource (`Statement`s with an
//! `Effect`, a `Principal` and an `Action`), and one that would stop the caller from setting a
//! policy again is refused unless `force` is set, as the service does.
//!
//! The caller is taken to be the registry's own account (`ACCOUNT`, `arn:aws:iam::ACCOUNT:root`
//! or any principal of it): a `Deny` without a `Condition` of the set-policy action, for a
//! principal that covers it, on the repository, locks it out.

use serde_json::Value;

use super::errors::{invalid, ApiError};

/// What a policy is checked against.
pub(crate) struct Target<'a> {
    pub account_id: &'a str,
    pub repository_arn: &'a str,
    /// The action that sets this repository's policy, e.g. `ecr-public:SetRepositoryPolicy`.
    pub set_policy_action: &'a str,
}

fn bad(why: impl std::fmt::Display) -> ApiError {
    invalid(format!(
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided': {why}"
    ))
}

/// Checks `text` as the policy of `target`'s repository.
pub(crate) fn check(text: &str, target: &Target<'_>, force: bool) -> Result<(), ApiError> {
    let doc: Value = serde_json::from_str(text).map_err(|_| bad("the policy is not JSON"))?;
    let Value::Object(doc) = doc else { return Err(bad("the policy is not a JSON object")) };
    for key in doc.keys() {
        if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
            return Err(bad(format_args!("unknown policy element '{key}'")));
        }
    }
    match doc.get("Version") {
        None => {}
        Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {}
        Some(v) => return Err(bad(format_args!("the Version {v} is not 2012-10-17 or 2008-10-17"))),
    }
    if let Some(id) = doc.get("Id") {
        if !id.is_string() {
            return Err(bad("the Id is not a string"));
        }
    }
    let statements: Vec<&serde_json::Map<String, Value>> = match doc.get("Statement") {
        None => return Err(bad("the policy has no Statement")),
        Some(Value::Object(s)) => vec![s],
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|s| s.as_object().ok_or_else(|| bad("a Statement is not an object")))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad("the Statement is not a statement or a non-empty list of them")),
    };
    for s in &statements {
        check_statement(s)?;
    }
    if !force {
        if let Some(n) = statements.iter().position(|s| locks_out(s, target)) {
            return Err(invalid(format!(
                "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy \
                 provided': statement {} denies you {}, so you could not set the policy again; set force to \
                 apply it anyway",
                n + 1,
                target.set_policy_action
            )));
        }
    }
    Ok(())
}

/// A string or a non-empty list of strings.
fn strings<'a>(element: &str, value: &'a Value) -> Result<Vec<&'a str>, ApiError> {
    match value {
        Value::String(s) => Ok(vec![s]),
        Value::Array(list) if !list.is_empty() => list
            .iter()
            .map(|v| v.as_str().ok_or_else(|| bad(format_args!("an entry of {element} is not a string"))))
            .collect(),
        _ => Err(bad(format_args!("{element} is not a string or a non-empty list of strings"))),
    }
}

fn check_statement(s: &serde_json::Map<String, Value>) -> Result<(), ApiError> {
    for key in s.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Principal"
                | "NotPrincipal"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Condition"
        ) {
            return Err(bad(format_args!("unknown statement element '{key}'")));
        }
    }
    if s.get("Sid").is_some_and(|v| !v.is_string()) {
        return Err(bad("a Sid is not a string"));
    }
    match s.get("Effect").and_then(Value::as_str) {
        Some("Allow" | "Deny") => {}
        Some(other) => return Err(bad(format_args!("the Effect '{other}' is not Allow or Deny"))),
        None => return Err(bad("a statement has no Effect")),
    }
    match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), None) | (None, Some(p)) => check_principal(p)?,
        (None, None) => return Err(bad("a statement has no Principal")),
        (Some(_), Some(_)) => return Err(bad("a statement has both Principal and NotPrincipal")),
    }
    match (s.get("Action"), s.get("NotAction")) {
        (Some(a), None) => check_actions("Action", a)?,
        (None, Some(a)) => check_actions("NotAction", a)?,
        (None, None) => return Err(bad("a statement has no Action")),
        (Some(_), Some(_)) => return Err(bad("a statement has both Action and NotAction")),
    }
    match (s.get("Resource"), s.get("NotResource")) {
        (Some(_), Some(_)) => return Err(bad("a statement has both Resource and NotResource")),
        (Some(r), None) => drop(strings("Resource", r)?),
        (None, Some(r)) => drop(strings("NotResource", r)?),
        (None, None) => {}
    }
    if s.get("Condition").is_some_and(|c| !c.is_object()) {
        return Err(bad("a Condition is not an object"));
    }
    Ok(())
}

fn check_principal(p: &Value) -> Result<(), ApiError> {
    match p {
        Value::String(s) if s == "*" => Ok(()),
        Value::Object(map) if !map.is_empty() => {
            for (kind, value) in map {
                if !matches!(kind.as_str(), "AWS" | "Service" | "Federated" | "CanonicalUser") {
                    return Err(bad(format_args!("unknown principal type '{kind}'")));
                }
                strings("Principal", value)?;
            }
            Ok(())
        }
        _ => Err(bad("a Principal is not \"*\" or an object of principals")),
    }
}

fn check_actions(element: &str, value: &Value) -> Result<(), ApiError> {
    for action in strings(element, value)? {
        let well_formed = action == "*"
            || action.split_once(':').is_some_and(|(service, name)| {
                !service.is_empty()
                    && service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
            });
        if !well_formed {
            return Err(bad(format_args!("the action '{action}' is not SERVICE:ACTION or *")));
        }
    }
    Ok(())
}

/// IAM's wildcards: `*` any run of characters, `?` any one.
fn glob(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let norm = |s: &str| if ignore_case { s.to_ascii_lowercase() } else { s.to_owned() };
    let (p, v): (Vec<char>, Vec<char>) = (norm(pattern).chars().collect(), norm(value).chars().collect());
    let (mut pi, mut vi, mut star, mut mark) = (0, 0, None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn covers_caller(p: &Value, account: &str) -> bool {
    let root = format!("arn:aws:iam::{account}:root");
    match p {
        Value::String(s) => s == "*",
        Value::Object(map) => map.get("AWS").is_some_and(|v| {
            strings("AWS", v)
                .unwrap_or_default()
                .into_iter()
                .any(|who| who == "*" || who == account || glob(who, &root, false))
        }),
        _ => false,
    }
}

/// Whether statement `s` denies the caller the set-policy action on the repository.
fn locks_out(s: &serde_json::Map<String, Value>, target: &Target<'_>) -> bool {
    if s.get("Effect").and_then(Value::as_str) != Some("Deny") || s.contains_key("Condition") {
        return false;
    }
    let matches_any = |v: &Value, value: &str, ignore_case: bool| {
        strings("", v).unwrap_or_default().into_iter().any(|p| glob(p, value, ignore_case))
    };
    let action = match (s.get("Action"), s.get("NotAction")) {
        (Some(a), _) => matches_any(a, target.set_policy_action, true),
        (None, Some(a)) => !matches_any(a, target.set_policy_action, true),
        (None, None) => false,
    };
    let principal = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => covers_caller(p, target.account_id),
        (None, Some(p)) => !covers_caller(p, target.account_id),
        (None, None) => false,
    };
    let resource = match (s.get("Resource"), s.get("NotResource")) {
        (Some(r), _) => matches_any(r, target.repository_arn, false),
        (None, Some(r)) => !matches_any(r, target.repository_arn, false),
        (None, None) => true,
    };
    action && principal && resource
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Target<'static> = Target {
        account_id: "123456789012",
        repository_arn: "arn:aws:ecr-public::123456789012:repository/app",
        set_policy_action: "ecr-public:SetRepositoryPolicy",
    };

    fn statement(s: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{s}]}}"#)
    }

    #[test]
    fn documents_that_are_not_policies_are_refused() {
        for text in [
            "",
            "[]",
            "{}",
            r#"{"Version":"2012-10-17"}"#,
            r#"{"Version":"2012-10-17","Statement":[]}"#,
            r#"{"Version":"2001-01-01","Statement":{"Effect":"Allow","Principal":"*","Action":"ecr-public:*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"ecr-public:*"},"Extra":1}"#,
            &statement(r#"{"Effect":"Maybe","Principal":"*","Action":"ecr-public:*"}"#),
            &statement(r#"{"Principal":"*","Action":"ecr-public:*"}"#),
            &statement(r#"{"Effect":"Allow","Principal":"*"}"#),
            &statement(r#"{"Effect":"Allow","Action":"ecr-public:*"}"#),
            &statement(r#"{"Effect":"Allow","Principal":"*","Action":[]}"#),
            &statement(r#"{"Effect":"Allow","Principal":"*","Action":"pull"}"#),
            &statement(r#"{"Effect":"Allow","Principal":{"Nobody":"x"},"Action":"ecr-public:*"}"#),
            &statement(r#"{"Effect":"Allow","Principal":"*","Action":"ecr-public:*","Condition":[]}"#),
        ] {
            assert!(check(text, &TARGET, true).is_err(), "{text}");
        }
        let ok = statement(
            r#"{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr-public:BatchCheckLayerAvailability"]}"#,
        );
        check(&ok, &TARGET, false).expect("a policy");
    }

    #[test]
    fn lockouts_need_force() {
        for s in [
            r#"{"Effect":"Deny","Principal":"*","Action":"ecr-public:SetRepositoryPolicy"}"#,
            r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"*"}"#,
            r#"{"Effect":"Deny","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":"ecr-public:Set*"}"#,
            r#"{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"ECR-PUBLIC:*","Resource":"*"}"#,
            r#"{"Effect":"Deny","Principal":"*","NotAction":"ecr-public:BatchCheckLayerAvailability"}"#,
            r#"{"Effect":"Deny","Principal":"*","Action":"*","Resource":"arn:aws:ecr-public::123456789012:repository/*"}"#,
        ] {
            let text = statement(s);
            assert!(check(&text, &TARGET, false).is_err(), "{s}");
            check(&text, &TARGET, true).expect("forced");
        }
        for s in [
            r#"{"Effect":"Deny","Principal":"*","Action":"ecr-public:PutImage"}"#,
            r#"{"Effect":"Deny","Principal":{"AWS":"999999999999"},"Action":"*"}"#,
            r#"{"Effect":"Deny","Principal":"*","Action":"*","Resource":"arn:aws:ecr-public::123456789012:repository/other"}"#,
            r#"{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
            r#"{"Effect":"Allow","Principal":"*","Action":"*"}"#,
        ] {
            check(&statement(s), &TARGET, false).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        }
    }

    #[test]
    fn wildcards() {
        assert!(glob("ecr-public:*", "ecr-public:SetRepositoryPolicy", true));
        assert!(glob("*Policy", "SetRepositoryPolicy", false));
        assert!(glob("Set?epositoryPolicy", "SetRepositoryPolicy", false));
        assert!(!glob("Get*", "SetRepositoryPolicy", false));
        assert!(glob("*", "", false));
    }
}
