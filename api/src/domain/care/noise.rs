//! Differential-privacy noise for released health aggregates (docs/privacy.md, "Noise").
//!
//! The mechanism is the discrete Laplace (two-sided geometric) one: a count `c` whose value one
//! person can move by at most `sensitivity` is released as `c + X`, where
//! `P(X = k) ∝ α^|k|` with `α = exp(−ε / sensitivity)`. That is ε-differentially private for
//! that count; independent counts each spend their own ε. The output is post-processed
//! (clamped to ≥ 0), which spends nothing more.
//!
//! Noise is drawn once, when a bucket is frozen, from the operating system's randomness
//! (`OsEntropy`); every later read returns the same frozen value, so repeating a query averages
//! nothing away. `SplitMix64` is a seeded generator for the unit tests and the utility
//! measurement (`scripts/privacy-utility.sh`) only: it is predictable and never used for a
//! release.
//!
//! `X` is drawn as the difference of two geometric variables, each by inversion of a uniform
//! with 53 random bits. Floating-point inversion distorts the far tail slightly (below
//! 2^-53); clamping each geometric draw at `MAX_DRAW` keeps every value finite.

use crate::error::{AppError, AppResult};

/// Each geometric draw is cut here: reached with probability α^MAX_DRAW, i.e. never in
/// practice for the ε in use, and it keeps the arithmetic in range.
pub const MAX_DRAW: i64 = 1_000_000;

/// A source of uniformly random 64-bit words.
pub trait Entropy {
    fn next_u64(&mut self) -> AppResult<u64>;
}

/// The operating system's randomness (getrandom), read in blocks.
#[derive(Default)]
pub struct OsEntropy {
    block: [u64; 32],
    used: usize,
}

impl OsEntropy {
    pub fn new() -> Self {
        Self {
            block: [0; 32],
            used: 32,
        }
    }
}

impl Entropy for OsEntropy {
    fn next_u64(&mut self) -> AppResult<u64> {
        if self.used >= self.block.len() {
            let mut bytes = [0u8; 32 * 8];
            getrandom::fill(&mut bytes).map_err(AppError::internal)?;
            for (word, chunk) in self.block.iter_mut().zip(bytes.chunks_exact(8)) {
                let mut b = [0u8; 8];
                b.copy_from_slice(chunk);
                *word = u64::from_le_bytes(b);
            }
            self.used = 0;
        }
        let word = self.block[self.used];
        self.used += 1;
        Ok(word)
    }
}

/// A seeded, predictable generator (SplitMix64): tests and utility measurement only.
pub struct SplitMix64(pub u64);

impl Entropy for SplitMix64 {
    fn next_u64(&mut self) -> AppResult<u64> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }
}

/// Uniform in (0, 1]: never 0, so its logarithm is finite.
fn uniform_open0(e: &mut impl Entropy) -> AppResult<f64> {
    let bits = e.next_u64()? >> 11;
    // 53 bits: (bits + 1) / 2^53 lies in (0, 1].
    Ok((bits as f64 + 1.0) / 9_007_199_254_740_992.0)
}

/// The ratio of consecutive probabilities: α = exp(−ε / sensitivity).
pub fn alpha(epsilon: f64, sensitivity: f64) -> f64 {
    (-epsilon / sensitivity).exp()
}

/// Geometric on {0, 1, …}: P(k) = (1 − α) α^k.
fn geometric(e: &mut impl Entropy, alpha: f64) -> AppResult<i64> {
    if alpha <= 0.0 {
        return Ok(0);
    }
    let u = uniform_open0(e)?;
    let k = (u.ln() / alpha.ln()).floor();
    // `as` saturates on overflow and the clamp bounds the far tail.
    Ok((k as i64).clamp(0, MAX_DRAW))
}

/// One draw of discrete Laplace noise for a count one person can move by `sensitivity`.
pub fn discrete_laplace(e: &mut impl Entropy, epsilon: f64, sensitivity: f64) -> AppResult<i64> {
    if !(epsilon > 0.0 && sensitivity > 0.0) {
        return Err(AppError::internal(
            "noise needs a positive ε and sensitivity",
        ));
    }
    let a = alpha(epsilon, sensitivity);
    Ok(geometric(e, a)? - geometric(e, a)?)
}

/// A count released with noise: `count + X`, clamped to 0 ..= i32::MAX.
pub fn noisy_count(
    e: &mut impl Entropy,
    count: i32,
    epsilon: f64,
    sensitivity: f64,
) -> AppResult<i32> {
    let noisy = i64::from(count) + discrete_laplace(e, epsilon, sensitivity)?;
    Ok(i32::try_from(noisy.clamp(0, i64::from(i32::MAX))).unwrap_or(i32::MAX))
}

/// A histogram in which each person counts once (add or remove one person moves one bin by
/// one: L1 sensitivity 1), released with ε for the whole histogram.
pub fn noisy_histogram<const N: usize>(
    e: &mut impl Entropy,
    counts: [i32; N],
    epsilon: f64,
) -> AppResult<[i32; N]> {
    let mut out = [0; N];
    for (o, c) in out.iter_mut().zip(counts) {
        *o = noisy_count(e, c, epsilon, 1.0)?;
    }
    Ok(out)
}

/// A uniform index below `n` (rejection sampling: no modulo bias).
fn below(e: &mut impl Entropy, n: usize) -> AppResult<usize> {
    let n = n as u64;
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let v = e.next_u64()?;
        if v < zone {
            return usize::try_from(v % n).map_err(AppError::internal);
        }
    }
}

/// Fisher–Yates: every order equally likely, so an order says nothing about who wrote what
/// or when.
pub fn shuffle<T>(e: &mut impl Entropy, items: &mut [T]) -> AppResult<()> {
    for i in (1..items.len()).rev() {
        let j = below(e, i + 1)?;
        items.swap(i, j);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAWS: usize = 200_000;

    fn draws(epsilon: f64, seed: u64) -> Vec<i64> {
        let mut e = SplitMix64(seed);
        (0..DRAWS)
            .map(|_| discrete_laplace(&mut e, epsilon, 1.0).unwrap_or(i64::MAX))
            .collect()
    }

    #[test]
    fn noise_is_centred_on_zero_with_the_theoretical_variance() {
        for epsilon in [0.5, 1.0, 2.0] {
            let xs = draws(epsilon, 7);
            let n = xs.len() as f64;
            let mean = xs.iter().map(|x| *x as f64).sum::<f64>() / n;
            let var = xs.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / n;
            let a = alpha(epsilon, 1.0);
            let expected = 2.0 * a / (1.0 - a).powi(2);
            assert!(mean.abs() < 0.05, "ε {epsilon}: mean {mean}");
            assert!(
                (var - expected).abs() / expected < 0.05,
                "ε {epsilon}: variance {var}, expected {expected}"
            );
        }
    }

    #[test]
    fn tail_probabilities_match_the_discrete_laplace() {
        let epsilon = 1.0;
        let xs = draws(epsilon, 11);
        let a = alpha(epsilon, 1.0);
        for t in [1i64, 2, 3, 5] {
            // P(|X| ≥ t) = 2 α^t / (1 + α) for t ≥ 1.
            let expected = 2.0 * a.powi(i32::try_from(t).unwrap_or(1)) / (1.0 + a);
            let seen = xs.iter().filter(|x| x.abs() >= t).count() as f64 / xs.len() as f64;
            assert!(
                (seen - expected).abs() < 0.01,
                "t {t}: seen {seen}, expected {expected}"
            );
        }
        // Symmetric: as many draws above zero as below.
        let above = xs.iter().filter(|x| **x > 0).count() as f64;
        let below = xs.iter().filter(|x| **x < 0).count() as f64;
        assert!((above - below).abs() / (above + below) < 0.02);
    }

    #[test]
    fn released_counts_are_never_negative() {
        let mut e = SplitMix64(3);
        for count in [0, 1, 2, 5] {
            for _ in 0..10_000 {
                let c = noisy_count(&mut e, count, 0.5, 1.0).unwrap_or(-1);
                assert!(c >= 0);
            }
        }
        let h = noisy_histogram(&mut e, [0, 0, 0, 0, 0], 1.0).unwrap_or([-1; 5]);
        assert!(h.iter().all(|c| *c >= 0));
    }

    #[test]
    fn a_bad_epsilon_is_refused() {
        let mut e = SplitMix64(1);
        assert!(discrete_laplace(&mut e, 0.0, 1.0).is_err());
        assert!(discrete_laplace(&mut e, f64::NAN, 1.0).is_err());
    }

    #[test]
    fn os_entropy_varies_and_shuffles_cover_every_order() {
        let mut os = OsEntropy::new();
        let words: Vec<u64> = (0..40).map(|_| os.next_u64().unwrap_or(0)).collect();
        let distinct: std::collections::HashSet<_> = words.iter().collect();
        assert!(distinct.len() > 35);
        let mut e = SplitMix64(5);
        let mut seen = std::collections::HashMap::new();
        for _ in 0..6_000 {
            let mut v = [1, 2, 3];
            shuffle(&mut e, &mut v).unwrap_or(());
            *seen.entry(v).or_insert(0) += 1;
        }
        assert_eq!(seen.len(), 6);
        assert!(seen.values().all(|n| (800..1200).contains(n)), "{seen:?}");
    }
}
