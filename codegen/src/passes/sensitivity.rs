//! Which operation outputs hold `@sensitive` data anywhere inside (a member, its target, or a
//! list, map, union or structure on the way to one). The runtime then never shows such a
//! response's body in an error: an output it could not read may still carry the secret.

use std::collections::BTreeSet;

use super::lower::Lowering;

/// The ids of operation output shapes with sensitive data somewhere inside.
pub(crate) fn sensitive_outputs(lowering: &Lowering) -> BTreeSet<String> {
    lowering
        .ops
        .iter()
        .filter(|op| holds_sensitive(lowering, &op.output.id, &mut BTreeSet::new()))
        .map(|op| op.output.id.clone())
        .collect()
}

fn holds_sensitive(lowering: &Lowering, id: &str, seen: &mut BTreeSet<String>) -> bool {
    // A shape seen before on this walk adds nothing new, which also ends recursive shapes.
    if !seen.insert(id.to_string()) {
        return false;
    }
    let Some(shape) = lowering.model.shapes.get(id) else { return false };
    shape.traits.sensitive
        || shape.members.iter().any(|m| m.traits.sensitive || holds_sensitive(lowering, &m.target, seen))
}
