//! Checks our hand-written Smithy model (`model/ecr-public.json`) against
//! AWS's published model of ECR Public.
//!
//! The structural facts (shapes, types, members, targets, traits) must be
//! identical; the documentation must be present everywhere and must be our
//! own. Endpoint rules and endpoint tests are compared by behaviour in a
//! separate test, so they are excluded here.
//!
//! The reference model is not part of this repository. When it cannot be
//! found the comparison is skipped (the test passes with a message).
//!
//! Only `serde_json` and `std` are used, so this test does not depend on the
//! code generator library.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

const REFERENCE_REL: &str = "shared/reference/ecr-public.json";
const MODEL_REL: &str = "model/ecr-public.json";
const SERVICE_ID: &str = "com.amazonaws.ecrpublic#SpencerFrontendService";
const DOC: &str = "smithy.api#documentation";
/// Traits compared elsewhere (by evaluating the rules), not structurally.
const EXCLUDED_TRAITS: &[&str] = &[DOC, "smithy.rules#endpointRuleSet", "smithy.rules#endpointTests"];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// First ancestor of the manifest directory (including itself) that holds `rel`.
fn find_upwards(rel: &str) -> Option<PathBuf> {
    manifest_dir().ancestors().map(|dir| dir.join(rel)).find(|candidate| candidate.is_file())
}

fn load_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

fn load_our_model() -> Value {
    let path = find_upwards(MODEL_REL)
        .unwrap_or_else(|| panic!("could not find {MODEL_REL} in any ancestor of {}", manifest_dir().display()));
    load_json(&path)
}

fn shapes(model: &Value) -> &Map<String, Value> {
    model.get("shapes").and_then(Value::as_object).expect("model has no `shapes` object")
}

fn traits_of(v: &Value) -> Option<&Map<String, Value>> {
    v.get("traits").and_then(Value::as_object)
}

/// Traits of a shape or member, minus the excluded ones.
fn compared_traits(v: &Value) -> Map<String, Value> {
    traits_of(v)
        .map(|t| {
            t.iter()
                .filter(|(k, _)| !EXCLUDED_TRAITS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
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

/// A list of `{"target": ...}` references as plain strings, in order.
fn targets(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(target).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn compare_traits(diffs: &mut Vec<String>, what: &str, ours: &Value, theirs: &Value) {
    let ours = compared_traits(ours);
    let theirs = compared_traits(theirs);
    let keys: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    for key in keys {
        match (ours.get(key), theirs.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => diffs.push(format!("{what}: trait `{key}` is {a}, reference has {b}")),
            (Some(_), None) => diffs.push(format!("{what}: extra trait `{key}` not in the reference")),
            (None, Some(b)) => diffs.push(format!("{what}: missing trait `{key}` (reference: {b})")),
            (None, None) => unreachable!(),
        }
    }
}

/// Compares one named member (`member`, `key`, `value`, or a structure/enum/union member).
fn compare_member(diffs: &mut Vec<String>, what: &str, ours: Option<&Value>, theirs: Option<&Value>) {
    match (ours, theirs) {
        (None, None) => {}
        (Some(_), None) => diffs.push(format!("{what}: not in the reference")),
        (None, Some(_)) => diffs.push(format!("{what}: missing")),
        (Some(a), Some(b)) => {
            if target(a) != target(b) {
                diffs.push(format!("{what}: target {:?}, reference has {:?}", target(a), target(b)));
            }
            compare_traits(diffs, what, a, b);
        }
    }
}

fn compare_structure(ours: &Value, reference: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let (ours, theirs) = (shapes(ours), shapes(reference));

    let our_ids: BTreeSet<&String> = ours.keys().collect();
    let their_ids: BTreeSet<&String> = theirs.keys().collect();
    for id in our_ids.difference(&their_ids) {
        diffs.push(format!("{id}: shape not in the reference"));
    }
    for id in their_ids.difference(&our_ids) {
        diffs.push(format!("{id}: shape missing"));
    }

    for id in our_ids.intersection(&their_ids) {
        let (a, b) = (&ours[id.as_str()], &theirs[id.as_str()]);
        if type_of(a) != type_of(b) {
            diffs.push(format!("{id}: type `{}`, reference has `{}`", type_of(a), type_of(b)));
            continue;
        }
        compare_traits(&mut diffs, id, a, b);

        for single in ["member", "key", "value"] {
            compare_member(&mut diffs, &format!("{id}${single}"), a.get(single), b.get(single));
        }
        for field in ["input", "output"] {
            let (x, y) = (a.get(field).and_then(target), b.get(field).and_then(target));
            if x != y {
                diffs.push(format!("{id}: {field} {x:?}, reference has {y:?}"));
            }
        }
        for field in ["errors", "operations", "resources"] {
            let (x, y) = (targets(a.get(field)), targets(b.get(field)));
            if x.iter().collect::<BTreeSet<_>>() != y.iter().collect::<BTreeSet<_>>() {
                diffs.push(format!("{id}: {field} {x:?}, reference has {y:?}"));
            }
        }
        if a.get("version") != b.get("version") {
            diffs.push(format!("{id}: version {:?}, reference has {:?}", a.get("version"), b.get("version")));
        }

        let empty = Map::new();
        let (ma, mb) = (members(a).unwrap_or(&empty), members(b).unwrap_or(&empty));
        let names: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
        for name in names {
            compare_member(&mut diffs, &format!("{id}${name}"), ma.get(name), mb.get(name));
        }
    }
    diffs
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

/// No documentation string of ours may be identical to the reference's for
/// the same shape or member (ignoring HTML markup, case and spacing).
fn check_docs_are_ours(ours: &Value, reference: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let theirs = shapes(reference);
    for (id, shape) in shapes(ours) {
        let Some(other) = theirs.get(id) else {
            continue;
        };
        if let (Some(a), Some(b)) = (doc_of(shape), doc_of(other)) {
            if normalized(a) == normalized(b) {
                problems.push(format!("{id}: documentation is copied from the reference"));
            }
        }
        let (Some(ma), Some(mb)) = (members(shape), members(other)) else {
            continue;
        };
        for (name, member) in ma {
            let Some(theirs_member) = mb.get(name) else {
                continue;
            };
            if let (Some(a), Some(b)) = (doc_of(member), doc_of(theirs_member)) {
                if normalized(a) == normalized(b) {
                    problems.push(format!("{id}${name}: documentation is copied from the reference"));
                }
            }
        }
    }
    problems
}

fn fail_if_any(title: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!("{title}: {} problem(s)\n  - {}", problems.len(), problems.join("\n  - "));
    }
}

#[test]
fn model_matches_reference() {
    let Some(reference_path) = find_upwards(REFERENCE_REL) else {
        eprintln!("skipping: ../{REFERENCE_REL} not found in any ancestor of {}", manifest_dir().display());
        return;
    };
    let reference = load_json(&reference_path);
    let ours = load_our_model();

    let mut problems = Vec::new();
    if ours.get("smithy") != reference.get("smithy") {
        problems.push(format!("smithy version {:?}, reference has {:?}", ours.get("smithy"), reference.get("smithy")));
    }
    problems.extend(compare_structure(&ours, &reference));
    problems.extend(check_our_docs(&ours));
    problems.extend(check_docs_are_ours(&ours, &reference));
    fail_if_any("model/ecr-public.json differs from the reference", &problems);
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
    assert_eq!(operations.len(), 23, "operation shapes: {operations:?}");

    let bound: BTreeSet<String> = targets(service.get("operations")).into_iter().collect();
    let defined: BTreeSet<String> = operations.iter().map(|s| s.to_string()).collect();
    assert_eq!(bound, defined, "service operations must be exactly the operation shapes");

    let errors = shapes.values().filter(|s| traits_of(s).is_some_and(|t| t.contains_key("smithy.api#error"))).count();
    assert_eq!(errors, 24, "shapes with smithy.api#error");

    let paginated =
        shapes.values().filter(|s| traits_of(s).is_some_and(|t| t.contains_key("smithy.api#paginated"))).count();
    assert_eq!(paginated, 4, "paginated operations");

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

    let doc_problems = check_our_docs(&ours);
    fail_if_any("documentation problems", &doc_problems);
}
