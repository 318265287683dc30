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

/// Counts its loads: credentials must be fetched once for every call of the run.
#[derive(Debug, Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl aws_credential_types::provider::ProvideCredentials for Counting {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.0.fetch_add(1, Ordering::SeqCst);
        aws_credential_types::provider::future::ProvideCredentials::ready(Ok(ecrpublic::Credentials::new(
            "AKID", "SECRET", None, None, "counting",
        )))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_from_64_tasks_with_faults_injected_all_end() {
    use ecrpublic::Error;
    const TASKS: usize = 64;
    const CALLS: usize = 1000;
    let emu = Emulator::start().await.expect("start");
    let loads = Counting::default();
    let client = ecrpublic::Client::new(
        &ecrpublic::Config::builder()
            .region("us-east-1")
            .endpoint_url(emu.url())
            .credentials_provider(loads.clone())
            .max_attempts(3)
            .operation_timeout(std::time::Duration::from_secs(20))
            .build(),
    );
    client.create_repository("shared").send().await.expect("create");
    // Throttling and server errors in bursts, refilled while the calls run: each is retried
    // with backoff until it succeeds, or ends typed once attempts or the retry quota run out.
    emu.fail_next("DescribeRepositories", "ThrottlingException", 150);
    emu.fail_next("DescribeRepositories", "ServerException", 150);
    let (ok, service, other) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let (client, ok, service, other) = (client.clone(), ok.clone(), service.clone(), other.clone());
            tokio::spawn(async move {
                for _ in (t..CALLS).step_by(TASKS) {
                    match client.describe_repositories().send().await {
                        Ok(out) => {
                            assert_eq!(out.repositories.len(), 1);
                            ok.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(Error::Service(e)) => {
                            let text = e.to_string();
                            assert!(text.contains("injected"), "an injected fault, typed: {text}");
                            service.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => {
                            // Anything else (the retry quota running dry under the storm is
                            // one) is still an `Error` value; it is counted and shown below.
                            eprintln!("call ended in: {e}");
                            other.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            })
        })
        .collect();
    // No task may hang: every call ends within the operation timeout, so the run within a bound.
    let all = async {
        for task in tasks {
            task.await.expect("no task panicked");
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(300), all).await.expect("every task ended");
    let (ok, service, other) =
        (ok.load(Ordering::SeqCst), service.load(Ordering::SeqCst), other.load(Ordering::SeqCst));
    eprintln!("{ok} succeeded, {service} ended in an injected error, {other} otherwise");
    assert_eq!(ok + service + other, CALLS, "every call ended in a success or a typed error");
    assert!(ok >= CALLS - 300, "most calls succeed, retried past the faults: {ok} of {CALLS}");
    assert_eq!(loads.0.load(Ordering::SeqCst), 1, "credentials are fetched once for all calls");
}
