//! The environment as the runtime sees it. Everything that reads settings goes through an [`Env`],
//! so tests hand in an isolated map instead of touching the (process-global) environment.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The process environment ([`Env::real`]) or a fixed map ([`Env::from_vars`]). The default is
/// an empty map, never the process environment, so forgetting to pick one cannot leak real
/// settings into a test.
#[derive(Clone, Default)]
pub struct Env {
    source: Source,
}

#[derive(Clone)]
enum Source {
    Real,
    Map(Arc<HashMap<String, String>>),
}

impl Default for Source {
    fn default() -> Self {
        Source::Map(Arc::default())
    }
}

// Hand-written so that secrets (AWS_SECRET_ACCESS_KEY, tokens) never end up in logs.
impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Real => f.write_str("Env::real()"),
            Source::Map(vars) => {
                let mut keys: Vec<&str> = vars.keys().map(String::as_str).collect();
                keys.sort_unstable();
                f.debug_struct("Env").field("keys", &keys).finish()
            }
        }
    }
}

impl Env {
    /// The process environment, read at each [`get`](Env::get).
    pub fn real() -> Self {
        Env { source: Source::Real }
    }

    /// An isolated environment holding only `vars`.
    pub fn from_vars<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        let map = vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        Env { source: Source::Map(Arc::new(map)) }
    }

    /// The trimmed value of `key`; empty or whitespace-only values count as unset.
    pub fn get(&self, key: &str) -> Option<String> {
        let value = match &self.source {
            Source::Real => std::env::var(key).ok()?,
            Source::Map(vars) => vars.get(key)?.clone(),
        };
        let trimmed = value.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }

    /// Whether `key` is `true` (any case).
    pub fn get_bool(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `HOME`, else `USERPROFILE` (Windows).
    pub fn home_dir(&self) -> Option<PathBuf> {
        self.get("HOME").or_else(|| self.get("USERPROFILE")).map(PathBuf::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_lookup_and_blank_values() {
        let env = Env::from_vars([("A", " x "), ("EMPTY", ""), ("BLANK", "  \t"), ("T", "TRUE")]);
        assert_eq!(env.get("A").as_deref(), Some("x"));
        assert_eq!(env.get("EMPTY"), None);
        assert_eq!(env.get("BLANK"), None);
        assert_eq!(env.get("MISSING"), None);
        assert!(env.get_bool("T"));
        assert!(!env.get_bool("A"));
        assert_eq!(Env::default().get("PATH"), None);
    }

    #[test]
    fn home_dir_prefers_home() {
        assert_eq!(Env::from_vars([("HOME", "/h"), ("USERPROFILE", "C:\\u")]).home_dir(), Some(PathBuf::from("/h")));
        assert_eq!(Env::from_vars([("USERPROFILE", "C:\\u")]).home_dir(), Some(PathBuf::from("C:\\u")));
        assert_eq!(Env::default().home_dir(), None);
    }

    #[test]
    fn debug_hides_values() {
        let env = Env::from_vars([("AWS_SECRET_ACCESS_KEY", "hunter2")]);
        let shown = format!("{env:?}");
        assert!(shown.contains("AWS_SECRET_ACCESS_KEY") && !shown.contains("hunter2"), "{shown}");
    }
}
