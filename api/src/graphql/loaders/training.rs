//! Loaders for training: programmes, competencies, workshops and what hangs off them,
//! certifications per person, lineage, and the certification side of succession — over
//! `domain::training::reads` and `succession`.

use std::collections::HashMap;

use crate::db::Db;
use async_graphql::dataloader::Loader;
use entity::{
    certification, competency, enrollment, workshop, workshop_attendance, workshop_session,
};
use uuid::Uuid;

use super::{PageLoader, batches};
use crate::{
    domain::{
        pagination::{Page, PageArgs},
        training::{reads, succession},
    },
    error::AppError,
};

pub struct TrainingLoader {
    pub(super) db: Db,
}

keyed_by_id!(TrainingLoader, ProgramKey, training_program);
keyed_by_id!(TrainingLoader, WorkshopKey, workshop);
keyed_by_id!(TrainingLoader, CompetencyKey, competency);
keyed_by_id!(TrainingLoader, EnrollmentKey, enrollment);
keyed_by_id!(TrainingLoader, SessionKey, workshop_session);
keyed_by_id!(TrainingLoader, EvidenceKey, evidence);
keyed_by_id!(TrainingLoader, CertificationKey, certification);
keyed_by_id!(TrainingLoader, MentorshipKey, mentorship);

/// A programme's competencies, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CompetenciesOf(pub Uuid);
by_parent!(
    TrainingLoader,
    CompetenciesOf,
    Vec<competency::Model>,
    |db, ids| { reads::competencies_of(db, &ids) }
);

/// A workshop's sessions, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionsOf(pub Uuid);
by_parent!(
    TrainingLoader,
    SessionsOf,
    Vec<workshop_session::Model>,
    |db, ids| { reads::sessions_of(db, &ids) }
);

/// A workshop's trainers (person ids), in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrainersOf(pub Uuid);
by_parent!(TrainingLoader, TrainersOf, Vec<Uuid>, |db, ids| {
    reads::trainers_of(db, &ids)
});

/// A workshop's enrollments, oldest application first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnrollmentsOf(pub Uuid);
by_parent!(
    TrainingLoader,
    EnrollmentsOf,
    Vec<enrollment::Model>,
    |db, ids| { reads::enrollments_of(db, &ids) }
);

/// Attendance taken at a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionAttendance(pub Uuid);
by_parent!(
    TrainingLoader,
    SessionAttendance,
    Vec<workshop_attendance::Model>,
    |db, ids| { reads::session_attendance(db, &ids) }
);

/// Every certification a person holds or held, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertificationsOf(pub Uuid);
by_parent!(
    TrainingLoader,
    CertificationsOf,
    Vec<certification::Model>,
    |db, ids| { reads::certifications_of(db, &ids) }
);

/// People certified through workshops a person trained, by trainer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TraineesOf(pub Uuid);
by_parent!(TrainingLoader, TraineesOf, Vec<Uuid>, |db, ids| {
    reads::trainees_of(db, &ids)
});

/// Each certified facilitator's latest valid-until, per group (what succession risk needs
/// besides the facilitators' load).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertifiedKey(pub Uuid);

impl Loader<CertifiedKey> for TrainingLoader {
    type Value = Vec<chrono::DateTime<chrono::Utc>>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CertifiedKey],
    ) -> Result<HashMap<CertifiedKey, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut found =
            succession::certified_facilitators(&self.db, &ids, chrono::Utc::now()).await?;
        Ok(ids
            .into_iter()
            .map(|g| (CertifiedKey(g), found.remove(&g).unwrap_or_default()))
            .collect())
    }
}

/// Members in training, not yet certified, per group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PipelineKey(pub Uuid);

impl Loader<PipelineKey> for TrainingLoader {
    type Value = i32;
    type Error = AppError;

    async fn load(&self, keys: &[PipelineKey]) -> Result<HashMap<PipelineKey, i32>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = succession::trainees_in_pipeline(&self.db, &ids, chrono::Utc::now()).await?;
        Ok(ids
            .into_iter()
            .map(|g| (PipelineKey(g), found.get(&g).copied().unwrap_or(0)))
            .collect())
    }
}

/// Named successors (memberships still active), per group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NamedKey(pub Uuid);

impl Loader<NamedKey> for TrainingLoader {
    type Value = Vec<Uuid>;
    type Error = AppError;

    async fn load(&self, keys: &[NamedKey]) -> Result<HashMap<NamedKey, Vec<Uuid>>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut found = succession::named(&self.db, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|g| (NamedKey(g), found.remove(&g).unwrap_or_default()))
            .collect())
    }
}

/// A page of a programme's workshops, soonest first.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorkshopPageKey {
    pub program: Uuid,
    pub args: PageArgs,
}

impl Loader<WorkshopPageKey> for PageLoader {
    type Value = Page<workshop::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[WorkshopPageKey],
    ) -> Result<HashMap<WorkshopPageKey, Self::Value>, AppError> {
        let mut out = HashMap::new();
        for (args, programs) in batches(keys, |k| (k.args.clone(), k.program)) {
            let mut pages = reads::workshop_pages(&self.db, &programs, &args).await?;
            for program in programs {
                let page = pages.remove(&program).unwrap_or_default();
                let args = args.clone();
                out.insert(WorkshopPageKey { program, args }, page);
            }
        }
        Ok(out)
    }
}
