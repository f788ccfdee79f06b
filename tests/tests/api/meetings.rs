//! Group life: meetings, cadence generation, agendas, attendance, the record, commitments.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, World, code, field, ok, spawn_app};

const SCHEDULE: &str = "mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { meeting { id version status startsAt durationMinutes agenda { position kind title minutes } } } }";
const FROM_CADENCE: &str = "mutation($input: ScheduleMeetingsFromCadenceInput!) { scheduleMeetingsFromCadence(input: $input) { createdCount meetings { startsAt } } }";
const UPDATE: &str = "mutation($input: UpdateMeetingInput!) { updateMeeting(input: $input) { meeting { id version topic durationMinutes } } }";
const CANCEL: &str = "mutation($input: CancelMeetingInput!) { cancelMeeting(input: $input) { meeting { status cancelReason } } }";
const SET_AGENDA: &str = "mutation($input: SetAgendaInput!) { setAgenda(input: $input) { meeting { agenda { position title minutes } } } }";
const ATTEND: &str = "mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendance { status membership { id } } } }";
const FINALIZE: &str = "mutation($input: FinalizeMeetingRecordInput!) { finalizeMeetingRecord(input: $input) { meeting { status } record { summary topics decisions } } }";
const AMEND: &str = "mutation($input: AmendMeetingRecordInput!) { amendMeetingRecord(input: $input) { amendment { text author { displayName } } } }";
const COMMIT: &str = "mutation($input: AddCommitmentInput!) { addCommitment(input: $input) { commitment { id status text membership { id } } } }";
const REVIEW: &str = "mutation($input: ReviewCommitmentInput!) { reviewCommitment(input: $input) { commitment { status reviewNote } } }";

/// A group with a facilitator, a member, and an outsider who can see the (PUBLIC) group.
struct Life {
    w: World,
    group: String,
    facilitator: Session,
    fac_m: String,
    member: Session,
    member_m: String,
    outsider: Session,
}

async fn life(app: &TestApp) -> Life {
    let w = app.world().await;
    let group = app
        .group(&w.admin, &w.a1, "life-group", json!({ "cadence": { "frequency": "WEEKLY", "weekday": "THURSDAY", "localStartTime": "18:30", "timezone": "Europe/Berlin" } }))
        .await;
    let facilitator = app.sign_up("Fay").await;
    let member = app.sign_up("Mo").await;
    let outsider = app.sign_up("Out").await;
    let fac_m = ok(&app.join(&facilitator, &group).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let member_m = ok(&app.join(&member, &group).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fac_m })).await);
    Life {
        w,
        group,
        facilitator,
        fac_m,
        member,
        member_m,
        outsider,
    }
}

fn at(days: i64) -> String {
    (Utc::now() + Duration::days(days))
        .format("%Y-%m-%dT18:00:00Z")
        .to_string()
}

async fn schedule(app: &TestApp, who: &Session, group: &str, days: i64) -> Value {
    app.gql_as(
        who,
        SCHEDULE,
        json!({ "input": { "groupId": group, "startsAt": at(days) } }),
    )
    .await
}

fn meeting_id(res: &Value) -> String {
    res["data"]["scheduleMeeting"]["meeting"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn schedule_meeting_uses_the_default_agenda_and_checks_rights() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let res = schedule(&app, &l.facilitator, &l.group, 3).await;
    let m = &ok(&res)["scheduleMeeting"]["meeting"];
    assert_eq!(m["status"], "SCHEDULED");
    assert_eq!(m["durationMinutes"], 60);
    let titles: Vec<&str> = m["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Two-word mood",
            "Topic spotlight",
            "Brainstorm",
            "Action commitments"
        ]
    );
    assert_eq!(
        code(
            &app.gql(
                SCHEDULE,
                json!({ "input": { "groupId": l.group, "startsAt": at(4) } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&schedule(&app, &l.member, &l.group, 4).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&schedule(&app, &l.w.coordinator_b, &l.group, 4).await),
        "FORBIDDEN"
    );
    // The coordinator above the group's cluster may schedule.
    ok(&schedule(&app, &l.w.coordinator_a, &l.group, 5).await);
    assert_eq!(
        code(&schedule(&app, &l.facilitator, &l.group, 3).await),
        "CONFLICT",
        "same start twice"
    );
    let short = app
        .gql_as(
            &l.facilitator,
            SCHEDULE,
            json!({ "input": { "groupId": l.group, "startsAt": at(6), "durationMinutes": 5 } }),
        )
        .await;
    assert_eq!(
        (code(&short), field(&short)),
        ("BAD_USER_INPUT".into(), "durationMinutes".into())
    );
    assert_eq!(
        field(&schedule(&app, &l.facilitator, &l.group, 800).await),
        "startsAt"
    );
}

#[tokio::test]
async fn cadence_generation_keeps_local_time_across_dst_and_is_idempotent() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let until = (Utc::now() + Duration::weeks(40))
        .format("%Y-%m-%d")
        .to_string();
    let res = app
        .gql_as(
            &l.facilitator,
            FROM_CADENCE,
            json!({ "input": { "groupId": l.group, "until": until } }),
        )
        .await;
    let data = &ok(&res)["scheduleMeetingsFromCadence"];
    let created = data["createdCount"].as_i64().unwrap();
    // Weekly, capped at 26 weeks ahead.
    assert!((25..=27).contains(&created), "{created}");
    let starts: Vec<chrono::DateTime<Utc>> = data["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["startsAt"].as_str().unwrap().parse().unwrap())
        .collect();
    let berlin = chrono_tz::Europe::Berlin;
    for s in &starts {
        let local = s.with_timezone(&berlin);
        assert_eq!(local.format("%a %H:%M").to_string(), "Thu 18:30", "{s}");
    }
    // Half a year always crosses a daylight-saving change: two UTC hours, one local time.
    let utc_hours: std::collections::BTreeSet<String> = starts
        .iter()
        .map(|s| s.format("%H:%M").to_string())
        .collect();
    assert_eq!(
        utc_hours.into_iter().collect::<Vec<_>>(),
        ["16:30", "17:30"]
    );
    let again = app
        .gql_as(
            &l.facilitator,
            FROM_CADENCE,
            json!({ "input": { "groupId": l.group, "until": until } }),
        )
        .await;
    assert_eq!(ok(&again)["scheduleMeetingsFromCadence"]["createdCount"], 0);
    let past = (Utc::now() - Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let bad = app
        .gql_as(
            &l.facilitator,
            FROM_CADENCE,
            json!({ "input": { "groupId": l.group, "until": past } }),
        )
        .await;
    assert_eq!(
        (code(&bad), field(&bad)),
        ("BAD_USER_INPUT".into(), "until".into())
    );
    assert_eq!(
        code(
            &app.gql(
                FROM_CADENCE,
                json!({ "input": { "groupId": l.group, "until": until } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(
                &l.member,
                FROM_CADENCE,
                json!({ "input": { "groupId": l.group, "until": until } })
            )
            .await
        ),
        "FORBIDDEN"
    );
    let count = app
        .gql_as(&l.member, "query($s: String!) { group(slug: $s) { meetings { totalCount } nextMeeting { startsAt } } }", json!({ "s": "life-group" }))
        .await;
    assert_eq!(
        ok(&count)["group"]["meetings"]["totalCount"]
            .as_i64()
            .unwrap(),
        created
    );
    assert!(count["data"]["group"]["nextMeeting"]["startsAt"].is_string());
}

#[tokio::test]
async fn ad_hoc_groups_have_no_cadence_to_follow() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app
        .group(
            &w.admin,
            &w.a,
            "ad-hoc",
            json!({ "cadence": { "frequency": "AD_HOC", "timezone": "UTC" } }),
        )
        .await;
    let until = (Utc::now() + Duration::weeks(4))
        .format("%Y-%m-%d")
        .to_string();
    let res = app
        .gql_as(
            &w.admin,
            FROM_CADENCE,
            json!({ "input": { "groupId": g, "until": until } }),
        )
        .await;
    assert_eq!(code(&res), "BAD_USER_INPUT");
}

#[tokio::test]
async fn meetings_are_for_members_and_updates_are_versioned() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let id = meeting_id(&schedule(&app, &l.facilitator, &l.group, 3).await);
    let own_link = app
        .gql_as(&l.facilitator, SCHEDULE, json!({ "input": { "groupId": l.group, "startsAt": at(9), "modality": "IN_PERSON", "conferenceUrl": "https://meet.example.org/special", "venue": { "name": "Library", "address": "3 Book St" } } }))
        .await;
    let special = meeting_id(&own_link);
    let q = "query($id: ID!) { meeting(id: $id) { modality conferenceUrl venue { address } } }";
    assert_eq!(
        ok(&app.gql_as(&l.member, q, json!({ "id": special })).await)["meeting"],
        json!({ "modality": "IN_PERSON", "conferenceUrl": "https://meet.example.org/special", "venue": { "address": "3 Book St" } })
    );
    let q = "query($id: ID!) { meeting(id: $id) { id topic conferenceUrl } }";
    assert_eq!(
        ok(&app.gql_as(&l.member, q, json!({ "id": id })).await)["meeting"]["conferenceUrl"],
        "https://meet.example.org/room"
    );
    assert_eq!(
        code(&app.gql_as(&l.outsider, q, json!({ "id": id })).await),
        "NOT_FOUND"
    );
    assert_eq!(code(&app.gql(q, json!({ "id": id })).await), "NOT_FOUND");
    let list = "{ group(slug: \"life-group\") { meetings { totalCount } } }";
    assert_eq!(
        code(&app.gql_as(&l.outsider, list, json!({})).await),
        "FORBIDDEN"
    );
    let update = |v: i64, topic: &str| json!({ "input": { "meetingId": id, "expectedVersion": v, "topic": topic } });
    let res = app.gql_as(&l.facilitator, UPDATE, update(1, "Sleep")).await;
    assert_eq!(ok(&res)["updateMeeting"]["meeting"]["version"], 2);
    assert_eq!(
        code(&app.gql_as(&l.facilitator, UPDATE, update(1, "Lost")).await),
        "CONFLICT"
    );
    assert_eq!(
        code(&app.gql_as(&l.member, UPDATE, update(2, "Mine")).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql(UPDATE, update(2, "Anon")).await),
        "UNAUTHENTICATED"
    );
    let long = json!({ "input": { "meetingId": id, "expectedVersion": 2, "durationMinutes": 30 } });
    let res = app.gql_as(&l.facilitator, UPDATE, long).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "durationMinutes".into()),
        "the 55-minute agenda no longer fits"
    );
    let node = app
        .gql_as(
            &l.member,
            "query($id: ID!) { node(id: $id) { ... on Meeting { topic } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(ok(&node)["node"]["topic"], "Sleep");
}

#[tokio::test]
async fn agendas_are_validated_and_templates_apply_to_new_meetings() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let id = meeting_id(&schedule(&app, &l.facilitator, &l.group, 3).await);
    let item = |p: i64, m: i64| json!({ "position": p, "kind": "CUSTOM", "title": format!("Item {p}"), "minutes": m });
    let set = |items: Vec<Value>| json!({ "input": { "meetingId": id, "items": items } });
    let dup = app
        .gql_as(
            &l.facilitator,
            SET_AGENDA,
            set(vec![item(1, 10), item(1, 10)]),
        )
        .await;
    assert_eq!(
        (code(&dup), field(&dup)),
        ("BAD_USER_INPUT".into(), "items[1].position".into())
    );
    let zero = app
        .gql_as(&l.facilitator, SET_AGENDA, set(vec![item(1, 0)]))
        .await;
    assert_eq!(field(&zero), "items[0].minutes");
    let long = app
        .gql_as(
            &l.facilitator,
            SET_AGENDA,
            set(vec![item(1, 40), item(2, 30)]),
        )
        .await;
    assert_eq!(
        (code(&long), field(&long)),
        ("BAD_USER_INPUT".into(), "items".into())
    );
    assert_eq!(
        code(
            &app.gql_as(&l.member, SET_AGENDA, set(vec![item(1, 10)]))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql(SET_AGENDA, set(vec![item(1, 10)])).await),
        "UNAUTHENTICATED"
    );
    // The refused attempts changed nothing: still the default agenda.
    let unchanged = app
        .gql_as(
            &l.member,
            "query($id: ID!) { meeting(id: $id) { agenda { title } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        ok(&unchanged)["meeting"]["agenda"][0]["title"],
        "Two-word mood"
    );
    let res = app
        .gql_as(
            &l.facilitator,
            SET_AGENDA,
            set(vec![item(2, 20), item(1, 10)]),
        )
        .await;
    assert_eq!(
        ok(&res)["setAgenda"]["meeting"]["agenda"][0]["title"],
        "Item 1"
    );
    let template = "mutation($input: SetAgendaTemplateInput!) { setAgendaTemplate(input: $input) { group { agendaTemplate { title } } } }";
    let t = app
        .gql_as(&l.facilitator, template, json!({ "input": { "groupId": l.group, "items": [{ "position": 1, "kind": "CHECK_IN", "title": "Check-in round", "minutes": 15 }] } }))
        .await;
    assert_eq!(
        ok(&t)["setAgendaTemplate"]["group"]["agendaTemplate"],
        json!([{ "title": "Check-in round" }])
    );
    let next = schedule(&app, &l.facilitator, &l.group, 10).await;
    assert_eq!(
        ok(&next)["scheduleMeeting"]["meeting"]["agenda"][0]["title"],
        "Check-in round"
    );
    let too_long = json!({ "input": { "groupId": l.group, "items": [{ "position": 1, "kind": "CHECK_IN", "title": "Long", "minutes": 90 }] } });
    assert_eq!(
        code(&app.gql_as(&l.facilitator, template, too_long).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql_as(
                &l.member,
                template,
                json!({ "input": { "groupId": l.group, "items": null } })
            )
            .await
        ),
        "FORBIDDEN"
    );
    let reset = json!({ "input": { "groupId": l.group, "items": null } });
    assert_eq!(
        code(&app.gql(template, reset.clone()).await),
        "UNAUTHENTICATED"
    );
    let res = app.gql_as(&l.facilitator, template, reset).await;
    assert_eq!(
        ok(&res)["setAgendaTemplate"]["group"]["agendaTemplate"][0]["title"],
        "Two-word mood"
    );
}

#[tokio::test]
async fn attendance_is_for_started_meetings_and_facilitators() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let past = meeting_id(&schedule(&app, &l.facilitator, &l.group, -2).await);
    let future = meeting_id(&schedule(&app, &l.facilitator, &l.group, 2).await);
    let entries = |m: &str, status: &str| json!({ "input": { "meetingId": m, "entries": [{ "membershipId": l.member_m, "status": status }, { "membershipId": l.fac_m, "status": "PRESENT" }] } });
    assert_eq!(
        code(&app.gql(ATTEND, entries(&past, "PRESENT")).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&l.member, ATTEND, entries(&past, "PRESENT"))
                .await
        ),
        "FORBIDDEN"
    );
    let early = app
        .gql_as(&l.facilitator, ATTEND, entries(&future, "PRESENT"))
        .await;
    assert_eq!(
        (code(&early), field(&early)),
        ("BAD_USER_INPUT".into(), "meetingId".into())
    );
    ok(&app
        .gql_as(&l.facilitator, ATTEND, entries(&past, "ABSENT"))
        .await);
    // An upsert: the second call corrects the first.
    let res = app
        .gql_as(&l.facilitator, ATTEND, entries(&past, "EXCUSED"))
        .await;
    assert_eq!(
        ok(&res)["recordAttendance"]["attendance"][0]["status"],
        "EXCUSED"
    );
    // A membership of another group is refused, naming the entry.
    let other = app
        .group(&l.w.admin, &l.w.b, "other-group", json!({}))
        .await;
    let stranger_m = ok(&app.join(&l.outsider, &other).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = json!({ "input": { "meetingId": past, "entries": [{ "membershipId": stranger_m, "status": "PRESENT" }] } });
    let res = app.gql_as(&l.facilitator, ATTEND, wrong).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "entries[0].membershipId".into())
    );
    // Members see the counts, not who.
    let q = "query($id: ID!) { meeting(id: $id) { attendanceSummary { present absent excused unrecorded } } }";
    let summary = app.gql_as(&l.member, q, json!({ "id": past })).await;
    assert_eq!(
        ok(&summary)["meeting"]["attendanceSummary"],
        json!({ "present": 1, "absent": 0, "excused": 1, "unrecorded": 0 })
    );
    let who = "query($id: ID!) { meeting(id: $id) { attendance { status membership { person { displayName } } } } }";
    assert_eq!(
        code(&app.gql_as(&l.member, who, json!({ "id": past })).await),
        "FORBIDDEN"
    );
    assert_eq!(
        ok(&app.gql_as(&l.facilitator, who, json!({ "id": past })).await)["meeting"]["attendance"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let history = app
        .gql_as(
            &l.member,
            "{ viewer { attendance { totalCount edges { node { status meeting { id } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&history)["viewer"]["attendance"]["edges"][0]["node"],
        json!({ "status": "EXCUSED", "meeting": { "id": past } })
    );
    // A cancelled meeting takes no attendance.
    let cancelled = meeting_id(&schedule(&app, &l.facilitator, &l.group, -1).await);
    assert_eq!(
        code(
            &app.gql_as(
                &l.facilitator,
                CANCEL,
                json!({ "input": { "meetingId": cancelled, "reason": "" } })
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let res = app
        .gql_as(
            &l.facilitator,
            CANCEL,
            json!({ "input": { "meetingId": cancelled, "reason": "Snow storm" } }),
        )
        .await;
    assert_eq!(
        ok(&res)["cancelMeeting"]["meeting"],
        json!({ "status": "CANCELLED", "cancelReason": "Snow storm" })
    );
    let res = app
        .gql_as(&l.facilitator, ATTEND, entries(&cancelled, "PRESENT"))
        .await;
    assert_eq!(code(&res), "BAD_USER_INPUT");
    assert_eq!(
        code(
            &app.gql_as(
                &l.member,
                CANCEL,
                json!({ "input": { "meetingId": past, "reason": "No" } })
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql(
                CANCEL,
                json!({ "input": { "meetingId": past, "reason": "No" } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_finalised_record_is_read_only_and_amended_by_appending() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let id = meeting_id(&schedule(&app, &l.facilitator, &l.group, -3).await);
    let amend = |text: &str| json!({ "input": { "meetingId": id, "text": text } });
    assert_eq!(
        code(&app.gql_as(&l.facilitator, AMEND, amend("Too early")).await),
        "BAD_USER_INPUT",
        "not finalised yet"
    );
    let input = json!({ "input": { "meetingId": id, "summary": "We talked about sleep.", "topics": ["Sleep"], "decisions": ["Try a wind-down hour"] } });
    assert_eq!(
        code(&app.gql(FINALIZE, input.clone()).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&l.member, FINALIZE, input.clone()).await),
        "FORBIDDEN"
    );
    let blank = json!({ "input": { "meetingId": id, "summary": " " } });
    assert_eq!(
        field(&app.gql_as(&l.facilitator, FINALIZE, blank).await),
        "summary"
    );
    let res = app.gql_as(&l.facilitator, FINALIZE, input.clone()).await;
    assert_eq!(
        ok(&res)["finalizeMeetingRecord"]["meeting"]["status"],
        "HELD"
    );
    // Read-only from now on.
    assert_eq!(
        code(&app.gql_as(&l.facilitator, FINALIZE, input).await),
        "CONFLICT"
    );
    let change = json!({ "input": { "meetingId": id, "expectedVersion": 2, "topic": "Rewrite" } });
    assert_eq!(
        code(&app.gql_as(&l.facilitator, UPDATE, change).await),
        "BAD_USER_INPUT"
    );
    let res = app
        .gql_as(
            &l.facilitator,
            AMEND,
            amend("Correction: we also discussed naps."),
        )
        .await;
    assert_eq!(
        ok(&res)["amendMeetingRecord"]["amendment"],
        json!({ "text": "Correction: we also discussed naps.", "author": { "displayName": "Fay" } })
    );
    assert_eq!(
        code(&app.gql_as(&l.member, AMEND, amend("Mine")).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql(AMEND, amend("Anon")).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        field(&app.gql_as(&l.facilitator, AMEND, amend(" ")).await),
        "text"
    );
    let log = "{ group(slug: \"life-group\") { record { totalCount edges { node { summary decisions amendments { text } meeting { status } } } } } }";
    let res = app.gql_as(&l.member, log, json!({})).await;
    let entry = &ok(&res)["group"]["record"]["edges"][0]["node"];
    assert_eq!(
        entry["summary"], "We talked about sleep.",
        "the original is unchanged"
    );
    assert_eq!(
        entry["amendments"],
        json!([{ "text": "Correction: we also discussed naps." }])
    );
    assert_eq!(
        code(&app.gql_as(&l.outsider, log, json!({})).await),
        "FORBIDDEN"
    );
    // A cancelled meeting cannot be finalised.
    let cancelled = meeting_id(&schedule(&app, &l.facilitator, &l.group, -1).await);
    ok(&app
        .gql_as(
            &l.facilitator,
            CANCEL,
            json!({ "input": { "meetingId": cancelled, "reason": "Ill" } }),
        )
        .await);
    let res = app
        .gql_as(
            &l.facilitator,
            FINALIZE,
            json!({ "input": { "meetingId": cancelled, "summary": "x" } }),
        )
        .await;
    assert_eq!(code(&res), "BAD_USER_INPUT");
}

#[tokio::test]
async fn commitments_are_made_by_members_and_reviewed_by_them_or_facilitators() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let held = meeting_id(&schedule(&app, &l.facilitator, &l.group, -7).await);
    let next = meeting_id(&schedule(&app, &l.facilitator, &l.group, 1).await);
    let mine = json!({ "input": { "meetingId": held, "text": "Walk 20 minutes daily", "dueOn": "2030-01-01" } });
    assert_eq!(
        code(&app.gql(COMMIT, mine.clone()).await),
        "UNAUTHENTICATED"
    );
    let own = app.gql_as(&l.member, COMMIT, mine).await;
    let own_id = ok(&own)["addCommitment"]["commitment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        own["data"]["addCommitment"]["commitment"]["membership"]["id"],
        l.member_m
    );
    // A plain member cannot commit someone else.
    let for_fay =
        json!({ "input": { "meetingId": held, "membershipId": l.fac_m, "text": "Rest" } });
    assert_eq!(
        code(&app.gql_as(&l.member, COMMIT, for_fay).await),
        "FORBIDDEN"
    );
    // A facilitator records one for a member only if they were present.
    let for_mo = json!({ "input": { "meetingId": held, "membershipId": l.member_m, "text": "Call a friend" } });
    assert_eq!(
        code(&app.gql_as(&l.facilitator, COMMIT, for_mo.clone()).await),
        "BAD_USER_INPUT"
    );
    let present = json!({ "input": { "meetingId": held, "entries": [{ "membershipId": l.member_m, "status": "PRESENT" }] } });
    ok(&app.gql_as(&l.facilitator, ATTEND, present).await);
    let by_fac = app.gql_as(&l.facilitator, COMMIT, for_mo).await;
    let fac_id = ok(&by_fac)["addCommitment"]["commitment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        code(
            &app.gql_as(
                &l.outsider,
                COMMIT,
                json!({ "input": { "meetingId": held, "text": "x" } })
            )
            .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.gql_as(
                &l.member,
                COMMIT,
                json!({ "input": { "meetingId": held, "text": "" } })
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    // Open commitments, for the member and the facilitators.
    let open =
        "query($id: ID!) { node(id: $id) { ... on Membership { openCommitments { text } } } }";
    let res = app
        .gql_as(&l.member, open, json!({ "id": l.member_m }))
        .await;
    assert_eq!(
        ok(&res)["node"]["openCommitments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The next meeting lists them for review once this one is HELD.
    ok(&app
        .gql_as(
            &l.facilitator,
            FINALIZE,
            json!({ "input": { "meetingId": held, "summary": "Good session." } }),
        )
        .await);
    let review_q = "query($id: ID!) { meeting(id: $id) { commitmentsToReview { text status } } }";
    let res = app.gql_as(&l.member, review_q, json!({ "id": next })).await;
    assert_eq!(
        ok(&res)["meeting"]["commitmentsToReview"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Reviews: the member their own, a facilitator any; a plain member not someone else's.
    let review = |id: &str, status: &str| json!({ "input": { "commitmentId": id, "status": status, "note": "ok" } });
    let res = app.gql_as(&l.member, REVIEW, review(&own_id, "DONE")).await;
    assert_eq!(
        ok(&res)["reviewCommitment"]["commitment"],
        json!({ "status": "DONE", "reviewNote": "ok" })
    );
    let fay_own = ok(&app
        .gql_as(
            &l.facilitator,
            COMMIT,
            json!({ "input": { "meetingId": held, "text": "Delegate more" } }),
        )
        .await)["addCommitment"]["commitment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        code(
            &app.gql_as(&l.member, REVIEW, review(&fay_own, "DONE"))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql_as(&l.member, REVIEW, review(&fac_id, "OPEN")).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(&app.gql(REVIEW, review(&fac_id, "DONE")).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&l.outsider, REVIEW, review(&fac_id, "DONE"))
                .await
        ),
        "NOT_FOUND"
    );
    ok(&app
        .gql_as(&l.facilitator, REVIEW, review(&fac_id, "PARTIAL"))
        .await);
    let res = app.gql_as(&l.member, review_q, json!({ "id": next })).await;
    assert_eq!(
        ok(&res)["meeting"]["commitmentsToReview"],
        json!([{ "text": "Delegate more", "status": "OPEN" }])
    );
    assert_eq!(
        code(
            &app.gql_as(&l.outsider, open, json!({ "id": l.member_m }))
                .await
        ),
        "NOT_FOUND"
    );
}

const NESTED: &str = "query { group(slug: \"life-group\") { meetings(first: 20) { edges { node { facilitator { person { displayName } } attendanceSummary { present } commitments(first: 10) { edges { node { status } } } } } } } }";

/// Meetings in the past `n` days, each with the facilitator assigned, attendance and a
/// commitment; returns the statements the nested query costs a member.
async fn nested_cost(n: i64) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = spawn_app().await;
    let l = life(&app).await;
    for day in 1..=n {
        let id = meeting_id(&schedule(&app, &l.facilitator, &l.group, -day).await);
        let entries = json!({ "input": { "meetingId": id, "entries": [{ "membershipId": l.member_m, "status": "PRESENT" }] } });
        ok(&app.gql_as(&l.facilitator, ATTEND, entries).await);
        ok(&app
            .gql_as(
                &l.member,
                COMMIT,
                json!({ "input": { "meetingId": id, "text": format!("Step {day}") } }),
            )
            .await);
    }
    entity::meeting::Entity::update_many()
        .col_expr(
            entity::meeting::Column::FacilitatorId,
            Expr::value(crate::helpers::uuid_of(&l.fac_m)),
        )
        .filter(entity::meeting::Column::GroupId.eq(crate::helpers::uuid_of(&l.group)))
        .exec(&app.db)
        .await
        .unwrap();
    app.statements.reset();
    let res = app.gql_as(&l.member, NESTED, json!({})).await;
    let edges = ok(&res)["group"]["meetings"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len() as i64, n.min(20));
    let first = &edges[0]["node"];
    assert_eq!(first["facilitator"]["person"]["displayName"], "Fay");
    assert_eq!(first["attendanceSummary"]["present"], 1);
    assert_eq!(first["commitments"]["edges"].as_array().unwrap().len(), 1);
    let cost = app.statements.get();
    assert!(cost <= 6, "{cost} statements: {:#?}", app.statements.seen());
    cost
}

#[tokio::test]
async fn the_nested_meetings_query_costs_at_most_six_statements_for_2_or_20_meetings() {
    let two = nested_cost(2).await;
    let twenty = nested_cost(20).await;
    assert_eq!(two, twenty, "cost must not grow with the meetings");
    assert!(twenty <= 6, "{twenty} statements");
}

#[tokio::test]
async fn former_members_keep_their_history_but_not_the_meetings() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let id = meeting_id(&schedule(&app, &l.facilitator, &l.group, -2).await);
    let entries = json!({ "input": { "meetingId": id, "entries": [{ "membershipId": l.member_m, "status": "PRESENT" }] } });
    ok(&app.gql_as(&l.facilitator, ATTEND, entries).await);
    ok(&app
        .gql_as(
            &l.member,
            COMMIT,
            json!({ "input": { "meetingId": id, "text": "Rest more" } }),
        )
        .await);
    let history = "{ viewer { attendance { edges { node { status meeting { id record { summary } commitments { totalCount } venue { address } } } } } } }";
    let before = app.gql_as(&l.member, history, json!({})).await;
    assert_eq!(
        ok(&before)["viewer"]["attendance"]["edges"][0]["node"]["meeting"]["id"],
        id
    );
    let leave =
        "mutation($id: ID!) { leaveGroup(input: {groupId: $id}) { membership { status } } }";
    ok(&app.gql_as(&l.member, leave, json!({ "id": l.group })).await);
    let after = app.gql_as(&l.member, history, json!({})).await;
    assert_eq!(
        ok(&after)["viewer"]["attendance"]["edges"][0]["node"],
        json!({ "status": "PRESENT", "meeting": null })
    );
    assert_eq!(
        code(
            &app.gql_as(
                &l.member,
                "query($id: ID!) { meeting(id: $id) { id } }",
                json!({ "id": id })
            )
            .await
        ),
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn a_moved_or_cancelled_occurrence_is_not_generated_again() {
    let app = spawn_app().await;
    let l = life(&app).await;
    let until = (Utc::now() + Duration::weeks(6))
        .format("%Y-%m-%d")
        .to_string();
    let input = json!({ "input": { "groupId": l.group, "until": until } });
    let first = app
        .gql_as(&l.facilitator, "mutation($input: ScheduleMeetingsFromCadenceInput!) { scheduleMeetingsFromCadence(input: $input) { createdCount meetings { id version startsAt } } }", input.clone())
        .await;
    let made = ok(&first)["scheduleMeetingsFromCadence"]["meetings"]
        .as_array()
        .unwrap()
        .clone();
    let (moved, cancelled) = (
        made[0]["id"].as_str().unwrap(),
        made[1]["id"].as_str().unwrap(),
    );
    let later: chrono::DateTime<Utc> = made[0]["startsAt"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<Utc>>()
        .unwrap()
        + Duration::minutes(30);
    ok(&app.gql_as(&l.facilitator, UPDATE, json!({ "input": { "meetingId": moved, "expectedVersion": 1, "startsAt": later.to_rfc3339() } })).await);
    ok(&app
        .gql_as(
            &l.facilitator,
            CANCEL,
            json!({ "input": { "meetingId": cancelled, "reason": "Holiday" } }),
        )
        .await);
    let again = app.gql_as(&l.facilitator, FROM_CADENCE, input).await;
    assert_eq!(ok(&again)["scheduleMeetingsFromCadence"]["createdCount"], 0);
}

#[tokio::test]
async fn group_meetings_filter_and_page_by_start() {
    let app = spawn_app().await;
    let l = life(&app).await;
    for day in [-3, -2, -1, 1, 2, 3] {
        ok(&schedule(&app, &l.facilitator, &l.group, day).await);
    }
    let past = meeting_id(&schedule(&app, &l.facilitator, &l.group, -4).await);
    ok(&app
        .gql_as(
            &l.facilitator,
            CANCEL,
            json!({ "input": { "meetingId": past, "reason": "Ill" } }),
        )
        .await);
    let q = "query($filter: MeetingFilter, $after: String) { group(slug: \"life-group\") { meetings(filter: $filter, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { startsAt status } } } } }";
    let now = Utc::now().to_rfc3339();
    let upcoming = app
        .gql_as(
            &l.member,
            q,
            json!({ "filter": { "from": now, "status": "SCHEDULED" } }),
        )
        .await;
    let page = &ok(&upcoming)["group"]["meetings"];
    assert_eq!(page["totalCount"], 3);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let next = app
        .gql_as(&l.member, q, json!({ "filter": { "from": now, "status": "SCHEDULED" }, "after": page["pageInfo"]["endCursor"] }))
        .await;
    let rest = &ok(&next)["group"]["meetings"];
    assert_eq!(rest["edges"].as_array().unwrap().len(), 1);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    let starts: Vec<&str> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["edges"].as_array().unwrap())
        .map(|e| e["node"]["startsAt"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "in order of start");
    let cancelled = app
        .gql_as(
            &l.member,
            q,
            json!({ "filter": { "status": ["CANCELLED"] } }),
        )
        .await;
    assert_eq!(ok(&cancelled)["group"]["meetings"]["totalCount"], 1);
    let before_now = app
        .gql_as(&l.member, q, json!({ "filter": { "to": now } }))
        .await;
    assert_eq!(ok(&before_now)["group"]["meetings"]["totalCount"], 4);
}
