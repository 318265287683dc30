//! The lowered model: what the generated crate holds, decided by the passes ([`crate::passes`])
//! and read by the emitters ([`crate::emit`]). Shapes are still the typed Smithy shapes; what
//! the passes add is which operations are generated, which module each type lives in, every
//! Rust name, which members are boxed and which inputs are validated.

use std::collections::{BTreeMap, BTreeSet};

use crate::passes::naming::Names;
use crate::smithy::traits::Paginated;
use crate::smithy::{Model, Shape};

/// How a member is held in its struct, which decides how it is read, written and set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Always present: `required`, or a `default` value.
    Always,
    /// `Option<T>`.
    Optional,
    /// A list or map that is empty when absent (structures that are only received).
    Collection,
}

/// A `@default` checked against its member's target.
#[derive(Clone, Debug, PartialEq)]
pub enum DefaultValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A known value of the target enum.
    Enum(String),
    /// A known value of the target intEnum.
    IntEnum(i32),
    EmptyList,
    EmptyMap,
    /// A point in time, from epoch seconds or an RFC 3339 date-time.
    Timestamp {
        secs: i64,
        nanos: u32,
    },
    /// A blob's bytes, decoded from the default's base64 text.
    Blob(Vec<u8>),
    /// A document: `null`, a boolean, a number, a string, `[]` or `{}`.
    Document(serde_json::Value),
    /// A bigInteger or bigDecimal, as its decimal text.
    BigNumber(String),
}

/// A structure member as the crate holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct LoweredMember {
    /// A required argument of the constructor (`@required` without `@clientOptional`).
    pub required: bool,
    pub presence: Presence,
    pub default: Option<DefaultValue>,
}

/// Which generated module a type lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Module {
    Types,
    Input,
    Output,
    Error,
}

#[derive(Clone, Debug)]
pub struct Home {
    pub module: Module,
    pub name: String,
}

/// One operation, with the shapes it uses already looked up.
pub struct Op<'m> {
    pub shape: &'m Shape,
    pub input: &'m Shape,
    pub output: &'m Shape,
    /// Operation errors then service errors, sorted by name, without repeats.
    pub errors: Vec<&'m Shape>,
}

impl Op<'_> {
    pub fn name(&self) -> &str {
        self.shape.name()
    }
}

/// Everything the item generators need to know about the model.
pub struct Ctx<'m> {
    pub model: &'m Model,
    pub service: &'m Shape,
    pub ops: Vec<Op<'m>>,
    /// Home of every generated structure, union and enum, by shape id.
    pub homes: BTreeMap<String, Home>,
    /// Every shape reachable from an operation input. Optional lists and maps of sent
    /// structures stay `Option`, so that an empty list and an absent one can both be sent.
    pub sent: BTreeSet<String>,
    /// `(structure, member)` pairs that must be boxed to break a recursive type.
    pub boxed: BTreeSet<(String, String)>,
    /// Sent structures and unions with a `length`, `range` or `pattern` somewhere inside.
    pub constrained: BTreeSet<String>,
    /// Operation outputs with `@sensitive` data somewhere inside (the sensitivity pass).
    pub sensitive_outputs: BTreeSet<String>,
    /// Operations left out of the crate (event streams), for the client's docs.
    pub skipped: Vec<String>,
    /// `@paginated` of each paginated operation, by operation id, the service's values filled in.
    pub paginators: BTreeMap<String, Paginated>,
    /// Every member of every generated structure, by `(structure, member)`.
    pub members: BTreeMap<(String, String), LoweredMember>,
    /// Every Rust name generated code declares (the naming pass).
    pub names: Names,
    /// Every waiter with its operation's id, sorted by waiter name (the waiters pass).
    pub waiters: Vec<(String, crate::passes::waiters::Waiter)>,
}

impl Ctx<'_> {
    /// A structure member as lowered by the members pass.
    pub fn member(&self, shape: &str, member: &str) -> Result<&LoweredMember, crate::smithy::ModelError> {
        self.members.get(&(shape.to_string(), member.to_string())).ok_or_else(|| {
            crate::smithy::ModelError::new(format!("{shape}${member}"), "the members pass skipped it (a generator bug)")
        })
    }
}
