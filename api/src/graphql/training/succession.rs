//! `Group.succession`, `Cluster.groupsAtRisk` and `Organisation.groupsAtRisk`.

use async_graphql::{Context, Object, Result, dataloader::Loader as _};
use chrono::{DateTime, Duration, Utc};
use entity::{certification::EXPIRING_SOON_DAYS, group};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::{
    domain::{
        pagination::PageArgs,
        training::{
            risk_summary,
            succession::{self, SuccessionRisk},
        },
    },
    error::{AppError, AppResult},
    graphql::{
        connection::Total,
        context::{ContextExt, signed_in},
        enums,
        groups::types::{Group, GroupConnection, Membership},
        loaders::{
            meetings::LoadKey,
            must,
            training::{CertifiedKey, NamedKey, PipelineKey},
        },
    },
};

/// Whether a group is about to lose its certified facilitators, and why. Each part loads
/// (batched across groups) only when asked for.
pub struct Succession {
    group: group::Model,
    assessed: OnceCell<Assessed>,
}

/// The risk and what it rests on.
struct Assessed {
    /// Each certified facilitator's latest valid-until.
    certified: Vec<DateTime<Utc>>,
    risk: SuccessionRisk,
    reasons: Vec<String>,
}

impl Succession {
    /// From the facilitators' certifications and their load, loaded together.
    async fn assessed(&self, ctx: &Context<'_>) -> AppResult<&Assessed> {
        self.assessed
            .get_or_try_init(|| async {
                let loaders = ctx.loaders()?;
                let id = self.group.id;
                let (certified, load_data) = futures_util::future::try_join(
                    loaders.training.load_one(CertifiedKey(id)),
                    loaders.meeting_data.load_one(LoadKey(id)),
                )
                .await?;
                let certified = certified.unwrap_or_default();
                let (risk, reasons) = succession::assess_group(
                    &self.group,
                    load_data.unwrap_or_default(),
                    &certified,
                    Utc::now(),
                );
                Ok(Assessed {
                    certified,
                    risk,
                    reasons,
                })
            })
            .await
    }
}

#[Object]
impl Succession {
    /// Active facilitators and co-facilitators holding a valid certification.
    async fn active_certified_facilitators(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.assessed(ctx).await?.certified.len() as i32)
    }

    /// Active members in training (in or through a workshop, or mentored), not yet certified.
    async fn trainees_in_pipeline(&self, ctx: &Context<'_>) -> Result<i32> {
        let n = ctx
            .loaders()?
            .training
            .load_one(PipelineKey(self.group.id))
            .await?;
        Ok(n.unwrap_or(0))
    }

    async fn named_successors(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let loaders = ctx.loaders()?;
        let named = loaders
            .training
            .load_one(NamedKey(self.group.id))
            .await?
            .unwrap_or_default();
        let found = loaders.memberships.load_many(named.iter().copied()).await?;
        Ok(named
            .iter()
            .filter_map(|id| found.get(id).cloned().map(Membership))
            .collect())
    }

    /// Certified facilitators whose certification ends within 60 days.
    async fn expiring_soon(&self, ctx: &Context<'_>) -> Result<i32> {
        let soon = Utc::now() + Duration::days(EXPIRING_SOON_DAYS);
        let certified = &self.assessed(ctx).await?.certified;
        Ok(certified.iter().filter(|u| **u <= soon).count() as i32)
    }

    async fn risk(&self, ctx: &Context<'_>) -> Result<enums::SuccessionRisk> {
        Ok(self.assessed(ctx).await?.risk.into())
    }

    async fn reasons(&self, ctx: &Context<'_>) -> Result<&[String]> {
        Ok(&self.assessed(ctx).await?.reasons)
    }
}

/// `Group.succession`: for the group's facilitators and managers, and TRAINERs and ANALYSTs
/// in scope.
pub async fn succession_of(ctx: &Context<'_>, g: &group::Model) -> Result<Succession> {
    let access = signed_in(ctx).await?;
    let path = must(
        &ctx.loaders()?.clusters,
        g.cluster_id,
        "group without cluster",
    )
    .await?
    .path;
    if !succession::may_see(&access, g, &path) {
        return Err(AppError::forbidden(
            "succession is for the group's facilitators, managers, trainers and analysts",
        )
        .into());
    }
    Ok(Succession {
        group: g.clone(),
        assessed: OnceCell::new(),
    })
}

/// Stale rows recomputed per round: keeps every statement's bound values within SQLite's limit.
const REFRESH_CHUNK: usize = 1000;

/// Recomputes and stores stale rows (`domain::training::risk_summary`) with the rules and
/// loads of `Group.succession`. It reads through the loaders' batch functions, not their
/// caches, so that the page's own loads stay one batch whatever was stale.
async fn refresh(
    ctx: &Context<'_>,
    stale: &[risk_summary::Stale],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let db = ctx.db()?;
    let loaders = ctx.loaders()?;
    for chunk in stale.chunks(REFRESH_CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.group_id).collect();
        let keys: Vec<LoadKey> = ids.iter().map(|id| LoadKey(*id)).collect();
        let groups = loaders.groups_unchecked.loader().load(&ids).await?;
        let mut loads = loaders.meeting_data.loader().load(&keys).await?;
        let certified = succession::certified_facilitators(db, &ids, now).await?;
        let next = risk_summary::next_meetings(db, &ids, now).await?;
        let computed: Vec<risk_summary::Computed> = chunk
            .iter()
            .filter_map(|s| {
                let g = groups.get(&s.group_id)?;
                let best = certified
                    .get(&s.group_id)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                Some(risk_summary::recompute(
                    *s,
                    g,
                    loads.remove(&LoadKey(s.group_id)).unwrap_or_default(),
                    best,
                    next.get(&s.group_id).copied(),
                    now,
                ))
            })
            .collect();
        risk_summary::store(db, &computed).await?;
    }
    Ok(())
}

/// Where a list of groups at risk looks: the whole organisation, or cluster subtrees.
pub enum Scope {
    Organisation(Uuid),
    Cluster(entity::cluster::Model),
}

/// Groups at risk, CRITICAL first, then by name.
pub async fn groups_at_risk(
    ctx: &Context<'_>,
    scope: Scope,
    args: PageArgs,
) -> Result<GroupConnection> {
    let access = signed_in(ctx).await?;
    let (organisation_id, paths) = match scope {
        Scope::Cluster(c) => {
            if !succession::may_list(&access, c.organisation_id, Some(&c.path)) {
                return Err(AppError::forbidden("you may not review this cluster's groups").into());
            }
            (c.organisation_id, vec![c.path])
        }
        Scope::Organisation(org) if succession::may_list(&access, org, None) => (org, Vec::new()),
        Scope::Organisation(org) => {
            // Someone with cluster grants sees the groups of their clusters.
            let paths: Vec<String> = access
                .grants
                .iter()
                .filter(|g| g.organisation_id == org)
                .filter_map(|g| g.cluster_path.clone())
                .filter(|p| succession::may_list(&access, org, Some(p)))
                .collect();
            if paths.is_empty() {
                return Err(AppError::forbidden(
                    "groups at risk are for the organisation's managers, trainers and analysts",
                )
                .into());
            }
            (org, paths)
        }
    };
    let db = ctx.db()?;
    let now = Utc::now();
    let stale = risk_summary::stale(db, organisation_id, &paths, now).await?;
    if !stale.is_empty() {
        refresh(ctx, &stale, now).await?;
    }
    let (page, total) = risk_summary::page_at_risk(db, organisation_id, &paths, &args).await?;
    let groups = ctx
        .loaders()?
        .groups
        .load_many(page.items.iter().map(|(_, id)| *id))
        .await?;
    let page = crate::domain::pagination::Page {
        items: page
            .items
            .into_iter()
            .filter_map(|(c, id)| groups.get(&id).cloned().map(|g| (c, Group(g))))
            .collect(),
        has_next_page: page.has_next_page,
        has_previous_page: page.has_previous_page,
    };
    Ok(GroupConnection::new(page, Total::Known(total)))
}
