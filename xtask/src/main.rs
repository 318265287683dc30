//! Project tasks: `cargo xtask codegen [--check]`,
//! `cargo xtask codegen --model PATH --out DIR [--crate-name NAME] [--runtime ...]` for another
//! service's crate,
//! `cargo xtask check-models` to prove such crates, `cargo xtask protocol-tests`,
//! `cargo xtask model-diff` to compare our model with botocore's, and
//! `cargo xtask bench` to compare the client with the official SDK.
#![forbid(unsafe_code)]

mod bench_push;
mod bench_services;
mod check_models;
mod model_diff;
mod newest_deps;
mod protocol_tests;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every optional feature, so clippy and the tests see all the code (`cargo xtask test` and the
/// newest-dependencies run).
const TEST_FEATURES: &str = "ecrpublic/emulator,ecrpublic/gzip,ecrpublic/http2,ecrpublic/push,awsjson-runtime/sigv4a";

const USAGE: &str = "usage:
  cargo xtask test
      everything CI checks: cargo fmt --check, clippy -D warnings, codegen --check, docs,
      packaging of awsjson-runtime and ecrpublic, all tests, and cargo-deny's licenses, bans and
      sources checks (installs the pinned cargo-deny once)
  cargo xtask protocol-tests [--model PATH]
      run Smithy's protocol compliance tests (default: the awsJson 1.1 suite in ../shared/reference)
      against a client generated into target/; ends with `N passed, N failed, N skipped`
  cargo xtask codegen [--check]
      regenerate ecrpublic/src/generated from model/ecr-public.json
      (--check: change nothing, fail and name the stale files if the committed output differs)
  cargo xtask codegen --model PATH --out DIR [--crate-name NAME] [--runtime path=DIR|version=X.Y.Z]
      write a client crate for another awsJson service model: generated code and a thin lib.rs,
      depending on awsjson-runtime (default: this workspace's runtime/ by path when DIR is under
      its target/, else the runtime's version from the registry); it declares no [workspace]
  cargo xtask check-models [NAME=]MODEL...
      generate each model into target/generated-crates/NAME and check that the crate builds,
      passes clippy -D warnings and rustdoc without warnings, and passes its generated tests
  cargo xtask check-models DIR [--build [--sample N]]
      every awsJson model under DIR (a copy of github.com/aws/api-models-aws, say): one TSV line
      each (model, operations, result, seconds), then `N/M generated`; the table is also written
      to target/check-models.tsv. --build also builds, lints and tests each crate as above, in
      one shared target dir; --sample N builds only N of them, spread evenly over the list
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
      copy of github.com/aws/api-models-aws (--models-repo or $AWS_API_MODELS)
  cargo xtask newest-deps
      clippy -D warnings and the tests against the newest dependency versions the manifests
      allow (cargo update in a copy under target/newest-deps; needs crates.io)
  cargo xtask bench parts [--quick]
      criterion: the runtime's hand-written JSON reader and writer, dates and hex against
      serde_json, httpdate, time and hex
  cargo xtask bench push [--layer DIR]... [--runs N] [--concurrency N]
      a real multi-layer OCI image (a gzip layer per DIR; default the Rust toolchain's bin,
      share/man and etc) pushed to the emulator by the release push example: wall and CPU time, a second
      push that skips every blob, and `skopeo copy` pulling it back with identical digests";

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
        Some("newest-deps") => newest_deps::run(&root()),
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
    let steps: [&[&str]; 7] = [
        &["fmt", "--all", "--check"],
        &["clippy", "--workspace", "--all-targets", "--features", TEST_FEATURES, "--", "-D", "warnings"],
        &["run", "--quiet", "--package", "xtask", "--", "codegen", "--check"],
        &["doc", "--package", "ecrpublic", "--no-deps", "--quiet"],
        // The runtime's docs with every feature, as docs.rs builds them.
        &["doc", "--package", "awsjson-runtime", "--no-deps", "--all-features", "--quiet"],
        // Both crates still package for crates.io (metadata, readme, the files they need);
        // building the packages is `cargo publish --dry-run`, left to a release.
        &[
            "package",
            "--package",
            "awsjson-runtime",
            "--package",
            "ecrpublic",
            "--no-verify",
            "--allow-dirty",
            "--quiet",
        ],
        &["test", "--workspace", "--features", TEST_FEATURES],
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

/// `cargo xtask bench parts [--quick]`: the criterion benchmark of the runtime's hand-written
/// JSON reader and writer, dates and hex against `serde_json`, `httpdate`, `time` and `hex`
/// (`xtask/bench/benches/parts.rs`). Criterion prints each pair's median on stderr.
fn bench_parts(args: &[String]) -> Result<(), String> {
    let quick = match args {
        [] => false,
        [q] if q == "--quick" => true,
        _ => return Err(format!("unknown arguments {args:?}\n{USAGE}")),
    };
    let mut criterion = vec!["bench", "--locked", "--bench", "parts", "--"];
    if quick {
        criterion.extend(["--warm-up-time", "1", "--measurement-time", "2"]);
    }
    run("cargo bench --bench parts (criterion)", &mut cargo_in_bench(&root(), &criterion))
}

/// `cargo ARGS` in the bench workspace, building into `target/bench` and keeping criterion's
/// history there.
fn cargo_in_bench(root: &Path, args: &[&str]) -> std::process::Command {
    let target = root.join("target/bench");
    let mut c = std::process::Command::new(cargo());
    c.args(args)
        .current_dir(root.join("xtask/bench"))
        .env("CARGO_TARGET_DIR", &target)
        .env("CRITERION_HOME", target.join("criterion"));
    c
}

/// Runs `cmd` to its end, announced as `what`; a failure names it.
fn run(what: &str, cmd: &mut std::process::Command) -> Result<(), String> {
    eprintln!("==> {what}");
    let status = cmd.status().map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed"))
    }
}

/// Builds the bench crate (its own workspace, never part of the main build), runs the criterion
/// benchmark, then the driver that measures everything else and prints the table.
fn bench(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("services") {
        return bench_services::run(&root(), &args[1..]);
    }
    if args.first().map(String::as_str) == Some("parts") {
        return bench_parts(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("push") {
        return bench_push::run(&root(), &args[1..]);
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
    let root = root();
    let target = root.join("target/bench");
    run(
        "cargo build --release (xtask/bench)",
        &mut cargo_in_bench(&root, &["build", "--release", "--locked", "--bin", "ecrpublic-bench"]),
    )?;
    let mut criterion = vec!["bench", "--locked", "--bench", "cpu", "--"];
    if quick {
        criterion.extend(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    // Criterion's own report goes to stderr, so stdout carries only the final table.
    let mut c = cargo_in_bench(&root, &criterion);
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
    runtime: Option<Runtime>,
}

/// How a generated crate depends on `awsjson-runtime`.
#[derive(Debug, Clone, PartialEq)]
pub enum Runtime {
    /// `path = DIR`: a runtime checked out beside the crate (this workspace's `runtime/`).
    Path(PathBuf),
    /// `version = X.Y.Z` from the registry.
    Version(String),
}

impl Runtime {
    fn parse(arg: &str) -> Result<Runtime, String> {
        match arg.split_once('=') {
            Some(("path", dir)) if !dir.is_empty() => Ok(Runtime::Path(dir.into())),
            Some(("version", v))
                if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || ".-+^~=<>*, ".contains(c)) =>
            {
                Ok(Runtime::Version(v.into()))
            }
            _ => Err(format!("--runtime takes `path=DIR` or `version=X.Y.Z`, not `{arg}`")),
        }
    }

    /// This workspace's runtime by path for a crate written under its `target/` (where
    /// check-models and protocol-tests build), else the runtime's released version.
    fn default_for(root: &Path, out: &Path) -> Result<Runtime, String> {
        let out = absolute(out);
        if out.starts_with(root.join("target")) {
            return Ok(Runtime::Path(root.join("runtime")));
        }
        let manifest = read(&root.join("runtime/Cargo.toml"))?;
        let version = manifest
            .lines()
            .find_map(|l| l.strip_prefix("version = \""))
            .and_then(|v| v.strip_suffix('"'))
            .ok_or("runtime/Cargo.toml has no version")?;
        Ok(Runtime::Version(version.into()))
    }

    /// The dependency's value in the crate at `out`: a path is written relative to it when
    /// they share an ancestor, so the pair can move together.
    fn toml(&self, out: &Path) -> String {
        match self {
            Runtime::Version(v) => format!("{{ version = \"{v}\" }}"),
            Runtime::Path(dir) => {
                let dir = absolute(dir);
                let rel = relative(&dir, &absolute(out)).unwrap_or(dir);
                format!("{{ path = \"{}\" }}", rel.display().to_string().replace('\\', "/"))
            }
        }
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `to` as seen from the folder `from`, both absolute: `../../runtime`.
fn relative(to: &Path, from: &Path) -> Option<PathBuf> {
    let to: Vec<_> = to.components().collect();
    let from: Vec<_> = from.components().collect();
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut rel: PathBuf = from[common..].iter().map(|_| "..").collect();
    rel.extend(&to[common..]);
    Some(rel)
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
            "--runtime" => out.runtime = Some(Runtime::parse(&value()?)?),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(out)
}

fn codegen(args: &[String]) -> Result<(), String> {
    let args = parse(args)?;
    match (&args.model, &args.out) {
        (None, None) if args.runtime.is_none() && args.crate_name.is_none() => own_crate(args.check),
        (Some(model), Some(out)) => {
            if args.check {
                return Err("--check applies to the ecrpublic crate only".into());
            }
            let name = args.crate_name.clone().unwrap_or_else(|| default_crate_name(model));
            let runtime = match args.runtime {
                Some(r) => r,
                None => Runtime::default_for(&root(), out)?,
            };
            standalone(model, out, &name, &runtime)
        }
        _ => Err(format!("--model and --out go together (and --crate-name and --runtime with them)\n{USAGE}")),
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The largest model a `.json.gz` file may unpack to (AWS's largest, EC2, is about 9 MB).
const MAX_MODEL_BYTES: u64 = 64 * 1024 * 1024;

/// A model file: JSON, or gzipped JSON when the name ends in `.gz` (how the larger AWS models
/// committed as fixtures are kept small).
fn read_model(path: &Path) -> Result<String, String> {
    use std::io::Read;
    if !path.extension().is_some_and(|e| e == "gz") {
        return read(path);
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .take(MAX_MODEL_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot unpack {}: {e}", path.display()))?;
    if text.len() as u64 > MAX_MODEL_BYTES {
        return Err(format!("{} unpacks to more than {MAX_MODEL_BYTES} bytes", path.display()));
    }
    Ok(text)
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
    let manifest = codegen::generate_crate(&model, "ecrpublic").map_err(|e| e.to_string())?;
    let files = &manifest.files;
    let dir = root.join("ecrpublic/src/generated");
    let mut stale = Vec::new();
    for f in files {
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
    println!("{}", manifest.summary("ecrpublic", stale.len()));
    Ok(())
}

fn default_crate_name(model: &Path) -> String {
    // A fixture is `<name>/model.json` (or `model.json.gz`): its folder names it.
    let unpacked = if model.extension().is_some_and(|e| e == "gz") { model.with_extension("") } else { model.into() };
    let stem = unpacked.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let named_by = if stem == "model" { model.parent().and_then(Path::file_name) } else { None };
    let stem = named_by.map(|s| s.to_string_lossy().into_owned()).unwrap_or(stem);
    let name: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    if name.is_empty() {
        "client".into()
    } else {
        name
    }
}

/// A crate of generated code and a thin `lib.rs`, depending on `awsjson-runtime`. It declares no
/// `[workspace]`: written inside a workspace, it becomes one of its members.
pub fn standalone(model_path: &Path, out: &Path, crate_name: &str, runtime: &Runtime) -> Result<(), String> {
    let (manifest, written) = write_standalone(model_path, out, crate_name, runtime)?;
    println!("wrote crate `{crate_name}` to {}", out.display());
    println!("{}", manifest.summary(crate_name, written));
    Ok(())
}

/// [`standalone`] without a word on stdout: the manifest and how many files were written.
pub fn write_standalone(
    model_path: &Path,
    out: &Path,
    crate_name: &str,
    runtime: &Runtime,
) -> Result<(codegen::Manifest, usize), String> {
    let valid = !crate_name.is_empty()
        && crate_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !crate_name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return Err(format!("`{crate_name}` is not a valid crate name"));
    }
    let model = read_model(model_path)?;
    let manifest = codegen::generate_crate(&model, crate_name).map_err(|e| e.to_string())?;
    let files = &manifest.files;
    let lib = codegen::standalone_lib_rs(&model).map_err(|e| e.to_string())?;
    let root = root();
    // gzip request compression is compiled in only for services whose operations ask for it.
    // So is `Content-MD5`, for those with `@httpChecksumRequired`, and SigV4a for those whose
    // endpoints use it. HTTP/2 is the user's choice (`http2`).
    let default: Vec<&str> = [
        ("smithy.api#requestCompression", "\"gzip\""),
        ("smithy.api#httpChecksumRequired", "\"content-md5\""),
        // Endpoint rules (or the service's auth traits) that name SigV4a.
        ("sigv4a", "\"sigv4a\""),
    ]
    .into_iter()
    .filter(|(used, _)| model.contains(used))
    .map(|(_, feature)| feature)
    .collect();
    let default = default.join(", ");
    // The runtime's minimum Rust version is the crate's too (clippy's lints follow it).
    let workspace = read(&root.join("Cargo.toml"))?;
    let rust_version =
        workspace.lines().find_map(|l| l.strip_prefix("rust-version = ")).ok_or("Cargo.toml has no rust-version")?;
    let runtime_dep = runtime.toml(out);
    let cargo_toml = format!(
        "[package]\nname = \"{crate_name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = {rust_version}\n\
         publish = false\n\n[dependencies]\nawsjson-runtime = {runtime_dep}\n\n\
         # The generated tests are `#[tokio::test]`s, some in paused time.\n[dev-dependencies]\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt\", \"test-util\"] }}\n\n\
         [features]\ndefault = [{default}]\ngzip = [\"awsjson-runtime/gzip\"]\n\
         content-md5 = [\"awsjson-runtime/content-md5\"]\nsigv4a = [\"awsjson-runtime/sigv4a\"]\n\
         http2 = [\"awsjson-runtime/http2\"]\n"
    );
    write(&out.join("Cargo.toml"), &cargo_toml)?;
    write(&out.join("src/lib.rs"), &lib)?;
    // A copy of the runtime left by an older generator would only confuse.
    let _ = std::fs::remove_dir_all(out.join("src/rt"));
    let gen_dir = out.join("src/generated");
    let _ = std::fs::remove_dir_all(&gen_dir);
    for f in files {
        write(&gen_dir.join(&f.path), &f.contents)?;
    }
    let written = files.len();
    Ok((manifest, written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_dependency() {
        assert_eq!(Runtime::parse("version=0.2.0").unwrap(), Runtime::Version("0.2.0".into()));
        assert_eq!(Runtime::parse("path=../rt").unwrap(), Runtime::Path("../rt".into()));
        assert!(Runtime::parse("git=x").is_err());
        assert!(Runtime::parse("version=\"").is_err());
        let root = Path::new("/w");
        assert_eq!(
            Runtime::default_for(root, Path::new("/w/target/generated-crates/a")).unwrap(),
            Runtime::Path("/w/runtime".into())
        );
        let rt = Runtime::Path("/w/runtime".into());
        assert_eq!(rt.toml(Path::new("/w/target/generated-crates/a")), "{ path = \"../../../runtime\" }");
        assert_eq!(Runtime::Version("0.1.0".into()).toml(Path::new("/x")), "{ version = \"0.1.0\" }");
    }

    #[test]
    fn arguments() {
        let a = parse(&["--model".into(), "m.json".into(), "--out".into(), "o".into()]).unwrap();
        assert_eq!(a.model.unwrap(), PathBuf::from("m.json"));
        assert!(parse(&["--model".into()]).is_err());
        assert!(parse(&["--bogus".into()]).is_err());
        assert_eq!(default_crate_name(Path::new("/x/Secrets Manager.json")), "secrets-manager");
        assert_eq!(default_crate_name(Path::new("/f/aws/dynamodb/model.json.gz")), "dynamodb");
        assert_eq!(default_crate_name(Path::new("/f/kms-2014-11-01.json.gz")), "kms-2014-11-01");
    }

    #[test]
    fn gzipped_models_are_unpacked_and_bounded() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("xtask-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let packed = |name: &str, bytes: &[u8]| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(bytes).unwrap();
            let path = dir.join(name);
            std::fs::write(&path, gz.finish().unwrap()).unwrap();
            path
        };
        let text = r#"{"smithy":"2.0","shapes":{}}"#;
        assert_eq!(read_model(&packed("m.json.gz", text.as_bytes())).unwrap(), text);
        // A bomb: far more than a model once unpacked.
        let big = packed("big.json.gz", &vec![b' '; MAX_MODEL_BYTES as usize + 10]);
        assert!(read_model(&big).unwrap_err().contains("more than"));
        std::fs::write(dir.join("bad.json.gz"), b"not gzip").unwrap();
        assert!(read_model(&dir.join("bad.json.gz")).unwrap_err().contains("cannot unpack"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
