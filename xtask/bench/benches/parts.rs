//! The runtime's hand-written parts against the well-kept crates that do the same job, on the
//! same inputs: a hand-written piece stays only while it wins here (see BENCHMARKS.md).
//!
//! - JSON: reading and writing the 100-repository DescribeRepositories body, into and from the
//!   generated types (ours) and serde-derived structs of the same fields (`serde_json`).
//! - dates: IMF-fixdate parsing and formatting (`httpdate`), RFC 3339 parsing (`time`).
//! - hex of a SHA-256 (`hex`).

use std::hint::black_box;
use awsjson_runtime::__private::{digest, json};
use criterion::{criterion_group, criterion_main, Criterion};
use ecrpublic::output::DescribeRepositoriesOutput;
use ecrpublic::DateTime;

/// The same fields as the generated `Repository`, for serde.
#[derive(serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Repository {
    repository_arn: Option<String>,
    registry_id: Option<String>,
    repository_name: Option<String>,
    repository_uri: Option<String>,
    created_at: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    associated_repositories: Vec<serde_json::Value>,
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Describe {
    #[serde(default)]
    repositories: Vec<Repository>,
    next_token: Option<String>,
}

fn json_read(c: &mut Criterion) {
    let body = ecrpublic_bench::describe_body();
    let ours: DescribeRepositoriesOutput = json::from_slice(&body).expect("ours parses");
    let theirs: Describe = serde_json::from_slice(&body).expect("serde parses");
    // Not a timing assertion: both decode the same 100 repositories.
    assert_eq!((ours.repositories.len(), theirs.repositories.len()), (100, 100));
    let mut g = c.benchmark_group("json_read_describe_100");
    g.bench_function("ours", |b| {
        b.iter(|| json::from_slice::<DescribeRepositoriesOutput>(black_box(&body)).expect("parses"))
    });
    g.bench_function("serde_json", |b| {
        b.iter(|| serde_json::from_slice::<Describe>(black_box(&body)).expect("parses"))
    });
    g.finish();
}

fn json_write(c: &mut Criterion) {
    let body = ecrpublic_bench::describe_body();
    let ours: DescribeRepositoriesOutput = json::from_slice(&body).expect("ours parses");
    let theirs: Describe = serde_json::from_slice(&body).expect("serde parses");
    let (a, b) = (json::to_vec(&ours), serde_json::to_vec(&theirs).expect("serializes"));
    // Both write the same document back (the numbers may be spelled differently).
    let parse = |v: &[u8]| serde_json::from_slice::<Describe>(v).expect("valid JSON").repositories.len();
    assert_eq!((parse(&a), parse(&b)), (100, 100));
    let mut g = c.benchmark_group("json_write_describe_100");
    g.bench_function("ours", |b| b.iter(|| json::to_vec(black_box(&ours))));
    g.bench_function("serde_json", |b| b.iter(|| serde_json::to_vec(black_box(&theirs)).expect("serializes")));
    g.finish();
}

fn dates(c: &mut Criterion) {
    const IMF: &str = "Mon, 07 Dec 2026 10:00:19 GMT";
    const RFC3339: &str = "2026-12-07T10:00:19.123Z";
    let ours = DateTime::from_http_date(IMF).expect("ours parses");
    let theirs = httpdate::parse_http_date(IMF).expect("httpdate parses");
    let secs = theirs.duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
    assert_eq!(ours.secs(), secs as i64);
    assert_eq!(ours.to_http_date(), httpdate::fmt_http_date(theirs));
    let rfc = time::format_description::well_known::Rfc3339;
    assert_eq!(
        DateTime::from_rfc3339(RFC3339).expect("ours parses").secs(),
        time::OffsetDateTime::parse(RFC3339, &rfc).expect("time parses").unix_timestamp()
    );

    let mut g = c.benchmark_group("http_date_parse");
    g.bench_function("ours", |b| b.iter(|| DateTime::from_http_date(black_box(IMF))));
    g.bench_function("httpdate", |b| b.iter(|| httpdate::parse_http_date(black_box(IMF))));
    g.finish();
    let mut g = c.benchmark_group("http_date_format");
    g.bench_function("ours", |b| b.iter(|| black_box(ours).to_http_date()));
    g.bench_function("httpdate", |b| b.iter(|| httpdate::fmt_http_date(black_box(theirs))));
    g.finish();
    let mut g = c.benchmark_group("rfc3339_parse");
    g.bench_function("ours", |b| b.iter(|| DateTime::from_rfc3339(black_box(RFC3339))));
    g.bench_function("time", |b| b.iter(|| time::OffsetDateTime::parse(black_box(RFC3339), &rfc)));
    g.finish();
}

fn hex_digest(c: &mut Criterion) {
    let sha: [u8; 32] = std::array::from_fn(|i| (i * 37 + 11) as u8);
    assert_eq!(digest::hex(&sha), hex::encode(sha));
    let mut g = c.benchmark_group("hex_sha256");
    g.bench_function("ours", |b| b.iter(|| digest::hex(black_box(&sha))));
    g.bench_function("hex", |b| b.iter(|| hex::encode(black_box(sha))));
    g.finish();
}

criterion_group!(benches, json_read, json_write, dates, hex_digest);
criterion_main!(benches);
