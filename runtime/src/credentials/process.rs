//! `credential_process`: run a command and read credentials from the JSON it prints.

use std::process::Stdio;

use aws_credential_types::provider::{self, error::CredentialsError};

use super::credentials_from_json;

/// The most `credential_process` may print on stdout: 64 KiB, far above the few hundred bytes
/// of a credentials document.
pub const MAX_STDOUT_BYTES: u64 = 64 * 1024;

/// How much of its stderr an error shows at most.
pub const MAX_STDERR_EXCERPT: usize = 1024;

/// Runs `command` through the shell (`sh -c`, or `cmd /C` on Windows) and reads
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}` from its
/// standard output.
#[derive(Clone, Debug)]
pub struct CredentialProcessProvider {
    command: String,
}

impl CredentialProcessProvider {
    /// A provider running `command` (a `credential_process` line) at each load.
    pub fn new(command: impl Into<String>) -> Self {
        CredentialProcessProvider { command: command.into() }
    }

    /// The command line it runs.
    pub fn command(&self) -> &str {
        &self.command
    }

    async fn load(&self) -> provider::Result {
        let mut command = if cfg!(windows) {
            let mut c = tokio::process::Command::new("cmd");
            c.arg("/C").arg(&self.command);
            c
        } else {
            let mut c = tokio::process::Command::new("sh");
            c.arg("-c").arg(&self.command);
            c
        };
        // No stdin: a command that prompts would otherwise hang the caller. kill_on_drop: a caller
        // that gives up (timeout, cancelled request) does not leave the process behind.
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        let what = format!("credential_process `{}`", self.command);
        let mut child = command
            .spawn()
            .map_err(|e| CredentialsError::provider_error(format!("{what} could not be started: {e}")))?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(CredentialsError::provider_error(format!("{what}: no pipes to the process")));
        };
        // Both pipes at once, so a process that fills one while we read the other cannot block.
        let (stdout, stderr) = tokio::join!(
            crate::bounded::read(stdout, MAX_STDOUT_BYTES),
            crate::bounded::head(stderr, MAX_STDERR_EXCERPT)
        );
        let io_error = |e: std::io::Error| CredentialsError::provider_error(format!("{what}: reading its output: {e}"));
        let Some(stdout) = stdout.map_err(io_error)? else {
            // kill_on_drop ends it; its output is not shown (it may hold a secret).
            return Err(CredentialsError::provider_error(format!(
                "{what} printed more than {MAX_STDOUT_BYTES} bytes, the most credential_process output may have"
            )));
        };
        let stderr = stderr.map_err(io_error)?;
        let status = child.wait().await.map_err(io_error)?;
        let stderr = String::from_utf8_lossy(&stderr);
        let stderr = stderr.trim();
        // Only stderr is ever shown, and only its start: stdout holds the secret key.
        let with_stderr = |message: String| {
            if stderr.is_empty() {
                message
            } else {
                format!("{message}; stderr: {stderr}")
            }
        };
        if !status.success() {
            return Err(CredentialsError::provider_error(with_stderr(format!("{what} failed ({status})"))));
        }
        let json: serde_json::Value = serde_json::from_slice(&stdout).map_err(|e| {
            CredentialsError::provider_error(with_stderr(format!("{what} did not print valid JSON: {e}")))
        })?;
        match json.get("Version").and_then(serde_json::Value::as_u64) {
            Some(1) => {}
            other => {
                let found = other.map_or_else(|| "none".to_owned(), |v| v.to_string());
                return Err(CredentialsError::provider_error(format!(
                    "{what} printed JSON with `Version` {found}; only version 1 is supported"
                )));
            }
        }
        credentials_from_json(&json, "SessionToken", "credential_process")
            .map_err(|e| CredentialsError::provider_error(format!("{what} printed unusable credentials: {e}")))
    }
}

super::provide_with_load!(CredentialProcessProvider);

#[cfg(all(test, unix))]
mod tests {
    use super::super::error_detail;
    use super::*;
    use crate::profile::TempDir;
    use aws_credential_types::provider::ProvideCredentials as _;

    /// A script in a temp dir; run as `sh <path>` so no executable bit is needed.
    fn script(dir: &TempDir, body: &str) -> String {
        let path = dir.write("process.sh", body);
        format!("sh '{}'", path.display())
    }

    #[tokio::test]
    async fn reads_credentials() {
        let dir = TempDir::new("process-ok");
        let cmd = script(
            &dir,
            r#"printf '{"Version": 1, "AccessKeyId": "PKEY", "SecretAccessKey": "PSECRET", "SessionToken": "PTOKEN", "Expiration": "2100-01-01T00:00:00Z"}'"#,
        );
        let creds = CredentialProcessProvider::new(cmd).provide_credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "PKEY");
        assert_eq!(creds.secret_access_key(), "PSECRET");
        assert_eq!(creds.session_token(), Some("PTOKEN"));
        let expiry = creds.expiry().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap();
        assert_eq!(expiry.as_secs(), 4_102_444_800);
    }

    #[tokio::test]
    async fn non_zero_exit_reports_status_and_stderr() {
        let dir = TempDir::new("process-fail");
        let cmd = script(&dir, "echo 'token expired, run login' >&2\nexit 3\n");
        let err = CredentialProcessProvider::new(cmd).provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::ProviderError(_)), "{err:?}");
        let detail = error_detail(&err);
        assert!(detail.contains("credential_process") && detail.contains("process.sh"), "{detail}");
        assert!(detail.contains('3') && detail.contains("stderr: token expired, run login"), "{detail}");
    }

    #[tokio::test]
    async fn bad_json_is_an_error() {
        let dir = TempDir::new("process-badjson");
        let cmd = script(&dir, "printf 'not json'\necho 'warning: something' >&2\n");
        let err = CredentialProcessProvider::new(cmd).provide_credentials().await.unwrap_err();
        let detail = error_detail(&err);
        assert!(
            detail.contains("did not print valid JSON") && detail.contains("stderr: warning: something"),
            "{detail}"
        );

        let dir = TempDir::new("process-version");
        let cmd = script(&dir, r#"printf '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"}'"#);
        let detail = error_detail(&CredentialProcessProvider::new(cmd).provide_credentials().await.unwrap_err());
        assert!(detail.contains("`Version` 2"), "{detail}");

        let dir = TempDir::new("process-missing");
        let cmd = script(&dir, r#"printf '{"Version": 1, "AccessKeyId": "A"}'"#);
        let detail = error_detail(&CredentialProcessProvider::new(cmd).provide_credentials().await.unwrap_err());
        assert!(detail.contains("`SecretAccessKey` is missing"), "{detail}");
    }

    #[tokio::test]
    async fn output_over_the_bound_is_an_error_naming_the_process() {
        let dir = TempDir::new("process-large");
        // 100 KiB of stdout, more than MAX_STDOUT_BYTES.
        let cmd = script(&dir, "i=0\nwhile [ $i -lt 1600 ]; do printf '%064d' 0; i=$((i+1)); done\n");
        let detail = error_detail(&CredentialProcessProvider::new(cmd).provide_credentials().await.unwrap_err());
        assert!(detail.contains("process.sh") && detail.contains("more than 65536 bytes"), "{detail}");
        assert!(!detail.contains("0000000000"), "stdout is not echoed: {detail}");
    }

    #[tokio::test]
    async fn stdout_is_never_echoed_and_stderr_is_bounded() {
        let dir = TempDir::new("process-secret");
        let cmd = script(
            &dir,
            "printf '{\"Version\": 3, \"SecretAccessKey\": \"STDOUT_SECRET\"'\n\
             i=0\nwhile [ $i -lt 200 ]; do printf 'stderr-line-%04d\\n' $i >&2; i=$((i+1)); done\n",
        );
        let detail = error_detail(&CredentialProcessProvider::new(cmd).provide_credentials().await.unwrap_err());
        assert!(!detail.contains("STDOUT_SECRET"), "{detail}");
        assert!(detail.contains("stderr: stderr-line-0000"), "{detail}");
        assert!(!detail.contains("stderr-line-0199") && detail.len() < 2_000, "{} bytes: {detail}", detail.len());
    }
}
