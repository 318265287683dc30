//! Helpers shared by the emulator's test binaries (`emulator`, `emulator_premium`,
//! `emulator_rules`): clients pointed at an emulator, digests, and a service-error assertion.
#![allow(dead_code)] // Each binary uses some of them.

use ecrpublic::emulator::Emulator;
use ecrpublic::{Client, Config, Credentials};

/// A client for `emu` signed for `region`, with no retries; `validation` off leaves the checking of
/// inputs to the service.
pub fn client_with(emu: &Emulator, region: &str, validation: bool) -> Client {
    Client::new(
        &Config::builder()
            .region(region)
            .endpoint_url(emu.url())
            .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
            .max_attempts(1)
            .validation(validation)
            .build(),
    )
}

/// A client for `emu` in `us-east-1`, checking inputs before sending.
pub fn client(emu: &Emulator) -> Client {
    client_with(emu, "us-east-1", true)
}

/// A client that leaves the checking of inputs to the service.
pub fn unchecked(emu: &Emulator) -> Client {
    client_with(emu, "us-east-1", false)
}

/// `sha256:<hex>` of `bytes`, as image and layer digests are written.
pub fn sha256(bytes: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    format!("sha256:{}", d.as_ref().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The call must fail with this service error code; returns the error.
#[macro_export]
macro_rules! expect_code {
    ($call:expr, $code:expr) => {{
        let err = $call.await.expect_err(concat!("expected ", $code));
        match err.service_error() {
            Some(e) => assert_eq!(e.code(), $code, "{e}"),
            None => panic!("expected {}, got {err:?}", $code),
        }
        err
    }};
}

/// A response read off the wire by [`raw_request`].
pub struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// Sends `head` (the request line and headers, without the blank line) and `body` over a fresh
/// connection to 127.0.0.1:`port`, and reads the response to the end.
pub async fn raw_request(port: u16, head: &str, body: &[u8]) -> RawResponse {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    stream.write_all(format!("{head}\r\n\r\n").as_bytes()).await.expect("write");
    // The server may answer and close before reading all of a body it refuses.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8(response).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    RawResponse { status, head: head.to_owned(), body: body.to_owned() }
}
