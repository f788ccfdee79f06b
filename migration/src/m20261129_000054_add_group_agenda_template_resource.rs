use sea_orm_migration::{prelude::*, schema::*};

use crate::Groups;

/// The AGENDA_TEMPLATE resource (and version) a group's agenda template was copied from.
/// No foreign key: SQLite cannot add one to an existing table, and resources are archived,
/// never deleted, by the service.
#[derive(DeriveIden)]
enum Col {
    AgendaTemplateResourceId,
    AgendaTemplateResourceVersion,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            uuid_null(Col::AgendaTemplateResourceId),
            integer_null(Col::AgendaTemplateResourceVersion),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Groups::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Col::AgendaTemplateResourceVersion,
            Col::AgendaTemplateResourceId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Groups::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
