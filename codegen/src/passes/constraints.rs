//! Which members carry `length`, `range` or `pattern` constraints, and which sent structures
//! and unions have one somewhere inside (those get a `Validate` impl and are checked).

use std::collections::{BTreeMap, BTreeSet};

use super::lower::Lowering;
use crate::smithy::{Kind, Member, Shape};

/// Which structures and unions that are sent have a constraint somewhere inside them.
pub(crate) fn constrained(lowering: &Lowering) -> BTreeSet<String> {
    let mut memo: BTreeMap<String, bool> = BTreeMap::new();
    lowering
        .homes
        .keys()
        .filter(|id| lowering.sent.contains(*id))
        .filter(|id| has_constraint(lowering, id, &mut memo))
        .cloned()
        .collect()
}

fn has_constraint(lowering: &Lowering, id: &str, memo: &mut BTreeMap<String, bool>) -> bool {
    if let Some(v) = memo.get(id) {
        return *v;
    }
    // Assume no while visiting, which ends cycles.
    memo.insert(id.to_string(), false);
    let Some(shape) = lowering.model.shapes.get(id) else { return false };
    let own = shape_constraints(shape).any();
    let inner = match shape.kind {
        Kind::Structure | Kind::Union | Kind::List | Kind::Map => shape
            .members
            .iter()
            .any(|m| member_constraints(lowering, m).any() || has_constraint(lowering, &m.target, memo)),
        _ => false,
    };
    let result = own || inner;
    memo.insert(id.to_string(), result);
    result
}

/// A member's `length`, `range` and `pattern`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub length: Option<(Option<u64>, Option<u64>)>,
    pub range: Option<(Option<f64>, Option<f64>)>,
    pub pattern: Option<String>,
}

impl Constraints {
    pub fn any(&self) -> bool {
        self.length.is_some() || self.range.is_some() || self.pattern.is_some()
    }
}

fn read_constraints(traits: &crate::smithy::Traits) -> Constraints {
    Constraints {
        length: traits.length.map(|l| (l.min, l.max)),
        range: traits.range.map(|r| (r.min, r.max)),
        pattern: traits.pattern.clone(),
    }
}

fn shape_constraints(shape: &Shape) -> Constraints {
    read_constraints(&shape.traits)
}

/// A member's constraints: its own, else its target's.
pub(crate) fn member_constraints(lowering: &Lowering, m: &Member) -> Constraints {
    let own = read_constraints(&m.traits);
    let target = lowering.model.shapes.get(&m.target).map(shape_constraints).unwrap_or_default();
    Constraints {
        length: own.length.or(target.length),
        range: own.range.or(target.range),
        pattern: own.pattern.or(target.pattern),
    }
}
