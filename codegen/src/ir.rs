//! The lowered model: what the generated crate holds, decided by the passes ([`crate::passes`])
//! and read by the emitters ([`crate::emit`]), which see nothing else.
//!
//! [`Ir`] owns it: every shape the crate uses, with each member's answers already worked out
//! (how it is held, its default, boxing, docs, timestamp format, sensitivity, constraints),
//! which module each type lives in, every Rust name, paginators and waiters. [`Ctx`] is the
//! emitters' view of it, with operations and the service looked up.

use std::collections::{BTreeMap, BTreeSet};

use crate::passes::constraints::Constraints;
use crate::passes::naming::Names;
use crate::smithy::traits::TimestampFormat;
use crate::smithy::ModelError;
// The typed traits and shape kinds carry over unchanged from the model.
pub use crate::smithy::{shape_name, traits, Kind, Traits, UNIT};

/// A shape the generated crate uses, lowered.
#[derive(Clone, Debug)]
pub struct Shape {
    pub id: String,
    pub kind: Kind,
    /// Structure, union and enum members in model order; `member` for lists; `key`/`value` for maps.
    pub members: Vec<Member>,
    /// The typed traits, for what the passes leave as the model has it (protocol flags, HTTP
    /// bindings, test cases, endpoint rules).
    pub traits: Traits,
    /// Documentation as Markdown (empty when the model has none).
    pub doc: String,
    /// A service's `version`.
    pub version: Option<String>,
}

impl Shape {
    /// `ns#Name` -> `Name`.
    pub fn name(&self) -> &str {
        crate::smithy::shape_name(&self.id)
    }

    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }
}

/// A member, lowered.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
    /// The target's shape id, a key of [`Ir::shapes`].
    pub target: String,
    pub traits: Traits,
    /// How a structure holds it (structure members only).
    pub lowered: Option<LoweredMember>,
    /// Held in a `Box`, to break a recursive type.
    pub boxed: bool,
    /// Its own documentation, else its target's, as Markdown.
    pub doc: String,
    /// The `@timestampFormat` its timestamps use: its own, else its target's, looking through
    /// lists and maps to their timestamps; `None` where no timestamp is reached.
    pub timestamp_format: Option<TimestampFormat>,
    /// `@sensitive` on the member, its target, or what a list or map it targets holds.
    pub sensitive: bool,
    /// `length`, `range` and `pattern`: its own, else its target's.
    pub constraints: Constraints,
}

impl Member {
    /// A member that holds no value (it targets `smithy.api#Unit`): a union's unit variant.
    pub fn is_unit(&self) -> bool {
        self.target == UNIT
    }
}

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

/// One operation by shape ids, as [`Ir`] keeps it.
#[derive(Clone, Debug)]
pub struct OpIds {
    pub op: String,
    pub input: String,
    pub output: String,
    /// Operation errors then service errors, sorted by name, without repeats.
    pub errors: Vec<String>,
}

/// The lowered model, as the lowering pass ([`crate::passes::lower`]) leaves it.
pub struct Ir {
    /// Every shape the crate uses (reached from a generated operation), by id, and the
    /// prelude's `String` and `Unit`.
    pub shapes: BTreeMap<String, Shape>,
    pub service: String,
    /// The generated operations, sorted by name.
    pub ops: Vec<OpIds>,
    /// Home of every generated structure, union and enum, by shape id.
    pub homes: BTreeMap<String, Home>,
    /// Every shape reachable from an operation input. Optional lists and maps of sent
    /// structures stay `Option`, so that an empty list and an absent one can both be sent.
    pub sent: BTreeSet<String>,
    /// Sent structures and unions with a `length`, `range` or `pattern` somewhere inside.
    pub constrained: BTreeSet<String>,
    /// Operation outputs with `@sensitive` data somewhere inside (the sensitivity pass).
    pub sensitive_outputs: BTreeSet<String>,
    /// Operations left out of the crate (event streams), for the client's docs.
    pub skipped: Vec<String>,
    /// The paginator of each paginated operation, by operation id (the paginators pass).
    pub paginators: BTreeMap<String, crate::passes::paginators::Paginator>,
    /// Every Rust name generated code declares (the naming pass).
    pub names: Names,
    /// Every waiter with its operation's id, sorted by waiter name (the waiters pass).
    pub waiters: Vec<(String, crate::passes::waiters::Waiter)>,
    /// The protocol test cases the crate runs, named (the protocol tests pass).
    pub protocol_cases: Vec<crate::passes::protocol_tests::ProtocolCase>,
}

impl Ir {
    pub fn shape(&self, id: &str) -> Result<&Shape, ModelError> {
        self.shapes.get(id).ok_or_else(|| ModelError::new(id, "not a shape the generated crate uses"))
    }

    /// The emitters' view: operations and the service looked up.
    pub fn ctx(&self) -> Result<Ctx<'_>, ModelError> {
        let mut ops = Vec::new();
        for o in &self.ops {
            ops.push(Op {
                shape: self.shape(&o.op)?,
                input: self.shape(&o.input)?,
                output: self.shape(&o.output)?,
                errors: o.errors.iter().map(|e| self.shape(e)).collect::<Result<_, _>>()?,
            });
        }
        Ok(Ctx { ir: self, service: self.shape(&self.service)?, ops })
    }
}

/// What the item generators read: the lowered model, with operations and the service looked up.
pub struct Ctx<'m> {
    pub ir: &'m Ir,
    pub service: &'m Shape,
    pub ops: Vec<Op<'m>>,
}

impl<'m> Ctx<'m> {
    /// A shape, borrowed from the IR rather than from the view.
    pub fn shape(&self, id: &str) -> Result<&'m Shape, ModelError> {
        self.ir.shape(id)
    }
}

impl std::ops::Deref for Ctx<'_> {
    type Target = Ir;

    fn deref(&self) -> &Ir {
        self.ir
    }
}

impl Member {
    /// How a structure holds this member; `owner` names the structure in the error.
    pub fn lowered(&self, owner: &str) -> Result<&LoweredMember, ModelError> {
        self.lowered.as_ref().ok_or_else(|| {
            ModelError::new(format!("{owner}${}", self.name), "the members pass skipped it (a generator bug)")
        })
    }
}
