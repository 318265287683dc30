//! `generate_manifest` says what it generated, and `summary` says it in one line.

use std::fs;
use std::path::Path;

fn manifest(fixture: &str) -> codegen::Manifest {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture).join("model.json");
    codegen::generate_manifest(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn manifest_lists_what_was_generated() {
    let m = manifest("naming");
    assert_eq!(m.service, "NamingService");
    assert_eq!(
        m.operations,
        ["Foo", "FromEnv", "ListStates", "ListThings", "List_Things", "New", "Send", "WaitUntilReady"]
    );
    assert_eq!(m.waiters, ["Ready", "StatesSettled", "Waited"]);
    assert!(m.shapes.iter().any(|s| s == "FooBar2"), "{:?}", m.shapes);
    assert_eq!(
        m.files,
        codegen::generate(
            &fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/naming/model.json"))
                .unwrap()
        )
        .unwrap()
    );
    let w = manifest("waiters");
    assert!(!w.waiters.is_empty());
    assert!(w.warnings.is_empty());
}

#[test]
fn summary_is_one_line() {
    let m = manifest("minimal");
    assert_eq!(
        m.summary("minimal", 0),
        format!(
            "minimal: 1 operation, {} shapes, 0 paginators, 0 waiters, {} files (0 written), 0 warnings",
            m.shapes.len(),
            m.files.len()
        )
    );
}
