//! The descriptive tables and charts of the app investors: who they are (gender,
//! referral, generation, age, income, occupations) and how they trade (fund types,
//! monthly flows, weekdays, daily trends).

use peergroup_io::{RowTable, Table};
use peergroup_report::{BarChart, LineChart, Series, XAxis};
use peergroup_segment::eda::{InvestorEda, LevelCount, WEEKDAYS};
use peergroup_segment::investors::FundType;

use crate::Chart;

/// Names of the tables [`tables`] returns, in its order.
pub const TABLES: [&str; 10] = [
    "gender",
    "referral",
    "generation",
    "income",
    "age",
    "occupation_pareto",
    "fund_types",
    "monthly_flows",
    "weekday",
    "trends",
];

/// Names of the charts [`charts`] returns, in its order.
pub const CHARTS: [&str; 8] = [
    "generation",
    "occupation_pareto",
    "fund_types_aum",
    "weekday",
    "daily_money_market",
    "daily_bond",
    "daily_stock",
    "daily_mixed",
];

/// Which dates the trends were fitted on, as the table and charts say it.
fn trend_days(e: &InvestorEda) -> &'static str {
    if e.trend_weekends {
        "all days"
    } else {
        "weekdays only"
    }
}

/// `label,users,share` of a categorical column called `name`.
fn level_table(rows: &[LevelCount], name: &str) -> Table {
    RowTable::new(rows)
        .text(name, |r| r.label.clone())
        .i64("users", |r| r.count as i64)
        .f64("share", |r| r.share)
        .table()
}

/// The descriptive tables, named as in [`TABLES`] (counts in users, amounts in currency
/// units, shares as fractions).
pub fn tables(e: &InvestorEda) -> Vec<(&'static str, Table)> {
    let age = RowTable::new(&e.age_bins)
        .f64("from", |b| b.from)
        .f64("to", |b| b.to)
        .i64("users", |b| b.count as i64)
        .f64("share", |b| b.share)
        .table();
    let occupation = RowTable::new(&e.occupation)
        .text("occupation", |r| r.label.clone())
        .i64("users", |r| r.count as i64)
        .f64("share", |r| r.share)
        .f64("cumulative_share", |r| r.cumulative_share)
        .table();
    let fund_types = RowTable::new(&e.fund_types)
        .text("fund_type", |r| r.fund_type.name().to_string())
        .i64("holders", |r| r.holders as i64)
        .f64("mean_aum", |r| r.mean_aum)
        .f64("mean_monthly_buy", |r| r.mean_monthly_buy)
        .f64("mean_monthly_sell", |r| r.mean_monthly_sell)
        .f64("mean_transactions", |r| r.mean_transactions)
        .f64("mean_profit", |r| r.mean_profit)
        .table();
    let monthly = RowTable::new(&e.monthly)
        .date("month", |r| r.month)
        .text("fund_type", |r| r.fund_type.name().to_string())
        .f64("buy", |r| r.buy)
        .f64("sell", |r| r.sell)
        .i64("transactions", |r| r.transactions as i64)
        .f64("mean_buy_per_user", |r| r.mean_buy)
        .f64("mean_sell_per_user", |r| r.mean_sell)
        .table();
    let mut weekday = RowTable::new(&e.weekday)
        .text("weekday", |r| r.name.to_string())
        .i64("days", |r| r.days as i64);
    for (j, t) in FundType::ALL.iter().enumerate() {
        weekday = weekday.i64(t.name(), |r| r.transactions[j] as i64);
    }
    let weekday = weekday.i64("total", |r| r.total as i64).table();
    let trends = RowTable::new(&e.trends)
        .text("fund_type", |r| r.fund_type.name().to_string())
        .i64("days", |r| r.trend.n as i64)
        .f64("slope_per_day", |r| r.trend.slope)
        .f64("intercept", |r| r.trend.intercept)
        .f64("r2", |r| r.trend.r2)
        .text("dates", |_| trend_days(e).to_string())
        .table();
    let tables = [
        level_table(&e.gender, "gender"),
        level_table(&e.referral, "referral"),
        level_table(&e.generation, "generation"),
        level_table(&e.income, "income_band"),
        age,
        occupation,
        fund_types,
        monthly,
        weekday,
        trends,
    ];
    TABLES.into_iter().zip(tables).collect()
}

/// The descriptive charts, named as in [`CHARTS`]: users by generation, the occupation
/// Pareto, mean balance per fund type, transactions per weekday and, per fund type, the
/// daily transactions with their linear trend (weekdays only unless the trends include
/// weekends).
pub fn charts(e: &InvestorEda) -> Vec<(&'static str, Chart)> {
    let bars = |title: &str, value: &str, labels: Vec<String>, values: Vec<f64>, horizontal| {
        Chart::Bar(BarChart {
            title: title.into(),
            value_label: value.into(),
            labels,
            values,
            horizontal,
        })
    };
    let ft = &e.fund_types;
    let charts = [
        bars(
            "Users by generation",
            "share of users",
            e.generation.iter().map(|r| r.label.clone()).collect(),
            e.generation.iter().map(|r| r.share).collect(),
            false,
        ),
        bars(
            "Occupations (Pareto order)",
            "users",
            e.occupation.iter().map(|r| r.label.clone()).collect(),
            e.occupation.iter().map(|r| r.count as f64).collect(),
            true,
        ),
        bars(
            "Mean balance per user by fund type",
            "mean AUM per user",
            ft.iter().map(|r| r.fund_type.name().to_string()).collect(),
            ft.iter().map(|r| r.mean_aum).collect(),
            false,
        ),
        bars(
            "Transactions by weekday",
            "transactions",
            WEEKDAYS.iter().map(|s| s.to_string()).collect(),
            e.weekday.iter().map(|r| r.total as f64).collect(),
            false,
        ),
    ];
    let daily = FundType::ALL.iter().map(|&t| daily_chart(e, t));
    CHARTS
        .into_iter()
        .zip(charts.into_iter().chain(daily))
        .collect()
}

/// Daily transactions of one fund type on the dates the trend was fitted on, with the
/// trend line; R² in the title.
fn daily_chart(e: &InvestorEda, t: FundType) -> Chart {
    let trend = &e.trends[t.index()].trend;
    let first = e.daily.first().map_or(0, |r| r.date.days());
    let points: Vec<(f64, f64)> = e
        .daily
        .iter()
        .filter(|r| e.trend_weekends || r.date.weekday() < 5)
        .map(|r| (r.date.days() as f64, r.transactions[t.index()] as f64))
        .collect();
    let line = points
        .iter()
        .map(|&(x, _)| (x, trend.intercept + trend.slope * (x - first as f64)))
        .collect();
    Chart::Line(LineChart {
        title: format!(
            "Daily {} transactions ({}): trend R² = {:.2}",
            t.words(),
            trend_days(e),
            trend.r2
        ),
        x_label: "date".into(),
        y_label: "transactions per day".into(),
        x_axis: XAxis::Dates,
        log_y: false,
        series: vec![
            Series {
                name: "transactions".into(),
                points,
            },
            Series {
                name: "linear trend".into(),
                points: line,
            },
        ],
    })
}
