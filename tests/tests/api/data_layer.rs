//! The data layer: pages per parent read the right rows, hot writes take their locks in one
//! order, and a failing database is never reported as a missing object.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, World, code, ok, spawn_app, spawn_app_with};

const ATTEND: &str = "mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendance { status } } }";
const SET_ROLE: &str = "mutation($id: ID!, $role: MembershipRole!) { setMembershipRole(input: {membershipId: $id, role: $role}) { membership { id } } }";

fn membership_of(res: &Value) -> String {
    ok(res)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A group of `size` members whose first member facilitates it; returns the group, the
/// facilitator and the memberships.
async fn circle(
    app: &TestApp,
    w: &World,
    slug: &str,
    size: usize,
) -> (String, Session, Vec<String>) {
    let group = app
        .group(
            &w.admin,
            &w.a1,
            slug,
            json!({ "capacity": { "min": 2, "max": 20 } }),
        )
        .await;
    let facilitator = app.sign_up(&format!("{slug}-fac")).await;
    let mut members = vec![membership_of(&app.join(&facilitator, &group).await)];
    ok(&app
        .gql_as(
            &w.admin,
            SET_ROLE,
            json!({ "id": members[0], "role": "FACILITATOR" }),
        )
        .await);
    for i in 1..size {
        let member = app.sign_up(&format!("{slug}-m{i}")).await;
        members.push(membership_of(&app.join(&member, &group).await));
    }
    (group, facilitator, members)
}

fn entries<'a>(members: impl Iterator<Item = &'a String>, status: &str) -> Value {
    members
        .map(|m| json!({ "membershipId": m, "status": status }))
        .collect()
}

/// On PostgreSQL, two upserts taking the same rows' locks in opposite orders deadlocked (one
/// writer got INTERNAL in about a quarter of the rounds); rows are now written in key order.
#[tokio::test]
async fn two_facilitators_recording_one_meeting_in_opposite_orders_both_succeed() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (group, facilitator, members) = circle(&app, &w, "busy-circle", 12).await;
    let meeting = app
        .meeting_at(&facilitator, &group, Utc::now() - Duration::days(1))
        .await;
    for round in 0..25 {
        let (first, second) = if round % 2 == 0 {
            ("PRESENT", "ABSENT")
        } else {
            ("EXCUSED", "PRESENT")
        };
        let forward = entries(members.iter(), first);
        let backward = entries(members.iter().rev(), second);
        let (a, b) = tokio::join!(
            app.gql_as(
                &facilitator,
                ATTEND,
                json!({ "input": { "meetingId": meeting, "entries": forward } }),
            ),
            app.gql_as(
                &w.admin,
                ATTEND,
                json!({ "input": { "meetingId": meeting, "entries": backward } }),
            ),
        );
        assert_eq!(
            ok(&a)["recordAttendance"]["attendance"]
                .as_array()
                .unwrap()
                .len(),
            12,
            "round {round}"
        );
        assert_eq!(
            ok(&b)["recordAttendance"]["attendance"]
                .as_array()
                .unwrap()
                .len(),
            12,
            "round {round}"
        );
    }
}

/// The counts leave out the memberships join unless `unrecorded` is asked; both shapes agree.
#[tokio::test]
async fn attendance_counts_agree_with_and_without_unrecorded() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (group, facilitator, members) = circle(&app, &w, "count-circle", 6).await;
    let meeting = app
        .meeting_at(&facilitator, &group, Utc::now() - Duration::days(1))
        .await;
    let mut recorded = entries(members.iter().take(3), "PRESENT");
    recorded[2]["status"] = json!("ABSENT");
    app.attend(&facilitator, &meeting, recorded).await;
    let query = |fields: &str| {
        format!(
            "query($id: ID!) {{ node(id: $id) {{ ... on Meeting {{ attendanceSummary {{ {fields} }} }} }} }}"
        )
    };
    let lean = app
        .gql_as(
            &facilitator,
            &query("present absent"),
            json!({ "id": meeting }),
        )
        .await;
    assert_eq!(
        ok(&lean)["node"]["attendanceSummary"],
        json!({ "present": 2, "absent": 1 })
    );
    let full = app
        .gql_as(
            &facilitator,
            &query("present absent excused unrecorded"),
            json!({ "id": meeting }),
        )
        .await;
    assert_eq!(
        ok(&full)["node"]["attendanceSummary"],
        json!({ "present": 2, "absent": 1, "excused": 0, "unrecorded": 3 })
    );
    // A page counts only what its nodes ask; the same meeting asked for other counts in the
    // same request is not answered from those.
    let both = "query($group: ID!, $meeting: ID!) { group: node(id: $group) { ... on Group { meetings(first: 5) { edges { node { attendanceSummary { present } } } } } } meeting: node(id: $meeting) { ... on Meeting { attendanceSummary { absent excused } } } }";
    let res = app
        .gql_as(
            &facilitator,
            both,
            json!({ "group": group, "meeting": meeting }),
        )
        .await;
    assert_eq!(
        ok(&res)["group"]["meetings"]["edges"][0]["node"]["attendanceSummary"],
        json!({ "present": 2 })
    );
    assert_eq!(
        ok(&res)["meeting"]["attendanceSummary"],
        json!({ "absent": 1, "excused": 0 })
    );
}

/// Pages per parent, forward and backward, across many parents in one request: each parent's
/// page holds its own rows in order, whatever the other parents hold.
#[tokio::test]
async fn pages_per_parent_hold_each_parents_rows_in_order() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (group, facilitator, _) = circle(&app, &w, "paged-circle", 2).await;
    let mut starts = Vec::new();
    for days in [-3, -2, -1, 1, 2, 3, 4] {
        let at = Utc::now() + Duration::days(days);
        app.meeting_at(&facilitator, &group, at).await;
        starts.push(at);
    }
    let (other, other_facilitator, _) = circle(&app, &w, "other-circle", 2).await;
    app.meeting_at(&other_facilitator, &other, Utc::now() + Duration::days(5))
        .await;
    let page = |args: &str| {
        format!(
            "query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Group {{ slug meetings({args}) {{ edges {{ cursor node {{ startsAt }} }} pageInfo {{ hasNextPage hasPreviousPage }} }} }} }} }}"
        )
    };
    let ids = json!({ "ids": [group, other] });
    let first = app.gql_as(&w.admin, &page("first: 3"), ids.clone()).await;
    let nodes = ok(&first)["nodes"].as_array().unwrap().clone();
    let starts_of = |node: &Value| -> Vec<String> {
        node["meetings"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["startsAt"].as_str().unwrap().to_owned())
            .collect()
    };
    let mine = starts_of(&nodes[0]);
    assert_eq!(mine.len(), 3);
    assert!(mine.windows(2).all(|p| p[0] < p[1]), "{mine:?}");
    assert_eq!(nodes[0]["meetings"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(starts_of(&nodes[1]).len(), 1);
    assert_eq!(nodes[1]["meetings"]["pageInfo"]["hasNextPage"], false);
    // The next page of the first group continues after the cursor, and the last page
    // (backward) ends with the latest meeting.
    let after = nodes[0]["meetings"]["edges"][2]["cursor"].as_str().unwrap();
    let next = app
        .gql_as(
            &w.admin,
            &page(&format!("first: 3, after: \"{after}\"")),
            json!({ "ids": [group] }),
        )
        .await;
    let rest = starts_of(&ok(&next)["nodes"][0]);
    assert_eq!(rest.len(), 3);
    assert!(mine[2] < rest[0]);
    let last = app
        .gql_as(&w.admin, &page("last: 2"), json!({ "ids": [group] }))
        .await;
    let tail = starts_of(&ok(&last)["nodes"][0]);
    assert_eq!(tail.len(), 2);
    assert!(tail[0] < tail[1]);
    assert_eq!(
        ok(&last)["nodes"][0]["meetings"]["pageInfo"]["hasPreviousPage"],
        true
    );
    // Seven meetings: the middle page (4–6) and the last two (6–7) meet at the sixth.
    assert_eq!(rest[2], tail[0]);
}

/// A database that fails is an error, not an absent object: `nodes` used to answer null for
/// a poll it could not read (PostgreSQL only: the test drops the database under the server).
#[tokio::test]
async fn a_failing_database_is_not_reported_as_a_missing_node() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (group, facilitator, _) = circle(&app, &w, "outage-circle", 2).await;
    let poll = app
        .gql_as(
            &facilitator,
            "mutation($input: CreatePollInput!) { createPoll(input: $input) { poll { id } } }",
            json!({ "input": { "groupId": group, "question": "Move to Thursdays?", "closesAt": (Utc::now() + Duration::days(3)).to_rfc3339() } }),
        )
        .await;
    let poll = ok(&poll)["createPoll"]["poll"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    // Anonymous: no rights to load, so the poll's own read is the first to meet the outage.
    let before = app.gql(ask, json!({ "ids": [poll] })).await;
    assert_eq!(ok(&before)["nodes"], json!([null]));
    if !app.drop_database_now().await {
        return; // SQLite: a file cannot be dropped under the server
    }
    let during = app.gql(ask, json!({ "ids": [poll] })).await;
    assert!(
        matches!(code(&during).as_str(), "INTERNAL" | "SERVICE_UNAVAILABLE"),
        "{during}"
    );
}

const DASHBOARD: &str = "query($id: ID!) { node(id: $id) { ... on Organisation { clusters(first: 50) { edges { node { id name groups(first: 5) { edges { node { id name meetings(last: 3, filter: {status: [HELD]}) { edges { node { id startsAt attendanceSummary { present } } } } } } } } } } } } }";
const GROUPS_PAGE: &str = "query($id: ID!) { cluster(id: $id) { groups(first: 20) { edges { cursor node { id slug name status } } pageInfo { hasNextPage endCursor } } } }";
const GROUP_DETAIL: &str = "query($slug: String!) { group(slug: $slug) { id slug name purpose status meetings(last: 20) { edges { node { id startsAt endsAt status theme } } } } }";

/// SQL statements of the four shapes the PostGraphile comparison drives, for a network of
/// `clusters` × `per_cluster` groups with two held meetings each: (dashboard, groups page,
/// group detail, recordAttendance).
async fn shape_costs(clusters: usize, per_cluster: usize) -> [u64; 4] {
    // The default budget: the dashboard is priced by rows and statements (graphql/cost.rs).
    let app = spawn_app().await;
    let w = app.world().await;
    let places = [&w.a, &w.a1, &w.a1a, &w.b];
    let mut last = None;
    for (c, cluster) in places.iter().take(clusters).enumerate() {
        for g in 0..per_cluster {
            let slug = format!("shape-{c}-{g}");
            let group = app
                .group(
                    &w.admin,
                    cluster,
                    &slug,
                    json!({ "capacity": { "min": 2, "max": 20 } }),
                )
                .await;
            let facilitator = app.sign_up(&format!("{slug}-fac")).await;
            let fac_m = membership_of(&app.join(&facilitator, &group).await);
            ok(&app
                .gql_as(
                    &w.admin,
                    SET_ROLE,
                    json!({ "id": fac_m, "role": "FACILITATOR" }),
                )
                .await);
            for days in [2, 1] {
                let meeting = app
                    .meeting_at(&facilitator, &group, Utc::now() - Duration::days(days))
                    .await;
                app.attend(
                    &facilitator,
                    &meeting,
                    entries([&fac_m].into_iter(), "PRESENT"),
                )
                .await;
                app.hold(&facilitator, &meeting).await;
                last = Some((slug.clone(), meeting, fac_m.clone()));
            }
        }
    }
    let (slug, meeting, fac_m) = last.unwrap();
    let mut costs = [0; 4];
    let shapes = [
        (DASHBOARD, json!({ "id": w.org_id })),
        (GROUPS_PAGE, json!({ "id": w.a })),
        (GROUP_DETAIL, json!({ "slug": slug })),
        (
            ATTEND,
            json!({ "input": { "meetingId": meeting, "entries": entries([&fac_m].into_iter(), "ABSENT") } }),
        ),
    ];
    for (cost, (query, variables)) in costs.iter_mut().zip(shapes) {
        app.statements.reset();
        let (status, body) = app.post(Some(&w.admin.token), query, variables).await;
        assert_eq!(status, 200, "{body}");
        ok(&body);
        *cost = app.statements.get();
        if query == DASHBOARD {
            // Counts read along with the page: each held meeting had its facilitator there.
            let text = body.to_string();
            assert_eq!(
                text.matches(r#""attendanceSummary":{"present":1}"#).count(),
                clusters * per_cluster * 2,
                "{text}"
            );
        }
    }
    costs
}

#[tokio::test]
async fn the_compared_shapes_cost_a_fixed_number_of_statements() {
    let small = shape_costs(1, 2).await;
    let big = shape_costs(4, 3).await;
    assert_eq!(small, big, "cost must not grow with the rows");
    let [dashboard, groups_page, group_detail, record_attendance] = big;
    // The viewer's rights, then one statement per level: organisation, clusters, groups,
    // meetings with their attendance counts.
    assert!(dashboard <= 5, "dashboard: {dashboard} statements");
    // Rights, and the page of groups with the cluster read along.
    assert!(groups_page <= 2, "groups page: {groups_page} statements");
    // Rights, and the group with its cluster and its page of meetings read along.
    assert!(group_detail <= 2, "group detail: {group_detail} statements");
    // Rights, and the one upsert that checks everything else itself.
    assert!(
        record_attendance <= 2,
        "recordAttendance: {record_attendance} statements"
    );
}

/// One statement per level of the dashboard however the executor schedules the nodes: more
/// clusters and groups than a list's nodes are polled in one pass (32), and no loader delay to
/// gather stragglers, so only pages read from the page above (not by each node) stay whole.
#[tokio::test]
async fn the_dashboard_is_one_statement_per_level_however_its_nodes_are_scheduled() {
    let app = spawn_app_with(&[("CANOPY_BATCH_DELAY_US", "0")]).await;
    let w = app.world().await;
    for c in 0..36 {
        let cluster = app
            .cluster(&w.admin, &w.org_id, None, &format!("Many {c:02}"))
            .await;
        for g in 0..2 {
            app.group(&w.admin, &cluster, &format!("many-{c}-{g}"), json!({}))
                .await;
        }
    }
    for round in 0..5 {
        app.statements.reset();
        let (status, body) = app
            .post(Some(&w.admin.token), DASHBOARD, json!({ "id": w.org_id }))
            .await;
        assert_eq!(status, 200, "{body}");
        let clusters = ok(&body)["node"]["clusters"]["edges"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(clusters, 40, "{body}");
        // The viewer's rights, the organisation, the clusters, their groups, their meetings.
        let statements = app.statements.get();
        assert!(statements <= 5, "round {round}: {statements} statements");
    }
}

/// `cluster(id:) { groups }` reads the cluster along with its page: a cluster without groups is
/// still found, one that does not exist is still NOT_FOUND, and a group's page below it is
/// still only what the viewer may see.
#[tokio::test]
async fn a_cluster_read_with_its_groups_page_is_found_when_empty_and_missing_when_absent() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.group(&w.admin, &w.a1, "visible-one", json!({})).await;
    app.group(
        &w.admin,
        &w.a1,
        "private-one",
        json!({ "visibility": "PRIVATE" }),
    )
    .await;
    let page = "query($id: ID!) { cluster(id: $id) { name groups(first: 5) { edges { node { slug } } pageInfo { hasNextPage } } } }";
    let empty = app.gql(page, json!({ "id": w.b })).await;
    assert_eq!(ok(&empty)["cluster"]["name"], "B");
    assert_eq!(ok(&empty)["cluster"]["groups"]["edges"], json!([]));
    let anonymous = app.gql(page, json!({ "id": w.a1 })).await;
    assert_eq!(
        ok(&anonymous)["cluster"]["groups"]["edges"],
        json!([{ "node": { "slug": "visible-one" } }])
    );
    let admin = app.gql_as(&w.admin, page, json!({ "id": w.a1 })).await;
    assert_eq!(
        ok(&admin)["cluster"]["groups"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let gone = crate::helpers::encode_id("Cluster", uuid::Uuid::now_v7());
    assert_eq!(
        code(&app.gql(page, json!({ "id": gone })).await),
        "NOT_FOUND"
    );
    // Below the cluster too: the subtree page reads the same way.
    let subtree = "query($id: ID!) { cluster(id: $id) { name groups(includeDescendants: true, first: 5) { edges { node { slug } } } } }";
    let top = app.gql(subtree, json!({ "id": w.a })).await;
    assert_eq!(ok(&top)["cluster"]["name"], "A");
    assert_eq!(
        ok(&top)["cluster"]["groups"]["edges"],
        json!([{ "node": { "slug": "visible-one" } }])
    );
}

/// The stored succession row of `group`: its version, bumped by every write it depends on.
async fn succession_version(app: &TestApp, group: &str) -> i64 {
    entity::group_succession::Entity::find_by_id(crate::helpers::uuid_of(group))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .version
}

/// PostgreSQL's succession upkeep runs once per statement: a statement touching many rows of
/// a group bumps it once, and one that changes no watched column bumps nothing. (SQLite has
/// no statement-level triggers: there each row bumps.)
#[tokio::test]
async fn a_statement_over_many_rows_bumps_a_groups_succession_once() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (group, _, members) = circle(&app, &w, "bulk-circle", 6).await;
    let backend = app.db.get_database_backend();
    let postgres = backend == sea_orm::DbBackend::Postgres;
    let run = async |sql: &str| {
        app.db
            .execute_raw(canopy::domain::raw_statement(
                backend,
                sql,
                vec![crate::helpers::uuid_of(&group).into()],
            ))
            .await
            .unwrap()
            .rows_affected()
    };

    let before = succession_version(&app, &group).await;
    assert_eq!(
        run("UPDATE memberships SET role = role WHERE group_id = ?").await,
        6
    );
    let unchanged = succession_version(&app, &group).await;
    if postgres {
        assert_eq!(unchanged, before, "no watched column changed");
    }

    let left = members.len() as u64 - 1;
    assert_eq!(
        run("DELETE FROM memberships WHERE group_id = ? AND role = 'MEMBER'").await,
        left
    );
    let after = succession_version(&app, &group).await;
    assert_eq!(
        after - unchanged,
        if postgres { 1 } else { left as i64 },
        "one bump per statement on PostgreSQL, per row on SQLite"
    );
}

/// The hot writes of member care are the viewer's rights and one statement: the write checks
/// its own preconditions and answers with what the payload shows.
#[tokio::test]
async fn a_check_in_and_a_vote_are_the_rights_and_one_statement() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (group, facilitator, _) = circle(&app, &w, "hot-circle", 3).await;
    let member = app.sign_up("hot-circle-voter").await;
    app.join(&member, &group).await;
    let poll = app
        .gql_as(
            &facilitator,
            "mutation($input: CreatePollInput!) { createPoll(input: $input) { poll { id } } }",
            json!({ "input": { "groupId": group, "question": "Longer breaks?", "closesAt": (Utc::now() + Duration::days(3)).to_rfc3339() } }),
        )
        .await;
    let poll = ok(&poll)["createPoll"]["poll"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let check_in = "mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { id rating } } }";
    let vote =
        "mutation($input: CastVoteInput!) { castVote(input: $input) { poll { id question } } }";
    for (query, variables) in [
        (
            check_in,
            json!({ "input": { "groupId": group, "rating": 3 } }),
        ),
        (vote, json!({ "input": { "pollId": poll, "vote": "UP" } })),
        // Changing one's vote is the same upsert.
        (vote, json!({ "input": { "pollId": poll, "vote": "DOWN" } })),
    ] {
        app.statements.reset();
        let res = app.gql_as(&member, query, variables).await;
        ok(&res);
        assert_eq!(app.statements.get(), 2, "{query}: {res}");
    }
    let voted = app
        .gql_as(
            &member,
            "query($id: ID!) { node(id: $id) { ... on Poll { id question viewerVote } } }",
            json!({ "id": poll }),
        )
        .await;
    assert_eq!(ok(&voted)["node"]["viewerVote"], "DOWN");
    assert_eq!(ok(&voted)["node"]["question"], "Longer breaks?");
}

/// Joining an OPEN group is the viewer's rights and one statement on PostgreSQL (the seat and
/// the count in one `WITH … INSERT … UPDATE`, no transaction); SQLite has no data-modifying
/// CTEs, so there the placement and the count are two statements in one transaction (whose
/// BEGIN and COMMIT the counter does not see).
#[tokio::test]
async fn joining_an_open_group_is_the_rights_and_one_statement() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (group, _, _) = circle(&app, &w, "open-circle", 2).await;
    let newcomer = app.sign_up("open-circle-newcomer").await;
    app.statements.reset();
    let res = app.join(&newcomer, &group).await;
    assert_eq!(ok(&res)["joinGroup"]["membership"]["status"], "ACTIVE");
    let postgres = app.db.get_database_backend() == sea_orm::DbBackend::Postgres;
    assert_eq!(app.statements.get(), if postgres { 2 } else { 3 }, "{res}");
    // The active count moved with the seat.
    let row = entity::group::Entity::find_by_id(crate::helpers::uuid_of(&group))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.active_member_count, 3);
}

/// Two people asking for a group's last seat at once: one sits, the other waits, and the
/// count says one more (the group's row is the lock they queue on).
#[tokio::test]
async fn two_joins_for_the_last_seat_seat_one_and_waitlist_the_other() {
    let app = spawn_app().await;
    let w = app.world().await;
    let group = app
        .group(
            &w.admin,
            &w.a1,
            "last-seat",
            json!({ "capacity": { "min": 1, "max": 2 } }),
        )
        .await;
    let first = app.sign_up("last-seat-first").await;
    app.join(&first, &group).await;
    for round in 0..5 {
        let (a, b) = (
            app.sign_up(&format!("last-seat-a{round}")).await,
            app.sign_up(&format!("last-seat-b{round}")).await,
        );
        let (ra, rb) = tokio::join!(app.join(&a, &group), app.join(&b, &group));
        let mut statuses = [
            ok(&ra)["joinGroup"]["membership"]["status"].clone(),
            ok(&rb)["joinGroup"]["membership"]["status"].clone(),
        ];
        statuses.sort_by_key(|s| s.to_string());
        let expected = if round == 0 {
            [json!("ACTIVE"), json!("WAITLISTED")]
        } else {
            [json!("WAITLISTED"), json!("WAITLISTED")]
        };
        assert_eq!(statuses, expected, "round {round}");
        let row = entity::group::Entity::find_by_id(crate::helpers::uuid_of(&group))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.active_member_count, 2, "round {round}");
    }
}

/// `nodes(ids:)` over certifications reads them, their programmes and the viewer's standing as
/// a trainer through the loaders: the statements do not grow with the ids.
#[tokio::test]
async fn nodes_of_many_certifications_are_batched() {
    let app = spawn_app().await;
    let a = crate::training::academy(&app).await;
    let now = Utc::now();
    let mut ids = Vec::new();
    let mut costs = Vec::new();
    for n in 0..6 {
        let person = app.sign_up(&format!("certified-{n}")).await;
        // Every other one lapsed: read by the organisation's trainers only.
        let until = if n % 2 == 0 {
            now + Duration::days(300)
        } else {
            now - Duration::days(1)
        };
        let issued = until - Duration::days(700);
        let id = crate::training::certify(
            &app,
            &person.person_id,
            &a.program,
            &a.w.org_id,
            issued,
            until,
        )
        .await;
        ids.push(crate::helpers::encode_id("Certification", id));
        if n == 1 || n == 5 {
            app.statements.reset();
            let res = app
                .gql_as(
                    &a.trainer,
                    "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Certification { id status } } }",
                    json!({ "ids": ids }),
                )
                .await;
            let shown = ok(&res)["nodes"].as_array().unwrap().clone();
            assert!(shown.iter().all(|n| !n.is_null()), "{res}");
            assert_eq!(shown.len(), n + 1);
            costs.push(app.statements.get());
        }
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
}

/// `group(slug:) { meetings(…) }` reads the group, its cluster and the page in one statement:
/// the page is the one the field reads on its own, a group without meetings is still found,
/// and a group the viewer may not see is NOT_FOUND as before (its page is never shown).
#[tokio::test]
async fn a_group_read_with_its_meetings_page_answers_as_the_field_does() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (group, facilitator, _) = circle(&app, &w, "detail-circle", 2).await;
    for days in [3, 2, 1] {
        app.meeting_at(&facilitator, &group, Utc::now() - Duration::days(days))
            .await;
    }
    let detail = |filter: &str| {
        format!(
            "{{ group(slug: \"detail-circle\") {{ id meetings(last: 2{filter}) {{ edges {{ node {{ id startsAt }} }} pageInfo {{ hasPreviousPage hasNextPage }} }} }} }}"
        )
    };
    app.statements.reset();
    let ahead = app.gql_as(&facilitator, &detail(""), json!({})).await;
    assert_eq!(app.statements.get(), 2, "{ahead}");
    // An empty filter takes the field's own read.
    let own = app
        .gql_as(&facilitator, &detail(", filter: {}"), json!({}))
        .await;
    assert_eq!(ok(&ahead), ok(&own));
    assert_eq!(
        ok(&ahead)["group"]["meetings"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        ok(&ahead)["group"]["meetings"]["pageInfo"]["hasPreviousPage"],
        true
    );

    let empty = app.group(&w.admin, &w.a1, "detail-empty", json!({})).await;
    let res = app
        .gql_as(
            &w.admin,
            "{ group(slug: \"detail-empty\") { id meetings(first: 5) { edges { node { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&res)["group"]["id"], json!(empty));
    assert_eq!(ok(&res)["group"]["meetings"]["edges"], json!([]));

    let missing = app
        .gql_as(
            &w.admin,
            "{ group(slug: \"no-such-circle\") { id meetings(first: 5) { edges { node { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&missing), "NOT_FOUND");

    app.group(
        &w.admin,
        &w.a1,
        "detail-private",
        json!({ "visibility": "PRIVATE" }),
    )
    .await;
    let outsider = app.sign_up("detail-outsider").await;
    let hidden = app
        .gql_as(
            &outsider,
            "{ group(slug: \"detail-private\") { id meetings(first: 5) { edges { node { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&hidden), "NOT_FOUND", "{hidden}");
}
