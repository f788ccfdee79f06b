use sea_orm_migration::{prelude::*, schema::*};

/// Failed sign-ins, kept in the database so the limit holds across replicas.
#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Email,
    ClientAddr,
    AttemptedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(pk_uuid(LoginFailures::Id))
                    .col(string_len(LoginFailures::Email, 254))
                    .col(string_len(LoginFailures::ClientAddr, 64))
                    .col(timestamp_with_time_zone(LoginFailures::AttemptedAt))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_login_failures_email", LoginFailures::Email),
            ("idx_login_failures_client", LoginFailures::ClientAddr),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(LoginFailures::Table)
                        .col(col)
                        .col(LoginFailures::AttemptedAt)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginFailures::Table).to_owned())
            .await
    }
}
