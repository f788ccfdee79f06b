use sea_orm::entity::prelude::*;

/// A group's succession risk as last computed (see `domain::training::risk_summary`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_succession")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_id: Uuid,
    pub organisation_id: Uuid,
    /// Bumped by triggers on every write the risk depends on.
    pub version: i64,
    /// CRITICAL, AT_RISK or OK.
    pub risk: Option<String>,
    /// The position in `groupsAtRisk`: `0:` (CRITICAL) or `1:` (AT_RISK) and the group's sort
    /// name; NULL when not listed (OK, CLOSED, or not computed yet).
    pub list_key: Option<String>,
    /// Stale from then on; NULL: stale now (never computed, or written since).
    pub fresh_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
