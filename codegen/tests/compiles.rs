//! Proof that generated crates compile: every fixture model (ours, and a few of AWS's under
//! `fixtures/aws`), AWS's ECR Public model and Smithy's awsJson 1.1 protocol test service when
//! they are around, through `cargo xtask check-models` (build, clippy, rustdoc and generated
//! tests, warnings as failures).
//!
//! Everything is written under `<workspace>/target/generated-crates/`: one folder per crate, all
//! members of one scratch workspace with `runtime/` by path, and one shared target folder, so the
//! runtime and the dependencies compile once. The workspace's `Cargo.lock` is copied there so
//! the pinned versions are used offline. `tests/together/shared_config.rs` then runs in a crate
//! depending on ecrpublic and every generated crate.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const REFERENCE_REL: &str = "shared/reference/ecr-public.json";
const PROTOCOL_TESTS_REL: &str = "shared/reference/protocol-tests/aws-json-1_1.json";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen lives in the workspace").to_path_buf()
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
    // AWS's own models, committed for what only real models show: how `authSchemes` sign, and
    // one model for each kind of failure the generator once had.
    // The larger ones are gzipped (`model.json.gz`), which check-models unpacks.
    let aws: Vec<(String, PathBuf)> = fs::read_dir(fixtures.join("aws"))
        .expect("tests/fixtures/aws exists")
        .flatten()
        .filter_map(|e| ["model.json", "model.json.gz"].into_iter().map(|f| e.path().join(f)).find(|p| p.is_file()))
        .map(|p| (format!("aws-{}", p.parent().unwrap().file_name().unwrap().to_string_lossy()), p))
        .collect();
    out.extend(aws);
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

#[test]
fn generated_crates_build_and_pass_their_tests() {
    // `cargo xtask check-models` generates each crate, builds it, runs clippy and rustdoc with
    // warnings as failures, and runs its generated tests.
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--package", "xtask", "--", "check-models", "--together"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/together/shared_config.rs"))
        .args(cases().iter().map(|(name, model)| format!("{name}={}", model.display())))
        .current_dir(workspace())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cannot run cargo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // ecrpublic and the fixture crates side by side in the one scratch workspace.
    for name in cases().into_iter().map(|(name, _)| name).chain(["together".into()]) {
        assert!(stdout.contains(&format!("{name}: ok")), "no result for {name}:\n{stdout}");
    }
}
