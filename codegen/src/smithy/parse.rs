//! The JSON AST read into shapes and members, their traits still raw: `apply` shapes and
//! mixin references are collected for [`super::resolve`].

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Kind, Member, ModelError, RawTraits, Shape, Traits, UNIT};

/// The model as the file has it.
pub struct Parsed {
    pub shapes: BTreeMap<String, Shape>,
    /// `apply` shapes: target (`shape` or `shape$member`) and the traits applied.
    pub applies: Vec<(String, RawTraits)>,
    /// Shape id -> the mixins it uses, in order.
    pub mixins: BTreeMap<String, Vec<String>>,
}

/// Reads a JSON AST.
pub fn parse(text: &str) -> Result<Parsed, ModelError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ModelError::new("", format!("not valid JSON: {e}")))?;
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

    Ok(Parsed { shapes, applies, mixins })
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

pub(super) fn targets(id: &str, v: &Value, what: &str) -> Result<Vec<String>, ModelError> {
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
