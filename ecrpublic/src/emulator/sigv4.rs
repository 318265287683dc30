//! Checking AWS Signature Version 4 `Authorization` headers, written from the SigV4 spec:
//! canonical request, string to sign, and the HMAC-SHA256 signing-key chain.

use std::time::{SystemTime, UNIX_EPOCH};

use ring::hmac;

#[cfg(test)]
use super::hex;
use super::sha256_hex;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const SERVICE: &str = "ecr-public";
/// How far the request's `X-Amz-Date` may be from the emulator's clock.
const MAX_SKEW_SECS: i64 = 15 * 60;

/// Why a request is not authenticated; every one is answered with HTTP 403.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AuthFailure {
    /// No `Authorization` header, and credentials are configured.
    Missing,
    /// The header is there but not a well-formed SigV4 authorization.
    Incomplete(String),
    /// The access key id is not one of the configured ones.
    UnknownKey(String),
    /// The signature (or its scope or date) does not match.
    BadSignature(String),
}

impl AuthFailure {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            AuthFailure::Missing => "MissingAuthenticationTokenException",
            AuthFailure::Incomplete(_) => "IncompleteSignatureException",
            AuthFailure::UnknownKey(_) => "UnrecognizedClientException",
            AuthFailure::BadSignature(_) => "InvalidSignatureException",
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            AuthFailure::Missing => "Missing Authentication Token".to_owned(),
            AuthFailure::Incomplete(m) => m.clone(),
            AuthFailure::UnknownKey(k) => {
                format!("The security token included in the request is invalid: unknown access key id `{k}`.")
            }
            AuthFailure::BadSignature(m) => m.clone(),
        }
    }
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Authorization<'a> {
    pub access_key_id: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

impl Authorization<'_> {
    fn scope(&self) -> String {
        format!("{}/{}/{}/aws4_request", self.date, self.region, self.service)
    }
}

/// Parses the header; the error says what is wrong with it.
pub(crate) fn parse(header: &str) -> Result<Authorization<'_>, String> {
    let rest = header
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| format!("Authorization header requires the `{ALGORITHM}` algorithm."))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let (key, value) =
            part.split_once('=').ok_or_else(|| format!("Authorization component `{part}` has no `=`."))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(format!("Authorization header has an unknown component `{key}`.")),
        };
        if slot.replace(value).is_some() {
            return Err(format!("Authorization header has `{key}` twice."));
        }
    }
    let credential = credential.ok_or("Authorization header requires a 'Credential' parameter.")?;
    let signed = signed.ok_or("Authorization header requires a 'SignedHeaders' parameter.")?;
    let signature = signature.ok_or("Authorization header requires a 'Signature' parameter.")?;

    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminal] = scope[..] else {
        return Err(format!("Credential `{credential}` is not `AKID/yyyymmdd/region/service/aws4_request`."));
    };
    if access_key_id.is_empty() || region.is_empty() || service.is_empty() || terminal != "aws4_request" {
        return Err(format!("Credential `{credential}` is not `AKID/yyyymmdd/region/service/aws4_request`."));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("Credential date `{date}` is not yyyymmdd."));
    }
    let signed_headers: Vec<&str> = signed.split(';').collect();
    let well_formed = |h: &&str| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase());
    if !signed_headers.iter().all(well_formed) {
        return Err(format!("SignedHeaders `{signed}` is not a `;`-separated list of lower-case header names."));
    }
    if !signed_headers.contains(&"host") {
        return Err("SignedHeaders must include `host`.".to_owned());
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("Signature must be 64 hex digits.".to_owned());
    }
    Ok(Authorization { access_key_id, date, region, service, signed_headers, signature })
}

/// Checks the request's authentication. `credentials` empty: a missing header is fine and a
/// present one only needs to be well formed. Returns the Region the request was signed for.
pub(crate) fn check(
    parts: &http::request::Parts,
    body: &[u8],
    credentials: &[(String, String)],
    now: SystemTime,
) -> Result<Option<String>, AuthFailure> {
    let Some(header) = parts.headers.get(http::header::AUTHORIZATION) else {
        return if credentials.is_empty() { Ok(None) } else { Err(AuthFailure::Missing) };
    };
    let header =
        header.to_str().map_err(|_| AuthFailure::Incomplete("Authorization header is not ASCII text.".to_owned()))?;
    let auth = parse(header).map_err(AuthFailure::Incomplete)?;
    let amz_date = parts
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AuthFailure::Incomplete("Authorization requires an `X-Amz-Date` header.".to_owned()))?;
    let signed_at = parse_amz_date(amz_date)
        .ok_or_else(|| AuthFailure::Incomplete(format!("X-Amz-Date `{amz_date}` is not yyyymmddThhmmssZ.")))?;
    if auth.service != SERVICE {
        return Err(AuthFailure::BadSignature(format!(
            "Credential should be scoped to correct service: '{SERVICE}', not '{}'.",
            auth.service
        )));
    }
    if !amz_date.starts_with(auth.date) {
        return Err(AuthFailure::BadSignature(format!(
            "Credential should be scoped to a valid date: '{}' does not match X-Amz-Date '{amz_date}'.",
            auth.date
        )));
    }
    if credentials.is_empty() {
        return Ok(Some(auth.region.to_owned()));
    }
    let Some((_, secret)) = credentials.iter().find(|(id, _)| id == auth.access_key_id) else {
        return Err(AuthFailure::UnknownKey(auth.access_key_id.to_owned()));
    };
    let now_secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    if (now_secs - signed_at).abs() > MAX_SKEW_SECS {
        return Err(AuthFailure::BadSignature(format!(
            "Signature expired: {amz_date} is more than 15 minutes from the server's time."
        )));
    }
    let canonical = canonical_request(parts, body, &auth.signed_headers)?;
    let string_to_sign = format!("{ALGORITHM}\n{amz_date}\n{}\n{}", auth.scope(), sha256_hex(canonical.as_bytes()));
    let key = signing_key(secret, auth.date, auth.region, auth.service);
    let given = decode_hex(auth.signature).unwrap_or_default();
    if hmac::verify(&key, string_to_sign.as_bytes(), &given).is_err() {
        return Err(AuthFailure::BadSignature(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
             Access Key and signing method."
                .to_owned(),
        ));
    }
    Ok(Some(auth.region.to_owned()))
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub(crate) fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> hmac::Key {
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [date, region, service, "aws4_request"] {
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), part.as_bytes());
        key = tag.as_ref().to_vec();
    }
    hmac::Key::new(hmac::HMAC_SHA256, &key)
}

/// `METHOD \n canonical URI \n canonical query \n canonical headers \n signed headers \n payload hash`.
fn canonical_request(
    parts: &http::request::Parts,
    body: &[u8],
    signed_headers: &[&str],
) -> Result<String, AuthFailure> {
    let body_hash = sha256_hex(body);
    let payload_hash = match parts.headers.get("x-amz-content-sha256").and_then(|v| v.to_str().ok()) {
        // Only verified requests get here, and a verified body must be covered by the signature.
        Some("UNSIGNED-PAYLOAD") => {
            return Err(AuthFailure::BadSignature(
                "UNSIGNED-PAYLOAD is not accepted: sign the SHA-256 of the request body.".to_owned(),
            ))
        }
        Some(given) if !given.eq_ignore_ascii_case(&body_hash) => {
            return Err(AuthFailure::BadSignature(
                "The provided 'x-amz-content-sha256' header does not match what was computed.".to_owned(),
            ))
        }
        _ => body_hash,
    };
    let mut names: Vec<&str> = signed_headers.to_vec();
    names.sort_unstable();
    let mut headers = String::new();
    for name in &names {
        let values: Vec<String> = parts
            .headers
            .get_all(*name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        if values.is_empty() {
            return Err(AuthFailure::BadSignature(format!("Signed header `{name}` is not in the request.")));
        }
        headers.push_str(name);
        headers.push(':');
        headers.push_str(&values.join(","));
        headers.push('\n');
    }
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        parts.method.as_str(),
        canonical_uri(parts.uri.path()),
        canonical_query(parts.uri.query().unwrap_or("")),
        headers,
        names.join(";"),
        payload_hash
    ))
}

/// The path normalized (`.` and `..` removed) with each segment URI-encoded once more: for
/// services other than S3, the path as sent (encoded once) is encoded twice in the signature.
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment {
            "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::from("/");
    out.push_str(&segments.iter().map(|s| uri_encode(s)).collect::<Vec<_>>().join("/"));
    if path.len() > 1 && path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// Query parameters decoded, re-encoded strictly, and sorted by name then value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k)), uri_encode(&percent_decode(v)))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~` as `%XX` (upper-case hex).
fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

/// `yyyymmddThhmmssZ` as seconds since the Unix epoch.
pub(crate) fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(crate::rt::types::days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160));
        assert_eq!(parse_amz_date("20150830T123600"), None);
        assert_eq!(parse_amz_date("2015083xT123600Z"), None);
    }

    #[test]
    fn parses_header() {
        let sig = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let h = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature={sig}"
        );
        let a = parse(&h).expect("parses");
        assert_eq!(a.access_key_id, "AKIDEXAMPLE");
        assert_eq!(a.region, "us-east-1");
        assert_eq!(a.service, "iam");
        assert_eq!(a.signed_headers, ["content-type", "host", "x-amz-date"]);
        assert!(parse("AWS4-HMAC-SHA256 Credential=x").is_err());
        assert!(parse("Basic abc").is_err());
    }

    /// The `get-vanilla` example of the AWS SigV4 test suite.
    #[test]
    fn signs_the_spec_example() {
        let req = http::Request::builder()
            .method("GET")
            .uri("/")
            .header("host", "example.amazonaws.com")
            .header("x-amz-date", "20150830T123600Z")
            .body(())
            .expect("request");
        let (parts, ()) = req.into_parts();
        let canonical = canonical_request(&parts, b"", &["host", "x-amz-date"]).expect("canonical");
        assert_eq!(
            canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let sts = format!(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n{}",
            sha256_hex(canonical.as_bytes())
        );
        let key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service");
        assert_eq!(
            hex(hmac::sign(&key, sts.as_bytes()).as_ref()),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn encodes() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a/./b/../c d"), "/a/c%20d");
        assert_eq!(canonical_query("b=2&a=%20x"), "a=%20x&b=2");
        assert_eq!(decode_hex("0aff"), Some(vec![10, 255]));
        assert_eq!(decode_hex("0g"), None);
    }
}
