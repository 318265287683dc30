//! Checks our hand-written Smithy model (`model/ecr-public.json`) against AWS's botocore model of
//! ECR Public (`../shared/reference/botocore/ecr-public`).
//!
//! The facts (operations, shapes, members, constraints, errors, paginators, waiters) must agree,
//! as `codegen::model_diff` compares them; the documentation must be present everywhere and must
//! be our own. Endpoint rules are compared by behaviour in `ecrpublic/src/rt/endpoint/tests.rs`.
//!
//! The botocore model is not part of this repository. When it cannot be found the comparisons
//! with it are skipped (the tests pass with a message).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

const BOTOCORE_REL: &str = "shared/reference/botocore/ecr-public";
const MODEL_REL: &str = "model/ecr-public.json";
const SERVICE_ID: &str = "com.amazonaws.ecrpublic#SpencerFrontendService";
const DOC: &str = "smithy.api#documentation";
/// Consecutive words a doc of ours may share with botocore's for the same thing, plus one.
const COPIED_RUN: usize = 6;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `rel` under the first ancestor of the manifest directory (itself included) where it exists.
fn find_upwards(rel: &str) -> Option<PathBuf> {
    manifest_dir().ancestors().map(|dir| dir.join(rel)).find(|candidate| candidate.exists())
}

fn our_model_path() -> PathBuf {
    find_upwards(MODEL_REL)
        .unwrap_or_else(|| panic!("could not find {MODEL_REL} in any ancestor of {}", manifest_dir().display()))
}

/// The botocore folder, or `None` after saying that the test skips what needs it.
fn botocore_dir() -> Option<PathBuf> {
    let dir = find_upwards(BOTOCORE_REL);
    if dir.is_none() {
        eprintln!(
            "skipping the botocore comparison: ../{BOTOCORE_REL} not found in any ancestor of {}",
            manifest_dir().display()
        );
    }
    dir
}

fn load_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

fn load_our_model() -> Value {
    load_json(&our_model_path())
}

fn shapes(model: &Value) -> &Map<String, Value> {
    model.get("shapes").and_then(Value::as_object).expect("model has no `shapes` object")
}

fn traits_of(v: &Value) -> Option<&Map<String, Value>> {
    v.get("traits").and_then(Value::as_object)
}

fn has_trait(v: &Value, id: &str) -> bool {
    traits_of(v).is_some_and(|t| t.contains_key(id))
}

fn doc_of(v: &Value) -> Option<&str> {
    traits_of(v).and_then(|t| t.get(DOC)).and_then(Value::as_str)
}

fn members(v: &Value) -> Option<&Map<String, Value>> {
    v.get("members").and_then(Value::as_object)
}

fn target(v: &Value) -> Option<&str> {
    v.get("target").and_then(Value::as_str)
}

fn type_of(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("<missing>")
}

/// `ns#Name` -> `Name`.
fn name_of(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, name)| name)
}

/// A list of `{"target": ...}` references as plain strings, in order.
fn targets(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(target).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn fail_if_any(title: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!("{title}: {} problem(s)\n  - {}", problems.len(), problems.join("\n  - "));
    }
}

#[test]
fn model_matches_botocore() {
    let Some(dir) = botocore_dir() else {
        return;
    };
    let differences = codegen::model_diff::compare_files(&our_model_path(), &dir).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<String> = differences.iter().map(ToString::to_string).collect();
    fail_if_any("model/ecr-public.json differs from botocore (see `cargo xtask model-diff`)", &lines);
}

/// Every service, operation, structure, enum and structure member must carry
/// non-empty documentation, free of HTML.
fn check_our_docs(ours: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |what: &str, v: &Value, required: bool| match doc_of(v) {
        Some(d) if d.trim().is_empty() => problems.push(format!("{what}: documentation is empty")),
        Some(d) if d.contains("<p>") => problems.push(format!("{what}: documentation contains HTML `<p>`")),
        Some(_) => {}
        None if required => problems.push(format!("{what}: documentation missing")),
        None => {}
    };
    for (id, shape) in shapes(ours) {
        let kind = type_of(shape);
        let required = matches!(kind, "service" | "operation" | "structure" | "enum");
        check(id, shape, required);
        if let Some(ms) = members(shape) {
            for (name, member) in ms {
                check(&format!("{id}${name}"), member, kind == "structure");
            }
        }
    }
    problems
}

/// Documentation reduced to its words: HTML tags dropped, whitespace
/// collapsed, lower-cased. Used so that re-wrapping a copied sentence in or
/// out of `<p>` does not hide the copy.
fn normalized(doc: &str) -> String {
    let mut text = String::with_capacity(doc.len());
    let mut in_tag = false;
    for c in doc.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The first run of `COPIED_RUN` consecutive words of `ours` that also occurs in `theirs`.
fn shared_run(ours: &str, theirs: &str) -> Option<String> {
    let (ours, theirs) = (normalized(ours), normalized(theirs));
    let their_words: Vec<&str> = theirs.split(' ').collect();
    let their_runs: BTreeSet<&[&str]> = their_words.windows(COPIED_RUN).collect();
    let our_words: Vec<&str> = ours.split(' ').collect();
    let copied = our_words.windows(COPIED_RUN).find(|run| their_runs.contains(run));
    copied.map(|run| run.join(" "))
}

/// Our documentation beside botocore's for the same thing: the service, each operation, shape,
/// structure member and waiter.
fn paired_docs<'a>(ours: &'a Value, service: &'a Value, waiters: Option<&'a Value>) -> Vec<(String, &'a str, &'a str)> {
    let mut pairs = Vec::new();
    let mut pair = |what: String, a: Option<&'a str>, b: Option<&'a str>| {
        if let (Some(a), Some(b)) = (a, b) {
            pairs.push((what, a, b));
        }
    };
    let their_doc = |v: Option<&'a Value>, key: &str| v.and_then(|v| v.get(key)).and_then(Value::as_str);
    let botocore_waiters = waiters.and_then(|w| w.get("waiters"));
    for (id, shape) in shapes(ours) {
        let name = name_of(id);
        let theirs = match type_of(shape) {
            "service" => Some(service),
            "operation" => service.get("operations").and_then(|ops| ops.get(name)),
            _ => service.get("shapes").and_then(|s| s.get(name)),
        };
        pair(id.clone(), doc_of(shape), their_doc(theirs, "documentation"));
        for (member, body) in members(shape).into_iter().flatten() {
            let their_member = theirs.and_then(|t| t.get("members")).and_then(|m| m.get(member));
            pair(format!("{id}${member}"), doc_of(body), their_doc(their_member, "documentation"));
        }
        let waitable = traits_of(shape).and_then(|t| t.get("smithy.waiters#waitable")).and_then(Value::as_object);
        for (waiter, body) in waitable.into_iter().flatten() {
            let ours = body.get("documentation").and_then(Value::as_str);
            let theirs = their_doc(botocore_waiters.and_then(|w| w.get(waiter)), "description");
            pair(format!("{id} waiter {waiter}"), ours, theirs);
        }
    }
    pairs
}

/// No documentation string of ours may share a run of `COPIED_RUN` words with botocore's for the
/// same thing (ignoring HTML markup, case and spacing).
fn check_docs_not_copied(ours: &Value, service: &Value, waiters: Option<&Value>) -> Vec<String> {
    let pairs = paired_docs(ours, service, waiters);
    let copied = pairs.iter().filter_map(|(what, a, b)| Some((what, shared_run(a, b)?)));
    copied.map(|(what, run)| format!("{what}: documentation shares \"{run}\" with botocore")).collect()
}

#[test]
fn docs_are_ours() {
    let ours = load_our_model();
    let mut problems = check_our_docs(&ours);
    if let Some(dir) = botocore_dir() {
        let service = load_json(&dir.join("service-2.json"));
        let waiters_path = dir.join("waiters-2.json");
        let waiters = waiters_path.is_file().then(|| load_json(&waiters_path));
        problems.extend(check_docs_not_copied(&ours, &service, waiters.as_ref()));
    }
    fail_if_any("documentation of model/ecr-public.json", &problems);
}

#[test]
fn shared_runs_are_found_through_markup_and_case() {
    let theirs = "<p>Returns the <code>name</code> of the repository that holds the image.</p>";
    assert_eq!(
        shared_run("It is the NAME of the repository that holds it.", theirs).as_deref(),
        Some("the name of the repository that")
    );
    assert_eq!(shared_run("The name of the repository, which holds the image.", theirs), None);
    assert_eq!(shared_run("TODO-DOC", theirs), None);
}

#[test]
fn model_is_self_consistent() {
    let ours = load_our_model();
    assert_eq!(ours.get("smithy").and_then(Value::as_str), Some("2.0"));
    let shapes = shapes(&ours);

    let service = shapes.get(SERVICE_ID).expect("service shape missing");
    assert_eq!(type_of(service), "service");
    assert_eq!(service.get("version").and_then(Value::as_str), Some("2020-10-30"));

    let operations: Vec<&str> =
        shapes.iter().filter(|(_, s)| type_of(s) == "operation").map(|(id, _)| id.as_str()).collect();
    assert_eq!(operations.len(), 42, "operation shapes: {operations:?}");

    let bound: BTreeSet<String> = targets(service.get("operations")).into_iter().collect();
    let defined: BTreeSet<String> = operations.iter().map(|s| s.to_string()).collect();
    assert_eq!(bound, defined, "service operations must be exactly the operation shapes");

    // botocore 1.44.18 has 32 shapes with `exception: true`.
    let errors = shapes.values().filter(|s| has_trait(s, "smithy.api#error")).count();
    assert_eq!(errors, 32, "shapes with smithy.api#error");

    let paginated = shapes.values().filter(|s| has_trait(s, "smithy.api#paginated")).count();
    assert_eq!(paginated, 10, "paginated operations");

    let waitable: Vec<(&str, Vec<&str>)> = shapes
        .iter()
        .filter_map(|(id, s)| {
            let waiters = traits_of(s)?.get("smithy.waiters#waitable")?.as_object()?;
            Some((id.as_str(), waiters.keys().map(String::as_str).collect()))
        })
        .collect();
    assert_eq!(
        waitable,
        [("com.amazonaws.ecrpublic#DescribeImageScanFindings", vec!["ImageScanComplete"])],
        "waitable operations and their waiters"
    );

    // Every target mentioned must resolve to a shape of ours or a prelude shape.
    let mut dangling = Vec::new();
    let mut check = |from: String, t: Option<&str>| {
        if let Some(t) = t {
            if !t.starts_with("smithy.api#") && !shapes.contains_key(t) {
                dangling.push(format!("{from} -> {t}"));
            }
        }
    };
    for (id, s) in shapes {
        for field in ["member", "key", "value", "input", "output"] {
            check(format!("{id}.{field}"), s.get(field).and_then(target));
        }
        for field in ["errors", "operations"] {
            for t in targets(s.get(field)) {
                check(format!("{id}.{field}"), Some(&t));
            }
        }
        if let Some(ms) = members(s) {
            for (name, m) in ms {
                check(format!("{id}${name}"), target(m));
            }
        }
    }
    fail_if_any("dangling shape references", &dangling);
}
