//! Resource mutations: one input, one payload each; the rules are in `domain::resources`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::types::{Resource, ResourceAdoption, ResourceRating, ResourceReview};
use crate::{
    domain::{
        resources::{
            adoption,
            content::{ContentInput, ContentPatch},
            forks, ratings, templates, toolkit, workflow,
        },
        throttle::{self, Oracle},
    },
    graphql::{
        context::{ContextExt, signed_in},
        enums::{ResourceKind, ResourceVisibility, ReviewDecision},
        ids::{self, Kind},
        meetings::{inputs::AgendaItemInput, types::Meeting},
        training::types::TrainingProgram,
    },
};

#[derive(InputObject)]
pub struct CreateResourceInput {
    pub organisation_id: ID,
    /// The group it comes from (required for GROUP visibility).
    pub group_id: Option<ID>,
    /// Made from the title when omitted.
    pub slug: Option<String>,
    pub kind: ResourceKind,
    #[graphql(default_with = "ResourceVisibility::Network")]
    pub visibility: ResourceVisibility,
    pub title: String,
    pub summary: Option<String>,
    /// Markdown, at most 100 KiB.
    pub body: Option<String>,
    pub url: Option<String>,
    /// BCP 47.
    #[graphql(default = "en")]
    pub language: String,
    #[graphql(default)]
    pub tags: Vec<String>,
    pub audience: Option<String>,
    pub duration_minutes: Option<i32>,
    /// One of CC-BY-4.0, CC-BY-SA-4.0, CC-BY-NC-4.0, CC-BY-NC-SA-4.0, CC0-1.0,
    /// ALL-RIGHTS-RESERVED.
    pub licence: String,
    pub attribution: Option<String>,
    /// AGENDA_TEMPLATE only (and required there).
    pub agenda_items: Option<Vec<AgendaItemInput>>,
}

/// Payloads that hold the changed resource.
macro_rules! resource_payloads {
    ($($name:ident),+) => {
        $(
            #[derive(SimpleObject)]
            pub struct $name {
                pub resource: Resource,
            }
        )+
    };
}

resource_payloads!(
    CreateResourcePayload,
    UpdateResourcePayload,
    SubmitForReviewPayload,
    PublishResourcePayload,
    ArchiveResourcePayload,
    UnadoptResourcePayload,
    ForkResourcePayload
);

#[derive(InputObject)]
pub struct UpdateResourceInput {
    pub resource_id: ID,
    /// The `versionNumber` the change was made against.
    pub expected_version: i32,
    /// What changed and why (kept with the version).
    pub change_note: Option<String>,
    pub title: Option<String>,
    /// Blank clears it.
    pub summary: Option<String>,
    pub body: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub tags: Option<Vec<String>>,
    pub audience: Option<String>,
    pub duration_minutes: Option<i32>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
    pub agenda_items: Option<Vec<AgendaItemInput>>,
}

/// Inputs that name only the resource.
macro_rules! resource_id_inputs {
    ($($name:ident),+) => {
        $(
            #[derive(InputObject)]
            pub struct $name {
                pub resource_id: ID,
            }
        )+
    };
}

resource_id_inputs!(
    SubmitForReviewInput,
    PublishResourceInput,
    ArchiveResourceInput
);

#[derive(InputObject)]
pub struct ReviewResourceInput {
    pub resource_id: ID,
    pub decision: ReviewDecision,
    /// Required when requesting changes.
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct ReviewResourcePayload {
    pub resource: Resource,
    pub review: ResourceReview,
}

#[derive(InputObject)]
pub struct AdoptResourceInput {
    pub resource_id: ID,
    pub group_id: ID,
    /// The version to pin; the latest when omitted.
    pub version_number: Option<i32>,
}

#[derive(SimpleObject)]
pub struct AdoptResourcePayload {
    pub adoption: ResourceAdoption,
}

#[derive(InputObject)]
pub struct UnadoptResourceInput {
    pub resource_id: ID,
    pub group_id: ID,
}

#[derive(InputObject)]
pub struct ForkResourceInput {
    pub resource_id: ID,
    /// The version to adapt; the latest when omitted.
    pub version_number: Option<i32>,
    /// Where the adaptation lives; the original's organisation when omitted.
    pub organisation_id: Option<ID>,
    pub group_id: Option<ID>,
    /// The original's when omitted (NETWORK when that was another group's).
    pub visibility: Option<ResourceVisibility>,
    /// The original's when omitted; share-alike must be kept and non-commercial stays so.
    pub licence: Option<String>,
    pub slug: Option<String>,
    pub title: Option<String>,
}

#[derive(InputObject)]
pub struct RateResourceInput {
    pub resource_id: ID,
    /// 1 (not helpful) to 5 (very helpful).
    pub helpfulness: i32,
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct RateResourcePayload {
    pub resource: Resource,
    pub rating: ResourceRating,
}

#[derive(InputObject)]
pub struct ApplyAgendaTemplateInput {
    pub meeting_id: ID,
    pub resource_id: ID,
    /// The version to apply; else the version the group adopted, else the latest.
    pub version_number: Option<i32>,
}

#[derive(SimpleObject)]
pub struct ApplyAgendaTemplatePayload {
    pub meeting: Meeting,
}

/// The toolkit mutations' inputs (a programme and a resource) and payloads (the programme).
macro_rules! toolkit_types {
    ($($input:ident => $payload:ident),+) => {
        $(
            #[derive(InputObject)]
            pub struct $input {
                pub program_id: ID,
                pub resource_id: ID,
            }

            #[derive(SimpleObject)]
            pub struct $payload {
                pub program: TrainingProgram,
            }
        )+
    };
}

toolkit_types!(
    LinkToolkitResourceInput => LinkToolkitResourcePayload,
    UnlinkToolkitResourceInput => UnlinkToolkitResourcePayload
);

fn resource_id(id: &ID) -> crate::error::AppResult<uuid::Uuid> {
    ids::decode(Kind::Resource, "resourceId", id)
}

fn optional_id(
    kind: Kind,
    field: &str,
    id: Option<&ID>,
) -> crate::error::AppResult<Option<uuid::Uuid>> {
    id.map(|id| ids::decode(kind, field, id)).transpose()
}

fn items(
    items: Option<Vec<AgendaItemInput>>,
) -> Option<Vec<crate::domain::meetings::agenda::AgendaItem>> {
    items.map(|items| items.into_iter().map(Into::into).collect())
}

async fn step(ctx: &Context<'_>, id: &ID, step: workflow::Step) -> Result<Resource> {
    let access = signed_in(ctx).await?;
    let id = resource_id(id)?;
    let r = workflow::take_step(ctx.db()?, &access, id, step).await?;
    Ok(Resource(r))
}

#[derive(Default)]
pub struct ResourceMutation;

#[Object]
impl ResourceMutation {
    /// A new DRAFT in an organisation's library (people of the organisation; for a group, its
    /// active members).
    async fn create_resource(
        &self,
        ctx: &Context<'_>,
        input: CreateResourceInput,
    ) -> Result<CreateResourcePayload> {
        let access = signed_in(ctx).await?;
        let new = workflow::NewResource {
            organisation_id: ids::decode(
                Kind::Organisation,
                "organisationId",
                &input.organisation_id,
            )?,
            group_id: optional_id(Kind::Group, "groupId", input.group_id.as_ref())?,
            slug: input.slug,
            kind: input.kind.into(),
            visibility: input.visibility.into(),
            content: ContentInput {
                title: input.title,
                summary: input.summary,
                body: input.body,
                url: input.url,
                language: input.language,
                tags: input.tags,
                audience: input.audience,
                duration_minutes: input.duration_minutes,
                licence: input.licence,
                attribution: input.attribution,
                agenda_items: items(input.agenda_items),
            },
        };
        let db = ctx.db()?;
        let actors = throttle::actors(access.person_id, &ctx.viewer()?.client_addr);
        let create = workflow::create_resource(db, &access, new);
        let r = throttle::guard(db, Oracle::SlugUnavailable, &actors, create).await?;
        Ok(CreateResourcePayload {
            resource: Resource(r),
        })
    }

    /// A content change: a new version. Under review or published, it goes back to DRAFT
    /// unless the editor may publish it directly (a GROUP resource's facilitators).
    async fn update_resource(
        &self,
        ctx: &Context<'_>,
        input: UpdateResourceInput,
    ) -> Result<UpdateResourcePayload> {
        let access = signed_in(ctx).await?;
        let change = workflow::ResourceChange {
            resource_id: resource_id(&input.resource_id)?,
            expected_version: input.expected_version,
            change_note: input.change_note,
            content: ContentPatch {
                title: input.title,
                summary: input.summary,
                body: input.body,
                url: input.url,
                language: input.language,
                tags: input.tags,
                audience: input.audience,
                duration_minutes: input.duration_minutes,
                licence: input.licence,
                attribution: input.attribution,
                agenda_items: items(input.agenda_items),
            },
        };
        let r = workflow::update_resource(ctx.db()?, &access, change).await?;
        Ok(UpdateResourcePayload {
            resource: Resource(r),
        })
    }

    /// DRAFT → IN_REVIEW, by its editors.
    async fn submit_for_review(
        &self,
        ctx: &Context<'_>,
        input: SubmitForReviewInput,
    ) -> Result<SubmitForReviewPayload> {
        let resource = step(ctx, &input.resource_id, workflow::Step::Submit).await?;
        Ok(SubmitForReviewPayload { resource })
    }

    /// A curator of the organisation (not its author) approves (PUBLISHED) or requests
    /// changes (back to DRAFT).
    async fn review_resource(
        &self,
        ctx: &Context<'_>,
        input: ReviewResourceInput,
    ) -> Result<ReviewResourcePayload> {
        let access = signed_in(ctx).await?;
        let review = workflow::Review {
            resource_id: resource_id(&input.resource_id)?,
            decision: input.decision.into(),
            comment: input.comment,
        };
        let (r, written) = workflow::review_resource(ctx.db()?, &access, review).await?;
        Ok(ReviewResourcePayload {
            resource: Resource(r),
            review: ResourceReview(written),
        })
    }

    /// A GROUP resource published by its group's facilitators, without review.
    async fn publish_resource(
        &self,
        ctx: &Context<'_>,
        input: PublishResourceInput,
    ) -> Result<PublishResourcePayload> {
        let resource = step(ctx, &input.resource_id, workflow::Step::Publish).await?;
        Ok(PublishResourcePayload { resource })
    }

    /// Withdrawn from the library: from then on only its editors see it.
    async fn archive_resource(
        &self,
        ctx: &Context<'_>,
        input: ArchiveResourceInput,
    ) -> Result<ArchiveResourcePayload> {
        let resource = step(ctx, &input.resource_id, workflow::Step::Archive).await?;
        Ok(ArchiveResourcePayload { resource })
    }

    /// A facilitator pins a version of a PUBLISHED resource for their group (again: moves
    /// the pin).
    async fn adopt_resource(
        &self,
        ctx: &Context<'_>,
        input: AdoptResourceInput,
    ) -> Result<AdoptResourcePayload> {
        let access = signed_in(ctx).await?;
        let a = adoption::Adoption {
            resource_id: resource_id(&input.resource_id)?,
            group_id: ids::decode(Kind::Group, "groupId", &input.group_id)?,
            version_number: input.version_number,
        };
        let saved = adoption::adopt_resource(ctx.db()?, &access, a).await?;
        Ok(AdoptResourcePayload {
            adoption: ResourceAdoption(saved),
        })
    }

    /// The group stops using the resource (its facilitators).
    async fn unadopt_resource(
        &self,
        ctx: &Context<'_>,
        input: UnadoptResourceInput,
    ) -> Result<UnadoptResourcePayload> {
        let access = signed_in(ctx).await?;
        let r = adoption::unadopt_resource(
            ctx.db()?,
            &access,
            resource_id(&input.resource_id)?,
            ids::decode(Kind::Group, "groupId", &input.group_id)?,
        )
        .await?;
        Ok(UnadoptResourcePayload {
            resource: Resource(r),
        })
    }

    /// An adaptation: a new DRAFT derived from a version, as its licence allows.
    async fn fork_resource(
        &self,
        ctx: &Context<'_>,
        input: ForkResourceInput,
    ) -> Result<ForkResourcePayload> {
        let access = signed_in(ctx).await?;
        let fork = forks::Fork {
            resource_id: resource_id(&input.resource_id)?,
            version_number: input.version_number,
            organisation_id: optional_id(
                Kind::Organisation,
                "organisationId",
                input.organisation_id.as_ref(),
            )?,
            group_id: optional_id(Kind::Group, "groupId", input.group_id.as_ref())?,
            visibility: input.visibility.map(Into::into),
            licence: input.licence,
            slug: input.slug,
            title: input.title,
        };
        let db = ctx.db()?;
        let actors = throttle::actors(access.person_id, &ctx.viewer()?.client_addr);
        let fork = forks::fork_resource(db, &access, fork);
        let r = throttle::guard(db, Oracle::SlugUnavailable, &actors, fork).await?;
        Ok(ForkResourcePayload {
            resource: Resource(r),
        })
    }

    /// One rating per person and resource; rating again changes it. The resource's published
    /// `rating` moves only once a cohort of established people (accounts at least 28 days old)
    /// rated or changed their rating; a newer account's rating counts from the first release
    /// after that (`viewerRating` shows it to its author at once).
    async fn rate_resource(
        &self,
        ctx: &Context<'_>,
        input: RateResourceInput,
    ) -> Result<RateResourcePayload> {
        let access = signed_in(ctx).await?;
        let rating = ratings::Rating {
            resource_id: resource_id(&input.resource_id)?,
            helpfulness: input.helpfulness,
            comment: input.comment,
        };
        let cohort = ctx.services()?.config.privacy_min_cohort;
        let (r, saved) = ratings::rate_resource(ctx.db()?, &access, rating, cohort).await?;
        Ok(RateResourcePayload {
            resource: Resource(r),
            rating: ResourceRating(saved),
        })
    }

    /// Sets a SCHEDULED meeting's agenda from an AGENDA_TEMPLATE resource.
    async fn apply_agenda_template(
        &self,
        ctx: &Context<'_>,
        input: ApplyAgendaTemplateInput,
    ) -> Result<ApplyAgendaTemplatePayload> {
        let access = signed_in(ctx).await?;
        let apply = templates::ApplyTemplate {
            meeting_id: ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?,
            resource_id: resource_id(&input.resource_id)?,
            version_number: input.version_number,
        };
        let m = templates::apply_agenda_template(ctx.db()?, &access, apply).await?;
        Ok(ApplyAgendaTemplatePayload {
            meeting: Meeting(m),
        })
    }

    /// Adds a published FACILITATOR_TOOLKIT resource to a programme's toolkit.
    async fn link_toolkit_resource(
        &self,
        ctx: &Context<'_>,
        input: LinkToolkitResourceInput,
    ) -> Result<LinkToolkitResourcePayload> {
        let access = signed_in(ctx).await?;
        let p = toolkit::link_toolkit_resource(
            ctx.db()?,
            &access,
            ids::decode(Kind::TrainingProgram, "programId", &input.program_id)?,
            resource_id(&input.resource_id)?,
        )
        .await?;
        Ok(LinkToolkitResourcePayload {
            program: TrainingProgram(p),
        })
    }

    /// Takes a resource out of a programme's toolkit.
    async fn unlink_toolkit_resource(
        &self,
        ctx: &Context<'_>,
        input: UnlinkToolkitResourceInput,
    ) -> Result<UnlinkToolkitResourcePayload> {
        let access = signed_in(ctx).await?;
        let p = toolkit::unlink_toolkit_resource(
            ctx.db()?,
            &access,
            ids::decode(Kind::TrainingProgram, "programId", &input.program_id)?,
            resource_id(&input.resource_id)?,
        )
        .await?;
        Ok(UnlinkToolkitResourcePayload {
            program: TrainingProgram(p),
        })
    }
}
