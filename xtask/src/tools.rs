//! External tools the checks run, each pinned to an exact version and installed on first use
//! under `target/tools`, so another project's release never changes what CI checks.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A cargo subcommand installed from crates.io at one version.
pub struct CargoTool {
    pub krate: &'static str,
    pub version: &'static str,
    pub binary: &'static str,
}

/// Licenses, bans and sources of the dependency tree (`deny.toml`).
pub const CARGO_DENY: CargoTool = CargoTool { krate: "cargo-deny", version: "0.20.2", binary: "cargo-deny" };

impl CargoTool {
    /// The tool's binary, installed first if `target/tools` does not hold this version.
    pub fn ensure(&self, root: &Path, cargo: &str) -> Result<PathBuf, String> {
        let install_root = root.join("target/tools").join(format!("{}-{}", self.krate, self.version));
        let binary = install_root.join("bin").join(self.binary);
        if binary.is_file() {
            return Ok(binary);
        }
        println!(
            "==> cargo install {} --version {} --locked (once, into {})",
            self.krate,
            self.version,
            rel(root, &install_root)
        );
        let status = Command::new(cargo)
            .args(["install", "--quiet", "--locked", "--version", self.version, self.krate, "--root"])
            .arg(&install_root)
            .status()
            .map_err(|e| format!("cannot run cargo install: {e}"))?;
        if !status.success() || !binary.is_file() {
            return Err(format!(
                "`cargo install {} --version {}` failed: crates.io may be unreachable from this machine",
                self.krate, self.version
            ));
        }
        Ok(binary)
    }
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}
