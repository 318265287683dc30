//! The paginators pass: each `@paginated` operation's tokens, page size and items, the
//! service's values filled in, checked against the operation's shapes once (members exist,
//! paths go through structures, tokens are strings or maps of one type at both ends, the page
//! size is an integer, the items a list or map), so the emitter only follows the paths.

use std::collections::BTreeMap;

use super::lower::{Lowering, ModelOp};
use crate::smithy::{Kind, Model, ModelError, Shape};

/// A checked `@paginated`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paginator {
    /// The input member the token is sent in.
    pub input_token: String,
    /// The output member path (`page.next` split at the dots) the next token is read from.
    pub output_token: Vec<String>,
    /// The output member path to the page's items, a list or a map.
    pub items: Option<Vec<String>>,
    /// The input member that sets the page size, an integer or a long.
    pub page_size: Option<String>,
}

/// Every paginated operation's paginator, by operation id.
pub(crate) fn paginators(l: &Lowering) -> Result<BTreeMap<String, Paginator>, ModelError> {
    let mut out = BTreeMap::new();
    for op in &l.ops {
        let Some(own) = &op.shape.traits.paginated else { continue };
        let p = own.or(l.service.traits.paginated.as_ref());
        let err = |problem: String| ModelError::in_trait(&op.shape.id, "smithy.api#paginated", problem);
        let (Some(input_token), Some(output_token)) = (p.input_token, p.output_token) else {
            return Err(err("needs inputToken and outputToken".into()));
        };
        let in_token = input_member(l.model, op, &input_token).map_err(err)?;
        let output_token: Vec<String> = output_token.split('.').map(str::to_owned).collect();
        let out_token = output_member(l.model, op, &output_token).map_err(err)?;
        if !matches!(in_token.kind, Kind::String | Kind::Map) {
            return Err(err("inputToken must be a string or a map".into()));
        }
        // Smithy asks for the same type at both ends, not the same shape: codebuild's input
        // token is a `SensitiveString`, its output token a `String`.
        if !same_rust_type(l.model, in_token, out_token, 0) {
            return Err(err(format!(
                "inputToken `{}` and outputToken `{}` are not of one type",
                in_token.id, out_token.id
            )));
        }
        if let Some(n) = &p.page_size {
            if !matches!(input_member(l.model, op, n).map_err(err)?.kind, Kind::Integer | Kind::Long) {
                return Err(err("pageSize must be an integer or long".into()));
            }
        }
        let items = p.items.map(|i| i.split('.').map(str::to_owned).collect::<Vec<_>>());
        if let Some(path) = &items {
            if !matches!(output_member(l.model, op, path).map_err(err)?.kind, Kind::List | Kind::Map) {
                return Err(err("items must be a list or map".into()));
            }
        }
        out.insert(op.shape.id.clone(), Paginator { input_token, output_token, items, page_size: p.page_size });
    }
    Ok(out)
}

fn not_a_member(n: &str) -> String {
    format!("names `{n}`, which is not a member")
}

/// The target of input member `name`.
fn input_member<'m>(model: &'m Model, op: &ModelOp<'m>, name: &str) -> Result<&'m Shape, String> {
    let m = op.input.member(name).ok_or_else(|| not_a_member(name))?;
    model.shape(&m.target).map_err(|e| e.to_string())
}

/// The target at the end of an output member path, through structures only.
fn output_member<'m>(model: &'m Model, op: &ModelOp<'m>, path: &[String]) -> Result<&'m Shape, String> {
    let mut shape = op.output;
    for (i, seg) in path.iter().enumerate() {
        if i > 0 && shape.kind != Kind::Structure {
            return Err(format!("path `{}` goes through a non-structure", path.join(".")));
        }
        let m = shape.member(seg).ok_or_else(|| not_a_member(seg))?;
        shape = model.shape(&m.target).map_err(|e| e.to_string())?;
    }
    Ok(shape)
}

/// Whether two shapes become the same Rust type: the same simple kind, the same named type, or
/// lists and maps of the same.
fn same_rust_type(model: &Model, a: &Shape, b: &Shape, depth: usize) -> bool {
    if a.id == b.id {
        return true;
    }
    if a.kind != b.kind || depth > 32 {
        return false;
    }
    match a.kind {
        Kind::Structure | Kind::Union | Kind::Enum | Kind::IntEnum => false,
        Kind::List | Kind::Map => {
            a.traits.sparse == b.traits.sparse
                && a.members.len() == b.members.len()
                && a.members.iter().zip(&b.members).all(|(x, y)| {
                    match (model.shapes.get(&x.target), model.shapes.get(&y.target)) {
                        (Some(x), Some(y)) => same_rust_type(model, x, y, depth + 1),
                        _ => false,
                    }
                })
        }
        _ => true,
    }
}
