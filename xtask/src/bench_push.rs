//! `cargo xtask bench push`: a real multi-layer image pushed to the emulator by the release
//! build of the push example, timed (wall and CPU), pushed again (every blob skipped), then
//! pulled back with `skopeo copy` and its digests compared.
//!
//! The image is made here from directories on this machine (by default the Rust toolchain's
//! `bin`, `share/man` and `etc`, which every machine that runs this has), each a gzip layer, with an
//! OCI config listing their diff ids: a real image, as a container runtime would unpack it.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use flate2::write::GzEncoder;

const USAGE: &str = "usage: cargo xtask bench push [--layer DIR]... [--runs N] [--concurrency N]";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut layers = Vec::new();
    let mut runs = 3usize;
    let mut concurrency = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--layer" => layers.push(PathBuf::from(it.next().ok_or(USAGE)?)),
            "--runs" => runs = it.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0).ok_or(USAGE)?,
            "--concurrency" => concurrency = Some(it.next().ok_or(USAGE)?.clone()),
            _ => return Err(format!("unknown argument `{a}`\n{USAGE}")),
        }
    }
    if layers.is_empty() {
        let sysroot = Command::new("rustc")
            .args(["--print", "sysroot"])
            .output()
            .map_err(|e| format!("cannot run rustc: {e}"))?;
        let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
        layers = ["bin", "share/man", "etc"].iter().map(|d| sysroot.join(d)).filter(|p| p.is_dir()).collect();
    }
    let work = root.join("target/bench/push");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot make {}: {e}", work.display()))?;
    let layout = work.join("image");
    eprintln!("==> making an OCI image of {} layers in {}", layers.len(), layout.display());
    let image_bytes = make_image(&layout, &layers)?;

    crate::run(
        "cargo build --release (push example, emulator)",
        Command::new(crate::cargo()).current_dir(root).args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "ecrpublic",
            "--features",
            "emulator,push",
            "--example",
            "push",
            "--bin",
            "ecrpublic-emulator",
        ]),
    )?;
    let release = root.join("target/release");
    let mut emulator = Command::new(release.join("ecrpublic-emulator"))
        .args(["--max-stored-bytes", "68719476736"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the emulator: {e}"))?;
    let result = measure(&release, &emulator_url(&mut emulator)?, &layout, &work, image_bytes, runs, concurrency);
    let _ = emulator.kill();
    let _ = emulator.wait();
    result
}

fn emulator_url(emulator: &mut std::process::Child) -> Result<String, String> {
    let stdout = emulator.stdout.take().ok_or("the emulator has no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("cannot read the emulator's address: {e}"))?;
    line.trim()
        .strip_prefix("listening on ")
        .map(str::to_owned)
        .ok_or_else(|| format!("unexpected first line `{line}`"))
}

/// Wall, user and system seconds of `cmd`, from bash's `time`.
fn timed(cmd: &str, envs: &[(&str, &str)]) -> Result<(f64, f64, f64, String), String> {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("TIMEFORMAT='%R %U %S'; {{ time {cmd} >/dev/null 2>&1; }} 2>&1"))
        .envs(envs.iter().copied())
        .output()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("`{cmd}` failed: {text}"));
    }
    let nums: Vec<f64> = text.split_whitespace().rev().take(3).filter_map(|n| n.parse().ok()).collect();
    match nums.as_slice() {
        [sys, user, wall] => Ok((*wall, *user, *sys, text)),
        _ => Err(format!("cannot read the timing of `{cmd}`: {text}")),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn measure(
    release: &Path,
    url: &str,
    layout: &Path,
    work: &Path,
    image_bytes: u64,
    runs: usize,
    concurrency: Option<String>,
) -> Result<(), String> {
    let push = release.join("examples/push");
    let creds = [("AWS_ACCESS_KEY_ID", "AKIDBENCH"), ("AWS_SECRET_ACCESS_KEY", "bench"), ("AWS_REGION", "us-east-1")];
    let conc = concurrency.map(|c| format!("--concurrency {c}")).unwrap_or_default();
    let (mut walls, mut cpus, mut again) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..runs {
        let repo = format!("bench-{n}");
        let cmd = format!("{} --endpoint {url} --create {conc} {} {repo}:latest", push.display(), layout.display());
        let (wall, user, sys, _) = timed(&cmd, &creds)?;
        walls.push(wall);
        cpus.push(user + sys);
        let (wall2, ..) = timed(&cmd, &creds)?;
        again.push(wall2);
    }
    let mib = image_bytes as f64 / (1024.0 * 1024.0);
    let wall = median(walls);
    let cpu = median(cpus);
    let skipped = median(again);
    let skopeo = Command::new("skopeo").arg("--version").output().ok().filter(|o| o.status.success());
    let pull = match &skopeo {
        None => None,
        Some(version) => {
            let mut pulls = Vec::new();
            for n in 0..runs {
                let dest = work.join(format!("pulled-{n}"));
                let host = url.trim_start_matches("http://");
                let cmd = format!(
                    "skopeo --insecure-policy copy --src-tls-verify=false --src-no-creds docker://{host}/bench-{n}:latest oci:{}:latest",
                    dest.display()
                );
                pulls.push(timed(&cmd, &[])?.0);
                if blobs(&dest)? != blobs(layout)? {
                    return Err(format!(
                        "the image skopeo pulled into {} has other blobs than the one pushed",
                        dest.display()
                    ));
                }
            }
            Some((median(pulls), String::from_utf8_lossy(&version.stdout).trim().to_owned()))
        }
    };
    println!("| push of a {mib:.1} MiB image ({runs} runs, median) | |");
    println!("| --- | --- |");
    println!("| push, wall | {wall:.2} s ({:.1} MiB/s) |", mib / wall);
    println!("| push, CPU (user + system) | {cpu:.2} s ({:.1} ms per MiB) |", cpu * 1000.0 / mib);
    println!("| second push, every blob skipped | {skipped:.2} s |");
    match pull {
        Some((secs, version)) => {
            println!(
                "| `skopeo copy` back to an OCI layout ({version}) | {secs:.2} s ({:.1} MiB/s), identical digests |",
                mib / secs
            )
        }
        None => println!("| `skopeo copy` back | skopeo is not installed |"),
    }
    Ok(())
}

/// The blob names of a layout.
fn blobs(layout: &Path) -> Result<BTreeSet<String>, String> {
    let dir = layout.join("blobs/sha256");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    Ok(entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// Hashes what goes through it.
struct Hashing<W> {
    inner: W,
    ctx: ring::digest::Context,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.ctx.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hashing<W>(inner: W) -> Hashing<W> {
    Hashing { inner, ctx: ring::digest::Context::new(&ring::digest::SHA256), len: 0 }
}

/// Writes an OCI layout of one image with a gzip layer per directory; its blobs' total size.
fn make_image(layout: &Path, dirs: &[PathBuf]) -> Result<u64, String> {
    let blobs = layout.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).map_err(|e| e.to_string())?;
    let write_blob = |bytes: &[u8]| -> Result<(String, u64), String> {
        let hex = sha256_hex(bytes);
        std::fs::write(blobs.join(&hex), bytes).map_err(|e| e.to_string())?;
        Ok((format!("sha256:{hex}"), bytes.len() as u64))
    };
    let mut layers = Vec::new();
    let mut diff_ids = Vec::new();
    let mut total = 0;
    for dir in dirs {
        // tar -> (hash of the tar: the diff id) -> gzip -> (hash of the blob) -> file.
        let tmp = blobs.join("partial");
        let file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        let gz = GzEncoder::new(hashing(file), flate2::Compression::fast());
        let mut tar = tar::Builder::new(hashing(gz));
        tar.follow_symlinks(false);
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "layer".into());
        tar.append_dir_all(&name, dir).map_err(|e| format!("cannot tar {}: {e}", dir.display()))?;
        let plain = tar.into_inner().map_err(|e| e.to_string())?;
        let diff_id = format!("sha256:{}", hex(plain.ctx.finish().as_ref()));
        let blob = plain.inner.finish().map_err(|e| e.to_string())?;
        let digest = format!("sha256:{}", hex(blob.ctx.finish().as_ref()));
        std::fs::rename(&tmp, blobs.join(digest.trim_start_matches("sha256:"))).map_err(|e| e.to_string())?;
        layers.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": blob.len,
        }));
        diff_ids.push(diff_id);
        total += blob.len;
    }
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": { "Env": ["PATH=/bin:/usr/bin"] },
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    })
    .to_string();
    let (config_digest, config_size) = write_blob(config.as_bytes())?;
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size },
        "layers": layers,
    })
    .to_string();
    let (manifest_digest, manifest_size) = write_blob(manifest.as_bytes())?;
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest_size,
            "annotations": { "org.opencontainers.image.ref.name": "latest" },
        }],
    });
    std::fs::write(layout.join("index.json"), index.to_string()).map_err(|e| e.to_string())?;
    std::fs::write(layout.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).map_err(|e| e.to_string())?;
    Ok(total + config_size + manifest_size)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
