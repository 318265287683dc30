//! `cargo xtask check-models [--together TEST.rs] [NAME=]MODEL...`: each model becomes a crate
//! under `target/generated-crates/NAME`, a member of the scratch workspace there with this
//! workspace's `runtime/` by path, and must build, pass clippy and rustdoc without a warning, and
//! pass its generated tests (round trips, endpoint rule cases, protocol cases) and the tests a
//! fixture keeps in `tests/` beside its model. `--together` adds a crate depending on ecrpublic and all of them, with `TEST.rs` as its test.
//!
//! The compile test runs it on our fixtures and the reference models; by hand it checks models
//! that cannot be committed, such as AWS's own.

use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "usage: cargo xtask check-models [--together TEST.rs] [NAME=]MODEL.json...";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut together = None;
    let mut models = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--together" {
            together = Some(PathBuf::from(it.next().ok_or(USAGE)?));
            continue;
        }
        models.push(match arg.split_once('=') {
            Some((name, path)) => (name.to_string(), PathBuf::from(path)),
            None => (super::default_crate_name(Path::new(arg)), PathBuf::from(arg)),
        });
    }
    if models.is_empty() {
        return Err(USAGE.into());
    }
    let runtime = super::Runtime::Path(root.join("runtime"));
    let mut failed = Vec::new();
    // Every crate is written before any is built: they are members of one workspace.
    let mut generated = Vec::new();
    for (name, model) in &models {
        let dir = crates_dir(root).join(name);
        match super::standalone(model, &dir, name, &runtime).and_then(|()| copy_model_tests(model, &dir)) {
            Ok(()) => generated.push(name.clone()),
            Err(e) => {
                println!("{name}: FAILED\n{e}");
                failed.push(name.clone());
            }
        }
    }
    if let Some(test) = &together {
        write_together(root, test, &generated)?;
    }
    workspace(root)?;
    for name in &generated {
        let start = std::time::Instant::now();
        match check(root, &crates_dir(root).join(name)) {
            Ok(tests) => println!("{name}: ok in {:.1?}, {tests} generated tests passed", start.elapsed()),
            Err(e) => {
                println!("{name}: FAILED\n{e}");
                failed.push(name.clone());
            }
        }
    }
    if together.is_some() {
        let start = std::time::Instant::now();
        match run_steps(
            root,
            &crates_dir(root).join(TOGETHER),
            &[&["clippy", "--offline", "--all-targets", "--", "-D", "warnings"], &["test", "--offline"]],
        ) {
            Ok(tests) => println!("{TOGETHER}: ok in {:.1?}, {tests} tests passed", start.elapsed()),
            Err(e) => {
                println!("{TOGETHER}: FAILED\n{e}");
                failed.push(TOGETHER.into());
            }
        }
    }
    let all = models.len() + usize::from(together.is_some());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {all} crates failed: {}", failed.len(), failed.join(", ")))
    }
}

/// Where generated crates go: members of one scratch workspace.
pub fn crates_dir(root: &Path) -> PathBuf {
    root.join("target/generated-crates")
}

/// The crate that builds ecrpublic and every crate of the run together.
const TOGETHER: &str = "together";

/// A crate depending on ecrpublic, the runtime and every generated crate, with `test` as its
/// one integration test: proof that they build side by side and share one configuration.
fn write_together(root: &Path, test: &Path, crates: &[String]) -> Result<(), String> {
    let dir = crates_dir(root).join(TOGETHER);
    let mut deps = String::new();
    for name in crates {
        deps.push_str(&format!("{name} = {{ path = \"../{name}\" }}\n"));
    }
    let manifest = format!(
        "[package]\nname = \"{TOGETHER}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nawsjson-runtime = {{ path = \"../../../runtime\" }}\necrpublic = {{ path = \"../../../ecrpublic\" }}\n{deps}\n\
         [dev-dependencies]\naws-credential-types = \"1\"\nbytes = \"1\"\nhttp = \"1\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
    super::write(&dir.join("Cargo.toml"), &manifest)?;
    super::write(&dir.join("src/lib.rs"), "//! Only its test matters.\n")?;
    super::write(&dir.join("tests/together.rs"), &super::read(test)?)
}

/// Writes `target/generated-crates/Cargo.toml`, a workspace of every crate found there (so
/// check-models and protocol-tests leave each other's crates buildable), with the lock of this
/// workspace, so the same versions are used and nothing is fetched.
pub fn workspace(root: &Path) -> Result<(), String> {
    let dir = crates_dir(root);
    let mut members: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .flatten()
        .filter(|e| {
            // A crate left by an older generator, a workspace of its own, is not a member.
            std::fs::read_to_string(e.path().join("Cargo.toml")).is_ok_and(|t| !t.contains("[workspace]"))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    members.sort();
    let list: Vec<String> = members.iter().map(|m| format!("    \"{m}\",")).collect();
    let manifest = format!(
        "# Written by `cargo xtask check-models` and `protocol-tests`: the crates they generate.\n\
         [workspace]\nresolver = \"2\"\nmembers = [\n{}\n]\n",
        list.join("\n")
    );
    super::write(&dir.join("Cargo.toml"), &manifest)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    Ok(())
}

/// Builds, lints, documents and tests one crate; how many tests passed.
fn check(root: &Path, dir: &Path) -> Result<usize, String> {
    run_steps(
        root,
        dir,
        &[
            &["build", "--offline"],
            &["clippy", "--offline", "--all-targets", "--", "-D", "warnings"],
            &["doc", "--offline", "--no-deps"],
            &["test", "--offline"],
        ],
    )
}

/// Runs cargo steps in `dir`, failing on an error or a warning; how many tests passed.
fn run_steps(root: &Path, dir: &Path, steps: &[&[&str]]) -> Result<usize, String> {
    let mut passed = 0;
    for args in steps {
        let out = cargo(root, dir).args(*args).output().map_err(|e| format!("cannot run cargo: {e}"))?;
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
/// The dev profile of the scratch workspace is the default one: these settings stand in for it.
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
