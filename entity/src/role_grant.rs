use sea_orm::entity::prelude::*;

use crate::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub role: Role,
    pub organisation_id: Uuid,
    /// None: the grant covers the whole organisation.
    pub cluster_id: Option<Uuid>,
    /// `cluster_id` or else `organisation_id`.
    pub scope_id: Uuid,
    pub granted_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
