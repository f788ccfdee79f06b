//! The utility cost of the wellbeing noise, measured on the demo network
//! (`scripts/privacy-utility.sh`; the figures are in docs/privacy.md, "Noise").
//!
//! Loads the demo into a fresh SQLite file, takes every closed week of every group of 8 and of
//! 12 members with at least a cohort (5) of contributors, and releases each week DRAWS times
//! through the same functions the freeze uses (`wellbeing::person_histogram`,
//! `wellbeing::noised`), with a seeded generator in place of the OS randomness. It prints how
//! far the released weekly mean falls from the true one: mean absolute error, median and 90th
//! percentile, against the true per-person mean (the noise alone) and against the plain mean
//! of all check-ins (noise plus counting each person once).
//!
//! Usage: cargo run -p canopy-api --example privacy_utility [-- DRAWS SEED]

use std::collections::HashMap;

use anyhow::Context;
use canopy::{
    auth::password::PasswordHasher,
    config::Argon2Params,
    domain::{
        care::{
            noise::SplitMix64,
            wellbeing::{self, Figures, monday},
        },
        demo,
    },
};
use chrono::{NaiveDate, Utc};
use entity::{MembershipStatus, check_in, membership};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

const MIN_COHORT: usize = 5;

#[derive(Default)]
struct Errors {
    weeks: usize,
    noise_only: Vec<f64>,
    overall: Vec<f64>,
    nothing_left: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(size: usize, e: &mut Errors, draws: usize) {
    for (label, xs) in [
        ("vs per-person mean (noise only)", &mut e.noise_only),
        ("vs mean of all check-ins", &mut e.overall),
    ] {
        xs.sort_by(f64::total_cmp);
        let mae = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        println!(
            "groups of {size:>2}: {weeks:>3} weeks x {draws} draws, {label:<33} MAE {mae:.3}  p50 {p50:.3}  p90 {p90:.3}",
            weeks = e.weeks,
            p50 = percentile(xs, 0.5),
            p90 = percentile(xs, 0.9),
        );
    }
    println!(
        "groups of {size:>2}: draws where noise left no count to average: {}",
        e.nothing_left
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let draws: usize = args.next().map_or(Ok(2000), |a| a.parse())?;
    let seed: u64 = args.next().map_or(Ok(15), |a| a.parse())?;
    let path = std::env::temp_dir().join(format!("canopy-utility-{}.db", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = canopy::db::connect(&url, canopy::db::Pool::of(1), None).await?;
    Migrator::up(&db, None).await.context("migrate")?;
    let hasher = PasswordHasher::new(Argon2Params {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    })?;
    demo::load(&db, &hasher).await?;

    let members: Vec<(Uuid, Uuid)> = membership::Entity::find()
        .select_only()
        .column(membership::Column::GroupId)
        .column(membership::Column::PersonId)
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .into_tuple()
        .all(&db)
        .await?;
    let mut size: HashMap<Uuid, usize> = HashMap::new();
    for (g, _) in &members {
        *size.entry(*g).or_default() += 1;
    }
    let rows: Vec<(Uuid, Uuid, NaiveDate, i32)> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::GroupId)
        .column(check_in::Column::PersonId)
        .column(check_in::Column::LocalDate)
        .column(check_in::Column::Rating)
        .into_tuple()
        .all(&db)
        .await?;
    let this_week = monday(Utc::now().date_naive());
    let mut weeks: HashMap<(Uuid, NaiveDate), HashMap<Uuid, Vec<i32>>> = HashMap::new();
    for (g, p, day, rating) in rows {
        let week = monday(day);
        if week < this_week {
            weeks
                .entry((g, week))
                .or_default()
                .entry(p)
                .or_default()
                .push(rating);
        }
    }
    let mut keys: Vec<&(Uuid, NaiveDate)> = weeks.keys().collect();
    keys.sort();
    let mut rng = SplitMix64(seed);
    let mut by_size: HashMap<usize, Errors> = HashMap::new();
    for key in keys {
        let n = size.get(&key.0).copied().unwrap_or(0);
        let people = &weeks[key];
        if !(n == 8 || n == 12) || people.len() < MIN_COHORT {
            continue;
        }
        let all: Vec<i32> = people.values().flatten().copied().collect();
        let raw_mean = f64::from(all.iter().sum::<i32>()) / all.len() as f64;
        let rated = wellbeing::person_histogram(people.values().cloned());
        let Some(true_mean) = Figures::from_rated(rated).average() else {
            continue;
        };
        let e = by_size.entry(n).or_default();
        e.weeks += 1;
        for _ in 0..draws {
            match wellbeing::noised(&mut rng, rated)?.average() {
                Some(noisy) => {
                    e.noise_only.push((noisy - true_mean).abs());
                    e.overall.push((noisy - raw_mean).abs());
                }
                None => e.nothing_left += 1,
            }
        }
    }
    drop(db);
    let _ = std::fs::remove_file(&path);
    println!(
        "ε per week {} (discrete Laplace on each person's rounded week, sensitivity 1), seed {seed}",
        wellbeing::WEEK_EPSILON,
    );
    for n in [8, 12] {
        if let Some(e) = by_size.get_mut(&n) {
            report(n, e, draws);
        }
    }
    Ok(())
}
