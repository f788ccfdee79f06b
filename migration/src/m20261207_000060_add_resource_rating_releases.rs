use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261129_000046_create_resources::Resources;

/// Ratings are published in steps (issue 15): a resource shows the figures of its last
/// release, and a new release is made only once enough people rated or changed their rating
/// since, so that reading the average before and after one rating never reveals it.
///
/// - `resources.rating_released_count` / `rating_released_sum`: the published figures.
///   `rating_count` / `rating_sum` stay the live totals, which no reader sees.
/// - `resources.rating_score`: from now on the TOP_RATED key of the *released* figures.
/// - `resource_ratings.released_helpfulness`: the value of this rating in the last release
///   (null: not in it); a rating whose value differs is a pending change.
///
/// Resources that already showed an average (at the default cohort of five) keep it as their
/// first release: it was public already. The others start unreleased.
#[derive(DeriveIden)]
enum Col {
    RatingReleasedCount,
    RatingReleasedSum,
}

#[derive(DeriveIden)]
enum ResourceRatings {
    Table,
    ReleasedHelpfulness,
}

/// The default `CANOPY_PRIVACY_MIN_COHORT` when this migration was written.
const ALREADY_SHOWN_FROM: i32 = 5;

/// The released TOP_RATED score: the average in hundredths (what `rating.average` shows),
/// then the count (capped so it never reaches into the average's digits). Kept in step with
/// `domain::resources::ratings::score`.
const RELEASED_SCORE: &str = "UPDATE resources SET rating_score = CASE \
     WHEN rating_released_count = 0 THEN 0 \
     ELSE ((CAST(rating_released_sum AS BIGINT) * 200 + rating_released_count) \
     / (2 * rating_released_count)) * 1000000 \
     + CASE WHEN rating_released_count > 999999 THEN 999999 ELSE rating_released_count END END";

/// The score before this migration: the live average in thousandths, then the live count.
const LIVE_SCORE: &str = "UPDATE resources SET rating_score = CASE WHEN rating_count = 0 \
     THEN 0 ELSE (CAST(rating_sum AS BIGINT) * 1000 / rating_count) * 1000000 \
     + CASE WHEN rating_count > 999999 THEN 999999 ELSE rating_count END END";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            integer(Col::RatingReleasedCount).default(0).to_owned(),
            integer(Col::RatingReleasedSum).default(0).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Resources::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ResourceRatings::Table)
                    .add_column(integer_null(ResourceRatings::ReleasedHelpfulness))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE resources SET rating_released_count = rating_count, \
             rating_released_sum = rating_sum WHERE rating_count >= {ALREADY_SHOWN_FROM}"
        ))
        .await?;
        db.execute_unprepared(
            "UPDATE resource_ratings SET released_helpfulness = helpfulness WHERE resource_id IN \
             (SELECT id FROM resources WHERE rating_released_count > 0)",
        )
        .await?;
        db.execute_unprepared(RELEASED_SCORE).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(LIVE_SCORE)
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ResourceRatings::Table)
                    .drop_column(ResourceRatings::ReleasedHelpfulness)
                    .to_owned(),
            )
            .await?;
        for col in [Col::RatingReleasedSum, Col::RatingReleasedCount] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Resources::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
