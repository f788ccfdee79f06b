//! Admission by consent: quorum, a single objection, declines, expiry and the waitlist.

use chrono::{Duration, Utc};
use entity::membership_application;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, World, code, field, ok, spawn_app, uuid_of};

const VOTE: &str = "mutation($input: VoteOnApplicationInput!) { voteOnApplication(input: $input) { application { id status } } }";
const PROPOSE: &str = "mutation($input: ProposeMemberInput!) { proposeMember(input: $input) { application { id status statement proposedBy { displayName } applicant { displayName } } } }";
const DECLINE: &str = "mutation($input: DeclineApplicationInput!) { declineApplication(input: $input) { application { id status decidedAt } } }";
const APPLICATION: &str = "query($id: ID!) { node(id: $id) { ... on MembershipApplication { status statement viewerVote tally { consents objections abstentions quorum } } } }";
const REASONS: &str =
    "query($id: ID!) { node(id: $id) { ... on MembershipApplication { objectionReasons } } }";
const MINE: &str = "{ viewer { applications { totalCount edges { node { id status group { name } } } } memberships { edges { node { status group { name } } } } } }";

struct Consent {
    w: World,
    group: String,
    facilitator: Session,
    members: Vec<Session>,
}

/// A facilitator and three members (four active: quorum 2), then BY_CONSENT.
async fn consent_group(app: &TestApp) -> Consent {
    let w = app.world().await;
    let group = app
        .group(&w.admin, &w.a1, "consent-circle", json!({}))
        .await;
    let facilitator = app.sign_up("Fay").await;
    let fac_m = ok(&app.join(&facilitator, &group).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fac_m })).await);
    let mut members = Vec::new();
    for name in ["Mo", "Ned", "Oli"] {
        let s = app.sign_up(name).await;
        ok(&app.join(&s, &group).await);
        members.push(s);
    }
    app.set_group(&w.admin, &group, json!({ "admission": "BY_CONSENT" }))
        .await;
    Consent {
        w,
        group,
        facilitator,
        members,
    }
}

async fn apply(app: &TestApp, who: &Session, group: &str) -> String {
    let res = app
        .gql_as(
            who,
            "mutation($id: ID!) { joinGroup(input: {groupId: $id, statement: \"Burnt out after ten years of nursing.\"}) { membership { status } } }",
            json!({ "id": group }),
        )
        .await;
    assert_eq!(ok(&res)["joinGroup"]["membership"]["status"], "PENDING");
    let mine = app.gql_as(who, MINE, json!({})).await;
    ok(&mine)["viewer"]["applications"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn vote(id: &str, choice: &str, reason: Option<&str>) -> Value {
    json!({ "input": { "applicationId": id, "vote": choice, "reason": reason } })
}

/// Votes and returns the application's status after the vote.
async fn cast(
    app: &TestApp,
    who: &Session,
    id: &str,
    choice: &str,
    reason: Option<&str>,
) -> String {
    let res = app.gql_as(who, VOTE, vote(id, choice, reason)).await;
    ok(&res)["voteOnApplication"]["application"]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn membership_status(app: &TestApp, who: &Session, group_name: &str) -> String {
    let mine = app.gql_as(who, MINE, json!({})).await;
    ok(&mine)["viewer"]["memberships"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["group"]["name"] == group_name)
        .map(|e| e["node"]["status"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn consents_reach_the_quorum_unless_one_member_objects() {
    let app = spawn_app().await;
    let c = consent_group(&app).await;
    let applicant = app.sign_up("Ada").await;
    let id = apply(&app, &applicant, &c.group).await;
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql(VOTE, vote(&id, "CONSENT", None)).await),
        "UNAUTHENTICATED"
    );
    // Someone outside the group does not even learn the application exists.
    assert_eq!(
        code(
            &app.gql_as(&outsider, VOTE, vote(&id, "CONSENT", None))
                .await
        ),
        "NOT_FOUND"
    );
    // The applicant sees their application but has no vote on it.
    assert_eq!(
        code(
            &app.gql_as(&applicant, VOTE, vote(&id, "CONSENT", None))
                .await
        ),
        "FORBIDDEN"
    );
    let no_reason = app
        .gql_as(&c.members[1], VOTE, vote(&id, "OBJECT", None))
        .await;
    assert_eq!(
        (code(&no_reason), field(&no_reason)),
        ("BAD_USER_INPUT".into(), "reason".into())
    );
    assert_eq!(
        cast(&app, &c.members[0], &id, "CONSENT", None).await,
        "PENDING"
    );
    assert_eq!(
        cast(
            &app,
            &c.members[1],
            &id,
            "OBJECT",
            Some("We agreed to stay small until spring.")
        )
        .await,
        "PENDING"
    );
    // Two consents make the quorum of four active members, but the objection stands.
    assert_eq!(
        cast(&app, &c.members[2], &id, "CONSENT", None).await,
        "PENDING"
    );
    let seen = app
        .gql_as(&c.members[0], APPLICATION, json!({ "id": id }))
        .await;
    assert_eq!(
        ok(&seen)["node"]["tally"],
        json!({ "consents": 2, "objections": 1, "abstentions": 0, "quorum": 2 })
    );
    assert_eq!(ok(&seen)["node"]["viewerVote"], "CONSENT");
    // The reason is for the facilitators, not for other members nor the applicant.
    assert_eq!(
        code(
            &app.gql_as(&c.members[0], REASONS, json!({ "id": id }))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql_as(&applicant, REASONS, json!({ "id": id })).await),
        "FORBIDDEN"
    );
    let reasons = app
        .gql_as(&c.facilitator, REASONS, json!({ "id": id }))
        .await;
    assert_eq!(
        ok(&reasons)["node"]["objectionReasons"],
        json!(["We agreed to stay small until spring."])
    );
    // The applicant sees the status, never the votes.
    let own = app
        .gql_as(&applicant, APPLICATION, json!({ "id": id }))
        .await;
    assert_eq!(code(&own), "FORBIDDEN");
    assert!(own["data"]["node"]["tally"].is_null(), "{own}");
    let status_only = app
        .gql_as(
            &applicant,
            "query($id: ID!) { node(id: $id) { ... on MembershipApplication { status viewerVote } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        ok(&status_only)["node"],
        json!({ "status": "PENDING", "viewerVote": null })
    );
    // The objector talks it through and consents: approved, and Ada is in.
    assert_eq!(
        cast(&app, &c.members[1], &id, "CONSENT", None).await,
        "APPROVED"
    );
    assert_eq!(
        membership_status(&app, &applicant, "Group consent-circle").await,
        "ACTIVE"
    );
    // Decided: no more votes, whatever the choice.
    let late = app
        .gql_as(
            &c.members[2],
            VOTE,
            vote(&id, "OBJECT", Some("changed my mind")),
        )
        .await;
    assert_eq!(code(&late), "CONFLICT");
    let after = app
        .gql_as(&c.members[0], APPLICATION, json!({ "id": id }))
        .await;
    assert_eq!(ok(&after)["node"]["tally"]["objections"], 0);
}

#[tokio::test]
async fn members_propose_and_facilitators_decline() {
    let app = spawn_app().await;
    let c = consent_group(&app).await;
    let friend = app.sign_up("Pat").await;
    let input = json!({ "input": { "groupId": c.group, "personId": friend.person_id, "statement": "Pat's partner is in hospital; we talked about it last week." } });
    assert_eq!(
        code(&app.gql(PROPOSE, input.clone()).await),
        "UNAUTHENTICATED"
    );
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql_as(&outsider, PROPOSE, input.clone()).await),
        "FORBIDDEN"
    );
    let nobody = json!({ "input": { "groupId": c.group, "personId": crate::helpers::encode_id("Person", uuid::Uuid::now_v7()) } });
    assert_eq!(
        code(&app.gql_as(&c.members[0], PROPOSE, nobody).await),
        "NOT_FOUND"
    );
    let bad_id = json!({ "input": { "groupId": c.group, "personId": "nope" } });
    assert_eq!(
        field(&app.gql_as(&c.members[0], PROPOSE, bad_id).await),
        "personId"
    );
    let res = app.gql_as(&c.members[0], PROPOSE, input.clone()).await;
    let a = &ok(&res)["proposeMember"]["application"];
    assert_eq!(a["status"], "PENDING");
    assert_eq!(a["proposedBy"]["displayName"], "Mo");
    assert_eq!(a["applicant"]["displayName"], "Pat");
    let id = a["id"].as_str().unwrap().to_owned();
    // Pat sees it among their own applications.
    let mine = app.gql_as(&friend, MINE, json!({})).await;
    assert_eq!(ok(&mine)["viewer"]["applications"]["totalCount"], 1);
    assert_eq!(
        code(&app.gql_as(&c.members[1], PROPOSE, input.clone()).await),
        "CONFLICT"
    );
    let bad = json!({ "input": { "applicationId": "not-an-id" } });
    assert_eq!(
        field(&app.gql_as(&c.facilitator, DECLINE, bad).await),
        "applicationId"
    );
    let decline = json!({ "input": { "applicationId": id } });
    assert_eq!(
        code(&app.gql(DECLINE, decline.clone()).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&c.members[0], DECLINE, decline.clone()).await),
        "FORBIDDEN"
    );
    let declined = app.gql_as(&c.facilitator, DECLINE, decline.clone()).await;
    assert_eq!(
        ok(&declined)["declineApplication"]["application"]["status"],
        "DECLINED"
    );
    assert_eq!(
        code(&app.gql_as(&c.facilitator, DECLINE, decline).await),
        "CONFLICT"
    );
    // A proposal never made Pat a member of anything.
    assert_eq!(
        membership_status(&app, &friend, "Group consent-circle").await,
        ""
    );
    // Proposed again, the members consent: still PENDING, since Pat has not asked yet.
    let res = app.gql_as(&c.members[1], PROPOSE, input.clone()).await;
    let again = ok(&res)["proposeMember"]["application"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for m in [&c.members[0], &c.members[2]] {
        assert_eq!(cast(&app, m, &again, "CONSENT", None).await, "PENDING");
    }
    // Pat asks: the consents stand, and Pat is in at once.
    let joined = app.join(&friend, &c.group).await;
    assert_eq!(ok(&joined)["joinGroup"]["membership"]["status"], "ACTIVE");
    let seen = app
        .gql_as(
            &friend,
            "query($id: ID!) { node(id: $id) { ... on MembershipApplication { status } } }",
            json!({ "id": again }),
        )
        .await;
    assert_eq!(ok(&seen)["node"]["status"], "APPROVED");
    // Now a member, Pat still does not read the tally of their own application.
    assert_eq!(
        code(
            &app.gql_as(&friend, APPLICATION, json!({ "id": again }))
                .await
        ),
        "FORBIDDEN"
    );
    // Proposals are for BY_CONSENT groups only.
    let open = app
        .group(&c.w.admin, &c.w.a1, "open-circle", json!({}))
        .await;
    ok(&app.join(&c.members[0], &open).await);
    let wrong = json!({ "input": { "groupId": open, "personId": outsider.person_id } });
    assert_eq!(
        field(&app.gql_as(&c.members[0], PROPOSE, wrong).await),
        "groupId"
    );
}

#[tokio::test]
async fn unresolved_applications_expire_after_fourteen_days() {
    let app = spawn_app().await;
    let c = consent_group(&app).await;
    let applicant = app.sign_up("Ada").await;
    let id = apply(&app, &applicant, &c.group).await;
    // Fourteen days on, nobody having decided.
    membership_application::Entity::update_many()
        .col_expr(
            membership_application::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .filter(membership_application::Column::Id.eq(uuid_of(&id)))
        .exec(&app.db)
        .await
        .unwrap();
    let seen = app
        .gql_as(
            &applicant,
            "query($id: ID!) { node(id: $id) { ... on MembershipApplication { status decidedAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(ok(&seen)["node"]["status"], "EXPIRED");
    assert!(ok(&seen)["node"]["decidedAt"].is_string());
    let res = app
        .gql_as(&c.members[0], VOTE, vote(&id, "CONSENT", None))
        .await;
    assert_eq!(code(&res), "CONFLICT");
    // The lapsed application no longer blocks a new one.
    let again = apply(&app, &applicant, &c.group).await;
    assert_ne!(again, id);
    let expired = app
        .gql_as(
            &c.members[0],
            "query($id: ID!) { node(id: $id) { ... on Group { expired: applications(status: EXPIRED) { totalCount } pending: applications(status: PENDING) { totalCount } } } }",
            json!({ "id": c.group }),
        )
        .await;
    assert_eq!(ok(&expired)["node"]["expired"]["totalCount"], 1);
    assert_eq!(ok(&expired)["node"]["pending"]["totalCount"], 1);
}

#[tokio::test]
async fn approval_in_a_full_group_waitlists_and_a_freed_seat_promotes_in_order() {
    let app = spawn_app().await;
    let c = consent_group(&app).await;
    // Four active, four seats; a quorum of one set by the group.
    app.set_group(
        &c.w.admin,
        &c.group,
        json!({ "capacity": { "min": 1, "max": 4 }, "consentQuorum": 1 }),
    )
    .await;
    let first = app.sign_up("First").await;
    let second = app.sign_up("Second").await;
    let a1 = apply(&app, &first, &c.group).await;
    let a2 = apply(&app, &second, &c.group).await;
    assert_eq!(
        cast(&app, &c.members[0], &a1, "CONSENT", None).await,
        "APPROVED"
    );
    assert_eq!(
        cast(&app, &c.members[0], &a2, "CONSENT", None).await,
        "APPROVED"
    );
    let name = "Group consent-circle";
    assert_eq!(membership_status(&app, &first, name).await, "WAITLISTED");
    assert_eq!(membership_status(&app, &second, name).await, "WAITLISTED");
    // A member leaves: the first approved takes the seat, the second keeps waiting.
    ok(&app.leave(&c.members[2], &c.group).await);
    assert_eq!(membership_status(&app, &first, name).await, "ACTIVE");
    assert_eq!(membership_status(&app, &second, name).await, "WAITLISTED");
    // A bad quorum is refused.
    let version = app
        .gql_as(
            &c.w.admin,
            "query($id: ID!) { node(id: $id) { ... on Group { version consentQuorum consentQuorumNow } } }",
            json!({ "id": c.group }),
        )
        .await;
    assert_eq!(ok(&version)["node"]["consentQuorumNow"], 1);
    let bad = json!({ "input": { "groupId": c.group, "expectedVersion": ok(&version)["node"]["version"], "consentQuorum": 0 } });
    let res = app
        .gql_as(
            &c.w.admin,
            "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { id } } }",
            bad,
        )
        .await;
    assert_eq!(field(&res), "consentQuorum");
}

#[tokio::test]
async fn an_applicant_who_leaves_withdraws() {
    let app = spawn_app().await;
    let c = consent_group(&app).await;
    let applicant = app.sign_up("Ada").await;
    let id = apply(&app, &applicant, &c.group).await;
    ok(&app.leave(&applicant, &c.group).await);
    let seen = app
        .gql_as(&c.members[0], APPLICATION, json!({ "id": id }))
        .await;
    assert_eq!(ok(&seen)["node"]["status"], "WITHDRAWN");
    assert_eq!(
        code(
            &app.gql_as(&c.members[0], VOTE, vote(&id, "CONSENT", None))
                .await
        ),
        "CONFLICT"
    );
    // A facilitator removing a pending applicant declines the application.
    let other = app.sign_up("Bo").await;
    let second = apply(&app, &other, &c.group).await;
    let mine = app
        .gql_as(
            &other,
            "{ viewer { memberships { edges { node { id status } } } } }",
            json!({}),
        )
        .await;
    let membership = ok(&mine)["viewer"]["memberships"]["edges"][0]["node"]["id"].clone();
    ok(&app
        .gql_as(
            &c.facilitator,
            "mutation($id: ID!) { removeMember(input: {membershipId: $id}) { membership { status } } }",
            json!({ "id": membership }),
        )
        .await);
    let seen = app
        .gql_as(&c.members[0], APPLICATION, json!({ "id": second }))
        .await;
    assert_eq!(ok(&seen)["node"]["status"], "DECLINED");
}

#[tokio::test]
async fn only_votes_of_active_members_stand_and_a_lower_quorum_decides() {
    let app = spawn_app().await;
    let c = consent_group(&app).await;
    let applicant = app.sign_up("Ada").await;
    let id = apply(&app, &applicant, &c.group).await;
    // Ned objects, then leaves the group: his objection no longer stands.
    ok(&app
        .gql_as(&c.members[1], VOTE, vote(&id, "OBJECT", Some("Not now.")))
        .await);
    assert_eq!(
        cast(&app, &c.members[0], &id, "CONSENT", None).await,
        "PENDING"
    );
    ok(&app.leave(&c.members[1], &c.group).await);
    let seen = app
        .gql_as(&c.members[0], APPLICATION, json!({ "id": id }))
        .await;
    // Three active now: quorum 2, one consent, no objection standing.
    assert_eq!(
        ok(&seen)["node"]["tally"],
        json!({ "consents": 1, "objections": 0, "abstentions": 0, "quorum": 2 })
    );
    assert_eq!(ok(&seen)["node"]["status"], "PENDING");
    // The group lowers its quorum to one: the consent already given decides it.
    app.set_group(&c.w.admin, &c.group, json!({ "consentQuorum": 1 }))
        .await;
    let after = app
        .gql_as(&c.members[0], APPLICATION, json!({ "id": id }))
        .await;
    assert_eq!(ok(&after)["node"]["status"], "APPROVED");
    assert_eq!(
        membership_status(&app, &applicant, "Group consent-circle").await,
        "ACTIVE"
    );
}
