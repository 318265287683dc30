//! ecrpublic and two crates generated from fixtures, built side by side in one workspace by
//! `cargo xtask check-models --together` (see `tests/compiles.rs`): one `Config` serves all
//! three clients, their credentials are loaded once, and each user agent names its own crate.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_credential_types::provider::{future, ProvideCredentials};
use awsjson_runtime::{BoxFuture, Config, Credentials, HttpRequest, HttpResponse, Transport, TransportError};

/// Counts its loads.
#[derive(Debug, Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl ProvideCredentials for Counting {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.0.fetch_add(1, Ordering::SeqCst);
        future::ProvideCredentials::ready(Ok(Credentials::new("AKIDSHARED", "secret", None, None, "counting")))
    }
}

/// Records every request and answers each with an empty JSON object.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<HttpRequest>>>);

impl Transport for Recorder {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.0.lock().unwrap().push(request);
        let response = http::Response::builder().status(200).body(bytes::Bytes::from_static(b"{}")).unwrap();
        Box::pin(std::future::ready(Ok(response)))
    }
}

impl Recorder {
    fn take(&self) -> Vec<HttpRequest> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn header<'a>(r: &'a HttpRequest, name: &str) -> &'a str {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn one_config_serves_every_client_and_loads_credentials_once() {
    let loads = Counting::default();
    let wire = Recorder::default();
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url("https://shared.example")
        .credentials_provider(loads.clone())
        .transport(wire.clone())
        .build();
    // The same type under each crate's name.
    let ecr = ecrpublic::Client::new(&config);
    let minimal = fixture_minimal::Client::new(&config);
    // A per-service override: another endpoint, the credentials cache still shared.
    let errors = fixture_errors::Client::new(&config.to_builder().endpoint_url("https://errors.example").build());

    ecr.describe_registries().send().await.expect("ecrpublic");
    minimal.ping("a").send().await.expect("minimal");
    errors.fetch("k").send().await.expect("errors");
    minimal.ping("b").send().await.expect("minimal again");

    assert_eq!(loads.0.load(Ordering::SeqCst), 1, "credentials are loaded once for every client");
    let sent = wire.take();
    assert_eq!(sent.len(), 4);
    let hosts: Vec<_> = sent.iter().map(|r| r.uri().host().unwrap_or("").to_string()).collect();
    assert_eq!(hosts, ["shared.example", "shared.example", "errors.example", "shared.example"]);
    for r in &sent {
        assert!(header(r, "authorization").contains("Credential=AKIDSHARED/"), "{:?}", r.headers());
    }
}

#[tokio::test]
async fn each_user_agent_names_its_crate_and_the_runtime() {
    let wire = Recorder::default();
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url("https://shared.example")
        .credentials(Credentials::new("AKID", "secret", None, None, "test"))
        .transport(wire.clone())
        .build();
    ecrpublic::Client::new(&config).describe_registries().send().await.expect("ecrpublic");
    fixture_minimal::Client::new(&config).ping("a").send().await.expect("minimal");
    let sent = wire.take();
    let (ecr, minimal) = (header(&sent[0], "user-agent"), header(&sent[1], "user-agent"));
    assert!(ecr.starts_with("ecrpublic/0.1.0 api/ecr-public#"), "{ecr}");
    assert!(minimal.starts_with("fixture-minimal/0.1.0 api/minimal#"), "{minimal}");
    for ua in [ecr, minimal] {
        assert!(ua.split(' ').any(|t| t.starts_with("md/awsjson-runtime#")), "{ua}");
    }
}
