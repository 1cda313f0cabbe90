mod common;
use common::*;
use peergroup_random::Rng;
use peergroup_similarity::*;
#[test]
fn find() {
    let mut rng = Rng::new(12);
    for &(n, k, p) in &[(2000usize, 14usize, 0.3), (2000, 14, 1.0), (2000, 6, 0.5)] {
        let x = random_exposures(&mut rng, n, k, p);
        let xl: Vec<f64> = x.iter().map(|v| v.abs() * 0.5).collect();
        let sx = random_sx(&mut rng, k);
        for (lbl, xx) in [("signed(-.6..1.4)", &x), ("longonly(0..0.7)", &xl)] {
        for scale in [ExposureScale::Raw, ExposureScale::Gross] {
            let c = rescaled_condensed(&systematic_similarity_condensed(xx, n, &sx, scale).unwrap());
            let over = c.upper.iter().filter(|v| **v > 1.0).count();
            let mx = c.upper.iter().cloned().fold(0.0, f64::max);
            println!("n{n} k{k} p{p} {lbl} {scale:?}: {over} of {} pairs > 1, max {mx}", c.upper.len());
        }}
    }
}
