//! Cohorts filled with fake contributors, and figures differenced after a deletion
//! (issue 15, holes 2 and 3): only established members count toward a cohort, released
//! figures are noisy and frozen once, and meeting intervals derive from frozen weeks only.

use chrono::{Duration, NaiveDate};
use entity::{feedback_summary, wellbeing_week};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    feedback::{SUBMIT, answer, meeting_at, shift, summary},
    helpers::{Session, TestApp, ok, spawn_app, uuid_of},
    wellbeing::{
        Circle, WELLBEING, buckets, delete_check_in_on, established_circle, history,
        monday_weeks_ago, past_check_in, plausible, vars,
    },
};

/// What was stored when the week was frozen.
async fn frozen_week(app: &TestApp, c: &Circle, week: NaiveDate) -> wellbeing_week::Model {
    wellbeing_week::Entity::find()
        .filter(wellbeing_week::Column::GroupId.eq(uuid_of(&c.group)))
        .filter(wellbeing_week::Column::WeekStart.eq(week))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

const SECRET: &str = "I have not told anyone how bad it got";

/// Four accounts signed up today, joined to the circle's group: the facilitator's fakes.
async fn fresh_sign_ups(app: &TestApp, c: &Circle) -> Vec<(Session, String)> {
    let mut fakes = Vec::new();
    for i in 0..4 {
        let s = app.sign_up(&format!("Fake{i}")).await;
        let m = ok(&app.join(&s, &c.group).await)["joinGroup"]["membership"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        fakes.push((s, m));
    }
    fakes
}

#[tokio::test]
async fn fresh_sign_ups_marked_present_do_not_make_a_feedback_cohort() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    let fakes = fresh_sign_ups(&app, &c).await;
    // The facilitator marks only the victim and the four fakes present: exactly k answers.
    let id = meeting_at(&app, &c, -2).await;
    let mut entries = vec![json!({ "membershipId": c.memberships[0], "status": "PRESENT" })];
    entries.extend(
        fakes
            .iter()
            .map(|(_, m)| json!({ "membershipId": m, "status": "PRESENT" })),
    );
    app.attend(&c.facilitator, &id, json!(entries)).await;
    app.hold(&c.facilitator, &id).await;
    ok(&app
        .gql_as(&c.members[0], SUBMIT, answer(&id, 1, -2, Some(SECRET)))
        .await);
    for (s, _) in &fakes {
        ok(&app.gql_as(s, SUBMIT, answer(&id, 5, 2, Some("fine"))).await);
    }
    shift(&app, &id, -80).await;
    let s = summary(&app, &c, &id).await;
    assert_eq!(s["suppressed"], true, "{s}");
    assert_eq!(s["withheld"], "TOO_FEW_CONTRIBUTORS");
    for key in [
        "responses",
        "averageRelevance",
        "averageFormat",
        "averageStressImpact",
        "comments",
    ] {
        assert!(s[key].is_null(), "{key} leaked: {s}");
    }
    // Not in the summary, and nowhere in what was frozen for it.
    assert!(!s.to_string().contains(SECRET));
    let frozen = feedback_summary::Entity::find()
        .filter(feedback_summary::Column::MeetingId.eq(uuid_of(&id)))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(frozen.established, 1);
    assert!(!format!("{frozen:?}").contains(SECRET));
}

#[tokio::test]
async fn fresh_sign_ups_checking_in_do_not_make_a_wellbeing_cohort() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    let fakes = fresh_sign_ups(&app, &c).await;
    // Last week only the victim and the four fakes checked in.
    let week = monday_weeks_ago(1);
    past_check_in(&app, &c.members[0], &c.group, week + Duration::days(2), 1).await;
    for (s, _) in &fakes {
        past_check_in(&app, s, &c.group, week + Duration::days(2), 5).await;
    }
    for bucket in ["WEEK", "MEETING_INTERVAL"] {
        let res = app
            .gql_as(
                &c.facilitator,
                WELLBEING,
                vars(&c.group, week, week, bucket),
            )
            .await;
        let b = &buckets(&res)[0];
        assert_eq!(b["suppressed"], true, "{bucket}: {b}");
        assert_eq!(b["withheld"], "TOO_FEW_CONTRIBUTORS");
        assert!(b["distribution"].is_null() && b["averageRating"].is_null());
    }
    let frozen = frozen_week(&app, &c, week).await;
    assert_eq!(frozen.established, 1);
}

#[tokio::test]
async fn an_established_cohort_is_released_with_noise_frozen_once() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    let week = monday_weeks_ago(1);
    for (i, who) in c.members.iter().enumerate().take(6) {
        let rating = i32::try_from(i % 5).unwrap() + 1;
        past_check_in(&app, who, &c.group, week + Duration::days(1), rating).await;
    }
    let read = || async {
        buckets(
            &app.gql_as(
                &c.facilitator,
                WELLBEING,
                vars(&c.group, week, week, "WEEK"),
            )
            .await,
        )
    };
    let first = read().await;
    plausible(&first[0]);
    // Noise is drawn once, at freeze time: every later read is the same, so repeating the
    // query averages nothing away.
    for _ in 0..3 {
        assert_eq!(read().await, first);
    }
    // What is stored is what is released, and the true cohort decides release.
    let frozen = frozen_week(&app, &c, week).await;
    assert_eq!(frozen.established, 6);
    assert_eq!(first[0]["contributors"], frozen.contributors);
    assert_eq!(
        first[0]["distribution"][4]["checkIns"],
        json!(frozen.rated5)
    );
}

fn interval(res: &Value) -> Value {
    buckets(res).last().cloned().unwrap()
}

#[tokio::test]
async fn a_meeting_interval_does_not_move_after_a_deletion() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    history(&app, &c).await;
    // A meeting last week: the last interval is last week alone, released.
    let at = (monday_weeks_ago(1) + Duration::days(2))
        .and_hms_opt(18, 0, 0)
        .unwrap()
        .and_utc();
    app.meeting_at(&c.facilitator, &c.group, at).await;
    let v = vars(
        &c.group,
        monday_weeks_ago(3),
        monday_weeks_ago(1),
        "MEETING_INTERVAL",
    );
    let before = interval(&app.gql_as(&c.facilitator, WELLBEING, v.clone()).await);
    plausible(&before);
    // A member deletes their only check-in of last week.
    delete_check_in_on(&app, &c.members[4], monday_weeks_ago(1) + Duration::days(1)).await;
    // The interval is the sum of frozen weeks: the same figures, so no difference shows who
    // deleted, nor that anyone did.
    let after = interval(&app.gql_as(&c.facilitator, WELLBEING, v).await);
    assert_eq!(after, before);
}

/// Five meetings within a few hours, each answered by five established members, all closed.
async fn five_answered_meetings(app: &TestApp, c: &Circle) -> Vec<String> {
    let mut meetings = Vec::new();
    for hours in [-6, -5, -4, -3, -2] {
        let id = meeting_at(app, c, hours).await;
        let entries: Vec<Value> = c
            .memberships
            .iter()
            .take(5)
            .map(|m| json!({ "membershipId": m, "status": "PRESENT" }))
            .collect();
        app.attend(&c.facilitator, &id, json!(entries)).await;
        app.hold(&c.facilitator, &id).await;
        for who in c.members.iter().take(5) {
            ok(&app.gql_as(who, SUBMIT, answer(&id, 4, 1, None)).await);
        }
        meetings.push(id);
    }
    for id in &meetings {
        shift(app, id, -80).await;
    }
    meetings
}

#[tokio::test]
async fn a_group_releases_at_most_four_feedback_summaries_in_28_days() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    let meetings = five_answered_meetings(&app, &c).await;
    // Oldest first: four are released, the fifth would spend more than the period's budget.
    let mut withheld = Vec::new();
    for id in &meetings {
        let s = summary(&app, &c, id).await;
        withheld.push(s["withheld"].clone());
    }
    assert_eq!(
        withheld,
        [
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            json!("BUDGET_SPENT")
        ]
    );
    let last = summary(&app, &c, &meetings[4]).await;
    assert_eq!(last["suppressed"], true);
    assert!(last["averageRelevance"].is_null() && last["responses"].is_null());
}

#[tokio::test]
async fn reading_feedback_summaries_newest_first_does_not_lift_the_budget() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    let meetings = five_answered_meetings(&app, &c).await;
    // Newest first: each summary freezes when first read, before the older ones. Counting only
    // the releases before a meeting, the newest would find none and all five would release.
    let mut withheld = Vec::new();
    for id in meetings.iter().rev() {
        let s = summary(&app, &c, id).await;
        withheld.push(s["withheld"].clone());
    }
    assert_eq!(
        withheld,
        [
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            json!("BUDGET_SPENT")
        ]
    );
    let released = feedback_summary::Entity::find()
        .filter(feedback_summary::Column::GroupId.eq(uuid_of(&c.group)))
        .filter(feedback_summary::Column::Withheld.is_null())
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(released.len(), 4);
    // The oldest, read last, is the one withheld, and stays so.
    let oldest = summary(&app, &c, &meetings[0]).await;
    assert_eq!(oldest["withheld"], "BUDGET_SPENT");
    assert!(oldest["averageRelevance"].is_null() && oldest["comments"].is_null());
}
