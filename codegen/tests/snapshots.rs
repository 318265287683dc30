//! Snapshot tests: each fixture model under `tests/fixtures/<name>/model.json` is generated and
//! every file compared with `tests/fixtures/<name>/expected/<file>`.
//!
//! After an intended change to the generator, rewrite the expected files with
//!
//! ```text
//! UPDATE_SNAPSHOTS=1 cargo test -p ecrpublic-codegen --test snapshots
//! ```
//!
//! and review the diff like any other change.

use std::fs;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture directory (one holding a `model.json`), sorted by name.
fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("model.json").is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures found in {}", fixtures_dir().display());
    out
}

fn generate(name: &str, dir: &Path) -> Vec<codegen::File> {
    let model = fs::read_to_string(dir.join("model.json")).unwrap();
    // Named as `check-models` names the fixture crates, whose doc tests then compile the examples.
    codegen::generate_crate(&model, &format!("fixture-{name}"))
        .map(|m| m.files)
        .unwrap_or_else(|e| panic!("fixture `{name}`: generation failed: {e}"))
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

/// Where two texts first differ: line number (1-based) and both lines.
fn first_difference(expected: &str, actual: &str) -> Option<(usize, String, String)> {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    let mut n = 0;
    loop {
        n += 1;
        match (e.next(), a.next()) {
            (None, None) => {
                // Same lines; only a trailing newline can differ.
                return (expected != actual).then(|| (n, "<trailing newline>".into(), "<trailing newline>".into()));
            }
            (x, y) if x == y => {}
            (x, y) => {
                let show = |l: Option<&str>| l.map_or("<end of file>".to_string(), |l| format!("{l:?}"));
                return Some((n, show(x), show(y)));
            }
        }
    }
}

#[test]
fn fixtures_match_snapshots() {
    let mut failures = Vec::new();
    for (name, dir) in fixtures() {
        let files = generate(&name, &dir);
        let expected_dir = dir.join("expected");
        if updating() {
            let _ = fs::remove_dir_all(&expected_dir);
            fs::create_dir_all(&expected_dir).unwrap();
            for f in &files {
                fs::write(expected_dir.join(&f.path), &f.contents).unwrap();
            }
            eprintln!("updated {} snapshot(s) of fixture `{name}`", files.len());
            continue;
        }
        for f in &files {
            let path = expected_dir.join(&f.path);
            match fs::read_to_string(&path) {
                Err(_) => failures.push(format!("{name}/{}: no expected file {}", f.path, path.display())),
                Ok(expected) => {
                    if let Some((line, want, got)) = first_difference(&expected, &f.contents) {
                        failures.push(format!(
                            "{name}/{}: differs at line {line}\n    expected: {want}\n    actual:   {got}",
                            f.path
                        ));
                    }
                }
            }
        }
        // An expected file the generator no longer writes is stale.
        for entry in fs::read_dir(&expected_dir).into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if !files.iter().any(|f| f.path == file) {
                failures.push(format!("{name}/{file}: expected file is not generated any more"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "generated code differs from the snapshots (rerun with UPDATE_SNAPSHOTS=1 to accept):\n  {}",
        failures.join("\n  ")
    );
}

#[test]
fn generation_is_deterministic_and_bannered() {
    for (name, dir) in fixtures() {
        let first = generate(&name, &dir);
        let second = generate(&name, &dir);
        assert_eq!(first, second, "fixture `{name}`: two generations differ");
        let paths: Vec<&str> = first.iter().map(|f| f.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "fixture `{name}`: files are not sorted by path");
        assert!(paths.contains(&"mod.rs"), "fixture `{name}`: no mod.rs in {paths:?}");
        for f in &first {
            assert!(
                f.contents.starts_with(codegen::BANNER),
                "fixture `{name}`: {} lacks the @generated banner",
                f.path
            );
        }
        let lib = codegen::standalone_lib_rs(&fs::read_to_string(dir.join("model.json")).unwrap()).unwrap();
        assert!(lib.starts_with(codegen::BANNER), "fixture `{name}`: standalone lib.rs lacks the banner");
    }
}

#[test]
fn first_difference_reports_the_line() {
    assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
    assert_eq!(first_difference("a\nb\n", "a\nc\n"), Some((2, "\"b\"".into(), "\"c\"".into())));
    assert_eq!(first_difference("a\n", "a\nb\n"), Some((2, "<end of file>".into(), "\"b\"".into())));
    assert!(first_difference("a\n", "a").is_some());
}
