//! The demo network's member care: twelve weeks of check-ins (some weeks with enough people
//! to show, some suppressed), pledges in every standing, polls, suggestions, anonymous
//! feedback on held meetings, buddy pairs (one running, one run out) and, in the first
//! BY_CONSENT group, one application half way through its votes.

use chrono::{DateTime, Datelike, Duration, Months, Utc};
use entity::{
    ApplicationStatus, AttendanceStatus, ConsentVote, MeetingStatus, MembershipRole,
    MembershipStatus, SuggestionStatus, Thumb, application_vote, attendance, buddy_pair, check_in,
    group, meeting, meeting_feedback, meeting_feedback_receipt, membership, membership_application,
    person, pledge, pledge_acceptance, poll, poll_vote, suggestion,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use super::life::roll;
use crate::{
    domain::care::{established, feedback, wellbeing::monday},
    error::AppResult,
};

const NOTES: &[&str] = &[
    "Slept badly, long shift.",
    "Better after the walk.",
    "Mum had a good day.",
    "Too many emails.",
    "Calm weekend.",
];

/// Contributors in the week `w` weeks ago: two and five weeks ago only three people check
/// in, so those buckets are suppressed; the others have seven (or everyone, in small groups).
/// The oldest weeks are suppressed too: nobody is established before two held meetings.
fn contributors(w: i64, members: usize) -> usize {
    if w == 2 || w == 5 { 3 } else { members.min(7) }
}

/// The demo's accounts are as old as their first membership, so members who joined months
/// ago count as established (`domain/care/established.rs`).
async fn accounts_as_old_as_memberships(
    db: &impl ConnectionTrait,
    members: &[membership::Model],
) -> AppResult<()> {
    for m in members {
        let Some(joined) = m.joined_at else { continue };
        person::Entity::update_many()
            .col_expr(person::Column::CreatedAt, Expr::value(joined))
            .filter(person::Column::Id.eq(m.person_id))
            .filter(person::Column::CreatedAt.gt(joined))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The demo's history starts before the group row was written: the group dates from its
/// first member, or `Group.wellbeing` would read every earlier week as before the group.
async fn group_as_old_as_its_first_member(
    db: &impl ConnectionTrait,
    g: &group::Model,
    members: &[membership::Model],
) -> AppResult<()> {
    let Some(first) = members.iter().filter_map(|m| m.joined_at).min() else {
        return Ok(());
    };
    group::Entity::update_many()
        .col_expr(group::Column::CreatedAt, Expr::value(first))
        .filter(group::Column::Id.eq(g.id))
        .filter(group::Column::CreatedAt.gt(first))
        .exec(db)
        .await?;
    Ok(())
}

async fn check_ins(
    db: &impl ConnectionTrait,
    g: &group::Model,
    members: &[membership::Model],
    group_index: usize,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let today = now.date_naive();
    let mut rows = Vec::new();
    for w in 1..=12i64 {
        let week = monday(today) - Duration::weeks(w);
        let n = contributors(w, members.len());
        for (k, m) in members.iter().enumerate() {
            // A different subset of people each week.
            if (k + w as usize) % members.len() >= n {
                continue;
            }
            let days = 1 + roll(k, w as usize, group_index) % 3;
            for d in 0..days {
                let day = week + Duration::days((d * 2 + k % 2) as i64);
                let r = roll(k, w as usize * 7 + d, group_index + 11);
                rows.push(check_in::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    person_id: Set(m.person_id),
                    group_id: Set(g.id),
                    local_date: Set(day),
                    rating: Set(1 + i32::try_from(r % 5).unwrap_or(2)),
                    note: Set(r
                        .is_multiple_of(4)
                        .then(|| NOTES[r % NOTES.len()].to_owned())),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
        }
    }
    // A few already this week (the week stays open until Sunday).
    for (k, m) in members.iter().enumerate().take(3) {
        let day = monday(today)
            + Duration::days(i64::from(today.weekday().num_days_from_monday()).min(k as i64));
        rows.push(check_in::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(m.person_id),
            group_id: Set(g.id),
            local_date: Set(day),
            rating: Set(2 + (k as i32 % 3)),
            note: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }
    for chunk in rows.chunks(200) {
        check_in::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Version 1 a year ago; most members accepted a month ago, and one each is missing, expired
/// and expiring within the month.
async fn pledges(
    db: &impl ConnectionTrait,
    g: &group::Model,
    members: &[membership::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let p = pledge::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        version: Set(1),
        text: Set("What is said here stays here. I will not share anyone's story, name or situation outside the group, and I will speak from my own experience.".into()),
        published_by: Set(members.first().map(|m| m.person_id)),
        created_at: Set(now - Duration::days(400)),
    }
    .insert(db)
    .await?;
    for (k, m) in members.iter().enumerate() {
        let accepted = match k {
            4 => continue,
            5 => now - Months::new(13),
            6 => now - Months::new(12) + Duration::days(12),
            _ => now - Duration::days(30 + k as i64),
        };
        pledge_acceptance::ActiveModel {
            id: Set(Uuid::now_v7()),
            pledge_id: Set(p.id),
            person_id: Set(m.person_id),
            accepted_at: Set(accepted),
            valid_until: Set(accepted + Months::new(12)),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn polls(
    db: &impl ConnectionTrait,
    g: &group::Model,
    members: &[membership::Model],
    group_index: usize,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let asked_by = members.first().map(|m| m.person_id);
    // An open secret ballot (tally withheld until it closes), a closed one (tally shown: most
    // members voted) and an open ballot (live tally, declared when asked).
    let specs = [
        (
            "Shall we try a walking meeting next month?",
            now + Duration::days(5),
            None,
            false,
        ),
        (
            "Keep the one-minute check-in round?",
            now - Duration::days(14),
            Some(now - Duration::days(14)),
            false,
        ),
        (
            "Bring something to share at the end-of-year meeting? (open ballot)",
            now + Duration::days(7),
            None,
            true,
        ),
    ];
    for (i, (question, closes_at, closed_at, open_ballot)) in specs.into_iter().enumerate() {
        let p = poll::ActiveModel {
            id: Set(Uuid::now_v7()),
            group_id: Set(g.id),
            meeting_id: Set(None),
            question: Set(question.into()),
            closes_at: Set(closes_at),
            closed_at: Set(closed_at),
            created_by: Set(asked_by),
            created_at: Set(now - Duration::days(20)),
            open_ballot: Set(open_ballot),
            // A closed one's tally is frozen when first read, as for any poll.
            ..Default::default()
        }
        .insert(db)
        .await?;
        // Half the members have voted on the open polls; most on the closed one.
        let voters = if i == 1 {
            members.len() - 1
        } else {
            members.len() / 2
        };
        for (k, m) in members.iter().enumerate().take(voters) {
            poll_vote::ActiveModel {
                id: Set(Uuid::now_v7()),
                poll_id: Set(p.id),
                person_id: Set(m.person_id),
                vote: Set(if roll(k, i, group_index + 3) < 70 {
                    Thumb::Up
                } else {
                    Thumb::Down
                }),
                updated_at: Set(now - Duration::days(15)),
            }
            .insert(db)
            .await?;
        }
    }
    for (text, status) in [
        (
            "Could we start ten minutes later in winter?",
            SuggestionStatus::Open,
        ),
        (
            "A short grounding exercise at the start would help me.",
            SuggestionStatus::Addressed,
        ),
    ] {
        // Stored as the service stores them: a random id and the day, dropped days ago (so
        // released).
        suggestion::ActiveModel {
            id: Set(crate::domain::care::feedback::random_id()?),
            group_id: Set(g.id),
            text: Set(text.into()),
            status: Set(status),
            created_at: Set(crate::domain::care::suggestions::day_start(
                now - Duration::days(10),
            )),
            updated_at: Set(now - Duration::days(3)),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Answers from the attendees of the last two held meetings whose feedback window has closed.
/// Their receipts are random (nobody can answer those meetings any more) but say, as real
/// ones do, whether the person was established, which decides the summary's cohort.
async fn feedback_on_meetings(
    db: &impl ConnectionTrait,
    g: &group::Model,
    group_index: usize,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let closed_before = now - Duration::hours(feedback::WINDOW_HOURS);
    let held = meeting::Entity::find()
        .filter(meeting::Column::GroupId.eq(g.id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .filter(meeting::Column::StartsAt.lt(closed_before))
        .order_by_desc(meeting::Column::StartsAt)
        .all(db)
        .await?;
    for (i, m) in held.iter().take(2).enumerate() {
        let present = attendance::Entity::find()
            .filter(attendance::Column::MeetingId.eq(m.id))
            .filter(attendance::Column::Status.eq(AttendanceStatus::Present))
            .all(db)
            .await?;
        // The second meeting back heard from only three people: its summary is suppressed.
        let answers = if i == 1 {
            present.len().min(3)
        } else {
            present.len()
        };
        for (k, a) in present.iter().enumerate().take(answers) {
            let person = membership::Entity::find_by_id(a.membership_id)
                .one(db)
                .await?
                .map(|m| m.person_id);
            let established = match person {
                Some(p) => established::is_established_now(db, g.id, p, m.starts_at).await?,
                None => false,
            };
            meeting_feedback_receipt::ActiveModel {
                id: Set(feedback::random_id()?),
                meeting_id: Set(m.id),
                receipt: Set(feedback::random_id()?.simple().to_string()),
                established: Set(established),
            }
            .insert(db)
            .await?;
            let r = roll(k, i, group_index + 21);
            meeting_feedback::ActiveModel {
                id: Set(feedback::random_id()?),
                meeting_id: Set(m.id),
                relevance: Set(3 + i32::try_from(r % 3).unwrap_or(0)),
                format: Set(2 + i32::try_from(r % 4).unwrap_or(0)),
                stress_impact: Set(i32::try_from(r % 4).unwrap_or(0) - 1),
                comment: Set([
                    Some("The breathing exercise helped."),
                    None,
                    Some("I would like more time for the topic."),
                    None,
                ][r % 4]
                    .map(str::to_owned)),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// The newest member has had an experienced buddy for three weeks; an earlier pair ran out.
async fn buddies(
    db: &impl ConnectionTrait,
    g: &group::Model,
    members: &[membership::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let n = members.len();
    if n < 6 {
        return Ok(());
    }
    for (member, buddy, started) in [
        (n - 1, 3, now - Duration::days(21)),
        (n - 2, 4, now - Duration::days(100)),
    ] {
        buddy_pair::ActiveModel {
            id: Set(Uuid::now_v7()),
            group_id: Set(g.id),
            membership_id: Set(members[member].id),
            buddy_membership_id: Set(members[buddy].id),
            started_at: Set(started),
            ends_at: Set(started + Duration::days(90)),
            ended_at: Set(None),
            ended_by: Set(None),
            assigned_by: Set(members.first().map(|m| m.person_id)),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Someone asked to join three days ago: two consents and an abstention so far, short of the
/// quorum (half the active members).
async fn application(
    db: &impl ConnectionTrait,
    g: &group::Model,
    members: &[membership::Model],
    applicant: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let asked = now - Duration::days(3);
    let statement =
        "My father moved in with us after his stroke. I would like to hear how others manage.";
    membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(applicant),
        group_id: Set(g.id),
        role: Set(MembershipRole::Member),
        status: Set(MembershipStatus::Pending),
        statement: Set(Some(statement.into())),
        joined_at: Set(None),
        left_at: Set(None),
        waitlisted_at: Set(None),
        created_at: Set(asked),
        updated_at: Set(asked),
    }
    .insert(db)
    .await?;
    let a = membership_application::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        person_id: Set(applicant),
        statement: Set(Some(statement.into())),
        proposed_by: Set(None),
        status: Set(ApplicationStatus::Pending),
        expires_at: Set(asked + Duration::days(crate::domain::care::admission::EXPIRY_DAYS)),
        decided_at: Set(None),
        decided_by: Set(None),
        created_at: Set(asked),
        updated_at: Set(asked),
    }
    .insert(db)
    .await?;
    for (m, vote) in members.iter().skip(1).zip([
        ConsentVote::Consent,
        ConsentVote::Consent,
        ConsentVote::Abstain,
    ]) {
        application_vote::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(a.id),
            person_id: Set(m.person_id),
            vote: Set(vote),
            reason: Set(None),
            updated_at: Set(asked + Duration::days(1)),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn populate(
    db: &impl ConnectionTrait,
    g: &group::Model,
    members: &[membership::Model],
    group_index: usize,
    applicant: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    accounts_as_old_as_memberships(db, members).await?;
    group_as_old_as_its_first_member(db, g, members).await?;
    check_ins(db, g, members, group_index, now).await?;
    pledges(db, g, members, now).await?;
    polls(db, g, members, group_index, now).await?;
    feedback_on_meetings(db, g, group_index, now).await?;
    buddies(db, g, members, now).await?;
    if let Some(person) = applicant {
        application(db, g, members, person, now).await?;
    }
    Ok(())
}
