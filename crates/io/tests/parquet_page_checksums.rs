//! Page checksums in the Parquet files we write: every page header (dictionary and data)
//! carries the CRC-32 of its page, checked here by walking the pages, by an independent
//! reader (pyarrow with `page_checksum_verification`), and by refusing a corrupted page.
//! `.ci/run` provides pyarrow (in `.ci/.venv`); without it the pyarrow tests fail, saying
//! how to install it.

mod common;

use std::path::Path;
use std::process::Command;

use parquet::file::metadata::{PageIndexPolicy, ParquetMetaDataReader};
use peergroup_io::{
    read_table, write_table, write_table_blocks, write_table_owned, Column, Format, Table,
};

use common::d;

/// Rows of the big table: three row groups of at most 2^20 rows.
const ROWS: usize = 2_200_000;

/// Every column type the writer writes: ids (dictionary-encoded), text with so many
/// distinct values that its dictionary falls back to plain pages, dates, numbers with
/// gaps (nulls), integers, full-precision numbers (written uncompressed), and repeated
/// and cycled columns.
fn table(rows: usize) -> Table {
    let names: Vec<String> = (0..2000).map(|k| format!("fund-{k:04}")).collect();
    let day0 = d("2000-01-03");
    Table::new()
        .with(
            "id",
            Column::Key {
                codes: (0..rows).map(|r| (r / 1100 % 2000) as u32).collect(),
                names,
            },
        )
        .with(
            "note",
            Column::Text((0..rows).map(|r| format!("note {}", r * 7919)).collect()),
        )
        .with(
            "date",
            Column::Date(
                (0..rows)
                    .map(|r| day0.add_days((r % 1100) as i32))
                    .collect(),
            ),
        )
        .with(
            "aum",
            Column::F64(
                (0..rows)
                    .map(|r| {
                        if r % 7 == 3 {
                            f64::NAN
                        } else {
                            r as f64 * 0.25
                        }
                    })
                    .collect(),
            ),
        )
        .with(
            "count",
            Column::I64((0..rows as i64).map(|r| r * 3 - 5).collect()),
        )
        .with(
            "ret",
            Column::F64(
                (0..rows)
                    .map(|r| ((r as f64) * 0.618_033_988_7).sin() * 1e-2)
                    .collect(),
            ),
        )
        // The two lazy forms, made plain one row group at a time.
        .with(
            "weight",
            Column::Repeated {
                values: Box::new(Column::F64(
                    (0..rows / 100).map(|k| k as f64 * 0.5 + 0.25).collect(),
                )),
                each: 100,
            },
        )
        .with(
            "style",
            Column::Cycled {
                values: Box::new(Column::Text(
                    ["value", "growth", "blend", "income", "momentum"]
                        .map(String::from)
                        .to_vec(),
                )),
                len: rows,
            },
        )
}

/// One page as walked in the file (its CRC already checked): offset, whole size (header
/// and page) and type.
#[derive(Debug, PartialEq)]
struct Page {
    offset: u64,
    size: u64,
    page_type: i32,
}

/// Thrift compact-protocol reader, just enough to walk a page header.
struct Compact<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Compact<'_> {
    fn byte(&mut self) -> u8 {
        self.pos += 1;
        self.b[self.pos - 1]
    }
    fn varint(&mut self) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }
    fn zigzag(&mut self) -> i64 {
        let v = self.varint();
        (v >> 1) as i64 ^ -((v & 1) as i64)
    }
    fn skip(&mut self, ty: u8) {
        match ty {
            1 | 2 => {}
            3 => self.pos += 1,
            4..=6 => {
                self.varint();
            }
            7 => self.pos += 8,
            8 => self.pos += self.varint() as usize,
            9 | 10 => {
                let h = self.byte();
                let n = if h >> 4 == 15 {
                    self.varint()
                } else {
                    u64::from(h >> 4)
                };
                for _ in 0..n {
                    self.skip(h & 0x0f);
                }
            }
            12 => {
                self.fields(|c, _, ty| c.skip(ty));
            }
            _ => panic!("thrift type {ty} not expected in a page header"),
        }
    }
    /// Calls `f` with each field's id and type until the struct's stop.
    fn fields(&mut self, mut f: impl FnMut(&mut Self, i16, u8)) {
        let mut last = 0i16;
        loop {
            let h = self.byte();
            if h == 0 {
                return;
            }
            let id = if h >> 4 == 0 {
                self.zigzag() as i16
            } else {
                last + i16::from(h >> 4)
            };
            f(self, id, h & 0x0f);
            last = id;
        }
    }
}

/// Walk every page of every column chunk of the Parquet file `bytes`, asserting that each
/// header has a CRC equal to the CRC-32 of the page after it; the pages per chunk.
fn walk_pages(bytes: &[u8]) -> Vec<Vec<Page>> {
    let meta = ParquetMetaDataReader::new()
        .parse_and_finish(&bytes::Bytes::copy_from_slice(bytes))
        .unwrap();
    let mut chunks = Vec::new();
    for rg in meta.row_groups() {
        for col in rg.columns() {
            let start = col
                .dictionary_page_offset()
                .unwrap_or(col.data_page_offset()) as u64;
            let end = start + col.compressed_size() as u64;
            let mut at = start;
            let mut pages = Vec::new();
            while at < end {
                let mut c = Compact {
                    b: bytes,
                    pos: at as usize,
                };
                let (mut ty, mut size, mut crc) = (-1i32, 0usize, None);
                c.fields(|c, id, t| match id {
                    1 => ty = c.zigzag() as i32,
                    3 => size = c.zigzag() as usize,
                    4 => crc = Some(c.zigzag() as i32 as u32),
                    _ => c.skip(t),
                });
                let page = &bytes[c.pos..c.pos + size];
                assert_eq!(
                    crc,
                    Some(crc32fast::hash(page)),
                    "page at {at} of column {}",
                    col.column_path()
                );
                let whole = (c.pos + size) as u64 - at;
                pages.push(Page {
                    offset: at,
                    size: whole,
                    page_type: ty,
                });
                at += whole;
            }
            assert_eq!(
                at,
                end,
                "pages of {} end at the chunk's end",
                col.column_path()
            );
            chunks.push(pages);
        }
    }
    chunks
}

/// Offset index entries (offset, size) of every chunk's data pages, as the footer gives
/// them.
fn offset_index(bytes: &[u8]) -> Vec<Vec<(u64, u64)>> {
    let meta = ParquetMetaDataReader::new()
        .with_offset_index_policy(PageIndexPolicy::Required)
        .parse_and_finish(&bytes::Bytes::copy_from_slice(bytes))
        .unwrap();
    let mut chunks = Vec::new();
    for (g, rg) in meta.row_groups().iter().enumerate() {
        let index = meta.page_index_for_row_group(g);
        for c in 0..rg.num_columns() {
            let locations = index.offset_index(c).expect("an offset index");
            chunks.push(
                locations
                    .page_locations()
                    .iter()
                    .map(|l| (l.offset as u64, l.compressed_page_size as u64))
                    .collect(),
            );
        }
    }
    chunks
}

/// Row `r` of `c` as our reader's cells are compared: ids spelled out, numbers as
/// their bits.
fn cell(c: &Column, r: usize) -> String {
    match c {
        Column::Key { codes, names } => names[codes[r] as usize].clone(),
        Column::Text(v) => v[r].clone(),
        Column::Date(v) => v[r].to_string(),
        Column::F64(v) if v[r].is_nan() => "NaN".into(),
        Column::F64(v) => v[r].to_bits().to_string(),
        Column::I64(v) => v[r].to_string(),
        Column::Repeated { values, each } => cell(values, r / each),
        Column::Cycled { values, .. } => cell(values, r % values.len()),
    }
}

fn cells(c: &Column, rows: usize) -> Vec<String> {
    (0..rows).map(|r| cell(c, r)).collect()
}

fn assert_reads_back(path: &Path, t: &Table, rows: usize) {
    let back = read_table(path).unwrap();
    assert_eq!(back.names(), t.names());
    for (name, (a, b)) in t.names().iter().zip(t.columns().iter().zip(back.columns())) {
        assert!(cells(a, rows) == cells(b, rows), "column {name} reads back");
    }
}

/// Every page checksummed, the chunks' page offsets and the offset index consistent with
/// the longer headers, and the values read back, for each way of writing a table.
#[test]
fn every_page_of_every_write_path_carries_its_crc() {
    let dir = tempfile::tempdir().unwrap();
    let t = table(ROWS);
    let a = dir.path().join("borrowed.parquet");
    let b = dir.path().join("owned.parquet");
    let c = dir.path().join("blocks.parquet");
    write_table(&a, Format::Parquet, &t).unwrap();
    write_table_owned(&b, Format::Parquet, t.clone()).unwrap();
    let blocks = [0..700_000, 700_000..1_500_000, 1_500_000..ROWS].map(|r| {
        let s = table(ROWS);
        let mut block = Table::new();
        for (name, c) in s.names().iter().zip(s.columns()) {
            let part = match c {
                Column::Key { codes, names } => Column::Key {
                    codes: codes[r.clone()].to_vec(),
                    names: names.clone(),
                },
                Column::Text(v) => Column::Text(v[r.clone()].to_vec()),
                Column::Date(v) => Column::Date(v[r.clone()].to_vec()),
                Column::F64(v) => Column::F64(v[r.clone()].to_vec()),
                Column::I64(v) => Column::I64(v[r.clone()].to_vec()),
                // Blocks start at multiples of 100 rows, so of the group and the period.
                Column::Repeated { values, each } => match &**values {
                    Column::F64(v) => Column::Repeated {
                        values: Box::new(Column::F64(v[r.start / each..r.end / each].to_vec())),
                        each: *each,
                    },
                    other => panic!("{other:?}"),
                },
                Column::Cycled { values, .. } => Column::Cycled {
                    values: values.clone(),
                    len: r.len(),
                },
            };
            block.push(name, part);
        }
        block
    });
    write_table_blocks(&c, Format::Parquet, blocks.into_iter()).unwrap();
    for path in [&a, &b, &c] {
        let bytes = std::fs::read(path).unwrap();
        let chunks = walk_pages(&bytes);
        assert!(chunks.len() >= 3 * 8, "{} chunks", chunks.len());
        let pages: Vec<&Page> = chunks.iter().flatten().collect();
        assert!(pages.iter().any(|p| p.page_type == 2), "a dictionary page");
        assert!(
            chunks.iter().any(|c| c.len() > 2),
            "chunks of several pages"
        );
        // The offset index lists the data pages where they are.
        let data: Vec<Vec<(u64, u64)>> = chunks
            .iter()
            .map(|c| {
                c.iter()
                    .filter(|p| p.page_type != 2)
                    .map(|p| (p.offset, p.size))
                    .collect()
            })
            .collect();
        assert_eq!(offset_index(&bytes), data, "{}", path.display());
    }
    assert_reads_back(&a, &t, ROWS);
    assert_reads_back(&c, &t, ROWS);
}

/// Runs `script` under python3 with pyarrow and `args`; the output, or a failed test
/// saying how to install pyarrow when it is missing.
fn pyarrow(script: &str, args: &[&str]) -> std::process::Output {
    let probe = Command::new("python3")
        .args(["-c", "import pyarrow"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        panic!(
            "these tests read Parquet files with pyarrow, which python3 cannot import: run \
             .ci/run (it makes .ci/.venv with pyarrow and puts it first on PATH)"
        );
    }
    Command::new("python3")
        .args(["-c", script])
        .args(args)
        .output()
        .expect("python3 runs")
}

/// Prints the row and row group counts, every chunk's offsets from the footer, and every
/// `step`-th row (numbers as their bits), read with page checksum verification.
const PYARROW_READ: &str = r#"
import sys, json, struct, pyarrow.parquet as pq
path, step = sys.argv[1], int(sys.argv[2])
f = pq.ParquetFile(path, page_checksum_verification=True)
t = pq.read_table(path, page_checksum_verification=True)
md = f.metadata
chunks = []
for i in range(md.num_row_groups):
    g = f.read_row_group(i)
    assert g.num_rows == md.row_group(i).num_rows
    for j in range(md.num_columns):
        c = md.row_group(i).column(j)
        start = c.dictionary_page_offset if c.has_dictionary_page else c.data_page_offset
        chunks.append([start, c.total_compressed_size])
def cell(v):
    if v is None:
        return "NaN"
    if isinstance(v, float):
        return str(struct.unpack('<q', struct.pack('<d', v))[0] & 0xffffffffffffffff)
    return str(v)
rows = t.take(list(range(0, t.num_rows, step)))
print(json.dumps({"rows": t.num_rows, "groups": md.num_row_groups, "chunks": chunks,
  "sample": {n: [cell(v) for v in rows.column(n).to_pylist()] for n in t.column_names}}))
"#;

/// Reads with verification: prints the error and exits 0 when the read is refused.
const PYARROW_REFUSES: &str = r#"
import sys, pyarrow.parquet as pq
try:
    pq.read_table(sys.argv[1], page_checksum_verification=True)
except Exception as e:
    print(e)
    sys.exit(0)
sys.exit(1)
"#;

#[test]
fn pyarrow_verifies_our_checksums_and_reads_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let t = table(ROWS);
    let path = dir.path().join("t.parquet");
    write_table(&path, Format::Parquet, &t).unwrap();
    let step = 997;
    let out = pyarrow(PYARROW_READ, &[path.to_str().unwrap(), &step.to_string()]);
    assert!(
        out.status.success(),
        "pyarrow read failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["rows"], ROWS);
    assert_eq!(got["groups"], 3);
    let bytes = std::fs::read(&path).unwrap();
    let walked: Vec<serde_json::Value> = walk_pages(&bytes)
        .iter()
        .map(|c| {
            let end = c.last().unwrap();
            serde_json::json!([c[0].offset, end.offset + end.size - c[0].offset])
        })
        .collect();
    assert_eq!(got["chunks"].as_array().unwrap(), &walked);
    for (name, col) in t.names().iter().zip(t.columns()) {
        let expected: Vec<String> = cells(col, ROWS).into_iter().step_by(step).collect();
        let seen: Vec<String> = got["sample"][name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(seen, expected, "column {name}");
    }
}

#[test]
fn a_corrupted_data_page_of_our_output_is_refused_by_pyarrow_and_by_us() {
    let dir = tempfile::tempdir().unwrap();
    let t = table(5000);
    let path = dir.path().join("t.parquet");
    write_table(&path, Format::Parquet, &t).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // A byte inside the first data page of "count" (the fifth column): past its header.
    let chunks = walk_pages(&bytes);
    let page = &chunks[4][0];
    let at = (page.offset + page.size - 3) as usize;
    bytes[at] ^= 0x40;
    let bad = dir.path().join("bad.parquet");
    std::fs::write(&bad, &bytes).unwrap();
    let out = pyarrow(PYARROW_REFUSES, &[bad.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(out.status.success(), "pyarrow read the corrupted page");
    assert!(said.contains("crc"), "{said}");
    let err = read_table(&bad).unwrap_err().to_string();
    assert!(
        err.contains("bad.parquet") && err.contains("checksum"),
        "{err}"
    );
}
