//! Replays the committed corpus through every fuzz target on stable, and with it a fixed set of
//! mutations of each input (truncations, byte changes, spliced fragments), so CI meets the
//! inputs a short fuzzing run would try first. A panic names the target and the input; a new
//! crash found by `cargo fuzz` goes into `corpus/<target>/` and stays a regression test.

use std::path::{Path, PathBuf};

/// Mutations per input; the generator is slower than the parsers, so it gets fewer.
fn mutations(target: &str) -> usize {
    if target == "codegen" {
        40
    } else {
        400
    }
}

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("corpus").join(target)];
    if target == "codegen" {
        // The generator's own fixtures are seeds too.
        let fixtures = root.join("../codegen/tests/fixtures");
        dirs.extend(std::fs::read_dir(fixtures).expect("codegen fixtures").flatten().map(|e| e.path()));
    }
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.retain(|p| target != "codegen" || p.extension().is_some_and(|e| e == "json"));
        files.sort();
        for f in files {
            out.push((f.display().to_string(), std::fs::read(&f).expect("readable corpus file")));
        }
    }
    out
}

/// xorshift64*: the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that steer parsers into their less common paths.
const FRAGMENTS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\u",
    b"\\ud800",
    b":",
    b",",
    b"null",
    b"1e999",
    b"-",
    b"\0",
    b"\n",
    b"[",
    b"=",
    b"  ",
    b"\xff",
    b"{\"type\":\"union\"}",
    b"\"target\":",
    b"\"smithy.api#",
];

fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(3) {
        match rng.below(5) {
            0 => v.truncate(rng.below(v.len() + 1)),
            1 if !v.is_empty() => {
                let at = rng.below(v.len());
                v[at] = rng.next() as u8;
            }
            2 => {
                let at = rng.below(v.len() + 1);
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())];
                v.splice(at..at, f.iter().copied());
            }
            3 if !v.is_empty() => {
                let (a, b) = (rng.below(v.len()), rng.below(v.len()));
                let (from, to) = (a.min(b), a.max(b));
                v.drain(from..to.min(from + 64));
            }
            _ if !v.is_empty() => {
                // Repeat a slice: deep nesting and long runs.
                let from = rng.below(v.len());
                let piece: Vec<u8> = v[from..(from + 16).min(v.len())].to_vec();
                for _ in 0..rng.below(64) {
                    v.splice(from..from, piece.iter().copied());
                }
            }
            _ => {}
        }
    }
    v
}

#[test]
fn every_target_survives_its_corpus_and_mutations() {
    for (target, run) in ecrpublic_fuzz::TARGETS {
        let inputs = inputs(target);
        assert!(!inputs.is_empty(), "no corpus for {target}");
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut count = 0;
        for (name, input) in &inputs {
            let mut cases = vec![input.clone()];
            cases.extend((0..mutations(target)).map(|_| mutate(input, &mut rng)));
            for (i, case) in cases.iter().enumerate() {
                let outcome = std::panic::catch_unwind(|| run(case));
                assert!(
                    outcome.is_ok(),
                    "{target} panicked on {name}, mutation {i}: {:?}",
                    String::from_utf8_lossy(case)
                );
                count += 1;
            }
        }
        println!("{target}: {} inputs, {count} cases", inputs.len());
    }
}
