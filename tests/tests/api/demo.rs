//! The demo network: every role can sign in and sees what that role should.

use canopy::domain::demo::{DEMO_PASSWORD, load};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, code, ok, spawn_demo_app, test_config};

async fn log_in(app: &TestApp, email: &str) -> Session {
    let res = app
        .gql(
            "mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { accessToken refreshToken person { id } } }",
            json!({ "e": email, "p": DEMO_PASSWORD }),
        )
        .await;
    let p = &ok(&res)["logIn"];
    Session {
        token: p["accessToken"].as_str().unwrap().to_owned(),
        refresh: p["refreshToken"].as_str().unwrap().to_owned(),
        person_id: p["person"]["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
    }
}

fn total(res: &Value) -> i64 {
    res["data"]["groups"]["totalCount"].as_i64().unwrap_or(-1)
}

const COUNT: &str = "{ groups { totalCount } }";

#[tokio::test]
async fn the_demo_network_has_every_role_and_respects_visibility() {
    let app = spawn_demo_app().await;
    let structure = app
        .gql(
            "{ organisation(slug: \"evergreen\") { name clusters(first: 10) { totalCount edges { node { name depth } } } } }",
            json!({}),
        )
        .await;
    let org = &ok(&structure)["organisation"];
    assert_eq!(org["name"], "Evergreen Peer Network");
    assert_eq!(org["clusters"]["totalCount"], 5);
    let admin = log_in(&app, "admin@evergreen.example").await;
    assert_eq!(total(&app.gql_as(&admin, COUNT, json!({})).await), 12);
    let anonymous = total(&app.gql(COUNT, json!({})).await);
    assert!(
        anonymous > 0 && anonymous < 12,
        "anonymous sees only PUBLIC groups: {anonymous}"
    );
    let formats = app
        .gql_as(
            &admin,
            "{ groups(first: 12) { edges { node { format modality } } } }",
            json!({}),
        )
        .await;
    let edges = ok(&formats)["groups"]["edges"].as_array().unwrap().clone();
    for f in [
        "TOPIC_CIRCLE",
        "SKILL_POD",
        "LIFE_STAGE_COHORT",
        "HYBRID_COMMUNITY",
    ] {
        assert!(
            edges.iter().any(|e| e["node"]["format"] == f),
            "{f} missing"
        );
    }
    for m in ["IN_PERSON", "ONLINE", "HYBRID"] {
        assert!(
            edges.iter().any(|e| e["node"]["modality"] == m),
            "{m} missing"
        );
    }
    for email in [
        "coordinator",
        "trainer",
        "curator",
        "analyst",
        "facilitator",
        "member",
    ] {
        let who = log_in(&app, &format!("{email}@evergreen.example")).await;
        let me = app
            .gql_as(&who, "{ viewer { person { email } } }", json!({}))
            .await;
        assert_eq!(
            ok(&me)["viewer"]["person"]["email"],
            format!("{email}@evergreen.example")
        );
    }
    let facilitator = log_in(&app, "facilitator@evergreen.example").await;
    let own = app
        .gql_as(&facilitator, "{ group(slug: \"carers-north-evenings\") { viewerMembership { role } members { totalCount } } }", json!({}))
        .await;
    assert_eq!(ok(&own)["group"]["viewerMembership"]["role"], "FACILITATOR");
    assert!(
        own["data"]["group"]["members"]["totalCount"]
            .as_i64()
            .unwrap()
            >= 8
    );
}

#[tokio::test]
async fn the_demo_refuses_a_database_that_is_not_empty() {
    let app = spawn_demo_app().await;
    let config = test_config("sqlite::memory:", &[]);
    let hasher = canopy::auth::PasswordHasher::new(config.argon2).unwrap();
    let second = load(&app.db, &hasher).await;
    assert!(matches!(second, Err(canopy::error::AppError::Conflict(_))));
    // The first load is untouched.
    let res = app.gql("{ organisations { totalCount } }", json!({})).await;
    assert_eq!(ok(&res)["organisations"]["totalCount"], 2);
    assert_eq!(code(&res), "");
}

#[tokio::test]
async fn the_demo_has_twelve_weeks_of_group_life_and_one_facilitator_at_risk() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = spawn_demo_app().await;
    let coordinator = log_in(&app, "coordinator@evergreen.example").await;
    let q = "{ group(slug: \"carers-north-evenings\") { meetings(first: 100) { totalCount edges { node { status agenda { title } } } } record(first: 3) { totalCount edges { node { summary actionItems { status } } } } facilitatorLoad { atRisk reasons } attendanceConsistency { membersMeasured averageRate } } }";
    let res = app.gql_as(&coordinator, q, json!({})).await;
    let g = &ok(&res)["group"];
    let meetings = g["meetings"]["edges"].as_array().unwrap();
    let held = meetings
        .iter()
        .filter(|m| m["node"]["status"] == "HELD")
        .count();
    let scheduled = meetings
        .iter()
        .filter(|m| m["node"]["status"] == "SCHEDULED")
        .count();
    assert!(held >= 5, "biweekly over twelve weeks: {held}");
    assert!(scheduled >= 3, "the coming weeks are planned: {scheduled}");
    assert!(
        meetings
            .iter()
            .all(|m| !m["node"]["agenda"].as_array().unwrap().is_empty())
    );
    assert_eq!(g["record"]["totalCount"].as_i64().unwrap() as usize, held);
    let loads = g["facilitatorLoad"].as_array().unwrap();
    assert!(loads.iter().any(|l| l["atRisk"] == true), "{loads:?}");
    assert!(
        g["attendanceConsistency"]["membersMeasured"]
            .as_i64()
            .unwrap()
            >= 8
    );
    let rate = g["attendanceConsistency"]["averageRate"].as_f64().unwrap();
    assert!(
        rate > 0.3 && rate < 1.0,
        "attendance is realistic, not uniform: {rate}"
    );
    // Commitments in every status, across the network.
    let statuses: std::collections::BTreeSet<String> = entity::action_commitment::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.status.as_str().to_owned())
        .collect();
    assert_eq!(statuses.len(), 5, "{statuses:?}");
    assert!(
        entity::meeting::Entity::find()
            .count(&app.db)
            .await
            .unwrap()
            > 100
    );
    // Exactly one facilitator in the whole network is at risk.
    let admin = log_in(&app, "admin@evergreen.example").await;
    let all = app
        .gql_as(
            &admin,
            "{ groups(first: 20) { edges { node { slug facilitatorLoad { atRisk } } } } }",
            json!({}),
        )
        .await;
    let at_risk: Vec<String> = ok(&all)["groups"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            let slug = e["node"]["slug"].as_str().unwrap().to_owned();
            e["node"]["facilitatorLoad"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["atRisk"] == true)
                .map(move |_| slug.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(at_risk, ["carers-north-evenings"]);
    // The planned meetings came from the rotation.
    let planned = app
        .gql_as(&coordinator, "{ group(slug: \"carers-north-evenings\") { nextMeeting { facilitatorAssignedBy facilitator { id } coFacilitator { id } } } }", json!({}))
        .await;
    assert_eq!(
        ok(&planned)["group"]["nextMeeting"]["facilitatorAssignedBy"],
        "ROTATION"
    );
}

#[tokio::test]
async fn the_demo_has_member_care_in_every_state() {
    let app = spawn_demo_app().await;
    let facilitator = log_in(&app, "facilitator@evergreen.example").await;
    let today = chrono::Utc::now().date_naive();
    let q = "query($from: Date!, $to: Date!) { group(slug: \"carers-north-evenings\") { wellbeing(from: $from, to: $to) { suppressed withheld contributors } pledgeStatus { standing } polls(first: 5) { edges { node { open tally { up down } } } } suggestions(first: 5) { totalCount } meetings(first: 30, filter: {status: [HELD]}) { edges { node { feedbackSummary { suppressed withheld responses comments } } } } members(first: 20) { edges { node { buddyPair { active } } } } } }";
    let vars = json!({ "from": (today - chrono::Duration::weeks(12)).to_string(), "to": today.to_string() });
    let res = app.gql_as(&facilitator, q, vars).await;
    let g = &ok(&res)["group"];
    let weeks = g["wellbeing"].as_array().unwrap();
    let shown = weeks.iter().filter(|w| w["suppressed"] == false).count();
    let too_few = weeks
        .iter()
        .filter(|w| w["withheld"] == "TOO_FEW_CONTRIBUTORS")
        .count();
    assert!(shown >= 6 && too_few >= 3, "{weeks:?}");
    let standings: std::collections::BTreeSet<&str> = g["pledgeStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["standing"].as_str().unwrap())
        .collect();
    assert_eq!(
        standings,
        ["EXPIRED", "EXPIRING_SOON", "MISSING"]
            .into_iter()
            .collect()
    );
    let polls = g["polls"]["edges"].as_array().unwrap();
    assert!(polls.iter().any(|p| p["node"]["open"] == true));
    assert!(polls.iter().any(|p| p["node"]["open"] == false));
    assert_eq!(g["suggestions"]["totalCount"], 2);
    let summaries: Vec<&Value> = g["meetings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["feedbackSummary"])
        .collect();
    assert!(
        summaries
            .iter()
            // Released: its (noisy) count is there, whatever the noise made of it.
            .any(|s| s["suppressed"] == false && s["responses"].as_i64().is_some())
    );
    assert!(
        summaries
            .iter()
            .any(|s| s["withheld"] == "TOO_FEW_CONTRIBUTORS")
    );
    let pairs: Vec<&Value> = g["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            e["node"]["buddyPair"]
                .as_object()
                .map(|_| &e["node"]["buddyPair"])
        })
        .collect();
    assert!(!pairs.is_empty());
    // One application is waiting on the members' decision somewhere in the network.
    let pending: u64 = sea_orm::PaginatorTrait::count(
        <entity::membership_application::Entity as sea_orm::EntityTrait>::find(),
        &app.db,
    )
    .await
    .unwrap();
    assert_eq!(pending, 1);
}

#[tokio::test]
async fn the_demo_trains_facilitators_across_three_generations() {
    use sea_orm::ConnectionTrait as _;
    let app = spawn_demo_app().await;
    let admin = log_in(&app, "admin@evergreen.example").await;
    let res = app
        .gql_as(
            &admin,
            "{ organisation(slug: \"evergreen\") { trainingReach { certifiedFacilitators activeTrainers generations certifiedLast12Months } groupsAtRisk(first: 20) { totalCount edges { node { slug succession { risk } } } } } trainingPrograms(first: 5) { totalCount edges { node { slug isTrainerProgram competencies { code } workshops(first: 5) { totalCount edges { node { startsAt } } } } } } }",
            json!({}),
        )
        .await;
    let data = ok(&res);
    let reach = &data["organisation"]["trainingReach"];
    assert_eq!(reach["generations"], 3);
    assert!(reach["certifiedFacilitators"].as_i64().unwrap() >= 10);
    assert!(reach["activeTrainers"].as_i64().unwrap() >= 2);
    let programs = data["trainingPrograms"]["edges"].as_array().unwrap();
    assert_eq!(programs.len(), 2);
    let facilitation = programs
        .iter()
        .find(|p| p["node"]["slug"] == "peer-facilitation")
        .unwrap();
    let codes = facilitation["node"]["competencies"].to_string();
    for code in [
        "AGENDA_SETTING",
        "ACTIVE_LISTENING",
        "CONFLICT_RESOLUTION",
        "CONFIDENTIALITY",
        "CRISIS_REFERRAL",
        "INCLUSIVE_FACILITATION",
    ] {
        assert!(codes.contains(code), "{code}");
    }
    assert_eq!(facilitation["node"]["workshops"]["totalCount"], 3);
    // Every risk level: CRITICAL and AT_RISK listed; the rest OK.
    let risks: Vec<String> = data["organisation"]["groupsAtRisk"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["succession"]["risk"].as_str().unwrap().to_owned())
        .collect();
    assert!(risks.contains(&"CRITICAL".to_owned()) && risks.contains(&"AT_RISK".to_owned()));
    let at_risk = risks.len();
    assert!(at_risk < 12, "{risks:?}");
    // Certifications in every status.
    let statuses = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id FROM certifications",
        ))
        .await
        .unwrap();
    let mut seen = std::collections::HashSet::new();
    for row in statuses {
        let id: uuid::Uuid = row.try_get("", "id").unwrap();
        let res = app
            .gql_as(
                &admin,
                "query($id: ID!) { node(id: $id) { ... on Certification { status } } }",
                json!({ "id": crate::helpers::encode_id("Certification", id) }),
            )
            .await;
        seen.insert(ok(&res)["node"]["status"].as_str().unwrap().to_owned());
    }
    for s in ["ACTIVE", "EXPIRING_SOON", "EXPIRED", "REVOKED"] {
        assert!(seen.contains(s), "{s} in {seen:?}");
    }
    // The member account is a trainee in practicum, mentored by the facilitator account.
    let member = log_in(&app, "member@evergreen.example").await;
    let facilitator = log_in(&app, "facilitator@evergreen.example").await;
    let progress = "query($p: ID!) { traineeProgress(personId: $p, programSlug: \"peer-facilitation\") { practicumDone workshopCompleted eligible missing competencies { status } } }";
    for who in [&member, &facilitator] {
        let res = app
            .gql_as(who, progress, json!({ "p": member.person_id }))
            .await;
        let p = &ok(&res)["traineeProgress"];
        assert!(p["practicumDone"].as_i64().unwrap() >= 2, "{p}");
        assert_eq!(p["workshopCompleted"], true);
        assert_eq!(p["eligible"], false);
        // Four competencies accepted, one waiting for review, one not started.
        let missing = p["missing"].to_string();
        assert!(
            missing.contains("CRISIS_REFERRAL") && missing.contains("INCLUSIVE_FACILITATION"),
            "{p}"
        );
    }
}

#[tokio::test]
async fn the_demo_library_has_published_tools_versions_forks_adoptions_and_ratings() {
    let app = spawn_demo_app().await;
    let anonymous = app
        .gql(
            "{ resources(first: 100) { totalCount edges { node { kind licence } } } }",
            json!({}),
        )
        .await;
    let list = &ok(&anonymous)["resources"];
    assert!(
        list["totalCount"].as_i64().unwrap() >= 20,
        "20+ published resources: {list}"
    );
    let edges = list["edges"].as_array().unwrap();
    for licence in [
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-SA-4.0",
        "CC0-1.0",
        "ALL-RIGHTS-RESERVED",
    ] {
        assert!(
            edges.iter().any(|e| e["node"]["licence"] == licence),
            "{licence}"
        );
    }
    for kind in [
        "CHECKLIST",
        "GUIDED_SCRIPT",
        "AGENDA_TEMPLATE",
        "CONFLICT_FLOWCHART",
        "WORKSHEET",
        "FACILITATOR_TOOLKIT",
        "LINK",
    ] {
        assert!(edges.iter().any(|e| e["node"]["kind"] == kind), "{kind}");
    }
    let detail = app
        .gql(
            "{ resource(slug: \"box-breathing\") { versionNumber adoptionCount rating { average count } derivatives(first: 5) { totalCount } } }",
            json!({}),
        )
        .await;
    let r = &ok(&detail)["resource"];
    assert_eq!(r["versionNumber"], 2);
    assert_eq!(r["adoptionCount"], 3);
    assert!(r["rating"]["count"].as_i64().unwrap() > 0);
    assert_eq!(r["derivatives"]["totalCount"], 1);
    let found = app
        .gql(
            "{ resources(search: \"breathing\") { edges { node { slug } } } }",
            json!({}),
        )
        .await;
    let mut best: Vec<&str> = ok(&found)["resources"]["edges"].as_array().unwrap()[..2]
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap())
        .collect();
    best.sort();
    assert_eq!(
        best,
        ["box-breathing", "box-breathing-for-children"],
        "title matches first"
    );
    let curator = log_in(&app, "curator@evergreen.example").await;
    let review = app
        .gql_as(
            &curator,
            "{ resources(filter: {statuses: [IN_REVIEW, DRAFT]}) { totalCount } trainingProgram(slug: \"peer-facilitation\") { toolkit { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&review)["resources"]["totalCount"], 2);
    assert_eq!(
        ok(&review)["trainingProgram"]["toolkit"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
