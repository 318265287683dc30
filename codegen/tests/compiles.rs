//! Proof that generated crates compile: every fixture model, and AWS's ECR Public model when it
//! is around, is written out as a standalone crate by `cargo xtask codegen --model .. --out ..`,
//! then built (and its generated tests run) with warnings treated as failures.
//!
//! Everything is written under `<workspace>/target/generated-crates/`: one folder per crate and
//! one shared target folder, so the dependencies compile once. The workspace's `Cargo.lock` is
//! copied into each crate so it uses the pinned versions and builds offline.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const REFERENCE_REL: &str = "shared/reference/ecr-public.json";
const PROTOCOL_TESTS_REL: &str = "shared/reference/protocol-tests/aws-json-1_1.json";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen lives in the workspace").to_path_buf()
}

fn out_root() -> PathBuf {
    workspace().join("target/generated-crates")
}

/// `(crate name, model path)` of every fixture, then of the reference model when it is found.
fn cases() -> Vec<(String, PathBuf)> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(&fixtures)
        .expect("tests/fixtures exists")
        .flatten()
        .map(|e| e.path().join("model.json"))
        .filter(|p| p.is_file())
        .map(|p| (format!("fixture-{}", p.parent().unwrap().file_name().unwrap().to_string_lossy()), p))
        .collect();
    out.sort();
    // AWS's ECR Public model, and Smithy's awsJson 1.1 protocol test service (every shape kind
    // the protocol has: sparse collections, unions, documents, timestamp formats, ...).
    for (name, rel) in [("ecr-public-reference", REFERENCE_REL), ("protocol-aws-json-1-1", PROTOCOL_TESTS_REL)] {
        let found = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().map(|d| d.join(rel)).find(|p| p.is_file());
        match found {
            Some(p) => out.push((name.into(), p)),
            None => eprintln!("skipping {name}: {rel} is not in any ancestor of {}", env!("CARGO_MANIFEST_DIR")),
        }
    }
    out
}

/// A `cargo` command with no inherited flags that could hide or add warnings.
fn cargo(dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(dir).env_remove("RUSTFLAGS").env_remove("CARGO_ENCODED_RUSTFLAGS");
    cmd
}

/// `cargo` for a generated crate, in a target directory the crates share. These builds are
/// run once and thrown away: no debug info and no incremental state, which would cost gigabytes
/// of disk across the crates and bring nothing.
fn throwaway_build(dir: &Path) -> Command {
    let mut cmd = cargo(dir);
    cmd.env("CARGO_TARGET_DIR", out_root().join("target"))
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0");
    cmd
}

/// Runs `cmd`; an error describing it when it fails or (with `deny_warnings`) warns.
fn run(what: &str, mut cmd: Command, deny_warnings: bool) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        return Err(format!("{what} failed ({})\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}", out.status));
    }
    if deny_warnings && stderr.contains("warning:") {
        return Err(format!("{what} warned\n--- stderr ---\n{stderr}"));
    }
    Ok(())
}

/// Writes, builds and (when it has generated tests) tests one crate.
fn check(name: &str, model: &Path) -> Result<(), String> {
    let dir = out_root().join(name);
    let mut gen = cargo(&workspace());
    gen.args(["run", "--quiet", "--package", "xtask", "--", "codegen", "--model"])
        .arg(model)
        .arg("--out")
        .arg(&dir)
        .args(["--crate-name", name]);
    run(&format!("{name}: cargo xtask codegen"), gen, false)?;
    fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("{name}: cannot copy Cargo.lock: {e}"))?;

    let mut build = throwaway_build(&dir);
    build.args(["build", "--quiet", "--offline"]);
    run(&format!("{name}: cargo build"), build, true)?;
    // Generated code is held to the same lints as the code we write.
    let mut clippy = throwaway_build(&dir);
    clippy.args(["clippy", "--quiet", "--offline", "--all-targets", "--", "-D", "warnings"]);
    run(&format!("{name}: cargo clippy"), clippy, true)?;

    if dir.join("src/generated/endpoint_tests.rs").is_file() {
        let mut test = throwaway_build(&dir);
        test.args(["test", "--quiet", "--offline"]);
        run(&format!("{name}: cargo test"), test, true)?;
    }
    Ok(())
}

#[test]
fn generated_crates_build_and_pass_their_tests() {
    let mut failures = Vec::new();
    for (name, model) in cases() {
        let start = Instant::now();
        let result = check(&name, &model);
        eprintln!("{name}: {} in {:.1?}", if result.is_ok() { "ok" } else { "FAILED" }, start.elapsed());
        if let Err(e) = result {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{} generated crate(s) failed:\n\n{}", failures.len(), failures.join("\n\n"));
}
