//! The buddy system: who qualifies, ranking, pairing, and pairs ending by themselves.

use chrono::{Duration, Utc};
use entity::{buddy_pair, membership};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, code, field, ok, uuid_of},
    wellbeing::{Circle, circle},
};

const SUGGEST: &str = "query($input: SuggestBuddiesInput!) { suggestBuddies(input: $input) { membership { id } activePairs attendedMeetings tenureDays attendanceConsistency } }";
const ASSIGN: &str = "mutation($input: AssignBuddyInput!) { assignBuddy(input: $input) { pair { id active startedAt endsAt member { id } buddy { id } } } }";
const END: &str =
    "mutation($id: ID!) { endBuddyPair(input: {pairId: $id}) { pair { active endedAt } } }";
const BUDDY: &str = "query($id: ID!) { node(id: $id) { ... on Membership { buddy { id } buddyPair { id active } } } }";

async fn joined_days_ago(app: &TestApp, membership_id: &str, days: i64) {
    membership::Entity::update_many()
        .col_expr(
            membership::Column::JoinedAt,
            Expr::value(Some(Utc::now() - Duration::days(days))),
        )
        .filter(membership::Column::Id.eq(uuid_of(membership_id)))
        .exec(&app.db)
        .await
        .unwrap();
}

/// Four HELD meetings in the last four weeks that `present` attended.
async fn held_meetings(app: &TestApp, c: &Circle, present: &str) {
    for week in 1..=4 {
        let id = app
            .meeting_at(&c.facilitator, &c.group, Utc::now() - Duration::weeks(week))
            .await;
        let entries = json!([{ "membershipId": present, "status": "PRESENT" }]);
        app.attend(&c.facilitator, &id, entries).await;
        app.hold(&c.facilitator, &id).await;
    }
}

fn pair_input(member: &str, buddy: &str) -> Value {
    json!({ "input": { "membershipId": member, "buddyMembershipId": buddy } })
}

fn ids(res: &Value) -> Vec<String> {
    ok(res)["suggestBuddies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["membership"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn suggestions_rank_experienced_members_with_fewest_pairs_and_best_attendance() {
    let app = crate::helpers::spawn_app().await;
    let c = circle(&app).await;
    let m = &c.memberships;
    // m1: 120 days in the group, never attended; m2: a month in, attended all four recent
    // meetings; m3: 100 days in but already a buddy to m5. m4 is too new for anything.
    joined_days_ago(&app, &m[1], 120).await;
    joined_days_ago(&app, &m[2], 30).await;
    joined_days_ago(&app, &m[3], 100).await;
    held_meetings(&app, &c, &m[2]).await;
    ok(&app
        .gql_as(&c.facilitator, ASSIGN, pair_input(&m[5], &m[3]))
        .await);
    let input = json!({ "input": { "membershipId": m[0] } });
    assert_eq!(
        code(&app.gql(SUGGEST, input.clone()).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&c.members[4], SUGGEST, input.clone()).await),
        "FORBIDDEN"
    );
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql_as(&outsider, SUGGEST, input.clone()).await),
        "NOT_FOUND"
    );
    let too_many = json!({ "input": { "membershipId": m[0], "first": 50 } });
    assert_eq!(
        field(&app.gql_as(&c.facilitator, SUGGEST, too_many).await),
        "first"
    );
    let res = app.gql_as(&c.facilitator, SUGGEST, input).await;
    assert_eq!(ids(&res), [m[2].clone(), m[1].clone(), m[3].clone()]);
    let top = &ok(&res)["suggestBuddies"][0];
    assert_eq!(top["attendedMeetings"], 4);
    assert_eq!(top["attendanceConsistency"], 1.0);
    assert_eq!(ok(&res)["suggestBuddies"][2]["activePairs"], 1);
    // m5 already has m3: m3 is not suggested to m5 again.
    let for_m5 = app
        .gql_as(
            &c.facilitator,
            SUGGEST,
            json!({ "input": { "membershipId": m[5] } }),
        )
        .await;
    assert!(!ids(&for_m5).contains(&m[3]));
}

#[tokio::test]
async fn facilitators_pair_members_and_pairs_end_by_hand_or_by_time() {
    let app = crate::helpers::spawn_app().await;
    let c = circle(&app).await;
    let m = &c.memberships;
    joined_days_ago(&app, &m[1], 120).await;
    joined_days_ago(&app, &m[2], 120).await;
    assert_eq!(
        code(&app.gql(ASSIGN, pair_input(&m[0], &m[1])).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&c.members[3], ASSIGN, pair_input(&m[0], &m[1]))
                .await
        ),
        "FORBIDDEN"
    );
    let same = app
        .gql_as(&c.facilitator, ASSIGN, pair_input(&m[0], &m[0]))
        .await;
    assert_eq!(field(&same), "buddyMembershipId");
    // m4 is new: not a buddy yet, and the error says what is missing.
    let new = app
        .gql_as(&c.facilitator, ASSIGN, pair_input(&m[0], &m[4]))
        .await;
    assert_eq!(code(&new), "NOT_ELIGIBLE");
    assert!(
        new["errors"][0]["extensions"]["missing"][0]
            .as_str()
            .unwrap()
            .contains("90 days")
    );
    let res = app
        .gql_as(&c.facilitator, ASSIGN, pair_input(&m[0], &m[1]))
        .await;
    let pair = ok(&res)["assignBuddy"]["pair"].clone();
    assert_eq!(pair["active"], true);
    let started =
        chrono::DateTime::parse_from_rfc3339(pair["startedAt"].as_str().unwrap()).unwrap();
    let ends = chrono::DateTime::parse_from_rfc3339(pair["endsAt"].as_str().unwrap()).unwrap();
    assert_eq!((ends - started).num_days(), 90);
    // One buddy at a time.
    assert_eq!(
        code(
            &app.gql_as(&c.facilitator, ASSIGN, pair_input(&m[0], &m[2]))
                .await
        ),
        "CONFLICT"
    );
    // The two of them and the facilitator see the pair; another member does not.
    let own = app
        .gql_as(&c.members[0], BUDDY, json!({ "id": m[0] }))
        .await;
    assert_eq!(ok(&own)["node"]["buddy"]["id"], m[1].as_str());
    let theirs = app
        .gql_as(&c.members[1], BUDDY, json!({ "id": m[1] }))
        .await;
    assert_eq!(ok(&theirs)["node"]["buddy"]["id"], m[0].as_str());
    let other = app
        .gql_as(&c.members[3], BUDDY, json!({ "id": m[0] }))
        .await;
    assert!(ok(&other)["node"]["buddy"].is_null());
    let pair_id = pair["id"].as_str().unwrap().to_owned();
    assert_eq!(
        code(
            &app.gql_as(&c.members[3], END, json!({ "id": pair_id }))
                .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&app.gql(END, json!({ "id": pair_id })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        field(
            &app.gql_as(&c.members[0], END, json!({ "id": "nope" }))
                .await
        ),
        "pairId"
    );
    let ended = app
        .gql_as(&c.members[0], END, json!({ "id": pair_id }))
        .await;
    assert_eq!(ok(&ended)["endBuddyPair"]["pair"]["active"], false);
    assert_eq!(
        code(
            &app.gql_as(&c.facilitator, END, json!({ "id": pair_id }))
                .await
        ),
        "CONFLICT"
    );
    // A new pair runs out after its term without anyone ending it.
    let res = app
        .gql_as(&c.facilitator, ASSIGN, pair_input(&m[0], &m[2]))
        .await;
    let second = ok(&res)["assignBuddy"]["pair"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    buddy_pair::Entity::update_many()
        .col_expr(
            buddy_pair::Column::EndsAt,
            Expr::value(Utc::now() - Duration::hours(1)),
        )
        .filter(buddy_pair::Column::Id.eq(uuid_of(&second)))
        .exec(&app.db)
        .await
        .unwrap();
    let now = app
        .gql_as(&c.facilitator, BUDDY, json!({ "id": m[0] }))
        .await;
    assert!(ok(&now)["node"]["buddy"].is_null());
    let node = app
        .gql_as(
            &c.facilitator,
            "query($id: ID!) { node(id: $id) { ... on BuddyPair { active endedAt } } }",
            json!({ "id": second }),
        )
        .await;
    assert_eq!(ok(&node)["node"]["active"], false);
    assert!(ok(&node)["node"]["endedAt"].is_string());
    // With that pair over, m0 may be paired again.
    ok(&app
        .gql_as(&c.facilitator, ASSIGN, pair_input(&m[0], &m[1]))
        .await);
    // The buddy leaves the group: the pair ends with the membership.
    ok(&app.leave(&c.members[1], &c.group).await);
    let left = app
        .gql_as(&c.members[0], BUDDY, json!({ "id": m[0] }))
        .await;
    assert!(ok(&left)["node"]["buddy"].is_null());
    ok(&app
        .gql_as(&c.facilitator, ASSIGN, pair_input(&m[0], &m[2]))
        .await);
}

#[tokio::test]
async fn the_pair_term_is_configurable() {
    let app = crate::helpers::spawn_app_with(&[("CANOPY_BUDDY_PAIR_DAYS", "30")]).await;
    let c = circle(&app).await;
    joined_days_ago(&app, &c.memberships[1], 120).await;
    let res = app
        .gql_as(
            &c.facilitator,
            ASSIGN,
            pair_input(&c.memberships[0], &c.memberships[1]),
        )
        .await;
    let pair = &ok(&res)["assignBuddy"]["pair"];
    let started =
        chrono::DateTime::parse_from_rfc3339(pair["startedAt"].as_str().unwrap()).unwrap();
    let ends = chrono::DateTime::parse_from_rfc3339(pair["endsAt"].as_str().unwrap()).unwrap();
    assert_eq!((ends - started).num_days(), 30);
}
