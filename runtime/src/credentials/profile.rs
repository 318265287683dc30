//! Credentials from the selected profile of the shared config files, as the AWS CLI and SDKs
//! read them:
//! - static keys (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`);
//! - `credential_process`;
//! - `web_identity_token_file` with `role_arn`;
//! - `role_arn` with `source_profile` (chains of any length; a loop is an error that names it) or
//!   with `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`), with
//!   `role_session_name`, `external_id` and `duration_seconds`;
//! - IAM Identity Center: `sso_session` (with an `[sso-session]` section) or the legacy
//!   `sso_start_url`/`sso_region`, with `sso_account_id` and `sso_role_name`.
//!
//! `mfa_serial` is refused with a clear error: it needs a code typed in at a prompt.

use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;

use super::aws::Apis;
use super::sso::SsoProfile;
use super::sts::{self, Role};
use super::web_identity::ProfileWebIdentity;
use super::{CredentialProcessProvider, EcsProvider, EnvironmentProvider, ImdsProvider};
use crate::env::Env;
use crate::profile::{Profile, ProfileFiles};

/// The profile named explicitly, else by `AWS_PROFILE`, else `default`. Files are read on each
/// call; wrap in [`CachedCredentials`](super::CachedCredentials) to avoid that.
///
/// Only a profile asked for by name (`with_profile`, `AWS_PROFILE`) must exist: when the implicit
/// `default` is missing, or has no credentials, the provider has nothing to offer and a chain
/// goes on to its next source.
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    apis: Apis,
}

impl Default for ProfileProvider {
    fn default() -> Self {
        ProfileProvider::new(Env::default())
    }
}

impl ProfileProvider {
    /// A provider for the profile `AWS_PROFILE` of `env` names (else `default`), with the
    /// shared files `env` points to.
    pub fn new(env: Env) -> Self {
        ProfileProvider { apis: Apis::new(env) }
    }

    pub(crate) fn from_apis(apis: Apis) -> Self {
        ProfileProvider { apis }
    }

    /// Use this profile rather than `AWS_PROFILE` or `default`.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.apis.profile = Some(name.into());
        self
    }

    /// The profile this provider reads.
    pub fn profile_name(&self) -> String {
        self.apis.profile_name()
    }

    async fn load(&self) -> provider::Result {
        self.load_described().await.map(|(creds, _)| creds)
    }

    /// The credentials, and which of the profile's ways gave them (for the chain's log line).
    pub(crate) async fn load_described(&self) -> Result<(Credentials, String), CredentialsError> {
        let name = self.profile_name();
        let files = ProfileFiles::load(&self.apis.env).await.map_err(CredentialsError::invalid_configuration)?;
        let explicit = self.apis.profile.is_some() || self.apis.env.get("AWS_PROFILE").is_some();
        let plan = plan(&self.apis.env, &files, &name, explicit)?;
        let description = plan.describe(&name);
        let creds = self.run(plan, &files, &name).await?;
        Ok((creds, description))
    }

    async fn run(&self, plan: Plan, files: &ProfileFiles, selected: &str) -> provider::Result {
        let apis = &self.apis;
        // Every STS call of the chain goes to the selected profile's region and STS endpoint.
        let endpoint = || sts::Endpoint::resolve(apis, files, selected);
        let mut creds = match plan.base {
            Base::Static { creds, .. } => creds,
            Base::Process { command, .. } => CredentialProcessProvider::new(command).provide_credentials().await?,
            Base::WebIdentity { identity, .. } => identity.load(apis, &endpoint()?).await?,
            Base::Sso(sso) => sso.load(apis, files).await?,
            Base::Source { profile, source } => {
                let env = apis.env.clone();
                let result = match source {
                    CredentialSource::Environment => EnvironmentProvider::new(env).provide_credentials().await,
                    CredentialSource::Ec2InstanceMetadata => ImdsProvider::new(env).provide_credentials().await,
                    CredentialSource::EcsContainer => EcsProvider::new(env).provide_credentials().await,
                };
                // Asked for by name: having nothing is an error here, not a reason to move on.
                result.map_err(|e| match e {
                    CredentialsError::CredentialsNotLoaded(_) => CredentialsError::invalid_configuration(format!(
                        "profile `{profile}` has credential_source = {}, which found no credentials: {}",
                        source.name(),
                        super::error_detail(&e)
                    )),
                    other => other,
                })?
            }
        };
        if !plan.roles.is_empty() {
            let endpoint = endpoint()?;
            for role in &plan.roles {
                creds = sts::assume_role(apis, &endpoint, role, &creds, "assume_role").await?;
            }
        }
        Ok(creds)
    }
}

super::provide_with_load!(ProfileProvider);

/// Where the first credentials of a profile chain come from.
#[derive(Debug)]
enum Base {
    Static { profile: String, creds: Credentials },
    Process { profile: String, command: String },
    WebIdentity { profile: String, identity: ProfileWebIdentity },
    Sso(SsoProfile),
    Source { profile: String, source: CredentialSource },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CredentialSource {
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

impl CredentialSource {
    fn name(self) -> &'static str {
        match self {
            CredentialSource::Environment => "Environment",
            CredentialSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            CredentialSource::EcsContainer => "EcsContainer",
        }
    }
}

/// The base credentials and the roles assumed with them, in order.
#[derive(Debug)]
struct Plan {
    base: Base,
    roles: Vec<Role>,
}

impl Plan {
    /// `profile `dev`: static keys of profile `base`, then role `arn:...``: never a secret.
    fn describe(&self, selected: &str) -> String {
        let mut text = format!("profile `{selected}`: ");
        text.push_str(&match &self.base {
            Base::Static { profile, .. } => format!("static keys of profile `{profile}`"),
            Base::Process { profile, .. } => format!("credential_process of profile `{profile}`"),
            Base::WebIdentity { profile, identity } => format!(
                "web identity token file `{}` of profile `{profile}` for role `{}`",
                identity.token_file.display(),
                identity.role.arn
            ),
            Base::Sso(sso) => match &sso.session {
                Some(s) => format!(
                    "SSO session `{s}` of profile `{}` (account {}, role {})",
                    sso.profile, sso.account_id, sso.role_name
                ),
                None => {
                    format!(
                        "legacy SSO of profile `{}` (account {}, role {})",
                        sso.profile, sso.account_id, sso.role_name
                    )
                }
            },
            Base::Source { profile, source } => format!("credential_source {} of profile `{profile}`", source.name()),
        });
        for role in &self.roles {
            text.push_str(&format!(", then role `{}`", role.arn));
        }
        text
    }
}

fn invalid(message: String) -> CredentialsError {
    CredentialsError::invalid_configuration(message)
}

/// Follows `source_profile` from `selected` to the base credentials.
fn plan(env: &Env, files: &ProfileFiles, selected: &str, explicit: bool) -> Result<Plan, CredentialsError> {
    let mut visited: Vec<String> = Vec::new();
    let mut roles = Vec::new();
    let mut name = selected.to_owned();
    let base = loop {
        let Some(profile) = files.profile(&name) else {
            return Err(match visited.last() {
                None if explicit => invalid(format!("profile `{name}` not found in the shared config files")),
                None => CredentialsError::not_loaded("no such profile"),
                Some(from) => invalid(format!(
                    "profile `{from}` has source_profile = {name}, but profile `{name}` is not in the shared config files"
                )),
            });
        };
        if visited.contains(&name) {
            visited.push(name);
            let path: Vec<String> = visited.iter().map(|n| format!("`{n}`")).collect();
            return Err(invalid(format!("source_profile loop: {}", path.join(" -> "))));
        }
        visited.push(name.clone());
        let is_source = visited.len() > 1;
        // A source profile's static keys end the chain, even when it has a role_arn itself (as
        // the AWS CLI and SDKs do).
        if is_source {
            if let Some(creds) = static_keys(&name, profile)? {
                break Base::Static { profile: name, creds };
            }
        }
        let Some(role_arn) = profile.get("role_arn").filter(|v| !v.is_empty()) else {
            match terminal(files, &name, profile)? {
                Some(base) => break base,
                None if !is_source => return Err(CredentialsError::not_loaded("no credentials in it")),
                None => {
                    return Err(invalid(format!(
                        "profile `{}` has source_profile = {name}, but profile `{name}` has no credentials",
                        visited[visited.len() - 2]
                    )))
                }
            }
        };
        if profile.get("mfa_serial").is_some() {
            return Err(invalid(format!(
                "profile `{name}` sets mfa_serial: assuming a role with an MFA code is not supported (it needs a \
                 code typed at a prompt); use credential_process, or aws-config's provider through \
                 `credentials_provider`"
            )));
        }
        let role = role_settings(&name, profile, role_arn)?;
        if let Some(file) = profile.get("web_identity_token_file").filter(|v| !v.is_empty()) {
            let token_file = crate::profile::expand_home(env, file);
            break Base::WebIdentity { profile: name.clone(), identity: ProfileWebIdentity { token_file, role } };
        }
        let source_profile = profile.get("source_profile").filter(|v| !v.is_empty());
        let credential_source = profile.get("credential_source").filter(|v| !v.is_empty());
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => {
                return Err(invalid(format!(
                    "profile `{name}` sets both source_profile and credential_source; a role needs exactly one"
                )))
            }
            (None, None) => {
                return Err(invalid(format!(
                    "profile `{name}` has role_arn but neither source_profile nor credential_source (nor \
                     web_identity_token_file) to assume it with"
                )))
            }
            (Some(source), None) => {
                roles.push(role);
                if source == name {
                    // A profile that is its own source: its static keys assume its role.
                    let creds = static_keys(&name, profile)?.ok_or_else(|| {
                        invalid(format!("profile `{name}` is its own source_profile but has no static keys"))
                    })?;
                    break Base::Static { profile: name, creds };
                }
                name = source.to_owned();
            }
            (None, Some(source)) => {
                let source = match source {
                    s if s.eq_ignore_ascii_case("Environment") => CredentialSource::Environment,
                    s if s.eq_ignore_ascii_case("Ec2InstanceMetadata") => CredentialSource::Ec2InstanceMetadata,
                    s if s.eq_ignore_ascii_case("EcsContainer") => CredentialSource::EcsContainer,
                    other => {
                        return Err(invalid(format!(
                            "profile `{name}` has credential_source = {other}; it must be Environment, \
                             Ec2InstanceMetadata or EcsContainer"
                        )))
                    }
                };
                roles.push(role);
                break Base::Source { profile: name, source };
            }
        }
    };
    roles.reverse();
    Ok(Plan { base, roles })
}

/// The credentials of a profile without `role_arn`: SSO, static keys or `credential_process`.
fn terminal(files: &ProfileFiles, name: &str, profile: &Profile) -> Result<Option<Base>, CredentialsError> {
    if profile.get("web_identity_token_file").is_some() {
        return Err(invalid(format!("profile `{name}` has web_identity_token_file but no role_arn to assume with it")));
    }
    if let Some(sso) = sso_settings(files, name, profile)? {
        return Ok(Some(Base::Sso(sso)));
    }
    if let Some(creds) = static_keys(name, profile)? {
        return Ok(Some(Base::Static { profile: name.to_owned(), creds }));
    }
    if let Some(command) = profile.get("credential_process").filter(|c| !c.is_empty()) {
        return Ok(Some(Base::Process { profile: name.to_owned(), command: command.to_owned() }));
    }
    Ok(None)
}

fn sso_settings(files: &ProfileFiles, name: &str, profile: &Profile) -> Result<Option<SsoProfile>, CredentialsError> {
    let own = |k: &str| profile.get(k).filter(|v| !v.is_empty()).map(str::to_owned);
    let (session, start_url, region) = if let Some(session_name) = own("sso_session") {
        let Some(section) = files.sso_session(&session_name) else {
            return Err(invalid(format!(
                "profile `{name}` has sso_session = {session_name}, but there is no [sso-session {session_name}] \
                 section in the config file"
            )));
        };
        let get = |k: &str| {
            section.get(k).filter(|v| !v.is_empty()).map(str::to_owned).ok_or_else(|| {
                invalid(format!("the [sso-session {session_name}] section (of profile `{name}`) has no {k}"))
            })
        };
        let (start_url, region) = (get("sso_start_url")?, get("sso_region")?);
        // The profile may repeat them, but not contradict them.
        for (key, value) in [("sso_start_url", &start_url), ("sso_region", &region)] {
            if let Some(mine) = own(key).filter(|v| v != value) {
                return Err(invalid(format!(
                    "profile `{name}` has {key} = {mine}, but its sso_session `{session_name}` has {key} = {value}"
                )));
            }
        }
        (Some(session_name), start_url, region)
    } else if let Some(start_url) = own("sso_start_url") {
        let region = own("sso_region")
            .ok_or_else(|| invalid(format!("profile `{name}` has sso_start_url but no sso_region")))?;
        (None, start_url, region)
    } else {
        return Ok(None);
    };
    let need = |k: &str| own(k).ok_or_else(|| invalid(format!("profile `{name}` uses SSO but has no {k}")));
    Ok(Some(SsoProfile {
        profile: name.to_owned(),
        session,
        start_url,
        region,
        account_id: need("sso_account_id")?,
        role_name: need("sso_role_name")?,
    }))
}

fn role_settings(name: &str, profile: &Profile, arn: &str) -> Result<Role, CredentialsError> {
    let duration_seconds = match profile.get("duration_seconds").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(v.parse::<u32>().ok().filter(|d| (900..=43_200).contains(d)).ok_or_else(|| {
            invalid(format!(
                "profile `{name}` has duration_seconds = {v}; it must be a number of seconds from 900 to 43200"
            ))
        })?),
    };
    Ok(Role {
        arn: arn.to_owned(),
        session_name: profile.get("role_session_name").filter(|v| !v.is_empty()).map(str::to_owned),
        external_id: profile.get("external_id").filter(|v| !v.is_empty()).map(str::to_owned),
        duration_seconds,
        profile: Some(name.to_owned()),
    })
}

fn static_keys(name: &str, profile: &Profile) -> Result<Option<Credentials>, CredentialsError> {
    match (profile.get("aws_access_key_id"), profile.get("aws_secret_access_key")) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            let token = profile.get("aws_session_token").filter(|t| !t.is_empty()).map(str::to_owned);
            let keys = super::Keys { id: id.to_owned(), secret: secret.to_owned(), token, expiry: None };
            let account = profile.get("aws_account_id").filter(|a| !a.is_empty()).map(str::to_owned);
            Ok(Some(super::credentials(keys, account, "profile")))
        }
        (Some(id), _) if !id.is_empty() => Err(CredentialsError::invalid_configuration(format!(
            "profile `{name}` has aws_access_key_id but no aws_secret_access_key"
        ))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::super::error_detail;
    use super::*;
    use crate::profile::TempDir;

    fn env_with_files(dir: &TempDir, config: &str, credentials: &str, extra: &[(&str, &str)]) -> Env {
        let config = dir.write("config", config);
        let creds = dir.write("credentials", credentials);
        let mut vars = vec![
            ("AWS_CONFIG_FILE".to_owned(), config.to_string_lossy().into_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE".to_owned(), creds.to_string_lossy().into_owned()),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_vars(vars)
    }

    async fn files(dir: &TempDir, config: &str) -> ProfileFiles {
        let env = env_with_files(dir, config, "", &[]);
        ProfileFiles::load(&env).await.unwrap()
    }

    #[tokio::test]
    async fn static_keys_from_selected_profile() {
        let dir = TempDir::new("profile-static");
        let creds = "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\
                     [work]\naws_access_key_id = W\naws_secret_access_key = WS\naws_session_token = WT\n\
                     aws_account_id = 111122223333\n";
        let env = env_with_files(&dir, "", creds, &[]);
        let got = ProfileProvider::new(env.clone()).provide_credentials().await.unwrap();
        assert_eq!((got.access_key_id(), got.session_token(), got.account_id()), ("D", None, None));

        let got = ProfileProvider::new(env).with_profile("work").provide_credentials().await.unwrap();
        assert_eq!((got.access_key_id(), got.secret_access_key(), got.session_token()), ("W", "WS", Some("WT")));
        assert_eq!(got.account_id().map(|a| a.as_str()), Some("111122223333"));

        let env = env_with_files(&dir, "", creds, &[("AWS_PROFILE", "work")]);
        assert_eq!(ProfileProvider::new(env).provide_credentials().await.unwrap().access_key_id(), "W");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn credential_process_from_config() {
        let dir = TempDir::new("profile-process");
        let script =
            dir.write("creds.sh", r#"printf '{"Version": 1, "AccessKeyId": "PROC", "SecretAccessKey": "PS"}'"#);
        let config = format!("[profile p]\ncredential_process = sh '{}'\n", script.display());
        let env = env_with_files(&dir, &config, "", &[("AWS_PROFILE", "p")]);
        let got = ProfileProvider::new(env).provide_credentials().await.unwrap();
        assert_eq!(got.access_key_id(), "PROC");
    }

    #[tokio::test]
    async fn missing_and_empty_profiles() {
        let dir = TempDir::new("profile-missing-creds");
        let env = env_with_files(&dir, "[default]\nregion = us-east-1\n", "", &[]);
        let err = ProfileProvider::new(env.clone()).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)));
        assert_eq!(error_detail(&err), "no credentials in it");

        let err = ProfileProvider::new(Env::default()).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::CredentialsNotLoaded(_)));
        assert_eq!(error_detail(&err), "no such profile");

        // Asked for by name: a missing profile is a configuration error, not a fall-through.
        let err = ProfileProvider::new(env).with_profile("nope").provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
        assert!(error_detail(&err).contains("`nope` not found"));
        let env = env_with_files(&dir, "[default]\nregion = us-east-1\n", "", &[("AWS_PROFILE", "nope")]);
        let err = ProfileProvider::new(env).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
    }

    #[tokio::test]
    async fn half_static_keys_and_bad_files_are_errors() {
        let dir = TempDir::new("profile-half");
        let env = env_with_files(&dir, "", "[default]\naws_access_key_id = ONLY\n", &[]);
        let err = ProfileProvider::new(env).provide_credentials().await.unwrap_err();
        assert!(error_detail(&err).contains("no aws_secret_access_key"), "{err:?}");

        let env = env_with_files(&dir, "[default]\ngarbage\n", "", &[]);
        let err = ProfileProvider::new(env).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{err:?}");
        assert!(error_detail(&err).contains("config:2:"), "{}", error_detail(&err));
    }

    #[tokio::test]
    async fn role_chains_are_planned_from_the_base_outwards() {
        let dir = TempDir::new("profile-plan");
        let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\nrole_session_name = sess\n\
                      external_id = ext\nduration_seconds = 1800\n\
                      [profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n\
                      [profile c]\naws_access_key_id = C\naws_secret_access_key = CS\nrole_arn = arn:aws:iam::1:role/ignored\n";
        let files = files(&dir, config).await;
        let plan = plan(&Env::default(), &files, "a", true).unwrap();
        assert!(
            matches!(&plan.base, Base::Static { profile, creds } if profile == "c" && creds.access_key_id() == "C")
        );
        let arns: Vec<&str> = plan.roles.iter().map(|r| r.arn.as_str()).collect();
        assert_eq!(arns, ["arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"]);
        let a = &plan.roles[1];
        assert_eq!(
            (a.session_name.as_deref(), a.external_id.as_deref(), a.duration_seconds, a.profile.as_deref()),
            (Some("sess"), Some("ext"), Some(1800), Some("a"))
        );
        assert_eq!(
            plan.describe("a"),
            "profile `a`: static keys of profile `c`, then role `arn:aws:iam::1:role/b`, then role `arn:aws:iam::1:role/a`"
        );

        // Its own source: its own keys.
        let files2 = self::files(
            &dir,
            "[profile s]\nrole_arn = arn:r\nsource_profile = s\naws_access_key_id = K\naws_secret_access_key = S\n",
        )
        .await;
        let own = super::plan(&Env::default(), &files2, "s", true).unwrap();
        assert!(matches!(&own.base, Base::Static { profile, .. } if profile == "s"));
        assert_eq!(own.roles.len(), 1);
    }

    #[tokio::test]
    async fn bad_role_profiles_are_named_errors() {
        let dir = TempDir::new("profile-bad-roles");
        let cases = [
            ("[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n", "source_profile loop: `a` -> `b` -> `a`"),
            ("[profile a]\nrole_arn = r\nsource_profile = gone\n", "profile `gone` is not in the shared config files"),
            ("[profile a]\nrole_arn = r\n", "neither source_profile nor credential_source"),
            ("[profile a]\nrole_arn = r\nsource_profile = b\ncredential_source = Environment\n[profile b]\n", "both source_profile and credential_source"),
            ("[profile a]\nrole_arn = r\ncredential_source = Laptop\n", "credential_source = Laptop"),
            ("[profile a]\nrole_arn = r\nsource_profile = b\nmfa_serial = arn:mfa\n[profile b]\n", "mfa_serial"),
            ("[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nregion = x\n", "profile `b` has no credentials"),
            ("[profile a]\nrole_arn = r\nsource_profile = b\nduration_seconds = 60\n[profile b]\n", "duration_seconds = 60"),
            ("[profile a]\nweb_identity_token_file = /t\n", "no role_arn"),
            ("[profile a]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n", "no [sso-session corp] section"),
            ("[profile a]\nsso_session = corp\nsso_account_id = 1\n[sso-session corp]\nsso_start_url = u\nsso_region = us-east-1\n", "has no sso_role_name"),
            ("[profile a]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_start_url = u\nsso_region = us-east-1\n", "sso_region = eu-west-1"),
            ("[profile a]\nsso_start_url = u\nsso_account_id = 1\nsso_role_name = r\n", "no sso_region"),
        ];
        for (config, expected) in cases {
            let files = files(&dir, config).await;
            let err = plan(&Env::default(), &files, "a", true).unwrap_err();
            assert!(matches!(err, CredentialsError::InvalidConfiguration(_)), "{config}: {err:?}");
            let detail = error_detail(&err);
            assert!(detail.contains(expected), "{config}: `{expected}` in {detail}");
        }
    }

    #[tokio::test]
    async fn sso_profiles_both_forms() {
        let dir = TempDir::new("profile-sso");
        let config = "[profile new]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Dev\n\
                      [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
                      [profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\n\
                      sso_account_id = 222\nsso_role_name = Ops\n";
        let files = files(&dir, config).await;
        let Base::Sso(sso) = plan(&Env::default(), &files, "new", true).unwrap().base else { panic!() };
        assert_eq!(
            (sso.session.as_deref(), sso.start_url.as_str(), sso.region.as_str(), sso.account_id.as_str()),
            (Some("corp"), "https://corp.awsapps.com/start", "eu-west-1", "111")
        );
        let Base::Sso(sso) = plan(&Env::default(), &files, "old", true).unwrap().base else { panic!() };
        assert_eq!((sso.session, sso.region.as_str(), sso.role_name.as_str()), (None, "us-east-2", "Ops"));
    }
}
