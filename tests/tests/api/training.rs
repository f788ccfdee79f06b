//! Train-the-facilitator: programmes, workshops, evidence, practicum, certification and its
//! badge, mentoring, lineage and succession.

use chrono::{DateTime, Duration, Utc};
use entity::certification;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Session, TestApp, World, code, encode_id, field, ok, spawn_app, uuid_of},
    succession::SUCCESSION,
};

const CREATE_PROGRAM: &str = "mutation($input: CreateTrainingProgramInput!) { createTrainingProgram(input: $input) { program { id slug practicumMeetingsRequired certificationValidityMonths isTrainerProgram } } }";
const ADD_COMPETENCY: &str = "mutation($input: AddCompetencyInput!) { addCompetency(input: $input) { competency { id code } } }";
const SCHEDULE: &str = "mutation($input: ScheduleWorkshopInput!) { scheduleWorkshop(input: $input) { workshop { id capacity sessions { id } trainers { displayName } } } }";
const APPLY: &str = "mutation($input: ApplyToWorkshopInput!) { applyToWorkshop(input: $input) { enrollment { id status } } }";
const DECIDE: &str = "mutation($input: DecideEnrollmentInput!) { decideEnrollment(input: $input) { enrollment { id status screeningNotes } } }";
const ATTEND: &str = "mutation($input: RecordWorkshopAttendanceInput!) { recordWorkshopAttendance(input: $input) { attendance { status } } }";
const COMPLETE: &str = "mutation($input: CompleteEnrollmentInput!) { completeEnrollment(input: $input) { enrollment { id status } } }";
const SUBMIT: &str = "mutation($input: SubmitEvidenceInput!) { submitEvidence(input: $input) { evidence { id status } } }";
const REVIEW: &str = "mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { evidence { id status reviewComment } } }";
const ISSUE: &str = "mutation($input: IssueCertificationInput!) { issueCertification(input: $input) { certification { id status validUntil trainedBy { displayName } openBadge } } }";
const RENEW: &str = "mutation($input: RenewCertificationInput!) { renewCertification(input: $input) { certification { id status validUntil renewedAt } } }";
const REVOKE: &str = "mutation($input: RevokeCertificationInput!) { revokeCertification(input: $input) { certification { id status revokedReason } } }";
const START_MENTORSHIP: &str = "mutation($input: StartMentorshipInput!) { startMentorship(input: $input) { mentorship { id active } } }";
const END_MENTORSHIP: &str = "mutation($input: EndMentorshipInput!) { endMentorship(input: $input) { mentorship { id active } } }";
const PROGRESS: &str = "query($person: ID!, $slug: String!) { traineeProgress(personId: $person, programSlug: $slug) { practicumDone practicumRequired workshopCompleted eligible missing competencies { status competency { code } } } }";

/// An umbrella with a facilitator programme (two competencies, two practicum meetings), a
/// trainer programme, a TRAINER, and a group run by a certified senior facilitator with a
/// trainee as co-facilitator.
pub(crate) struct Academy {
    pub(crate) w: World,
    pub(crate) program: String,
    pub(crate) slug: String,
    pub(crate) competencies: Vec<String>,
    pub(crate) trainer: Session,
    pub(crate) group: String,
    pub(crate) senior: Session,
    pub(crate) senior_m: String,
    pub(crate) trainee: Session,
    pub(crate) trainee_m: String,
    /// A co-facilitator with no certification.
    pub(crate) novice: Session,
    pub(crate) novice_m: String,
}

fn id_at(v: &Value, path: &[&str]) -> String {
    let mut at = v;
    for p in path {
        at = &at[*p];
    }
    at.as_str().unwrap_or_default().to_owned()
}

/// Certifies someone directly in the database (founders are certified before the service).
pub(crate) async fn certify(
    app: &TestApp,
    person: &str,
    program: &str,
    org: &str,
    issued: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Uuid {
    let id = Uuid::now_v7();
    certification::ActiveModel {
        id: Set(id),
        program_id: Set(uuid_of(program)),
        organisation_id: Set(uuid_of(org)),
        person_id: Set(uuid_of(person)),
        workshop_id: Set(None),
        issued_by: Set(None),
        issued_at: Set(issued),
        valid_until: Set(until),
        renewed_at: Set(None),
        revoked_at: Set(None),
        revoked_by: Set(None),
        revoked_reason: Set(None),
        badge_salt: Set("00112233445566778899aabbccddeeff".into()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

pub(crate) async fn member_with_role(
    app: &TestApp,
    w: &World,
    group: &str,
    name: &str,
    role: &str,
) -> (Session, String) {
    let s = app.sign_up(name).await;
    let m = id_at(
        ok(&app.join(&s, group).await),
        &["joinGroup", "membership", "id"],
    );
    if role != "MEMBER" {
        let set = "mutation($id: ID!, $role: MembershipRole!) { setMembershipRole(input: {membershipId: $id, role: $role}) { membership { id } } }";
        ok(&app
            .gql_as(&w.admin, set, json!({ "id": m, "role": role }))
            .await);
    }
    (s, m)
}

async fn program(app: &TestApp, who: &Session, org: &str, slug: &str, extra: Value) -> Value {
    let mut input =
        json!({ "organisationId": org, "slug": slug, "name": format!("Programme {slug}") });
    for (k, v) in extra.as_object().into_iter().flatten() {
        input[k] = v.clone();
    }
    app.gql_as(who, CREATE_PROGRAM, json!({ "input": input }))
        .await
}

pub(crate) async fn academy(app: &TestApp) -> Academy {
    let w = app.world().await;
    let trainer = app.sign_up("Tess").await;
    app.grant(&w.admin, &trainer, "TRAINER", &w.org_id, None)
        .await;
    let slug = "peer-facilitation".to_owned();
    let res = program(
        app,
        &w.admin,
        &w.org_id,
        &slug,
        json!({ "practicumMeetingsRequired": 2 }),
    )
    .await;
    let program_id = id_at(ok(&res), &["createTrainingProgram", "program", "id"]);
    let mut competencies = Vec::new();
    for code in ["ACTIVE_LISTENING", "CONFIDENTIALITY"] {
        let res = app
            .gql_as(&trainer, ADD_COMPETENCY, json!({ "input": { "programId": program_id, "code": code, "title": code.to_lowercase() } }))
            .await;
        competencies.push(id_at(ok(&res), &["addCompetency", "competency", "id"]));
    }
    let res = program(
        app,
        &w.admin,
        &w.org_id,
        "trainer-path",
        json!({ "isTrainerProgram": true }),
    )
    .await;
    ok(&res);
    let group = app
        .group(&w.admin, &w.a1, "practicum-circle", json!({}))
        .await;
    let (senior, senior_m) = member_with_role(app, &w, &group, "Sena", "FACILITATOR").await;
    let (trainee, trainee_m) = member_with_role(app, &w, &group, "Tomi", "CO_FACILITATOR").await;
    let (novice, novice_m) = member_with_role(app, &w, &group, "Nova", "CO_FACILITATOR").await;
    let now = Utc::now();
    certify(
        app,
        &senior.person_id,
        &program_id,
        &w.org_id,
        now - Duration::days(10),
        now + Duration::days(700),
    )
    .await;
    Academy {
        w,
        program: program_id,
        slug,
        competencies,
        trainer,
        group,
        senior,
        senior_m,
        trainee,
        trainee_m,
        novice,
        novice_m,
    }
}

/// A past meeting with `lead` facilitating and `co` co-facilitating; held (record finalised)
/// when `hold`.
async fn practicum_meeting(
    app: &TestApp,
    a: &Academy,
    days_ago: i64,
    lead: &str,
    co: &str,
    hold: bool,
) -> String {
    let m = app
        .meeting_at(&a.senior, &a.group, Utc::now() - Duration::days(days_ago))
        .await;
    let swap = "mutation($input: SwapFacilitatorInput!) { swapFacilitator(input: $input) { meeting { id } } }";
    ok(&app
        .gql_as(&a.senior, swap, json!({ "input": { "meetingId": m, "facilitatorMembershipId": lead, "coFacilitatorMembershipId": co } }))
        .await);
    if hold {
        app.hold(&a.senior, &m).await;
    }
    m
}

async fn progress(app: &TestApp, who: &Session, a: &Academy, person: &str) -> Value {
    app.gql_as(who, PROGRESS, json!({ "person": person, "slug": a.slug }))
        .await
}

/// A workshop of `program` whose single session is under way.
async fn past_workshop(
    app: &TestApp,
    a: &Academy,
    program: &str,
    kind: &str,
    capacity: i32,
) -> Value {
    // Under way: started an hour ago, so attendance and completion may be recorded.
    let start = Utc::now() - Duration::hours(1);
    app.gql_as(
        &a.trainer,
        SCHEDULE,
        json!({ "input": {
            "programId": program, "title": "Facilitation basics", "kind": kind,
            "trainerIds": [a.trainer.person_id], "modality": "ONLINE",
            "conferenceUrl": "https://meet.example.org/ws", "capacity": capacity,
            "sessions": [{ "startsAt": start.to_rfc3339(), "endsAt": (start + Duration::hours(3)).to_rfc3339() }]
        } }),
    )
    .await
}

/// `who` applies to a new workshop of the programme, is accepted and completes it.
async fn complete_workshop(app: &TestApp, a: &Academy, who: &Session, kind: &str) {
    let w = past_workshop(app, a, &a.program, kind, 5).await;
    let w = id_at(ok(&w), &["scheduleWorkshop", "workshop", "id"]);
    let applied = app
        .gql_as(
            who,
            APPLY,
            json!({ "input": { "workshopId": w, "statement": "ready" } }),
        )
        .await;
    let e = id_at(ok(&applied), &["applyToWorkshop", "enrollment", "id"]);
    for (query, input) in [
        (DECIDE, json!({ "enrollmentId": e, "decision": "ACCEPTED" })),
        (
            COMPLETE,
            json!({ "enrollmentId": e, "outcome": "COMPLETED" }),
        ),
    ] {
        ok(&app
            .gql_as(&a.trainer, query, json!({ "input": input }))
            .await);
    }
}

#[tokio::test]
async fn programmes_and_competencies_are_for_admins_and_trainers() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    // Anonymous, a member of the organisation, bad input, a taken slug.
    let res = app
        .gql(
            CREATE_PROGRAM,
            json!({ "input": { "organisationId": a.w.org_id, "slug": "x-prog", "name": "X" } }),
        )
        .await;
    assert_eq!(code(&res), "UNAUTHENTICATED");
    let res = program(&app, &a.trainee, &a.w.org_id, "mine-prog", json!({})).await;
    assert_eq!(code(&res), "FORBIDDEN");
    let res = program(&app, &a.trainer, &a.w.org_id, "Bad Slug", json!({})).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "slug".into())
    );
    let res = program(
        &app,
        &a.trainer,
        &a.w.org_id,
        "short-valid",
        json!({ "certificationValidityMonths": 0 }),
    )
    .await;
    assert_eq!(field(&res), "certificationValidityMonths");
    let res = program(&app, &a.trainer, &a.w.org_id, &a.slug, json!({})).await;
    assert_eq!(code(&res), "CONFLICT");
    let made = program(&app, &a.trainer, &a.w.org_id, "refresher-path", json!({})).await;
    let made = &ok(&made)["createTrainingProgram"]["program"];
    assert_eq!(made["practicumMeetingsRequired"], 3);
    assert_eq!(made["certificationValidityMonths"], 24);

    let add = async |who: &Session, code: &str| {
        app.gql_as(
            who,
            ADD_COMPETENCY,
            json!({ "input": { "programId": a.program, "code": code, "title": "T" } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(
                ADD_COMPETENCY,
                json!({ "input": { "programId": a.program, "code": "X_Y", "title": "T" } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&add(&a.trainee, "CRISIS_REFERRAL").await), "FORBIDDEN");
    assert_eq!(code(&add(&a.trainer, "ACTIVE_LISTENING").await), "CONFLICT");
    let res = add(&a.trainer, "not a code").await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "code".into())
    );
    // Someone outside the organisation does not see the programme at all.
    let stranger = app.sign_up("Stranger").await;
    assert_eq!(code(&add(&stranger, "CRISIS_REFERRAL").await), "NOT_FOUND");
    let seen = app
        .gql_as(&stranger, "query($slug: String!) { trainingProgram(slug: $slug) { id } trainingPrograms { totalCount } }", json!({ "slug": a.slug }))
        .await;
    assert!(ok(&seen)["trainingProgram"].is_null());
    assert_eq!(ok(&seen)["trainingPrograms"]["totalCount"], 0);
    let listed = app
        .gql_as(&a.trainee, "query { trainingPrograms { totalCount edges { node { slug competencies { code } } } } }", json!({}))
        .await;
    assert_eq!(ok(&listed)["trainingPrograms"]["totalCount"], 3);
    let first = &ok(&listed)["trainingPrograms"]["edges"][0]["node"];
    assert_eq!(first["slug"], "peer-facilitation");
    assert_eq!(first["competencies"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn workshops_screen_waitlist_attend_and_complete() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    // Only trainers schedule; every trainer must be qualified; capacity is bounded.
    let res = past_workshop(&app, &a, &a.program, "STANDARD", 1).await;
    let workshop = &ok(&res)["scheduleWorkshop"]["workshop"];
    let (workshop_id, session) = (
        id_at(workshop, &["id"]),
        id_at(&workshop["sessions"][0], &["id"]),
    );
    assert_eq!(workshop["trainers"][0]["displayName"], "Tess");
    let input = |trainers: Vec<&str>, capacity: i32| {
        let start = Utc::now() + Duration::days(7);
        json!({ "input": { "programId": a.program, "title": "W", "trainerIds": trainers, "modality": "IN_PERSON", "capacity": capacity,
            "sessions": [{ "startsAt": start.to_rfc3339(), "endsAt": (start + Duration::hours(2)).to_rfc3339() }] } })
    };
    assert_eq!(
        code(
            &app.gql(SCHEDULE, input(vec![&a.trainer.person_id], 5))
                .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&a.trainee, SCHEDULE, input(vec![&a.trainer.person_id], 5))
                .await
        ),
        "FORBIDDEN"
    );
    let res = app
        .gql_as(&a.trainer, SCHEDULE, input(vec![&a.trainee.person_id], 5))
        .await;
    assert_eq!(code(&res), "NOT_ELIGIBLE");
    let res = app
        .gql_as(&a.trainer, SCHEDULE, input(vec![&a.trainer.person_id], 0))
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "capacity".into())
    );

    // Applications; past capacity is refused and changes nothing; the waitlist is promoted.
    let apply = async |who: &Session, statement: &str| {
        app.gql_as(
            who,
            APPLY,
            json!({ "input": { "workshopId": workshop_id, "statement": statement } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(
                APPLY,
                json!({ "input": { "workshopId": workshop_id, "statement": "me" } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&apply(&a.trainee, "  ").await), "BAD_USER_INPUT");
    let stranger = app.sign_up("Stranger").await;
    assert_eq!(code(&apply(&stranger, "let me in").await), "NOT_FOUND");
    assert_eq!(code(&apply(&a.trainer, "I train it").await), "FORBIDDEN");
    let mine = id_at(
        ok(&apply(&a.trainee, "I want to hold space for others").await),
        &["applyToWorkshop", "enrollment", "id"],
    );
    assert_eq!(code(&apply(&a.trainee, "again").await), "CONFLICT");
    let novice = id_at(
        ok(&apply(&a.novice, "Me too").await),
        &["applyToWorkshop", "enrollment", "id"],
    );
    let decide = async |who: &Session, e: &str, decision: &str, notes: Option<&str>| {
        app.gql_as(who, DECIDE, json!({ "input": { "enrollmentId": e, "decision": decision, "screeningNotes": notes } })).await
    };
    assert_eq!(
        code(
            &app.gql(
                DECIDE,
                json!({ "input": { "enrollmentId": novice, "decision": "ACCEPTED" } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&decide(&a.trainee, &novice, "ACCEPTED", None).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&decide(&a.trainee, &mine, "ACCEPTED", None).await),
        "FORBIDDEN"
    );
    let res = app
        .gql_as(
            &a.trainer,
            DECIDE,
            json!({ "input": { "enrollmentId": "bm9wZQ", "decision": "ACCEPTED" } }),
        )
        .await;
    assert_eq!(code(&res), "BAD_USER_INPUT");
    let accepted = decide(&a.trainer, &novice, "ACCEPTED", Some("steady, experienced")).await;
    assert_eq!(
        ok(&accepted)["decideEnrollment"]["enrollment"]["screeningNotes"],
        "steady, experienced"
    );
    assert_eq!(
        code(&decide(&a.trainer, &mine, "ACCEPTED", None).await),
        "CONFLICT"
    );
    let waiting = decide(&a.trainer, &mine, "WAITLISTED", Some("promising")).await;
    assert_eq!(
        ok(&waiting)["decideEnrollment"]["enrollment"]["status"],
        "WAITLISTED"
    );
    ok(&decide(&a.trainer, &novice, "DECLINED", None).await);
    // The applicant sees their own status, never the screening notes.
    let own = app
        .gql_as(&a.trainee, "query($id: ID!) { node(id: $id) { ... on Workshop { conferenceUrl viewerEnrollment { status screeningNotes } } } }", json!({ "id": workshop_id }))
        .await;
    let own = &ok(&own)["node"];
    assert_eq!(own["viewerEnrollment"]["status"], "ACCEPTED");
    assert!(own["viewerEnrollment"]["screeningNotes"].is_null());
    assert_eq!(own["conferenceUrl"], "https://meet.example.org/ws");
    let listed = app
        .gql_as(
            &a.trainee,
            "query($id: ID!) { node(id: $id) { ... on Workshop { enrollments { id } } } }",
            json!({ "id": workshop_id }),
        )
        .await;
    assert_eq!(code(&listed), "FORBIDDEN");

    // Attendance per session, then completion.
    let attend = async |who: &Session, entries: Value| {
        app.gql_as(
            who,
            ATTEND,
            json!({ "input": { "sessionId": session, "entries": entries } }),
        )
        .await
    };
    let entries = json!([{ "enrollmentId": mine, "status": "PRESENT" }]);
    assert_eq!(
        code(
            &app.gql(
                ATTEND,
                json!({ "input": { "sessionId": session, "entries": entries } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&attend(&a.novice, entries.clone()).await), "FORBIDDEN");
    let res = attend(
        &a.trainer,
        json!([{ "enrollmentId": novice, "status": "PRESENT" }]),
    )
    .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "entries.0.enrollmentId".into())
    );
    ok(&attend(&a.trainer, entries).await);
    let complete = async |who: &Session, e: &str, outcome: &str| {
        app.gql_as(
            who,
            COMPLETE,
            json!({ "input": { "enrollmentId": e, "outcome": outcome } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(
                COMPLETE,
                json!({ "input": { "enrollmentId": mine, "outcome": "COMPLETED" } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&complete(&a.trainee, &mine, "COMPLETED").await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&complete(&a.trainer, &novice, "COMPLETED").await),
        "BAD_USER_INPUT"
    );
    let done = complete(&a.trainer, &mine, "COMPLETED").await;
    assert_eq!(
        ok(&done)["completeEnrollment"]["enrollment"]["status"],
        "COMPLETED"
    );
    let p = progress(&app, &a.trainee, &a, &a.trainee.person_id).await;
    assert_eq!(ok(&p)["traineeProgress"]["workshopCompleted"], true);
}

#[tokio::test]
async fn certification_takes_every_requirement_and_its_badge_names_nobody() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    let p = progress(&app, &a.trainee, &a, &a.trainee.person_id).await;
    let p = &ok(&p)["traineeProgress"];
    assert_eq!(p["eligible"], false);
    assert_eq!(p["practicumRequired"], 2);

    // The practicum counts only HELD, finalised meetings the trainee co-facilitated under a
    // facilitator certified on that date.
    let m_ok = practicum_meeting(&app, &a, 2, &a.senior_m, &a.trainee_m, true).await;
    practicum_meeting(&app, &a, 3, &a.senior_m, &a.trainee_m, false).await; // not finalised
    let cancelled = practicum_meeting(&app, &a, 4, &a.senior_m, &a.trainee_m, false).await;
    ok(&app
        .gql_as(&a.senior, "mutation($input: CancelMeetingInput!) { cancelMeeting(input: $input) { meeting { status } } }", json!({ "input": { "meetingId": cancelled, "reason": "storm" } }))
        .await);
    practicum_meeting(&app, &a, 5, &a.novice_m, &a.trainee_m, true).await; // uncertified lead
    practicum_meeting(&app, &a, 20, &a.senior_m, &a.trainee_m, true).await; // before the senior's certification
    let p = progress(&app, &a.trainee, &a, &a.trainee.person_id).await;
    assert_eq!(
        ok(&p)["traineeProgress"]["practicumDone"],
        1,
        "only {m_ok} qualifies"
    );

    // Evidence: by the trainee; reviewed by a trainer who is not the trainee.
    let submit = async |who: &Session, competency: &str, extra: Value| {
        let mut input = json!({ "programId": a.program, "competencyId": competency, "kind": "WORKSHOP_ASSESSMENT", "note": "Role-play assessed" });
        for (k, v) in extra.as_object().into_iter().flatten() {
            input[k] = v.clone();
        }
        app.gql_as(who, SUBMIT, json!({ "input": input })).await
    };
    assert_eq!(code(&app.gql(SUBMIT, json!({ "input": { "programId": a.program, "competencyId": a.competencies[0], "kind": "OTHER", "note": "n" } })).await), "UNAUTHENTICATED");
    assert_eq!(
        code(
            &submit(
                &a.novice,
                &a.competencies[0],
                json!({ "traineeId": a.trainee.person_id })
            )
            .await
        ),
        "FORBIDDEN"
    );
    let res = submit(
        &a.trainee,
        &a.competencies[0],
        json!({ "kind": "OBSERVED_MEETING" }),
    )
    .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "meetingId".into())
    );
    let res = submit(&a.trainee, &a.program, json!({})).await;
    assert_eq!(field(&res), "competencyId");
    let e1 = id_at(
        ok(&submit(
            &a.trainee,
            &a.competencies[0],
            json!({ "kind": "OBSERVED_MEETING", "meetingId": m_ok }),
        )
        .await),
        &["submitEvidence", "evidence", "id"],
    );
    let e2 = id_at(
        ok(&submit(&a.trainee, &a.competencies[1], json!({})).await),
        &["submitEvidence", "evidence", "id"],
    );
    let review = async |who: &Session, e: &str, decision: &str, comment: Option<&str>| {
        app.gql_as(
            who,
            REVIEW,
            json!({ "input": { "evidenceId": e, "decision": decision, "comment": comment } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(
                REVIEW,
                json!({ "input": { "evidenceId": e1, "decision": "ACCEPTED" } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&review(&a.trainee, &e1, "ACCEPTED", None).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&review(&a.novice, &e1, "ACCEPTED", None).await),
        "NOT_FOUND"
    );
    let res = review(&a.trainer, &e2, "REJECTED", None).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "comment".into())
    );
    // A trainer's own evidence is not theirs to review either.
    let own = id_at(
        ok(&submit(&a.trainer, &a.competencies[0], json!({})).await),
        &["submitEvidence", "evidence", "id"],
    );
    assert_eq!(
        code(&review(&a.trainer, &own, "ACCEPTED", None).await),
        "FORBIDDEN"
    );
    let still = app
        .gql_as(
            &a.trainer,
            "query($id: ID!) { node(id: $id) { ... on Evidence { status } } }",
            json!({ "id": own }),
        )
        .await;
    assert_eq!(ok(&still)["node"]["status"], "SUBMITTED");
    ok(&review(&a.trainer, &e1, "ACCEPTED", None).await);
    assert_eq!(
        code(&review(&a.trainer, &e1, "REJECTED", Some("changed my mind")).await),
        "CONFLICT"
    );

    // Not eligible yet: each missing requirement is named.
    let issue = async |who: &Session| {
        app.gql_as(
            who,
            ISSUE,
            json!({ "input": { "personId": a.trainee.person_id, "programId": a.program } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(
                ISSUE,
                json!({ "input": { "personId": a.trainee.person_id, "programId": a.program } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&issue(&a.novice).await), "FORBIDDEN");
    let res = issue(&a.trainer).await;
    assert_eq!(code(&res), "NOT_ELIGIBLE");
    let missing: Vec<String> = res["errors"][0]["extensions"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(missing[0].contains("CONFIDENTIALITY") && missing[0].contains("review"));
    assert!(missing[1].contains("1 of 2"));
    assert!(missing[2].contains("workshop"));
    let res = app
        .gql_as(
            &a.trainer,
            ISSUE,
            json!({ "input": { "personId": "bm9wZQ", "programId": a.program } }),
        )
        .await;
    assert_eq!(code(&res), "BAD_USER_INPUT");

    // Meet every requirement.
    ok(&review(&a.trainer, &e2, "ACCEPTED", None).await);
    practicum_meeting(&app, &a, 1, &a.senior_m, &a.trainee_m, true).await;
    complete_workshop(&app, &a, &a.trainee, "STANDARD").await;
    let p = progress(&app, &a.trainee, &a, &a.trainee.person_id).await;
    assert_eq!(ok(&p)["traineeProgress"]["eligible"], true);
    assert_eq!(
        code(
            &app.gql_as(
                &a.trainee,
                ISSUE,
                json!({ "input": { "personId": a.trainee.person_id, "programId": a.program } })
            )
            .await
        ),
        "FORBIDDEN"
    );
    let issued = issue(&a.trainer).await;
    let cert = &ok(&issued)["issueCertification"]["certification"];
    assert_eq!(cert["status"], "ACTIVE");
    assert_eq!(cert["trainedBy"][0]["displayName"], "Tess");
    let until: DateTime<Utc> = cert["validUntil"].as_str().unwrap().parse().unwrap();
    assert!((until - Utc::now()).num_days() > 720);
    assert_eq!(code(&issue(&a.trainer).await), "CONFLICT");

    // The badge: an Open Badges 3.0 credential with a salted recipient hash, nothing personal.
    let badge = cert["openBadge"].clone();
    assert!(
        badge["type"]
            .as_array()
            .unwrap()
            .contains(&json!("OpenBadgeCredential"))
    );
    let identity = &badge["credentialSubject"]["identifier"][0];
    assert_eq!(identity["hashed"], true);
    assert!(
        identity["identityHash"]
            .as_str()
            .unwrap()
            .starts_with("sha256$")
    );
    let text = badge.to_string();
    let person_uuid = uuid_of(&a.trainee.person_id).to_string();
    for secret in [
        a.trainee.email.as_str(),
        "Tomi",
        "Tess",
        person_uuid.as_str(),
        a.trainee.person_id.as_str(),
    ] {
        assert!(!text.contains(secret), "the badge reveals {secret}");
    }
    let cert_id = id_at(cert, &["id"]);
    let url = app.url(&format!("/credentials/{}", uuid_of(&cert_id)));
    let public: Value = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["credentialStatus"]["status"], "ACTIVE");
    assert_eq!(public["id"], badge["id"]);
    let missing_badge = app
        .client
        .get(app.url(&format!("/credentials/{}", Uuid::now_v7())))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_badge.status().as_u16(), 404);

    // Lineage and reach: Tess trained Tomi; the senior and Tomi are certified.
    let reach = app
        .gql_as(&a.w.admin, "query($id: ID!) { node(id: $id) { ... on Organisation { trainingReach { certifiedFacilitators activeTrainers generations certifiedLast12Months } } } }", json!({ "id": a.w.org_id }))
        .await;
    let reach = &ok(&reach)["node"]["trainingReach"];
    assert_eq!(reach["certifiedFacilitators"], 2);
    assert_eq!(reach["activeTrainers"], 1);
    assert_eq!(reach["generations"], 2);
    assert_eq!(reach["certifiedLast12Months"], 2);
    let trainees = app
        .gql_as(
            &a.trainer,
            "query($id: ID!) { node(id: $id) { ... on Person { trainees { displayName } } } }",
            json!({ "id": a.trainer.person_id }),
        )
        .await;
    assert_eq!(ok(&trainees)["node"]["trainees"][0]["displayName"], "Tomi");

    // Revocation shows in the public credential; a revoked certification is not renewed.
    let revoke = async |who: &Session, reason: &str| {
        app.gql_as(
            who,
            REVOKE,
            json!({ "input": { "certificationId": cert_id, "reason": reason } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(
                REVOKE,
                json!({ "input": { "certificationId": cert_id, "reason": "r" } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&revoke(&a.trainee, "no").await), "FORBIDDEN");
    assert_eq!(code(&revoke(&a.novice, "no").await), "NOT_FOUND");
    assert_eq!(code(&revoke(&a.trainer, " ").await), "BAD_USER_INPUT");
    let revoked = revoke(&a.trainer, "breach of confidentiality").await;
    assert_eq!(
        ok(&revoked)["revokeCertification"]["certification"]["status"],
        "REVOKED"
    );
    let public: Value = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["credentialStatus"]["status"], "REVOKED");
    assert_eq!(public["credentialStatus"]["revoked"], true);
    assert!(!public.to_string().contains("breach"));
    let res = app
        .gql_as(
            &a.trainer,
            RENEW,
            json!({ "input": { "certificationId": cert_id } }),
        )
        .await;
    assert_eq!(code(&res), "CONFLICT");
    assert_eq!(code(&revoke(&a.trainer, "again").await), "CONFLICT");
}

#[tokio::test]
async fn renewal_needs_recent_facilitation_or_a_refresher() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    let now = Utc::now();
    let cert = certify(
        &app,
        &a.novice.person_id,
        &a.program,
        &a.w.org_id,
        now - Duration::days(300),
        now + Duration::days(40),
    )
    .await;
    let cert_id = encode_id("Certification", cert);
    let status = app
        .gql_as(&a.novice, "query($id: ID!) { node(id: $id) { ... on Certification { status holder { displayName } } } }", json!({ "id": cert_id }))
        .await;
    assert_eq!(ok(&status)["node"]["status"], "EXPIRING_SOON");
    let renew = async |who: &Session| {
        app.gql_as(
            who,
            RENEW,
            json!({ "input": { "certificationId": cert_id } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(RENEW, json!({ "input": { "certificationId": cert_id } }))
                .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&renew(&a.novice).await), "FORBIDDEN");
    assert_eq!(code(&renew(&a.trainee).await), "NOT_FOUND");
    assert_eq!(
        code(
            &app.gql_as(
                &a.trainer,
                RENEW,
                json!({ "input": { "certificationId": a.program } })
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let res = renew(&a.trainer).await;
    assert_eq!(code(&res), "NOT_ELIGIBLE");
    let missing = res["errors"][0]["extensions"]["missing"].to_string();
    assert!(
        missing.contains("0 of 6") && missing.contains("refresher"),
        "{missing}"
    );
    // A completed refresher workshop renews it, from the end of the current period.
    complete_workshop(&app, &a, &a.novice, "REFRESHER").await;
    let renewed = renew(&a.trainer).await;
    let c = &ok(&renewed)["renewCertification"]["certification"];
    assert_eq!(c["status"], "ACTIVE");
    let until: DateTime<Utc> = c["validUntil"].as_str().unwrap().parse().unwrap();
    assert!((until - now).num_days() > 40 + 700);
}

#[tokio::test]
async fn mentors_are_certified_and_see_their_mentees_progress() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    let start = async |who: &Session, mentor: &str, mentee: &str| {
        app.gql_as(
            who,
            START_MENTORSHIP,
            json!({ "input": { "programId": a.program, "mentorId": mentor, "menteeId": mentee } }),
        )
        .await
    };
    assert_eq!(code(&app.gql(START_MENTORSHIP, json!({ "input": { "programId": a.program, "mentorId": a.senior.person_id, "menteeId": a.trainee.person_id } })).await), "UNAUTHENTICATED");
    assert_eq!(
        code(&start(&a.novice, &a.senior.person_id, &a.trainee.person_id).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&start(&a.trainee, &a.trainee.person_id, &a.trainee.person_id).await),
        "BAD_USER_INPUT"
    );
    let res = start(&a.trainee, &a.novice.person_id, &a.trainee.person_id).await;
    assert_eq!(code(&res), "NOT_ELIGIBLE");
    // Before: the senior may not read Tomi's progress.
    assert_eq!(
        code(&progress(&app, &a.senior, &a, &a.trainee.person_id).await),
        "NOT_FOUND"
    );
    let m = start(&a.trainee, &a.senior.person_id, &a.trainee.person_id).await;
    let m = id_at(ok(&m), &["startMentorship", "mentorship", "id"]);
    assert_eq!(
        code(&start(&a.trainer, &a.senior.person_id, &a.trainee.person_id).await),
        "CONFLICT"
    );
    ok(&progress(&app, &a.senior, &a, &a.trainee.person_id).await);
    assert_eq!(
        code(&progress(&app, &a.novice, &a, &a.trainee.person_id).await),
        "NOT_FOUND"
    );
    // The mentor may submit evidence for the mentee.
    let res = app
        .gql_as(&a.senior, SUBMIT, json!({ "input": { "programId": a.program, "competencyId": a.competencies[0], "traineeId": a.trainee.person_id, "kind": "MENTOR_REVIEW", "note": "Listened well" } }))
        .await;
    ok(&res);
    let p = progress(&app, &a.trainee, &a, &a.trainee.person_id).await;
    assert_eq!(
        ok(&p)["traineeProgress"]["competencies"][0]["status"],
        "EVIDENCED"
    );
    // The group now has a trainee in its pipeline.
    let s = app
        .gql_as(&a.senior, SUCCESSION, json!({ "id": a.group }))
        .await;
    assert_eq!(ok(&s)["node"]["succession"]["traineesInPipeline"], 1);

    let end = async |who: &Session| {
        app.gql_as(
            who,
            END_MENTORSHIP,
            json!({ "input": { "mentorshipId": m } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(END_MENTORSHIP, json!({ "input": { "mentorshipId": m } }))
                .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&end(&a.novice).await), "NOT_FOUND");
    assert_eq!(
        code(
            &app.gql_as(
                &a.trainee,
                END_MENTORSHIP,
                json!({ "input": { "mentorshipId": a.program } })
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        ok(&end(&a.trainee).await)["endMentorship"]["mentorship"]["active"],
        false
    );
    assert_eq!(code(&end(&a.trainee).await), "CONFLICT");
    assert_eq!(
        code(&progress(&app, &a.senior, &a, &a.trainee.person_id).await),
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn certified_only_groups_rotate_certified_leads() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    app.set_group(
        &a.w.admin,
        &a.group,
        json!({ "requiresCertifiedFacilitator": true }),
    )
    .await;
    for week in 1..=4 {
        app.meeting_at(&a.senior, &a.group, Utc::now() + Duration::weeks(week))
            .await;
    }
    let until = (Utc::now() + Duration::weeks(5)).date_naive().to_string();
    let plan = "mutation($input: PlanRotationInput!) { planRotation(input: $input) { meetings { facilitator { id } coFacilitator { id } } } }";
    let res = app
        .gql_as(
            &a.senior,
            plan,
            json!({ "input": { "groupId": a.group, "until": until } }),
        )
        .await;
    let meetings = ok(&res)["planRotation"]["meetings"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(meetings.len(), 4);
    for m in meetings {
        assert_eq!(m["facilitator"]["id"], json!(a.senior_m));
        // Nova is neither certified nor in training: never co-facilitates here.
        assert_ne!(m["coFacilitator"]["id"], json!(a.novice_m));
    }
}
