//! The anonymous suggestion box.

use serde_json::json;

use crate::helpers::{code, field, ok, spawn_app};

const SUBMIT: &str =
    "mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { ok } }";
const SET: &str = "mutation($input: SetSuggestionStatusInput!) { setSuggestionStatus(input: $input) { suggestion { status } } }";
const BOX: &str =
    "{ group(slug: \"boxed\") { suggestions { totalCount edges { node { id text status } } } } }";

#[tokio::test]
async fn suggestions_are_anonymous_and_read_by_facilitators() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a, "boxed", json!({})).await;
    let fay = app.sign_up("Fay").await;
    let mo = app.sign_up("Mo").await;
    let fay_m = ok(&app.join(&fay, &g).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app.join(&mo, &g).await);
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fay_m })).await);
    let input = |t: &str| json!({ "input": { "groupId": g, "text": t } });
    assert_eq!(
        code(&app.gql(SUBMIT, input("More breaks")).await),
        "UNAUTHENTICATED"
    );
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql_as(&outsider, SUBMIT, input("Hi")).await),
        "FORBIDDEN"
    );
    assert_eq!(field(&app.gql_as(&mo, SUBMIT, input(" ")).await), "text");
    ok(&app
        .gql_as(&mo, SUBMIT, input("Could we open the window?"))
        .await);
    // The stored row has no person reference at all.
    use sea_orm::EntityTrait;
    let rows = entity::suggestion::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let stored = format!("{:?}", rows[0]);
    assert!(
        !stored.contains(&crate::helpers::uuid_of(&mo.person_id).to_string()),
        "{stored}"
    );
    // Facilitators read the box; members do not.
    let seen = app.gql_as(&fay, BOX, json!({})).await;
    let node = ok(&seen)["group"]["suggestions"]["edges"][0]["node"].clone();
    assert_eq!(node["text"], "Could we open the window?");
    assert_eq!(node["status"], "OPEN");
    assert_eq!(code(&app.gql_as(&mo, BOX, json!({})).await), "FORBIDDEN");
    let id = node["id"].as_str().unwrap().to_owned();
    let status = |s: &str| json!({ "input": { "suggestionId": id, "status": s } });
    assert_eq!(
        code(&app.gql(SET, status("ADDRESSED")).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&mo, SET, status("ADDRESSED")).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.gql_as(
                &fay,
                SET,
                json!({ "input": { "suggestionId": g, "status": "ADDRESSED" } })
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let res = app.gql_as(&fay, SET, status("ADDRESSED")).await;
    assert_eq!(
        ok(&res)["setSuggestionStatus"]["suggestion"]["status"],
        "ADDRESSED"
    );
    let open = app
        .gql_as(
            &fay,
            "{ group(slug: \"boxed\") { suggestions(status: OPEN) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&open)["group"]["suggestions"]["totalCount"], 0);
}
