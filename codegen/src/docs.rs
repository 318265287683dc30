//! Conversion of Smithy documentation strings into Markdown for rustdoc.
//!
//! AWS models carry documentation as HTML fragments, while our own model uses
//! plain text / Markdown. HTML is rendered through a small hand-written
//! tokenizer; anything that does not look like HTML is passed through as is.

/// Turns a Smithy documentation string (HTML fragment, Markdown or plain text) into Markdown for rustdoc.
pub fn to_markdown(doc: &str) -> String {
    let doc = doc.trim();
    if !looks_like_html(doc) {
        return doc.to_string();
    }
    let mut renderer = Renderer::default();
    for token in Tokenizer::new(doc) {
        renderer.token(token);
    }
    renderer.finish()
}

/// Tags we understand or that commonly appear in AWS docs. Only these make a
/// string count as HTML, so Markdown such as `Vec<T>` is not mistaken for it.
const KNOWN_TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "fullname",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "i",
    "important",
    "kbd",
    "li",
    "note",
    "ol",
    "p",
    "pre",
    "samp",
    "section",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "td",
    "th",
    "tr",
    "u",
    "ul",
];

fn looks_like_html(doc: &str) -> bool {
    Tokenizer::new(doc).any(|token| match token {
        Token::Start { name, .. } | Token::End { name } => KNOWN_TAGS.contains(&name.as_str()),
        Token::Text(_) => false,
    })
}

// ---------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
enum Token {
    /// Text with entities already decoded.
    Text(String),
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End {
        name: String,
    },
}

/// What sits at a `<`: a tag, something to skip (comment, doctype) or nothing
/// tag-like, in which case the `<` is plain text.
enum Markup {
    Tag(Token),
    Skip,
}

struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
    /// A tag found while scanning text, returned on the next call.
    pending: Option<Token>,
}

impl<'a> Tokenizer<'a> {
    fn new(src: &'a str) -> Self {
        Tokenizer { src, pos: 0, pending: None }
    }
}

impl Iterator for Tokenizer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        if let Some(token) = self.pending.take() {
            return Some(token);
        }
        let mut start = self.pos;
        let mut search = start;
        while let Some(offset) = self.src[search..].find('<') {
            let lt = search + offset;
            let Some((markup, len)) = parse_markup(&self.src[lt..]) else {
                // Not a tag: the `<` is literal text.
                search = lt + 1;
                continue;
            };
            self.pos = lt + len;
            let tag = match markup {
                Markup::Tag(tag) => Some(tag),
                Markup::Skip => None,
            };
            if lt > start {
                self.pending = tag;
                return Some(Token::Text(decode_entities(&self.src[start..lt])));
            }
            if tag.is_some() {
                return tag;
            }
            // Nothing before the skipped markup: keep scanning.
            start = self.pos;
            search = start;
        }
        self.pos = self.src.len();
        if start < self.src.len() {
            Some(Token::Text(decode_entities(&self.src[start..])))
        } else {
            None
        }
    }
}

/// Parses the markup at the start of `s` (which starts with `<`), returning it
/// and its length in bytes, or `None` if the `<` does not start markup.
fn parse_markup(s: &str) -> Option<(Markup, usize)> {
    let rest = &s[1..];
    if let Some(body) = rest.strip_prefix("!--") {
        // An unterminated comment swallows the rest, as in browsers.
        let len = body.find("-->").map_or(s.len(), |i| 4 + i + 3);
        return Some((Markup::Skip, len));
    }
    if rest.starts_with('!') || rest.starts_with('?') {
        return rest.find('>').map(|i| (Markup::Skip, 1 + i + 1));
    }
    let (closing, name_start) = match rest.strip_prefix('/') {
        Some(_) => (true, 2),
        None => (false, 1),
    };
    if !s[name_start..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_len = s[name_start..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':')))
        .unwrap_or(s.len() - name_start);
    let name_end = name_start + name_len;
    // The name must be followed by whitespace, `/` or `>`: `<T,U>` is text.
    if !s[name_end..].starts_with(|c: char| c.is_whitespace() || c == '/' || c == '>') {
        return None;
    }
    let gt = find_tag_end(s, name_end)?;
    let name = s[name_start..name_end].to_ascii_lowercase();
    let inner = &s[name_end..gt];
    let token = if closing {
        Token::End { name }
    } else {
        Token::Start { name, attrs: parse_attrs(inner), self_closing: inner.trim_end().ends_with('/') }
    };
    Some((Markup::Tag(token), gt + 1))
}

/// Byte index of the `>` closing the tag, honouring quoted attribute values.
/// A `<` before it, or no `>` at all, means this was not a tag after all.
fn find_tag_end(s: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s[from..].char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(from + i),
            (None, '<') => return None,
            (None, _) => {}
        }
    }
    None
}

fn parse_attrs(inner: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    let mut rest = inner;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return attrs;
        }
        let name_len = rest.find(|c: char| c.is_whitespace() || matches!(c, '=' | '/')).unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let (raw, remaining) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after_eq[1..];
                    match body.find(q) {
                        Some(end) => (&body[..end], &body[end + 1..]),
                        None => (body, ""),
                    }
                }
                _ => {
                    let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                    (&after_eq[..end], &after_eq[end..])
                }
            };
            value = decode_entities(raw);
            rest = remaining;
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// Decodes HTML character references; unknown or invalid ones stay literal.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest[1..]
            .find(';')
            .filter(|&semi| semi <= 32)
            .and_then(|semi| decode_entity(&rest[1..1 + semi]).map(|c| (c, semi + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        // NUL and surrogates are not characters; leave the reference as text.
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        // A plain space so it takes part in whitespace collapsing.
        "nbsp" => ' ',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "hellip" => '\u{2026}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201C}',
        "rdquo" => '\u{201D}',
        "copy" => '\u{A9}',
        "reg" => '\u{AE}',
        "trade" => '\u{2122}',
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// Renderer
// ---------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
enum FrameKind {
    Code,
    /// A link; `None` when the target is unusable, so only the text remains.
    Link(Option<String>),
    Bold,
    Italic,
}

/// An open inline element collecting its rendered content.
struct Frame {
    kind: FrameKind,
    buf: String,
}

struct List {
    ordered: bool,
    next_number: u32,
    /// Width of the current item's marker, i.e. its content indentation.
    width: usize,
}

#[derive(Default)]
struct Renderer {
    out: String,
    /// Whether the last emitted block was inside a list (items stay tight).
    last_in_list: bool,
    /// Inline content of the current block; `\n` marks a `<br>`.
    root: String,
    frames: Vec<Frame>,
    lists: Vec<List>,
    /// Marker of a list item whose first block is still to come, with the
    /// indentation of the enclosing lists.
    pending_marker: Option<(String, usize)>,
    /// `**Note:**`-style label waiting for the first block of its element.
    pending_label: Option<&'static str>,
    /// Raw text of an open `<pre>` and its nesting depth.
    pre: Option<(String, usize)>,
}

impl Renderer {
    fn token(&mut self, token: Token) {
        if self.pre.is_some() {
            self.pre_token(token);
            return;
        }
        match token {
            Token::Text(text) => self.text(&text),
            Token::Start { name, attrs, self_closing } => self.start(&name, &attrs, self_closing),
            Token::End { name } => self.end(&name),
        }
    }

    /// Inside `<pre>` only text and line breaks matter.
    fn pre_token(&mut self, token: Token) {
        let Some((buf, depth)) = self.pre.as_mut() else {
            return;
        };
        match token {
            Token::Text(text) => buf.push_str(&text),
            Token::Start { name, .. } if name == "br" => buf.push('\n'),
            Token::Start { name, self_closing, .. } if name == "pre" && !self_closing => *depth += 1,
            Token::End { name } if name == "pre" => {
                *depth -= 1;
                if *depth == 0 {
                    self.finish_pre();
                }
            }
            _ => {}
        }
    }

    fn in_code(&self) -> bool {
        matches!(self.frames.last(), Some(f) if f.kind == FrameKind::Code)
    }

    fn buf_mut(&mut self) -> &mut String {
        match self.frames.last_mut() {
            Some(frame) => &mut frame.buf,
            None => &mut self.root,
        }
    }

    /// Last character of the block so far, looking through open elements.
    fn prev_char(&self) -> Option<char> {
        self.frames
            .iter()
            .rev()
            .map(|f| &f.buf)
            .chain(std::iter::once(&self.root))
            .find_map(|buf| buf.chars().next_back())
    }

    fn text(&mut self, text: &str) {
        if self.in_code() {
            // Code spans are literal: only collapse whitespace.
            let mut prev = self.prev_char();
            let buf = self.buf_mut();
            for c in text.chars() {
                let c = if c.is_whitespace() { ' ' } else { c };
                if c == ' ' && matches!(prev, None | Some(' ' | '\n')) {
                    continue;
                }
                buf.push(c);
                prev = Some(c);
            }
            return;
        }
        let autolink = !self.frames.iter().any(|f| matches!(f.kind, FrameKind::Link(_)));
        let mut prev = self.prev_char();
        // Block-level Markdown syntax is only recognised at the start of a line.
        let mut line_start = self.frames.is_empty() && matches!(prev, None | Some('\n'));
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            if c.is_whitespace() {
                if !matches!(prev, None | Some(' ' | '\n')) {
                    out.push(' ');
                    prev = Some(' ');
                }
                i += 1;
                continue;
            }
            if autolink && !prev.is_some_and(char::is_alphanumeric) {
                let len = url_len(&chars[i..]);
                if len > 0 {
                    // rustdoc warns about bare URLs; `<...>` makes them links.
                    out.push('<');
                    out.extend(&chars[i..i + len]);
                    out.push('>');
                    prev = Some('>');
                    line_start = false;
                    i += len;
                    continue;
                }
            }
            if line_start {
                line_start = false;
                if matches!(c, '#' | '>' | '-' | '+' | '=' | '|') {
                    out.push('\\');
                } else if c.is_ascii_digit() {
                    // `1.` or `1)` would start an ordered list.
                    let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                    if matches!(chars.get(i + digits), Some('.' | ')')) {
                        out.extend(&chars[i..i + digits]);
                        out.push('\\');
                        out.push(chars[i + digits]);
                        prev = Some(chars[i + digits]);
                        i += digits + 1;
                        continue;
                    }
                }
            }
            let escape = match c {
                // `[`/`]` would be taken for (intra-doc) links, `<` for HTML.
                '\\' | '`' | '*' | '[' | ']' | '<' | '~' => true,
                // Intraword underscores are not emphasis.
                '_' => !(prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric)),
                '&' => next.is_some_and(|n| n.is_alphanumeric() || n == '#'),
                _ => false,
            };
            if escape {
                out.push('\\');
            }
            out.push(c);
            prev = Some(c);
            i += 1;
        }
        self.buf_mut().push_str(&out);
    }

    fn start(&mut self, name: &str, attrs: &[(String, String)], self_closing: bool) {
        match name {
            "p" | "div" | "fullname" | "section" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table"
            | "tr" => self.end_block(),
            "br" => self.line_break(),
            "note" | "important" if !self_closing => {
                self.end_block();
                self.pending_label = Some(if name == "note" { "**Note:**" } else { "**Important:**" });
            }
            "ul" | "ol" | "dl" if !self_closing => {
                self.end_block();
                self.flush_label();
                let ordered = name == "ol";
                self.lists.push(List { ordered, next_number: 1, width: if ordered { 3 } else { 2 } });
            }
            "li" | "dt" => {
                self.end_block();
                self.flush_label();
                self.start_item();
                if name == "dt" && !self_closing {
                    self.open(FrameKind::Bold);
                }
            }
            "dd" => self.end_block(),
            "pre" if !self_closing => {
                self.end_block();
                self.flush_label();
                self.pre = Some((String::new(), 1));
            }
            _ if self_closing || self.in_code() => {}
            "code" | "kbd" | "samp" | "tt" => self.open(FrameKind::Code),
            "a" => {
                let nested = self.frames.iter().any(|f| matches!(f.kind, FrameKind::Link(_)));
                let href = attrs
                    .iter()
                    .find(|(k, _)| k == "href")
                    .map(|(_, v)| v.trim())
                    .filter(|href| !nested && is_absolute_url(href))
                    .map(str::to_string);
                self.open(FrameKind::Link(href));
            }
            "b" | "strong" => self.open(FrameKind::Bold),
            "i" | "em" => self.open(FrameKind::Italic),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "p" | "div" | "fullname" | "section" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table"
            | "tr" | "dd" => self.end_block(),
            "note" | "important" => {
                self.end_block();
                // An empty note produces nothing.
                self.pending_label = None;
            }
            "li" | "dt" => {
                self.end_block();
                self.pending_marker = None;
            }
            "ul" | "ol" | "dl" => {
                self.end_block();
                self.pending_marker = None;
                self.lists.pop();
            }
            _ if self.in_code() && !matches!(name, "code" | "kbd" | "samp" | "tt") => {}
            "code" | "kbd" | "samp" | "tt" => self.close_matching(|k| *k == FrameKind::Code),
            "a" => self.close_matching(|k| matches!(k, FrameKind::Link(_))),
            "b" | "strong" => self.close_matching(|k| *k == FrameKind::Bold),
            "i" | "em" => self.close_matching(|k| *k == FrameKind::Italic),
            _ => {}
        }
    }

    fn open(&mut self, kind: FrameKind) {
        self.frames.push(Frame { kind, buf: String::new() });
    }

    /// Closes the innermost open element matching `is_match` and everything
    /// opened inside it; a stray end tag is ignored.
    fn close_matching(&mut self, is_match: impl Fn(&FrameKind) -> bool) {
        if let Some(index) = self.frames.iter().rposition(|f| is_match(&f.kind)) {
            while self.frames.len() > index {
                self.close_top();
            }
        }
    }

    fn close_top(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let lead = frame.buf.starts_with([' ', '\n']);
        let trail = frame.buf.ends_with([' ', '\n']);
        let core = frame.buf.trim_matches([' ', '\n']);
        // Nested emphasis of the same kind would only double the markers.
        let inside = |kind: FrameKind| self.frames.iter().any(|f| f.kind == kind);
        let rendered = if core.is_empty() {
            match &frame.kind {
                FrameKind::Link(Some(url)) => format!("<{}>", encode_url(url)),
                _ => String::new(),
            }
        } else {
            match &frame.kind {
                FrameKind::Code => code_span(core),
                FrameKind::Link(Some(url)) => format!("[{core}]({})", link_destination(url)),
                FrameKind::Link(None) => core.to_string(),
                FrameKind::Bold if inside(FrameKind::Bold) => core.to_string(),
                FrameKind::Bold => format!("**{core}**"),
                FrameKind::Italic if inside(FrameKind::Italic) => core.to_string(),
                FrameKind::Italic => format!("*{core}*"),
            }
        };
        // Spaces move outside the markers, which must hug their content.
        if lead && !matches!(self.prev_char(), None | Some(' ' | '\n')) {
            self.buf_mut().push(' ');
        }
        self.buf_mut().push_str(&rendered);
        if trail && !matches!(self.prev_char(), None | Some(' ' | '\n')) {
            self.buf_mut().push(' ');
        }
    }

    fn line_break(&mut self) {
        if self.in_code() {
            self.text(" ");
        } else if !matches!(self.prev_char(), None | Some('\n')) {
            // Trailing spaces before the break would be lost in the output.
            let buf = self.buf_mut();
            let trimmed = buf.trim_end_matches(' ').len();
            buf.truncate(trimmed);
            buf.push('\n');
        }
    }

    fn start_item(&mut self) {
        let (marker, base) = match self.lists.split_last_mut() {
            Some((list, outer)) => {
                let marker = if list.ordered {
                    let marker = format!("{}. ", list.next_number);
                    list.next_number = list.next_number.saturating_add(1);
                    marker
                } else {
                    "- ".to_string()
                };
                list.width = marker.len();
                (marker, outer.iter().map(|l| l.width).sum())
            }
            // A stray `<li>` still reads best as a list item.
            None => ("- ".to_string(), 0),
        };
        self.pending_marker = Some((marker, base));
    }

    /// Emits a pending `**Note:**` label as its own paragraph, for notes
    /// starting with something it cannot prefix (a list, a code block).
    fn flush_label(&mut self) {
        if let Some(label) = self.pending_label.take() {
            self.emit(label);
        }
    }

    /// Ends the current paragraph-like block and emits it.
    fn end_block(&mut self) {
        while !self.frames.is_empty() {
            self.close_top();
        }
        let content = std::mem::take(&mut self.root);
        let lines: Vec<&str> = content.split('\n').map(str::trim).filter(|line| !line.is_empty()).collect();
        if lines.is_empty() {
            return;
        }
        // A backslash at the end of a line is a hard break in Markdown.
        let mut body = lines.join("\\\n");
        if let Some(label) = self.pending_label.take() {
            body = format!("{label} {body}");
        }
        self.emit(&body);
    }

    fn finish_pre(&mut self) {
        let Some((raw, _)) = self.pre.take() else {
            return;
        };
        if let Some(block) = code_block(&raw) {
            self.emit(&block);
        }
    }

    /// Appends a block, indenting it to the current list level.
    fn emit(&mut self, body: &str) {
        let indent: usize = self.lists.iter().map(|l| l.width).sum();
        let marker = self.pending_marker.take();
        if !self.out.is_empty() {
            let tight = marker.is_some() && self.last_in_list;
            self.out.push_str(if tight { "\n" } else { "\n\n" });
        }
        let continuation = match &marker {
            Some((marker, base)) => {
                self.out.push_str(&" ".repeat(*base));
                self.out.push_str(marker);
                base + marker.len()
            }
            None => {
                self.out.push_str(&" ".repeat(indent));
                indent
            }
        };
        for (i, line) in body.split('\n').enumerate() {
            if i > 0 {
                self.out.push('\n');
                if !line.is_empty() {
                    self.out.push_str(&" ".repeat(continuation));
                }
            }
            self.out.push_str(line);
        }
        self.last_in_list = !self.lists.is_empty() || marker.is_some();
    }

    fn finish(mut self) -> String {
        // Whatever is still open at the end (malformed input) is closed here.
        self.finish_pre();
        self.end_block();
        let lines: Vec<&str> = self.out.lines().map(str::trim_end).collect();
        lines.join("\n").trim().to_string()
    }
}

fn is_absolute_url(href: &str) -> bool {
    // Relative links would resolve against the generated docs, not AWS's.
    let lower = href.to_ascii_lowercase();
    ["https://", "http://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len())
}

/// Spaces and angle brackets are not allowed in Markdown link destinations.
fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_whitespace() || c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn link_destination(url: &str) -> String {
    let url = encode_url(url);
    // Parentheses would end a bare destination early.
    if url.contains(['(', ')']) {
        format!("<{url}>")
    } else {
        url
    }
}

/// Length in chars of the bare URL starting `chars`, or 0 if there is none.
fn url_len(chars: &[char]) -> usize {
    let scheme_len = ["https://", "http://"]
        .iter()
        .find(|scheme| {
            scheme.len() <= chars.len() && scheme.chars().zip(chars).all(|(a, b)| a == b.to_ascii_lowercase())
        })
        .map_or(0, |scheme| scheme.len());
    if scheme_len == 0 {
        return 0;
    }
    let mut len =
        chars.iter().position(|&c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`')).unwrap_or(chars.len());
    // Trailing punctuation belongs to the sentence, not the URL.
    while len > scheme_len {
        let last = chars[len - 1];
        let unbalanced = |open: char, close: char| {
            let url = &chars[..len];
            url.iter().filter(|&&c| c == close).count() > url.iter().filter(|&&c| c == open).count()
        };
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' => true,
            ')' => unbalanced('(', ')'),
            ']' => unbalanced('[', ']'),
            _ => false,
        };
        if !strip {
            break;
        }
        len -= 1;
    }
    if len > scheme_len {
        len
    } else {
        0
    }
}

/// Wraps `code` in a code span, using a fence longer than any backtick run.
fn code_span(code: &str) -> String {
    let fence = "`".repeat(longest_run(code, '`') + 1);
    // Padding keeps a leading/trailing backtick from merging with the fence.
    if code.starts_with('`') || code.ends_with('`') {
        format!("{fence} {code} {fence}")
    } else {
        format!("{fence}{code}{fence}")
    }
}

/// Renders `<pre>` content as a fenced code block, or `None` if it is blank.
fn code_block(raw: &str) -> Option<String> {
    let lines: Vec<&str> = raw.lines().map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.is_empty())?;
    let last = lines.iter().rposition(|l| !l.is_empty())?;
    let lines = &lines[first..=last];
    // The model indents `<pre>` content along with the surrounding JSON.
    let common = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines.iter().map(|l| l.get(common..).unwrap_or("")).collect();
    let body = body.join("\n");
    let fence = "`".repeat((longest_run(&body, '`') + 1).max(3));
    Some(format!("{fence}text\n{body}\n{fence}"))
}

fn longest_run(s: &str, target: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in s.chars() {
        current = if c == target { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::to_markdown;

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(to_markdown("  Just some text.\n"), "Just some text.");
        assert_eq!(to_markdown(""), "");
    }

    #[test]
    fn markdown_passes_through() {
        let md = "Lists the [widgets](https://example.com/w) of a `Vec<T>`.\n\n- *one*\n- two_three [x]";
        assert_eq!(to_markdown(md), md);
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines() {
        assert_eq!(to_markdown("<p>First one.</p><p>Second one.</p>"), "First one.\n\nSecond one.");
        assert_eq!(to_markdown("<p>A</p>tail"), "A\n\ntail");
    }

    #[test]
    fn whitespace_is_collapsed() {
        assert_eq!(
            to_markdown("<p>The name of\n         the widget.</p>\n      <p>  More\ttext  </p>"),
            "The name of the widget.\n\nMore text"
        );
    }

    #[test]
    fn code_becomes_code_span() {
        assert_eq!(to_markdown("<p>Use <code>push</code> now.</p>"), "Use `push` now.");
        assert_eq!(to_markdown("<code>a`b</code>"), "``a`b``");
        assert_eq!(to_markdown("<code>`x</code>"), "`` `x ``");
        // Code is literal: no escaping, entities decoded.
        assert_eq!(to_markdown("<code>a_[b]*&lt;c&gt;</code>"), "`a_[b]*<c>`");
        assert_eq!(to_markdown("x <code> </code> y<p/>"), "x y");
        assert_eq!(to_markdown("a<code> b </code>c"), "a `b` c");
    }

    #[test]
    fn links() {
        assert_eq!(
            to_markdown(r#"<p>See <a href="https://example.com/a">the guide</a>.</p>"#),
            "See [the guide](https://example.com/a)."
        );
        assert_eq!(to_markdown(r#"<a href='https://e.com/x(1)'><code>y</code></a>"#), "[`y`](<https://e.com/x(1)>)");
        assert_eq!(to_markdown(r#"<a href="https://e.com/"></a>"#), "<https://e.com/>");
        // Relative or missing targets keep just the text.
        assert_eq!(to_markdown(r#"<a href="/docs">docs</a>"#), "docs");
        assert_eq!(to_markdown("<a>docs</a>"), "docs");
    }

    #[test]
    fn lists() {
        assert_eq!(
            to_markdown("<p>Options:</p><ul><li><p>one</p></li><li>two</li></ul><p>After.</p>"),
            "Options:\n\n- one\n- two\n\nAfter."
        );
        assert_eq!(to_markdown("<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>"), "- a\n  - b\n  - c\n- d");
        assert_eq!(to_markdown("<ol><li>a<ol><li>b</li></ol></li><li>c</li></ol>"), "1. a\n   1. b\n2. c");
        assert_eq!(to_markdown("<ul><li><p>a</p><p>more</p></li></ul>"), "- a\n\n  more");
        assert_eq!(to_markdown("<ul><li></li><li>x</li></ul>"), "- x");
    }

    #[test]
    fn definition_lists() {
        assert_eq!(to_markdown("<dl><dt>term</dt><dd>meaning</dd></dl>"), "- **term**\n\n  meaning");
    }

    #[test]
    fn notes_and_important() {
        assert_eq!(
            to_markdown("<p>Intro.</p><note><p>Be careful.</p><p>Really.</p></note>"),
            "Intro.\n\n**Note:** Be careful.\n\nReally."
        );
        assert_eq!(to_markdown("<important>Do <b>not</b> do this.</important>"), "**Important:** Do **not** do this.");
        assert_eq!(to_markdown("<note><ul><li>x</li></ul></note>"), "**Note:**\n\n- x");
        assert_eq!(to_markdown("<p>a</p><note> </note>"), "a");
    }

    #[test]
    fn emphasis() {
        assert_eq!(
            to_markdown("<b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em>"),
            "**bold** **strong** *it* *em*"
        );
        assert_eq!(to_markdown("a<b> b </b>c"), "a **b** c");
        assert_eq!(to_markdown("<b>x <b>y</b></b>"), "**x y**");
        assert_eq!(to_markdown("<i></i>text<p></p>"), "text");
    }

    #[test]
    fn pre_becomes_fenced_block() {
        assert_eq!(
            to_markdown("<p>Example:</p><pre>\n    {\n      \"a\": 1 &amp; 2\n    }  \n</pre><p>Done.</p>"),
            "Example:\n\n```text\n{\n  \"a\": 1 & 2\n}\n```\n\nDone."
        );
        assert_eq!(to_markdown("<pre><code>x ``` y</code></pre>"), "````text\nx ``` y\n````");
        assert_eq!(to_markdown("<ul><li><pre>a\n\nb</pre></li></ul>"), "- ```text\n  a\n\n  b\n  ```");
    }

    #[test]
    fn unknown_tags_keep_their_text() {
        assert_eq!(to_markdown("<p><span class=\"x\">kept</span> <foo>too</foo></p>"), "kept too");
        assert_eq!(to_markdown("<p>a<!-- hidden -->b</p>"), "ab");
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            to_markdown("<p>&quot;a&quot; &#39;b&#x27; c&nbsp;d &gt; e &unknown; &#xD800; &</p>"),
            "\"a\" 'b' c d > e \\&unknown; \\&#xD800; &"
        );
    }

    #[test]
    fn line_breaks() {
        assert_eq!(to_markdown("<p>a <br/>b<br><br>c<br/></p>"), "a\\\nb\\\nc");
    }

    #[test]
    fn no_trailing_spaces() {
        let out = to_markdown("<p>a  </p>  <ul> <li> b </li>\n </ul>  <p> c <br/> d </p>");
        assert_eq!(out, "a\n\n- b\n\nc\\\nd");
        assert!(out.lines().all(|l| l == l.trim_end()));
    }

    #[test]
    fn brackets_are_escaped() {
        assert_eq!(to_markdown("<p>Values: [a, b] or [Foo]</p>"), "Values: \\[a, b\\] or \\[Foo\\]");
    }

    #[test]
    fn bare_urls_are_wrapped() {
        assert_eq!(
            to_markdown("<p>Go to https://example.com/a_b?c=d. Or (http://e.com/x).</p>"),
            "Go to <https://example.com/a_b?c=d>. Or (<http://e.com/x>)."
        );
        assert_eq!(to_markdown("<p>Not a link: https:// alone</p>"), "Not a link: https:// alone");
    }

    #[test]
    fn html_like_text_is_escaped() {
        assert_eq!(to_markdown("<p>Use &lt;name&gt;:&lt;tag&gt; here.</p>"), "Use \\<name>:\\<tag> here.");
        assert_eq!(to_markdown("<p>a < b</p>"), "a \\< b");
    }

    #[test]
    fn markdown_syntax_in_html_text_is_escaped() {
        assert_eq!(
            to_markdown("<p>* not a list, arn:*:x, my_var, _under_, a\\b `tick` ~x~</p>"),
            "\\* not a list, arn:\\*:x, my_var, \\_under\\_, a\\\\b \\`tick\\` \\~x\\~"
        );
        assert_eq!(to_markdown("<p># not a heading</p>"), "\\# not a heading");
        assert_eq!(to_markdown("<p>1. not a list</p>"), "1\\. not a list");
        assert_eq!(to_markdown("<li>- x</li>"), "- \\- x");
        assert_eq!(to_markdown("<p>a<br/>-b</p>"), "a\\\n\\-b");
    }

    #[test]
    fn malformed_input_does_not_panic() {
        let cases = [
            ("<p>unclosed <b>bold", "unclosed **bold**"),
            ("<p>stray > here</p>", "stray > here"),
            ("<p>ends with <", "ends with \\<"),
            ("<p>ends with </", "ends with \\</"),
            ("<p>half <a href=\"https://e.com", "half \\<a href=\"<https://e.com>"),
            ("</b></p>text</ul></li>", "text"),
            ("<p><code>x</p>y</code>", "`x`\n\ny"),
            ("<ul><li>a", "- a"),
            ("<pre>open", "```text\nopen\n```"),
            ("<p>a <b>b <i>c</b> d</i></p>", "a **b *c*** d"),
            ("<p>\u{e9}<\u{e9}>\u{e9}</p>", "\u{e9}\\<\u{e9}>\u{e9}"),
        ];
        for (input, expected) in cases {
            assert_eq!(to_markdown(input), expected, "input: {input:?}");
        }
        // Every prefix of a tricky string must render without panicking.
        let tricky =
            "<p>x&am\u{e9}p;<a href='h\u{e9}'>\u{1F600}</a><!-- c --><ul><li><pre>y</pre><br/></li></ul>&#1234;</p>";
        for (i, _) in tricky.char_indices() {
            to_markdown(&tricky[..i]);
        }
    }

    /// Renders every documentation string of the reference models, if present.
    #[test]
    fn reference_model_docs() {
        let Some(reference) = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|dir| dir.join("shared/reference"))
            .find(|dir| dir.is_dir())
        else {
            eprintln!("skipping: no shared/reference directory found");
            return;
        };
        let mut count = 0;
        for file in ["ecr-public.json", "protocol-tests/aws-json-1_1.json"] {
            let path = reference.join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                eprintln!("skipping {}: not readable", path.display());
                continue;
            };
            let model: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            let mut docs = Vec::new();
            collect_docs(&model, &mut docs);
            for doc in docs {
                let out = to_markdown(doc);
                assert!(!out.contains("<p>") && !out.contains("</"), "{doc:?} -> {out:?}");
                assert_eq!(out, out.trim());
                assert!(out.lines().all(|l| l == l.trim_end()), "{out:?}");
                count += 1;
            }
        }
        eprintln!("rendered {count} documentation strings");
    }

    fn collect_docs<'a>(value: &'a serde_json::Value, docs: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("smithy.api#documentation", serde_json::Value::String(doc)) => docs.push(doc),
                        _ => collect_docs(value, docs),
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    collect_docs(item, docs);
                }
            }
            _ => {}
        }
    }
}
