//! Pagination: `nextToken`s are opaque and name the key of the last item returned (a repository
//! name, an image's push number, a tag...), so that items deleted or added between two pages
//! neither make the next page skip nor repeat the ones that remain. A token is only good for the
//! operation, scope (repository, filters) and emulator that made it; anything else is an
//! `InvalidParameterException`.

use super::errors::{invalid, ApiError};
use super::state::State;
use super::validate::check_max_results;

/// What one listing pages over.
pub(crate) struct Listing<'a> {
    pub operation: &'static str,
    /// What else the token is bound to: the repository, the filters of the request.
    pub scope: String,
    pub token: Option<&'a String>,
    pub max_results: Option<i32>,
    /// The largest `maxResults` the operation takes.
    pub limit: i32,
}

impl Listing<'_> {
    /// One page of `items`, which are sorted by their (unique) keys, after the token's key; and
    /// the token for the next page, if items remain after it.
    pub fn page<T>(&self, st: &State, items: Vec<(String, T)>) -> Result<(Vec<T>, Option<String>), ApiError> {
        let max = check_max_results(self.max_results, self.limit)?;
        let after = match self.token {
            None => None,
            Some(t) => Some(st.token_key(self.operation, &self.scope, t).ok_or_else(|| {
                invalid(format!(
                    "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken: {t}'"
                ))
            })?),
        };
        let mut rest: Vec<(String, T)> = match &after {
            None => items,
            Some(last) => items.into_iter().filter(|(k, _)| k.as_str() > last.as_str()).collect(),
        };
        let next = if rest.len() > max { Some(st.token(self.operation, &self.scope, &rest[max - 1].0)) } else { None };
        rest.truncate(max);
        Ok((rest.into_iter().map(|(_, v)| v).collect(), next))
    }
}

/// A key that sorts numbers in their order.
pub(crate) fn number_key(n: u64) -> String {
    format!("{n:020}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::EmulatorOptions;

    fn listing<'a>(token: Option<&'a String>, max: Option<i32>) -> Listing<'a> {
        Listing { operation: "Op", scope: "s".to_owned(), token, max_results: max, limit: 1000 }
    }

    fn items(keys: &[&str]) -> Vec<(String, String)> {
        keys.iter().map(|k| ((*k).to_owned(), (*k).to_owned())).collect()
    }

    #[test]
    fn pages_resume_after_the_last_key() {
        let st = State::new(&EmulatorOptions::default());
        let (p, next) = listing(None, Some(2)).page(&st, items(&["a", "b", "c", "d"])).expect("page");
        assert_eq!(p, ["a", "b"]);
        // "b" was deleted and "a0" added before the next page: neither skipped nor repeated.
        let (p, next) = listing(next.as_ref(), Some(2)).page(&st, items(&["a", "a0", "c", "d"])).expect("page");
        assert_eq!((p, next), (vec!["c".to_owned(), "d".to_owned()], None));
        let (p, next) = listing(None, Some(2)).page(&st, items(&["a", "b"])).expect("exactly one page");
        assert_eq!((p.len(), next), (2, None));
        assert!(listing(Some(&"bogus".to_owned()), None).page(&st, items(&["a"])).is_err());
        let other = Listing { operation: "Other", ..listing(None, None) };
        let token = st.token("Op", "s", "a");
        assert!(Listing { token: Some(&token), ..other }.page(&st, items(&["a"])).is_err());
        assert!(listing(None, Some(0)).page(&st, items(&["a"])).is_err());
        assert!(listing(None, Some(1001)).page(&st, items(&["a"])).is_err());
        assert!(number_key(9) < number_key(10));
    }
}
