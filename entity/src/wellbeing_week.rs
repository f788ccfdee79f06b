use sea_orm::entity::prelude::*;

/// A closed week's frozen wellbeing aggregate for a group: noisy figures (each person once),
/// computed once, and never read below the cohort size of established contributors.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wellbeing_weeks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub week_start: Date,
    pub contributors: i32,
    pub rated1: i32,
    pub rated2: i32,
    pub rated3: i32,
    pub rated4: i32,
    pub rated5: i32,
    /// Contributors who were established members when the week began (decides release).
    pub established: i32,
    pub frozen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
