use sea_orm_migration::{prelude::*, schema::*};

use crate::{People, Pledges, fk};

/// A person's acceptance of one pledge version; renewing moves `valid_until`.
#[derive(DeriveIden)]
enum PledgeAcceptances {
    Table,
    Id,
    PledgeId,
    PersonId,
    AcceptedAt,
    ValidUntil,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PledgeAcceptances::Table)
                    .col(pk_uuid(PledgeAcceptances::Id))
                    .col(uuid(PledgeAcceptances::PledgeId))
                    .col(uuid(PledgeAcceptances::PersonId))
                    .col(timestamp_with_time_zone(PledgeAcceptances::AcceptedAt))
                    .col(timestamp_with_time_zone(PledgeAcceptances::ValidUntil))
                    .foreign_key(&mut fk(
                        PledgeAcceptances::Table,
                        PledgeAcceptances::PledgeId,
                        Pledges::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        PledgeAcceptances::Table,
                        PledgeAcceptances::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_pledge_acceptances_pledge_person")
                    .table(PledgeAcceptances::Table)
                    .col(PledgeAcceptances::PledgeId)
                    .col(PledgeAcceptances::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PledgeAcceptances::Table).to_owned())
            .await
    }
}
