//! A small JSON writer and pull reader for the awsJson1_1 protocol.
//!
//! Generated structures implement [`Json`] and stream straight to/from bytes:
//! the writer appends into a single `Vec<u8>` and the reader borrows strings
//! from the input whenever they contain no escapes. No intermediate DOM is
//! built except for Smithy documents (`serde_json::Value`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

// base64-simd is in the tree through aws-sigv4 already, and vectorised: a 20 MiB layer part
// is encoded at memory speed.
use base64_simd::{Out, STANDARD, STANDARD_NO_PAD};
use bytes::{BufMut, Bytes, BytesMut};

use super::types::{Blob, DateTime};

/// Maximum nesting of objects/arrays the reader accepts and the writer writes. Recursion is
/// bounded by this, so neither hostile input nor a hand-built recursive value can overflow the
/// stack.
pub const MAX_DEPTH: u32 = 128;

/// Error produced for malformed or unexpected JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    offset: usize,
    message: String,
}

impl JsonError {
    /// An error at byte `offset` of the input; `message` says what was wrong there.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        JsonError { offset, message: message.into() }
    }

    /// Byte offset in the input where the problem was detected.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What was wrong, without the offset (e.g. `expected a string`).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed JSON at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for JsonError {}

/// A type that can be written to and read from JSON.
pub trait Json: Sized {
    /// Value used when a member is absent (required output members are filled with zero values).
    fn zero() -> Self;

    /// Reads one value at the reader's position, consuming it.
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError>;

    /// Writes the value as one JSON value (no leading comma: callers go through
    /// [`JsonWriter::member`] or [`JsonWriter::element`]).
    fn write(&self, w: &mut JsonWriter);

    /// Absent values (None) are skipped by JsonWriter::member.
    fn is_absent(&self) -> bool {
        false
    }

    /// What a JSON `null` element of a list or map value becomes. `None` drops
    /// it (dense collections); `Option<T>` keeps it as `Some(None)` so
    /// `Vec<Option<T>>` and `HashMap<String, Option<T>>` model sparse shapes.
    fn from_null() -> Option<Self> {
        None
    }
}

// ---------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------

/// Appends JSON to one growable buffer.
///
/// Containers are written with `begin_*`/`end_*`; inside them use
/// [`member`](Self::member) / [`key`](Self::key) (objects) or
/// [`element`](Self::element) (arrays), which insert the commas. The scalar
/// methods (`string`, `i64`, ...) write a bare value.
pub struct JsonWriter {
    buf: BytesMut,
    /// Whether the current container already holds a value, i.e. the next
    /// member/element needs a leading comma.
    need_comma: bool,
    /// For a request body ([`JsonWriter::hashing`]): the SHA-256 of `buf[..n]` so far, as
    /// `(context, n)`. Large blobs bring it up to date while they are encoded.
    digest: Option<(ring::digest::Context, usize)>,
    /// Containers open now; past [`MAX_DEPTH`] nothing more is written inside them.
    depth: u32,
    /// Set once a value nested deeper than [`MAX_DEPTH`]: the output is incomplete, and the
    /// recursion into the value stopped there (a `Box`ed recursive shape built by hand can be
    /// arbitrarily deep; writing it all would overflow the stack).
    too_deep: bool,
}

/// Appends the standard, padded base64 of `bytes` (a multiple of 3 long, or the blob's end).
/// Blocks are encoded into an L1-resident stack buffer and appended, which avoids zero-filling
/// the destination first (a full extra pass over memory for multi-MiB blobs).
fn append_base64(out: &mut BytesMut, bytes: &[u8]) {
    // A multiple of 3 so only the final block carries padding.
    const IN_BLOCK: usize = 3 * 4096;
    let mut tmp = [0u8; IN_BLOCK / 3 * 4];
    for block in bytes.chunks(IN_BLOCK) {
        // Cannot fail: `tmp` fits the encoding of a full block.
        out.extend_from_slice(STANDARD.encode(block, Out::from_slice(&mut tmp)));
    }
}

/// Blobs from this size up are hashed on a second thread while they are encoded, when the
/// writer keeps a digest: SHA-256 is the slower half of the work, so this halves the time a
/// large upload spends before it is sent.
const HASH_ALONGSIDE_MIN: usize = 1 << 20;

impl Default for JsonWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// For each byte: 0 if it can be copied verbatim into a JSON string, else the
/// character following the backslash (`u` meaning `\u00XX`).
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

static HEX: &[u8; 16] = b"0123456789abcdef";

static DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

impl JsonWriter {
    /// An empty writer with a 256-byte buffer.
    pub fn new() -> Self {
        Self::with_capacity(256)
    }

    /// An empty writer whose buffer holds `n` bytes before it grows.
    pub fn with_capacity(n: usize) -> Self {
        JsonWriter { buf: BytesMut::with_capacity(n), need_comma: false, digest: None, depth: 0, too_deep: false }
    }

    /// A writer for a request body, which keeps the body's SHA-256 for signing:
    /// see [`JsonWriter::into_hashed`].
    pub fn hashing() -> Self {
        JsonWriter { digest: Some((super::digest::sha256(), 0)), ..Self::new() }
    }

    /// The JSON written so far (check [`too_deep`](Self::too_deep) before using it).
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf.into()
    }

    /// The body and its SHA-256 in hex (hashed here as far as large blobs have not already
    /// done it).
    pub fn into_hashed(self) -> (Bytes, String) {
        let (mut ctx, done) = self.digest.unwrap_or_else(|| (super::digest::sha256(), 0));
        ctx.update(&self.buf[done..]);
        (self.buf.freeze(), super::digest::hex(ctx.finish().as_ref()))
    }

    /// The JSON written so far, borrowed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Whether a value nested deeper than [`MAX_DEPTH`] containers was cut short: the output
    /// must not be used.
    pub fn too_deep(&self) -> bool {
        self.too_deep
    }

    fn open(&mut self, bracket: u8) {
        self.buf.put_u8(bracket);
        self.need_comma = false;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = true;
        }
    }

    fn close(&mut self, bracket: u8) {
        self.buf.put_u8(bracket);
        // The enclosing container now holds this one as a value.
        self.need_comma = true;
        self.depth = self.depth.saturating_sub(1);
    }

    /// Writes `{`; members follow, then [`end_object`](Self::end_object).
    pub fn begin_object(&mut self) {
        self.open(b'{');
    }

    /// Writes `}`, closing the object opened last.
    pub fn end_object(&mut self) {
        self.close(b'}');
    }

    /// Writes `[`; elements follow, then [`end_array`](Self::end_array).
    pub fn begin_array(&mut self) {
        self.open(b'[');
    }

    /// Writes `]`, closing the array opened last.
    pub fn end_array(&mut self) {
        self.close(b']');
    }

    /// Writes `"name":value`, or nothing when `value.is_absent()`.
    pub fn member<T: Json>(&mut self, name: &str, value: &T) {
        if value.is_absent() {
            return;
        }
        self.entry(name, value);
    }

    /// Writes `"name":value` whatever the value (a sparse map's null included).
    pub fn entry<T: Json>(&mut self, name: &str, value: &T) {
        if self.too_deep {
            return;
        }
        self.key(name);
        value.write(self);
    }

    /// Writes `"name":` (with a leading comma when needed); a value must follow.
    /// Unlike [`member`](Self::member) this never skips, e.g. for sparse map entries.
    pub fn key(&mut self, name: &str) {
        if self.need_comma {
            self.buf.put_u8(b',');
        }
        self.need_comma = true;
        self.string(name);
        self.buf.put_u8(b':');
    }

    /// An array element written by `f`, with comma handling.
    pub fn element_with(&mut self, f: impl FnOnce(&mut Self)) {
        if self.too_deep {
            return;
        }
        if self.need_comma {
            self.buf.put_u8(b',');
        }
        self.need_comma = true;
        f(self);
        self.need_comma = true;
    }

    /// Writes `value` as the next array element, after a comma when needed; `None` is written
    /// as `null` (elements are never skipped).
    pub fn element<T: Json>(&mut self, value: &T) {
        if self.too_deep {
            return;
        }
        if self.need_comma {
            self.buf.put_u8(b',');
        }
        self.need_comma = true;
        value.write(self);
    }

    /// Writes `s` as a JSON string, escaping `"`, `\` and control characters.
    pub fn string(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.buf.reserve(bytes.len() + 2);
        self.buf.put_u8(b'"');
        // Copy unescaped runs in bulk; most strings have no escapes at all.
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc = ESCAPE[usize::from(b)];
            if esc == 0 {
                continue;
            }
            self.buf.extend_from_slice(&bytes[run..i]);
            if esc == b'u' {
                self.buf.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]);
            } else {
                self.buf.extend_from_slice(&[b'\\', esc]);
            }
            run = i + 1;
        }
        self.buf.extend_from_slice(&bytes[run..]);
        self.buf.put_u8(b'"');
    }

    /// Writes `true` or `false`.
    pub fn bool(&mut self, b: bool) {
        self.buf.extend_from_slice(if b { b"true" } else { b"false" });
    }

    /// Writes a signed integer in decimal.
    pub fn i64(&mut self, n: i64) {
        if n < 0 {
            self.buf.put_u8(b'-');
        }
        self.u64(n.unsigned_abs());
    }

    /// Writes an unsigned integer in decimal.
    pub fn u64(&mut self, mut n: u64) {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        while n >= 100 {
            let pair = (n % 100) as usize * 2;
            n /= 100;
            i -= 2;
            tmp[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            let pair = n as usize * 2;
            i -= 2;
            tmp[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        } else {
            i -= 1;
            tmp[i] = b'0' + n as u8;
        }
        self.buf.extend_from_slice(&tmp[i..]);
    }

    /// Non-finite values become the strings `"NaN"`, `"Infinity"`, `"-Infinity"`
    /// (as AWS SDKs do); integral values print as integers; everything else uses
    /// the shortest representation that round-trips.
    pub fn f64(&mut self, n: f64) {
        if !self.non_finite(n.is_nan(), n.is_infinite(), n < 0.0) {
            // Below 1e17 every integral f64 prints exactly as an i64.
            if n.fract() == 0.0 && n.abs() < 1e17 {
                if n == 0.0 && n.is_sign_negative() {
                    self.buf.extend_from_slice(b"-0");
                } else {
                    self.i64(n as i64);
                }
            } else {
                // Debug is shortest round-trip and switches to exponent form
                // for very large/small magnitudes, which JSON accepts.
                use std::fmt::Write as _;
                let _ = write!(self.buf, "{n:?}");
            }
        }
    }

    /// Like [`f64`](Self::f64) but with `f32`'s shortest representation
    /// (widening first would print 0.1f32 as 0.10000000149011612).
    pub fn f32(&mut self, n: f32) {
        if !self.non_finite(n.is_nan(), n.is_infinite(), n < 0.0) {
            if n.fract() == 0.0 && n.abs() < 1e17 {
                if n == 0.0 && n.is_sign_negative() {
                    self.buf.extend_from_slice(b"-0");
                } else {
                    self.i64(n as i64);
                }
            } else {
                use std::fmt::Write as _;
                let _ = write!(self.buf, "{n:?}");
            }
        }
    }

    fn non_finite(&mut self, nan: bool, inf: bool, neg: bool) -> bool {
        let s: &[u8] = match (nan, inf, neg) {
            (true, _, _) => b"\"NaN\"",
            (_, true, false) => b"\"Infinity\"",
            (_, true, true) => b"\"-Infinity\"",
            _ => return false,
        };
        self.buf.extend_from_slice(s);
        true
    }

    /// Writes `null`.
    pub fn null(&mut self) {
        self.buf.extend_from_slice(b"null");
    }

    /// Writes number text that is already valid JSON (arbitrary-precision numbers).
    pub fn raw_number(&mut self, text: &str) {
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// Writes `bytes` as a JSON string of standard, padded base64. The output is reserved once.
    pub fn base64(&mut self, bytes: &[u8]) {
        let enc_len = bytes.len().div_ceil(3) * 4;
        self.buf.reserve(enc_len + 2);
        self.buf.put_u8(b'"');
        if bytes.len() < HASH_ALONGSIDE_MIN || !self.base64_hashed_alongside(bytes) {
            append_base64(&mut self.buf, bytes);
        }
        self.buf.put_u8(b'"');
    }

    /// Encodes `bytes` (capacity reserved) in pieces that a second thread hashes as they come,
    /// so the digest is ready when the encoding is. The pieces are split off the buffer and
    /// joined back without copying. False, with nothing written, when there is no digest to
    /// keep or no thread to be had.
    fn base64_hashed_alongside(&mut self, bytes: &[u8]) -> bool {
        // A multiple of 3 input bytes; 256 KiB of output per piece.
        const IN_PIECE: usize = 3 * 65536;
        let Some((mut ctx, done)) = self.digest.take() else { return false };
        // What comes before the blob is small: hash it here.
        ctx.update(&self.buf[done..]);
        let (tx, rx) = std::sync::mpsc::channel::<BytesMut>();
        let hasher = std::thread::Builder::new().name("awsjson-sha256".into()).spawn(move || {
            let mut pieces = Vec::new();
            for piece in rx {
                ctx.update(&piece);
                pieces.push(piece);
            }
            (ctx, pieces)
        });
        let Ok(hasher) = hasher else {
            // No thread: hash everything at the end instead.
            self.digest = Some((super::digest::sha256(), 0));
            return false;
        };
        let start = self.buf.len();
        let mut tail = self.buf.split_off(start);
        for piece in bytes.chunks(IN_PIECE) {
            append_base64(&mut tail, piece);
            // The receiver lives until it has seen every piece, so this cannot fail.
            let _ = tx.send(tail.split_to(tail.len()));
        }
        drop(tx);
        match hasher.join() {
            Ok((ctx, pieces)) => {
                for piece in pieces {
                    self.buf.unsplit(piece);
                }
                self.buf.unsplit(tail);
                self.digest = Some((ctx, self.buf.len()));
                true
            }
            Err(_) => {
                // The pieces went with the thread: encode again, and hash at the end.
                self.buf.truncate(start);
                self.digest = Some((super::digest::sha256(), 0));
                false
            }
        }
    }

    /// Epoch seconds, formatted from the integer parts so no binary float
    /// noise appears (e.g. `1609459200.3`, never `...0.30000000000000004`).
    fn timestamp(&mut self, t: DateTime) {
        let (secs, nanos) = (t.secs(), t.subsec_nanos());
        if nanos == 0 {
            self.i64(secs);
            return;
        }
        // Stored as floor(secs) + nanos; negative values print as -(|secs+1|).(1e9-nanos).
        let (neg, whole, frac) = if secs < 0 {
            (true, (secs + 1).unsigned_abs(), 1_000_000_000 - nanos)
        } else {
            (false, secs as u64, nanos)
        };
        if neg {
            self.buf.put_u8(b'-');
        }
        self.u64(whole);
        let mut digits = [b'0'; 9];
        let mut f = frac;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        let mut len = digits.len();
        while len > 1 && digits[len - 1] == b'0' {
            len -= 1;
        }
        self.buf.put_u8(b'.');
        self.buf.extend_from_slice(&digits[..len]);
    }
}

fn write_document(w: &mut JsonWriter, v: &serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Null => w.null(),
        Value::Bool(b) => w.bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_u64() {
                w.u64(i);
            } else if let Some(i) = n.as_i64() {
                w.i64(i);
            } else {
                let f = n.as_f64().unwrap_or(0.0);
                w.f64(f);
                // Keep integral floats floats ("100.0") so documents round-trip
                // with the same integer/float distinction serde_json makes.
                if f.fract() == 0.0 && f.abs() < 1e17 {
                    w.buf.extend_from_slice(b".0");
                }
            }
        }
        Value::String(s) => w.string(s),
        Value::Array(a) => {
            w.begin_array();
            for e in a {
                w.element(e);
            }
            w.end_array();
        }
        Value::Object(m) => {
            w.begin_object();
            for (k, e) in m {
                // Documents keep explicit nulls, so don't skip anything.
                w.entry(k, e);
            }
            w.end_object();
        }
    }
}

// ---------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------

/// A pull parser over a borrowed byte slice.
pub struct JsonReader<'a> {
    bytes: &'a [u8],
    /// The whole input as text when it is valid UTF-8. One check of the whole input is cheaper
    /// than one per string; strings are then sliced out of it (their ends are ASCII quotes and
    /// backslashes, so always on character boundaries).
    text: Option<&'a str>,
    pos: usize,
    depth: u32,
}

/// A JSON number split into its lexical parts (all ASCII digits).
struct Number<'a> {
    start: usize,
    text: &'a [u8],
    neg: bool,
    int: &'a [u8],
    frac: &'a [u8],
    /// Decimal exponent, saturated well inside i64 so position math can't overflow.
    exp: i64,
}

impl Number<'_> {
    fn is_plain_integer(&self) -> bool {
        self.frac.is_empty() && self.exp == 0
    }

    fn digit_count(&self) -> i64 {
        (self.int.len() + self.frac.len()) as i64
    }

    /// Digit `i` of the concatenated int+frac digits; 0 outside that range.
    fn digit(&self, i: i64) -> u8 {
        if i < 0 {
            return 0;
        }
        let i = i as usize;
        let d = match self.int.get(i) {
            Some(d) => Some(d),
            None => self.frac.get(i - self.int.len()),
        };
        d.map_or(0, |d| d - b'0')
    }

    /// Position of the decimal point within the digits once the exponent is applied.
    fn point(&self) -> i64 {
        self.int.len() as i64 + self.exp
    }

    /// Magnitude of the integer part; `None` if it exceeds u64.
    fn int_magnitude(&self) -> Option<u64> {
        if self.exp == 0 {
            // Common case: the integer digits are exactly `int`.
            let mut mag = 0u64;
            for &d in self.int {
                mag = mag.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            }
            return Some(mag);
        }
        let point = self.point();
        let mut mag = 0u64;
        for i in 0..point.min(self.digit_count()) {
            mag = mag.checked_mul(10)?.checked_add(u64::from(self.digit(i)))?;
        }
        if mag != 0 {
            // Trailing zeros implied by a large exponent; at most 20 fit in u64.
            let zeros = point - self.digit_count();
            if zeros > 20 {
                return None;
            }
            for _ in 0..zeros.max(0) {
                mag = mag.checked_mul(10)?;
            }
        }
        Some(mag)
    }

    /// Whether every digit after the decimal point is zero.
    fn frac_is_zero(&self) -> bool {
        (self.point().max(0)..self.digit_count()).all(|i| self.digit(i) == 0)
    }

    /// The first nine fractional digits as nanoseconds (further digits truncated).
    fn frac_nanos(&self) -> u32 {
        let point = self.point();
        (point..point + 9).fold(0u32, |acc, i| acc * 10 + u32::from(self.digit(i)))
    }
}

/// True for bytes that end a fast string scan: quote, backslash, control char.
#[inline]
fn is_string_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// Index of the first string-special byte at or after `i`, or `bytes.len()`.
#[inline]
fn find_string_special(bytes: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // Eight bytes at a time: the classic "has zero byte" / "has byte < n"
    // tricks flag a chunk that contains a special byte without false negatives.
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(arr) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(arr);
        let q = x ^ (LO * u64::from(b'"'));
        let bs = x ^ (LO * u64::from(b'\\'));
        let hit = (q.wrapping_sub(LO) & !q) | (bs.wrapping_sub(LO) & !bs) | (x.wrapping_sub(LO * 0x20) & !x);
        if hit & HI != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if is_string_special(b) {
            break;
        }
        i += 1;
    }
    i
}

fn hex_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'a'..=b'f' => Some(u32::from(b - b'a' + 10)),
        b'A'..=b'F' => Some(u32::from(b - b'A' + 10)),
        _ => None,
    }
}

impl<'a> JsonReader<'a> {
    /// A reader at the start of `bytes`; strings are checked for UTF-8 as they are read.
    pub fn new(bytes: &'a [u8]) -> Self {
        JsonReader { bytes, text: std::str::from_utf8(bytes).ok(), pos: 0, depth: 0 }
    }

    /// Current byte offset into the input.
    pub fn offset(&self) -> usize {
        self.pos
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// Skips whitespace and returns the next byte without consuming it.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    /// Error for an unexpected byte (or end of input) at the current position.
    #[cold]
    fn unexpected(&self, expected: &str) -> JsonError {
        match self.bytes.get(self.pos) {
            None => JsonError::new(self.pos, format!("unexpected end of input, expected {expected}")),
            Some(&b) if b.is_ascii_graphic() => {
                JsonError::new(self.pos, format!("expected {expected}, found '{}'", char::from(b)))
            }
            Some(&b) => JsonError::new(self.pos, format!("expected {expected}, found byte 0x{b:02x}")),
        }
    }

    /// Consumes `lit` (after whitespace) or fails with `expected`.
    fn literal(&mut self, lit: &[u8], expected: &str) -> Result<(), JsonError> {
        self.skip_ws();
        if self.bytes.get(self.pos..self.pos + lit.len()) == Some(lit) {
            self.pos += lit.len();
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        if self.depth >= MAX_DEPTH {
            return Err(JsonError::new(self.pos, "nesting too deep"));
        }
        self.depth += 1;
        Ok(())
    }

    /// Reads an object; calls f for each member with its (unescaped) key; f must consume the value (usually via `r.read()`/`T::read` or `r.skip_value()`). Members whose value is JSON null are skipped without calling f (awsJson treats null as absent).
    ///
    /// If `f` returns `Ok` without consuming anything, the value is skipped,
    /// so unknown members can simply be ignored.
    pub fn read_object(&mut self, f: impl FnMut(&str, &mut Self) -> Result<(), JsonError>) -> Result<(), JsonError> {
        self.read_object_impl(false, f)
    }

    /// Same, but null values are passed to f (for sparse maps); f can test `r.peek_null()`.
    pub fn read_object_with_nulls(
        &mut self,
        f: impl FnMut(&str, &mut Self) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        self.read_object_impl(true, f)
    }

    fn read_object_impl(
        &mut self,
        keep_nulls: bool,
        mut f: impl FnMut(&str, &mut Self) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        if self.peek() != Some(b'{') {
            return Err(self.unexpected("an object"));
        }
        self.enter()?;
        self.pos += 1;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a member name"));
            }
            let key = self.read_str()?;
            if self.peek() != Some(b':') {
                return Err(self.unexpected("':'"));
            }
            self.pos += 1;
            if !keep_nulls && self.peek_null() {
                self.pos += 4;
            } else {
                // Compare positions past whitespace: a callback that only
                // peeked has not consumed the value.
                self.skip_ws();
                let before = self.pos;
                f(&key, self)?;
                if self.pos == before {
                    self.skip_value()?;
                }
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("',' or '}'")),
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads an array, calling `f` for each element; `f` must consume it
    /// (an element left unconsumed is skipped).
    pub fn read_array(&mut self, mut f: impl FnMut(&mut Self) -> Result<(), JsonError>) -> Result<(), JsonError> {
        if self.peek() != Some(b'[') {
            return Err(self.unexpected("an array"));
        }
        self.enter()?;
        self.pos += 1;
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            let before = self.pos;
            f(self)?;
            if self.pos == before {
                self.skip_value()?;
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("',' or ']'")),
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads one value of type `T` (`r.read::<T>()` is [`T::read(r)`](Json::read)).
    pub fn read<T: Json>(&mut self) -> Result<T, JsonError> {
        T::read(self)
    }

    /// Reads a string, borrowing from the input when it has no escapes.
    pub fn read_str(&mut self) -> Result<Cow<'a, str>, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string"));
        }
        let bytes = self.bytes;
        let start = self.pos + 1;
        let mut i = find_string_special(bytes, start);
        if bytes.get(i) == Some(&b'"') {
            let s = self.str_between(start, i)?;
            self.pos = i + 1;
            return Ok(Cow::Borrowed(s));
        }
        // Slow path: escapes present. Raw runs are validated separately;
        // an escape can't split a multi-byte sequence since '\\' is ASCII.
        let mut out = String::with_capacity(i - start + 16);
        let mut run = start;
        loop {
            match bytes.get(i) {
                None => return Err(JsonError::new(i, "unterminated string")),
                Some(b'"') => {
                    out.push_str(self.str_between(run, i)?);
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out.push_str(self.str_between(run, i)?);
                    i = unescape(bytes, i, &mut out)?;
                    run = i;
                }
                Some(_) => return Err(JsonError::new(i, "unescaped control character in string")),
            }
            i = find_string_special(bytes, i);
        }
    }

    /// The input between two offsets as text; an error at the first byte that is not UTF-8.
    fn str_between(&self, from: usize, to: usize) -> Result<&'a str, JsonError> {
        match self.text.and_then(|t| t.get(from..to)) {
            Some(s) => Ok(s),
            None => utf8(self.bytes, from, to),
        }
    }

    /// Reads a string into an owned `String`.
    pub fn read_string(&mut self) -> Result<String, JsonError> {
        self.read_str().map(Cow::into_owned)
    }

    /// Reads `true` or `false`; anything else is an error.
    pub fn read_bool(&mut self) -> Result<bool, JsonError> {
        match self.peek() {
            Some(b't') => self.literal(b"true", "a boolean").map(|()| true),
            Some(b'f') => self.literal(b"false", "a boolean").map(|()| false),
            _ => Err(self.unexpected("a boolean")),
        }
    }

    /// A number's text exactly as written (for arbitrary-precision numbers).
    pub fn read_number_text(&mut self) -> Result<&'a str, JsonError> {
        let n = self.scan_number()?;
        // Numbers are ASCII, so this cannot fail.
        std::str::from_utf8(n.text).map_err(|_| JsonError::new(n.start, "a number is not ASCII"))
    }

    fn scan_number(&mut self) -> Result<Number<'a>, JsonError> {
        self.skip_ws();
        let b = self.bytes;
        let start = self.pos;
        let mut i = start;
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        let digits_from = |mut i: usize| {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let int_start = i;
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits_from(i),
            _ => {
                self.pos = i;
                return Err(self.unexpected("a number"));
            }
        }
        let int = &b[int_start..i];
        let mut frac: &[u8] = &[];
        if b.get(i) == Some(&b'.') {
            let fs = i + 1;
            i = digits_from(fs);
            if i == fs {
                self.pos = i;
                return Err(self.unexpected("a digit after '.'"));
            }
            frac = &b[fs..i];
        }
        let mut exp = 0i64;
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            let exp_neg = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let es = i;
            i = digits_from(es);
            if i == es {
                self.pos = i;
                return Err(self.unexpected("a digit in the exponent"));
            }
            for &d in &b[es..i] {
                exp = (exp * 10 + i64::from(d - b'0')).min(1_000_000_000);
            }
            if exp_neg {
                exp = -exp;
            }
        }
        self.pos = i;
        Ok(Number { start, text: &b[start..i], neg, int, frac, exp })
    }

    /// Reads an integer; a number with a zero fraction such as `5.0` or `5e2` is accepted.
    pub fn read_i64(&mut self) -> Result<i64, JsonError> {
        let n = self.scan_number()?;
        let mag = integer_magnitude(&n)?;
        let v = if n.neg { 0i64.checked_sub_unsigned(mag) } else { i64::try_from(mag).ok() };
        v.ok_or_else(|| JsonError::new(n.start, "number out of range for i64"))
    }

    /// Reads a non-negative integer (`-0` included); a zero fraction such as `5.0` is accepted.
    pub fn read_u64(&mut self) -> Result<u64, JsonError> {
        let n = self.scan_number()?;
        let mag = integer_magnitude(&n)?;
        if n.neg && mag != 0 {
            return Err(JsonError::new(n.start, "number out of range for u64"));
        }
        Ok(mag)
    }

    /// Accepts numbers and the strings "NaN", "Infinity", "-Infinity".
    pub fn read_f64(&mut self) -> Result<f64, JsonError> {
        if self.peek() == Some(b'"') {
            let at = self.pos;
            return match &*self.read_str()? {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                _ => Err(JsonError::new(at, "expected a number")),
            };
        }
        let n = self.scan_number()?;
        parse_f64(&n)
    }

    /// Reads a JSON string of standard base64 (padding optional).
    pub fn read_base64(&mut self) -> Result<Vec<u8>, JsonError> {
        self.skip_ws();
        let at = self.pos;
        let s = self.read_str()?;
        // Standard alphabet; padding may be left out.
        let engine = if s.len() % 4 == 0 { STANDARD } else { STANDARD_NO_PAD };
        engine.decode_to_vec(s.as_bytes()).map_err(|e| JsonError::new(at, format!("invalid base64: {e}")))
    }

    /// True if next value is null (does not consume it).
    pub fn peek_null(&mut self) -> bool {
        self.skip_ws();
        self.bytes.get(self.pos..self.pos + 4) == Some(b"null")
    }

    /// Consumes a `null`; anything else is an error.
    pub fn read_null(&mut self) -> Result<(), JsonError> {
        self.literal(b"null", "null")
    }

    /// Skips one value of any kind, validating it.
    pub fn skip_value(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'{') => self.read_object_with_nulls(|_, r| r.skip_value()),
            Some(b'[') => self.read_array(|r| r.skip_value()),
            Some(b'"') => self.read_str().map(drop),
            Some(b't' | b'f') => self.read_bool().map(drop),
            Some(b'n') => self.read_null(),
            Some(b'-' | b'0'..=b'9') => self.scan_number().map(drop),
            _ => Err(self.unexpected("a value")),
        }
    }

    /// Reads any JSON value (a Smithy document). Object members keep explicit nulls.
    pub fn read_document(&mut self) -> Result<serde_json::Value, JsonError> {
        use serde_json::Value;
        Ok(match self.peek() {
            Some(b'{') => {
                let mut map = serde_json::Map::new();
                self.read_object_with_nulls(|k, r| {
                    let v = r.read_document()?;
                    map.insert(k.to_owned(), v);
                    Ok(())
                })?;
                Value::Object(map)
            }
            Some(b'[') => {
                let mut items = Vec::new();
                self.read_array(|r| {
                    items.push(r.read_document()?);
                    Ok(())
                })?;
                Value::Array(items)
            }
            Some(b'"') => Value::String(self.read_string()?),
            Some(b't' | b'f') => Value::Bool(self.read_bool()?),
            Some(b'n') => {
                self.read_null()?;
                Value::Null
            }
            Some(b'-' | b'0'..=b'9') => {
                let n = self.scan_number()?;
                let exact = if n.is_plain_integer() {
                    n.int_magnitude().and_then(|mag| {
                        if n.neg {
                            0i64.checked_sub_unsigned(mag).map(serde_json::Number::from)
                        } else {
                            Some(serde_json::Number::from(mag))
                        }
                    })
                } else {
                    None
                };
                match exact {
                    Some(num) => Value::Number(num),
                    None => {
                        let f = parse_f64(&n)?;
                        serde_json::Number::from_f64(f)
                            .map(Value::Number)
                            .ok_or_else(|| JsonError::new(n.start, "number out of range"))?
                    }
                }
            }
            _ => return Err(self.unexpected("a value")),
        })
    }

    /// Reads epoch seconds exactly from the decimal digits (no f64 rounding).
    fn read_timestamp(&mut self) -> Result<DateTime, JsonError> {
        let n = self.scan_number()?;
        let out_of_range = || JsonError::new(n.start, "timestamp out of range");
        let mag = n.int_magnitude().ok_or_else(out_of_range)?;
        let nanos = n.frac_nanos();
        if n.neg && mag | u64::from(nanos) != 0 {
            // Stored floored: -1.25 is -2 plus 0.75.
            let floor = -i128::from(mag) - i128::from(nanos > 0);
            let secs = i64::try_from(floor).map_err(|_| out_of_range())?;
            let nanos = if nanos > 0 { 1_000_000_000 - nanos } else { 0 };
            Ok(DateTime::new(secs, nanos))
        } else {
            let secs = i64::try_from(mag).map_err(|_| out_of_range())?;
            Ok(DateTime::new(secs, nanos))
        }
    }

    /// Succeeds only if nothing but whitespace remains.
    pub fn finish(&mut self) -> Result<(), JsonError> {
        if self.peek().is_some() {
            return Err(JsonError::new(self.pos, "trailing characters after value"));
        }
        Ok(())
    }
}

fn utf8(bytes: &[u8], from: usize, to: usize) -> Result<&str, JsonError> {
    let slice = bytes.get(from..to).unwrap_or_default();
    std::str::from_utf8(slice).map_err(|e| JsonError::new(from + e.valid_up_to(), "invalid UTF-8 in string"))
}

fn hex4(bytes: &[u8], at: usize) -> Result<u32, JsonError> {
    let mut v = 0;
    for i in at..at + 4 {
        let d = bytes.get(i).and_then(|&b| hex_value(b)).ok_or_else(|| JsonError::new(i, "invalid \\u escape"))?;
        v = v * 16 + d;
    }
    Ok(v)
}

/// Decodes the escape at `bytes[i] == '\\'` into `out`; returns the index after it.
fn unescape(bytes: &[u8], i: usize, out: &mut String) -> Result<usize, JsonError> {
    let simple = match bytes.get(i + 1) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => {
            let hi = hex4(bytes, i + 2)?;
            let (cp, next) = match hi {
                0xD800..=0xDBFF => {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if bytes.get(i + 6..i + 8) != Some(b"\\u") {
                        return Err(JsonError::new(i, "unpaired surrogate in \\u escape"));
                    }
                    let lo = hex4(bytes, i + 8)?;
                    if !(0xDC00..=0xDFFF).contains(&lo) {
                        return Err(JsonError::new(i + 6, "invalid low surrogate in \\u escape"));
                    }
                    (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), i + 12)
                }
                0xDC00..=0xDFFF => return Err(JsonError::new(i, "unpaired surrogate in \\u escape")),
                _ => (hi, i + 6),
            };
            let c = char::from_u32(cp).ok_or_else(|| JsonError::new(i, "invalid \\u escape"))?;
            out.push(c);
            return Ok(next);
        }
        None => return Err(JsonError::new(i, "unterminated string")),
        Some(_) => return Err(JsonError::new(i, "invalid escape sequence")),
    };
    out.push(simple);
    Ok(i + 2)
}

fn integer_magnitude(n: &Number<'_>) -> Result<u64, JsonError> {
    if !n.frac_is_zero() {
        return Err(JsonError::new(n.start, "expected an integer"));
    }
    n.int_magnitude().ok_or_else(|| JsonError::new(n.start, "integer out of range"))
}

fn parse_f64(n: &Number<'_>) -> Result<f64, JsonError> {
    // The JSON number grammar is a subset of what `f64::from_str` accepts.
    std::str::from_utf8(n.text)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or_else(|| JsonError::new(n.start, "invalid number"))
}

/// Reads a whole response body; an empty (or all-whitespace) body reads as `{}`.
pub fn from_slice<T: Json>(bytes: &[u8]) -> Result<T, JsonError> {
    let mut r = JsonReader::new(bytes);
    if r.peek().is_none() {
        return T::read(&mut JsonReader::new(b"{}"));
    }
    let v = T::read(&mut r)?;
    r.finish()?;
    Ok(v)
}

/// The JSON of `value`. Containers past [`MAX_DEPTH`] are left out, so where a value may nest
/// that deep (a recursive shape built by a caller) use [`try_to_vec`]; request bodies go
/// through [`to_hashed`].
pub fn to_vec<T: Json>(value: &T) -> Vec<u8> {
    let mut w = JsonWriter::new();
    value.write(&mut w);
    w.into_bytes()
}

/// The JSON of `value`, or `None` when it nests deeper than [`MAX_DEPTH`] containers (written
/// whole it could overflow the stack, and no service reads it).
pub fn try_to_vec<T: Json>(value: &T) -> Option<Vec<u8>> {
    let mut w = JsonWriter::new();
    value.write(&mut w);
    (!w.too_deep()).then(|| w.into_bytes())
}

/// A request body and its SHA-256 in hex, for signing; `None` when the value nests deeper
/// than [`MAX_DEPTH`] containers, which no service reads (and writing it all could overflow
/// the stack).
pub fn to_hashed<T: Json>(value: &T) -> Option<(Bytes, String)> {
    let mut w = JsonWriter::hashing();
    value.write(&mut w);
    (!w.too_deep()).then(|| w.into_hashed())
}

// ---------------------------------------------------------------------------
// Json impls for primitives and containers
// ---------------------------------------------------------------------------

impl Json for String {
    fn zero() -> Self {
        String::new()
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        r.read_string()
    }
    fn write(&self, w: &mut JsonWriter) {
        w.string(self);
    }
}

impl Json for bool {
    fn zero() -> Self {
        false
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        r.read_bool()
    }
    fn write(&self, w: &mut JsonWriter) {
        w.bool(*self);
    }
}

macro_rules! json_int {
    ($($t:ty),*) => {$(
        impl Json for $t {
            fn zero() -> Self {
                0
            }
            fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
                r.skip_ws();
                let at = r.offset();
                let v = r.read_i64()?;
                <$t>::try_from(v).map_err(|_| {
                    JsonError::new(at, concat!("number out of range for ", stringify!($t)))
                })
            }
            fn write(&self, w: &mut JsonWriter) {
                w.i64(i64::from(*self));
            }
        }
    )*};
}

json_int!(i8, i16, i32, i64);

impl Json for f64 {
    fn zero() -> Self {
        0.0
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        r.read_f64()
    }
    fn write(&self, w: &mut JsonWriter) {
        w.f64(*self);
    }
}

impl Json for f32 {
    fn zero() -> Self {
        0.0
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        // Parsing as f64 then narrowing can double-round, but only in the
        // last ulp of an f32; out-of-range values become infinities.
        r.read_f64().map(|v| v as f32)
    }
    fn write(&self, w: &mut JsonWriter) {
        w.f32(*self);
    }
}

impl<T: Json> Json for Option<T> {
    fn zero() -> Self {
        None
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        if r.peek_null() {
            r.read_null()?;
            Ok(None)
        } else {
            T::read(r).map(Some)
        }
    }
    fn write(&self, w: &mut JsonWriter) {
        match self {
            Some(v) => v.write(w),
            None => w.null(),
        }
    }
    fn is_absent(&self) -> bool {
        self.is_none()
    }
    fn from_null() -> Option<Self> {
        Some(None)
    }
}

impl<T: Json> Json for Box<T> {
    fn zero() -> Self {
        Box::new(T::zero())
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        T::read(r).map(Box::new)
    }
    fn write(&self, w: &mut JsonWriter) {
        (**self).write(w);
    }
    fn is_absent(&self) -> bool {
        (**self).is_absent()
    }
}

/// Reads one collection item, mapping JSON null through `T::from_null`.
fn read_item<T: Json>(r: &mut JsonReader<'_>) -> Result<Option<T>, JsonError> {
    if r.peek_null() {
        r.read_null()?;
        Ok(T::from_null())
    } else {
        T::read(r).map(Some)
    }
}

impl<T: Json> Json for Vec<T> {
    fn zero() -> Self {
        Vec::new()
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        let mut v = Vec::new();
        r.read_array(|r| {
            if let Some(item) = read_item(r)? {
                v.push(item);
            }
            Ok(())
        })?;
        Ok(v)
    }
    fn write(&self, w: &mut JsonWriter) {
        w.begin_array();
        for item in self {
            w.element(item);
        }
        w.end_array();
    }
}

/// Maps are JSON objects; null values are skipped unless `T` keeps them (sparse maps).
macro_rules! json_map {
    ($map:ident) => {
        impl<T: Json> Json for $map<String, T> {
            fn zero() -> Self {
                $map::new()
            }
            fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
                let mut m = $map::new();
                r.read_object_with_nulls(|k, r| {
                    if let Some(item) = read_item(r)? {
                        m.insert(k.to_owned(), item);
                    }
                    Ok(())
                })?;
                Ok(m)
            }
            fn write(&self, w: &mut JsonWriter) {
                w.begin_object();
                for (k, v) in self {
                    w.entry(k, v);
                }
                w.end_object();
            }
        }
    };
}

json_map!(HashMap);
json_map!(BTreeMap);

impl Json for serde_json::Value {
    fn zero() -> Self {
        serde_json::Value::Null
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        r.read_document()
    }
    fn write(&self, w: &mut JsonWriter) {
        write_document(w, self);
    }
}

impl Json for DateTime {
    fn zero() -> Self {
        DateTime::default()
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        r.read_timestamp()
    }
    fn write(&self, w: &mut JsonWriter) {
        w.timestamp(*self);
    }
}

impl Json for super::types::BigNumber {
    fn zero() -> Self {
        super::types::BigNumber::from(0)
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        let at = r.offset();
        let text = r.read_number_text()?;
        super::types::BigNumber::new(text).ok_or_else(|| JsonError::new(at, "not a number"))
    }
    fn write(&self, w: &mut JsonWriter) {
        w.raw_number(self.as_str());
    }
}

/// How a timestamp member is written: awsJson's default is epoch seconds; `@timestampFormat`
/// picks RFC 3339 (`date-time`) or IMF-fixdate (`http-date`) strings.
#[allow(dead_code)] // Used by services whose models set @timestampFormat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// A JSON number of seconds since 1970-01-01T00:00:00Z, with a fraction when needed.
    EpochSeconds,
    /// An RFC 3339 string such as `2026-12-07T20:54:40Z`.
    DateTime,
    /// An IMF-fixdate string such as `Mon, 07 Dec 2026 20:54:40 GMT`.
    HttpDate,
}

/// Timestamps, and options and collections of them, in a given format.
#[allow(dead_code)] // Used by services whose models set @timestampFormat.
pub trait Timestamps: Sized {
    /// Reads the value with its timestamps in `format`; an error when one is not in it.
    fn read_ts(r: &mut JsonReader<'_>, format: TimestampFormat) -> Result<Self, JsonError>;
    /// Writes the value with its timestamps in `format`.
    fn write_ts(&self, w: &mut JsonWriter, format: TimestampFormat);
    /// Skipped when writing a member (`None`).
    fn ts_absent(&self) -> bool {
        false
    }
}

impl Timestamps for DateTime {
    fn read_ts(r: &mut JsonReader<'_>, format: TimestampFormat) -> Result<Self, JsonError> {
        let at = r.offset();
        let parsed = match format {
            TimestampFormat::EpochSeconds => return r.read_timestamp(),
            TimestampFormat::DateTime => DateTime::from_rfc3339(&r.read_str()?),
            TimestampFormat::HttpDate => DateTime::from_http_date(&r.read_str()?),
        };
        parsed.ok_or_else(|| JsonError::new(at, format!("not a {format:?} timestamp")))
    }
    fn write_ts(&self, w: &mut JsonWriter, format: TimestampFormat) {
        match format {
            TimestampFormat::EpochSeconds => w.timestamp(*self),
            TimestampFormat::DateTime => w.string(&self.to_string()),
            TimestampFormat::HttpDate => w.string(&self.to_http_date()),
        }
    }
}

impl<T: Timestamps> Timestamps for Option<T> {
    fn read_ts(r: &mut JsonReader<'_>, format: TimestampFormat) -> Result<Self, JsonError> {
        if r.peek_null() {
            r.read_null()?;
            return Ok(None);
        }
        T::read_ts(r, format).map(Some)
    }
    fn write_ts(&self, w: &mut JsonWriter, format: TimestampFormat) {
        match self {
            Some(v) => v.write_ts(w, format),
            None => w.null(),
        }
    }
    fn ts_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T: Timestamps> Timestamps for Vec<T> {
    fn read_ts(r: &mut JsonReader<'_>, format: TimestampFormat) -> Result<Self, JsonError> {
        let mut out = Vec::new();
        r.read_array(|r| {
            out.push(T::read_ts(r, format)?);
            Ok(())
        })?;
        Ok(out)
    }
    fn write_ts(&self, w: &mut JsonWriter, format: TimestampFormat) {
        w.begin_array();
        for v in self {
            w.element_with(|w| v.write_ts(w, format));
        }
        w.end_array();
    }
}

impl<T: Timestamps> Timestamps for std::collections::HashMap<String, T> {
    fn read_ts(r: &mut JsonReader<'_>, format: TimestampFormat) -> Result<Self, JsonError> {
        let mut out = std::collections::HashMap::new();
        r.read_object(|k, r| {
            out.insert(k.to_owned(), T::read_ts(r, format)?);
            Ok(())
        })?;
        Ok(out)
    }
    fn write_ts(&self, w: &mut JsonWriter, format: TimestampFormat) {
        w.begin_object();
        for (k, v) in self {
            w.key(k);
            v.write_ts(w, format);
        }
        w.end_object();
    }
}

impl Json for Blob {
    fn zero() -> Self {
        Blob::default()
    }
    fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
        r.read_base64().map(Blob::from)
    }
    fn write(&self, w: &mut JsonWriter) {
        w.base64(self.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Json + PartialEq + fmt::Debug>(v: &T) -> Vec<u8> {
        let bytes = to_vec(v);
        let back: T = JsonReader::new(&bytes).read().expect("round trip");
        assert_eq!(&back, v, "{}", String::from_utf8_lossy(&bytes));
        bytes
    }

    fn json_of<T: Json>(v: &T) -> String {
        String::from_utf8(to_vec(v)).expect("writer emits UTF-8")
    }

    fn parse<T: Json>(s: &str) -> Result<T, JsonError> {
        let mut r = JsonReader::new(s.as_bytes());
        let v = T::read(&mut r)?;
        r.finish()?;
        Ok(v)
    }

    /// Stand-in for a generated structure.
    #[derive(Debug, Clone, PartialEq, Default)]
    struct Repo {
        name: String,
        uri: Option<String>,
        count: i32,
        size: Option<i64>,
        ratio: Option<f64>,
        private: Option<bool>,
        tags: Vec<String>,
        labels: HashMap<String, String>,
        created: Option<DateTime>,
        manifest: Option<Blob>,
        child: Option<Box<Repo>>,
        doc: Option<serde_json::Value>,
    }

    impl Json for Repo {
        fn zero() -> Self {
            Repo::default()
        }
        fn read(r: &mut JsonReader<'_>) -> Result<Self, JsonError> {
            let mut v = Repo::zero();
            r.read_object(|k, r| {
                match k {
                    "name" => v.name = r.read()?,
                    "uri" => v.uri = r.read()?,
                    "count" => v.count = r.read()?,
                    "size" => v.size = r.read()?,
                    "ratio" => v.ratio = r.read()?,
                    "private" => v.private = r.read()?,
                    "tags" => v.tags = r.read()?,
                    "labels" => v.labels = r.read()?,
                    "created" => v.created = r.read()?,
                    "manifest" => v.manifest = r.read()?,
                    "child" => v.child = r.read()?,
                    "doc" => v.doc = r.read()?,
                    _ => r.skip_value()?,
                }
                Ok(())
            })?;
            Ok(v)
        }
        fn write(&self, w: &mut JsonWriter) {
            w.begin_object();
            w.member("name", &self.name);
            w.member("uri", &self.uri);
            w.member("count", &self.count);
            w.member("size", &self.size);
            w.member("ratio", &self.ratio);
            w.member("private", &self.private);
            w.member("tags", &self.tags);
            w.member("labels", &self.labels);
            w.member("created", &self.created);
            w.member("manifest", &self.manifest);
            w.member("child", &self.child);
            w.member("doc", &self.doc);
            w.end_object();
        }
    }

    fn sample_repo() -> Repo {
        Repo {
            name: "my-repo".into(),
            uri: Some("public.ecr.aws/x/\"quoted\"\n".into()),
            count: -7,
            size: Some(i64::MAX),
            ratio: Some(0.25),
            private: Some(false),
            tags: vec!["a".into(), "".into(), "ü😀".into()],
            labels: [("k".to_string(), "v".to_string())].into_iter().collect(),
            created: Some(DateTime::new(1_609_459_200, 123_000_000)),
            manifest: Some(Blob::from("{\"schemaVersion\":2}")),
            child: Some(Box::new(Repo {
                name: "child".into(),
                doc: Some(serde_json::json!({"x": [1, null, 2.5, "s", true, {}]})),
                ..Repo::default()
            })),
            doc: None,
        }
    }

    #[test]
    fn struct_round_trip() {
        let repo = sample_repo();
        let bytes = round_trip(&repo);
        assert_eq!(from_slice::<Repo>(&bytes).unwrap(), repo);
        // Absent members are omitted, empty collections are not.
        let empty = json_of(&Repo::default());
        assert_eq!(empty, r#"{"name":"","count":0,"tags":[],"labels":{}}"#);
    }

    #[test]
    fn writer_commas_in_nested_containers() {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.member("a", &Vec::<i32>::new());
        w.member("skip", &None::<i32>);
        w.member("b", &vec![vec![1, 2], vec![], vec![3]]);
        w.key("c");
        w.begin_object();
        w.end_object();
        w.member("d", &Some(1i8));
        w.end_object();
        assert_eq!(std::str::from_utf8(w.as_bytes()).unwrap(), r#"{"a":[],"b":[[1,2],[],[3]],"c":{},"d":1}"#);
    }

    #[test]
    fn empty_body_reads_as_empty_object() {
        assert_eq!(from_slice::<Repo>(b"").unwrap(), Repo::default());
        assert_eq!(from_slice::<Repo>(b" \r\n\t").unwrap(), Repo::default());
        assert_eq!(from_slice::<HashMap<String, i32>>(b"").unwrap(), HashMap::new());
        assert!(from_slice::<Repo>(b"[]").is_err());
    }

    #[test]
    fn unknown_members_skipped() {
        let input = r#"{
            "unknown1": {"a": [1, {"b": [[], {}, null]}], "c": "x\"}]"},
            "name": "n",
            "unknown2": [1, -2.5e-3, "s", true, false, null, {"k": [{}]}],
            "unknown3": "\ud83d\ude00",
            "count": 3,
            "unknown4": 12345678901234567890123,
            "unknown5": null
        }"#;
        let r = parse::<Repo>(input).unwrap();
        assert_eq!(r.name, "n");
        assert_eq!(r.count, 3);
    }

    #[test]
    fn unconsumed_member_is_skipped_automatically() {
        let mut r = JsonReader::new(br#"{"a": {"x": [1, 2]}, "b": 2}"#);
        let mut b = 0;
        r.read_object(|k, r| {
            if k == "b" {
                b = r.read_i64()?;
            }
            Ok(())
        })
        .unwrap();
        r.finish().unwrap();
        assert_eq!(b, 2);
        let mut r = JsonReader::new(b"[[1], {}, 3]");
        r.read_array(|_| Ok(())).unwrap();
        r.finish().unwrap();
        // Peeking (which skips whitespace) does not count as consuming.
        let mut r = JsonReader::new(b"{ \"a\" :  null , \"b\":  [1] }");
        r.read_object_with_nulls(|_, r| {
            r.peek_null();
            Ok(())
        })
        .unwrap();
        r.finish().unwrap();
        let mut r = JsonReader::new(b"[  null,  {} ]");
        r.read_array(|r| {
            r.peek_null();
            Ok(())
        })
        .unwrap();
        r.finish().unwrap();
    }

    #[test]
    fn nulls_are_absent() {
        let r = parse::<Repo>(
            r#"{"name": null, "uri": null, "count": null, "tags": null, "created": null, "child": null}"#,
        )
        .unwrap();
        assert_eq!(r, Repo::default());
        // Dense lists and maps drop null entries.
        assert_eq!(parse::<Vec<i32>>("[1, null, 2]").unwrap(), vec![1, 2]);
        let m = parse::<HashMap<String, i32>>(r#"{"a": 1, "b": null}"#).unwrap();
        assert_eq!(m.len(), 1);
        // Sparse ones keep them.
        assert_eq!(parse::<Vec<Option<i32>>>("[1, null, 2]").unwrap(), vec![Some(1), None, Some(2)]);
        let m = parse::<BTreeMap<String, Option<i32>>>(r#"{"a": 1, "b": null}"#).unwrap();
        assert_eq!(m.get("b"), Some(&None));
        assert_eq!(json_of(&m), r#"{"a":1,"b":null}"#);
        assert_eq!(json_of(&vec![Some(1), None]), "[1,null]");
        // read_object_with_nulls passes them through.
        let mut r = JsonReader::new(br#"{"a": null}"#);
        let mut saw = false;
        r.read_object_with_nulls(|k, r| {
            assert_eq!(k, "a");
            assert!(r.peek_null());
            assert!(r.peek_null(), "peek_null must not consume");
            saw = true;
            r.read_null()
        })
        .unwrap();
        assert!(saw);
    }

    #[test]
    fn primitive_round_trips() {
        round_trip(&String::new());
        round_trip(&"plain".to_string());
        round_trip(&true);
        round_trip(&false);
        for v in [i8::MIN, -1, 0, 1, i8::MAX] {
            round_trip(&v);
        }
        for v in [i16::MIN, i16::MAX] {
            round_trip(&v);
        }
        for v in [i32::MIN, i32::MAX] {
            round_trip(&v);
        }
        for v in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX] {
            round_trip(&v);
        }
        for v in [0.0, 1.5, -2.25, 0.1, 1.0 / 3.0, 1e300, -1e-300, 5e-324, f64::MAX, f64::MIN_POSITIVE, 123_456_789.0] {
            round_trip(&v);
        }
        for v in [0.0f32, 0.1, 1.5, f32::MAX, f32::MIN_POSITIVE, 16_777_216.0] {
            round_trip(&v);
        }
        round_trip(&Some(5i32));
        round_trip(&None::<i32>);
        round_trip(&Some(Some(5i32)));
        round_trip(&vec![vec!["a".to_string()], vec![]]);
        let h: HashMap<String, Vec<i64>> = [("x".into(), vec![1, 2]), ("y".into(), vec![])].into_iter().collect();
        round_trip(&h);
        let b: BTreeMap<String, bool> = [("é\"".into(), true)].into_iter().collect();
        round_trip(&b);
        round_trip(&Box::new(3i64));
        round_trip(&Blob::from(&b"\x00\xff binary"[..]));
        round_trip(&DateTime::new(1_609_459_200, 500_000_000));
    }

    #[test]
    fn integer_formatting_and_edges() {
        assert_eq!(json_of(&i64::MIN), "-9223372036854775808");
        assert_eq!(json_of(&i64::MAX), "9223372036854775807");
        assert_eq!(json_of(&0i64), "0");
        assert_eq!(json_of(&-5i32), "-5");
        let mut w = JsonWriter::new();
        w.u64(u64::MAX);
        assert_eq!(w.as_bytes(), b"18446744073709551615");
        for n in [0u64, 9, 10, 99, 100, 101, 999, 1000, 12_345_678_901] {
            let mut w = JsonWriter::new();
            w.u64(n);
            assert_eq!(w.as_bytes(), n.to_string().as_bytes());
        }

        assert_eq!(parse::<i64>("-9223372036854775808").unwrap(), i64::MIN);
        assert_eq!(parse::<i64>("9223372036854775807").unwrap(), i64::MAX);
        assert!(parse::<i64>("9223372036854775808").is_err());
        assert!(parse::<i64>("-9223372036854775809").is_err());
        assert!(parse::<i64>("99999999999999999999999").is_err());
        assert_eq!(parse::<i32>("2147483647").unwrap(), i32::MAX);
        assert_eq!(parse::<i32>("-2147483648").unwrap(), i32::MIN);
        assert!(parse::<i32>("2147483648").is_err());
        assert!(parse::<i32>("-2147483649").is_err());
        assert_eq!(parse::<i16>("-32768").unwrap(), i16::MIN);
        assert!(parse::<i16>("32768").is_err());
        assert_eq!(parse::<i8>("127").unwrap(), 127);
        assert!(parse::<i8>("128").is_err());
        assert!(parse::<i8>("-129").is_err());
        let mut r = JsonReader::new(b"18446744073709551615");
        assert_eq!(r.read_u64().unwrap(), u64::MAX);
        assert!(JsonReader::new(b"18446744073709551616").read_u64().is_err());
        assert!(JsonReader::new(b"-1").read_u64().is_err());
        assert_eq!(JsonReader::new(b"-0").read_u64().unwrap(), 0);

        // Integral floats are accepted as integers; real fractions are not.
        assert_eq!(parse::<i64>("5.0").unwrap(), 5);
        assert_eq!(parse::<i64>("-5.000").unwrap(), -5);
        assert_eq!(parse::<i64>("1e2").unwrap(), 100);
        assert_eq!(parse::<i64>("1.5E1").unwrap(), 15);
        assert_eq!(parse::<i64>("1500e-2").unwrap(), 15);
        assert_eq!(parse::<i64>("-0").unwrap(), 0);
        assert_eq!(parse::<i64>("0e999999999999").unwrap(), 0);
        assert_eq!(parse::<i64>("9.223372036854775807e18").unwrap(), i64::MAX);
        assert!(parse::<i64>("5.5").is_err());
        assert!(parse::<i64>("1e-1").is_err());
        assert!(parse::<i64>("1e19").is_err());
        assert!(parse::<i64>("1e999999999999").is_err());
        assert!(parse::<i32>("\"5\"").is_err());
    }

    #[test]
    fn float_formatting() {
        let f = |v: f64| json_of(&v);
        assert_eq!(f(0.0), "0");
        assert_eq!(f(-0.0), "-0");
        assert_eq!(f(1.0), "1");
        assert_eq!(f(-123.0), "-123");
        assert_eq!(f(1e16), "10000000000000000");
        assert_eq!(f(1e17), "1e17");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(f(1.5e300), "1.5e300");
        assert_eq!(f(1e-7), "1e-7");
        assert_eq!(f(f64::NAN), "\"NaN\"");
        assert_eq!(f(f64::INFINITY), "\"Infinity\"");
        assert_eq!(f(f64::NEG_INFINITY), "\"-Infinity\"");
        assert_eq!(json_of(&0.1f32), "0.1");
        assert_eq!(json_of(&3.0f32), "3");
        assert_eq!(json_of(&f32::NAN), "\"NaN\"");
        assert_eq!(json_of(&f32::NEG_INFINITY), "\"-Infinity\"");

        assert!(parse::<f64>("\"NaN\"").unwrap().is_nan());
        assert_eq!(parse::<f64>("\"Infinity\"").unwrap(), f64::INFINITY);
        assert_eq!(parse::<f64>("\"-Infinity\"").unwrap(), f64::NEG_INFINITY);
        assert!(parse::<f32>("\"NaN\"").unwrap().is_nan());
        assert!(parse::<f64>("\"nan\"").is_err());
        assert!(parse::<f64>("\"1.5\"").is_err());
        assert_eq!(parse::<f64>("-0").unwrap().to_bits(), (-0.0f64).to_bits());
        assert_eq!(parse::<f64>("2.5E+2").unwrap(), 250.0);
        assert_eq!(parse::<f64>("17").unwrap(), 17.0);
        assert_eq!(parse::<f32>("0.1").unwrap(), 0.1f32);
        for s in ["NaN", "Infinity", "-Infinity", "inf", "1.", ".1", "+1", "0x10"] {
            assert!(parse::<f64>(s).is_err(), "{s}");
        }
    }

    #[test]
    fn string_escaping() {
        let s = "q\"b\\s/n\nr\rt\tb\u{8}f\u{c}z\u{0}o\u{1f}d\u{7f}é😀\u{2028}";
        let out = json_of(&s.to_string());
        assert_eq!(out, "\"q\\\"b\\\\s/n\\nr\\rt\\tb\\bf\\fz\\u0000o\\u001fd\u{7f}é😀\u{2028}\"");
        round_trip(&s.to_string());
        let all_controls: String = (0u8..0x20).map(char::from).collect();
        let out = json_of(&all_controls);
        assert!(out.bytes().all(|b| b >= 0x20), "{out}");
        round_trip(&all_controls);
        // serde_json must agree with us on what the escapes mean.
        let theirs: String = serde_json::from_str(&out).unwrap();
        assert_eq!(theirs, all_controls);
    }

    #[test]
    fn string_unescaping() {
        let cases: &[(&str, &str)] = &[
            (r#""plain""#, "plain"),
            (r#""""#, ""),
            (r#""a\"b\\c\/d""#, "a\"b\\c/d"),
            (r#""\b\f\n\r\t""#, "\u{8}\u{c}\n\r\t"),
            (r#""\u0041\u00e9\u00E9\u20ac""#, "Aéé€"),
            (r#""\u0000""#, "\0"),
            (r#""\ud83d\ude00""#, "😀"),
            (r#""x\uD834\uDD1Ey""#, "x𝄞y"),
            ("\"raw é 😀 \u{7f}\"", "raw é 😀 \u{7f}"),
            (r#""long run before the escape 0123456789\n""#, "long run before the escape 0123456789\n"),
        ];
        for (input, want) in cases {
            assert_eq!(parse::<String>(input).unwrap(), *want, "{input}");
        }
        // Borrowed when there is nothing to unescape.
        assert!(matches!(
            JsonReader::new(br#""no escapes here, long enough to use SWAR""#).read_str(),
            Ok(Cow::Borrowed(_))
        ));
        assert!(matches!(JsonReader::new(br#""a\nb""#).read_str(), Ok(Cow::Owned(_))));
    }

    #[test]
    fn string_scanning_finds_specials_at_every_position() {
        for len in 0..40 {
            for special in ["\\n", "\\\"", "\\u0001"] {
                let body = format!("{}{}{}", "x".repeat(len), special, "y".repeat(len % 7));
                let input = format!("\"{body}\"");
                let want: String = serde_json::from_str(&input).unwrap();
                assert_eq!(parse::<String>(&input).unwrap(), want);
            }
            let input = format!("\"{}\u{1}\"", "x".repeat(len));
            assert!(parse::<String>(&input).is_err());
        }
    }

    #[test]
    fn documents() {
        let input = r#"{"a": null, "b": [1, -2, 18446744073709551615, 2.5, -1e400], "c": {"d": "é"}, "e": true}"#;
        let err = parse::<serde_json::Value>(input).unwrap_err();
        assert!(err.message().contains("out of range"), "{err}");
        let input = r#"{"a": null, "b": [1, -2, 18446744073709551615, 2.5, 1e2, -9223372036854775808], "c": {"d": "é\n"}, "e": true, "f": ""}"#;
        let v = parse::<serde_json::Value>(input).unwrap();
        let want: serde_json::Value = serde_json::from_str(input).unwrap();
        assert_eq!(v, want);
        assert!(v["b"][0].is_u64());
        assert!(v["b"][1].is_i64());
        assert!(v["b"][4].is_f64());
        let back = to_vec(&v);
        let again: serde_json::Value = serde_json::from_slice(&back).unwrap();
        assert_eq!(again, v);
        round_trip(&v);
        round_trip(&serde_json::Value::Null);
        assert_eq!(json_of(&serde_json::json!({"n": null})), r#"{"n":null}"#);
        assert_eq!(json_of(&serde_json::json!(-1.5)), "-1.5");
    }

    #[test]
    fn timestamps() {
        let w = |secs, nanos| json_of(&DateTime::new(secs, nanos));
        assert_eq!(w(1_609_459_200, 0), "1609459200");
        assert_eq!(w(1_609_459_200, 500_000_000), "1609459200.5");
        assert_eq!(w(1_609_459_200, 300_000_000), "1609459200.3");
        assert_eq!(w(1_609_459_200, 123_000_000), "1609459200.123");
        assert_eq!(w(0, 1), "0.000000001");
        assert_eq!(w(0, 0), "0");
        assert_eq!(w(-1, 0), "-1");
        assert_eq!(w(-2, 500_000_000), "-1.5");
        assert_eq!(w(-1, 500_000_000), "-0.5");
        assert_eq!(w(-1, 999_999_999), "-0.000000001");
        assert_eq!(w(i64::MIN, 0), "-9223372036854775808");

        let r = |s: &str| parse::<DateTime>(s).map(|t| (t.secs(), t.subsec_nanos()));
        assert_eq!(r("1609459200"), Ok((1_609_459_200, 0)));
        assert_eq!(r("1609459200.123"), Ok((1_609_459_200, 123_000_000)));
        assert_eq!(r("1.609459200123E9"), Ok((1_609_459_200, 123_000_000)));
        assert_eq!(r("1609459200123e-3"), Ok((1_609_459_200, 123_000_000)));
        assert_eq!(r("1.5"), Ok((1, 500_000_000)));
        assert_eq!(r("-1.5"), Ok((-2, 500_000_000)));
        assert_eq!(r("-1.0"), Ok((-1, 0)));
        assert_eq!(r("-0.0"), Ok((0, 0)));
        assert_eq!(r("1e3"), Ok((1000, 0)));
        assert_eq!(r("0.1234567899"), Ok((0, 123_456_789)));
        assert_eq!(r("5e-10"), Ok((0, 0)));
        assert_eq!(r("-9223372036854775808"), Ok((i64::MIN, 0)));
        assert!(r("-9223372036854775808.5").is_err());
        assert!(r("9223372036854775808").is_err());
        assert!(r("1e30").is_err());
        assert!(r("1e999999999999").is_err());
        assert!(r("\"2021-01-01T00:00:00Z\"").is_err());

        for (secs, nanos) in [
            (0, 0),
            (1, 1),
            (1_609_459_200, 999_999_999),
            (-1, 1),
            (-1_000_000_000, 250_000_000),
            (i64::MAX, 999_999_999),
            (i64::MIN, 0),
            (i64::MIN, 1),
        ] {
            round_trip(&DateTime::new(secs, nanos));
        }
    }

    #[test]
    fn hashed_bodies_match_their_digest_and_the_plain_writer() {
        // Sizes below, at and above the size from which blobs are hashed on a second thread,
        // with members before and after, and two large blobs in one body.
        let big =
            |n: usize, seed: u8| (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect::<Vec<_>>();
        let bodies: Vec<Vec<(&str, Vec<u8>)>> = vec![
            vec![],
            vec![("a", big(10, 1))],
            vec![("a", big(HASH_ALONGSIDE_MIN - 1, 2)), ("z", big(3, 3))],
            vec![("a", big(HASH_ALONGSIDE_MIN, 4))],
            vec![
                ("a", big(3 * HASH_ALONGSIDE_MIN + 7, 5)),
                ("b", big(5, 6)),
                ("c", big(2 * HASH_ALONGSIDE_MIN + 1, 7)),
            ],
        ];
        for members in bodies {
            let write = |w: &mut JsonWriter| {
                w.begin_object();
                for (name, data) in &members {
                    w.member(name, &Blob::from(data.clone()));
                }
                w.member("after", &"tail".to_string());
                w.end_object();
            };
            let mut plain = JsonWriter::new();
            write(&mut plain);
            let mut hashing = JsonWriter::hashing();
            write(&mut hashing);
            let (body, digest) = hashing.into_hashed();
            let plain = plain.into_bytes();
            assert_eq!(&body[..], &plain[..], "the hashing writer writes the same body");
            assert_eq!(digest, crate::digest::sha256_hex(&plain), "digest of a body of {} bytes", plain.len());
        }
    }

    #[test]
    fn strings_in_valid_and_invalid_utf8_inputs() {
        // Multi-byte characters beside escapes, in an input that is valid UTF-8 as a whole.
        let mut r = JsonReader::new("[\"h\\u00e9llo\\n\u{1F980}\", \"caf\u{e9}\"]".as_bytes());
        let mut got = Vec::new();
        r.read_array(|r| r.read_string().map(|s| got.push(s))).unwrap();
        assert_eq!(got, ["h\u{e9}llo\n\u{1F980}", "caf\u{e9}"]);
        // One bad byte: strings before it still read, and the error points at it.
        let input = b"[\"ok\", \"b\xffd\"]";
        let mut r = JsonReader::new(input);
        let mut got = Vec::new();
        let err = r.read_array(|r| r.read_string().map(|s| got.push(s))).unwrap_err();
        assert_eq!(got, ["ok"]);
        assert!(err.to_string().contains("invalid UTF-8"), "{err}");
        assert!(err.to_string().contains("byte 9"), "{err}");
    }

    #[test]
    fn base64_blobs() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..=10 {
            let blob = Blob::from(&data[..n]);
            let out = json_of(&blob);
            assert_eq!(out, format!("\"{}\"", STANDARD.encode_to_string(&data[..n])));
            round_trip(&blob);
        }
        assert_eq!(json_of(&Blob::from("hello")), "\"aGVsbG8=\"");
        assert_eq!(parse::<Blob>("\"aGVsbG8\"").unwrap(), Blob::from("hello"));
        // Escaped solidus inside base64 is unescaped before decoding.
        assert_eq!(parse::<Blob>(r#""\/\/\/\/""#).unwrap().as_bytes(), &[0xff; 3]);
        assert!(parse::<Blob>("\"a\"").is_err());
        assert!(parse::<Blob>("\"aGVsbG8*\"").is_err());
        assert!(parse::<Blob>("\"aGVs bG8=\"").is_err());

        // Large blobs span many encoder blocks, including a partial final one.
        let big: Vec<u8> = (0..(1 << 20) + 1).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let blob = Blob::new(big);
        let out = to_vec(&blob);
        assert_eq!(out.len(), (blob.len().div_ceil(3) * 4) + 2);
        assert_eq!(&out[1..out.len() - 1], STANDARD.encode_to_string(blob.as_bytes()).as_bytes());
        round_trip(&blob);
    }

    #[test]
    fn the_writer_stops_past_the_depth_limit() {
        fn nest(levels: usize) -> serde_json::Value {
            let mut v = serde_json::Value::Null;
            for _ in 0..levels {
                v = serde_json::Value::Array(vec![v]);
            }
            v
        }
        let at_limit = nest(MAX_DEPTH as usize);
        let (body, _) = to_hashed(&at_limit).expect("128 levels are written");
        assert_eq!(parse::<serde_json::Value>(std::str::from_utf8(&body).unwrap()).unwrap(), at_limit);
        assert!(to_hashed(&nest(MAX_DEPTH as usize + 1)).is_none());
        assert_eq!(try_to_vec(&at_limit).as_deref(), Some(&body[..]));
        assert!(try_to_vec(&nest(MAX_DEPTH as usize + 1)).is_none(), "refused, not cut short");
        // Far deeper: the recursion stops at the limit instead of walking the whole value.
        let deep = nest(20_000);
        let mut w = JsonWriter::new();
        deep.write(&mut w);
        assert!(w.too_deep());
        assert!(w.as_bytes().len() < 2 * (MAX_DEPTH as usize + 2), "{} bytes", w.as_bytes().len());
        // serde_json drops nested values recursively; unwind it by hand.
        let mut v = deep;
        while let serde_json::Value::Array(mut a) = v {
            v = a.pop().unwrap_or_default();
        }
    }

    #[test]
    fn depth_limit() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse::<serde_json::Value>(&nested(MAX_DEPTH as usize)).is_ok());
        assert!(JsonReader::new(nested(MAX_DEPTH as usize).as_bytes()).skip_value().is_ok());
        let err = parse::<serde_json::Value>(&nested(MAX_DEPTH as usize + 1)).unwrap_err();
        assert_eq!(err.message(), "nesting too deep");
        let deep = "[".repeat(10_000);
        assert!(parse::<serde_json::Value>(&deep).is_err());
        assert!(JsonReader::new(deep.as_bytes()).skip_value().is_err());
        let deep_obj = "{\"a\":".repeat(10_000);
        assert!(parse::<serde_json::Value>(&deep_obj).is_err());
        assert!(parse::<Repo>(&deep_obj).is_err());
        // Depth is released on exit: many siblings at the limit are fine.
        let wide = format!("[{}]", vec![nested(MAX_DEPTH as usize - 1); 50].join(","));
        assert!(parse::<serde_json::Value>(&wide).is_ok());
    }

    const MALFORMED: &[&[u8]] = &[
        b"{",
        b"{\"a\"",
        b"{\"a\":",
        b"{\"a\":1",
        b"{\"a\":1,",
        b"{\"a\":1,}",
        b"{,}",
        b"{\"a\" 1}",
        b"{\"a\":1 \"b\":2}",
        b"{a:1}",
        b"{'a':1}",
        b"{1:1}",
        b"{}x",
        b"{} {}",
        b"{}}",
        b"[",
        b"[1",
        b"[1,",
        b"[1,]",
        b"[,1]",
        b"[1 2]",
        b"[}",
        b"]",
        b"}",
        b":",
        b"\"abc",
        b"\"abc\\",
        b"\"\\x\"",
        b"\"\\U0041\"",
        b"\"\\u12\"",
        b"\"\\u12G4\"",
        b"\"\\ud800\"",
        b"\"\\ud800x\"",
        b"\"\\udc00\"",
        b"\"\\ud800\\u0041\"",
        b"\"\\ud800\\ud800\"",
        b"\"a\nb\"",
        b"\"a\tb\"",
        b"\"\x00\"",
        b"\"\xff\"",
        b"\"\xc0\xaf\"",
        b"\"\xed\xa0\x80\"",
        b"\"\xe2\x82\"",
        b"01",
        b"-01",
        b"1.",
        b"1.e5",
        b".5",
        b"-",
        b"+1",
        b"1e",
        b"1e+",
        b"--1",
        b"0x1F",
        b"1_000",
        b"tru",
        b"true1",
        b"True",
        b"nul",
        b"nulll",
        b"NaN",
        b"Infinity",
        b"\xef\xbb\xbf{}",
        b"[1]\x00",
    ];

    #[test]
    fn malformed_inputs_are_errors() {
        for input in MALFORMED {
            let shown = String::from_utf8_lossy(input);
            let err = from_slice::<serde_json::Value>(input).expect_err(&format!("document accepted {shown:?}"));
            assert!(err.offset() <= input.len(), "{shown:?}: {err}");
            let mut r = JsonReader::new(input);
            assert!(r.skip_value().and_then(|()| r.finish()).is_err(), "skip accepted {shown:?}");
            // Embedded as an unknown member of a structure.
            let mut wrapped = b"{\"x\":".to_vec();
            wrapped.extend_from_slice(input);
            wrapped.push(b'}');
            if !input.starts_with(b"{}") && !input.ends_with(b"}") {
                assert!(from_slice::<Repo>(&wrapped).is_err(), "struct accepted {shown:?}");
            }
        }
        assert!(from_slice::<Repo>(b"{\"name\": 5}").is_err());
        assert!(from_slice::<Repo>(b"{\"count\": \"5\"}").is_err());
        assert!(from_slice::<Repo>(b"{\"count\": 1.5}").is_err());
        assert!(from_slice::<Repo>(b"{\"tags\": {}}").is_err());
        assert!(from_slice::<Repo>(b"{\"private\": 1}").is_err());
    }

    #[test]
    fn truncations_and_mutations_never_panic() {
        let valid = to_vec(&sample_repo());
        for end in 0..valid.len() {
            let res = from_slice::<Repo>(&valid[..end]);
            // Only the empty prefix (read as {}) is acceptable.
            assert_eq!(res.is_ok(), end == 0, "prefix {end}");
            let _ = from_slice::<serde_json::Value>(&valid[..end]);
        }
        // Deterministic pseudo-random byte mutations.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"{}[]\":,\\u0123456789abcdefnulltruefalse.eE+- \n\xff\xc3";
        for _ in 0..3000 {
            let mut m = valid.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() % m.len() as u64) as usize;
                m[i] = alphabet[(next() % alphabet.len() as u64) as usize];
            }
            let _ = from_slice::<Repo>(&m);
            let _ = from_slice::<serde_json::Value>(&m);
            let mut r = JsonReader::new(&m);
            let _ = r.skip_value();
        }
    }

    #[test]
    fn error_display() {
        let e = JsonError::new(7, "bad thing");
        assert_eq!(e.to_string(), "malformed JSON at byte 7: bad thing");
        assert_eq!((e.offset(), e.message()), (7, "bad thing"));
        let err = from_slice::<Repo>(b"{\"name\": tru}").unwrap_err();
        assert_eq!(err.offset(), 9);
        let err = from_slice::<Repo>(b"{} x").unwrap_err();
        assert_eq!(err.offset(), 3);
        let err = from_slice::<String>(b"\"\\q\"").unwrap_err();
        assert_eq!(err.offset(), 1);
        let err = from_slice::<Repo>(b"{\"count\": 2147483648}").unwrap_err();
        assert_eq!(err.offset(), 10);
        assert!(err.message().contains("i32"), "{err}");
        let _: &dyn std::error::Error = &e;
    }
}
