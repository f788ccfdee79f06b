//! The anonymous suggestion box: no author anywhere, the time kept to the UTC day, and a
//! suggestion shown (and counted) only once that day has ended.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, code, field, ok, spawn_app};

const SUBMIT: &str =
    "mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { ok } }";
const SET: &str = "mutation($input: SetSuggestionStatusInput!) { setSuggestionStatus(input: $input) { suggestion { status } } }";
const BOX: &str =
    "{ group(slug: \"boxed\") { suggestions { totalCount edges { node { id text status } } } } }";
/// Everything a facilitator could watch for a new suggestion: counts with and without a
/// status filter, the page, its cursors and page info.
const WATCH: &str = "{ group(slug: \"boxed\") { all: suggestions { totalCount edges { cursor node { id createdAt } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } open: suggestions(status: OPEN) { totalCount } last: suggestions(last: 1) { totalCount edges { cursor } } } }";

/// The "boxed" group with a facilitator and a member.
struct Boxed {
    group: String,
    facilitator: Session,
    member: Session,
}

async fn boxed(app: &TestApp) -> Boxed {
    let w = app.world().await;
    let group = app.group(&w.admin, &w.a, "boxed", json!({})).await;
    let facilitator = app.sign_up("Fay").await;
    let member = app.sign_up("Mo").await;
    let fay_m = ok(&app.join(&facilitator, &group).await)["joinGroup"]["membership"]["id"].clone();
    ok(&app.join(&member, &group).await);
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fay_m })).await);
    Boxed {
        group,
        facilitator,
        member,
    }
}

async fn submit(app: &TestApp, b: &Boxed, text: &str) {
    let input = json!({ "input": { "groupId": b.group, "text": text } });
    ok(&app.gql_as(&b.member, SUBMIT, input).await);
}

/// Moves every stored suggestion one day back, as if it had been dropped yesterday: the clock
/// cannot move, the stored rows can.
async fn a_day_passes(app: &TestApp) {
    for row in entity::suggestion::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
    {
        let at = row.created_at - Duration::days(1);
        let mut row: entity::suggestion::ActiveModel = row.into();
        row.created_at = Set(at);
        row.update(&app.db).await.unwrap();
    }
}

async fn node(app: &TestApp, who: &Session, id: &str) -> Value {
    let q = "query($id: ID!) { node(id: $id) { ... on Suggestion { text } } }";
    app.gql_as(who, q, json!({ "id": id })).await
}

#[tokio::test]
async fn suggestions_are_anonymous_and_read_by_facilitators() {
    let app = spawn_app().await;
    let b = boxed(&app).await;
    let (g, fay, mo) = (&b.group, &b.facilitator, &b.member);
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
    assert_eq!(field(&app.gql_as(mo, SUBMIT, input(" ")).await), "text");
    submit(&app, &b, "Could we open the window?").await;
    // The stored row has no person reference at all.
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
    a_day_passes(&app).await;
    // Facilitators read the box; members do not.
    let seen = app.gql_as(fay, BOX, json!({})).await;
    let node = ok(&seen)["group"]["suggestions"]["edges"][0]["node"].clone();
    assert_eq!(node["text"], "Could we open the window?");
    assert_eq!(node["status"], "OPEN");
    assert_eq!(code(&app.gql_as(mo, BOX, json!({})).await), "FORBIDDEN");
    let id = node["id"].as_str().unwrap().to_owned();
    let status = |s: &str| json!({ "input": { "suggestionId": id, "status": s } });
    assert_eq!(
        code(&app.gql(SET, status("ADDRESSED")).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(mo, SET, status("ADDRESSED")).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.gql_as(
                fay,
                SET,
                json!({ "input": { "suggestionId": g, "status": "ADDRESSED" } })
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let res = app.gql_as(fay, SET, status("ADDRESSED")).await;
    assert_eq!(
        ok(&res)["setSuggestionStatus"]["suggestion"]["status"],
        "ADDRESSED"
    );
    let open = app
        .gql_as(
            fay,
            "{ group(slug: \"boxed\") { suggestions(status: OPEN) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&open)["group"]["suggestions"]["totalCount"], 0);
}

#[tokio::test]
async fn a_suggestion_dropped_today_changes_nothing_a_facilitator_reads_until_tomorrow() {
    let app = spawn_app().await;
    let b = boxed(&app).await;
    submit(&app, &b, "An older one").await;
    a_day_passes(&app).await;
    let before = app.gql_as(&b.facilitator, WATCH, json!({})).await;
    assert_eq!(ok(&before)["group"]["all"]["totalCount"], 1);
    submit(&app, &b, "Could we start later?").await;
    let after = app.gql_as(&b.facilitator, WATCH, json!({})).await;
    assert_eq!(after, before, "the same day, nothing moved");
    a_day_passes(&app).await;
    let next_day = app.gql_as(&b.facilitator, WATCH, json!({})).await;
    let g = &ok(&next_day)["group"];
    assert_eq!(g["all"]["totalCount"], 2);
    assert_eq!(g["open"]["totalCount"], 2);
}

#[tokio::test]
async fn a_suggestion_dropped_today_is_not_found_by_id_nor_changed() {
    let app = spawn_app().await;
    let b = boxed(&app).await;
    submit(&app, &b, "Quieter room please").await;
    // Its id, as someone reading the database (not the API) would know it.
    let row = entity::suggestion::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let id = crate::helpers::encode_id("Suggestion", row.id);
    assert_eq!(code(&node(&app, &b.facilitator, &id).await), "NOT_FOUND");
    let set = json!({ "input": { "suggestionId": id, "status": "DECLINED" } });
    assert_eq!(
        code(&app.gql_as(&b.facilitator, SET, set.clone()).await),
        "NOT_FOUND"
    );
    a_day_passes(&app).await;
    let found = node(&app, &b.facilitator, &id).await;
    assert_eq!(ok(&found)["node"]["text"], "Quieter room please");
    let res = app.gql_as(&b.facilitator, SET, set).await;
    assert_eq!(
        ok(&res)["setSuggestionStatus"]["suggestion"]["status"],
        "DECLINED"
    );
}
