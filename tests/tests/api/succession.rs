//! Succession: risk levels, who may read them, the roll-ups of groups at risk and the stored
//! risks behind them.

use canopy::domain::{
    raw_statement,
    training::{risk_summary, succession::SuccessionRisk},
};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use crate::{
    helpers::{Session, TestApp, code, encode_id, ok, spawn_app, uuid_of},
    training::{academy, certify, member_with_role},
};

const NAME_SUCCESSOR: &str = "mutation($input: NameSuccessorInput!) { nameSuccessor(input: $input) { successor { id } group { succession { namedSuccessors { id } } } } }";
pub(crate) const SUCCESSION: &str = "query($id: ID!) { node(id: $id) { ... on Group { succession { risk activeCertifiedFacilitators expiringSoon traineesInPipeline reasons } } } }";

#[tokio::test]
async fn succession_risk_levels_roll_up_to_groups_at_risk() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    let now = Utc::now();
    // practicum-circle: one certified facilitator (the senior) → AT_RISK.
    // A group with nobody certified → CRITICAL; two certified, one expiring → AT_RISK;
    // two certified for long → OK until a facilitator reports a heavy load.
    let mut groups = Vec::new();
    for (slug, certs) in [
        ("bare-circle", vec![]),
        ("expiring-circle", vec![700, 30]),
        ("steady-pair", vec![700, 600]),
    ] {
        let g = app.group(&a.w.admin, &a.w.a1a, slug, json!({})).await;
        let mut people = Vec::new();
        for (i, role) in ["FACILITATOR", "CO_FACILITATOR"].into_iter().enumerate() {
            let (s, _) = member_with_role(&app, &a.w, &g, &format!("{slug}-{i}"), role).await;
            if let Some(d) = certs.get(i) {
                certify(
                    &app,
                    &s.person_id,
                    &a.program,
                    &a.w.org_id,
                    now - Duration::days(30),
                    now + Duration::days(*d),
                )
                .await;
            }
            people.push(s);
        }
        groups.push((g, people));
    }
    let risk = |g: &str| {
        let g = g.to_owned();
        let app = &app;
        let admin = &a.w.admin;
        async move {
            let s = app.gql_as(admin, SUCCESSION, json!({ "id": g })).await;
            ok(&s)["node"]["succession"].clone()
        }
    };
    assert_eq!(risk(&a.group).await["risk"], "AT_RISK");
    let bare = risk(&groups[0].0).await;
    assert_eq!(
        (
            bare["risk"].as_str(),
            bare["activeCertifiedFacilitators"].as_i64()
        ),
        (Some("CRITICAL"), Some(0))
    );
    let expiring = risk(&groups[1].0).await;
    assert_eq!(
        (expiring["risk"].as_str(), expiring["expiringSoon"].as_i64()),
        (Some("AT_RISK"), Some(1))
    );
    assert_eq!(risk(&groups[2].0).await["risk"], "OK");
    let report = "mutation($input: ReportFacilitatorLoadInput!) { reportFacilitatorLoad(input: $input) { ok } }";
    ok(&app
        .gql_as(
            &groups[2].1[0],
            report,
            json!({ "input": { "groupId": groups[2].0, "rating": 5 } }),
        )
        .await);
    let loaded = risk(&groups[2].0).await;
    assert_eq!(loaded["risk"], "AT_RISK");
    assert!(loaded["reasons"].to_string().contains("load"));

    // Who may read it.
    assert_eq!(
        code(&app.gql(SUCCESSION, json!({ "id": a.group })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&a.trainee, SUCCESSION, json!({ "id": a.group }))
                .await
        ),
        ""
    );
    let member = app.sign_up("Plain").await;
    app.join(&member, &a.group).await;
    assert_eq!(
        code(
            &app.gql_as(&member, SUCCESSION, json!({ "id": a.group }))
                .await
        ),
        "FORBIDDEN"
    );

    // Roll-ups: CRITICAL first, then by name; OK groups are left out.
    let at_risk = "query($id: ID!) { node(id: $id) { ... on Organisation { groupsAtRisk(first: 10) { totalCount edges { node { slug succession { risk } } } } } } }";
    let res = app
        .gql_as(&a.w.admin, at_risk, json!({ "id": a.w.org_id }))
        .await;
    let list = &ok(&res)["node"]["groupsAtRisk"];
    let slugs: Vec<&str> = list["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "bare-circle",
            "expiring-circle",
            "practicum-circle",
            "steady-pair"
        ]
    );
    assert_eq!(list["totalCount"], 4);
    assert_eq!(list["edges"][0]["node"]["succession"]["risk"], "CRITICAL");
    // A coordinator of another branch sees none of them; a cluster's list keeps to its subtree.
    let res = app
        .gql_as(&a.w.coordinator_b, at_risk, json!({ "id": a.w.org_id }))
        .await;
    assert_eq!(ok(&res)["node"]["groupsAtRisk"]["totalCount"], 0);
    assert_eq!(
        code(
            &app.gql_as(&member, at_risk, json!({ "id": a.w.org_id }))
                .await
        ),
        "FORBIDDEN"
    );
    let cluster = "query($id: ID!, $after: String) { cluster(id: $id) { groupsAtRisk(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { slug } } } } }";
    let res = app
        .gql_as(&a.w.coordinator_a, cluster, json!({ "id": a.w.a1a }))
        .await;
    let page = &ok(&res)["cluster"]["groupsAtRisk"];
    assert_eq!(page["totalCount"], 3);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    // The next page goes on where the first stopped, in the same order.
    let after = page["pageInfo"]["endCursor"].clone();
    let res = app
        .gql_as(
            &a.w.coordinator_a,
            cluster,
            json!({ "id": a.w.a1a, "after": after }),
        )
        .await;
    let next = &ok(&res)["cluster"]["groupsAtRisk"];
    let slugs: Vec<&str> = [page, next]
        .iter()
        .flat_map(|p| p["edges"].as_array().unwrap())
        .map(|e| e["node"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["bare-circle", "expiring-circle", "steady-pair"]);
    assert_eq!(next["pageInfo"]["hasNextPage"], false);

    // Naming a successor.
    let trainee_m = a.trainee_m.clone();
    let name = async |who: &Session, m: &str| {
        app.gql_as(
            who,
            NAME_SUCCESSOR,
            json!({ "input": { "groupId": a.group, "membershipId": m } }),
        )
        .await
    };
    assert_eq!(
        code(
            &app.gql(
                NAME_SUCCESSOR,
                json!({ "input": { "groupId": a.group, "membershipId": trainee_m } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&name(&member, &trainee_m).await), "FORBIDDEN");
    assert_eq!(code(&name(&a.senior, &a.senior_m).await), "BAD_USER_INPUT");
    let named = name(&a.senior, &trainee_m).await;
    assert_eq!(
        ok(&named)["nameSuccessor"]["group"]["succession"]["namedSuccessors"][0]["id"],
        json!(trainee_m)
    );
    assert_eq!(code(&name(&a.senior, &trainee_m).await), "CONFLICT");
}

/// `organisation { groupsAtRisk(first: 50) { … succession { risk activeCertifiedFacilitators } } }`
/// costs the same however many groups are at risk.
#[tokio::test]
async fn groups_at_risk_costs_a_fixed_number_of_statements() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    let query = "query($id: ID!) { node(id: $id) { ... on Organisation { groupsAtRisk(first: 50) { edges { node { succession { risk activeCertifiedFacilitators } } } } } } }";
    let mut counts = Vec::new();
    for round in 0..2 {
        for i in 0..(2 + round * 3) {
            let g = app
                .group(&a.w.admin, &a.w.b, &format!("risky-{round}-{i}"), json!({}))
                .await;
            let (s, _) =
                member_with_role(&app, &a.w, &g, &format!("F{round}{i}"), "FACILITATOR").await;
            let now = Utc::now();
            if i % 2 == 0 {
                certify(
                    &app,
                    &s.person_id,
                    &a.program,
                    &a.w.org_id,
                    now - Duration::days(1),
                    now + Duration::days(400),
                )
                .await;
            }
        }
        app.statements.reset();
        let res = app
            .gql_as(&a.w.admin, query, json!({ "id": a.w.org_id }))
            .await;
        let n = app.statements.get();
        let edges = ok(&res)["node"]["groupsAtRisk"]["edges"]
            .as_array()
            .unwrap()
            .len();
        assert!(edges >= 3 + round * 5, "{edges}");
        counts.push(n);
    }
    assert_eq!(counts[0], counts[1], "statements: {counts:?}");
    // Recomputing stale rows costs 8 (read them, the groups, the load, certifications and next
    // meetings, store); the page and its successions about 11.
    assert!(counts[1] <= 20, "statements: {counts:?}");
    // Nothing changed since: the stored risks are read, nothing is recomputed.
    app.statements.reset();
    ok(&app
        .gql_as(&a.w.admin, query, json!({ "id": a.w.org_id }))
        .await);
    let steady = app.statements.get();
    assert!(steady < counts[1], "statements: {counts:?} then {steady}");
}

const AT_RISK: &str = "query($id: ID!) { node(id: $id) { ... on Organisation { groupsAtRisk(first: 50) { edges { node { slug succession { risk } } } } } } }";

/// Makes `facilitator` (a membership) the meeting's lead, as rotation would.
async fn set_lead(app: &TestApp, meeting: &str, facilitator: &str) {
    entity::meeting::Entity::update_many()
        .col_expr(
            entity::meeting::Column::FacilitatorId,
            Expr::value(uuid_of(facilitator)),
        )
        .filter(entity::meeting::Column::Id.eq(uuid_of(meeting)))
        .exec(&app.db)
        .await
        .unwrap();
}

/// Schedules meetings `days_ago` led by `facilitator` (a membership); returns (id, start).
async fn past_meetings(
    app: &TestApp,
    who: &Session,
    group: &str,
    facilitator: &str,
    days_ago: &[i64],
) -> Vec<(String, chrono::DateTime<Utc>)> {
    let mut out = Vec::new();
    for days in days_ago {
        let starts = Utc::now() - Duration::days(*days);
        let id = app.meeting_at(who, group, starts).await;
        set_lead(app, &id, facilitator).await;
        out.push((id, starts));
    }
    out
}

async fn stored(app: &TestApp, group: &str) -> entity::group_succession::Model {
    entity::group_succession::Entity::find_by_id(uuid_of(group))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn stored_until(app: &TestApp, group: &str) -> chrono::DateTime<Utc> {
    stored(app, group).await.fresh_until.unwrap()
}

/// A person in a group: session, membership, certification and its end.
type Person = (Session, String, uuid::Uuid, chrono::DateTime<Utc>);

fn close_to(a: chrono::DateTime<Utc>, b: chrono::DateTime<Utc>) -> bool {
    (a - b).num_milliseconds().abs() < 5
}

/// The stored risks behind `groupsAtRisk` follow every write the risk is computed from (kept
/// by triggers), and time.
#[tokio::test]
async fn groups_at_risk_follows_every_write_and_time() {
    let app = spawn_app().await;
    let a = academy(&app).await;
    let now = Utc::now();
    let slugs = [
        "by-report",
        "by-revocation",
        "by-shared",
        "by-role",
        "by-meetings",
        "by-policy",
    ];
    // Each group: a facilitator and a co-facilitator, both certified for long: OK.
    let mut groups = Vec::new();
    for slug in slugs {
        let g = app.group(&a.w.admin, &a.w.a1a, slug, json!({})).await;
        let mut people = Vec::new();
        for (i, role) in ["FACILITATOR", "CO_FACILITATOR"].into_iter().enumerate() {
            let (s, m) = member_with_role(&app, &a.w, &g, &format!("{slug}-{i}"), role).await;
            let until = now + Duration::days(500 + i as i64);
            let cert = certify(&app, &s.person_id, &a.program, &a.w.org_id, now, until).await;
            people.push((s, m, cert, until));
        }
        groups.push((g, people));
    }
    let [report, revoke, shared, role, meet, policy] = &groups[..] else {
        unreachable!()
    };
    // The revoked co-facilitator co-facilitates by-shared too (instead of its own second one).
    let set_role = "mutation($id: ID!, $role: MembershipRole!) { setMembershipRole(input: {membershipId: $id, role: $role}) { membership { id } } }";
    let joined = ok(&app.join(&revoke.1[1].0, &shared.0).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (m, r) in [(&joined, "CO_FACILITATOR"), (&shared.1[1].1, "MEMBER")] {
        ok(&app
            .gql_as(&a.w.admin, set_role, json!({ "id": m, "role": r }))
            .await);
    }
    let rotation = "mutation($input: SetRotationPolicyInput!) { setRotationPolicy(input: $input) { rotationPolicy { maxConsecutiveBlocks } } }";
    let set_policy = async |(g, p): &(String, Vec<Person>), weeks: i64, max: i64| {
        ok(&app
            .gql_as(
                &p[0].0,
                rotation,
                json!({ "input": { "groupId": g, "periodWeeks": weeks, "maxConsecutiveBlocks": max } }),
            )
            .await);
    };
    // by-policy: two blocks in a row by its lead, which a policy of three allows; by-meetings
    // leads in long blocks, so that only how many meetings counts.
    set_policy(policy, 1, 3).await;
    set_policy(meet, 8, 12).await;
    let policy_meetings =
        past_meetings(&app, &policy.1[0].0, &policy.0, &policy.1[0].1, &[3, 10]).await;
    let listed = async || -> Vec<String> {
        let res = app
            .gql_as(&a.w.admin, AT_RISK, json!({ "id": a.w.org_id }))
            .await;
        ok(&res)["node"]["groupsAtRisk"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["node"]["succession"]["risk"] == "AT_RISK")
            .filter_map(|e| e["node"]["slug"].as_str())
            .filter(|slug| slug.starts_with("by-"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(listed().await, Vec::<String>::new());
    // Each row remembers when time alone would change it: the first certification to come
    // within 60 days of its end, or the first meeting to leave the 8-week window.
    let expected = revoke.1[0].3 - Duration::days(60);
    let until = stored_until(&app, &revoke.0).await;
    assert!(close_to(until, expected), "{until} vs {expected}");
    let expected = policy_meetings[1].1 + Duration::weeks(8);
    let until = stored_until(&app, &policy.0).await;
    assert!(close_to(until, expected), "{until} vs {expected}");
    // A meeting to come counts from when it starts.
    let next = Utc::now() + Duration::days(3);
    let id = app.meeting_at(&policy.1[0].0, &policy.0, next).await;
    set_lead(&app, &id, &policy.1[0].1).await;
    assert_eq!(listed().await, Vec::<String>::new());
    let until = stored_until(&app, &policy.0).await;
    assert!(close_to(until, next), "{until} vs {next}");

    let mut expected: Vec<&str> = Vec::new();
    let mut step = async |slugs: &[&'static str]| {
        expected.extend(slugs);
        expected.sort();
        assert_eq!(listed().await, expected);
    };
    // A load report.
    let load = "mutation($input: ReportFacilitatorLoadInput!) { reportFacilitatorLoad(input: $input) { ok } }";
    ok(&app
        .gql_as(
            &report.1[1].0,
            load,
            json!({ "input": { "groupId": report.0, "rating": 5 } }),
        )
        .await);
    step(&["by-report"]).await;
    // A certification of someone who co-facilitates two groups.
    let revoke_cert = "mutation($input: RevokeCertificationInput!) { revokeCertification(input: $input) { certification { status } } }";
    ok(&app
        .gql_as(
            &a.trainer,
            revoke_cert,
            json!({ "input": { "certificationId": encode_id("Certification", revoke.1[1].2), "reason": "left the programme" } }),
        )
        .await);
    step(&["by-revocation", "by-shared"]).await;
    // A membership.
    ok(&app
        .gql_as(
            &a.w.admin,
            set_role,
            json!({ "id": role.1[1].1, "role": "MEMBER" }),
        )
        .await);
    step(&["by-role"]).await;
    // Meetings: five led by the lead in the last eight weeks; one fewer is fine again.
    let held = past_meetings(
        &app,
        &meet.1[0].0,
        &meet.0,
        &meet.1[0].1,
        &[2, 7, 13, 19, 25],
    )
    .await;
    step(&["by-meetings"]).await;
    entity::meeting::Entity::delete_by_id(uuid_of(&held[0].0))
        .exec(&app.db)
        .await
        .unwrap();
    expected.retain(|s| *s != "by-meetings");
    assert_eq!(listed().await, expected);
    // The group itself: a stricter rotation policy.
    set_policy(policy, 1, 1).await;
    let mut step = async |slugs: &[&'static str]| {
        expected.extend(slugs);
        expected.sort();
        assert_eq!(listed().await, expected);
    };
    step(&["by-policy"]).await;

    // Time: a row whose horizon has passed is recomputed, whatever it held.
    let backend = app.db.get_database_backend();
    let overtaken = "UPDATE group_succession SET risk = 'OK', list_key = NULL, fresh_until = ? \
                     WHERE group_id = ?";
    app.db
        .execute_raw(raw_statement(
            backend,
            overtaken,
            vec![
                (Utc::now() - Duration::minutes(1)).into(),
                uuid_of(&report.0).into(),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(listed().await, expected);

    // A recomputation that a write overtook is not stored: the row stays stale.
    let org = uuid_of(&a.w.org_id);
    let later = now + Duration::days(900);
    certify(
        &app,
        &report.1[0].0.person_id,
        &a.program,
        &a.w.org_id,
        now,
        later,
    )
    .await;
    let stale = risk_summary::stale(&app.db, org, &[], Utc::now())
        .await
        .unwrap();
    let row = *stale
        .iter()
        .find(|r| r.group_id == uuid_of(&report.0))
        .unwrap();
    certify(
        &app,
        &report.1[1].0.person_id,
        &a.program,
        &a.w.org_id,
        now,
        later,
    )
    .await;
    risk_summary::store(
        &app.db,
        &[risk_summary::Computed {
            group_id: row.group_id,
            version: row.version,
            risk: SuccessionRisk::Critical,
            list_key: Some("0:by-report".into()),
            fresh_until: None,
        }],
    )
    .await
    .unwrap();
    let kept = stored(&app, &report.0).await;
    assert_eq!(
        (kept.fresh_until, kept.risk.as_deref()),
        (None, Some("AT_RISK"))
    );
    assert_eq!(listed().await, expected);
}
