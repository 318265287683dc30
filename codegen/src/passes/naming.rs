//! The naming authority: the one place that turns model names into the Rust names generated
//! code declares (types, fields, variants, operation items, client and builder methods), and
//! resolves every clash by one rule, so emitters look names up and never compute them.
//!
//! The rule, applied per namespace (a module's types, a struct's fields, an enum's variants,
//! the client's methods, a builder's methods):
//! 1. casing: types and variants `UpperCamelCase`, members and methods `snake_case`
//!    (`names.rs`); a type or variant named like something generated code names
//!    unqualified (`Option`, `Default`, `Self`, ...) gets `Value` appended; `self`, `crate`,
//!    `super` get `_` appended, other keywords become raw identifiers (`r#type`);
//! 2. names generated code itself puts in the namespace are claimed first (the hidden
//!    `request_id` field of outputs and errors, the client's `new`/`config`/`from_env`, a
//!    builder's `send`/`input`/`options`), except the `Unknown` catch-all of enums and unions,
//!    which yields to a model member of that name and becomes `UnknownValue`;
//! 3. then model elements claim in a fixed order (shape id, member order, operation name);
//!    the first keeps the name and each later one takes the smallest free suffix from 2
//!    (`FooBar2`, `foo_bar_2`). Models without clashes keep the names they always had.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::Ident;

use crate::names;
use crate::smithy::{Kind, Model, ModelError, Shape};

/// Client methods an operation method must not shadow; a clash gets `_operation` appended.
const CLIENT_METHODS: &[&str] = &["new", "config", "from_env", "clone", "fmt"];

/// The names taken in one namespace.
#[derive(Default)]
struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    fn reserve(&mut self, names: &[&str]) {
        self.taken.extend(names.iter().map(|n| n.to_string()));
    }

    /// `wanted` when free, else `wanted` + `sep` + the smallest free number from 2.
    fn claim(&mut self, wanted: String, sep: &str) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        // `self_` + 2 is `self_2`, not `self__2`.
        let sep = if wanted.ends_with(sep) { "" } else { sep };
        let mut n = 2u32;
        loop {
            let candidate = format!("{wanted}{sep}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// The Rust names of one operation's items.
#[derive(Debug, Clone)]
pub struct OpNames {
    /// The request builder in `operation` (also the stem of `{ty}Input`, `{ty}Output`).
    pub ty: String,
    /// The per-operation error enum in `error`.
    pub error: String,
    /// `snake_case` name unique among operations, for generated test functions.
    pub snake: String,
    /// The client method.
    pub method: String,
}

/// Names the `waiters` module already uses for the runtime's types.
const WAITERS_MODULE: &[&str] = &["Waited", "WaiterError", "WaiterConfigError"];

/// The Rust names of one waiter's items.
#[derive(Debug, Clone)]
pub struct WaiterNames {
    /// The waiter's builder in `waiters`.
    pub ty: String,
    /// `snake_case` name unique among waiters, for its functions (`{snake}_state`).
    pub snake: String,
    /// The client method (`wait_until_*`).
    pub method: String,
}

/// The locals of a generated waiter's matcher, which a closure parameter must not shadow.
const MATCHER_LOCALS: &[&str] = &["input", "output", "response", "lhs", "rhs", "state"];

/// Test function names for `(prefix, case id)` pairs, in order: `{prefix}_{case id}` in
/// `snake_case`, a clash taking the smallest free suffix from 2.
pub fn test_functions(wanted: Vec<(&str, String)>) -> Vec<String> {
    let mut ns = Namespace::default();
    wanted.into_iter().map(|(prefix, id)| ns.claim(format!("{prefix}_{}", names::snake(&id)), "_")).collect()
}

/// Every Rust name the naming pass decided.
#[derive(Debug, Default)]
pub struct Names {
    /// Type name of every generated type, by `homes` key (a shape id, or `op#Input` for `Unit`).
    types: BTreeMap<String, String>,
    /// `(structure, member)` -> field name (plain: no `r#`).
    fields: BTreeMap<(String, String), String>,
    /// `(enum or union, member)` -> variant name.
    variants: BTreeMap<(String, String), String>,
    /// Enum or union -> its catch-all variant (`Unknown`, or `UnknownValue` when a member has it).
    catch_alls: BTreeMap<String, String>,
    /// Operation id -> names of its items.
    ops: BTreeMap<String, OpNames>,
    /// Waiter name -> names of its items.
    waiters: BTreeMap<String, WaiterNames>,
    /// `(builder, operation, member)` -> a builder's setter for that input member.
    setters: BTreeMap<(Builder, String, String), String>,
    /// `(operation, member)` -> the request builder's `set_x(Option<T>)` and `get_x()`.
    accessors: BTreeMap<(String, String), (String, String)>,
    /// Shape id -> the closure parameter that holds one of its values in generated code.
    bindings: BTreeMap<String, String>,
}

/// The builders that have a setter per input member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Builder {
    /// The request builder in `operation`.
    Request,
    /// A waiter's builder in `waiters`.
    Waiter,
}

impl Builder {
    /// The builder's own methods, which a member setter must not shadow.
    fn methods(self) -> &'static [&'static str] {
        match self {
            Builder::Request => &["new", "send", "input", "options", "customize", "into_paginator", "clone", "fmt"],
            Builder::Waiter => {
                &["new", "send", "input", "options", "max_wait", "min_delay", "max_delay", "clone", "fmt"]
            }
        }
    }
}

/// What the naming pass needs to know of one generated type.
pub struct TypeToName<'m> {
    /// The `homes` key.
    pub key: String,
    /// Which module's namespace it is declared in (any value that tells modules apart).
    pub module: u8,
    /// The shape, when there is one (not for the per-operation `Unit` inputs and outputs).
    pub shape: Option<&'m Shape>,
    /// The name it wants before clashes are resolved.
    pub wanted: Wanted,
    /// Whether its struct carries the hidden `request_id` field.
    pub has_request_id: bool,
}

/// Where a type's name comes from.
pub enum Wanted {
    /// The shape's own name.
    Shape,
    /// Its operation's builder name and a suffix (`GetThing` + `Input`).
    OfOperation { op: String, suffix: &'static str },
}

fn missing(what: &str, id: &str) -> ModelError {
    ModelError::new(id, format!("the naming pass gave no Rust name to this {what} (a generator bug)"))
}

impl Names {
    /// Names the operations (sorted by name, as `ops` is), then every generated type in
    /// `types`' order (sorted by key), then the error enums in `error_module` and the setters.
    pub fn decide(
        model: &Model,
        ops: &[&Shape],
        types: Vec<TypeToName>,
        error_module: u8,
    ) -> Result<Names, ModelError> {
        let mut out = Names::default();
        let mut op_types = Namespace::default();
        let mut snakes = Namespace::default();
        let mut methods = Namespace::default();
        methods.reserve(CLIENT_METHODS);
        for op in ops {
            let ty = op_types.claim(names::type_name(op.name()), "");
            let snake = snakes.claim(names::snake(op.name()), "_");
            let method = if CLIENT_METHODS.contains(&snake.as_str()) {
                methods.claim(format!("{snake}_operation"), "_")
            } else {
                methods.claim(snake.clone(), "_")
            };
            out.ops.insert(op.id.clone(), OpNames { error: String::new(), ty, snake, method });
        }
        // Waiters after operations: their types share `waiters` with the runtime's re-exports,
        // their `wait_until_*` methods share the client with the operations.
        let mut waiter_types = Namespace::default();
        waiter_types.reserve(WAITERS_MODULE);
        let mut waiter_snakes = Namespace::default();
        let waiter_names: BTreeSet<&String> =
            ops.iter().filter_map(|op| op.traits.waitable.as_ref()).flat_map(|w| w.keys()).collect();
        for name in waiter_names {
            let ty = waiter_types.claim(names::type_name(name), "");
            let snake = waiter_snakes.claim(names::snake(name), "_");
            let method = methods.claim(format!("wait_until_{snake}"), "_");
            out.waiters.insert(name.clone(), WaiterNames { ty, snake, method });
        }
        let mut modules: BTreeMap<u8, Namespace> = BTreeMap::new();
        for t in &types {
            let wanted = match (&t.wanted, t.shape) {
                (Wanted::OfOperation { op, suffix }, _) => format!("{}{suffix}", out.op(op)?.ty),
                (Wanted::Shape, Some(shape)) => names::type_name(shape.name()),
                (Wanted::Shape, None) => return Err(missing("type", &t.key)),
            };
            let name = modules.entry(t.module).or_default().claim(wanted, "");
            out.types.insert(t.key.clone(), name);
            let Some(shape) = t.shape else { continue };
            match shape.kind {
                Kind::Structure => {
                    let mut fields = Namespace::default();
                    if t.has_request_id {
                        fields.reserve(&["request_id"]);
                    }
                    for m in &shape.members {
                        let name = fields.claim(names::snake(&m.name), "_");
                        out.fields.insert((shape.id.clone(), m.name.clone()), name);
                    }
                }
                Kind::Union | Kind::Enum | Kind::IntEnum => {
                    let mut variants = Namespace::default();
                    for m in &shape.members {
                        let name = variants.claim(names::variant(&m.name), "");
                        out.variants.insert((shape.id.clone(), m.name.clone()), name);
                    }
                    let catch_all = if variants.taken.contains("Unknown") {
                        variants.claim("UnknownValue".into(), "")
                    } else {
                        variants.claim("Unknown".into(), "")
                    };
                    out.catch_alls.insert(shape.id.clone(), catch_all);
                }
                _ => {}
            }
        }
        // Error enums come after the modeled errors: a shape `FooError` keeps its name and the
        // enum of operation `Foo` becomes `FooError2`.
        let errors = modules.entry(error_module).or_default();
        for op in ops {
            let names = out.ops.get_mut(&op.id).ok_or_else(|| missing("operation", &op.id))?;
            names.error = errors.claim(format!("{}Error", names.ty), "");
        }
        out.name_setters(model, ops)?;
        Ok(out)
    }

    /// A setter per input member; one named like a builder method gets `set_` in front.
    fn name_setters(&mut self, model: &Model, ops: &[&Shape]) -> Result<(), ModelError> {
        for op in ops {
            let Kind::Operation { input, .. } = &op.kind else { continue };
            let input = model.shape(input)?;
            for builder in [Builder::Request, Builder::Waiter] {
                let mut methods = Namespace::default();
                methods.reserve(builder.methods());
                for m in &input.members {
                    let field = self.field_name(&input.id, &m.name)?;
                    let wanted =
                        if builder.methods().contains(&field) { format!("set_{field}") } else { field.to_string() };
                    let name = methods.claim(wanted, "_");
                    self.setters.insert((builder, op.id.clone(), m.name.clone()), name);
                }
                // After every plain setter, so that these never take a plain setter's name.
                if builder == Builder::Request {
                    for m in &input.members {
                        let field = self.field_name(&input.id, &m.name)?.trim_start_matches("r#").to_string();
                        let set = methods.claim(format!("set_{field}"), "_");
                        let get = methods.claim(format!("get_{field}"), "_");
                        self.accessors.insert((op.id.clone(), m.name.clone()), (set, get));
                    }
                }
            }
        }
        Ok(())
    }

    /// Names a closure parameter for the values of each shape: the shape's name in
    /// `snake_case`, with `_item` appended where a matcher's own local has that name.
    pub fn name_bindings<'a>(&mut self, shapes: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (id, name) in shapes {
            let mut binding = names::snake(name);
            if MATCHER_LOCALS.contains(&binding.as_str()) {
                binding.push_str("_item");
            }
            self.bindings.insert(id.to_string(), binding);
        }
    }

    /// The closure parameter for a value of shape `id`.
    pub fn binding(&self, id: &str) -> Result<Ident, ModelError> {
        self.bindings.get(id).map(|b| names::ident(b)).ok_or_else(|| missing("shape", id))
    }

    pub fn type_name(&self, key: &str) -> Result<&str, ModelError> {
        self.types.get(key).map(String::as_str).ok_or_else(|| missing("type", key))
    }

    fn field_name(&self, shape: &str, member: &str) -> Result<&str, ModelError> {
        self.fields
            .get(&(shape.to_string(), member.to_string()))
            .map(String::as_str)
            .ok_or_else(|| missing("member", &format!("{shape}${member}")))
    }

    /// A structure member's field, as an identifier (raw for keywords).
    pub fn field(&self, shape: &str, member: &str) -> Result<Ident, ModelError> {
        self.field_name(shape, member).map(names::ident)
    }

    /// An enum or union member's variant.
    pub fn variant(&self, shape: &str, member: &str) -> Result<Ident, ModelError> {
        self.variants
            .get(&(shape.to_string(), member.to_string()))
            .map(|v| names::ident(v))
            .ok_or_else(|| missing("member", &format!("{shape}${member}")))
    }

    /// The catch-all variant of an enum or union.
    pub fn catch_all(&self, shape: &str) -> Result<Ident, ModelError> {
        self.catch_alls.get(shape).map(|v| names::ident(v)).ok_or_else(|| missing("enum or union", shape))
    }

    pub fn op(&self, op: &str) -> Result<&OpNames, ModelError> {
        self.ops.get(op).ok_or_else(|| missing("operation", op))
    }

    pub fn waiter(&self, waiter: &str) -> Result<&WaiterNames, ModelError> {
        self.waiters.get(waiter).ok_or_else(|| missing("waiter", waiter))
    }

    /// The request builder's `set_x` (taking an `Option`) and `get_x` for an input member.
    pub fn accessors(&self, op: &str, member: &str) -> Result<(Ident, Ident), ModelError> {
        let (set, get) = self
            .accessors
            .get(&(op.to_string(), member.to_string()))
            .ok_or_else(|| missing("member", &format!("{op}${member}")))?;
        Ok((names::ident(set), names::ident(get)))
    }

    /// A builder's setter for an input member.
    pub fn setter(&self, builder: Builder, op: &str, member: &str) -> Result<Ident, ModelError> {
        self.setters
            .get(&(builder, op.to_string(), member.to_string()))
            .map(|v| names::ident(v))
            .ok_or_else(|| missing("member", &format!("{op}${member}")))
    }
}
