//! Thumbs polls: facilitators ask, active members vote up or down (changeable while open);
//! each voter sees their own vote, nobody sees anyone else's.
//!
//! What the group sees of the votes is decided by `released`, one rule for every field:
//!
//! - A **secret ballot** (the default) shows nothing while the poll is open: not the tally and
//!   not how many have voted. A live count, however large, changes by exactly one vote when
//!   one arrives or is changed, so reading it before and after would tell who voted what.
//!   Once closed (by a facilitator, or at `closesAt`) it shows the tally only if at least the
//!   privacy cohort (`CANOPY_PRIVACY_MIN_COHORT`) of **established** voters voted
//!   (`established.rs`, judged for a bucket starting when the poll was asked); below that it
//!   stays hidden for good, the number of voters included. Counting any voter let a
//!   facilitator admit four fresh accounts, have them vote, close the poll once the victim
//!   voted and subtract the fakes' votes. Established when the poll was asked: members
//!   admitted (or attendance back-filled) after the question was put never count, so the
//!   fakes must have been planted a month before the poll.
//! - The tally is computed and **frozen** on the poll row the first time it is read after
//!   closing (`frozen_tally`): votes cannot be cast or changed after closing, and a vote
//!   deleted later (a member leaving, an account erased) does not move a released figure, so
//!   it cannot be differenced.
//! - An **open ballot** is declared when the poll is asked and can never be changed after (no
//!   mutation edits a poll): its live tally is shown, and the schema tells voters so.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use entity::{MembershipStatus, Thumb, meeting, membership, poll, poll_vote};
use sea_orm::{
    ActiveEnum as _, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait,
    FromQueryResult as _, IdenStatic as _, Iterable as _, QueryFilter, Set,
    TransactionSession as _, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::{can_run_group, require_person},
        care::{established, wellbeing::Withheld},
        groups::core::{runnable_group, visible_group},
        meetings::can_see_meeting,
        raw_statement,
        values::text,
    },
    error::{AppError, AppResult},
};

/// A poll as asked.
pub struct NewPoll<'a> {
    pub group_id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub question: &'a str,
    pub closes_at: DateTime<Utc>,
    /// Fixed for the poll's life: see the module's rule.
    pub open_ballot: bool,
}

/// The tally of a poll, as released to the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub up: usize,
    pub down: usize,
}

impl Tally {
    pub fn voters(&self) -> usize {
        self.up + self.down
    }
}

/// What the group may read of a poll's votes at `now` (see the module's rule). `votes` are all
/// the poll's votes, one per person: an open ballot shows them live. A closed secret ballot
/// shows only its frozen tally (`frozen_tally`), never the live votes; not yet frozen, it
/// shows nothing.
pub fn released(
    p: &poll::Model,
    votes: &[poll_vote::Model],
    now: DateTime<Utc>,
    min_cohort: usize,
) -> Result<Tally, Withheld> {
    if p.open_ballot {
        let up = votes.iter().filter(|v| v.vote == Thumb::Up).count();
        return Ok(Tally {
            up,
            down: votes.len() - up,
        });
    }
    if p.is_open(now) {
        return Err(Withheld::NotClosed);
    }
    let (Some(up), Some(down), Some(established)) = (p.tally_up, p.tally_down, p.tally_established)
    else {
        return Err(Withheld::TooFewContributors);
    };
    let count = |n: i32| usize::try_from(n).unwrap_or(0);
    if count(established) < min_cohort.max(1) {
        return Err(Withheld::TooFewContributors);
    }
    Ok(Tally {
        up: count(up),
        down: count(down),
    })
}

/// The poll with its tally frozen, if it is a secret ballot that has closed and was not frozen
/// yet: the votes and the number of voters established when the poll was asked, stored once
/// (the first writer wins; a concurrent one re-reads). Two statements and a write on the first
/// read after closing, none after.
pub async fn frozen_tally(
    db: &impl TransactionTrait,
    p: &poll::Model,
    now: DateTime<Utc>,
) -> AppResult<poll::Model> {
    if p.open_ballot || p.is_open(now) || p.tally_established.is_some() {
        return Ok(p.clone());
    }
    let txn = crate::domain::begin(db).await?;
    let votes = poll_vote::Entity::find()
        .filter(poll_vote::Column::PollId.eq(p.id))
        .all(&txn)
        .await?;
    let voters: Vec<Uuid> = votes.iter().map(|v| v.person_id).collect();
    let established = if voters.is_empty() {
        0
    } else {
        let rows: Vec<Uuid> = established::established_members(p.group_id, p.created_at)
            .filter(membership::Column::PersonId.is_in(voters))
            .into_tuple()
            .all(&txn)
            .await?;
        rows.into_iter().collect::<HashSet<_>>().len()
    };
    let count = |n: usize| i32::try_from(n).map_err(AppError::internal);
    let up = votes.iter().filter(|v| v.vote == Thumb::Up).count();
    poll::Entity::update_many()
        .col_expr(poll::Column::TallyUp, Expr::value(count(up)?))
        .col_expr(
            poll::Column::TallyDown,
            Expr::value(count(votes.len() - up)?),
        )
        .col_expr(
            poll::Column::TallyEstablished,
            Expr::value(count(established)?),
        )
        .filter(poll::Column::Id.eq(p.id))
        .filter(poll::Column::TallyEstablished.is_null())
        .exec(&txn)
        .await?;
    let frozen = poll::Entity::find_by_id(p.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("poll"))?;
    txn.commit().await?;
    Ok(frozen)
}

pub async fn create(
    db: &impl TransactionTrait,
    access: &Access,
    new: NewPoll<'_>,
) -> AppResult<poll::Model> {
    let NewPoll {
        group_id,
        meeting_id,
        question,
        closes_at,
        open_ballot,
    } = new;
    let me = require_person(access)?;
    let question = text("question", question, 300)?;
    let now = Utc::now();
    if closes_at <= now || closes_at > now + Duration::days(90) {
        return Err(AppError::bad_input(
            "closesAt",
            "a poll closes within the next 90 days",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let g = runnable_group(&txn, access, group_id, "ask this group").await?;
    if let Some(id) = meeting_id {
        let m = meeting::Entity::find_by_id(id).one(&txn).await?;
        if m.is_none_or(|m| m.group_id != g.id) {
            return Err(AppError::bad_input(
                "meetingId",
                "not a meeting of this group",
            ));
        }
    }
    let saved = poll::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        meeting_id: Set(meeting_id),
        question: Set(question),
        closes_at: Set(closes_at),
        closed_at: Set(None),
        created_by: Set(Some(me)),
        created_at: Set(now),
        open_ballot: Set(open_ballot),
        tally_up: Set(None),
        tally_down: Set(None),
        tally_established: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The poll with whether the viewer runs its group; NOT_FOUND unless the viewer is an insider.
pub async fn visible(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<(poll::Model, bool)> {
    let not_found = || AppError::not_found("poll");
    let p = poll::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let (g, c) = visible_group(db, access, p.group_id)
        .await
        .map_err(|e| e.hidden_as("poll"))?;
    if !can_see_meeting(access, &g, &c.path) {
        return Err(not_found());
    }
    Ok((p, can_run_group(access, &g, &c.path)))
}

/// One vote per active member, changeable while the poll is open.
///
/// One statement after the viewer's rights: the upsert keeps the vote only for an open poll
/// of a group the viewer is an ACTIVE member of (from their rights, already loaded), and
/// answers with the poll itself (a subquery per column in `RETURNING`), so nothing is read
/// again. Only a vote that was not written reads, to say why.
pub async fn vote(
    db: &impl ConnectionTrait,
    access: &Access,
    poll_id: Uuid,
    thumb: Thumb,
) -> AppResult<poll::Model> {
    let me = require_person(access)?;
    let now = Utc::now();
    let active: Vec<Uuid> = access
        .memberships
        .iter()
        .filter(|m| m.status == MembershipStatus::Active)
        .map(|m| m.group_id)
        .collect();
    if !active.is_empty() {
        let backend = db.get_database_backend();
        let poll_row: Vec<String> = poll::Column::iter()
            .map(|c| {
                let c = c.as_str();
                format!("(SELECT p.{c} FROM polls p WHERE p.id = poll_votes.poll_id) AS {c}")
            })
            .collect();
        // One parameter on PostgreSQL (one statement text however many groups); a list on
        // SQLite.
        let (groups, group_values): (String, Vec<sea_orm::Value>) = match backend {
            sea_orm::DatabaseBackend::Postgres => (
                "= ANY(?)".to_owned(),
                vec![sea_orm::Value::Array(
                    sea_orm::sea_query::ArrayType::Uuid,
                    Some(Box::new(active.iter().map(|id| (*id).into()).collect())),
                )],
            ),
            _ => (
                format!("IN ({})", vec!["?"; active.len()].join(", ")),
                active.iter().map(|id| (*id).into()).collect(),
            ),
        };
        let sql = format!(
            "INSERT INTO poll_votes (id, poll_id, person_id, vote, updated_at) \
             SELECT ?, p.id, ?, ?, ? FROM polls p \
             WHERE p.id = ? AND p.closed_at IS NULL AND p.closes_at > ? AND p.group_id {groups} \
             ON CONFLICT (poll_id, person_id) \
             DO UPDATE SET vote = excluded.vote, updated_at = excluded.updated_at \
             RETURNING {}",
            poll_row.join(", ")
        );
        let mut values: Vec<sea_orm::Value> = vec![
            Uuid::now_v7().into(),
            me.into(),
            thumb.to_value().into(),
            now.into(),
            poll_id.into(),
            now.into(),
        ];
        values.extend(group_values);
        let written = poll::Model::find_by_statement(raw_statement(backend, &sql, values))
            .one(db)
            .await?;
        if let Some(p) = written {
            return Ok(p);
        }
    }
    // Nothing written: the poll is not theirs to see, they do not vote in it, or it closed.
    let (p, _) = visible(db, access, poll_id).await?;
    if crate::domain::groups::core::active_membership(db, p.group_id, me)
        .await?
        .is_none()
    {
        return Err(AppError::forbidden("only the group's active members vote"));
    }
    if !p.is_open(now) {
        return Err(AppError::bad_input("pollId", "the poll is closed"));
    }
    Err(AppError::Conflict(
        "the poll or your membership changed meanwhile; try again".into(),
    ))
}

/// A facilitator closes a poll early.
pub async fn close(
    db: &impl TransactionTrait,
    access: &Access,
    poll_id: Uuid,
) -> AppResult<poll::Model> {
    require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let (p, runs) = visible(&txn, access, poll_id).await?;
    if !runs {
        return Err(AppError::forbidden(
            "only the group's facilitators close polls",
        ));
    }
    let now = Utc::now();
    if !p.is_open(now) {
        return Err(AppError::bad_input("pollId", "the poll is already closed"));
    }
    let mut active: poll::ActiveModel = p.into();
    active.closed_at = Set(Some(now));
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COHORT: usize = 5;

    fn poll(open_ballot: bool, closed: bool) -> poll::Model {
        let now = Utc::now();
        poll::Model {
            id: Uuid::nil(),
            group_id: Uuid::nil(),
            meeting_id: None,
            question: "?".into(),
            closes_at: now + Duration::days(1),
            closed_at: closed.then_some(now),
            created_by: None,
            created_at: now,
            open_ballot,
            tally_up: None,
            tally_down: None,
            tally_established: None,
        }
    }

    /// A closed secret ballot frozen with these votes, `established` of its voters counting.
    fn frozen(up: i32, down: i32, established: i32) -> poll::Model {
        poll::Model {
            tally_up: Some(up),
            tally_down: Some(down),
            tally_established: Some(established),
            ..poll(false, true)
        }
    }

    fn votes(up: usize, down: usize) -> Vec<poll_vote::Model> {
        let vote = |vote| poll_vote::Model {
            id: Uuid::now_v7(),
            poll_id: Uuid::nil(),
            person_id: Uuid::now_v7(),
            vote,
            updated_at: Utc::now(),
        };
        (0..up)
            .map(|_| vote(Thumb::Up))
            .chain((0..down).map(|_| vote(Thumb::Down)))
            .collect()
    }

    #[test]
    fn an_open_secret_ballot_shows_nothing_however_many_voted() {
        for n in [0, 1, COHORT, 3 * COHORT] {
            let got = released(&poll(false, false), &votes(n, 1), Utc::now(), COHORT);
            assert_eq!(got, Err(Withheld::NotClosed), "{n} up");
        }
    }

    #[test]
    fn a_closed_secret_ballot_shows_its_frozen_tally_from_the_established_cohort_on() {
        let below = released(&frozen(7, 2, 4), &votes(7, 2), Utc::now(), COHORT);
        assert_eq!(below, Err(Withheld::TooFewContributors));
        // The frozen figures, not the live votes (which a deletion may since have moved).
        let at = released(&frozen(3, 2, 5), &votes(2, 2), Utc::now(), COHORT);
        assert_eq!(at, Ok(Tally { up: 3, down: 2 }));
    }

    #[test]
    fn a_closed_secret_ballot_not_yet_frozen_shows_nothing() {
        let got = released(&poll(false, true), &votes(COHORT, 0), Utc::now(), COHORT);
        assert_eq!(got, Err(Withheld::TooFewContributors));
    }

    #[test]
    fn a_secret_ballot_closes_at_its_time_too() {
        let p = frozen(COHORT as i32, 0, COHORT as i32);
        let p = poll::Model {
            closed_at: None,
            ..p
        };
        let later = p.closes_at + Duration::seconds(1);
        assert_eq!(
            released(&p, &[], later, COHORT).map(|t| t.voters()),
            Ok(COHORT)
        );
        assert_eq!(
            released(&p, &[], p.closes_at - Duration::seconds(1), COHORT),
            Err(Withheld::NotClosed)
        );
    }

    #[test]
    fn an_open_ballot_shows_the_live_tally() {
        let got = released(&poll(true, false), &votes(1, 0), Utc::now(), COHORT);
        assert_eq!(got, Ok(Tally { up: 1, down: 0 }));
    }
}
