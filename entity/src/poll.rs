use sea_orm::entity::prelude::*;

/// A thumbs up/down question to a group.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "polls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub question: String,
    pub closes_at: DateTimeUtc,
    /// Closed early by a facilitator.
    pub closed_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// Declared when the poll is asked and never changed: the live tally is shown to the
    /// group (voters are told). Otherwise a secret ballot, counted only once closed.
    pub open_ballot: bool,
    /// A secret ballot's tally, frozen on its first read after closing (all three set at
    /// once): the up and down votes, and how many voters were established members when the
    /// poll was asked, which decides release. Null until then, and for open ballots.
    pub tally_up: Option<i32>,
    pub tally_down: Option<i32>,
    pub tally_established: Option<i32>,
}

impl Model {
    pub fn is_open(&self, now: DateTimeUtc) -> bool {
        self.closed_at.is_none() && self.closes_at > now
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
