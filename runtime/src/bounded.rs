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
