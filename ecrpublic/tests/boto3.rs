//! An independent check of the emulator: boto3 (botocore parses every response against its own
//! copy of the service model) drives every operation and the main errors through
//! `tests/boto3/test_emulator.py`.
//!
//! Needs `python3` with `venv`; installs exactly `boto3==BOTO3_VERSION` and
//! `botocore==BOTO3_VERSION` from PyPI into `target/boto3-venv-BOTO3_VERSION` the first time (a
//! venv of another version is never reused). The script fails if that botocore's operations are
//! not exactly the emulator's [`OPERATIONS`](ecrpublic::emulator::OPERATIONS). A missing
//! `python3` fails the test: a check that skips itself checks nothing.
#![cfg(feature = "emulator")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ecrpublic::emulator::{Emulator, EmulatorOptions, Entitlement, ScanOptions, OPERATIONS};
use ecrpublic::types::{
    CvssScore, CvssScoreDetails, ImageScanFinding, PackageVulnerabilityDetails, PublisherReport,
    PublisherReportGranularity, PublisherReportPeriod, PublisherReportType, Recommendation, Remediation, ScoreDetails,
    VulnerablePackage,
};

/// The boto3 and botocore release whose copy of the service model the emulator is checked
/// against (botocore's ECR Public model of this release has the emulator's operations).
const BOTO3_VERSION: &str = "1.44.18";

fn run(cmd: &mut Command) -> Result<Output, std::io::Error> {
    cmd.output()
}

fn text(out: &Output) -> String {
    format!("--- stdout\n{}--- stderr\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The venv's interpreter, if the venv is complete: boto3 and botocore importable, both of
/// [`BOTO3_VERSION`].
fn usable(venv: &Path) -> Option<PathBuf> {
    let python = venv.join("bin/python");
    let check = format!(
        "import boto3, botocore, sys; sys.exit(0 if boto3.__version__ == botocore.__version__ == '{BOTO3_VERSION}' else 1)"
    );
    let ok = Command::new(&python).args(["-c", &check]).output().is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

/// `target/boto3-venv-BOTO3_VERSION` with boto3, made on first use. It is built in a directory of its own and
/// renamed into place, so that a half-made venv is never used and two runs racing both end up
/// with a complete one.
fn boto3_python() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target dir").to_path_buf();
    let venv = target.join(format!("boto3-venv-{BOTO3_VERSION}"));
    if let Some(python) = usable(&venv) {
        return python;
    }
    let version = run(Command::new("python3").arg("--version")).unwrap_or_else(|e| {
        panic!(
            "python3 is needed for the boto3 check of the emulator and cannot be run ({e}); install Python 3 \
             (Debian/Ubuntu: apt-get install python3 python3-venv)"
        )
    });
    assert!(version.status.success(), "`python3 --version` failed:\n{}", text(&version));

    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let staging = target.join(format!("boto3-venv-{BOTO3_VERSION}.tmp-{}-{nanos}", std::process::id()));
    let made = run(Command::new("python3").args(["-m", "venv"]).arg(&staging)).expect("run python3 -m venv");
    assert!(
        made.status.success(),
        "`python3 -m venv` failed; on Debian/Ubuntu install the python3-venv package (.ci/run does):\n{}",
        text(&made)
    );
    let boto3 = format!("boto3=={BOTO3_VERSION}");
    let botocore = format!("botocore=={BOTO3_VERSION}");
    let pip = run(Command::new(staging.join("bin/python")).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &boto3,
        &botocore,
    ]))
    .expect("run pip");
    if !pip.status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        panic!(
            "`pip install {boto3} {botocore}` failed: the Python package registry (PyPI) may be unreachable \
             from this machine, or a proxy/index setting (PIP_INDEX_URL, HTTPS_PROXY) is needed:\n{}",
            text(&pip)
        );
    }
    if let Err(e) = std::fs::rename(&staging, &venv) {
        // Another run got there first (then its venv is complete), or an unusable one is in the way.
        if usable(&venv).is_none() {
            let _ = std::fs::remove_dir_all(&venv);
            if let Err(e2) = std::fs::rename(&staging, &venv) {
                panic!("cannot move the new venv to {}: {e}; {e2}", venv.display());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&staging);
    usable(&venv).unwrap_or_else(|| panic!("{} was made but has no boto3 {BOTO3_VERSION}", venv.display()))
}

/// What `tests/boto3/test_premium.py` expects of the premium registry: its entitlement, scans
/// (`FINDINGS`) and reports (`REPORTS`).
fn premium_options() -> EmulatorOptions {
    let finding = |id: &str, severity: &str, score: f64| {
        ImageScanFinding::default()
            .with_severity(severity)
            .with_title(format!("{id} in libexample"))
            .with_description("A vulnerability seeded for the boto3 check.")
            .with_score(score)
            .with_status("ACTIVE")
            .with_type("PACKAGE_VULNERABILITY")
            .with_fix_available("YES")
            .with_exploit_available("NO")
            .with_package_vulnerability_details(
                PackageVulnerabilityDetails::default()
                    .with_vulnerability_id(id)
                    .with_source("NVD")
                    .with_vendor_severity(severity)
                    .with_reference_urls([format!("https://example.invalid/{id}")])
                    .with_cvss([CvssScore::default()
                        .with_base_score(score)
                        .with_scoring_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
                        .with_source("NVD")
                        .with_version("3.1")])
                    .with_vulnerable_packages([VulnerablePackage::default()
                        .with_name("libexample")
                        .with_version("1.0.0")
                        .with_epoch(0)
                        .with_package_manager("OS")
                        .with_fixed_in_version("1.0.1")]),
            )
            .with_remediation(
                Remediation::default()
                    .with_recommendation(Recommendation::default().with_text("Upgrade libexample to 1.0.1")),
            )
            .with_score_details(ScoreDetails::default().with_cvss(CvssScoreDetails::default().with_score(score)))
    };
    let report = |id: &str, t: PublisherReportType, g: PublisherReportGranularity| {
        let period = PublisherReportPeriod::new("2026-10-05", "2026-10-11");
        PublisherReport::new(id, t, g, period, 2048, ecrpublic::DateTime::now())
    };
    EmulatorOptions::premium_registry()
        .with_credentials("AKID", "SECRET")
        .with_min_part_size(1)
        .with_entitlement(Entitlement::new(EmulatorOptions::PREMIUM_ALIAS, "boto3/paid"))
        .with_scan(ScanOptions {
            not_found_calls: 1,
            pending_calls: 1,
            findings: vec![
                finding("CVE-2026-0001", "CRITICAL", 9.8),
                finding("CVE-2026-0002", "HIGH", 7.5),
                finding("CVE-2026-0003", "HIGH", 7.1),
            ],
            ..ScanOptions::default()
        })
        .with_publisher_report(report("weekly1", PublisherReportType::Summary, PublisherReportGranularity::Weekly))
        .with_publisher_report(report("monthly1", PublisherReportType::Trends, PublisherReportGranularity::Monthly))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_drives_every_operation_of_the_emulator() {
    let python = tokio::task::spawn_blocking(boto3_python).await.expect("venv setup");
    // The script uploads small layers in several parts.
    let emu = Emulator::start_with(EmulatorOptions::default().with_credentials("AKID", "SECRET").with_min_part_size(1))
        .await
        .expect("start");
    let premium = Emulator::start_with(premium_options()).await.expect("start the premium registry");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/boto3/test_emulator.py");
    let mut cmd = tokio::process::Command::new(&python);
    cmd.arg("-u").arg(&script).arg(emu.url()).arg(premium.url()).arg(OPERATIONS.join(","));
    // Nothing from this machine's AWS setup: no profile, shared files, region or metadata service.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(&key);
        }
    }
    let nowhere = std::env::temp_dir().join("ecrpublic-boto3-test-no-such-file");
    cmd.env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let out = tokio::time::timeout(std::time::Duration::from_secs(300), cmd.output())
        .await
        .expect("the boto3 script did not finish in 5 minutes")
        .expect("run the boto3 script");
    emu.shutdown().await;
    premium.shutdown().await;
    assert!(out.status.success(), "boto3 disagreed with the emulator ({}):\n{}", out.status, text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Shown with --nocapture.
    println!("{stdout}");
    let n = OPERATIONS.len();
    assert!(stdout.contains(&format!("all checks passed; {n} of {n} operations called")), "{}", text(&out));
}
