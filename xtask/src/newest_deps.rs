//! `cargo xtask newest-deps`: the workspace built and tested against the newest versions its
//! manifests allow, as a user who adds the crates today resolves them. Our `Cargo.lock` keeps the
//! test command reproducible; this shows, ahead of users, what the next releases of our
//! dependencies break (a deprecation under clippy `-D warnings`, say).
//!
//! It copies the working tree (tracked files and new ones git does not ignore) into
//! `target/newest-deps/src`, runs `cargo update` there (so it needs crates.io), then clippy
//! `-D warnings` over the workspace and the tests of the runtime and the client, building in
//! `target/newest-deps/target`.

use std::path::Path;
use std::process::Command;

pub fn run(root: &Path) -> Result<(), String> {
    let copy = root.join("target/newest-deps/src");
    let _ = std::fs::remove_dir_all(&copy);
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git ls-files: {e}"))?;
    if !listed.status.success() {
        return Err("git ls-files failed".into());
    }
    for path in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let path = Path::new(std::str::from_utf8(path).map_err(|_| "a tracked path is not UTF-8")?);
        let (from, to) = (root.join(path), copy.join(path));
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
    }
    // Tests find the reference material beside the checkout, as they do in CI.
    let shared = root.join("../shared");
    if shared.is_dir() {
        let link = root.join("target/newest-deps/shared");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&shared, &link).map_err(|e| format!("cannot link {}: {e}", link.display()))?;
    }
    // A target directory of its own: sharing this workspace's would also replace its built
    // binaries (`target/debug/xtask`) with ones that know the copy as their workspace.
    let target = root.join("target/newest-deps/target");
    let step = |args: &[&str]| {
        let mut cargo = Command::new(super::cargo());
        cargo.args(args).current_dir(&copy).env("CARGO_TARGET_DIR", &target);
        super::run(&format!("cargo {} (newest dependencies)", args.join(" ")), &mut cargo)
    };
    step(&["update"])?;
    step(&["clippy", "--workspace", "--all-targets", "--features", crate::TEST_FEATURES, "--", "-D", "warnings"])?;
    // The generator's output does not depend on these versions; the crates it feeds do.
    step(&["test", "-p", "awsjson-runtime", "-p", "ecrpublic", "--features", crate::TEST_FEATURES])
}
