//! Client-side validation against the model's `length`, `range` and `pattern` constraints
//! (`required` is enforced by the types: required members are not `Option`).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Implemented by generated types that carry constraints.
pub trait Validate {
    /// Records every broken constraint, naming members from `path`.
    fn validate(&self, path: &str, v: &mut Validator);
}

/// Collects the problems of one input.
#[derive(Debug, Default)]
pub struct Validator {
    problems: Vec<String>,
}

/// `parent.member`, or `member` at the top.
pub fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

impl Validator {
    /// A validator with no problems yet; the client fills it through `Operation::validate`.
    pub fn new() -> Self {
        Self::default()
    }

    /// One message per broken constraint, naming the member (`a.b`); empty when the input is
    /// valid. The client fails the call with `Error::Validation` for a non-empty list.
    pub fn into_problems(self) -> Vec<String> {
        self.problems
    }

    /// `len` is characters for strings, bytes for blobs, entries for lists and maps.
    pub fn length(&mut self, path: &str, member: &str, len: usize, min: Option<u64>, max: Option<u64>) {
        let len = len as u64;
        if let Some(min) = min.filter(|m| len < *m) {
            self.problems.push(format!("`{}`: length {len} is below the minimum {min}", join(path, member)));
        }
        if let Some(max) = max.filter(|m| len > *m) {
            self.problems.push(format!("`{}`: length {len} is above the maximum {max}", join(path, member)));
        }
    }

    /// Checks a `@range` constraint: `value` must be within `min..=max` (either bound optional).
    pub fn range(&mut self, path: &str, member: &str, value: f64, min: Option<f64>, max: Option<f64>) {
        self.check_range(path, member, value, min, max, &value.to_string());
    }

    fn check_range(&mut self, path: &str, member: &str, value: f64, min: Option<f64>, max: Option<f64>, shown: &str) {
        if let Some(min) = min.filter(|m| value < *m) {
            self.problems.push(format!("`{}`: {shown} is below the minimum {min}", join(path, member)));
        }
        if let Some(max) = max.filter(|m| value > *m) {
            self.problems.push(format!("`{}`: {shown} is above the maximum {max}", join(path, member)));
        }
    }

    /// Smithy patterns are ECMA 262 regexes matched anywhere in the value unless anchored.
    pub fn pattern(&mut self, path: &str, member: &str, value: &str, pattern: &'static str) {
        self.check_pattern(path, member, value, pattern, false);
    }

    /// [`pattern`](Self::pattern) for a `@sensitive` value: the message does not show it.
    pub fn sensitive_pattern(&mut self, path: &str, member: &str, value: &str, pattern: &'static str) {
        self.check_pattern(path, member, value, pattern, true);
    }

    /// [`range`](Self::range) for a `@sensitive` value: the message does not show it.
    pub fn sensitive_range(&mut self, path: &str, member: &str, value: f64, min: Option<f64>, max: Option<f64>) {
        self.check_range(path, member, value, min, max, "the value (sensitive, not shown)");
    }

    fn check_pattern(&mut self, path: &str, member: &str, value: &str, pattern: &'static str, sensitive: bool) {
        match compiled(pattern) {
            Some(re) if re.is_match(value) => {}
            Some(_) if sensitive => self.problems.push(format!(
                "`{}`: the value (sensitive, not shown) does not match the pattern `{pattern}`",
                join(path, member)
            )),
            Some(_) => self
                .problems
                .push(format!("`{}`: `{value}` does not match the pattern `{pattern}`", join(path, member))),
            // A pattern this engine cannot read is not the caller's fault: let the service judge.
            None => tracing::debug!(pattern, "skipping a pattern the validator cannot compile"),
        }
    }
}

fn compiled(pattern: &'static str) -> Option<regex_lite::Regex> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regex_lite::Regex>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    cache.entry(pattern).or_insert_with(|| regex_lite::Regex::new(pattern).ok()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_values_are_not_echoed() {
        let mut v = Validator::default();
        v.sensitive_pattern("", "pin", "S3CRET", "^[0-9]+$");
        v.sensitive_range("", "code", 123456.0, None, Some(10.0));
        v.pattern("", "name", "Shown", "^[a-z]+$");
        let all = v.problems.join("\n");
        assert!(!all.contains("S3CRET") && !all.contains("123456"), "{all}");
        assert_eq!(v.problems.len(), 3, "{all}");
        assert!(all.contains("`Shown`"), "a value that is not sensitive is shown: {all}");
    }

    #[test]
    fn reports_each_rule_with_the_member() {
        let mut v = Validator::new();
        v.length("", "repositoryName", 1, Some(2), Some(205));
        v.range("", "maxResults", 0.0, Some(1.0), Some(1000.0));
        v.pattern("catalogData", "name", "Bad Name", "^[a-z]+$");
        v.pattern("", "ok", "abc", "[a-z]+");
        let p = v.into_problems();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].contains("`repositoryName`") && p[0].contains("minimum 2"));
        assert!(p[1].contains("`maxResults`") && p[1].contains("minimum 1"));
        assert!(p[2].contains("`catalogData.name`") && p[2].contains("pattern"));
    }
}
