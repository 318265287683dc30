//! `cargo xtask protocol-tests [--model PATH]`: Smithy's protocol compliance tests, run against
//! a client crate generated into `target/` (never committed) from a model with
//! `smithy.test#httpRequestTests`/`httpResponseTests` traits.

use std::path::{Path, PathBuf};

/// The default model: Smithy's awsJson 1.1 protocol test service, beside this repository.
pub const DEFAULT_MODEL: &str = "../shared/reference/protocol-tests/aws-json-1_1.json";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let model = match args {
        [] => root.join(DEFAULT_MODEL),
        [flag, path] if flag == "--model" => PathBuf::from(path),
        _ => return Err("usage: cargo xtask protocol-tests [--model PATH]".into()),
    };
    if !model.is_file() {
        return Err(format!("no protocol test model at {}", model.display()));
    }
    let name = model.file_stem().map(|s| s.to_string_lossy().replace(['_', '.'], "-")).unwrap_or_default();
    let out = super::check_models::crates_dir(root).join(format!("protocol-{name}"));
    let runtime = super::Runtime::Path(root.join("runtime"));
    super::standalone(&model, &out, &format!("protocol-{name}"), &runtime)?;
    // A member of the scratch workspace, with the runtime by path and this workspace's lock.
    super::check_models::workspace(root)?;
    let output = super::check_models::cargo(root, &out)
        .args(["test", "--offline", "--lib", "protocol_tests"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = Summary::of(&stdout);
    for (test, reason) in &summary.skipped {
        println!("skipped {test}: {reason}");
    }
    for test in &summary.failed {
        println!("FAILED {test}");
    }
    if summary.passed + summary.failed.len() == 0 {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        return Err("no protocol test ran: the generated crate did not build".into());
    }
    println!("{} passed, {} failed, {} skipped", summary.passed, summary.failed.len(), summary.skipped.len());
    if summary.failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} protocol tests failed", summary.failed.len()))
    }
}

#[derive(Debug, Default, PartialEq)]
struct Summary {
    passed: usize,
    failed: Vec<String>,
    skipped: Vec<(String, String)>,
}

impl Summary {
    /// Reads libtest's `test NAME ... ok|FAILED|ignored, REASON` lines.
    fn of(stdout: &str) -> Summary {
        let mut s = Summary::default();
        for line in stdout.lines() {
            let Some(rest) = line.strip_prefix("test ") else { continue };
            let Some((name, result)) = rest.split_once(" ... ") else { continue };
            let short = name.rsplit("::").next().unwrap_or(name).to_string();
            if result.starts_with("ok") {
                s.passed += 1;
            } else if result.starts_with("FAILED") {
                s.failed.push(short);
            } else if let Some(reason) = result.strip_prefix("ignored") {
                let reason = reason.trim_start_matches(',').trim();
                s.skipped.push((short, if reason.is_empty() { "no reason given".into() } else { reason.into() }));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_and_reasons() {
        let out = "test generated::protocol_tests::request_a ... ok\n\
                   test generated::protocol_tests::request_b ... FAILED\n\
                   test generated::protocol_tests::request_gzip ... ignored, no gzip\n\
                   test result: FAILED. 1 passed; 1 failed; 1 ignored";
        let s = Summary::of(out);
        assert_eq!(s.passed, 1);
        assert_eq!(s.failed, ["request_b"]);
        assert_eq!(s.skipped, [("request_gzip".to_string(), "no gzip".to_string())]);
    }
}
