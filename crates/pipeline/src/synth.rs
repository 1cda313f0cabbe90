//! Synthetic data sets with known truth, as tables: what `peergroup synth` writes and the
//! demo feeds through the stages.

use peergroup_data::{Frequency, InputError, Panel, SeriesKind};
use peergroup_io::{Column, RowTable, Table};
use peergroup_synth::investors::{FundType, Gender, IncomeBand, Occupation};
use peergroup_synth::universe::FactorAttributes;
use peergroup_synth::{GarchSynth, IndustrySynth, InvestorsSynth, SalesSynth, Universe};

/// A synthetic universe's fund and factor returns as validated panels (fractions), the
/// inputs of the style stage.
pub fn universe_panels(u: &Universe) -> Result<(Panel, Panel), InputError> {
    let panel = |ids: &[String], values: &[f64]| {
        Panel::new(
            ids.to_vec(),
            u.dates.clone(),
            values.to_vec(),
            SeriesKind::Returns,
            u.frequency,
        )
    };
    Ok((
        panel(&u.fund_names, &u.fund_returns)?,
        panel(&u.factor_names, &u.factor_returns)?,
    ))
}

/// A synthetic AT-GARCH universe's daily returns as a validated panel (fractions), the
/// input of the rating stage.
pub fn garch_panel(s: &GarchSynth) -> Result<Panel, InputError> {
    Panel::new(
        s.funds.iter().map(|f| f.name.clone()).collect(),
        s.dates.clone(),
        s.returns.clone(),
        SeriesKind::Returns,
        Frequency::Daily,
    )
}

/// The three tables of a synthetic industry: data, class metadata, injected outliers.
pub fn industry_tables(s: &IndustrySynth) -> (Table, Table, Table) {
    let data = Table::new()
        .with(
            "class_id",
            Column::Key {
                codes: s.class.clone(),
                names: s.class_names.clone(),
            },
        )
        .with("date", Column::Date(s.date.clone()))
        .with("price", Column::F64(s.price.clone()))
        .with("shares", Column::F64(s.shares.clone()))
        .with("aum", Column::F64(s.aum.clone()));
    let classes = Table::new()
        .with("class_id", Column::Text(s.class_names.clone()))
        .with("fund", Column::Text(s.fund_of.clone()))
        .with("manager", Column::Text(s.manager_of.clone()));
    let truth = Table::new()
        .with(
            "class_id",
            Column::Key {
                codes: s.outliers.iter().map(|o| o.0).collect(),
                names: s.class_names.clone(),
            },
        )
        .with(
            "date",
            Column::Date(s.outliers.iter().map(|o| o.1).collect()),
        );
    (data, classes, truth)
}

/// The five tables of a synthetic universe: factors (wide), funds (wide), meta, true
/// betas (static: one row per fund and factor dated at the last date; dynamic: every
/// date) and factor attributes.
pub fn universe_tables(u: &Universe, dynamic: bool) -> [Table; 5] {
    let t = u.periods();
    let k = u.n_factors();
    let wide = |names: &[String], values: &[f64]| {
        let mut tab = Table::new().with("date", Column::Date(u.dates.clone()));
        for (j, name) in names.iter().enumerate() {
            tab.push(name, Column::F64(values[j * t..(j + 1) * t].to_vec()));
        }
        tab
    };
    let factors = wide(&u.factor_names, &u.factor_returns);
    let funds = wide(&u.fund_names, &u.fund_returns);
    let meta = Table::new()
        .with("id", Column::Text(u.fund_names.clone()))
        .with("category", Column::Text(u.category.clone()))
        .with(
            "true_group",
            Column::Text(
                u.true_group
                    .iter()
                    .map(|g| u.group_labels[*g].clone())
                    .collect(),
            ),
        );
    let dates: Vec<usize> = if dynamic {
        (0..t).collect()
    } else {
        vec![t - 1]
    };
    let rows = u.n_funds() * dates.len() * k;
    let (mut f, mut d, mut fac, mut b) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    for i in 0..u.n_funds() {
        for &s in &dates {
            for j in 0..k {
                f.push(i as u32);
                d.push(u.dates[s]);
                fac.push(j as u32);
                b.push(u.true_betas[(i * t + s) * k + j]);
            }
        }
    }
    let betas = Table::new()
        .with(
            "fund",
            Column::Key {
                codes: f,
                names: u.fund_names.clone(),
            },
        )
        .with("date", Column::Date(d))
        .with(
            "factor",
            Column::Key {
                codes: fac,
                names: u.factor_names.clone(),
            },
        )
        .with("beta", Column::F64(b));
    let attribute = |get: fn(&FactorAttributes) -> &str| {
        Column::Text(
            u.factor_attributes
                .iter()
                .map(|a| get(a).to_string())
                .collect(),
        )
    };
    let attrs = Table::new()
        .with("factor", Column::Text(u.factor_names.clone()))
        .with("asset_class", attribute(|a| &a.asset_class))
        .with("sector", attribute(|a| &a.sector))
        .with("region", attribute(|a| &a.region));
    [factors, funds, meta, betas, attrs]
}

/// Returns (wide, fractions) and truth tables of a synthetic GARCH universe.
pub fn garch_tables(s: &GarchSynth) -> (Table, Table) {
    let t = s.dates.len();
    let mut returns = Table::new().with("date", Column::Date(s.dates.clone()));
    for (i, f) in s.funds.iter().enumerate() {
        returns.push(&f.name, Column::F64(s.returns[i * t..(i + 1) * t].to_vec()));
    }
    let truth = RowTable::new(&s.funds)
        .text("fund", |f| f.name.clone())
        .text("kind", |f| f.kind.as_str().to_string())
        .f64("mu", |f| f.params.mu)
        .f64("gamma", |f| f.params.gamma)
        .f64("alpha", |f| f.params.alpha)
        .f64("beta", |f| f.params.beta)
        .f64("delta", |f| f.params.delta)
        .f64("threshold", |f| f.threshold)
        .f64("annual_vol", |f| f.annual_vol)
        .table();
    (returns, truth)
}

/// `sales`, `funds`, `truth` (office types) and `fund_truth` tables of synthetic sales.
pub fn sales_tables(s: &SalesSynth) -> [Table; 4] {
    let key = |codes: Vec<u32>, names: &[String]| Column::Key {
        codes,
        names: names.to_vec(),
    };
    let data = Table::new()
        .with(
            "bd",
            key(
                s.office.iter().map(|&o| s.office_bd[o as usize]).collect(),
                &s.bd_names,
            ),
        )
        .with("office", key(s.office.clone(), &s.office_names))
        .with("fund", key(s.fund.clone(), &s.fund_names))
        .with("month", Column::Date(s.month.clone()))
        .with("amount", Column::F64(s.amount.clone()));
    let funds = Table::new()
        .with("fund", Column::Text(s.fund_names.clone()))
        .with("category", Column::Text(s.fund_category.clone()))
        .with(
            "broad_category",
            Column::Text(s.fund_broad_category.clone()),
        );
    let truth = Table::new()
        .with("office", Column::Text(s.office_names.clone()))
        .with(
            "type",
            Column::Text(
                s.office_type
                    .iter()
                    .map(|t| t.label().to_string())
                    .collect(),
            ),
        );
    let fund_truth = Table::new()
        .with("fund", Column::Text(s.fund_names.clone()))
        .with("category", Column::Text(s.fund_category.clone()))
        .with("sells_like", Column::Text(s.fund_sells_like.clone()));
    [data, funds, truth, fund_truth]
}

/// A column of `values` coded by their position in `all`, named by `label`.
fn labelled<T: Copy + PartialEq>(
    values: &[T],
    all: &[T],
    label: impl Fn(T) -> &'static str,
) -> Column {
    Column::Key {
        codes: values
            .iter()
            .map(|v| all.iter().position(|a| a == v).expect("a known level") as u32)
            .collect(),
        names: all.iter().map(|&a| label(a).to_string()).collect(),
    }
}

/// `users`, `balances` and `truth` tables of synthetic app data (consumes the balances,
/// which can be tens of millions of rows).
pub fn investors_tables(s: InvestorsSynth) -> [Table; 3] {
    let u = &s.users;
    let ids: Vec<i64> = u.user_id.iter().map(|&i| i as i64).collect();
    let users = Table::new()
        .with("user_id", Column::I64(ids.clone()))
        .with("registered", Column::Date(u.registered.clone()))
        .with(
            "gender",
            labelled(&u.gender, &[Gender::Female, Gender::Male], Gender::label),
        )
        .with(
            "age",
            Column::I64(u.age.iter().map(|&a| a as i64).collect()),
        )
        .with(
            "occupation",
            labelled(&u.occupation, &Occupation::ALL, Occupation::label),
        )
        .with(
            "income_band",
            labelled(&u.income, &IncomeBand::ALL, IncomeBand::label),
        )
        .with(
            "referral",
            Column::Text(
                u.referral
                    .iter()
                    .map(|&r| if r { "used" } else { "not used" }.to_string())
                    .collect(),
            ),
        );
    let truth = Table::new().with("user_id", Column::I64(ids)).with(
        "persona",
        Column::Text(u.persona.iter().map(|p| p.label().to_string()).collect()),
    );
    let b = s.balances;
    let fund_type = labelled(&b.fund_type, &FundType::ALL, FundType::label);
    let balances = Table::new()
        .with(
            "user_id",
            Column::I64(b.user.iter().map(|&i| i as i64 + 1).collect()),
        )
        .with("date", Column::Date(b.date))
        .with("fund_type", fund_type)
        .with("balance", Column::F64(b.balance))
        .with("buy", Column::F64(b.buy))
        .with("sell", Column::F64(b.sell))
        .with("profit", Column::F64(b.profit));
    [users, balances, truth]
}
