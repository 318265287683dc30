//! A JMESPath parser for the expressions service models carry (waiter acceptor paths). It
//! builds a syntax tree only; `emit::waiters` types it against the model's shapes and turns
//! it into Rust, so nothing is interpreted at run time.
//!
//! Parsed: identifiers (plain and quoted), `a.b`, `a[0]`, `a[*]`, `a[]`, `a[?cond]`, `@`,
//! literals (`` `json` `` and `'raw'`), comparisons, `&&`, `||`, `!`, parentheses, function
//! calls and `|`. Anything else (slices, multi-selects, `*` over objects, `&expr`) is an error
//! that says what it met.

use serde_json::Value;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// The syntax tree, following the JMESPath specification's node kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    /// `@`, and the implicit right side of a projection.
    Identity,
    Field(String),
    /// `left.right`: `right` evaluated against the result of `left`.
    Sub(Box<Ast>, Box<Ast>),
    /// `left[n]`; negative counts from the end.
    Index(Box<Ast>, i64),
    /// `left[*]...`, or `left[]...` over `Flatten(left)`: `right` applied to each element,
    /// null results dropped.
    Projection(Box<Ast>, Box<Ast>),
    /// `left[?cond]...`: the elements for which `cond` is truthy, then `right` on each.
    Filter(Box<Ast>, Box<Ast>, Box<Ast>),
    /// One level of nested lists spliced into their parent.
    Flatten(Box<Ast>),
    Literal(Value),
    Not(Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Or(Box<Ast>, Box<Ast>),
    Compare(Cmp, Box<Ast>, Box<Ast>),
    Function(String, Vec<Ast>),
    /// `left | right`: `right` evaluated against `left`'s result, ending any projection.
    Pipe(Box<Ast>, Box<Ast>),
}

/// Why an expression did not parse: the problem and the byte offset it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub problem: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at offset {})", self.problem, self.offset)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Quoted(String),
    Literal(Value),
    Number(i64),
    Dot,
    Star,
    At,
    Comma,
    Colon,
    LBracket,
    RBracket,
    /// `[]`
    Flatten,
    /// `[?`
    Filter,
    LParen,
    RParen,
    LBrace,
    RBrace,
    Amp,
    And,
    Or,
    Pipe,
    Not,
    Cmp(Cmp),
    Eof,
}

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let err = |offset, problem: &str| Err(ParseError { offset, problem: problem.into() });
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let two = |next: u8| b.get(i + 1) == Some(&next);
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((start, Tok::Ident(text[start..i].to_string())));
                continue;
            }
            b'0'..=b'9' | b'-' => {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                match text[start..i].parse() {
                    Ok(n) => out.push((start, Tok::Number(n))),
                    Err(_) => return err(start, "a number that is not an integer"),
                }
                continue;
            }
            b'"' | b'\'' | b'`' => {
                // Up to the matching quote; a backslash escapes the next character.
                i += 1;
                let mut raw = String::new();
                loop {
                    match b.get(i) {
                        None => return err(start, "an unterminated quote"),
                        Some(&q) if q == c => break,
                        Some(b'\\') if b.get(i + 1) == Some(&c) => {
                            raw.push(c as char);
                            i += 2;
                        }
                        Some(_) => {
                            let ch = text[i..].chars().next().unwrap_or_default();
                            if c == b'"' && ch == '\\' {
                                // Quoted identifiers take JSON escapes: keep them for the JSON reader.
                                raw.push('\\');
                            } else {
                                raw.push(ch);
                            }
                            i += ch.len_utf8();
                        }
                    }
                }
                i += 1;
                out.push((
                    start,
                    match c {
                        b'\'' => Tok::Literal(Value::String(raw)),
                        b'"' => match serde_json::from_str::<String>(&format!("\"{raw}\"")) {
                            Ok(s) => Tok::Quoted(s),
                            Err(_) => return err(start, "a quoted identifier with a bad escape"),
                        },
                        _ => match serde_json::from_str::<Value>(raw.trim()) {
                            Ok(v) => Tok::Literal(v),
                            Err(_) => return err(start, "a `literal` that is not JSON"),
                        },
                    },
                ));
                continue;
            }
            b'.' => Tok::Dot,
            b'*' => Tok::Star,
            b'@' => Tok::At,
            b',' => Tok::Comma,
            b':' => Tok::Colon,
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'{' => Tok::LBrace,
            b'}' => Tok::RBrace,
            b']' => Tok::RBracket,
            b'[' if two(b']') => {
                i += 1;
                Tok::Flatten
            }
            b'[' if two(b'?') => {
                i += 1;
                Tok::Filter
            }
            b'[' => Tok::LBracket,
            b'&' if two(b'&') => {
                i += 1;
                Tok::And
            }
            b'&' => Tok::Amp,
            b'|' if two(b'|') => {
                i += 1;
                Tok::Or
            }
            b'|' => Tok::Pipe,
            b'!' if two(b'=') => {
                i += 1;
                Tok::Cmp(Cmp::Ne)
            }
            b'!' => Tok::Not,
            b'=' if two(b'=') => {
                i += 1;
                Tok::Cmp(Cmp::Eq)
            }
            b'<' if two(b'=') => {
                i += 1;
                Tok::Cmp(Cmp::Le)
            }
            b'<' => Tok::Cmp(Cmp::Lt),
            b'>' if two(b'=') => {
                i += 1;
                Tok::Cmp(Cmp::Ge)
            }
            b'>' => Tok::Cmp(Cmp::Gt),
            _ => {
                return err(
                    start,
                    &format!("an unexpected character `{}`", text[start..].chars().next().unwrap_or('?')),
                )
            }
        };
        i += 1;
        out.push((start, tok));
    }
    out.push((text.len(), Tok::Eof));
    Ok(out)
}

/// Left binding powers, as in the JMESPath reference grammar.
fn lbp(t: &Tok) -> u8 {
    match t {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Cmp(_) => 5,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
}

/// Parses a JMESPath expression.
pub fn parse(text: &str) -> Result<Ast, ParseError> {
    let mut p = Parser { toks: lex(text)?, pos: 0 };
    let ast = p.expression(0)?;
    match p.peek() {
        Tok::Eof => Ok(ast),
        _ => p.fail("unexpected text after the expression"),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::Eof, |(_, t)| t)
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.pos = (self.pos + 1).min(self.toks.len());
        t
    }

    fn fail<T>(&self, problem: &str) -> Result<T, ParseError> {
        let offset = self.toks.get(self.pos).map_or(0, |(o, _)| *o);
        Err(ParseError { offset, problem: problem.into() })
    }

    /// An error at the token just taken.
    fn back_and_fail<T>(&mut self, problem: &str) -> Result<T, ParseError> {
        self.pos = self.pos.saturating_sub(1);
        self.fail(problem)
    }

    fn expect(&mut self, t: Tok, what: &str) -> Result<(), ParseError> {
        if *self.peek() == t {
            self.next();
            Ok(())
        } else {
            self.fail(&format!("expected {what}"))
        }
    }

    fn expression(&mut self, rbp: u8) -> Result<Ast, ParseError> {
        let left = self.nud()?;
        self.led_loop(left, rbp)
    }

    fn led_loop(&mut self, mut left: Ast, rbp: u8) -> Result<Ast, ParseError> {
        while rbp < lbp(self.peek()) {
            left = self.led(left)?;
        }
        Ok(left)
    }

    fn unsupported<T>(&self, what: &str) -> Result<T, ParseError> {
        self.fail(&format!("{what} is not supported"))
    }

    fn nud(&mut self) -> Result<Ast, ParseError> {
        match self.next() {
            Tok::Ident(name) if *self.peek() == Tok::LParen => {
                self.next();
                let mut args = Vec::new();
                while *self.peek() != Tok::RParen {
                    if *self.peek() == Tok::Amp {
                        return self.unsupported("an expression reference (`&expr`)");
                    }
                    args.push(self.expression(0)?);
                    if *self.peek() == Tok::Comma {
                        self.next();
                    } else if *self.peek() != Tok::RParen {
                        return self.fail("expected `,` or `)` in a function call");
                    }
                }
                self.next();
                Ok(Ast::Function(name, args))
            }
            Tok::Ident(name) | Tok::Quoted(name) => Ok(Ast::Field(name)),
            Tok::Literal(v) => Ok(Ast::Literal(v)),
            Tok::At => Ok(Ast::Identity),
            Tok::Not => Ok(Ast::Not(Box::new(self.expression(lbp(&Tok::Not))?))),
            Tok::LParen => {
                let inner = self.expression(0)?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(inner)
            }
            // `[]`, `[?...]` and `[...]` at the start apply to the current node.
            Tok::Flatten | Tok::Filter | Tok::LBracket => {
                self.pos = self.pos.saturating_sub(1);
                self.led(Ast::Identity)
            }
            Tok::Star => self.unsupported("`*` over an object's values"),
            Tok::LBrace => self.unsupported("a multi-select hash (`{...}`)"),
            Tok::Amp => self.unsupported("an expression reference (`&expr`)"),
            Tok::Eof => self.fail("the expression ends too early"),
            _ => self.back_and_fail("expected an expression"),
        }
    }

    fn led(&mut self, left: Ast) -> Result<Ast, ParseError> {
        let b = Box::new;
        match self.next() {
            Tok::Dot => {
                let right = self.dot_rhs()?;
                Ok(Ast::Sub(b(left), b(right)))
            }
            Tok::LBracket => self.bracket(left),
            Tok::Flatten => {
                let rhs = self.projection_rhs(lbp(&Tok::Flatten))?;
                Ok(Ast::Projection(b(Ast::Flatten(b(left))), b(rhs)))
            }
            Tok::Filter => self.filter(left),
            Tok::Or => Ok(Ast::Or(b(left), b(self.expression(lbp(&Tok::Or))?))),
            Tok::And => Ok(Ast::And(b(left), b(self.expression(lbp(&Tok::And))?))),
            Tok::Pipe => Ok(Ast::Pipe(b(left), b(self.expression(lbp(&Tok::Pipe))?))),
            Tok::Cmp(c) => Ok(Ast::Compare(c, b(left), b(self.expression(lbp(&Tok::Cmp(c)))?))),
            Tok::LParen => self.unsupported("calling the result of an expression"),
            Tok::LBrace => self.unsupported("a multi-select hash (`{...}`)"),
            _ => self.back_and_fail("expected an operator"),
        }
    }

    /// After `[` (already taken): an index, `*]` or a multi-select list.
    fn bracket(&mut self, left: Ast) -> Result<Ast, ParseError> {
        match self.next() {
            Tok::Number(n) => {
                if *self.peek() == Tok::Colon {
                    return self.unsupported("a slice (`[a:b]`)");
                }
                self.expect(Tok::RBracket, "`]`")?;
                Ok(Ast::Index(Box::new(left), n))
            }
            Tok::Star => {
                self.expect(Tok::RBracket, "`]`")?;
                let rhs = self.projection_rhs(lbp(&Tok::Star))?;
                Ok(Ast::Projection(Box::new(left), Box::new(rhs)))
            }
            Tok::Colon => self.unsupported("a slice (`[a:b]`)"),
            _ => self.back_and_fail("a multi-select list (`[a, b]`) is not supported"),
        }
    }

    /// After `[?` (already taken): the condition, `]`, then the projection's right side.
    fn filter(&mut self, left: Ast) -> Result<Ast, ParseError> {
        let cond = self.expression(0)?;
        self.expect(Tok::RBracket, "`]` closing the filter")?;
        let rhs = self.projection_rhs(lbp(&Tok::Filter))?;
        Ok(Ast::Filter(Box::new(left), Box::new(cond), Box::new(rhs)))
    }

    fn dot_rhs(&mut self) -> Result<Ast, ParseError> {
        match self.peek() {
            Tok::Ident(_) | Tok::Quoted(_) => self.nud(),
            Tok::Star => self.unsupported("`*` over an object's values"),
            Tok::LBracket => self.unsupported("a multi-select list (`[a, b]`)"),
            Tok::LBrace => self.unsupported("a multi-select hash (`{...}`)"),
            _ => self.fail("expected a name after `.`"),
        }
    }

    /// What a projection applies to each element: `.name...`, `[...]...`, or nothing.
    fn projection_rhs(&mut self, rbp: u8) -> Result<Ast, ParseError> {
        let left = match self.peek() {
            t if lbp(t) < 10 => return Ok(Ast::Identity),
            Tok::Dot => {
                self.next();
                self.dot_rhs()?
            }
            Tok::LBracket | Tok::Filter | Tok::Flatten => self.nud()?,
            _ => return self.fail("expected `.`, `[` or the end of the projection"),
        };
        self.led_loop(left, rbp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(n: &str) -> Box<Ast> {
        Box::new(Ast::Field(n.into()))
    }

    #[test]
    fn paths_and_projections() {
        assert_eq!(parse("a.b").unwrap(), Ast::Sub(f("a"), f("b")));
        assert_eq!(
            parse("a[].b").unwrap(),
            Ast::Projection(Box::new(Ast::Flatten(f("a"))), f("b")),
            "`[]` flattens, then projects"
        );
        assert_eq!(parse("a[*].b.c").unwrap(), Ast::Projection(f("a"), Box::new(Ast::Sub(f("b"), f("c")))));
        assert_eq!(parse("a[0]").unwrap(), Ast::Index(f("a"), 0));
        assert_eq!(parse("\"quoted name\"").unwrap(), Ast::Field("quoted name".into()));
    }

    #[test]
    fn filters_comparisons_and_precedence() {
        let ast = parse("length(s[?!(length(d) == `1` && r == w)]) == `0`").unwrap();
        let Ast::Compare(Cmp::Eq, left, right) = ast else { panic!("not a comparison") };
        assert_eq!(*right, Ast::Literal(serde_json::json!(0)));
        let Ast::Function(name, args) = *left else { panic!("not a call") };
        assert_eq!(name, "length");
        let Ast::Filter(lhs, cond, rhs) = &args[0] else { panic!("not a filter") };
        assert_eq!(**lhs, Ast::Field("s".into()));
        assert_eq!(**rhs, Ast::Identity);
        assert!(matches!(**cond, Ast::Not(ref inner) if matches!(**inner, Ast::And(..))));
        // `&&` binds tighter than `||`, comparisons tighter than both.
        let ast = parse("a == 'x' || b && c").unwrap();
        assert!(matches!(ast, Ast::Or(ref l, ref r) if matches!(**l, Ast::Compare(..)) && matches!(**r, Ast::And(..))));
        // A comparison after a projection compares the whole projection.
        assert!(matches!(parse("a[].b == 'x'").unwrap(), Ast::Compare(Cmp::Eq, ..)));
    }

    #[test]
    fn literals() {
        assert_eq!(parse("'it''s'").unwrap_err().problem, "unexpected text after the expression");
        assert_eq!(parse(r"'it\'s'").unwrap(), Ast::Literal(Value::String("it's".into())));
        assert_eq!(parse("`true`").unwrap(), Ast::Literal(Value::Bool(true)));
        assert_eq!(parse("`\"x\"`").unwrap(), Ast::Literal(Value::String("x".into())));
    }

    #[test]
    fn unsupported_forms_are_named() {
        for (text, what) in [
            ("a[0:2]", "slice"),
            ("a.[b, c]", "multi-select list"),
            ("a.{b: c}", "multi-select hash"),
            ("a.*", "`*` over"),
            ("sort_by(a, &b)", "expression reference"),
            ("a ==", "ends too early"),
            ("a b", "unexpected text"),
            ("`{`", "not JSON"),
            ("'open", "unterminated"),
            ("a # b", "unexpected character"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.problem.contains(what), "`{text}`: {e}");
        }
    }
}
