use sea_orm_migration::{prelude::*, schema::*};

use crate::{MembershipApplications, People, fk};

/// An active member's consent, objection or abstention on an application; changeable until
/// the application is decided. Read back only as counts, the voter's own vote, and objection
/// reasons for facilitators.
#[derive(DeriveIden)]
enum ApplicationVotes {
    Table,
    Id,
    ApplicationId,
    PersonId,
    Vote,
    /// Required with an objection.
    Reason,
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
                    .table(ApplicationVotes::Table)
                    .col(pk_uuid(ApplicationVotes::Id))
                    .col(uuid(ApplicationVotes::ApplicationId))
                    .col(uuid(ApplicationVotes::PersonId))
                    .col(string_len(ApplicationVotes::Vote, 16))
                    .col(text_null(ApplicationVotes::Reason))
                    .col(timestamp_with_time_zone(ApplicationVotes::UpdatedAt))
                    .foreign_key(&mut fk(
                        ApplicationVotes::Table,
                        ApplicationVotes::ApplicationId,
                        MembershipApplications::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ApplicationVotes::Table,
                        ApplicationVotes::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_application_votes_application_person")
                    .table(ApplicationVotes::Table)
                    .col(ApplicationVotes::ApplicationId)
                    .col(ApplicationVotes::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApplicationVotes::Table).to_owned())
            .await
    }
}
