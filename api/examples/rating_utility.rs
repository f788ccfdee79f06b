//! The utility cost of the noise on resource-rating releases (`scripts/privacy-utility.sh`;
//! the figures are in docs/privacy.md, "Resource ratings").
//!
//! For releases of 5, 10, 20 and 50 established raters, each rating drawn from 3–5 (most
//! ratings of a useful tool), it releases the figures DRAWS times through the function
//! `rateResource` uses (`ratings::noisy_release`, then the shown average), with a seeded
//! generator in place of the OS randomness, and prints how far the shown average falls from
//! the true one: mean absolute error, median and 90th percentile.
//!
//! Usage: cargo run -p canopy-api --example rating_utility [-- DRAWS SEED]

use canopy::domain::{
    care::noise::{Entropy, SplitMix64},
    resources::ratings::{average_hundredths, noisy_release},
};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p * (sorted.len().saturating_sub(1)) as f64).round() as usize;
    sorted.get(rank).copied().unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let draws: usize = args.next().map_or(Ok(2000), |a| a.parse())?;
    let seed: u64 = args.next().map_or(Ok(15), |a| a.parse())?;
    let mut rng = SplitMix64(seed);
    for raters in [5_i32, 10, 20, 50] {
        let mut errors = Vec::with_capacity(draws);
        for _ in 0..draws {
            let mut sum = 0;
            for _ in 0..raters {
                sum += 3 + i32::try_from(rng.next_u64()? % 3)?;
            }
            let truth = f64::from(sum) / f64::from(raters);
            let (count, released_sum) = noisy_release(&mut rng, raters, sum)?;
            let shown = average_hundredths(count, released_sum) as f64 / 100.0;
            errors.push((shown - truth).abs());
        }
        errors.sort_by(f64::total_cmp);
        let mae = errors.iter().sum::<f64>() / errors.len().max(1) as f64;
        println!(
            "{raters:>2} raters, {draws} draws: shown average vs true  MAE {mae:.3}  p50 {p50:.3}  p90 {p90:.3}",
            p50 = percentile(&errors, 0.5),
            p90 = percentile(&errors, 0.9),
        );
    }
    Ok(())
}
