//! SHA-256 and lowercase hex, as SigV4 writes them: for request bodies here, and for the
//! emulator's digests and signature checks.

/// A SHA-256 context to feed piece by piece.
pub(crate) fn sha256() -> ring::digest::Context {
    ring::digest::Context::new(&ring::digest::SHA256)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// The SHA-256 of `bytes`, in hex: of a gzipped body, and of the emulator's digests. (Crates
/// generated for other services copy this runtime without the emulator, hence no `cfg` on it.)
#[cfg_attr(not(any(feature = "gzip", test)), allow(dead_code))]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// The `Content-MD5` header's value: the base64 MD5 of the body as sent.
#[cfg(feature = "content-md5")]
pub(crate) fn content_md5(body: &[u8]) -> String {
    use md5::Digest;
    base64_simd::STANDARD.encode_to_string(md5::Md5::digest(body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_of_nothing() {
        assert_eq!(super::sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(super::hex(&[0, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[cfg(feature = "content-md5")]
    #[test]
    fn content_md5_of_known_bodies() {
        // RFC 1321's test suite, base64-encoded as RFC 1864 writes the header.
        assert_eq!(super::content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(super::content_md5(b"abc"), "kAFQmDzST7DWlj99KOF/cg==");
    }
}
