//! Anonymous meeting feedback. The feedback row holds the meeting and the answers only; that
//! a person already answered is a separate keyed hash, so no column anywhere joins a person to
//! what they said. Summaries follow the wellbeing rules (docs/privacy.md, "Anonymous meeting
//! feedback"):
//!
//! - nothing before the feedback window closes, so two reads cannot be differenced to one
//!   answer;
//! - the cohort counts **established** respondents only (`established.rs`, judged when the
//!   answer is taken and kept on its receipt, never on the answer), so a facilitator cannot
//!   fill it with fresh sign-ups marked present;
//! - the summary is computed and frozen once, with discrete Laplace noise on each question's
//!   histogram (`QUESTION_EPSILON`) and the comments in a random order; at most
//!   `SUMMARIES_PER_PERIOD` summaries of a group are released per `PERIOD_DAYS`, which bounds
//!   the ε any member spends on feedback.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{
    AttendanceStatus, MeetingStatus, attendance, feedback_summary, group, meeting,
    meeting_feedback, meeting_feedback_receipt, membership,
};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationDef, Set,
    TransactionSession as _, TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::require_person,
        care::{
            established,
            noise::{self, Entropy, OsEntropy},
            wellbeing::Withheld,
        },
        in_ids,
        meetings::visible_meeting,
        values::optional_text,
    },
    error::{AppError, AppResult},
};

/// Feedback is taken for this long after a meeting starts; its summary is released after.
pub const WINDOW_HOURS: i64 = 72;
/// The summary waits this much longer, so an answer accepted just before the window closed
/// (and committed just after) lands before anyone can read the summary.
pub const RELEASE_GRACE_MINUTES: i64 = 5;

pub fn window_closes(m: &meeting::Model) -> DateTime<Utc> {
    m.starts_at + Duration::hours(WINDOW_HOURS)
}

pub struct Answers {
    pub relevance: i32,
    pub format: i32,
    pub stress_impact: i32,
    pub comment: Option<String>,
}

fn scale(field: &str, value: i32, range: std::ops::RangeInclusive<i32>) -> AppResult<i32> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            format!("give {} to {}", range.start(), range.end()),
        ))
    }
}

/// HMAC-SHA256 of the meeting and person under a key derived from CANOPY_RECEIPT_KEY (or the
/// JWT secret). The key is labelled so a secret that also signs tokens never produces these
/// values directly.
pub fn receipt(secret: &[u8], meeting: Uuid, person: Uuid) -> AppResult<String> {
    let mut keyed = Hmac::<Sha256>::new_from_slice(secret).map_err(AppError::internal)?;
    keyed.update(b"canopy meeting-feedback receipt v1");
    let key = keyed.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(AppError::internal)?;
    mac.update(meeting.as_bytes());
    mac.update(person.as_bytes());
    Ok(mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A random (v4) id: a time-ordered one would say when the answer was given.
pub(crate) fn random_id() -> AppResult<Uuid> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// An attendee (PRESENT) of a HELD meeting answers once, within the window.
pub async fn submit(
    db: &impl TransactionTrait,
    access: &Access,
    secret: &[u8],
    meeting_id: Uuid,
    answers: Answers,
) -> AppResult<meeting::Model> {
    let me = require_person(access)?;
    let relevance = scale("relevance", answers.relevance, 1..=5)?;
    let format = scale("format", answers.format, 1..=5)?;
    let stress_impact = scale("stressImpact", answers.stress_impact, -2..=2)?;
    let comment = optional_text("comment", answers.comment.as_deref(), 2000)?;
    let txn = crate::domain::begin(db).await?;
    let (m, _, _) = visible_meeting(&txn, access, meeting_id).await?;
    if m.status != MeetingStatus::Held {
        return Err(AppError::bad_input(
            "meetingId",
            "feedback is for meetings that have been held",
        ));
    }
    if Utc::now() > window_closes(&m) {
        return Err(AppError::bad_input(
            "meetingId",
            format!("feedback closes {WINDOW_HOURS} hours after the meeting starts"),
        ));
    }
    let through_membership: RelationDef = attendance::Entity::belongs_to(membership::Entity)
        .from(attendance::Column::MembershipId)
        .to(membership::Column::Id)
        .into();
    let attended = attendance::Entity::find()
        .join(JoinType::InnerJoin, through_membership)
        .filter(attendance::Column::MeetingId.eq(m.id))
        .filter(attendance::Column::Status.eq(AttendanceStatus::Present))
        .filter(membership::Column::PersonId.eq(me))
        .count(&txn)
        .await?;
    if attended == 0 {
        return Err(AppError::forbidden(
            "feedback is from the people who attended",
        ));
    }
    let receipt = receipt(secret, m.id, me)?;
    // Judged now, against the facts before the meeting began, and kept on the receipt: it
    // decides whether this answer counts toward the cohort, and is never read again per person.
    let established = established::is_established_now(&txn, m.group_id, me, m.starts_at).await?;
    let inserted = meeting_feedback_receipt::ActiveModel {
        id: Set(random_id()?),
        meeting_id: Set(m.id),
        receipt: Set(receipt),
        established: Set(established),
    }
    .insert(&txn)
    .await;
    match inserted {
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            return Err(AppError::conflict(
                "you have already given feedback on this meeting",
            ));
        }
        other => other?,
    };
    meeting_feedback::ActiveModel {
        id: Set(random_id()?),
        meeting_id: Set(m.id),
        relevance: Set(relevance),
        format: Set(format),
        stress_impact: Set(stress_impact),
        comment: Set(comment),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// ε spent on each question's histogram (each answer is one person, in one bin): three
/// questions spend 1.5 per summary.
pub const QUESTION_EPSILON: f64 = 0.5;
/// At most this many summaries of a group are released in any `PERIOD_DAYS` (weekly
/// meetings); later ones in the period are withheld (`BudgetSpent`).
pub const SUMMARIES_PER_PERIOD: usize = 4;
/// The budget period.
pub const PERIOD_DAYS: i64 = 28;

/// Whether a released summary of a meeting starting `other` counts against the budget of one
/// starting `starts`: any within a period **either side**, not only before. Summaries freeze
/// on first read, in whatever order readers ask; counting only earlier releases let a reader
/// going newest first find none and release every meeting. Counted both ways, the last of any
/// five meetings inside one period to be frozen sees the other four, whatever the order, so
/// no `PERIOD_DAYS` window ever holds more than `SUMMARIES_PER_PERIOD` releases. The cost: a
/// meeting read late may be withheld for releases after it that a chronological reader would
/// have withheld instead.
pub fn within_period(other: DateTime<Utc>, starts: DateTime<Utc>) -> bool {
    let period = Duration::days(PERIOD_DAYS);
    other > starts - period && other < starts + period
}

/// Whether a meeting's summary may be computed yet: once its window closed, with a grace.
pub fn is_closed(m_starts_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now > m_starts_at + Duration::hours(WINDOW_HOURS) + Duration::minutes(RELEASE_GRACE_MINUTES)
}

/// A summary as frozen: noisy histograms (relevance 1…5, format 1…5, stress −2…2), the
/// established respondents, comments in their frozen random order, or the budget verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrozenSummary {
    pub established: i32,
    pub budget_spent: bool,
    pub relevance: [i32; 5],
    pub format: [i32; 5],
    pub stress: [i32; 5],
    pub comments: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Noisy: the sum of the noisy relevance histogram.
    pub responses: i32,
    /// None when noise left no count to average.
    pub average_relevance: Option<f64>,
    pub average_format: Option<f64>,
    pub average_stress_impact: Option<f64>,
    /// In a random order, fixed when the summary was frozen.
    pub comments: Vec<String>,
}

fn mean(counts: &[i32; 5], lowest: i32) -> Option<f64> {
    let n: i32 = counts.iter().sum();
    let total: i32 = counts.iter().zip(lowest..).map(|(c, v)| c * v).sum();
    (n > 0).then(|| f64::from(total) / f64::from(n))
}

/// What a frozen summary releases at this cohort size, or why it is withheld. Comments go
/// with the numbers, only when the established cohort is met.
pub fn release(f: &FrozenSummary, min_cohort: i32) -> Result<Summary, Withheld> {
    if f.budget_spent {
        return Err(Withheld::BudgetSpent);
    }
    if f.established < min_cohort.max(1) {
        return Err(Withheld::TooFewContributors);
    }
    // Noise may take every count of a question to zero: then it has no mean to show.
    Ok(Summary {
        responses: f.relevance.iter().sum(),
        average_relevance: mean(&f.relevance, 1),
        average_format: mean(&f.format, 1),
        average_stress_impact: mean(&f.stress, -2),
        comments: f.comments.clone(),
    })
}

/// The true per-question histograms of a meeting's answers.
pub fn histograms(answers: &[meeting_feedback::Model]) -> [[i32; 5]; 3] {
    let mut h = [[0; 5]; 3];
    let bin = |v: i32, lowest: i32| usize::try_from(v - lowest).ok().filter(|i| *i < 5);
    for a in answers {
        for (q, slot) in [
            (0, bin(a.relevance, 1)),
            (1, bin(a.format, 1)),
            (2, bin(a.stress_impact, -2)),
        ] {
            if let Some(i) = slot {
                h[q][i] += 1;
            }
        }
    }
    h
}

/// A meeting whose summary is wanted, and the cohort size deciding what counts as released
/// toward the group's budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SummaryOf {
    pub meeting: Uuid,
    pub group: Uuid,
    pub starts_at: DateTime<Utc>,
    pub min_cohort: i32,
}

fn frozen_of(row: &feedback_summary::Model) -> AppResult<FrozenSummary> {
    let comments = match &row.comments {
        Some(json) => serde_json::from_str(json).map_err(AppError::internal)?,
        None => Vec::new(),
    };
    Ok(FrozenSummary {
        established: row.established,
        budget_spent: row.withheld.as_deref() == Some(BUDGET_SPENT),
        relevance: [
            row.relevance1,
            row.relevance2,
            row.relevance3,
            row.relevance4,
            row.relevance5,
        ],
        format: [
            row.format1,
            row.format2,
            row.format3,
            row.format4,
            row.format5,
        ],
        stress: [
            row.stress1,
            row.stress2,
            row.stress3,
            row.stress4,
            row.stress5,
        ],
        comments,
    })
}

const BUDGET_SPENT: &str = "BUDGET_SPENT";

async fn read_summaries(
    db: &impl ConnectionTrait,
    meetings: &[Uuid],
) -> AppResult<HashMap<Uuid, FrozenSummary>> {
    let rows = feedback_summary::Entity::find()
        .filter(in_ids(
            db.get_database_backend(),
            Expr::col((
                feedback_summary::Entity,
                feedback_summary::Column::MeetingId,
            )),
            meetings,
        ))
        .all(db)
        .await?;
    rows.iter()
        .map(|r| Ok((r.meeting_id, frozen_of(r)?)))
        .collect()
}

/// The frozen summaries of closed meetings, freezing those read for the first time: one
/// statement when all are frozen, five when some are not. Noise, the comments' order and the
/// budget verdict are decided here, once.
#[tracing::instrument(skip_all)]
pub async fn frozen_summaries<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    wanted: &[SummaryOf],
) -> AppResult<HashMap<Uuid, FrozenSummary>> {
    let ids: Vec<Uuid> = wanted.iter().map(|w| w.meeting).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = read_summaries(db, &ids).await?;
    if wanted.iter().all(|w| found.contains_key(&w.meeting)) {
        return Ok(found);
    }
    // Freezing decides the budget from the group's other releases, so two readers freezing
    // meetings of one group at once must not both count the same releases: the group rows
    // are locked for the freeze (PostgreSQL; SQLite's immediate transaction already writes
    // one at a time), and the summaries read again under the lock.
    let txn = crate::domain::begin(db).await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        let mut groups: Vec<Uuid> = wanted.iter().map(|w| w.group).collect();
        groups.sort_unstable();
        groups.dedup();
        let _: Vec<Uuid> = group::Entity::find()
            .select_only()
            .column(group::Column::Id)
            .filter(group::Column::Id.is_in(groups))
            .order_by_asc(group::Column::Id)
            .lock_exclusive()
            .into_tuple()
            .all(&txn)
            .await?;
    }
    let found = freeze_missing(&txn, wanted, &ids).await?;
    txn.commit().await?;
    Ok(found)
}

async fn freeze_missing(
    db: &impl ConnectionTrait,
    wanted: &[SummaryOf],
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, FrozenSummary>> {
    let mut found = read_summaries(db, ids).await?;
    let mut missing: Vec<SummaryOf> = wanted
        .iter()
        .filter(|w| !found.contains_key(&w.meeting))
        .copied()
        .collect();
    if missing.is_empty() {
        return Ok(found);
    }
    // Oldest first, so within one batch the budget goes to meetings in their order.
    missing.sort_by_key(|w| (w.starts_at, w.meeting));
    missing.dedup_by_key(|w| w.meeting);
    let backend = db.get_database_backend();
    let missing_ids: Vec<Uuid> = missing.iter().map(|w| w.meeting).collect();
    let answers = meeting_feedback::Entity::find()
        .filter(in_ids(
            backend,
            Expr::col((
                meeting_feedback::Entity,
                meeting_feedback::Column::MeetingId,
            )),
            &missing_ids,
        ))
        .all(db)
        .await?;
    let established: Vec<(Uuid, i64)> = meeting_feedback_receipt::Entity::find()
        .select_only()
        .column(meeting_feedback_receipt::Column::MeetingId)
        .column_as(meeting_feedback_receipt::Column::Id.count(), "n")
        .filter(in_ids(
            backend,
            Expr::col((
                meeting_feedback_receipt::Entity,
                meeting_feedback_receipt::Column::MeetingId,
            )),
            &missing_ids,
        ))
        .filter(meeting_feedback_receipt::Column::Established.eq(true))
        .group_by(meeting_feedback_receipt::Column::MeetingId)
        .into_tuple()
        .all(db)
        .await?;
    let established: HashMap<Uuid, i64> = established.into_iter().collect();
    // Summaries of these groups released within a period either side of any missing one.
    let groups: Vec<Uuid> = missing.iter().map(|w| w.group).collect();
    let since = missing
        .iter()
        .map(|w| w.starts_at)
        .min()
        .unwrap_or_default()
        - Duration::days(PERIOD_DAYS);
    let until = missing
        .iter()
        .map(|w| w.starts_at)
        .max()
        .unwrap_or_default()
        + Duration::days(PERIOD_DAYS);
    let mut released: Vec<(Uuid, DateTime<Utc>)> = feedback_summary::Entity::find()
        .select_only()
        .column(feedback_summary::Column::GroupId)
        .column(feedback_summary::Column::MeetingStartsAt)
        .filter(in_ids(
            backend,
            Expr::col((feedback_summary::Entity, feedback_summary::Column::GroupId)),
            &groups,
        ))
        .filter(feedback_summary::Column::MeetingStartsAt.gt(since))
        .filter(feedback_summary::Column::MeetingStartsAt.lt(until))
        .filter(feedback_summary::Column::Withheld.is_null())
        .filter(feedback_summary::Column::Established.gte(missing[0].min_cohort))
        .into_tuple()
        .all(db)
        .await?;
    let mut entropy = OsEntropy::new();
    let now = Utc::now();
    let mut rows = Vec::with_capacity(missing.len());
    for w in &missing {
        let mine: Vec<meeting_feedback::Model> = answers
            .iter()
            .filter(|a| a.meeting_id == w.meeting)
            .cloned()
            .collect();
        let n_established = established.get(&w.meeting).copied().unwrap_or(0);
        let n_established = i32::try_from(n_established).map_err(AppError::internal)?;
        let would_release = n_established >= w.min_cohort.max(1);
        let spent = released
            .iter()
            .filter(|(g, at)| *g == w.group && within_period(*at, w.starts_at))
            .count()
            >= SUMMARIES_PER_PERIOD;
        let budget_spent = would_release && spent;
        if would_release && !budget_spent {
            released.push((w.group, w.starts_at));
        }
        let mut frozen = freeze(&mut entropy, &mine, n_established, budget_spent)?;
        if !would_release || budget_spent {
            // Never to be shown: not kept twice.
            frozen.comments.clear();
        }
        rows.push((*w, frozen));
    }
    let models = rows
        .iter()
        .map(|(w, f)| to_model(w, f, now))
        .collect::<AppResult<Vec<_>>>()?;
    let inserted = feedback_summary::Entity::insert_many(models)
        .on_conflict(
            OnConflict::column(feedback_summary::Column::MeetingId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted == rows.len() as u64 {
        found.extend(rows.into_iter().map(|(w, f)| (w.meeting, f)));
        Ok(found)
    } else {
        // A concurrent reader froze some first; theirs stands.
        read_summaries(db, ids).await
    }
}

/// The noisy, shuffled summary of one meeting's answers; the comments in a random order.
pub fn freeze(
    e: &mut impl Entropy,
    answers: &[meeting_feedback::Model],
    established: i32,
    budget_spent: bool,
) -> AppResult<FrozenSummary> {
    let [relevance, format, stress] = histograms(answers);
    let mut comments: Vec<String> = answers.iter().filter_map(|a| a.comment.clone()).collect();
    noise::shuffle(e, &mut comments)?;
    Ok(FrozenSummary {
        established,
        budget_spent,
        relevance: noise::noisy_histogram(e, relevance, QUESTION_EPSILON)?,
        format: noise::noisy_histogram(e, format, QUESTION_EPSILON)?,
        stress: noise::noisy_histogram(e, stress, QUESTION_EPSILON)?,
        comments,
    })
}

fn to_model(
    w: &SummaryOf,
    f: &FrozenSummary,
    now: DateTime<Utc>,
) -> AppResult<feedback_summary::ActiveModel> {
    let [r1, r2, r3, r4, r5] = f.relevance;
    let [f1, f2, f3, f4, f5] = f.format;
    let [s1, s2, s3, s4, s5] = f.stress;
    Ok(feedback_summary::ActiveModel {
        id: Set(random_id()?),
        meeting_id: Set(w.meeting),
        group_id: Set(w.group),
        meeting_starts_at: Set(w.starts_at),
        established: Set(f.established),
        withheld: Set(f.budget_spent.then(|| BUDGET_SPENT.to_owned())),
        relevance1: Set(r1),
        relevance2: Set(r2),
        relevance3: Set(r3),
        relevance4: Set(r4),
        relevance5: Set(r5),
        format1: Set(f1),
        format2: Set(f2),
        format3: Set(f3),
        format4: Set(f4),
        format5: Set(f5),
        stress1: Set(s1),
        stress2: Set(s2),
        stress3: Set(s3),
        stress4: Set(s4),
        stress5: Set(s5),
        comments: Set(Some(
            serde_json::to_string(&f.comments).map_err(AppError::internal)?,
        )),
        frozen_at: Set(now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(relevance: i32, stress: i32, comment: Option<&str>) -> meeting_feedback::Model {
        meeting_feedback::Model {
            id: Uuid::nil(),
            meeting_id: Uuid::nil(),
            relevance,
            format: 4,
            stress_impact: stress,
            comment: comment.map(str::to_owned),
        }
    }

    #[test]
    fn too_few_established_respondents_release_nothing_however_many_answered() {
        let mut e = noise::SplitMix64(9);
        let answers: Vec<_> = (0..5).map(|_| answer(5, 2, Some("secret"))).collect();
        let f = freeze(&mut e, &answers, 1, false).unwrap_or_default();
        assert_eq!(release(&f, 5), Err(Withheld::TooFewContributors));
        let spent = freeze(&mut e, &answers, 6, true).unwrap_or_default();
        assert_eq!(release(&spent, 5), Err(Withheld::BudgetSpent));
    }

    #[test]
    fn a_released_summary_is_noisy_but_within_its_scales() {
        let mut e = noise::SplitMix64(10);
        let answers: Vec<_> = (0..8).map(|i| answer(1 + i % 5, i % 5 - 2, None)).collect();
        assert_eq!(histograms(&answers)[0], [2, 2, 2, 1, 1]);
        for _ in 0..200 {
            let f = freeze(&mut e, &answers, 8, false).unwrap_or_default();
            let s = release(&f, 5);
            assert!(s.is_ok());
            if let Ok(s) = s {
                assert!(s.average_relevance.is_none_or(|m| (1.0..=5.0).contains(&m)));
                assert!(s.average_format.is_none_or(|m| (1.0..=5.0).contains(&m)));
                assert!(
                    s.average_stress_impact
                        .is_none_or(|m| (-2.0..=2.0).contains(&m))
                );
                assert!(s.responses >= 0);
            }
        }
    }
}
