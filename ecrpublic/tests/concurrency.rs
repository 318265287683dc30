//! Many calls from many tasks on one client: all succeed, over a bounded number of connections.
#![cfg(feature = "emulator")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ecrpublic::emulator::{Emulator, EmulatorOptions};

/// Forwards the TCP connections `listener` accepts to `target`, counting them.
fn counting_proxy(listener: tokio::net::TcpListener, target: u16) -> Arc<AtomicUsize> {
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            });
        }
    });
    accepted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_from_64_tasks_on_one_client() {
    const TASKS: usize = 64;
    const CALLS: usize = 1000;
    // The counter listens on another loopback address with the emulator's port, so the `Host`
    // the client sends is one the emulator accepts.
    let options = EmulatorOptions { allowed_hosts: vec!["127.0.0.2".to_owned()], ..EmulatorOptions::default() };
    let emu = Emulator::start_with(options).await.expect("start");
    let listener = tokio::net::TcpListener::bind(("127.0.0.2", emu.port())).await.expect("bind 127.0.0.2");
    let accepted = counting_proxy(listener, emu.port());
    let emu_at_proxy = format!("http://127.0.0.2:{}", emu.port());
    // No retries: every one of the calls must succeed the first time.
    let client = ecrpublic::Client::new(
        &ecrpublic::Config::builder()
            .region("us-east-1")
            .endpoint_url(emu_at_proxy)
            .credentials(ecrpublic::Credentials::new("AKID", "SECRET", None, None, "test"))
            .max_attempts(1)
            .build(),
    );
    client.create_repository("shared").send().await.expect("create");
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let (client, done) = (client.clone(), done.clone());
            tokio::spawn(async move {
                for i in (t..CALLS).step_by(TASKS) {
                    let repos =
                        client.describe_repositories().send().await.unwrap_or_else(|e| panic!("call {i}: {e:?}"));
                    assert_eq!(repos.repositories.len(), 1, "call {i}");
                    done.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(done.load(Ordering::SeqCst), CALLS);
    // The pool reuses connections rather than opening one per call. A connection goes back to
    // the pool a moment after its response is read, so a task's next call may find none idle and
    // open another: on a busy machine that happens, hence twice the tasks, far below the calls.
    let opened = accepted.load(Ordering::SeqCst);
    assert!(opened <= 2 * TASKS, "{opened} connections for {CALLS} calls");
}
