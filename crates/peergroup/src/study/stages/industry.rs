//! The industry stage (total-return indices from daily price/shares/AUM data) and the
//! period-return and YTD-ranking stages on its daily returns, or on a returns input.

use peergroup_data::Panel;
use peergroup_io::{read_industry, read_metadata, read_series, SeriesOptions};
use peergroup_pipeline::chart::industry::{largest_by_aum, total_return_chart, ytd_chart};
use peergroup_pipeline::chart::returns::periods_chart;
use peergroup_pipeline::industry::{self, IndustrySettings};
use peergroup_pipeline::returns::{periods_table, rank_table, PeriodsSettings, RankSettings};
use peergroup_pipeline::Named;
use peergroup_returns::{period_returns, rank_ytd, IndustryConfig};

use super::{missing_input, setting_error, Ctx, Planned, Stage, StageId};
use crate::commands::{CommandError, CommandResult};
use crate::study::file::Study;
use crate::study::input::InputSpec;
use crate::study::stage_dir::StageDir;

/// Series drawn in the total-return chart: the largest by assets.
const CHARTED_SERIES: usize = 8;

/// Series drawn in the period-returns chart.
const CHARTED_PERIODS: usize = 40;

/// The industry stage of a study.
struct IndustryStage<'a> {
    settings: &'a IndustrySettings,
    config: IndustryConfig,
    data: &'a InputSpec,
    meta: Option<&'a InputSpec>,
}

/// Where the periods and rank stages read their series.
#[derive(Clone, Copy)]
enum Series<'a> {
    /// The industry stage's daily returns.
    Industry,
    /// An input table.
    Input(&'a InputSpec),
}

/// The period-returns stage.
struct PeriodsStage<'a> {
    settings: &'a PeriodsSettings,
    series: Series<'a>,
}

/// The YTD-ranking stage.
struct RankStage<'a> {
    settings: &'a RankSettings,
    series: Series<'a>,
}

/// Add the industry, periods and rank stages the study configures.
pub fn plan<'a>(study: &'a Study, stages: &mut Vec<Planned<'a>>) -> Result<(), CommandError> {
    let f = &study.file;
    if let Some(settings) = &f.industry {
        let id = StageId::Industry;
        let config = settings.config().map_err(|e| setting_error(study, id, e))?;
        let data = f
            .inputs
            .industry
            .data
            .as_ref()
            .ok_or_else(|| missing_input(study, id, "data", "daily class data"))?;
        let meta = f.inputs.industry.meta.as_ref();
        if meta.is_none() && settings.group_by != industry::GroupBy::Class {
            return Err(missing_input(
                study,
                id,
                "meta",
                "class metadata (class_id,fund,manager) to group by fund or manager",
            ));
        }
        stages.push(
            Planned::new(
                id,
                settings,
                IndustryStage {
                    settings,
                    config,
                    data,
                    meta,
                },
            )
            .reads("data", Some(data))
            .reads("meta", meta),
        );
    }
    let series = |input: &'a Option<InputSpec>, id: StageId| -> Result<Series<'a>, CommandError> {
        match (input, &f.industry) {
            (Some(spec), _) => Ok(Series::Input(spec)),
            (None, Some(_)) => Ok(Series::Industry),
            (None, None) => Err(missing_input(
                study,
                id,
                "returns",
                "a table of series (or an [industry] stage)",
            )),
        }
    };
    // One series input serves both stages when only one of them names it.
    let (periods_in, rank_in) = (&f.inputs.periods.returns, &f.inputs.rank.returns);
    let periods_in = if periods_in.is_some() {
        periods_in
    } else {
        rank_in
    };
    let rank_in = if rank_in.is_some() {
        rank_in
    } else {
        periods_in
    };
    if let Some(settings) = &f.periods {
        settings
            .validate()
            .map_err(|e| setting_error(study, StageId::Periods, e))?;
        let series = series(periods_in, StageId::Periods)?;
        stages.push(series.plan(Planned::new(
            StageId::Periods,
            settings,
            PeriodsStage { settings, series },
        )));
    }
    if let Some(settings) = &f.rank {
        let series = series(rank_in, StageId::Rank)?;
        stages.push(series.plan(Planned::new(
            StageId::Rank,
            settings,
            RankStage { settings, series },
        )));
    }
    Ok(())
}

impl Stage for IndustryStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        ctx.bar.note("reading industry data");
        let data_path = ctx.source(self.data);
        let table = read_industry(&data_path)?;
        let meta = self
            .meta
            .map(|m| read_metadata(&ctx.source(m), "class_id", &["fund", "manager"]))
            .transpose()?;
        let (data_name, meta_name) = (data_path.label(), self.meta.map(|m| ctx.source(m).label()));
        let grouping = industry::grouping(
            Named::new(&table, &data_name),
            meta.as_ref()
                .zip(meta_name.as_deref())
                .map(|(m, n)| Named::new(m, n)),
            self.settings.group_by,
        )?;
        ctx.bar.note("filtering outliers and computing effects");
        let filtered = industry::filter(&table, &self.config);
        filtered.check_returns(
            Named::new(&table, &data_name),
            &self.config,
            self.data.max_return(),
        )?;
        let plan = filtered.plan(&table, &grouping, &self.config);
        let effects = plan.compute(0..plan.n_ids());
        let (min_aum, outliers) = filtered.dropped_counts();
        dir.metrics(vec![
            ("records".into(), table.n_records().to_string()),
            ("classes".into(), table.n_classes().to_string()),
            ("series".into(), effects.ids.len().to_string()),
            ("dropped below min AUM".into(), min_aum.to_string()),
            ("price outliers dropped".into(), outliers.to_string()),
        ]);
        let largest = largest_by_aum(&effects, CHARTED_SERIES);
        dir.chart(
            "total_return",
            &total_return_chart(&effects, &largest, "Total-return index, largest by assets"),
            "Total-return indices (base 1) of the largest series by assets",
        )?;
        dir.table_shown(
            "dropped",
            &filtered.dropped_table(&table),
            "Records dropped",
        )?;
        dir.table_shown(
            "returns",
            &industry::table(effects),
            "Daily effects and total returns",
        )?;
        Ok(())
    }
}

impl<'a> Series<'a> {
    /// What a stage reading these series reads: the input file, or the industry stage.
    fn plan(self, planned: Planned<'a>) -> Planned<'a> {
        match self {
            Series::Input(spec) => planned.reads("returns", Some(spec)),
            Series::Industry => planned.after(StageId::Industry),
        }
    }

    /// The series as returns.
    fn read(self, ctx: &Ctx<'_>) -> CommandResult<Panel> {
        Ok(match self {
            Series::Input(spec) => ctx.returns(spec, &["value"])?,
            Series::Industry => {
                let path = ctx.upstream(StageId::Industry, "returns");
                read_series(
                    &path,
                    &SeriesOptions {
                        value_columns: vec!["daily_return".into()],
                        // The industry stage checked its returns against its own
                        // input's max-return: not again against the default.
                        max_return: f64::MAX,
                        ..SeriesOptions::default()
                    },
                )?
            }
        })
    }
}

impl Stage for PeriodsStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        let panel = self.series.read(ctx)?;
        let rows = period_returns(&panel, &self.settings.trailing);
        dir.metrics(vec![
            ("series".into(), panel.n_ids().to_string()),
            ("period returns".into(), rows.len().to_string()),
        ]);
        let n = panel.n_ids().min(CHARTED_PERIODS);
        let rows_shown: Vec<_> = rows.iter().filter(|r| r.id < n).cloned().collect();
        let caption = if n < panel.n_ids() {
            format!(
                "Period returns of the first {n} of {} series",
                panel.n_ids()
            )
        } else {
            "Period returns of every series".to_string()
        };
        dir.chart(
            "periods",
            &periods_chart(&panel.ids()[..n], &rows_shown, &[]),
            &caption,
        )?;
        dir.table_shown(
            "periods",
            &periods_table(panel.ids(), &rows),
            "Period returns",
        )?;
        Ok(())
    }
}

impl Stage for RankStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        let panel = self.series.read(ctx)?;
        let s = self.settings;
        let rows = rank_ytd(&panel, s.top, s.bottom, s.all);
        if let Some(last) = rows.iter().map(|r| r.date).max() {
            dir.chart(
                "ytd",
                &ytd_chart(panel.ids(), &rows, last),
                &format!("YTD return on {last}: top and bottom"),
            )?;
        }
        dir.table_shown(
            "rank",
            &rank_table(panel.ids(), &rows),
            "YTD ranks, top and bottom per date",
        )?;
        Ok(())
    }
}
