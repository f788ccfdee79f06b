use sea_orm::entity::prelude::*;

/// A meeting's feedback summary, frozen once after its window closed: noisy histograms of the
/// three answers, the comments shuffled (JSON), or why it is withheld.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback_summaries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub meeting_id: Uuid,
    pub group_id: Uuid,
    pub meeting_starts_at: DateTimeUtc,
    pub established: i32,
    pub withheld: Option<String>,
    pub relevance1: i32,
    pub relevance2: i32,
    pub relevance3: i32,
    pub relevance4: i32,
    pub relevance5: i32,
    pub format1: i32,
    pub format2: i32,
    pub format3: i32,
    pub format4: i32,
    pub format5: i32,
    pub stress1: i32,
    pub stress2: i32,
    pub stress3: i32,
    pub stress4: i32,
    pub stress5: i32,
    pub comments: Option<String>,
    pub frozen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
