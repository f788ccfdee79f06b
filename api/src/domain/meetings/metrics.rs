//! Group health metrics (definitions in docs/metrics.md), computed from rows the loaders fetch
//! in batches; these functions are plain arithmetic.

use chrono::{DateTime, Duration, Utc};
use entity::{AttendanceStatus, CommitmentStatus, MembershipStatus, attendance, membership};

/// How many recent HELD meetings attendance consistency looks at.
pub const CONSISTENCY_WINDOW: usize = 4;
pub const CONSISTENT_RATE: f64 = 0.8;

/// Attended ÷ the group's last 4 HELD meetings since the member joined; None before any.
/// `recent_held` are the group's last HELD meetings (start times), newest first.
pub fn consistency(
    member: &membership::Model,
    recent_held: &[(uuid::Uuid, DateTime<Utc>)],
    attendance: &[attendance::Model],
) -> Option<f64> {
    let joined = member.joined_at.unwrap_or(member.created_at);
    let window: Vec<uuid::Uuid> = recent_held
        .iter()
        .filter(|(_, starts)| *starts >= joined)
        .take(CONSISTENCY_WINDOW)
        .map(|(id, _)| *id)
        .collect();
    if window.is_empty() {
        return None;
    }
    let attended = attendance
        .iter()
        .filter(|a| {
            a.membership_id == member.id
                && a.status == AttendanceStatus::Present
                && window.contains(&a.meeting_id)
        })
        .count();
    Some(attended as f64 / window.len() as f64)
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupConsistency {
    pub average_rate: Option<f64>,
    pub members_at_or_above_80_percent: i32,
    pub members_measured: i32,
}

pub fn group_consistency(rates: impl Iterator<Item = Option<f64>>) -> GroupConsistency {
    let measured: Vec<f64> = rates.flatten().collect();
    GroupConsistency {
        average_rate: (!measured.is_empty())
            .then(|| measured.iter().sum::<f64>() / measured.len() as f64),
        members_at_or_above_80_percent: measured.iter().filter(|r| **r >= CONSISTENT_RATE).count()
            as i32,
        members_measured: measured.len() as i32,
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completion {
    pub done: i32,
    pub partial: i32,
    pub not_done: i32,
    pub open: i32,
    /// DONE ÷ reviewed (DONE + PARTIAL + NOT_DONE); DROPPED and OPEN do not count.
    pub rate: Option<f64>,
}

pub fn completion(statuses: impl Iterator<Item = CommitmentStatus>) -> Completion {
    let mut c = Completion::default();
    for s in statuses {
        match s {
            CommitmentStatus::Done => c.done += 1,
            CommitmentStatus::Partial => c.partial += 1,
            CommitmentStatus::NotDone => c.not_done += 1,
            CommitmentStatus::Open => c.open += 1,
            CommitmentStatus::Dropped => {}
        }
    }
    let reviewed = c.done + c.partial + c.not_done;
    c.rate = (reviewed > 0).then(|| f64::from(c.done) / f64::from(reviewed));
    c
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Retention {
    pub active_members: i32,
    pub median_tenure_days: Option<f64>,
    pub left_last_90_days: i32,
}

pub fn retention(memberships: &[membership::Model], now: DateTime<Utc>) -> Retention {
    let mut tenures: Vec<i64> = memberships
        .iter()
        .filter(|m| m.status == MembershipStatus::Active)
        .map(|m| (now - m.joined_at.unwrap_or(m.created_at)).num_days())
        .collect();
    tenures.sort_unstable();
    let median = match tenures.len() {
        0 => None,
        n if n % 2 == 1 => Some(tenures[n / 2] as f64),
        n => Some((tenures[n / 2 - 1] + tenures[n / 2]) as f64 / 2.0),
    };
    let since = now - Duration::days(90);
    Retention {
        active_members: tenures.len() as i32,
        median_tenure_days: median,
        left_last_90_days: memberships
            .iter()
            // Members who were in the group: a withdrawn application or waitlist place is not a
            // departure.
            .filter(|m| matches!(m.status, MembershipStatus::Left | MembershipStatus::Removed))
            .filter(|m| m.joined_at.is_some())
            .filter(|m| m.left_at.is_some_and(|t| t >= since))
            .count() as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_counts_reviewed_commitments_only() {
        use CommitmentStatus::*;
        let c = completion([Done, Done, Partial, NotDone, Open, Dropped].into_iter());
        assert_eq!((c.done, c.partial, c.not_done, c.open), (2, 1, 1, 1));
        assert_eq!(c.rate, Some(0.5));
        assert_eq!(completion([Open].into_iter()).rate, None);
    }

    #[test]
    fn group_consistency_averages_the_measured() {
        let g = group_consistency([Some(1.0), Some(0.5), None, Some(0.75)].into_iter());
        assert_eq!(g.members_measured, 3);
        assert_eq!(g.members_at_or_above_80_percent, 1);
        assert_eq!(g.average_rate, Some(0.75));
    }
}
