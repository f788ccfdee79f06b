use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::{People, fk, m20261129_000046_create_resources::Resources};

/// Every content change of a resource, kept whole and never changed afterwards: a trigger
/// refuses to UPDATE any of its content on both databases, so not even a bug in the service can
/// rewrite history. (Only `author_id` may change: set to NULL when that person is deleted.)
#[derive(DeriveIden)]
enum ResourceVersions {
    Table,
    Id,
    ResourceId,
    Number,
    Title,
    Summary,
    Body,
    Url,
    Language,
    Tags,
    Audience,
    DurationMinutes,
    Licence,
    Attribution,
    AgendaItems,
    ChangeNote,
    AuthorId,
    CreatedAt,
}

/// Every column but `author_id`.
const CONTENT: &str = "id, resource_id, number, title, summary, body, url, language, tags, \
                       audience, duration_minutes, licence, attribution, agenda_items, \
                       change_note, created_at";

const IMMUTABLE_SQLITE: &str = "CREATE TRIGGER resource_versions_immutable \
     BEFORE UPDATE OF {CONTENT} ON resource_versions \
     BEGIN SELECT RAISE(ABORT, 'resource versions are immutable'); END";

const IMMUTABLE_POSTGRES: [&str; 2] = [
    "CREATE FUNCTION resource_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN RAISE EXCEPTION 'resource versions are immutable'; END $$",
    "CREATE TRIGGER resource_versions_immutable BEFORE UPDATE OF {CONTENT} ON resource_versions \
     FOR EACH ROW EXECUTE FUNCTION resource_versions_immutable()",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ResourceVersions::Table)
                    .col(pk_uuid(ResourceVersions::Id))
                    .col(uuid(ResourceVersions::ResourceId))
                    .col(integer(ResourceVersions::Number))
                    .col(string_len(ResourceVersions::Title, 200))
                    .col(text_null(ResourceVersions::Summary))
                    .col(text(ResourceVersions::Body))
                    .col(text_null(ResourceVersions::Url))
                    .col(string_len(ResourceVersions::Language, 35))
                    .col(text(ResourceVersions::Tags))
                    .col(text_null(ResourceVersions::Audience))
                    .col(integer_null(ResourceVersions::DurationMinutes))
                    .col(string_len(ResourceVersions::Licence, 32))
                    .col(text_null(ResourceVersions::Attribution))
                    .col(text_null(ResourceVersions::AgendaItems))
                    .col(text_null(ResourceVersions::ChangeNote))
                    .col(uuid_null(ResourceVersions::AuthorId))
                    .col(timestamp_with_time_zone(ResourceVersions::CreatedAt))
                    .foreign_key(&mut fk(
                        ResourceVersions::Table,
                        ResourceVersions::ResourceId,
                        Resources::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ResourceVersions::Table,
                        ResourceVersions::AuthorId,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_resource_versions_number")
                    .table(ResourceVersions::Table)
                    .col(ResourceVersions::ResourceId)
                    .col(ResourceVersions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                for sql in IMMUTABLE_POSTGRES {
                    db.execute_unprepared(&sql.replace("{CONTENT}", CONTENT))
                        .await?;
                }
            }
            _ => {
                db.execute_unprepared(&IMMUTABLE_SQLITE.replace("{CONTENT}", CONTENT))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table drops its trigger on both databases; the function stays behind.
        manager
            .drop_table(Table::drop().table(ResourceVersions::Table).to_owned())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared("DROP FUNCTION IF EXISTS resource_versions_immutable()")
                .await?;
        }
        Ok(())
    }
}
