//! The members pass: each structure member's requiredness, presence and `@default`, normalised
//! once (`@clientOptional` and `@addedDefault` applied, Smithy 1.0 primitive zeros made explicit,
//! the default checked against its target's type and decoded), so emitters read the answer
//! instead of the traits.

use std::collections::BTreeMap;

use serde_json::Value;

use super::lower::Lowering;
use crate::ir::{DefaultValue, LoweredMember, Presence};
use crate::smithy::traits::EnumValue;
use crate::smithy::{Kind, Member, ModelError, Shape};

/// Every member of every generated structure, by `(structure, member)`.
pub(crate) fn lower_members(lowering: &Lowering) -> Result<BTreeMap<(String, String), LoweredMember>, ModelError> {
    let mut out = BTreeMap::new();
    for id in lowering.homes.keys() {
        let Some(shape) = lowering.model.shapes.get(id).filter(|s| s.kind == Kind::Structure) else { continue };
        for m in &shape.members {
            let mid = format!("{}${}", shape.id, m.name);
            let target = lowering.model.shape(&m.target)?;
            // `@clientOptional` keeps a member optional in clients even when required or defaulted.
            let client_optional = m.traits.client_optional;
            // A default added to a published member would turn its `Option<T>` into `T`, breaking
            // code written against the earlier crate: such a member stays optional. Its value is
            // still checked.
            let default = member_default(m, target, &mid)?.filter(|_| !client_optional && !m.traits.added_default);
            let required = m.traits.required && !client_optional;
            let presence = if required || default.is_some() {
                Presence::Always
            } else if matches!(target.kind, Kind::List | Kind::Map) && !lowering.sent.contains(&shape.id) {
                Presence::Collection
            } else {
                Presence::Optional
            };
            out.insert((shape.id.clone(), m.name.clone()), LoweredMember { required, presence, default });
        }
    }
    Ok(out)
}

fn member_default(m: &Member, target: &Shape, mid: &str) -> Result<Option<DefaultValue>, ModelError> {
    let value = match &m.traits.default {
        Some(Value::Null) => return Ok(None),
        Some(v) => v.clone(),
        // Smithy 1.0 primitives carry an implicit zero default.
        None => match target.id.strip_prefix("smithy.api#Primitive") {
            Some(_) => target.traits.default.clone().unwrap_or(Value::Null),
            None => return Ok(None),
        },
    };
    let bad = || ModelError::in_trait(mid, "smithy.api#default", format!("value {value} does not fit its target"));
    // A default that is no known value would silently become `Unknown`.
    let known = |v: &Value| target.members.iter().any(|m| enum_value(m) == *v);
    Ok(Some(match (&target.kind, &value) {
        (Kind::Boolean, Value::Bool(b)) => DefaultValue::Bool(*b),
        (Kind::Byte | Kind::Short | Kind::Integer | Kind::Long, Value::Number(n)) => {
            let n = n.as_i64().ok_or_else(bad)?;
            // An out-of-range literal would be a compile error in the generated crate.
            let fits = match target.kind {
                Kind::Byte => i8::try_from(n).is_ok(),
                Kind::Short => i16::try_from(n).is_ok(),
                Kind::Integer => i32::try_from(n).is_ok(),
                _ => true,
            };
            if !fits {
                return Err(bad());
            }
            DefaultValue::Int(n)
        }
        (Kind::Float | Kind::Double, Value::Number(n)) => DefaultValue::Float(n.as_f64().ok_or_else(bad)?),
        (Kind::String, Value::String(s)) => DefaultValue::Str(s.clone()),
        (Kind::Enum, Value::String(s)) if known(&value) => DefaultValue::Enum(s.clone()),
        (Kind::IntEnum, Value::Number(n)) if known(&value) => {
            DefaultValue::IntEnum(i32::try_from(n.as_i64().ok_or_else(bad)?).map_err(|_| bad())?)
        }
        (Kind::List, Value::Array(a)) if a.is_empty() => DefaultValue::EmptyList,
        (Kind::Map, Value::Object(o)) if o.is_empty() => DefaultValue::EmptyMap,
        (Kind::Timestamp, Value::Number(n)) => {
            let secs = n.as_f64().filter(|s| s.is_finite() && s.abs() < 1e15).ok_or_else(bad)?;
            let whole = secs.floor();
            let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0) as u32;
            DefaultValue::Timestamp { secs: whole as i64, nanos }
        }
        (Kind::Timestamp, Value::String(s)) => {
            let t =
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|_| bad())?;
            DefaultValue::Timestamp { secs: t.unix_timestamp(), nanos: t.nanosecond() }
        }
        (Kind::Blob, Value::String(s)) => {
            DefaultValue::Blob(base64_simd::STANDARD.decode_to_vec(s.as_bytes()).map_err(|_| bad())?)
        }
        (Kind::Document, Value::Array(a)) if !a.is_empty() => return Err(bad()),
        (Kind::Document, Value::Object(o)) if !o.is_empty() => return Err(bad()),
        (Kind::Document, v) => DefaultValue::Document(v.clone()),
        (Kind::BigInteger, Value::Number(n)) if n.is_i64() || n.is_u64() => DefaultValue::BigNumber(n.to_string()),
        (Kind::BigDecimal, Value::Number(n)) => DefaultValue::BigNumber(n.to_string()),
        _ => return Err(bad()),
    }))
}

/// An enum member's wire value: its `enumValue`, or its name for string enums without one.
fn enum_value(m: &Member) -> Value {
    match &m.traits.enum_value {
        Some(EnumValue::Str(s)) => Value::from(s.as_str()),
        Some(EnumValue::Int(n)) => Value::from(*n),
        None => Value::from(m.name.as_str()),
    }
}
