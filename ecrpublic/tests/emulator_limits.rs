//! What keeps the emulator safe to leave running on a developer's machine: it serves only its
//! own `Host`, verifies whole signatures when it has credentials, bounds what a client can make
//! it hold and how long a client can hold a connection, and keeps secrets out of `Debug`.
#![cfg(feature = "emulator")]

#[path = "common/emulator.rs"]
mod emulator_common;

use std::time::{Duration, SystemTime};

use ecrpublic::emulator::{Emulator, EmulatorOptions};
use emulator_common::{client, raw_request};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const JSON: &str = "application/x-amz-json-1.1";

/// A DescribeRegistries request naming `host`, unsigned (the default emulator verifies nothing).
fn describe_registries(host: &str) -> String {
    format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: {JSON}\r\n\
         X-Amz-Target: SpencerFrontendService.DescribeRegistries\r\nContent-Length: 2"
    )
}

#[tokio::test]
async fn only_requests_for_its_own_host_are_served() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_allowed_host("registry.internal")).await.unwrap();
    let port = emu.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_owned(),
        format!("registry.internal:{port}"),
    ] {
        let r = raw_request(port, &describe_registries(&host), b"{}").await;
        assert_eq!(r.status, 200, "Host {host}: {}", r.body);
    }
    // A page on attacker.example whose name was rebound to 127.0.0.1 names its own host.
    for host in [
        format!("attacker.example:{port}"),
        "attacker.example".to_owned(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("127.0.0.1.attacker.example:{port}"),
        String::new(),
    ] {
        let r = raw_request(port, &describe_registries(&host), b"{}").await;
        assert_eq!(r.status, 421, "Host `{host}` was served: {}", r.body);
        assert!(r.body.contains("MisdirectedRequestException"), "{}", r.body);
    }
    // The client names the host of its endpoint URL, which is the emulator's.
    client(&emu).describe_registries().send().await.expect("served");
}

#[tokio::test]
async fn host_names_that_are_not_names_are_refused_at_start() {
    for bad in ["evil.example:80", "", "a b", "name/path"] {
        let err = Emulator::start_with(EmulatorOptions::default().with_allowed_host(bad)).await.expect_err(bad);
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{bad}: {err}");
    }
    let err = Emulator::start_with(EmulatorOptions::default().with_max_connections(0)).await.expect_err("0");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn request_bodies_past_the_limit_are_refused() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_max_request_bytes(1024)).await.unwrap();
    let port = emu.port();
    let head = |length: &str| {
        format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: {JSON}\r\n\
             X-Amz-Target: SpencerFrontendService.DescribeRegistries\r\n{length}"
        )
    };
    // Announced too large: refused from the header, before any of it is read.
    let r = raw_request(port, &head("Content-Length: 1073741824"), b"").await;
    assert_eq!(r.status, 413, "{}", r.body);
    // Chunked, so only counting what arrives can tell.
    let chunk = format!("800\r\n{}\r\n", " ".repeat(0x800));
    let r = raw_request(port, &head("Transfer-Encoding: chunked"), chunk.as_bytes()).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.body.contains("exceeds 1024 bytes"), "{}", r.body);
    // Within the limit, served.
    let r = raw_request(port, &head("Content-Length: 2"), b"{}").await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn stored_manifests_are_bounded_and_deleting_makes_room_again() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_max_stored_bytes(3_000)).await.unwrap();
    let c = client(&emu);
    c.create_repository("bounded").send().await.unwrap();
    // Manifests without layers, about 900 bytes each, distinct by their annotation.
    let manifest = |n: usize| {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[],"annotations":{{"n":"{n}","pad":"{}"}}}}"#,
            "x".repeat(750)
        )
    };
    for n in 0..3 {
        c.put_image("bounded", manifest(n))
            .image_tag(format!("t{n}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{n}: {e}"));
    }
    let err = c.put_image("bounded", manifest(3)).image_tag("t3").send().await.expect_err("past the limit");
    let service = err.service_error().expect("a service error");
    assert_eq!(service.code(), "LimitExceededException", "{err}");
    assert!(service.message().unwrap_or_default().contains("3000 stored bytes"), "{err}");
    // Deleting an image frees its bytes: the next push fits again.
    let id = ecrpublic::types::ImageIdentifier::default().with_image_tag("t0");
    c.batch_delete_image("bounded", [id]).send().await.unwrap();
    c.put_image("bounded", manifest(3)).image_tag("t3").send().await.expect("room again");
    // Retagging an image already stored takes no room.
    c.put_image("bounded", manifest(3)).image_tag("again").send().await.expect("an existing image");
}

#[tokio::test]
async fn connections_past_the_limit_wait_for_a_free_slot() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_max_connections(2)).await.unwrap();
    let idle_a = tokio::net::TcpStream::connect(("127.0.0.1", emu.port())).await.unwrap();
    let _idle_b = tokio::net::TcpStream::connect(("127.0.0.1", emu.port())).await.unwrap();
    // Let the emulator accept both before the client's connection arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let c = client(&emu);
    let waiting = tokio::time::timeout(Duration::from_millis(500), c.describe_registries().send()).await;
    assert!(waiting.is_err(), "a third connection was served while two were held");
    drop(idle_a);
    let served = tokio::time::timeout(Duration::from_secs(10), c.describe_registries().send()).await;
    served.expect("served once a slot freed").expect("a registry listing");
}

#[tokio::test(start_paused = true)]
async fn connections_that_trickle_are_closed() {
    let emu = Emulator::start().await.unwrap();
    // Headers that never finish: the connection is closed after the header timeout.
    let mut stalled = tokio::net::TcpStream::connect(("127.0.0.1", emu.port())).await.unwrap();
    stalled.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(600), stalled.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "a connection with unfinished headers stayed open for 10 minutes");
    // A body that stops arriving: answered 408 after the body timeout.
    let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", emu.port())).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {JSON}\r\n\
         X-Amz-Target: SpencerFrontendService.DescribeRegistries\r\nContent-Length: 100\r\n\r\n{{"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(600), slow.read_to_end(&mut response)).await;
    assert!(read.is_ok(), "a stalled body held its connection for 10 minutes");
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
}

/// A DescribeRegistries request signed for `(AKID, SECRET)` with the payload hash in
/// `x-amz-content-sha256`: the body's own SHA-256, or `UNSIGNED-PAYLOAD`.
fn signed_request(port: u16, unsigned_payload: bool) -> String {
    use aws_sigv4::http_request::{sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;

    let body = b"{}";
    let mut request = http::Request::builder()
        .method("POST")
        .uri(format!("http://127.0.0.1:{port}/"))
        .header("host", format!("127.0.0.1:{port}"))
        .header("content-type", JSON)
        .header("x-amz-target", "SpencerFrontendService.DescribeRegistries")
        .body(())
        .unwrap();
    let identity = ecrpublic::Credentials::new("AKID", "SECRET", None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ecr-public")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let payload = if unsigned_payload { SignableBody::UnsignedPayload } else { SignableBody::Bytes(body) };
    let headers = request.headers().iter().map(|(k, v)| (k.as_str(), v.to_str().unwrap()));
    let signable = SignableRequest::new("POST", request.uri().to_string(), headers, payload).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions.apply_to_request_http1x(&mut request);
    let mut head = String::from("POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 2");
    for (k, v) in request.headers() {
        head.push_str(&format!("\r\n{k}: {}", v.to_str().unwrap()));
    }
    head
}

#[tokio::test]
async fn a_verifying_emulator_refuses_unsigned_payloads() {
    let emu = Emulator::start_with(EmulatorOptions::default().with_credentials("AKID", "SECRET")).await.unwrap();
    let signed = raw_request(emu.port(), &signed_request(emu.port(), false), b"{}").await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    let unsigned = raw_request(emu.port(), &signed_request(emu.port(), true), b"{}").await;
    assert_eq!(unsigned.status, 403, "{}", unsigned.body);
    assert!(unsigned.body.contains("InvalidSignatureException") && unsigned.body.contains("UNSIGNED-PAYLOAD"));
}

#[test]
fn options_never_show_secrets() {
    let options = EmulatorOptions::default().with_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI-secret");
    let shown = format!("{options:?}");
    assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
    assert!(!shown.contains("wJalrXUtnFEMI-secret"), "{shown}");
}
