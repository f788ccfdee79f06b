//! Groups: validation, rights along the cluster tree, optimistic updates, the directory and
//! its privacy rules.

use serde_json::{Value, json};

use crate::helpers::{TestApp, World, code, field, ok, spawn_app, uuid_of};

const UPDATE_GROUP: &str = "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { id name version capacity { min max } } } }";
const MOVE_GROUP: &str = "mutation($input: MoveGroupInput!) { moveGroup(input: $input) { group { id cluster { name } version } } }";
const DIRECTORY: &str = "query($filter: GroupFilter, $first: Int, $after: String) { groups(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { slug conferenceUrl venue { area address locationNotes } } } } }";

fn slugs(res: &Value) -> Vec<String> {
    res["data"]["groups"]["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .filter_map(|e| e["node"]["slug"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn three_groups(app: &TestApp, w: &World) -> (String, String, String) {
    let public = app
        .group(&w.admin, &w.a1a, "public-circle", json!({
            "modality": "HYBRID",
            "venue": { "name": "Library", "area": "Leith", "address": "1 Main St", "locationNotes": "Back room", "approximate": true },
        }))
        .await;
    let network = app
        .group(
            &w.admin,
            &w.a1,
            "network-pod",
            json!({ "visibility": "NETWORK", "format": "SKILL_POD" }),
        )
        .await;
    let private = app
        .group(
            &w.admin,
            &w.b,
            "private-cohort",
            json!({ "visibility": "PRIVATE", "format": "LIFE_STAGE_COHORT" }),
        )
        .await;
    (public, network, private)
}

#[tokio::test]
async fn create_group_validates_every_rule() {
    let app = spawn_app().await;
    let w = app.world().await;
    let cases = [
        (
            json!({ "cadence": { "frequency": "WEEKLY", "weekday": "MONDAY", "localStartTime": "18:00", "timezone": "Atlantis/Capital" } }),
            "cadence.timezone",
        ),
        (
            json!({ "capacity": { "min": 10, "max": 8 } }),
            "capacity.min",
        ),
        (json!({ "capacity": { "min": 0 } }), "capacity.min"),
        (
            json!({ "cadence": { "frequency": "WEEKLY", "timezone": "Europe/London", "localStartTime": "18:00" } }),
            "cadence.weekday",
        ),
        (
            json!({ "cadence": { "frequency": "AD_HOC", "weekday": "MONDAY", "timezone": "Europe/London" } }),
            "cadence.frequency",
        ),
        (
            json!({ "cadence": { "frequency": "MONTHLY", "weekday": "MONDAY", "localStartTime": "18:00", "timezone": "Europe/London" } }),
            "cadence.weekOfMonth",
        ),
        (
            json!({ "cadence": { "frequency": "WEEKLY", "weekday": "MONDAY", "localStartTime": "25:61", "timezone": "Europe/London" } }),
            "cadence.localStartTime",
        ),
        (
            json!({ "cadence": { "frequency": "WEEKLY", "weekday": "MONDAY", "localStartTime": "18:00", "durationMinutes": 5, "timezone": "Europe/London" } }),
            "cadence.durationMinutes",
        ),
        (json!({ "conferenceUrl": "not a url" }), "conferenceUrl"),
        (json!({ "purpose": "" }), "purpose"),
    ];
    for (extra, expected) in cases {
        let res = app
            .try_group(&w.admin, &w.a, "valid-slug", extra.clone())
            .await;
        assert_eq!(code(&res), "BAD_USER_INPUT", "{extra}: {res}");
        assert_eq!(field(&res), expected, "{extra}");
    }
    let bad_slug = app.try_group(&w.admin, &w.a, "Not A Slug", json!({})).await;
    assert_eq!(
        (code(&bad_slug), field(&bad_slug)),
        ("BAD_USER_INPUT".into(), "slug".into())
    );
    // Nothing above was stored; the slug is still free.
    let res = app.try_group(&w.admin, &w.a, "valid-slug", json!({ "cadence": { "frequency": "MONTHLY", "weekday": "MONDAY", "weekOfMonth": -1, "localStartTime": "18:00", "timezone": "America/New_York" } })).await;
    let g = &ok(&res)["createGroup"]["group"];
    assert_eq!(g["version"], 1);
    let dup = app.try_group(&w.admin, &w.b, "valid-slug", json!({})).await;
    assert_eq!(code(&dup), "CONFLICT");
}

#[tokio::test]
async fn create_group_needs_a_manager_of_the_cluster() {
    let app = spawn_app().await;
    let w = app.world().await;
    let anon = app
        .gql(
            crate::helpers::CREATE_GROUP,
            json!({ "input": crate::helpers::group_input(&w.a1a, "anon-group", json!({})) }),
        )
        .await;
    assert_eq!(code(&anon), "UNAUTHENTICATED");
    // The coordinator of A reaches two levels down…
    let res = app
        .try_group(&w.coordinator_a, &w.a1a, "deep-group", json!({}))
        .await;
    ok(&res);
    // …but not into the sibling cluster B.
    let res = app
        .try_group(&w.coordinator_a, &w.b, "sibling-group", json!({}))
        .await;
    assert_eq!(code(&res), "FORBIDDEN");
    let nobody = app.sign_up("Nobody").await;
    assert_eq!(
        code(
            &app.try_group(&nobody, &w.a, "nobody-group", json!({}))
                .await
        ),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn a_coordinator_manages_groups_two_levels_down_but_not_a_siblings() {
    let app = spawn_app().await;
    let w = app.world().await;
    let deep = app
        .group(
            &w.admin,
            &w.a1a,
            "deep-group",
            json!({ "visibility": "PRIVATE" }),
        )
        .await;
    let sibling = app
        .group(
            &w.admin,
            &w.b,
            "sibling-group",
            json!({ "visibility": "NETWORK" }),
        )
        .await;
    let update =
        |id: &str| json!({ "input": { "groupId": id, "expectedVersion": 1, "name": "Renamed" } });
    let res = app
        .gql_as(&w.coordinator_a, UPDATE_GROUP, update(&deep))
        .await;
    assert_eq!(ok(&res)["updateGroup"]["group"]["name"], "Renamed");
    // The sibling's group is visible (NETWORK, same umbrella) but not theirs to change.
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_a, UPDATE_GROUP, update(&sibling))
                .await
        ),
        "FORBIDDEN"
    );
    // A PRIVATE group elsewhere is invisible to them: NOT_FOUND, not FORBIDDEN.
    let hidden = app
        .group(
            &w.admin,
            &w.b,
            "hidden-group",
            json!({ "visibility": "PRIVATE" }),
        )
        .await;
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_a, UPDATE_GROUP, update(&hidden))
                .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&app.gql(UPDATE_GROUP, update(&deep)).await),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn update_group_with_a_stale_version_conflicts_and_changes_nothing() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a, "versioned", json!({})).await;
    let first = app
        .gql_as(
            &w.admin,
            UPDATE_GROUP,
            json!({ "input": { "groupId": g, "expectedVersion": 1, "capacity": { "max": 10 } } }),
        )
        .await;
    assert_eq!(ok(&first)["updateGroup"]["group"]["version"], 2);
    assert_eq!(
        first["data"]["updateGroup"]["group"]["capacity"],
        json!({ "min": 8, "max": 10 })
    );
    let stale = app
        .gql_as(
            &w.admin,
            UPDATE_GROUP,
            json!({ "input": { "groupId": g, "expectedVersion": 1, "name": "Lost" } }),
        )
        .await;
    assert_eq!(code(&stale), "CONFLICT");
    let bad = app
        .gql_as(&w.admin, UPDATE_GROUP, json!({ "input": { "groupId": g, "expectedVersion": 2, "name": "Kept?", "capacity": { "min": 11 } } }))
        .await;
    assert_eq!(
        (code(&bad), field(&bad)),
        ("BAD_USER_INPUT".into(), "capacity.min".into())
    );
    let now = app
        .gql("{ group(slug: \"versioned\") { name version } }", json!({}))
        .await;
    assert_eq!(
        ok(&now)["group"],
        json!({ "name": "Group versioned", "version": 2 })
    );
}

#[tokio::test]
async fn facilitators_run_their_group_and_members_do_not() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a, "run-by-peers", json!({})).await;
    let fay = app.sign_up("Fay").await;
    let mo = app.sign_up("Mo").await;
    let fay_m = ok(&app.join(&fay, &g).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app.join(&mo, &g).await);
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { role } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fay_m })).await);
    let update = |v: i64| json!({ "input": { "groupId": g, "expectedVersion": v, "groundRules": "Phones away." } });
    assert_eq!(
        code(&app.gql_as(&mo, UPDATE_GROUP, update(1)).await),
        "FORBIDDEN"
    );
    ok(&app.gql_as(&fay, UPDATE_GROUP, update(1)).await);
    // Linking a partner organisation is for ADMINs only.
    let partner =
        json!({ "input": { "groupId": g, "expectedVersion": 2, "hostPartnerId": w.org_id } });
    assert_eq!(
        code(&app.gql_as(&fay, UPDATE_GROUP, partner).await),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn move_group_needs_both_places() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a1a, "mover", json!({})).await;
    let mv = |to: &str| json!({ "input": { "groupId": g, "clusterId": to, "expectedVersion": 1 } });
    assert_eq!(
        code(&app.gql(MOVE_GROUP, mv(&w.a1)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&w.coordinator_a, MOVE_GROUP, mv(&w.b)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql_as(&w.admin, MOVE_GROUP, mv(&w.org_id)).await),
        "BAD_USER_INPUT"
    );
    let res = app.gql_as(&w.coordinator_a, MOVE_GROUP, mv(&w.a1)).await;
    assert_eq!(ok(&res)["moveGroup"]["group"]["cluster"]["name"], "A1");
    assert_eq!(
        code(&app.gql_as(&w.admin, MOVE_GROUP, mv(&w.b)).await),
        "CONFLICT"
    );
}

#[tokio::test]
async fn the_anonymous_directory_never_shows_private_groups_or_conference_links() {
    let app = spawn_app().await;
    let w = app.world().await;
    three_groups(&app, &w).await;
    let res = app.gql(DIRECTORY, json!({})).await;
    assert_eq!(slugs(&res), vec!["public-circle"]);
    assert_eq!(res["data"]["groups"]["totalCount"], 1);
    let node = &res["data"]["groups"]["edges"][0]["node"];
    assert!(node["conferenceUrl"].is_null(), "{node}");
    // Approximate venue: the area, not the address.
    assert_eq!(
        node["venue"],
        json!({ "area": "Leith", "address": null, "locationNotes": null })
    );
    assert!(!res.to_string().contains("meet.example.org"));
    for slug in ["network-pod", "private-cohort"] {
        let one = app
            .gql(
                &format!("{{ group(slug: \"{slug}\") {{ id }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(
            code(&one),
            "NOT_FOUND",
            "{slug} must be hidden from anonymous callers"
        );
        assert!(one["data"]["group"].is_null());
    }
}

#[tokio::test]
async fn network_groups_are_for_people_of_the_umbrella_and_private_ones_for_insiders() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (public, network, _private) = three_groups(&app, &w).await;
    let outsider = app.sign_up("Outsider").await;
    let res = app.gql_as(&outsider, DIRECTORY, json!({})).await;
    assert_eq!(slugs(&res), vec!["public-circle"]);
    // Joining a group of the umbrella makes one "of the umbrella": NETWORK groups appear.
    ok(&app.join(&outsider, &public).await);
    let res = app.gql_as(&outsider, DIRECTORY, json!({})).await;
    assert_eq!(slugs(&res), vec!["network-pod", "public-circle"]);
    // A member sees the conference link and the exact address of their own group only.
    let mine = res["data"]["groups"]["edges"][1]["node"].clone();
    assert_eq!(mine["conferenceUrl"], "https://meet.example.org/room");
    assert_eq!(mine["venue"]["address"], "1 Main St");
    assert!(res["data"]["groups"]["edges"][0]["node"]["conferenceUrl"].is_null());
    // Coordinators see PRIVATE groups in their subtree only; the admin sees all.
    assert_eq!(
        slugs(&app.gql_as(&w.coordinator_a, DIRECTORY, json!({})).await),
        vec!["network-pod", "public-circle"]
    );
    assert_eq!(
        slugs(&app.gql_as(&w.coordinator_b, DIRECTORY, json!({})).await),
        vec!["network-pod", "private-cohort", "public-circle"]
    );
    assert_eq!(
        app.gql_as(&w.admin, DIRECTORY, json!({})).await["data"]["groups"]["totalCount"],
        3
    );
    let _ = network;
}

#[tokio::test]
async fn the_directory_filters_and_pages() {
    let app = spawn_app().await;
    let w = app.world().await;
    three_groups(&app, &w).await;
    app.group(&w.admin, &w.a, "stress-talk", json!({ "name": "Stress Talk", "purpose": "Talking about STRESS at work", "cadence": { "frequency": "WEEKLY", "weekday": "FRIDAY", "localStartTime": "12:00", "timezone": "Europe/Berlin" } })).await;
    let q = |filter: Value| app.gql_as(&w.admin, DIRECTORY, json!({ "filter": filter }));
    assert_eq!(
        slugs(&q(json!({ "text": "AT WORK" })).await),
        vec!["stress-talk"]
    );
    assert_eq!(
        slugs(&q(json!({ "text": "skill" })).await),
        Vec::<String>::new()
    );
    assert_eq!(
        slugs(&q(json!({ "text": "network" })).await),
        vec!["network-pod"]
    );
    assert_eq!(
        slugs(&q(json!({ "text": "100%_" })).await),
        Vec::<String>::new()
    );
    assert_eq!(
        slugs(&q(json!({ "formats": ["SKILL_POD"] })).await),
        vec!["network-pod"]
    );
    assert_eq!(
        slugs(&q(json!({ "modalities": ["HYBRID"] })).await),
        vec!["public-circle"]
    );
    assert_eq!(
        slugs(&q(json!({ "weekday": "FRIDAY" })).await),
        vec!["stress-talk"]
    );
    assert_eq!(
        slugs(&q(json!({ "timezone": "Europe/Berlin" })).await),
        vec!["stress-talk"]
    );
    assert_eq!(
        code(&q(json!({ "timezone": "Nowhere/Land" })).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        slugs(&q(json!({ "clusterId": w.a1 })).await),
        vec!["network-pod"]
    );
    assert_eq!(
        slugs(&q(json!({ "clusterId": w.a, "includeDescendants": true })).await),
        vec!["network-pod", "public-circle", "stress-talk"]
    );
    assert_eq!(
        q(json!({ "hasSeats": true })).await["data"]["groups"]["totalCount"],
        4
    );
    assert_eq!(
        q(json!({ "hasSeats": false })).await["data"]["groups"]["totalCount"],
        0
    );
    // Keyset pages: two, then the rest, with a stable total.
    let page1 = app.gql_as(&w.admin, DIRECTORY, json!({ "first": 2 })).await;
    assert_eq!(slugs(&page1), vec!["network-pod", "private-cohort"]);
    assert_eq!(page1["data"]["groups"]["pageInfo"]["hasNextPage"], true);
    let after = page1["data"]["groups"]["pageInfo"]["endCursor"].clone();
    let page2 = app
        .gql_as(&w.admin, DIRECTORY, json!({ "first": 2, "after": after }))
        .await;
    assert_eq!(slugs(&page2), vec!["public-circle", "stress-talk"]);
    assert_eq!(page2["data"]["groups"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(page2["data"]["groups"]["totalCount"], 4);
    let backward = app
        .gql_as(
            &w.admin,
            "{ groups(last: 1) { edges { node { slug } } pageInfo { hasPreviousPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(slugs(&backward), vec!["stress-talk"]);
    assert_eq!(
        backward["data"]["groups"]["pageInfo"]["hasPreviousPage"],
        true
    );
    assert_eq!(
        code(
            &app.gql("{ groups(first: 0) { totalCount } }", json!({}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql("{ groups(first: 101) { totalCount } }", json!({}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql("{ groups(after: \"garbage\") { totalCount } }", json!({}))
                .await
        ),
        "BAD_USER_INPUT"
    );
}

/// The by-id read behind `node`, `nodes` and every field that hands a group to a client
/// applies the visibility rule in its statement (`node_goes_through_the_same_checks` proves
/// the GraphQL side): called with an outsider's rights it returns nothing for a private or
/// another umbrella's network group, so a resolver that forgot its check could not leak one.
/// Only the guards' raw read sees them.
#[tokio::test]
async fn the_visible_group_read_keeps_hidden_groups_from_outsiders() {
    use canopy::domain::{access::Access, groups::reads};
    let app = spawn_app().await;
    let w = app.world().await;
    let (public, network, private) = three_groups(&app, &w).await;
    let ids = [&public, &network, &private].map(|id| uuid_of(id));
    let stranger = app.sign_up("Stranger").await;
    let outsiders = [
        Access::anonymous(),
        Access {
            person_id: Some(uuid_of(&stranger.person_id)),
            ..Access::default()
        },
    ];
    for access in &outsiders {
        let seen = reads::visible_by_ids(&app.db, access, &ids).await.unwrap();
        let seen: Vec<_> = seen.into_iter().map(|g| g.slug).collect();
        assert_eq!(seen, vec!["public-circle"], "{access:?}");
    }
    let all = reads::by_ids_unchecked(&app.db, &ids).await.unwrap();
    assert_eq!(all.len(), 3);
}

/// `groups::reads::visible_by_ids` puts `authz::can_see_group` into SQL: for every kind of
/// viewer — members in each status, grants on each cluster (above, on and beside a group's),
/// organisation-wide and in another organisation — both name the same groups.
#[tokio::test]
async fn the_visible_group_read_is_the_twin_of_can_see_group() {
    use canopy::domain::{
        access::{Access, GrantRef, MembershipRef},
        authz,
        groups::reads,
    };
    use entity::{MembershipRole, MembershipStatus, Role, cluster};
    use sea_orm::EntityTrait;
    use std::collections::BTreeSet;
    let app = spawn_app().await;
    let w = app.world().await;
    let (public, network, private) = three_groups(&app, &w).await;
    let ids = [&public, &network, &private].map(|id| uuid_of(id));
    let groups = reads::by_ids_unchecked(&app.db, &ids).await.unwrap();
    let clusters = cluster::Entity::find().all(&app.db).await.unwrap();
    let path_of = |cluster_id: uuid::Uuid| {
        clusters
            .iter()
            .find(|c| c.id == cluster_id)
            .map(|c| c.path.clone())
            .unwrap()
    };
    let someone = Some(uuid::Uuid::from_u128(1));
    let grant = |role, organisation_id, cluster: Option<&cluster::Model>| Access {
        person_id: someone,
        grants: vec![GrantRef {
            role,
            organisation_id,
            cluster_id: cluster.map(|c| c.id),
            cluster_path: cluster.map(|c| c.path.clone()),
        }],
        ..Access::default()
    };
    let mut cases = vec![
        Access::anonymous(),
        Access {
            person_id: someone,
            ..Access::default()
        },
    ];
    for g in &groups {
        for status in [
            MembershipStatus::Pending,
            MembershipStatus::Waitlisted,
            MembershipStatus::Active,
            MembershipStatus::Paused,
        ] {
            cases.push(Access {
                person_id: someone,
                memberships: vec![MembershipRef {
                    group_id: g.id,
                    organisation_id: g.organisation_id,
                    role: MembershipRole::Member,
                    status,
                    timezone: g.timezone.clone(),
                }],
                ..Access::default()
            });
        }
        cases.push(grant(Role::Analyst, g.organisation_id, None));
        cases.push(grant(Role::Admin, uuid::Uuid::from_u128(2), None));
    }
    for c in &clusters {
        for role in [Role::Coordinator, Role::Analyst] {
            cases.push(grant(role, c.organisation_id, Some(c)));
        }
    }
    for access in &cases {
        let seen: BTreeSet<_> = reads::visible_by_ids(&app.db, access, &ids)
            .await
            .unwrap()
            .into_iter()
            .map(|g| g.id)
            .collect();
        let expected: BTreeSet<_> = groups
            .iter()
            .filter(|g| authz::can_see_group(access, g, &path_of(g.cluster_id)))
            .map(|g| g.id)
            .collect();
        assert_eq!(seen, expected, "{access:?}");
    }
}

#[tokio::test]
async fn node_goes_through_the_same_checks() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (public, network, private) = three_groups(&app, &w).await;
    let node = "query($id: ID!) { node(id: $id) { id ... on Group { slug conferenceUrl } } }";
    assert_eq!(
        ok(&app.gql(node, json!({ "id": public })).await)["node"]["slug"],
        "public-circle"
    );
    assert!(
        app.gql(node, json!({ "id": public })).await["data"]["node"]["conferenceUrl"].is_null()
    );
    // Hidden and missing answer alike.
    let hidden = app.gql(node, json!({ "id": network })).await;
    assert_eq!(code(&hidden), "NOT_FOUND");
    let hidden_private = app
        .gql_as(&w.coordinator_a, node, json!({ "id": private }))
        .await;
    assert_eq!(code(&hidden_private), "NOT_FOUND");
    let missing = app
        .gql(
            node,
            json!({ "id": "R3JvdXA6MDE5YTAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw" }),
        )
        .await;
    assert_eq!(code(&missing), "NOT_FOUND");
    assert_eq!(
        missing["errors"][0]["message"],
        hidden["errors"][0]["message"]
    );
    let unknown_slug = app
        .gql("{ group(slug: \"no-such-group\") { id } }", json!({}))
        .await;
    assert_eq!(code(&unknown_slug), "NOT_FOUND");
    assert_eq!(
        ok(&app
            .gql_as(&w.coordinator_b, node, json!({ "id": private }))
            .await)["node"]["slug"],
        "private-cohort"
    );
    let many = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [public, network, private, w.org_id, "junk"] }),
        )
        .await;
    let found: Vec<bool> = ok(&many)["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| !n.is_null())
        .collect();
    assert_eq!(found, vec![true, false, false, true, false]);
    // People: only those one could meet through a group.
    let stranger = app.sign_up("Stranger").await;
    let person = "query($id: ID!) { node(id: $id) { ... on Person { displayName email } } }";
    let hidden_person = app
        .gql_as(&stranger, person, json!({ "id": w.admin.person_id }))
        .await;
    assert_eq!(code(&hidden_person), "NOT_FOUND");
    let me = app
        .gql_as(&stranger, person, json!({ "id": stranger.person_id }))
        .await;
    assert_eq!(ok(&me)["node"]["displayName"], "Stranger");
}

#[tokio::test]
async fn a_failed_mutation_leaves_nothing_behind() {
    let app = spawn_app().await;
    let w = app.world().await;
    // The group row is written before the partner link is refused: the transaction must undo it.
    let res = app
        .try_group(
            &w.coordinator_a,
            &w.a,
            "half-made",
            json!({ "hostPartnerId": w.org_id }),
        )
        .await;
    assert_eq!(code(&res), "FORBIDDEN");
    let lookup = app
        .gql_as(&w.admin, "{ group(slug: \"half-made\") { id } }", json!({}))
        .await;
    assert_eq!(code(&lookup), "NOT_FOUND");
    ok(&app.try_group(&w.admin, &w.a, "half-made", json!({})).await);
}

#[tokio::test]
async fn nested_group_lists_and_node_keep_the_same_privacy() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (public, _, _) = three_groups(&app, &w).await;
    let slug = app
        .gql_as(
            &w.admin,
            "query($id: ID!) { node(id: $id) { ... on Organisation { slug } } }",
            json!({ "id": w.org_id }),
        )
        .await;
    let slug = ok(&slug)["node"]["slug"].as_str().unwrap().to_owned();
    let q = "query($slug: String!) { organisation(slug: $slug) { clusters(first: 5) { edges { node { groups(includeDescendants: true, first: 10) { edges { node { slug conferenceUrl venue { address locationNotes } } } } } } } } }";
    let res = app.gql(q, json!({ "slug": slug })).await;
    let text = ok(&res).to_string();
    assert!(text.contains("public-circle"), "{text}");
    for secret in [
        "private-cohort",
        "network-pod",
        "meet.example.org",
        "1 Main St",
        "Back room",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} leaked to an anonymous caller: {text}"
        );
    }
    let node = app
        .gql("query($id: ID!) { node(id: $id) { ... on Group { conferenceUrl venue { area address } } } }", json!({ "id": public }))
        .await;
    assert_eq!(
        ok(&node)["node"],
        json!({ "conferenceUrl": null, "venue": { "area": "Leith", "address": null } })
    );
}
