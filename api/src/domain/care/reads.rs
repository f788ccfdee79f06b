//! Batch reads of member care for lists and loaders: groups' current pledges and people's
//! acceptances, the votes of polls and applications, buddy pairs, and pages of a group's
//! polls, suggestions and applications. One statement per batch of parents. Votes are read
//! whole so the resolvers can derive tallies and the viewer's own vote; no resolver hands a
//! vote out with its voter. Check-ins are never read here: only `check_ins::own` reads one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    ApplicationStatus, SuggestionStatus, application_vote, buddy_pair, membership_application,
    pledge, pledge_acceptance, poll, poll_vote, suggestion,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait,
    sea_query::{Alias, Expr},
};
use uuid::Uuid;

use super::{admission, suggestions};
use crate::{
    domain::{
        in_ids,
        pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent},
        reads,
    },
    error::AppResult,
};

/// Each group's current pledge: its highest version.
pub async fn current_pledges(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
) -> AppResult<HashMap<Uuid, pledge::Model>> {
    let select = pledge::Entity::find().order_by_asc(pledge::Column::Version);
    let found = reads::under(db, select, pledge::Column::GroupId, groups, |p| p.group_id).await?;
    // Ascending versions: the last one of a group is its current pledge.
    Ok(found
        .into_iter()
        .filter_map(|(group, mut versions)| versions.pop().map(|p| (group, p)))
        .collect())
}

/// The acceptances of `(pledge, person)` pairs that exist.
pub async fn acceptances(
    db: &impl ConnectionTrait,
    pairs: &[(Uuid, Uuid)],
) -> AppResult<HashMap<(Uuid, Uuid), pledge_acceptance::Model>> {
    let wanted: HashSet<(Uuid, Uuid)> = pairs.iter().copied().collect();
    let pledges: Vec<Uuid> = pairs.iter().map(|(pledge, _)| *pledge).collect();
    let found = reads::under(
        db,
        pledge_acceptance::Entity::find(),
        pledge_acceptance::Column::PledgeId,
        &pledges,
        |a| (a.pledge_id, a.person_id),
    )
    .await?;
    Ok(found
        .into_iter()
        .filter(|(pair, _)| wanted.contains(pair))
        .filter_map(|(pair, mut rows)| rows.pop().map(|a| (pair, a)))
        .collect())
}

/// Each poll's votes.
pub async fn poll_votes(
    db: &impl ConnectionTrait,
    polls: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<poll_vote::Model>>> {
    reads::under(
        db,
        poll_vote::Entity::find(),
        poll_vote::Column::PollId,
        polls,
        |v| v.poll_id,
    )
    .await
}

/// Each membership application's votes.
pub async fn application_votes(
    db: &impl ConnectionTrait,
    applications: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<application_vote::Model>>> {
    reads::under(
        db,
        application_vote::Entity::find(),
        application_vote::Column::ApplicationId,
        applications,
        |v| v.application_id,
    )
    .await
}

/// Every buddy pair each membership is part of, on either side.
pub async fn buddy_pairs_of(
    db: &impl ConnectionTrait,
    memberships: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<buddy_pair::Model>>> {
    let backend = db.get_database_backend();
    let side = |column| {
        in_ids(
            backend,
            Expr::col((buddy_pair::Entity, column)),
            memberships,
        )
    };
    let rows = buddy_pair::Entity::find()
        .filter(
            Condition::any()
                .add(side(buddy_pair::Column::MembershipId))
                .add(side(buddy_pair::Column::BuddyMembershipId)),
        )
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<buddy_pair::Model>> = HashMap::new();
    for row in rows {
        for side in [row.membership_id, row.buddy_membership_id] {
            if memberships.contains(&side) {
                out.entry(side).or_default().push(row.clone());
            }
        }
    }
    Ok(out)
}

/// Which list of a group, with its filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CareList {
    Polls,
    Suggestions(Option<SuggestionStatus>),
    Applications(Option<ApplicationStatus>),
}

/// A page of whichever list was asked for; newest first.
#[derive(Clone)]
pub enum CarePage {
    Polls(Page<poll::Model>),
    Suggestions(Page<suggestion::Model>),
    Applications(Page<membership_application::Model>),
}

impl CareList {
    /// The list's rows, and the column naming each row's group.
    fn rows(self, now: DateTime<Utc>) -> ChildRows {
        let parent = |table: &str| (Alias::new(table), Alias::new("group_id"));
        match self {
            Self::Polls => ChildRows::new(poll::Entity::find().into_query(), parent("polls")),
            Self::Suggestions(status) => {
                // Released suggestions only, for pages and counts alike (see the domain rule).
                let mut q = suggestion::Entity::find().filter(suggestions::released(now));
                if let Some(s) = status {
                    q = q.filter(suggestion::Column::Status.eq(s));
                }
                ChildRows::new(q.into_query(), parent("suggestions"))
            }
            Self::Applications(status) => {
                let mut q = membership_application::Entity::find();
                if let Some(s) = status {
                    q = q.filter(admission::in_status(s, now));
                }
                ChildRows::new(q.into_query(), parent("membership_applications"))
            }
        }
    }

    /// An empty page of this list.
    pub fn empty(self) -> CarePage {
        match self {
            Self::Polls => CarePage::Polls(Page::default()),
            Self::Suggestions(_) => CarePage::Suggestions(Page::default()),
            Self::Applications(_) => CarePage::Applications(Page::default()),
        }
    }
}

/// A page of one list of each group, as of `now`.
pub async fn care_pages(
    db: &impl ConnectionTrait,
    list: CareList,
    groups: &[Uuid],
    args: &PageArgs,
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, CarePage>> {
    let rows = list.rows(now);
    Ok(match list {
        CareList::Polls => {
            let sort = Sort::<poll::Entity>::newest_first(poll::Column::Id);
            pages_by_parent(db, rows, groups, &sort, args)
                .await?
                .into_iter()
                .map(|(g, p)| (g, CarePage::Polls(p)))
                .collect()
        }
        CareList::Suggestions(_) => {
            // Ids are random: order by the (day-rounded) date, then id.
            let sort: Sort<suggestion::Entity> = Sort {
                key: Some(suggestion::Column::CreatedAt),
                id: suggestion::Column::Id,
                descending: true,
            };
            pages_by_parent(db, rows, groups, &sort, args)
                .await?
                .into_iter()
                .map(|(g, p)| (g, CarePage::Suggestions(p)))
                .collect()
        }
        CareList::Applications(_) => {
            let sort = Sort::<membership_application::Entity>::newest_first(
                membership_application::Column::Id,
            );
            pages_by_parent(db, rows, groups, &sort, args)
                .await?
                .into_iter()
                .map(|(g, p)| (g, CarePage::Applications(p)))
                .collect()
        }
    })
}

/// How many items one list of each group holds, as of `now`.
pub async fn care_counts(
    db: &impl ConnectionTrait,
    list: CareList,
    groups: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, u64>> {
    list.rows(now).count(db, groups).await
}
