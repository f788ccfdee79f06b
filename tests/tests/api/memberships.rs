//! Joining, waitlists, leaving, roles and removal.

use serde_json::{Value, json};

use crate::helpers::{code, ok, spawn_app};

const LEAVE: &str =
    "mutation($id: ID!) { leaveGroup(input: {groupId: $id}) { membership { status leftAt } } }";
const SET_ROLE: &str = "mutation($id: ID!, $role: MembershipRole!) { setMembershipRole(input: {membershipId: $id, role: $role}) { membership { role } } }";
const REMOVE: &str =
    "mutation($id: ID!) { removeMember(input: {membershipId: $id}) { membership { status } } }";
const SEATS: &str = "query($slug: String!) { group(slug: $slug) { memberCount seatsLeft } }";

fn status(res: &Value) -> String {
    res["data"]["joinGroup"]["membership"]["status"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

fn membership_id(res: &Value) -> String {
    res["data"]["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_full_group_waitlists_and_leaving_promotes_the_longest_waiting() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app
        .group(
            &w.admin,
            &w.a,
            "small-group",
            json!({ "capacity": { "min": 1, "max": 2 } }),
        )
        .await;
    let mut people = Vec::new();
    for name in ["Ada", "Bea", "Cal", "Dee"] {
        people.push(app.sign_up(name).await);
    }
    let statuses: Vec<String> = {
        let mut out = Vec::new();
        for p in &people {
            out.push(status(&app.join(p, &g).await));
        }
        out
    };
    assert_eq!(
        statuses,
        vec!["ACTIVE", "ACTIVE", "WAITLISTED", "WAITLISTED"]
    );
    assert_eq!(
        ok(&app.gql(SEATS, json!({ "slug": "small-group" })).await)["group"],
        json!({ "memberCount": 2, "seatsLeft": 0 })
    );
    let again = app.join(&people[0], &g).await;
    assert_eq!(code(&again), "CONFLICT");
    let left = app.gql_as(&people[0], LEAVE, json!({ "id": g })).await;
    assert_eq!(ok(&left)["leaveGroup"]["membership"]["status"], "LEFT");
    // Cal waited longest.
    let cal = app
        .gql_as(
            &people[2],
            "query($s: String!) { group(slug: $s) { viewerMembership { status } } }",
            json!({ "s": "small-group" }),
        )
        .await;
    assert_eq!(ok(&cal)["group"]["viewerMembership"]["status"], "ACTIVE");
    let dee = app
        .gql_as(
            &people[3],
            "query($s: String!) { group(slug: $s) { viewerMembership { status } } }",
            json!({ "s": "small-group" }),
        )
        .await;
    assert_eq!(
        dee["data"]["group"]["viewerMembership"]["status"],
        "WAITLISTED"
    );
    assert_eq!(
        ok(&app.gql(SEATS, json!({ "slug": "small-group" })).await)["group"]["memberCount"],
        2
    );
    // Leaving twice finds nothing; rejoining after leaving works.
    assert_eq!(
        code(&app.gql_as(&people[0], LEAVE, json!({ "id": g })).await),
        "NOT_FOUND"
    );
    assert_eq!(status(&app.join(&people[0], &g).await), "WAITLISTED");
}

#[tokio::test]
async fn admission_decides_how_people_join() {
    let app = spawn_app().await;
    let w = app.world().await;
    let consent = app
        .group(
            &w.admin,
            &w.a,
            "by-consent",
            json!({ "admission": "BY_CONSENT" }),
        )
        .await;
    let closed = app
        .group(
            &w.admin,
            &w.a,
            "closed-group",
            json!({ "admission": "CLOSED" }),
        )
        .await;
    let private = app
        .group(
            &w.admin,
            &w.b,
            "private-group",
            json!({ "visibility": "PRIVATE" }),
        )
        .await;
    let ana = app.sign_up("Ana").await;
    let res = app
        .gql_as(&ana, "mutation($id: ID!) { joinGroup(input: {groupId: $id, statement: \"I care for my dad.\"}) { membership { status statement } } }", json!({ "id": consent }))
        .await;
    assert_eq!(
        ok(&res)["joinGroup"]["membership"],
        json!({ "status": "PENDING", "statement": "I care for my dad." })
    );
    assert_eq!(code(&app.join(&ana, &closed).await), "FORBIDDEN");
    assert_eq!(code(&app.join(&ana, &private).await), "NOT_FOUND");
    assert_eq!(
        code(
            &app.gql(crate::helpers::JOIN_GROUP, json!({ "id": consent }))
                .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&app.join(&ana, "not-an-id").await), "BAD_USER_INPUT");
}

#[tokio::test]
async fn roles_are_set_by_the_facilitator_or_managers() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app
        .group(
            &w.admin,
            &w.a1,
            "roles-group",
            json!({ "capacity": { "min": 1, "max": 2 } }),
        )
        .await;
    let fay = app.sign_up("Fay").await;
    let mo = app.sign_up("Mo").await;
    let wait = app.sign_up("Wai").await;
    let fay_m = membership_id(&app.join(&fay, &g).await);
    let mo_m = membership_id(&app.join(&mo, &g).await);
    let wait_m = membership_id(&app.join(&wait, &g).await);
    let role = |id: &str, role: &str| json!({ "id": id, "role": role });
    assert_eq!(
        code(&app.gql(SET_ROLE, role(&mo_m, "CO_FACILITATOR")).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&mo, SET_ROLE, role(&fay_m, "FACILITATOR")).await),
        "FORBIDDEN"
    );
    // The coordinator of A (two levels up) appoints a facilitator, who then appoints others.
    ok(&app
        .gql_as(&w.coordinator_a, SET_ROLE, role(&fay_m, "FACILITATOR"))
        .await);
    let res = app
        .gql_as(&fay, SET_ROLE, role(&mo_m, "CO_FACILITATOR"))
        .await;
    assert_eq!(
        ok(&res)["setMembershipRole"]["membership"]["role"],
        "CO_FACILITATOR"
    );
    assert_eq!(
        code(
            &app.gql_as(&fay, SET_ROLE, role(&wait_m, "FACILITATOR"))
                .await
        ),
        "BAD_USER_INPUT"
    );
    // The coordinator of B cannot see the waitlisted membership of a group elsewhere.
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_b, SET_ROLE, role(&wait_m, "MEMBER"))
                .await
        ),
        "NOT_FOUND"
    );
    let facilitators = app
        .gql(
            "{ group(slug: \"roles-group\") { facilitators { role person { displayName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&facilitators)["group"]["facilitators"],
        json!([{ "role": "FACILITATOR", "person": { "displayName": "Fay" } }, { "role": "CO_FACILITATOR", "person": { "displayName": "Mo" } }])
    );
}

#[tokio::test]
async fn removing_a_member_frees_the_seat() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app
        .group(
            &w.admin,
            &w.a,
            "remove-group",
            json!({ "capacity": { "min": 1, "max": 2 } }),
        )
        .await;
    let fay = app.sign_up("Fay").await;
    let mo = app.sign_up("Mo").await;
    let wai = app.sign_up("Wai").await;
    let fay_m = membership_id(&app.join(&fay, &g).await);
    let mo_m = membership_id(&app.join(&mo, &g).await);
    assert_eq!(status(&app.join(&wai, &g).await), "WAITLISTED");
    ok(&app
        .gql_as(
            &w.admin,
            SET_ROLE,
            json!({ "id": fay_m, "role": "FACILITATOR" }),
        )
        .await);
    assert_eq!(
        code(&app.gql(REMOVE, json!({ "id": mo_m })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&mo, REMOVE, json!({ "id": fay_m })).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql_as(&fay, REMOVE, json!({ "id": fay_m })).await),
        "BAD_USER_INPUT"
    );
    let res = app.gql_as(&fay, REMOVE, json!({ "id": mo_m })).await;
    assert_eq!(ok(&res)["removeMember"]["membership"]["status"], "REMOVED");
    let members = app
        .gql_as(&fay, "{ group(slug: \"remove-group\") { memberCount members { totalCount edges { node { person { displayName } } } } } }", json!({}))
        .await;
    let g_data = &ok(&members)["group"];
    assert_eq!(g_data["memberCount"], 2);
    assert_eq!(g_data["members"]["totalCount"], 2);
    assert_eq!(
        g_data["members"]["edges"][1]["node"]["person"]["displayName"],
        "Wai"
    );
    // Removed people cannot simply rejoin.
    assert_eq!(code(&app.join(&mo, &g).await), "FORBIDDEN");
}

#[tokio::test]
async fn only_insiders_see_the_member_list() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a, "listed", json!({})).await;
    let ana = app.sign_up("Ana").await;
    ok(&app.join(&ana, &g).await);
    let q = "{ group(slug: \"listed\") { members { edges { node { person { displayName } } } } } }";
    assert_eq!(code(&app.gql(q, json!({})).await), "UNAUTHENTICATED");
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql_as(&outsider, q, json!({})).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql_as(&w.coordinator_b, q, json!({})).await),
        "FORBIDDEN"
    );
    ok(&app.gql_as(&ana, q, json!({})).await);
    ok(&app.gql_as(&w.coordinator_a, q, json!({})).await);
}

#[tokio::test]
async fn leave_group_checks_the_caller_and_input() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a, "leavable", json!({})).await;
    assert_eq!(
        code(&app.gql(LEAVE, json!({ "id": g })).await),
        "UNAUTHENTICATED"
    );
    let ana = app.sign_up("Ana").await;
    assert_eq!(
        code(&app.gql_as(&ana, LEAVE, json!({ "id": g })).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&app.gql_as(&ana, LEAVE, json!({ "id": w.a })).await),
        "BAD_USER_INPUT"
    );
    ok(&app.join(&ana, &g).await);
    let res = app.gql_as(&ana, LEAVE, json!({ "id": g })).await;
    assert_eq!(ok(&res)["leaveGroup"]["membership"]["status"], "LEFT");
    assert!(res["data"]["leaveGroup"]["membership"]["leftAt"].is_string());
}

#[tokio::test]
async fn the_waitlist_is_for_facilitators_and_managers() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app
        .group(
            &w.admin,
            &w.a,
            "waiting-room",
            json!({ "capacity": { "min": 1, "max": 1 } }),
        )
        .await;
    let fay = app.sign_up("Fay").await;
    let wai = app.sign_up("Wai").await;
    let fay_m = membership_id(&app.join(&fay, &g).await);
    assert_eq!(status(&app.join(&wai, &g).await), "WAITLISTED");
    let q = "{ group(slug: \"waiting-room\") { members(statuses: [WAITLISTED]) { totalCount edges { node { status person { displayName } } } } } }";
    assert_eq!(
        code(&app.gql_as(&fay, q, json!({})).await),
        "FORBIDDEN",
        "a plain member does not see the waitlist"
    );
    assert_eq!(code(&app.gql_as(&wai, q, json!({})).await), "FORBIDDEN");
    ok(&app
        .gql_as(
            &w.admin,
            SET_ROLE,
            json!({ "id": fay_m, "role": "FACILITATOR" }),
        )
        .await);
    let res = app.gql_as(&fay, q, json!({})).await;
    assert_eq!(
        ok(&res)["group"]["members"],
        json!({ "totalCount": 1, "edges": [{ "node": { "status": "WAITLISTED", "person": { "displayName": "Wai" } } }] })
    );
    let both = "{ group(slug: \"waiting-room\") { members(statuses: [ACTIVE, WAITLISTED, ACTIVE]) { totalCount } } }";
    assert_eq!(
        ok(&app.gql_as(&w.coordinator_a, both, json!({})).await)["group"]["members"]["totalCount"],
        2
    );
    let none = "{ group(slug: \"waiting-room\") { members(statuses: []) { totalCount } } }";
    assert_eq!(
        code(&app.gql_as(&fay, none, json!({})).await),
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn people_who_left_a_private_group_no_longer_see_it() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app
        .group(&w.admin, &w.a, "private-circle", json!({ "visibility": "PRIVATE", "modality": "IN_PERSON", "venue": { "name": "Hall", "address": "2 Quiet Rd" } }))
        .await;
    let ana = app.sign_up("Ana").await;
    // PRIVATE groups cannot be found to join; the admin makes it PUBLIC for a moment.
    let open = json!({ "input": { "groupId": g, "expectedVersion": 1, "visibility": "PUBLIC" } });
    ok(&app
        .gql_as(
            &w.admin,
            "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { id } } }",
            open,
        )
        .await);
    let m = membership_id(&app.join(&ana, &g).await);
    let close = json!({ "input": { "groupId": g, "expectedVersion": 2, "visibility": "PRIVATE" } });
    ok(&app
        .gql_as(
            &w.admin,
            "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { id } } }",
            close,
        )
        .await);
    let mine =
        "{ viewer { memberships { edges { node { status group { name venue { address } } } } } } }";
    let before = app.gql_as(&ana, mine, json!({})).await;
    assert_eq!(
        ok(&before)["viewer"]["memberships"]["edges"][0]["node"]["group"]["venue"]["address"],
        "2 Quiet Rd"
    );
    // Leaving: the payload already reflects the new rights.
    let left = app
        .gql_as(&ana, "mutation($id: ID!) { leaveGroup(input: {groupId: $id}) { membership { status group { name } } } }", json!({ "id": g }))
        .await;
    assert_eq!(
        ok(&left)["leaveGroup"]["membership"],
        json!({ "status": "LEFT", "group": null })
    );
    let after = app.gql_as(&ana, mine, json!({})).await;
    assert_eq!(
        ok(&after)["viewer"]["memberships"]["edges"][0]["node"],
        json!({ "status": "LEFT", "group": null })
    );
    let node = app
        .gql_as(
            &ana,
            "query($id: ID!) { node(id: $id) { ... on Membership { status group { name } } } }",
            json!({ "id": m }),
        )
        .await;
    assert_eq!(
        ok(&node)["node"],
        json!({ "status": "LEFT", "group": null })
    );
}

#[tokio::test]
async fn a_larger_capacity_admits_the_waitlist_and_nobody_jumps_it() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app
        .group(
            &w.admin,
            &w.a,
            "growing",
            json!({ "capacity": { "min": 1, "max": 1 } }),
        )
        .await;
    let people = [
        app.sign_up("Ada").await,
        app.sign_up("Bea").await,
        app.sign_up("Cal").await,
    ];
    assert_eq!(status(&app.join(&people[0], &g).await), "ACTIVE");
    assert_eq!(status(&app.join(&people[1], &g).await), "WAITLISTED");
    let grow = json!({ "input": { "groupId": g, "expectedVersion": 1, "capacity": { "max": 2 } } });
    let res = app
        .gql_as(&w.admin, "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { memberCount seatsLeft } } }", grow)
        .await;
    assert_eq!(
        ok(&res)["updateGroup"]["group"],
        json!({ "memberCount": 2, "seatsLeft": 0 })
    );
    // Full again: Cal waits; the next increase admits Cal before anyone new.
    assert_eq!(status(&app.join(&people[2], &g).await), "WAITLISTED");
    let grow = json!({ "input": { "groupId": g, "expectedVersion": 2, "capacity": { "max": 4 } } });
    ok(&app
        .gql_as(
            &w.admin,
            "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { id } } }",
            grow,
        )
        .await);
    let dan = app.sign_up("Dan").await;
    assert_eq!(
        status(&app.join(&dan, &g).await),
        "ACTIVE",
        "Cal was admitted first, then a seat was left"
    );
    let q = "{ group(slug: \"growing\") { memberCount seatsLeft } }";
    assert_eq!(
        ok(&app.gql(q, json!({})).await)["group"],
        json!({ "memberCount": 4, "seatsLeft": 0 })
    );
    // While someone waits, a newcomer waits too even if a seat frees up in between.
    let eve = app.sign_up("Eve").await;
    assert_eq!(status(&app.join(&eve, &g).await), "WAITLISTED");
}

#[tokio::test]
async fn a_co_facilitator_cannot_remove_the_facilitator_but_managers_can_read_statements() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app
        .group(
            &w.admin,
            &w.a1,
            "led-group",
            json!({ "admission": "BY_CONSENT" }),
        )
        .await;
    let fay = app.sign_up("Fay").await;
    let co = app.sign_up("Co").await;
    let applicant = app.sign_up("App").await;
    // Admit the two by making the group OPEN briefly.
    let set_open = json!({ "input": { "groupId": g, "expectedVersion": 1, "admission": "OPEN" } });
    ok(&app
        .gql_as(
            &w.admin,
            "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { id } } }",
            set_open,
        )
        .await);
    let fay_m = membership_id(&app.join(&fay, &g).await);
    let co_m = membership_id(&app.join(&co, &g).await);
    ok(&app
        .gql_as(
            &w.admin,
            SET_ROLE,
            json!({ "id": fay_m, "role": "FACILITATOR" }),
        )
        .await);
    ok(&app
        .gql_as(
            &fay,
            SET_ROLE,
            json!({ "id": co_m, "role": "CO_FACILITATOR" }),
        )
        .await);
    assert_eq!(
        code(&app.gql_as(&co, REMOVE, json!({ "id": fay_m })).await),
        "FORBIDDEN"
    );
    let set_consent =
        json!({ "input": { "groupId": g, "expectedVersion": 2, "admission": "BY_CONSENT" } });
    ok(&app
        .gql_as(
            &w.admin,
            "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { id } } }",
            set_consent,
        )
        .await);
    let applied = app
        .gql_as(&applicant, "mutation($id: ID!) { joinGroup(input: {groupId: $id, statement: \"My mother has dementia.\"}) { membership { id } } }", json!({ "id": g }))
        .await;
    let app_m = ok(&applied)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = "query($id: ID!) { node(id: $id) { ... on Membership { status statement } } }";
    for who in [&fay, &co, &w.coordinator_a] {
        let res = app.gql_as(who, q, json!({ "id": app_m })).await;
        assert_eq!(ok(&res)["node"]["statement"], "My mother has dementia.");
    }
    // Someone who manages another subtree does not see applicants at all.
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_b, q, json!({ "id": app_m }))
                .await
        ),
        "NOT_FOUND"
    );
}
