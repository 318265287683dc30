//! What both benchmark programs share: the canned responses, a transport for each client that
//! answers without a network, and the two clients behind one type.

use std::fmt;
use std::fmt::Write as _;
use std::sync::OnceLock;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;

pub const REGION: &str = "us-east-1";
pub const REQUEST_ID: &str = "8f2b1c6e-0d7a-4a52-9f0e-3b1c2d4e5f60";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The part size of the upload benchmark.
pub const PART_SIZE: usize = 20 << 20;

/// A DescribeRepositories response of 100 repositories (about 22.5 KB of JSON), built once.
pub fn describe_body() -> Bytes {
    static BODY: OnceLock<Bytes> = OnceLock::new();
    BODY.get_or_init(|| {
        let mut s = String::from("{\"repositories\":[");
        for i in 0..100u32 {
            if i > 0 {
                s.push(',');
            }
            let name = format!("team-{}/service-{i:03}", i % 7);
            write!(
                s,
                "{{\"repositoryArn\":\"arn:aws:ecr-public::123456789012:repository/{name}\",\
                 \"registryId\":\"123456789012\",\"repositoryName\":\"{name}\",\
                 \"repositoryUri\":\"public.ecr.aws/a1b2c3d4/{name}\",\"createdAt\":{}.{:03}}}",
                1_700_000_000 + i * 3_600,
                i * 7 % 1000
            )
            .unwrap();
        }
        s.push_str("],\"nextToken\":\"eyJ2ZXJzaW9uIjoxLCJvZmZzZXQiOjEwMH0=\"}");
        Bytes::from(s)
    })
    .clone()
}

/// The UploadLayerPart response for a part of `PART_SIZE` bytes.
pub fn upload_body() -> Bytes {
    Bytes::from(format!(
        "{{\"registryId\":\"123456789012\",\"repositoryName\":\"bench\",\"uploadId\":\"upload-1\",\
         \"lastByteReceived\":{}}}",
        PART_SIZE - 1
    ))
}

/// The canned answer for an `X-Amz-Target` header value.
pub fn body_for_target(target: &str) -> Bytes {
    if target.ends_with(".UploadLayerPart") {
        upload_body()
    } else {
        describe_body()
    }
}

/// Our transport without a network: the request is dropped (for uploads: the body is
/// discarded) and a canned response is built.
#[derive(Clone)]
pub struct OursCanned;

impl ecrpublic::Transport for OursCanned {
    fn send(
        &self,
        request: ecrpublic::HttpRequest,
    ) -> ecrpublic::BoxFuture<'_, Result<ecrpublic::HttpResponse, ecrpublic::TransportError>> {
        let target = request.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
        let body = body_for_target(target);
        drop(request);
        let response = http::Response::builder()
            .status(200)
            .header("content-type", CONTENT_TYPE)
            .header("x-amzn-requestid", REQUEST_ID)
            .header("content-length", body.len())
            .body(body)
            .expect("a valid response");
        Box::pin(std::future::ready(Ok(response)))
    }
}

/// The official SDK's HTTP client without a network, answering exactly as [`OursCanned`].
#[derive(Clone)]
pub struct OfficialCanned;

impl fmt::Debug for OfficialCanned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OfficialCanned")
    }
}

impl HttpConnector for OfficialCanned {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let body = body_for_target(request.headers().get("x-amz-target").unwrap_or(""));
        drop(request);
        let len = body.len();
        let mut response = HttpResponse::new(200u16.try_into().expect("a valid status"), SdkBody::from(body));
        response.headers_mut().insert("content-type", CONTENT_TYPE);
        response.headers_mut().insert("x-amzn-requestid", REQUEST_ID);
        response.headers_mut().insert("content-length", len.to_string());
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for OfficialCanned {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

/// Which client a measurement is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Ours,
    Official,
}

impl Which {
    pub const BOTH: [Which; 2] = [Which::Ours, Which::Official];

    pub fn name(self) -> &'static str {
        match self {
            Which::Ours => "ours",
            Which::Official => "official",
        }
    }

    pub fn parse(s: &str) -> Option<Which> {
        match s {
            "ours" => Some(Which::Ours),
            "official" => Some(Which::Official),
            _ => None,
        }
    }
}

/// Either client, configured alike: region, static credentials, an endpoint, default retries.
#[derive(Clone)]
pub enum Client {
    Ours(ecrpublic::Client),
    Official(aws_sdk_ecrpublic::Client),
}

impl Client {
    /// A client whose requests never leave the process (canned responses).
    pub fn canned(which: Which) -> Client {
        Client::new(which, "https://api.ecr-public.us-east-1.amazonaws.com", true)
    }

    /// A client of `endpoint` through its default HTTP stack (hyper), or through the canned
    /// transport.
    pub fn new(which: Which, endpoint: &str, canned: bool) -> Client {
        match which {
            Which::Ours => {
                let mut b = ecrpublic::Config::builder()
                    .region(REGION)
                    .endpoint_url(endpoint)
                    .credentials(ecrpublic::Credentials::new("AKID", "SECRET", None, None, "bench"));
                if canned {
                    b = b.transport(OursCanned);
                }
                Client::Ours(ecrpublic::Client::new(&b.build()))
            }
            Which::Official => {
                use aws_sdk_ecrpublic::config::{BehaviorVersion, Credentials, Region};
                let mut b = aws_sdk_ecrpublic::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(Region::new(REGION))
                    .endpoint_url(endpoint)
                    .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "bench"));
                if canned {
                    b = b.http_client(OfficialCanned);
                }
                Client::Official(aws_sdk_ecrpublic::Client::from_conf(b.build()))
            }
        }
    }

    /// One DescribeRepositories call; the number of repositories returned.
    pub async fn describe(&self) -> usize {
        match self {
            Client::Ours(c) => {
                c.describe_repositories().send().await.expect("ours: DescribeRepositories").repositories.len()
            }
            Client::Official(c) => {
                c.describe_repositories().send().await.expect("official: DescribeRepositories").repositories().len()
            }
        }
    }

    /// One UploadLayerPart of `part`; the last byte the (canned) service received.
    pub async fn upload(&self, part: Vec<u8>) -> i64 {
        let last = part.len() as i64 - 1;
        match self {
            Client::Ours(c) => c
                .upload_layer_part("bench", "6f1c7a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", 0, last, part)
                .send()
                .await
                .expect("ours: UploadLayerPart")
                .last_byte_received
                .unwrap_or(-1),
            Client::Official(c) => c
                .upload_layer_part()
                .repository_name("bench")
                .upload_id("6f1c7a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b")
                .part_first_byte(0)
                .part_last_byte(last)
                .layer_part_blob(aws_sdk_ecrpublic::primitives::Blob::new(part))
                .send()
                .await
                .expect("official: UploadLayerPart")
                .last_byte_received()
                .unwrap_or(-1),
        }
    }
}

/// `PART_SIZE` bytes of incompressible-looking data, every page touched.
pub fn make_part() -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..PART_SIZE)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// User + system CPU time of this process (`RUSAGE_SELF`) or thread (`RUSAGE_THREAD`), in seconds.
pub fn cpu_seconds(who: libc::c_int) -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    let rc = unsafe { libc::getrusage(who, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

/// The resident-set high-water mark of this process, in KiB (`ru_maxrss`).
pub fn max_rss_kib() -> u64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    usage.ru_maxrss as u64
}

/// A KiB figure of /proc/self/status: `VmRSS:` (resident now) or `VmHWM:` (peak resident).
pub fn proc_status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The median of some samples (the mean of the middle two for an even count).
pub fn median(samples: &[f64]) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    assert!(n > 0, "median of nothing");
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
