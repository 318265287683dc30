//! `cargo xtask model-diff DIR [--model PATH]`: compares our Smithy model with a botocore
//! service folder and prints every difference, one a line, then `N differences`.
//!
//! Exit status: 0 when the models agree, 1 when they differ, 2 when they cannot be compared.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask model-diff BOTOCORE_DIR [--model PATH]";
const DEFAULT_MODEL: &str = "model/ecr-public.json";

struct Args {
    botocore_dir: PathBuf,
    model: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut botocore_dir = None;
    let mut model = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--model" => model = Some(it.next().ok_or_else(|| format!("--model needs a value\n{USAGE}"))?.into()),
            flag if flag.starts_with("--") => return Err(format!("unknown argument `{flag}`\n{USAGE}")),
            dir if botocore_dir.is_none() => botocore_dir = Some(PathBuf::from(dir)),
            extra => return Err(format!("unexpected argument `{extra}`\n{USAGE}")),
        }
    }
    let botocore_dir = botocore_dir.ok_or_else(|| USAGE.to_string())?;
    Ok(Args { botocore_dir, model })
}

pub fn run(root: &Path, args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(args) => args,
        Err(e) => return trouble(&e),
    };
    let model = args.model.unwrap_or_else(|| root.join(DEFAULT_MODEL));
    let differences = match codegen::model_diff::compare_files(&model, &args.botocore_dir) {
        Ok(differences) => differences,
        Err(e) => return trouble(&e.to_string()),
    };
    for difference in &differences {
        println!("{difference}");
    }
    println!("{} differences", differences.len());
    if differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Could not compare at all: distinct from "the models differ", as with diff(1).
fn trouble(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn arguments() {
        let a = parse(&strings(&["dir", "--model", "m.json"])).unwrap();
        assert_eq!((a.botocore_dir, a.model), (PathBuf::from("dir"), Some(PathBuf::from("m.json"))));
        assert!(parse(&strings(&["dir"])).unwrap().model.is_none());
        assert!(parse(&[]).is_err());
        assert!(parse(&strings(&["dir", "--model"])).is_err());
        assert!(parse(&strings(&["dir", "other"])).is_err());
        assert!(parse(&strings(&["dir", "--bogus"])).is_err());
    }
}
