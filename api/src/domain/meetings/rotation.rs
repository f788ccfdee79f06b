//! Facilitator rotation: blocks of `periodWeeks`, the person who facilitated least recently
//! (then least often) takes the next block, nobody takes more than `maxConsecutiveBlocks` in a
//! row while someone else can, the unavailable are skipped, manual assignments are kept.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    AssignedBy, MeetingStatus, MembershipRole, MembershipStatus, group, meeting, membership,
    unavailability,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession as _, TransactionTrait, sea_query::Expr,
};
use std::str::FromStr;
use uuid::Uuid;

use super::{runnable_group, runnable_meeting, save_versioned};
use crate::{
    domain::{access::Access, authz::require_person},
    error::{AppError, AppResult},
};

/// Blocks are counted from a fixed Monday, so every plan and every load report agrees on
/// where a block starts.
pub fn block_index(local_date: NaiveDate, period_weeks: i32) -> i64 {
    let epoch_monday = NaiveDate::from_ymd_opt(1970, 1, 5).unwrap_or_default();
    (local_date - epoch_monday)
        .num_days()
        .div_euclid(7 * i64::from(period_weeks.max(1)))
}

pub async fn set_rotation_policy(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    period_weeks: i32,
    max_consecutive_blocks: i32,
) -> AppResult<group::Model> {
    require_person(access)?;
    if !(1..=8).contains(&period_weeks) {
        return Err(AppError::bad_input(
            "periodWeeks",
            "a block lasts 1 to 8 weeks",
        ));
    }
    if !(1..=12).contains(&max_consecutive_blocks) {
        return Err(AppError::bad_input(
            "maxConsecutiveBlocks",
            "between 1 and 12 blocks",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let g = runnable_group(&txn, access, group_id, "change this group's rotation").await?;
    group::Entity::update_many()
        .col_expr(
            group::Column::RotationPeriodWeeks,
            Expr::value(period_weeks),
        )
        .col_expr(
            group::Column::RotationMaxConsecutiveBlocks,
            Expr::value(max_consecutive_blocks),
        )
        .col_expr(group::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(group::Column::Id.eq(g.id))
        .exec(&txn)
        .await?;
    let saved = crate::domain::groups::find_group(&txn, g.id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// A member declares days (inclusive) they cannot facilitate.
pub async fn set_unavailability(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<unavailability::Model> {
    let me = require_person(access)?;
    if to < from {
        return Err(AppError::bad_input(
            "to",
            "the period ends before it starts",
        ));
    }
    if (to - from).num_days() > 366 {
        return Err(AppError::bad_input(
            "to",
            "declare at most a year at a time",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let (g, _) = crate::domain::groups::visible_group(&txn, access, group_id).await?;
    let mine = membership::Entity::find()
        .filter(membership::Column::GroupId.eq(g.id))
        .filter(membership::Column::PersonId.eq(me))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::forbidden("only active members declare unavailability"))?;
    let saved = unavailability::ActiveModel {
        id: Set(Uuid::now_v7()),
        membership_id: Set(mine.id),
        from_date: Set(from),
        to_date: Set(to),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Someone who may facilitate, with their history.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub membership_id: Uuid,
    pub last: Option<DateTime<Utc>>,
    pub count: u32,
    pub unavailable: Vec<(NaiveDate, NaiveDate)>,
}

impl Candidate {
    fn free_on(&self, date: NaiveDate) -> bool {
        !self
            .unavailable
            .iter()
            .any(|(from, to)| *from <= date && date <= *to)
    }
}

/// A meeting to plan.
#[derive(Clone, Debug)]
pub struct Slot {
    pub meeting_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    /// A manual assignment, kept as it is.
    pub manual: Option<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub meeting_id: Uuid,
    pub facilitator: Option<Uuid>,
    pub co_facilitator: Option<Uuid>,
}

/// The plan for `slots` (in start order). `previous` is who facilitated the last block so
/// far and how many blocks in a row they have had. Deterministic: ties go to the lower id.
pub fn plan(
    period_weeks: i32,
    max_consecutive: u32,
    mut candidates: Vec<Candidate>,
    mut previous: Option<(Uuid, u32)>,
    slots: &[Slot],
) -> Vec<Assignment> {
    let mut blocks: Vec<(i64, Vec<&Slot>)> = Vec::new();
    for slot in slots {
        let idx = block_index(slot.local_date, period_weeks);
        match blocks.last_mut() {
            Some((i, members)) if *i == idx => members.push(slot),
            _ => blocks.push((idx, vec![slot])),
        }
    }
    let mut out = Vec::new();
    for (_, block) in blocks {
        // Manual assignments count as facilitation for fairness.
        for slot in &block {
            if let Some(c) = slot
                .manual
                .and_then(|m| candidates.iter_mut().find(|c| c.membership_id == m))
            {
                c.count += 1;
                c.last = c.last.max(Some(slot.starts_at));
            }
        }
        let open: Vec<&&Slot> = block.iter().filter(|s| s.manual.is_none()).collect();
        if open.is_empty() {
            continue;
        }
        let mut available: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| open.iter().all(|s| c.free_on(s.local_date)))
            .collect();
        // Least recently first (never is the least recent), then least often, then by id.
        available.sort_by_key(|c| (c.last, c.count, c.membership_id));
        if let Some((prev, run)) = previous
            && run >= max_consecutive
            && available.iter().any(|c| c.membership_id != prev)
        {
            available.retain(|c| c.membership_id != prev);
        }
        let facilitator = available.first().map(|c| c.membership_id);
        let co = available.get(1).map(|c| c.membership_id);
        for slot in &open {
            out.push(Assignment {
                meeting_id: slot.meeting_id,
                facilitator,
                co_facilitator: co,
            });
        }
        let Some(chosen) = facilitator else { continue };
        if let Some(c) = candidates.iter_mut().find(|c| c.membership_id == chosen) {
            c.count += open.len() as u32;
            c.last = open.iter().map(|s| s.starts_at).max();
        }
        previous = Some(match previous {
            Some((prev, run)) if prev == chosen => (chosen, run + 1),
            _ => (chosen, 1),
        });
    }
    out
}

/// Facilitating memberships of the group (FACILITATOR and CO_FACILITATOR, ACTIVE).
pub async fn facilitating(
    db: &impl ConnectionTrait,
    group_id: Uuid,
) -> AppResult<Vec<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::GroupId.eq(group_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .filter(
            membership::Column::Role
                .is_in([MembershipRole::Facilitator, MembershipRole::CoFacilitator]),
        )
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?)
}

/// Assigns facilitators to every SCHEDULED meeting from now through `until`; manual
/// assignments stay. Returns the planned meetings.
pub async fn plan_rotation(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    until: NaiveDate,
) -> AppResult<Vec<meeting::Model>> {
    require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let g = runnable_group(&txn, access, group_id, "plan this group's rotation").await?;
    let tz = chrono_tz::Tz::from_str(&g.timezone).map_err(AppError::internal)?;
    let now = Utc::now();
    if until < now.with_timezone(&tz).date_naive() {
        return Err(AppError::bad_input("until", "until must be today or later"));
    }
    let people = facilitating(&txn, g.id).await?;
    let ids: Vec<Uuid> = people.iter().map(|m| m.id).collect();
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::GroupId.eq(g.id))
        .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled))
        .order_by_asc(meeting::Column::StartsAt)
        .order_by_asc(meeting::Column::Id)
        .all(&txn)
        .await?;
    let mut unavailable: HashMap<Uuid, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for u in unavailability::Entity::find()
        .filter(unavailability::Column::MembershipId.is_in(ids.clone()))
        .all(&txn)
        .await?
    {
        unavailable
            .entry(u.membership_id)
            .or_default()
            .push((u.from_date, u.to_date));
    }
    let past: Vec<&meeting::Model> = meetings.iter().filter(|m| m.starts_at <= now).collect();
    let candidates: Vec<Candidate> = people
        .iter()
        .map(|p| {
            let mine = past.iter().filter(|m| m.facilitator_id == Some(p.id));
            Candidate {
                membership_id: p.id,
                last: mine.clone().map(|m| m.starts_at).max(),
                count: mine.count() as u32,
                unavailable: unavailable.remove(&p.id).unwrap_or_default(),
            }
        })
        .collect();
    let previous = past
        .iter()
        .rev()
        .find_map(|m| m.facilitator_id)
        .map(|id| (id, 1));
    let slots: Vec<Slot> = meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Scheduled && m.starts_at > now)
        .filter(|m| m.starts_at.with_timezone(&tz).date_naive() <= until)
        .map(|m| Slot {
            meeting_id: m.id,
            starts_at: m.starts_at,
            local_date: m.starts_at.with_timezone(&tz).date_naive(),
            manual: (m.facilitator_assigned_by == Some(AssignedBy::Manual))
                .then_some(m.facilitator_id)
                .flatten(),
        })
        .collect();
    let max = u32::try_from(g.rotation_max_consecutive_blocks).unwrap_or(1);
    let assignments = plan(g.rotation_period_weeks, max, candidates, previous, &slots);
    let by_id: HashMap<Uuid, &meeting::Model> = meetings.iter().map(|m| (m.id, m)).collect();
    let mut planned = Vec::with_capacity(assignments.len());
    for a in assignments {
        let Some(current) = by_id.get(&a.meeting_id) else {
            continue;
        };
        let mut next = (*current).clone();
        let version = next.version;
        next.facilitator_id = a.facilitator;
        next.co_facilitator_id = a.co_facilitator;
        next.facilitator_assigned_by = a.facilitator.map(|_| AssignedBy::Rotation);
        next.version = version + 1;
        next.updated_at = now;
        planned.push(save_versioned(&txn, next, version).await?);
    }
    txn.commit().await?;
    Ok(planned)
}

/// Puts someone on a meeting by hand; re-planning keeps it.
pub async fn swap_facilitator(
    db: &impl TransactionTrait,
    access: &Access,
    meeting_id: Uuid,
    facilitator: Uuid,
    co_facilitator: Option<Uuid>,
) -> AppResult<meeting::Model> {
    require_person(access)?;
    if co_facilitator == Some(facilitator) {
        return Err(AppError::bad_input(
            "coFacilitatorMembershipId",
            "the co-facilitator must be someone else",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let (current, g) = runnable_meeting(
        &txn,
        access,
        meeting_id,
        "change who facilitates this meeting",
    )
    .await?;
    if current.status != MeetingStatus::Scheduled {
        return Err(AppError::bad_input(
            "meetingId",
            "only a SCHEDULED meeting's facilitator can change",
        ));
    }
    let eligible: Vec<Uuid> = facilitating(&txn, g.id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    if !eligible.contains(&facilitator) {
        return Err(AppError::bad_input(
            "facilitatorMembershipId",
            "not an ACTIVE facilitator or co-facilitator of this group",
        ));
    }
    if co_facilitator.is_some_and(|c| !eligible.contains(&c)) {
        return Err(AppError::bad_input(
            "coFacilitatorMembershipId",
            "not an ACTIVE facilitator or co-facilitator of this group",
        ));
    }
    let version = current.version;
    let mut next = current;
    next.facilitator_id = Some(facilitator);
    next.co_facilitator_id = co_facilitator;
    next.facilitator_assigned_by = Some(AssignedBy::Manual);
    next.version = version + 1;
    next.updated_at = Utc::now();
    let saved = save_versioned(&txn, next, version).await?;
    txn.commit().await?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn weekly_slots(weeks: i64) -> Vec<Slot> {
        let start = Utc.with_ymd_and_hms(2027, 1, 7, 18, 0, 0).unwrap();
        (0..weeks)
            .map(|w| {
                let t = start + Duration::weeks(w);
                Slot {
                    meeting_id: id(100 + w as u128),
                    starts_at: t,
                    local_date: t.date_naive(),
                    manual: None,
                }
            })
            .collect()
    }

    fn people(n: u128) -> Vec<Candidate> {
        (1..=n)
            .map(|i| Candidate {
                membership_id: id(i),
                last: None,
                count: 0,
                unavailable: vec![],
            })
            .collect()
    }

    #[test]
    fn three_facilitators_share_twelve_weeks_fairly() {
        let planned = plan(2, 1, people(3), None, &weekly_slots(12));
        let leads: Vec<u128> = planned
            .iter()
            .map(|a| a.facilitator.unwrap().as_u128())
            .collect();
        // Six blocks of two weeks: each person leads two blocks, never twice in a row.
        assert_eq!(leads, [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
        assert!(
            planned
                .iter()
                .all(|a| a.co_facilitator.is_some() && a.co_facilitator != a.facilitator)
        );
    }

    #[test]
    fn the_unavailable_are_skipped_and_consecutive_blocks_are_capped() {
        let mut folks = people(2);
        folks[0].unavailable.push((
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
        ));
        let planned = plan(1, 1, folks, None, &weekly_slots(6));
        let leads: Vec<u128> = planned
            .iter()
            .map(|a| a.facilitator.unwrap().as_u128())
            .collect();
        // Person 1 is away in January: person 2 leads every January week (nobody else can),
        // then they alternate.
        assert_eq!(leads, [2, 2, 2, 2, 1, 2]);
        let two = plan(1, 2, people(2), Some((id(1), 2)), &weekly_slots(4));
        let leads: Vec<u128> = two
            .iter()
            .map(|a| a.facilitator.unwrap().as_u128())
            .collect();
        assert_eq!(
            leads,
            [2, 1, 2, 1],
            "person 1 already had their two blocks in a row"
        );
    }

    #[test]
    fn manual_assignments_are_kept_and_counted() {
        let mut slots = weekly_slots(4);
        slots[0].manual = Some(id(2));
        let planned = plan(1, 1, people(2), None, &slots);
        assert_eq!(planned.len(), 3, "the manual meeting is not re-planned");
        assert_eq!(
            planned[0].facilitator,
            Some(id(1)),
            "person 2 just facilitated by hand"
        );
    }
}
