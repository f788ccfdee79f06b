use sea_orm::entity::prelude::*;

/// One immutable state of a resource's content.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resource_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub resource_id: Uuid,
    pub number: i32,
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
    pub url: Option<String>,
    pub language: String,
    pub tags: String,
    pub audience: Option<String>,
    pub duration_minutes: Option<i32>,
    pub licence: String,
    pub attribution: Option<String>,
    pub agenda_items: Option<String>,
    pub change_note: Option<String>,
    pub author_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
