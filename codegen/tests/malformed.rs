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

/// `(case, model, shape id the error must name)`.
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
            "operationContextParams path with an unsupported JMESPath form",
            with(json!({"t#Op": {
                "type": "operation",
                "input": {"target": "t#Input"},
                "traits": {"smithy.rules#operationContextParams": {"P": {"path": "field[?x == 'y']"}}}
            }})),
            "t#Op",
        ),
        ("unsupported shape type", with(json!({"t#Weird": {"type": "tensor"}})), "t#Weird"),
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
            "two shapes with one Rust name",
            with(json!({
                "t#Input": {"type": "structure", "members": {
                    "a": {"target": "t#Item"},
                    "b": {"target": "u#Item"}
                }},
                "t#Item": {"type": "structure", "members": {}},
                "u#Item": {"type": "structure", "members": {}}
            })),
            "#Item",
        ),
        (
            "two members with one Rust name",
            with(json!({"t#Input": {"type": "structure", "members": {
                "fooBar": {"target": "smithy.api#String"},
                "foo_bar": {"target": "smithy.api#String"}
            }}})),
            "t#Input$foo",
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
                if !message.contains(shape) {
                    failures.push(format!("{case}: error does not name `{shape}`: {message}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n  {}", failures.len(), failures.join("\n  "));
}
