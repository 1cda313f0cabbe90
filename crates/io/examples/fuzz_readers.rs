//! A long mutation fuzzer of every reader of `peergroup-io`, outside CI (see
//! bench/README.md): valid seeds (and optionally the files of a corpus folder) are
//! mutated (bit flips, byte and token insertions, deletions, truncation, cell
//! replacement with odd values, line duplication, deletion and swaps; for Parquet also a
//! mutated CSV re-typed and written as Parquet), fed to each reader in a worker thread
//! with a time limit, and every panic, hang or error that does not name its file is
//! saved. Inputs that give a new outcome (a new normalised error message) join the pool,
//! a cheap stand-in for coverage feedback.
//!
//! ```sh
//! cargo run --release -p peergroup-io --example fuzz_readers -- \
//!     --format csv --minutes 30 --out fuzz-out [--corpus DIR] [--seed N] [--timeout-s 10]
//! cargo run --release -p peergroup-io --example fuzz_readers -- --replay fuzz-out
//! ```
//!
//! `--replay DIR` reads every .csv and .parquet file of DIR with every reader and prints
//! what each did (to check saved findings after a fix); it exits 1 if any still panics.

// A command-line tool: its report goes to stdout.
#![allow(clippy::print_stdout)]

#[path = "../tests/readers/mod.rs"]
mod readers;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use readers::{apply, is_located, parquet_of, Mutation, BYTE_KINDS, TARGETS};

/// The last panic's message and location, set by the panic hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// How the fuzzer was asked to run.
struct Options {
    parquet: bool,
    minutes: f64,
    out: PathBuf,
    corpus: Option<PathBuf>,
    seed: u64,
    timeout: Duration,
    replay: Option<PathBuf>,
}

fn parse_options() -> Result<Options, String> {
    let mut o = Options {
        parquet: false,
        minutes: 1.0,
        out: PathBuf::from("fuzz-out"),
        corpus: None,
        seed: 1,
        timeout: Duration::from_secs(10),
        replay: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.chunks(2);
    for pair in &mut it {
        let [flag, value] = pair else {
            return Err(format!("{} needs a value", pair[0]));
        };
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--format" => {
                o.parquet = match value.as_str() {
                    "csv" => false,
                    "parquet" => true,
                    _ => return Err(bad(&"expected csv or parquet")),
                }
            }
            "--minutes" => o.minutes = value.parse().map_err(|e| bad(&e))?,
            "--out" => o.out = PathBuf::from(value),
            "--corpus" => o.corpus = Some(PathBuf::from(value)),
            "--replay" => o.replay = Some(PathBuf::from(value)),
            "--seed" => o.seed = value.parse().map_err(|e| bad(&e))?,
            "--timeout-s" => o.timeout = Duration::from_secs(value.parse().map_err(|e| bad(&e))?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(o)
}

/// SplitMix64: a small, fast generator; the fuzzer needs no statistical quality.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn mutation(&mut self, bytes_only: bool) -> Mutation {
        let kinds = if bytes_only {
            BYTE_KINDS
        } else {
            Mutation::KINDS
        };
        let kind = self.below(kinds);
        let (a, b, c) = (
            self.below(1 << 20),
            self.below(1 << 20),
            self.below(1 << 20),
        );
        Mutation::from_parts(kind, a, b, c)
    }
}

/// What one read did.
enum Outcome {
    Ok,
    Err(peergroup_data::InputError),
    Panic(String),
}

/// A job for the worker: which reader, which file.
type Job = (usize, PathBuf);

/// A worker thread that reads files on request; replaced when it hangs.
struct Worker {
    jobs: Sender<Job>,
    done: Receiver<Outcome>,
}

fn spawn_worker() -> Worker {
    let (jobs, job_rx) = channel::<Job>();
    let (done_tx, done) = channel();
    std::thread::spawn(move || {
        for (t, path) in job_rx {
            let outcome = match catch_unwind(AssertUnwindSafe(|| (TARGETS[t].read)(&path))) {
                Ok(Ok(())) => Outcome::Ok,
                Ok(Err(e)) => Outcome::Err(e),
                Err(_) => Outcome::Panic(
                    LAST_PANIC
                        .lock()
                        .map(|mut p| p.take())
                        .ok()
                        .flatten()
                        .unwrap_or_default(),
                ),
            };
            if done_tx.send(outcome).is_err() {
                return;
            }
        }
    });
    Worker { jobs, done }
}

/// The message with numbers, quoted values and what was found blanked and case folded,
/// so errors differing only in the line, the bad value or a mutated header count once:
/// the text before the first quote and after the last, digits as `#`.
fn normalise(message: &str) -> String {
    let message = message.split(" found ").next().unwrap_or(message);
    let quote = |c: char| matches!(c, '\'' | '"' | '`');
    let head = message.split(quote).next().unwrap_or("");
    let tail = match (message.find(quote), message.rfind(quote)) {
        (Some(_), Some(last)) => &message[last + 1..],
        _ => "",
    };
    let mut out = String::new();
    for ch in head
        .chars()
        .chain("_".chars().filter(|_| !tail.is_empty()))
        .chain(tail.chars())
    {
        if ch.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.extend(ch.to_lowercase());
        }
    }
    out.chars().take(160).collect()
}

/// Counts and findings of a run.
#[derive(Default)]
struct Summary {
    tried: u64,
    ok: u64,
    errors: u64,
    panics: u64,
    hangs: u64,
    unlocated: u64,
    caught: u64,
    slow: u64,
    long_messages: u64,
    per_target: BTreeMap<&'static str, u64>,
    outcomes: BTreeMap<String, u64>,
    slowest: (Duration, &'static str),
    saved: u64,
}

fn save(out: &Path, kind: &str, target: &str, ext: &str, n: u64, bytes: &[u8], note: &str) {
    let stem = out.join(format!("{kind}-{target}-{n:04}"));
    let _ = std::fs::write(stem.with_extension(ext), bytes);
    let _ = std::fs::write(stem.with_extension("txt"), note);
}

/// Read every .csv/.parquet file of `dir` with every reader; 1 if any panics or hangs.
fn replay(dir: &Path, timeout: Duration) -> i32 {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the --replay folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("csv" | "parquet")
            )
        })
        .collect();
    files.sort();
    let mut worker = spawn_worker();
    let mut bad = 0;
    for path in &files {
        for (t, target) in TARGETS.iter().enumerate() {
            if worker.jobs.send((t, path.clone())).is_err() {
                worker = spawn_worker();
                continue;
            }
            let said = match worker.done.recv_timeout(timeout) {
                Ok(Outcome::Ok) => "ok".to_string(),
                Ok(Outcome::Err(e)) => e.to_string().chars().take(160).collect(),
                Ok(Outcome::Panic(m)) => {
                    bad += 1;
                    format!("PANIC {m}")
                }
                Err(_) => {
                    bad += 1;
                    worker = spawn_worker();
                    "HANG".to_string()
                }
            };
            println!("{} {}: {said}", path.display(), target.name);
        }
    }
    i32::from(bad > 0)
}

fn main() {
    let opts = match parse_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("fuzz_readers: {e}");
            std::process::exit(2);
        }
    };
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Ok(mut p) = LAST_PANIC.lock() {
            *p = Some(format!("panicked at {at}: {msg}"));
        }
    }));
    if let Some(dir) = &opts.replay {
        std::process::exit(replay(dir, opts.timeout));
    }
    std::fs::create_dir_all(&opts.out).expect("create the --out folder");
    let work = tempfile::tempdir().expect("temporary folder");
    let ext = if opts.parquet { "parquet" } else { "csv" };

    // Pools: CSV texts per target (mutated, and for Parquet converted), and for Parquet
    // also the Parquet bytes per target (mutated byte-wise).
    let mut csv_pool: Vec<Vec<Vec<u8>>> = TARGETS.iter().map(|t| vec![t.seed.into()]).collect();
    let mut pq_pool: Vec<Vec<Vec<u8>>> = vec![Vec::new(); TARGETS.len()];
    let extra: Vec<Vec<u8>> = match &opts.corpus {
        Some(dir) => std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().and_then(|x| x.to_str()) == Some(ext))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter(|b| b.len() < 1 << 16)
            .collect(),
        None => Vec::new(),
    };
    for (t, target) in TARGETS.iter().enumerate() {
        let csv = work.path().join(format!("seed-{t}.csv"));
        std::fs::write(&csv, target.seed).expect("write a seed");
        if opts.parquet {
            let pq = work.path().join(format!("seed-{t}.parquet"));
            let bytes = parquet_of(&csv, &pq).expect("every seed converts to Parquet");
            pq_pool[t].push(bytes);
            pq_pool[t].extend(extra.iter().cloned());
        } else {
            csv_pool[t].extend(extra.iter().cloned());
        }
    }

    let mut rng = Rng(opts.seed);
    let mut worker = spawn_worker();
    let mut generation = 0u32;
    let mut s = Summary::default();
    let start = Instant::now();
    let budget = Duration::from_secs_f64(opts.minutes * 60.0);
    let mut next_report = Duration::from_secs(60);
    let mut slowest_input: Vec<u8> = Vec::new();
    while start.elapsed() < budget {
        let t = rng.below(TARGETS.len());
        let n_mut = 1 + rng.below(4);
        // Build the input: bytes written to `path` with the reader's extension.
        let path = work.path().join(format!("in-{generation}.{ext}"));
        let structured = !opts.parquet || rng.below(2) == 0;
        let (input, from_csv): (Vec<u8>, bool) = if structured {
            let mut b = csv_pool[t][rng.below(csv_pool[t].len())].clone();
            for _ in 0..n_mut {
                let m = rng.mutation(false);
                apply(&mut b, &m);
            }
            (b, true)
        } else {
            let mut b = pq_pool[t][rng.below(pq_pool[t].len())].clone();
            for _ in 0..n_mut {
                let m = rng.mutation(true);
                apply(&mut b, &m);
            }
            (b, false)
        };
        let bytes = if opts.parquet && from_csv {
            let csv = work.path().join(format!("in-{generation}.csv"));
            if std::fs::write(&csv, &input).is_err() {
                continue;
            }
            match parquet_of(&csv, &path) {
                Some(b) => b,
                None => continue,
            }
        } else {
            if std::fs::write(&path, &input).is_err() {
                continue;
            }
            input.clone()
        };

        let began = Instant::now();
        if worker.jobs.send((t, path.clone())).is_err() {
            worker = spawn_worker();
            continue;
        }
        // Past the limit, wait five times as long again before calling it a hang: on a
        // busy machine a niced fuzzer can be starved for seconds.
        let outcome = match worker.done.recv_timeout(opts.timeout).or_else(|_| {
            worker
                .done
                .recv_timeout(opts.timeout * 5)
                .inspect(|_| s.slow += 1)
        }) {
            Ok(o) => o,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                s.hangs += 1;
                save(
                    &opts.out,
                    "hang",
                    TARGETS[t].name,
                    ext,
                    s.hangs,
                    &bytes,
                    "no answer in time",
                );
                eprintln!("hang: {} ({} bytes)", TARGETS[t].name, bytes.len());
                // The stuck thread is abandoned; a fresh worker takes over on a new file.
                generation += 1;
                worker = spawn_worker();
                if s.hangs >= 4 {
                    eprintln!("four hangs: stopping");
                    break;
                }
                continue;
            }
        };
        let took = began.elapsed();
        s.tried += 1;
        *s.per_target.entry(TARGETS[t].name).or_default() += 1;
        if took > s.slowest.0 {
            s.slowest = (took, TARGETS[t].name);
            slowest_input = bytes.clone();
        }
        let key = match &outcome {
            Outcome::Ok => {
                s.ok += 1;
                format!("{}: ok", TARGETS[t].name)
            }
            Outcome::Err(e) => {
                s.errors += 1;
                if e.to_string().len() > 1000 {
                    s.long_messages += 1;
                }
                if !is_located(e) {
                    s.unlocated += 1;
                    save(
                        &opts.out,
                        "unlocated",
                        TARGETS[t].name,
                        ext,
                        s.unlocated,
                        &bytes,
                        &e.to_string(),
                    );
                }
                let key = format!("{}: {}", TARGETS[t].name, normalise(&e.message));
                if e.message.contains("damaged (") && !s.outcomes.contains_key(&key) {
                    // The decoder panicked and the guard caught it: keep one input of
                    // each such kind for the corpus.
                    s.caught += 1;
                    save(
                        &opts.out,
                        "caught",
                        TARGETS[t].name,
                        ext,
                        s.caught,
                        &bytes,
                        &e.to_string(),
                    );
                }
                key
            }
            Outcome::Panic(msg) => {
                s.panics += 1;
                save(
                    &opts.out,
                    "panic",
                    TARGETS[t].name,
                    ext,
                    s.panics,
                    &bytes,
                    msg,
                );
                eprintln!("panic: {} {msg}", TARGETS[t].name);
                format!("{}: PANIC {}", TARGETS[t].name, normalise(msg))
            }
        };
        let count = s.outcomes.entry(key).or_default();
        *count += 1;
        if *count == 1 {
            // A new outcome: keep the input as a parent of later mutations.
            let pool = if from_csv {
                &mut csv_pool[t]
            } else {
                &mut pq_pool[t]
            };
            if pool.len() < 500 {
                pool.push(input);
            } else {
                let i = rng.below(pool.len());
                pool[i] = input;
            }
        }
        if start.elapsed() >= next_report {
            next_report += Duration::from_secs(60);
            println!(
                "{:>5.1} min: {} inputs, {} outcomes, {} panics, {} hangs, {} unlocated",
                start.elapsed().as_secs_f64() / 60.0,
                s.tried,
                s.outcomes.len(),
                s.panics,
                s.hangs,
                s.unlocated
            );
        }
    }
    s.saved = s.panics + s.hangs + s.unlocated;
    let _ = std::fs::write(opts.out.join(format!("slowest.{ext}")), &slowest_input);
    let minutes = start.elapsed().as_secs_f64() / 60.0;
    println!(
        "\n{ext} readers: {minutes:.1} min, {} inputs ({} ok, {} errors)",
        s.tried, s.ok, s.errors
    );
    println!("distinct outcomes: {}", s.outcomes.len());
    println!(
        "panics: {}, hangs: {}, errors without a file: {}, messages over 1000 chars: {}",
        s.panics, s.hangs, s.unlocated, s.long_messages
    );
    println!("answers past the time limit (not hangs): {}", s.slow);
    println!(
        "decoder panics caught by the readers' guard (distinct messages, saved as caught-*): {}",
        s.caught
    );
    println!(
        "slowest input: {:.1} ms ({}), saved as {}",
        s.slowest.0.as_secs_f64() * 1e3,
        s.slowest.1,
        opts.out.join(format!("slowest.{ext}")).display()
    );
    println!("inputs per reader:");
    for (name, n) in &s.per_target {
        println!("  {name:<14} {n}");
    }
    println!("outcomes (count, reader: normalised message):");
    for (key, n) in &s.outcomes {
        println!("  {n:>9}  {key}");
    }
    println!("{} failing inputs saved in {}", s.saved, opts.out.display());
    if s.panics + s.hangs + s.unlocated > 0 {
        std::process::exit(1);
    }
}
