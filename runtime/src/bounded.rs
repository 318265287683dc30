//! Reading with a bound: files and process output come from outside, and are never trusted with
//! memory.

use tokio::io::{AsyncRead, AsyncReadExt};

/// Everything `reader` gives, or `None` once it passes `limit` bytes (reading stops there).
pub(crate) async fn read<R: AsyncRead + Unpin>(reader: R, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    reader.take(limit + 1).read_to_end(&mut data).await?;
    Ok((data.len() as u64 <= limit).then_some(data))
}

/// The first `limit` bytes `reader` gives; the rest is read and dropped, so a writer to a pipe
/// is never blocked on it.
pub(crate) async fn head<R: AsyncRead + Unpin>(mut reader: R, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    (&mut reader).take(limit as u64).read_to_end(&mut data).await?;
    tokio::io::copy(&mut reader, &mut tokio::io::sink()).await?;
    Ok(data)
}

/// The most a token or token-cache file may hold (web identity token, SSO token cache, container
/// authorization token): 1 MiB, as for the shared config files; real ones hold a few KiB.
pub(crate) const MAX_TOKEN_FILE_BYTES: u64 = 1024 * 1024;

/// The file's bytes; a file longer than `limit` is an `InvalidData` error saying so.
pub(crate) async fn read_file(path: &std::path::Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = tokio::fs::File::open(path).await?;
    read(file, limit).await?.ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("the file is larger than {limit} bytes"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn token_files_over_the_bound_are_refused() {
        let dir = crate::profile::TempDir::new("bounded");
        let path = dir.write("token", &"t".repeat(MAX_TOKEN_FILE_BYTES as usize + 1));
        let err = crate::credentials::web_identity::read_token(&path, "AWS_WEB_IDENTITY_TOKEN_FILE").await.unwrap_err();
        let detail = crate::credentials::error_detail(&err);
        assert!(detail.contains("token") && detail.contains("larger than 1048576 bytes"), "{detail}");
        assert!(!detail.contains("tttt"), "{detail}");
        let small = dir.write("small", "abc");
        assert_eq!(read_file(&small, 3).await.unwrap(), b"abc");
        assert_eq!(read_file(&small, 2).await.unwrap_err().kind(), std::io::ErrorKind::InvalidData);
    }
}
