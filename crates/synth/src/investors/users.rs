//! The user table: profile draws per persona.

use peergroup_data::Date;
use peergroup_random::Rng;
use rayon::prelude::*;

use super::personas::PROFILES;
use super::{Gender, IncomeBand, InvestorUsers, InvestorsConfig, Occupation, Persona, Window};

const PROFILE_STREAM: u64 = 1 << 32;

/// Age drawn as the mean of two uniforms over the range, so middle ages are likelier.
fn draw_age(r: &mut Rng, (lo, hi): (u8, u8)) -> u8 {
    let span = (hi - lo) as f64 + 1.0;
    let x = 0.5 * (r.uniform() + r.uniform()) * span;
    (lo as f64 + x.floor()).min(hi as f64) as u8
}

/// Generate the user table. Same config → identical output.
///
/// # Panics
/// If `users` exceeds `u32::MAX`.
pub fn investor_users(cfg: &InvestorsConfig) -> InvestorUsers {
    assert!(cfg.users <= u32::MAX as usize, "investors: too many users");
    let window = Window::new(cfg);
    let shares: Vec<f64> = PROFILES.iter().map(|p| p.share).collect();
    let rows: Vec<(Date, Gender, u8, Occupation, IncomeBand, bool, Persona)> = (0..cfg.users)
        .into_par_iter()
        .map(|i| {
            let mut r = Rng::stream(cfg.seed, PROFILE_STREAM + i as u64);
            let persona = Persona::ALL[r.weighted_index(&shares)];
            let p = persona.profile();
            let age = draw_age(&mut r, p.age);
            let occupation = Occupation::ALL[r.weighted_index(&p.occupation)];
            let male = r.bernoulli(p.male);
            // The sign-up form's housewife option implies a woman.
            let gender = if male && occupation != Occupation::Housewife {
                Gender::Male
            } else {
                Gender::Female
            };
            let income = IncomeBand::ALL[r.weighted_index(&p.income)];
            let referral = r.bernoulli(p.referral);
            let joins = r.bernoulli(p.new_share) && !window.weekdays.is_empty();
            // New users register on a weekday so that their first buy can be that day.
            let registered = if joins {
                window.dates[window.weekdays[r.below(window.weekdays.len() as u64) as usize]]
            } else {
                cfg.start.add_days(-1 - r.below(p.tenure_days) as i32)
            };
            (
                registered, gender, age, occupation, income, referral, persona,
            )
        })
        .collect();
    let mut u = InvestorUsers {
        user_id: (1..=cfg.users as u32).collect(),
        ..Default::default()
    };
    for (registered, gender, age, occupation, income, referral, persona) in rows {
        u.registered.push(registered);
        u.gender.push(gender);
        u.age.push(age);
        u.occupation.push(occupation);
        u.income.push(income);
        u.referral.push(referral);
        u.persona.push(persona);
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_stay_in_range() {
        let mut r = Rng::new(3);
        for _ in 0..10_000 {
            let a = draw_age(&mut r, (18, 24));
            assert!((18..=24).contains(&a));
        }
    }
}
