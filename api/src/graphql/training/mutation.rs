//! Training mutations: one input, one payload each; the rules are in `domain::training`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::types::{
    Certification, Competency, Enrollment, Evidence, Mentorship, TrainingProgram, Workshop,
    WorkshopAttendance,
};
use crate::{
    domain::{
        throttle::{self, Oracle},
        training::{certifications, evidence, mentoring, programs, succession, workshops},
    },
    graphql::{
        context::{ContextExt, signed_in},
        enums::{AttendanceStatus, EvidenceKind, Modality, WorkshopKind},
        groups::types::{Group, Membership},
        ids::{self, Kind},
        scalars::Url,
    },
};

#[derive(InputObject)]
pub struct CreateTrainingProgramInput {
    pub organisation_id: ID,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    #[graphql(default = 3)]
    pub practicum_meetings_required: i32,
    #[graphql(default = 24)]
    pub certification_validity_months: i32,
    #[graphql(default = false)]
    pub is_trainer_program: bool,
}

#[derive(SimpleObject)]
pub struct CreateTrainingProgramPayload {
    pub program: TrainingProgram,
}

#[derive(InputObject)]
pub struct AddCompetencyInput {
    pub program_id: ID,
    /// Upper-case letters, digits and underscores, unique in the programme.
    pub code: String,
    pub title: String,
    pub description: Option<String>,
}

#[derive(SimpleObject)]
pub struct AddCompetencyPayload {
    pub competency: Competency,
}

#[derive(InputObject)]
pub struct WorkshopSessionInput {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(InputObject)]
pub struct ScheduleWorkshopInput {
    pub program_id: ID,
    pub title: String,
    #[graphql(default_with = "WorkshopKind::Standard")]
    pub kind: WorkshopKind,
    /// People who lead it: each holds a TRAINER grant in the organisation or an active
    /// certification of one of its trainer programmes.
    pub trainer_ids: Vec<ID>,
    /// In order, not overlapping.
    pub sessions: Vec<WorkshopSessionInput>,
    pub modality: Modality,
    pub venue: Option<String>,
    pub conference_url: Option<Url>,
    pub capacity: i32,
}

#[derive(SimpleObject)]
pub struct ScheduleWorkshopPayload {
    pub workshop: Workshop,
}

#[derive(InputObject)]
pub struct ApplyToWorkshopInput {
    pub workshop_id: ID,
    /// Why the applicant wants to facilitate (read by the trainers).
    pub statement: String,
}

#[derive(SimpleObject)]
pub struct ApplyToWorkshopPayload {
    pub enrollment: Enrollment,
}

#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EnrollmentDecision {
    Accepted,
    Waitlisted,
    Declined,
}

#[derive(InputObject)]
pub struct DecideEnrollmentInput {
    pub enrollment_id: ID,
    pub decision: EnrollmentDecision,
    /// For trainers and admins only; kept when omitted.
    pub screening_notes: Option<String>,
}

#[derive(SimpleObject)]
pub struct DecideEnrollmentPayload {
    pub enrollment: Enrollment,
}

#[derive(InputObject)]
pub struct WorkshopAttendanceEntryInput {
    pub enrollment_id: ID,
    pub status: AttendanceStatus,
}

#[derive(InputObject)]
pub struct RecordWorkshopAttendanceInput {
    pub session_id: ID,
    pub entries: Vec<WorkshopAttendanceEntryInput>,
}

#[derive(SimpleObject)]
pub struct RecordWorkshopAttendancePayload {
    pub attendance: Vec<WorkshopAttendance>,
}

#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EnrollmentOutcome {
    Completed,
    NotCompleted,
}

#[derive(InputObject)]
pub struct CompleteEnrollmentInput {
    pub enrollment_id: ID,
    pub outcome: EnrollmentOutcome,
}

#[derive(SimpleObject)]
pub struct CompleteEnrollmentPayload {
    pub enrollment: Enrollment,
}

#[derive(InputObject)]
pub struct SubmitEvidenceInput {
    pub program_id: ID,
    pub competency_id: ID,
    /// The trainee, when their mentor submits; default: the viewer.
    pub trainee_id: Option<ID>,
    pub kind: EvidenceKind,
    pub note: String,
    pub url: Option<Url>,
    /// Required for OBSERVED_MEETING: a meeting the trainee facilitated or attended.
    pub meeting_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct SubmitEvidencePayload {
    pub evidence: Evidence,
}

#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EvidenceDecision {
    Accepted,
    Rejected,
}

#[derive(InputObject)]
pub struct ReviewEvidenceInput {
    pub evidence_id: ID,
    pub decision: EvidenceDecision,
    /// Required when rejecting.
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct ReviewEvidencePayload {
    pub evidence: Evidence,
}

#[derive(InputObject)]
pub struct IssueCertificationInput {
    pub person_id: ID,
    pub program_id: ID,
}

#[derive(SimpleObject)]
pub struct IssueCertificationPayload {
    pub certification: Certification,
}

#[derive(InputObject)]
pub struct RenewCertificationInput {
    pub certification_id: ID,
}

#[derive(SimpleObject)]
pub struct RenewCertificationPayload {
    pub certification: Certification,
}

#[derive(InputObject)]
pub struct RevokeCertificationInput {
    pub certification_id: ID,
    pub reason: String,
}

#[derive(SimpleObject)]
pub struct RevokeCertificationPayload {
    pub certification: Certification,
}

#[derive(InputObject)]
pub struct StartMentorshipInput {
    pub program_id: ID,
    pub mentor_id: ID,
    pub mentee_id: ID,
}

#[derive(SimpleObject)]
pub struct StartMentorshipPayload {
    pub mentorship: Mentorship,
}

#[derive(InputObject)]
pub struct EndMentorshipInput {
    pub mentorship_id: ID,
}

#[derive(SimpleObject)]
pub struct EndMentorshipPayload {
    pub mentorship: Mentorship,
}

#[derive(InputObject)]
pub struct NameSuccessorInput {
    pub group_id: ID,
    /// An ACTIVE member or co-facilitator of the group.
    pub membership_id: ID,
}

#[derive(SimpleObject)]
pub struct NameSuccessorPayload {
    pub group: Group,
    pub successor: Membership,
}

#[derive(Default)]
pub struct TrainingMutation;

#[Object]
impl TrainingMutation {
    /// ADMINs and TRAINERs of the organisation.
    async fn create_training_program(
        &self,
        ctx: &Context<'_>,
        input: CreateTrainingProgramInput,
    ) -> Result<CreateTrainingProgramPayload> {
        let access = signed_in(ctx).await?;
        let organisation_id =
            ids::decode(Kind::Organisation, "organisationId", &input.organisation_id)?;
        let db = ctx.db()?;
        let create = programs::create_program(
            db,
            &access,
            programs::NewProgram {
                organisation_id,
                slug: input.slug,
                name: input.name,
                description: input.description,
                practicum_meetings_required: input.practicum_meetings_required,
                certification_validity_months: input.certification_validity_months,
                is_trainer_program: input.is_trainer_program,
            },
        );
        let actors = throttle::actors(access.person_id, &ctx.viewer()?.client_addr);
        let p = throttle::guard(db, Oracle::SlugUnavailable, &actors, create).await?;
        Ok(CreateTrainingProgramPayload {
            program: TrainingProgram(p),
        })
    }

    async fn add_competency(
        &self,
        ctx: &Context<'_>,
        input: AddCompetencyInput,
    ) -> Result<AddCompetencyPayload> {
        let access = signed_in(ctx).await?;
        let program_id = ids::decode(Kind::TrainingProgram, "programId", &input.program_id)?;
        let c = programs::add_competency(
            ctx.db()?,
            &access,
            programs::NewCompetency {
                program_id,
                code: input.code,
                title: input.title,
                description: input.description,
            },
        )
        .await?;
        Ok(AddCompetencyPayload {
            competency: Competency(c),
        })
    }

    /// The organisation's trainers schedule workshops led by qualified trainers.
    async fn schedule_workshop(
        &self,
        ctx: &Context<'_>,
        input: ScheduleWorkshopInput,
    ) -> Result<ScheduleWorkshopPayload> {
        let access = signed_in(ctx).await?;
        let program_id = ids::decode(Kind::TrainingProgram, "programId", &input.program_id)?;
        let trainer_ids = input
            .trainer_ids
            .iter()
            .enumerate()
            .map(|(i, id)| ids::decode(Kind::Person, &format!("trainerIds.{i}"), id))
            .collect::<Result<Vec<_>, _>>()?;
        let w = workshops::schedule(
            ctx.db()?,
            &access,
            workshops::NewWorkshop {
                program_id,
                title: input.title,
                kind: input.kind.into(),
                trainer_ids,
                sessions: input
                    .sessions
                    .into_iter()
                    .map(|s| workshops::NewSession {
                        starts_at: s.starts_at,
                        ends_at: s.ends_at,
                    })
                    .collect(),
                modality: input.modality.into(),
                venue: input.venue,
                conference_url: input.conference_url.map(|u| u.0),
                capacity: input.capacity,
            },
        )
        .await?;
        Ok(ScheduleWorkshopPayload {
            workshop: Workshop(w),
        })
    }

    /// Anyone in the organisation applies with a statement.
    async fn apply_to_workshop(
        &self,
        ctx: &Context<'_>,
        input: ApplyToWorkshopInput,
    ) -> Result<ApplyToWorkshopPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Workshop, "workshopId", &input.workshop_id)?;
        let e = workshops::apply(ctx.db()?, &access, id, &input.statement).await?;
        Ok(ApplyToWorkshopPayload {
            enrollment: Enrollment(e),
        })
    }

    /// The workshop's trainers accept (within capacity), waitlist or decline; a freed place
    /// goes to the waitlist in order.
    async fn decide_enrollment(
        &self,
        ctx: &Context<'_>,
        input: DecideEnrollmentInput,
    ) -> Result<DecideEnrollmentPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Enrollment, "enrollmentId", &input.enrollment_id)?;
        let decision = match input.decision {
            EnrollmentDecision::Accepted => entity::EnrollmentStatus::Accepted,
            EnrollmentDecision::Waitlisted => entity::EnrollmentStatus::Waitlisted,
            EnrollmentDecision::Declined => entity::EnrollmentStatus::Declined,
        };
        let e = workshops::decide(ctx.db()?, &access, id, decision, input.screening_notes).await?;
        Ok(DecideEnrollmentPayload {
            enrollment: Enrollment(e),
        })
    }

    async fn record_workshop_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordWorkshopAttendanceInput,
    ) -> Result<RecordWorkshopAttendancePayload> {
        let access = signed_in(ctx).await?;
        let session = ids::decode(Kind::WorkshopSession, "sessionId", &input.session_id)?;
        let entries = input
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                Ok(workshops::AttendanceEntry {
                    enrollment_id: ids::decode(
                        Kind::Enrollment,
                        &format!("entries.{i}.enrollmentId"),
                        &e.enrollment_id,
                    )?,
                    status: e.status.into(),
                })
            })
            .collect::<Result<Vec<_>, crate::error::AppError>>()?;
        let rows = workshops::record_attendance(ctx.db()?, &access, session, entries).await?;
        Ok(RecordWorkshopAttendancePayload {
            attendance: rows.into_iter().map(WorkshopAttendance).collect(),
        })
    }

    async fn complete_enrollment(
        &self,
        ctx: &Context<'_>,
        input: CompleteEnrollmentInput,
    ) -> Result<CompleteEnrollmentPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Enrollment, "enrollmentId", &input.enrollment_id)?;
        let outcome = match input.outcome {
            EnrollmentOutcome::Completed => entity::EnrollmentStatus::Completed,
            EnrollmentOutcome::NotCompleted => entity::EnrollmentStatus::NotCompleted,
        };
        let e = workshops::complete(ctx.db()?, &access, id, outcome).await?;
        Ok(CompleteEnrollmentPayload {
            enrollment: Enrollment(e),
        })
    }

    /// By the trainee, or their mentor for them.
    async fn submit_evidence(
        &self,
        ctx: &Context<'_>,
        input: SubmitEvidenceInput,
    ) -> Result<SubmitEvidencePayload> {
        let access = signed_in(ctx).await?;
        let e = evidence::submit(
            ctx.db()?,
            &access,
            evidence::NewEvidence {
                program_id: ids::decode(Kind::TrainingProgram, "programId", &input.program_id)?,
                competency_id: ids::decode(Kind::Competency, "competencyId", &input.competency_id)?,
                trainee_id: input
                    .trainee_id
                    .map(|id| ids::decode(Kind::Person, "traineeId", &id))
                    .transpose()?,
                kind: input.kind.into(),
                note: input.note,
                url: input.url.map(|u| u.0),
                meeting_id: input
                    .meeting_id
                    .map(|id| ids::decode(Kind::Meeting, "meetingId", &id))
                    .transpose()?,
            },
        )
        .await?;
        Ok(SubmitEvidencePayload {
            evidence: Evidence(e),
        })
    }

    /// A trainer who is not the trainee (nor who submitted it) signs evidence off.
    async fn review_evidence(
        &self,
        ctx: &Context<'_>,
        input: ReviewEvidenceInput,
    ) -> Result<ReviewEvidencePayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Evidence, "evidenceId", &input.evidence_id)?;
        let decision = match input.decision {
            EvidenceDecision::Accepted => entity::EvidenceStatus::Accepted,
            EvidenceDecision::Rejected => entity::EvidenceStatus::Rejected,
        };
        let e = evidence::review(ctx.db()?, &access, id, decision, input.comment).await?;
        Ok(ReviewEvidencePayload {
            evidence: Evidence(e),
        })
    }

    /// A trainer certifies someone who meets every requirement; NOT_ELIGIBLE lists what is
    /// missing otherwise.
    async fn issue_certification(
        &self,
        ctx: &Context<'_>,
        input: IssueCertificationInput,
    ) -> Result<IssueCertificationPayload> {
        let access = signed_in(ctx).await?;
        let person = ids::decode(Kind::Person, "personId", &input.person_id)?;
        let program = ids::decode(Kind::TrainingProgram, "programId", &input.program_id)?;
        let c = certifications::issue(ctx.db()?, &access, person, program).await?;
        Ok(IssueCertificationPayload {
            certification: Certification(c),
        })
    }

    /// Needs 6 facilitated HELD meetings in the last 12 months or a completed refresher
    /// workshop; a revoked or expired certification is not renewed.
    async fn renew_certification(
        &self,
        ctx: &Context<'_>,
        input: RenewCertificationInput,
    ) -> Result<RenewCertificationPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(
            Kind::Certification,
            "certificationId",
            &input.certification_id,
        )?;
        let c = certifications::renew(ctx.db()?, &access, id).await?;
        Ok(RenewCertificationPayload {
            certification: Certification(c),
        })
    }

    async fn revoke_certification(
        &self,
        ctx: &Context<'_>,
        input: RevokeCertificationInput,
    ) -> Result<RevokeCertificationPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(
            Kind::Certification,
            "certificationId",
            &input.certification_id,
        )?;
        let c = certifications::revoke(ctx.db()?, &access, id, &input.reason).await?;
        Ok(RevokeCertificationPayload {
            certification: Certification(c),
        })
    }

    /// The mentee (choosing a certified mentor) or a trainer starts a mentorship.
    async fn start_mentorship(
        &self,
        ctx: &Context<'_>,
        input: StartMentorshipInput,
    ) -> Result<StartMentorshipPayload> {
        let access = signed_in(ctx).await?;
        let m = mentoring::start(
            ctx.db()?,
            &access,
            ids::decode(Kind::TrainingProgram, "programId", &input.program_id)?,
            ids::decode(Kind::Person, "mentorId", &input.mentor_id)?,
            ids::decode(Kind::Person, "menteeId", &input.mentee_id)?,
        )
        .await?;
        Ok(StartMentorshipPayload {
            mentorship: Mentorship(m),
        })
    }

    async fn end_mentorship(
        &self,
        ctx: &Context<'_>,
        input: EndMentorshipInput,
    ) -> Result<EndMentorshipPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Mentorship, "mentorshipId", &input.mentorship_id)?;
        let m = mentoring::end(ctx.db()?, &access, id).await?;
        Ok(EndMentorshipPayload {
            mentorship: Mentorship(m),
        })
    }

    /// The group's facilitators and managers name a member to take over one day.
    async fn name_successor(
        &self,
        ctx: &Context<'_>,
        input: NameSuccessorInput,
    ) -> Result<NameSuccessorPayload> {
        let access = signed_in(ctx).await?;
        let group_id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let membership_id = ids::decode(Kind::Membership, "membershipId", &input.membership_id)?;
        let db = ctx.db()?;
        let named = succession::name_successor(db, &access, group_id, membership_id).await?;
        let g = crate::domain::groups::core::find_group(db, named.group_id).await?;
        let m = crate::graphql::loaders::must(
            &ctx.loaders()?.memberships,
            named.membership_id,
            "successor membership",
        )
        .await?;
        Ok(NameSuccessorPayload {
            group: Group(g),
            successor: Membership(m),
        })
    }
}
