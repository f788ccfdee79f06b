//! How helpful people found a resource: one rating (1–5) per person, changeable.
//!
//! Readers never see the live ratings, only a **release**: a snapshot (count and sum) stored on
//! the resource. Reading the average before and after one rating would otherwise reveal that
//! rating exactly, and the count would reveal that someone just rated. A new release is made
//! when at least `CANOPY_PRIVACY_MIN_COHORT` distinct **established** people rated, or changed
//! their rating, since the last one (`due`), so two releases always differ by the ratings of at
//! least a cohort of people. Until the first release the rating is suppressed. A rating's value
//! in the last release is kept on the rating itself (`released_helpfulness`): changing a rating
//! back to its released value is no change, and changing it twice still counts as one person.
//!
//! **Established** (`ESTABLISHED_DAYS`): a rater whose account was created at least 28 days
//! before the release. Anyone may sign up and rate a PUBLIC resource, so a cohort counted over
//! any account is filled with fresh fakes: four of them, nudging their ratings after every
//! release, would make the next real rating alone trigger a release and be read off exactly.
//! There is no group behind a rating, so account age is the only fact a faker cannot make up on
//! the spot; 28 days is the rule the care aggregates use. A newer account's rating is stored and
//! shown to its author (`viewerRating`) but is neither pending nor in a release; once the
//! account is 28 days old at a release, its rating is pending and goes into that release.
//!
//! Each release carries **noise** (`noisy_release`): discrete Laplace on the count (ε
//! `COUNT_EPSILON`) and on the sum of (rating − 1) (ε `SUM_EPSILON`, sensitivity 4), drawn once
//! from the operating system's randomness and frozen on the resource, then clamped so the
//! count is at least 1 and the average within 1–5. So even a reader who controls all but one
//! rater of a release cannot subtract their way to the last one's rating.
//!
//! TOP_RATED orders by the released figures only (`score`, `search.rs`); everything still
//! suppressed sorts after, newest first, by id.

use chrono::{Duration, Utc};
use entity::{ResourceStatus, resource, resource_rating};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::visible_resource;
use crate::{
    domain::{
        access::Access,
        authz::require_person,
        begin,
        care::{
            established::ESTABLISHED_DAYS,
            noise::{Entropy, OsEntropy, discrete_laplace, noisy_count},
        },
        raw_statement,
        values::optional_text,
    },
    error::{AppError, AppResult},
};

pub struct Rating {
    pub resource_id: Uuid,
    pub helpfulness: i32,
    pub comment: Option<String>,
}

/// A resource's rating as readers see it: the last release, when it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Published {
    /// The mean helpfulness in hundredths (rounded half up): 4.5 is 450.
    pub average_hundredths: i64,
    pub count: i32,
}

/// ε of the noise on a release's count (one person moves it by at most 1).
pub const COUNT_EPSILON: f64 = 1.0;
/// ε of the noise on a release's sum of (rating − 1) (one person moves it by at most 4).
pub const SUM_EPSILON: f64 = 2.0;
/// How far one rating can move the sum of (rating − 1): from 0 (a 1) to 4 (a 5).
const SUM_SENSITIVITY: f64 = 4.0;

/// The released figures; `None`: suppressed (nothing released yet). A release is only made
/// once a cohort of established people is in it (`due`), and its noisy count is at least 1.
pub fn published(r: &resource::Model) -> Option<Published> {
    let count = r.rating_released_count;
    if count <= 0 {
        return None;
    }
    Some(Published {
        average_hundredths: average_hundredths(count, r.rating_released_sum),
        count,
    })
}

pub fn average_hundredths(count: i32, sum: i32) -> i64 {
    let (count, sum) = (i64::from(count), i64::from(sum));
    (sum * 200 + count) / (2 * count)
}

/// The TOP_RATED key of released figures: the average as shown (hundredths), then the count
/// (capped, so it never reaches into the average's digits); 0 for nothing released. It holds
/// only what `rating { average count }` shows, so a cursor carrying it reveals nothing more.
/// Migration 000060 computes the same in SQL.
pub fn score(count: i32, sum: i32) -> i64 {
    if count <= 0 {
        return 0;
    }
    average_hundredths(count, sum) * 1_000_000 + i64::from(count.min(999_999))
}

/// Whether a new release is due: `pending` people rated or changed their rating since the
/// last one.
pub fn due(pending: i64, cohort: u32) -> bool {
    pending >= i64::from(cohort.max(1))
}

/// The figures to release for `count` ratings summing to `sum`, with differential-privacy
/// noise: a count with discrete Laplace noise (ε `COUNT_EPSILON`, sensitivity 1) and the sum of
/// (rating − 1) with discrete Laplace noise (ε `SUM_EPSILON`, sensitivity 4), so adding,
/// removing or changing one person's rating changes the release's distribution by at most
/// e^(COUNT_EPSILON + SUM_EPSILON). Then clamped (post-processing, which spends nothing): the
/// count to at least 1, the shifted sum to 0 ..= 4 × count, so the average shown is within 1–5.
/// Returns (count, sum) to store.
pub fn noisy_release(e: &mut impl Entropy, count: i32, sum: i32) -> AppResult<(i32, i32)> {
    let released_count = noisy_count(e, count, COUNT_EPSILON, 1.0)?.max(1);
    let shifted = i64::from(sum) - i64::from(count);
    let noisy = shifted + discrete_laplace(e, SUM_EPSILON, SUM_SENSITIVITY)?;
    let noisy = noisy.clamp(0, 4 * i64::from(released_count));
    let released_sum =
        i32::try_from(noisy + i64::from(released_count)).map_err(AppError::internal)?;
    Ok((released_count, released_sum))
}

/// Holds the resource row for the rest of the transaction (PostgreSQL; SQLite's write
/// transaction already serialises writers). Every rating writer takes this lock first, before
/// any rating row, so two of them never wait on each other in opposite orders.
async fn lock_resource(db: &impl ConnectionTrait, resource_id: Uuid) -> AppResult<()> {
    let backend = db.get_database_backend();
    if backend == sea_orm::DatabaseBackend::Postgres {
        db.execute_raw(raw_statement(
            backend,
            "SELECT id FROM resources WHERE id = ? FOR UPDATE",
            vec![resource_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Adds to a resource's live rating totals (never shown; kept for operators and the demo).
pub async fn add_to_totals(
    db: &impl ConnectionTrait,
    resource_id: Uuid,
    count: i32,
    sum: i32,
) -> AppResult<()> {
    db.execute_raw(raw_statement(
        db.get_database_backend(),
        "UPDATE resources SET rating_count = rating_count + ?, rating_sum = rating_sum + ? \
         WHERE id = ?",
        vec![count.into(), sum.into(), resource_id.into()],
    ))
    .await?;
    Ok(())
}

/// Releases the resource's current ratings when a release is due under `cohort`; says
/// whether it did. Run inside the writer's transaction, after the rating is written.
pub async fn release_if_due(
    db: &impl ConnectionTrait,
    resource_id: Uuid,
    cohort: u32,
) -> AppResult<bool> {
    let backend = db.get_database_backend();
    // Two raters of one resource must not release side by side, each from totals without the
    // other's rating: their two releases would then differ by those two ratings alone. Hold
    // the resource first, so the totals below include every rating committed before.
    lock_resource(db, resource_id).await?;
    // Only established raters (accounts created on or before `cut`) count, toward `pending`
    // and into the release.
    let cut = Utc::now() - Duration::days(ESTABLISHED_DAYS);
    let row = db
        .query_one_raw(raw_statement(
            backend,
            "SELECT COUNT(*) AS n, COALESCE(SUM(r.helpfulness), 0) AS total, \
             COALESCE(SUM(CASE WHEN r.released_helpfulness IS NULL \
             OR r.released_helpfulness <> r.helpfulness THEN 1 ELSE 0 END), 0) AS pending \
             FROM resource_ratings r JOIN people p ON p.id = r.person_id \
             WHERE r.resource_id = ? AND p.created_at <= ?",
            vec![resource_id.into(), cut.into()],
        ))
        .await?
        .ok_or_else(|| AppError::internal("an aggregate returned no row"))?;
    let (n, total, pending): (i64, i64, i64) = (
        row.try_get("", "n")?,
        row.try_get("", "total")?,
        row.try_get("", "pending")?,
    );
    if !due(pending, cohort) {
        return Ok(false);
    }
    let count = i32::try_from(n).map_err(AppError::internal)?;
    let sum = i32::try_from(total).map_err(AppError::internal)?;
    // Drawn once, now, and frozen on the resource: every read returns the same figures, so
    // asking again averages nothing away.
    let (count, sum) = noisy_release(&mut OsEntropy::new(), count, sum)?;
    db.execute_raw(raw_statement(
        backend,
        "UPDATE resources SET rating_released_count = ?, rating_released_sum = ?, \
         rating_score = ? WHERE id = ?",
        vec![
            count.into(),
            sum.into(),
            score(count, sum).into(),
            resource_id.into(),
        ],
    ))
    .await?;
    db.execute_raw(raw_statement(
        backend,
        "UPDATE resource_ratings SET released_helpfulness = helpfulness WHERE resource_id = ? \
         AND person_id IN (SELECT id FROM people WHERE created_at <= ?)",
        vec![resource_id.into(), cut.into()],
    ))
    .await?;
    Ok(true)
}

/// Rates (or re-rates) a PUBLISHED resource the viewer sees and is not the author of, and
/// releases the resource's ratings when this makes a release due under `cohort`.
pub async fn rate_resource(
    db: &impl TransactionTrait,
    access: &Access,
    rating: Rating,
    cohort: u32,
) -> AppResult<(resource::Model, resource_rating::Model)> {
    let me = require_person(access)?;
    if !(1..=5).contains(&rating.helpfulness) {
        return Err(AppError::bad_input(
            "helpfulness",
            "helpfulness is from 1 (not helpful) to 5 (very helpful)",
        ));
    }
    let comment = optional_text("comment", rating.comment.as_deref(), 2000)?;
    let txn = begin(db).await?;
    let r = visible_resource(&txn, access, rating.resource_id).await?;
    if r.author_id == Some(me) {
        return Err(AppError::forbidden("you cannot rate your own resource"));
    }
    if r.status != ResourceStatus::Published {
        return Err(AppError::conflict(format!(
            "only a PUBLISHED resource is rated (it is {})",
            r.status.as_str()
        )));
    }
    // The resource first, then the rater's own row (see `lock_resource`).
    lock_resource(&txn, r.id).await?;
    let now = Utc::now();
    let mut mine = resource_rating::Entity::find()
        .filter(resource_rating::Column::ResourceId.eq(r.id))
        .filter(resource_rating::Column::PersonId.eq(me));
    // The change to the sum is computed from this row: hold it, so that two changes by one
    // person cannot both count from the same old value (SQLite's write transaction already
    // serialises them).
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        mine = mine.lock_exclusive();
    }
    let existing = mine.one(&txn).await?;
    let saved = match existing {
        Some(found) => {
            let delta = rating.helpfulness - found.helpfulness;
            let mut active = found.into_active_model();
            active.helpfulness = Set(rating.helpfulness);
            active.comment = Set(comment);
            active.updated_at = Set(now);
            let saved = active.update(&txn).await?;
            add_to_totals(&txn, r.id, 0, delta).await?;
            saved
        }
        None => {
            let saved = resource_rating::ActiveModel {
                id: Set(Uuid::now_v7()),
                resource_id: Set(r.id),
                person_id: Set(me),
                helpfulness: Set(rating.helpfulness),
                comment: Set(comment),
                created_at: Set(now),
                updated_at: Set(now),
                released_helpfulness: Set(None),
            }
            .insert(&txn)
            .await?;
            add_to_totals(&txn, r.id, 1, rating.helpfulness).await?;
            saved
        }
    };
    release_if_due(&txn, r.id, cohort).await?;
    let r = super::find_resource(&txn, r.id).await?;
    txn.commit().await?;
    Ok((r, saved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_holds_only_the_shown_average_and_count() {
        // 7 / 3 shows as 2.33: the score carries 233, not the exact average.
        assert_eq!(score(3, 7), 233_000_003);
        assert_eq!(score(2, 9), 450_000_002);
        assert_eq!(score(0, 0), 0);
        assert_eq!(
            score(2_000_000, 10_000_000),
            500_999_999,
            "the count is capped"
        );
        assert!(score(5, 25) > score(6, 29), "a higher average ranks first");
    }

    #[test]
    fn released_figures_are_noisy_and_always_in_range() {
        use crate::domain::care::noise::SplitMix64;
        let mut e = SplitMix64(15);
        let mut exact = 0;
        for (count, sum) in [(1, 1), (1, 5), (3, 9), (5, 25), (5, 5), (40, 130)] {
            for _ in 0..2_000 {
                let (c, s) = noisy_release(&mut e, count, sum).unwrap_or((-1, -1));
                assert!(c >= 1, "count {c}");
                let avg = average_hundredths(c, s);
                assert!((100..=500).contains(&avg), "{count}/{sum} gave {c}/{s}");
                if (c, s) == (count, sum) {
                    exact += 1;
                }
            }
        }
        assert!(
            exact < 12_000 / 3,
            "most releases differ from the exact figures: {exact}"
        );
    }

    #[test]
    fn a_release_is_due_once_a_cohort_changed() {
        assert!(!due(4, 5));
        assert!(due(5, 5));
        assert!(due(1, 0), "a cohort of nobody still needs one change");
        assert!(!due(0, 0));
    }
}
