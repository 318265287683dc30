//! `cargo xtask check-models [NAME=]MODEL...`: each model becomes a standalone crate under
//! `target/generated-crates/NAME`, which must build, pass clippy and rustdoc without a warning,
//! and pass its generated tests (round trips, endpoint rule cases, protocol cases), and the
//! tests a fixture keeps in `tests/` beside its model.
//!
//! The compile test runs it on our fixtures and the reference models; by hand it checks models
//! that cannot be committed, such as AWS's own.

use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "usage: cargo xtask check-models [NAME=]MODEL.json...";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if args.is_empty() {
        return Err(USAGE.into());
    }
    let mut failed = Vec::new();
    for arg in args {
        let (name, model) = match arg.split_once('=') {
            Some((name, path)) => (name.to_string(), PathBuf::from(path)),
            None => (super::default_crate_name(Path::new(arg)), PathBuf::from(arg)),
        };
        let start = std::time::Instant::now();
        match check(root, &name, &model) {
            Ok(tests) => println!("{name}: ok in {:.1?}, {tests} generated tests passed", start.elapsed()),
            Err(e) => {
                println!("{name}: FAILED\n{e}");
                failed.push(name);
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {} models failed: {}", failed.len(), args.len(), failed.join(", ")))
    }
}

/// Generates, builds, lints, documents and tests one crate; how many tests passed.
fn check(root: &Path, name: &str, model: &Path) -> Result<usize, String> {
    let dir = root.join("target/generated-crates").join(name);
    super::standalone(model, &dir, name)?;
    copy_model_tests(model, &dir)?;
    // The workspace's lock pins the same versions, so nothing is resolved or fetched again.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    let steps: [&[&str]; 4] = [
        &["build", "--offline"],
        &["clippy", "--offline", "--all-targets", "--", "-D", "warnings"],
        &["doc", "--offline", "--no-deps"],
        &["test", "--offline"],
    ];
    let mut passed = 0;
    for args in steps {
        let out = cargo(root, &dir).args(args).output().map_err(|e| format!("cannot run cargo: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let what = format!("cargo {}", args[0]);
        if !out.status.success() {
            return Err(format!("{what} failed ({})\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}", out.status));
        }
        if stderr.lines().any(|l| l.starts_with("warning:")) {
            return Err(format!("{what} warned\n--- stderr ---\n{stderr}"));
        }
        passed += passed_tests(&stdout);
    }
    Ok(passed)
}

/// A model's own tests (`tests/*.rs` beside a fixture's `model.json`) become the crate's
/// integration tests: they drive the generated API as a user would.
fn copy_model_tests(model: &Path, dir: &Path) -> Result<(), String> {
    let tests = dir.join("tests");
    let _ = std::fs::remove_dir_all(&tests);
    let Some(from) = model.parent().map(|p| p.join("tests")).filter(|p| p.is_dir()) else { return Ok(()) };
    std::fs::create_dir_all(&tests).map_err(|e| format!("cannot create {}: {e}", tests.display()))?;
    let entries = std::fs::read_dir(&from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "rs") {
            std::fs::copy(&path, tests.join(entry.file_name()))
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The sum of libtest's `test result: ok. N passed; ...` lines.
fn passed_tests(stdout: &str) -> usize {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split_once(" passed")?.0.parse::<usize>().ok())
        .sum()
}

/// `cargo` for a crate generated into `target/generated-crates`, sharing one target folder.
/// These crates are built to be checked and thrown away: no debug info and no incremental
/// state, which would cost gigabytes of disk across them and bring nothing. No inherited
/// flags that could hide or add warnings.
pub fn cargo(root: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", root.join("target/generated-crates/target"))
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    cmd
}

#[cfg(test)]
mod tests {
    use super::passed_tests;

    #[test]
    fn counts_passed_tests_over_all_test_binaries() {
        let out = "running 3 tests\n...\ntest result: ok. 3 passed; 0 failed; 0 ignored\n\
                   test result: ok. 0 passed; 0 failed\ntest result: ok. 12 passed; 0 failed\n";
        assert_eq!(passed_tests(out), 15);
        assert_eq!(passed_tests("test result: FAILED. 1 passed; 2 failed"), 0);
    }
}
