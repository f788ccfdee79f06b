use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, Organisations, People, fk};

/// A shared resource (a coping tool a group made) with its current content: the latest
/// `resource_versions` row, copied here so that lists and search read one table.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Resources {
    Table,
    Id,
    OrganisationId,
    GroupId,
    /// Unique across the service (`resource(slug)`, `/resources/{slug}.jsonld`).
    Slug,
    Kind,
    Visibility,
    Status,
    AuthorId,
    DerivedFromId,
    DerivedFromVersion,
    /// The latest version's number; `updateResource` checks it as `expectedVersion`.
    VersionNumber,
    Title,
    Summary,
    Body,
    Url,
    Language,
    /// JSON array of lower-case tags (also in `resource_tags`, for filtering).
    Tags,
    Audience,
    DurationMinutes,
    Licence,
    Attribution,
    /// JSON agenda items, for AGENDA_TEMPLATE resources.
    AgendaItems,
    AdoptionCount,
    RatingCount,
    RatingSum,
    /// Orders TOP_RATED: the average in thousandths, then the count (see `domain::resources`).
    RatingScore,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Resources::Table)
                    .col(pk_uuid(Resources::Id))
                    .col(uuid(Resources::OrganisationId))
                    .col(uuid_null(Resources::GroupId))
                    .col(string_len_uniq(Resources::Slug, 64))
                    .col(string_len(Resources::Kind, 32))
                    .col(string_len(Resources::Visibility, 32))
                    .col(string_len(Resources::Status, 32))
                    .col(uuid_null(Resources::AuthorId))
                    .col(uuid_null(Resources::DerivedFromId))
                    .col(integer_null(Resources::DerivedFromVersion))
                    .col(integer(Resources::VersionNumber))
                    .col(string_len(Resources::Title, 200))
                    .col(text_null(Resources::Summary))
                    .col(text(Resources::Body))
                    .col(text_null(Resources::Url))
                    .col(string_len(Resources::Language, 35))
                    .col(text(Resources::Tags))
                    .col(text_null(Resources::Audience))
                    .col(integer_null(Resources::DurationMinutes))
                    .col(string_len(Resources::Licence, 32))
                    .col(text_null(Resources::Attribution))
                    .col(text_null(Resources::AgendaItems))
                    .col(integer(Resources::AdoptionCount).default(0))
                    .col(integer(Resources::RatingCount).default(0))
                    .col(integer(Resources::RatingSum).default(0))
                    .col(big_integer(Resources::RatingScore).default(0))
                    .col(timestamp_with_time_zone(Resources::CreatedAt))
                    .col(timestamp_with_time_zone(Resources::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Resources::PublishedAt))
                    .foreign_key(&mut fk(
                        Resources::Table,
                        Resources::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Resources::Table,
                        Resources::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Resources::Table,
                        Resources::AuthorId,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Resources::Table,
                        Resources::DerivedFromId,
                        Resources::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // The orders of `resources(orderBy:)`, each within a status (lists show PUBLISHED
        // unless asked otherwise), and the lookups by owner and by origin.
        let indexes: [(&str, &[Resources]); 6] = [
            ("idx_resources_newest", &[Resources::Status, Resources::Id]),
            (
                "idx_resources_most_adopted",
                &[Resources::Status, Resources::AdoptionCount, Resources::Id],
            ),
            (
                "idx_resources_top_rated",
                &[Resources::Status, Resources::RatingScore, Resources::Id],
            ),
            (
                "idx_resources_organisation",
                &[Resources::OrganisationId, Resources::Status],
            ),
            ("idx_resources_group", &[Resources::GroupId]),
            (
                "idx_resources_derived_from",
                &[Resources::DerivedFromId, Resources::Id],
            ),
        ];
        for (name, cols) in indexes {
            let mut index = Index::create();
            index.name(name).table(Resources::Table);
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Resources::Table).to_owned())
            .await
    }
}
