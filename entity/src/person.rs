use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Normalised (trimmed, lower-case); private to the person.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// argon2id PHC string. Never leaves the auth module.
    pub password_hash: String,
    pub timezone: String,
    pub locale: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
