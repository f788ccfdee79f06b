//! The demo library: two dozen group-made tools across every kind and licence, most published
//! (one draft, one in review, one archived), some with later versions, adaptations (keeping
//! share-alike and non-commercial terms), adoptions pinned to versions, ratings, a group whose
//! agenda template comes from the library, and the facilitator programme's toolkit.

use chrono::{DateTime, Duration, Utc};
use entity::{
    MembershipRole, ResourceKind, ResourceStatus, ResourceVisibility, group, membership, person,
    program_toolkit, resource, resource_adoption, resource_rating, training_program,
};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    domain::{
        meetings::{self, agenda::AgendaItem},
        resources::{
            content::{Content, ContentInput},
            forks,
            licence::Licence,
            ratings::{add_to_totals, release_if_due},
            versions::release,
            workflow::{Home, insert_resource},
        },
    },
    error::AppResult,
};

pub struct Library<'a> {
    pub organisation_id: Uuid,
    pub curator_id: Uuid,
    pub groups: &'a [(group::Model, Vec<membership::Model>)],
}

/// Slug, kind, title, summary, body (Markdown), licence, the group it comes from (its
/// facilitator writes it), tags. All PUBLIC.
type Spec = (
    &'static str,
    ResourceKind,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    usize,
    &'static [&'static str],
);

use ResourceKind::*;

const SPECS: &[Spec] = &[
    (
        "box-breathing",
        GuidedScript,
        "Box breathing",
        "Four counts in, hold, out, hold: a two-minute reset.",
        "## Box breathing\n\nSit comfortably. Breathe in for four counts, hold for four, breathe out for four, hold for four.\n\nRepeat four rounds. Notice your shoulders drop.",
        "CC-BY-4.0",
        0,
        &["breathing", "calm", "check-in"],
    ),
    (
        "grounding-5-4-3-2-1",
        Checklist,
        "5-4-3-2-1 grounding",
        "Back to the room through the five senses.",
        "- [ ] Five things you can see\n- [ ] Four you can touch\n- [ ] Three you can hear\n- [ ] Two you can smell\n- [ ] One you can taste",
        "CC-BY-SA-4.0",
        1,
        &["grounding", "anxiety"],
    ),
    (
        "conflict-first-aid",
        ConflictFlowchart,
        "Conflict first aid",
        "When a disagreement heats up in the circle: pause, name, choose.",
        "1. **Pause** the round.\n2. **Name** what you notice, without blame.\n3. **Choose**: continue, take five minutes, or park it for the facilitator.",
        "CC-BY-NC-4.0",
        2,
        &["conflict", "facilitation"],
    ),
    (
        "carers-week-planner",
        Worksheet,
        "A carer's week planner",
        "Block out rest before the week fills up.",
        "Draw your week. Mark caring hours in one colour, work in another, and put one hour of rest in first.",
        "CC-BY-4.0",
        0,
        &["carers", "rest", "planning"],
    ),
    (
        "burnout-warning-signs",
        Checklist,
        "Burnout warning signs",
        "Early signs helping professionals tend to miss.",
        "- Dreading the first email\n- Irritability with people you usually like\n- Sleep that does not restore\n- Cynicism about the work",
        "CC-BY-4.0",
        3,
        &["burnout", "self-care"],
    ),
    (
        "talk-tokens",
        GuidedScript,
        "Talk tokens",
        "Three tokens each: equal airtime without policing.",
        "Everyone gets three tokens. Speaking costs one. When you are out, you listen until everyone is out.",
        "CC-BY-SA-4.0",
        4,
        &["facilitation", "participation"],
    ),
    (
        "sleep-wind-down",
        GuidedScript,
        "Sleep wind-down",
        "A ten-minute routine for nights after hard shifts.",
        "Lights low. Write tomorrow's three tasks down and close the notebook. Slow breathing, longer out-breath than in-breath.",
        "CC0-1.0",
        3,
        &["sleep", "breathing"],
    ),
    (
        "new-member-welcome",
        Checklist,
        "Welcoming a new member",
        "What the buddy and facilitator do in the first three sessions.",
        "- Buddy introduces themself before the first session\n- Explain the pledge and ground rules\n- Check in after session three",
        "CC-BY-4.0",
        1,
        &["newcomers", "buddies"],
    ),
    (
        "boundaries-script",
        GuidedScript,
        "Saying no kindly",
        "Words for boundaries with family, colleagues and ourselves.",
        "Try: *\"I can't do that this week, and I can do this instead.\"* Practise it aloud in pairs.",
        "CC-BY-NC-SA-4.0",
        5,
        &["boundaries", "communication"],
    ),
    (
        "grief-circle-guide",
        FacilitatorToolkit,
        "Holding a grief circle",
        "A facilitator's guide to sessions after a loss.",
        "Open with the pledge. Offer a talking object. Allow silence. Close with one thing each person will do for themself today.",
        "CC-BY-4.0",
        6,
        &["grief", "facilitation"],
    ),
    (
        "handover-toolkit",
        FacilitatorToolkit,
        "Facilitator handover toolkit",
        "Everything the next facilitator needs: a succession kit.",
        "1. The group's purpose and ground rules\n2. Who is new, who is a buddy\n3. Open commitments\n4. The rotation plan",
        "CC-BY-SA-4.0",
        0,
        &["succession", "facilitation"],
    ),
    (
        "stress-check-in-cards",
        Checklist,
        "Stress check-in cards",
        "One card per mood, for the opening round.",
        "Green: steady. Amber: stretched. Red: at my limit. Pick a card, say one sentence, pass.",
        "CC-BY-4.0",
        7,
        &["check-in", "stress"],
    ),
    (
        "shift-worker-rest",
        Worksheet,
        "Rest for shift workers",
        "Planning recovery around rotating shifts.",
        "List your shifts for two weeks. Mark the first free morning after each run of nights as protected.",
        "ALL-RIGHTS-RESERVED",
        3,
        &["sleep", "shift work"],
    ),
    (
        "transition-map",
        Worksheet,
        "Mapping a life transition",
        "What ends, what continues, what begins.",
        "Three columns: ending, continuing, beginning. Fill them in, then share one item from each.",
        "CC-BY-4.0",
        8,
        &["transitions", "reflection"],
    ),
    (
        "crisis-referral-card",
        Checklist,
        "When to refer on",
        "Signs a member needs more than the group, and where to send them.",
        "- Talk of harming themself or others\n- Not eating or sleeping for days\n\nCall the local crisis line; stay with them; tell the facilitator.",
        "CC-BY-4.0",
        2,
        &["crisis", "safety"],
    ),
    (
        "mindful-walk",
        GuidedScript,
        "A mindful walk",
        "For in-person groups: ten minutes outside before sitting down.",
        "Walk slowly. Notice five sounds. Match your breathing to your steps.",
        "CC0-1.0",
        9,
        &["mindfulness", "breathing", "outdoors"],
    ),
    (
        "nhs-self-help",
        Link,
        "NHS self-help guides",
        "Free, evidence-based self-help workbooks.",
        "",
        "CC-BY-4.0",
        4,
        &["self-help"],
    ),
    (
        "feedback-round",
        Checklist,
        "Closing feedback round",
        "Two questions that end every session.",
        "What helped today? What would you change next time?",
        "CC-BY-4.0",
        10,
        &["feedback"],
    ),
    (
        "gratitude-journal",
        Worksheet,
        "Three good things",
        "An evening journal prompt.",
        "Write three things that went well today and why.",
        "CC0-1.0",
        11,
        &["gratitude", "journaling"],
    ),
    (
        "supervision-prep",
        Worksheet,
        "Preparing for peer supervision",
        "Three questions to bring to a supervision session.",
        "What went well? What stayed with me? What do I need from the group?",
        "CC-BY-4.0",
        3,
        &["supervision", "burnout"],
    ),
];

/// Shared with the umbrella's people only.
const NETWORK_ONLY: &[&str] = &["supervision-prep"];

/// A group's own opening words (GROUP visibility) and the library's agenda template.
const OPENING_WORDS: &str = "We meet as equals. What is said here stays here. Everyone may pass.";

fn input(&(_, kind, title, summary, body, licence, _, tags): &Spec) -> ContentInput {
    ContentInput {
        title: title.into(),
        summary: Some(summary.into()),
        body: Some(body.into()),
        url: (kind == Link).then(|| "https://www.nhs.uk/every-mind-matters/".into()),
        language: "en".into(),
        tags: tags.iter().map(|t| (*t).into()).collect(),
        audience: Some("Members of peer support groups".into()),
        duration_minutes: None,
        licence: licence.into(),
        attribution: None,
        agenda_items: None,
    }
}

async fn set_status(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: ResourceStatus,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let published = (status == ResourceStatus::Published).then_some(at);
    resource::Entity::update_many()
        .col_expr(resource::Column::Status, Expr::value(status.as_str()))
        .col_expr(resource::Column::PublishedAt, Expr::value(published))
        .filter(resource::Column::Id.eq(id))
        .exec(db)
        .await?;
    if published.is_some()
        && let Some(r) = resource::Entity::find_by_id(id).one(db).await?
    {
        release(db, id, r.version_number, r.author_id, at).await?;
    }
    Ok(())
}

/// A later version: the content changed as `change` says.
async fn revise(
    db: &impl ConnectionTrait,
    r: &resource::Model,
    author: Uuid,
    note: &str,
    change: impl FnOnce(&mut Content),
    at: DateTime<Utc>,
) -> AppResult<resource::Model> {
    let mut content = Content::of(r);
    change(&mut content);
    let number = r.version_number + 1;
    content
        .version(r.id, number, Some(note.into()), author, at)
        .insert(db)
        .await?;
    let mut next = r.clone();
    content.apply(&mut next);
    next.version_number = number;
    next.updated_at = at;
    let saved = next.into_active_model().reset_all().update(db).await?;
    // Reviewed and published like the first version.
    release(db, r.id, number, Some(author), at).await?;
    Ok(saved)
}

fn facilitator(members: &[membership::Model]) -> Uuid {
    members
        .iter()
        .find(|m| m.role == MembershipRole::Facilitator)
        .unwrap_or(&members[0])
        .person_id
}

pub async fn populate(
    db: &impl ConnectionTrait,
    lib: &Library<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let groups = lib.groups;
    let mut made: Vec<resource::Model> = Vec::new();
    for (i, s) in SPECS.iter().enumerate() {
        let &(slug, kind, .., group, _) = s;
        let (g, members) = &groups[group % groups.len()];
        let author = facilitator(members);
        let at = now - Duration::days(120 - i as i64 * 5);
        let home = Home {
            organisation_id: lib.organisation_id,
            group_id: Some(g.id),
            visibility: if NETWORK_ONLY.contains(&slug) {
                ResourceVisibility::Network
            } else {
                ResourceVisibility::Public
            },
        };
        let content = Content::parse(kind, input(s))?;
        let r = insert_resource(
            db,
            &home,
            slug.into(),
            kind,
            &content,
            author,
            None,
            None,
            at,
        )
        .await?;
        set_status(db, r.id, ResourceStatus::Published, at + Duration::days(2)).await?;
        made.push(
            resource::Entity::find_by_id(r.id)
                .one(db)
                .await?
                .unwrap_or(r),
        );
    }

    // The circle's own opening words, for its members only; and the library's agenda template.
    let (first_group, first_members) = &groups[0];
    let opening = Content::parse(
        Other,
        ContentInput {
            title: "Our opening words".into(),
            body: Some(OPENING_WORDS.into()),
            language: "en".into(),
            licence: "ALL-RIGHTS-RESERVED".into(),
            ..ContentInput::default()
        },
    )?;
    let home = Home {
        organisation_id: lib.organisation_id,
        group_id: Some(first_group.id),
        visibility: ResourceVisibility::Group,
    };
    let own = insert_resource(
        db,
        &home,
        "carers-north-opening-words".into(),
        Other,
        &opening,
        facilitator(first_members),
        None,
        None,
        now - Duration::days(30),
    )
    .await?;
    set_status(
        db,
        own.id,
        ResourceStatus::Published,
        now - Duration::days(30),
    )
    .await?;

    let item = |position: i32, kind, title: &str, minutes| AgendaItem {
        position,
        kind,
        title: title.into(),
        minutes,
    };
    let template = Content::parse(
        AgendaTemplate,
        ContentInput {
            title: "Check-in, skill, commit".into(),
            summary: Some("A 60-minute session built around one coping skill.".into()),
            body: Some("Open with a stress check-in, practise one skill together, and close with one small commitment each.".into()),
            language: "en".into(),
            tags: vec!["agenda".into(), "skills".into()],
            duration_minutes: Some(60),
            licence: "CC-BY-4.0".into(),
            agenda_items: Some(vec![
                item(1, entity::AgendaItemKind::CheckIn, "Stress check-in round", 10),
                item(2, entity::AgendaItemKind::TopicSpotlight, "Skill of the week", 25),
                item(3, entity::AgendaItemKind::Brainstorm, "Trying it out", 15),
                item(4, entity::AgendaItemKind::ActionCommitment, "One small step", 5),
            ]),
            ..ContentInput::default()
        },
    )?;
    let (second_group, second_members) = &groups[1 % groups.len()];
    let home = Home {
        organisation_id: lib.organisation_id,
        group_id: Some(second_group.id),
        visibility: ResourceVisibility::Public,
    };
    let template = insert_resource(
        db,
        &home,
        "check-in-skill-commit".into(),
        AgendaTemplate,
        &template,
        facilitator(second_members),
        None,
        None,
        now - Duration::days(60),
    )
    .await?;
    set_status(
        db,
        template.id,
        ResourceStatus::Published,
        now - Duration::days(58),
    )
    .await?;
    let items = Content::of(&template).agenda_items;
    meetings::store_agenda_template(
        db,
        second_group,
        items,
        Some((template.id, 1)),
        "agendaItems",
    )
    .await?;

    // Later versions: box breathing gained a note; the planner was rewritten.
    made[0] = revise(
        db,
        &made[0],
        made[0].author_id.unwrap_or(lib.curator_id),
        "Added a note for panic",
        |c| {
            c.body
                .push_str("\n\nIf you feel light-headed, breathe normally and try again later.");
        },
        now - Duration::days(40),
    )
    .await?;
    made[3] = revise(
        db,
        &made[3],
        made[3].author_id.unwrap_or(lib.curator_id),
        "Simpler wording",
        |c| {
            c.summary = Some("Put rest in first, then the rest of the week.".into());
        },
        now - Duration::days(20),
    )
    .await?;

    // Work in progress: a draft, one in review, one withdrawn.
    for (n, status) in [
        (7, ResourceStatus::Draft),
        (14, ResourceStatus::InReview),
        (17, ResourceStatus::Archived),
    ] {
        set_status(db, made[n].id, status, now).await?;
    }

    // Adaptations, as their licences allow: share-alike kept, non-commercial kept.
    for (source, slug, title, licence, group) in [
        (
            1usize,
            "grounding-for-teens",
            "Grounding for teenagers",
            "CC-BY-SA-4.0",
            8usize,
        ),
        (
            2,
            "conflict-first-aid-online",
            "Conflict first aid for online groups",
            "CC-BY-NC-SA-4.0",
            9,
        ),
        (
            0,
            "box-breathing-for-children",
            "Box breathing with children",
            "CC-BY-4.0",
            5,
        ),
    ] {
        let original = &made[source];
        let (g, members) = &groups[group % groups.len()];
        let mut content = Content::of(original);
        content.title = title.into();
        content.licence = Licence::stored(licence);
        content.attribution = Some(forks::credit(
            &original.title,
            original.version_number,
            "Evergreen Peer Network",
            Licence::stored(&original.licence),
            original.attribution.as_deref(),
        ));
        let home = Home {
            organisation_id: lib.organisation_id,
            group_id: Some(g.id),
            visibility: ResourceVisibility::Public,
        };
        let fork = insert_resource(
            db,
            &home,
            slug.into(),
            original.kind,
            &content,
            facilitator(members),
            Some((original.id, original.version_number)),
            Some(format!(
                "Adapted from {} version {}",
                original.slug, original.version_number
            )),
            now - Duration::days(15),
        )
        .await?;
        set_status(
            db,
            fork.id,
            ResourceStatus::Published,
            now - Duration::days(10),
        )
        .await?;
    }

    // Adoptions, pinned: box breathing's older version in two groups, the newer in one.
    let adoptions: [(usize, usize, i32); 8] = [
        (0, 1, 1),
        (0, 2, 1),
        (0, 3, 2),
        (1, 0, 1),
        (2, 4, 1),
        (5, 6, 1),
        (11, 7, 1),
        (4, 10, 1),
    ];
    for (r, g, version) in adoptions {
        let resource = &made[r];
        let (group, members) = &groups[g % groups.len()];
        resource_adoption::ActiveModel {
            id: Set(Uuid::now_v7()),
            resource_id: Set(resource.id),
            group_id: Set(group.id),
            version_number: Set(std::cmp::min(version, resource.version_number)),
            adopted_by: Set(Some(facilitator(members))),
            adopted_at: Set(now - Duration::days(30)),
            updated_at: Set(now - Duration::days(30)),
        }
        .insert(db)
        .await?;
        resource::Entity::update_many()
            .col_expr(
                resource::Column::AdoptionCount,
                Expr::col(resource::Column::AdoptionCount).add(1),
            )
            .filter(resource::Column::Id.eq(resource.id))
            .exec(db)
            .await?;
    }

    // Ratings from members of other groups (never the author): most resources have enough
    // raters for a released average, some only two (suppressed until more people rate).
    const DEMO_COHORT: u32 = 5;
    // Only established raters (accounts 28 days old) count toward a release: the demo's
    // raters have been around for a season, as in a real network.
    let raters: Vec<Uuid> = groups
        .iter()
        .flat_map(|(_, members)| members.iter().map(|m| m.person_id))
        .collect();
    let season_ago = now - Duration::days(120);
    person::Entity::update_many()
        .col_expr(person::Column::CreatedAt, Expr::value(season_ago))
        .filter(person::Column::Id.is_in(raters))
        .filter(person::Column::CreatedAt.gt(season_ago))
        .exec(db)
        .await?;
    for (i, r) in made.iter().enumerate().filter(|(i, _)| i % 3 != 2) {
        let (_, members) = &groups[(i + 5) % groups.len()];
        let raters = if i % 4 == 1 { 2 } else { 6 + i % 3 };
        for (k, m) in members.iter().take(raters).enumerate() {
            if Some(m.person_id) == r.author_id {
                continue;
            }
            let helpfulness = 3 + ((i + k) % 3) as i32;
            resource_rating::ActiveModel {
                id: Set(Uuid::now_v7()),
                resource_id: Set(r.id),
                person_id: Set(m.person_id),
                helpfulness: Set(helpfulness),
                comment: Set((k == 0).then(|| "We use this every session.".to_owned())),
                created_at: Set(now - Duration::days(7)),
                updated_at: Set(now - Duration::days(7)),
                released_helpfulness: Set(None),
            }
            .insert(db)
            .await?;
            add_to_totals(db, r.id, 1, helpfulness).await?;
        }
        // Released as the service would have, at the default cohort: resources with five
        // raters show an average, the others stay suppressed until more people rate.
        release_if_due(db, r.id, DEMO_COHORT).await?;
    }

    // The facilitator programme hands its trainees the handover kit and the grief circle guide.
    if let Some(program) = training_program::Entity::find()
        .filter(training_program::Column::OrganisationId.eq(lib.organisation_id))
        .filter(training_program::Column::IsTrainerProgram.eq(false))
        .one(db)
        .await?
    {
        for (position, r) in [&made[10], &made[9]].into_iter().enumerate() {
            program_toolkit::ActiveModel {
                program_id: Set(program.id),
                resource_id: Set(r.id),
                position: Set(position as i32),
                added_by: Set(Some(lib.curator_id)),
                added_at: Set(now - Duration::days(5)),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
