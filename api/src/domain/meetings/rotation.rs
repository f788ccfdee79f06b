//! Facilitator rotation: blocks of `periodWeeks`, the person who facilitated least recently
//! (then least often) takes the next block, nobody takes more than `maxConsecutiveBlocks` in a
//! row while someone else can, the unavailable are skipped, manual assignments are kept.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{AssignedBy, MeetingStatus, group, meeting, membership, unavailability};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession as _, TransactionTrait, sea_query::Expr,
};
use std::str::FromStr;
use uuid::Uuid;

use super::{runnable_meeting, save_versioned};
use crate::domain::groups::core::runnable_group;
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

/// Who led each block: the person who facilitated most of its meetings (on a tie, the one
/// with the later meeting). Newest block first.
pub fn block_leads(
    facilitated: impl IntoIterator<Item = (NaiveDate, DateTime<Utc>, Uuid)>,
    period_weeks: i32,
) -> Vec<(i64, Uuid)> {
    let mut per_block: HashMap<i64, HashMap<Uuid, (u32, DateTime<Utc>)>> = HashMap::new();
    for (date, at, who) in facilitated {
        let entry = per_block
            .entry(block_index(date, period_weeks))
            .or_default()
            .entry(who)
            .or_insert((0, at));
        entry.0 += 1;
        entry.1 = entry.1.max(at);
    }
    let mut leads: Vec<(i64, Uuid)> = per_block
        .into_iter()
        .filter_map(|(block, people)| {
            people
                .into_iter()
                .max_by_key(|(id, (n, last))| (*n, *last, *id))
                .map(|(id, _)| (block, id))
        })
        .collect();
    leads.sort_by_key(|(block, _)| std::cmp::Reverse(*block));
    leads
}

/// The latest block's lead, how many blocks in a row they have led, and that block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Previous {
    pub lead: Uuid,
    pub run: u32,
    pub block: i64,
}

impl Previous {
    pub fn from_leads(leads: &[(i64, Uuid)]) -> Option<Self> {
        let (block, lead) = *leads.first()?;
        let run = leads.iter().take_while(|(_, l)| *l == lead).count() as u32;
        Some(Self { lead, run, block })
    }
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
    let saved = crate::domain::groups::core::find_group(&txn, g.id).await?;
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
    let (g, _) = crate::domain::groups::core::visible_group(&txn, access, group_id).await?;
    let mine = crate::domain::groups::core::active_membership(&txn, g.id, me)
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
    /// May be the lead facilitator (false when the group requires a certification they lack).
    pub may_lead: bool,
    /// May co-facilitate (certified, or a trainee in practicum, when the group requires it).
    pub may_co: bool,
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

/// The plan for `slots` (in start order). `previous` is who led the latest block so far.
/// Deterministic: ties go to the lower id. A slot nobody is free for is left out (its current
/// assignment stays).
pub fn plan(
    period_weeks: i32,
    max_consecutive: u32,
    mut candidates: Vec<Candidate>,
    mut previous: Option<Previous>,
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
    // Least recently first (never is the least recent), then least often, then by id.
    let order = |c: &&Candidate| (c.last, c.count, c.membership_id);
    let mut out = Vec::new();
    for (idx, block) in blocks {
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
        let open: Vec<&Slot> = block
            .iter()
            .filter(|s| s.manual.is_none())
            .copied()
            .collect();
        if open.is_empty() {
            continue;
        }
        let free_for_block = |c: &&Candidate| open.iter().all(|s| c.free_on(s.local_date));
        let mut free: Vec<&Candidate> = candidates.iter().filter(free_for_block).collect();
        free.sort_by_key(order);
        let mut available: Vec<&Candidate> = free.iter().copied().filter(|c| c.may_lead).collect();
        // A block already under way (its first meetings are past) keeps its lead.
        let continuing = previous
            .filter(|p| p.block == idx)
            .and_then(|p| available.iter().position(|c| c.membership_id == p.lead));
        if let Some(pos) = continuing {
            let lead = available.remove(pos);
            available.insert(0, lead);
        } else if let Some(p) = previous
            && p.run >= max_consecutive
            && available.iter().any(|c| c.membership_id != p.lead)
        {
            available.retain(|c| c.membership_id != p.lead);
        }
        let chosen = match available.first() {
            Some(lead) => {
                let lead = lead.membership_id;
                let co = co_for(&free, lead);
                for slot in &open {
                    out.push(Assignment {
                        meeting_id: slot.meeting_id,
                        facilitator: Some(lead),
                        co_facilitator: co,
                    });
                }
                Some(lead)
            }
            // Nobody is free for the whole block: meeting by meeting, whoever is free.
            None => {
                let mut first = None;
                for slot in &open {
                    let mut free: Vec<&Candidate> = candidates
                        .iter()
                        .filter(|c| c.free_on(slot.local_date))
                        .collect();
                    free.sort_by_key(order);
                    if let Some(lead) = free.iter().find(|c| c.may_lead) {
                        first = first.or(Some(lead.membership_id));
                        out.push(Assignment {
                            meeting_id: slot.meeting_id,
                            facilitator: Some(lead.membership_id),
                            co_facilitator: co_for(&free, lead.membership_id),
                        });
                    }
                }
                first
            }
        };
        let Some(chosen) = chosen else { continue };
        for a in out.iter().rev().take(open.len()) {
            if let Some(c) = a
                .facilitator
                .and_then(|f| candidates.iter_mut().find(|c| c.membership_id == f))
            {
                c.count += 1;
            }
        }
        if let Some(c) = candidates.iter_mut().find(|c| c.membership_id == chosen) {
            c.last = open.iter().map(|s| s.starts_at).max();
        }
        previous = Some(match previous {
            Some(p) if p.block == idx && p.lead == chosen => p,
            Some(p) if p.lead == chosen => Previous {
                lead: chosen,
                run: p.run + 1,
                block: idx,
            },
            _ => Previous {
                lead: chosen,
                run: 1,
                block: idx,
            },
        });
    }
    out
}

/// The first free candidate after the lead who may co-facilitate.
fn co_for(free: &[&Candidate], lead: Uuid) -> Option<Uuid> {
    free.iter()
        .find(|c| c.membership_id != lead && c.may_co)
        .map(|c| c.membership_id)
}

/// Facilitating memberships of the group (FACILITATOR and CO_FACILITATOR, ACTIVE).
pub async fn facilitating(
    db: &impl ConnectionTrait,
    group_id: Uuid,
) -> AppResult<Vec<membership::Model>> {
    Ok(
        crate::domain::groups::reads::active_facilitators(db.get_database_backend(), &[group_id])
            .order_by_asc(membership::Column::Id)
            .all(db)
            .await?,
    )
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
    let (certified, in_practicum) = if g.requires_certified_facilitator {
        let people: Vec<Uuid> = people.iter().map(|m| m.person_id).collect();
        crate::domain::training::certified_and_in_practicum(&txn, g.organisation_id, &people, now)
            .await?
    } else {
        Default::default()
    };
    let candidates: Vec<Candidate> = people
        .iter()
        .map(|p| {
            let mine = past.iter().filter(|m| m.facilitator_id == Some(p.id));
            Candidate {
                membership_id: p.id,
                last: mine.clone().map(|m| m.starts_at).max(),
                count: mine.count() as u32,
                unavailable: unavailable.remove(&p.id).unwrap_or_default(),
                may_lead: !g.requires_certified_facilitator || certified.contains(&p.person_id),
                may_co: !g.requires_certified_facilitator
                    || certified.contains(&p.person_id)
                    || in_practicum.contains(&p.person_id),
            }
        })
        .collect();
    let leads = block_leads(
        past.iter().filter_map(|m| {
            m.facilitator_id
                .map(|f| (m.starts_at.with_timezone(&tz).date_naive(), m.starts_at, f))
        }),
        g.rotation_period_weeks,
    );
    let previous = Previous::from_leads(&leads);
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
                may_lead: true,
                may_co: true,
            })
            .collect()
    }

    #[test]
    fn only_the_certified_lead_and_trainees_co_facilitate_when_required() {
        let mut cands = people(4);
        // 1 and 3 are certified; 2 is a trainee in practicum; 4 neither.
        cands[1].may_lead = false;
        cands[3].may_lead = false;
        cands[3].may_co = false;
        let planned = plan(1, 1, cands, None, &weekly_slots(6));
        for a in &planned {
            let lead = a.facilitator.unwrap().as_u128();
            assert!(lead == 1 || lead == 3, "lead {lead}");
            let co = a.co_facilitator.unwrap().as_u128();
            assert_ne!(co, 4);
            assert_ne!(co, lead);
        }
        let leads: Vec<u128> = planned
            .iter()
            .map(|a| a.facilitator.unwrap().as_u128())
            .collect();
        assert_eq!(leads, [1, 3, 1, 3, 1, 3]);
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
        let before = Previous {
            lead: id(1),
            run: 2,
            block: 0,
        };
        let two = plan(1, 2, people(2), Some(before), &weekly_slots(4));
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
    fn a_block_under_way_keeps_its_lead_and_nobody_free_means_meeting_by_meeting() {
        let slots = weekly_slots(4);
        let current = block_index(slots[0].local_date, 2);
        // Person 2 led the first week of this two-week block already.
        let before = Previous {
            lead: id(2),
            run: 1,
            block: current,
        };
        let planned = plan(2, 1, people(3), Some(before), &slots[..1]);
        assert_eq!(planned[0].facilitator, Some(id(2)));
        // 1 is away in week one, 2 in week two: each week gets whoever is free.
        let mut folks = people(2);
        folks[0]
            .unavailable
            .push((slots[0].local_date, slots[0].local_date));
        folks[1]
            .unavailable
            .push((slots[1].local_date, slots[1].local_date));
        let two_weeks: Vec<Slot> = slots
            .iter()
            .filter(|s| block_index(s.local_date, 2) == current)
            .cloned()
            .collect();
        let planned = plan(2, 1, folks, None, &two_weeks);
        assert!(
            planned.iter().all(|a| a.facilitator.is_some()),
            "{planned:?}"
        );
    }

    #[test]
    fn block_leads_count_the_majority() {
        let d = |day: u32| NaiveDate::from_ymd_opt(2027, 1, day).unwrap();
        let t = |day: u32| Utc.with_ymd_and_hms(2027, 1, day, 18, 0, 0).unwrap();
        let leads = block_leads(
            [
                (d(4), t(4), id(1)),
                (d(5), t(5), id(1)),
                (d(6), t(6), id(2)),
            ],
            1,
        );
        assert_eq!(leads, [(block_index(d(4), 1), id(1))]);
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
