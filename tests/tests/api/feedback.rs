//! Anonymous meeting feedback: attendees of a HELD meeting, once each, stored unlinked.

use chrono::{Duration, Utc};
use entity::{meeting, meeting_feedback, meeting_feedback_receipt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, code, field, ok, uuid_of},
    wellbeing::{Circle, circle, established_circle},
};

pub const SUBMIT: &str = "mutation($input: SubmitMeetingFeedbackInput!) { submitMeetingFeedback(input: $input) { accepted meeting { id } } }";
pub const SUMMARY: &str = "query($id: ID!) { node(id: $id) { ... on Meeting { feedbackSummary { responses averageRelevance averageFormat averageStressImpact comments suppressed withheld } } } }";

pub fn answer(meeting: &str, relevance: i64, stress: i64, comment: Option<&str>) -> Value {
    json!({ "input": { "meetingId": meeting, "relevance": relevance, "format": 4, "stressImpact": stress, "comment": comment } })
}

pub async fn meeting_at(app: &TestApp, c: &Circle, hours_from_now: i64) -> String {
    let at = Utc::now() + Duration::hours(hours_from_now);
    app.meeting_at(&c.facilitator, &c.group, at).await
}

/// Moves a meeting's start by `hours`, as if time had passed.
pub async fn shift(app: &TestApp, id: &str, hours: i64) {
    let m = meeting::Entity::find_by_id(uuid_of(id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    meeting::Entity::update_many()
        .col_expr(
            meeting::Column::StartsAt,
            Expr::value(m.starts_at + Duration::hours(hours)),
        )
        .col_expr(
            meeting::Column::EndsAt,
            Expr::value(m.ends_at + Duration::hours(hours)),
        )
        .filter(meeting::Column::Id.eq(m.id))
        .exec(&app.db)
        .await
        .unwrap();
}

pub async fn summary(app: &TestApp, c: &Circle, id: &str) -> Value {
    let res = app
        .gql_as(&c.facilitator, SUMMARY, json!({ "id": id }))
        .await;
    ok(&res)["node"]["feedbackSummary"].clone()
}

#[tokio::test]
async fn attendees_answer_once_and_the_summary_waits_for_window_and_cohort() {
    let app = crate::helpers::spawn_app().await;
    let c = established_circle(&app).await;
    let id = meeting_at(&app, &c, -2).await;
    // Six attended, the seventh did not.
    let entries: Vec<Value> = c
        .memberships
        .iter()
        .enumerate()
        .map(|(i, m)| json!({ "membershipId": m, "status": if i < 6 { "PRESENT" } else { "ABSENT" } }))
        .collect();
    app.attend(&c.facilitator, &id, json!(entries)).await;
    // A meeting still to come takes no feedback.
    let future = meeting_at(&app, &c, 48).await;
    let res = app
        .gql_as(&c.members[0], SUBMIT, answer(&future, 4, 1, None))
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "meetingId".into())
    );
    // Not HELD yet.
    let early = app
        .gql_as(&c.members[0], SUBMIT, answer(&id, 4, 1, None))
        .await;
    assert_eq!(
        (code(&early), field(&early)),
        ("BAD_USER_INPUT".into(), "meetingId".into())
    );
    app.hold(&c.facilitator, &id).await;
    assert_eq!(
        code(&app.gql(SUBMIT, answer(&id, 4, 1, None)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&c.members[6], SUBMIT, answer(&id, 4, 1, None))
                .await
        ),
        "FORBIDDEN"
    );
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql_as(&outsider, SUBMIT, answer(&id, 4, 1, None)).await),
        "NOT_FOUND"
    );
    for (bad, name) in [
        (answer(&id, 0, 1, None), "relevance"),
        (answer(&id, 4, 3, None), "stressImpact"),
        (answer(&id, 4, -3, None), "stressImpact"),
    ] {
        let res = app.gql_as(&c.members[0], SUBMIT, bad).await;
        assert_eq!(
            (code(&res), field(&res)),
            ("BAD_USER_INPUT".into(), name.into())
        );
    }
    let comments = [Some("zen"), None, Some("more time to talk"), Some("good")];
    for (i, comment) in comments.iter().enumerate() {
        let res = app
            .gql_as(&c.members[i], SUBMIT, answer(&id, 5, 2, *comment))
            .await;
        assert_eq!(ok(&res)["submitMeetingFeedback"]["accepted"], true);
    }
    // A second answer from the same person, even a different one, is refused.
    assert_eq!(
        code(
            &app.gql_as(&c.members[0], SUBMIT, answer(&id, 1, -2, Some("x")))
                .await
        ),
        "CONFLICT"
    );
    // Refused answers left nothing behind, the duplicate included.
    let stored = meeting_feedback::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 4);
    let receipts = meeting_feedback_receipt::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(receipts.len(), 4);
    // While answers can still arrive, nothing is shown: each new one would be a difference.
    let open = summary(&app, &c, &id).await;
    assert_eq!(open["suppressed"], true);
    assert_eq!(open["withheld"], "NOT_CLOSED");
    assert!(open["responses"].is_null());
    // A fifth attendee answers; once the window closed, all of it is released, once.
    ok(&app
        .gql_as(
            &c.members[4],
            SUBMIT,
            answer(&id, 3, -1, Some("calmer now")),
        )
        .await);
    shift(&app, &id, -80).await;
    // A late answer is refused.
    let late = app
        .gql_as(&c.members[5], SUBMIT, answer(&id, 3, 0, None))
        .await;
    assert_eq!(
        (code(&late), field(&late)),
        ("BAD_USER_INPUT".into(), "meetingId".into())
    );
    let released = summary(&app, &c, &id).await;
    assert_eq!(released["suppressed"], false, "{released}");
    // Noisy: each question's histogram carries discrete Laplace noise, so the means stay on
    // their scales but are not the exact 4.6, 4.0 and 1.4.
    // (An average is null in the rare draw where noise left no count of that question.)
    assert!(released["responses"].as_i64().unwrap() >= 0);
    for (key, scale) in [
        ("averageRelevance", 1.0..=5.0),
        ("averageFormat", 1.0..=5.0),
        ("averageStressImpact", -2.0..=2.0),
    ] {
        let mean = released[key].as_f64();
        assert!(mean.is_none_or(|m| scale.contains(&m)), "{key}: {released}");
    }
    let mut comments: Vec<String> = serde_json::from_value(released["comments"].clone()).unwrap();
    comments.sort();
    assert_eq!(comments, ["calmer now", "good", "more time to talk", "zen"]);
    // Frozen: reading again gives the very same figures and order.
    assert_eq!(summary(&app, &c, &id).await, released);
    // Members do not read the summary.
    assert_eq!(
        code(
            &app.gql_as(&c.members[0], SUMMARY, json!({ "id": id }))
                .await
        ),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn stored_feedback_has_no_link_to_the_person() {
    let app = crate::helpers::spawn_app().await;
    let c = circle(&app).await;
    let id = meeting_at(&app, &c, -1).await;
    let entries = json!([{ "membershipId": c.memberships[0], "status": "PRESENT" }]);
    app.attend(&c.facilitator, &id, entries).await;
    app.hold(&c.facilitator, &id).await;
    ok(&app
        .gql_as(&c.members[0], SUBMIT, answer(&id, 2, 0, Some("ok")))
        .await);
    let person = uuid_of(&c.members[0].person_id);
    let membership = uuid_of(&c.memberships[0]);
    let rows = meeting_feedback::Entity::find().all(&app.db).await.unwrap();
    let receipts = meeting_feedback_receipt::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!((rows.len(), receipts.len()), (1, 1));
    let dump = format!("{rows:?} {receipts:?}");
    for id in [person, membership] {
        assert!(!dump.contains(&id.to_string()), "{dump}");
        assert!(!dump.contains(&id.simple().to_string()), "{dump}");
    }
    // Random ids: a time-ordered one would say when the answer came, and matching the two
    // tables by id order would pair an answer with its receipt.
    assert_eq!(rows[0].id.get_version_num(), 4);
    assert_eq!(receipts[0].id.get_version_num(), 4);
    assert_eq!(receipts[0].receipt.len(), 64);
}
