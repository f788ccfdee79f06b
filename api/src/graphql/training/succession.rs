//! `Group.succession`, `Cluster.groupsAtRisk` and `Organisation.groupsAtRisk`.

use std::collections::HashMap;

use async_graphql::{Context, Object, Result, dataloader::Loader as _};
use chrono::{DateTime, Duration, Utc};
use entity::{certification::EXPIRING_SOON_DAYS, group};
use uuid::Uuid;

use crate::{
    domain::{
        meetings::load,
        pagination::{Cursor, PageArgs, page_sorted},
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
        loaders::{meetings::LoadKey, must, training::SuccessionKey},
    },
};

/// Whether a group is about to lose its certified facilitators, and why.
pub struct Succession(pub succession::Succession);

#[Object]
impl Succession {
    /// Active facilitators and co-facilitators holding a valid certification.
    async fn active_certified_facilitators(&self) -> i32 {
        self.0.active_certified_facilitators
    }

    /// Active members in training (in or through a workshop, or mentored), not yet certified.
    async fn trainees_in_pipeline(&self) -> i32 {
        self.0.trainees_in_pipeline
    }

    async fn named_successors(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let found = ctx
            .loaders()?
            .memberships
            .load_many(self.0.named_successors.iter().copied())
            .await?;
        Ok(self
            .0
            .named_successors
            .iter()
            .filter_map(|id| found.get(id).cloned().map(Membership))
            .collect())
    }

    /// Certified facilitators whose certification ends within 60 days.
    async fn expiring_soon(&self) -> i32 {
        self.0.expiring_soon
    }

    async fn risk(&self) -> enums::SuccessionRisk {
        self.0.risk.into()
    }

    async fn reasons(&self) -> &[String] {
        &self.0.reasons
    }
}

/// The succession of a group, from batched loads (facilitators and their load, and the
/// certification counts).
async fn assess(ctx: &Context<'_>, g: &group::Model) -> AppResult<succession::Succession> {
    let loaders = ctx.loaders()?;
    let now = Utc::now();
    let load_data = loaders
        .meeting_data
        .load_one(LoadKey(g.id))
        .await?
        .unwrap_or_default();
    let entries = load::compute(
        g,
        load_data.facilitators,
        &load_data.meetings,
        &load_data.reports,
        now,
    );
    let data = must(&loaders.training, SuccessionKey(g.id), "succession data").await?;
    let (risk, reasons) = succession::assess(&data.certified, &entries, now);
    let soon = now + Duration::days(EXPIRING_SOON_DAYS);
    Ok(succession::Succession {
        active_certified_facilitators: data.certified.len() as i32,
        expiring_soon: data.certified.iter().filter(|u| **u <= soon).count() as i32,
        trainees_in_pipeline: data.trainees_in_pipeline,
        named_successors: data.named,
        risk,
        reasons,
    })
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
    Ok(Succession(assess(ctx, g).await?))
}

/// Stale rows recomputed per round: keeps every statement's bound values within SQLite's limit.
const REFRESH_CHUNK: usize = 1000;

/// Recomputes the stored risk of the groups in scope whose row is stale
/// (`domain::training::risk_summary`), with the rules and loads of `Group.succession`; returns
/// what it computed (risk and sort name per group). It reads through the loaders' batch
/// functions, not their caches, so that the page's own loads stay one batch whatever was stale.
async fn refresh(
    ctx: &Context<'_>,
    organisation_id: Uuid,
    paths: &[String],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, (SuccessionRisk, String)>> {
    let db = ctx.db()?;
    let loaders = ctx.loaders()?;
    let stale = risk_summary::stale(db, organisation_id, paths, now).await?;
    let mut out = HashMap::with_capacity(stale.len());
    for chunk in stale.chunks(REFRESH_CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.group_id).collect();
        let keys: Vec<LoadKey> = ids.iter().map(|id| LoadKey(*id)).collect();
        let groups = loaders.groups.loader().load(&ids).await?;
        let mut loads = loaders.meeting_data.loader().load(&keys).await?;
        let certified = succession::certified_facilitators(db, &ids, now).await?;
        let next = risk_summary::next_meetings(db, &ids, now).await?;
        let mut computed = Vec::with_capacity(chunk.len());
        for s in chunk {
            let Some(g) = groups.get(&s.group_id) else {
                continue;
            };
            let best = certified
                .get(&s.group_id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let c = risk_summary::recompute(
                *s,
                g,
                loads.remove(&LoadKey(s.group_id)).unwrap_or_default(),
                best,
                next.get(&s.group_id).copied(),
                now,
            );
            out.insert(s.group_id, (c.risk, g.sort_name.clone()));
            computed.push(c);
        }
        // The rows are a cache: if they cannot be stored now (a concurrent writer, a busy
        // database), they stay stale and the next reader recomputes them.
        if let Err(e) = risk_summary::store(db, &computed).await {
            tracing::warn!(error = %e.describe(), "groupsAtRisk: could not store recomputed risks");
        }
    }
    Ok(out)
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
    let now = Utc::now();
    let mut listed: HashMap<Uuid, (SuccessionRisk, String)> =
        refresh(ctx, organisation_id, &paths, now).await?;
    for l in risk_summary::at_risk(ctx.db()?, organisation_id, &paths).await? {
        // What was just recomputed wins over what the table held (it may not have been stored).
        listed.entry(l.group_id).or_insert((l.risk, l.sort_name));
    }
    let mut at_risk: Vec<(Cursor, Uuid)> = listed
        .into_iter()
        .filter_map(|(id, (risk, sort_name))| {
            let rank = match risk {
                SuccessionRisk::Critical => 0,
                SuccessionRisk::AtRisk => 1,
                SuccessionRisk::Ok => return None,
            };
            let cursor = Cursor {
                key: Some(format!("{rank}:{sort_name}")),
                time: None,
                id,
            };
            Some((cursor, id))
        })
        .collect();
    at_risk.sort_by(|(a, _), (b, _)| (&a.key, a.id).cmp(&(&b.key, b.id)));
    let total = at_risk.len() as u64;
    let page = page_sorted(at_risk, &args);
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
