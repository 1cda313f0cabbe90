//! Evolutionary peer-group section (seed 004 sections 4-7): peer groups at every date,
//! aligned over time, on a synthetic universe whose style switchers are known and on the
//! French portfolios over rolling windows.

use super::{sharpe_spec, write_universe, Run};
use crate::commands::{CommandError, CommandResult};
use peergroup_io::{read_metadata, RowTable, Table};
use peergroup_pipeline::cluster::ClusterMethod;
use peergroup_pipeline::evolve::{evolve, Evolution, EvolveInputs, EvolveSettings, EvolveSource};
use peergroup_pipeline::similarity::{
    factor_similarity, Averaging, FactorSource, SimilarityInputs,
};
use peergroup_pipeline::style::{self, StyleOutput};
use peergroup_pipeline::{KChoice, Named};
use peergroup_report::{Block, Report, Section};
use peergroup_similarity::FactorSimilarity;
use peergroup_synth::universe::StyleSwitch;
use peergroup_synth::{universe, Universe, UniverseConfig};

/// Where the synthetic run's evolve outputs go.
const SYNTH_DIR: &str = "evolve/synthetic";
/// Where the French run's evolve outputs go.
const FRENCH_DIR: &str = "evolve/french";
/// Weeks per rolling style window of the synthetic universe (one window ends every week).
const SYNTH_WINDOW: usize = 52;
/// Months per rolling style window of the French portfolios, and months between windows.
const FRENCH_WINDOW: (usize, usize) = (60, 12);
/// The averaging rule charted and headlined: the first of each list, as `peergroup
/// evolve` charts its first rule.
const SHOWN: usize = 0;

/// Peer groups over time: does a fund's change of peer group mean a change of style?
pub(super) fn section(run: &Run, report: &mut Report) -> CommandResult {
    let mut blocks = synthetic(run)?;
    blocks.extend(french(run)?);
    report.sections.push(Section {
        heading: "Peer groups over time (evolutionary peer groups, seed 004)".into(),
        blocks,
    });
    Ok(())
}

/// A dynamic synthetic universe: rolling exposures, peer groups at every window, and
/// which funds change group against which funds truly switch style.
fn synthetic(run: &Run) -> CommandResult<Vec<Block>> {
    let cfg = UniverseConfig {
        funds: 60,
        factors: 8,
        periods: 260,
        groups: 4,
        dynamic: true,
        seed: 19,
        r2: (0.85, 0.95),
        ..Default::default()
    };
    let u = universe(&cfg);
    let dir = "evolve_universe";
    let (funds, factors) = write_universe(run, &u, true, dir)?;
    let window = SYNTH_WINDOW;
    let st = style::style(
        Named::new(&funds, "funds.csv"),
        Named::new(&factors, "factors.csv"),
        &sharpe_spec(Some(window), 52.0),
    )?;
    let attributes_file = run.path(&format!("inputs/{dir}/factor_attributes.csv"));
    let attributes = read_metadata(&attributes_file, "factor", &[])?;
    let sx = factor_similarity(
        FactorSource::Attributes {
            table: Named::new(&attributes, "factor_attributes.csv"),
            weights: &[],
            cross: None,
        },
        &u.factor_names,
    )?;
    let settings = EvolveSettings {
        k: KChoice::Fixed(cfg.groups),
        average: vec![
            Averaging::Ewma(0.9),
            Averaging::MovingAverage(1),
            Averaging::MovingAverage(4),
            Averaging::MovingAverage(13),
        ],
        horizons: vec![1, 4, 13, 26, 52],
        ..EvolveSettings::default()
    };
    let ev = evolve_exposures(&st, &sx, Some(&attributes), &settings)?;
    run.artifacts(SYNTH_DIR, &ev.artifacts())?;
    let found = switchers(&u, &ev)?;
    run.table(&format!("{SYNTH_DIR}/switchers.csv"), &found.table(&u, &ev))?;
    let rows: Vec<Vec<String>> = (0..ev.averages.len()).map(|r| found.row(&ev, r)).collect();
    let shown = ev.averages[SHOWN].to_string();
    let (moved, n_sw) = found.moved_switchers(SHOWN);
    let (false_moves, n_other) = found.moved_others(SHOWN);
    let lags = found.lags(SHOWN);
    let median_lag = lags.get(lags.len() / 2).copied();
    let others: Vec<String> = found
        .false_alarms(SHOWN)
        .iter()
        .map(|&i| {
            format!(
                "{} ({})",
                ev.funds[i], u.group_labels[u.true_group[found.fund[i]]]
            )
        })
        .collect();
    let ended = found.count(SHOWN, false, |_, e| e).0;
    let others = match (others.len(), ended) {
        (0, _) => "No other fund changed peer group.".to_string(),
        (_, 0) => format!(
            "The other funds that changed peer group ({}) sit near a group boundary: they move back and forth and end in the group they started in.",
            others.join(", ")
        ),
        (n, e) => format!(
            "The other funds that changed peer group ({}) sit near a group boundary; {e} of these {n} end in a group other than their first.",
            others.join(", ")
        ),
    };
    let dates = ev.paths[SHOWN].len();
    let rules: Vec<String> = ev.averages.iter().map(|a| a.to_string()).collect();
    Ok(vec![
        Block::Paragraph {
            text: format!(
                "Peer groups are not fixed: a fund's style drifts, and sometimes a manager changes style altogether. Seed 004 clusters the funds' factor-aware similarity at every date, \
                 optionally averaged over past dates, and aligns the cluster labels from one date to the next (maximum overlap, Hungarian assignment), so that one label is one peer group \
                 over time. A fund that changes label has moved to another peer group.\n\n\
                 A synthetic universe with known style switches (peergroup synth universe --funds {} --factors {} --periods {} --groups {} --r2 0.85,0.95 --dynamic --seed {}): \
                 exposures drift, and {n_sw} of the {} funds migrate to another group's style over half a year. Exposures are {window}-week rolling Sharpe fits, one every week \
                 ({dates} dates); factor similarities come from the factors' asset class, sector and region; peer groups are average-linkage clusters with k = {} at every date, \
                 for four averaging rules of the similarity (ma:p: the mean of the last p weeks; ewma:0.9: past weeks weighted down by 0.9 a week; \
                 peergroup evolve --average {} --k {}). Charts show the first rule, {shown}.",
                cfg.funds,
                cfg.factors,
                cfg.periods,
                cfg.groups,
                cfg.seed,
                cfg.funds,
                cfg.groups,
                rules.join(","),
                cfg.groups,
            ),
        },
        Block::Metrics {
            items: vec![
                (
                    format!("style switchers that changed peer group ({shown})"),
                    count_share(moved, n_sw),
                ),
                (
                    format!("other funds that changed peer group ({shown})"),
                    count_share(false_moves, n_other),
                ),
                (
                    "funds that changed peer group and truly switched style".into(),
                    count_share(moved, moved + false_moves),
                ),
                (
                    "median weeks from a switch's start to the fund's first move".into(),
                    median_lag.map_or_else(|| "none".into(), |l| l.to_string()),
                ),
            ],
        },
        Block::Paragraph {
            text: format!(
                "Changing peer group finds the style switchers: {moved} of the {n_sw} switchers move, against {false_moves} of the {n_other} other funds. \
                 The move comes a median {} weeks after the switch starts: the switch itself takes half a year, and a {window}-week window must fill with the new style \
                 before the estimated exposures cross over. {others}",
                median_lag.map_or_else(|| "–".into(), |l| l.to_string()),
            ),
        },
        Block::Table {
            caption: "By averaging rule: funds that changed peer group at least once, and funds whose last peer group differs from their first, among the true style switchers \
                      and the other funds; and the number of moves. Averaging past similarities damps the back-and-forth near group boundaries."
                .into(),
            columns: vec![
                "averaging".into(),
                "switchers that moved".into(),
                "others that moved".into(),
                "switchers ending elsewhere".into(),
                "others ending elsewhere".into(),
                "moves".into(),
            ],
            rows,
            file: Some(format!("{SYNTH_DIR}/switchers.csv")),
        },
        Block::Chart {
            file: format!("{SYNTH_DIR}/transitions.svg"),
            caption: "Funds by peer group at the first and the last date: the diagonal holds the funds that stayed, off the diagonal are the funds that moved. \
                      Every move with its date: transitions.csv; every fund against its true switch: switchers.csv."
                .into(),
        },
        Block::Chart {
            file: format!("{SYNTH_DIR}/allocation.svg"),
            caption: "Share of funds in each peer group over time: a group gains the switchers that adopt its style and loses those that leave it. Table: concentration.csv.".into(),
        },
        Block::Chart {
            file: format!("{SYNTH_DIR}/stability.svg"),
            caption: "Share of funds in the same peer group h weeks later, for each averaging rule: it falls with the horizon as the switchers leave and drifting funds cross \
                      group boundaries. Table: stability.csv."
                .into(),
        },
    ])
}

/// The French portfolios: rolling industry exposures, peer groups each year end.
fn french(run: &Run) -> CommandResult<Vec<Block>> {
    let aligned = run.french_aligned()?;
    // Identity factor similarity: two portfolios are alike when they hold the same
    // industries (the industries' return correlations would make every pair alike).
    let sx = FactorSimilarity::identity(aligned.factors.ids().to_vec());
    let (window, step) = FRENCH_WINDOW;
    let st = style::fit(
        aligned,
        "funds",
        "factors",
        &peergroup_style::StyleSpec {
            step,
            ..sharpe_spec(Some(window), 12.0)
        },
    )?;
    let settings = EvolveSettings {
        k: KChoice::Fixed(3),
        method: ClusterMethod::Ward,
        average: vec![
            Averaging::MovingAverage(3),
            Averaging::MovingAverage(1),
            Averaging::Ewma(0.7),
        ],
        horizons: vec![1, 5, 10, 20],
        ..EvolveSettings::default()
    };
    let ev = evolve_exposures(&st, &sx, None, &settings)?;
    run.artifacts(FRENCH_DIR, &ev.artifacts())?;
    let stab = |r: usize, h: usize| {
        ev.stability
            .iter()
            .find(|s| s.rule == r && s.horizon == h)
            .map_or(String::new(), |s| format!("{:.0}%", 100.0 * s.stability))
    };
    let rows: Vec<Vec<String>> = (0..ev.averages.len())
        .map(|r| {
            let mut row = vec![
                ev.averages[r].to_string(),
                ev.transitions
                    .iter()
                    .filter(|x| x.rule == r)
                    .count()
                    .to_string(),
            ];
            row.extend(settings.horizons.iter().map(|&h| stab(r, h)));
            row
        })
        .collect();
    let mut columns = vec!["averaging".to_string(), "moves".to_string()];
    columns.extend(
        settings
            .horizons
            .iter()
            .map(|h| format!("same group {h} y later")),
    );
    let shown = ev.averages[SHOWN].to_string();
    let path = &ev.paths[SHOWN];
    let (Some(a), Some(b)) = (path.first(), path.last()) else {
        return Err(CommandError::System(format!(
            "no peer groups of the French portfolios under {shown}"
        )));
    };
    let (first, last) = (ev.dates[a.t], ev.dates[b.t]);
    Ok(vec![
        Block::Paragraph {
            text: format!(
                "The 18 French size/value and size/momentum portfolios, with exposures to the 12 industry portfolios from {window}-month rolling Sharpe fits at every year end, \
                 and peer groups at {} year ends, {} to {}; two portfolios are similar when they hold the same industries (identity factor similarity). Three peer groups \
                 (Ward linkage) at every date, labels aligned over time (ewma:0.7 weights past years down by 0.7 a year); charts show {shown}, the similarity averaged over the last three year ends.",
                path.len(),
                first.year(),
                last.year(),
            ),
        },
        Block::Table {
            caption: "Moves between the three peer groups and the share of portfolios in the same group h years later, by averaging rule. Portfolios sorted on size, value \
                      and momentum change industry tilts with the economy and with the stocks that enter them, so their peer groups change over the decades."
                .into(),
            columns,
            rows,
            file: Some(format!("{FRENCH_DIR}/stability.csv")),
        },
        Block::Table {
            caption: format!("The peer groups on {last} ({shown}): members and largest mean industry exposures."),
            columns: vec!["peer group".into(), "portfolios".into(), "largest exposures".into()],
            rows: last_groups(&ev, SHOWN),
            file: Some(format!("{FRENCH_DIR}/assignments.csv")),
        },
        Block::Chart {
            file: format!("{FRENCH_DIR}/allocation.svg"),
            caption: "How the 18 portfolios split across the three peer groups year by year. Table: concentration.csv.".into(),
        },
        Block::Chart {
            file: format!("{FRENCH_DIR}/themes.svg"),
            caption: "What each peer group holds at the last date: mean industry exposure of its members. Table: themes.csv (every date).".into(),
        },
    ])
}

/// Rows `peer group, members, three largest mean exposures` at the last date of `rule`.
fn last_groups(ev: &Evolution, rule: usize) -> Vec<Vec<String>> {
    let Some(c) = ev.paths[rule].last() else {
        return Vec::new();
    };
    let mut labels = c.labels.clone();
    labels.sort_unstable();
    labels.dedup();
    labels
        .into_iter()
        .map(|l| {
            let members: Vec<&str> = c
                .ids
                .iter()
                .zip(&c.labels)
                .filter(|(_, &x)| x == l)
                .map(|(&i, _)| ev.funds[i].as_str())
                .collect();
            let mut themes: Vec<(f64, &str)> = ev
                .themes
                .iter()
                .flatten()
                .filter(|x| x.rule == rule && x.t == c.t && x.cluster == l)
                .map(|x| (x.mean_beta, ev.factors[x.factor].as_str()))
                .collect();
            themes.sort_by(|a, b| b.0.total_cmp(&a.0));
            let top: Vec<String> = themes
                .iter()
                .take(3)
                .map(|(b, f)| format!("{f} {b:.2}"))
                .collect();
            vec![
                format!("cluster {}", l + 1),
                members.join(" "),
                top.join(", "),
            ]
        })
        .collect()
}

/// Evolutionary peer groups of a style run's exposures (R² = 1: S = S*).
fn evolve_exposures(
    st: &StyleOutput,
    sx: &FactorSimilarity,
    attributes: Option<&peergroup_data::Metadata>,
    settings: &EvolveSettings,
) -> CommandResult<Evolution> {
    let exposures = st.exposures();
    let inputs = EvolveInputs {
        source: EvolveSource::Exposures {
            inputs: SimilarityInputs {
                exposures: Named::new(&exposures, "exposures"),
                r2: None,
                residuals: None,
            },
            sx,
        },
        factor_attributes: attributes.map(|a| Named::new(a, "factor_attributes.csv")),
        returns: None,
        reference: None,
    };
    Ok(evolve(inputs, settings)?)
}

/// `a of b (p%)`, the share rounded to a whole percent.
fn count_share(a: usize, b: usize) -> String {
    if b == 0 {
        format!("{a} of 0")
    } else {
        format!("{a} of {b} ({:.0}%)", 100.0 * a as f64 / b as f64)
    }
}

/// Per fund and averaging rule: moves between peer groups, against the known switches.
struct Found {
    /// Each fund's universe index (source order).
    fund: Vec<usize>,
    /// Each fund's true style switch (source order).
    switch: Vec<Option<StyleSwitch>>,
    /// `[rule][fund]`: number of transitions.
    moves: Vec<Vec<usize>>,
    /// `[rule][fund]`: whether the last peer group differs from the first.
    ends_elsewhere: Vec<Vec<bool>>,
    /// `[rule][fund]`: date index of the first transition.
    first_move: Vec<Vec<Option<usize>>>,
    /// Period index of each evolve date in the universe (the window's last period).
    period: Vec<usize>,
}

/// Count each fund's moves under every rule; funds are matched to the universe by name.
fn switchers(u: &Universe, ev: &Evolution) -> CommandResult<Found> {
    let fund: Vec<usize> = ev
        .funds
        .iter()
        .map(|f| {
            u.fund_names.iter().position(|n| n == f).ok_or_else(|| {
                CommandError::System(format!(
                    "fund '{f}' of the peer groups is not in the universe"
                ))
            })
        })
        .collect::<CommandResult<_>>()?;
    let switch = fund.iter().map(|&i| u.switches[i]).collect();
    let n = ev.funds.len();
    let mut moves = vec![vec![0; n]; ev.averages.len()];
    let mut first_move = vec![vec![None; n]; ev.averages.len()];
    for x in &ev.transitions {
        moves[x.rule][x.fund] += 1;
        first_move[x.rule][x.fund].get_or_insert(x.t);
    }
    let ends_elsewhere = ev
        .paths
        .iter()
        .map(|path| {
            let mut v = vec![false; n];
            if let (Some(a), Some(b)) = (path.first(), path.last()) {
                for (&i, &la) in a.ids.iter().zip(&a.labels) {
                    if let Ok(j) = b.ids.binary_search(&i) {
                        v[i] = b.labels[j] != la;
                    }
                }
            }
            v
        })
        .collect();
    let period = ev
        .dates
        .iter()
        .map(|d| u.dates.partition_point(|x| x < d))
        .collect();
    Ok(Found {
        fund,
        switch,
        moves,
        ends_elsewhere,
        first_move,
        period,
    })
}

impl Found {
    /// (switchers with a transition under `rule`, switchers).
    fn moved_switchers(&self, rule: usize) -> (usize, usize) {
        self.count(rule, true, |m, _| m > 0)
    }

    /// (other funds with a transition under `rule`, other funds).
    fn moved_others(&self, rule: usize) -> (usize, usize) {
        self.count(rule, false, |m, _| m > 0)
    }

    /// (funds of the kind `switcher` passing `test(moves, ends_elsewhere)`, funds of the kind).
    fn count(
        &self,
        rule: usize,
        switcher: bool,
        test: impl Fn(usize, bool) -> bool,
    ) -> (usize, usize) {
        let of_kind: Vec<usize> = (0..self.switch.len())
            .filter(|&i| self.switch[i].is_some() == switcher)
            .collect();
        let hits = of_kind
            .iter()
            .filter(|&&i| test(self.moves[rule][i], self.ends_elsewhere[rule][i]))
            .count();
        (hits, of_kind.len())
    }

    /// Funds that are not switchers but changed peer group under `rule`.
    fn false_alarms(&self, rule: usize) -> Vec<usize> {
        (0..self.switch.len())
            .filter(|&i| self.switch[i].is_none() && self.moves[rule][i] > 0)
            .collect()
    }

    /// Periods from each moving switcher's switch start to its first move under `rule`
    /// (negative when the move comes first), sorted.
    fn lags(&self, rule: usize) -> Vec<i64> {
        let mut lags: Vec<i64> = self
            .switch
            .iter()
            .zip(&self.first_move[rule])
            .filter_map(|(s, t)| Some(self.period[(*t)?] as i64 - s.as_ref()?.start as i64))
            .collect();
        lags.sort_unstable();
        lags
    }

    /// `average,fund,true_group,switch_to,switch_start,switch_end,transitions,first_move,ends_elsewhere`:
    /// every fund under every rule, dates empty when there is none.
    fn table(&self, u: &Universe, ev: &Evolution) -> Table {
        let rows: Vec<(usize, usize)> = (0..ev.averages.len())
            .flat_map(|r| (0..self.fund.len()).map(move |i| (r, i)))
            .collect();
        let date = |p: Option<usize>| p.map_or_else(String::new, |p| u.dates[p].to_string());
        RowTable::new(&rows)
            .text("average", |&(r, _)| ev.averages[r].to_string())
            .text("fund", |&(_, i)| ev.funds[i].clone())
            .text("true_group", |&(_, i)| {
                u.group_labels[u.true_group[self.fund[i]]].clone()
            })
            .text("switch_to", |&(_, i)| {
                self.switch[i].map_or_else(String::new, |s| u.group_labels[s.to_group].clone())
            })
            .text("switch_start", |&(_, i)| {
                date(self.switch[i].map(|s| s.start))
            })
            .text("switch_end", |&(_, i)| date(self.switch[i].map(|s| s.end)))
            .i64("transitions", |&(r, i)| self.moves[r][i] as i64)
            .text("first_move", |&(r, i)| {
                date(self.first_move[r][i].map(|t| self.period[t]))
            })
            .text("ends_elsewhere", |&(r, i)| {
                if self.ends_elsewhere[r][i] {
                    "yes"
                } else {
                    "no"
                }
                .into()
            })
            .table()
    }

    /// A report row for `rule`: counts and shares of switchers and other funds.
    fn row(&self, ev: &Evolution, rule: usize) -> Vec<String> {
        let cell = |(a, b): (usize, usize)| count_share(a, b);
        vec![
            ev.averages[rule].to_string(),
            cell(self.moved_switchers(rule)),
            cell(self.moved_others(rule)),
            cell(self.count(rule, true, |_, e| e)),
            cell(self.count(rule, false, |_, e| e)),
            self.moves[rule].iter().sum::<usize>().to_string(),
        ]
    }
}
