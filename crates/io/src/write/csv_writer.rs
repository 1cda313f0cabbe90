//! The CSV writer: rows formatted in parallel chunks into reused buffers (bounded rows
//! by index into a buffer sized for the widest row), written out by a thread of its own.

use std::io::Write;
use std::path::Path;

use peergroup_data::Date;
use rayon::prelude::*;

use super::cell_text::{
    int_text, push_date, push_f64, push_int, push_quoted, F64_WIDTH, I64_WIDTH,
};
use super::table::{Column, Table};
use crate::format::CSV_CHUNK;
use crate::sys::preallocate::PreallocatedFile;

/// A column made ready for CSV: key names quoted once, dates looked up in a table of
/// their text (a file spans a few thousand distinct days but millions of rows).
enum CsvCol<'a> {
    Key {
        codes: &'a [u32],
        names: Vec<Vec<u8>>,
    },
    Date {
        days: &'a [Date],
        first: i32,
        text: Vec<[u8; 10]>,
    },
    F64(&'a [f64]),
    I64(&'a [i64]),
    Repeated {
        inner: Box<CsvCol<'a>>,
        each: usize,
    },
    Cycled {
        inner: Box<CsvCol<'a>>,
        period: usize,
    },
    Other(&'a Column),
}

/// Copy `s` to `buf[p..]` and return the new end. Cells are short, and a call to
/// `memcpy` per cell cost more than the copy: two overlapping fixed-size moves do it.
#[inline(always)]
fn put(buf: &mut [u8], p: usize, s: &[u8]) -> usize {
    let n = s.len();
    if (16..=32).contains(&n) {
        buf[p..p + 16].copy_from_slice(&s[..16]);
        buf[p + n - 16..p + n].copy_from_slice(&s[n - 16..]);
    } else if (8..16).contains(&n) {
        buf[p..p + 8].copy_from_slice(&s[..8]);
        buf[p + n - 8..p + n].copy_from_slice(&s[n - 8..]);
    } else if (4..8).contains(&n) {
        buf[p..p + 4].copy_from_slice(&s[..4]);
        buf[p + n - 4..p + n].copy_from_slice(&s[n - 4..]);
    } else if n < 4 {
        for (i, &b) in s.iter().enumerate() {
            buf[p + i] = b;
        }
    } else {
        buf[p..p + n].copy_from_slice(s);
    }
    p + n
}

impl<'a> CsvCol<'a> {
    fn new(c: &'a Column) -> CsvCol<'a> {
        match c {
            Column::Key { codes, names } => CsvCol::Key {
                codes,
                names: names
                    .iter()
                    .map(|n| {
                        let mut q = Vec::new();
                        push_quoted(n, &mut q);
                        q
                    })
                    .collect(),
            },
            Column::Date(v) => {
                let lo = v.iter().map(|d| d.days()).min().unwrap_or(0);
                let hi = v.iter().map(|d| d.days()).max().unwrap_or(0);
                // Four-digit years only; a table is pointless beyond ~100 years of days.
                let plain = |d: i32| (0..=9999).contains(&Date::from_days(d).ymd().0);
                if v.is_empty() || hi - lo > 40_000 || !plain(lo) || !plain(hi) {
                    return CsvCol::Other(c);
                }
                let text = (lo..=hi)
                    .map(|d| {
                        let mut t = Vec::with_capacity(10);
                        push_date(Date::from_days(d), &mut t);
                        t.try_into().expect("YYYY-MM-DD is 10 bytes")
                    })
                    .collect();
                CsvCol::Date {
                    days: v,
                    first: lo,
                    text,
                }
            }
            Column::F64(v) => CsvCol::F64(v),
            Column::I64(v) => CsvCol::I64(v),
            Column::Repeated { values, each } => CsvCol::Repeated {
                inner: Box::new(CsvCol::new(values)),
                each: *each,
            },
            Column::Cycled { values, .. } => CsvCol::Cycled {
                inner: Box::new(CsvCol::new(values)),
                period: values.len(),
            },
            other => CsvCol::Other(other),
        }
    }

    /// The column whose values rows index, and how a row maps to them.
    fn top(&self) -> (&CsvCol<'a>, Step) {
        match self {
            CsvCol::Repeated { inner, each } => (inner, Step::Repeat(*each)),
            CsvCol::Cycled { inner, period } => (inner, Step::Cycle(*period)),
            plain => (plain, Step::Row),
        }
    }

    /// Most bytes a cell of this column can take, if bounded.
    fn width(&self) -> Option<usize> {
        match self {
            CsvCol::Key { names, .. } => Some(names.iter().map(Vec::len).max().unwrap_or(0)),
            CsvCol::Date { .. } => Some(10),
            CsvCol::F64(_) => Some(F64_WIDTH),
            CsvCol::I64(_) => Some(I64_WIDTH),
            CsvCol::Repeated { inner, .. } | CsvCol::Cycled { inner, .. } => inner.width(),
            CsvCol::Other(_) => None,
        }
    }

    #[inline]
    fn push(&self, r: usize, out: &mut Vec<u8>) {
        match self {
            CsvCol::Key { codes, names } => out.extend_from_slice(&names[codes[r] as usize]),
            CsvCol::Date { days, first, text } => {
                out.extend_from_slice(&text[(days[r].days() - first) as usize])
            }
            CsvCol::F64(v) => push_f64(v[r], out),
            CsvCol::I64(v) => push_int(v[r], out),
            CsvCol::Repeated { inner, each } => inner.push(r / each, out),
            CsvCol::Cycled { inner, period } => inner.push(r % period, out),
            CsvCol::Other(c) => c.push_cell(r, out),
        }
    }

    /// [`CsvCol::push`] into a buffer known to have room.
    #[inline]
    fn put(&self, r: usize, buf: &mut [u8], p: usize) -> usize {
        match self {
            CsvCol::Key { codes, names } => put(buf, p, &names[codes[r] as usize]),
            CsvCol::Date { days, first, text } => {
                buf[p..p + 10].copy_from_slice(&text[(days[r].days() - first) as usize]);
                p + 10
            }
            CsvCol::F64(v) => {
                let x = v[r];
                if x.is_finite() {
                    let mut b = zmij::Buffer::new();
                    put(buf, p, b.format_finite(x).as_bytes())
                } else {
                    p
                }
            }
            CsvCol::I64(v) => {
                let mut tmp = [0u8; I64_WIDTH];
                put(buf, p, int_text(v[r], &mut tmp))
            }
            CsvCol::Repeated { inner, each } => inner.put(r / each, buf, p),
            CsvCol::Cycled { inner, period } => inner.put(r % period, buf, p),
            CsvCol::Other(_) => unreachable!("only bounded columns are put"),
        }
    }
}

/// How the value index of a top-level column moves from one row to the next.
#[derive(Clone, Copy, PartialEq)]
enum Step {
    Row,
    Repeat(usize),
    Cycle(usize),
}

impl Step {
    /// (value index, rows already taken from the current group) of row `r`.
    fn start(self, r: usize) -> (usize, usize) {
        match self {
            Step::Row => (r, 0),
            Step::Repeat(each) => (r / each, r % each),
            Step::Cycle(period) => (r % period, 0),
        }
    }

    #[inline]
    fn advance(self, (i, k): &mut (usize, usize)) {
        match self {
            Step::Row => *i += 1,
            Step::Repeat(each) => {
                *k += 1;
                if *k == each {
                    *k = 0;
                    *i += 1;
                }
            }
            Step::Cycle(period) => {
                *i += 1;
                if *i == period {
                    *i = 0;
                }
            }
        }
    }
}

/// A reusable text buffer: `bytes[..len]` is the text. Bounded rows are written by
/// index, so the buffer keeps its size between uses instead of being zeroed again.
#[derive(Clone, Default)]
struct TextBuf {
    bytes: Vec<u8>,
    len: usize,
}

impl TextBuf {
    fn text(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Format rows `rows` of `cols` into `buf`. Value indices of repeated and cycled columns
/// are stepped rather than divided out per cell, and leading columns repeated over the
/// same groups (the keys of a long table) are rendered once per group and copied as one
/// prefix.
fn format_rows(cols: &[CsvCol<'_>], rows: std::ops::Range<usize>, buf: &mut TextBuf) {
    let tops: Vec<(&CsvCol<'_>, Step)> = cols.iter().map(CsvCol::top).collect();
    let lead = match tops.first() {
        Some((_, Step::Repeat(each))) => tops
            .iter()
            .take_while(|(_, s)| *s == Step::Repeat(*each))
            .count(),
        _ => 0,
    };
    let mut cur: Vec<(usize, usize)> = tops.iter().map(|(_, s)| s.start(rows.start)).collect();
    let mut prefix = Vec::new();
    let mut prefix_of = usize::MAX;
    let mut prefix_for = |cur: &[(usize, usize)], prefix: &mut Vec<u8>| {
        if lead > 0 && cur[0].0 != prefix_of {
            prefix.clear();
            for (j, (c, _)) in tops[..lead].iter().enumerate() {
                if j > 0 {
                    prefix.push(b',');
                }
                c.push(cur[j].0, prefix);
            }
            prefix_of = cur[0].0;
        }
    };
    // Bounded rows (the usual case) are written by index into a buffer sized for the
    // widest possible row, then cut to what was written.
    let widths: Option<usize> = cols.iter().map(CsvCol::width).sum();
    if let Some(w) = widths {
        let row_max = w + cols.len();
        let need = rows.len() * row_max;
        if buf.bytes.len() < need {
            // A fresh zeroed buffer rather than `resize`: rows are written by index before
            // they are read, so the old text need not be kept, and a zeroed allocation
            // leaves the pages that no row reaches untouched.
            buf.bytes = vec![0; need];
        }
        let out = &mut buf.bytes[..need];
        let mut p = 0;
        if tops.iter().all(|(_, s)| *s == Step::Row) {
            // Plain columns (the usual table): every cell of row `r` is value `r`, so no
            // per-column cursors are kept or stepped.
            for r in rows {
                p = put_row(&tops, 0, |_| r, &[], out, p);
            }
        } else {
            for _ in rows {
                prefix_for(&cur, &mut prefix);
                p = put_row(&tops, lead, |j| cur[j].0, &prefix, out, p);
                for ((_, s), st) in tops.iter().zip(cur.iter_mut()) {
                    s.advance(st);
                }
            }
        }
        buf.len = p;
        return;
    }
    let out = &mut buf.bytes;
    out.clear();
    for _ in rows {
        let mut first = true;
        if lead > 0 {
            prefix_for(&cur, &mut prefix);
            out.extend_from_slice(&prefix);
            first = false;
        }
        for (j, (c, _)) in tops.iter().enumerate().skip(lead) {
            if !first {
                out.push(b',');
            }
            first = false;
            c.push(cur[j].0, out);
        }
        out.push(b'\n');
        for ((_, s), st) in tops.iter().zip(cur.iter_mut()) {
            s.advance(st);
        }
    }
    buf.len = buf.bytes.len();
}

/// Write one row into `out` at `p` (known to have room) and return the new end: the
/// `prefix` text (the first `lead` columns, rendered once per group), then the other
/// columns, the value of column `j` being `at(j)`.
#[inline(always)]
fn put_row(
    tops: &[(&CsvCol<'_>, Step)],
    lead: usize,
    at: impl Fn(usize) -> usize,
    prefix: &[u8],
    out: &mut [u8],
    mut p: usize,
) -> usize {
    // The row's floats are formatted first and copied afterwards. Żmij builds its text
    // with stores of mixed sizes, and a 16-byte load straight after them cannot be
    // forwarded from the store buffer: it waits until they reach the cache. Measured:
    // 41% of the row loop's samples sat on that load, and the whole small `industry` run
    // took ~5% less CPU and wall time once it was gone.
    let mut zb: [zmij::Buffer; AHEAD] = std::array::from_fn(|_| zmij::Buffer::new());
    let mut texts: [&[u8]; AHEAD] = [&[]; AHEAD];
    let mut slots = zb.iter_mut();
    let mut n_ahead = 0;
    for (j, (c, _)) in tops.iter().enumerate().skip(lead) {
        if let CsvCol::F64(v) = c {
            let Some(b) = slots.next() else { break };
            let i = at(j);
            prefetch(v, i + PREFETCH_AHEAD);
            let x = v[i];
            if x.is_finite() {
                texts[n_ahead] = b.format_finite(x).as_bytes();
            }
            n_ahead += 1;
        }
    }
    let mut first = true;
    if lead > 0 {
        p = put(out, p, prefix);
        first = false;
    }
    let mut k = 0;
    for (j, (c, _)) in tops.iter().enumerate().skip(lead) {
        if !first {
            out[p] = b',';
            p += 1;
        }
        first = false;
        p = match c {
            CsvCol::F64(_) if k < n_ahead => {
                k += 1;
                put(out, p, texts[k - 1])
            }
            _ => c.put(at(j), out, p),
        };
    }
    out[p] = b'\n';
    p + 1
}

/// Float cells per row formatted ahead of their copy (see [`format_rows`]).
pub(super) const AHEAD: usize = 8;

/// Rows ahead of the current one whose float cells are prefetched (four cache lines).
const PREFETCH_AHEAD: usize = 32;

/// Ask for `v[i]` (if it exists) to be brought into the cache. The float columns of a
/// block were just written by the thread computing effects, often on the other core,
/// and the hardware prefetcher does not run far enough ahead across five such streams:
/// measured, the load of each cell was ~29% of the row loop's samples, and prefetching
/// cut the small `industry` run's median time by ~3-4% in interleaved runs.
#[inline(always)]
fn prefetch(v: &[f64], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = v.get(i) {
        // SAFETY: a prefetch is only a hint; the address is a valid element anyway.
        unsafe {
            std::arch::x86_64::_mm_prefetch(
                (x as *const f64).cast::<i8>(),
                std::arch::x86_64::_MM_HINT_T0,
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// An open CSV file taking rows block by block. Rows are formatted in parallel, a batch
/// of chunks at a time, by the rayon workers; a writer thread of its own copies the
/// finished chunks into the file in order and hands their buffers back. The workers
/// never wait in a `write` system call (on 2 cores that left one of them formatting
/// alone for as long as the kernel copied), and the buffers are reused across batches
/// and blocks, so memory stays at a few MB whatever the table size.
pub(super) struct CsvSink {
    /// Finished batches of chunks, in file order, to the writer thread.
    to_writer: Option<std::sync::mpsc::Sender<Vec<TextBuf>>>,
    /// Empty buffers back from the writer thread.
    free: std::sync::mpsc::Receiver<TextBuf>,
    /// Buffers in flight: each is either free or queued for writing.
    n_bufs: usize,
    /// Set by the writer thread when a write failed: formatting stops at the next batch.
    failed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    writer: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl CsvSink {
    /// Create (or truncate) `path` and start its writer thread with the header `names`.
    pub(super) fn create(path: &Path, names: &[String]) -> std::io::Result<CsvSink> {
        let mut file = PreallocatedFile::create(path)?;
        let mut header = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                header.push(b',');
            }
            push_quoted(n, &mut header);
        }
        header.push(b'\n');
        // Two batches of four chunks per core: one being formatted while the other is
        // written. Small chunks keep the cores evenly busy up to each batch's end
        // (measured: 2k-row chunks and eight buffers per core, ~3% faster than 4k-row
        // chunks and four).
        let n_bufs = 8 * rayon::current_num_threads().max(1);
        let (to_writer, queued) = std::sync::mpsc::channel::<Vec<TextBuf>>();
        let (give_back, free) = std::sync::mpsc::channel::<TextBuf>();
        for _ in 0..n_bufs {
            give_back
                .send(TextBuf::default())
                .expect("receiver held by this function");
        }
        let failed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = failed.clone();
        let writer = std::thread::Builder::new()
            .name("csv-writer".into())
            .spawn(move || -> std::io::Result<()> {
                let mut failed = file.write_all(&header).err();
                for buf in queued.into_iter().flatten() {
                    if failed.is_none() {
                        failed = file.write_all(buf.text()).err();
                    }
                    if failed.is_some() {
                        flag.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    // The formatting side may have stopped (an error of its own): then
                    // nobody takes the buffer back, which is fine.
                    let _ = give_back.send(buf);
                }
                match failed {
                    Some(e) => Err(e),
                    None => file.finish(),
                }
            })?;
        Ok(CsvSink {
            to_writer: Some(to_writer),
            free,
            n_bufs,
            failed,
            writer: Some(writer),
        })
    }

    /// Append the rows of `table` (its columns are those of the header).
    pub(super) fn write(&mut self, table: &Table) -> std::io::Result<()> {
        let cols: Vec<CsvCol<'_>> = table.columns.iter().map(CsvCol::new).collect();
        let n = table.n_rows();
        let chunks: Vec<std::ops::Range<usize>> = (0..n)
            .step_by(CSV_CHUNK)
            .map(|s| s..(s + CSV_CHUNK).min(n))
            .collect();
        for batch in chunks.chunks(self.n_bufs / 2) {
            if self.failed.load(std::sync::atomic::Ordering::Relaxed) {
                return self.finish_failed();
            }
            let mut bufs = Vec::with_capacity(batch.len());
            for _ in batch {
                match self.free.recv() {
                    Ok(b) => bufs.push(b),
                    // The writer thread ended early: it failed, and `finish_failed` returns its error.
                    Err(_) => return self.finish_failed(),
                }
            }
            bufs.par_iter_mut()
                .zip(batch.par_iter())
                .for_each(|(buf, rows)| format_rows(&cols, rows.clone(), buf));
            let to_writer = self.to_writer.as_ref().expect("open until finished");
            if to_writer.send(bufs).is_err() {
                return self.finish_failed();
            }
        }
        Ok(())
    }

    /// Close the queue and wait until every chunk is in the file.
    pub(super) fn finish(mut self) -> std::io::Result<()> {
        self.close()
    }

    /// The writer thread's error (it has one when this is called).
    fn finish_failed(&mut self) -> std::io::Result<()> {
        self.close()?;
        Err(std::io::Error::other("the CSV writer thread stopped early"))
    }

    fn close(&mut self) -> std::io::Result<()> {
        drop(self.to_writer.take());
        match self.writer.take() {
            Some(w) => w
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the CSV writer thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for CsvSink {
    /// A sink dropped on an error path still stops its thread before the caller removes
    /// the file.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Write `table` to a new CSV file at `path`.
pub(super) fn write_csv(path: &Path, table: &Table) -> std::io::Result<()> {
    let mut sink = CsvSink::create(path, &table.names)?;
    sink.write(table)?;
    sink.finish()
}
