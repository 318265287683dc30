//! AWS's own awsJson models and their waiters, read from a local mirror of AWS's model
//! repository when there is one (the models are not ours to commit): DynamoDB's and ECS's
//! waiters must come out as the builders and matchers they describe.
//!
//! `cargo xtask check-models dynamodb=... ecs=...` proves such crates compile; this test only
//! generates.

use std::path::Path;
use std::process::Command;

const MIRROR: &str = "/work/.mirror/adwsingh+api-models-aws/repo";

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("--git-dir").arg(MIRROR).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn mirror() -> bool {
    if Path::new(MIRROR).is_dir() {
        return true;
    }
    eprintln!("skipping: no mirror of AWS's models at {MIRROR}");
    false
}

/// The generated `waiters.rs` and `client.rs` of the model at `path` in the mirror.
fn generate(path: &str) -> (String, String) {
    let model = git(&["show", &format!("HEAD:{path}")]).unwrap_or_else(|| panic!("{path} is not in the mirror"));
    let files = codegen::generate(&model).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file = |name: &str| files.iter().find(|f| f.path == name).map(|f| f.contents.clone());
    (file("waiters.rs").unwrap_or_else(|| panic!("{path}: no waiters.rs")), file("client.rs").unwrap_or_default())
}

#[test]
fn dynamodb_and_ecs_waiters() {
    if !mirror() {
        return;
    }
    let (waiters, client) = generate("models/dynamodb/service/2012-08-10/dynamodb-2012-08-10.json");
    for item in ["pub struct TableExists", "pub struct TableNotExists", "fn table_exists_state("] {
        assert!(waiters.contains(item), "dynamodb: no `{item}`");
    }
    assert!(
        client.contains("pub fn wait_until_table_exists(") && client.contains("pub fn wait_until_table_not_exists(")
    );
    // `Table.TableStatus == ACTIVE`; TableNotExists succeeds on ResourceNotFoundException.
    assert!(waiters.contains(r#".and_then(|table_description| table_description.table_status.as_ref())"#));
    assert!(waiters.contains("DescribeTableError::ResourceNotFoundException(_)"));

    let (waiters, client) = generate("models/ecs/service/2014-11-13/ecs-2014-11-13.json");
    for item in ["pub struct ServicesStable", "pub struct ServicesInactive", "pub struct TasksRunning"] {
        assert!(waiters.contains(item), "ecs: no `{item}`");
    }
    assert!(client.contains("pub fn wait_until_services_stable("));
    // `length(services[?!(length(deployments) == `1` && runningCount == desiredCount)]) == `0``
    let stable = waiters.split("fn services_stable_state(").nth(1).expect("the ServicesStable matcher");
    let stable = stable.split("\n}\n").next().unwrap_or_default();
    for piece in
        [".filter(|&service|", "service.deployments.len() == 1", "service.running_count == service.desired_count"]
    {
        assert!(stable.contains(piece), "ServicesStable lacks `{piece}`:\n{stable}");
    }
    // `failures[].reason` with anyStringEquals `MISSING`, `services[].status` with `DRAINING`.
    assert!(stable.contains(r#".any(|string| string == "MISSING")"#), "{stable}");
    assert!(stable.contains(r#"== "DRAINING")"#), "{stable}");
}
