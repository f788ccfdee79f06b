use sea_orm_migration::{prelude::*, schema::*};

use crate::{People, Polls, fk};

/// One vote per person and poll; only its voter ever reads it.
#[derive(DeriveIden)]
enum PollVotes {
    Table,
    Id,
    PollId,
    PersonId,
    Vote,
    UpdatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PollVotes::Table)
                    .col(pk_uuid(PollVotes::Id))
                    .col(uuid(PollVotes::PollId))
                    .col(uuid(PollVotes::PersonId))
                    .col(string_len(PollVotes::Vote, 8))
                    .col(timestamp_with_time_zone(PollVotes::UpdatedAt))
                    .foreign_key(&mut fk(
                        PollVotes::Table,
                        PollVotes::PollId,
                        Polls::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        PollVotes::Table,
                        PollVotes::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_poll_votes_poll_person")
                    .table(PollVotes::Table)
                    .col(PollVotes::PollId)
                    .col(PollVotes::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PollVotes::Table).to_owned())
            .await
    }
}
