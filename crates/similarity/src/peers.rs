//! Peer queries: a fund's most similar other funds, and whether they sit outside its
//! vendor category (the funds it "really competes with").

/// One peer of a fund.
#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    /// Index of the peer fund.
    pub fund: usize,
    /// 1 for the most similar peer.
    pub rank: usize,
    /// Similarity of the peer to the queried fund (the matrix's units).
    pub similarity: f64,
    /// The peer's category, when categories are given.
    pub category: Option<String>,
    /// Whether the peer's category differs from the fund's; `None` without categories or
    /// when either category is empty (unknown).
    pub outside_category: Option<bool>,
}

/// The `top` most similar other funds of `fund`, from its row of a similarity matrix
/// (most similar first, ties by lower index). Funds whose similarity is NaN (e.g. a
/// correlation without enough common dates) are not peers.
///
/// # Panics
/// If `fund` is out of range or `categories` has not one entry per fund.
pub fn peers_from_row(
    row: &[f64],
    fund: usize,
    top: usize,
    categories: Option<&[String]>,
) -> Vec<Peer> {
    assert!(
        fund < row.len(),
        "fund {fund} is not among {} funds",
        row.len()
    );
    if let Some(c) = categories {
        assert_eq!(c.len(), row.len(), "one category per fund");
    }
    let mut order: Vec<usize> = (0..row.len())
        .filter(|&b| b != fund && !row[b].is_nan())
        .collect();
    // Most similar first, ties by lower index: a total order, so selecting the top
    // first (O(N), for rows of 50,000 funds) and sorting only those gives the full
    // sort's first `top`.
    let most_similar_first = |a: &usize, b: &usize| row[*b].total_cmp(&row[*a]).then(a.cmp(b));
    if top < order.len() {
        if top == 0 {
            order.clear();
        } else {
            order.select_nth_unstable_by(top - 1, most_similar_first);
            order.truncate(top);
        }
    }
    order.sort_by(most_similar_first);
    let own = categories.map(|c| c[fund].as_str());
    order
        .into_iter()
        .enumerate()
        .map(|(r, b)| {
            let category = categories.map(|c| c[b].clone());
            let outside_category = match (own, &category) {
                (Some(o), Some(c)) if !o.is_empty() && !c.is_empty() => Some(o != c),
                _ => None,
            };
            Peer {
                fund: b,
                rank: r + 1,
                similarity: row[b],
                category,
                outside_category,
            }
        })
        .collect()
}

/// [`peers_from_row`] on a full similarity matrix.
pub fn peers(
    sim: &crate::SimilarityMatrix,
    fund: usize,
    top: usize,
    categories: Option<&[String]>,
) -> Vec<Peer> {
    peers_from_row(sim.row(fund), fund, top, categories)
}
