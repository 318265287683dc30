//! Project tasks: `cargo xtask codegen [--check]`,
//! `cargo xtask codegen --model PATH --out DIR [--crate-name NAME]` for a standalone crate,
//! `cargo xtask check-models` to prove such crates, `cargo xtask protocol-tests`,
//! `cargo xtask model-diff` to compare our model with botocore's, and
//! `cargo xtask bench` to compare the client with the official SDK.
#![forbid(unsafe_code)]

mod bench_services;
mod check_models;
mod model_diff;
mod protocol_tests;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo xtask test
      everything CI checks: cargo fmt --check, clippy -D warnings, codegen --check, all tests,
      and cargo-deny's licenses, bans and sources checks (installs the pinned cargo-deny once)
  cargo xtask protocol-tests [--model PATH]
      run Smithy's protocol compliance tests (default: the awsJson 1.1 suite in ../shared/reference)
      against a client generated into target/; ends with `N passed, N failed, N skipped`
  cargo xtask codegen [--check]
      regenerate ecrpublic/src/generated from model/ecr-public.json
      (--check: change nothing, fail and name the stale files if the committed output differs)
  cargo xtask codegen --model PATH --out DIR [--crate-name NAME]
      write a complete standalone client crate for another awsJson service model
  cargo xtask check-models [NAME=]MODEL...
      generate each model into target/generated-crates/NAME and check that the crate builds,
      passes clippy -D warnings and rustdoc without warnings, and passes its generated tests
  cargo xtask model-diff BOTOCORE_DIR [--model PATH]
      compare our model (default model/ecr-public.json) with a botocore service folder
      (service-2.json, paginators-1.json, waiters-2.json): one line per difference, then
      `N differences`; exit status 0 when none, 1 when some, 2 when they cannot be compared
  cargo xtask bench [--skip-build-cost] [--quick]
      build and run the benchmarks of xtask/bench (ours against aws-sdk-ecrpublic): a Markdown
      table on stdout and target/bench/results.json (--quick: fewer, shorter runs;
      --skip-build-cost: no clean release builds, which take minutes)
  cargo xtask bench services [--models-repo DIR] [--before REV] [--runs N]
      clean debug and release builds of one program calling ECR Public, KMS and SFN: ours (and,
      with --before, this repository at REV) against the official SDK; the models come from a
      copy of github.com/aws/api-models-aws (--models-repo or $AWS_API_MODELS)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("model-diff") {
        // Its exit status says whether the models differ, so it reports by itself.
        return model_diff::run(&root(), &args[1..]);
    }
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("test") if args.len() == 1 => test(),
        Some("bench") => bench(&args[1..]),
        Some("protocol-tests") => protocol_tests::run(&root(), &args[1..]),
        Some("check-models") => check_models::run(&root(), &args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The project's whole check, in the order that fails fastest.
fn test() -> Result<(), String> {
    let cargo = cargo();
    let steps: [&[&str]; 5] = [
        &["fmt", "--all", "--check"],
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "ecrpublic/emulator,ecrpublic/gzip",
            "--",
            "-D",
            "warnings",
        ],
        &["run", "--quiet", "--package", "xtask", "--", "codegen", "--check"],
        &["doc", "--package", "ecrpublic", "--no-deps", "--quiet"],
        &["test", "--workspace", "--features", "ecrpublic/emulator,ecrpublic/gzip"],
    ];
    let mut steps: Vec<&[&str]> = steps.to_vec();
    // Smithy's compliance suite, where the reference folder is beside this repository.
    if root().join(protocol_tests::DEFAULT_MODEL).is_file() {
        steps.push(&["run", "--quiet", "--package", "xtask", "--", "protocol-tests"]);
    } else {
        println!("note: skipping the protocol tests: {} is absent", protocol_tests::DEFAULT_MODEL);
    }
    // The supply-chain policy (deny.toml); advisories need a database copy, so they are not here.
    let deny = tools::CARGO_DENY.ensure(&root(), &cargo)?;
    let status = std::process::Command::new(&deny)
        .args(["--log-level", "error", "check", "licenses", "bans", "sources"])
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run cargo-deny: {e}"))?;
    if !status.success() {
        return Err("`cargo deny check licenses bans sources` failed".into());
    }
    for step in steps {
        println!("==> cargo {}", step.join(" "));
        let status = std::process::Command::new(&cargo)
            .args(step)
            .current_dir(root())
            // Broken doc links and bad HTML in docs fail the check like any warning.
            .env("RUSTDOCFLAGS", "-D warnings")
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("`cargo {}` failed", step.join(" ")));
        }
    }
    Ok(())
}

/// Builds the bench crate (its own workspace, never part of the main build), runs the criterion
/// benchmark, then the driver that measures everything else and prints the table.
fn bench(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("services") {
        return bench_services::run(&root(), &args[1..]);
    }
    let mut quick = false;
    let mut skip_build_cost = false;
    for a in args {
        match a.as_str() {
            "--quick" => quick = true,
            "--skip-build-cost" => skip_build_cost = true,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let cargo = cargo();
    let root = root();
    let bench_dir = root.join("xtask/bench");
    let target = root.join("target/bench");
    let run = |what: &str, cmd: &mut std::process::Command| -> Result<(), String> {
        eprintln!("==> {what}");
        let status = cmd.status().map_err(|e| format!("cannot run {what}: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{what} failed"))
        }
    };
    let cargo_in_bench = |args: &[&str]| {
        let mut c = std::process::Command::new(&cargo);
        c.args(args)
            .current_dir(&bench_dir)
            .env("CARGO_TARGET_DIR", &target)
            .env("CRITERION_HOME", target.join("criterion"));
        c
    };
    run(
        "cargo build --release (xtask/bench)",
        &mut cargo_in_bench(&["build", "--release", "--locked", "--bin", "ecrpublic-bench"]),
    )?;
    let mut criterion = vec!["bench", "--locked", "--bench", "cpu", "--"];
    if quick {
        criterion.extend(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    // Criterion's own report goes to stderr, so stdout carries only the final table.
    let mut c = cargo_in_bench(&criterion);
    c.stdout(std::process::Stdio::from(std::io::stderr()));
    run("cargo bench --bench cpu (criterion)", &mut c)?;
    let mut driver = std::process::Command::new(target.join("release/ecrpublic-bench"));
    driver.arg("report").arg("--root").arg(&root).current_dir(&root);
    if quick {
        driver.arg("--quick");
    }
    if skip_build_cost {
        driver.arg("--skip-build-cost");
    }
    run("ecrpublic-bench report", &mut driver)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Where cargo keeps its registry.
fn cargo_home() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"),
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

#[derive(Default)]
struct CodegenArgs {
    check: bool,
    model: Option<PathBuf>,
    out: Option<PathBuf>,
    crate_name: Option<String>,
}

fn parse(args: &[String]) -> Result<CodegenArgs, String> {
    let mut out = CodegenArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{a} needs a value\n{USAGE}"));
        match a.as_str() {
            "--check" => out.check = true,
            "--model" => out.model = Some(value()?.into()),
            "--out" => out.out = Some(value()?.into()),
            "--crate-name" => out.crate_name = Some(value()?),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(out)
}

fn codegen(args: &[String]) -> Result<(), String> {
    let args = parse(args)?;
    match (&args.model, &args.out) {
        (None, None) => own_crate(args.check),
        (Some(model), Some(out)) => {
            if args.check {
                return Err("--check applies to the ecrpublic crate only".into());
            }
            let name = args.crate_name.clone().unwrap_or_else(|| default_crate_name(model));
            standalone(model, out, &name)
        }
        _ => Err(format!("--model and --out go together\n{USAGE}")),
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Regenerates (or checks) `ecrpublic/src/generated`.
fn own_crate(check: bool) -> Result<(), String> {
    let root = root();
    let model = read(&root.join("model/ecr-public.json"))?;
    let files = codegen::generate(&model).map_err(|e| e.to_string())?;
    let dir = root.join("ecrpublic/src/generated");
    let mut stale = Vec::new();
    for f in &files {
        let path = dir.join(&f.path);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(f.contents.as_str()) {
            stale.push(path.clone());
            if !check {
                write(&path, &f.contents)?;
            }
        }
    }
    // Files left from an earlier model are stale too.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !files.iter().any(|f| f.path == name) {
                stale.push(entry.path());
                if !check {
                    std::fs::remove_file(entry.path()).map_err(|e| format!("cannot remove {name}: {e}"))?;
                }
            }
        }
    }
    let rel = |p: &PathBuf| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    if check {
        if stale.is_empty() {
            println!("generated code is up to date ({} files)", files.len());
            return Ok(());
        }
        let list: Vec<String> = stale.iter().map(rel).collect();
        return Err(format!(
            "generated code is stale; run `cargo xtask codegen`. Stale files:\n  {}",
            list.join("\n  ")
        ));
    }
    println!("wrote {} of {} generated files", stale.len(), files.len());
    Ok(())
}

fn default_crate_name(model: &Path) -> String {
    let stem = model.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    if name.is_empty() {
        "client".into()
    } else {
        name
    }
}

/// A standalone crate: our runtime copied in beside the generated code, so it builds with no
/// path dependency on this repository.
fn standalone(model_path: &Path, out: &Path, crate_name: &str) -> Result<(), String> {
    let valid = !crate_name.is_empty()
        && crate_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !crate_name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return Err(format!("`{crate_name}` is not a valid crate name"));
    }
    let model = read(model_path)?;
    let files = codegen::generate(&model).map_err(|e| e.to_string())?;
    let lib = codegen::standalone_lib_rs(&model).map_err(|e| e.to_string())?;
    let root = root();
    let manifest = read(&root.join("ecrpublic/Cargo.toml"))?;
    let deps = section(&manifest, "[dependencies]").ok_or("ecrpublic/Cargo.toml has no [dependencies]")?;
    // The runtime's unit tests come with it, and so must what they use.
    let dev_deps = section(&manifest, "[dev-dependencies]").map(|d| format!("\n{d}")).unwrap_or_default();
    // gzip request compression is compiled in only for services whose operations ask for it.
    let default = if model.contains("smithy.api#requestCompression") { "\"gzip\"" } else { "" };
    let features = format!("\n[features]\ndefault = [{default}]\ngzip = [\"dep:miniz_oxide\"]\n");
    // The runtime's minimum Rust version travels with it (clippy's lints follow it too).
    let workspace = read(&root.join("Cargo.toml"))?;
    let rust_version =
        workspace.lines().find_map(|l| l.strip_prefix("rust-version = ")).ok_or("Cargo.toml has no rust-version")?;
    let cargo_toml = format!(
        "[package]\nname = \"{crate_name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = {rust_version}\npublish = false\n\n\
         # A crate of its own, even when written inside another workspace.\n[workspace]\n\n{deps}{dev_deps}{features}"
    );
    write(&out.join("Cargo.toml"), &cargo_toml)?;
    write(&out.join("src/lib.rs"), &lib)?;
    // Written afresh, so a runtime file since removed or moved does not linger in an old copy.
    let rt_dir = out.join("src/rt");
    let _ = std::fs::remove_dir_all(&rt_dir);
    copy_dir(&root.join("ecrpublic/src/rt"), &rt_dir)?;
    let gen_dir = out.join("src/generated");
    let _ = std::fs::remove_dir_all(&gen_dir);
    for f in &files {
        write(&gen_dir.join(&f.path), &f.contents)?;
    }
    println!("wrote crate `{crate_name}` to {}", out.display());
    Ok(())
}

/// The text of one TOML table, header included, up to the next table.
fn section(toml: &str, header: &str) -> Option<String> {
    let start = toml.find(header)?;
    let rest = &toml[start..];
    let end = rest[header.len()..].find("\n[").map_or(rest.len(), |i| i + header.len() + 1);
    Some(rest[..end].trim_end().to_string() + "\n")
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            write(&dest, &read(&path)?)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_stops_at_next_table() {
        let t = "[package]\nname = \"x\"\n\n[dependencies]\na = \"1\"\n\n[dev-dependencies]\nb = \"2\"\n";
        assert_eq!(section(t, "[dependencies]").unwrap(), "[dependencies]\na = \"1\"\n");
        assert!(section(t, "[features]").is_none());
    }

    #[test]
    fn arguments() {
        let a = parse(&["--model".into(), "m.json".into(), "--out".into(), "o".into()]).unwrap();
        assert_eq!(a.model.unwrap(), PathBuf::from("m.json"));
        assert!(parse(&["--model".into()]).is_err());
        assert!(parse(&["--bogus".into()]).is_err());
        assert_eq!(default_crate_name(Path::new("/x/Secrets Manager.json")), "secrets-manager");
    }
}
