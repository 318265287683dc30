//! Runs the ECR Public emulator until Ctrl-C.
//!
//! ```text
//! ecrpublic-emulator [--port PORT] [--credentials AKID:SECRET]... [--allow-host NAME]...
//!     [--max-request-bytes N] [--max-stored-bytes N] [--max-connections N] [--region REGION]...
//!     [--min-part-size BYTES] [--premium] [--verified] [--custom-alias ALIAS[:STATUS]]
//!     [--entitlement ALIAS/REPOSITORY[:PRODUCT]]... [--scan-not-found N] [--scan-pending N]
//!     [--scan-status STATUS] [--publisher-report ID:TYPE:GRANULARITY:START:END[:BYTES]]...
//! ```
//!
//! The first line on stdout is `listening on http://127.0.0.1:PORT`; `--help` explains each flag.
//! The same address is a pull registry (`/v2/`) for what is pushed through the API.

use std::io::Write as _;
use std::process::ExitCode;

use ecrpublic::emulator::{CustomAlias, Emulator, EmulatorOptions, Entitlement};
use ecrpublic::types::{PublisherReport, PublisherReportPeriod, RegistryAliasStatus, ScanStatus};

const USAGE: &str = "usage: ecrpublic-emulator [OPTIONS]

  --port PORT                 listen on 127.0.0.1:PORT (default: a free port)
  --credentials AKID:SECRET   verify SigV4 signatures against this key pair (repeatable);
                              without it any request is served, signed or not (a
                              warning on stderr says so)
  --allow-host NAME           also serve requests whose Host is NAME:PORT (repeatable; a
                              container's or proxy's name); 127.0.0.1, localhost and [::1]
                              always are, any other is refused (DNS rebinding)
  --max-request-bytes N       refuse larger request bodies (default 33554432, 32 MiB)
  --max-stored-bytes N        layer, upload and manifest bytes kept before uploads and
                              PutImage fail with LimitExceededException (default
                              1073741824, 1 GiB)
  --max-connections N         connections served at once; more wait (default 256)
  --account-id ID             the registry's 12-digit account id (default 123456789012)
  --registry-alias ALIAS      the registry's default alias (default emulator)
  --region REGION             serve requests signed for REGION (repeatable; default the
                              service's Regions, us-east-1 and us-west-2)
  --any-region                serve requests signed for any Region
  --min-part-size BYTES       smallest layer part but the last (default 5242880, the
                              service's 5 MiB); lower it to push tiny layers in parts
  --max-repositories N        repositories of each type the registry may hold (default 10000)

 Premium repositories need a verified registry with an approved custom alias:
  --premium                   both at once: verified, with the approved custom alias
                              `publisher` (repository URIs then use it)
  --verified                  the account is a verified Marketplace vendor
  --custom-alias ALIAS[:STATUS]
                              a custom alias; STATUS ACTIVE (approved, the default),
                              PENDING or REJECTED

 What cannot happen locally is seeded:
  --entitlement ALIAS/REPOSITORY[:PRODUCT]
                              an active Marketplace entitlement to a premium repository of
                              this registry (repeatable), through PRODUCT (default: its
                              first product); DescribeEntitled* serve it once the
                              repository exists and has left DRAFT
  --scan-not-found N          DescribeImageScanFindings calls per image answered with
                              ScanNotFoundException (default 1)
  --scan-pending N            calls then answered PENDING (default 1)
  --scan-status STATUS        the status scans end in (default COMPLETE; or ACTIVE, FAILED,
                              UNSUPPORTED_IMAGE, SCAN_ELIGIBILITY_EXPIRED, FINDINGS_UNAVAILABLE)
  --publisher-report ID:TYPE:GRANULARITY:START:END[:BYTES]
                              a publisher report (repeatable), e.g.
                              r1:SUMMARY:WEEKLY:2026-10-05:2026-10-11:2048, created now";

fn parse_number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse::<T>().map_err(|_| format!("{flag} `{v}` is not a number in range"))
}

fn parse_report(v: &str) -> Option<PublisherReport> {
    let parts: Vec<&str> = v.split(':').collect();
    let (id, report_type, granularity, start, end, size) = match parts[..] {
        [id, t, g, s, e] => (id, t, g, s, e, 0),
        [id, t, g, s, e, n] => (id, t, g, s, e, n.parse().ok()?),
        _ => return None,
    };
    if !ecrpublic::types::PublisherReportType::VALUES.contains(&report_type)
        || !ecrpublic::types::PublisherReportGranularity::VALUES.contains(&granularity)
    {
        return None;
    }
    Some(PublisherReport::new(
        id,
        report_type,
        granularity,
        PublisherReportPeriod::new(start, end),
        size,
        ecrpublic::DateTime::now(),
    ))
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<EmulatorOptions, String> {
    let mut options = EmulatorOptions::default();
    let mut regions: Option<Vec<String>> = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| inline.clone().or_else(|| args.next()).ok_or(format!("{name} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--port" => {
                let v = value("--port")?;
                let port = v.parse::<u16>().map_err(|_| format!("--port `{v}` is not a port number (0-65535)"))?;
                options.port = Some(port);
            }
            "--credentials" => {
                let v = value("--credentials")?;
                match v.split_once(':') {
                    Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
                        options.credentials.push((id.to_owned(), secret.to_owned()));
                    }
                    _ => return Err(format!("--credentials `{v}` is not AKID:SECRET")),
                }
            }
            "--allow-host" => options.allowed_hosts.push(value("--allow-host")?),
            "--max-request-bytes" => {
                options.max_request_bytes = parse_number("--max-request-bytes", &value("--max-request-bytes")?)?;
            }
            "--max-stored-bytes" => {
                options.max_stored_bytes = parse_number("--max-stored-bytes", &value("--max-stored-bytes")?)?;
            }
            "--max-connections" => {
                options.max_connections = parse_number("--max-connections", &value("--max-connections")?)?;
            }
            "--account-id" => options.account_id = value("--account-id")?,
            "--registry-alias" => options.registry_alias = value("--registry-alias")?,
            "--region" => regions.get_or_insert_with(Vec::new).push(value("--region")?),
            "--any-region" => regions = Some(Vec::new()),
            "--min-part-size" => options.min_part_size = parse_number("--min-part-size", &value("--min-part-size")?)?,
            "--max-repositories" => {
                options.max_repositories = parse_number("--max-repositories", &value("--max-repositories")?)?;
            }
            "--premium" => {
                options.verified = true;
                options.custom_alias = Some(CustomAlias::approved(EmulatorOptions::PREMIUM_ALIAS));
            }
            "--verified" => options.verified = true,
            "--custom-alias" => {
                let v = value("--custom-alias")?;
                let (name, status) = v.split_once(':').unwrap_or((&v, "ACTIVE"));
                if !RegistryAliasStatus::VALUES.contains(&status) || name.is_empty() {
                    return Err(format!("--custom-alias `{v}` is not ALIAS[:ACTIVE|PENDING|REJECTED]"));
                }
                options.custom_alias = Some(CustomAlias { name: name.to_owned(), status: status.into() });
            }
            "--entitlement" => {
                let v = value("--entitlement")?;
                let e =
                    Entitlement::parse(&v).ok_or(format!("--entitlement `{v}` is not ALIAS/REPOSITORY[:PRODUCT]"))?;
                options.entitlements.push(e);
            }
            "--scan-not-found" => {
                options.scan.not_found_calls = parse_number("--scan-not-found", &value("--scan-not-found")?)?;
            }
            "--scan-pending" => options.scan.pending_calls = parse_number("--scan-pending", &value("--scan-pending")?)?,
            "--scan-status" => {
                let v = value("--scan-status")?;
                if v == "PENDING" || !ScanStatus::VALUES.contains(&v.as_str()) {
                    return Err(format!("--scan-status `{v}` is not a final scan status"));
                }
                options.scan.final_status = v.as_str().into();
            }
            "--publisher-report" => {
                let v = value("--publisher-report")?;
                let report = parse_report(&v)
                    .ok_or(format!("--publisher-report `{v}` is not ID:TYPE:GRANULARITY:START:END[:BYTES]"))?;
                options.publisher_reports.push(report);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if let Some(regions) = regions {
        options.regions = regions;
    }
    Ok(options)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let unauthenticated = options.credentials.is_empty();
    let emulator = match Emulator::start_with(options).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    // Before the URL line, so that whoever reads that line has the warning too.
    if unauthenticated {
        eprintln!(
            "warning: no --credentials: every request is served, signed or not. Anything that can reach \
             127.0.0.1:{} can change this registry.",
            emulator.port()
        );
    }
    let _ = writeln!(stdout, "listening on {}", emulator.url());
    let _ = stdout.flush();
    eprintln!(
        "pull what is pushed with any registry client, e.g. skopeo copy --src-tls-verify=false \
         docker://127.0.0.1:{}/REPOSITORY:TAG oci:DIR",
        emulator.port()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::parse_args;
    use ecrpublic::emulator::{EmulatorOptions, Entitlement, SERVICE_MIN_PART_SIZE};
    use ecrpublic::types::{RegistryAliasStatus, ScanStatus};

    fn args(a: &[&str]) -> Result<EmulatorOptions, String> {
        parse_args(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses() {
        let o = args(&["--port", "5000", "--credentials", "A:B", "--credentials=C:D:E"]).expect("valid");
        assert_eq!(o.port, Some(5000));
        assert_eq!(o.credentials, [("A".to_owned(), "B".to_owned()), ("C".to_owned(), "D:E".to_owned())]);
        let defaults = args(&[]).expect("valid");
        assert_eq!(defaults.port, None);
        assert_eq!(defaults.min_part_size, SERVICE_MIN_PART_SIZE);
        assert_eq!(defaults.regions, ["us-east-1", "us-west-2"]);
        assert!(args(&["--port"]).is_err());
        assert!(args(&["--port", "70000"]).is_err());
        assert!(args(&["--credentials", "nocolon"]).is_err());
        assert!(args(&["--credentials", ":secret"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        let limits = args(&[
            "--allow-host",
            "registry.local",
            "--max-request-bytes=1024",
            "--max-stored-bytes",
            "2048",
            "--max-connections",
            "4",
        ])
        .expect("valid");
        assert_eq!(limits.allowed_hosts, ["registry.local"]);
        assert_eq!((limits.max_request_bytes, limits.max_stored_bytes, limits.max_connections), (1024, 2048, 4));
        assert!(args(&["--max-connections", "many"]).is_err());
        assert_eq!(args(&["--help"]).map(|_| ()), Err(String::new()));
    }

    #[test]
    fn parses_the_service_state_flags() {
        let o = args(&[
            "--region=eu-west-1",
            "--region",
            "us-east-1",
            "--min-part-size",
            "1",
            "--premium",
            "--entitlement",
            "publisher/team/app",
            "--entitlement=publisher/other:prod-2",
            "--scan-not-found",
            "0",
            "--scan-pending=3",
            "--scan-status",
            "FAILED",
            "--publisher-report",
            "r1:SUMMARY:WEEKLY:2026-10-05:2026-10-11:2048",
        ])
        .expect("valid");
        assert_eq!(o.regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(o.min_part_size, 1);
        assert!(o.verified);
        assert_eq!(
            o.custom_alias.as_ref().map(|a| (a.name.as_str(), &a.status)),
            Some(("publisher", &RegistryAliasStatus::Active))
        );
        assert_eq!(
            o.entitlements,
            [Entitlement::new("publisher", "team/app"), Entitlement::new("publisher", "other").via_product("prod-2")]
        );
        assert_eq!((o.scan.not_found_calls, o.scan.pending_calls, &o.scan.final_status), (0, 3, &ScanStatus::Failed));
        assert_eq!(o.publisher_reports.len(), 1);
        assert_eq!(o.publisher_reports[0].size_in_bytes, 2048);
        assert_eq!(args(&["--any-region"]).expect("valid").regions, Vec::<String>::new());
        let custom = args(&["--verified", "--custom-alias", "mine:PENDING"]).expect("valid");
        assert_eq!(custom.custom_alias.map(|a| a.status), Some(RegistryAliasStatus::Pending));
        for bad in [
            &["--custom-alias", "mine:MAYBE"][..],
            &["--entitlement", "no-slash"],
            &["--scan-status", "PENDING"],
            &["--scan-pending", "-1"],
            &["--min-part-size", "x"],
            &["--publisher-report", "r1:SUMMARY:DAILY:2026-10-05:2026-10-11"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }
}
