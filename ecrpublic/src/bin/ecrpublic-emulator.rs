//! Runs the ECR Public emulator until Ctrl-C.
//!
//! ```text
//! ecrpublic-emulator [--port PORT] [--credentials AKID:SECRET]...
//! ```
//!
//! The first line on stdout is `listening on http://127.0.0.1:PORT`.

use std::io::Write as _;
use std::process::ExitCode;

use ecrpublic::emulator::{Emulator, EmulatorOptions};

const USAGE: &str = "usage: ecrpublic-emulator [--port PORT] [--credentials AKID:SECRET]...

  --port PORT                 listen on 127.0.0.1:PORT (default: a free port)
  --credentials AKID:SECRET   verify SigV4 signatures against this key pair (repeatable);
                              without it any well-formed signature is accepted";

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<EmulatorOptions, String> {
    let mut options = EmulatorOptions::default();
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
            other => return Err(format!("unknown argument `{other}`")),
        }
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
    let emulator = match Emulator::start_with(options).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", emulator.url());
    let _ = stdout.flush();
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::parse_args;

    fn args(a: &[&str]) -> Result<ecrpublic::emulator::EmulatorOptions, String> {
        parse_args(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses() {
        let o = args(&["--port", "5000", "--credentials", "A:B", "--credentials=C:D:E"]).expect("valid");
        assert_eq!(o.port, Some(5000));
        assert_eq!(o.credentials, [("A".to_owned(), "B".to_owned()), ("C".to_owned(), "D:E".to_owned())]);
        assert_eq!(args(&[]).expect("valid").port, None);
        assert!(args(&["--port"]).is_err());
        assert!(args(&["--port", "70000"]).is_err());
        assert!(args(&["--credentials", "nocolon"]).is_err());
        assert!(args(&["--credentials", ":secret"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        assert_eq!(args(&["--help"]).map(|_| ()), Err(String::new()));
    }
}
