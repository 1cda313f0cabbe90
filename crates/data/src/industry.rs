use peergroup_calendar::Date;
use rayon::prelude::*;

use crate::plausibility::MAX_AMOUNT;
use crate::{InputError, Position, PositionKind};

/// Daily class-level industry data (METHODS §1.1): price, shares outstanding and AUM per
/// fund class and date, grouped by class and sorted by date within each class.
#[derive(Clone, Debug)]
pub struct IndustryTable {
    classes: Vec<String>,
    offsets: Vec<usize>,
    first_position: Vec<Position>,
    dates: Vec<Date>,
    price: Vec<f64>,
    shares: Vec<f64>,
    aum: Vec<f64>,
    position_kind: PositionKind,
    /// Line or row of each record in table order; empty when record `k` is simply row
    /// `k + 1` or line `k + 2` (see [`IndustryBuilder::position`]).
    position: Vec<u32>,
}

/// The records of one class, sorted by date.
#[derive(Clone, Copy, Debug)]
pub struct ClassRecords<'a> {
    /// Dates, strictly increasing.
    pub dates: &'a [Date],
    /// Price per share unit (see `--price-unit`).
    pub price: &'a [f64],
    /// Shares outstanding.
    pub shares: &'a [f64],
    /// Assets under management, in currency.
    pub aum: &'a [f64],
}

impl IndustryTable {
    /// Class identifiers.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// Total number of records.
    pub fn n_records(&self) -> usize {
        self.dates.len()
    }

    /// Records of class `c`.
    pub fn class(&self, c: usize) -> ClassRecords<'_> {
        let r = self.offsets[c]..self.offsets[c + 1];
        ClassRecords {
            dates: &self.dates[r.clone()],
            price: &self.price[r.clone()],
            shares: &self.shares[r.clone()],
            aum: &self.aum[r],
        }
    }

    /// Where class `c` first appears in the file (for errors about the class).
    pub fn first_position(&self, c: usize) -> Position {
        self.first_position[c]
    }

    /// Where record `i` of class `c` (in date order) sits in the file.
    pub fn position(&self, c: usize, i: usize) -> Position {
        let k = self.offsets[c] + i;
        let n = match self.position.get(k) {
            Some(&n) => u64::from(n),
            None => k as u64 + first_line(self.position_kind),
        };
        self.position_kind.at(n)
    }

    /// Offset of class `c`'s first record in the flat record arrays.
    pub fn offset(&self, c: usize) -> usize {
        self.offsets[c]
    }

    /// Every record's price, class after class (records of class `c` start at `offset(c)`).
    pub fn all_prices(&self) -> &[f64] {
        &self.price
    }

    /// Every record's date, class after class.
    pub fn all_dates(&self) -> &[Date] {
        &self.dates
    }

    /// Every record's AUM, class after class.
    pub fn all_aum(&self) -> &[f64] {
        &self.aum
    }
}

/// Records per parallel task of the checks in [`IndustryBuilder::build`].
const CHECK_CHUNK: usize = 1 << 16;

/// Validates column vectors read from a file into an [`IndustryTable`].
#[derive(Debug, Default)]
pub struct IndustryBuilder {
    /// Class code per record (index into `class_names`).
    pub class: Vec<u32>,
    /// Distinct class identifiers, in order of first appearance.
    pub class_names: Vec<String>,
    /// Date per record.
    pub date: Vec<Date>,
    /// Price per record.
    pub price: Vec<f64>,
    /// Shares outstanding per record.
    pub shares: Vec<f64>,
    /// AUM per record.
    pub aum: Vec<f64>,
    /// Whether `position` counts lines (CSV) or rows (Parquet).
    pub position_kind: PositionKind,
    /// 1-based line or row per record (4 bytes a record: 50M-row files stay small);
    /// empty when record `i` is simply row `i + 1` (Parquet) or line `i + 2` (CSV
    /// without blank lines, the header being line 1).
    pub position: Vec<u32>,
}

impl IndustryBuilder {
    /// Check values and keys, then group records by class and sort them by date.
    pub fn build(self) -> Result<IndustryTable, InputError> {
        let n = self.class.len();
        if n == 0 {
            return Err(InputError::new("no data rows"));
        }
        let pos = |i: usize| self.position_of(i);
        // One branch-free sweep finds whether any value is bad; only then is the first
        // bad record looked for (50M-row files are almost always clean).
        let clean = self
            .price
            .par_chunks(CHECK_CHUNK)
            .zip(self.shares.par_chunks(CHECK_CHUNK))
            .zip(self.aum.par_chunks(CHECK_CHUNK))
            .all(|((p, s), a)| {
                p.iter().zip(s).zip(a).fold(true, |ok, ((&p, &s), &a)| {
                    // NaN fails every comparison; infinities fail the upper bound.
                    ok & ((p > 0.0) & (p <= MAX_AMOUNT))
                        & (0.0..=MAX_AMOUNT).contains(&s)
                        & (0.0..=MAX_AMOUNT).contains(&a)
                })
            });
        let suspects = if clean { 0 } else { n };
        for i in 0..suspects {
            let check = |v: f64, col: &str, ok: bool, what: &str| -> Result<(), InputError> {
                if !v.is_finite() {
                    return Err(InputError::at(
                        pos(i),
                        format!("expected a finite number, found {v}"),
                    )
                    .with_column(col));
                }
                if !ok {
                    return Err(
                        InputError::at(pos(i), format!("expected {what}, found {v}"))
                            .with_column(col),
                    );
                }
                if v > MAX_AMOUNT {
                    return Err(InputError::at(
                        pos(i),
                        format!(
                            "expected at most 1e18 (a larger {col} is a typing or unit error), found {}",
                            crate::plausibility::shown(v)
                        ),
                    )
                    .with_column(col));
                }
                Ok(())
            };
            check(
                self.price[i],
                "price",
                self.price[i] > 0.0,
                "a positive price",
            )?;
            check(
                self.shares[i],
                "shares",
                self.shares[i] >= 0.0,
                "non-negative shares",
            )?;
            check(self.aum[i], "aum", self.aum[i] >= 0.0, "a non-negative AUM")?;
        }
        if let Some((offsets, first_position)) = self.grouped_and_sorted() {
            return Ok(IndustryTable {
                classes: self.class_names,
                offsets,
                first_position,
                dates: self.date,
                price: self.price,
                shares: self.shares,
                aum: self.aum,
                position_kind: self.position_kind,
                position: self.position,
            });
        }
        let mut this = self;
        let pos = |i: usize| this.position_of(i);
        // Counting sort by class keeps file order within a class; then sort each class
        // by date only if it is not already sorted (CAFCI exports usually are).
        let k = this.class_names.len();
        let mut offsets = vec![0usize; k + 1];
        for &c in &this.class {
            offsets[c as usize + 1] += 1;
        }
        for c in 0..k {
            offsets[c + 1] += offsets[c];
        }
        let mut cursor = offsets.clone();
        let mut order = vec![0u32; n];
        let mut first_position = vec![Position::Line(0); k];
        for (i, &c) in this.class.iter().enumerate() {
            let c = c as usize;
            if cursor[c] == offsets[c] {
                first_position[c] = pos(i);
            }
            order[cursor[c]] = i as u32;
            cursor[c] += 1;
        }
        drop(cursor);
        for c in 0..k {
            let seg = &mut order[offsets[c]..offsets[c + 1]];
            if !seg
                .windows(2)
                .all(|w| this.date[w[0] as usize] <= this.date[w[1] as usize])
            {
                seg.sort_by_key(|&i| this.date[i as usize]);
            }
            if let Some(w) = seg
                .windows(2)
                .find(|w| this.date[w[0] as usize] == this.date[w[1] as usize])
            {
                let (a, b) = (w[0] as usize, w[1] as usize);
                let (first, second) = if a < b { (a, b) } else { (b, a) };
                return Err(InputError::at(
                    pos(second),
                    format!(
                        "duplicate (class_id, date): class '{}' on {} already appears at {}",
                        this.class_names[c],
                        this.date[a],
                        pos(first)
                    ),
                ));
            }
        }
        // Reorder one column at a time, freeing each source as we go; files already
        // grouped by class and sorted by date need no copy at all.
        let identity = order.iter().enumerate().all(|(k, &i)| k == i as usize);
        let position = if identity {
            std::mem::take(&mut this.position)
        } else {
            // Lines past u32 were refused when read, so the numbers fit.
            order
                .iter()
                .map(|&i| this.position_of(i as usize).parts().1 as u32)
                .collect()
        };
        let position_kind = this.position_kind;
        let IndustryBuilder {
            class_names,
            date,
            price,
            shares,
            aum,
            ..
        } = this;
        let (date, price, shares, aum) = if identity {
            (date, price, shares, aum)
        } else {
            fn gather<T: Copy>(order: &[u32], v: Vec<T>) -> Vec<T> {
                order.iter().map(|&i| v[i as usize]).collect()
            }
            (
                gather(&order, date),
                gather(&order, price),
                gather(&order, shares),
                gather(&order, aum),
            )
        };
        Ok(IndustryTable {
            classes: class_names,
            offsets,
            first_position,
            dates: date,
            price,
            shares,
            aum,
            position_kind,
            position,
        })
    }
}

/// The position of record 0 when records are consecutive: row 1, or line 2 after the header.
fn first_line(kind: PositionKind) -> u64 {
    match kind {
        PositionKind::Row => 1,
        PositionKind::Line => 2,
    }
}

impl IndustryBuilder {
    fn position_of(&self, i: usize) -> Position {
        let n = if self.position.is_empty() {
            i as u64 + first_line(self.position_kind)
        } else {
            self.position[i] as u64
        };
        self.position_kind.at(n)
    }

    /// Class offsets and first positions when the records already come grouped by class
    /// (class codes, given in order of first appearance, never decrease) with strictly
    /// increasing dates within each class, as exports usually do: the table then needs
    /// no reordering. `None` otherwise, and the general path sorts and reports duplicates.
    fn grouped_and_sorted(&self) -> Option<(Vec<usize>, Vec<Position>)> {
        let n = self.class.len();
        let k = self.class_names.len();
        // Chunks overlap by one record so that every adjacent pair is compared.
        let pairs = |i: usize| {
            let end = ((i + 1) * CHECK_CHUNK + 1).min(n);
            (i * CHECK_CHUNK)..end
        };
        let ordered = (0..n.div_ceil(CHECK_CHUNK)).into_par_iter().all(|i| {
            let r = pairs(i);
            self.class[r.clone()]
                .windows(2)
                .zip(self.date[r].windows(2))
                .all(|(c, d)| (c[0] < c[1]) | ((c[0] == c[1]) & (d[0] < d[1])))
        });
        if !ordered || self.class.first() != Some(&0) {
            return None;
        }
        let starts: Vec<usize> = (0..n)
            .into_par_iter()
            .with_min_len(CHECK_CHUNK)
            .filter(|&i| i == 0 || self.class[i] != self.class[i - 1])
            .collect();
        let mut offsets = Vec::with_capacity(k + 1);
        let mut first_position = Vec::with_capacity(k);
        for i in starts {
            if self.class[i] as usize != offsets.len() {
                return None; // a code is skipped: not first-appearance order
            }
            offsets.push(i);
            first_position.push(self.position_of(i));
        }
        if offsets.len() != k {
            return None;
        }
        offsets.push(n);
        Some((offsets, first_position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder(rows: &[(u32, &str, f64, f64, f64)]) -> IndustryBuilder {
        let mut b = IndustryBuilder {
            class_names: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        for (i, (c, d, p, s, a)) in rows.iter().enumerate() {
            b.class.push(*c);
            b.date.push(Date::parse(d).unwrap());
            b.price.push(*p);
            b.shares.push(*s);
            b.aum.push(*a);
            b.position.push(i as u32 + 2);
        }
        b
    }

    /// The parallel checks split the records into chunks: disorder exactly at a chunk
    /// boundary, and a bad value in a later chunk, are still found.
    #[test]
    fn checks_see_across_chunk_boundaries() {
        let n = 3 * CHECK_CHUNK + 7;
        let long = |swap: Option<usize>| {
            let mut b = IndustryBuilder {
                class_names: vec!["a".into(), "b".into()],
                ..Default::default()
            };
            let first = Date::parse("1900-01-01").unwrap();
            for i in 0..n {
                let c = u32::from(i >= 2 * CHECK_CHUNK); // class b starts at a boundary
                b.class.push(c);
                b.date.push(first.add_days(i as i32));
                b.price.push(1.0 + i as f64);
                b.shares.push(1.0);
                b.aum.push(1.0);
                b.position.push(i as u32 + 2);
            }
            if let Some(k) = swap {
                b.date.swap(k - 1, k);
                b.price.swap(k - 1, k);
            }
            b
        };
        for swap in [None, Some(CHECK_CHUNK), Some(CHECK_CHUNK + 1), Some(n - 1)] {
            let t = long(swap).build().unwrap();
            assert_eq!(t.n_classes(), 2);
            assert_eq!(t.offset(1), 2 * CHECK_CHUNK);
            for c in 0..2 {
                let r = t.class(c);
                assert!(r.dates.windows(2).all(|w| w[0] < w[1]), "{swap:?}");
                assert!(r.price.windows(2).all(|w| w[0] < w[1]), "{swap:?}");
            }
        }
        let mut bad = long(None);
        bad.aum[2 * CHECK_CHUNK + 3] = -1.0;
        let e = bad.build().unwrap_err();
        assert_eq!(e.position, Some(Position::Line(2 * CHECK_CHUNK as u64 + 5)));
    }

    #[test]
    fn groups_and_sorts() {
        let t = builder(&[
            (1, "2022-01-04", 2.0, 1.0, 2.0),
            (0, "2022-01-04", 1.1, 1.0, 1.1),
            (0, "2022-01-03", 1.0, 1.0, 1.0),
        ])
        .build()
        .unwrap();
        assert_eq!(t.n_classes(), 2);
        let a = t.class(0);
        assert_eq!(a.price, &[1.0, 1.1]);
        assert_eq!(t.first_position(0), Position::Line(3));
        // Record positions follow the records through the sort.
        assert_eq!(t.position(0, 0), Position::Line(4));
        assert_eq!(t.position(0, 1), Position::Line(3));
        assert_eq!(t.position(1, 0), Position::Line(2));
        assert_eq!(t.class(1).aum, &[2.0]);
    }

    #[test]
    fn rejects_bad_rows() {
        let e = builder(&[(0, "2022-01-03", 1.0, -1.0, 1.0)])
            .build()
            .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("shares"));
        let e = builder(&[(0, "2022-01-03", 1.0, 1.0, -5.0)])
            .build()
            .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("aum"));
        let e = builder(&[(0, "2022-01-03", 0.0, 1.0, 1.0)])
            .build()
            .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("price"));
        // Finite but absurd: 1e300 shares would overflow the next day's price effect.
        let e = builder(&[
            (0, "2022-01-03", 1.0, 1.0, 1.0),
            (0, "2022-01-04", 1.0, 1e300, 1.0),
        ])
        .build()
        .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("shares"));
        assert_eq!(e.position, Some(Position::Line(3)));
        assert!(e.message.contains("at most 1e18") && e.message.contains("found 1e300"));
        assert!(builder(&[(0, "2022-01-03", 1e18, 1e18, 1e18)])
            .build()
            .is_ok());
        let e = builder(&[
            (0, "2022-01-03", 1.0, 1.0, 1.0),
            (1, "2022-01-03", 1.0, 1.0, 1.0),
            (0, "2022-01-03", 2.0, 1.0, 1.0),
        ])
        .build()
        .unwrap_err();
        assert_eq!(e.position, Some(Position::Line(4)));
        assert!(
            e.message.contains("already appears at line 2"),
            "{}",
            e.message
        );
    }

    /// Without a position column, record `i` is line `i + 2` (CSV, header on line 1) or
    /// row `i + 1` (Parquet), in errors and in first positions alike.
    #[test]
    fn empty_position_column_means_consecutive_lines_or_rows() {
        let rows = [
            (0, "2022-01-03", 1.0, 1.0, 1.0),
            (1, "2022-01-03", 1.0, 1.0, 1.0),
            (1, "2022-01-04", 1.0, 1.0, -5.0),
        ];
        for (kind, want) in [
            (PositionKind::Line, Position::Line(4)),
            (PositionKind::Row, Position::Row(3)),
        ] {
            let mut b = builder(&rows);
            b.position.clear();
            b.position_kind = kind;
            let e = b.build().unwrap_err();
            assert_eq!(e.position, Some(want), "{e}");
            let mut ok = builder(&rows[..2]);
            ok.position.clear();
            ok.position_kind = kind;
            let t = ok.build().unwrap();
            assert_eq!(
                t.first_position(1),
                kind.at(if kind == PositionKind::Line { 3 } else { 2 })
            );
        }
    }
}
