//! The standard library and AWS functions.

use std::collections::BTreeMap;

use super::partitions;
use super::rules::{get_path, Func};
use super::{EndpointError, Value};

/// Applies `func` to evaluated arguments (`coalesce` is handled lazily by
/// the evaluator). Apart from `isSet`, an unset argument makes the result
/// unset, so the condition simply does not match.
pub(crate) fn call(func: &Func, args: &[Value]) -> Result<Value, EndpointError> {
    use Value as V;
    if *func == Func::IsSet {
        return Ok(V::Bool(args.iter().all(|a| *a != V::None)));
    }
    if args.contains(&V::None) {
        return Ok(V::None);
    }
    Ok(match (func, args) {
        (Func::Not, [V::Bool(b)]) => V::Bool(!b),
        (Func::BooleanEquals, [V::Bool(a), V::Bool(b)]) => V::Bool(a == b),
        (Func::StringEquals, [V::String(a), V::String(b)]) => V::Bool(a == b),
        (Func::GetAttr(path), [target]) => get_path(target, path).clone(),
        (Func::ParseUrl, [V::String(s)]) => parse_url(s),
        (Func::Substring, [V::String(s), V::Int(start), V::Int(stop), V::Bool(rev)]) => {
            substring(s, *start, *stop, *rev).map_or(V::None, V::String)
        }
        (Func::UriEncode, [V::String(s)]) => V::String(uri_encode(s)),
        (Func::IsValidHostLabel, [V::String(s), V::Bool(sub)]) => V::Bool(is_valid_host_label(s, *sub)),
        (Func::AwsPartition, [V::String(region)]) => partitions::partition(region),
        (Func::AwsParseArn, [V::String(s)]) => parse_arn(s),
        (Func::AwsIsVirtualHostableS3Bucket, [V::String(s), V::Bool(sub)]) => {
            V::Bool(is_virtual_hostable_s3_bucket(s, *sub))
        }
        _ => {
            let types: Vec<_> = args.iter().map(Value::type_name).collect();
            return Err(EndpointError::Evaluation(format!(
                "{func:?} cannot take arguments of types ({})",
                types.join(", ")
            )));
        }
    })
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<BTreeMap<_, _>>())
}

/// `parseURL`: http(s) URLs without query or fragment.
pub(crate) fn parse_url(url: &str) -> Value {
    parse_url_parts(url).unwrap_or(Value::None)
}

fn parse_url_parts(url: &str) -> Option<Value> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme_ok = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    if !scheme_ok || rest.contains(['?', '#']) || rest.chars().any(|c| c.is_whitespace()) {
        return None;
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    // Userinfo is not part of the reported authority.
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let is_ip = check_authority(authority)?;
    let mut normalized = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    if !normalized.ends_with('/') {
        normalized.push('/');
    }
    Some(obj(vec![
        ("scheme", Value::String(scheme.to_ascii_lowercase())),
        ("authority", Value::String(authority.to_string())),
        ("path", Value::String(path.to_string())),
        ("normalizedPath", Value::String(normalized)),
        ("isIp", Value::Bool(is_ip)),
    ]))
}

/// Validates `host[:port]`; returns whether the host is an IP address.
fn check_authority(authority: &str) -> Option<bool> {
    let port_ok = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']')?;
        let addr_ok = addr.contains(':') && addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        let after_ok = after.is_empty() || after.strip_prefix(':').is_some_and(port_ok);
        return (addr_ok && after_ok).then_some(true);
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok =
        !host.is_empty() && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '%'));
    (host_ok && port.into_iter().all(port_ok)).then(|| is_ipv4(host))
}

fn is_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// `substring`: ASCII only; `reverse` counts indices from the end.
pub(crate) fn substring(s: &str, start: i64, stop: i64, reverse: bool) -> Option<String> {
    if !s.is_ascii() {
        return None;
    }
    let (start, stop) = (usize::try_from(start).ok()?, usize::try_from(stop).ok()?);
    let len = s.len();
    if start >= stop || stop > len {
        return None;
    }
    let (from, to) = if reverse { (len - stop, len - start) } else { (start, stop) };
    s.get(from..to).map(str::to_string)
}

/// `uriEncode`: percent-encodes all but RFC 3986 unreserved characters.
pub(crate) fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `isValidHostLabel`: 1-63 chars of `[A-Za-z0-9-]` not starting with `-`;
/// with `allow_sub_domains`, dot-separated labels of that form.
pub(crate) fn is_valid_host_label(s: &str, allow_sub_domains: bool) -> bool {
    fn label(l: &str) -> bool {
        l.len() <= 63
            && l.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }
    if allow_sub_domains {
        s.split('.').all(label)
    } else {
        label(s)
    }
}

/// `aws.isVirtualHostableS3Bucket`: a DNS-compatible bucket name (3-63
/// lowercase chars, alphanumeric at both ends); with `allow_sub_domains`
/// dots are allowed, but not next to another dot or dash, and not in the
/// shape of an IPv4 address.
pub(crate) fn is_virtual_hostable_s3_bucket(s: &str, allow_sub_domains: bool) -> bool {
    let b = s.as_bytes();
    let edge = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let shape = (3..=63).contains(&b.len()) && edge(b.first()) && edge(b.last());
    let inner_ok =
        |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || (allow_sub_domains && *c == b'.');
    if !shape || !b.iter().all(inner_ok) {
        return false;
    }
    if !allow_sub_domains {
        return true;
    }
    let punct = |c: &u8| *c == b'.' || *c == b'-';
    let doubled = b.windows(2).any(|w| w.iter().all(punct));
    let ip_like =
        s.split('.').count() == 4 && s.split('.').all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    !doubled && !ip_like
}

/// `aws.parseArn`: `arn:partition:service:region:account:resource`.
pub(crate) fn parse_arn(s: &str) -> Value {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, service, region, account, resource]
            if !partition.is_empty() && !service.is_empty() && !resource.is_empty() =>
        {
            let ids = resource.split([':', '/']).map(|p| Value::String(p.to_string())).collect();
            obj(vec![
                ("partition", Value::String(partition.to_string())),
                ("service", Value::String(service.to_string())),
                ("region", Value::String(region.to_string())),
                ("accountId", Value::String(account.to_string())),
                ("resourceId", Value::Array(ids)),
            ])
        }
        _ => Value::None,
    }
}
