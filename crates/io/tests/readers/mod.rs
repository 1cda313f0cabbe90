//! Every reader of `peergroup-io` with a small valid seed file, and the mutations applied
//! to those seeds: shared by the property tests (`tests/prop_readers.rs`) and the long
//! mutation fuzzer (`examples/fuzz_readers.rs`), so both exercise the same readers.

#![allow(dead_code)]

use std::path::Path;

use peergroup_data::{InputError, SeriesKind};
use peergroup_io::{
    read_balances, read_cross_labels, read_exposures, read_features, read_fit_r2, read_funds,
    read_industry, read_labels, read_metadata, read_sales, read_series, read_similarity,
    read_square_matrix, read_star_ratings, read_table, read_users, write_table, Format,
    SeriesOptions,
};

/// One reader under test: its name, a valid CSV seed, and a call that reads a path.
pub struct Target {
    /// Short name used in logs and saved file names.
    pub name: &'static str,
    /// A small valid input in CSV form (the Parquet seed is written from it).
    pub seed: &'static str,
    /// Read the file at the path, keeping only success or the error.
    pub read: fn(&Path) -> Result<(), InputError>,
}

fn series(path: &Path, kind: SeriesKind) -> Result<(), InputError> {
    let opts = SeriesOptions {
        kind,
        ..SeriesOptions::default()
    };
    read_series(path, &opts).map(drop)
}

/// The readers, each with a seed it accepts.
pub const TARGETS: &[Target] = &[
    Target {
        name: "series_long",
        seed: "id,date,value\nA,2020-01-31,0.01\nA,2020-02-29,-0.02\nA,2020-03-31,0.5\n\
               B,2020-01-31,0.03\nB,2020-02-29,\nB,2020-03-31,-0.25\n",
        read: |p| series(p, SeriesKind::Returns),
    },
    Target {
        name: "series_wide",
        seed: "date,A,B,C\n2020-01-31,0.01,0.02,-0.1\n2020-02-29,0.03,,0.2\n\
               2020-03-31,-0.04,0.05,0\n2020-04-30,0.01,0.01,0.01\n",
        read: |p| series(p, SeriesKind::Returns),
    },
    Target {
        name: "series_prices",
        seed: "date,A,B\n2020-01-02,100,10.5\n2020-01-03,101.5,10.25\n2020-01-06,99,\n\
               2020-01-07,98.75,11\n",
        read: |p| series(p, SeriesKind::Prices),
    },
    Target {
        name: "industry",
        seed: "class_id,date,price,shares,aum\nF1-A,2022-01-03,51.27,690476.7,35404804.8\n\
               F1-A,2022-01-04,51.22,690683.0,35381034.7\nF1-A,2022-01-05,51.30,690000,35397000\n\
               F2-B,2022-01-03,1.1,1000,1100\nF2-B,2022-01-04,1.2,1000,1200\n\
               F2-B,2022-01-05,1.15,1100,1265\n",
        read: |p| read_industry(p).map(drop),
    },
    Target {
        name: "metadata",
        seed: "class_id,fund,manager\nF1-A,Fund 1,Manager 1\nF2-B,Fund 2,Manager 1\n\
               F3-A,\"Fund, 3\",Manager 2\n",
        read: |p| read_metadata(p, "class_id", &["fund", "manager"]).map(drop),
    },
    Target {
        name: "exposures",
        seed: "fund,date,factor,beta\nA,2020-12-31,X,0.6\nA,2020-12-31,Y,0.4\n\
               B,2020-12-31,X,0.1\nB,2020-12-31,Y,0.9\nA,2021-12-31,X,0.5\nA,2021-12-31,Y,0.5\n",
        read: |p| read_exposures(p).map(drop),
    },
    Target {
        name: "fit_r2",
        seed: "fund,date,r2\nA,2020-12-31,0.9\nB,2020-12-31,0.75\nA,2021-12-31,0.5\n",
        read: |p| read_fit_r2(p).map(drop),
    },
    Target {
        name: "similarity",
        seed: "date,fund_a,fund_b,similarity\n2020-12-31,A,B,0.8\n2020-12-31,A,C,0.1\n\
               2020-12-31,B,C,-0.3\n2021-12-31,A,B,0.7\n2021-12-31,A,C,0.2\n2021-12-31,B,C,0\n",
        read: |p| read_similarity(p).map(drop),
    },
    Target {
        name: "features",
        seed: "id,x,y,z\nA,1,2,3\nB,0.5,-1,2\nC,10,0,1e3\n",
        read: |p| read_features(p).map(drop),
    },
    Target {
        name: "square_matrix",
        seed: "factor,X,Y,Z\nX,1,0.5,0\nY,0.5,1,0.25\nZ,0,0.25,1\n",
        read: |p| read_square_matrix(p).map(drop),
    },
    Target {
        name: "labels",
        seed: "id,group\nA,g1\nB,g2\nC,g1\n",
        read: |p| read_labels(p, "id", "group").map(drop),
    },
    Target {
        name: "cross_labels",
        seed: "attribute,label_a,label_b,similarity\nsector,Tech,Broad,0.5\nregion,US,EU,0.2\n",
        read: |p| read_cross_labels(p).map(drop),
    },
    Target {
        name: "star_ratings",
        seed: "fund,stars\nA,5\nB,1\nC,3\n",
        read: |p| read_star_ratings(p, "stars").map(drop),
    },
    Target {
        name: "sales",
        seed: "bd,office,fund,month,amount\nBD1,BD1-O1,F1,2023-01-31,776340.66\n\
               BD1,BD1-O1,F2,2023-01-31,-2000\nBD1,BD1-O2,F1,2023-02-28,5\n\
               BD2,BD2-O3,F2,2023-02-28,12.5\n",
        read: |p| read_sales(p).map(drop),
    },
    Target {
        name: "funds",
        seed: "fund,category,broad_category\nF1,US Large Value,Equity\n\
               F2,US Govt,Fixed Income\n",
        read: |p| read_funds(p).map(drop),
    },
    Target {
        name: "users",
        seed: "user_id,registered,gender,age,occupation,income_band,referral\n\
               1,2020-12-06,Male,26,Employee,50-100M,not used\n\
               2,2021-06-23,Female,24,Student,< 10M,used\n",
        read: |p| read_users(p).map(drop),
    },
    Target {
        name: "balances",
        seed: "user_id,date,fund_type,balance,buy,sell,profit\n\
               1,2021-09-01,money_market,1359028.0,0.0,0.0,214.0\n\
               1,2021-09-01,stock,6170396.0,0.0,0.0,-8330.0\n\
               2,2021-09-02,stock,100.0,50.0,0.0,1.0\n",
        read: |p| read_balances(p).map(drop),
    },
    Target {
        name: "table",
        seed: "date,id,value,note\n2020-01-31,A,0.5,x\n2020-02-29,B,,\"y, z\"\n",
        read: |p| read_table(p).map(drop),
    },
];

/// Odd cell values and separators that mutations insert.
pub const TOKENS: &[&str] = &[
    "",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "-1e309",
    "1e300",
    "-1e300",
    "1e-320",
    "0",
    "-0",
    "+",
    "-",
    ".",
    "1e",
    "0x10",
    "1,5",
    "99999999999999999999",
    "18446744073709551616",
    "2020-02-30",
    "2020-13-01",
    "0000-00-00",
    "9999-12-31",
    "2020-1-1",
    "20200131",
    "202013",
    "31/01/2020",
    "2020/01/31",
    "Jan 2020",
    "\"",
    "\"\"",
    "\"a\nb\"",
    "\r",
    "\n",
    "\r\n",
    ",",
    ",,",
    "\u{feff}",
    "\u{0}",
    "\u{fffd}",
    "\u{1F600}",
    "é",
    " ",
    "\t",
    "id",
    "date",
    "value",
    "class_id",
    "fund",
    "A",
    "B",
    "#N/A",
    "null",
    "true",
];

/// How many of the first kinds of [`Mutation::from_parts`] edit bytes, not lines.
pub const BYTE_KINDS: usize = 7;

/// One edit of a byte string; positions are taken modulo the length, so any values apply.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Flip one bit of one byte.
    FlipBit { pos: usize, bit: u8 },
    /// Overwrite one byte.
    SetByte { pos: usize, byte: u8 },
    /// Insert one byte.
    InsertByte { pos: usize, byte: u8 },
    /// Insert one of [`TOKENS`].
    InsertToken { pos: usize, token: usize },
    /// Delete up to `len` bytes.
    Delete { pos: usize, len: usize },
    /// Keep only the first `len` bytes.
    Truncate { len: usize },
    /// Replace one comma-separated cell of one line by one of [`TOKENS`].
    ReplaceCell {
        line: usize,
        cell: usize,
        token: usize,
    },
    /// Repeat one line.
    DuplicateLine { line: usize },
    /// Remove one line.
    DeleteLine { line: usize },
    /// Exchange two lines.
    SwapLines { a: usize, b: usize },
    /// Copy a run of bytes from one place to another.
    CopyRange { from: usize, len: usize, to: usize },
}

impl Mutation {
    /// Number of kinds [`Mutation::from_parts`] makes; the first [`BYTE_KINDS`] edit
    /// bytes, the rest lines and cells.
    pub const KINDS: usize = 11;

    /// The mutation of kind `kind % KINDS` with positions and choices `a`, `b`, `c`.
    pub fn from_parts(kind: usize, a: usize, b: usize, c: usize) -> Mutation {
        match kind % Mutation::KINDS {
            0 => Mutation::FlipBit {
                pos: a,
                bit: b as u8,
            },
            1 => Mutation::SetByte {
                pos: a,
                byte: b as u8,
            },
            2 => Mutation::InsertByte {
                pos: a,
                byte: b as u8,
            },
            3 => Mutation::InsertToken { pos: a, token: b },
            4 => Mutation::Delete { pos: a, len: b },
            5 => Mutation::Truncate { len: a },
            6 => Mutation::CopyRange {
                from: a,
                len: b,
                to: c,
            },
            7 => Mutation::ReplaceCell {
                line: a,
                cell: b,
                token: c,
            },
            8 => Mutation::DuplicateLine { line: a },
            9 => Mutation::DeleteLine { line: a },
            _ => Mutation::SwapLines { a, b },
        }
    }
}

/// Byte ranges of the lines of `bytes` (each range ends after its `\n`, if any).
fn line_ranges(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.push((start, bytes.len()));
    }
    out
}

/// Apply `m` to `bytes`.
pub fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len();
    match *m {
        Mutation::FlipBit { pos, bit } if n > 0 => bytes[pos % n] ^= 1 << (bit % 8),
        Mutation::SetByte { pos, byte } if n > 0 => bytes[pos % n] = byte,
        Mutation::InsertByte { pos, byte } => bytes.insert(pos % (n + 1), byte),
        Mutation::InsertToken { pos, token } => {
            let at = pos % (n + 1);
            let t = TOKENS[token % TOKENS.len()].as_bytes();
            bytes.splice(at..at, t.iter().copied());
        }
        Mutation::Delete { pos, len } if n > 0 => {
            let at = pos % n;
            let end = (at + len % 16 + 1).min(n);
            bytes.drain(at..end);
        }
        Mutation::Truncate { len } => bytes.truncate(len % (n + 1)),
        Mutation::ReplaceCell { line, cell, token } => {
            let lines = line_ranges(bytes);
            if lines.is_empty() {
                return;
            }
            let (s, e) = lines[line % lines.len()];
            let mut cells = vec![s];
            cells.extend((s..e).filter(|&i| bytes[i] == b',').map(|i| i + 1));
            let c = cell % cells.len();
            let cs = cells[c];
            let ce = (cs..e)
                .find(|&i| matches!(bytes[i], b',' | b'\n' | b'\r'))
                .unwrap_or(e);
            let t = TOKENS[token % TOKENS.len()].as_bytes();
            bytes.splice(cs..ce, t.iter().copied());
        }
        Mutation::DuplicateLine { line } => {
            let lines = line_ranges(bytes);
            if let Some(&(s, e)) = lines.get(line % lines.len().max(1)) {
                let copy = bytes[s..e].to_vec();
                bytes.splice(e..e, copy);
            }
        }
        Mutation::DeleteLine { line } => {
            let lines = line_ranges(bytes);
            if let Some(&(s, e)) = lines.get(line % lines.len().max(1)) {
                bytes.drain(s..e);
            }
        }
        Mutation::SwapLines { a, b } => {
            let lines = line_ranges(bytes);
            if lines.len() < 2 {
                return;
            }
            let (i, j) = (a % lines.len(), b % lines.len());
            let (i, j) = (i.min(j), i.max(j));
            if i == j {
                return;
            }
            let mut out = Vec::with_capacity(n);
            for (k, &(s, e)) in lines.iter().enumerate() {
                let (s, e) = match k {
                    k if k == i => lines[j],
                    k if k == j => lines[i],
                    _ => (s, e),
                };
                out.extend_from_slice(&bytes[s..e]);
            }
            *bytes = out;
        }
        Mutation::CopyRange { from, len, to } if n > 0 => {
            let s = from % n;
            let e = (s + len % 64 + 1).min(n);
            let copy = bytes[s..e].to_vec();
            let at = to % (n + 1);
            bytes.splice(at..at, copy);
        }
        _ => {}
    }
}

/// The Parquet form of a CSV table: `csv` is read with [`read_table`] (each column
/// typed by its cells, so a text cell in a number column makes a text column) and
/// written to `parquet`. `None` when the CSV itself is not a table.
pub fn parquet_of(csv: &Path, parquet: &Path) -> Option<Vec<u8>> {
    let table = read_table(csv).ok()?;
    write_table(parquet, Format::Parquet, &table).ok()?;
    std::fs::read(parquet).ok()
}

/// Read `path` with target `t` on a worker thread, waiting at most `limit`: `None` when
/// the reader did not answer in time (a hang), else its result (a panic is re-raised).
pub fn read_within(
    t: usize,
    path: &Path,
    limit: std::time::Duration,
) -> Option<Result<(), InputError>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    let worker = std::thread::spawn(move || {
        let _ = tx.send((TARGETS[t].read)(&path));
    });
    match rx.recv_timeout(limit) {
        Ok(r) => Some(r),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The reader panicked: hand the panic to the caller.
            std::panic::resume_unwind(
                worker
                    .join()
                    .expect_err("a worker that sent nothing panicked"),
            )
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
    }
}

/// Whether an error names its file, as every reader's errors must.
pub fn is_located(e: &InputError) -> bool {
    e.file.is_some() && !e.message.is_empty()
}
