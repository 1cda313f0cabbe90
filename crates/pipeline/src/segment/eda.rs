//! The descriptive tables and charts of the app investors: who they are (gender,
//! referral, generation, age, income, occupations) and how they trade (fund types,
//! monthly flows, weekdays, daily trends).

use peergroup_io::{Column, Table};
use peergroup_report::BarChart;
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
pub const CHARTS: [&str; 4] = [
    "generation",
    "occupation_pareto",
    "fund_types_aum",
    "weekday",
];

/// `label,users,share` of a categorical column called `name`.
fn level_table(rows: &[LevelCount], name: &str) -> Table {
    Table::new()
        .with(
            name,
            Column::Text(rows.iter().map(|r| r.label.clone()).collect()),
        )
        .with(
            "users",
            Column::I64(rows.iter().map(|r| r.count as i64).collect()),
        )
        .with("share", Column::F64(rows.iter().map(|r| r.share).collect()))
}

/// The descriptive tables, named as in [`TABLES`] (counts in users, amounts in currency
/// units, shares as fractions).
pub fn tables(e: &InvestorEda) -> Vec<(&'static str, Table)> {
    let age = Table::new()
        .with(
            "from",
            Column::F64(e.age_bins.iter().map(|b| b.from).collect()),
        )
        .with("to", Column::F64(e.age_bins.iter().map(|b| b.to).collect()))
        .with(
            "users",
            Column::I64(e.age_bins.iter().map(|b| b.count as i64).collect()),
        )
        .with(
            "share",
            Column::F64(e.age_bins.iter().map(|b| b.share).collect()),
        );
    let occupation = Table::new()
        .with(
            "occupation",
            Column::Text(e.occupation.iter().map(|r| r.label.clone()).collect()),
        )
        .with(
            "users",
            Column::I64(e.occupation.iter().map(|r| r.count as i64).collect()),
        )
        .with(
            "share",
            Column::F64(e.occupation.iter().map(|r| r.share).collect()),
        )
        .with(
            "cumulative_share",
            Column::F64(e.occupation.iter().map(|r| r.cumulative_share).collect()),
        );
    let type_names = |types: &mut dyn Iterator<Item = FundType>| {
        Column::Text(types.map(|t| t.name().to_string()).collect())
    };
    let ft = &e.fund_types;
    let f64s = |f: &dyn Fn(&peergroup_segment::eda::FundTypeRow) -> f64| {
        Column::F64(ft.iter().map(f).collect())
    };
    let fund_types = Table::new()
        .with("fund_type", type_names(&mut ft.iter().map(|r| r.fund_type)))
        .with(
            "holders",
            Column::I64(ft.iter().map(|r| r.holders as i64).collect()),
        )
        .with("mean_aum", f64s(&|r| r.mean_aum))
        .with("mean_monthly_buy", f64s(&|r| r.mean_monthly_buy))
        .with("mean_monthly_sell", f64s(&|r| r.mean_monthly_sell))
        .with("mean_transactions", f64s(&|r| r.mean_transactions))
        .with("mean_profit", f64s(&|r| r.mean_profit));
    let m = &e.monthly;
    let monthly = Table::new()
        .with("month", Column::Date(m.iter().map(|r| r.month).collect()))
        .with("fund_type", type_names(&mut m.iter().map(|r| r.fund_type)))
        .with("buy", Column::F64(m.iter().map(|r| r.buy).collect()))
        .with("sell", Column::F64(m.iter().map(|r| r.sell).collect()))
        .with(
            "transactions",
            Column::I64(m.iter().map(|r| r.transactions as i64).collect()),
        )
        .with(
            "mean_buy_per_user",
            Column::F64(m.iter().map(|r| r.mean_buy).collect()),
        )
        .with(
            "mean_sell_per_user",
            Column::F64(m.iter().map(|r| r.mean_sell).collect()),
        );
    let mut weekday = Table::new()
        .with(
            "weekday",
            Column::Text(e.weekday.iter().map(|r| r.name.to_string()).collect()),
        )
        .with(
            "days",
            Column::I64(e.weekday.iter().map(|r| r.days as i64).collect()),
        );
    for (j, t) in FundType::ALL.iter().enumerate() {
        weekday.push(
            t.name(),
            Column::I64(e.weekday.iter().map(|r| r.transactions[j] as i64).collect()),
        );
    }
    weekday.push(
        "total",
        Column::I64(e.weekday.iter().map(|r| r.total as i64).collect()),
    );
    let tr = &e.trends;
    let trends = Table::new()
        .with("fund_type", type_names(&mut tr.iter().map(|r| r.fund_type)))
        .with(
            "days",
            Column::I64(tr.iter().map(|r| r.trend.n as i64).collect()),
        )
        .with(
            "slope_per_day",
            Column::F64(tr.iter().map(|r| r.trend.slope).collect()),
        )
        .with(
            "intercept",
            Column::F64(tr.iter().map(|r| r.trend.intercept).collect()),
        )
        .with("r2", Column::F64(tr.iter().map(|r| r.trend.r2).collect()));
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
/// Pareto, mean balance per fund type and transactions per weekday.
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
    CHARTS.into_iter().zip(charts).collect()
}
