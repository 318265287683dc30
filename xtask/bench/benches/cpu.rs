//! Client CPU per call with the network taken out: one full `describe_repositories().send()`
//! answered by a canned 100-repository response, on a current-thread tokio runtime.

use criterion::{criterion_group, criterion_main, Criterion};
use ecrpublic_bench::{Client, Which};

fn describe_repositories(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let mut group = c.benchmark_group("describe_repositories_100");
    for which in Which::BOTH {
        let client = rt.block_on(async { Client::canned(which) });
        // Not a timing assertion: a check that both clients do the same, whole work.
        assert_eq!(rt.block_on(client.describe()), 100);
        group.bench_function(which.name(), |b| b.iter(|| rt.block_on(client.describe())));
    }
    group.finish();
}

criterion_group!(benches, describe_repositories);
criterion_main!(benches);
