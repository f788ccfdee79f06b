use sea_orm_migration::{prelude::*, schema::*};

/// Answers that tell the caller something about other people's data ("this email has an
/// account", "this slug is unavailable"), counted per actor (a person or an address) so that
/// they can be throttled across replicas.
#[derive(DeriveIden)]
enum ThrottleEvents {
    Table,
    Id,
    Action,
    Actor,
    OccurredAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ThrottleEvents::Table)
                    .col(pk_uuid(ThrottleEvents::Id))
                    .col(string_len(ThrottleEvents::Action, 32))
                    .col(string_len(ThrottleEvents::Actor, 80))
                    .col(timestamp_with_time_zone(ThrottleEvents::OccurredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_throttle_events_actor")
                    .table(ThrottleEvents::Table)
                    .col(ThrottleEvents::Action)
                    .col(ThrottleEvents::Actor)
                    .col(ThrottleEvents::OccurredAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ThrottleEvents::Table).to_owned())
            .await
    }
}
