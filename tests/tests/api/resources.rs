//! The shared resource repository: the review workflow, immutable versions, search (ranking,
//! filters, no leaks), adoption, adaptation under licences, ratings, agenda templates, the
//! facilitator toolkit and the public JSON-LD catalogue.

use serde_json::{Value, json};

use crate::{
    helpers::{Session, TestApp, World, code, field, ok, spawn_app, spawn_app_with},
    training::member_with_role,
};

const CREATE: &str = "mutation($input: CreateResourceInput!) { createResource(input: $input) { resource { id slug status versionNumber licence attribution derivedFromVersion } } }";
const UPDATE: &str = "mutation($input: UpdateResourceInput!) { updateResource(input: $input) { resource { id status versionNumber title licence } } }";
const SUBMIT: &str =
    "mutation($id: ID!) { submitForReview(input: {resourceId: $id}) { resource { status } } }";
const REVIEW: &str = "mutation($input: ReviewResourceInput!) { reviewResource(input: $input) { resource { status publishedAt } review { decision comment versionNumber reviewer { displayName } } } }";
const PUBLISH: &str =
    "mutation($id: ID!) { publishResource(input: {resourceId: $id}) { resource { status } } }";
const ARCHIVE: &str =
    "mutation($id: ID!) { archiveResource(input: {resourceId: $id}) { resource { status } } }";
const ADOPT: &str = "mutation($input: AdoptResourceInput!) { adoptResource(input: $input) { adoption { versionNumber version { title } resource { adoptionCount } group { slug } } } }";
const UNADOPT: &str = "mutation($input: UnadoptResourceInput!) { unadoptResource(input: $input) { resource { adoptionCount } } }";
const FORK: &str = "mutation($input: ForkResourceInput!) { forkResource(input: $input) { resource { id status licence attribution derivedFromVersion derivedFrom { slug } } } }";
const RATE: &str = "mutation($input: RateResourceInput!) { rateResource(input: $input) { resource { rating { average count suppressed } } rating { helpfulness comment } } }";
const APPLY: &str = "mutation($input: ApplyAgendaTemplateInput!) { applyAgendaTemplate(input: $input) { meeting { agenda { position title minutes } } } }";
const LINK: &str = "mutation($input: LinkToolkitResourceInput!) { linkToolkitResource(input: $input) { program { toolkit { slug } } } }";
const UNLINK: &str = "mutation($input: UnlinkToolkitResourceInput!) { unlinkToolkitResource(input: $input) { program { toolkit { slug } } } }";
const SEARCH: &str = "query($search: String, $filter: ResourceFilter, $order: ResourceOrder, $first: Int, $after: String) { resources(search: $search, filter: $filter, orderBy: $order, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { slug title } } } }";

/// An umbrella with an org-wide CURATOR, a group run by a facilitator with a member (who
/// writes), a colleague in another group of the same umbrella, an outsider, and a second
/// organisation with its admin.
pub(crate) struct Library {
    pub(crate) w: World,
    curator: Session,
    group: String,
    facilitator: Session,
    pub(crate) member: Session,
    pub(crate) colleague: Session,
    colleague_group: String,
    pub(crate) outsider: Session,
    other_admin: Session,
    other_org: String,
}

pub(crate) async fn library(app: &TestApp) -> Library {
    let w = app.world().await;
    let curator = app.sign_up("Cora").await;
    app.grant(&w.admin, &curator, "CURATOR", &w.org_id, None)
        .await;
    let group = app.group(&w.admin, &w.a, "calm-circle", json!({})).await;
    let (facilitator, _) = member_with_role(app, &w, &group, "Fay", "FACILITATOR").await;
    let (member, _) = member_with_role(app, &w, &group, "Mo", "MEMBER").await;
    let colleague_group = app.group(&w.admin, &w.b, "carers-east", json!({})).await;
    let (colleague, _) = member_with_role(app, &w, &colleague_group, "Col", "MEMBER").await;
    let outsider = app.sign_up("Otto").await;
    let other_admin = app.sign_up("Petra").await;
    let res = app
        .gql_as(
            &other_admin,
            "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { organisation { id } } }",
            json!({ "input": { "slug": "partner-net", "name": "Partner Network" } }),
        )
        .await;
    let other_org = ok(&res)["createOrganisation"]["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Library {
        w,
        curator,
        group,
        facilitator,
        member,
        colleague,
        colleague_group,
        outsider,
        other_admin,
        other_org,
    }
}

fn input(org: &str, extra: Value) -> Value {
    let mut input = json!({
        "organisationId": org,
        "kind": "CHECKLIST",
        "visibility": "PUBLIC",
        "title": "Grounding checklist",
        "summary": "Five steps back to the room.",
        "body": "1. Name five things you can see.",
        "licence": "CC-BY-4.0",
        "tags": ["grounding"],
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        input[k] = v.clone();
    }
    input
}

async fn try_create(app: &TestApp, who: &Session, org: &str, extra: Value) -> Value {
    app.gql_as(who, CREATE, json!({ "input": input(org, extra) }))
        .await
}

/// Creates a DRAFT; returns its id.
async fn create(app: &TestApp, who: &Session, org: &str, extra: Value) -> String {
    let res = try_create(app, who, org, extra).await;
    ok(&res)["createResource"]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Submits as `author` and approves as the curator.
async fn publish(app: &TestApp, lib: &Library, author: &Session, id: &str) {
    ok(&app.gql_as(author, SUBMIT, json!({ "id": id })).await);
    let res = app
        .gql_as(
            &lib.curator,
            REVIEW,
            json!({ "input": { "resourceId": id, "decision": "APPROVE" } }),
        )
        .await;
    assert_eq!(
        ok(&res)["reviewResource"]["resource"]["status"],
        "PUBLISHED"
    );
}

/// Creates and publishes as the member; returns the id.
pub(crate) async fn published(app: &TestApp, lib: &Library, extra: Value) -> String {
    let id = create(app, &lib.member, &lib.w.org_id, extra).await;
    publish(app, lib, &lib.member, &id).await;
    id
}

async fn slugs(app: &TestApp, who: Option<&Session>, vars: Value) -> Vec<String> {
    let res = match who {
        Some(s) => app.gql_as(s, SEARCH, vars).await,
        None => app.gql(SEARCH, vars).await,
    };
    ok(&res)["resources"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn status_of(app: &TestApp, who: &Session, id: &str) -> Value {
    let res = app
        .gql_as(
            who,
            "query($id: ID!) { node(id: $id) { ... on Resource { status versionNumber } } }",
            json!({ "id": id }),
        )
        .await;
    ok(&res)["node"].clone()
}

async fn count_rows(app: &TestApp, table: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test]
async fn a_resource_is_reviewed_by_another_curator_before_it_is_published() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let res = try_create(
        &app,
        &lib.member,
        &lib.w.org_id,
        json!({ "slug": "grounding-steps" }),
    )
    .await;
    let r = &ok(&res)["createResource"]["resource"];
    assert_eq!(r["status"], "DRAFT");
    assert_eq!(r["versionNumber"], 1);
    let id = r["id"].as_str().unwrap().to_owned();
    let by_slug = "query { resource(slug: \"grounding-steps\") { title status author { displayName } owner { name } } }";
    assert!(
        ok(&app.gql(by_slug, json!({})).await)["resource"].is_null(),
        "a draft is not public"
    );

    // Reviewing a draft is a conflict; the author cannot review; a non-curator may not.
    let approve = json!({ "input": { "resourceId": id, "decision": "APPROVE" } });
    assert_eq!(
        code(&app.gql_as(&lib.curator, REVIEW, approve.clone()).await),
        "CONFLICT"
    );
    ok(&app.gql_as(&lib.member, SUBMIT, json!({ "id": id })).await);
    assert_eq!(
        code(&app.gql_as(&lib.member, SUBMIT, json!({ "id": id })).await),
        "CONFLICT"
    );
    assert_eq!(
        code(&app.gql(REVIEW, approve.clone()).await),
        "UNAUTHENTICATED"
    );
    // Under review it is hidden from everyone but its editors and curators.
    assert_eq!(
        code(&app.gql_as(&lib.facilitator, REVIEW, approve.clone()).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&app.gql_as(&lib.outsider, REVIEW, approve.clone()).await),
        "NOT_FOUND"
    );
    // The facilitator edits their group's resources, but reviewing is for curators.
    let group_tool = create(
        &app,
        &lib.member,
        &lib.w.org_id,
        json!({ "title": "Group tool", "groupId": lib.group }),
    )
    .await;
    ok(&app
        .gql_as(&lib.member, SUBMIT, json!({ "id": group_tool }))
        .await);
    let res = app
        .gql_as(
            &lib.facilitator,
            REVIEW,
            json!({ "input": { "resourceId": group_tool, "decision": "APPROVE" } }),
        )
        .await;
    assert_eq!(code(&res), "FORBIDDEN");

    // A curator who wrote it cannot approve it either.
    let own = create(
        &app,
        &lib.curator,
        &lib.w.org_id,
        json!({ "title": "Curator's own" }),
    )
    .await;
    ok(&app.gql_as(&lib.curator, SUBMIT, json!({ "id": own })).await);
    let self_review = app
        .gql_as(
            &lib.curator,
            REVIEW,
            json!({ "input": { "resourceId": own, "decision": "APPROVE" } }),
        )
        .await;
    assert_eq!(code(&self_review), "FORBIDDEN");
    assert_eq!(
        status_of(&app, &lib.curator, &own).await["status"],
        "IN_REVIEW",
        "no change"
    );

    // Requesting changes needs a comment, and sends it back to DRAFT.
    let changes = json!({ "input": { "resourceId": id, "decision": "REQUEST_CHANGES" } });
    let res = app.gql_as(&lib.curator, REVIEW, changes).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "comment".into())
    );
    assert_eq!(
        status_of(&app, &lib.member, &id).await["status"],
        "IN_REVIEW"
    );
    let res = app
        .gql_as(
            &lib.curator,
            REVIEW,
            json!({ "input": { "resourceId": id, "decision": "REQUEST_CHANGES", "comment": "Add a source." } }),
        )
        .await;
    assert_eq!(ok(&res)["reviewResource"]["resource"]["status"], "DRAFT");

    publish(&app, &lib, &lib.member, &id).await;
    let public = app.gql(by_slug, json!({})).await;
    let r = &ok(&public)["resource"];
    assert_eq!(r["status"], "PUBLISHED");
    assert!(
        r["author"].is_null(),
        "authors are named inside the organisation only"
    );
    assert_eq!(r["owner"]["name"], "Evergreen Test Network");
    let inside = app.gql_as(&lib.colleague, by_slug, json!({})).await;
    assert_eq!(ok(&inside)["resource"]["author"]["displayName"], "Mo");
    let reviews = app
        .gql_as(&lib.member, "query { resource(slug: \"grounding-steps\") { reviews { decision comment reviewer { displayName } } } }", json!({}))
        .await;
    let reviews = ok(&reviews)["resource"]["reviews"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[0]["decision"], "APPROVE");
    assert_eq!(reviews[1]["comment"], "Add a source.");
}

#[tokio::test]
async fn creating_a_resource_checks_who_and_what_and_keeps_nothing_bad() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let org = lib.w.org_id.clone();
    assert_eq!(
        code(
            &app.gql(CREATE, json!({ "input": input(&org, json!({})) }))
                .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&try_create(&app, &lib.outsider, &org, json!({})).await),
        "FORBIDDEN"
    );
    // A group's resource is written by its members.
    let res = try_create(
        &app,
        &lib.colleague,
        &org,
        json!({ "groupId": lib.group, "visibility": "GROUP" }),
    )
    .await;
    assert_eq!(code(&res), "FORBIDDEN");
    for (extra, want) in [
        (json!({ "licence": "GPL-3.0" }), "licence"),
        (json!({ "body": "a".repeat(200 * 1024) }), "body"),
        (json!({ "visibility": "GROUP" }), "groupId"),
        (json!({ "kind": "AGENDA_TEMPLATE" }), "agendaItems"),
        (json!({ "kind": "LINK" }), "url"),
        (json!({ "language": "not a language" }), "language"),
        (json!({ "tags": ["ok", "no/slash"] }), "tags[1]"),
        (json!({ "slug": "Bad Slug" }), "slug"),
    ] {
        let res = try_create(&app, &lib.member, &org, extra.clone()).await;
        assert_eq!(
            (code(&res), field(&res)),
            ("BAD_USER_INPUT".into(), want.into()),
            "{extra}"
        );
    }
    assert_eq!(count_rows(&app, "resources").await, 0, "nothing was kept");
    assert_eq!(count_rows(&app, "resource_versions").await, 0);
    // A body of exactly 100 KiB is fine.
    let full = try_create(
        &app,
        &lib.member,
        &org,
        json!({ "body": "b".repeat(100 * 1024) }),
    )
    .await;
    ok(&full);
    let taken = try_create(
        &app,
        &lib.member,
        &org,
        json!({ "slug": full["data"]["createResource"]["resource"]["slug"] }),
    )
    .await;
    assert_eq!(code(&taken), "CONFLICT");
}

#[tokio::test]
async fn every_content_change_is_a_new_immutable_version() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let id = published(&app, &lib, json!({ "title": "Box breathing" })).await;
    let change = |version: i64, title: &str| json!({ "input": { "resourceId": id, "expectedVersion": version, "title": title, "changeNote": format!("to {title}") } });
    assert_eq!(
        code(&app.gql(UPDATE, change(1, "x")).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&lib.colleague, UPDATE, change(1, "x")).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql_as(&lib.outsider, UPDATE, change(1, "x")).await),
        "FORBIDDEN",
        "a public resource is visible"
    );
    let res = app
        .gql_as(
            &lib.member,
            UPDATE,
            json!({ "input": { "resourceId": id, "expectedVersion": 1, "licence": "MIT" } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "licence".into())
    );

    let res = app
        .gql_as(&lib.member, UPDATE, change(1, "Box breathing, four counts"))
        .await;
    let r = &ok(&res)["updateResource"]["resource"];
    assert_eq!(r["versionNumber"], 2);
    assert_eq!(r["status"], "DRAFT", "changed content goes back to review");
    assert_eq!(
        code(&app.gql_as(&lib.member, UPDATE, change(1, "stale")).await),
        "CONFLICT"
    );
    ok(&app
        .gql_as(&lib.member, UPDATE, change(2, "Square breathing"))
        .await);
    // Unchanged content writes no version.
    let same = app
        .gql_as(&lib.member, UPDATE, change(3, "Square breathing"))
        .await;
    assert_eq!(ok(&same)["updateResource"]["resource"]["versionNumber"], 3);

    let history = app
        .gql_as(
            &lib.member,
            "query($id: ID!) { node(id: $id) { ... on Resource { versions(first: 10) { totalCount edges { node { number title changeNote author { displayName } } } } version(number: 1) { title body } } } }",
            json!({ "id": id }),
        )
        .await;
    let node = &ok(&history)["node"];
    assert_eq!(node["versions"]["totalCount"], 3);
    let titles: Vec<&str> = node["versions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Square breathing",
            "Box breathing, four counts",
            "Box breathing"
        ]
    );
    assert_eq!(
        node["version"]["title"], "Box breathing",
        "version 1 is as it was"
    );
    assert_eq!(
        node["versions"]["edges"][0]["node"]["changeNote"],
        "to Square breathing"
    );

    // Not even the database lets a version be rewritten.
    use sea_orm::ConnectionTrait;
    let rewrite = app
        .db
        .execute_unprepared("UPDATE resource_versions SET title = 'rewritten'")
        .await;
    assert!(rewrite.is_err(), "versions are immutable");
    assert_eq!(count_rows(&app, "resource_versions").await, 3);

    // Archived resources do not change.
    assert_eq!(
        code(&app.gql(ARCHIVE, json!({ "id": id })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&lib.colleague, ARCHIVE, json!({ "id": id }))
                .await
        ),
        "NOT_FOUND",
        "a draft is hidden"
    );
    ok(&app.gql_as(&lib.member, ARCHIVE, json!({ "id": id })).await);
    assert_eq!(
        code(&app.gql_as(&lib.member, ARCHIVE, json!({ "id": id })).await),
        "CONFLICT"
    );
    assert_eq!(
        code(&app.gql_as(&lib.member, UPDATE, change(3, "late")).await),
        "CONFLICT"
    );
}

#[tokio::test]
async fn group_resources_are_published_by_the_groups_facilitators() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let org = lib.w.org_id.clone();
    let id = create(&app, &lib.member, &org, json!({ "groupId": lib.group, "visibility": "GROUP", "title": "Our circle's opening words" })).await;
    assert_eq!(
        code(&app.gql(PUBLISH, json!({ "id": id })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&lib.member, PUBLISH, json!({ "id": id })).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql_as(&lib.colleague, PUBLISH, json!({ "id": id }))
                .await
        ),
        "NOT_FOUND"
    );
    let res = app
        .gql_as(&lib.facilitator, PUBLISH, json!({ "id": id }))
        .await;
    assert_eq!(
        ok(&res)["publishResource"]["resource"]["status"],
        "PUBLISHED"
    );
    // Network resources go through review.
    let network = create(
        &app,
        &lib.facilitator,
        &org,
        json!({ "visibility": "NETWORK", "title": "Network tool" }),
    )
    .await;
    let res = app
        .gql_as(&lib.facilitator, PUBLISH, json!({ "id": network }))
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "resourceId".into())
    );
    // The group's members see it; a colleague elsewhere in the umbrella does not.
    let vars = json!({ "search": "opening words" });
    assert_eq!(slugs(&app, Some(&lib.member), vars.clone()).await.len(), 1);
    assert!(slugs(&app, Some(&lib.colleague), vars).await.is_empty());
}

#[tokio::test]
async fn search_ranks_a_title_match_above_a_body_match() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let body_only = published(&app, &lib, json!({ "slug": "stretch-break", "title": "Stretch break", "body": "Stand, stretch, and notice your breathing as you move.", "tags": ["movement"] })).await;
    let title = published(&app, &lib, json!({ "slug": "breathing-space", "title": "Breathing space", "body": "Three minutes, three steps.", "tags": ["calm"] })).await;
    published(&app, &lib, json!({ "slug": "conflict-map", "kind": "CONFLICT_FLOWCHART", "title": "Conflict map", "body": "Who said what, and what was meant.", "licence": "CC-BY-SA-4.0", "language": "de-CH", "tags": ["conflict"] })).await;
    assert!(!body_only.is_empty() && !title.is_empty());

    let found = slugs(&app, None, json!({ "search": "breathing" })).await;
    assert_eq!(
        found,
        ["breathing-space", "stretch-break"],
        "title above body; stems match"
    );
    assert_eq!(
        slugs(&app, None, json!({ "search": "breathe" }))
            .await
            .len(),
        2,
        "stemming"
    );
    assert_eq!(
        slugs(&app, None, json!({ "search": "\"three steps\"" })).await,
        ["breathing-space"]
    );
    assert_eq!(
        slugs(&app, None, json!({ "search": "\"steps three\"" }))
            .await
            .len(),
        0,
        "phrases keep order"
    );
    assert_eq!(
        slugs(&app, None, json!({ "search": "breathing -stretch" })).await,
        ["breathing-space"]
    );
    assert_eq!(
        slugs(&app, None, json!({ "search": "conflict OR stretch" }))
            .await
            .len(),
        2
    );

    // Filters.
    let filtered =
        |filter: Value| slugs(&app, None, json!({ "filter": filter, "order": "NEWEST" }));
    assert_eq!(
        filtered(json!({ "kinds": ["CONFLICT_FLOWCHART"] })).await,
        ["conflict-map"]
    );
    assert_eq!(
        filtered(json!({ "licences": ["CC-BY-SA-4.0"] })).await,
        ["conflict-map"]
    );
    assert_eq!(
        filtered(json!({ "language": "de" })).await,
        ["conflict-map"],
        "de finds de-CH"
    );
    assert_eq!(
        filtered(json!({ "tags": ["calm"] })).await,
        ["breathing-space"]
    );
    assert_eq!(
        filtered(json!({ "organisationId": lib.other_org }))
            .await
            .len(),
        0
    );
    let bad = app
        .gql(SEARCH, json!({ "filter": { "licences": ["WTFPL"] } }))
        .await;
    assert_eq!(
        (code(&bad), field(&bad)),
        ("BAD_USER_INPUT".into(), "filter.licences[0]".into())
    );

    // Newest first, paged with `after`, counted.
    let first = app
        .gql(SEARCH, json!({ "order": "NEWEST", "first": 2 }))
        .await;
    let page = &ok(&first)["resources"];
    assert_eq!(page["totalCount"], 3);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["edges"][0]["node"]["slug"], "conflict-map");
    let rest = slugs(
        &app,
        None,
        json!({ "order": "NEWEST", "first": 2, "after": page["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(rest, ["stretch-break"]);
    // Relevance pages too.
    let first = app
        .gql(SEARCH, json!({ "search": "breathing", "first": 1 }))
        .await;
    let cursor = ok(&first)["resources"]["pageInfo"]["endCursor"].clone();
    assert_eq!(
        slugs(
            &app,
            None,
            json!({ "search": "breathing", "first": 1, "after": cursor })
        )
        .await,
        ["stretch-break"]
    );
}

#[tokio::test]
async fn odd_search_text_is_refused_or_read_leniently_never_a_database_error() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    published(
        &app,
        &lib,
        json!({ "slug": "box-breathing", "title": "Box breathing" }),
    )
    .await;
    let long = app
        .gql(SEARCH, json!({ "search": "breathing ".repeat(200) }))
        .await;
    assert_eq!(
        (code(&long), field(&long)),
        ("BAD_USER_INPUT".into(), "search".into())
    );
    for odd in [
        "\"box breathing",
        "breathing\" OR",
        "(box AND",
        "box* NEAR/2 ^x :y 'z' & | ! <-> \\",
        "-",
        "\"\"",
        "OR OR OR",
    ] {
        let res = app.gql(SEARCH, json!({ "search": odd })).await;
        assert!(res.get("errors").is_none(), "{odd}: {res}");
    }
    assert_eq!(
        slugs(&app, None, json!({ "search": "\"box breathing" })).await,
        ["box-breathing"]
    );
}

#[tokio::test]
async fn search_never_shows_a_resource_to_someone_who_may_not_see_it() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let org = lib.w.org_id.clone();
    published(
        &app,
        &lib,
        json!({ "slug": "calm-public", "title": "Calm public" }),
    )
    .await;
    create(
        &app,
        &lib.member,
        &org,
        json!({ "slug": "calm-draft", "title": "Calm draft" }),
    )
    .await;
    published(
        &app,
        &lib,
        json!({ "slug": "calm-network", "title": "Calm network", "visibility": "NETWORK" }),
    )
    .await;
    let group_only = create(&app, &lib.member, &org, json!({ "slug": "calm-group", "title": "Calm group", "visibility": "GROUP", "groupId": lib.group })).await;
    ok(&app
        .gql_as(&lib.facilitator, PUBLISH, json!({ "id": group_only }))
        .await);

    let every_status = json!({ "search": "calm", "filter": { "statuses": ["DRAFT", "IN_REVIEW", "PUBLISHED", "ARCHIVED"] } });
    for vars in [json!({ "search": "calm" }), every_status.clone()] {
        assert_eq!(slugs(&app, None, vars.clone()).await, ["calm-public"]);
        assert_eq!(
            slugs(&app, Some(&lib.outsider), vars.clone()).await,
            ["calm-public"]
        );
        assert_eq!(
            slugs(&app, Some(&lib.other_admin), vars.clone()).await,
            ["calm-public"]
        );
    }
    let mut colleague = slugs(&app, Some(&lib.colleague), every_status.clone()).await;
    colleague.sort();
    assert_eq!(colleague, ["calm-network", "calm-public"]);
    let mut member = slugs(&app, Some(&lib.member), every_status.clone()).await;
    member.sort();
    assert_eq!(
        member,
        ["calm-draft", "calm-group", "calm-network", "calm-public"],
        "the author sees their draft"
    );
    let mut published_only = slugs(&app, Some(&lib.member), json!({ "search": "calm" })).await;
    published_only.sort();
    assert_eq!(
        published_only,
        ["calm-group", "calm-network", "calm-public"]
    );
    let count = app.gql(SEARCH, every_status).await;
    assert_eq!(ok(&count)["resources"]["totalCount"], 1);

    for slug in ["calm-draft", "calm-network", "calm-group"] {
        let res = app
            .gql_as(
                &lib.outsider,
                "query($s: String!) { resource(slug: $s) { id } }",
                json!({ "s": slug }),
            )
            .await;
        assert!(ok(&res)["resource"].is_null(), "{slug}");
    }
    let node = app
        .gql_as(
            &lib.colleague,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": group_only }),
        )
        .await;
    assert_eq!(code(&node), "NOT_FOUND");
}

#[tokio::test]
async fn a_group_adopts_a_pinned_version() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let org = lib.w.org_id.clone();
    let id = published(&app, &lib, json!({ "title": "Check-in cards" })).await;
    let adopt = |version: Value| json!({ "input": { "resourceId": id, "groupId": lib.group, "versionNumber": version } });
    assert_eq!(
        code(&app.gql(ADOPT, adopt(Value::Null)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&lib.member, ADOPT, adopt(Value::Null)).await),
        "FORBIDDEN"
    );
    let res = app.gql_as(&lib.facilitator, ADOPT, adopt(json!(7))).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "versionNumber".into())
    );

    let res = app
        .gql_as(&lib.facilitator, ADOPT, adopt(Value::Null))
        .await;
    let a = &ok(&res)["adoptResource"]["adoption"];
    assert_eq!(a["versionNumber"], 1);
    assert_eq!(a["resource"]["adoptionCount"], 1);
    // A new version does not move the pin; adopting again does, without counting twice.
    ok(&app.gql_as(&lib.member, UPDATE, json!({ "input": { "resourceId": id, "expectedVersion": 1, "title": "Check-in cards, v2" } })).await);
    publish(&app, &lib, &lib.member, &id).await;
    let group_list = "query($g: ID!) { node(id: $g) { ... on Group { adoptedResources(first: 5) { totalCount edges { node { versionNumber version { title } resource { title } } } } } } }";
    let res = app
        .gql_as(&lib.member, group_list, json!({ "g": lib.group }))
        .await;
    let edge = &ok(&res)["node"]["adoptedResources"]["edges"][0]["node"];
    assert_eq!(edge["version"]["title"], "Check-in cards");
    assert_eq!(edge["resource"]["title"], "Check-in cards, v2");
    let res = app.gql_as(&lib.facilitator, ADOPT, adopt(json!(2))).await;
    assert_eq!(
        ok(&res)["adoptResource"]["adoption"]["resource"]["adoptionCount"],
        1
    );
    assert_eq!(
        ok(&res)["adoptResource"]["adoption"]["version"]["title"],
        "Check-in cards, v2"
    );

    // Listed by the group filter and on the resource.
    let adopted = slugs(
        &app,
        None,
        json!({ "filter": { "adoptedByGroupId": lib.group } }),
    )
    .await;
    assert_eq!(adopted.len(), 1);
    let by = app
        .gql_as(&lib.colleague, "query($id: ID!) { node(id: $id) { ... on Resource { adoptedBy(first: 5) { totalCount edges { node { group { slug } } } } } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        ok(&by)["node"]["adoptedBy"]["edges"][0]["node"]["group"]["slug"],
        "calm-circle"
    );

    // Only PUBLISHED resources are adopted: an archived one is still seen, but not adopted;
    // a draft is not even seen.
    let archived = create(&app, &lib.facilitator, &org, json!({ "title": "Retired" })).await;
    publish(&app, &lib, &lib.facilitator, &archived).await;
    ok(&app
        .gql_as(&lib.facilitator, ARCHIVE, json!({ "id": archived }))
        .await);
    let res = app
        .gql_as(
            &lib.facilitator,
            ADOPT,
            json!({ "input": { "resourceId": archived, "groupId": lib.group } }),
        )
        .await;
    assert_eq!(code(&res), "CONFLICT");
    let draft = create(&app, &lib.member, &org, json!({ "title": "Unfinished" })).await;
    let res = app
        .gql_as(
            &lib.facilitator,
            ADOPT,
            json!({ "input": { "resourceId": draft, "groupId": lib.group } }),
        )
        .await;
    assert_eq!(code(&res), "NOT_FOUND");
    // A NETWORK resource is shared with its own organisation's groups only.
    let other_group = {
        let cluster = app
            .cluster(&lib.other_admin, &lib.other_org, None, "Partners")
            .await;
        app.group(&lib.other_admin, &cluster, "partner-circle", json!({}))
            .await
    };
    let network = published(
        &app,
        &lib,
        json!({ "title": "Network only", "visibility": "NETWORK" }),
    )
    .await;
    let res = app
        .gql_as(
            &lib.other_admin,
            ADOPT,
            json!({ "input": { "resourceId": network, "groupId": other_group } }),
        )
        .await;
    assert_eq!(code(&res), "NOT_FOUND");
    let public = published(&app, &lib, json!({ "title": "For everyone" })).await;
    let res = app
        .gql_as(
            &lib.other_admin,
            ADOPT,
            json!({ "input": { "resourceId": public, "groupId": other_group } }),
        )
        .await;
    assert_eq!(
        ok(&res)["adoptResource"]["adoption"]["group"]["slug"],
        "partner-circle"
    );

    let res = app
        .gql_as(
            &lib.facilitator,
            UNADOPT,
            json!({ "input": { "resourceId": id, "groupId": lib.group } }),
        )
        .await;
    assert_eq!(ok(&res)["unadoptResource"]["resource"]["adoptionCount"], 0);
    let again = app
        .gql_as(
            &lib.facilitator,
            UNADOPT,
            json!({ "input": { "resourceId": id, "groupId": lib.group } }),
        )
        .await;
    assert_eq!(code(&again), "NOT_FOUND");
}

#[tokio::test]
async fn forks_honour_the_originals_licence() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let org = lib.w.org_id.clone();
    let reserved = published(
        &app,
        &lib,
        json!({ "title": "House rules", "licence": "ALL-RIGHTS-RESERVED" }),
    )
    .await;
    let share_alike = published(
        &app,
        &lib,
        json!({ "slug": "sa-original", "title": "Talk tokens", "licence": "CC-BY-SA-4.0" }),
    )
    .await;
    let non_commercial = published(
        &app,
        &lib,
        json!({ "title": "Buddy guide", "licence": "CC-BY-NC-4.0" }),
    )
    .await;
    let fork = |id: &str, extra: Value| {
        let mut input = json!({ "resourceId": id });
        for (k, v) in extra.as_object().into_iter().flatten() {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };
    let elsewhere = json!({ "organisationId": lib.other_org });
    assert_eq!(
        code(&app.gql(FORK, fork(&share_alike, json!({}))).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&lib.other_admin, FORK, fork(&reserved, elsewhere.clone()))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql_as(&lib.other_admin, FORK, fork(&share_alike, json!({})))
                .await
        ),
        "FORBIDDEN",
        "not part of the original's organisation"
    );
    let res = app
        .gql_as(
            &lib.other_admin,
            FORK,
            fork(
                &share_alike,
                json!({ "organisationId": lib.other_org, "licence": "CC-BY-4.0" }),
            ),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "licence".into())
    );
    let res = app
        .gql_as(
            &lib.other_admin,
            FORK,
            fork(
                &non_commercial,
                json!({ "organisationId": lib.other_org, "licence": "CC0-1.0" }),
            ),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "licence".into())
    );
    assert_eq!(count_rows(&app, "resources").await, 3, "no fork was kept");

    let res = app
        .gql_as(
            &lib.other_admin,
            FORK,
            fork(&share_alike, elsewhere.clone()),
        )
        .await;
    let forked = &ok(&res)["forkResource"]["resource"];
    assert_eq!(forked["status"], "DRAFT");
    assert_eq!(forked["licence"], "CC-BY-SA-4.0");
    assert_eq!(forked["derivedFromVersion"], 1);
    assert_eq!(forked["derivedFrom"]["slug"], "sa-original");
    assert!(
        forked["attribution"]
            .as_str()
            .unwrap()
            .contains("Talk tokens"),
        "{forked}"
    );
    let forked_id = forked["id"].as_str().unwrap().to_owned();
    // The adaptation cannot drop share-alike later either.
    let res = app
        .gql_as(&lib.other_admin, UPDATE, json!({ "input": { "resourceId": forked_id, "expectedVersion": 1, "licence": "CC-BY-4.0" } }))
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "licence".into())
    );
    let res = app
        .gql_as(
            &lib.other_admin,
            FORK,
            fork(
                &non_commercial,
                json!({ "organisationId": lib.other_org, "licence": "CC-BY-NC-SA-4.0" }),
            ),
        )
        .await;
    assert_eq!(
        ok(&res)["forkResource"]["resource"]["licence"],
        "CC-BY-NC-SA-4.0"
    );
    // Inside its organisation, all-rights-reserved may be adapted.
    let res = app
        .gql_as(&lib.colleague, FORK, fork(&reserved, json!({})))
        .await;
    assert_eq!(
        ok(&res)["forkResource"]["resource"]["licence"],
        "ALL-RIGHTS-RESERVED"
    );
    let res = app
        .gql_as(
            &lib.colleague,
            FORK,
            fork(&reserved, json!({ "versionNumber": 9 })),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "versionNumber".into())
    );

    let derivatives = app
        .gql_as(&lib.member, "query($id: ID!) { node(id: $id) { ... on Resource { derivatives(first: 5) { totalCount } } } }", json!({ "id": share_alike }))
        .await;
    assert_eq!(
        ok(&derivatives)["node"]["derivatives"]["totalCount"],
        0,
        "the fork is another organisation's draft"
    );
    let own = app
        .gql_as(&lib.other_admin, "query($id: ID!) { node(id: $id) { ... on Resource { derivatives(first: 5) { totalCount edges { node { id } } } } } }", json!({ "id": share_alike }))
        .await;
    assert_eq!(ok(&own)["node"]["derivatives"]["totalCount"], 1);
    assert!(org != lib.other_org);
}

#[tokio::test]
async fn ratings_are_one_per_person_and_can_change() {
    let app = spawn_app_with(&[("CANOPY_PRIVACY_MIN_COHORT", "2")]).await;
    let lib = library(&app).await;
    let id = published(&app, &lib, json!({})).await;
    // Established raters (accounts 28 days old) make up a cohort; see rating_privacy.rs.
    crate::rating_privacy::establish(&app, &[&lib.colleague, &lib.outsider]).await;
    let rate = |n: i64| json!({ "input": { "resourceId": id, "helpfulness": n, "comment": "Useful on hard days." } });
    assert_eq!(code(&app.gql(RATE, rate(4)).await), "UNAUTHENTICATED");
    assert_eq!(
        code(&app.gql_as(&lib.member, RATE, rate(5)).await),
        "FORBIDDEN",
        "not your own"
    );
    for bad in [0, 6] {
        let res = app.gql_as(&lib.colleague, RATE, rate(bad)).await;
        assert_eq!(
            (code(&res), field(&res)),
            ("BAD_USER_INPUT".into(), "helpfulness".into())
        );
    }
    let res = app.gql_as(&lib.colleague, RATE, rate(5)).await;
    assert_eq!(
        ok(&res)["rateResource"]["resource"]["rating"],
        json!({ "average": null, "count": 0, "suppressed": true }),
        "one person's rating is neither shown nor counted"
    );
    let res = app.gql_as(&lib.outsider, RATE, rate(2)).await;
    let released = ok(&res)["rateResource"]["resource"]["rating"].clone();
    assert_eq!(
        released["suppressed"], false,
        "released once a cohort of two rated"
    );
    let average = released["average"].as_f64().unwrap();
    assert!((1.0..=5.0).contains(&average) && released["count"].as_i64() >= Some(1));
    let res = app.gql_as(&lib.colleague, RATE, rate(3)).await;
    assert_eq!(
        ok(&res)["rateResource"]["resource"]["rating"],
        released,
        "one changed rating waits for the next release"
    );
    assert_eq!(ok(&res)["rateResource"]["rating"]["helpfulness"], 3);
    let draft = create(
        &app,
        &lib.member,
        &lib.w.org_id,
        json!({ "title": "Not yet" }),
    )
    .await;
    let res = app
        .gql_as(
            &lib.outsider,
            RATE,
            json!({ "input": { "resourceId": draft, "helpfulness": 3 } }),
        )
        .await;
    assert_eq!(code(&res), "NOT_FOUND");
    let top = slugs(&app, None, json!({ "order": "TOP_RATED" })).await;
    assert_eq!(top.len(), 1);
}

#[tokio::test]
async fn agenda_templates_set_a_meetings_agenda_and_a_groups_template() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let items = json!([
        { "position": 1, "kind": "CHECK_IN", "title": "Stress check-in round", "minutes": 10 },
        { "position": 2, "kind": "TOPIC_SPOTLIGHT", "title": "Boundaries", "minutes": 30 },
        { "position": 3, "kind": "ACTION_COMMITMENT", "title": "One small step", "minutes": 10 },
    ]);
    let template = published(&app, &lib, json!({ "kind": "AGENDA_TEMPLATE", "title": "Boundaries session", "agendaItems": items, "durationMinutes": 60 })).await;
    let long = published(&app, &lib, json!({ "kind": "AGENDA_TEMPLATE", "title": "Long retreat", "agendaItems": [{ "position": 1, "kind": "CUSTOM", "title": "Retreat", "minutes": 300 }] })).await;
    let checklist = published(&app, &lib, json!({ "title": "Not an agenda" })).await;
    let meeting = app
        .meeting_at(
            &lib.facilitator,
            &lib.group,
            chrono::Utc::now() + chrono::Duration::days(3),
        )
        .await;
    let apply = |r: &str| json!({ "input": { "meetingId": meeting, "resourceId": r } });
    assert_eq!(
        code(&app.gql(APPLY, apply(&template)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&lib.member, APPLY, apply(&template)).await),
        "FORBIDDEN"
    );
    let res = app.gql_as(&lib.facilitator, APPLY, apply(&checklist)).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "resourceId".into())
    );
    let res = app.gql_as(&lib.facilitator, APPLY, apply(&long)).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "resourceId".into()),
        "it must fit the meeting"
    );
    let res = app.gql_as(&lib.facilitator, APPLY, apply(&template)).await;
    let agenda = &ok(&res)["applyAgendaTemplate"]["meeting"]["agenda"];
    assert_eq!(agenda[1]["title"], "Boundaries");
    assert_eq!(agenda.as_array().unwrap().len(), 3);

    let set = "mutation($input: SetAgendaTemplateInput!) { setAgendaTemplate(input: $input) { group { agendaTemplate { title } agendaTemplateResource { slug } agendaTemplateResourceVersion } } }";
    let res = app
        .gql_as(
            &lib.facilitator,
            set,
            json!({ "input": { "groupId": lib.group, "resourceId": template } }),
        )
        .await;
    let g = &ok(&res)["setAgendaTemplate"]["group"];
    assert_eq!(g["agendaTemplate"][0]["title"], "Stress check-in round");
    assert_eq!(g["agendaTemplateResourceVersion"], 1);
    assert!(g["agendaTemplateResource"]["slug"].is_string());
    let res = app
        .gql_as(
            &lib.member,
            set,
            json!({ "input": { "groupId": lib.group, "resourceId": template } }),
        )
        .await;
    assert_eq!(code(&res), "FORBIDDEN");
}

#[tokio::test]
async fn a_programmes_toolkit_holds_published_facilitator_toolkits() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let res = app
        .gql_as(
            &lib.w.admin,
            "mutation($input: CreateTrainingProgramInput!) { createTrainingProgram(input: $input) { program { id } } }",
            json!({ "input": { "organisationId": lib.w.org_id, "slug": "facilitation", "name": "Facilitation" } }),
        )
        .await;
    let program = ok(&res)["createTrainingProgram"]["program"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let kit = published(
        &app,
        &lib,
        json!({ "slug": "handover-kit", "kind": "FACILITATOR_TOOLKIT", "title": "Handover kit" }),
    )
    .await;
    let checklist = published(&app, &lib, json!({ "title": "Plain checklist" })).await;
    let link = |r: &str| json!({ "input": { "programId": program, "resourceId": r } });
    assert_eq!(code(&app.gql(LINK, link(&kit)).await), "UNAUTHENTICATED");
    assert_eq!(
        code(&app.gql_as(&lib.member, LINK, link(&kit)).await),
        "FORBIDDEN"
    );
    let res = app.gql_as(&lib.w.admin, LINK, link(&checklist)).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "resourceId".into())
    );
    let res = app.gql_as(&lib.w.admin, LINK, link(&kit)).await;
    assert_eq!(
        ok(&res)["linkToolkitResource"]["program"]["toolkit"],
        json!([{ "slug": "handover-kit" }])
    );
    let seen = app
        .gql_as(
            &lib.member,
            "query { trainingProgram(slug: \"facilitation\") { toolkit { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&seen)["trainingProgram"]["toolkit"][0]["title"],
        "Handover kit"
    );
    assert_eq!(
        code(&app.gql_as(&lib.member, UNLINK, link(&kit)).await),
        "FORBIDDEN"
    );
    let res = app.gql_as(&lib.w.admin, UNLINK, link(&kit)).await;
    assert_eq!(
        ok(&res)["unlinkToolkitResource"]["program"]["toolkit"],
        json!([])
    );
}

#[tokio::test]
async fn the_public_catalogue_serves_json_ld_and_names_no_person() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let original = published(&app, &lib, json!({ "slug": "box-breathing", "title": "Box breathing", "tags": ["breathing", "calm"], "durationMinutes": 5 })).await;
    let res = app.gql_as(&lib.colleague, FORK, json!({ "input": { "resourceId": original, "slug": "box-breathing-kids", "title": "Box breathing for kids" } })).await;
    let fork = ok(&res)["forkResource"]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    publish(&app, &lib, &lib.colleague, &fork).await;
    create(
        &app,
        &lib.member,
        &lib.w.org_id,
        json!({ "slug": "draft-tool" }),
    )
    .await;
    published(
        &app,
        &lib,
        json!({ "slug": "network-tool", "visibility": "NETWORK" }),
    )
    .await;

    let get = |path: &str| app.client.get(app.url(path)).send();
    let res = get("/resources/box-breathing-kids.jsonld").await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/ld+json")
    );
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["@type"], "LearningResource");
    assert_eq!(doc["name"], "Box breathing for kids");
    assert_eq!(
        doc["license"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
    assert_eq!(doc["learningResourceType"], "checklist");
    assert_eq!(doc["inLanguage"], "en");
    assert_eq!(doc["creator"]["name"], "Evergreen Test Network");
    assert_eq!(doc["version"], 1);
    assert!(
        doc["isBasedOn"]["@id"]
            .as_str()
            .unwrap()
            .ends_with("/resources/box-breathing.jsonld")
    );
    let text = doc.to_string();
    for person in [&lib.member, &lib.colleague] {
        assert!(!text.contains(&person.email), "no email in {text}");
    }
    assert!(
        !text.contains("\"Col\"") && !text.contains("\"Mo\""),
        "no person's name"
    );
    for hidden in ["draft-tool", "network-tool", "nothing-here"] {
        let res = get(&format!("/resources/{hidden}.jsonld")).await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "{hidden}");
    }
    let list: Value = get("/resources.jsonld?first=1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["@type"], "ItemList");
    assert_eq!(
        list["itemListElement"][0]["item"]["identifier"],
        "box-breathing-kids"
    );
    let next = list["nextPage"].as_str().unwrap();
    let path = &next[next.find("/resources.jsonld").unwrap()..];
    let rest: Value = get(path).await.unwrap().json().await.unwrap();
    assert_eq!(
        rest["itemListElement"][0]["item"]["identifier"],
        "box-breathing"
    );
    assert!(rest.get("nextPage").is_none());
}

/// The query: the statement count does not grow with the number of results.
#[tokio::test]
async fn resource_search_costs_a_fixed_number_of_statements() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let query = "query { resources(search: \"breathing\", first: 20) { edges { node { author { displayName } owner { name } adoptionCount rating { average } } } } }";
    let mut counts = Vec::new();
    for batch in 0..2 {
        for i in 0..(2 + batch * 4) {
            let group = if i % 2 == 0 {
                lib.group.clone()
            } else {
                lib.colleague_group.clone()
            };
            let author = if i % 2 == 0 {
                &lib.member
            } else {
                &lib.colleague
            };
            let id = create(
                &app,
                author,
                &lib.w.org_id,
                json!({ "title": format!("Breathing {batch}-{i}"), "groupId": group }),
            )
            .await;
            publish(&app, &lib, author, &id).await;
        }
        app.statements.reset();
        let res = app.gql_as(&lib.member, query, json!({})).await;
        let n = app.statements.get();
        assert_eq!(
            ok(&res)["resources"]["edges"].as_array().unwrap().len(),
            [2, 8][batch]
        );
        counts.push(n);
    }
    assert_eq!(counts[0], counts[1], "statements: {counts:?}");
    assert!(counts[1] <= 8, "statements: {counts:?}");
}

#[tokio::test]
async fn the_audience_reads_only_published_versions() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let id = published(&app, &lib, json!({ "title": "Worry time" })).await;
    // Version 2 is sent back; version 3 is approved.
    let change = |version: i64, title: &str| json!({ "input": { "resourceId": id, "expectedVersion": version, "title": title } });
    ok(&app
        .gql_as(
            &lib.member,
            UPDATE,
            change(1, "Worry time, unreviewed draft"),
        )
        .await);
    ok(&app.gql_as(&lib.member, SUBMIT, json!({ "id": id })).await);
    ok(&app
        .gql_as(&lib.curator, REVIEW, json!({ "input": { "resourceId": id, "decision": "REQUEST_CHANGES", "comment": "Too long." } }))
        .await);
    ok(&app
        .gql_as(&lib.member, UPDATE, change(2, "Worry time, short"))
        .await);
    publish(&app, &lib, &lib.member, &id).await;

    let history = "query($id: ID!) { node(id: $id) { ... on Resource { versions(first: 10) { totalCount edges { node { id number } } } version(number: 2) { title } } } }";
    let public = app.gql(history, json!({ "id": id })).await;
    let node = &ok(&public)["node"];
    let numbers: Vec<i64> = node["versions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 1]);
    assert_eq!(node["versions"]["totalCount"], 2);
    assert!(
        node["version"].is_null(),
        "the unreviewed version is not public"
    );
    let own = app.gql_as(&lib.member, history, json!({ "id": id })).await;
    let own = &ok(&own)["node"];
    assert_eq!(own["versions"]["totalCount"], 3);
    assert_eq!(own["version"]["title"], "Worry time, unreviewed draft");
    let hidden_id = own["versions"]["edges"][1]["node"]["id"].clone();
    let node = app
        .gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": hidden_id }),
        )
        .await;
    assert_eq!(code(&node), "NOT_FOUND");
    // Nor can it be adopted or adapted by anyone but its editors.
    let res = app
        .gql_as(
            &lib.facilitator,
            ADOPT,
            json!({ "input": { "resourceId": id, "groupId": lib.group, "versionNumber": 2 } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "versionNumber".into())
    );
    let res = app
        .gql_as(
            &lib.colleague,
            FORK,
            json!({ "input": { "resourceId": id, "versionNumber": 2 } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "versionNumber".into())
    );

    // Archived, it is for its editors again.
    ok(&app.gql_as(&lib.member, ARCHIVE, json!({ "id": id })).await);
    let all = json!({ "filter": { "statuses": ["ARCHIVED"] } });
    assert!(slugs(&app, None, all.clone()).await.is_empty());
    assert_eq!(slugs(&app, Some(&lib.member), all).await.len(), 1);
}

#[tokio::test]
async fn adaptations_reach_no_one_the_original_does_not() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let org = lib.w.org_id.clone();
    let network = published(
        &app,
        &lib,
        json!({ "title": "Network original", "visibility": "NETWORK" }),
    )
    .await;
    let res = app
        .gql_as(
            &lib.colleague,
            FORK,
            json!({ "input": { "resourceId": network, "visibility": "PUBLIC" } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "visibility".into())
    );
    let res = app
        .gql_as(
            &lib.colleague,
            FORK,
            json!({ "input": { "resourceId": network } }),
        )
        .await;
    assert_eq!(ok(&res)["forkResource"]["resource"]["status"], "DRAFT");
    let group_only = create(
        &app,
        &lib.member,
        &org,
        json!({ "title": "Circle only", "visibility": "GROUP", "groupId": lib.group }),
    )
    .await;
    ok(&app
        .gql_as(&lib.facilitator, PUBLISH, json!({ "id": group_only }))
        .await);
    let res = app
        .gql_as(
            &lib.member,
            FORK,
            json!({ "input": { "resourceId": group_only, "visibility": "NETWORK" } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "visibility".into())
    );
    let res = app
        .gql_as(
            &lib.member,
            FORK,
            json!({ "input": { "resourceId": group_only, "title": "Circle only, shorter" } }),
        )
        .await;
    ok(&res);

    // All rights reserved: relicensed only by the organisation's curators.
    let reserved = published(
        &app,
        &lib,
        json!({ "title": "Reserved", "licence": "ALL-RIGHTS-RESERVED" }),
    )
    .await;
    let relicense = json!({ "input": { "resourceId": reserved, "licence": "CC0-1.0" } });
    let res = app.gql_as(&lib.colleague, FORK, relicense.clone()).await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "licence".into())
    );
    let res = app.gql_as(&lib.curator, FORK, relicense).await;
    assert_eq!(ok(&res)["forkResource"]["resource"]["licence"], "CC0-1.0");

    // An adaptation of CC-BY keeps crediting the original.
    let credited = published(&app, &lib, json!({ "title": "Credited original" })).await;
    let res = app
        .gql_as(
            &lib.colleague,
            FORK,
            json!({ "input": { "resourceId": credited } }),
        )
        .await;
    let fork = ok(&res)["forkResource"]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .gql_as(
            &lib.colleague,
            UPDATE,
            json!({ "input": { "resourceId": fork, "expectedVersion": 1, "attribution": " " } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "attribution".into())
    );
}

#[tokio::test]
async fn a_curator_of_one_cluster_does_not_curate_the_library() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let local = app.sign_up("Lou").await;
    app.grant(
        &lib.w.admin,
        &local,
        "CURATOR",
        &lib.w.org_id,
        Some(&lib.w.a),
    )
    .await;
    let id = create(
        &app,
        &lib.member,
        &lib.w.org_id,
        json!({ "title": "Under review", "groupId": lib.group }),
    )
    .await;
    ok(&app.gql_as(&lib.member, SUBMIT, json!({ "id": id })).await);
    let res = app
        .gql_as(
            &local,
            REVIEW,
            json!({ "input": { "resourceId": id, "decision": "APPROVE" } }),
        )
        .await;
    assert_eq!(code(&res), "NOT_FOUND");
    let listed = slugs(
        &app,
        Some(&local),
        json!({ "filter": { "statuses": ["IN_REVIEW"] } }),
    )
    .await;
    assert!(listed.is_empty());
}

#[tokio::test]
async fn status_and_adoption_mutations_refuse_the_anonymous_the_unentitled_and_bad_ids() {
    let app = spawn_app().await;
    let lib = library(&app).await;
    let draft = create(
        &app,
        &lib.member,
        &lib.w.org_id,
        json!({ "title": "Draft" }),
    )
    .await;
    let public = published(&app, &lib, json!({ "title": "Public" })).await;
    for mutation in [SUBMIT, PUBLISH, ARCHIVE] {
        assert_eq!(
            code(&app.gql(mutation, json!({ "id": draft })).await),
            "UNAUTHENTICATED"
        );
        let res = app
            .gql_as(&lib.member, mutation, json!({ "id": "not-an-id" }))
            .await;
        assert_eq!(
            (code(&res), field(&res)),
            ("BAD_USER_INPUT".into(), "resourceId".into())
        );
        assert_eq!(
            code(
                &app.gql_as(&lib.colleague, mutation, json!({ "id": draft }))
                    .await
            ),
            "NOT_FOUND"
        );
    }
    assert_eq!(
        code(
            &app.gql_as(&lib.colleague, SUBMIT, json!({ "id": public }))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql_as(&lib.colleague, ARCHIVE, json!({ "id": public }))
                .await
        ),
        "FORBIDDEN"
    );
    let res = app
        .gql_as(&lib.member, SUBMIT, json!({ "id": draft }))
        .await;
    assert_eq!(
        ok(&res)["submitForReview"]["resource"]["status"],
        "IN_REVIEW"
    );

    ok(&app
        .gql_as(
            &lib.facilitator,
            ADOPT,
            json!({ "input": { "resourceId": public, "groupId": lib.group } }),
        )
        .await);
    let unadopt = json!({ "input": { "resourceId": public, "groupId": lib.group } });
    assert_eq!(
        code(&app.gql(UNADOPT, unadopt.clone()).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&lib.member, UNADOPT, unadopt.clone()).await),
        "FORBIDDEN"
    );
    let res = app
        .gql_as(
            &lib.facilitator,
            UNADOPT,
            json!({ "input": { "resourceId": public, "groupId": public } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "groupId".into())
    );

    let set = "mutation($input: SetAgendaTemplateInput!) { setAgendaTemplate(input: $input) { group { id } } }";
    let by_resource = json!({ "input": { "groupId": lib.group, "resourceId": public } });
    assert_eq!(code(&app.gql(set, by_resource).await), "UNAUTHENTICATED");
    let res = app
        .gql_as(
            &lib.facilitator,
            set,
            json!({ "input": { "groupId": lib.group, "resourceId": public } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "resourceId".into()),
        "not a template"
    );
    let res = app
        .gql_as(
            &lib.facilitator,
            set,
            json!({ "input": { "groupId": lib.group, "resourceId": public, "items": [] } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "items".into())
    );

    let res = app
        .gql_as(
            &lib.w.admin,
            UNLINK,
            json!({ "input": { "programId": "nope", "resourceId": public } }),
        )
        .await;
    assert_eq!(
        (code(&res), field(&res)),
        ("BAD_USER_INPUT".into(), "programId".into())
    );
    assert_eq!(
        code(
            &app.gql(
                UNLINK,
                json!({ "input": { "programId": "nope", "resourceId": public } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
}

/// Issue 15: a cursor holds only what the viewer reads. RELEVANCE cursors hold the id alone
/// (SQLite's rank weighs terms by statistics over every resource, drafts included); a
/// MOST_ADOPTED cursor holds the `adoptionCount` its resource shows.
#[tokio::test]
async fn resource_cursors_carry_only_what_the_viewer_reads() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let app = spawn_app().await;
    let lib = library(&app).await;
    for title in ["Breathing space", "Breathing walk", "Box breathing"] {
        published(&app, &lib, json!({ "title": title })).await;
    }
    // A draft that matches weighs on SQLite's ranks but must not show through a cursor.
    create(
        &app,
        &lib.member,
        &lib.w.org_id,
        json!({ "title": "Breathing draft breathing" }),
    )
    .await;
    let decode = |c: &Value| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c.as_str().unwrap()).unwrap()).unwrap()
    };
    let query = "query($search: String, $order: ResourceOrder, $after: String) { resources(search: $search, orderBy: $order, first: 1, after: $after) { pageInfo { hasNextPage } edges { cursor node { slug adoptionCount } } } }";
    for (search, order) in [
        (json!("breathing"), "RELEVANCE"),
        (Value::Null, "MOST_ADOPTED"),
    ] {
        let all = slugs(
            &app,
            None,
            json!({ "search": search, "order": order, "first": 20 }),
        )
        .await;
        let (mut paged, mut after) = (Vec::new(), Value::Null);
        loop {
            let res = app
                .gql(
                    query,
                    json!({ "search": search, "order": order, "after": after }),
                )
                .await;
            let page = &ok(&res)["resources"];
            let edge = &page["edges"][0];
            let c = decode(&edge["cursor"]);
            if order == "RELEVANCE" {
                assert_eq!(c.as_object().unwrap().len(), 1, "only the id: {c}");
            } else {
                assert_eq!(c["k"], edge["node"]["adoptionCount"].to_string(), "{c}");
            }
            paged.push(edge["node"]["slug"].as_str().unwrap().to_owned());
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = edge["cursor"].clone();
        }
        assert_eq!(paged, all, "{order} pages in the same order");
        assert_eq!(all.len(), 3);
    }
}
