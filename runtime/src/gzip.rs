//! gzip for `@requestCompression` request bodies, by `flate2` on its pure-Rust backend
//! (miniz_oxide). A hand-written gzip container around miniz_oxide used to be here; `flate2`
//! measured faster (`cargo xtask bench parts`), so it went.

use std::io::Write as _;

/// The gzip encoding of `data`, at the usual level 6.
pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 2 + 32), flate2::Compression::new(6));
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        use std::io::Read as _;
        let data = b"hello hello hello hello".repeat(100);
        let gz = super::compress(&data);
        assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
        assert!(gz.len() < data.len() / 4);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut back).expect("valid gzip");
        assert_eq!(back, data);
    }
}
