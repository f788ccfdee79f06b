use sea_orm::entity::prelude::*;

use crate::{ResourceKind, ResourceStatus, ResourceVisibility};

/// A shared resource with its current content (a copy of its latest version).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub group_id: Option<Uuid>,
    #[sea_orm(unique)]
    pub slug: String,
    pub kind: ResourceKind,
    pub visibility: ResourceVisibility,
    pub status: ResourceStatus,
    pub author_id: Option<Uuid>,
    pub derived_from_id: Option<Uuid>,
    pub derived_from_version: Option<i32>,
    /// The latest version's number.
    pub version_number: i32,
    pub title: String,
    pub summary: Option<String>,
    /// Markdown.
    pub body: String,
    pub url: Option<String>,
    pub language: String,
    /// JSON array of tags.
    pub tags: String,
    pub audience: Option<String>,
    pub duration_minutes: Option<i32>,
    /// An SPDX identifier from `domain::resources::licence`.
    pub licence: String,
    pub attribution: Option<String>,
    /// JSON agenda items (AGENDA_TEMPLATE only).
    pub agenda_items: Option<String>,
    pub adoption_count: i32,
    /// Live totals of the ratings: never shown (one rating could be read off their change).
    pub rating_count: i32,
    pub rating_sum: i32,
    /// TOP_RATED key of the released figures (`domain::resources::ratings::score`).
    pub rating_score: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    /// The ratings as last released: what readers see (migration 000060).
    pub rating_released_count: i32,
    pub rating_released_sum: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
