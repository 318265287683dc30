//! The shared `config` and `credentials` files of the AWS CLI and SDKs (INI-like).
//!
//! Sections: `[default]`, `[profile name]`, `[sso-session name]` and `[services name]` in
//! `config`, `[name]` in `credentials`. Properties are `key = value`; an indented line after a property either continues
//! its value or, when the property's own value is empty, is a `key = value` sub-property
//! (`s3 =\n  max_concurrent_requests = 10`). Lines starting with `#` or `;` are comments, and so is
//! the rest of a property line from a `#`/`;` that follows whitespace.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::env::Env;

/// One profile (or `[services]` section): its properties and sub-properties. `Debug` shows
/// every key but not the values of secret ones (a key naming a secret, token or password).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Profile {
    name: String,
    properties: HashMap<String, String>,
    sub_properties: HashMap<String, HashMap<String, String>>,
}

impl Profile {
    /// The value of `key` (keys are case-insensitive). A property with sub-properties has the
    /// raw text of its indented lines as its value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(&key.to_ascii_lowercase()).map(String::as_str)
    }

    /// The sub-property `sub_key` of `key`, as in `key =\n  sub_key = value`.
    pub fn sub_property(&self, key: &str, sub_key: &str) -> Option<&str> {
        self.sub_properties.get(&key.to_ascii_lowercase())?.get(&sub_key.to_ascii_lowercase()).map(String::as_str)
    }

    fn merge(&mut self, other: Profile) {
        self.properties.extend(other.properties);
        for (key, subs) in other.sub_properties {
            // A later definition of a property replaces it whole, sub-properties included.
            self.sub_properties.insert(key, subs);
        }
    }
}

// Hand-written: profiles hold secret keys and tokens, and configurations get logged.
impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("properties", &Redacted { properties: &self.properties, subs: Some(&self.sub_properties) })
            .field("sub_properties", &SubProperties(&self.sub_properties))
            .finish()
    }
}

/// Whether a property's value is a secret: a key naming a secret, token or password
/// (`aws_secret_access_key`, `aws_session_token`, `sso_..._token`, `db_password`).
pub(crate) fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "token", "password"].iter().any(|word| key.contains(word))
}

/// A map of properties in key order, secret values shown as `***`. A property with
/// sub-properties is shown as `...`: its value is the raw text of its sub-properties, secret
/// ones included, and they are shown (redacted) on their own.
struct Redacted<'a> {
    properties: &'a HashMap<String, String>,
    subs: Option<&'a HashMap<String, HashMap<String, String>>>,
}

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&String> = self.properties.keys().collect();
        keys.sort_unstable();
        let mut map = f.debug_map();
        for key in keys {
            let value = &self.properties[key];
            if is_secret_key(key) {
                map.entry(key, &format_args!("***"));
            } else if self.subs.is_some_and(|subs| subs.contains_key(key)) {
                map.entry(key, &format_args!("..."));
            } else {
                map.entry(key, value);
            }
        }
        map.finish()
    }
}

/// Each property's sub-properties, in key order and redacted.
struct SubProperties<'a>(&'a HashMap<String, HashMap<String, String>>);

impl fmt::Debug for SubProperties<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&String> = self.0.keys().collect();
        keys.sort_unstable();
        f.debug_map().entries(keys.into_iter().map(|k| (k, Redacted { properties: &self.0[k], subs: None }))).finish()
    }
}

/// The most a shared `config` or `credentials` file may hold: 1 MiB, hundreds of times a
/// large real one; a longer file is an error, not read into memory.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A file could not be read or has a line that is not valid in it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProfileError {
    /// The file exists but could not be read (a missing file is not an error).
    Io {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// The file is longer than [`MAX_FILE_BYTES`].
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The most it may hold, in bytes.
        limit: u64,
    },
    /// A line of the file is not valid.
    Parse {
        /// The file.
        path: PathBuf,
        /// The line's number, from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileError::Io { path, source } => write!(f, "could not read {}: {source}", path.display()),
            ProfileError::Parse { path, line, message } => write!(f, "{}:{line}: {message}", path.display()),
            ProfileError::TooLarge { path, limit } => {
                write!(f, "{} is larger than {limit} bytes, the most a shared config file may have", path.display())
            }
        }
    }
}

impl std::error::Error for ProfileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProfileError::Io { source, .. } => Some(source),
            ProfileError::Parse { .. } | ProfileError::TooLarge { .. } => None,
        }
    }
}

/// Which of the two files is being read: they name their sections differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileKind {
    Config,
    Credentials,
}

/// The profiles and `[services]` sections of both files, merged: for the same profile,
/// `credentials` values win over `config` values.
#[derive(Clone, Debug, Default)]
pub struct ProfileFiles {
    profiles: HashMap<String, Profile>,
    services: HashMap<String, Profile>,
    sso_sessions: HashMap<String, Profile>,
}

impl ProfileFiles {
    /// Reads `AWS_CONFIG_FILE` (default `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE`
    /// (default `~/.aws/credentials`). A missing file counts as empty.
    pub async fn load(env: &Env) -> Result<ProfileFiles, ProfileError> {
        let mut files = ProfileFiles::default();
        let sources = [
            (FileKind::Config, file_path(env, "AWS_CONFIG_FILE", "config")),
            (FileKind::Credentials, file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")),
        ];
        for (kind, path) in sources {
            let Some(path) = path else { continue };
            let read = match tokio::fs::File::open(&path).await {
                Ok(file) => super::bounded::read(file, MAX_FILE_BYTES).await,
                Err(e) => Err(e),
            };
            match read {
                Ok(None) => return Err(ProfileError::TooLarge { path, limit: MAX_FILE_BYTES }),
                Ok(Some(bytes)) => {
                    // Lossy: a stray non-UTF-8 byte in a comment should not make the file unusable.
                    files.parse_into(&String::from_utf8_lossy(&bytes), kind, &path)?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(ProfileError::Io { path, source }),
            }
        }
        Ok(files)
    }

    /// The explicit name, else `AWS_PROFILE`, else `default`.
    pub fn selected_name(env: &Env, explicit: Option<&str>) -> String {
        explicit
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .or_else(|| env.get("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned())
    }

    /// The profile called `name` (`[profile name]` in `config`, `[name]` in `credentials`),
    /// if either file has it.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// A per-service setting: the profile's `services = name` names a `[services name]` section,
    /// in which `service_key =` (such as `ecr_public`) has `key = value` sub-properties.
    pub fn service_setting(&self, profile: &str, service_key: &str, key: &str) -> Option<&str> {
        let section = self.profile(profile)?.get("services")?;
        self.services.get(section)?.sub_property(service_key, key)
    }

    /// The `[sso-session name]` section of `config`.
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// Parses the texts of a `config` and a `credentials` file as [`load`](Self::load) parses
    /// the files it reads; errors name them `config` and `credentials`.
    pub fn parse(config: &str, credentials: &str) -> Result<ProfileFiles, ProfileError> {
        let mut files = ProfileFiles::default();
        files.parse_into(config, FileKind::Config, Path::new("config"))?;
        files.parse_into(credentials, FileKind::Credentials, Path::new("credentials"))?;
        Ok(files)
    }

    /// A service's configured endpoint, as the AWS SDKs define it: `AWS_ENDPOINT_URL_<SERVICE>`,
    /// `AWS_ENDPOINT_URL`, the profile's `services` section (`<service> =\n  endpoint_url = ..`),
    /// then the profile's `endpoint_url`; none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
    /// or the profile's `ignore_configured_endpoint_urls` is `true`. `env_suffix` is the
    /// service's id in upper snake case (`ECR_PUBLIC`, `STS`, `SSO_OIDC`).
    pub fn configured_endpoint(&self, env: &Env, profile: &str, env_suffix: &str) -> Option<String> {
        let setting = |key: &str| self.profile(profile).and_then(|p| p.get(key));
        let ignore = env.get_bool("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            || setting("ignore_configured_endpoint_urls").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if ignore {
            return None;
        }
        let key = env_suffix.to_ascii_lowercase();
        env.get(&format!("AWS_ENDPOINT_URL_{env_suffix}"))
            .or_else(|| env.get("AWS_ENDPOINT_URL"))
            .or_else(|| self.service_setting(profile, &key, "endpoint_url").map(str::to_owned))
            .or_else(|| setting("endpoint_url").map(str::to_owned))
    }

    fn parse_into(&mut self, text: &str, kind: FileKind, path: &Path) -> Result<(), ProfileError> {
        let error = |line: usize, message: String| ProfileError::Parse { path: path.to_owned(), line, message };
        // The section being filled (None: before any section, or in one we do not use), and the
        // property that indented lines attach to.
        let mut current: Option<(SectionKind, Profile)> = None;
        let mut in_ignored_section = false;
        let mut last_key: Option<String> = None;
        let mut sections: Vec<(SectionKind, Profile)> = Vec::new();

        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            let indented = raw.starts_with([' ', '\t']);

            if trimmed.starts_with('[') && !indented {
                let header = strip_comment(trimmed, false);
                let Some(inner) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
                    return Err(error(line_no, format!("section header `{trimmed}` is missing `]`")));
                };
                let inner = inner.trim();
                if inner.is_empty() {
                    return Err(error(line_no, "empty section name `[]`".to_owned()));
                }
                sections.extend(current.take());
                last_key = None;
                match section_of(inner, kind) {
                    Some((section_kind, name)) => {
                        in_ignored_section = false;
                        current = Some((section_kind, Profile { name, ..Profile::default() }));
                    }
                    None => in_ignored_section = true,
                }
                continue;
            }

            if current.is_none() && !in_ignored_section {
                return Err(error(line_no, "a property appears before any [section]".to_string()));
            }

            if indented {
                // Continuation of the previous property, or one of its sub-properties.
                let Some(key) = last_key.as_ref() else {
                    return Err(error(line_no, "an indented line does not follow a property".to_string()));
                };
                let Some((_, profile)) = current.as_mut() else { continue };
                let value = profile.properties.entry(key.clone()).or_default();
                let is_sub_block = value.is_empty() || profile.sub_properties.contains_key(key);
                value.push('\n');
                value.push_str(trimmed);
                if is_sub_block {
                    let Some((sub_key, sub_value)) = split_property(trimmed) else {
                        return Err(error(line_no, "expected `key = value` in a sub-property".to_string()));
                    };
                    profile.sub_properties.entry(key.clone()).or_default().insert(sub_key, sub_value.to_owned());
                }
                continue;
            }

            let Some((key, value)) = split_property(strip_comment(trimmed, true)) else {
                return Err(error(
                    line_no,
                    "expected `key = value`, `[section]` or a comment (the line is not shown: it may hold a secret)"
                        .to_string(),
                ));
            };
            if let Some((_, profile)) = current.as_mut() {
                profile.sub_properties.remove(&key);
                profile.properties.insert(key.clone(), value.to_owned());
            }
            last_key = Some(key);
        }
        sections.extend(current);

        for (section_kind, section) in sections {
            let map = match section_kind {
                SectionKind::Profile => &mut self.profiles,
                SectionKind::Services => &mut self.services,
                SectionKind::SsoSession => &mut self.sso_sessions,
            };
            match map.get_mut(&section.name) {
                Some(existing) => existing.merge(section),
                None => {
                    map.insert(section.name.clone(), section);
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SectionKind {
    Profile,
    Services,
    SsoSession,
}

/// What a section header names, or None for sections we do not use (a `[name]` without the
/// `profile` prefix in `config`, which the CLI ignores too).
fn section_of(inner: &str, kind: FileKind) -> Option<(SectionKind, String)> {
    if kind == FileKind::Credentials {
        return Some((SectionKind::Profile, inner.to_owned()));
    }
    if inner == "default" {
        return Some((SectionKind::Profile, inner.to_owned()));
    }
    let (prefix, rest) = inner.split_once(char::is_whitespace)?;
    let name = rest.trim().to_owned();
    match prefix {
        "profile" => Some((SectionKind::Profile, name)),
        "services" => Some((SectionKind::Services, name)),
        "sso-session" => Some((SectionKind::SsoSession, name)),
        _ => None,
    }
}

/// `key = value` with the key lower-cased; None without `=` or with an empty key.
fn split_property(line: &str) -> Option<(String, &str)> {
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.trim()))
}

/// Cuts a trailing `#`/`;` comment. In property lines the marker must follow whitespace, so values
/// such as URLs with `#` fragments survive.
fn strip_comment(line: &str, needs_whitespace: bool) -> &str {
    let mut prev_ws = false;
    for (i, c) in line.char_indices() {
        if (c == '#' || c == ';') && (!needs_whitespace || prev_ws) {
            return line[..i].trim_end();
        }
        prev_ws = c.is_whitespace();
    }
    line
}

fn file_path(env: &Env, var: &str, default_name: &str) -> Option<PathBuf> {
    match env.get(var) {
        Some(path) => Some(expand_home(env, &path)),
        None => env.home_dir().map(|home| home.join(".aws").join(default_name)),
    }
}

/// `~/x` against the environment's home directory, as the CLI does for the `*_FILE` variables.
pub(crate) fn expand_home(env: &Env, path: &str) -> PathBuf {
    let rest = path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\"));
    match (rest, env.home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// A unique directory under the system temp dir, removed on drop. Shared with the credentials tests.
#[cfg(test)]
pub(crate) struct TempDir(pub PathBuf);

#[cfg(test)]
impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("awsjson-runtime-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }

    pub fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

#[cfg(test)]
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "\
# a comment
; another comment
[default]
region = us-west-2   # trailing comment
output=json
endpoint_url = http://example.com/#fragment
services = local

[profile dev]
region = eu-west-1
aws_access_key_id = CONFIG_KEY
s3 =
  max_concurrent_requests = 10
  addressing_style = path
description = first line
  second line

[services local]
ecr_public =
  endpoint_url = http://127.0.0.1:4566
ecr =
  endpoint_url = http://127.0.0.1:9999

[sso-session corp]
sso_region = us-east-1

[ignored-without-prefix]
region = nowhere
";

    const CREDENTIALS: &str = "\
[default]
aws_access_key_id = DEFAULT_KEY
aws_secret_access_key = DEFAULT_SECRET

[dev]
AWS_ACCESS_KEY_ID = CREDS_KEY
aws_secret_access_key = CREDS_SECRET
";

    async fn load(dir: &TempDir, config: &str, credentials: &str) -> Result<ProfileFiles, ProfileError> {
        let config_path = dir.write("config", config);
        let creds_path = dir.write("credentials", credentials);
        let env = Env::from_vars([
            ("AWS_CONFIG_FILE", config_path.to_string_lossy().into_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", creds_path.to_string_lossy().into_owned()),
        ]);
        ProfileFiles::load(&env).await
    }

    #[tokio::test]
    async fn parses_both_files() {
        let dir = TempDir::new("profile-parse");
        let files = load(&dir, CONFIG, CREDENTIALS).await.unwrap();

        let default = files.profile("default").unwrap();
        assert_eq!(default.get("region"), Some("us-west-2"));
        assert_eq!(default.get("output"), Some("json"));
        assert_eq!(default.get("endpoint_url"), Some("http://example.com/#fragment"));
        assert_eq!(default.get("aws_access_key_id"), Some("DEFAULT_KEY"));
        assert_eq!(default.get("AWS_SECRET_ACCESS_KEY"), Some("DEFAULT_SECRET"));

        let dev = files.profile("dev").unwrap();
        assert_eq!(dev.get("region"), Some("eu-west-1"));
        assert_eq!(dev.sub_property("s3", "max_concurrent_requests"), Some("10"));
        assert_eq!(dev.sub_property("S3", "addressing_style"), Some("path"));
        assert_eq!(dev.get("s3"), Some("\nmax_concurrent_requests = 10\naddressing_style = path"));
        assert_eq!(dev.get("description"), Some("first line\nsecond line"));
        assert_eq!(dev.sub_property("description", "second line"), None);

        assert!(files.profile("corp").is_none());
        assert!(files.profile("ignored-without-prefix").is_none());
        assert!(files.profile("profile dev").is_none());
        assert_eq!(files.services["local"].sub_property("ecr_public", "endpoint_url"), Some("http://127.0.0.1:4566"));
        assert_eq!(files.sso_session("corp").unwrap().get("sso_region"), Some("us-east-1"));
        assert!(files.sso_session("dev").is_none());
    }

    #[tokio::test]
    async fn credentials_file_wins_over_config() {
        let dir = TempDir::new("profile-precedence");
        let files = load(&dir, CONFIG, CREDENTIALS).await.unwrap();
        let dev = files.profile("dev").unwrap();
        assert_eq!(dev.get("aws_access_key_id"), Some("CREDS_KEY"));
        assert_eq!(dev.get("aws_secret_access_key"), Some("CREDS_SECRET"));
        // Keys only in config survive the merge.
        assert_eq!(dev.get("region"), Some("eu-west-1"));
    }

    #[tokio::test]
    async fn service_settings_follow_the_services_key() {
        let dir = TempDir::new("profile-services");
        let files = load(&dir, CONFIG, CREDENTIALS).await.unwrap();
        assert_eq!(files.service_setting("default", "ecr_public", "endpoint_url"), Some("http://127.0.0.1:4566"));
        assert_eq!(files.service_setting("default", "ecr", "endpoint_url"), Some("http://127.0.0.1:9999"));
        assert_eq!(files.service_setting("default", "s3", "endpoint_url"), None);
        // `dev` has no `services` key.
        assert_eq!(files.service_setting("dev", "ecr_public", "endpoint_url"), None);
        assert_eq!(files.service_setting("nope", "ecr_public", "endpoint_url"), None);
    }

    #[tokio::test]
    async fn malformed_lines_name_file_and_line() {
        let cases = [
            ("[default]\nregion = us-east-1\nthis is not a property\n", 3),
            ("region = us-east-1\n", 1),
            ("[default\nregion = x\n", 1),
            ("[default]\n  indented = first\n", 2),
            ("[default]\ns3 =\n  not a sub property\n", 3),
            ("[default]\n= value\n", 2),
        ];
        for (text, line) in cases {
            let dir = TempDir::new("profile-malformed");
            let err = load(&dir, text, "").await.unwrap_err();
            let ProfileError::Parse { path, line: got, .. } = &err else { panic!("{err}") };
            assert_eq!(*got, line, "{text:?}: {err}");
            assert!(path.ends_with("config"));
            let shown = err.to_string();
            assert!(shown.contains(&format!("config:{line}: ")), "{shown}");
        }
    }

    #[tokio::test]
    async fn missing_files_and_default_paths() {
        let dir = TempDir::new("profile-missing");
        // No files at the defaults under HOME: empty, not an error.
        let files = ProfileFiles::load(&Env::from_vars([("HOME", dir.path())])).await.unwrap();
        assert!(files.profiles.is_empty() && files.services.is_empty());
        // Files at ~/.aws/ are found, and `~/` in the variables expands.
        std::fs::create_dir_all(dir.0.join(".aws")).unwrap();
        dir.write(".aws/credentials", "[default]\naws_access_key_id = K\n");
        dir.write("other-config", "[profile x]\nregion = r\n");
        let env = Env::from_vars([("HOME", dir.path()), ("AWS_CONFIG_FILE", "~/other-config".to_owned())]);
        let files = ProfileFiles::load(&env).await.unwrap();
        assert_eq!(files.profile("default").unwrap().get("aws_access_key_id"), Some("K"));
        assert_eq!(files.profile("x").unwrap().get("region"), Some("r"));
    }

    #[tokio::test]
    async fn debug_hides_secrets() {
        let dir = TempDir::new("profile-debug");
        let config =
            "[default]\nregion = us-west-2\nsso_session = corp\nsso_start_url = https://corp.awsapps.com/start\n\
                      mine =\n  db_password = PW_SUB\n  host = h\n\
                      [sso-session corp]\nsso_region = us-east-1\nsso_access_token = SSO_TOKEN\n";
        let creds = "[default]\naws_access_key_id = AKIDVISIBLE\naws_secret_access_key = SECRET_VALUE\n\
                     aws_session_token = SESSION_VALUE\nMy_Password = PW_VALUE\n";
        let files = load(&dir, config, creds).await.unwrap();
        let profile = files.profile("default").unwrap();
        for shown in [format!("{files:?}"), format!("{files:#?}"), format!("{profile:?}")] {
            for secret in ["SECRET_VALUE", "SESSION_VALUE", "PW_VALUE", "PW_SUB", "SSO_TOKEN"] {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
            // The keys are shown, and values that are not secrets too.
            assert!(shown.contains("aws_secret_access_key") && shown.contains("us-west-2"), "{shown}");
            assert!(shown.contains("AKIDVISIBLE") && shown.contains("db_password"), "{shown}");
        }
        // The values themselves are still there for the code that needs them.
        assert_eq!(profile.get("aws_secret_access_key"), Some("SECRET_VALUE"));
    }

    #[tokio::test]
    async fn files_over_the_bound_are_a_typed_error() {
        let dir = TempDir::new("profile-large");
        let big = format!("[default]\nregion = us-east-1\n#{}\n", "x".repeat(MAX_FILE_BYTES as usize));
        let err = load(&dir, "[default]\n", &big).await.unwrap_err();
        let ProfileError::TooLarge { path, limit } = &err else { panic!("{err}") };
        assert!(path.ends_with("credentials") && *limit == MAX_FILE_BYTES, "{err}");
        assert!(err.to_string().contains("credentials") && err.to_string().contains("1048576"), "{err}");
        // Just under the bound is fine.
        let fits = format!("[default]\n#{}\n", "x".repeat(MAX_FILE_BYTES as usize - 20));
        assert!(load(&dir, &fits, "").await.is_ok());
    }

    #[test]
    fn selected_profile_name() {
        let env = Env::from_vars([("AWS_PROFILE", "from-env")]);
        assert_eq!(ProfileFiles::selected_name(&env, Some("explicit")), "explicit");
        assert_eq!(ProfileFiles::selected_name(&env, None), "from-env");
        assert_eq!(ProfileFiles::selected_name(&Env::default(), None), "default");
        assert_eq!(ProfileFiles::selected_name(&Env::default(), Some(" ")), "default");
    }
}
