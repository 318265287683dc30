//! The protocol tests pass: which of the model's `smithy.test` cases the generated crate runs
//! (its protocol's, on the client side), the operation each runs through, and the name of
//! each test function (decided by [`super::naming::test_functions`]).

use super::lower::Lowering;
use super::naming;
use crate::ir::Module;
use crate::smithy::traits::HttpCase;

/// What a case checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseKind {
    /// The request an input is sent as.
    Request,
    /// The output a response is read as.
    Response,
    /// The error (by shape id) an error response is read as.
    Error(String),
}

/// One protocol test case the crate runs.
#[derive(Clone, Debug)]
pub struct ProtocolCase {
    pub kind: CaseKind,
    /// The operation it runs through, by shape id: its own, or for an error case the first
    /// operation that returns the error.
    pub op: String,
    pub case: HttpCase,
    /// The test function's name.
    pub name: String,
}

/// Every case, in a fixed order: each operation's request then response cases (operations
/// sorted by name), then error cases by error shape id.
pub(crate) fn protocol_cases(l: &Lowering) -> Vec<ProtocolCase> {
    let protocol = if l.service.traits.aws_json_1_1 { "aws.protocols#awsJson1_1" } else { "aws.protocols#awsJson1_0" };
    let applies = |c: &&HttpCase| c.protocol == protocol && c.applies_to.as_deref() != Some("server");
    let mut out = Vec::new();
    let mut push = |kind: CaseKind, op: &str, case: &HttpCase| {
        out.push(ProtocolCase { kind, op: op.to_string(), case: case.clone(), name: String::new() })
    };
    for op in &l.ops {
        for case in op.shape.traits.http_request_tests.iter().filter(applies) {
            push(CaseKind::Request, &op.shape.id, case);
        }
        for case in op.shape.traits.http_response_tests.iter().filter(applies) {
            push(CaseKind::Response, &op.shape.id, case);
        }
    }
    for id in l.homes.iter().filter(|(_, h)| h.module == Module::Error).map(|(id, _)| id) {
        let Some(op) = l.ops.iter().find(|op| op.errors.iter().any(|e| e.id == *id)) else { continue };
        let Ok(error) = l.model.shape(id) else { continue };
        for case in error.traits.http_response_tests.iter().filter(applies) {
            push(CaseKind::Error(id.clone()), &op.shape.id, case);
        }
    }
    let wanted = out.iter().map(|c| {
        let prefix = match c.kind {
            CaseKind::Request => "request",
            CaseKind::Response => "response",
            CaseKind::Error(_) => "error",
        };
        (prefix, c.case.id.clone())
    });
    let names = naming::test_functions(wanted.collect());
    for (c, name) in out.iter_mut().zip(names) {
        c.name = name;
    }
    out
}
