//! Input checks the operations share: the model's length, range, pattern and enum constraints
//! (patterns matched against the whole value, as the service does, though the model writes them
//! unanchored), registry ids, tags, and the `repositoryType` of an input.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::errors::{constraint, invalid, repository_not_found, ApiError};
use super::state::{Kind, State};
use crate::error as e;
use crate::types::{ImageIdentifier, RepositoryType, Tag};

pub(crate) const REPOSITORY_NAME: &str = r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*";
pub(crate) const REGISTRY_ID: &str = "[0-9]{12}";
pub(crate) const REGISTRY_ALIAS: &str = "[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*";
/// `[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+` as the model has it; the `-` is put last in the class here so
/// that no regex engine can read `9-_` as a range.
pub(crate) const LAYER_DIGEST: &str = "[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+";
pub(crate) const UPLOAD_ID: &str = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
pub(crate) const MARKETPLACE_PRODUCT_ID: &str = "[A-Za-z0-9_-]+";
pub(crate) const PUBLISHER_REPORT_ID: &str = "[a-z0-9]+";
pub(crate) const PUBLISHER_REPORT_DATE: &str = "[0-9]{4}-[0-9]{2}-[0-9]{2}";

/// The most tags a repository may carry.
pub(crate) const MAX_TAGS: usize = 50;
/// Page size when `maxResults` is not given.
pub(crate) const DEFAULT_PAGE: usize = 100;

/// Whether all of `value` matches `pattern`.
pub(crate) fn full_match(pattern: &'static str, value: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, regex_lite::Regex>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let re = cache.entry(pattern).or_insert_with(|| {
        // The patterns are this module's constants, all of which compile.
        regex_lite::Regex::new(&format!("^(?:{pattern})$")).unwrap_or_else(|_| regex_lite::Regex::new("^$").unwrap())
    });
    re.is_match(value)
}

pub(crate) fn check_pattern(member: &str, value: &str, pattern: &'static str) -> Result<(), ApiError> {
    if !full_match(pattern, value) {
        return Err(constraint(
            member,
            value,
            format_args!("Member must satisfy regular expression pattern: {pattern}"),
        ));
    }
    Ok(())
}

/// A string's length in characters.
pub(crate) fn check_len(member: &str, value: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(constraint(member, value, format_args!("Member must have length between {min} and {max}")));
    }
    Ok(())
}

/// A list's (or blob's) length.
pub(crate) fn check_count(member: &str, n: usize, min: usize, max: usize) -> Result<(), ApiError> {
    if n < min || n > max {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have \
             length between {min} and {max} (it has {n})"
        )));
    }
    Ok(())
}

pub(crate) fn check_range(member: &str, value: i64, min: i64, max: i64) -> Result<(), ApiError> {
    if value < min || value > max {
        return Err(constraint(member, value, format_args!("Member must have value between {min} and {max}")));
    }
    Ok(())
}

/// A value of one of the model's enums: the client's types keep unknown values, the service
/// refuses them.
pub(crate) fn check_enum(member: &str, value: &impl AsRef<str>, values: &[&str]) -> Result<(), ApiError> {
    let value = value.as_ref();
    if !values.contains(&value) {
        return Err(constraint(
            member,
            value,
            format_args!("Member must satisfy enum value set: [{}]", values.join(", ")),
        ));
    }
    Ok(())
}

/// The repository type an input names in `member`; `FREE` when it names none.
pub(crate) fn kind(member: &str, value: Option<&RepositoryType>) -> Result<Kind, ApiError> {
    match value {
        None | Some(RepositoryType::Free) => Ok(Kind::Free),
        Some(RepositoryType::Premium) => Ok(Kind::Premium),
        Some(other) => Err(check_enum(member, other, RepositoryType::VALUES).err().unwrap_or_else(|| invalid(member))),
    }
}

pub(crate) fn is_registry_id(s: &str) -> bool {
    full_match(REGISTRY_ID, s)
}

pub(crate) fn is_registry_alias(s: &str) -> bool {
    (2..=50).contains(&s.chars().count()) && full_match(REGISTRY_ALIAS, s)
}

pub(crate) fn is_digest(s: &str) -> bool {
    full_match(LAYER_DIGEST, s)
}

pub(crate) fn check_repository_name(member: &str, name: &str) -> Result<(), ApiError> {
    check_len(member, name, 2, 205)?;
    check_pattern(member, name, REPOSITORY_NAME)
}

pub(crate) fn check_upload_id(id: &str) -> Result<(), ApiError> {
    check_pattern("uploadId", id, UPLOAD_ID)
}

pub(crate) fn check_digest(member: &str, digest: &str) -> Result<(), ApiError> {
    check_pattern(member, digest, LAYER_DIGEST)
}

/// A `RegistryId` member of a free repository's operation: 12 digits; another account's
/// registry holds none of our repositories.
pub(crate) fn check_registry_id(st: &State, id: Option<&String>, repository: &str) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    check_pattern("registryId", id, REGISTRY_ID)?;
    if *id != st.account_id {
        return Err(ApiError::new(
            e::RepositoryNotFoundException::CODE,
            format!("The repository with name '{repository}' does not exist in the registry with id '{id}'"),
        ));
    }
    Ok(())
}

/// A `RegistryId` member of an operation that only takes the caller's own account id (premium
/// repositories, associations, scans, image status).
pub(crate) fn check_own_registry_id(st: &State, id: Option<&String>) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    check_pattern("registryId", id, REGISTRY_ID)?;
    if *id != st.account_id {
        return Err(invalid(format!(
            "Invalid parameter at 'registryId': only your own registry ({}) can be given, not '{id}'",
            st.account_id
        )));
    }
    Ok(())
}

/// A `RegistryIdOrAlias` member: our account id or one of our aliases, else
/// `RegistryNotFoundException`.
pub(crate) fn check_registry_id_or_alias(st: &State, id: Option<&String>) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    check_len("registryId", id, 2, 50)?;
    if *id != st.account_id && !st.is_own_alias(id) {
        return Err(ApiError::new(
            e::RegistryNotFoundException::CODE,
            format!("The registry with id or alias '{id}' does not exist"),
        ));
    }
    Ok(())
}

/// `maxResults`, `1..=max`; the page size to use.
pub(crate) fn check_max_results(value: Option<i32>, max: i32) -> Result<usize, ApiError> {
    match value {
        None => Ok(DEFAULT_PAGE.min(max as usize)),
        Some(n) => {
            check_range("maxResults", n.into(), 1, max.into())?;
            Ok(n as usize)
        }
    }
}

/// An `ImageIdentifier` in a request: a digest, a tag or both, the tag of the model's length.
pub(crate) fn check_image_id(member: &str, id: &ImageIdentifier) -> Result<(), ApiError> {
    if id.image_digest.is_none() && id.image_tag.is_none() {
        return Err(invalid(format!(
            "Invalid parameter at '{member}': an image id needs an imageDigest or an imageTag"
        )));
    }
    if let Some(tag) = &id.image_tag {
        check_len(&format!("{member}.imageTag"), tag, 1, 300)?;
    }
    Ok(())
}

/// The repository `name` of type `kind`.
pub(crate) fn repository<'a>(st: &'a State, kind: Kind, name: &str) -> Result<&'a super::state::Repository, ApiError> {
    st.repositories(kind).get(name).ok_or_else(|| repository_not_found(st, kind, name))
}

pub(crate) fn repository_mut<'a>(
    st: &'a mut State,
    kind: Kind,
    name: &str,
) -> Result<&'a mut super::state::Repository, ApiError> {
    if !st.repositories(kind).contains_key(name) {
        return Err(repository_not_found(st, kind, name));
    }
    st.repositories_mut(kind).get_mut(name).ok_or_else(|| invalid("unreachable"))
}

/// Checks tags; their keys and values.
pub(crate) fn check_tags(tags: &[Tag]) -> Result<Vec<(String, String)>, ApiError> {
    check_count("tags", tags.len(), 0, 200)?;
    let bad = |m: String| ApiError::new(e::InvalidTagParameterException::CODE, m);
    let mut out: Vec<(String, String)> = Vec::with_capacity(tags.len());
    for tag in tags {
        let key = tag.key.clone().ok_or_else(|| bad("A tag key must not be null".to_owned()))?;
        let value = tag.value.clone().unwrap_or_default();
        let key_len = key.chars().count();
        if !(1..=128).contains(&key_len) {
            return Err(bad(format!("Tag key '{key}' must have length between 1 and 128")));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(bad(format!("Tag key '{key}' uses the reserved prefix 'aws:'")));
        }
        if value.chars().count() > 256 {
            return Err(bad(format!("The value of tag '{key}' must have length between 0 and 256")));
        }
        if out.iter().any(|(k, _)| *k == key) {
            return Err(bad(format!("Tag key '{key}' is given more than once")));
        }
        out.push((key, value));
    }
    Ok(out)
}

/// Merges `new` into `existing`: a key already there gets the new value.
pub(crate) fn merge_tags(
    existing: &[(String, String)],
    new: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut merged = existing.to_vec();
    for (k, v) in new {
        match merged.iter_mut().find(|(ek, _)| *ek == k) {
            Some(slot) => slot.1 = v,
            None => merged.push((k, v)),
        }
    }
    if merged.len() > MAX_TAGS {
        return Err(ApiError::new(
            e::TooManyTagsException::CODE,
            format!("A resource can have at most {MAX_TAGS} tags; this request would leave it with {}", merged.len()),
        ));
    }
    Ok(merged)
}

/// A `MarketplaceProductIdList`: one to five ids of the model's form, none twice.
pub(crate) fn check_products(products: &[String]) -> Result<(), ApiError> {
    check_count("marketplaceProducts", products.len(), 1, 5)?;
    for (n, p) in products.iter().enumerate() {
        let member = format!("marketplaceProducts.{}.member", n + 1);
        check_len(&member, p, 1, 255)?;
        check_pattern(&member, p, MARKETPLACE_PRODUCT_ID)?;
        if products[..n].contains(p) {
            return Err(invalid(format!(
                "Invalid parameter at 'marketplaceProducts': the product id '{p}' is given more than once"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_values() {
        for ok in ["ab", "team/app", "a-b_c.d/e1", "a1/b2/c3", "a--b", "a__b", "a---b/c_d"] {
            assert!(full_match(REPOSITORY_NAME, ok), "{ok}");
        }
        for bad in ["", "A", "a//b", "a/", "/a", "-a", "a-", "a b", "a___b", "a..b", "a._b", "Bad_Name!", "ok/Bad"] {
            assert!(!full_match(REPOSITORY_NAME, bad), "{bad}");
        }
        assert!(is_registry_alias("emulator"));
        assert!(is_registry_alias("my-alias.x"));
        assert!(!is_registry_alias("a"));
        assert!(!is_registry_alias("1abc"));
        assert!(!is_registry_alias("a-bc"));
        assert!(!is_registry_alias("abc-"));
        assert!(is_digest("sha256:abcDEF0123"));
        assert!(is_digest("sha256+b64u.x-y_z:00"));
        assert!(!is_digest("sha256:xyz"));
        assert!(!is_digest("abc"));
        assert!(!is_digest("sha256:00 "));
        assert!(full_match(UPLOAD_ID, &super::super::uuid_v4()));
        assert!(!full_match(UPLOAD_ID, "0a1b2c3d-0000-1111-2222-33334444555"));
        assert!(!full_match(UPLOAD_ID, "x0a1b2c3d-0000-1111-2222-333344445555"));
        assert!(is_registry_id("123456789012"));
        assert!(!is_registry_id("12345678901a"));
        assert!(!is_registry_id("1234567890123"));
        assert!(full_match(PUBLISHER_REPORT_DATE, "2026-10-01") && !full_match(PUBLISHER_REPORT_DATE, "2026-10-1"));
    }

    #[test]
    fn enums_and_kinds() {
        assert_eq!(kind("repositoryType", None), Ok(Kind::Free));
        assert_eq!(kind("repositoryType", Some(&RepositoryType::Premium)), Ok(Kind::Premium));
        let err = kind("repositoryType", Some(&RepositoryType::from("GOLD"))).expect_err("unknown");
        assert_eq!(err.code, "InvalidParameterException");
        assert!(String::from_utf8_lossy(&err.body).contains("[FREE, PREMIUM]"));
    }
}
