//! The demo network's training: a facilitator programme and a trainer programme, a completed
//! workshop and an upcoming one (with an older one that trained the second generation),
//! trainees at every stage, certifications in every status, a three-generation lineage
//! (Sasha → the first group's facilitator → two newer facilitators), and groups at every
//! succession risk level.

use chrono::{DateTime, Duration, Utc};
use entity::{
    AttendanceStatus, EnrollmentStatus, EvidenceKind, EvidenceStatus, MeetingStatus,
    MembershipRole, Modality, WorkshopKind, certification, competency, enrollment, evidence, group,
    meeting, membership, mentorship, named_successor, training_program, workshop,
    workshop_attendance, workshop_session, workshop_trainer,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    domain::{care::feedback::random_id, values::sort_key},
    error::AppResult,
};

pub const COMPETENCIES: &[(&str, &str)] = &[
    ("AGENDA_SETTING", "Sets and keeps an agenda"),
    ("ACTIVE_LISTENING", "Listens actively and reflects back"),
    ("CONFLICT_RESOLUTION", "Calms and resolves conflict"),
    ("CONFIDENTIALITY", "Keeps and explains confidentiality"),
    ("CRISIS_REFERRAL", "Recognises a crisis and refers on"),
    ("INCLUSIVE_FACILITATION", "Makes room for every voice"),
];

pub struct Network<'a> {
    pub organisation_id: Uuid,
    pub admin_id: Uuid,
    /// Sasha, the TRAINER: the first generation.
    pub trainer_id: Uuid,
    /// Every group with its memberships (lead facilitator first, then co-facilitator).
    pub groups: &'a [(group::Model, Vec<membership::Model>)],
}

/// Slug, name and description.
type ProgramText<'a> = (&'a str, &'a str, &'a str);

async fn program(
    db: &impl ConnectionTrait,
    net: &Network<'_>,
    (slug, name, description): ProgramText<'_>,
    trainer: bool,
    competencies: &[(&str, &str)],
    now: DateTime<Utc>,
) -> AppResult<(training_program::Model, Vec<competency::Model>)> {
    let p = training_program::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(net.organisation_id),
        slug: Set(slug.into()),
        name: Set(name.into()),
        sort_name: Set(sort_key(name)),
        description: Set(Some(description.into())),
        practicum_meetings_required: Set(3),
        certification_validity_months: Set(24),
        is_trainer_program: Set(trainer),
        created_by: Set(Some(net.admin_id)),
        created_at: Set(now - Duration::days(800)),
    }
    .insert(db)
    .await?;
    let mut comps = Vec::new();
    for (i, (code, title)) in competencies.iter().enumerate() {
        comps.push(
            competency::ActiveModel {
                id: Set(Uuid::now_v7()),
                program_id: Set(p.id),
                code: Set((*code).into()),
                title: Set((*title).into()),
                description: Set(None),
                position: Set(i as i32),
                created_at: Set(now - Duration::days(800)),
            }
            .insert(db)
            .await?,
        );
    }
    Ok((p, comps))
}

/// A workshop with one three-hour session per entry of `days` (days from now).
async fn workshop(
    db: &impl ConnectionTrait,
    p: &training_program::Model,
    title: &str,
    trainers: &[Uuid],
    days: &[i64],
    now: DateTime<Utc>,
) -> AppResult<(workshop::Model, Vec<workshop_session::Model>)> {
    let start = |d: i64| now + Duration::days(d);
    let w = workshop::ActiveModel {
        id: Set(Uuid::now_v7()),
        program_id: Set(p.id),
        organisation_id: Set(p.organisation_id),
        title: Set(title.into()),
        kind: Set(WorkshopKind::Standard),
        modality: Set(Modality::Hybrid),
        venue: Set(Some("Riverside Community Centre, Hall B".into())),
        conference_url: Set(Some("https://meet.evergreen.example/workshop".into())),
        capacity: Set(4),
        starts_at: Set(start(days[0])),
        ends_at: Set(start(days[days.len() - 1]) + Duration::hours(3)),
        created_by: Set(trainers.first().copied()),
        created_at: Set(start(days[0]) - Duration::days(30)),
    }
    .insert(db)
    .await?;
    for (i, t) in trainers.iter().enumerate() {
        workshop_trainer::ActiveModel {
            workshop_id: Set(w.id),
            person_id: Set(*t),
            position: Set(i as i32),
        }
        .insert(db)
        .await?;
    }
    let mut sessions = Vec::new();
    for (i, d) in days.iter().enumerate() {
        sessions.push(
            workshop_session::ActiveModel {
                id: Set(Uuid::now_v7()),
                workshop_id: Set(w.id),
                position: Set(i as i32),
                starts_at: Set(start(*d)),
                ends_at: Set(start(*d) + Duration::hours(3)),
            }
            .insert(db)
            .await?,
        );
    }
    Ok((w, sessions))
}

async fn enrol(
    db: &impl ConnectionTrait,
    w: &workshop::Model,
    sessions: &[workshop_session::Model],
    person: Uuid,
    status: EnrollmentStatus,
    by: Uuid,
) -> AppResult<enrollment::Model> {
    let applied = w.starts_at - Duration::days(20);
    let decided = (status != EnrollmentStatus::Applied).then_some(applied + Duration::days(3));
    let done = matches!(
        status,
        EnrollmentStatus::Completed | EnrollmentStatus::NotCompleted
    );
    let e = enrollment::ActiveModel {
        id: Set(Uuid::now_v7()),
        workshop_id: Set(w.id),
        person_id: Set(person),
        statement: Set("I have been in my group for a while and want to help it run.".into()),
        status: Set(status),
        screening_notes: Set(decided.map(|_| "Steady presence in the group.".to_owned())),
        applied_at: Set(applied),
        decided_at: Set(decided),
        decided_by: Set(decided.map(|_| by)),
        waitlisted_at: Set((status == EnrollmentStatus::Waitlisted).then_some(applied)),
        completed_at: Set(done.then_some(w.ends_at)),
        completed_by: Set(done.then_some(by)),
    }
    .insert(db)
    .await?;
    if done {
        for (i, s) in sessions.iter().enumerate() {
            let absent = status == EnrollmentStatus::NotCompleted && i > 0;
            workshop_attendance::ActiveModel {
                session_id: Set(s.id),
                enrollment_id: Set(e.id),
                status: Set(if absent {
                    AttendanceStatus::Absent
                } else {
                    AttendanceStatus::Present
                }),
                recorded_by: Set(Some(by)),
                recorded_at: Set(s.ends_at),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(e)
}

async fn certify(
    db: &impl ConnectionTrait,
    p: &training_program::Model,
    person: Uuid,
    workshop: Option<Uuid>,
    issued: DateTime<Utc>,
    until: DateTime<Utc>,
    by: Uuid,
) -> AppResult<certification::Model> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(crate::error::AppError::internal)?;
    Ok(certification::ActiveModel {
        id: Set(random_id()?),
        program_id: Set(p.id),
        organisation_id: Set(p.organisation_id),
        person_id: Set(person),
        workshop_id: Set(workshop),
        issued_by: Set(Some(by)),
        issued_at: Set(issued),
        valid_until: Set(until),
        renewed_at: Set(None),
        revoked_at: Set(None),
        revoked_by: Set(None),
        revoked_reason: Set(None),
        badge_salt: Set(salt.iter().map(|b| format!("{b:02x}")).collect()),
    }
    .insert(db)
    .await?)
}

/// Evidence for each competency, with `accepted` of them signed off and the next one waiting.
async fn evidence_for(
    db: &impl ConnectionTrait,
    p: &training_program::Model,
    comps: &[competency::Model],
    trainee: Uuid,
    accepted: usize,
    reviewer: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for (i, c) in comps.iter().enumerate().take(accepted + 1) {
        let status = if i < accepted {
            EvidenceStatus::Accepted
        } else {
            EvidenceStatus::Submitted
        };
        evidence::ActiveModel {
            id: Set(Uuid::now_v7()),
            program_id: Set(p.id),
            competency_id: Set(c.id),
            trainee_id: Set(trainee),
            submitted_by: Set(Some(trainee)),
            kind: Set(if i % 2 == 0 {
                EvidenceKind::WorkshopAssessment
            } else {
                EvidenceKind::ObservedMeeting
            }),
            note: Set(format!(
                "Showed {} in the workshop role-play.",
                c.title.to_lowercase()
            )),
            url: Set(None),
            meeting_id: Set(None),
            status: Set(status),
            reviewed_by: Set((status == EvidenceStatus::Accepted).then_some(reviewer)),
            review_comment: Set(None),
            reviewed_at: Set(
                (status == EvidenceStatus::Accepted).then_some(now - Duration::days(10))
            ),
            created_at: Set(now - Duration::days(20 + i as i64)),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Makes `trainee` co-facilitate the group's `n` latest held meetings (their practicum) and
/// no others (`instead` takes those over).
async fn co_facilitate(
    db: &impl ConnectionTrait,
    g: &group::Model,
    trainee: &membership::Model,
    instead: &membership::Model,
    n: u64,
) -> AppResult<()> {
    meeting::Entity::update_many()
        .col_expr(meeting::Column::CoFacilitatorId, Expr::value(instead.id))
        .filter(meeting::Column::GroupId.eq(g.id))
        .filter(meeting::Column::CoFacilitatorId.eq(trainee.id))
        .exec(db)
        .await?;
    membership::Entity::update_many()
        .col_expr(
            membership::Column::Role,
            Expr::value(MembershipRole::CoFacilitator),
        )
        .filter(membership::Column::Id.eq(trainee.id))
        .exec(db)
        .await?;
    let held = meeting::Entity::find()
        .filter(meeting::Column::GroupId.eq(g.id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .order_by_desc(meeting::Column::StartsAt)
        .all(db)
        .await?;
    for m in held.into_iter().take(n as usize) {
        meeting::Entity::update_many()
            .col_expr(meeting::Column::CoFacilitatorId, Expr::value(trainee.id))
            .filter(meeting::Column::Id.eq(m.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

pub async fn populate(
    db: &impl ConnectionTrait,
    net: &Network<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (fac, comps) = program(
        db,
        net,
        (
            "peer-facilitation",
            "Peer Facilitation",
            "Prepares experienced members to facilitate a peer support group safely.",
        ),
        false,
        COMPETENCIES,
        now,
    )
    .await?;
    let (trainer_prog, _) = program(
        db,
        net,
        (
            "train-the-trainer",
            "Train the Trainer",
            "Prepares certified facilitators to lead facilitation workshops.",
        ),
        true,
        &[
            ("WORKSHOP_DESIGN", "Designs a workshop session"),
            ("ASSESSMENT", "Assesses trainees fairly"),
        ],
        now,
    )
    .await?;
    let leads: Vec<Uuid> = net.groups.iter().map(|(_, m)| m[0].person_id).collect();
    let co = |n: usize| -> &membership::Model {
        let ms = &net.groups[n].1;
        ms.iter()
            .find(|m| m.role == MembershipRole::CoFacilitator)
            .unwrap_or(&ms[1])
    };
    let sasha = net.trainer_id;
    let long = now + Duration::days(500);
    // Generation 1: Sasha, certified as a trainer before the service.
    certify(
        db,
        &trainer_prog,
        sasha,
        None,
        now - Duration::days(700),
        now + Duration::days(30 * 14),
        net.admin_id,
    )
    .await?;
    // Generation 2: Sasha's workshop a year ago certified the first groups' facilitators.
    let (w0, s0) = workshop(
        db,
        &fac,
        "Facilitation foundations (spring)",
        &[sasha],
        &[-380, -373],
        now,
    )
    .await?;
    let gen2 = [leads[0], leads[1], leads[2], leads[3], leads[4], leads[5]];
    for p in gen2 {
        enrol(db, &w0, &s0, p, EnrollmentStatus::Completed, sasha).await?;
    }
    for (i, p) in gen2.iter().enumerate() {
        let until = match i {
            4 => now + Duration::days(30), // EXPIRING_SOON
            _ => long,
        };
        certify(
            db,
            &fac,
            *p,
            Some(w0.id),
            now - Duration::days(360),
            until,
            sasha,
        )
        .await?;
    }
    // The first group's facilitator went on to train: a trainer certification too.
    certify(
        db,
        &trainer_prog,
        leads[0],
        None,
        now - Duration::days(200),
        long,
        sasha,
    )
    .await?;
    // Generation 3: their workshop three months ago (the completed one) certified two more.
    let (w1, s1) = workshop(
        db,
        &fac,
        "Facilitation foundations (summer)",
        &[leads[0], sasha],
        &[-95, -88],
        now,
    )
    .await?;
    let gen3 = [co(1).person_id, co(2).person_id];
    for p in gen3 {
        enrol(db, &w1, &s1, p, EnrollmentStatus::Completed, leads[0]).await?;
        certify(
            db,
            &fac,
            p,
            Some(w1.id),
            now - Duration::days(80),
            long,
            leads[0],
        )
        .await?;
    }
    enrol(
        db,
        &w1,
        &s1,
        co(3).person_id,
        EnrollmentStatus::NotCompleted,
        leads[0],
    )
    .await?;
    certify(
        db,
        &fac,
        co(3).person_id,
        None,
        now - Duration::days(900),
        now - Duration::days(170),
        sasha,
    )
    .await?; // EXPIRED
    let revoked = certify(
        db,
        &fac,
        leads[9],
        None,
        now - Duration::days(300),
        long,
        sasha,
    )
    .await?;
    let mut r: certification::ActiveModel = revoked.into();
    r.revoked_at = Set(Some(now - Duration::days(15)));
    r.revoked_by = Set(Some(net.admin_id));
    r.revoked_reason = Set(Some("Stepped back from facilitation".into()));
    r.update(db).await?;
    // Leads of groups 6–8: one certified facilitator each (AT_RISK); groups 9–11 have none
    // valid (CRITICAL); 0–3 two (OK, unless a load is too heavy); 4 one expiring (AT_RISK).
    for n in [6usize, 7, 8] {
        certify(
            db,
            &fac,
            leads[n],
            None,
            now - Duration::days(400),
            long,
            sasha,
        )
        .await?;
    }
    certify(
        db,
        &fac,
        co(4).person_id,
        Some(w0.id),
        now - Duration::days(360),
        long,
        sasha,
    )
    .await?;
    certify(
        db,
        &fac,
        co(0).person_id,
        None,
        now - Duration::days(300),
        long,
        sasha,
    )
    .await?;
    certify(
        db,
        &fac,
        co(3).person_id,
        None,
        now - Duration::days(150),
        long,
        sasha,
    )
    .await?;

    // Trainees at every stage, in the first groups (members who are not facilitators).
    let member = |n: usize, k: usize| -> &membership::Model {
        let others: Vec<&membership::Model> = net.groups[n]
            .1
            .iter()
            .filter(|m| m.role == MembershipRole::Member)
            .collect();
        others[k % others.len()]
    };
    // Ready for certification: workshop, all competencies, three practicum meetings.
    let ready = member(1, 0);
    enrol(
        db,
        &w1,
        &s1,
        ready.person_id,
        EnrollmentStatus::Completed,
        leads[0],
    )
    .await?;
    evidence_for(db, &fac, &comps, ready.person_id, comps.len(), sasha, now).await?;
    co_facilitate(db, &net.groups[1].0, ready, co(1), 3).await?;
    // In practicum: workshop done, four competencies accepted, one waiting, two meetings,
    // mentored by the group's lead.
    let practising = member(0, 0);
    enrol(
        db,
        &w1,
        &s1,
        practising.person_id,
        EnrollmentStatus::Completed,
        leads[0],
    )
    .await?;
    evidence_for(db, &fac, &comps, practising.person_id, 4, sasha, now).await?;
    co_facilitate(db, &net.groups[0].0, practising, co(0), 2).await?;
    mentorship::ActiveModel {
        id: Set(Uuid::now_v7()),
        program_id: Set(fac.id),
        mentor_id: Set(leads[0]),
        mentee_id: Set(practising.person_id),
        started_by: Set(Some(practising.person_id)),
        started_at: Set(now - Duration::days(60)),
        ended_at: Set(None),
        ended_by: Set(None),
    }
    .insert(db)
    .await?;
    named_successor::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(net.groups[0].0.id),
        membership_id: Set(practising.id),
        named_by: Set(Some(leads[0])),
        named_at: Set(now - Duration::days(30)),
    }
    .insert(db)
    .await?;
    // The upcoming workshop, led by the second generation: applied, accepted, waitlisted,
    // declined.
    let (w2, s2) = workshop(
        db,
        &fac,
        "Facilitation foundations (winter)",
        &[leads[0]],
        &[21, 28],
        now,
    )
    .await?;
    for (k, status) in [
        EnrollmentStatus::Applied,
        EnrollmentStatus::Accepted,
        EnrollmentStatus::Waitlisted,
        EnrollmentStatus::Declined,
    ]
    .into_iter()
    .enumerate()
    {
        enrol(
            db,
            &w2,
            &s2,
            member(2 + k % 2, 1 + k).person_id,
            status,
            leads[0],
        )
        .await?;
    }
    Ok(())
}
