//! Loaders for training: programmes, competencies, workshops and what hangs off them,
//! certifications per person, lineage, and the certification side of succession.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    certification, competency, enrollment, workshop, workshop_attendance, workshop_session,
    workshop_trainer,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QueryTrait,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{PageLoader, batches, care::rows_under};
use crate::{
    domain::{
        in_ids,
        pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent},
        raw_statement,
        training::succession,
    },
    error::AppError,
};

pub struct TrainingLoader {
    pub(super) db: DatabaseConnection,
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

impl Loader<CompetenciesOf> for TrainingLoader {
    type Value = Vec<competency::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CompetenciesOf],
    ) -> Result<HashMap<CompetenciesOf, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select = competency::Entity::find().order_by_asc(competency::Column::Position);
        rows_under(&self.db, select, competency::Column::ProgramId, &ids, |r| {
            CompetenciesOf(r.program_id)
        })
        .await
    }
}

/// A workshop's sessions, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionsOf(pub Uuid);

impl Loader<SessionsOf> for TrainingLoader {
    type Value = Vec<workshop_session::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[SessionsOf],
    ) -> Result<HashMap<SessionsOf, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select =
            workshop_session::Entity::find().order_by_asc(workshop_session::Column::Position);
        rows_under(
            &self.db,
            select,
            workshop_session::Column::WorkshopId,
            &ids,
            |r| SessionsOf(r.workshop_id),
        )
        .await
    }
}

/// A workshop's trainers (person ids), in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrainersOf(pub Uuid);

impl Loader<TrainersOf> for TrainingLoader {
    type Value = Vec<Uuid>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[TrainersOf],
    ) -> Result<HashMap<TrainersOf, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select =
            workshop_trainer::Entity::find().order_by_asc(workshop_trainer::Column::Position);
        let rows = rows_under(
            &self.db,
            select,
            workshop_trainer::Column::WorkshopId,
            &ids,
            |r| TrainersOf(r.workshop_id),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().map(|t| t.person_id).collect()))
            .collect())
    }
}

/// A workshop's enrollments, oldest application first (at most `MAX_APPLICATIONS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnrollmentsOf(pub Uuid);

impl Loader<EnrollmentsOf> for TrainingLoader {
    type Value = Vec<enrollment::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[EnrollmentsOf],
    ) -> Result<HashMap<EnrollmentsOf, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select = enrollment::Entity::find()
            .order_by_asc(enrollment::Column::AppliedAt)
            .order_by_asc(enrollment::Column::Id);
        rows_under(
            &self.db,
            select,
            enrollment::Column::WorkshopId,
            &ids,
            |r| EnrollmentsOf(r.workshop_id),
        )
        .await
    }
}

/// Attendance taken at a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionAttendance(pub Uuid);

impl Loader<SessionAttendance> for TrainingLoader {
    type Value = Vec<workshop_attendance::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[SessionAttendance],
    ) -> Result<HashMap<SessionAttendance, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        rows_under(
            &self.db,
            workshop_attendance::Entity::find(),
            workshop_attendance::Column::SessionId,
            &ids,
            |r| SessionAttendance(r.session_id),
        )
        .await
    }
}

/// Every certification a person holds or held, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertificationsOf(pub Uuid);

impl Loader<CertificationsOf> for TrainingLoader {
    type Value = Vec<certification::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CertificationsOf],
    ) -> Result<HashMap<CertificationsOf, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select = certification::Entity::find().order_by_desc(certification::Column::IssuedAt);
        rows_under(
            &self.db,
            select,
            certification::Column::PersonId,
            &ids,
            |r| CertificationsOf(r.person_id),
        )
        .await
    }
}

/// People certified through workshops a person trained, by trainer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TraineesOf(pub Uuid);

impl Loader<TraineesOf> for TrainingLoader {
    type Value = Vec<Uuid>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[TraineesOf],
    ) -> Result<HashMap<TraineesOf, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let backend = self.db.get_database_backend();
        let (cond, values) = succession::in_list(backend, "wt.person_id", &ids);
        let sql = format!(
            "SELECT DISTINCT wt.person_id AS trainer, c.person_id AS trainee \
             FROM workshop_trainers wt JOIN certifications c ON c.workshop_id = wt.workshop_id \
             WHERE {cond}"
        );
        let rows = self
            .db
            .query_all_raw(raw_statement(backend, &sql, values))
            .await?;
        let mut out: HashMap<TraineesOf, Vec<Uuid>> = HashMap::new();
        for row in rows {
            let trainer: Uuid = row.try_get("", "trainer")?;
            out.entry(TraineesOf(trainer))
                .or_default()
                .push(row.try_get("", "trainee")?);
        }
        Ok(out)
    }
}

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

/// A programme's workshops.
pub(super) fn workshops_rows() -> ChildRows {
    ChildRows::new(
        workshop::Entity::find().into_query(),
        (workshop::Entity, workshop::Column::ProgramId),
    )
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
            let sort: Sort<workshop::Entity> = Sort {
                key: Some(workshop::Column::StartsAt),
                id: workshop::Column::Id,
                descending: false,
            };
            let rows = workshops_rows();
            let mut pages = pages_by_parent(&self.db, rows, &programs, &sort, &args).await?;
            for program in programs {
                let page = pages.remove(&program).unwrap_or_default();
                out.insert(
                    WorkshopPageKey {
                        program,
                        args: args.clone(),
                    },
                    page,
                );
            }
        }
        Ok(out)
    }
}
