//! Stress check-ins: the person's own, and nobody else's on any path.

use chrono::Utc;
use serde_json::json;

use crate::helpers::{code, field, ok, spawn_app};

const SUBMIT: &str = "mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { id rating note date } } }";
const DELETE: &str =
    "mutation($id: ID!) { deleteCheckIn(input: {checkInId: $id}) { deletedCheckInId } }";

#[tokio::test]
async fn members_check_in_once_a_day_and_only_they_read_it() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a1, "calm-circle", json!({})).await;
    let fay = app.sign_up("Fay").await;
    let mo = app.sign_up("Mo").await;
    let fay_m = ok(&app.join(&fay, &g).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app.join(&mo, &g).await);
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fay_m })).await);
    let input = |rating: i64, note: &str| json!({ "input": { "groupId": g, "rating": rating, "note": note } });
    assert_eq!(
        code(&app.gql(SUBMIT, input(3, "x")).await),
        "UNAUTHENTICATED"
    );
    for bad in [0, 6] {
        let res = app.gql_as(&mo, SUBMIT, input(bad, "x")).await;
        assert_eq!(
            (code(&res), field(&res)),
            ("BAD_USER_INPUT".into(), "rating".into()),
            "{bad}"
        );
    }
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql_as(&outsider, SUBMIT, input(3, "x")).await),
        "FORBIDDEN"
    );
    let first = app
        .gql_as(&mo, SUBMIT, input(4, "Rough week at work"))
        .await;
    let id = ok(&first)["submitCheckIn"]["checkIn"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The same day again replaces it.
    let second = app
        .gql_as(&mo, SUBMIT, input(2, "Better after the meeting"))
        .await;
    assert_eq!(ok(&second)["submitCheckIn"]["checkIn"]["id"], id);
    let mine = app
        .gql_as(
            &mo,
            "{ viewer { checkIns { totalCount edges { node { rating note } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&mine)["viewer"]["checkIns"],
        json!({ "totalCount": 1, "edges": [{ "node": { "rating": 2, "note": "Better after the meeting" } }] })
    );
    // Nobody else reads it: not the facilitator, the coordinator, the admin, an analyst.
    let analyst = app.sign_up("Ana").await;
    app.grant(&w.admin, &analyst, "ANALYST", &w.org_id, None)
        .await;
    let node = "query($id: ID!) { node(id: $id) { ... on CheckIn { rating note } } }";
    for who in [&fay, &w.coordinator_a, &w.admin, &analyst, &outsider] {
        let res = app.gql_as(who, node, json!({ "id": id })).await;
        assert_eq!(code(&res), "NOT_FOUND", "{res}");
        assert!(!res.to_string().contains("Better after"), "{res}");
        assert_eq!(
            code(&app.gql_as(who, DELETE, json!({ "id": id })).await),
            "NOT_FOUND"
        );
    }
    assert_eq!(code(&app.gql(node, json!({ "id": id })).await), "NOT_FOUND");
    let own = app.gql_as(&mo, node, json!({ "id": id })).await;
    assert_eq!(ok(&own)["node"]["rating"], 2);
    // Nothing about check-ins shows up in what the facilitator can list about Mo.
    let members = app.gql_as(&fay, "{ group(slug: \"calm-circle\") { members { edges { node { person { displayName } } } } } }", json!({})).await;
    assert!(!members.to_string().contains("Better after"));
    assert_eq!(
        code(&app.gql(DELETE, json!({ "id": id })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&mo, DELETE, json!({ "id": g })).await),
        "BAD_USER_INPUT"
    );
    ok(&app.gql_as(&mo, DELETE, json!({ "id": id })).await);
    assert_eq!(
        code(&app.gql_as(&mo, node, json!({ "id": id })).await),
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn the_stress_trend_is_the_persons_own_weekly_series() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a, "trend-group", json!({ "cadence": { "frequency": "WEEKLY", "weekday": "MONDAY", "localStartTime": "18:00", "timezone": "UTC" } })).await;
    let mo = app.sign_up("Mo").await;
    ok(&app.join(&mo, &g).await);
    ok(&app
        .gql_as(
            &mo,
            SUBMIT,
            json!({ "input": { "groupId": g, "rating": 4 } }),
        )
        .await);
    let today = Utc::now().date_naive();
    let from = (today - chrono::Duration::days(14)).to_string();
    let q = "query($from: Date!, $to: Date!) { viewer { stressTrend(from: $from, to: $to) { start end checkIns averageRating } } }";
    let res = app
        .gql_as(&mo, q, json!({ "from": from, "to": today.to_string() }))
        .await;
    let points = ok(&res)["viewer"]["stressTrend"]
        .as_array()
        .unwrap()
        .clone();
    assert!(points.len() >= 3);
    let last = points.last().unwrap();
    assert_eq!(last["checkIns"], 1);
    assert_eq!(last["averageRating"], 4.0);
    assert!(points[0]["averageRating"].is_null());
    let backwards = app
        .gql_as(&mo, q, json!({ "from": today.to_string(), "to": from }))
        .await;
    assert_eq!(
        (code(&backwards), field(&backwards)),
        ("BAD_USER_INPUT".into(), "to".into())
    );
    // Someone else's trend is their own (empty), never Mo's.
    let res = app
        .gql_as(
            &w.admin,
            q,
            json!({ "from": from, "to": today.to_string() }),
        )
        .await;
    assert!(
        ok(&res)["viewer"]["stressTrend"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["checkIns"] == 0)
    );
}
