//! Thumbs polls: facilitators ask, members vote (changeable while open), everyone in the group
//! sees the tally and their own vote only.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::helpers::{code, field, ok, spawn_app};

const CREATE: &str = "mutation($input: CreatePollInput!) { createPoll(input: $input) { poll { id question open } } }";
const VOTE: &str = "mutation($input: CastVoteInput!) { castVote(input: $input) { poll { tally { up down } viewerVote } } }";
const CLOSE: &str =
    "mutation($id: ID!) { closePoll(input: {pollId: $id}) { poll { open tally { up down } } } }";

#[tokio::test]
async fn polls_show_the_tally_and_only_ones_own_vote() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a, "polled", json!({})).await;
    let fay = app.sign_up("Fay").await;
    let mo = app.sign_up("Mo").await;
    let bo = app.sign_up("Bo").await;
    let fay_m = ok(&app.join(&fay, &g).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app.join(&mo, &g).await);
    ok(&app.join(&bo, &g).await);
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fay_m })).await);
    let closes = (Utc::now() + Duration::days(3)).to_rfc3339();
    let input =
        |q: &str, at: &str| json!({ "input": { "groupId": g, "question": q, "closesAt": at } });
    assert_eq!(
        code(&app.gql(CREATE, input("Longer sessions?", &closes)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&mo, CREATE, input("Mine?", &closes)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        field(&app.gql_as(&fay, CREATE, input("", &closes)).await),
        "question"
    );
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    assert_eq!(
        field(&app.gql_as(&fay, CREATE, input("Late?", &past)).await),
        "closesAt"
    );
    let res = app
        .gql_as(&fay, CREATE, input("Longer sessions?", &closes))
        .await;
    let poll = ok(&res)["createPoll"]["poll"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let vote = |v: &str| json!({ "input": { "pollId": poll, "vote": v } });
    assert_eq!(code(&app.gql(VOTE, vote("UP")).await), "UNAUTHENTICATED");
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql_as(&outsider, VOTE, vote("UP")).await),
        "NOT_FOUND"
    );
    // The coordinator sees the group's polls but is not a member: no vote.
    assert_eq!(
        code(&app.gql_as(&w.coordinator_a, VOTE, vote("UP")).await),
        "FORBIDDEN"
    );
    ok(&app.gql_as(&mo, VOTE, vote("DOWN")).await);
    // Changeable while open.
    let res = app.gql_as(&mo, VOTE, vote("UP")).await;
    assert_eq!(
        ok(&res)["castVote"]["poll"],
        json!({ "tally": { "up": 1, "down": 0 }, "viewerVote": "UP" })
    );
    let res = app.gql_as(&bo, VOTE, vote("DOWN")).await;
    assert_eq!(
        ok(&res)["castVote"]["poll"],
        json!({ "tally": { "up": 1, "down": 1 }, "viewerVote": "DOWN" })
    );
    // Fay (and anyone) sees the tally and her own vote — none here — never Mo's or Bo's.
    let list = "{ group(slug: \"polled\") { polls { totalCount edges { node { question tally { up down } viewerVote } } } } }";
    let seen = app.gql_as(&fay, list, json!({})).await;
    assert_eq!(
        ok(&seen)["group"]["polls"]["edges"][0]["node"],
        json!({ "question": "Longer sessions?", "tally": { "up": 1, "down": 1 }, "viewerVote": null })
    );
    assert_eq!(
        code(&app.gql_as(&outsider, list, json!({})).await),
        "FORBIDDEN"
    );
    // Closing: facilitators only, once; no votes after.
    assert_eq!(
        code(&app.gql(CLOSE, json!({ "id": poll })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&mo, CLOSE, json!({ "id": poll })).await),
        "FORBIDDEN"
    );
    let res = app.gql_as(&fay, CLOSE, json!({ "id": poll })).await;
    assert_eq!(
        ok(&res)["closePoll"]["poll"],
        json!({ "open": false, "tally": { "up": 1, "down": 1 } })
    );
    assert_eq!(
        code(&app.gql_as(&fay, CLOSE, json!({ "id": poll })).await),
        "BAD_USER_INPUT"
    );
    let late = app.gql_as(&mo, VOTE, vote("DOWN")).await;
    assert_eq!(
        (code(&late), field(&late)),
        ("BAD_USER_INPUT".into(), "pollId".into())
    );
    let after = app.gql_as(&mo, list, json!({})).await;
    assert_eq!(
        ok(&after)["group"]["polls"]["edges"][0]["node"]["viewerVote"],
        "UP",
        "the late vote changed nothing"
    );
}
