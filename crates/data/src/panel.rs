use std::collections::HashMap;

use peergroup_calendar::{Date, Frequency};

use crate::plausibility::{percent_per_period, plausible_return, shown, DEFAULT_MAX_RETURN};
use crate::{InputError, Position};

/// What the numbers in a series table are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesKind {
    /// Period returns as fractions (0.01 = 1%).
    Returns,
    /// Prices, NAVs or index levels (strictly positive).
    Prices,
}

/// A validated panel of series: ids × a strictly increasing date grid.
///
/// Values are stored id-major (`series(i)` is contiguous) because every stage works one
/// fund at a time. A missing observation is `NaN`; readers reject NaN and infinity in
/// the input, so inside a panel `NaN` means "no observation" and nothing else.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    ids: Vec<String>,
    dates: Vec<Date>,
    values: Vec<f64>,
    kind: SeriesKind,
    frequency: Frequency,
}

impl Panel {
    /// Build a panel from parts; `values` is id-major with `ids.len() * dates.len()` entries.
    pub fn new(
        ids: Vec<String>,
        dates: Vec<Date>,
        values: Vec<f64>,
        kind: SeriesKind,
        frequency: Frequency,
    ) -> Result<Panel, InputError> {
        if values.len() != ids.len() * dates.len() {
            return Err(InputError::new(format!(
                "panel has {} values for {} ids × {} dates",
                values.len(),
                ids.len(),
                dates.len()
            )));
        }
        if let Some(w) = dates.windows(2).find(|w| w[0] >= w[1]) {
            return Err(InputError::new(format!(
                "dates must increase strictly: {} is followed by {}",
                w[0], w[1]
            )));
        }
        let mut seen = HashMap::with_capacity(ids.len());
        for id in &ids {
            if seen.insert(id.as_str(), ()).is_some() {
                return Err(InputError::new(format!("duplicate id '{id}'")));
            }
        }
        if let Some(v) = values.iter().find(|v| v.is_infinite()) {
            return Err(InputError::new(format!(
                "expected finite values, found {v}"
            )));
        }
        Ok(Panel {
            ids,
            dates,
            values,
            kind,
            frequency,
        })
    }

    /// Series identifiers, in the order their columns or first rows appeared.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The date grid (union of all ids' dates), strictly increasing.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// Number of series.
    pub fn n_ids(&self) -> usize {
        self.ids.len()
    }

    /// Number of grid dates.
    pub fn n_dates(&self) -> usize {
        self.dates.len()
    }

    /// Whether values are returns or prices.
    pub fn kind(&self) -> SeriesKind {
        self.kind
    }

    /// Observation frequency of the grid.
    pub fn frequency(&self) -> Frequency {
        self.frequency
    }

    /// Values of series `i` on the grid (`NaN` where it has no observation).
    pub fn series(&self, i: usize) -> &[f64] {
        let t = self.dates.len();
        &self.values[i * t..(i + 1) * t]
    }

    /// Position of `id` among [`Panel::ids`].
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|x| x == id)
    }

    /// Number of observations (non-missing values) of series `i`.
    pub fn observations(&self, i: usize) -> usize {
        self.series(i).iter().filter(|v| !v.is_nan()).count()
    }

    /// The returns panel: itself for returns, simple returns `P_t / P_prev − 1` between
    /// consecutive observations of each id for prices (the first observation has none).
    pub fn to_returns(&self) -> Panel {
        match self.kind {
            SeriesKind::Returns => self.clone(),
            SeriesKind::Prices => {
                let t = self.dates.len();
                let mut values = vec![f64::NAN; self.values.len()];
                for i in 0..self.ids.len() {
                    let src = self.series(i);
                    let dst = &mut values[i * t..(i + 1) * t];
                    let mut prev: Option<f64> = None;
                    for (k, &p) in src.iter().enumerate() {
                        if p.is_nan() {
                            continue;
                        }
                        if let Some(q) = prev {
                            dst[k] = p / q - 1.0;
                        }
                        prev = Some(p);
                    }
                }
                Panel {
                    ids: self.ids.clone(),
                    dates: self.dates.clone(),
                    values,
                    kind: SeriesKind::Returns,
                    frequency: self.frequency,
                }
            }
        }
    }

    /// Wealth levels of series `i` as `(date, level)` pairs, starting at 1.
    ///
    /// For prices these are the prices divided by the first one. For returns the level
    /// before the first return is 1, dated one period before it: the previous grid date,
    /// or for the first grid date one period earlier (previous month end, 7 or 1 days).
    /// A return missing between two observed ones is marked by a `NaN` level on its date:
    /// no period return may span it (ratios of levels after the gap stay valid).
    pub fn levels(&self, i: usize) -> Vec<(Date, f64)> {
        let s = self.series(i);
        let mut out = Vec::with_capacity(s.len() + 1);
        match self.kind {
            SeriesKind::Prices => {
                let mut base = None;
                for (k, &p) in s.iter().enumerate() {
                    if p.is_nan() {
                        continue;
                    }
                    let b = *base.get_or_insert(p);
                    out.push((self.dates[k], p / b));
                }
            }
            SeriesKind::Returns => {
                let mut level = 1.0;
                let mut gap: Option<Date> = None;
                for (k, &r) in s.iter().enumerate() {
                    if r.is_nan() {
                        // a missing return between two observed ones: the wealth path is
                        // unknown from here on, so mark the gap (level NaN) for periods
                        if !out.is_empty() && gap.is_none() {
                            gap = Some(self.dates[k]);
                        }
                        continue;
                    }
                    if let Some(g) = gap.take() {
                        out.push((g, f64::NAN));
                    }
                    if out.is_empty() {
                        out.push((self.period_before(k), 1.0));
                    }
                    level *= 1.0 + r;
                    out.push((self.dates[k], level));
                }
            }
        }
        out
    }

    fn period_before(&self, k: usize) -> Date {
        if k > 0 {
            return self.dates[k - 1];
        }
        let d = self.dates[0];
        match self.frequency {
            Frequency::Monthly => {
                let p = d.minus_months(1);
                Date::month_end(p.year(), p.month()).unwrap_or(p)
            }
            Frequency::Quarterly => {
                let p = d.minus_months(3);
                Date::month_end(p.year(), p.month()).unwrap_or(p)
            }
            Frequency::Annual => d.minus_years(1),
            Frequency::Weekly => d.add_days(-7),
            Frequency::Daily => d.add_days(-1),
        }
    }

    /// Restrict every panel to the dates they all share (e.g. funds and factors).
    /// Returns the aligned panels in the same order.
    pub fn align(panels: &[&Panel]) -> Vec<Panel> {
        let Some(first) = panels.first() else {
            return Vec::new();
        };
        let mut common: Vec<Date> = first.dates.clone();
        for p in &panels[1..] {
            common.retain(|d| p.dates.binary_search(d).is_ok());
        }
        panels.iter().map(|p| p.select_dates(&common)).collect()
    }

    /// The panel on a subset of its own dates (`dates` must be sorted and on the grid).
    pub fn select_dates(&self, dates: &[Date]) -> Panel {
        let idx: Vec<usize> = dates
            .iter()
            .filter_map(|d| self.dates.binary_search(d).ok())
            .collect();
        let t = self.dates.len();
        let mut values = Vec::with_capacity(self.ids.len() * idx.len());
        for i in 0..self.ids.len() {
            values.extend(idx.iter().map(|&k| self.values[i * t + k]));
        }
        Panel {
            ids: self.ids.clone(),
            dates: idx.iter().map(|&k| self.dates[k]).collect(),
            values,
            kind: self.kind,
            frequency: self.frequency,
        }
    }

    /// The series of `ids`, in that order; errors name the first id the panel lacks.
    pub fn select_ids<S: AsRef<str>>(&self, ids: &[S]) -> Result<Panel, InputError> {
        let t = self.dates.len();
        let mut values = Vec::with_capacity(ids.len() * t);
        for id in ids {
            let id = id.as_ref();
            let i = self
                .index_of(id)
                .ok_or_else(|| InputError::new(format!("series '{id}' is missing")))?;
            values.extend_from_slice(self.series(i));
        }
        Panel::new(
            ids.iter().map(|s| s.as_ref().to_string()).collect(),
            self.dates.clone(),
            values,
            self.kind,
            self.frequency,
        )
    }
}

/// Collects `(id, date, value)` observations with their file positions and validates
/// them into a [`Panel`].
#[derive(Debug)]
pub struct PanelBuilder {
    kind: SeriesKind,
    scale: f64,
    max_return: f64,
    ids: Vec<String>,
    id_index: HashMap<String, u32>,
    records: Vec<(u32, Date, f64, Position)>,
}

impl PanelBuilder {
    /// A builder for values of `kind`; `scale` multiplies every value (0.01 for percent).
    /// Returns (given, or implied by consecutive prices) must lie in
    /// `[−1, DEFAULT_MAX_RETURN]` unless [`PanelBuilder::with_max_return`] says otherwise.
    pub fn new(kind: SeriesKind, scale: f64) -> PanelBuilder {
        PanelBuilder {
            kind,
            scale,
            max_return: DEFAULT_MAX_RETURN,
            ids: Vec::new(),
            id_index: HashMap::new(),
            records: Vec::new(),
        }
    }

    /// The upper bound of a period return, as a fraction (10 = +1,000%); a return above
    /// it, given or implied by two consecutive prices, is an error naming the cell.
    pub fn with_max_return(mut self, max: f64) -> PanelBuilder {
        self.max_return = max;
        self
    }

    /// Declare an id (so that an all-missing column of a wide file is still known).
    pub fn declare(&mut self, id: &str) -> u32 {
        if let Some(&k) = self.id_index.get(id) {
            return k;
        }
        let k = self.ids.len() as u32;
        self.ids.push(id.to_string());
        self.id_index.insert(id.to_string(), k);
        k
    }

    /// Add one observation; `value` must be finite. Errors name `position` and `column`.
    pub fn push(
        &mut self,
        id: &str,
        date: Date,
        value: f64,
        position: Position,
        column: &str,
    ) -> Result<(), InputError> {
        let k = self.declare(id);
        self.push_declared(k, date, value, position, column)
    }

    /// [`PanelBuilder::push`] for an id already declared as `k` (wide files: no lookup
    /// of the id per cell).
    pub fn push_declared(
        &mut self,
        k: u32,
        date: Date,
        value: f64,
        position: Position,
        column: &str,
    ) -> Result<(), InputError> {
        assert!((k as usize) < self.ids.len(), "id {k} was not declared");
        let v = value * self.scale;
        if !v.is_finite() {
            return Err(InputError::at(
                position,
                format!("expected a finite number, found {value}"),
            )
            .with_column(column));
        }
        match self.kind {
            SeriesKind::Prices if v <= 0.0 => {
                return Err(InputError::at(
                    position,
                    format!("expected a positive price, found {value}"),
                )
                .with_column(column));
            }
            SeriesKind::Returns if v < -1.0 => {
                return Err(InputError::at(
                    position,
                    format!(
                        "expected a return of at least -100%, found {value} (returns are fractions; use --percent for percent, --prices for prices)"
                    ),
                )
                .with_column(column));
            }
            SeriesKind::Returns if !plausible_return(v, self.max_return) => {
                let unit = if self.scale == 1.0 {
                    "fractions"
                } else {
                    "percent"
                };
                return Err(InputError::at(
                    position,
                    format!(
                        "expected a return of at most {} ({} per period), found {}; --max-return allows larger (returns are {unit}; use --percent for percent, --prices for prices)",
                        shown(self.max_return / self.scale),
                        percent_per_period(self.max_return),
                        shown(value)
                    ),
                )
                .with_column(column));
            }
            _ => {}
        }
        self.records.push((k, date, v, position));
        Ok(())
    }

    /// Validate and assemble: no duplicate `(id, date)`, one frequency for all ids.
    pub fn build(mut self) -> Result<Panel, InputError> {
        if self.ids.is_empty() {
            return Err(InputError::new(
                "no series found (the table has no data rows)",
            ));
        }
        if self.records.is_empty() {
            return Err(InputError::new(
                "no observations found (every value is empty)",
            ));
        }
        // Stable sort by (id, date): records bucketed by id in file order, then each
        // bucket sorted by date unless already in order (the usual case).
        let mut starts = vec![0usize; self.ids.len() + 1];
        for r in &self.records {
            starts[r.0 as usize + 1] += 1;
        }
        for k in 0..self.ids.len() {
            starts[k + 1] += starts[k];
        }
        let mut next = starts.clone();
        let mut sorted =
            vec![(0u32, Date::from_days(0), 0.0, Position::Line(0)); self.records.len()];
        for r in &self.records {
            let slot = &mut next[r.0 as usize];
            sorted[*slot] = *r;
            *slot += 1;
        }
        for k in 0..self.ids.len() {
            let bucket = &mut sorted[starts[k]..starts[k + 1]];
            if bucket.windows(2).any(|w| w[1].1 < w[0].1) {
                bucket.sort_by_key(|r| r.1);
            }
        }
        self.records = sorted;
        for w in self.records.windows(2) {
            if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
                return Err(InputError::at(
                    w[1].3,
                    format!(
                        "duplicate observation for id '{}' on {} (first seen at {})",
                        self.ids[w[0].0 as usize], w[0].1, w[0].3
                    ),
                ));
            }
        }
        if self.kind == SeriesKind::Prices {
            self.check_implied_returns()?;
        }
        let mut dates: Vec<Date> = self.records.iter().map(|r| r.1).collect();
        dates.dedup(); // runs of one date first: cheap, and the sort gets short
        dates.sort_unstable();
        dates.dedup();
        let frequency = Frequency::detect(&dates).ok_or_else(|| {
            InputError::new(match peergroup_calendar::median_gap(&dates) {
                None => "need at least two dates to tell the frequency".to_string(),
                Some(g) => format!(
                    "cannot tell the frequency: the typical gap between dates is {g} days (expected daily 1-4, weekly 5-10, monthly 25-35, quarterly 80-100 or annual 350-380)"
                ),
            })
        })?;
        // A monthly observation stands for its month: date it at the month end, so that
        // files dated on the 1st (Kenneth French's) and on the last day agree.
        if frequency == Frequency::Monthly {
            for r in &mut self.records {
                let (y, m, _) = r.1.ymd();
                r.1 = Date::month_end(y, m).expect("valid month");
            }
            if let Some(w) = self
                .records
                .windows(2)
                .find(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1)
            {
                return Err(InputError::at(
                    w[1].3,
                    format!(
                        "duplicate observation for id '{}' in month {} (monthly data: first seen at {})",
                        self.ids[w[0].0 as usize],
                        &w[0].1.to_string()[..7],
                        w[0].3
                    ),
                ));
            }
            dates = self.records.iter().map(|r| r.1).collect();
            dates.sort_unstable();
            dates.dedup();
        }
        // Mixed frequencies: every id with enough observations must share the grid's.
        let mut start = 0;
        while start < self.records.len() {
            let id = self.records[start].0;
            let end = start
                + self.records[start..]
                    .iter()
                    .take_while(|r| r.0 == id)
                    .count();
            let own: Vec<Date> = self.records[start..end].iter().map(|r| r.1).collect();
            if own.len() >= 3 {
                let f = Frequency::detect(&own);
                if f != Some(frequency) {
                    return Err(InputError::at(
                        self.records[start].3,
                        format!(
                            "mixed frequencies: id '{}' is observed {} but the table is {}",
                            self.ids[id as usize],
                            f.map_or("irregularly", Frequency::name),
                            frequency
                        ),
                    ));
                }
            }
            start = end;
        }
        let t = dates.len();
        let mut values = vec![f64::NAN; self.ids.len() * t];
        for (k, d, v, _) in &self.records {
            let j = dates.binary_search(d).expect("date is on the grid");
            values[*k as usize * t + j] = *v;
        }
        Panel::new(self.ids, dates, values, self.kind, frequency)
    }
}

impl PanelBuilder {
    /// Prices: the return between consecutive observations of an id (records sorted by
    /// id, then date) obeys the returns rule; a price off by a unit or a typing error
    /// would otherwise become a return of thousands of percent in every later stage.
    fn check_implied_returns(&self) -> Result<(), InputError> {
        for w in self.records.windows(2) {
            let ((k, d0, p0, at0), (k1, d1, p1, at1)) = (w[0], w[1]);
            if k != k1 {
                continue;
            }
            // Positive prices imply a return above −100%; one that rounds to −100%
            // (a price of 1e-300 after 40) is as implausible as a jump.
            let r = p1 / p0 - 1.0;
            if !(r > -1.0 && plausible_return(r, self.max_return)) {
                return Err(InputError::at(
                    at1,
                    format!(
                        "series '{}': the price {} on {d1} after {} on {d0} ({at0}) implies a return of {}, outside -100% to {} per period; check the price units (--max-return allows larger)",
                        self.ids[k as usize],
                        shown(p1),
                        shown(p0),
                        shown(r),
                        percent_per_period(self.max_return)
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn monthly(kind: SeriesKind, rows: &[(&str, &str, f64)]) -> Result<Panel, InputError> {
        let mut b = PanelBuilder::new(kind, 1.0);
        for (i, (id, date, v)) in rows.iter().enumerate() {
            b.push(id, d(date), *v, Position::Line(i as u64 + 2), "value")?;
        }
        b.build()
    }

    #[test]
    fn selects_ids_in_the_order_asked() {
        let p = monthly(
            SeriesKind::Returns,
            &[
                ("A", "2020-01", 0.01),
                ("B", "2020-01", 0.02),
                ("C", "2020-01", 0.03),
                ("A", "2020-02", 0.04),
            ],
        )
        .unwrap();
        let q = p.select_ids(&["C", "A"]).unwrap();
        assert_eq!(q.ids(), &["C".to_string(), "A".to_string()]);
        assert_eq!((q.series(0)[0], q.series(1)[0]), (0.03, 0.01));
        assert_eq!(q.frequency(), p.frequency());
        let e = p.select_ids(&["A", "Z"]).unwrap_err().to_string();
        assert!(e.contains("'Z'"), "{e}");
    }

    #[test]
    fn builds_grid_from_unsorted_rows() {
        let p = monthly(
            SeriesKind::Returns,
            &[
                ("B", "2020-02", 0.02),
                ("A", "2020-01", 0.01),
                ("A", "2020-02", -0.01),
                ("A", "2020-03", 0.03),
            ],
        )
        .unwrap();
        assert_eq!(p.ids(), &["B".to_string(), "A".to_string()]);
        assert_eq!(p.n_dates(), 3);
        assert_eq!(p.frequency(), Frequency::Monthly);
        assert!(p.series(0)[0].is_nan());
        assert_eq!(p.series(0)[1], 0.02);
        assert_eq!(p.series(1), &[0.01, -0.01, 0.03]);
        assert_eq!(p.observations(0), 1);
    }

    #[test]
    fn rejects_duplicates_with_both_lines() {
        let e = monthly(
            SeriesKind::Returns,
            &[
                ("A", "2020-01", 0.01),
                ("A", "2020-02", 0.0),
                ("A", "2020-01", 0.02),
            ],
        )
        .unwrap_err();
        assert_eq!(e.position, Some(Position::Line(4)));
        assert!(
            e.message
                .contains("duplicate observation for id 'A' on 2020-01-31 (first seen at line 2)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn rejects_mixed_frequencies() {
        let mut rows = vec![];
        let days: Vec<String> = (1..=20).map(|k| format!("2020-01-{k:02}")).collect();
        for day in &days {
            rows.push(("D", day.as_str(), 0.0));
        }
        rows.extend([
            ("M", "2020-01-31", 0.0),
            ("M", "2020-02-29", 0.0),
            ("M", "2020-03-31", 0.0),
            ("M", "2020-04-30", 0.0),
        ]);
        let e = monthly(SeriesKind::Returns, &rows).unwrap_err();
        assert!(
            e.message
                .contains("id 'M' is observed monthly but the table is daily"),
            "{}",
            e.message
        );
    }

    #[test]
    fn rejects_bad_values() {
        let e = monthly(SeriesKind::Prices, &[("A", "2020-01", 0.0)]).unwrap_err();
        assert!(e.message.contains("positive price"));
        let e = monthly(SeriesKind::Returns, &[("A", "2020-01", -1.5)]).unwrap_err();
        assert!(e.message.contains("--percent"));
    }

    /// A return above the bound, given or implied by two prices, is an error naming the
    /// cell and the flag; `with_max_return` moves the bound; percent files are compared
    /// after scaling, and the message keeps the file's unit.
    #[test]
    fn rejects_implausible_returns() {
        let e = monthly(SeriesKind::Returns, &[("A", "2020-01", 1e300)]).unwrap_err();
        assert_eq!(e.position, Some(Position::Line(2)));
        assert_eq!(e.column.as_deref(), Some("value"));
        assert!(
            e.message
                .contains("at most 10 (+1,000% per period), found 1e300")
                && e.message.contains("--max-return"),
            "{}",
            e.message
        );
        let mut b = PanelBuilder::new(SeriesKind::Returns, 0.01);
        let e = b
            .push("A", d("2020-01-31"), 5000.0, Position::Line(7), "A")
            .unwrap_err();
        assert!(
            e.message
                .contains("at most 1000 (+1,000% per period), found 5000"),
            "{}",
            e.message
        );
        assert!(e.message.contains("percent"), "{}", e.message);
        let mut b = PanelBuilder::new(SeriesKind::Returns, 1.0).with_max_return(100.0);
        b.push("A", d("2020-01-31"), 50.0, Position::Line(2), "value")
            .unwrap();
        let rows = [
            ("A", "2020-01", 1.0),
            ("A", "2020-02", 1e300),
            ("A", "2020-03", 1.0),
        ];
        let e = monthly(SeriesKind::Prices, &rows).unwrap_err();
        assert_eq!(e.position, Some(Position::Line(3)));
        for part in [
            "series 'A'",
            "1e300 on 2020-02-29",
            "after 1 on 2020-01-31 (line 2)",
        ] {
            assert!(e.message.contains(part), "{part}: {}", e.message);
        }
        let tiny = [
            ("A", "2020-01", 1e300),
            ("A", "2020-02", 1e-300),
            ("A", "2020-03", 1.0),
        ];
        assert!(monthly(SeriesKind::Prices, &tiny).is_err());
    }

    #[test]
    fn prices_to_returns_and_levels() {
        let p = monthly(
            SeriesKind::Prices,
            &[
                ("A", "2020-01", 100.0),
                ("A", "2020-02", 110.0),
                ("A", "2020-04", 99.0),
                ("B", "2020-03", 5.0),
            ],
        )
        .unwrap();
        let r = p.to_returns();
        let a = r.series(0);
        assert!(a[0].is_nan());
        assert!((a[1] - 0.1).abs() < 1e-15);
        assert!(a[2].is_nan());
        assert!((a[3] - (99.0 / 110.0 - 1.0)).abs() < 1e-15);
        let lv = p.levels(0);
        assert_eq!(lv.len(), 3);
        assert!((lv[2].1 - 0.99).abs() < 1e-15);
        let rl = r.levels(0);
        // returns-derived levels start at the first return's previous grid date
        assert_eq!(rl[0], (d("2020-01"), 1.0));
        let m = monthly(
            SeriesKind::Returns,
            &[("A", "2020-01", 0.1), ("A", "2020-02", 0.1)],
        )
        .unwrap();
        let lv = m.levels(0);
        assert_eq!(lv[0], (d("2019-12"), 1.0));
        assert!((lv[2].1 - 1.21).abs() < 1e-15);
    }

    #[test]
    fn monthly_dates_mean_the_month() {
        let p = monthly(
            SeriesKind::Returns,
            &[
                ("A", "2020-01-01", 0.1),
                ("A", "2020-02-01", 0.2),
                ("A", "2020-03-31", 0.3),
            ],
        )
        .unwrap();
        assert_eq!(p.dates(), &[d("2020-01"), d("2020-02"), d("2020-03")]);
        let e = monthly(
            SeriesKind::Returns,
            &[
                ("A", "2020-01-01", 0.1),
                ("A", "2020-01-31", 0.2),
                ("A", "2020-03-31", 0.3),
                ("A", "2020-04-30", 0.3),
            ],
        )
        .unwrap_err();
        assert!(e.message.contains("in month 2020-01"), "{}", e.message);
    }

    #[test]
    fn aligns_on_common_dates() {
        let a = monthly(
            SeriesKind::Returns,
            &[
                ("A", "2020-01", 0.1),
                ("A", "2020-02", 0.2),
                ("A", "2020-03", 0.3),
            ],
        )
        .unwrap();
        let b = monthly(
            SeriesKind::Returns,
            &[
                ("F", "2020-02", 1.0),
                ("F", "2020-03", 2.0),
                ("F", "2020-04", 3.0),
            ],
        )
        .unwrap();
        let al = Panel::align(&[&a, &b]);
        assert_eq!(al[0].dates(), al[1].dates());
        assert_eq!(al[0].series(0), &[0.2, 0.3]);
        assert_eq!(al[1].series(0), &[1.0, 2.0]);
    }
}
