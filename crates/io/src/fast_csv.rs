//! Parallel parsing of large, quote-free CSV files (the common export format of daily
//! industry data), keeping exact line numbers for errors.
//!
//! The file is split at line boundaries into chunks parsed on all cores; each chunk
//! knows its first line number from a newline count. Files containing a quote character
//! may hold quoted commas or newlines, so they take the general `csv`-crate path instead.

use std::collections::HashMap;

use peergroup_data::{Date, IndustryBuilder, InputError, Position, PositionKind};
use rayon::prelude::*;

/// Whether `bytes` can be parsed by splitting on commas and newlines alone.
pub(crate) fn is_simple(bytes: &[u8]) -> bool {
    !bytes.contains(&b'"')
}

struct Chunk {
    classes: Vec<String>,
    class: Vec<u32>,
    date: Vec<Date>,
    price: Vec<f64>,
    shares: Vec<f64>,
    aum: Vec<f64>,
    line: Vec<u32>,
}

fn number(field: &[u8], line: u64, name: &str) -> Result<f64, InputError> {
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
            format!("expected a finite number, found '{t}'"),
        )
        .with_column(name)),
        Err(_) => Err(InputError::at(
            Position::Line(line),
            format!("expected a number, found '{t}'"),
        )
        .with_column(name)),
    }
}

fn parse_chunk(
    body: &[u8],
    first_line: u64,
    width: usize,
    cols: &[usize],
) -> Result<Chunk, InputError> {
    let mut c = Chunk {
        classes: Vec::new(),
        class: Vec::new(),
        date: Vec::new(),
        price: Vec::new(),
        shares: Vec::new(),
        aum: Vec::new(),
        line: Vec::new(),
    };
    let mut index: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut last: Option<(Vec<u8>, u32)> = None;
    let mut fields: Vec<&[u8]> = Vec::with_capacity(width);
    for (k, raw) in body.split(|b| *b == b'\n').enumerate() {
        let line = first_line + k as u64;
        let text = raw.strip_suffix(b"\r").unwrap_or(raw);
        if text.is_empty() {
            continue;
        }
        fields.clear();
        fields.extend(text.split(|b| *b == b','));
        if fields.len() != width {
            return Err(InputError::at(
                Position::Line(line),
                format!(
                    "expected {width} fields like the header, found {}",
                    fields.len()
                ),
            ));
        }
        let id = fields[cols[0]].trim_ascii();
        if id.is_empty() {
            return Err(InputError::at(
                Position::Line(line),
                "expected a class id, found an empty cell",
            )
            .with_column("class_id"));
        }
        let code = match &last {
            Some((key, code)) if key.as_slice() == id => *code,
            _ => {
                let code = match index.get(id) {
                    Some(&code) => code,
                    None => {
                        let code = c.classes.len() as u32;
                        c.classes.push(String::from_utf8(id.to_vec()).map_err(|_| {
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
        let date_text = std::str::from_utf8(fields[cols[1]]).unwrap_or("");
        if date_text.trim().is_empty() {
            return Err(InputError::at(
                Position::Line(line),
                "expected a date, found an empty cell",
            )
            .with_column("date"));
        }
        let date = Date::parse(date_text)
            .map_err(|e| InputError::at(Position::Line(line), e.to_string()).with_column("date"))?;
        c.class.push(code);
        c.date.push(date);
        c.price.push(number(fields[cols[2]], line, "price")?);
        c.shares.push(number(fields[cols[3]], line, "shares")?);
        c.aum.push(number(fields[cols[4]], line, "aum")?);
        c.line.push(u32::try_from(line).map_err(|_| {
            InputError::at(
                Position::Line(line),
                "file too large: more than 4,294,967,295 lines",
            )
        })?);
    }
    Ok(c)
}

/// Parse the body of a quote-free industry CSV (everything after the header line, which
/// is line 1) in parallel. `cols` are the indices of class_id, date, price, shares, aum.
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
    let newlines: Vec<u64> = ranges
        .par_iter()
        .map(|&(a, b)| body[a..b].iter().filter(|c| **c == b'\n').count() as u64)
        .collect();
    let mut first_line = Vec::with_capacity(ranges.len());
    let mut line = 2u64;
    for nl in &newlines {
        first_line.push(line);
        line += nl;
    }
    let chunks: Vec<Result<Chunk, InputError>> = ranges
        .par_iter()
        .zip(first_line.par_iter())
        .map(|(&(a, b), &l)| parse_chunk(&body[a..b], l, width, cols))
        .collect();
    let mut out = IndustryBuilder {
        position_kind: PositionKind::Line,
        ..Default::default()
    };
    let mut global: HashMap<String, u32> = HashMap::new();
    for chunk in chunks {
        let chunk = chunk?;
        let map: Vec<u32> = chunk
            .classes
            .into_iter()
            .map(|name| {
                let next = out.class_names.len() as u32;
                *global.entry(name.clone()).or_insert_with(|| {
                    out.class_names.push(name);
                    next
                })
            })
            .collect();
        out.class
            .extend(chunk.class.iter().map(|c| map[*c as usize]));
        out.date.extend_from_slice(&chunk.date);
        out.price.extend_from_slice(&chunk.price);
        out.shares.extend_from_slice(&chunk.shares);
        out.aum.extend_from_slice(&chunk.aum);
        out.position.extend_from_slice(&chunk.line);
    }
    Ok(out)
}
