//! The resolved Smithy model: the JSON AST with the prelude added, mixins flattened and `apply`
//! traits merged, so later stages never see those indirections.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

/// A problem in the model, naming the shape it concerns and, for a malformed trait, the trait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub shape: String,
    pub trait_id: Option<String>,
    pub problem: String,
}

impl ModelError {
    pub fn new(shape: impl Into<String>, problem: impl Into<String>) -> Self {
        ModelError { shape: shape.into(), trait_id: None, problem: problem.into() }
    }

    /// A problem with trait `trait_id` of `shape`.
    pub fn in_trait(shape: impl Into<String>, trait_id: impl Into<String>, problem: impl Into<String>) -> Self {
        ModelError { shape: shape.into(), trait_id: Some(trait_id.into()), problem: problem.into() }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.trait_id, self.shape.is_empty()) {
            (Some(t), _) => write!(f, "invalid model: shape `{}`: trait `{t}` {}", self.shape, self.problem),
            (None, true) => write!(f, "invalid model: {}", self.problem),
            (None, false) => write!(f, "invalid model: shape `{}`: {}", self.shape, self.problem),
        }
    }
}

impl std::error::Error for ModelError {}

pub use crate::smithy::traits::{RawTraits, Traits};

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Blob,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
    Enum,
    IntEnum,
    List,
    Map,
    Structure,
    Union,
    Service,
    Operation { input: String, output: String, errors: Vec<String> },
    Resource,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub target: String,
    /// The traits as the JSON AST has them, for resolving only.
    pub raw_traits: RawTraits,
    /// The typed traits, filled once the model is resolved.
    pub traits: Traits,
}

#[derive(Debug, Clone)]
pub struct Shape {
    pub id: String,
    pub kind: Kind,
    /// Structure, union and enum members in model order; `member` for lists; `key`/`value` for maps.
    pub members: Vec<Member>,
    /// The traits as the JSON AST has them, for resolving only.
    pub raw_traits: RawTraits,
    /// The typed traits, filled once the model is resolved.
    pub traits: Traits,
    /// Raw extra properties (`operations`, `resources`, `version`, ...) for services and resources.
    pub extra: Map<String, Value>,
}

impl Shape {
    pub fn name(&self) -> &str {
        shape_name(&self.id)
    }
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }
}

/// `ns#Name` -> `Name`.
pub fn shape_name(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, n)| n)
}

#[derive(Debug, Clone)]
pub struct Model {
    pub shapes: BTreeMap<String, Shape>,
}

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

pub const UNIT: &str = "smithy.api#Unit";

impl Model {
    /// Parses and resolves a Smithy 2.0 JSON AST.
    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| ModelError::new("", format!("not valid JSON: {e}")))?;
        let root = root.as_object().ok_or_else(|| ModelError::new("", "top level is not an object"))?;
        if let Some(v) = root.get("smithy") {
            let v = v.as_str().unwrap_or_default();
            if !(v.starts_with("2") || v.starts_with("1")) {
                return Err(ModelError::new("", format!("unsupported Smithy version `{v}`")));
            }
        }
        let raw = match root.get("shapes") {
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(ModelError::new("", "`shapes` is not an object")),
            None => Map::new(),
        };

        let mut shapes = BTreeMap::new();
        for (name, kind) in PRELUDE {
            let id = format!("smithy.api#{name}");
            let mut raw_traits = RawTraits::new();
            if name.starts_with("Primitive") {
                let zero = if *kind == Kind::Boolean { Value::Bool(false) } else { Value::from(0) };
                raw_traits.insert("smithy.api#default".into(), zero);
            }
            let shape = Shape {
                id: id.clone(),
                kind: kind.clone(),
                members: vec![],
                raw_traits,
                traits: Traits::default(),
                extra: Map::new(),
            };
            shapes.insert(id, shape);
        }

        let mut applies = Vec::new();
        let mut mixins: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, body) in &raw {
            if !id.contains('#') {
                return Err(ModelError::new(id, "shape id has no namespace"));
            }
            let body = body.as_object().ok_or_else(|| ModelError::new(id, "shape is not an object"))?;
            let ty = body.get("type").and_then(Value::as_str).ok_or_else(|| ModelError::new(id, "missing `type`"))?;
            if ty == "apply" {
                applies.push((id.clone(), traits_of(id, body)?));
                continue;
            }
            let shape = parse_shape(id, ty, body)?;
            if let Some(list) = body.get("mixins") {
                mixins.insert(id.clone(), targets(id, list, "mixins")?);
            }
            shapes.insert(id.clone(), shape);
        }

        let mut model = Model { shapes };
        model.flatten_mixins(&mixins)?;
        for (target, traits) in applies {
            model.apply(&target, traits)?;
        }
        model.convert_enum_traits()?;
        model.check_targets()?;
        model.type_traits()?;
        Ok(model)
    }

    pub fn shape(&self, id: &str) -> Result<&Shape, ModelError> {
        self.shapes.get(id).ok_or_else(|| ModelError::new(id, "shape is not defined"))
    }

    /// The one service shape of the model.
    pub fn service(&self) -> Result<&Shape, ModelError> {
        let mut services = self.shapes.values().filter(|s| s.kind == Kind::Service);
        let first = services.next().ok_or_else(|| ModelError::new("", "the model has no service"))?;
        if let Some(second) = services.next() {
            return Err(ModelError::new(&second.id, "the model has more than one service"));
        }
        Ok(first)
    }

    /// Every operation bound to the service, directly or through resources, sorted by name.
    pub fn operations(&self, service: &Shape) -> Result<Vec<&Shape>, ModelError> {
        let mut ids = BTreeSet::new();
        let mut pending = vec![service.id.clone()];
        let mut seen = BTreeSet::new();
        while let Some(id) = pending.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let shape = self.shape(&id)?;
            for key in ["operations", "collectionOperations"] {
                if let Some(v) = shape.extra.get(key) {
                    ids.extend(targets(&id, v, key)?);
                }
            }
            for key in ["create", "put", "read", "update", "delete", "list"] {
                if let Some(v) = shape.extra.get(key) {
                    ids.extend(targets(&id, &Value::Array(vec![v.clone()]), key)?);
                }
            }
            if let Some(v) = shape.extra.get("resources") {
                pending.extend(targets(&id, v, "resources")?);
            }
        }
        let mut ops = Vec::new();
        for id in ids {
            let op = self.shape(&id)?;
            if !matches!(op.kind, Kind::Operation { .. }) {
                return Err(ModelError::new(&id, "bound as an operation but is not one"));
            }
            ops.push(op);
        }
        ops.sort_by(|a, b| a.name().cmp(b.name()));
        Ok(ops)
    }

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

fn traits_of(id: &str, body: &Map<String, Value>) -> Result<RawTraits, ModelError> {
    match body.get("traits") {
        None => Ok(RawTraits::new()),
        Some(Value::Object(m)) => Ok(m.iter().map(|(k, v)| (absolute_trait(k), v.clone())).collect()),
        Some(_) => Err(ModelError::new(id, "`traits` is not an object")),
    }
}

/// Trait ids in the JSON AST are absolute, but tolerate bare prelude names.
fn absolute_trait(id: &str) -> String {
    if id.contains('#') {
        id.to_string()
    } else {
        format!("smithy.api#{id}")
    }
}

fn target_of(id: &str, v: &Value, what: &str) -> Result<String, ModelError> {
    v.get("target")
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| ModelError::new(id, format!("`{what}` has no `target`")))
}

fn targets(id: &str, v: &Value, what: &str) -> Result<Vec<String>, ModelError> {
    v.as_array()
        .ok_or_else(|| ModelError::new(id, format!("`{what}` is not a list")))?
        .iter()
        .map(|t| target_of(id, t, what))
        .collect()
}

fn member_of(id: &str, name: &str, v: &Value) -> Result<Member, ModelError> {
    let mid = format!("{id}${name}");
    let body = v.as_object().ok_or_else(|| ModelError::new(&mid, "member is not an object"))?;
    let raw_traits = traits_of(&mid, body)?;
    Ok(Member { name: name.to_string(), target: target_of(&mid, v, "member")?, raw_traits, traits: Traits::default() })
}

fn parse_shape(id: &str, ty: &str, body: &Map<String, Value>) -> Result<Shape, ModelError> {
    let raw_traits = traits_of(id, body)?;
    let mut members = Vec::new();
    let kind = match ty {
        "blob" => Kind::Blob,
        "boolean" => Kind::Boolean,
        "string" => Kind::String,
        "byte" => Kind::Byte,
        "short" => Kind::Short,
        "integer" => Kind::Integer,
        "long" => Kind::Long,
        "float" => Kind::Float,
        "double" => Kind::Double,
        "bigInteger" => Kind::BigInteger,
        "bigDecimal" => Kind::BigDecimal,
        "timestamp" => Kind::Timestamp,
        "document" => Kind::Document,
        "enum" | "intEnum" | "structure" | "union" => {
            if let Some(ms) = body.get("members") {
                let ms = ms.as_object().ok_or_else(|| ModelError::new(id, "`members` is not an object"))?;
                for (name, v) in ms {
                    members.push(member_of(id, name, v)?);
                }
            }
            match ty {
                "enum" => Kind::Enum,
                "intEnum" => Kind::IntEnum,
                "structure" => Kind::Structure,
                _ => Kind::Union,
            }
        }
        "list" | "set" => {
            let m = body.get("member").ok_or_else(|| ModelError::new(id, "list has no `member`"))?;
            members.push(member_of(id, "member", m)?);
            Kind::List
        }
        "map" => {
            for key in ["key", "value"] {
                let m = body.get(key).ok_or_else(|| ModelError::new(id, format!("map has no `{key}`")))?;
                members.push(member_of(id, key, m)?);
            }
            Kind::Map
        }
        "service" => Kind::Service,
        "resource" => Kind::Resource,
        "operation" => {
            let one = |key: &str| match body.get(key) {
                Some(v) => target_of(id, v, key),
                None => Ok(UNIT.to_string()),
            };
            let errors = match body.get("errors") {
                Some(v) => targets(id, v, "errors")?,
                None => vec![],
            };
            Kind::Operation { input: one("input")?, output: one("output")?, errors }
        }
        other => return Err(ModelError::new(id, format!("unsupported shape type `{other}`"))),
    };
    let mut extra = Map::new();
    if matches!(kind, Kind::Service | Kind::Resource) {
        for (k, v) in body {
            if !matches!(k.as_str(), "type" | "traits") {
                extra.insert(k.clone(), v.clone());
            }
        }
        // Service-level errors apply to every operation.
        if kind == Kind::Service {
            if let Some(v) = body.get("errors") {
                targets(id, v, "errors")?;
            }
        }
    }
    Ok(Shape { id: id.to_string(), kind, members, raw_traits, traits: Traits::default(), extra })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixins_apply_and_prelude() {
        let m = Model::from_json(
            r#"{"smithy":"2.0","shapes":{
              "a#Base":{"type":"structure","members":{"id":{"target":"smithy.api#String"}},
                        "traits":{"smithy.api#mixin":{},"smithy.api#documentation":"base"}},
              "a#Thing":{"type":"structure","mixins":[{"target":"a#Base"}],
                        "members":{"n":{"target":"smithy.api#PrimitiveInteger"}}},
              "a#Thing$n":{"type":"apply","traits":{"smithy.api#required":{}}}
            }}"#,
        )
        .unwrap();
        let t = m.shape("a#Thing").unwrap();
        assert_eq!(t.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["id", "n"]);
        assert!(t.member("n").unwrap().traits.required);
        assert_eq!(t.traits.documentation.as_deref(), Some("base"));
        assert!(!t.raw_traits.contains_key("smithy.api#mixin"));
        assert!(m.shape("smithy.api#PrimitiveInteger").unwrap().traits.default.is_some());
    }

    #[test]
    fn errors_name_the_shape() {
        let e = Model::from_json(r#"{"shapes":{"a#X":{"type":"structure","members":{"y":{"target":"a#Nope"}}}}}"#)
            .unwrap_err();
        assert_eq!(e.shape, "a#X$y");
        assert!(e.to_string().contains("a#Nope"));
        let e = Model::from_json(r#"{"shapes":{"a#X":{"type":"wat"}}}"#).unwrap_err();
        assert_eq!(e.shape, "a#X");
        assert!(Model::from_json("[1,").is_err());
        let e = Model::from_json(r#"{"shapes":{"a#X":{"type":"list"}}}"#).unwrap_err();
        assert!(e.problem.contains("member"));
    }

    #[test]
    fn enum_trait_becomes_enum() {
        let m = Model::from_json(
            r#"{"shapes":{"a#E":{"type":"string","traits":{"smithy.api#enum":[{"value":"x-y","name":"X_Y"}]}}}}"#,
        )
        .unwrap();
        let e = m.shape("a#E").unwrap();
        assert_eq!(e.kind, Kind::Enum);
        assert_eq!(e.members[0].name, "X_Y");
    }
}
