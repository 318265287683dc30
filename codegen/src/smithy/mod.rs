//! The Smithy model as typed Rust values: shapes, members and their typed traits.
//!
//! [`Model::from_json`] reads the JSON AST once ([`parse`]) and resolves it ([`resolve`]):
//! prelude added, mixins flattened, `apply` merged, `@enum` strings made enums, targets checked,
//! traits typed ([`traits`]). Later stages never see the JSON or those indirections.

pub mod cases;
pub mod parse;
pub mod resolve;
pub mod traits;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use parse::targets;

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

pub use traits::{RawTraits, Traits};

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

impl Member {
    /// A member that holds no value (it targets `smithy.api#Unit`): a union's unit variant.
    pub fn is_unit(&self) -> bool {
        self.target == UNIT
    }
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
    /// Raw extra properties (`operations`, `resources`, `version`, ...) for services and
    /// resources; later stages read them through [`Shape::version`], [`Shape::service_errors`]
    /// and [`Model::operations`].
    pub extra: Map<String, Value>,
}

impl Shape {
    pub fn name(&self) -> &str {
        shape_name(&self.id)
    }
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }
    /// A service's `version`.
    pub fn version(&self) -> Option<&str> {
        self.extra.get("version").and_then(Value::as_str)
    }
    /// A service's own errors, which every operation can return.
    pub fn service_errors(&self) -> Result<Vec<String>, ModelError> {
        match self.extra.get("errors") {
            Some(v) => targets(&self.id, v, "errors"),
            None => Ok(vec![]),
        }
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

pub const UNIT: &str = "smithy.api#Unit";

impl Model {
    /// Parses and resolves a Smithy 2.0 (or 1.0) JSON AST.
    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        resolve::resolve(parse::parse(text)?)
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
