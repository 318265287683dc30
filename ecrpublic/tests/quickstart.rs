//! Runs `examples/quickstart.rs` the way the README tells a newcomer to, with no AWS
//! configuration in the environment, and checks that it walks every step.
#![cfg(feature = "emulator")]

use std::path::Path;
use std::process::Command;

/// `cargo run` of the example from the workspace root, as the README says, with no AWS settings
/// from this machine: no credentials, region, profile, shared files or endpoint.
fn quickstart(args: &[&str]) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crate lives in the workspace");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["run", "--quiet", "--package", "ecrpublic", "--example", "quickstart", "--features", "emulator", "--"])
        .args(args)
        .current_dir(root);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(&key);
        }
    }
    let nowhere = std::env::temp_dir().join("ecrpublic-quickstart-test-no-such-file");
    cmd.env("AWS_CONFIG_FILE", &nowhere).env("AWS_SHARED_CREDENTIALS_FILE", &nowhere);
    // Without a region or credentials the chain would ask EC2 instance metadata: nothing may
    // leave 127.0.0.1.
    cmd.env("AWS_EC2_METADATA_DISABLED", "true");
    // A target directory of its own. Cargo gives this test process `CARGO_MANIFEST_DIR` and
    // other variables that build scripts (ring's) declare they depend on, so building in the
    // shared target directory would rebuild ring and all above it here, and again in the next
    // ordinary `cargo build`. This one is cold once, then warm.
    // No incremental state in it: it is built for this test alone.
    cmd.env("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("quickstart-target"))
        .env("CARGO_INCREMENTAL", "0");
    cmd
}

#[test]
fn quickstart_runs_against_the_embedded_emulator() {
    let out = quickstart(&[]).output().expect("cannot run cargo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "quickstart failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}", out.status);
    for expected in [
        "Started the embedded ECR Public emulator at http://127.0.0.1:",
        "repository created: ecrpublic-quickstart-",
        "uri:        public.ecr.aws/emulator/ecrpublic-quickstart-",
        "tags:       project=ecrpublic, purpose=quickstart",
        "UploadLayerPart bytes 0..=5242879 (5242880 bytes)",
        "UploadLayerPart bytes 5242880..=",
        "layer uploaded: sha256:",
        "config uploaded: sha256:",
        ":v1 = sha256:",
        ":latest = sha256:",
        "DescribeImages page 1:",
        "DescribeImages page 2:",
        "images: 2 pages",
        "DescribeImageTags item: v1",
        "DescribeRepositories item: public.ecr.aws/emulator/ecrpublic-quickstart-",
        "token received (",
        "expires at 20",
        "got the expected error: RepositoryNotFoundException: ",
        "images deleted: 2",
        "repository deleted: ecrpublic-quickstart-",
        "Done.",
    ] {
        assert!(stdout.contains(expected), "quickstart output lacks `{expected}`:\n{stdout}\n--- stderr\n{stderr}");
    }
    // The authorization token is a secret: only its length and expiry are shown.
    assert!(!stdout.contains("QVdTOi"), "the token (base64 of `AWS:...`) was printed:\n{stdout}");
}

#[test]
fn quickstart_help_bad_arguments_and_failures() {
    let help = quickstart(&["--help"]).output().expect("cannot run cargo");
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--endpoint URL"));

    let bad = quickstart(&["--bogus"]).output().expect("cannot run cargo");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument `--bogus`"));

    // An endpoint nobody listens on: a clear message and exit code 1, not a panic.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let down = quickstart(&["--endpoint", &format!("http://127.0.0.1:{port}")])
        .env("AWS_ACCESS_KEY_ID", "AKID")
        .env("AWS_SECRET_ACCESS_KEY", "SECRET")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .expect("cannot run cargo");
    let stderr = String::from_utf8_lossy(&down.stderr);
    assert_eq!(down.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("quickstart failed: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// The quickstart with temporary credentials from STS (web identity, and a role profile)
// ---------------------------------------------------------------------------------------------

#[path = "common/aws.rs"]
#[allow(dead_code)]
mod aws;

/// The emulator binary, verifying signatures against `key_id:secret`; killed when dropped.
struct EmulatorProcess {
    child: std::process::Child,
    url: String,
}

impl EmulatorProcess {
    fn start(key_id: &str, secret: &str) -> EmulatorProcess {
        use std::io::BufRead as _;
        // The quickstart's environment and target directory, for the emulator binary.
        let cmd = quickstart(&[]);
        let credentials = format!("{key_id}:{secret}");
        let args =
            ["run", "--quiet", "--package", "ecrpublic", "--features", "emulator", "--bin", "ecrpublic-emulator", "--"];
        let mut emulator = Command::new(env!("CARGO"));
        emulator.args(args).args(["--credentials", &credentials]).current_dir(cmd.get_current_dir().unwrap());
        for (key, value) in cmd.get_envs() {
            match value {
                Some(v) => emulator.env(key, v),
                None => emulator.env_remove(key),
            };
        }
        let mut child = emulator.stdout(std::process::Stdio::piped()).spawn().expect("cannot run the emulator");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("the emulator's first line");
        let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        EmulatorProcess { url: url.to_owned(), child }
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the quickstart against the emulator with `env` and checks it walked every step.
fn quickstart_with(emulator: &EmulatorProcess, env: &[(&str, &str)]) {
    let mut cmd = quickstart(&["--endpoint", &emulator.url]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cannot run cargo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "quickstart failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}", out.status);
    for expected in ["with credentials from the environment", "layer uploaded: sha256:", "images deleted: 2", "Done."] {
        assert!(stdout.contains(expected), "quickstart output lacks `{expected}`:\n{stdout}\n--- stderr\n{stderr}");
    }
}

#[test]
fn quickstart_with_only_web_identity_set() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sts = rt.block_on(aws::sts());
    let role = "arn:aws:iam::123456789012:role/quickstart";
    let (key_id, secret, _) = aws::sts_keys(role);
    let emulator = EmulatorProcess::start(&key_id, &secret);
    let dir = std::env::temp_dir().join(format!("ecrpublic-quickstart-oidc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token = dir.join("token");
    std::fs::write(&token, "github-actions-oidc-token").unwrap();
    quickstart_with(
        &emulator,
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &token.to_string_lossy()),
            ("AWS_ROLE_ARN", role),
            ("AWS_ENDPOINT_URL_STS", &sts.url()),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    let requests = sts.requests();
    assert_eq!(requests.len(), 1, "one AssumeRoleWithWebIdentity, then cached: {requests:#?}");
    assert_eq!(requests[0].field("WebIdentityToken").as_deref(), Some("github-actions-oidc-token"));
}

#[test]
fn quickstart_with_a_role_arn_and_source_profile() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sts = rt.block_on(aws::sts());
    let role = "arn:aws:iam::123456789012:role/quickstart-team";
    let (key_id, secret, _) = aws::sts_keys(role);
    let emulator = EmulatorProcess::start(&key_id, &secret);
    let dir = std::env::temp_dir().join(format!("ecrpublic-quickstart-role-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!("[profile team]\nrole_arn = {role}\nsource_profile = base\n\n[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"),
    )
    .unwrap();
    quickstart_with(
        &emulator,
        &[
            ("AWS_CONFIG_FILE", &config.to_string_lossy()),
            ("AWS_PROFILE", "team"),
            ("AWS_ENDPOINT_URL_STS", &sts.url()),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    let requests = sts.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_eq!(requests[0].field("Action").as_deref(), Some("AssumeRole"));
    assert_eq!(requests[0].sigv4_scope().map(|s| s.0).as_deref(), Some("AKIDBASE"));
}
