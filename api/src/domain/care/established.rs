//! Who counts toward a cohort: **established** contributors only (docs/privacy.md,
//! "Established contributors").
//!
//! A facilitator records attendance and anyone can sign up, so a cohort counted over any
//! account can be filled with fake ones around a single real person. A person counts toward
//! the cohort of a bucket (a meeting, or a week starting at `bucket_start`) only through a
//! membership of the group that
//!
//! - belongs to an account created at least `ESTABLISHED_DAYS` before the bucket,
//! - joined the group at least `ESTABLISHED_DAYS` before the bucket, and
//! - was marked PRESENT at two or more HELD meetings of the group that started before the
//!   bucket, with that attendance recorded before the bucket too — so attendance back-filled
//!   (or re-recorded) after the bucket began does not count for it.
//!
//! 28 days: four weekly or two bi-weekly meetings. Faking a contributor then takes planning a
//! month ahead (an account, a membership and two recorded attendances before the bucket),
//! which a real group of 8–12 would notice; a real newcomer counts from their fifth week.
//!
//! The rule lives here twice, as `authz.rs` does it: the pure predicate `is_established` over
//! `Facts` (used when a week is frozen, over facts read in bulk), and its SQL twin
//! `established_members` (used when a feedback answer is taken). Both are evaluated once, when
//! a bucket is frozen or an answer stored, never on a read.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{AttendanceStatus, MeetingStatus, attendance, meeting, membership, person};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait as _, JoinType, QueryFilter, QuerySelect,
    RelationDef, Select, sea_query::Expr,
};
use uuid::Uuid;

use crate::{domain::in_ids, error::AppResult};

/// Account age and group tenure before the bucket, in days.
pub const ESTABLISHED_DAYS: i64 = 28;
/// HELD meetings of the group attended (PRESENT) before the bucket.
pub const EARLIER_MEETINGS: usize = 2;

/// One PRESENT at a HELD meeting: when the meeting started and when it was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attended {
    pub meeting_starts: DateTime<Utc>,
    pub recorded: DateTime<Utc>,
}

/// What the rule needs about one membership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub person: Uuid,
    pub group: Uuid,
    pub account_created: DateTime<Utc>,
    pub joined: Option<DateTime<Utc>>,
    pub attended: Vec<Attended>,
}

/// The pure rule: does this membership make its person count toward the bucket's cohort?
pub fn is_established(f: &Facts, bucket_start: DateTime<Utc>) -> bool {
    let cut = bucket_start - Duration::days(ESTABLISHED_DAYS);
    let earlier = f
        .attended
        .iter()
        .filter(|a| a.meeting_starts < bucket_start && a.recorded < bucket_start)
        .count();
    f.account_created <= cut && f.joined.is_some_and(|j| j <= cut) && earlier >= EARLIER_MEETINGS
}

fn to_meeting() -> RelationDef {
    attendance::Entity::belongs_to(meeting::Entity)
        .from(attendance::Column::MeetingId)
        .to(meeting::Column::Id)
        .into()
}

fn to_membership() -> RelationDef {
    attendance::Entity::belongs_to(membership::Entity)
        .from(attendance::Column::MembershipId)
        .to(membership::Column::Id)
        .into()
}

fn to_person() -> RelationDef {
    membership::Entity::belongs_to(person::Entity)
        .from(membership::Column::PersonId)
        .to(person::Column::Id)
        .into()
}

/// The SQL twin of `is_established`: the people of `group` established for a bucket starting
/// at `bucket_start`, one row (person id) each. Narrow it further with filters on
/// `membership::Column::PersonId`.
pub fn established_members(group: Uuid, bucket_start: DateTime<Utc>) -> Select<attendance::Entity> {
    let cut = bucket_start - Duration::days(ESTABLISHED_DAYS);
    let needed = i64::try_from(EARLIER_MEETINGS).unwrap_or(i64::MAX);
    attendance::Entity::find()
        .select_only()
        .column(membership::Column::PersonId)
        .join(JoinType::InnerJoin, to_meeting())
        .join(JoinType::InnerJoin, to_membership())
        .join(JoinType::InnerJoin, to_person())
        .filter(meeting::Column::GroupId.eq(group))
        .filter(membership::Column::GroupId.eq(group))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .filter(attendance::Column::Status.eq(AttendanceStatus::Present))
        .filter(meeting::Column::StartsAt.lt(bucket_start))
        .filter(attendance::Column::RecordedAt.lt(bucket_start))
        .filter(membership::Column::JoinedAt.lte(cut))
        .filter(person::Column::CreatedAt.lte(cut))
        .group_by(membership::Column::Id)
        .group_by(membership::Column::PersonId)
        .having(
            Expr::col((attendance::Entity, attendance::Column::Id))
                .count()
                .gte(needed),
        )
}

/// Whether `person` is established in `group` for a bucket starting at `bucket_start`.
pub async fn is_established_now(
    db: &impl ConnectionTrait,
    group: Uuid,
    person: Uuid,
    bucket_start: DateTime<Utc>,
) -> AppResult<bool> {
    let found: Option<Uuid> = established_members(group, bucket_start)
        .filter(membership::Column::PersonId.eq(person))
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// Membership id, group, person, joined, account created.
type MemberRow = (Uuid, Uuid, Uuid, Option<DateTime<Utc>>, DateTime<Utc>);

/// The facts of every membership of `groups` that joined before `before`, in two statements,
/// keyed by (group, person). Attendance is the PRESENT at HELD meetings starting before
/// `before`.
pub async fn facts(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
    before: DateTime<Utc>,
) -> AppResult<HashMap<(Uuid, Uuid), Vec<Facts>>> {
    let backend = db.get_database_backend();
    let members: Vec<MemberRow> = membership::Entity::find()
        .select_only()
        .column(membership::Column::Id)
        .column(membership::Column::GroupId)
        .column(membership::Column::PersonId)
        .column(membership::Column::JoinedAt)
        .column(person::Column::CreatedAt)
        .join(JoinType::InnerJoin, to_person())
        .filter(in_ids(
            backend,
            Expr::col((membership::Entity, membership::Column::GroupId)),
            groups,
        ))
        .filter(membership::Column::JoinedAt.lt(before))
        .into_tuple()
        .all(db)
        .await?;
    let present: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = attendance::Entity::find()
        .select_only()
        .column(attendance::Column::MembershipId)
        .column(meeting::Column::StartsAt)
        .column(attendance::Column::RecordedAt)
        .join(JoinType::InnerJoin, to_meeting())
        .filter(in_ids(
            backend,
            Expr::col((meeting::Entity, meeting::Column::GroupId)),
            groups,
        ))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .filter(attendance::Column::Status.eq(AttendanceStatus::Present))
        .filter(meeting::Column::StartsAt.lt(before))
        .into_tuple()
        .all(db)
        .await?;
    let mut attended: HashMap<Uuid, Vec<Attended>> = HashMap::new();
    for (membership, meeting_starts, recorded) in present {
        attended.entry(membership).or_default().push(Attended {
            meeting_starts,
            recorded,
        });
    }
    let mut out: HashMap<(Uuid, Uuid), Vec<Facts>> = HashMap::new();
    for (id, group, person, joined, account_created) in members {
        out.entry((group, person)).or_default().push(Facts {
            person,
            group,
            account_created,
            joined,
            attended: attended.remove(&id).unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days_ago: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(1000 - days_ago)
    }

    fn facts(created: i64, joined: i64, attended: &[(i64, i64)]) -> Facts {
        Facts {
            person: Uuid::nil(),
            group: Uuid::nil(),
            account_created: at(created),
            joined: Some(at(joined)),
            attended: attended
                .iter()
                .map(|(m, r)| Attended {
                    meeting_starts: at(*m),
                    recorded: at(*r),
                })
                .collect(),
        }
    }

    #[test]
    fn a_month_old_member_with_two_earlier_meetings_is_established() {
        let bucket = at(0);
        assert!(is_established(&facts(60, 30, &[(14, 14), (7, 7)]), bucket));
        // Exactly 28 days is enough.
        assert!(is_established(&facts(28, 28, &[(14, 14), (7, 7)]), bucket));
    }

    #[test]
    fn fresh_accounts_new_members_and_back_filled_attendance_are_not() {
        let bucket = at(0);
        // A new account, however long it claims to have been in the group.
        assert!(!is_established(&facts(3, 30, &[(14, 14), (7, 7)]), bucket));
        // A recent join.
        assert!(!is_established(&facts(60, 10, &[(9, 9), (7, 7)]), bucket));
        // One meeting only.
        assert!(!is_established(&facts(60, 30, &[(7, 7)]), bucket));
        // Two meetings, but one recorded after the bucket started: back-filled.
        assert!(!is_established(
            &facts(60, 30, &[(14, 14), (7, -1)]),
            bucket
        ));
        // A meeting after the bucket started does not count for it.
        assert!(!is_established(
            &facts(60, 30, &[(14, 14), (-2, -2)]),
            bucket
        ));
        // Never joined.
        let mut pending = facts(60, 30, &[(14, 14), (7, 7)]);
        pending.joined = None;
        assert!(!is_established(&pending, bucket));
    }
}
