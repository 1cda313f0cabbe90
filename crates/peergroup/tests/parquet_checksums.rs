//! Parquet page checksums: a file whose pages carry CRC-32s is read when they match, and
//! a corrupted page is an error naming the file instead of values like 2e-181; our own
//! Parquet outputs carry them.

mod common;

use common::Workdir;

/// A minimal Thrift compact-protocol writer: enough for the Parquet footer and page
/// headers of [`parquet_with_checksums`] (the parquet crate writes no page checksums).
struct Thrift {
    out: Vec<u8>,
    last: Vec<i16>,
}

impl Thrift {
    fn new() -> Thrift {
        Thrift {
            out: Vec::new(),
            last: vec![0],
        }
    }
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }
    fn field(&mut self, id: i16, ty: u8) {
        let last = self.last.last_mut().unwrap();
        let delta = id - *last;
        assert!((1..=15).contains(&delta));
        self.out.push(((delta as u8) << 4) | ty);
        *last = id;
    }
    fn i32(&mut self, id: i16, v: i32) {
        self.field(id, 5);
        self.varint(((v << 1) ^ (v >> 31)) as u32 as u64);
    }
    fn i64(&mut self, id: i16, v: i64) {
        self.field(id, 6);
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }
    fn binary(&mut self, id: i16, b: &[u8]) {
        self.field(id, 8);
        self.raw_binary(b);
    }
    fn raw_binary(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.out.extend_from_slice(b);
    }
    fn list(&mut self, id: i16, n: usize, elem: u8) {
        self.field(id, 9);
        assert!(n < 15);
        self.out.push(((n as u8) << 4) | elem);
    }
    fn begin(&mut self, id: i16) {
        self.field(id, 12);
        self.last.push(0);
    }
    /// A struct element of a list.
    fn begin_element(&mut self) {
        self.last.push(0);
    }
    fn end(&mut self) {
        self.out.push(0);
        self.last.pop();
    }
}

/// CRC-32 (IEEE), as Parquet page checksums use.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A Parquet file `date` (text), `A` (double) of twelve monthly returns, one
/// uncompressed PLAIN page per column, each page header with its CRC-32; also the
/// offset of `A`'s page data.
fn parquet_with_checksums() -> (Vec<u8>, usize) {
    let dates: Vec<String> = (1..=12).map(|m| format!("2020-{m:02}")).collect();
    let mut date_data = Vec::new();
    for d in &dates {
        date_data.extend_from_slice(&(d.len() as u32).to_le_bytes());
        date_data.extend_from_slice(d.as_bytes());
    }
    let a_data: Vec<u8> = (1..=12)
        .flat_map(|m| (0.001 * f64::from(m)).to_le_bytes())
        .collect();
    let mut file = b"PAR1".to_vec();
    let mut chunks = Vec::new(); // (offset, length, name, type)
    let mut a_at = 0;
    for (name, ty, data) in [("date", 6, &date_data), ("A", 5, &a_data)] {
        let mut h = Thrift::new();
        h.i32(1, 0); // DATA_PAGE
        h.i32(2, data.len() as i32);
        h.i32(3, data.len() as i32);
        h.i32(4, crc32(data) as i32);
        h.begin(5);
        h.i32(1, 12);
        h.i32(2, 0); // PLAIN
        h.i32(3, 3); // RLE
        h.i32(4, 3);
        h.end();
        h.out.push(0);
        let offset = file.len();
        file.extend_from_slice(&h.out);
        if name == "A" {
            a_at = file.len();
        }
        file.extend_from_slice(data);
        chunks.push((offset, file.len() - offset, name, ty));
    }
    let mut m = Thrift::new();
    m.i32(1, 1);
    m.list(2, 3, 12);
    m.begin_element();
    m.binary(4, b"schema");
    m.i32(5, 2);
    m.end();
    for (_, _, name, ty) in &chunks {
        m.begin_element();
        m.i32(1, *ty);
        m.i32(3, 0); // REQUIRED
        m.binary(4, name.as_bytes());
        if *ty == 6 {
            m.i32(6, 0); // UTF8
        }
        m.end();
    }
    m.i64(3, 12);
    m.list(4, 1, 12);
    m.begin_element();
    m.list(1, chunks.len(), 12);
    for (offset, len, name, ty) in &chunks {
        m.begin_element();
        m.i64(2, *offset as i64);
        m.begin(3);
        m.i32(1, *ty);
        m.list(2, 2, 5);
        m.varint(0); // PLAIN
        m.varint(6); // RLE (zigzag of 3)
        m.list(3, 1, 8);
        m.raw_binary(name.as_bytes());
        m.i32(4, 0); // UNCOMPRESSED
        m.i64(5, 12);
        m.i64(6, *len as i64);
        m.i64(7, *len as i64);
        m.i64(9, *offset as i64);
        m.end();
        m.end();
    }
    let total: usize = chunks.iter().map(|c| c.1).sum();
    m.i64(2, total as i64);
    m.i64(3, 12);
    m.end();
    m.out.push(0);
    file.extend_from_slice(&m.out);
    file.extend_from_slice(&(m.out.len() as u32).to_le_bytes());
    file.extend_from_slice(b"PAR1");
    (file, a_at)
}

#[test]
fn a_corrupt_parquet_page_fails_its_checksum() {
    let w = Workdir::new();
    let (file, a_at) = parquet_with_checksums();
    w.write("ok.parquet", &file);
    w.ok("periods --returns ok.parquet --out p.csv");
    assert!(w.read("p.csv").contains("2020"), "{}", w.read("p.csv"));
    // One bit of the fifth return's exponent: a plausible-looking value without the check.
    let mut bad = file.clone();
    bad[a_at + 4 * 8 + 6] ^= 0x01;
    w.write("bad.parquet", &bad);
    let err = w.fails(
        "periods --returns bad.parquet --out q.csv",
        &["bad.parquet", "checksum"],
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!w.exists("q.csv"));
}

/// Our own Parquet outputs carry page checksums: a flipped byte in a data page of one is
/// refused, naming the file.
#[test]
fn a_corrupted_data_page_of_our_own_output_is_refused() {
    let w = Workdir::new();
    w.synth("industry --classes 40 --days 30 --seed 3 --out pq --format parquet");
    w.ok("industry --data pq/industry.parquet --meta pq/classes.csv --out ok.csv");
    let file = std::fs::File::open(w.join("pq/industry.parquet")).unwrap();
    let meta = parquet::file::metadata::ParquetMetaDataReader::new()
        .parse_and_finish(&file)
        .unwrap();
    // The last byte of a column chunk is in its last data page (a dictionary page, if
    // any, comes first): here the price column's.
    let price = meta
        .row_group(0)
        .columns()
        .iter()
        .find(|c| c.column_path().string() == "price");
    let price = price.expect("a price column");
    let start = price
        .dictionary_page_offset()
        .unwrap_or(price.data_page_offset());
    let mut bad = w.bytes("pq/industry.parquet");
    bad[(start + price.compressed_size() - 1) as usize] ^= 0x10;
    w.write("bad.parquet", &bad);
    let err = w.fails(
        "industry --data bad.parquet --meta pq/classes.csv --out q.csv",
        &["bad.parquet", "checksum"],
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!w.exists("q.csv"));
}
