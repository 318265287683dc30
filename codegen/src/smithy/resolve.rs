//! Resolving a parsed model: the prelude added, mixins flattened, `apply` traits merged, Smithy
//! 1.0 `@enum` strings made enum shapes, every target checked, then every trait typed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::parse::Parsed;
use super::{Kind, Member, Model, ModelError, RawTraits, Shape, Traits, UNIT};

const PRELUDE: &[(&str, Kind)] = &[
    ("String", Kind::String),
    ("Blob", Kind::Blob),
    ("BigInteger", Kind::BigInteger),
    ("BigDecimal", Kind::BigDecimal),
    ("Timestamp", Kind::Timestamp),
    ("Document", Kind::Document),
    ("Boolean", Kind::Boolean),
    ("Byte", Kind::Byte),
    ("Short", Kind::Short),
    ("Integer", Kind::Integer),
    ("Long", Kind::Long),
    ("Float", Kind::Float),
    ("Double", Kind::Double),
    ("PrimitiveBoolean", Kind::Boolean),
    ("PrimitiveByte", Kind::Byte),
    ("PrimitiveShort", Kind::Short),
    ("PrimitiveInteger", Kind::Integer),
    ("PrimitiveLong", Kind::Long),
    ("PrimitiveFloat", Kind::Float),
    ("PrimitiveDouble", Kind::Double),
    ("Unit", Kind::Structure),
];

/// A parsed model resolved; shapes the model defines win over prelude shapes of the same id.
pub fn resolve(parsed: Parsed) -> Result<Model, ModelError> {
    let Parsed { mut shapes, applies, mixins } = parsed;
    for (name, kind) in PRELUDE {
        let id = format!("smithy.api#{name}");
        let mut raw_traits = RawTraits::new();
        if name.starts_with("Primitive") {
            let zero = if *kind == Kind::Boolean { Value::Bool(false) } else { Value::from(0) };
            raw_traits.insert("smithy.api#default".into(), zero);
        }
        shapes.entry(id.clone()).or_insert_with(|| Shape {
            id,
            kind: kind.clone(),
            members: vec![],
            raw_traits,
            traits: Traits::default(),
            extra: Map::new(),
        });
    }
    let mut model = Model { shapes };
    model.flatten_mixins(&mixins)?;
    for (target, traits) in applies {
        model.apply(&target, traits)?;
    }
    model.convert_enum_traits()?;
    model.check_targets()?;
    model.check_collection_cycles()?;
    model.type_traits()?;
    Ok(model)
}

impl Model {
    /// Reads every shape's and member's traits into typed values.
    fn type_traits(&mut self) -> Result<(), ModelError> {
        for shape in self.shapes.values_mut() {
            shape.traits = Traits::parse(&shape.id, &shape.raw_traits)?;
            for m in &mut shape.members {
                m.traits = Traits::parse(&format!("{}${}", shape.id, m.name), &m.raw_traits)?;
            }
        }
        Ok(())
    }

    fn flatten_mixins(&mut self, mixins: &BTreeMap<String, Vec<String>>) -> Result<(), ModelError> {
        // Resolve in dependency order; a mixin may itself use mixins.
        let mut done = BTreeSet::new();
        for id in mixins.keys() {
            self.flatten_one(id, mixins, &mut done, &mut Vec::new())?;
        }
        Ok(())
    }

    fn flatten_one(
        &mut self,
        id: &str,
        mixins: &BTreeMap<String, Vec<String>>,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Result<(), ModelError> {
        if done.contains(id) {
            return Ok(());
        }
        if stack.iter().any(|s| s == id) {
            return Err(ModelError::new(id, "mixins form a cycle"));
        }
        stack.push(id.to_string());
        let parents = mixins.get(id).cloned().unwrap_or_default();
        let mut members = Vec::new();
        let mut traits = RawTraits::new();
        for parent in &parents {
            self.flatten_one(parent, mixins, done, stack)?;
            let p = self
                .shapes
                .get(parent)
                .ok_or_else(|| ModelError::new(id, format!("mixin `{parent}` is not defined")))?;
            if !p.raw_traits.contains_key("smithy.api#mixin") {
                return Err(ModelError::new(id, format!("`{parent}` is used as a mixin but lacks @mixin")));
            }
            let local_only: BTreeSet<String> = p
                .raw_traits
                .get("smithy.api#mixin")
                .and_then(|m| m.get("localTraits"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
                .unwrap_or_default();
            for (k, v) in &p.raw_traits {
                if k != "smithy.api#mixin" && !local_only.contains(k) {
                    traits.insert(k.clone(), v.clone());
                }
            }
            for m in &p.members {
                merge_member(&mut members, m.clone());
            }
        }
        let shape = self.shapes.get_mut(id).ok_or_else(|| ModelError::new(id, "shape is not defined"))?;
        for m in std::mem::take(&mut shape.members) {
            merge_member(&mut members, m);
        }
        shape.members = members;
        traits.extend(std::mem::take(&mut shape.raw_traits));
        shape.raw_traits = traits;
        stack.pop();
        done.insert(id.to_string());
        Ok(())
    }

    fn apply(&mut self, target: &str, traits: RawTraits) -> Result<(), ModelError> {
        let (shape_id, member) = match target.split_once('$') {
            Some((s, m)) => (s, Some(m)),
            None => (target, None),
        };
        let shape = self
            .shapes
            .get_mut(shape_id)
            .ok_or_else(|| ModelError::new(target, "`apply` targets an undefined shape"))?;
        match member {
            None => shape.raw_traits.extend(traits),
            Some(m) => {
                let member = shape
                    .members
                    .iter_mut()
                    .find(|x| x.name == m)
                    .ok_or_else(|| ModelError::new(target, "`apply` targets an undefined member"))?;
                member.raw_traits.extend(traits);
            }
        }
        Ok(())
    }

    /// Smithy 1.0 `@enum` strings become enum shapes, so the generator knows one form only.
    fn convert_enum_traits(&mut self) -> Result<(), ModelError> {
        for shape in self.shapes.values_mut() {
            if shape.kind != Kind::String {
                continue;
            }
            let Some(list) = shape.raw_traits.remove("smithy.api#enum") else { continue };
            let items = list.as_array().ok_or_else(|| ModelError::new(&shape.id, "@enum is not a list"))?;
            let mut members = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let value = item
                    .get("value")
                    .and_then(Value::as_str)
                    .ok_or_else(|| ModelError::new(&shape.id, format!("@enum entry {i} has no value")))?;
                let name = item.get("name").and_then(Value::as_str).unwrap_or(value);
                let mut raw_traits = RawTraits::new();
                raw_traits.insert("smithy.api#enumValue".into(), Value::from(value));
                if let Some(doc) = item.get("documentation") {
                    raw_traits.insert("smithy.api#documentation".into(), doc.clone());
                }
                let traits = Traits::default();
                members.push(Member { name: name.to_string(), target: UNIT.into(), raw_traits, traits });
            }
            shape.kind = Kind::Enum;
            shape.members = members;
        }
        Ok(())
    }

    /// A list or map must not lead back to itself through lists and maps only (Smithy forbids
    /// it, and there would be no Rust type for it).
    fn check_collection_cycles(&self) -> Result<(), ModelError> {
        let is_collection = |id: &str| self.shapes.get(id).is_some_and(|s| matches!(s.kind, Kind::List | Kind::Map));
        for shape in self.shapes.values().filter(|s| is_collection(&s.id)) {
            let mut seen = BTreeSet::new();
            let mut pending: Vec<&str> = shape.members.iter().map(|m| m.target.as_str()).collect();
            while let Some(id) = pending.pop() {
                if id == shape.id {
                    return Err(ModelError::new(
                        &shape.id,
                        "contains itself through lists and maps only; recursion needs a structure or union",
                    ));
                }
                if is_collection(id) && seen.insert(id) {
                    pending.extend(self.shapes[id].members.iter().map(|m| m.target.as_str()));
                }
            }
        }
        Ok(())
    }

    fn check_targets(&self) -> Result<(), ModelError> {
        for shape in self.shapes.values() {
            for m in &shape.members {
                if !self.shapes.contains_key(&m.target) {
                    return Err(ModelError::new(
                        format!("{}${}", shape.id, m.name),
                        format!("targets undefined shape `{}`", m.target),
                    ));
                }
            }
            if let Kind::Operation { input, output, errors } = &shape.kind {
                for t in [input, output].into_iter().chain(errors) {
                    if !self.shapes.contains_key(t) {
                        return Err(ModelError::new(&shape.id, format!("refers to undefined shape `{t}`")));
                    }
                }
            }
        }
        Ok(())
    }
}

fn merge_member(members: &mut Vec<Member>, m: Member) {
    match members.iter_mut().find(|x| x.name == m.name) {
        Some(existing) => {
            existing.target = m.target;
            existing.raw_traits.extend(m.raw_traits);
        }
        None => members.push(m),
    }
}
