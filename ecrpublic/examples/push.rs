//! Pushes an OCI image layout (or a `docker save` tarball) to ECR Public, with progress bars.
//!
//! ```text
//! cargo run -p ecrpublic --example push -- [--endpoint URL] [--concurrency N] [--create] LAYOUT REPOSITORY:TAG [TAG...]
//! ```
//!
//! Credentials and Region come from the environment, as for any AWS tool. With `--endpoint`
//! (e.g. the emulator, `cargo run -p ecrpublic --features emulator --bin ecrpublic-emulator`),
//! requests go there instead. `--create` makes the repository first if it is missing. On failure it prints one line and exits with 1.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use ecrpublic::error::CreateRepositoryError;
use ecrpublic::push::{PushProgress, Stage};
use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressStyle};

struct Args {
    endpoint: Option<String>,
    create: bool,
    concurrency: Option<usize>,
    layout: String,
    repository: String,
    tags: Vec<String>,
}

const USAGE: &str = "usage: push [--endpoint URL] [--concurrency N] [--create] LAYOUT REPOSITORY:TAG [TAG...]";

fn parse_args() -> Result<Args, String> {
    let mut endpoint = None;
    let mut create = false;
    let mut concurrency = None;
    let mut positional = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--endpoint" => endpoint = Some(args.next().ok_or("--endpoint needs a URL")?),
            "--concurrency" => {
                let n = args.next().ok_or("--concurrency needs a number")?;
                concurrency = Some(n.parse().map_err(|_| format!("--concurrency: `{n}` is not a number"))?);
            }
            "--create" => create = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}; {USAGE}")),
            _ => positional.push(arg),
        }
    }
    let [layout, target, more @ ..] = positional.as_slice() else {
        return Err(USAGE.to_owned());
    };
    // A repository name may hold `/`, and a tag never does: the tag follows the last `:`.
    let (repository, tag) = match target.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r.to_owned(), Some(t.to_owned())),
        _ => (target.clone(), None),
    };
    let tags = tag.into_iter().chain(more.iter().cloned()).collect();
    Ok(Args { endpoint, create, concurrency, layout: layout.clone(), repository, tags })
}

/// One bar for the whole push and one per blob being uploaded.
struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    blobs: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new() -> Bars {
        let multi = MultiProgress::new();
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        overall.set_prefix("total");
        Bars { multi, overall, blobs: Mutex::new(HashMap::new()) }
    }

    fn update(&self, p: &PushProgress) {
        self.overall.set_length(p.total);
        self.overall.set_position(p.done);
        let short = p.digest.trim_start_matches("sha256:").chars().take(12).collect::<String>();
        let mut blobs = self.blobs.lock().unwrap_or_else(|e| e.into_inner());
        match p.stage {
            Stage::Skipped => {
                let _ =
                    self.multi.println(format!("{short}: already in the repository ({})", HumanBytes(p.blob_total)));
            }
            Stage::Uploaded => {
                if let Some(bar) = blobs.remove(&p.digest) {
                    bar.finish_and_clear();
                }
                let _ = self.multi.println(format!("{short}: uploaded ({})", HumanBytes(p.blob_total)));
            }
            _ => {
                let bar = blobs.entry(p.digest.clone()).or_insert_with(|| {
                    let bar = self.multi.add(ProgressBar::new(p.blob_total));
                    bar.set_style(
                        ProgressStyle::with_template("{prefix:>12} [{bar:40}] {bytes}/{total_bytes} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_bar())
                            .progress_chars("=> "),
                    );
                    bar.set_prefix(short.clone());
                    bar
                });
                bar.set_position(p.blob_done);
                bar.set_message(if p.stage == Stage::Resuming { "resuming" } else { "" });
            }
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut config = ecrpublic::Config::from_env().await;
    if let Some(url) = &args.endpoint {
        config = config.to_builder().endpoint_url(url).build();
    }
    let client = ecrpublic::Client::new(&config);
    if args.create {
        match client.create_repository(&args.repository).send().await {
            Ok(_) => {}
            Err(e) if matches!(e.service_error(), Some(CreateRepositoryError::RepositoryAlreadyExistsException(_))) => {
            }
            Err(e) => return Err(format!("cannot create {}: {e}", args.repository)),
        }
    }
    let bars = Arc::new(Bars::new());
    let mut push = client.push_image(&args.layout, &args.repository);
    for tag in &args.tags {
        push = push.tag(tag);
    }
    if let Some(n) = args.concurrency {
        push = push.concurrency(n);
    }
    let progress = bars.clone();
    let summary = push.on_progress(move |p| progress.update(p)).send().await.map_err(|e| e.to_string())?;
    bars.overall.finish_and_clear();
    let uploaded: u64 = summary.uploaded.iter().map(|b| b.size).sum();
    let skipped: u64 = summary.skipped.iter().map(|b| b.size).sum();
    let secs = summary.elapsed.as_secs_f64();
    println!("pushed {} to {}", summary.image_digest, summary.repository);
    println!(
        "  blobs: {} uploaded ({}), {} already there ({})",
        summary.uploaded.len(),
        HumanBytes(uploaded),
        summary.skipped.len(),
        HumanBytes(skipped)
    );
    if summary.parts_resent > 0 {
        println!("  parts sent again after a failure: {}", summary.parts_resent);
    }
    for m in &summary.manifests {
        let tags = if m.tags.is_empty() { "by digest".to_owned() } else { m.tags.join(", ") };
        let state = if m.already_present { "already there" } else { "put" };
        println!("  {} {} ({tags}): {state}", m.media_type, m.digest);
    }
    println!(
        "  {:.2} s, {:.1} MiB/s",
        secs,
        if secs > 0.0 { summary.bytes_sent as f64 / (1024.0 * 1024.0) / secs } else { 0.0 }
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("push failed: {e}");
            ExitCode::FAILURE
        }
    }
}
