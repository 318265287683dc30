//! Rust names for Smithy names: casing by `heck`, keywords escaped, clashes with the
//! names generated code relies on avoided.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield", "gen",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names the generated code uses unqualified; a model shape with one of these names is renamed.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "HashMap",
    "Error",
    "Client",
    "DateTime",
    "Blob",
    "Document",
    "Unhandled",
    "Json",
    "JsonReader",
    "JsonWriter",
    "JsonError",
    "Handle",
    "Paginator",
    "Operation",
    "Self",
    // Prelude traits generated code names unqualified (`impl Default for`, `impl Into<T>`, ...).
    "Default",
    "From",
    "Into",
    "AsRef",
    "IntoIterator",
    "Iterator",
    "Send",
    "Sync",
    "Sized",
    "Clone",
    "Copy",
    "ToString",
    "ToOwned",
    // A type `New` with a `new` constructor is what clippy's `self_named_constructors` rejects.
    "New",
];

/// `snake_case` identifier for a member, a method or an argument.
pub fn snake(name: &str) -> String {
    let s = name.to_snake_case();
    let s = if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) { format!("n{s}") } else { s };
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// `UpperCamelCase` name for a type or a variant.
pub fn camel(name: &str) -> String {
    let s = name.to_upper_camel_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{s}")
    } else {
        s
    }
}

/// The Rust type name of a model shape.
pub fn type_name(shape_name: &str) -> String {
    let s = camel(shape_name);
    if RESERVED_TYPES.contains(&s.as_str()) {
        format!("{s}Value")
    } else {
        s
    }
}

/// `UpperCamelCase` name for an enum or union variant: `Self` cannot be one.
pub fn variant(name: &str) -> String {
    let s = camel(name);
    if s == "Self" {
        format!("{s}Value")
    } else {
        s
    }
}

/// An identifier token, raw where the name is a keyword.
pub fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casing_and_keywords() {
        assert_eq!(snake("repositoryName"), "repository_name");
        assert_eq!(snake("nextToken"), "next_token");
        assert_eq!(snake("self"), "self_");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(camel("IMAGE_NOT_FOUND"), "ImageNotFound");
        assert_eq!(camel("x86-64"), "X8664");
        assert_eq!(type_name("Error"), "ErrorValue");
        assert_eq!(snake("3d"), "n3d");
        assert_eq!(variant("SELF"), "SelfValue");
        assert_eq!(type_name("Default"), "DefaultValue");
    }
}
