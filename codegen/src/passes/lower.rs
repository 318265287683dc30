//! The lowering pass: from the resolved model to the IR ([`crate::ir::Ir`]). It picks the
//! operations that are generated, places every type in a module, has the naming pass name
//! everything, finds the members that must be boxed, runs the other passes, and copies every
//! shape the crate uses into the IR with each member's answers attached.

use std::collections::{BTreeMap, BTreeSet};

use super::naming::{Names, TypeToName, Wanted};
use super::{constraints, members, paginators, protocol_tests, sensitivity, waiters};
use crate::docs;
use crate::ir::{self, Home, Ir, LoweredMember, Module, OpIds};
use crate::smithy::traits::TimestampFormat;
use crate::smithy::{Kind, Member, Model, ModelError, Shape, Traits, UNIT};

/// Lowers a resolved model.
pub fn lower(model: &Model) -> Result<Ir, ModelError> {
    Lowering::new(model)?.into_ir()
}

/// One operation of the model, with the shapes it uses looked up.
pub(crate) struct ModelOp<'m> {
    pub shape: &'m Shape,
    pub input: &'m Shape,
    pub output: &'m Shape,
    /// Operation errors then service errors, sorted by name, without repeats.
    pub errors: Vec<&'m Shape>,
}

/// The passes' working state: the model and what has been decided so far.
pub(crate) struct Lowering<'m> {
    pub model: &'m Model,
    pub service: &'m Shape,
    pub ops: Vec<ModelOp<'m>>,
    pub homes: BTreeMap<String, Home>,
    pub sent: BTreeSet<String>,
    /// Every shape reachable from an operation's input, output or errors.
    pub reached: BTreeSet<String>,
    /// `(structure, member)` pairs that must be boxed to break a recursive type.
    pub boxed: BTreeSet<(String, String)>,
    pub constrained: BTreeSet<String>,
    pub sensitive_outputs: BTreeSet<String>,
    pub skipped: Vec<String>,
    pub paginators: BTreeMap<String, paginators::Paginator>,
    /// Every member of every generated structure, by `(structure, member)`.
    pub members: BTreeMap<(String, String), LoweredMember>,
    pub names: Names,
    pub waiters: Vec<(String, waiters::Waiter)>,
}

impl<'m> Lowering<'m> {
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
            ops.push(ModelOp { shape, input, output, errors: errs.into_values().collect() });
        }
        let mut ctx = Lowering {
            model,
            service,
            ops,
            homes: BTreeMap::new(),
            sent: BTreeSet::new(),
            reached: BTreeSet::new(),
            boxed: BTreeSet::new(),
            constrained: BTreeSet::new(),
            sensitive_outputs: BTreeSet::new(),
            skipped,
            names: Names::default(),
            paginators: BTreeMap::new(),
            members: BTreeMap::new(),
            waiters: Vec::new(),
        };
        ctx.paginators = paginators::paginators(&ctx)?;
        ctx.place_shapes()?;
        ctx.members = members::lower_members(&ctx)?;
        ctx.find_recursion();
        ctx.constrained = constraints::constrained(&ctx);
        ctx.sensitive_outputs = sensitivity::sensitive_outputs(&ctx);
        ctx.waiters = waiters::waiters(&ctx.ops.iter().map(|op| op.shape).collect::<Vec<_>>())?;
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
        self.reached = sent.union(&received).cloned().collect();
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

    /// The IR: every shape the crate uses, lowered, and the decisions of the passes.
    fn into_ir(self) -> Result<Ir, ModelError> {
        let mut ids: BTreeSet<&str> = self.reached.iter().map(String::as_str).collect();
        ids.extend(["smithy.api#String", UNIT, self.service.id.as_str()]);
        ids.extend(self.ops.iter().map(|op| op.shape.id.as_str()));
        let mut shapes = BTreeMap::new();
        for id in ids {
            let shape = self.model.shape(id)?;
            shapes.insert(id.to_string(), self.lower_shape(shape)?);
        }
        let protocol_cases = protocol_tests::protocol_cases(&self);
        let mut names = self.names;
        names.name_bindings(shapes.values().map(|s: &ir::Shape| (s.id.as_str(), s.name())));
        let ops = self
            .ops
            .iter()
            .map(|op| OpIds {
                op: op.shape.id.clone(),
                input: op.input.id.clone(),
                output: op.output.id.clone(),
                errors: op.errors.iter().map(|e| e.id.clone()).collect(),
            })
            .collect();
        Ok(Ir {
            shapes,
            service: self.service.id.clone(),
            ops,
            homes: self.homes,
            sent: self.sent,
            constrained: self.constrained,
            sensitive_outputs: self.sensitive_outputs,
            skipped: self.skipped,
            paginators: self.paginators,
            names,
            waiters: self.waiters,
            protocol_cases,
        })
    }

    fn lower_shape(&self, shape: &Shape) -> Result<ir::Shape, ModelError> {
        let mut members = Vec::new();
        for m in &shape.members {
            let key = (shape.id.clone(), m.name.clone());
            let target = self.model.shape(&m.target)?;
            let own_doc = doc_text(&m.traits);
            members.push(ir::Member {
                name: m.name.clone(),
                target: m.target.clone(),
                traits: m.traits.clone(),
                lowered: self.members.get(&key).cloned(),
                boxed: self.boxed.contains(&key),
                doc: if own_doc.is_empty() { doc_text(&target.traits) } else { own_doc },
                timestamp_format: self.timestamp_format(m)?,
                sensitive: m.traits.sensitive || self.holds_secret(&m.target, 0),
                constraints: constraints::member_constraints(self, m),
            });
        }
        Ok(ir::Shape {
            id: shape.id.clone(),
            kind: shape.kind.clone(),
            members,
            traits: shape.traits.clone(),
            doc: doc_text(&shape.traits),
            version: shape.version().map(str::to_owned),
        })
    }

    /// The `@timestampFormat` of a member's timestamps: the member's own trait, else its
    /// target's, looking through lists and maps to their timestamps.
    fn timestamp_format(&self, member: &Member) -> Result<Option<TimestampFormat>, ModelError> {
        let mut traits = vec![&member.traits];
        let mut target = self.model.shape(&member.target)?;
        loop {
            traits.push(&target.traits);
            match target.kind {
                Kind::Timestamp => break,
                Kind::List | Kind::Map => {
                    let m = target.members.last().ok_or_else(|| ModelError::new(&target.id, "no member"))?;
                    traits.push(&m.traits);
                    target = self.model.shape(&m.target)?;
                }
                _ => return Ok(None),
            }
        }
        Ok(traits.iter().find_map(|t| t.timestamp_format))
    }

    /// Whether shape `id` is `@sensitive`, or is a list or map holding sensitive values (a list
    /// of secrets is as secret as one).
    fn holds_secret(&self, id: &str, depth: usize) -> bool {
        // Lists of lists end at a model's own depth; the bound only keeps a malformed one finite.
        let Some(shape) = self.model.shapes.get(id).filter(|_| depth < 32) else { return false };
        shape.traits.sensitive
            || (matches!(shape.kind, Kind::List | Kind::Map)
                && shape.members.iter().any(|m| m.traits.sensitive || self.holds_secret(&m.target, depth + 1)))
    }
}

/// Documentation as Markdown.
fn doc_text(traits: &Traits) -> String {
    traits.documentation.as_deref().map(docs::to_markdown).unwrap_or_default()
}
