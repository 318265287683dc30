//! STS, the two operations credentials need: `AssumeRole` (signed with the source credentials,
//! service `sts`) and `AssumeRoleWithWebIdentity` (unsigned: the token is the proof). STS speaks
//! awsQuery: a form-encoded POST, and XML back, read with `quick-xml`.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_credential_types::provider::{self, error::CredentialsError};
use aws_credential_types::Credentials;
use bytes::Bytes;
use quick_xml::events::Event;

use super::aws::{form, Apis, ServiceError};
use super::http::body_excerpt;
use crate::profile::ProfileFiles;

const VERSION: &str = "2011-06-15";

/// Where STS calls go and what they are signed for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) url: String,
    pub(crate) region: String,
}

impl Endpoint {
    /// The regional endpoint of the region `profile` resolves to (us-east-1 without one), unless
    /// `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` or the profile's `services`/`endpoint_url`
    /// say otherwise.
    pub(crate) fn resolve(apis: &Apis, files: &ProfileFiles, profile: &str) -> Result<Endpoint, CredentialsError> {
        let region = apis.region(files, profile).unwrap_or_else(|| "us-east-1".to_owned());
        let url = apis.endpoint(files, profile, "STS", &region, |r| format!("https://sts.{r}.amazonaws.com"))?;
        Ok(Endpoint { url, region })
    }
}

/// One role to assume, with the settings a profile (or the environment) gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Role {
    pub(crate) arn: String,
    pub(crate) session_name: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) duration_seconds: Option<u32>,
    /// The profile it comes from, for error messages; none for the environment.
    pub(crate) profile: Option<String>,
}

impl Role {
    fn session_name(&self) -> String {
        // As the SDKs do: unique enough to tell sessions apart in CloudTrail.
        self.session_name.clone().unwrap_or_else(|| {
            let millis = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
            format!("awsjson-runtime-{millis}")
        })
    }

    fn error(&self, operation: &'static str, status: u16) -> ServiceError {
        ServiceError {
            service: "STS",
            operation,
            profile: self.profile.clone(),
            subject: format!("role `{}`", self.arn),
            status,
            code: None,
            message: None,
            request_id: None,
        }
    }
}

/// `AssumeRole` of `role`, signed with `source`.
pub(crate) async fn assume_role(
    apis: &Apis,
    endpoint: &Endpoint,
    role: &Role,
    source: &Credentials,
    provider_name: &'static str,
) -> provider::Result {
    let session_name = role.session_name();
    let duration = role.duration_seconds.map(|d| d.to_string());
    let mut pairs = vec![
        ("Action", "AssumeRole"),
        ("Version", VERSION),
        ("RoleArn", role.arn.as_str()),
        ("RoleSessionName", session_name.as_str()),
    ];
    if let Some(id) = &role.external_id {
        pairs.push(("ExternalId", id));
    }
    if let Some(d) = &duration {
        pairs.push(("DurationSeconds", d));
    }
    let mut request = request(endpoint, form(&pairs))?;
    let sha256 = crate::digest::sha256_hex(request.body());
    crate::client::sign(&mut request, &sha256, source, &endpoint.region, "sts", SystemTime::now()).map_err(|e| {
        CredentialsError::invalid_configuration(format!("cannot sign AssumeRole of `{}`: {}", role.arn, e.message()))
    })?;
    call(apis, endpoint, request, role, "AssumeRole", provider_name).await
}

/// `AssumeRoleWithWebIdentity` of `role` with `token`; no signature.
pub(crate) async fn assume_role_with_web_identity(
    apis: &Apis,
    endpoint: &Endpoint,
    role: &Role,
    token: &str,
    provider_name: &'static str,
) -> provider::Result {
    let session_name = role.session_name();
    let duration = role.duration_seconds.map(|d| d.to_string());
    let mut pairs = vec![
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", VERSION),
        ("RoleArn", role.arn.as_str()),
        ("RoleSessionName", session_name.as_str()),
        ("WebIdentityToken", token),
    ];
    if let Some(d) = &duration {
        pairs.push(("DurationSeconds", d));
    }
    let request = request(endpoint, form(&pairs))?;
    call(apis, endpoint, request, role, "AssumeRoleWithWebIdentity", provider_name).await
}

fn request(endpoint: &Endpoint, body: String) -> Result<http::Request<Bytes>, CredentialsError> {
    let uri: http::Uri = format!("{}/", endpoint.url.trim_end_matches('/')).parse().map_err(|e| {
        CredentialsError::invalid_configuration(format!("invalid STS endpoint `{}`: {e}", endpoint.url))
    })?;
    let host = uri.authority().map(|a| a.to_string()).unwrap_or_default();
    http::Request::post(uri)
        .header(http::header::HOST, host)
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8")
        .header(http::header::CONTENT_LENGTH, body.len())
        .header(http::header::USER_AGENT, concat!("awsjson-runtime/", env!("CARGO_PKG_VERSION"), " credentials"))
        .body(Bytes::from(body))
        .map_err(|e| CredentialsError::invalid_configuration(format!("invalid STS request: {e}")))
}

async fn call(
    apis: &Apis,
    endpoint: &Endpoint,
    request: http::Request<Bytes>,
    role: &Role,
    operation: &'static str,
    provider_name: &'static str,
) -> provider::Result {
    let response = apis.send(request).await.map_err(|e| {
        CredentialsError::provider_error(format!("STS {operation} of role `{}` at {}: {e}", role.arn, endpoint.url))
    })?;
    let status = response.status().as_u16();
    let body = response.body();
    if !response.status().is_success() {
        let mut error = role.error(operation, status);
        match parse_error(body) {
            Some(parsed) => {
                error.code = parsed.code;
                error.message = parsed.message;
                error.request_id = parsed.request_id;
            }
            None => error.message = Some(format!("unreadable error response: {}", body_excerpt(body))),
        }
        return Err(CredentialsError::provider_error(error));
    }
    parse_credentials(body, provider_name).map_err(|problem| {
        let mut error = role.error(operation, status);
        error.message = Some(format!("unreadable response: {problem}"));
        CredentialsError::provider_error(error)
    })
}

/// The text of every element, by path of local names (`AssumeRoleResponse/AssumeRoleResult/...`).
fn elements(xml: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(|e| format!("invalid XML at byte {}: {e}", reader.buffer_position()))? {
            Event::Start(e) => {
                path.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                text.clear();
            }
            Event::End(_) => {
                out.push((path.join("/"), std::mem::take(&mut text)));
                path.pop();
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                out.push((format!("{}/{name}", path.join("/")), String::new()));
            }
            Event::Text(t) => text.push_str(&t.decode().map_err(|e| format!("invalid text in XML: {e}"))?),
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| format!("invalid entity in XML: {e}"))?;
                let resolved = match r.resolve_char_ref().map_err(|e| format!("invalid character reference: {e}"))? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::unescape(&format!("&{name};"))
                        .map_err(|_| format!("unknown entity `&{name};` in XML"))?
                        .into_owned(),
                };
                text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(format!("XML ends inside <{}>", path.join("/")));
    }
    Ok(out)
}

fn parse_credentials(xml: &[u8], provider_name: &'static str) -> Result<Credentials, String> {
    let elements = elements(xml)?;
    let field = |name: &str| {
        elements
            .iter()
            .find(|(path, _)| path.ends_with(&format!("Result/Credentials/{name}")))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let required = |name: &str| field(name).ok_or_else(|| format!("no `Credentials/{name}` in the response"));
    let id = required("AccessKeyId")?;
    let secret = required("SecretAccessKey")?;
    let token = required("SessionToken")?;
    let expiration = required("Expiration")?;
    let expiry = super::parse_rfc3339(expiration)
        .ok_or_else(|| format!("`Credentials/Expiration` `{expiration}` is not an ISO 8601 date-time"))?;
    let keys = super::Keys { id: id.into(), secret: secret.into(), token: Some(token.into()), expiry: Some(expiry) };
    // The role's account, from the session's ARN.
    let account = elements
        .iter()
        .find(|(path, _)| path.ends_with("Result/AssumedRoleUser/Arn"))
        .and_then(|(_, arn)| super::arn_account(arn.trim()));
    Ok(super::credentials(keys, account, provider_name))
}

pub(crate) struct ParsedError {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

/// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
fn parse_error(xml: &[u8]) -> Option<ParsedError> {
    let elements = elements(xml).ok()?;
    let get = |suffix: &str| {
        elements.iter().find(|(p, _)| p.ends_with(suffix)).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty())
    };
    let code = get("Error/Code");
    code.as_ref()?;
    Some(ParsedError { code, message: get("Error/Message"), request_id: get("RequestId") })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::111122223333:assumed-role/ci/session</Arn>
      <AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>TOKEN&amp;MORE</SessionToken>
      <SecretAccessKey>SECRET</SecretAccessKey>
      <Expiration>2100-01-01T00:00:00Z</Expiration>
      <AccessKeyId>ASIAKEY</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#;

    #[test]
    fn credentials_from_xml() {
        let creds = parse_credentials(OK.as_bytes(), "test").unwrap();
        assert_eq!(creds.access_key_id(), "ASIAKEY");
        assert_eq!(creds.secret_access_key(), "SECRET");
        assert_eq!(creds.session_token(), Some("TOKEN&MORE"));
        assert_eq!(creds.account_id().map(|a| a.as_str()), Some("111122223333"));
        assert_eq!(creds.expiry().unwrap().duration_since(UNIX_EPOCH).unwrap().as_secs(), 4_102_444_800);
    }

    #[test]
    fn malformed_responses_are_errors() {
        for (xml, expected) in [
            ("", "no `Credentials/AccessKeyId`"),
            ("not xml at all", "no `Credentials/AccessKeyId`"),
            ("<A><B></A>", "invalid XML"),
            ("<R><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>", "XML ends inside"),
            (
                "<R><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>\
                 <SessionToken>T</SessionToken><Expiration>soon</Expiration></Credentials></AssumeRoleResult></R>",
                "`soon` is not",
            ),
            ("<R>&bogus;</R>", "unknown entity"),
        ] {
            let err = parse_credentials(xml.as_bytes(), "test").unwrap_err();
            assert!(err.contains(expected), "{xml}: {err}");
        }
    }

    #[test]
    fn error_documents() {
        let xml = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized &lt;here&gt;</Message></Error>
  <RequestId>abc-123</RequestId>
</ErrorResponse>"#;
        let e = parse_error(xml.as_bytes()).unwrap();
        assert_eq!(e.code.as_deref(), Some("AccessDenied"));
        assert_eq!(e.message.as_deref(), Some("User is not authorized <here>"));
        assert_eq!(e.request_id.as_deref(), Some("abc-123"));
        assert!(parse_error(b"<html>502 Bad Gateway</html>").is_none());
        assert!(parse_error(b"").is_none());
    }
}
