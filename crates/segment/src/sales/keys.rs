//! Entities and their keys: what a feature row stands for, and office ids by row.

use super::rows::SalesTable;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

/// What one row of the sales feature matrix stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A broker-dealer office (the pair bd, office): "which offices buy alike".
    Office,
    /// A fund: "which funds sell alike".
    Fund,
}

impl Entity {
    /// Command-line name (`office`, `fund`).
    pub fn name(self) -> &'static str {
        match self {
            Entity::Office => "office",
            Entity::Fund => "fund",
        }
    }

    /// The entity called `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<Entity> {
        match name.trim().to_ascii_lowercase().as_str() {
            "office" => Some(Entity::Office),
            "fund" => Some(Entity::Fund),
            _ => None,
        }
    }
}
/// Identifies one entity: for offices the broker-dealer and office id, for funds the
/// fund id (and no broker-dealer).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityKey {
    /// Broker-dealer (offices only).
    pub bd: Option<String>,
    /// Office id or fund id.
    pub id: String,
}

impl fmt::Display for EntityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.bd {
            Some(bd) => write!(f, "{bd}/{}", self.id),
            None => f.write_str(&self.id),
        }
    }
}

/// Hasher for packed (bd code, office code) pairs: a SplitMix64 mix, a fraction of
/// SipHash's cost on the 5-million-row path.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, x: u64) {
        // SplitMix64's finaliser: every input bit reaches the low (bucket) and high
        // (control) bits alike.
        let z = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
}

/// Set of packed (bd code, office code) pairs.
type PairSet = HashSet<u64, BuildHasherDefault<PairHasher>>;

/// Office (bd, office) of every row as a dense index, and the keys sorted by name.
pub(super) fn office_entities(sales: &SalesTable) -> (Vec<u32>, Vec<EntityKey>) {
    let pair = |r: usize| ((sales.bd.code(r) as u64) << 32) | sales.office.code(r) as u64;
    let mut distinct = PairSet::default();
    for r in 0..sales.len() {
        distinct.insert(pair(r));
    }
    let mut pairs: Vec<u64> = distinct.into_iter().collect();
    let name = |p: u64| {
        (
            sales.bd.values()[(p >> 32) as usize].as_str(),
            sales.office.values()[(p & 0xffff_ffff) as usize].as_str(),
        )
    };
    pairs.sort_unstable_by(|a, b| name(*a).cmp(&name(*b)));
    let index: HashMap<u64, u32, BuildHasherDefault<PairHasher>> = pairs
        .iter()
        .enumerate()
        .map(|(i, &p)| (p, i as u32))
        .collect();
    let ent = (0..sales.len())
        .into_par_iter()
        .map(|r| index[&pair(r)])
        .collect();
    let keys = pairs
        .iter()
        .map(|&p| {
            let (bd, office) = name(p);
            EntityKey {
                bd: Some(bd.to_string()),
                id: office.to_string(),
            }
        })
        .collect();
    (ent, keys)
}
