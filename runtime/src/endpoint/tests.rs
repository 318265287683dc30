use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value as Json};

use super::functions::{
    is_valid_host_label, is_virtual_hostable_s3_bucket, parse_arn, parse_url, substring, uri_encode,
};
use super::partitions::{partition, regex_is_match, regex_is_valid, PARTITIONS};
use super::*;

fn rule_set(doc: Json) -> RuleSet {
    match RuleSet::from_value(&doc) {
        Ok(rs) => rs,
        Err(e) => panic!("rule set should parse: {e}"),
    }
}

/// A rule set with one string parameter `P` and the given rules.
fn with_rules(rules: Json) -> RuleSet {
    rule_set(json!({
        "version": "1.0",
        "parameters": { "P": { "type": "string" } },
        "rules": rules,
    }))
}

fn str_val(s: &str) -> Value {
    Value::String(s.to_string())
}

fn url_of(rs: &RuleSet, params: &Params) -> String {
    match rs.resolve(params) {
        Ok(e) => e.url,
        Err(e) => panic!("expected an endpoint, got {e:?}"),
    }
}

fn get(v: &Value, key: &str) -> Value {
    match v {
        Value::Object(o) => o.get(key).cloned().unwrap_or(Value::None),
        _ => Value::None,
    }
}

#[test]
fn is_set_not_and_equals() {
    let rs = with_rules(json!([
        { "type": "endpoint",
          "conditions": [
            { "fn": "isSet", "argv": [{ "ref": "P" }] },
            { "fn": "not", "argv": [{ "fn": "stringEquals", "argv": [{ "ref": "P" }, "x"] }] },
            { "fn": "booleanEquals", "argv": [true, { "fn": "isSet", "argv": [{ "ref": "P" }] }] }
          ],
          "endpoint": { "url": "https://{P}.example.com" } },
        { "type": "error", "conditions": [], "error": "fallback" }
    ]));
    let mut p = Params::new();
    assert_eq!(rs.resolve(&p), Err(EndpointError::Rule("fallback".into())));
    p.set("P", "x");
    assert_eq!(rs.resolve(&p), Err(EndpointError::Rule("fallback".into())));
    p.set("P", "y");
    assert_eq!(url_of(&rs, &p), "https://y.example.com");
}

#[test]
fn get_attr_paths_and_assign() {
    let rs = with_rules(json!([
        { "type": "endpoint",
          "conditions": [
            { "fn": "isSet", "argv": [{ "ref": "P" }] },
            { "fn": "aws.parseArn", "argv": [{ "ref": "P" }], "assign": "arn" },
            { "fn": "getAttr", "argv": [{ "ref": "arn" }, "resourceId[1]"], "assign": "res" }
          ],
          "endpoint": {
            "url": "https://{arn#service}.{res}.example.com",
            "headers": { "x-acct": ["{arn#accountId}", "fixed"] },
            "properties": { "nested": { "list": ["{arn#resourceId[0]}", true, 3] } }
          } },
        { "type": "error", "conditions": [], "error": "no arn: {P}" }
    ]));
    let mut p = Params::new();
    p.set("P", "arn:aws:ec2:us-east-1:123:vpc/vpc-1");
    let e = rs.resolve(&p).expect("endpoint");
    assert_eq!(e.url, "https://ec2.vpc-1.example.com");
    assert_eq!(e.headers["x-acct"], vec!["123".to_string(), "fixed".to_string()]);
    assert_eq!(Json::Object(e.properties), json!({ "nested": { "list": ["vpc", true, 3] } }));
    // Index out of range yields an unset value, so the condition fails.
    p.set("P", "arn:aws:s3:::bucket");
    assert_eq!(rs.resolve(&p), Err(EndpointError::Rule("no arn: arn:aws:s3:::bucket".into())));
}

#[test]
fn templates() {
    let rs = with_rules(json!([
        { "type": "endpoint",
          "conditions": [{ "fn": "isSet", "argv": [{ "ref": "P" }] }],
          "endpoint": { "url": "https://{{literal}}.{P}.}}x}" } }
    ]));
    let mut p = Params::new();
    p.set("P", "v");
    assert_eq!(url_of(&rs, &p), "https://{literal}.v.}x}");
    // A template over an unset value is an evaluation error, not a panic.
    let rs = with_rules(json!([
        { "type": "endpoint", "conditions": [], "endpoint": { "url": "https://{P}" } }
    ]));
    assert!(matches!(rs.resolve(&Params::new()), Err(EndpointError::Evaluation(_))));
    // The url may also be a reference or a function call.
    let rs = with_rules(json!([
        { "type": "endpoint",
          "conditions": [{ "fn": "isSet", "argv": [{ "ref": "P" }] }],
          "endpoint": { "url": { "fn": "uriEncode", "argv": [{ "ref": "P" }] } } }
    ]));
    assert_eq!(url_of(&rs, p.set("P", "a b")), "a%20b");
}

#[test]
fn parse_url_cases() {
    let u = parse_url("https://example.com");
    assert_eq!(get(&u, "scheme"), str_val("https"));
    assert_eq!(get(&u, "authority"), str_val("example.com"));
    assert_eq!(get(&u, "path"), str_val(""));
    assert_eq!(get(&u, "normalizedPath"), str_val("/"));
    assert_eq!(get(&u, "isIp"), Value::Bool(false));
    let u = parse_url("http://example.com:80/foo/bar");
    assert_eq!(get(&u, "authority"), str_val("example.com:80"));
    assert_eq!(get(&u, "path"), str_val("/foo/bar"));
    assert_eq!(get(&u, "normalizedPath"), str_val("/foo/bar/"));
    assert_eq!(get(&parse_url("https://127.0.0.1:99/"), "isIp"), Value::Bool(true));
    assert_eq!(get(&parse_url("https://[fe80::1]:443"), "isIp"), Value::Bool(true));
    assert_eq!(get(&parse_url("https://999.999.abc.blah"), "isIp"), Value::Bool(false));
    assert_eq!(get(&parse_url("http://99_ab-.com"), "authority"), str_val("99_ab-.com"));
    for bad in [
        "https://example.com:8443?foo=bar",
        "https://example.com/p#frag",
        "acbd://example.com",
        "http://abc.com:a/foo",
        "example.com",
        "https://",
        "https://[fe80::1",
        "https://exa mple.com",
    ] {
        assert_eq!(parse_url(bad), Value::None, "{bad}");
    }
}

#[test]
fn substring_cases() {
    assert_eq!(substring("abcdef", 0, 4, false).as_deref(), Some("abcd"));
    assert_eq!(substring("abcdef", 0, 4, true).as_deref(), Some("cdef"));
    assert_eq!(substring("abcdef", 2, 3, true).as_deref(), Some("d"));
    assert_eq!(substring("abcdef", 0, 6, false).as_deref(), Some("abcdef"));
    assert_eq!(substring("abcdef", 0, 7, false), None);
    assert_eq!(substring("abcdef", 3, 3, false), None);
    assert_eq!(substring("abcdef", -1, 3, false), None);
    assert_eq!(substring("ab\u{e9}def", 0, 2, false), None);
}

#[test]
fn uri_encode_cases() {
    assert_eq!(uri_encode("aZ09-_.~"), "aZ09-_.~");
    assert_eq!(uri_encode("a/b c?&=%"), "a%2Fb%20c%3F%26%3D%25");
    assert_eq!(uri_encode("\u{e9}"), "%C3%A9");
}

#[test]
fn host_label_cases() {
    assert!(is_valid_host_label("us-east-1", false));
    assert!(is_valid_host_label("A1", false));
    assert!(!is_valid_host_label("", false));
    assert!(!is_valid_host_label("-a", false));
    assert!(!is_valid_host_label("a.b", false));
    assert!(is_valid_host_label("a.b", true));
    assert!(!is_valid_host_label("a..b", true));
    assert!(!is_valid_host_label(&"a".repeat(64), false));
    assert!(is_valid_host_label(&"a".repeat(63), false));
}

#[test]
fn s3_bucket_cases() {
    assert!(is_virtual_hostable_s3_bucket("my-bucket", false));
    assert!(!is_virtual_hostable_s3_bucket("my.bucket", false));
    assert!(is_virtual_hostable_s3_bucket("my.bucket", true));
    assert!(!is_virtual_hostable_s3_bucket("My-bucket", false));
    assert!(!is_virtual_hostable_s3_bucket("ab", false));
    assert!(!is_virtual_hostable_s3_bucket("bucket-", false));
    assert!(!is_virtual_hostable_s3_bucket("a..b", true));
    assert!(!is_virtual_hostable_s3_bucket("a.-b", true));
    assert!(!is_virtual_hostable_s3_bucket("192.168.1.1", true));
}

#[test]
fn parse_arn_cases() {
    let a = parse_arn("arn:aws:iam::012345678910:user/johndoe");
    assert_eq!(get(&a, "partition"), str_val("aws"));
    assert_eq!(get(&a, "service"), str_val("iam"));
    assert_eq!(get(&a, "region"), str_val(""));
    assert_eq!(get(&a, "accountId"), str_val("012345678910"));
    assert_eq!(get(&a, "resourceId"), Value::from(vec!["user", "johndoe"]));
    let a = parse_arn("arn:aws:sns:us-west-2:1:topic:sub/x");
    assert_eq!(get(&a, "resourceId"), Value::from(vec!["topic", "sub", "x"]));
    for bad in ["11111111-2222", "arn:aws:s3:::", "arn::s3:::b", "arn:aws::::b", "urn:a:b:c:d:e"] {
        assert_eq!(parse_arn(bad), Value::None, "{bad}");
    }
}

#[test]
fn partitions_lookup() {
    let name = |r: &str| get(&partition(r), "name");
    assert_eq!(name("us-east-1"), str_val("aws"));
    assert_eq!(name("aws-global"), str_val("aws"));
    assert_eq!(name("cn-north-1"), str_val("aws-cn"));
    assert_eq!(name("us-gov-west-1"), str_val("aws-us-gov"));
    assert_eq!(name("us-isob-east-1"), str_val("aws-iso-b"));
    // Unknown regions go by regex, then fall back to `aws`.
    assert_eq!(name("cn-south-9"), str_val("aws-cn"));
    assert_eq!(name("eusc-de-west-7"), str_val("aws-eusc"));
    assert_eq!(name("us-iso-north-3"), str_val("aws-iso"));
    assert_eq!(name("mars-1"), str_val("aws"));
    assert_eq!(name(""), str_val("aws"));
    let cn = partition("cn-north-1");
    assert_eq!(get(&cn, "dnsSuffix"), str_val("amazonaws.com.cn"));
    assert_eq!(get(&cn, "dualStackDnsSuffix"), str_val("api.amazonwebservices.com.cn"));
    assert_eq!(get(&cn, "supportsFIPS"), Value::Bool(true));
    assert_eq!(get(&cn, "implicitGlobalRegion"), str_val("cn-northwest-1"));
}

#[test]
fn regex_matcher() {
    for p in PARTITIONS {
        assert!(regex_is_valid(p.region_regex), "{}", p.region_regex);
        for r in p.regions.iter().filter(|r| !r.ends_with("-global")) {
            assert!(regex_is_match(p.region_regex, r), "{} !~ {r}", p.region_regex);
        }
    }
    let aws = r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$";
    assert!(regex_is_match(aws, "eu-west-1"));
    assert!(!regex_is_match(aws, "cn-north-1"));
    assert!(!regex_is_match(aws, "us-east-"));
    assert!(!regex_is_match(aws, "us-east-1x"));
    assert!(regex_is_match(r"^a[b-d]{2,3}e?$", "abcd"));
    assert!(!regex_is_match(r"^a[b-d]{2,3}e?$", "abcdbe"));
    assert!(regex_is_match(r"x(?:y|z)*", "--xzyz"));
    assert!(regex_is_match(r"^[^0-9]+$", "abc"));
    for bad in ["(", "a)", "*a", "[a", r"\q", "a{3,1}"] {
        assert!(!regex_is_valid(bad), "{bad}");
        assert!(!regex_is_match(bad, "a"));
    }
    // Overlong input never matches (bounds recursion) and does not panic.
    assert!(!regex_is_match(aws, &format!("us-{}-1", "a".repeat(100_000))));
}

#[test]
fn malformed_rule_sets_are_errors() {
    let ok_rule = json!({ "type": "error", "conditions": [], "error": "e" });
    let doc = |p: Json, r: Json| json!({ "version": "1.0", "parameters": p, "rules": r });
    let with_p = |rules: Json| doc(json!({ "P": { "type": "string" } }), rules);
    // An error rule guarded by one condition.
    let cond = |c: Json| with_p(json!([{ "type": "error", "conditions": [c], "error": "e" }]));
    let param = |p: Json| doc(json!({ "P": p }), json!([ok_rule]));
    let set_p = json!({ "fn": "isSet", "argv": [{ "ref": "P" }] });
    let cases: Vec<(Json, &str)> = vec![
        (json!([]), "expected an object"),
        (json!({ "parameters": {}, "rules": [ok_rule] }), "missing `version`"),
        (doc(json!({}), json!([])), "at least one rule"),
        (param(json!({ "type": "int" })), "unknown type"),
        (param(json!({ "type": "boolean", "default": "x" })), "default"),
        (doc(json!({ "1P": { "type": "string" } }), json!([ok_rule])), "invalid parameter name"),
        (with_p(json!([{ "type": "bogus", "conditions": [] }])), "unknown rule type"),
        (with_p(json!([{ "type": "error", "error": "e" }])), "missing `conditions`"),
        (with_p(json!([{ "type": "endpoint", "conditions": [] }])), "missing `endpoint`"),
        (with_p(json!([{ "type": "tree", "conditions": [], "rules": [] }])), "at least one rule"),
        (with_p(json!([{ "type": "error", "conditions": [], "error": "bad {P" }])), "unclosed"),
        (with_p(json!([{ "type": "error", "conditions": [], "error": "{Nope}" }])), "undefined name `Nope`"),
        (cond(json!({ "fn": "frobnicate", "argv": [] })), "unknown function `frobnicate`"),
        (cond(json!({ "fn": "isSet", "argv": [] })), "wrong number of arguments"),
        (cond(json!({ "fn": "isSet", "argv": [{ "ref": "Q" }] })), "undefined name `Q`"),
        (cond(json!({ "fn": "getAttr", "argv": [{ "ref": "P" }, "a[x]"] })), "invalid attribute path"),
        (cond(json!({ "fn": "isSet", "argv": [{ "ref": "P" }], "assign": "P" })), "already defined"),
        (cond(json!({ "fn": "substring", "argv": [{ "ref": "P" }, 0.5, 1, false] })), "integer"),
        (cond(json!({ "fn": "not", "argv": [null] })), "null"),
        // A variable assigned in one rule is not visible in the next.
        (
            with_p(json!([
                { "type": "error", "error": "{v}", "conditions": [
                    set_p, { "fn": "uriEncode", "argv": [{ "ref": "P" }], "assign": "v" }] },
                { "type": "error", "conditions": [], "error": "{v}" }
            ])),
            "undefined name `v`",
        ),
    ];
    for (doc, needle) in cases {
        match RuleSet::from_value(&doc) {
            Err(EndpointError::InvalidRuleSet(msg)) => {
                assert!(msg.contains(needle), "`{msg}` should mention `{needle}`")
            }
            other => panic!("{doc} should be invalid ({needle}), got {other:?}"),
        }
    }
    assert!(matches!(RuleSet::from_json("{not json"), Err(EndpointError::InvalidRuleSet(_))));
    // Deeply nested input is rejected by the JSON parser, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(RuleSet::from_json(&deep), Err(EndpointError::InvalidRuleSet(_))));
}

#[test]
fn parameters_required_default_and_types() {
    let rs = rule_set(json!({
        "version": "1.0",
        "parameters": {
            "Region": { "type": "String", "builtIn": "AWS::Region", "documentation": "r" },
            "Fips": { "type": "boolean", "required": true, "default": false },
            "Need": { "type": "string", "required": true },
            "List": { "type": "stringArray", "required": true, "default": ["a", "b"] }
        },
        "rules": [{ "type": "endpoint",
                    "conditions": [{ "fn": "booleanEquals", "argv": [{ "ref": "Fips" }, false] },
                                   { "fn": "getAttr", "argv": [{ "ref": "List" }, "[1]"],
                                     "assign": "second" }],
                    "endpoint": { "url": "https://{Need}.{second}" } }]
    }));
    // Parameters come in name order.
    let names: Vec<_> = rs.parameters().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Fips", "List", "Need", "Region"]);
    let region = &rs.parameters()[3];
    assert_eq!(region.name, "Region");
    assert_eq!(region.kind, ParamKind::String);
    assert_eq!(region.built_in.as_deref(), Some("AWS::Region"));
    assert_eq!(region.documentation.as_deref(), Some("r"));
    assert!(!region.required);
    let fips = rs.parameters().iter().find(|p| p.name == "Fips").expect("Fips");
    assert_eq!(fips.default, Some(Value::Bool(false)));

    let mut p = Params::new();
    assert_eq!(rs.resolve(&p), Err(EndpointError::MissingParameter("Need".into())));
    p.set("Need", "n").set("Unknown", true);
    assert_eq!(url_of(&rs, &p), "https://n.b");
    p.set("List", vec!["x".to_string(), "y".to_string()]);
    assert_eq!(url_of(&rs, &p), "https://n.y");
    p.set("Fips", true);
    assert_eq!(rs.resolve(&p), Err(EndpointError::NoRuleMatched));
    p.set("Fips", "yes");
    assert!(matches!(rs.resolve(&p), Err(EndpointError::InvalidParameter(_))));
    p.set("Fips", Value::None).set("Need", Value::None);
    assert_eq!(rs.resolve(&p), Err(EndpointError::MissingParameter("Need".into())));
}

#[test]
fn tree_exhaustion_and_coalesce() {
    let rs = with_rules(json!([
        { "type": "tree", "conditions": [{ "fn": "isSet", "argv": [{ "ref": "P" }] }],
          "rules": [{ "type": "endpoint",
                      "conditions": [{ "fn": "stringEquals", "argv": [{ "ref": "P" }, "a"] }],
                      "endpoint": { "url": "https://a" } }] },
        { "type": "endpoint", "conditions": [],
          "endpoint": { "url": { "fn": "coalesce", "argv": [{ "ref": "P" }, "https://default"] } } }
    ]));
    let mut p = Params::new();
    assert_eq!(url_of(&rs, &p), "https://default");
    assert_eq!(url_of(&rs, p.set("P", "a")), "https://a");
    // The tree matched but none of its rules did: no fall-through.
    assert_eq!(rs.resolve(p.set("P", "b")), Err(EndpointError::NoRuleMatched));
}

#[test]
fn type_errors_do_not_panic() {
    let rs = with_rules(json!([
        { "type": "endpoint",
          "conditions": [{ "fn": "not", "argv": ["text"] }],
          "endpoint": { "url": "https://x" } }
    ]));
    assert!(matches!(rs.resolve(&Params::new()), Err(EndpointError::Evaluation(_))));
    let rs = with_rules(json!([
        { "type": "endpoint", "conditions": [], "endpoint": { "url": true } }
    ]));
    assert!(matches!(rs.resolve(&Params::new()), Err(EndpointError::Evaluation(_))));
}

// ---------------------------------------------------------------------------
// Endpoint test suites from the reference model and from our model.

/// The first ancestor of the crate dir holding `rel`, as a path to it.
fn find_up(rel: &str) -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().map(|dir| dir.join(rel)).find(|p| p.is_file())
}

/// Finds the value of trait `key` anywhere in a Smithy JSON AST document.
fn find_trait<'a>(doc: &'a Json, key: &str) -> Option<&'a Json> {
    match doc {
        Json::Object(o) => o.get(key).or_else(|| o.values().find_map(|v| find_trait(v, key))),
        Json::Array(a) => a.iter().find_map(|v| find_trait(v, key)),
        _ => None,
    }
}

struct Model {
    rules: RuleSet,
    tests: Vec<Json>,
}

fn load_model(path: &Path) -> Model {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let rules = find_trait(&doc, "smithy.rules#endpointRuleSet")
        .unwrap_or_else(|| panic!("{} has no smithy.rules#endpointRuleSet", path.display()));
    let rules = RuleSet::from_value(rules).unwrap_or_else(|e| panic!("rule set of {} is invalid: {e}", path.display()));
    let tests = find_trait(&doc, "smithy.rules#endpointTests")
        .and_then(|t| t.get("testCases"))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    Model { rules, tests }
}

fn json_to_value(v: &Json) -> Value {
    match v {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n.as_i64().map_or(Value::None, Value::Int),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(a) => Value::Array(a.iter().map(json_to_value).collect()),
        Json::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), json_to_value(v))).collect()),
    }
}

/// Runs test cases against a rule set; returns one line per failure.
fn run_cases(rs: &RuleSet, cases: &[Json]) -> Vec<String> {
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let doc = case.get("documentation").and_then(Json::as_str).unwrap_or("");
        let mut params = Params::new();
        if let Some(obj) = case.get("params").and_then(Json::as_object) {
            for (k, v) in obj {
                params.set(k, json_to_value(v));
            }
        }
        let got = rs.resolve(&params);
        let expect = case.get("expect").cloned().unwrap_or(Json::Null);
        let ok = if let Some(msg) = expect.get("error").and_then(Json::as_str) {
            matches!(&got, Err(EndpointError::Rule(m)) if m == msg)
        } else if let Some(want) = expect.get("endpoint") {
            match &got {
                Ok(e) => {
                    let url_ok = want.get("url").and_then(Json::as_str) == Some(e.url.as_str());
                    let headers_ok = want
                        .get("headers")
                        .map(|h| {
                            serde_json::from_value::<BTreeMap<String, Vec<String>>>(h.clone()).ok()
                                == Some(e.headers.clone())
                        })
                        .unwrap_or(true);
                    let props_ok =
                        want.get("properties").map(|p| *p == Json::Object(e.properties.clone())).unwrap_or(true);
                    url_ok && headers_ok && props_ok
                }
                Err(_) => false,
            }
        } else {
            false
        };
        if !ok {
            failures.push(format!("case {i} ({doc}): expected {expect}, got {got:?}"));
        }
    }
    failures
}

fn assert_cases(label: &str, rs: &RuleSet, cases: &[Json]) {
    assert!(!cases.is_empty(), "{label}: no endpoint test cases found");
    let failures = run_cases(rs, cases);
    assert!(
        failures.is_empty(),
        "{label}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

const OUR_MODEL: &str = "model/ecr-public.json";

/// Our model; `None` where the runtime's tests run outside this repository (from the
/// packaged crate).
fn our_model() -> Option<Model> {
    match find_up(OUR_MODEL) {
        Some(path) => Some(load_model(&path)),
        None => {
            eprintln!("skipping: `{OUR_MODEL}` is not in any ancestor of {}", env!("CARGO_MANIFEST_DIR"));
            None
        }
    }
}

#[test]
fn reference_endpoint_tests() {
    let Some(path) = find_up("shared/reference/ecr-public.json") else {
        eprintln!(
            "skipping reference_endpoint_tests: no shared/reference/ecr-public.json above {}",
            env!("CARGO_MANIFEST_DIR")
        );
        return;
    };
    let reference = load_model(&path);
    assert_cases("reference rule set", &reference.rules, &reference.tests);
    let Some(ours) = our_model() else { return };
    assert_cases("our rule set on reference cases", &ours.rules, &reference.tests);
}

#[test]
fn our_model_endpoint_tests() {
    let Some(ours) = our_model() else { return };
    assert_cases("our rule set on our cases", &ours.rules, &ours.tests);
}

#[test]
fn case_runner_reports_mismatches() {
    let rs = with_rules(json!([
        { "type": "endpoint", "conditions": [{ "fn": "isSet", "argv": [{ "ref": "P" }] }],
          "endpoint": { "url": "https://{P}", "headers": { "h": ["v"] } } },
        { "type": "error", "conditions": [], "error": "unset" }
    ]));
    let cases = [
        json!({ "params": { "P": "a" }, "expect": { "endpoint": { "url": "https://a" } } }),
        json!({ "params": { "P": "a" }, "expect": { "endpoint": { "url": "https://b" } } }),
        json!({ "params": { "P": "a" },
                "expect": { "endpoint": { "url": "https://a", "headers": { "h": ["w"] } } } }),
        json!({ "expect": { "error": "unset" } }),
        json!({ "expect": { "error": "other" } }),
        json!({ "params": { "P": "a" }, "expect": { "error": "unset" } }),
    ];
    let failures = run_cases(&rs, &cases);
    let failed: Vec<_> = failures.iter().filter_map(|f| f.split(' ').nth(1)).collect();
    assert_eq!(failed, ["1", "2", "4", "5"], "{failures:#?}");
}
