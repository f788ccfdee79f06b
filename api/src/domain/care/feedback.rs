//! Anonymous meeting feedback. The feedback row holds the meeting and the answers only; that
//! a person already answered is a separate keyed hash, so no column anywhere joins a person to
//! what they said. Summaries follow the wellbeing rules: nothing before the feedback window
//! closes (so two reads cannot be differenced to one answer), and nothing below the cohort.

use chrono::{DateTime, Duration, Utc};
use entity::{
    AttendanceStatus, MeetingStatus, attendance, meeting, meeting_feedback,
    meeting_feedback_receipt, membership,
};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect,
    RelationDef, Set, TransactionSession as _, TransactionTrait,
};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    domain::{
        access::Access, authz::require_person, care::wellbeing::Withheld,
        meetings::visible_meeting, values::optional_text,
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
    let inserted = meeting_feedback_receipt::ActiveModel {
        id: Set(random_id()?),
        meeting_id: Set(m.id),
        receipt: Set(receipt),
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

#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub responses: i32,
    pub average_relevance: f64,
    pub average_format: f64,
    pub average_stress_impact: f64,
    /// Sorted, so their order says nothing about who answered first.
    pub comments: Vec<String>,
}

/// The summary of a meeting's answers, or why it is withheld.
pub fn summarise(
    m: &meeting::Model,
    answers: &[meeting_feedback::Model],
    min_cohort: usize,
    now: DateTime<Utc>,
) -> Result<Summary, Withheld> {
    if now <= window_closes(m) + Duration::minutes(RELEASE_GRACE_MINUTES) {
        return Err(Withheld::NotClosed);
    }
    if answers.len() < min_cohort || answers.is_empty() {
        return Err(Withheld::TooFewContributors);
    }
    let n = answers.len() as f64;
    let mean =
        |f: fn(&meeting_feedback::Model) -> i32| f64::from(answers.iter().map(f).sum::<i32>()) / n;
    let mut comments: Vec<String> = answers.iter().filter_map(|a| a.comment.clone()).collect();
    comments.sort();
    Ok(Summary {
        responses: i32::try_from(answers.len()).unwrap_or(i32::MAX),
        average_relevance: mean(|a| a.relevance),
        average_format: mean(|a| a.format),
        average_stress_impact: mean(|a| a.stress_impact),
        comments,
    })
}
