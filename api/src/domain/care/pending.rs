//! What a person has to do across their groups: pledges to accept or renew, their own open
//! commitments, open polls and applications awaiting their vote, and check-ins due since a
//! group's last meeting. A fixed number of statements however many groups they are in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    ApplicationStatus, CommitmentStatus, MeetingStatus, MembershipStatus, action_commitment,
    application_vote, check_in, group, meeting, membership, membership_application, pledge,
    pledge_acceptance, poll, poll_vote,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    domain::{
        care::pledges::{Standing, standing},
        in_ids,
    },
    error::AppResult,
};

/// Each list is capped: this is a to-do list, not an archive.
pub const MAX_PER_KIND: u64 = 50;

pub struct PledgeDue {
    pub group: group::Model,
    pub pledge: pledge::Model,
    pub standing: Standing,
    pub valid_until: Option<DateTime<Utc>>,
}

pub struct CheckInDue {
    pub group: group::Model,
    pub last_meeting_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct Pending {
    pub pledges: Vec<PledgeDue>,
    pub commitments: Vec<action_commitment::Model>,
    pub polls: Vec<poll::Model>,
    pub applications: Vec<membership_application::Model>,
    pub check_ins: Vec<CheckInDue>,
}

pub async fn for_person(
    db: &impl ConnectionTrait,
    person: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Pending> {
    let backend = db.get_database_backend();
    let mine = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .all(db)
        .await?;
    if mine.is_empty() {
        return Ok(Pending::default());
    }
    let group_ids: Vec<Uuid> = mine.iter().map(|m| m.group_id).collect();
    let membership_ids: Vec<Uuid> = mine.iter().map(|m| m.id).collect();
    let in_groups = |col: Expr| in_ids(backend, col, &group_ids);
    let groups: HashMap<Uuid, group::Model> = group::Entity::find()
        .filter(in_groups(Expr::col((group::Entity, group::Column::Id))))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();

    // Ascending versions: the last one seen per group is its current pledge.
    let mut current: HashMap<Uuid, pledge::Model> = HashMap::new();
    for p in pledge::Entity::find()
        .filter(in_groups(Expr::col((
            pledge::Entity,
            pledge::Column::GroupId,
        ))))
        .order_by_asc(pledge::Column::Version)
        .all(db)
        .await?
    {
        current.insert(p.group_id, p);
    }
    let pledge_ids: Vec<Uuid> = current.values().map(|p| p.id).collect();
    let accepted: HashMap<Uuid, DateTime<Utc>> = pledge_acceptance::Entity::find()
        .filter(pledge_acceptance::Column::PersonId.eq(person))
        .filter(in_ids(
            backend,
            Expr::col((
                pledge_acceptance::Entity,
                pledge_acceptance::Column::PledgeId,
            )),
            &pledge_ids,
        ))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.pledge_id, a.valid_until))
        .collect();
    let mut pledges: Vec<PledgeDue> = current
        .into_values()
        .filter_map(|p| {
            let until = accepted.get(&p.id).copied();
            let s = standing(until, now)?;
            Some(PledgeDue {
                group: groups.get(&p.group_id)?.clone(),
                pledge: p,
                standing: s,
                valid_until: until,
            })
        })
        .collect();
    pledges.sort_by_key(|d| (d.valid_until, d.group.id));

    let commitments = action_commitment::Entity::find()
        .filter(in_ids(
            backend,
            Expr::col((
                action_commitment::Entity,
                action_commitment::Column::MembershipId,
            )),
            &membership_ids,
        ))
        .filter(action_commitment::Column::Status.eq(CommitmentStatus::Open))
        .order_by_asc(action_commitment::Column::Id)
        .limit(MAX_PER_KIND)
        .all(db)
        .await?;

    let my_poll_votes = poll_vote::Entity::find()
        .select_only()
        .column(poll_vote::Column::PollId)
        .filter(poll_vote::Column::PersonId.eq(person))
        .into_query();
    let polls = poll::Entity::find()
        .filter(in_groups(Expr::col((poll::Entity, poll::Column::GroupId))))
        .filter(poll::Column::ClosedAt.is_null())
        .filter(poll::Column::ClosesAt.gt(now))
        .filter(poll::Column::Id.not_in_subquery(my_poll_votes))
        .order_by_asc(poll::Column::ClosesAt)
        .limit(MAX_PER_KIND)
        .all(db)
        .await?;

    let my_application_votes = application_vote::Entity::find()
        .select_only()
        .column(application_vote::Column::ApplicationId)
        .filter(application_vote::Column::PersonId.eq(person))
        .into_query();
    let applications = membership_application::Entity::find()
        .filter(in_groups(Expr::col((
            membership_application::Entity,
            membership_application::Column::GroupId,
        ))))
        .filter(super::admission::in_status(ApplicationStatus::Pending, now))
        .filter(membership_application::Column::PersonId.ne(person))
        .filter(membership_application::Column::Id.not_in_subquery(my_application_votes))
        .order_by_asc(membership_application::Column::ExpiresAt)
        .limit(MAX_PER_KIND)
        .all(db)
        .await?;

    // The last meeting that has started in each group, and the person's latest check-in there.
    let last_meetings: Vec<(Uuid, Option<DateTime<Utc>>)> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::GroupId)
        .column_as(meeting::Column::StartsAt.max(), "last")
        .filter(in_groups(Expr::col((
            meeting::Entity,
            meeting::Column::GroupId,
        ))))
        .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled))
        .filter(meeting::Column::StartsAt.lte(now))
        .group_by(meeting::Column::GroupId)
        .into_tuple()
        .all(db)
        .await?;
    let latest_check_ins: HashMap<Uuid, Option<DateTime<Utc>>> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::GroupId)
        .column_as(check_in::Column::UpdatedAt.max(), "latest")
        .filter(check_in::Column::PersonId.eq(person))
        .filter(in_groups(Expr::col((
            check_in::Entity,
            check_in::Column::GroupId,
        ))))
        .group_by(check_in::Column::GroupId)
        .into_tuple::<(Uuid, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut check_ins: Vec<CheckInDue> = last_meetings
        .into_iter()
        .filter_map(|(group_id, last)| {
            let last = last?;
            let g = groups.get(&group_id)?;
            // Checked in (or updated today's check-in) since the meeting started.
            let done = latest_check_ins
                .get(&group_id)
                .copied()
                .flatten()
                .is_some_and(|at| at >= last);
            (!done).then(|| CheckInDue {
                group: g.clone(),
                last_meeting_at: last,
            })
        })
        .collect();
    check_ins.sort_by_key(|d| (d.last_meeting_at, d.group.id));

    Ok(Pending {
        pledges,
        commitments,
        polls,
        applications,
        check_ins,
    })
}
