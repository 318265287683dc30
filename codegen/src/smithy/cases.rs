//! The test-case traits, typed: `smithy.test#httpRequestTests` and `httpResponseTests`
//! ([`HttpCase`]) and `smithy.rules#endpointTests` ([`EndpointCase`]). Values the cases give as
//! Smithy documents (operation parameters, endpoint properties and headers) stay JSON nodes: a
//! generated test compares them as such.

use serde_json::{Map, Value};

use super::traits::StaticParam;
use super::ModelError;

/// One protocol compliance test case.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpCase {
    pub id: String,
    /// The protocol's shape id (`aws.protocols#awsJson1_1`).
    pub protocol: String,
    /// `client` or `server` when the case applies to one side only.
    pub applies_to: Option<String>,
    pub documentation: Option<String>,
    /// The input, output or error as a document (an empty object when absent).
    pub params: Value,
    pub method: Option<String>,
    pub uri: Option<String>,
    pub host: Option<String>,
    pub resolved_host: Option<String>,
    /// The response's status code (response cases).
    pub code: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub forbid_headers: Vec<String>,
    pub require_headers: Vec<String>,
    pub body: Option<String>,
    pub body_media_type: Option<String>,
}

/// One endpoint rule set test case.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointCase {
    pub documentation: Option<String>,
    /// Rule set parameters, in model order.
    pub params: Vec<(String, StaticParam)>,
    pub expect: EndpointExpect,
    /// Calls through an operation that must reach the same endpoint or error.
    pub operation_inputs: Vec<OperationInput>,
}

/// What an endpoint test case expects.
#[derive(Debug, Clone, PartialEq)]
pub enum EndpointExpect {
    Endpoint {
        url: String,
        /// `authSchemes` and the like, as a document; compared only when given.
        properties: Option<Value>,
        headers: Option<Value>,
    },
    Error(String),
}

/// An endpoint test case's call through an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationInput {
    pub operation_name: String,
    /// The input as a document (an empty object when absent).
    pub operation_params: Value,
    /// `AWS::Region` and the like, in model order.
    pub built_in_params: Vec<(String, StaticParam)>,
    pub client_params: Vec<(String, StaticParam)>,
}

/// Reads the cases of one trait; errors name the shape, the trait and the case.
struct Cases<'a> {
    shape: &'a str,
    trait_id: &'a str,
}

impl Cases<'_> {
    fn err(&self, case: usize, problem: impl std::fmt::Display) -> ModelError {
        ModelError::in_trait(self.shape, self.trait_id, format!("case {}: {problem}", case + 1))
    }

    fn list<'v>(&self, value: &'v Value) -> Result<&'v Vec<Value>, ModelError> {
        value.as_array().ok_or_else(|| ModelError::in_trait(self.shape, self.trait_id, "is not a list"))
    }

    fn object<'v>(&self, i: usize, v: &'v Value) -> Result<&'v Map<String, Value>, ModelError> {
        v.as_object().ok_or_else(|| self.err(i, "is not an object"))
    }

    fn string(&self, i: usize, case: &Map<String, Value>, key: &str) -> Result<Option<String>, ModelError> {
        match case.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(i, format!("`{key}` is not a string"))),
        }
    }

    fn required(&self, i: usize, case: &Map<String, Value>, key: &str) -> Result<String, ModelError> {
        self.string(i, case, key)?.ok_or_else(|| self.err(i, format!("has no `{key}`")))
    }

    fn strings(&self, i: usize, case: &Map<String, Value>, key: &str) -> Result<Vec<String>, ModelError> {
        match case.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| self.err(i, format!("`{key}` holds a non-string")))
                })
                .collect(),
            Some(_) => Err(self.err(i, format!("`{key}` is not a list"))),
        }
    }

    /// A document member, an empty object when absent.
    fn document(&self, case: &Map<String, Value>, key: &str) -> Value {
        case.get(key).cloned().unwrap_or_else(|| Value::Object(Map::new()))
    }

    /// Rule set parameter values: booleans, strings and lists of strings.
    fn params(&self, i: usize, v: Option<&Value>) -> Result<Vec<(String, StaticParam)>, ModelError> {
        let Some(v) = v else { return Ok(vec![]) };
        let object = v.as_object().ok_or_else(|| self.err(i, "parameters are not an object"))?;
        object
            .iter()
            .map(|(k, v)| {
                let param = match v {
                    Value::Bool(b) => StaticParam::Bool(*b),
                    Value::String(s) => StaticParam::Str(s.clone()),
                    Value::Array(a) => StaticParam::List(
                        a.iter()
                            .map(|x| x.as_str().map(str::to_owned))
                            .collect::<Option<_>>()
                            .ok_or_else(|| self.err(i, format!("parameter `{k}` holds a non-string")))?,
                    ),
                    other => return Err(self.err(i, format!("parameter `{k}` has an unsupported value {other}"))),
                };
                Ok((k.clone(), param))
            })
            .collect()
    }
}

/// `smithy.test#httpRequestTests` or `httpResponseTests` of `shape`.
pub fn http_cases(shape: &str, trait_id: &str, value: &Value) -> Result<Vec<HttpCase>, ModelError> {
    let c = Cases { shape, trait_id };
    let mut out = Vec::new();
    for (i, v) in c.list(value)?.iter().enumerate() {
        let case = c.object(i, v)?;
        let headers = match case.get("headers") {
            None => vec![],
            Some(Value::Object(h)) => h
                .iter()
                .map(|(k, v)| {
                    let v = v.as_str().ok_or_else(|| c.err(i, format!("header `{k}` is not a string")))?;
                    Ok((k.clone(), v.to_string()))
                })
                .collect::<Result<_, ModelError>>()?,
            Some(_) => return Err(c.err(i, "`headers` is not an object")),
        };
        let code = match case.get("code") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or_else(|| c.err(i, "`code` is not an HTTP status code"))?,
            ),
        };
        out.push(HttpCase {
            id: c.required(i, case, "id")?,
            protocol: c.required(i, case, "protocol")?,
            applies_to: c.string(i, case, "appliesTo")?,
            documentation: c.string(i, case, "documentation")?,
            params: c.document(case, "params"),
            method: c.string(i, case, "method")?,
            uri: c.string(i, case, "uri")?,
            host: c.string(i, case, "host")?,
            resolved_host: c.string(i, case, "resolvedHost")?,
            code,
            headers,
            forbid_headers: c.strings(i, case, "forbidHeaders")?,
            require_headers: c.strings(i, case, "requireHeaders")?,
            body: c.string(i, case, "body")?,
            body_media_type: c.string(i, case, "bodyMediaType")?,
        });
    }
    Ok(out)
}

/// `smithy.rules#endpointTests` of `shape`.
pub fn endpoint_cases(shape: &str, trait_id: &str, value: &Value) -> Result<Vec<EndpointCase>, ModelError> {
    let c = Cases { shape, trait_id };
    let Some(cases) = value.get("testCases") else { return Ok(vec![]) };
    let mut out = Vec::new();
    for (i, v) in c.list(cases)?.iter().enumerate() {
        let case = c.object(i, v)?;
        let expect = c.object(i, case.get("expect").ok_or_else(|| c.err(i, "has no `expect`"))?)?;
        let expect = match (expect.get("endpoint"), expect.get("error")) {
            (Some(Value::Object(e)), _) => EndpointExpect::Endpoint {
                url: c.required(i, e, "url")?,
                properties: e.get("properties").cloned(),
                headers: e.get("headers").cloned(),
            },
            (None, Some(Value::String(message))) => EndpointExpect::Error(message.clone()),
            _ => return Err(c.err(i, "expects neither an endpoint nor an error")),
        };
        let mut operation_inputs = Vec::new();
        for input in c.list(case.get("operationInputs").unwrap_or(&Value::Array(vec![])))? {
            let input = c.object(i, input)?;
            operation_inputs.push(OperationInput {
                operation_name: c.required(i, input, "operationName")?,
                operation_params: c.document(input, "operationParams"),
                built_in_params: c.params(i, input.get("builtInParams"))?,
                client_params: c.params(i, input.get("clientParams"))?,
            });
        }
        out.push(EndpointCase {
            documentation: c.string(i, case, "documentation")?,
            params: c.params(i, case.get("params"))?,
            expect,
            operation_inputs,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn http_cases_are_typed_and_bad_ones_named() {
        let cases = http_cases(
            "a#Op",
            "smithy.test#httpRequestTests",
            &json!([{"id": "One", "protocol": "p#P", "method": "POST", "uri": "/",
                     "headers": {"X-A": "1"}, "forbidHeaders": ["X-B"], "body": "{}"}]),
        )
        .unwrap();
        assert_eq!(cases[0].id, "One");
        assert_eq!(cases[0].headers, [("X-A".to_string(), "1".to_string())]);
        assert_eq!(cases[0].forbid_headers, ["X-B"]);
        assert_eq!(cases[0].params, json!({}));
        let e = http_cases("a#Op", "smithy.test#httpRequestTests", &json!([{"id": "One"}])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid model: shape `a#Op`: trait `smithy.test#httpRequestTests` case 1: has no `protocol`"
        );
        let e = http_cases("a#Op", "t", &json!([{"id": "x", "protocol": "p", "headers": {"h": 1}}])).unwrap_err();
        assert!(e.to_string().contains("header `h` is not a string"), "{e}");
    }

    #[test]
    fn endpoint_cases_are_typed_and_bad_ones_named() {
        let cases = endpoint_cases(
            "a#S",
            "smithy.rules#endpointTests",
            &json!({"testCases": [
                {"params": {"Region": "us-east-1", "UseFIPS": true},
                 "expect": {"endpoint": {"url": "https://x"}},
                 "operationInputs": [{"operationName": "Op", "builtInParams": {"AWS::Region": "us-east-1"}}]},
                {"params": {"Ids": ["a", "b"]}, "expect": {"error": "no"}}
            ]}),
        )
        .unwrap();
        assert_eq!(cases[0].params[1], ("UseFIPS".to_string(), StaticParam::Bool(true)));
        assert!(matches!(&cases[0].expect, EndpointExpect::Endpoint { url, .. } if url == "https://x"));
        assert_eq!(cases[0].operation_inputs[0].operation_params, json!({}));
        assert_eq!(cases[1].params[0].1, StaticParam::List(vec!["a".into(), "b".into()]));
        assert_eq!(cases[1].expect, EndpointExpect::Error("no".into()));
        let e = endpoint_cases("a#S", "t", &json!({"testCases": [{"params": {"N": 1}, "expect": {"error": "x"}}]}))
            .unwrap_err();
        assert!(e.to_string().contains("case 1: parameter `N` has an unsupported value 1"), "{e}");
        let e = endpoint_cases("a#S", "t", &json!({"testCases": [{"expect": {}}]})).unwrap_err();
        assert!(e.to_string().contains("expects neither an endpoint nor an error"), "{e}");
    }
}
