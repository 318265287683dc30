//! Broken models make `codegen::generate` return an error that names the offending shape, never
//! panic. Each case starts from a small valid model and adds or replaces a few shapes.

use serde_json::{json, Value};

/// A valid model: one operation whose input has a member `Input$field` that cases retarget.
fn base() -> Value {
    json!({
        "smithy": "2.0",
        "shapes": {
            "t#Svc": {
                "type": "service",
                "version": "2024-01-01",
                "operations": [{"target": "t#Op"}],
                "traits": {
                    "aws.protocols#awsJson1_0": {},
                    "aws.auth#sigv4": {"name": "svc"},
                    "aws.api#service": {"sdkId": "Svc"},
                    "smithy.rules#endpointRuleSet": {
                        "version": "1.0",
                        "parameters": {},
                        "rules": [{"conditions": [], "error": "no endpoint", "type": "error"}]
                    }
                }
            },
            "t#Op": {"type": "operation", "input": {"target": "t#Input"}},
            "t#Input": {"type": "structure", "members": {"field": {"target": "smithy.api#String"}}}
        }
    })
}

/// `base()` with `shapes` merged in (a `null` removes a shape).
fn with(shapes: Value) -> String {
    let mut model = base();
    let all = model["shapes"].as_object_mut().unwrap();
    for (id, shape) in shapes.as_object().unwrap() {
        if shape.is_null() {
            all.remove(id);
        } else {
            all.insert(id.clone(), shape.clone());
        }
    }
    model.to_string()
}

/// An input whose `field` member targets `target`, with `traits` on the member.
fn field(target: &str, traits: Value) -> Value {
    json!({"type": "structure", "members": {"field": {"target": target, "traits": traits}}})
}

fn ok_acceptor() -> Value {
    json!({"state": "success", "matcher": {"success": true}})
}

/// An operation reading `t#Input` into `t#Output` with the given `@waitable` value.
fn waiter_op(waitable: Value) -> Value {
    json!({
        "type": "operation",
        "input": {"target": "t#Input"},
        "output": {"target": "t#Output"},
        "traits": {"smithy.waiters#waitable": waitable}
    })
}

/// `base()` with `t#Op` waitable by `waitable` and an output with a string, a number and a boolean.
fn waitable(waitable: Value) -> String {
    with(json!({
        "t#Op": waiter_op(waitable),
        "t#Output": {"type": "structure", "members": {
            "field": {"target": "smithy.api#String"},
            "count": {"target": "smithy.api#Integer"},
            "flag": {"target": "smithy.api#Boolean"}
        }}
    }))
}

/// One waiter `W` on `t#Op`.
fn waiter(w: Value) -> String {
    waitable(json!({ "W": w }))
}

/// A waiter `W` with one output acceptor.
fn path_waiter(path: &str, expected: &str, comparator: &str) -> String {
    waiter(json!({"acceptors": [{"state": "success", "matcher": {"output": {
        "path": path, "expected": expected, "comparator": comparator
    }}}]}))
}

/// `(case, model, text the error must contain: the shape id, and for waiters the waiter and
/// the problem)`.
fn cases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("unknown member target", with(json!({"t#Input": field("t#Nope", json!({}))})), "t#Input$field"),
        (
            "unknown operation input",
            with(json!({"t#Op": {"type": "operation", "input": {"target": "t#Missing"}}})),
            "t#Op",
        ),
        (
            "operation input is not a structure",
            with(json!({"t#Op": {"type": "operation", "input": {"target": "smithy.api#String"}}})),
            "t#Op",
        ),
        ("shape without type", with(json!({"t#Input": {"members": {}}})), "t#Input"),
        ("traits not an object", with(json!({"t#Input": {"type": "structure", "traits": ["x"]}})), "t#Input"),
        (
            "@enum trait not a list",
            with(json!({
                "t#E": {"type": "string", "traits": {"smithy.api#enum": "red"}},
                "t#Input": field("t#E", json!({}))
            })),
            "t#E",
        ),
        (
            "@paginated without tokens",
            with(json!({"t#Op": {
                "type": "operation",
                "input": {"target": "t#Input"},
                "traits": {"smithy.api#paginated": {"items": "field"}}
            }})),
            "t#Op",
        ),
        (
            "@paginated naming a missing member",
            with(json!({"t#Op": {
                "type": "operation",
                "input": {"target": "t#Input"},
                "traits": {"smithy.api#paginated": {"inputToken": "token", "outputToken": "token"}}
            }})),
            "t#Op",
        ),
        (
            "@paginated token that is neither a string nor a map",
            with(json!({
                "t#Op": {
                    "type": "operation",
                    "input": {"target": "t#Input"},
                    "output": {"target": "t#Input"},
                    "traits": {"smithy.api#paginated": {"inputToken": "field", "outputToken": "field"}}
                },
                "t#Input": field("smithy.api#Integer", json!({}))
            })),
            "t#Op",
        ),
        (
            "@paginated pageSize that is no integer",
            with(json!({"t#Op": {
                "type": "operation",
                "input": {"target": "t#Input"},
                "output": {"target": "t#Input"},
                "traits": {"smithy.api#paginated": {"inputToken": "field", "outputToken": "field", "pageSize": "field"}}
            }})),
            "t#Op`: trait `smithy.api#paginated` pageSize must be an integer or long",
        ),
        (
            "@paginated items that are no list or map",
            with(json!({"t#Op": {
                "type": "operation",
                "input": {"target": "t#Input"},
                "output": {"target": "t#Input"},
                "traits": {"smithy.api#paginated": {"inputToken": "field", "outputToken": "field", "items": "field"}}
            }})),
            "t#Op`: trait `smithy.api#paginated` items must be a list or map",
        ),
        (
            "@paginated output path through a non-structure",
            with(json!({"t#Op": {
                "type": "operation",
                "input": {"target": "t#Input"},
                "output": {"target": "t#Input"},
                "traits": {"smithy.api#paginated": {"inputToken": "field", "outputToken": "field.next"}}
            }})),
            "t#Op`: trait `smithy.api#paginated` path `field.next` goes through a non-structure",
        ),
        (
            "@paginated tokens of two types (a string in, a map out)",
            with(json!({
                "t#Op": {
                    "type": "operation",
                    "input": {"target": "t#Input"},
                    "output": {"target": "t#Output"},
                    "traits": {"smithy.api#paginated": {"inputToken": "field", "outputToken": "next"}}
                },
                "t#Output": {"type": "structure", "members": {"next": {"target": "t#Map"}}},
                "t#Map": {"type": "map", "key": {"target": "smithy.api#String"}, "value": {"target": "smithy.api#String"}}
            })),
            "t#Op`: trait `smithy.api#paginated` inputToken `smithy.api#String` and outputToken `t#Map` are not of one type",
        ),
        (
            "operationContextParams path with an unsupported JMESPath form",
            with(json!({"t#Op": {
                "type": "operation",
                "input": {"target": "t#Input"},
                "traits": {"smithy.rules#operationContextParams": {"P": {"path": "field[?x == 'y']"}}}
            }})),
            "t#Op",
        ),
        ("unsupported shape type", with(json!({"t#Weird": {"type": "tensor"}})), "t#Weird"),
        ("waiter with minDelay 0", waiter(json!({"minDelay": 0, "acceptors": [ok_acceptor()]})), "W`: minDelay"),
        (
            "waiter with maxDelay below minDelay",
            waiter(json!({"minDelay": 10, "maxDelay": 5, "acceptors": [ok_acceptor()]})),
            "W`: maxDelay (5) is below minDelay (10)",
        ),
        ("waiter without acceptors", waiter(json!({"acceptors": []})), "W`: a waiter needs at least one acceptor"),
        ("waiter with a lower-case name", waitable(json!({"w": {"acceptors": [ok_acceptor()]}})), "waiter `w`"),
        (
            "acceptor with an unknown state",
            waiter(json!({"acceptors": [{"state": "done", "matcher": {"success": true}}]})),
            "acceptor 0: unknown state `done`",
        ),
        (
            "acceptor with two matchers",
            waiter(json!({"acceptors": [{"state": "success", "matcher": {"success": true, "errorType": "X"}}]})),
            "acceptor 0: a matcher has exactly one member",
        ),
        ("unknown comparator", path_waiter("field", "x", "numberEquals"), "unknown comparator `numberEquals`"),
        ("path to a missing member", path_waiter("nope", "x", "stringEquals"), "path `nope`: `t#Output` has no member"),
        ("path that does not parse", path_waiter("field ==", "x", "stringEquals"), "path `field ==`"),
        (
            "path with a JMESPath form outside the subset",
            path_waiter("field[0:1]", "x", "stringEquals"),
            "slice (`[a:b]`) is not supported",
        ),
        (
            "stringEquals on a number",
            path_waiter("count", "1", "stringEquals"),
            "stringEquals needs a string, the path gives a number",
        ),
        (
            "booleanEquals with an expected value that is no boolean",
            path_waiter("flag", "yes", "booleanEquals"),
            "booleanEquals expects `true` or `false`",
        ),
        ("allStringEquals on a string", path_waiter("field", "x", "allStringEquals"), "allStringEquals needs a list"),
        (
            "a comparison of a string with a number",
            path_waiter("field == `1`", "true", "booleanEquals"),
            "a comparison of a string with a number",
        ),
        ("an unsupported function", path_waiter("sort(field)", "x", "stringEquals"), "`sort()` is not supported"),
        (
            "two waiters with one name",
            with(json!({
                "t#Svc": {
                    "type": "service", "version": "2024-01-01",
                    "operations": [{"target": "t#Op"}, {"target": "t#Other"}],
                    "traits": base()["shapes"]["t#Svc"]["traits"].clone()
                },
                "t#Op": waiter_op(json!({"Ready": {"acceptors": [ok_acceptor()]}})),
                "t#Other": waiter_op(json!({"READY": {"acceptors": [ok_acceptor()]}})),
                "t#Output": {"type": "structure", "members": {}}
            })),
            "has a waiter of the same name",
        ),
        (
            "a streaming blob nested below the operation's input",
            with(json!({
                "t#Stream": {"type": "blob", "traits": {"smithy.api#streaming": {}}},
                "t#Nested": {"type": "structure", "members": {"data": {"target": "t#Stream"}}},
                "t#Input": field("t#Nested", json!({}))
            })),
            "t#Nested$data",
        ),
        (
            "@length bound that is no integer",
            with(json!({"t#Input": field("smithy.api#String", json!({"smithy.api#length": {"min": "one"}}))})),
            "t#Input$field`: trait `smithy.api#length`",
        ),
        (
            "unknown @timestampFormat",
            with(json!({"t#Input": field("smithy.api#Timestamp", json!({"smithy.api#timestampFormat": "iso"}))})),
            "t#Input$field`: trait `smithy.api#timestampFormat`",
        ),
        (
            "@error that is neither client nor server",
            with(json!({"t#E": {"type": "structure", "members": {}, "traits": {"smithy.api#error": "nobody"}}})),
            "t#E`: trait `smithy.api#error`",
        ),
        (
            "@paginated token that is no string",
            with(json!({"t#Op": {"type": "operation", "input": {"target": "t#Input"},
                "traits": {"smithy.api#paginated": {"inputToken": 1}}}})),
            "t#Op`: trait `smithy.api#paginated`",
        ),
        (
            "list that contains itself",
            with(json!({"t#L": {"type": "list", "member": {"target": "t#L"}}, "t#Input": field("t#L", json!({}))})),
            "t#L",
        ),
        (
            "maps that contain each other",
            with(json!({
                "t#M": {"type": "map", "key": {"target": "smithy.api#String"}, "value": {"target": "t#N"}},
                "t#N": {"type": "list", "member": {"target": "t#M"}},
                "t#Input": field("t#M", json!({}))
            })),
            "t#",
        ),
        (
            "mixin cycle",
            with(json!({
                "t#A": {"type": "structure", "mixins": [{"target": "t#B"}], "traits": {"smithy.api#mixin": {}}},
                "t#B": {"type": "structure", "mixins": [{"target": "t#A"}], "traits": {"smithy.api#mixin": {}}}
            })),
            "t#A",
        ),
        (
            "mixin without @mixin",
            with(json!({
                "t#Base": {"type": "structure", "members": {}},
                "t#Input": {"type": "structure", "mixins": [{"target": "t#Base"}]}
            })),
            "t#Input",
        ),
        ("list without member", with(json!({"t#L": {"type": "list"}})), "t#L"),
        ("map without value", with(json!({"t#M": {"type": "map", "key": {"target": "smithy.api#String"}}})), "t#M"),
        (
            "default of the wrong type",
            with(json!({"t#Input": field("smithy.api#Integer", json!({"smithy.api#default": "ten"}))})),
            "t#Input$field",
        ),
        (
            "integer default out of range",
            with(json!({"t#Input": field("smithy.api#Byte", json!({"smithy.api#default": 300}))})),
            "t#Input$field",
        ),
        (
            "blob default that is not base64",
            with(json!({"t#Input": field("smithy.api#Blob", json!({"smithy.api#default": "not base64!"}))})),
            "t#Input$field",
        ),
        (
            "timestamp default that is no date-time",
            with(json!({"t#Input": field("smithy.api#Timestamp", json!({"smithy.api#default": "yesterday"}))})),
            "t#Input$field",
        ),
        (
            "document default that is a non-empty object",
            with(json!({"t#Input": field("smithy.api#Document", json!({"smithy.api#default": {"a": 1}}))})),
            "t#Input$field",
        ),
        (
            "bigInteger default with a fraction",
            with(json!({"t#Input": field("smithy.api#BigInteger", json!({"smithy.api#default": 1.5}))})),
            "t#Input$field",
        ),
        (
            "enum default that is no enum value",
            with(json!({
                "t#Color": {"type": "enum", "members": {"RED": {"target": "smithy.api#Unit",
                    "traits": {"smithy.api#enumValue": "red"}}}},
                "t#Input": field("t#Color", json!({"smithy.api#default": "RED"}))
            })),
            "t#Input$field",
        ),
        (
            "intEnum value not an integer",
            with(json!({
                "t#Level": {"type": "intEnum", "members": {"LOW": {"target": "smithy.api#Unit",
                    "traits": {"smithy.api#enumValue": "low"}}}},
                "t#Input": field("t#Level", json!({}))
            })),
            "t#Level$LOW",
        ),
        (
            "error that is not an error",
            with(json!({
                "t#Op": {"type": "operation", "input": {"target": "t#Input"}, "errors": [{"target": "t#Oops"}]},
                "t#Oops": {"type": "structure", "members": {}}
            })),
            "t#Op",
        ),
        (
            "service without a protocol",
            with(json!({"t#Svc": {
                "type": "service",
                "operations": [{"target": "t#Op"}],
                "traits": {"aws.auth#sigv4": {"name": "svc"}}
            }})),
            "t#Svc",
        ),
    ]
}

#[test]
fn paginator_tokens_may_be_different_shapes_of_one_type() {
    // A sensitive string in, a plain string out (codebuild, rekognition, voice-id do this).
    let model = with(json!({
        "t#Op": {
            "type": "operation",
            "input": {"target": "t#Input"},
            "output": {"target": "t#Output"},
            "traits": {"smithy.api#paginated": {"inputToken": "field", "outputToken": "next"}}
        },
        "t#Input": field("t#Secret", json!({})),
        "t#Secret": {"type": "string", "traits": {"smithy.api#sensitive": {}}},
        "t#Output": {"type": "structure", "members": {"next": {"target": "smithy.api#String"}}}
    }));
    let files = codegen::generate(&model).expect("generates");
    let operation = files.iter().find(|f| f.path == "operation.rs").expect("operation.rs");
    assert!(operation.contents.contains("type Token = String;"), "{}", operation.contents);
}

#[test]
fn base_model_is_valid() {
    codegen::generate(&base().to_string()).unwrap_or_else(|e| panic!("the base model fails: {e}"));
}

#[test]
fn malformed_models_give_errors_naming_the_shape() {
    let mut failures = Vec::new();
    for (case, model, shape) in cases() {
        let result = std::panic::catch_unwind(|| codegen::generate(&model));
        match result {
            Err(_) => failures.push(format!("{case}: panicked")),
            Ok(Ok(_)) => failures.push(format!("{case}: generated code instead of failing")),
            Ok(Err(e)) => {
                let message = e.to_string();
                if case.contains("waiter") || message.contains("waiter `") {
                    // Waiter errors name the operation, then the waiter.
                    if !message.contains("shape `t#Op`: waiter `") && !message.contains("shape `t#Other`: waiter `") {
                        failures.push(format!("{case}: error does not name the operation and waiter: {message}"));
                    }
                }
                if !message.contains(shape) {
                    failures.push(format!("{case}: error does not name `{shape}`: {message}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n  {}", failures.len(), failures.join("\n  "));
}

/// Names that clash in Rust are no error: the naming pass gives the later one a suffix.
#[test]
fn name_clashes_are_resolved() {
    let shapes = with(json!({
        "t#Input": {"type": "structure", "members": {
            "a": {"target": "t#Item"},
            "b": {"target": "u#Item"}
        }},
        "t#Item": {"type": "structure", "members": {}},
        "u#Item": {"type": "structure", "members": {}}
    }));
    let members = with(json!({"t#Input": {"type": "structure", "members": {
        "fooBar": {"target": "smithy.api#String"},
        "foo_bar": {"target": "smithy.api#String"}
    }}}));
    for (model, wanted) in [(shapes, "pub struct Item2"), (members, "pub foo_bar_2: Option<String>")] {
        let files = codegen::generate(&model).unwrap_or_else(|e| panic!("a clash fails generation: {e}"));
        assert!(files.iter().any(|f| f.contents.contains(wanted)), "no `{wanted}` in the generated files");
    }
}
