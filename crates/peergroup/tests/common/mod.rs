//! Helpers shared by the command-line tests: a scratch directory in which the tests write
//! fixture files, run the `peergroup` binary (synthetic inputs included) and read its CSV
//! outputs back.
//!
//! Commands are written as one string, the way they would be typed in a shell, and split
//! on whitespace: no argument used by these tests contains a space, and a test then reads
//! as the command lines of the scenario it checks.
// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary working directory for one test, removed when dropped (also when an
/// assertion fails); every relative path below is taken inside it.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// A new, empty working directory.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the directory.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Whether `rel` exists.
    pub fn exists(&self, rel: &str) -> bool {
        self.join(rel).exists()
    }

    /// Writes a fixture file.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        std::fs::write(self.join(rel), contents).unwrap_or_else(|e| panic!("write {rel}: {e}"));
    }

    /// Creates a subdirectory.
    pub fn mkdir(&self, rel: &str) {
        std::fs::create_dir(self.join(rel)).unwrap_or_else(|e| panic!("mkdir {rel}: {e}"));
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.join(rel)).unwrap_or_else(|e| panic!("remove {rel}: {e}"));
    }

    /// The text of a file.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// The bytes of a file.
    pub fn bytes(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// All rows of a CSV file, header first.
    pub fn rows(&self, rel: &str) -> Vec<Vec<String>> {
        rows(&self.join(rel))
    }

    /// Runs `peergroup cmd` here; returns the exit code and stderr.
    pub fn run(&self, cmd: &str) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_peergroup"))
            .args(cmd.split_whitespace())
            .current_dir(self.path())
            .output()
            .expect("run peergroup");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs `peergroup cmd` and requires success; returns stderr (the summary line).
    pub fn ok(&self, cmd: &str) -> String {
        let (code, err) = self.run(cmd);
        assert_eq!(code, 0, "peergroup {cmd}: {err}");
        err
    }

    /// Runs `peergroup cmd` and requires exit code 2 with every `expect` fragment in the
    /// message; returns the message.
    pub fn fails(&self, cmd: &str, expect: &[&str]) -> String {
        let (code, err) = self.run(cmd);
        assert_eq!(code, 2, "peergroup {cmd} should fail: {err}");
        for e in expect {
            assert!(err.contains(e), "peergroup {cmd}: expected '{e}' in: {err}");
        }
        err
    }

    /// Generates synthetic inputs: runs `peergroup synth what` and requires success.
    pub fn synth(&self, what: &str) {
        self.ok(&format!("synth {what}"));
    }
}

/// All rows of a CSV file, header first.
pub fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = vec![r.headers().unwrap().iter().map(str::to_string).collect()];
    out.extend(
        r.records()
            .map(|x| x.unwrap().iter().map(str::to_string).collect()),
    );
    out
}

/// The index of the column called `name` in a table read by [`rows`].
pub fn col(table: &[Vec<String>], name: &str) -> usize {
    table[0]
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column '{name}' in {:?}", table[0]))
}

/// Runs a Python `script` that reads `path` with openpyxl (an Excel reader independent
/// of ours), `path` as `sys.argv[1]`; returns its stdout. Fails the test with the
/// script's output, or with how to get openpyxl when python3 cannot import it.
pub fn openpyxl(script: &str, path: &Path) -> String {
    let out = Command::new("python3")
        .args(["-c", &format!("import openpyxl, sys\n{script}")])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "openpyxl check failed (run `bash .ci/run`, which puts a venv with openpyxl first on PATH):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `file`: twelve objects X00..X11 in three groups of four, over ten features, keyed by
/// `id_column`.
pub fn grouped_features(w: &Workdir, file: &str, id_column: &str) {
    let mut s = format!("{id_column},f1,f2,f3,f4,f5,f6,f7,f8,f9,f10\n");
    for i in 0..12 {
        let g = (i / 4) as f64;
        let cells: Vec<String> = (0..10)
            .map(|j| {
                let noise = (((i * 7 + j * 13) % 11) as f64 - 5.0) / 50.0;
                format!("{:.3}", 3.0 * g * ((j % 3) as f64 - 1.0) + g + noise)
            })
            .collect();
        s.push_str(&format!("X{i:02},{}\n", cells.join(",")));
    }
    w.write(file, s);
}
