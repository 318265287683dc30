//! gzip for `@requestCompression` request bodies: a DEFLATE stream (miniz_oxide) in the gzip
//! container of RFC 1952, whose header and CRC-32 trailer are written here.

/// The gzip encoding of `data`.
pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
    // Magic, DEFLATE, no flags, no mtime, no extra flags, unknown OS.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE 802.3, reflected), as gzip's trailer needs.
fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        t
    });
    !data.iter().fold(!0u32, |c, &b| table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc_and_round_trip() {
        assert_eq!(super::crc32(b"123456789"), 0xCBF4_3926);
        let data = b"hello hello hello hello".repeat(100);
        let gz = super::compress(&data);
        assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
        assert!(gz.len() < data.len() / 4);
        let inflated = miniz_oxide::inflate::decompress_to_vec(&gz[10..gz.len() - 8]).expect("valid deflate");
        assert_eq!(inflated, data);
    }
}
