//! Facilitator rotation, load signals, group health metrics and the evaluation.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, World, code, field, ok, spawn_app, uuid_of};

const SET_ROLE: &str = "mutation($id: ID!, $role: MembershipRole!) { setMembershipRole(input: {membershipId: $id, role: $role}) { membership { id } } }";
const PLAN: &str = "mutation($input: PlanRotationInput!) { planRotation(input: $input) { meetings { id startsAt facilitatorAssignedBy facilitator { id } coFacilitator { id } } } }";
const POLICY: &str = "mutation($input: SetRotationPolicyInput!) { setRotationPolicy(input: $input) { rotationPolicy { periodWeeks maxConsecutiveBlocks } } }";
const SWAP: &str = "mutation($input: SwapFacilitatorInput!) { swapFacilitator(input: $input) { meeting { facilitatorAssignedBy facilitator { id } } } }";
const REPORT: &str =
    "mutation($input: ReportFacilitatorLoadInput!) { reportFacilitatorLoad(input: $input) { ok } }";
const LOAD: &str = "{ group(slug: \"rota\") { facilitatorLoad { membership { person { displayName } } selfReportedLoad atRisk reasons } } }";

struct Rota {
    w: World,
    group: String,
    leads: Vec<(Session, String)>,
    member: Session,
}

async fn rota(app: &TestApp) -> Rota {
    let w = app.world().await;
    let group = app
        .group(&w.admin, &w.a, "rota", json!({ "cadence": { "frequency": "WEEKLY", "weekday": "MONDAY", "localStartTime": "19:00", "timezone": "UTC" } }))
        .await;
    let mut leads = Vec::new();
    for (name, role) in [
        ("Ada", "FACILITATOR"),
        ("Bea", "CO_FACILITATOR"),
        ("Cal", "CO_FACILITATOR"),
    ] {
        let who = app.sign_up(name).await;
        let m = ok(&app.join(&who, &group).await)["joinGroup"]["membership"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(&app
            .gql_as(&w.admin, SET_ROLE, json!({ "id": m, "role": role }))
            .await);
        leads.push((who, m));
    }
    let member = app.sign_up("Mo").await;
    ok(&app.join(&member, &group).await);
    Rota {
        w,
        group,
        leads,
        member,
    }
}

fn until(weeks: i64) -> String {
    (Utc::now() + Duration::weeks(weeks))
        .format("%Y-%m-%d")
        .to_string()
}

fn assignments(res: &Value) -> Vec<(String, String, String)> {
    res["data"]["planRotation"]["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["startsAt"].as_str().unwrap().to_owned(),
                m["facilitator"]["id"].as_str().unwrap_or("").to_owned(),
                m["coFacilitator"]["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn rotation_is_fair_and_caps_consecutive_blocks_over_twelve_weeks() {
    let app = spawn_app().await;
    let r = rota(&app).await;
    let generate = "mutation($input: ScheduleMeetingsFromCadenceInput!) { scheduleMeetingsFromCadence(input: $input) { createdCount } }";
    ok(&app
        .gql_as(
            &r.w.admin,
            generate,
            json!({ "input": { "groupId": r.group, "until": until(12) } }),
        )
        .await);
    let policy =
        json!({ "input": { "groupId": r.group, "periodWeeks": 2, "maxConsecutiveBlocks": 1 } });
    assert_eq!(
        code(&app.gql_as(&r.member, POLICY, policy.clone()).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql(POLICY, policy.clone()).await),
        "UNAUTHENTICATED"
    );
    let bad =
        json!({ "input": { "groupId": r.group, "periodWeeks": 0, "maxConsecutiveBlocks": 1 } });
    assert_eq!(
        field(&app.gql_as(&r.leads[0].0, POLICY, bad).await),
        "periodWeeks"
    );
    ok(&app.gql_as(&r.leads[0].0, POLICY, policy).await);
    let plan_input = json!({ "input": { "groupId": r.group, "until": until(12) } });
    assert_eq!(
        code(&app.gql(PLAN, plan_input.clone()).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&r.member, PLAN, plan_input.clone()).await),
        "FORBIDDEN"
    );
    let past = json!({ "input": { "groupId": r.group, "until": "2020-01-01" } });
    assert_eq!(
        code(&app.gql_as(&r.leads[0].0, PLAN, past).await),
        "BAD_USER_INPUT"
    );
    let first = app.gql_as(&r.leads[0].0, PLAN, plan_input.clone()).await;
    let plan = assignments(ok(&first).get("planRotation").map(|_| &first).unwrap());
    assert!(plan.len() >= 11, "{}", plan.len());
    // Blocks of two weeks: consecutive meetings pair up under one facilitator.
    let mut blocks: Vec<String> = Vec::new();
    let mut per_person = std::collections::HashMap::<String, usize>::new();
    for (starts, lead, co) in &plan {
        assert!(
            !lead.is_empty() && !co.is_empty() && lead != co,
            "{starts}: {lead} / {co}"
        );
        *per_person.entry(lead.clone()).or_default() += 1;
        let block = {
            let t: chrono::DateTime<Utc> = starts.parse().unwrap();
            let monday = chrono::NaiveDate::from_ymd_opt(1970, 1, 5).unwrap();
            (t.date_naive() - monday).num_days().div_euclid(14)
        };
        if blocks
            .last()
            .map(|b| b.split(':').next() != Some(&block.to_string()))
            .unwrap_or(true)
        {
            blocks.push(format!("{block}:{lead}"));
        } else {
            assert_eq!(
                blocks.last().unwrap().split(':').nth(1),
                Some(lead.as_str()),
                "one lead per block"
            );
        }
    }
    for pair in blocks.windows(2) {
        assert_ne!(
            pair[0].split(':').nth(1),
            pair[1].split(':').nth(1),
            "no one leads two blocks in a row: {blocks:?}"
        );
    }
    assert_eq!(per_person.len(), 3, "all three lead: {per_person:?}");
    let (min, max) = (
        per_person.values().min().unwrap(),
        per_person.values().max().unwrap(),
    );
    assert!(
        max - min <= 2,
        "fair shares (a block is two meetings): {per_person:?}"
    );
    // Deterministic: planning again gives the same plan.
    let again = app.gql_as(&r.leads[0].0, PLAN, plan_input).await;
    assert_eq!(assignments(&again), plan);
}

#[tokio::test]
async fn manual_swaps_survive_replanning_and_the_unavailable_are_skipped() {
    let app = spawn_app().await;
    let r = rota(&app).await;
    let generate = "mutation($input: ScheduleMeetingsFromCadenceInput!) { scheduleMeetingsFromCadence(input: $input) { meetings { id } } }";
    let made = app
        .gql_as(
            &r.w.admin,
            generate,
            json!({ "input": { "groupId": r.group, "until": until(6) } }),
        )
        .await;
    let first = ok(&made)["scheduleMeetingsFromCadence"]["meetings"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Cal is away for the whole period.
    let away = json!({ "input": { "groupId": r.group, "from": until(0), "to": until(8) } });
    let set_away = "mutation($input: SetUnavailabilityInput!) { setUnavailability(input: $input) { unavailability { from to } } }";
    ok(&app.gql_as(&r.leads[2].0, set_away, away.clone()).await);
    assert_eq!(
        code(&app.gql(set_away, away.clone()).await),
        "UNAUTHENTICATED"
    );
    let backwards = json!({ "input": { "groupId": r.group, "from": until(2), "to": until(1) } });
    assert_eq!(
        field(&app.gql_as(&r.leads[2].0, set_away, backwards).await),
        "to"
    );
    assert_eq!(
        code(&app.gql_as(&r.w.coordinator_b, set_away, away).await),
        "FORBIDDEN"
    );
    let swap = json!({ "input": { "meetingId": first, "facilitatorMembershipId": r.leads[2].1 } });
    assert_eq!(
        code(&app.gql_as(&r.member, SWAP, swap.clone()).await),
        "FORBIDDEN"
    );
    assert_eq!(code(&app.gql(SWAP, swap.clone()).await), "UNAUTHENTICATED");
    let not_lead =
        json!({ "input": { "meetingId": first, "facilitatorMembershipId": r.w.admin.person_id } });
    assert_eq!(
        code(&app.gql_as(&r.leads[0].0, SWAP, not_lead).await),
        "BAD_USER_INPUT"
    );
    let res = app.gql_as(&r.leads[0].0, SWAP, swap).await;
    assert_eq!(
        ok(&res)["swapFacilitator"]["meeting"]["facilitatorAssignedBy"],
        "MANUAL"
    );
    let plan = app
        .gql_as(
            &r.leads[0].0,
            PLAN,
            json!({ "input": { "groupId": r.group, "until": until(6) } }),
        )
        .await;
    let planned = assignments(&plan);
    assert!(
        planned
            .iter()
            .all(|(_, lead, co)| lead != &r.leads[2].1 && co != &r.leads[2].1),
        "Cal is away"
    );
    let q = "query($id: ID!) { meeting(id: $id) { facilitatorAssignedBy facilitator { id } } }";
    let kept = app.gql_as(&r.member, q, json!({ "id": first })).await;
    assert_eq!(
        ok(&kept)["meeting"],
        json!({ "facilitatorAssignedBy": "MANUAL", "facilitator": { "id": r.leads[2].1 } })
    );
}

#[tokio::test]
async fn facilitator_load_is_for_facilitators_and_their_coordinators() {
    let app = spawn_app().await;
    let r = rota(&app).await;
    let report =
        |rating: i64| json!({ "input": { "groupId": r.group, "rating": rating, "note": "Tired" } });
    assert_eq!(code(&app.gql(REPORT, report(4)).await), "UNAUTHENTICATED");
    assert_eq!(
        code(&app.gql_as(&r.member, REPORT, report(4)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        field(&app.gql_as(&r.leads[1].0, REPORT, report(6)).await),
        "rating"
    );
    ok(&app.gql_as(&r.leads[1].0, REPORT, report(4)).await);
    // Bea's own view: only her entry, at risk because of what she reported.
    let own = app.gql_as(&r.leads[1].0, LOAD, json!({})).await;
    let entries = ok(&own)["group"]["facilitatorLoad"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["selfReportedLoad"], 4);
    assert_eq!(entries[0]["atRisk"], true);
    assert_eq!(
        entries[0]["reasons"],
        json!(["reported a load of 4 out of 5"])
    );
    // The coordinator sees all three; members and outsiders nothing.
    let all = app.gql_as(&r.w.coordinator_a, LOAD, json!({})).await;
    assert_eq!(
        ok(&all)["group"]["facilitatorLoad"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        code(&app.gql_as(&r.member, LOAD, json!({})).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql_as(&r.w.coordinator_b, LOAD, json!({})).await),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn heavy_recent_facilitation_is_a_risk_signal() {
    let app = spawn_app().await;
    let r = rota(&app).await;
    let schedule = "mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { meeting { id } } }";
    for i in 0..5 {
        let starts = (Utc::now() - Duration::days(2 + 6 * i))
            .format("%Y-%m-%dT19:00:00Z")
            .to_string();
        let m = app
            .gql_as(
                &r.leads[0].0,
                schedule,
                json!({ "input": { "groupId": r.group, "startsAt": starts } }),
            )
            .await;
        let id = ok(&m)["scheduleMeeting"]["meeting"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        entity::meeting::Entity::update_many()
            .col_expr(
                entity::meeting::Column::FacilitatorId,
                Expr::value(uuid_of(&r.leads[0].1)),
            )
            .filter(entity::meeting::Column::Id.eq(uuid_of(&id)))
            .exec(&app.db)
            .await
            .unwrap();
    }
    let res = app.gql_as(&r.leads[0].0, "{ group(slug: \"rota\") { facilitatorLoad { meetingsLast8Weeks consecutiveBlocks atRisk reasons } } }", json!({})).await;
    let ada = &ok(&res)["group"]["facilitatorLoad"][0];
    assert_eq!(ada["meetingsLast8Weeks"], 5);
    assert_eq!(ada["atRisk"], true);
    let reasons = ada["reasons"].as_array().unwrap();
    assert!(
        reasons.iter().any(|r| r
            .as_str()
            .unwrap()
            .contains("5 meetings in the last 8 weeks")),
        "{reasons:?}"
    );
    assert!(ada["consecutiveBlocks"].as_i64().unwrap() >= 2, "{ada}");
}

#[tokio::test]
async fn health_metrics_and_the_first_three_sessions_evaluation() {
    let app = spawn_app().await;
    let r = rota(&app).await;
    // Everyone joined two months ago.
    entity::membership::Entity::update_many()
        .col_expr(
            entity::membership::Column::JoinedAt,
            Expr::value(Utc::now() - Duration::days(60)),
        )
        .filter(entity::membership::Column::GroupId.eq(uuid_of(&r.group)))
        .exec(&app.db)
        .await
        .unwrap();
    let schedule = "mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { meeting { id } } }";
    let attend = "mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendance { status } } }";
    let finalize = "mutation($input: FinalizeMeetingRecordInput!) { finalizeMeetingRecord(input: $input) { meeting { status } } }";
    let commit = "mutation($input: AddCommitmentInput!) { addCommitment(input: $input) { commitment { id } } }";
    let review = "mutation($input: ReviewCommitmentInput!) { reviewCommitment(input: $input) { commitment { status } } }";
    let member_m = {
        let q = app
            .gql_as(
                &r.member,
                "{ group(slug: \"rota\") { viewerMembership { id } } }",
                json!({}),
            )
            .await;
        ok(&q)["group"]["viewerMembership"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let due = "{ group(slug: \"rota\") { evaluationDue } }";
    for (i, status) in ["PRESENT", "PRESENT", "ABSENT", "PRESENT"]
        .iter()
        .enumerate()
    {
        let starts = (Utc::now() - Duration::days(25 - 7 * i as i64))
            .format("%Y-%m-%dT19:00:00Z")
            .to_string();
        let m = app
            .gql_as(
                &r.leads[0].0,
                schedule,
                json!({ "input": { "groupId": r.group, "startsAt": starts } }),
            )
            .await;
        let id = ok(&m)["scheduleMeeting"]["meeting"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut entries = vec![json!({ "membershipId": member_m, "status": status })];
        for (_, lead) in &r.leads {
            entries.push(json!({ "membershipId": lead, "status": "PRESENT" }));
        }
        ok(&app
            .gql_as(
                &r.leads[0].0,
                attend,
                json!({ "input": { "meetingId": id, "entries": entries } }),
            )
            .await);
        let c = app
            .gql_as(
                &r.member,
                commit,
                json!({ "input": { "meetingId": id, "text": format!("Step {i}") } }),
            )
            .await;
        let cid = ok(&c)["addCommitment"]["commitment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let outcome = ["DONE", "DONE", "NOT_DONE", "OPEN"][i];
        if outcome != "OPEN" {
            ok(&app
                .gql_as(
                    &r.member,
                    review,
                    json!({ "input": { "commitmentId": cid, "status": outcome } }),
                )
                .await);
        }
        ok(&app
            .gql_as(
                &r.leads[0].0,
                finalize,
                json!({ "input": { "meetingId": id, "summary": "Held." } }),
            )
            .await);
        let expected = i >= 2;
        assert_eq!(
            ok(&app.gql_as(&r.leads[0].0, due, json!({})).await)["group"]["evaluationDue"],
            expected,
            "after {} held",
            i + 1
        );
    }
    let q = "{ group(slug: \"rota\") { attendanceConsistency { averageRate membersAtOrAbove80Percent membersMeasured } commitmentCompletionRate { done partial notDone open rate } retention { activeMembers medianTenureDays leftLast90Days } } }";
    let res = app.gql_as(&r.w.coordinator_a, q, json!({})).await;
    let g = &ok(&res)["group"];
    // Three leads at 100 %, Mo at 75 %.
    assert_eq!(
        g["attendanceConsistency"],
        json!({ "averageRate": 0.9375, "membersAtOrAbove80Percent": 3, "membersMeasured": 4 })
    );
    assert_eq!(
        g["commitmentCompletionRate"],
        json!({ "done": 2, "partial": 0, "notDone": 1, "open": 1, "rate": 2.0 / 3.0 })
    );
    assert_eq!(g["retention"]["activeMembers"], 4);
    assert_eq!(g["retention"]["leftLast90Days"], 0);
    let own = app
        .gql_as(
            &r.member,
            "query($id: ID!) { node(id: $id) { ... on Membership { attendanceConsistency } } }",
            json!({ "id": member_m }),
        )
        .await;
    assert_eq!(ok(&own)["node"]["attendanceConsistency"], 0.75);
    assert_eq!(
        code(&app.gql_as(&r.member, q, json!({})).await),
        "FORBIDDEN",
        "metrics are not for plain members"
    );
    let analyst = app.sign_up("Ana").await;
    app.grant(&r.w.admin, &analyst, "ANALYST", &r.w.org_id, Some(&r.w.a))
        .await;
    ok(&app.gql_as(&analyst, q, json!({})).await);
    // Recording the review clears the evaluation.
    let record = "mutation($input: RecordGroupReviewInput!) { recordGroupReview(input: $input) { review { notes reviewedBy { displayName } } } }";
    let input =
        json!({ "input": { "groupId": r.group, "notes": "Going well; keep the check-in short." } });
    assert_eq!(
        code(&app.gql(record, input.clone()).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&r.member, record, input.clone()).await),
        "FORBIDDEN"
    );
    assert_eq!(
        field(
            &app.gql_as(
                &r.leads[0].0,
                record,
                json!({ "input": { "groupId": r.group, "notes": "" } })
            )
            .await
        ),
        "notes"
    );
    ok(&app.gql_as(&r.leads[0].0, record, input).await);
    assert_eq!(
        ok(&app.gql_as(&r.leads[0].0, due, json!({})).await)["group"]["evaluationDue"],
        false
    );
}

#[tokio::test]
async fn nobody_leads_two_blocks_in_a_row_once_someone_else_is_back() {
    let app = spawn_app().await;
    let r = rota(&app).await;
    let generate = "mutation($input: ScheduleMeetingsFromCadenceInput!) { scheduleMeetingsFromCadence(input: $input) { createdCount } }";
    ok(&app
        .gql_as(
            &r.w.admin,
            generate,
            json!({ "input": { "groupId": r.group, "until": until(8) } }),
        )
        .await);
    ok(&app
        .gql_as(
            &r.leads[0].0,
            POLICY,
            json!({ "input": { "groupId": r.group, "periodWeeks": 1, "maxConsecutiveBlocks": 1 } }),
        )
        .await);
    // Bea and Cal are away for the first four weeks: Ada carries them alone.
    let away = "mutation($input: SetUnavailabilityInput!) { setUnavailability(input: $input) { unavailability { to } } }";
    for (who, _) in &r.leads[1..] {
        ok(&app
            .gql_as(
                who,
                away,
                json!({ "input": { "groupId": r.group, "from": until(0), "to": until(4) } }),
            )
            .await);
    }
    let plan = app
        .gql_as(
            &r.leads[0].0,
            PLAN,
            json!({ "input": { "groupId": r.group, "until": until(8) } }),
        )
        .await;
    let leads: Vec<String> = assignments(&plan)
        .into_iter()
        .map(|(_, lead, _)| lead)
        .collect();
    let ada = &r.leads[0].1;
    let back = leads
        .iter()
        .position(|l| l != ada)
        .expect("someone else leads once back");
    assert!(back >= 3, "Ada leads while the others are away: {leads:?}");
    // Ada has had her blocks in a row; from the week the others are back she is rested.
    assert_ne!(&leads[back], ada);
    for pair in leads[back - 1..].windows(2) {
        assert_ne!(
            pair[0], pair[1],
            "no two weeks in a row once others are eligible: {leads:?}"
        );
    }
}
