//! Training objects.

use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    certification, competency, enrollment, evidence, mentorship, training_program, workshop,
    workshop_attendance, workshop_session,
};
use uuid::Uuid;

use super::viewer_is_trainer;
use crate::{
    connection,
    domain::{
        pagination::PageArgs,
        training::{certifications, progress, sees_training, workshops::runs_workshop},
    },
    error::{AppError, AppResult},
    graphql::{
        accounts::types::Person,
        connection::Total,
        context::{ContextExt, access},
        enums::{
            AttendanceStatus, CertificationStatus, CompetencyStatus, EnrollmentStatus,
            EvidenceKind, EvidenceStatus, Modality, WorkshopKind,
        },
        ids::{self, Kind},
        loaders::{
            CountKey, must,
            training::{
                CompetenciesOf, EnrollmentsOf, ProgramKey, SessionAttendance, SessionsOf,
                TrainersOf, WorkshopKey, WorkshopPageKey,
            },
        },
        umbrella::types::Organisation,
    },
};

/// People by id, through the person loader, in the order given.
pub async fn people(ctx: &Context<'_>, ids: &[Uuid]) -> AppResult<Vec<Person>> {
    let found = ctx.loaders()?.people.load_many(ids.iter().copied()).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.get(id).cloned().map(Person))
        .collect())
}

pub async fn person(ctx: &Context<'_>, id: Uuid) -> AppResult<Person> {
    Ok(Person(
        must(&ctx.loaders()?.people, id, "person missing").await?,
    ))
}

async fn program(ctx: &Context<'_>, id: Uuid) -> AppResult<TrainingProgram> {
    Ok(TrainingProgram(
        must(
            &ctx.loaders()?.training,
            ProgramKey(id),
            "programme missing",
        )
        .await?,
    ))
}

/// A training programme of an organisation: what it certifies, and what that takes.
#[derive(Clone)]
pub struct TrainingProgram(pub training_program::Model);

#[Object]
impl TrainingProgram {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::TrainingProgram, self.0.id)
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Co-facilitated HELD meetings under a certified facilitator that certification takes.
    async fn practicum_meetings_required(&self) -> i32 {
        self.0.practicum_meetings_required
    }

    async fn certification_validity_months(&self) -> i32 {
        self.0.certification_validity_months
    }

    /// Certifies trainers (who lead workshops) rather than facilitators.
    async fn is_trainer_program(&self) -> bool {
        self.0.is_trainer_program
    }

    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        let o = must(
            &ctx.loaders()?.organisations,
            self.0.organisation_id,
            "programme without organisation",
        )
        .await?;
        Ok(Organisation(o))
    }

    /// In the order they were added (at most 50).
    async fn competencies(&self, ctx: &Context<'_>) -> Result<Vec<Competency>> {
        Ok(ctx
            .loaders()?
            .training
            .load_one(CompetenciesOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Competency)
            .collect())
    }

    /// Soonest first.
    async fn workshops(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<WorkshopConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let page = ctx
            .loaders()?
            .pages
            .load_one(WorkshopPageKey {
                program: self.0.id,
                args,
            })
            .await?
            .unwrap_or_default();
        Ok(WorkshopConnection::new(
            page.map(Workshop),
            Total::Batched(CountKey::ProgramWorkshops(self.0.id)),
        ))
    }

    /// The facilitator toolkit: FACILITATOR_TOOLKIT resources for its trainees, in order
    /// (those the viewer may see).
    async fn toolkit(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::resources::types::Resource>> {
        let access = access(ctx).await?;
        Ok(ctx
            .loaders()?
            .resources
            .load_one(crate::graphql::loaders::resources::ToolkitOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|r| crate::domain::resources::sees(&access, r))
            .map(crate::graphql::resources::types::Resource)
            .collect())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

connection!(
    TrainingProgramConnection,
    TrainingProgramEdge,
    TrainingProgram,
    "Training programmes."
);
connection!(
    WorkshopConnection,
    WorkshopEdge,
    Workshop,
    "Workshops of a programme."
);

/// Something a trainee must show, signed off through evidence.
#[derive(Clone)]
pub struct Competency(pub competency::Model);

#[Object]
impl Competency {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Competency, self.0.id)
    }

    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn program(&self, ctx: &Context<'_>) -> Result<TrainingProgram> {
        Ok(program(ctx, self.0.program_id).await?)
    }
}

/// A train-the-facilitator workshop. Everyone in the organisation sees it; its link is for
/// accepted participants and its trainers.
#[derive(Clone)]
pub struct Workshop(pub workshop::Model);

impl Workshop {
    async fn trainer_ids(&self, ctx: &Context<'_>) -> AppResult<Vec<Uuid>> {
        Ok(ctx
            .loaders()?
            .training
            .load_one(TrainersOf(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// The viewer runs this workshop: one of its trainers or a training manager.
    pub async fn runs(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let access = access(ctx).await?;
        Ok(runs_workshop(
            &access,
            &self.0,
            &self.trainer_ids(ctx).await?,
        ))
    }

    async fn enrollments_all(&self, ctx: &Context<'_>) -> AppResult<Vec<enrollment::Model>> {
        Ok(ctx
            .loaders()?
            .training
            .load_one(EnrollmentsOf(self.0.id))
            .await?
            .unwrap_or_default())
    }

    async fn viewer_enrollment_model(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<enrollment::Model>> {
        let me = ctx.viewer()?.person_id;
        Ok(self
            .enrollments_all(ctx)
            .await?
            .into_iter()
            .find(|e| Some(e.person_id) == me))
    }
}

#[Object]
impl Workshop {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Workshop, self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn kind(&self) -> WorkshopKind {
        self.0.kind.into()
    }

    async fn modality(&self) -> Modality {
        self.0.modality.into()
    }

    async fn venue(&self) -> Option<&str> {
        self.0.venue.as_deref()
    }

    /// For accepted participants and the workshop's trainers.
    async fn conference_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.0.conference_url.is_none() {
            return Ok(None);
        }
        let accepted = self.viewer_enrollment_model(ctx).await?.is_some_and(|e| {
            matches!(
                e.status,
                entity::EnrollmentStatus::Accepted | entity::EnrollmentStatus::Completed
            )
        });
        Ok((accepted || self.runs(ctx).await?)
            .then(|| self.0.conference_url.clone())
            .flatten())
    }

    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// Accepted (and completed) participants.
    async fn seats_taken(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self
            .enrollments_all(ctx)
            .await?
            .iter()
            .filter(|e| {
                matches!(
                    e.status,
                    entity::EnrollmentStatus::Accepted
                        | entity::EnrollmentStatus::Completed
                        | entity::EnrollmentStatus::NotCompleted
                )
            })
            .count() as i32)
    }

    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    async fn program(&self, ctx: &Context<'_>) -> Result<TrainingProgram> {
        Ok(program(ctx, self.0.program_id).await?)
    }

    async fn trainers(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let ids = self.trainer_ids(ctx).await?;
        Ok(people(ctx, &ids).await?)
    }

    async fn sessions(&self, ctx: &Context<'_>) -> Result<Vec<WorkshopSession>> {
        Ok(ctx
            .loaders()?
            .training
            .load_one(SessionsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(WorkshopSession)
            .collect())
    }

    /// Every application, oldest first: for the workshop's trainers and training managers
    /// (FORBIDDEN for anyone else).
    async fn enrollments(&self, ctx: &Context<'_>) -> Result<Vec<Enrollment>> {
        if !self.runs(ctx).await? {
            return Err(
                AppError::forbidden("applications are read by the workshop's trainers").into(),
            );
        }
        Ok(self
            .enrollments_all(ctx)
            .await?
            .into_iter()
            .map(Enrollment)
            .collect())
    }

    /// The viewer's own application, if any.
    async fn viewer_enrollment(&self, ctx: &Context<'_>) -> Result<Option<Enrollment>> {
        Ok(self.viewer_enrollment_model(ctx).await?.map(Enrollment))
    }
}

#[derive(Clone)]
pub struct WorkshopSession(pub workshop_session::Model);

#[Object]
impl WorkshopSession {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::WorkshopSession, self.0.id)
    }

    /// 0 for the first session.
    async fn position(&self) -> i32 {
        self.0.position
    }

    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// For the workshop's trainers; a participant sees their own entry.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<Vec<WorkshopAttendance>> {
        let loaders = ctx.loaders()?;
        let w = must(
            &loaders.training,
            WorkshopKey(self.0.workshop_id),
            "session without workshop",
        )
        .await?;
        let runs = Workshop(w.clone()).runs(ctx).await?;
        let me = ctx.viewer()?.person_id;
        let mine: Vec<Uuid> = loaders
            .training
            .load_one(EnrollmentsOf(w.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|e| Some(e.person_id) == me)
            .map(|e| e.id)
            .collect();
        Ok(loaders
            .training
            .load_one(SessionAttendance(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|a| runs || mine.contains(&a.enrollment_id))
            .map(WorkshopAttendance)
            .collect())
    }
}

#[derive(Clone)]
pub struct WorkshopAttendance(pub workshop_attendance::Model);

#[Object]
impl WorkshopAttendance {
    async fn enrollment(&self, ctx: &Context<'_>) -> Result<Enrollment> {
        let e = must(
            &ctx.loaders()?.training,
            crate::graphql::loaders::training::EnrollmentKey(self.0.enrollment_id),
            "attendance without enrollment",
        )
        .await?;
        Ok(Enrollment(e))
    }

    async fn status(&self) -> AttendanceStatus {
        self.0.status.into()
    }

    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// An application to a workshop. Seen by the applicant and the workshop's trainers.
#[derive(Clone)]
pub struct Enrollment(pub enrollment::Model);

impl Enrollment {
    async fn workshop_model(&self, ctx: &Context<'_>) -> AppResult<workshop::Model> {
        must(
            &ctx.loaders()?.training,
            WorkshopKey(self.0.workshop_id),
            "enrollment without workshop",
        )
        .await
    }
}

#[Object]
impl Enrollment {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Enrollment, self.0.id)
    }

    async fn workshop(&self, ctx: &Context<'_>) -> Result<Workshop> {
        Ok(Workshop(self.workshop_model(ctx).await?))
    }

    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        Ok(person(ctx, self.0.person_id).await?)
    }

    /// Why the applicant wants to facilitate.
    async fn statement(&self) -> &str {
        &self.0.statement
    }

    async fn status(&self) -> EnrollmentStatus {
        self.0.status.into()
    }

    /// The trainers' screening notes: for the workshop's trainers and training managers only
    /// (null for the applicant).
    async fn screening_notes(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let runs = Workshop(self.workshop_model(ctx).await?).runs(ctx).await?;
        let me = ctx.viewer()?.person_id;
        Ok((runs && me != Some(self.0.person_id))
            .then(|| self.0.screening_notes.clone())
            .flatten())
    }

    async fn applied_at(&self) -> DateTime<Utc> {
        self.0.applied_at
    }

    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }

    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

/// What a trainee (or their mentor) showed for a competency, and the review.
#[derive(Clone)]
pub struct Evidence(pub evidence::Model);

#[Object]
impl Evidence {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Evidence, self.0.id)
    }

    async fn program(&self, ctx: &Context<'_>) -> Result<TrainingProgram> {
        Ok(program(ctx, self.0.program_id).await?)
    }

    async fn competency(&self, ctx: &Context<'_>) -> Result<Competency> {
        let c = must(
            &ctx.loaders()?.training,
            crate::graphql::loaders::training::CompetencyKey(self.0.competency_id),
            "evidence without competency",
        )
        .await?;
        Ok(Competency(c))
    }

    async fn trainee(&self, ctx: &Context<'_>) -> Result<Person> {
        Ok(person(ctx, self.0.trainee_id).await?)
    }

    async fn submitted_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        Ok(match self.0.submitted_by {
            Some(id) => Some(person(ctx, id).await?),
            None => None,
        })
    }

    async fn kind(&self) -> EvidenceKind {
        self.0.kind.into()
    }

    async fn note(&self) -> &str {
        &self.0.note
    }

    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    async fn meeting_id(&self) -> Option<ID> {
        self.0.meeting_id.map(|m| ids::encode(Kind::Meeting, m))
    }

    async fn status(&self) -> EvidenceStatus {
        self.0.status.into()
    }

    async fn reviewed_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        Ok(match self.0.reviewed_by {
            Some(id) => Some(person(ctx, id).await?),
            None => None,
        })
    }

    async fn review_comment(&self) -> Option<&str> {
        self.0.review_comment.as_deref()
    }

    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A person certified in a programme.
#[derive(Clone)]
pub struct Certification(pub certification::Model);

#[Object]
impl Certification {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Certification, self.0.id)
    }

    async fn program(&self, ctx: &Context<'_>) -> Result<TrainingProgram> {
        Ok(program(ctx, self.0.program_id).await?)
    }

    async fn holder(&self, ctx: &Context<'_>) -> Result<Person> {
        Ok(person(ctx, self.0.person_id).await?)
    }

    /// Computed now: EXPIRING_SOON within 60 days of `validUntil`.
    async fn status(&self) -> CertificationStatus {
        self.0.status(Utc::now()).into()
    }

    async fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }

    async fn valid_until(&self) -> DateTime<Utc> {
        self.0.valid_until
    }

    async fn renewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.renewed_at
    }

    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// For the holder and the organisation's trainers.
    async fn revoked_reason(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let mine = ctx.viewer()?.person_id == Some(self.0.person_id);
        let allowed = mine || viewer_is_trainer(ctx, self.0.organisation_id).await?;
        Ok(allowed.then(|| self.0.revoked_reason.clone()).flatten())
    }

    /// The trainers of the workshop the holder completed.
    async fn trained_by(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let Some(w) = self.0.workshop_id else {
            return Ok(Vec::new());
        };
        let ids = ctx
            .loaders()?
            .training
            .load_one(TrainersOf(w))
            .await?
            .unwrap_or_default();
        Ok(people(ctx, &ids).await?)
    }

    /// The Open Badges 3.0 AchievementCredential, as served at `GET /credentials/{id}`: its
    /// recipient is a salted hash, and its status tells whether it is expired or revoked.
    async fn open_badge(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let loaders = ctx.loaders()?;
        let c = &self.0;
        let program = must(
            &loaders.training,
            ProgramKey(c.program_id),
            "programme missing",
        )
        .await?;
        let organisation = must(
            &loaders.organisations,
            c.organisation_id,
            "organisation missing",
        )
        .await?;
        let holder = must(&loaders.people, c.person_id, "holder missing").await?;
        let competencies = loaders
            .training
            .load_one(CompetenciesOf(c.program_id))
            .await?
            .unwrap_or_default();
        let base_url = &ctx.services()?.config.public_url;
        Ok(Json(crate::domain::training::badge::credential(
            &crate::domain::training::badge::BadgeParts {
                certification: c,
                program: &program,
                organisation: &organisation,
                holder: &holder,
                competencies: &competencies,
                base_url,
                now: Utc::now(),
            },
        )))
    }
}

/// A certified facilitator accompanying a trainee in a programme.
#[derive(Clone)]
pub struct Mentorship(pub mentorship::Model);

#[Object]
impl Mentorship {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Mentorship, self.0.id)
    }

    async fn program(&self, ctx: &Context<'_>) -> Result<TrainingProgram> {
        Ok(program(ctx, self.0.program_id).await?)
    }

    async fn mentor(&self, ctx: &Context<'_>) -> Result<Person> {
        Ok(person(ctx, self.0.mentor_id).await?)
    }

    async fn mentee(&self, ctx: &Context<'_>) -> Result<Person> {
        Ok(person(ctx, self.0.mentee_id).await?)
    }

    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }

    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at
    }

    async fn active(&self) -> bool {
        self.0.ended_at.is_none()
    }
}

#[derive(SimpleObject)]
pub struct CompetencyProgress {
    pub competency: Competency,
    pub status: CompetencyStatus,
}

/// Where a trainee stands in a programme.
pub struct TraineeProgress(pub progress::Progress);

#[Object]
impl TraineeProgress {
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        Ok(person(ctx, self.0.person_id).await?)
    }

    async fn program(&self) -> TrainingProgram {
        TrainingProgram(self.0.program.clone())
    }

    async fn competencies(&self) -> Vec<CompetencyProgress> {
        self.0
            .competencies
            .iter()
            .map(|c| CompetencyProgress {
                competency: Competency(c.competency.clone()),
                status: c.status.into(),
            })
            .collect()
    }

    /// Qualifying meetings co-facilitated so far (counted from real meetings).
    async fn practicum_done(&self) -> i64 {
        self.0.practicum_done
    }

    async fn practicum_required(&self) -> i32 {
        self.0.program.practicum_meetings_required
    }

    async fn workshop_completed(&self) -> bool {
        self.0.completed_workshop.is_some()
    }

    /// Every requirement is met: a trainer may issue the certification.
    async fn eligible(&self) -> bool {
        self.0.eligible()
    }

    /// What is still missing, in words.
    async fn missing(&self) -> &[String] {
        &self.0.missing
    }

    /// The valid certification, if already certified.
    async fn certification(&self) -> Option<Certification> {
        self.0.certification.clone().map(Certification)
    }
}

/// Counts of the organisation's training pipeline.
#[derive(SimpleObject)]
pub struct TrainingReach {
    pub certified_facilitators: i64,
    pub active_trainers: i64,
    /// The longest trainer → trainee chain, in people.
    pub generations: i32,
    pub certified_last_12_months: i64,
}

/// Programmes are seen by people of their organisation.
pub fn program_visible(
    access: &crate::domain::access::Access,
    p: &training_program::Model,
) -> bool {
    sees_training(access, p.organisation_id)
}

/// `Person.certifications`.
pub async fn certifications_of(ctx: &Context<'_>, person_id: Uuid) -> Result<Vec<Certification>> {
    let access = access(ctx).await?;
    let all = ctx
        .loaders()?
        .training
        .load_one(crate::graphql::loaders::training::CertificationsOf(
            person_id,
        ))
        .await?
        .unwrap_or_default();
    let now = Utc::now();
    let mut out = Vec::new();
    for c in all {
        let visible = match certifications::reader(&access, &c, now) {
            certifications::Reader::Yes => true,
            certifications::Reader::No => false,
            certifications::Reader::IfTrainer => viewer_is_trainer(ctx, c.organisation_id).await?,
        };
        if visible {
            out.push(Certification(c));
        }
    }
    Ok(out)
}

/// `Person.trainees`: the lineage below a trainer. The trainer sees their own; a trainer of
/// an organisation sees the trainees certified there.
pub async fn trainees_of(ctx: &Context<'_>, trainer: Uuid) -> Result<Vec<Person>> {
    let access = access(ctx).await?;
    let loaders = ctx.loaders()?;
    let ids = loaders
        .training
        .load_one(crate::graphql::loaders::training::TraineesOf(trainer))
        .await?
        .unwrap_or_default();
    let mine = access.person_id == Some(trainer);
    let mut visible = Vec::new();
    if mine {
        visible = ids;
    } else if access.is_signed_in() {
        let certs = loaders
            .training
            .load_many(
                ids.iter()
                    .map(|p| crate::graphql::loaders::training::CertificationsOf(*p)),
            )
            .await?;
        for id in ids {
            let orgs: Vec<Uuid> = certs
                .get(&crate::graphql::loaders::training::CertificationsOf(id))
                .into_iter()
                .flatten()
                .map(|c| c.organisation_id)
                .collect();
            let mut shown = false;
            for org in orgs {
                if viewer_is_trainer(ctx, org).await? {
                    shown = true;
                    break;
                }
            }
            if shown {
                visible.push(id);
            }
        }
    }
    let mut found = people(ctx, &visible).await?;
    found.sort_by(|a, b| {
        (a.0.display_name.to_lowercase(), a.0.id).cmp(&(b.0.display_name.to_lowercase(), b.0.id))
    });
    Ok(found)
}

/// `node(id:)` for training objects, through the same rules as their fields and mutations.
pub async fn training_node(
    ctx: &Context<'_>,
    kind: Kind,
    id: Uuid,
) -> AppResult<Option<crate::graphql::node::Node>> {
    use crate::graphql::loaders::training::{
        CertificationKey, CompetencyKey, EnrollmentKey, EvidenceKey, MentorshipKey, SessionKey,
    };
    use crate::graphql::node::Node;
    let access = access(ctx).await?;
    let loaders = ctx.loaders()?;
    let db = ctx.db()?;
    let program_seen = |p: &training_program::Model| sees_training(&access, p.organisation_id);
    Ok(match kind {
        Kind::TrainingProgram => loaders
            .training
            .load_one(ProgramKey(id))
            .await?
            .filter(program_seen)
            .map(|p| Node::TrainingProgram(TrainingProgram(p))),
        Kind::Competency => {
            let Some(c) = loaders.training.load_one(CompetencyKey(id)).await? else {
                return Ok(None);
            };
            let seen = loaders
                .training
                .load_one(ProgramKey(c.program_id))
                .await?
                .is_some_and(|p| program_seen(&p));
            seen.then_some(Node::Competency(Competency(c)))
        }
        Kind::Workshop => loaders
            .training
            .load_one(WorkshopKey(id))
            .await?
            .filter(|w| sees_training(&access, w.organisation_id))
            .map(|w| Node::Workshop(Workshop(w))),
        Kind::WorkshopSession => {
            let Some(s) = loaders.training.load_one(SessionKey(id)).await? else {
                return Ok(None);
            };
            let seen = loaders
                .training
                .load_one(WorkshopKey(s.workshop_id))
                .await?
                .is_some_and(|w| sees_training(&access, w.organisation_id));
            seen.then_some(Node::WorkshopSession(WorkshopSession(s)))
        }
        Kind::Enrollment => {
            let Some(e) = loaders.training.load_one(EnrollmentKey(id)).await? else {
                return Ok(None);
            };
            let mine = access.person_id == Some(e.person_id);
            let en = Enrollment(e);
            let w = Workshop(en.workshop_model(ctx).await?);
            (mine || w.runs(ctx).await?).then_some(Node::Enrollment(en))
        }
        Kind::Evidence => {
            let Some(e) = loaders.training.load_one(EvidenceKey(id)).await? else {
                return Ok(None);
            };
            let Some(p) = loaders.training.load_one(ProgramKey(e.program_id)).await? else {
                return Ok(None);
            };
            let seen = program_seen(&p)
                && crate::domain::training::evidence::may_read(db, &access, &e, p.organisation_id)
                    .await?;
            seen.then_some(Node::Evidence(Evidence(e)))
        }
        Kind::Certification => {
            let Some(c) = loaders.training.load_one(CertificationKey(id)).await? else {
                return Ok(None);
            };
            let seen = match certifications::reader(&access, &c, Utc::now()) {
                certifications::Reader::Yes => true,
                certifications::Reader::No => false,
                certifications::Reader::IfTrainer => {
                    viewer_is_trainer(ctx, c.organisation_id).await?
                }
            };
            seen.then_some(Node::Certification(Certification(c)))
        }
        Kind::Mentorship => {
            let Some(m) = loaders.training.load_one(MentorshipKey(id)).await? else {
                return Ok(None);
            };
            let Some(p) = loaders.training.load_one(ProgramKey(m.program_id)).await? else {
                return Ok(None);
            };
            let party = access
                .person_id
                .is_some_and(|me| me == m.mentor_id || me == m.mentee_id);
            let seen =
                program_seen(&p) && (party || viewer_is_trainer(ctx, p.organisation_id).await?);
            seen.then_some(Node::Mentorship(Mentorship(m)))
        }
        _ => None,
    })
}
