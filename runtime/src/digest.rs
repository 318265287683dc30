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

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_of_nothing() {
        assert_eq!(super::sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(super::hex(&[0, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }
}
