//! The demo network (DESIGN §9) for `canopy serve --demo`: an umbrella with nested clusters, a
//! partner, a dozen groups across every format and modality, about eighty people, and one
//! sign-in account per role. Loaded only into an empty database.

use chrono::{Duration, Utc};
use entity::{
    Admission, CadenceFrequency, GroupFormat, GroupStatus, MembershipRole, MembershipSource,
    Modality, OrganisationKind, Role, Visibility, Weekday, organisation,
};
use sea_orm::TransactionSession as _;
use sea_orm::{EntityTrait, PaginatorTrait, TransactionTrait};
use uuid::Uuid;

mod care;
mod life;
mod resources;
mod training;

use super::{
    accounts::insert_person,
    groups::{CadenceFields, GroupFields, Patch, VenueFields, insert_group},
    memberships::insert_active,
    umbrella::{NewOrganisation, insert_cluster, insert_grant, insert_organisation},
    values::Email,
};
use crate::{
    auth::PasswordHasher,
    error::{AppError, AppResult},
};

pub const DEMO_PASSWORD: &str = "evergreen-demo-2026";

pub struct DemoAccount {
    pub role: &'static str,
    pub email: String,
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Bea", "Cal", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Milo",
    "Nia", "Otto", "Pia", "Quin", "Rosa", "Sami", "Tess", "Uma", "Vik", "Wren", "Xia", "Yara",
    "Zeno", "Arlo", "Bo", "Cleo", "Dara",
];

struct GroupSpec {
    slug: &'static str,
    name: &'static str,
    purpose: &'static str,
    focus: &'static str,
    cluster: usize,
    format: GroupFormat,
    modality: Modality,
    frequency: CadenceFrequency,
    weekday: Weekday,
    visibility: Visibility,
    admission: Admission,
    members: usize,
}

const GROUPS: &[GroupSpec] = &[
    GroupSpec {
        slug: "carers-north-evenings",
        name: "Carers North — Evening Circle",
        purpose: "Share the load of caring for a parent or partner, and leave with one thing to try.",
        focus: "family caregiving",
        cluster: 1,
        format: GroupFormat::TopicCircle,
        modality: Modality::InPerson,
        frequency: CadenceFrequency::Biweekly,
        weekday: Weekday::Tuesday,
        visibility: Visibility::Public,
        admission: Admission::Open,
        members: 9,
    },
    GroupSpec {
        slug: "carers-north-dementia",
        name: "Dementia Carers Skill Pod",
        purpose: "Practise calm communication and planning skills for dementia care.",
        focus: "dementia",
        cluster: 1,
        format: GroupFormat::SkillPod,
        modality: Modality::Hybrid,
        frequency: CadenceFrequency::Biweekly,
        weekday: Weekday::Thursday,
        visibility: Visibility::Network,
        admission: Admission::ByConsent,
        members: 8,
    },
    GroupSpec {
        slug: "carers-south-young",
        name: "Young Carers Cohort",
        purpose: "A cohort for carers under 30 balancing study, work and care.",
        focus: "young carers",
        cluster: 2,
        format: GroupFormat::LifeStageCohort,
        modality: Modality::Online,
        frequency: CadenceFrequency::Weekly,
        weekday: Weekday::Wednesday,
        visibility: Visibility::Public,
        admission: Admission::Open,
        members: 10,
    },
    GroupSpec {
        slug: "carers-south-community",
        name: "South Carers Community",
        purpose: "An open community of carers meeting online and in person.",
        focus: "caregiving",
        cluster: 2,
        format: GroupFormat::HybridCommunity,
        modality: Modality::Hybrid,
        frequency: CadenceFrequency::Monthly,
        weekday: Weekday::Saturday,
        visibility: Visibility::Public,
        admission: Admission::Open,
        members: 12,
    },
    GroupSpec {
        slug: "nurses-burnout-circle",
        name: "Nurses' Burnout Circle",
        purpose: "Nurses talking honestly about exhaustion and what helps.",
        focus: "burnout",
        cluster: 3,
        format: GroupFormat::TopicCircle,
        modality: Modality::Online,
        frequency: CadenceFrequency::Biweekly,
        weekday: Weekday::Monday,
        visibility: Visibility::Network,
        admission: Admission::ByConsent,
        members: 8,
    },
    GroupSpec {
        slug: "social-workers-pod",
        name: "Social Workers' Boundaries Pod",
        purpose: "Build boundary-setting skills together, one scenario at a time.",
        focus: "boundaries",
        cluster: 3,
        format: GroupFormat::SkillPod,
        modality: Modality::InPerson,
        frequency: CadenceFrequency::Biweekly,
        weekday: Weekday::Wednesday,
        visibility: Visibility::Private,
        admission: Admission::Closed,
        members: 7,
    },
    GroupSpec {
        slug: "teachers-stress-circle",
        name: "Teachers' Stress Circle",
        purpose: "Teachers sharing what the term takes out of them, and what puts it back.",
        focus: "stress",
        cluster: 3,
        format: GroupFormat::TopicCircle,
        modality: Modality::Hybrid,
        frequency: CadenceFrequency::Weekly,
        weekday: Weekday::Thursday,
        visibility: Visibility::Public,
        admission: Admission::Open,
        members: 11,
    },
    GroupSpec {
        slug: "first-responders",
        name: "First Responders Community",
        purpose: "Peer support for paramedics, firefighters and dispatchers.",
        focus: "trauma exposure",
        cluster: 3,
        format: GroupFormat::HybridCommunity,
        modality: Modality::InPerson,
        frequency: CadenceFrequency::Monthly,
        weekday: Weekday::Sunday,
        visibility: Visibility::Network,
        admission: Admission::Open,
        members: 9,
    },
    GroupSpec {
        slug: "new-parents-cohort",
        name: "New Parents Cohort",
        purpose: "The first year with a baby: sleep, identity, and asking for help.",
        focus: "new parents",
        cluster: 4,
        format: GroupFormat::LifeStageCohort,
        modality: Modality::InPerson,
        frequency: CadenceFrequency::Weekly,
        weekday: Weekday::Friday,
        visibility: Visibility::Public,
        admission: Admission::Open,
        members: 12,
    },
    GroupSpec {
        slug: "retirement-transitions",
        name: "Retirement Transitions Circle",
        purpose: "Finding rhythm and purpose after a working life.",
        focus: "retirement",
        cluster: 4,
        format: GroupFormat::TopicCircle,
        modality: Modality::Online,
        frequency: CadenceFrequency::Biweekly,
        weekday: Weekday::Tuesday,
        visibility: Visibility::Public,
        admission: Admission::ByConsent,
        members: 8,
    },
    GroupSpec {
        slug: "grief-and-change",
        name: "Grief and Change Pod",
        purpose: "Skills for living with loss during big life changes.",
        focus: "grief",
        cluster: 4,
        format: GroupFormat::SkillPod,
        modality: Modality::Online,
        frequency: CadenceFrequency::Biweekly,
        weekday: Weekday::Monday,
        visibility: Visibility::Private,
        admission: Admission::ByConsent,
        members: 6,
    },
    GroupSpec {
        slug: "career-changers",
        name: "Career Changers Community",
        purpose: "Support while leaving one career and building the next.",
        focus: "career change",
        cluster: 4,
        format: GroupFormat::HybridCommunity,
        modality: Modality::Hybrid,
        frequency: CadenceFrequency::AdHoc,
        weekday: Weekday::Saturday,
        visibility: Visibility::Network,
        admission: Admission::Open,
        members: 9,
    },
];

/// Loads the network; refuses a database that already holds organisations.
pub async fn load(
    db: &impl TransactionTrait,
    hasher: &PasswordHasher,
) -> AppResult<Vec<DemoAccount>> {
    let txn = super::begin(db).await?;
    if organisation::Entity::find().count(&txn).await? > 0 {
        return Err(AppError::conflict(
            "the demo network loads only into an empty database; point CANOPY_DATABASE_URL at a new one",
        ));
    }
    let hash = hasher.hash(DEMO_PASSWORD.to_owned()).await?;
    let umbrella = insert_organisation(
        &txn,
        NewOrganisation {
            slug: "evergreen".into(),
            name: "Evergreen Peer Network".into(),
            kind: OrganisationKind::Umbrella,
            description: Some("An umbrella of peer-led support groups for carers, helping professionals and people in transition.".into()),
        },
    )
    .await?;
    let partner = insert_organisation(
        &txn,
        NewOrganisation {
            slug: "riverside-health".into(),
            name: "Riverside Community Health".into(),
            kind: OrganisationKind::Partner,
            description: Some("A community health centre that hosts some Evergreen groups.".into()),
        },
    )
    .await?;
    let caregivers = insert_cluster(
        &txn,
        &umbrella,
        None,
        "Caregivers",
        Some("Groups for unpaid carers."),
    )
    .await?;
    let north = insert_cluster(
        &txn,
        &umbrella,
        Some(&caregivers),
        "Caregivers — North",
        None,
    )
    .await?;
    let south = insert_cluster(
        &txn,
        &umbrella,
        Some(&caregivers),
        "Caregivers — South",
        None,
    )
    .await?;
    let helping = insert_cluster(
        &txn,
        &umbrella,
        None,
        "Helping Professions",
        Some("Burnout and stress in caring work."),
    )
    .await?;
    let transitions = insert_cluster(&txn, &umbrella, None, "Life Transitions", None).await?;
    let clusters = [&caregivers, &north, &south, &helping, &transitions];

    let mut accounts = Vec::new();
    let person = |label: String, email: String| add_person(&txn, hash.clone(), label, email);
    let admin = person("Morgan".into(), "admin@evergreen.example".into()).await?;
    let coordinator = person("Robin".into(), "coordinator@evergreen.example".into()).await?;
    let trainer = person("Sasha".into(), "trainer@evergreen.example".into()).await?;
    let curator = person("Kim".into(), "curator@evergreen.example".into()).await?;
    let analyst = person("Alex".into(), "analyst@evergreen.example".into()).await?;
    insert_grant(&txn, admin.id, Role::Admin, umbrella.id, None, None).await?;
    insert_grant(&txn, admin.id, Role::Admin, partner.id, None, None).await?;
    insert_grant(
        &txn,
        coordinator.id,
        Role::Coordinator,
        umbrella.id,
        Some(caregivers.id),
        Some(admin.id),
    )
    .await?;
    insert_grant(
        &txn,
        trainer.id,
        Role::Trainer,
        umbrella.id,
        None,
        Some(admin.id),
    )
    .await?;
    insert_grant(
        &txn,
        curator.id,
        Role::Curator,
        umbrella.id,
        None,
        Some(admin.id),
    )
    .await?;
    insert_grant(
        &txn,
        analyst.id,
        Role::Analyst,
        umbrella.id,
        None,
        Some(admin.id),
    )
    .await?;
    for (role, p) in [
        ("ADMIN", &admin),
        ("COORDINATOR (Caregivers)", &coordinator),
        ("TRAINER", &trainer),
        ("CURATOR", &curator),
        ("ANALYST", &analyst),
    ] {
        accounts.push(DemoAccount {
            role,
            email: p.email.clone(),
        });
    }

    let mut people: Vec<Uuid> = Vec::new();
    for i in 0..75 {
        let name = FIRST_NAMES[i % FIRST_NAMES.len()];
        let email = match i {
            0 => "facilitator@evergreen.example".to_owned(),
            1 => "member@evergreen.example".to_owned(),
            _ => format!("{}.{i}@evergreen.example", name.to_lowercase()),
        };
        let p = person(name.to_owned(), email.clone()).await?;
        if i == 0 {
            accounts.push(DemoAccount {
                role: "FACILITATOR (Carers North — Evening Circle)",
                email,
            });
        } else if i == 1 {
            accounts.push(DemoAccount {
                role: "MEMBER (Carers North — Evening Circle)",
                email,
            });
        }
        people.push(p.id);
    }

    let now = Utc::now();
    let mut next = 2usize;
    let mut applied = false;
    let mut groups = Vec::with_capacity(GROUPS.len());
    for (n, spec) in GROUPS.iter().enumerate() {
        let scheduled = spec.frequency != CadenceFrequency::AdHoc;
        let fields = GroupFields {
            slug: Some(spec.slug.into()),
            name: Some(spec.name.into()),
            purpose: Some(spec.purpose.into()),
            focus: Patch::Set(spec.focus.into()),
            format: Some(spec.format),
            modality: Some(spec.modality),
            cadence: Some(CadenceFields {
                frequency: spec.frequency,
                weekday: scheduled.then_some(spec.weekday),
                week_of_month: (spec.frequency == CadenceFrequency::Monthly).then_some(1),
                local_start_time: scheduled.then(|| format!("{:02}:30", 17 + n % 3)),
                duration_minutes: Some(60),
                timezone: "Europe/London".into(),
            }),
            capacity_min: Some(6),
            capacity_max: Some(12),
            venue: if spec.modality == Modality::Online {
                Patch::Keep
            } else {
                Patch::Set(VenueFields {
                    name: Some(format!("Room {}, Riverside Community Centre", n + 1)),
                    area: Some("Riverside".into()),
                    address: Some("12 Mill Lane, Riverside".into()),
                    location_notes: Some("Side entrance, first floor; step-free access.".into()),
                    approximate: n % 2 == 0,
                })
            },
            conference_url: if spec.modality == Modality::InPerson {
                Patch::Keep
            } else {
                Patch::Set(format!("https://meet.evergreen.example/{}", spec.slug))
            },
            status: Some(GroupStatus::Active),
            admission: Some(spec.admission),
            visibility: Some(spec.visibility),
            membership_source: Some(if n % 3 == 0 {
                MembershipSource::InterAgency
            } else {
                MembershipSource::Community
            }),
            ground_rules: Patch::Set(
                "What is said here stays here. Speak from your own experience. Everyone may pass."
                    .into(),
            ),
            host_partner_id: if n % 4 == 0 {
                Patch::Set(partner.id)
            } else {
                Patch::Keep
            },
            consent_quorum: Patch::Keep,
            requires_certified_facilitator: None,
        };
        let group = insert_group(&txn, clusters[spec.cluster], fields).await?;
        // Person 0 facilitates and person 1 attends the first group, as the printed accounts say.
        let members: Vec<Uuid> = if n == 0 {
            let mut m = vec![people[0], people[1]];
            m.extend((0..spec.members - 2).map(|k| people[2 + k]));
            m
        } else {
            (0..spec.members)
                .map(|k| people[(next + k) % people.len()])
                .collect()
        };
        next += spec.members;
        let mut memberships = Vec::with_capacity(members.len());
        for (k, person_id) in members.iter().enumerate() {
            let role = match k {
                0 => MembershipRole::Facilitator,
                1 if n != 0 => MembershipRole::CoFacilitator,
                2 if n == 0 => MembershipRole::CoFacilitator,
                _ => MembershipRole::Member,
            };
            let joined = now - Duration::days(200 - (k as i64) * 7);
            memberships.push(insert_active(&txn, group.id, *person_id, role, joined).await?);
        }
        life::populate(&txn, &group, &memberships, n, now).await?;
        // The first BY_CONSENT group has someone waiting on its decision: a person from
        // outside it.
        let applicant = (spec.admission == Admission::ByConsent && !applied)
            .then(|| people.iter().find(|p| !members.contains(p)).copied())
            .flatten();
        applied |= applicant.is_some();
        care::populate(&txn, &group, &memberships, n, applicant, now).await?;
        groups.push((group, memberships));
    }
    training::populate(
        &txn,
        &training::Network {
            organisation_id: umbrella.id,
            admin_id: admin.id,
            trainer_id: trainer.id,
            groups: &groups,
        },
        now,
    )
    .await?;
    resources::populate(
        &txn,
        &resources::Library {
            organisation_id: umbrella.id,
            curator_id: curator.id,
            groups: &groups,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(accounts)
}

async fn add_person(
    db: &impl sea_orm::ConnectionTrait,
    hash: String,
    display_name: String,
    email: String,
) -> AppResult<entity::person::Model> {
    let email = Email::parse("email", &email)?;
    insert_person(
        db,
        email,
        display_name,
        hash,
        "Europe/London".into(),
        "en".into(),
    )
    .await
}

pub fn print_accounts(accounts: &[DemoAccount]) {
    println!(
        "Demo network loaded: Evergreen Peer Network. Sign in with password `{DEMO_PASSWORD}` as:"
    );
    for a in accounts {
        println!("  {:<46} {}", a.role, a.email);
    }
}
