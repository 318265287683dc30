//! `cargo xtask bench services`: the build cost of one program that talks to three services
//! (ECR Public, KMS and Step Functions), with our generated crates and with the official SDK.
//!
//! Each variant is a tiny program built from clean, debug and release, in a fresh target
//! directory: wall time, `Compiling` lines, the stripped release binary and the lines of Rust
//! behind the three clients. `--before REV` adds this repository at another commit as a third
//! variant, so a change of the generated crates' layout is measured side by side in one run.
//!
//! The KMS and SFN models come from a copy of AWS's published Smithy models
//! (`git clone https://github.com/aws/api-models-aws`), named by `--models-repo DIR` or
//! `$AWS_API_MODELS`; a bare git directory works too. They are read at bench time, never committed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask bench services [--models-repo DIR] [--before REV] [--runs N]";

/// The two services besides ECR Public, with their model's path in AWS's models repository.
const SERVICES: [(&str, &str); 2] = [
    ("kms", "models/kms/service/2014-11-01/kms-2014-11-01.json"),
    ("sfn", "models/sfn/service/2016-11-23/sfn-2016-11-23.json"),
];

struct Args {
    models_repo: PathBuf,
    before: Option<String>,
    runs: usize,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut models_repo = std::env::var_os("AWS_API_MODELS").map(PathBuf::from);
    let mut before = None;
    let mut runs = 1;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{a} needs a value\n{USAGE}"));
        match a.as_str() {
            "--models-repo" => models_repo = Some(value()?.into()),
            "--before" => before = Some(value()?),
            "--runs" => {
                runs =
                    value()?.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("--runs takes a count\n{USAGE}"))?
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let models_repo = models_repo.ok_or_else(|| {
        format!(
            "name a copy of https://github.com/aws/api-models-aws with --models-repo DIR or $AWS_API_MODELS\n{USAGE}"
        )
    })?;
    Ok(Args { models_repo, before, runs })
}

/// One program to build: where its manifest is, and what to pass to `cargo build`.
struct Variant {
    label: String,
    /// The directory `cargo build` runs in.
    dir: PathBuf,
    /// `-p NAME` where the program is one member of a larger workspace.
    package: Option<&'static str>,
    binary: &'static str,
    /// Lockfile use: `--locked` (committed lock) or `--offline` (a lock copied from the tree).
    lock_flag: &'static str,
    /// The Rust sources behind the three clients, for the line count.
    sources: Vec<PathBuf>,
}

#[derive(Clone, Copy, Default)]
struct Build {
    seconds: f64,
    crates: usize,
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let args = parse(args)?;
    let work = root.join("target/bench/services");
    let models = work.join("models");
    for (name, path) in SERVICES {
        let json = read_model(&args.models_repo, path)?;
        super::write(&models.join(format!("{name}.json")), &json)?;
    }
    let mut variants = vec![ours(root, &work.join("ours"), &models, "ours (this tree)")?];
    if let Some(rev) = &args.before {
        let tree = work.join("before-tree");
        checkout(root, rev, &tree)?;
        variants.push(ours(&tree, &work.join("before"), &models, &format!("ours at {rev}"))?);
    }
    variants.push(official(root));

    let mut debug = vec![Vec::new(); variants.len()];
    let mut release = vec![Vec::new(); variants.len()];
    let mut stripped = vec![0u64; variants.len()];
    // Variants alternate within each run, so a change in the machine's load hits all alike.
    for run in 1..=args.runs {
        for (i, v) in variants.iter().enumerate() {
            debug[i].push(clean_build(root, v, false, run)?);
            release[i].push(clean_build(root, v, true, run)?);
            stripped[i] = strip(root, v)?;
        }
    }
    let official_index = variants.len() - 1;
    let median = |builds: &[Build], f: fn(&Build) -> f64| {
        let mut xs: Vec<f64> = builds.iter().map(f).collect();
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    let official_sources = official_sources(root)?;
    let rows: Vec<[f64; 5]> = variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let sources = if i == official_index { &official_sources } else { &v.sources };
            let lines: u64 = sources.iter().map(|d| rust_lines(d)).sum();
            [
                median(&debug[i], |b| b.seconds),
                median(&release[i], |b| b.seconds),
                median(&release[i], |b| b.crates as f64),
                stripped[i] as f64 / 1024.0,
                lines as f64,
            ]
        })
        .collect();
    println!("Program: one call each to ECR Public, KMS and SFN; median of {} clean build(s).\n", args.runs);
    println!("| figure | {} |", variants.iter().map(|v| v.label.as_str()).collect::<Vec<_>>().join(" | "));
    println!("| --- |{}", " ---: |".repeat(variants.len()));
    let names = [
        "clean debug build (s)",
        "clean release build (s)",
        "crates compiled (release)",
        "stripped release binary (KiB)",
        "lines of Rust behind the clients",
    ];
    for (f, name) in names.iter().enumerate() {
        let cells: Vec<String> = rows
            .iter()
            .map(|r| {
                let ratio = r[f] / rows[official_index][f];
                format!("{} ({ratio:.2}x)", fmt(r[f]))
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    println!("\n(x: against the official SDK, same run)");
    Ok(())
}

fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A model file from AWS's models repository: a checkout, or a bare git directory.
fn read_model(repo: &Path, path: &str) -> Result<String, String> {
    let file = repo.join(path);
    if file.is_file() {
        return super::read(&file);
    }
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(["show", &format!("HEAD:{path}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("{path} is not in {}: {}", repo.display(), String::from_utf8_lossy(&out.stderr).trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{path} is not UTF-8"))
}

/// This repository at `rev`, checked out (detached) into `tree`.
fn checkout(root: &Path, rev: &str, tree: &Path) -> Result<(), String> {
    if tree.exists() {
        // Left from an earlier run; a worktree must be removed through git.
        let _ = git(root, &["worktree", "remove", "--force", &tree.to_string_lossy()]);
        let _ = std::fs::remove_dir_all(tree);
        git(root, &["worktree", "prune"])?;
    }
    git(root, &["worktree", "add", "--detach", &tree.to_string_lossy(), rev])
}

fn git(root: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("git").args(args).current_dir(root).output().map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Our program, in `dir`: the tree's own generator writes the KMS and SFN crates beside it, and
/// it depends on them and on the tree's `ecrpublic`.
fn ours(tree: &Path, dir: &Path, models: &Path, label: &str) -> Result<Variant, String> {
    let _ = std::fs::remove_dir_all(dir);
    let mut sources = vec![tree.join("ecrpublic/src")];
    // (rust_lines leaves out the emulator: the program does not compile it.)
    for (name, _) in SERVICES {
        let out = dir.join(name);
        let status = Command::new(super::cargo())
            .args(["run", "--quiet", "--package", "xtask", "--", "codegen", "--model"])
            .arg(models.join(format!("{name}.json")))
            .arg("--out")
            .arg(&out)
            .args(["--crate-name", name])
            .current_dir(tree)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("generating {name} in {} failed", tree.display()));
        }
        sources.push(out.join("src"));
    }
    // A crate that depends on the runtime by path counts the runtime's lines once.
    let runtime = tree.join("runtime/src");
    if runtime.is_dir() {
        sources.push(runtime);
    }
    let app = dir.join("app");
    let ecrpublic = tree.join("ecrpublic");
    let manifest = format!(
        "# Written by `cargo xtask bench services`.\n[package]\nname = \"services-ours\"\nversion = \"0.1.0\"\n\
         edition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\n\
         ecrpublic = {{ path = {ecrpublic:?} }}\nkms = {{ path = \"../kms\" }}\nsfn = {{ path = \"../sfn\" }}\n\
         tokio = {{ version = \"1\", features = [\"rt\", \"macros\"] }}\n"
    );
    super::write(&app.join("Cargo.toml"), &manifest)?;
    let main = super::read(&super::root().join("xtask/bench/services-ours.rs"))?;
    super::write(&app.join("src/main.rs"), &main)?;
    // The tree's lock pins the versions its runtime was tested with; nothing is fetched.
    std::fs::copy(tree.join("Cargo.lock"), app.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    Ok(Variant {
        label: label.to_string(),
        dir: app,
        package: None,
        binary: "services-ours",
        lock_flag: "--offline",
        sources,
    })
}

/// The official SDK's program: a member of the bench workspace, pinned by its committed lock.
fn official(root: &Path) -> Variant {
    Variant {
        label: "official SDK".into(),
        dir: root.join("xtask/bench"),
        package: Some("services-official"),
        binary: "services-official",
        lock_flag: "--locked",
        // Known once cargo has fetched and unpacked the crates: see `official_sources`.
        sources: Vec::new(),
    }
}

/// The official crates' sources in cargo's registry, at the versions the bench lock pins.
fn official_sources(root: &Path) -> Result<Vec<PathBuf>, String> {
    let registry = super::cargo_home().join("registry/src");
    let mut sources = Vec::new();
    for krate in ["aws-sdk-ecrpublic", "aws-sdk-kms", "aws-sdk-sfn"] {
        let version = locked_version(&root.join("xtask/bench/Cargo.lock"), krate)
            .ok_or_else(|| format!("xtask/bench/Cargo.lock does not pin {krate}"))?;
        // The source is unpacked once the crate has been fetched; the first build fetches it.
        let unpacked = std::fs::read_dir(&registry)
            .into_iter()
            .flatten()
            .flatten()
            .map(|index| index.path().join(format!("{krate}-{version}/src")))
            .find(|src| src.is_dir());
        sources
            .push(unpacked.ok_or_else(|| format!("{krate} {version} is not unpacked under {}", registry.display()))?);
    }
    Ok(sources)
}

fn locked_version(lock: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(lock).ok()?;
    let at = text.find(&format!("name = \"{name}\"\n"))?;
    let rest = &text[at..];
    let line = rest.lines().nth(1)?;
    Some(line.strip_prefix("version = \"")?.trim_end_matches('"').to_string())
}

fn target_dir(root: &Path, v: &Variant) -> PathBuf {
    root.join("target/bench/services/build").join(v.label.replace(|c: char| !c.is_ascii_alphanumeric(), "-"))
}

/// A clean build of one variant in a fresh target directory.
fn clean_build(root: &Path, v: &Variant, release: bool, run: usize) -> Result<Build, String> {
    let target = target_dir(root, v);
    let _ = std::fs::remove_dir_all(&target);
    let mut cmd = Command::new(super::cargo());
    cmd.args(["build", v.lock_flag])
        .current_dir(&v.dir)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_TERM_COLOR", "never");
    if release {
        cmd.arg("--release");
    }
    if let Some(p) = v.package {
        cmd.args(["-p", p]);
    }
    let start = Instant::now();
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    let seconds = start.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("building {} failed:\n{log}", v.label));
    }
    let crates = log.lines().filter(|l| l.trim_start().starts_with("Compiling ")).count();
    let profile = if release { "release" } else { "debug" };
    eprintln!("  {} {profile} #{run}: {seconds:.1} s, {crates} crates", v.label);
    Ok(Build { seconds, crates })
}

/// The size of the last release build's binary after `strip`.
fn strip(root: &Path, v: &Variant) -> Result<u64, String> {
    let target = target_dir(root, v);
    let stripped = target.join(format!("{}.stripped", v.binary));
    std::fs::copy(target.join("release").join(v.binary), &stripped)
        .map_err(|e| format!("cannot copy the binary: {e}"))?;
    let ok = Command::new("strip").arg(&stripped).status().map_err(|e| format!("cannot run strip: {e}"))?.success();
    if !ok {
        return Err("strip failed".into());
    }
    std::fs::metadata(&stripped).map(|m| m.len()).map_err(|e| e.to_string())
}

/// Lines of `.rs` under `dir`, recursively (0 where it does not exist), leaving out the ECR
/// Public emulator and its binary, which a client program does not compile.
fn rust_lines(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                let skipped = path.ends_with("ecrpublic/src/emulator") || path.ends_with("ecrpublic/src/bin");
                if skipped {
                    0
                } else {
                    rust_lines(&path)
                }
            } else if path.extension().is_some_and(|x| x == "rs") {
                std::fs::read_to_string(&path).map_or(0, |s| s.lines().count() as u64)
            } else {
                0
            }
        })
        .sum()
}
