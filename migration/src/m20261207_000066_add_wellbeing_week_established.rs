use sea_orm_migration::{prelude::*, schema::*};

/// Frozen weeks now hold noisy figures and the number of established contributors, which
/// decides release (docs/privacy.md). Weeks frozen under the old exact rule are dropped so
/// they are frozen again, once, under the new one.
#[derive(DeriveIden)]
enum WellbeingWeeks {
    Table,
    /// Distinct contributors who were established members when the week began.
    Established,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM wellbeing_weeks")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(WellbeingWeeks::Table)
                    .add_column(integer(WellbeingWeeks::Established).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WellbeingWeeks::Table)
                    .drop_column(WellbeingWeeks::Established)
                    .to_owned(),
            )
            .await
    }
}
