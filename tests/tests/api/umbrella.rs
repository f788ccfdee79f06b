//! Organisations, clusters (nesting, moves, cycles) and role grants with their cascade.

use serde_json::json;

use crate::helpers::{CREATE_CLUSTER, GRANT_ROLE, code, field, ok, spawn_app};

const CREATE_ORG: &str = "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { organisation { id slug kind } } }";
const UPDATE_CLUSTER: &str = "mutation($input: UpdateClusterInput!) { updateCluster(input: $input) { cluster { id name version } } }";
const MOVE_CLUSTER: &str = "mutation($input: MoveClusterInput!) { moveCluster(input: $input) { cluster { id depth parent { id } ancestors { name } } } }";
const REVOKE: &str =
    "mutation($id: ID!) { revokeRole(input: {roleGrantId: $id}) { roleGrant { id } } }";

#[tokio::test]
async fn create_organisation_makes_the_creator_its_admin() {
    let app = spawn_app().await;
    let anon = app
        .gql(
            CREATE_ORG,
            json!({ "input": { "slug": "evergreen", "name": "Evergreen" } }),
        )
        .await;
    assert_eq!(code(&anon), "UNAUTHENTICATED");
    let ana = app.sign_up("Ana").await;
    let res = app
        .gql_as(
            &ana,
            CREATE_ORG,
            json!({ "input": { "slug": "evergreen", "name": "Evergreen" } }),
        )
        .await;
    assert_eq!(
        ok(&res)["createOrganisation"]["organisation"]["kind"],
        "UMBRELLA"
    );
    let roles = app
        .gql_as(
            &ana,
            "{ viewer { roles { role scope { ... on Organisation { slug } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&roles)["viewer"]["roles"],
        json!([{ "role": "ADMIN", "scope": { "slug": "evergreen" } }])
    );
    let dup = app
        .gql_as(
            &ana,
            CREATE_ORG,
            json!({ "input": { "slug": "evergreen", "name": "Again" } }),
        )
        .await;
    assert_eq!(code(&dup), "CONFLICT");
    let bad = app
        .gql_as(
            &ana,
            CREATE_ORG,
            json!({ "input": { "slug": "Ever Green", "name": "X" } }),
        )
        .await;
    assert_eq!(
        (code(&bad), field(&bad)),
        ("BAD_USER_INPUT".into(), "slug".into())
    );
}

#[tokio::test]
async fn clusters_nest_and_report_their_ancestors() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .gql(
            "query($id: ID!) { cluster(id: $id) { name depth ancestors { name } parent { name } organisation { name } } }",
            json!({ "id": w.a1a }),
        )
        .await;
    let c = &ok(&res)["cluster"];
    assert_eq!(c["depth"], 2);
    assert_eq!(c["ancestors"], json!([{ "name": "A" }, { "name": "A1" }]));
    assert_eq!(c["parent"]["name"], "A1");
    let top = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Organisation { all: clusters { totalCount } top: clusters(topLevelOnly: true, first: 5) { totalCount edges { node { name children(first: 5) { edges { node { name } } } } } } } } }",
            json!({ "id": w.org_id }),
        )
        .await;
    let org = &ok(&top)["node"];
    assert_eq!(org["all"]["totalCount"], 4);
    assert_eq!(org["top"]["totalCount"], 2);
    assert_eq!(org["top"]["edges"][0]["node"]["name"], "A");
    assert_eq!(
        org["top"]["edges"][0]["node"]["children"]["edges"][0]["node"]["name"],
        "A1"
    );
}

#[tokio::test]
async fn create_cluster_checks_rights_and_input() {
    let app = spawn_app().await;
    let w = app.world().await;
    let input = |parent: &str| json!({ "input": { "organisationId": w.org_id, "parentId": parent, "name": "New" } });
    assert_eq!(
        code(&app.gql(CREATE_CLUSTER, input(&w.a)).await),
        "UNAUTHENTICATED"
    );
    // A coordinator of A may add below A, not below B nor at the top.
    ok(&app
        .gql_as(&w.coordinator_a, CREATE_CLUSTER, input(&w.a1a))
        .await);
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_a, CREATE_CLUSTER, input(&w.b))
                .await
        ),
        "FORBIDDEN"
    );
    let top = json!({ "input": { "organisationId": w.org_id, "name": "Top" } });
    assert_eq!(
        code(&app.gql_as(&w.coordinator_a, CREATE_CLUSTER, top).await),
        "FORBIDDEN"
    );
    let blank = json!({ "input": { "organisationId": w.org_id, "parentId": w.a, "name": "  " } });
    let res = app.gql_as(&w.admin, CREATE_CLUSTER, blank).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "name".into())
    );
    let not_an_org = json!({ "input": { "organisationId": w.a, "name": "X" } });
    assert_eq!(
        code(&app.gql_as(&w.admin, CREATE_CLUSTER, not_an_org).await),
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn update_cluster_uses_optimistic_concurrency() {
    let app = spawn_app().await;
    let w = app.world().await;
    let input = |name: &str, v: i64| json!({ "input": { "clusterId": w.a1, "expectedVersion": v, "name": name } });
    assert_eq!(
        code(&app.gql(UPDATE_CLUSTER, input("X", 1)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_b, UPDATE_CLUSTER, input("X", 1))
                .await
        ),
        "FORBIDDEN"
    );
    let res = app
        .gql_as(&w.coordinator_a, UPDATE_CLUSTER, input("A-one", 1))
        .await;
    assert_eq!(ok(&res)["updateCluster"]["cluster"]["version"], 2);
    let stale = app
        .gql_as(&w.admin, UPDATE_CLUSTER, input("Lost update", 1))
        .await;
    assert_eq!(code(&stale), "CONFLICT");
    let bad = app.gql_as(&w.admin, UPDATE_CLUSTER, input("", 2)).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let name = app
        .gql(
            "query($id: ID!) { cluster(id: $id) { name } }",
            json!({ "id": w.a1 }),
        )
        .await;
    assert_eq!(ok(&name)["cluster"]["name"], "A-one");
}

#[tokio::test]
async fn move_cluster_refuses_cycles_and_moves_the_subtree() {
    let app = spawn_app().await;
    let w = app.world().await;
    let mv = |id: &str, parent: Option<&str>| json!({ "input": { "clusterId": id, "parentId": parent, "expectedVersion": 1 } });
    assert_eq!(
        code(&app.gql(MOVE_CLUSTER, mv(&w.a1, Some(&w.b))).await),
        "UNAUTHENTICATED"
    );
    let cycle = app
        .gql_as(&w.admin, MOVE_CLUSTER, mv(&w.a, Some(&w.a1a)))
        .await;
    assert_eq!(
        (code(&cycle), field(&cycle)),
        ("BAD_USER_INPUT".into(), "parentId".into())
    );
    let onto_itself = app
        .gql_as(&w.admin, MOVE_CLUSTER, mv(&w.a, Some(&w.a)))
        .await;
    assert_eq!(code(&onto_itself), "BAD_USER_INPUT");
    // The coordinator of A does not manage B.
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_a, MOVE_CLUSTER, mv(&w.a1, Some(&w.b)))
                .await
        ),
        "FORBIDDEN"
    );
    let res = app
        .gql_as(&w.admin, MOVE_CLUSTER, mv(&w.a1, Some(&w.b)))
        .await;
    assert_eq!(
        ok(&res)["moveCluster"]["cluster"]["ancestors"],
        json!([{ "name": "B" }])
    );
    let grandchild = app
        .gql(
            "query($id: ID!) { cluster(id: $id) { depth ancestors { name } } }",
            json!({ "id": w.a1a }),
        )
        .await;
    assert_eq!(
        ok(&grandchild)["cluster"]["ancestors"],
        json!([{ "name": "B" }, { "name": "A1" }])
    );
    assert_eq!(grandchild["data"]["cluster"]["depth"], 2);
    // Now under B, A1 is B's coordinator's to manage, no longer A's.
    let update = json!({ "input": { "clusterId": w.a1a, "expectedVersion": 1, "name": "Moved" } });
    let upd =
        "mutation($input: UpdateClusterInput!) { updateCluster(input: $input) { cluster { id } } }";
    assert_eq!(
        code(&app.gql_as(&w.coordinator_a, upd, update.clone()).await),
        "FORBIDDEN"
    );
    ok(&app.gql_as(&w.coordinator_b, upd, update).await);
    // The move bumped A1's version: the old one is stale now.
    let stale = app.gql_as(&w.admin, MOVE_CLUSTER, mv(&w.a1, None)).await;
    assert_eq!(code(&stale), "CONFLICT");
    let to_top = json!({ "input": { "clusterId": w.a1, "parentId": null, "expectedVersion": 2 } });
    let top = app.gql_as(&w.admin, MOVE_CLUSTER, to_top).await;
    assert_eq!(ok(&top)["moveCluster"]["cluster"]["depth"], 0);
}

#[tokio::test]
async fn grant_role_follows_the_subtree_rule() {
    let app = spawn_app().await;
    let w = app.world().await;
    let kim = app.sign_up("Kim").await;
    let grant = |role: &str, cluster: Option<&str>| json!({ "input": { "personId": kim.person_id, "role": role, "organisationId": w.org_id, "clusterId": cluster } });
    assert_eq!(
        code(&app.gql(GRANT_ROLE, grant("ANALYST", Some(&w.a1))).await),
        "UNAUTHENTICATED"
    );
    // A coordinator grants inside their subtree…
    let res = app
        .gql_as(&w.coordinator_a, GRANT_ROLE, grant("ANALYST", Some(&w.a1)))
        .await;
    let grant_id = ok(&res)["grantRole"]["roleGrant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // …but not outside it, not ADMIN, and not on the whole organisation.
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_a, GRANT_ROLE, grant("ANALYST", Some(&w.b)))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_a, GRANT_ROLE, grant("TRAINER", None))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_a, GRANT_ROLE, grant("ADMIN", None))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql_as(&w.admin, GRANT_ROLE, grant("ADMIN", Some(&w.a)))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql_as(&w.admin, GRANT_ROLE, grant("ANALYST", Some(&w.a1)))
                .await
        ),
        "CONFLICT"
    );
    let by_email = json!({ "input": { "personEmail": kim.email.to_uppercase(), "role": "CURATOR", "organisationId": w.org_id } });
    ok(&app.gql_as(&w.admin, GRANT_ROLE, by_email).await);
    let neither = json!({ "input": { "role": "CURATOR", "organisationId": w.org_id } });
    assert_eq!(
        code(&app.gql_as(&w.admin, GRANT_ROLE, neither).await),
        "BAD_USER_INPUT"
    );
    // Revoking follows the same rule.
    assert_eq!(
        code(&app.gql(REVOKE, json!({ "id": grant_id })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_b, REVOKE, json!({ "id": grant_id }))
                .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&app.gql_as(&kim, REVOKE, json!({ "id": grant_id })).await),
        "FORBIDDEN"
    );
    ok(&app
        .gql_as(&w.coordinator_a, REVOKE, json!({ "id": grant_id }))
        .await);
    assert_eq!(
        code(
            &app.gql_as(&w.admin, REVOKE, json!({ "id": "bm9wZQ" }))
                .await
        ),
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn the_last_admin_cannot_be_revoked() {
    let app = spawn_app().await;
    let w = app.world().await;
    let roles = app
        .gql_as(&w.admin, "{ viewer { roles { id role } } }", json!({}))
        .await;
    let id = ok(&roles)["viewer"]["roles"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        code(&app.gql_as(&w.admin, REVOKE, json!({ "id": id })).await),
        "CONFLICT"
    );
}

#[tokio::test]
async fn create_admin_bootstraps_an_umbrella_whose_admin_can_sign_in() {
    use canopy::domain::umbrella::{NewAdmin, create_umbrella_with_admin};
    let app = spawn_app().await;
    let hasher = canopy::auth::PasswordHasher::new(
        crate::helpers::test_config("sqlite::memory:", &[]).argon2,
    )
    .unwrap();
    let input = |email: &str, password: &str| NewAdmin {
        org_slug: "new-umbrella".into(),
        org_name: "New Umbrella".into(),
        email: email.into(),
        display_name: "Founder".into(),
        password: password.into(),
    };
    let short = create_umbrella_with_admin(&app.db, &hasher, input("f@example.org", "short")).await;
    assert!(matches!(
        short,
        Err(canopy::error::AppError::BadInput { .. })
    ));
    create_umbrella_with_admin(
        &app.db,
        &hasher,
        input("Founder@Example.org", crate::helpers::PASSWORD),
    )
    .await
    .unwrap();
    let again = create_umbrella_with_admin(
        &app.db,
        &hasher,
        input("founder@example.org", crate::helpers::PASSWORD),
    )
    .await;
    assert!(matches!(again, Err(canopy::error::AppError::Conflict(_))));
    let login = app
        .gql(
            "mutation($p: String!) { logIn(input: {email: \"founder@example.org\", password: $p}) { accessToken } }",
            json!({ "p": crate::helpers::PASSWORD }),
        )
        .await;
    let token = ok(&login)["logIn"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let roles = app
        .post(
            Some(&token),
            "{ viewer { roles { role scope { ... on Organisation { slug kind } } } } }",
            json!({}),
        )
        .await
        .1;
    assert_eq!(
        ok(&roles)["viewer"]["roles"],
        json!([{ "role": "ADMIN", "scope": { "slug": "new-umbrella", "kind": "UMBRELLA" } }])
    );
}

#[tokio::test]
async fn role_grants_are_listed_for_those_who_manage_the_place() {
    let app = spawn_app().await;
    let w = app.world().await;
    let kim = app.sign_up("Kim").await;
    app.grant(&w.coordinator_a, &kim, "ANALYST", &w.org_id, Some(&w.a1))
        .await;
    let org_q = "query($id: ID!) { node(id: $id) { ... on Organisation { roleGrants { totalCount edges { node { role person { displayName } scope { ... on Cluster { name } } } } } } } }";
    let res = app.gql_as(&w.admin, org_q, json!({ "id": w.org_id })).await;
    let grants = &ok(&res)["node"]["roleGrants"];
    // The creator's ADMIN, two coordinators, and the analyst.
    assert_eq!(grants["totalCount"], 4);
    assert_eq!(grants["edges"][3]["node"]["scope"]["name"], "A1");
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_a, org_q, json!({ "id": w.org_id }))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql(org_q, json!({ "id": w.org_id })).await),
        "UNAUTHENTICATED"
    );
    let cluster_q = "query($id: ID!) { cluster(id: $id) { roleGrants { totalCount edges { node { role } } } } }";
    let res = app
        .gql_as(&w.coordinator_a, cluster_q, json!({ "id": w.a1 }))
        .await;
    assert_eq!(
        ok(&res)["cluster"]["roleGrants"]["edges"],
        json!([{ "node": { "role": "ANALYST" } }])
    );
    assert_eq!(
        code(
            &app.gql_as(&w.coordinator_b, cluster_q, json!({ "id": w.a1 }))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql_as(&kim, cluster_q, json!({ "id": w.a1 })).await),
        "FORBIDDEN"
    );
}
