//! Credentials: `aws-credential-types` so any provider of the ecosystem (`aws-config`'s
//! included) plugs in, and a built-in chain in `aws-config`'s order: environment, the shared
//! profile files (static keys, `credential_process`, web identity, assumed roles, SSO), web
//! identity from the environment, the ECS container endpoint, EC2 IMDSv2
//! ([`DefaultCredentialsChain`]), with [`CachedCredentials`] to avoid fetching on every request.
//!
//! Every provider reads settings through an [`Env`], so tests never touch the process
//! environment.

mod aws;
mod cache;
mod chain;
mod ecs;
mod http;
mod imds;
mod process;
mod profile;
mod sso;
mod sts;
pub(crate) mod web_identity;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;

/// `ProvideCredentials` for a provider with an `async fn load(&self) -> provider::Result`.
macro_rules! provide_with_load {
    ($provider:ty) => {
        impl aws_credential_types::provider::ProvideCredentials for $provider {
            fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
            where
                Self: 'a,
            {
                aws_credential_types::provider::future::ProvideCredentials::new(self.load())
            }
        }
    };
}
use provide_with_load;

pub use self::aws::ServiceError;
pub use self::cache::CachedCredentials;
pub use self::chain::DefaultCredentialsChain;
pub use self::ecs::EcsProvider;
pub use self::imds::ImdsProvider;
pub use self::process::CredentialProcessProvider;
pub use self::profile::ProfileProvider;
pub use self::web_identity::WebIdentityProvider;
use super::env::Env;

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` of the
/// process environment. See [`EnvironmentProvider`] for any other [`Env`].
#[derive(Debug, Default, Clone)]
pub struct EnvironmentCredentials;

impl ProvideCredentials for EnvironmentCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::ready(EnvironmentProvider::new(Env::real()).load())
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` of an [`Env`].
#[derive(Debug, Default, Clone)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// A provider reading the variables of `env` at each load.
    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }

    fn load(&self) -> provider::Result {
        let var = |k: &str| self.env.get(k);
        match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Ok(credentials(
                Keys { id, secret, token: var("AWS_SESSION_TOKEN"), expiry: None },
                var("AWS_ACCOUNT_ID").filter(|a| !a.is_empty()),
                "environment",
            )),
            (Some(_), None) => Err(CredentialsError::invalid_configuration(
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
            )),
            _ => Err(CredentialsError::not_loaded("AWS_ACCESS_KEY_ID not set")),
        }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::ready(self.load())
    }
}

/// What went wrong, in words: a `CredentialsError` displays only its kind ("the credential
/// provider was not enabled"); the detail is its source.
pub fn error_detail(e: &CredentialsError) -> String {
    match std::error::Error::source(e) {
        Some(source) => source.to_string(),
        None => e.to_string(),
    }
}

/// Credentials from the JSON of a metadata endpoint or `credential_process`. `token_field` is
/// `Token` (ECS, IMDS) or `SessionToken` (`credential_process`). Errors are messages for the caller
/// to prefix with where the JSON came from.
fn credentials_from_json(
    value: &serde_json::Value,
    token_field: &str,
    provider_name: &'static str,
) -> Result<Credentials, String> {
    let field = |name: &str| -> Result<Option<&str>, String> {
        match value.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(format!("`{name}` is not a string")),
        }
    };
    let required = |name: &str| field(name)?.filter(|s| !s.is_empty()).ok_or_else(|| format!("`{name}` is missing"));
    let access_key_id = required("AccessKeyId")?;
    let secret_access_key = required("SecretAccessKey")?;
    let token = field(token_field)?.filter(|s| !s.is_empty());
    let expiry = match field("Expiration")? {
        Some(text) => {
            Some(parse_rfc3339(text).ok_or_else(|| format!("`Expiration` `{text}` is not an RFC 3339 date-time"))?)
        }
        None => None,
    };
    let keys =
        Keys { id: access_key_id.into(), secret: secret_access_key.into(), token: token.map(Into::into), expiry };
    Ok(credentials(keys, field("AccountId")?.filter(|s| !s.is_empty()).map(Into::into), provider_name))
}

/// The parts of a set of credentials every source has.
pub(crate) struct Keys {
    pub(crate) id: String,
    pub(crate) secret: String,
    pub(crate) token: Option<String>,
    pub(crate) expiry: Option<SystemTime>,
}

/// Credentials, with the account they belong to where the source says: services with
/// account-based endpoints (`AWS::Auth::AccountId`) route on it.
pub(crate) fn credentials(keys: Keys, account_id: Option<String>, provider_name: &'static str) -> Credentials {
    let mut builder =
        Credentials::builder().access_key_id(keys.id).secret_access_key(keys.secret).provider_name(provider_name);
    builder.set_session_token(keys.token);
    builder.set_expiry(keys.expiry);
    builder.set_account_id(account_id.map(Into::into));
    builder.build()
}

/// The account of an ARN (`arn:aws:sts::123456789012:assumed-role/...`), when it has one.
pub(crate) fn arn_account(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_owned())
}

/// `2024-05-01T12:30:00Z`, with optional fractional seconds and a `Z` or `±hh:mm` offset.
fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let b = text.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits.iter().all(u8::is_ascii_digit).then(|| digits.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return None;
        }
        nanos *= 10u32.pow(9 - digits.min(9) as u32);
    }
    let offset_secs = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let hours = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let minutes = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                offset
            } else {
                -offset
            }
        }
        _ => return None,
    };
    let secs =
        super::types::days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    let secs = u64::try_from(secs).ok()?;
    Some(UNIX_EPOCH + Duration::new(secs, nanos))
}

#[cfg(test)]
pub(crate) mod test_server;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn environment_provider() {
        let env = Env::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_SESSION_TOKEN", "TOK"),
        ]);
        let creds = EnvironmentProvider::new(env).provide_credentials().await.unwrap();
        assert_eq!(
            (creds.access_key_id(), creds.secret_access_key(), creds.session_token()),
            ("AKID", "SECRET", Some("TOK"))
        );
        assert_eq!(creds.account_id(), None);
        let with_account = Env::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_ACCOUNT_ID", "111122223333"),
        ]);
        let creds = EnvironmentProvider::new(with_account).provide_credentials().await.unwrap();
        assert_eq!(creds.account_id().map(|a| a.as_str()), Some("111122223333"));

        let err = EnvironmentProvider::new(Env::default()).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)));
        assert_eq!(error_detail(&err), "AWS_ACCESS_KEY_ID not set");

        let half = Env::from_vars([("AWS_ACCESS_KEY_ID", "AKID")]);
        let err = EnvironmentProvider::new(half).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
    }

    #[test]
    fn rfc3339() {
        let at = |s| parse_rfc3339(s).map(|t| t.duration_since(UNIX_EPOCH).unwrap());
        assert_eq!(at("1970-01-01T00:00:00Z"), Some(Duration::ZERO));
        assert_eq!(at("2024-02-29T12:34:56Z"), Some(Duration::from_secs(1_709_210_096)));
        assert_eq!(at("2024-02-29T12:34:56.25Z"), Some(Duration::new(1_709_210_096, 250_000_000)));
        assert_eq!(at("2024-02-29T14:34:56+02:00"), Some(Duration::from_secs(1_709_210_096)));
        assert_eq!(at("2024-02-29T10:04:56-02:30"), Some(Duration::from_secs(1_709_210_096)));
        for bad in [
            "",
            "2024-02-29",
            "2024-02-29T12:34:56",
            "2024-13-01T00:00:00Z",
            "2024-02-29T12:34:56.Z",
            "x024-02-29T12:34:56Z",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn accounts_of_arns() {
        assert_eq!(arn_account("arn:aws:sts::111122223333:assumed-role/R/s").as_deref(), Some("111122223333"));
        assert_eq!(arn_account("arn:aws-cn:iam::222233334444:role/R").as_deref(), Some("222233334444"));
        for no_account in
            ["", "arn:aws:s3:::bucket", "arn:aws:sts::12345:assumed-role/R/s", "arn:aws:sts::12345678901x:x"]
        {
            assert_eq!(arn_account(no_account), None, "{no_account}");
        }
    }

    #[test]
    fn json_fields() {
        let ok = serde_json::json!({"AccessKeyId": "A", "SecretAccessKey": "S", "Token": "T", "Expiration": "2030-01-01T00:00:00Z"});
        let creds = credentials_from_json(&ok, "Token", "test").unwrap();
        assert_eq!(creds.session_token(), Some("T"));
        assert!(creds.expiry().is_some());
        assert_eq!(creds.account_id(), None);
        let with_account = serde_json::json!({"AccessKeyId": "A", "SecretAccessKey": "S", "AccountId": "111122223333"});
        let creds = credentials_from_json(&with_account, "Token", "test").unwrap();
        assert_eq!(creds.account_id().map(|a| a.as_str()), Some("111122223333"));
        let missing = serde_json::json!({"AccessKeyId": "A"});
        assert_eq!(credentials_from_json(&missing, "Token", "test").unwrap_err(), "`SecretAccessKey` is missing");
        let bad_date = serde_json::json!({"AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "soon"});
        assert!(credentials_from_json(&bad_date, "Token", "test").unwrap_err().contains("soon"));
    }
}
