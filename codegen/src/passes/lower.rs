//! The lowering pass: from the resolved model to the IR ([`crate::ir::Ctx`]). It picks the
//! operations that are generated, places every type in a module, has the naming pass name
//! everything, finds the members that must be boxed, and which inputs carry constraints.

use std::collections::{BTreeMap, BTreeSet};

use super::naming::{Names, TypeToName, Wanted};
use super::{constraints, members, sensitivity, waiters};
use crate::ir::{Ctx, Home, Module, Op};
use crate::smithy::{Kind, Model, ModelError, Shape, UNIT};

/// Lowers a resolved model.
pub fn lower(model: &Model) -> Result<Ctx<'_>, ModelError> {
    Ctx::new(model)
}

impl<'m> Ctx<'m> {
    fn new(model: &'m Model) -> Result<Self, ModelError> {
        let service = model.service()?;
        let service_errors =
            service.service_errors()?.iter().map(|id| model.shape(id)).collect::<Result<Vec<_>, _>>()?;
        let mut ops = Vec::new();
        let mut skipped = Vec::new();
        for shape in model.operations(service)? {
            let Kind::Operation { input, output, errors } = &shape.kind else { continue };
            // Event streams (streaming members) need another transport model: left out, and said so.
            let streams = [input, output]
                .iter()
                .filter_map(|id| model.shapes.get(*id))
                .any(|io| io.members.iter().any(|m| model.shapes.get(&m.target).is_some_and(|t| t.traits.streaming)));
            if streams {
                skipped.push(shape.name().to_string());
                continue;
            }
            let mut errs: BTreeMap<&str, &Shape> = BTreeMap::new();
            for e in errors.iter().map(|id| model.shape(id)).chain(service_errors.iter().map(|s| Ok(*s))) {
                let e = e?;
                if e.traits.error.is_none() || e.kind != Kind::Structure {
                    return Err(ModelError::new(&shape.id, format!("`{}` is listed as an error but is not one", e.id)));
                }
                errs.insert(e.name(), e);
            }
            let input = model.shape(input)?;
            let output = model.shape(output)?;
            for io in [input, output] {
                if io.kind != Kind::Structure {
                    return Err(ModelError::new(&shape.id, format!("input/output `{}` is not a structure", io.id)));
                }
            }
            ops.push(Op { shape, input, output, errors: errs.into_values().collect() });
        }
        let mut ctx = Ctx {
            model,
            service,
            ops,
            homes: BTreeMap::new(),
            sent: BTreeSet::new(),
            boxed: BTreeSet::new(),
            constrained: BTreeSet::new(),
            sensitive_outputs: BTreeSet::new(),
            skipped,
            names: Names::default(),
            paginators: BTreeMap::new(),
            members: BTreeMap::new(),
            waiters: Vec::new(),
        };
        // Operation values override the service's defaults.
        for op in &ctx.ops {
            if let Some(own) = &op.shape.traits.paginated {
                ctx.paginators.insert(op.shape.id.clone(), own.or(service.traits.paginated.as_ref()));
            }
        }
        ctx.place_shapes()?;
        ctx.members = members::lower_members(&ctx)?;
        ctx.find_recursion();
        ctx.constrained = constraints::constrained(&ctx);
        ctx.sensitive_outputs = sensitivity::sensitive_outputs(&ctx);
        ctx.waiters = waiters::waiters(&ctx.ops)?;
        Ok(ctx)
    }

    /// Decides the module and name of every type, and which structures are only ever sent.
    fn place_shapes(&mut self) -> Result<(), ModelError> {
        let mut sent = BTreeSet::new();
        let mut received = BTreeSet::new();
        for op in &self.ops {
            self.reach(&op.input.id, &mut sent)?;
            self.reach(&op.output.id, &mut received)?;
            for e in &op.errors {
                self.reach(&e.id, &mut received)?;
            }
        }
        // Operation inputs and outputs are named after their operation when nothing else uses them.
        let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
        for shape in self.model.shapes.values() {
            for m in &shape.members {
                *uses.entry(m.target.as_str()).or_default() += 1;
            }
        }
        for op in &self.ops {
            *uses.entry(op.input.id.as_str()).or_default() += 1;
            *uses.entry(op.output.id.as_str()).or_default() += 1;
        }
        // Modules first; the naming pass then names every type, field and variant at once.
        let outputs: BTreeSet<&str> = self.ops.iter().map(|op| op.output.id.as_str()).collect();
        let mut types: BTreeMap<String, (Module, TypeToName)> = BTreeMap::new();
        for op in &self.ops {
            for (shape, module, suffix) in [(op.input, Module::Input, "Input"), (op.output, Module::Output, "Output")] {
                if uses.get(shape.id.as_str()) == Some(&1) || shape.id == UNIT {
                    // Unit gets one empty struct per operation, keyed by a synthetic id.
                    let key = if shape.id == UNIT { format!("{}#{suffix}", op.shape.id) } else { shape.id.clone() };
                    let t = TypeToName {
                        key: key.clone(),
                        module: module as u8,
                        shape: (shape.id != UNIT).then_some(shape),
                        wanted: Wanted::OfOperation { op: op.shape.id.clone(), suffix },
                        has_request_id: module == Module::Output,
                    };
                    types.insert(key, (module, t));
                }
            }
        }
        let all: BTreeSet<String> = sent.union(&received).cloned().collect();
        for id in &all {
            if types.contains_key(id) || id == UNIT {
                continue;
            }
            let shape = self.model.shape(id)?;
            let module = match shape.kind {
                Kind::Structure if shape.traits.error.is_some() => Module::Error,
                Kind::Structure | Kind::Union | Kind::Enum | Kind::IntEnum => Module::Types,
                _ => continue,
            };
            let t = TypeToName {
                key: id.clone(),
                module: module as u8,
                shape: Some(shape),
                wanted: Wanted::Shape,
                has_request_id: module == Module::Error || outputs.contains(id.as_str()),
            };
            types.insert(id.clone(), (module, t));
        }
        let op_shapes: Vec<&Shape> = self.ops.iter().map(|op| op.shape).collect();
        let modules: BTreeMap<String, Module> = types.iter().map(|(k, (m, _))| (k.clone(), *m)).collect();
        let names =
            Names::decide(self.model, &op_shapes, types.into_values().map(|(_, t)| t).collect(), Module::Error as u8)?;
        let mut homes = BTreeMap::new();
        for (key, module) in modules {
            let name = names.type_name(&key)?.to_string();
            homes.insert(key, Home { module, name });
        }
        self.names = names;
        self.sent = sent;
        self.homes = homes;
        Ok(())
    }

    /// Every shape reachable from `id` through members.
    fn reach(&self, id: &str, seen: &mut BTreeSet<String>) -> Result<(), ModelError> {
        let mut pending = vec![id.to_string()];
        while let Some(id) = pending.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let shape = self.model.shape(&id)?;
            if !matches!(shape.kind, Kind::Enum | Kind::IntEnum) {
                pending.extend(shape.members.iter().map(|m| m.target.clone()));
            }
        }
        Ok(())
    }

    /// A member is boxed when its structure or union target leads back to the member's owner
    /// without passing through a list or map (those already add indirection).
    fn find_recursion(&mut self) {
        let direct = |id: &str| -> Vec<String> {
            match self.model.shapes.get(id) {
                Some(s) if matches!(s.kind, Kind::Structure | Kind::Union) => {
                    s.members.iter().map(|m| m.target.clone()).collect()
                }
                _ => vec![],
            }
        };
        let mut boxed = BTreeSet::new();
        for id in self.homes.keys() {
            for m in self.model.shapes.get(id).map(|s| s.members.as_slice()).unwrap_or_default() {
                let mut seen = BTreeSet::new();
                let mut pending = vec![m.target.clone()];
                while let Some(t) = pending.pop() {
                    if t == *id {
                        boxed.insert((id.clone(), m.name.clone()));
                        break;
                    }
                    if seen.insert(t.clone()) {
                        pending.extend(direct(&t));
                    }
                }
            }
        }
        self.boxed = boxed;
    }
}
