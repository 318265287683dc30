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

const USAGE: &str =
    "usage: cargo xtask check-models [--together TEST.rs] [NAME=]MODEL.json... | DIR [--build [--sample N]]";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if let Some(dir) = args.first().map(PathBuf::from).filter(|d| d.is_dir()) {
        return run_dir(root, &dir, &args[1..]);
    }
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
        match write_crate(root, &runtime, name, model) {
            Ok((manifest, written)) => {
                println!("wrote crate `{name}` to {}", crates_dir(root).join(name).display());
                println!("{}", manifest.summary(name, written));
                generated.push(name.clone());
            }
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

/// `check-models DIR`: every awsJson model under `dir`, generated in memory and timed, one TSV
/// line each; with `--build`, the crates (or an even sample of them) are also written and checked.
fn run_dir(root: &Path, dir: &Path, args: &[String]) -> Result<(), String> {
    let (mut build, mut sample) = (false, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--build" => build = true,
            "--sample" => {
                let n = it.next().and_then(|n| n.parse::<usize>().ok()).filter(|&n| n > 0);
                sample = Some(n.ok_or("--sample takes a count of at least 1")?);
            }
            _ => return Err(USAGE.into()),
        }
    }
    if sample.is_some() && !build {
        return Err("--sample goes with --build".into());
    }
    let models = awsjson_models(dir)?;
    if models.is_empty() {
        return Err(format!("no awsJson model under {}", dir.display()));
    }
    let chosen: Vec<bool> = match sample {
        Some(n) => spread(models.len(), n),
        None => vec![build; models.len()],
    };
    let mut table = String::from("model\toperations\tresult\tseconds\n");
    print!("{table}");
    let (mut generated, mut tried, mut passed) = (0, 0, 0);
    let runtime = super::Runtime::Path(root.join("runtime"));
    let mut to_build = Vec::new();
    for ((name, path), build_it) in models.iter().zip(&chosen) {
        let start = std::time::Instant::now();
        let outcome = super::read_model(path).and_then(|m| codegen::generate_manifest(&m).map_err(|e| e.to_string()));
        let seconds = start.elapsed().as_secs_f64();
        let (operations, result) = match &outcome {
            Ok(manifest) => {
                generated += 1;
                for w in &manifest.warnings {
                    eprintln!("{name}: warning: {w}");
                }
                let warnings = manifest.warnings.len();
                let result =
                    if warnings == 0 { "generated".to_owned() } else { format!("generated, {warnings} warnings") };
                (manifest.operations.len().to_string(), result)
            }
            Err(e) => ("-".to_owned(), format!("FAILED: {}", first_line(e))),
        };
        if outcome.is_ok() && *build_it {
            to_build.push((name.clone(), path.clone()));
        }
        let line = format!("{name}\t{operations}\t{result}\t{seconds:.2}\n");
        print!("{line}");
        table.push_str(&line);
    }
    // Built after every crate is written: they are members of one workspace and one target dir.
    let mut built = Vec::new();
    for (name, path) in &to_build {
        match write_crate(root, &runtime, name, path) {
            Ok(_) => built.push(name.clone()),
            Err(e) => {
                let line = format!("{name}\t-\tFAILED to write: {}\t-\n", first_line(&e));
                print!("{line}");
                table.push_str(&line);
            }
        }
    }
    if !built.is_empty() {
        workspace(root)?;
    }
    for name in &built {
        tried += 1;
        let start = std::time::Instant::now();
        let result = match check(root, &crates_dir(root).join(name)) {
            Ok(tests) => {
                passed += 1;
                format!("built and tested, {tests} tests passed")
            }
            Err(e) => {
                eprintln!("{name}: {e}");
                format!("FAILED to build or test: {}", first_line(&e))
            }
        };
        let line = format!("{name}\t-\t{result}\t{:.1}\n", start.elapsed().as_secs_f64());
        print!("{line}");
        table.push_str(&line);
    }
    let mut summary = format!("{generated}/{} generated", models.len());
    if build {
        summary.push_str(&format!(", {passed}/{tried} built and tested"));
    }
    println!("{summary}");
    table.push_str(&format!("# {summary}\n"));
    super::write(&root.join("target/check-models.tsv"), &table)?;
    if generated == models.len() && passed == tried {
        Ok(())
    } else {
        Err(summary)
    }
}

/// The awsJson 1.0 and 1.1 models under `dir`, sorted, each with a crate name that is unique:
/// the service folder's name in an api-models-aws copy (`models/<service>/service/<version>/`),
/// else the file's.
fn awsjson_models(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut models: Vec<(String, PathBuf)> = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if !(text.contains("\"aws.protocols#awsJson1_0\"") || text.contains("\"aws.protocols#awsJson1_1\"")) {
            continue;
        }
        let service_dir =
            path.parent().and_then(Path::parent).filter(|p| p.file_name().is_some_and(|n| n == "service"));
        let name = match service_dir.and_then(Path::parent) {
            Some(service) => super::default_crate_name(&service.with_extension("json")),
            None => super::default_crate_name(&path),
        };
        let mut unique = name.clone();
        let mut n = 2;
        while models.iter().any(|(m, _)| *m == unique) {
            unique = format!("{name}-{n}");
            n += 1;
        }
        models.push((unique, path));
    }
    Ok(models)
}

/// Which of `len` items an even sample of `n` takes: the first, the last and evenly between.
fn spread(len: usize, n: usize) -> Vec<bool> {
    let mut chosen = vec![false; len];
    if n >= len {
        return vec![true; len];
    }
    for i in 0..n {
        let at = if n == 1 { 0 } else { i * (len - 1) / (n - 1) };
        chosen[at] = true;
    }
    chosen
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim()
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

/// The crate of `model` under [`crates_dir`], with the model's own tests: its manifest and how
/// many files were written.
fn write_crate(
    root: &Path,
    runtime: &super::Runtime,
    name: &str,
    model: &Path,
) -> Result<(codegen::Manifest, usize), String> {
    let dir = crates_dir(root).join(name);
    let written = super::write_standalone(model, &dir, name, runtime)?;
    copy_model_tests(model, &dir)?;
    Ok(written)
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
    use super::{passed_tests, spread};

    #[test]
    fn a_sample_is_spread_over_the_list_and_has_its_size() {
        let picked =
            |len, n| spread(len, n).iter().enumerate().filter(|(_, c)| **c).map(|(i, _)| i).collect::<Vec<_>>();
        assert_eq!(picked(10, 3), [0, 4, 9]);
        assert_eq!(picked(153, 25).len(), 25);
        assert_eq!(picked(3, 5), [0, 1, 2]);
        assert_eq!(picked(7, 1), [0]);
    }

    #[test]
    fn counts_passed_tests_over_all_test_binaries() {
        let out = "running 3 tests\n...\ntest result: ok. 3 passed; 0 failed; 0 ignored\n\
                   test result: ok. 0 passed; 0 failed\ntest result: ok. 12 passed; 0 failed\n";
        assert_eq!(passed_tests(out), 15);
        assert_eq!(passed_tests("test result: FAILED. 1 passed; 2 failed"), 0);
    }
}
