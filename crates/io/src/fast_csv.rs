//! Parallel parsing of large, quote-free CSV files (the common export format of daily
//! industry data), keeping exact line numbers for errors.
//!
//! The file is split at line boundaries into chunks parsed on all cores; each chunk
//! knows its first line number from a newline count. Files containing a quote character
//! may hold quoted commas or newlines, so they take the general `csv`-crate path instead.

use std::collections::HashMap;

use peergroup_data::{shown, Date, IndustryBuilder, InputError, Position, PositionKind};
use rayon::prelude::*;

use crate::chunks::{globalise_codes, split_lens, IndustryColumns, Slots};

/// Whether `bytes` can be parsed by splitting on commas and newlines alone.
pub(crate) fn is_simple(bytes: &[u8]) -> bool {
    !bytes
        .par_chunks(1 << 20)
        .any(|c| memchr::memchr(b'"', c).is_some())
}

/// What a chunk parsed: its rows are the first `rows` slots, with class codes into
/// `classes` (local to the chunk until remapped).
struct Parsed {
    rows: usize,
    classes: Vec<String>,
    /// `(row, line)` for every row of the chunk that is not on the line after the
    /// previous row's (the first row after blank lines); empty for a chunk without blank
    /// lines between or before its rows. Line numbers are kept only where they jump, so
    /// the usual file needs no column of them.
    jumps: Vec<(usize, u64)>,
}

fn number(field: &[u8], line: u64, name: &str) -> Result<f64, InputError> {
    // Plain short decimals (nearly every cell) take the exact fast path; everything
    // else, including every error, goes through std as before.
    if let Some(x) = crate::number::parse_decimal(field) {
        return Ok(x);
    }
    number_slow(field, line, name)
}

#[cold]
fn number_slow(field: &[u8], line: u64, name: &str) -> Result<f64, InputError> {
    let t = std::str::from_utf8(field)
        .map_err(|_| InputError::at(Position::Line(line), "expected UTF-8 text").with_column(name))?
        .trim();
    if t.is_empty() {
        return Err(InputError::at(
            Position::Line(line),
            "expected a number, found an empty cell",
        )
        .with_column(name));
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(InputError::at(
            Position::Line(line),
            format!("expected a finite number, found '{}'", shown(t)),
        )
        .with_column(name)),
        Err(_) => Err(InputError::at(
            Position::Line(line),
            format!("expected a number, found '{}'", shown(t)),
        )
        .with_column(name)),
    }
}

/// Field boundaries of one line: `bounds[k]..bounds[k + 1] - 1` is field `k` (each end
/// includes the separator). Returns the number of fields; only the first `bounds.len() - 1`
/// are recorded, the count goes on so the error can report it.
#[inline]
fn split_fields(text: &[u8], bounds: &mut [usize]) -> usize {
    let cap = bounds.len() - 1;
    bounds[0] = 0;
    let mut n = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b',' {
            n += 1;
            if n <= cap {
                bounds[n] = i + 1;
            }
        }
    }
    n += 1;
    if n <= cap {
        bounds[n] = text.len() + 1;
    }
    n
}

/// The month of the previous date cell: its `YYYY-MM-` text, the day number of its
/// first day and its length. Consecutive rows nearly always share the month, so their
/// dates need one comparison and an addition, not a calendar computation.
struct MonthCache {
    prefix: [u8; 8],
    first: i32,
    len: u8,
}

/// `YYYY-MM-DD` of a valid day in a month written the plain way, or `None` (the caller
/// then parses the cell in full, reporting any error).
#[inline]
fn date_fast(field: &[u8], cache: &mut Option<MonthCache>) -> Option<i32> {
    if field.len() != 10 {
        return None;
    }
    let (d1, d2) = (field[8].wrapping_sub(b'0'), field[9].wrapping_sub(b'0'));
    if d1 > 9 || d2 > 9 {
        return None;
    }
    let day = d1 * 10 + d2;
    let prefix: [u8; 8] = field[..8].try_into().ok()?;
    let month = match cache {
        Some(m) if m.prefix == prefix => m,
        _ => {
            let plain = prefix.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
            if !plain {
                return None;
            }
            let digits = |r: std::ops::Range<usize>| {
                prefix[r]
                    .iter()
                    .fold(0u32, |v, b| v * 10 + u32::from(b - b'0'))
            };
            let (y, m) = (digits(0..4) as i32, digits(5..7));
            let first = Date::from_ymd(y, m, 1)?.days();
            let len = peergroup_data::days_in_month(y, m) as u8;
            cache.insert(MonthCache { prefix, first, len })
        }
    };
    (1..=month.len)
        .contains(&day)
        .then(|| month.first + i32::from(day) - 1)
}

/// [`fast_row`]'s fallback: split the line at every comma, then parse (and check) each
/// field in full, with the errors a user sees.
#[cold]
fn slow_row<'t>(
    text: &'t [u8],
    line: u64,
    width: usize,
    cols: &[usize],
    bounds: &mut [usize],
    month: &mut Option<MonthCache>,
) -> Result<Row<'t>, InputError> {
    let field = |bounds: &[usize], k: usize| bounds[k]..bounds[k + 1] - 1;
    let n = split_fields(text, bounds);
    if n != width {
        return Err(InputError::at(
            Position::Line(line),
            format!("expected {width} fields like the header, found {n}"),
        ));
    }
    let id = text[field(bounds, cols[0])].trim_ascii();
    if id.is_empty() {
        return Err(InputError::at(
            Position::Line(line),
            "expected a class id, found an empty cell",
        )
        .with_column("class_id"));
    }
    let date_field = &text[field(bounds, cols[1])];
    let date = match date_fast(date_field, month) {
        Some(days) => days,
        None => {
            let date_text = std::str::from_utf8(date_field).unwrap_or("");
            if date_text.trim().is_empty() {
                return Err(InputError::at(
                    Position::Line(line),
                    "expected a date, found an empty cell",
                )
                .with_column("date"));
            }
            Date::parse(date_text)
                .map_err(|e| {
                    InputError::at(Position::Line(line), e.to_string()).with_column("date")
                })?
                .days()
        }
    };
    let numbers = [
        number(&text[field(bounds, cols[2])], line, "price")?,
        number(&text[field(bounds, cols[3])], line, "shares")?,
        number(&text[field(bounds, cols[4])], line, "aum")?,
    ];
    Ok((id, date, numbers))
}

/// One line's class id text, date (days since 1970-01-01) and price, shares and AUM.
type Row<'t> = (&'t [u8], i32, [f64; 3]);

/// What a column of the file is to the industry reader.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Id,
    Date,
    /// price, shares or aum (index into the row's numbers)
    Number(usize),
    Other,
}

/// The first line of `text` (the rest of a chunk), read in a single left-to-right pass:
/// each field is parsed where it starts and must end at a comma, the last at the line's
/// end (`\n`, `\r\n`, or the end of `text`). Returns the row and the bytes the line
/// takes with its newline. Lines outside the plain form (blank lines, blanks around
/// values, exponents, quotes, any error) give `None` and take the field-splitting path,
/// which parses or reports them as before.
#[inline]
fn fast_row<'t>(
    text: &'t [u8],
    roles: &[Role],
    month: &mut Option<MonthCache>,
) -> Option<(Row<'t>, usize)> {
    let mut id: &[u8] = &[];
    let mut date = 0;
    let mut numbers = [0.0; 3];
    let mut p = 0;
    for (k, role) in roles.iter().enumerate() {
        let rest = text.get(p..)?;
        let len = match role {
            Role::Number(j) => {
                let (v, n) = crate::number::parse_decimal_prefix(rest)?;
                numbers[*j] = v;
                n
            }
            Role::Date => {
                date = date_fast(rest.get(..10)?, month)?;
                10
            }
            Role::Id | Role::Other => {
                // Ids are a few bytes: a plain loop beats a vectorised search here.
                let n = rest
                    .iter()
                    .position(|&b| matches!(b, b',' | b'\n' | b'\r'))
                    .unwrap_or(rest.len());
                if *role == Role::Id {
                    let v = &rest[..n];
                    // blank, padded or quoted ids: the general path trims or rejects them
                    match (v.first(), v.last()) {
                        (Some(a), Some(b))
                            if !a.is_ascii_whitespace() && !b.is_ascii_whitespace() => {}
                        _ => return None,
                    }
                    id = v;
                }
                n
            }
        };
        p += len;
        if k + 1 < roles.len() {
            if text.get(p) != Some(&b',') {
                return None;
            }
            p += 1;
        }
    }
    let used = match &text[p..] {
        [] => p,
        [b'\n', ..] | [b'\r'] => p + 1,
        [b'\r', b'\n', ..] => p + 2,
        _ => return None,
    };
    Some(((id, date, numbers), used))
}

fn parse_chunk(
    body: &[u8],
    first_line: u64,
    width: usize,
    cols: &[usize],
    out: Slots<'_>,
) -> Result<Parsed, InputError> {
    let mut classes: Vec<String> = Vec::new();
    let mut index: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut last: Option<(Vec<u8>, u32)> = None;
    let mut bounds = vec![0usize; width + 1];
    let mut rows = 0usize;
    let mut month: Option<MonthCache> = None;
    let mut roles = vec![Role::Other; width];
    roles[cols[0]] = Role::Id;
    roles[cols[1]] = Role::Date;
    for j in 0..3 {
        roles[cols[2 + j]] = Role::Number(j);
    }
    let mut rest = body;
    let mut next_line = first_line;
    let mut jumps = Vec::new();
    let mut expected = first_line;
    while !rest.is_empty() {
        let line = next_line;
        next_line += 1;
        // A plain line is parsed straight from the chunk and its end found on the way;
        // any other is cut at its newline first and split into fields.
        let (id, date, numbers) = match fast_row(rest, &roles, &mut month) {
            Some((row, used)) => {
                rest = &rest[used..];
                row
            }
            None => {
                let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                let raw = &rest[..end];
                rest = &rest[(end + 1).min(rest.len())..];
                let text = raw.strip_suffix(b"\r").unwrap_or(raw);
                if text.is_empty() {
                    continue;
                }
                slow_row(text, line, width, cols, &mut bounds, &mut month)?
            }
        };
        let code = match &last {
            Some((key, code)) if key.as_slice() == id => *code,
            _ => {
                let code = match index.get(id) {
                    Some(&code) => code,
                    None => {
                        let code = classes.len() as u32;
                        classes.push(String::from_utf8(id.to_vec()).map_err(|_| {
                            InputError::at(Position::Line(line), "expected UTF-8 text")
                                .with_column("class_id")
                        })?);
                        index.insert(id.to_vec(), code);
                        code
                    }
                };
                last = Some((id.to_vec(), code));
                code
            }
        };
        out.class[rows] = code;
        out.date[rows] = date;
        out.price[rows] = numbers[0];
        out.shares[rows] = numbers[1];
        out.aum[rows] = numbers[2];
        if line != expected {
            jumps.push((rows, line));
        }
        expected = line + 1;
        rows += 1;
    }
    Ok(Parsed {
        rows,
        classes,
        jumps,
    })
}

/// The line of every parsed row, for [`IndustryBuilder::position`]: empty when row `i`
/// is on line `i + 2` throughout (no blank lines; the header is line 1), so the usual
/// file needs no column of line numbers; written out from the chunks' first lines and
/// jumps otherwise. A chunk can end with blank lines and record no jump for them: the
/// next chunk's first line then differs from the rows counted before it.
fn line_numbers(parsed: &[Parsed], first_line: &[u64]) -> Result<Vec<u32>, InputError> {
    let mut rows_before = 0u64;
    let dense = parsed.iter().zip(first_line).all(|(p, &first)| {
        let on_time = p.jumps.is_empty() && first == rows_before + 2;
        rows_before += p.rows as u64;
        on_time
    });
    if dense {
        return Ok(Vec::new());
    }
    let mut lines = Vec::with_capacity(parsed.iter().map(|p| p.rows).sum());
    for (p, &first) in parsed.iter().zip(first_line) {
        let mut line = first;
        let mut jumps = p.jumps.iter().peekable();
        for r in 0..p.rows {
            if let Some(&(_, to)) = jumps.next_if(|(at, _)| *at == r) {
                line = to;
            }
            lines.push(u32::try_from(line).map_err(|_| {
                InputError::at(
                    Position::Line(line),
                    "file too large: more than 4,294,967,295 lines",
                )
            })?);
            line += 1;
        }
    }
    Ok(lines)
}

/// Parse the body of a quote-free industry CSV (everything after the header line, which
/// is line 1) in parallel. `cols` are the indices of class_id, date, price, shares, aum.
///
/// A first parallel pass counts each chunk's newlines, which gives every chunk its first
/// line number and an upper bound on its rows; the columns are then allocated once
/// (zeroed, so pages are first touched by the parsing threads, and on huge pages where
/// the kernel offers them: see [`huge_pages`]) and every chunk parses
/// straight into its own slice of them: no per-chunk vectors and no merge copy.
pub(crate) fn industry_body(
    body: &[u8],
    width: usize,
    cols: &[usize],
) -> Result<IndustryBuilder, InputError> {
    let parts = (rayon::current_num_threads() * 4).max(1);
    let target = body.len() / parts + 1;
    let mut bounds = vec![0usize];
    while *bounds.last().expect("non-empty") < body.len() {
        let start = *bounds.last().expect("non-empty");
        let mut end = (start + target).min(body.len());
        while end < body.len() && body[end - 1] != b'\n' {
            end += 1;
        }
        bounds.push(end);
    }
    let ranges: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let newlines: Vec<usize> = ranges
        .par_iter()
        .map(|&(a, b)| memchr::memchr_iter(b'\n', &body[a..b]).count())
        .collect();
    // A chunk holds at most one row per newline, plus an unterminated last line.
    let caps: Vec<usize> = ranges
        .iter()
        .zip(&newlines)
        .map(|(&(a, b), &nl)| nl + usize::from(b > a && body[b - 1] != b'\n'))
        .collect();
    let mut first_line = Vec::with_capacity(ranges.len());
    let mut line = 2u64;
    for nl in &newlines {
        first_line.push(line);
        line += *nl as u64;
    }
    let total: usize = caps.iter().sum();
    let mut columns = IndustryColumns::zeroed(total);
    columns.advise_huge_pages();
    let slots = columns.slots(&caps);
    let results: Vec<Result<Parsed, InputError>> = ranges
        .par_iter()
        .zip(first_line.par_iter())
        .zip(slots.into_par_iter())
        .map(|((&(a, b), &l), out)| parse_chunk(&body[a..b], l, width, cols, out))
        .collect();
    // The first error in file order, as a sequential reader would report it.
    let parsed: Vec<Parsed> = results.into_iter().collect::<Result<_, _>>()?;

    // Global class codes in order of first appearance in the file, as the row reader
    // gives them.
    let mut parsed = parsed;
    let local: Vec<Vec<String>> = parsed
        .iter_mut()
        .map(|p| std::mem::take(&mut p.classes))
        .collect();
    let pieces: Vec<&mut [u32]> = split_lens(&mut columns.class, &caps)
        .into_iter()
        .zip(&parsed)
        .map(|(codes, p)| &mut codes[..p.rows])
        .collect();
    let class_names = globalise_codes(pieces, local);

    // Close the gaps left by blank lines (rare): move each chunk's rows down.
    let rows: usize = parsed.iter().map(|p| p.rows).sum();
    if rows < total {
        let mut to = 0usize;
        let mut from = 0usize;
        let IndustryColumns {
            class,
            date,
            price,
            shares,
            aum,
        } = &mut columns;
        for (p, cap) in parsed.iter().zip(&caps) {
            if to != from {
                let r = from..from + p.rows;
                class.copy_within(r.clone(), to);
                date.copy_within(r.clone(), to);
                price.copy_within(r.clone(), to);
                shares.copy_within(r.clone(), to);
                aum.copy_within(r, to);
            }
            to += p.rows;
            from += cap;
        }
        for v in [price, shares, aum] {
            v.truncate(rows);
        }
        class.truncate(rows);
        date.truncate(rows);
    }
    let position = line_numbers(&parsed, &first_line)?;
    Ok(columns.into_builder(class_names, PositionKind::Line, position))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(rows: usize, jumps: Vec<(usize, u64)>) -> Parsed {
        Parsed {
            rows,
            classes: Vec::new(),
            jumps,
        }
    }

    #[test]
    fn line_numbers_are_kept_only_where_blank_lines_move_them() {
        // lines 2-3 and 4-5: no blank lines, so no column (row i is on line i + 2)
        let dense = [parsed(2, vec![]), parsed(2, vec![])];
        assert!(line_numbers(&dense, &[2, 4]).unwrap().is_empty());
        // the first chunk ends with a blank line (line 4): no jump inside either chunk,
        // but the second chunk starts on line 5
        let trailing = [parsed(2, vec![]), parsed(2, vec![])];
        assert_eq!(line_numbers(&trailing, &[2, 5]).unwrap(), [2, 3, 5, 6]);
        // blank line 3 inside the first chunk, 5 at its end, 7-8 inside the second
        let inside = [parsed(2, vec![(1, 4)]), parsed(3, vec![(1, 9)])];
        assert_eq!(line_numbers(&inside, &[2, 6]).unwrap(), [2, 4, 6, 9, 10]);
    }

    #[test]
    fn month_cached_dates_match_the_calendar() {
        let mut cache = None;
        // every day of 1999-2025 in order, then in reverse (cache hits and misses)
        let days: Vec<Date> = (Date::parse("1999-01-01").unwrap().days()
            ..=Date::parse("2025-12-31").unwrap().days())
            .map(Date::from_days)
            .collect();
        for d in days.iter().chain(days.iter().rev()) {
            let text = d.to_string();
            assert_eq!(
                date_fast(text.as_bytes(), &mut cache),
                Some(d.days()),
                "{text}"
            );
        }
        for bad in [
            "2022-13-01",
            "2022-00-05",
            "2022/01/05",
            "2022-01-5 ",
            " 2022-01-5",
            "2022-01-00",
            "2023-02-29",
            "2024-02-30",
            "2022-04-31",
            "2022-01-32",
            "2022-01-99",
        ] {
            assert_eq!(date_fast(bad.as_bytes(), &mut None), None, "{bad}");
            // the same with the month already cached from a good day of it
            let mut primed = None;
            let good = format!("{}01", &bad[..8]);
            if date_fast(good.as_bytes(), &mut primed).is_some() {
                assert_eq!(
                    date_fast(bad.as_bytes(), &mut primed),
                    None,
                    "{bad} after {good}"
                );
            }
        }
        // leap days
        assert!(date_fast(b"2024-02-29", &mut None).is_some());
        assert!(date_fast(b"2000-02-29", &mut None).is_some());
        assert_eq!(date_fast(b"1900-02-29", &mut None), None);
    }
}
