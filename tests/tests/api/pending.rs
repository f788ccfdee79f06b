//! `viewer.pendingActions`: each kind of to-do appears, and goes away once done.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::{
    helpers::{Session, TestApp, ok},
    wellbeing::circle,
};

const PENDING: &str = "{ viewer { pendingActions { count pledges { standing pledge { version } group { id } } commitmentsToReview { text } pollsToVote { question } applicationsToVote { applicant { displayName } } checkInsDue { group { id } lastMeetingAt } } } }";

async fn pending(app: &TestApp, who: &Session) -> Value {
    let res = app.gql_as(who, PENDING, json!({})).await;
    ok(&res)["viewer"]["pendingActions"].clone()
}

fn len(v: &Value, key: &str) -> usize {
    v[key].as_array().unwrap().len()
}

#[tokio::test]
async fn pending_actions_list_what_is_due_and_clear_when_done() {
    let app = crate::helpers::spawn_app().await;
    let anonymous = app.gql(PENDING, json!({})).await;
    assert_eq!(ok(&anonymous)["viewer"]["pendingActions"]["count"], 0);
    let c = circle(&app).await;
    let mo = &c.members[1];
    // A meeting two hours ago: nobody has checked in since.
    let meeting = app
        .meeting_at(&c.facilitator, &c.group, Utc::now() - Duration::hours(2))
        .await;
    let before = pending(&app, mo).await;
    assert_eq!(len(&before, "checkInsDue"), 1);
    assert_eq!(before["checkInsDue"][0]["group"]["id"], c.group.as_str());
    assert_eq!(before["count"], 1);
    ok(&app
        .gql_as(
            &c.facilitator,
            "mutation($input: PublishPledgeInput!) { publishPledge(input: $input) { pledge { version } } }",
            json!({ "input": { "groupId": c.group, "text": "What is said here stays here." } }),
        )
        .await);
    ok(&app
        .gql_as(
            &c.facilitator,
            "mutation($input: CreatePollInput!) { createPoll(input: $input) { poll { id } } }",
            json!({ "input": { "groupId": c.group, "question": "Meet fortnightly?", "closesAt": (Utc::now() + Duration::days(3)).to_rfc3339() } }),
        )
        .await);
    ok(&app
        .gql_as(
            mo,
            "mutation($input: AddCommitmentInput!) { addCommitment(input: $input) { commitment { id } } }",
            json!({ "input": { "meetingId": meeting, "text": "Walk at lunch twice" } }),
        )
        .await);
    // The group turns to admission by consent and someone applies.
    app.set_group(&c.w.admin, &c.group, json!({ "admission": "BY_CONSENT" }))
        .await;
    let ada = app.sign_up("Ada").await;
    let accept =
        "mutation($input: AcceptPledgeInput!) { acceptPledge(input: $input) { validUntil } }";
    ok(&app
        .gql_as(
            &ada,
            accept,
            json!({ "input": { "groupId": c.group, "version": 1 } }),
        )
        .await);
    ok(&app.join(&ada, &c.group).await);

    let all = pending(&app, mo).await;
    assert_eq!(all["pledges"][0]["standing"], "MISSING");
    assert_eq!(all["pledges"][0]["pledge"]["version"], 1);
    assert_eq!(all["commitmentsToReview"][0]["text"], "Walk at lunch twice");
    assert_eq!(all["pollsToVote"][0]["question"], "Meet fortnightly?");
    assert_eq!(
        all["applicationsToVote"][0]["applicant"]["displayName"],
        "Ada"
    );
    assert_eq!(len(&all, "checkInsDue"), 1);
    assert_eq!(all["count"], 5);
    // The applicant has nothing to vote on (and is not yet a member anywhere).
    assert_eq!(pending(&app, &ada).await["count"], 0);

    // Doing each thing clears it.
    ok(&app
        .gql_as(
            mo,
            accept,
            json!({ "input": { "groupId": c.group, "version": 1 } }),
        )
        .await);
    let poll = app
        .gql_as(
            mo,
            "query($id: ID!) { node(id: $id) { ... on Group { polls { edges { node { id } } } applications { edges { node { id } } } } } }",
            json!({ "id": c.group }),
        )
        .await;
    let poll_id = ok(&poll)["node"]["polls"]["edges"][0]["node"]["id"].clone();
    let application_id = ok(&poll)["node"]["applications"]["edges"][0]["node"]["id"].clone();
    ok(&app
        .gql_as(
            mo,
            "mutation($input: CastVoteInput!) { castVote(input: $input) { poll { id } } }",
            json!({ "input": { "pollId": poll_id, "vote": "UP" } }),
        )
        .await);
    ok(&app
        .gql_as(
            mo,
            "mutation($input: VoteOnApplicationInput!) { voteOnApplication(input: $input) { application { id } } }",
            json!({ "input": { "applicationId": application_id, "vote": "ABSTAIN" } }),
        )
        .await);
    ok(&app
        .gql_as(
            mo,
            "mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { id } } }",
            json!({ "input": { "groupId": c.group, "rating": 2 } }),
        )
        .await);
    let after = pending(&app, mo).await;
    assert_eq!(after["count"], 1, "{after}");
    assert_eq!(len(&after, "commitmentsToReview"), 1);
    // Other members still have their own list.
    assert_eq!(pending(&app, &c.members[2]).await["count"], 4);
}
