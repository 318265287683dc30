//! The benchmark driver behind `cargo xtask bench`.
//!
//! ```text
//! ecrpublic-bench report --root DIR [--quick] [--skip-build-cost]
//!     every figure but the criterion one (read from target/bench/criterion), written to
//!     target/bench/results.json and printed as a Markdown table
//! ecrpublic-bench serve            a local server of canned responses (prints its port)
//! ecrpublic-bench upload-mem WHICH one 20 MiB UploadLayerPart in this fresh process; prints RSS
//! ```
//!
//! Nothing here asserts a timing: figures are measured and reported.

use std::convert::Infallible;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ecrpublic_bench::{cpu_seconds, make_part, max_rss_kib, median, proc_status_kib, Client, Which, PART_SIZE};
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => serve(),
        Some("upload-mem") => upload_mem(args.get(1).and_then(|s| Which::parse(s)).expect("upload-mem ours|official")),
        Some("report") => report(&args[1..]),
        // For profilers (valgrind --tool=callgrind): N canned DescribeRepositories calls.
        Some("describe-loop") => {
            let which = args.get(1).and_then(|s| Which::parse(s)).expect("describe-loop ours|official N");
            let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000);
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            let client = rt.block_on(async { Client::canned(which) });
            rt.block_on(async {
                for _ in 0..n {
                    client.describe().await;
                }
            });
        }
        // For profilers: one canned 20 MiB UploadLayerPart.
        Some("upload-once") => {
            let which = args.get(1).and_then(|s| Which::parse(s)).expect("upload-once ours|official");
            upload_time(which, &make_part(), 1);
        }
        _ => {
            eprintln!("usage: ecrpublic-bench report --root DIR [--quick] [--skip-build-cost] | serve | upload-mem ours|official");
            std::process::exit(2);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The local server (a child process, so that its CPU is not the client's)
// ---------------------------------------------------------------------------------------------

fn serve() {
    // One thread: the server is cheap next to either client, and leaves the other core free.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        println!("{}", listener.local_addr().expect("an address").port());
        std::io::stdout().flush().expect("stdout");
        // The parent closes our stdin when it is done (or dies): then we stop.
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                    let target =
                        req.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                    let _ = req.into_body().collect().await;
                    let body = ecrpublic_bench::body_for_target(&target);
                    let response = hyper::Response::builder()
                        .header("content-type", ecrpublic_bench::CONTENT_TYPE)
                        .header("x-amzn-requestid", ecrpublic_bench::REQUEST_ID)
                        .body(Full::new(body))
                        .expect("a valid response");
                    Ok::<_, Infallible>(response)
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    });
}

struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(std::env::current_exe().expect("our own path"))
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the local server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the server's port");
        let port: u16 = line.trim().parse().expect("a port number");
        Server { child, endpoint: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

/// Sequential calls on a current-thread runtime: (calls/s, client CPU µs per call).
///
/// The server is another process, so this process's CPU (`RUSAGE_SELF`, all its threads) is the
/// client's alone, including anything a client might hand to helper threads.
fn sequential(which: Which, endpoint: &str, calls: usize) -> (f64, f64) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    rt.block_on(async {
        let client = Client::new(which, endpoint, false);
        for _ in 0..calls / 10 {
            assert_eq!(client.describe().await, 100);
        }
        let cpu = cpu_seconds(libc::RUSAGE_SELF);
        let start = Instant::now();
        for _ in 0..calls {
            client.describe().await;
        }
        let wall = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds(libc::RUSAGE_SELF) - cpu;
        (calls as f64 / wall, cpu / calls as f64 * 1e6)
    })
}

const IN_FLIGHT: usize = 16;

/// `IN_FLIGHT` calls at a time on a 2-worker multi-thread runtime: calls/s.
fn in_flight(which: Which, endpoint: &str, calls: usize) -> f64 {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    rt.block_on(async {
        let client = Client::new(which, endpoint, false);
        let round = |per_task: usize| {
            let tasks: Vec<_> = (0..IN_FLIGHT)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move {
                        for _ in 0..per_task {
                            client.describe().await;
                        }
                    })
                })
                .collect();
            async move {
                for t in tasks {
                    t.await.expect("a task");
                }
            }
        };
        round((calls / 10 / IN_FLIGHT).max(1)).await; // warm up: connections, caches
        let start = Instant::now();
        round(calls / IN_FLIGHT).await;
        (calls / IN_FLIGHT * IN_FLIGHT) as f64 / start.elapsed().as_secs_f64()
    })
}

/// One 20 MiB UploadLayerPart through the discarding transport: seconds for the whole call
/// (serialize: base64 into JSON; sign: SHA-256 of the body; send; read the output).
fn upload_time(which: Which, part: &[u8], reps: usize) -> f64 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let client = rt.block_on(async { Client::canned(which) });
    let mut samples = Vec::new();
    for i in 0..reps + 1 {
        let part = part.to_vec();
        let start = Instant::now();
        let last = rt.block_on(client.upload(part));
        let t = start.elapsed().as_secs_f64();
        assert_eq!(last, PART_SIZE as i64 - 1);
        if i > 0 {
            samples.push(t); // the first call warms up
        }
    }
    median(&samples)
}

/// Child process: the RSS high-water mark of one 20 MiB UploadLayerPart above what the process
/// held (client built, part in memory) just before the call.
///
/// The peak is `VmHWM` (this process's own address space, reset just before the call), not
/// `ru_maxrss`: Linux carries the parent's high-water mark into `ru_maxrss` across fork/exec, so
/// a child of a big parent would report the parent's peak. `ru_maxrss` is printed for reference.
fn upload_mem(which: Which) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let client = rt.block_on(async { Client::canned(which) });
    let part = make_part();
    let before = proc_status_kib("VmRSS:");
    // Writing 5 to clear_refs resets VmHWM to the current RSS.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let last = rt.block_on(client.upload(part));
    assert_eq!(last, PART_SIZE as i64 - 1);
    let peak = proc_status_kib("VmHWM:");
    println!(
        "{}",
        json!({
            "before_kib": before,
            "peak_kib": peak,
            "extra_kib": peak.saturating_sub(before),
            "hwm_reset": reset,
            "ru_maxrss_kib": max_rss_kib(),
        })
    );
}

fn upload_mem_child(which: Which) -> f64 {
    let out = Command::new(std::env::current_exe().expect("our own path"))
        .args(["upload-mem", which.name()])
        .output()
        .expect("run upload-mem");
    assert!(out.status.success(), "upload-mem failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("upload-mem's JSON");
    v["extra_kib"].as_f64().expect("extra_kib") * 1024.0
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Wall time of `cargo xtask codegen` in the repository.
fn codegen_time(root: &Path) -> f64 {
    let start = Instant::now();
    let out = Command::new(cargo())
        .args(["xtask", "codegen"])
        .current_dir(root)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run cargo xtask codegen");
    let t = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "cargo xtask codegen failed: {}", String::from_utf8_lossy(&out.stderr));
    t
}

fn rust_lines(dir: &Path) -> u64 {
    let mut n = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            n += rust_lines(&p);
        } else if p.extension().is_some_and(|x| x == "rs") {
            n += std::fs::read_to_string(&p).map(|s| s.lines().count() as u64).unwrap_or(0);
        }
    }
    n
}

/// The version of a package in the bench crate's Cargo.lock.
fn locked_version(root: &Path, name: &str) -> String {
    let lock = std::fs::read_to_string(root.join("xtask/bench/Cargo.lock")).unwrap_or_default();
    let needle = format!("name = \"{name}\"\nversion = \"");
    lock.find(&needle)
        .map(|i| lock[i + needle.len()..].split('"').next().unwrap_or("").to_owned())
        .unwrap_or_else(|| "?".into())
}

fn official_src(root: &Path) -> Option<PathBuf> {
    let version = locked_version(root, "aws-sdk-ecrpublic");
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let registries = std::fs::read_dir(home.join("registry/src")).ok()?;
    registries.flatten().map(|r| r.path().join(format!("aws-sdk-ecrpublic-{version}/src"))).find(|p| p.is_dir())
}

struct Build {
    seconds: f64,
    crates: f64,
    stripped_bytes: f64,
}

/// A clean release build of one minimal program, in a fresh target directory.
fn clean_build(root: &Path, package: &str, run: usize) -> Build {
    let target = root.join("target/bench/build-cost").join(package);
    let _ = std::fs::remove_dir_all(&target);
    let start = Instant::now();
    let out = Command::new(cargo())
        .args(["build", "--release", "--locked", "-p", package])
        .current_dir(root.join("xtask/bench"))
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("run cargo build");
    let seconds = start.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "building {package} failed:\n{log}");
    let crates = log.lines().filter(|l| l.trim_start().starts_with("Compiling ")).count() as f64;
    let binary = target.join("release").join(package);
    let stripped = target.join(format!("{package}.stripped"));
    std::fs::copy(&binary, &stripped).expect("copy the binary");
    let ok = Command::new("strip").arg(&stripped).status().expect("run strip").success();
    assert!(ok, "strip failed");
    let stripped_bytes = std::fs::metadata(&stripped).expect("the stripped binary").len() as f64;
    eprintln!("  build {package} #{run}: {seconds:.1} s, {crates} crates, {stripped_bytes} bytes stripped");
    Build { seconds, crates, stripped_bytes }
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

/// Higher or lower is better, and the target for this figure.
#[derive(Clone, Copy)]
enum Target {
    /// ours/official at most `max` (aim `aim`).
    RatioAtMost {
        max: f64,
        aim: Option<f64>,
    },
    /// ours/official at least `min` (aim `aim`).
    RatioAtLeast {
        min: f64,
        aim: Option<f64>,
    },
    /// ours alone at most `max` (in the figure's unit).
    OursAtMost(f64),
    /// ours alone at least `min`.
    OursAtLeast(f64),
    None,
}

struct Figure {
    name: String,
    unit: &'static str,
    ours: f64,
    official: Option<f64>,
    target: Target,
    runs: usize,
}

impl Figure {
    fn ratio(&self) -> Option<f64> {
        self.official.filter(|o| *o != 0.0).map(|o| self.ours / o)
    }

    fn target_text(&self) -> String {
        let aim = |a: Option<f64>| a.map(|a| format!(" (aim {a})")).unwrap_or_default();
        match self.target {
            Target::RatioAtMost { max, aim: a } => format!("ratio <= {max}{}", aim(a)),
            Target::RatioAtLeast { min, aim: a } => format!("ratio >= {min}{}", aim(a)),
            Target::OursAtMost(v) => format!("ours <= {} {}", fmt_num(v), self.unit),
            Target::OursAtLeast(v) => format!("ours >= {} {}", fmt_num(v), self.unit),
            Target::None => "-".into(),
        }
    }

    fn met(&self) -> Option<bool> {
        match self.target {
            Target::RatioAtMost { max, .. } => self.ratio().map(|r| r <= max),
            Target::RatioAtLeast { min, .. } => self.ratio().map(|r| r >= min),
            Target::OursAtMost(v) => Some(self.ours <= v),
            Target::OursAtLeast(v) => Some(self.ours >= v),
            Target::None => None,
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "unit": self.unit,
            "ours": self.ours,
            "official": self.official,
            "ratio_ours_over_official": self.ratio(),
            "target": self.target_text(),
            "met": self.met(),
            "runs": self.runs,
        })
    }
}

fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn shell(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|r| r.trim_start_matches([' ', '\t', ':']).to_owned()))
        .unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    json!({
        "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu_model": model,
        "memory_gib": (mem_kib as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0,
        "load_average": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
        "kernel": shell("uname", &["-r"]),
    })
}

fn criterion_median_ns(dir: &Path, which: Which) -> Option<f64> {
    let path = dir.join("describe_repositories_100").join(which.name()).join("new/estimates.json");
    let v: Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

struct Options {
    root: PathBuf,
    quick: bool,
    skip_build_cost: bool,
}

fn report(args: &[String]) {
    let mut opts = Options { root: PathBuf::from("."), quick: false, skip_build_cost: false };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--root" => opts.root = PathBuf::from(it.next().expect("--root DIR")),
            "--quick" => opts.quick = true,
            "--skip-build-cost" => opts.skip_build_cost = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let root = opts.root.canonicalize().expect("the repository root");
    let (reps, seq_calls, flight_calls, upload_reps, mem_reps, codegen_reps, build_reps) =
        if opts.quick { (3, 1_000, 1_600, 3, 1, 3, 1) } else { (5, 3_000, 3_200, 7, 3, 7, 3) };
    let started = Instant::now();
    let machine = machine();
    let mut figures = Vec::new();

    // 1. CPU per call without a network: criterion's medians (`cargo bench` ran first).
    let criterion_dir = root.join("target/bench/criterion");
    let cpu = Which::BOTH.map(|w| criterion_median_ns(&criterion_dir, w));
    if let [Some(ours), Some(official)] = cpu {
        figures.push(Figure {
            name: "1. CPU per DescribeRepositories call, no network (criterion median)".into(),
            unit: "µs",
            ours: ours / 1e3,
            official: Some(official / 1e3),
            target: Target::RatioAtMost { max: 0.5, aim: Some(0.33) },
            runs: 1,
        });
    } else {
        eprintln!("warning: no criterion estimates under {}", criterion_dir.display());
    }

    // 2 and 3. A local server in a child process.
    eprintln!("local server: {reps} runs of {seq_calls} sequential and {flight_calls} concurrent calls per client");
    let server = Server::start();
    let (mut seq_rate, mut seq_cpu, mut flight_rate) = ([vec![], vec![]], [vec![], vec![]], [vec![], vec![]]);
    for run in 0..reps {
        for (i, which) in Which::BOTH.into_iter().enumerate() {
            let (rate, cpu) = sequential(which, &server.endpoint, seq_calls);
            seq_rate[i].push(rate);
            seq_cpu[i].push(cpu);
            let rate16 = in_flight(which, &server.endpoint, flight_calls);
            flight_rate[i].push(rate16);
            eprintln!(
                "  run {run} {:8}: sequential {rate:.0}/s ({cpu:.1} µs CPU/call), {IN_FLIGHT} in flight {rate16:.0}/s",
                which.name()
            );
        }
    }
    drop(server);
    let m = |v: &Vec<f64>| median(v);
    figures.push(Figure {
        name: format!("2. Sequential calls, local server (median of {reps} x {seq_calls})"),
        unit: "calls/s",
        ours: m(&seq_rate[0]),
        official: Some(m(&seq_rate[1])),
        target: Target::RatioAtLeast { min: 1.6, aim: Some(2.0) },
        runs: reps,
    });
    figures.push(Figure {
        name: "2. Client CPU per sequential call, local server (RUSAGE_SELF)".into(),
        unit: "µs",
        ours: m(&seq_cpu[0]),
        official: Some(m(&seq_cpu[1])),
        target: Target::RatioAtMost { max: 0.5, aim: Some(0.33) },
        runs: reps,
    });
    figures.push(Figure {
        name: format!("3. {IN_FLIGHT} calls in flight, 2 workers (median of {reps} x {flight_calls})"),
        unit: "calls/s",
        ours: m(&flight_rate[0]),
        official: Some(m(&flight_rate[1])),
        target: Target::RatioAtLeast { min: 1.6, aim: Some(2.0) },
        runs: reps,
    });

    // 5. The 20 MiB part.
    eprintln!("upload: {upload_reps} timed calls per client, {mem_reps} fresh processes per client for memory");
    let part = make_part();
    let up = Which::BOTH.map(|w| upload_time(w, &part, upload_reps));
    drop(part);
    let mib = PART_SIZE as f64 / (1024.0 * 1024.0);
    figures.push(Figure {
        name: "5. One 20 MiB UploadLayerPart, whole call through a discarding transport".into(),
        unit: "ms",
        ours: up[0] * 1e3,
        official: Some(up[1] * 1e3),
        target: Target::None,
        runs: upload_reps,
    });
    figures.push(Figure {
        name: "5. Upload encoding throughput (part bytes / whole-call time)".into(),
        unit: "MiB/s",
        ours: mib / up[0],
        official: Some(mib / up[1]),
        target: Target::OursAtLeast(1024.0),
        runs: upload_reps,
    });
    let mem = Which::BOTH.map(|w| median(&(0..mem_reps).map(|_| upload_mem_child(w)).collect::<Vec<_>>()));
    figures.push(Figure {
        name: "5. Peak extra memory of the upload / part size (VmHWM, fresh process)".into(),
        unit: "x part",
        ours: mem[0] / PART_SIZE as f64,
        official: Some(mem[1] / PART_SIZE as f64),
        target: Target::OursAtMost(2.5),
        runs: mem_reps,
    });

    // 6. Codegen time and generated lines.
    eprintln!("codegen: 1 warm-up and {codegen_reps} timed runs of `cargo xtask codegen`");
    codegen_time(&root);
    let times: Vec<f64> = (0..codegen_reps).map(|_| codegen_time(&root)).collect();
    figures.push(Figure {
        name: format!("6. `cargo xtask codegen` wall time (median of {codegen_reps})"),
        unit: "s",
        ours: median(&times),
        official: None,
        target: Target::OursAtMost(1.0),
        runs: codegen_reps,
    });
    let ours_lines = rust_lines(&root.join("ecrpublic/src/generated"));
    let official_dir = official_src(&root);
    let official_lines = official_dir.as_deref().map(rust_lines);
    figures.push(Figure {
        name: "6. Lines of generated Rust (ecrpublic/src/generated vs aws-sdk-ecrpublic/src)".into(),
        unit: "lines",
        ours: ours_lines as f64,
        official: official_lines.map(|n| n as f64),
        target: Target::RatioAtMost { max: 0.35, aim: None },
        runs: 1,
    });

    // 4. Clean release builds: last, being the heaviest.
    if !opts.skip_build_cost {
        eprintln!("build cost: {build_reps} clean release builds per client (the official one takes minutes)");
        let mut builds: [Vec<Build>; 2] = [vec![], vec![]];
        for run in 0..build_reps {
            builds[0].push(clean_build(&root, "minimal-ours", run));
            builds[1].push(clean_build(&root, "minimal-official", run));
        }
        let pick = |i: usize, f: fn(&Build) -> f64| median(&builds[i].iter().map(f).collect::<Vec<_>>());
        figures.push(Figure {
            name: format!("4. Clean release build of a one-call program (median of {build_reps})"),
            unit: "s",
            ours: pick(0, |b| b.seconds),
            official: Some(pick(1, |b| b.seconds)),
            target: Target::RatioAtMost { max: 0.45, aim: Some(0.3) },
            runs: build_reps,
        });
        figures.push(Figure {
            name: "4. Crates compiled (`Compiling` lines)".into(),
            unit: "crates",
            ours: pick(0, |b| b.crates),
            official: Some(pick(1, |b| b.crates)),
            target: Target::RatioAtMost { max: 0.5, aim: None },
            runs: build_reps,
        });
        figures.push(Figure {
            name: "4. Stripped release binary".into(),
            unit: "KiB",
            ours: pick(0, |b| b.stripped_bytes) / 1024.0,
            official: Some(pick(1, |b| b.stripped_bytes) / 1024.0),
            target: Target::RatioAtMost { max: 0.4, aim: Some(0.35) },
            runs: build_reps,
        });
    }

    figures.sort_by(|a, b| a.name[..2].cmp(&b.name[..2]));
    let versions = json!({
        "rustc": shell("rustc", &["-V"]),
        "ecrpublic": format!("0.1.0 (git {})", shell("git", &["-C", root.to_str().unwrap_or("."), "describe", "--always", "--dirty"])),
        "aws-sdk-ecrpublic": locked_version(&root, "aws-sdk-ecrpublic"),
        "aws-config": locked_version(&root, "aws-config"),
        "aws-smithy-runtime": locked_version(&root, "aws-smithy-runtime"),
    });
    let results = json!({
        "date": shell("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]),
        "command": format!(
            "cargo xtask bench{}{}",
            if opts.quick { " --quick" } else { "" },
            if opts.skip_build_cost { " --skip-build-cost" } else { "" }
        ),
        "machine": machine,
        "load_average_after": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
        "versions": versions,
        "describe_repositories_body_bytes": ecrpublic_bench::describe_body().len(),
        "part_bytes": PART_SIZE,
        "duration_s": started.elapsed().as_secs_f64(),
        "figures": figures.iter().map(Figure::to_json).collect::<Vec<_>>(),
    });
    let out = root.join("target/bench/results.json");
    std::fs::create_dir_all(out.parent().expect("a parent")).expect("create target/bench");
    std::fs::write(&out, serde_json::to_string_pretty(&results).expect("JSON") + "\n").expect("write results.json");

    println!("{}", markdown(&results, &figures));
    eprintln!("wrote {} in {:.0?}", out.display(), Duration::from_secs_f64(started.elapsed().as_secs_f64().round()));
}

fn markdown(results: &Value, figures: &[Figure]) -> String {
    let mut s = String::new();
    let m = &results["machine"];
    s += &format!(
        "`{}` on {} ({} CPUs, {} GiB), load average at start {}; {}; ecrpublic {}, aws-sdk-ecrpublic {}; {}\n\n",
        results["command"].as_str().unwrap_or(""),
        m["cpu_model"].as_str().unwrap_or("?"),
        m["nproc"],
        m["memory_gib"],
        m["load_average"].as_str().unwrap_or("?"),
        results["versions"]["rustc"].as_str().unwrap_or("?"),
        results["versions"]["ecrpublic"].as_str().unwrap_or("?"),
        results["versions"]["aws-sdk-ecrpublic"].as_str().unwrap_or("?"),
        results["date"].as_str().unwrap_or(""),
    );
    s += "| figure | unit | ours | official | ours/official | target | met |\n";
    s += "| --- | --- | ---: | ---: | ---: | --- | --- |\n";
    for f in figures {
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            f.name,
            f.unit,
            fmt_num(f.ours),
            f.official.map(fmt_num).unwrap_or_else(|| "-".into()),
            f.ratio().map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into()),
            f.target_text(),
            match f.met() {
                Some(true) => "met",
                Some(false) => "missed",
                None => "-",
            }
        );
    }
    s
}
