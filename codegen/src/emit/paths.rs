//! JMESPath expressions compiled to Rust against the model's shapes: a path becomes a chain of
//! `Option` and iterator calls over the generated structs, typed while it is built, so a path
//! the shapes cannot satisfy is a generation error instead of a run-time surprise.
//!
//! Values follow JMESPath: a missing member is null, projections drop nulls, `&&`/`||` return
//! an operand, and only `false`, null, empty strings and empty lists are falsy.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::Value;

use super::shapes::{field_named, Presence};
use super::Ctx;
use crate::ir::{Kind, Shape};
use crate::jmespath::{Ast, Cmp};

/// What an expression evaluates to, and how its code holds it.
#[derive(Clone)]
enum Ty<'m> {
    /// A value of a model shape: `Option<&T>` when `nullable`, else an expression of type `T`
    /// (`is_ref: false`, a place such as `output.count`) or `&T` (`is_ref: true`).
    Node { shape: &'m Shape, nullable: bool, is_ref: bool },
    /// A projection: an iterator of `&T`, nulls already dropped; of `&str` when the flag is set
    /// (optional string members are read as `Option<&str>`).
    List(&'m Shape, bool),
    /// A computed scalar: `Option<X>` when nullable, else `X`.
    Scalar(Form, bool),
    /// The `null` literal.
    Null,
    /// The `{input, output}` object that `inputOutput` paths start from.
    Io,
    /// `&&` or `||` over operands that are not booleans: only its truthiness is known (`bool`).
    Cond,
}

/// Scalar kinds. `Num`'s type is the Rust type of the number, `None` for a literal (whose
/// type Rust infers from the other side).
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// `&str`
    Str,
    Bool,
    Num(Option<NumTy>),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NumTy {
    I8,
    I16,
    I32,
    I64,
    Usize,
    F32,
    F64,
}

impl NumTy {
    fn float(self) -> bool {
        matches!(self, NumTy::F32 | NumTy::F64)
    }
    fn tokens(self) -> TokenStream {
        match self {
            NumTy::I8 => quote!(i8),
            NumTy::I16 => quote!(i16),
            NumTy::I32 => quote!(i32),
            NumTy::I64 => quote!(i64),
            NumTy::Usize => quote!(usize),
            NumTy::F32 => quote!(f32),
            NumTy::F64 => quote!(f64),
        }
    }
}

/// Code and what it evaluates to. `prec` says how loosely the code binds: 0 for a method call
/// or path, 1 for a comparison, 2 for `&&`, 3 for `||`; operands get parentheses as needed.
#[derive(Clone)]
struct Val<'m> {
    code: TokenStream,
    ty: Ty<'m>,
    prec: u8,
    /// The literal behind a literal scalar, which is written once the other side is known.
    literal: Option<Value>,
    /// The never-null collection behind this value, when there is one: for a list result that
    /// is every element of one non-sparse collection (`Items[]`), that collection, so its
    /// `length()` is `len()`; for the `length()` of a collection, the collection, so that
    /// `x.len() == 0` can read `x.is_empty()`.
    collection: Option<TokenStream>,
}

impl<'m> Val<'m> {
    fn new(code: TokenStream, ty: Ty<'m>) -> Self {
        Val { code, ty, prec: 0, literal: None, collection: None }
    }
    fn with_prec(mut self, prec: u8) -> Self {
        self.prec = prec;
        self
    }
    fn nullable(&self) -> bool {
        match self.ty {
            Ty::Node { nullable, .. } | Ty::Scalar(_, nullable) => nullable,
            Ty::Null => true,
            _ => false,
        }
    }
}

/// `code` wrapped in parentheses when it binds more loosely than `max` allows.
fn paren(code: &TokenStream, prec: u8, max: u8) -> TokenStream {
    if prec > max {
        quote!((#code))
    } else {
        code.clone()
    }
}

/// Compiles JMESPath trees against the shapes of one operation.
pub struct Compiler<'a, 'm> {
    ctx: &'a Ctx<'m>,
    input: &'m Shape,
    output: &'m Shape,
}

/// The roots a compiled condition reads: `output` alone, or `input` and `output`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Output,
    InputOutput,
}

impl<'a, 'm> Compiler<'a, 'm> {
    pub fn new(ctx: &'a Ctx<'m>, input: &'m Shape, output: &'m Shape) -> Self {
        Compiler { ctx, input, output }
    }

    fn root(&self, root: Root) -> Val<'m> {
        match root {
            Root::Output => Val::new(quote!(output), Ty::Node { shape: self.output, nullable: false, is_ref: true }),
            Root::InputOutput => Val::new(quote!(), Ty::Io),
        }
    }

    /// `path` compared by a Smithy waiter comparator with `expected`, as a `bool` expression
    /// over `output` (and `input`).
    pub fn matcher(&self, root: Root, path: &Ast, comparator: &str, expected: &str) -> Result<TokenStream, String> {
        let v = self.eval(path, &self.root(root))?;
        match comparator {
            "stringEquals" => {
                let s = self.scalar(v)?;
                if s.ty_form() != Some(Form::Str) {
                    return Err(format!("stringEquals needs a string, the path gives {}", s.describe()));
                }
                let code = &s.code;
                Ok(if s.nullable() { quote!(#code == Some(#expected)) } else { quote!(#code == #expected) })
            }
            "booleanEquals" => {
                let want = match expected {
                    "true" => true,
                    "false" => false,
                    other => return Err(format!("booleanEquals expects `true` or `false`, not `{other}`")),
                };
                if matches!(v.ty, Ty::Cond) {
                    return Err("booleanEquals needs a boolean, and `&&`/`||` over operands that are not \
                                booleans give one of the operands"
                        .into());
                }
                let s = self.scalar(v)?;
                if s.ty_form() != Some(Form::Bool) {
                    return Err(format!("booleanEquals needs a boolean, the path gives {}", s.describe()));
                }
                // Null is neither `true` nor `false`.
                Ok(match (s.nullable(), want) {
                    (true, _) => {
                        let code = &s.code;
                        quote!(#code == Some(#want))
                    }
                    (false, true) => s.code,
                    (false, false) => {
                        let code = paren(&s.code, s.prec, 0);
                        quote!(!#code)
                    }
                })
            }
            "allStringEquals" | "anyStringEquals" => {
                let (items, elem, strs) = self.iterate(v).map_err(|e| format!("{comparator} needs a list: {e}"))?;
                if !matches!(elem.kind, Kind::String | Kind::Enum) {
                    return Err(format!("{comparator} needs a list of strings, not of {}", kind_name(&elem.kind)));
                }
                let item = self.item_var(elem)?;
                let text = as_text(&item, strs);
                Ok(if comparator == "anyStringEquals" {
                    quote!(#items.any(|#item| #text == #expected))
                } else {
                    // Smithy: an empty list never matches `allStringEquals`.
                    quote!({
                        let mut items = #items.peekable();
                        items.peek().is_some() && items.all(|#item| #text == #expected)
                    })
                })
            }
            other => Err(format!("unknown comparator `{other}`")),
        }
    }

    fn eval(&self, ast: &Ast, cur: &Val<'m>) -> Result<Val<'m>, String> {
        match ast {
            Ast::Identity => Ok(cur.clone()),
            Ast::Field(name) => self.field(cur, name),
            Ast::Sub(left, right) => {
                let left = self.eval(left, cur)?;
                if matches!(left.ty, Ty::List(..)) {
                    return Err("a member of a projection's result (a list) is always null".into());
                }
                self.eval(right, &left)
            }
            Ast::Pipe(left, right) => {
                let left = self.eval(left, cur)?;
                self.eval(right, &left)
            }
            Ast::Index(left, n) => self.index(self.eval(left, cur)?, *n),
            // A flattened projection of lists reads best as one `flat_map`.
            Ast::Flatten(inner) if matches!(**inner, Ast::Projection(..)) => {
                let Ast::Projection(left, right) = &**inner else { return Err("a flattened projection".into()) };
                let (items, elem, strs) = self.iterate(self.eval(left, cur)?)?;
                let v = self.project(items, elem, strs, right, true)?;
                match v.ty {
                    Ty::List(elem, _) if elem.kind == Kind::List => {
                        let c = &v.code;
                        Ok(Val::new(quote!(#c.flatten()), Ty::List(self.list_member(elem)?, false)))
                    }
                    _ => Ok(v),
                }
            }
            Ast::Flatten(inner) => {
                let list = self.eval(inner, cur)?;
                let collection = match list.ty {
                    Ty::Node { shape, nullable: false, .. } if shape.kind == Kind::List && !shape.traits.sparse => {
                        Some(list.code.clone())
                    }
                    _ => None,
                };
                let (items, elem, strs) = self.iterate(list)?;
                // One level of nested lists is spliced in; other elements stay as they are.
                Ok(match elem.kind {
                    Kind::List => Val::new(quote!(#items.flatten()), Ty::List(self.list_member(elem)?, false)),
                    _ => Val { collection, ..Val::new(items, Ty::List(elem, strs)) },
                })
            }
            Ast::Projection(left, right) => {
                let left = self.eval(left, cur)?;
                // `x[]` is a projection of its flattened list with nothing on the right.
                if **right == Ast::Identity && matches!(left.ty, Ty::List(..)) {
                    return Ok(left);
                }
                let (items, elem, strs) = self.iterate(left)?;
                self.project(items, elem, strs, right, false)
            }
            Ast::Filter(left, cond, right) => {
                let (items, elem, strs) = self.iterate(self.eval(left, cur)?)?;
                let item = self.item_var(elem)?;
                // A closure body needs no parentheses.
                let (test, _) = self.truthy_prec(cond, &self.item(elem, strs, &item))?;
                self.project(quote!(#items.filter(|&#item| #test)), elem, strs, right, false)
            }
            Ast::Literal(v) => literal(v),
            Ast::Not(_) => {
                let (t, prec) = self.truthy_prec(ast, cur)?;
                Ok(Val::new(t, Ty::Scalar(Form::Bool, false)).with_prec(prec))
            }
            Ast::And(l, r) | Ast::Or(l, r) => self.and_or(matches!(ast, Ast::And(..)), l, r, cur),
            Ast::Compare(op, l, r) => self.compare(*op, self.eval(l, cur)?, self.eval(r, cur)?),
            Ast::Function(name, args) => self.function(name, args, cur),
        }
    }

    /// The truthiness of an expression as a `bool` (atomic: parenthesized where needed).
    fn truthy(&self, ast: &Ast, cur: &Val<'m>) -> Result<TokenStream, String> {
        let (code, prec) = self.truthy_prec(ast, cur)?;
        Ok(paren(&code, prec, 0))
    }

    fn truthy_prec(&self, ast: &Ast, cur: &Val<'m>) -> Result<(TokenStream, u8), String> {
        Ok(match ast {
            // `!(a == b)` is `a != b`: comparisons give booleans, never null.
            Ast::Not(inner) if matches!(**inner, Ast::Compare(Cmp::Eq | Cmp::Ne, ..)) => {
                let Ast::Compare(op, l, r) = &**inner else { return Err("a negated comparison".into()) };
                let flipped = if *op == Cmp::Eq { Cmp::Ne } else { Cmp::Eq };
                let v = self.compare(flipped, self.eval(l, cur)?, self.eval(r, cur)?)?;
                let prec = v.prec;
                (self.truthy_of(v), prec)
            }
            Ast::Not(inner) => {
                let t = self.truthy(inner, cur)?;
                (quote!(!#t), 0)
            }
            Ast::And(l, r) => {
                let (l, lp) = self.truthy_prec(l, cur)?;
                let (r, rp) = self.truthy_prec(r, cur)?;
                let (l, r) = (paren(&l, lp, 2), paren(&r, rp, 2));
                (quote!(#l && #r), 2)
            }
            Ast::Or(l, r) => {
                let (l, _) = self.truthy_prec(l, cur)?;
                let (r, _) = self.truthy_prec(r, cur)?;
                (quote!(#l || #r), 3)
            }
            _ => {
                let v = self.eval(ast, cur)?;
                let prec = v.prec;
                (self.truthy_of(v), prec)
            }
        })
    }

    fn truthy_of(&self, v: Val<'m>) -> TokenStream {
        let c = &v.code;
        match &v.ty {
            Ty::Node { shape, nullable, is_ref } => match (&shape.kind, nullable) {
                (Kind::String | Kind::List | Kind::Map, true) => quote!(#c.is_some_and(|v| !v.is_empty())),
                (Kind::String | Kind::List | Kind::Map, false) => quote!(!#c.is_empty()),
                (Kind::Boolean, true) => quote!(#c == Some(&true)),
                (Kind::Boolean, false) if *is_ref => quote!(*#c),
                (Kind::Boolean, false) => c.clone(),
                (_, true) => quote!(#c.is_some()),
                (_, false) => quote!(true),
            },
            Ty::List(..) => quote!(#c.next().is_some()),
            Ty::Scalar(Form::Str, true) => quote!(#c.is_some_and(|s| !s.is_empty())),
            Ty::Scalar(Form::Str, false) => quote!(!#c.is_empty()),
            Ty::Scalar(Form::Bool, true) => quote!(#c == Some(true)),
            Ty::Scalar(Form::Bool, false) | Ty::Cond => c.clone(),
            Ty::Scalar(Form::Num(_), true) => quote!(#c.is_some()),
            Ty::Scalar(Form::Num(_), false) | Ty::Io => quote!(true),
            Ty::Null => quote!(false),
        }
    }

    /// A closure parameter for the elements of a list of `elem` (the naming pass's binding).
    fn item_var(&self, elem: &Shape) -> Result<Ident, String> {
        self.ctx.names.binding(&elem.id).map_err(|e| e.to_string())
    }

    fn item(&self, elem: &'m Shape, strs: bool, var: &Ident) -> Val<'m> {
        if strs {
            return Val::new(quote!(#var), Ty::Scalar(Form::Str, false));
        }
        Val::new(quote!(#var), Ty::Node { shape: elem, nullable: false, is_ref: true })
    }

    fn list_member(&self, list: &'m Shape) -> Result<&'m Shape, String> {
        let m = list.members.first().ok_or_else(|| format!("list `{}` has no member", list.id))?;
        self.ctx.shape(&m.target).map_err(|e| e.to_string())
    }

    /// An iterator of `&T` over a list value, with its element shape.
    fn iterate(&self, v: Val<'m>) -> Result<(TokenStream, &'m Shape, bool), String> {
        let c = &v.code;
        match v.ty {
            Ty::List(elem, strs) => Ok((v.code, elem, strs)),
            Ty::Node { shape, nullable, .. } if shape.kind == Kind::List => {
                let elem = self.list_member(shape)?;
                let items = if nullable { quote!(#c.into_iter().flatten()) } else { quote!(#c.iter()) };
                // Sparse lists hold `Option`s; projections skip the nulls.
                let items = if shape.traits.sparse { quote!(#items.flatten()) } else { items };
                Ok((items, elem, false))
            }
            _ => Err(format!("a projection over {}, which is not a list", describe(&v.ty))),
        }
    }

    /// `right` applied to each element of `items`, nulls dropped.
    /// With `flat`, a non-null list member is spliced in at once (`flat_map`).
    fn project(
        &self,
        items: TokenStream,
        elem: &'m Shape,
        strs: bool,
        right: &Ast,
        flat: bool,
    ) -> Result<Val<'m>, String> {
        if *right == Ast::Identity {
            return Ok(Val::new(items, Ty::List(elem, strs)));
        }
        let var = self.item_var(elem)?;
        let v = self.eval(right, &self.item(elem, strs, &var))?;
        let code = &v.code;
        let string = || self.ctx.shape("smithy.api#String").map_err(|e| e.to_string());
        match v.ty {
            Ty::Node { shape, nullable: true, .. } => {
                Ok(Val::new(quote!(#items.filter_map(|#var| #code)), Ty::List(shape, false)))
            }
            Ty::Node { shape, nullable: false, is_ref } => {
                let r = if is_ref { code.clone() } else { quote!(&#code) };
                if flat && shape.kind == Kind::List && !shape.traits.sparse {
                    return Ok(Val::new(quote!(#items.flat_map(|#var| #r)), Ty::List(self.list_member(shape)?, false)));
                }
                Ok(Val::new(quote!(#items.map(|#var| #r)), Ty::List(shape, false)))
            }
            Ty::Scalar(Form::Str, true) if v.literal.is_none() => {
                Ok(Val::new(quote!(#items.filter_map(|#var| #code)), Ty::List(string()?, true)))
            }
            Ty::List(..) => Err("a projection inside a projection gives nested lists; flatten with `[]`".into()),
            other => Err(format!("a projection of {}: only projections of members are supported", describe(&other))),
        }
    }

    fn field(&self, cur: &Val<'m>, name: &str) -> Result<Val<'m>, String> {
        let (shape, nullable) = match cur.ty {
            Ty::Io => {
                return match name {
                    "input" => {
                        Ok(Val::new(quote!(input), Ty::Node { shape: self.input, nullable: false, is_ref: true }))
                    }
                    "output" => {
                        Ok(Val::new(quote!(output), Ty::Node { shape: self.output, nullable: false, is_ref: true }))
                    }
                    other => Err(format!("`{other}`: an inputOutput path starts at `input` or `output`")),
                }
            }
            Ty::Node { shape, nullable, .. } => (shape, nullable),
            ref other => return Err(format!("member `{name}` of {}", describe(other))),
        };
        let c = &cur.code;
        if shape.kind == Kind::Map {
            // A map's member is the value under that key.
            let value = self.ctx.shape(&shape.members[1].target).map_err(|e| e.to_string())?;
            let code = if nullable { quote!(#c.and_then(|map| map.get(#name))) } else { quote!(#c.get(#name)) };
            return Ok(Val::new(code, Ty::Node { shape: value, nullable: true, is_ref: true }));
        }
        if shape.kind != Kind::Structure {
            return Err(format!("member `{name}` of {}, which is not a structure", kind_name(&shape.kind)));
        }
        let f = field_named(self.ctx, shape, name)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("`{}` has no member `{name}`", shape.id))?;
        let target = self.ctx.shape(&f.member.target).map_err(|e| e.to_string())?;
        let id = &f.ident;
        let optional = f.presence == Presence::Optional;
        // Optional strings are read as `Option<&str>` at once, as hand-written code would.
        let string = target.kind == Kind::String && !f.member.boxed;
        // Optional booleans and numbers are `Copy`: read by value, as `Option<bool>` and the like.
        let copy = copy_form(&target.kind).filter(|_| !f.member.boxed);
        let node = |nullable, is_ref| Ty::Node { shape: target, nullable, is_ref };
        let parent = self.ctx.names.binding(&shape.id).map_err(|e| e.to_string())?;
        Ok(match (nullable, optional) {
            (true, true) if string => {
                Val::new(quote!(#c.and_then(|#parent| #parent.#id.as_deref())), Ty::Scalar(Form::Str, true))
            }
            (true, true) if copy.is_some() => {
                Val::new(quote!(#c.and_then(|#parent| #parent.#id)), Ty::Scalar(copy.unwrap_or(Form::Bool), true))
            }
            (true, true) => {
                let get = if f.member.boxed { quote!(as_deref) } else { quote!(as_ref) };
                Val::new(quote!(#c.and_then(|#parent| #parent.#id.#get())), node(true, true))
            }
            (true, false) => {
                let get = if f.member.boxed { quote!(&*#parent.#id) } else { quote!(&#parent.#id) };
                Val::new(quote!(#c.map(|#parent| #get)), node(true, true))
            }
            (false, true) if string => Val::new(quote!(#c.#id.as_deref()), Ty::Scalar(Form::Str, true)),
            (false, true) if copy.is_some() => Val::new(quote!(#c.#id), Ty::Scalar(copy.unwrap_or(Form::Bool), true)),
            (false, true) => {
                let get = if f.member.boxed { quote!(as_deref) } else { quote!(as_ref) };
                Val::new(quote!(#c.#id.#get()), node(true, true))
            }
            (false, false) if f.member.boxed => Val::new(quote!((*#c.#id)), node(false, false)),
            (false, false) => Val::new(quote!(#c.#id), node(false, false)),
        })
    }

    fn index(&self, v: Val<'m>, n: i64) -> Result<Val<'m>, String> {
        let at = match n {
            -1 => None,
            n if n >= 0 => Some(proc_macro2::Literal::usize_unsuffixed(usize::try_from(n).map_err(|e| e.to_string())?)),
            _ => return Err("an index from the end other than `[-1]`".into()),
        };
        // A list member is indexed as a slice; a projection as an iterator.
        if let Ty::Node { shape, nullable, .. } = v.ty {
            if shape.kind == Kind::List && !shape.traits.sparse {
                let c = &v.code;
                let get = match &at {
                    None => quote!(last()),
                    Some(n) if n.to_string() == "0" => quote!(first()),
                    Some(n) => quote!(get(#n)),
                };
                let code = if nullable { quote!(#c.and_then(|list| list.#get)) } else { quote!(#c.#get) };
                let elem = self.list_member(shape)?;
                return Ok(Val::new(code, Ty::Node { shape: elem, nullable: true, is_ref: true }));
            }
        }
        let pick = |items: TokenStream| -> Result<TokenStream, String> {
            Ok(match &at {
                None => quote!(#items.last()),
                Some(n) if n.to_string() == "0" => quote!(#items.next()),
                Some(n) => quote!(#items.nth(#n)),
            })
        };
        let (items, elem, strs) = self.iterate(v)?;
        if strs {
            return Ok(Val::new(pick(items)?, Ty::Scalar(Form::Str, true)));
        }
        Ok(Val::new(pick(items)?, Ty::Node { shape: elem, nullable: true, is_ref: true }))
    }

    fn and_or(&self, and: bool, l: &Ast, r: &Ast, cur: &Val<'m>) -> Result<Val<'m>, String> {
        let (lv, rv) = (self.eval(l, cur)?, self.eval(r, cur)?);
        let bool_form = |v: &Val<'m>| matches!(self.scalar(v.clone()), Ok(s) if s.ty_form() == Some(Form::Bool));
        if !(bool_form(&lv) && bool_form(&rv)) {
            // The result is one of the operands, of different types: only its truthiness is usable.
            let op = if and { quote!(&&) } else { quote!(||) };
            let (lt, rt) = (self.truthy(l, cur)?, self.truthy(r, cur)?);
            return Ok(Val::new(quote!(#lt #op #rt), Ty::Cond).with_prec(if and { 2 } else { 3 }));
        }
        let (ls, rs) = (self.scalar(lv)?, self.scalar(rv)?);
        if !ls.nullable() && !rs.nullable() {
            let max = if and { 2 } else { 3 };
            let (lc, rc) = (paren(&ls.code, ls.prec, max), paren(&rs.code, rs.prec, max));
            let code = if and { quote!(#lc && #rc) } else { quote!(#lc || #rc) };
            return Ok(Val::new(code, Ty::Scalar(Form::Bool, false)).with_prec(max));
        }
        // With a null operand the result is that operand, or the other one: `Option<bool>`.
        let opt = |s: &Val<'m>| {
            let c = &s.code;
            if s.nullable() {
                c.clone()
            } else {
                quote!(Some(#c))
            }
        };
        let (lc, rc) = (opt(&ls), opt(&rs));
        let code = if and {
            quote!(match #lc { Some(true) => #rc, lhs => lhs })
        } else {
            quote!(match #lc { Some(true) => Some(true), _ => #rc })
        };
        Ok(Val::new(code, Ty::Scalar(Form::Bool, true)))
    }

    /// A value as a comparable scalar: `&str`, `bool` or a number, by value.
    fn scalar(&self, v: Val<'m>) -> Result<Val<'m>, String> {
        let (shape, nullable, is_ref) = match v.ty {
            Ty::Scalar(..) | Ty::Null => return Ok(v),
            Ty::Node { shape, nullable, is_ref } => (shape, nullable, is_ref),
            ref other => return Err(format!("a comparison of {}", describe(other))),
        };
        let c = &v.code;
        let num = match shape.kind {
            Kind::String | Kind::Enum => {
                let code = if nullable { quote!(#c.map(|s| s.as_str())) } else { quote!(#c.as_str()) };
                return Ok(Val::new(code, Ty::Scalar(Form::Str, nullable)));
            }
            Kind::IntEnum => {
                let code = if nullable { quote!(#c.map(|v| v.as_i32())) } else { quote!(#c.as_i32()) };
                return Ok(Val::new(code, Ty::Scalar(Form::Num(Some(NumTy::I32)), nullable)));
            }
            ref other => copy_form(other).ok_or_else(|| format!("a comparison of {}", kind_name(other)))?,
        };
        let code = match (nullable, is_ref) {
            (true, _) => quote!(#c.copied()),
            (false, true) => quote!(*#c),
            (false, false) => c.clone(),
        };
        Ok(Val::new(code, Ty::Scalar(num, nullable)))
    }

    fn compare(&self, op: Cmp, l: Val<'m>, r: Val<'m>) -> Result<Val<'m>, String> {
        let bool_ty = |nullable| Ty::Scalar(Form::Bool, nullable);
        // `x == null` asks whether x is absent.
        if matches!(l.ty, Ty::Null) || matches!(r.ty, Ty::Null) {
            let other = if matches!(l.ty, Ty::Null) { &r } else { &l };
            let c = &other.code;
            let code = match (op, other.nullable() && !matches!(other.ty, Ty::Null)) {
                (Cmp::Eq, true) => quote!(#c.is_none()),
                (Cmp::Ne, true) => quote!(#c.is_some()),
                _ => return Err(format!("`{}` with null of a value that is never null", op.symbol())),
            };
            return Ok(Val::new(code, bool_ty(false)));
        }
        if let Some(v) = is_empty_test(op, &l, &r) {
            return Ok(Val::new(v, bool_ty(false)));
        }
        let (mut a, mut b) = (self.scalar(l)?, self.scalar(r)?);
        let (fa, fb) = (a.ty_form(), b.ty_form());
        match (fa, fb) {
            (Some(Form::Num(x)), Some(Form::Num(y))) => self.unify_numbers(&mut a, x, &mut b, y)?,
            (Some(x), Some(y)) if x == y => {}
            _ => return Err(format!("a comparison of {} with {}", a.describe(), b.describe())),
        }
        if !matches!(op, Cmp::Eq | Cmp::Ne) && !matches!(fa, Some(Form::Num(_))) {
            return Err(format!("`{}` between {}s: JMESPath orders numbers only", op.symbol(), a.describe()));
        }
        let sym = match op {
            Cmp::Eq => quote!(==),
            Cmp::Ne => quote!(!=),
            Cmp::Lt => quote!(<),
            Cmp::Le => quote!(<=),
            Cmp::Gt => quote!(>),
            Cmp::Ge => quote!(>=),
        };
        let (ac, bc) = (paren(&a.code, a.prec, 0), paren(&b.code, b.prec, 0));
        if matches!(op, Cmp::Eq | Cmp::Ne) {
            let neg = op == Cmp::Ne;
            // A boolean literal against a boolean that is never null reads as the boolean itself.
            for (lit, other) in [(&a, &b), (&b, &a)] {
                if let (Some(Value::Bool(v)), false) = (&lit.literal, other.nullable()) {
                    let oc = paren(&other.code, other.prec, 0);
                    return Ok(Val::new(if *v != neg { oc } else { quote!(!#oc) }, bool_ty(false)));
                }
            }
            let code = match (a.nullable(), b.nullable()) {
                (true, false) => quote!(#ac #sym Some(#bc)),
                (false, true) => quote!(Some(#ac) #sym #bc),
                _ => quote!(#ac #sym #bc),
            };
            return Ok(Val::new(code, bool_ty(false)).with_prec(1));
        }
        // Ordering a null gives null.
        Ok(match (a.nullable(), b.nullable()) {
            (false, false) => Val::new(quote!(#ac #sym #bc), bool_ty(false)).with_prec(1),
            (true, false) => Val::new(quote!(#ac.map(|lhs| lhs #sym #bc)), bool_ty(true)),
            (false, true) => Val::new(quote!(#bc.map(|rhs| #ac #sym rhs)), bool_ty(true)),
            (true, true) => Val::new(quote!(#ac.zip(#bc).map(|(lhs, rhs)| lhs #sym rhs)), bool_ty(true)),
        })
    }

    /// Makes two numbers comparable: literals are written in the other side's type, and two
    /// different types meet in `i64` or `f64`.
    fn unify_numbers(
        &self,
        a: &mut Val<'m>,
        x: Option<NumTy>,
        b: &mut Val<'m>,
        y: Option<NumTy>,
    ) -> Result<(), String> {
        let is_float_lit = |v: &Val| v.literal.as_ref().and_then(Value::as_number).is_some_and(|n| !n.is_i64());
        let target = match (x, y) {
            (Some(x), Some(y)) if x == y => None,
            (Some(x), Some(y)) => Some(if x.float() || y.float() { NumTy::F64 } else { NumTy::I64 }),
            (Some(t), None) if is_float_lit(b) && !t.float() => Some(NumTy::F64),
            (None, Some(t)) if is_float_lit(a) && !t.float() => Some(NumTy::F64),
            _ => None,
        };
        for (v, t) in [(&mut *a, x), (&mut *b, y)] {
            match (t, target) {
                (Some(t), Some(target)) if t != target => cast(v, t, target),
                (None, _) => {
                    let other = target.or(x).or(y);
                    write_literal(v, other)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn function(&self, name: &str, args: &[Ast], cur: &Val<'m>) -> Result<Val<'m>, String> {
        let vals = args.iter().map(|a| self.eval(a, cur)).collect::<Result<Vec<_>, _>>()?;
        let usize_ty = Ty::Scalar(Form::Num(Some(NumTy::Usize)), false);
        match (name, vals.as_slice()) {
            ("length", [v]) => {
                let c = &v.code;
                Ok(match &v.ty {
                    Ty::List(..) => match &v.collection {
                        Some(w) => Val { collection: Some(w.clone()), ..Val::new(quote!(#w.len()), usize_ty) },
                        None => Val::new(quote!(#c.count()), usize_ty),
                    },
                    Ty::Node { shape, nullable, .. } => match (&shape.kind, nullable) {
                        (Kind::List | Kind::Map, true) => {
                            Val::new(quote!(#c.map(|v| v.len())), Ty::Scalar(Form::Num(Some(NumTy::Usize)), true))
                        }
                        (Kind::List | Kind::Map, false) => {
                            Val { collection: Some(c.clone()), ..Val::new(quote!(#c.len()), usize_ty) }
                        }
                        (Kind::String, true) => Val::new(
                            quote!(#c.map(|s| s.chars().count())),
                            Ty::Scalar(Form::Num(Some(NumTy::Usize)), true),
                        ),
                        (Kind::String, false) => Val::new(quote!(#c.chars().count()), usize_ty),
                        (other, _) => return Err(format!("length() of {}", kind_name(other))),
                    },
                    Ty::Scalar(Form::Str, true) => {
                        Val::new(quote!(#c.map(|s| s.chars().count())), Ty::Scalar(Form::Num(Some(NumTy::Usize)), true))
                    }
                    Ty::Scalar(Form::Str, false) => Val::new(quote!(#c.chars().count()), usize_ty),
                    other => return Err(format!("length() of {}", describe(other))),
                })
            }
            ("contains", [subject, search]) => {
                let search = self.scalar(search.clone())?;
                if search.ty_form() != Some(Form::Str) || search.nullable() {
                    return Err("contains() with a search value that is not a string".into());
                }
                let s = &search.code;
                let bool_ty = Ty::Scalar(Form::Bool, false);
                let is_list = matches!(subject.ty, Ty::List(..))
                    || matches!(subject.ty, Ty::Node { shape, .. } if shape.kind == Kind::List);
                if is_list {
                    let (items, elem, strs) = self.iterate(subject.clone())?;
                    if !matches!(elem.kind, Kind::String | Kind::Enum) {
                        return Err("contains() over a list that is not of strings".into());
                    }
                    let item = self.item_var(elem)?;
                    let text = as_text(&item, strs);
                    return Ok(Val::new(quote!(#items.any(|#item| #text == #s)), bool_ty));
                }
                let text = self.scalar(subject.clone())?;
                if text.ty_form() != Some(Form::Str) {
                    return Err(format!("contains() of {}", text.describe()));
                }
                let t = &text.code;
                Ok(Val::new(
                    if text.nullable() { quote!(#t.is_some_and(|t| t.contains(#s))) } else { quote!(#t.contains(#s)) },
                    bool_ty,
                ))
            }
            ("length" | "contains", _) => Err(format!("{name}() with {} arguments", args.len())),
            _ => Err(format!("the function `{name}()` is not supported")),
        }
    }
}

impl Val<'_> {
    fn ty_form(&self) -> Option<Form> {
        match self.ty {
            Ty::Scalar(f, _) => Some(f),
            _ => None,
        }
    }
    fn describe(&self) -> String {
        describe(&self.ty)
    }
}

fn describe(ty: &Ty) -> String {
    match ty {
        Ty::Node { shape, .. } => kind_name(&shape.kind).to_string(),
        Ty::List(..) => "a list (a projection)".into(),
        Ty::Scalar(Form::Str, _) => "a string".into(),
        Ty::Scalar(Form::Bool, _) => "a boolean".into(),
        Ty::Scalar(Form::Num(_), _) => "a number".into(),
        Ty::Null => "null".into(),
        Ty::Io => "the `{input, output}` object".into(),
        Ty::Cond => "`&&`/`||` of operands that are not booleans".into(),
    }
}

/// The scalar form of a `Copy` shape read by value.
fn copy_form(kind: &Kind) -> Option<Form> {
    Some(match kind {
        Kind::Boolean => Form::Bool,
        Kind::Byte => Form::Num(Some(NumTy::I8)),
        Kind::Short => Form::Num(Some(NumTy::I16)),
        Kind::Integer => Form::Num(Some(NumTy::I32)),
        Kind::Long => Form::Num(Some(NumTy::I64)),
        Kind::Float => Form::Num(Some(NumTy::F32)),
        Kind::Double => Form::Num(Some(NumTy::F64)),
        _ => return None,
    })
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Blob => "a blob",
        Kind::Boolean => "a boolean",
        Kind::String | Kind::Enum => "a string",
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::IntEnum => "an integer",
        Kind::Float | Kind::Double => "a float",
        Kind::BigInteger | Kind::BigDecimal => "a big number",
        Kind::Timestamp => "a timestamp",
        Kind::Document => "a document",
        Kind::List => "a list",
        Kind::Map => "a map",
        Kind::Structure => "a structure",
        Kind::Union => "a union",
        Kind::Service | Kind::Operation { .. } | Kind::Resource => "a service, operation or resource",
    }
}

/// `length(x)` compared with 0 (or `>= 1`, `< 1`) as `x.is_empty()` or its negation.
fn is_empty_test(op: Cmp, l: &Val, r: &Val) -> Option<TokenStream> {
    let lit = |v: &Val| v.literal.as_ref().and_then(Value::as_i64);
    let (c, op, n) = match (&l.collection, &r.collection) {
        (Some(c), _) => (c, op, lit(r)?),
        // `0 < length(x)` is `length(x) > 0`.
        (None, Some(c)) => {
            let flipped = match op {
                Cmp::Lt => Cmp::Gt,
                Cmp::Le => Cmp::Ge,
                Cmp::Gt => Cmp::Lt,
                Cmp::Ge => Cmp::Le,
                other => other,
            };
            (c, flipped, lit(l)?)
        }
        (None, None) => return None,
    };
    match (op, n) {
        (Cmp::Eq, 0) | (Cmp::Lt, 1) | (Cmp::Le, 0) => Some(quote!(#c.is_empty())),
        (Cmp::Ne, 0) | (Cmp::Gt, 0) | (Cmp::Ge, 1) => Some(quote!(!#c.is_empty())),
        _ => None,
    }
}

/// A list item as `&str`: already one, or a string or enum value.
fn as_text(item: &Ident, strs: bool) -> TokenStream {
    if strs {
        quote!(#item)
    } else {
        quote!(#item.as_str())
    }
}

fn literal<'m>(v: &Value) -> Result<Val<'m>, String> {
    let mut val = match v {
        Value::String(s) => Val::new(quote!(#s), Ty::Scalar(Form::Str, false)),
        Value::Bool(b) => Val::new(quote!(#b), Ty::Scalar(Form::Bool, false)),
        // Written once the other side of the comparison says which type it is.
        Value::Number(_) => Val::new(quote!(), Ty::Scalar(Form::Num(None), false)),
        Value::Null => Val::new(quote!(), Ty::Null),
        _ => return Err(format!("the literal `{v}`: only strings, numbers, booleans and null are supported")),
    };
    val.literal = Some(v.clone());
    Ok(val)
}

/// A number literal written for a comparison with a number of type `ty`.
fn write_literal(v: &mut Val, ty: Option<NumTy>) -> Result<(), String> {
    let Some(Value::Number(n)) = &v.literal else { return Ok(()) };
    let float = ty.is_some_and(NumTy::float);
    v.code = match (n.as_i64(), float) {
        (Some(i), false) => {
            if i < 0 && ty == Some(NumTy::Usize) {
                return Err(format!("a length compared with the negative number {i}"));
            }
            let lit = proc_macro2::Literal::i64_unsuffixed(i);
            quote!(#lit)
        }
        _ => {
            let f = n.as_f64().ok_or_else(|| format!("the number {n} does not fit a float"))?;
            let lit = proc_macro2::Literal::f64_unsuffixed(f);
            quote!(#lit)
        }
    };
    Ok(())
}

/// Converts a number of type `from` to `to` (`i64` or `f64`), losslessly where `From` allows.
fn cast(v: &mut Val, from: NumTy, to: NumTy) {
    let t = to.tokens();
    let lossless = match (from, to) {
        (NumTy::I8 | NumTy::I16 | NumTy::I32, _) | (NumTy::F32, NumTy::F64) => true,
        (NumTy::I64 | NumTy::Usize, _) | (_, _) => false,
    };
    let c = &v.code;
    let p = paren(c, v.prec, 0);
    v.code = match (v.nullable(), lossless) {
        (true, true) => quote!(#c.map(#t::from)),
        (true, false) => quote!(#c.map(|n| n as #t)),
        (false, true) => quote!(#t::from(#c)),
        (false, false) => quote!((#p as #t)),
    };
    v.prec = 0;
    if let Ty::Scalar(Form::Num(n), _) = &mut v.ty {
        *n = Some(to);
    }
}
