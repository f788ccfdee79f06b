//! Per-request DataLoaders: every relation and nested list is fetched in batches, so a nested
//! query costs a statement per level, not per row.

use sea_orm::ExprTrait as _;
use std::{collections::HashMap, sync::Arc, time::Duration};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

/// `$key(id)` loads `entity::$module` rows by id through `$loader` (which has a `db`).
macro_rules! keyed_by_id {
    ($loader:ident, $key:ident, $module:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Loader<$key> for $loader {
            type Value = entity::$module::Model;
            type Error = AppError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, AppError> {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                let rows = entity::$module::Entity::find()
                    .filter(in_ids(
                        self.db.get_database_backend(),
                        Expr::col((entity::$module::Entity, entity::$module::Column::Id)),
                        &ids,
                    ))
                    .all(&self.db)
                    .await?;
                Ok(rows.into_iter().map(|m| ($key(m.id), m)).collect())
            }
        }
    };
}

pub mod care;
pub mod care_lists;
pub mod meetings;
pub mod resources;
pub mod training;

use entity::{MembershipRole, MembershipStatus, cluster, group, membership, person, role_grant};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QueryTrait,
    sea_query::{Alias, Expr, JoinType},
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domain::access::Rights,
    domain::{
        authz, in_ids,
        pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent, pages_with_parents},
    },
    error::AppError,
};

macro_rules! by_id_loader {
    ($loader:ident, $module:ident) => {
        pub struct $loader {
            db: DatabaseConnection,
        }

        impl Loader<Uuid> for $loader {
            type Value = entity::$module::Model;
            type Error = AppError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
                let backend = self.db.get_database_backend();
                let rows = entity::$module::Entity::find()
                    .filter(in_ids(
                        backend,
                        Expr::col((entity::$module::Entity, entity::$module::Column::Id)),
                        keys,
                    ))
                    .all(&self.db)
                    .await?;
                Ok(rows.into_iter().map(|m| (m.id, m)).collect())
            }
        }
    };
}

by_id_loader!(OrganisationLoader, organisation);
by_id_loader!(ClusterLoader, cluster);
by_id_loader!(GroupLoader, group);
by_id_loader!(PersonLoader, person);
by_id_loader!(MeetingLoader, meeting);
by_id_loader!(AttendanceLoader, attendance);
by_id_loader!(RecordByIdLoader, meeting_record);
by_id_loader!(AmendmentLoader, record_amendment);
by_id_loader!(CommitmentLoader, action_commitment);
by_id_loader!(GrantLoader, role_grant);

pub struct Loaders {
    pub organisations: DataLoader<OrganisationLoader, HashMapCache>,
    /// Shared with the page loader, which fills it with every cluster a page read.
    pub clusters: Arc<DataLoader<ClusterLoader, HashMapCache>>,
    /// Shared with the page loader, which fills it with every group a page read.
    pub groups: Arc<DataLoader<GroupLoader, HashMapCache>>,
    /// Shared with the membership loaders, which fill it from the same statement.
    pub people: Arc<DataLoader<PersonLoader, HashMapCache>>,
    pub memberships: DataLoader<MembershipLoader, HashMapCache>,
    /// Shared with the page loader, which fills it with every meeting a page read.
    pub meetings: Arc<DataLoader<MeetingLoader, HashMapCache>>,
    pub attendance: DataLoader<AttendanceLoader, HashMapCache>,
    pub records_by_id: DataLoader<RecordByIdLoader, HashMapCache>,
    pub amendments_by_id: DataLoader<AmendmentLoader, HashMapCache>,
    pub commitments: DataLoader<CommitmentLoader, HashMapCache>,
    /// Shared with the page loader, which fills it with counts read along with a page.
    pub meeting_data: Arc<DataLoader<meetings::MeetingDataLoader, HashMapCache>>,
    pub care: DataLoader<care::CareLoader, HashMapCache>,
    pub training: DataLoader<training::TrainingLoader, HashMapCache>,
    pub resources: DataLoader<resources::ResourceLoader, HashMapCache>,
    pub grants: DataLoader<GrantLoader, HashMapCache>,
    pub facilitators: DataLoader<FacilitatorLoader, HashMapCache>,
    /// Each person's ACTIVE memberships (who may see a person depends on them).
    pub person_memberships: DataLoader<PersonMembershipLoader, HashMapCache>,
    /// The viewer's own membership per group.
    pub viewer_memberships: DataLoader<ViewerMembershipLoader, HashMapCache>,
    pub pages: DataLoader<PageLoader, HashMapCache>,
    pub counts: DataLoader<CountLoader, HashMapCache>,
}

impl Loaders {
    /// For mutations: every load reads the database afresh, since the request itself changes
    /// what an earlier load would have cached.
    pub fn without_cache(self) -> Self {
        self.organisations.enable_all_cache(false);
        self.clusters.enable_all_cache(false);
        self.groups.enable_all_cache(false);
        self.people.enable_all_cache(false);
        self.memberships.enable_all_cache(false);
        self.meetings.enable_all_cache(false);
        self.attendance.enable_all_cache(false);
        self.records_by_id.enable_all_cache(false);
        self.amendments_by_id.enable_all_cache(false);
        self.commitments.enable_all_cache(false);
        self.meeting_data.enable_all_cache(false);
        self.care.enable_all_cache(false);
        self.training.enable_all_cache(false);
        self.resources.enable_all_cache(false);
        self.grants.enable_all_cache(false);
        self.facilitators.enable_all_cache(false);
        self.person_memberships.enable_all_cache(false);
        self.viewer_memberships.enable_all_cache(false);
        self.pages.enable_all_cache(false);
        self.counts.enable_all_cache(false);
        self
    }

    /// The by-id caches pages feed.
    pub(super) fn seen(&self) -> Seen {
        Seen {
            clusters: self.clusters.clone(),
            groups: self.groups.clone(),
            meetings: self.meetings.clone(),
            meeting_data: self.meeting_data.clone(),
        }
    }

    /// `delay`: how long a loader waits for more keys before it sends a batch
    /// (`CANOPY_BATCH_DELAY_US`).
    pub fn new(
        db: DatabaseConnection,
        viewer: Arc<Viewer>,
        rights: Arc<Rights>,
        delay: Duration,
    ) -> Self {
        // Each request gets its own loaders, so a cache lives exactly one request: an object
        // is read once however many fields ask for it, and results fed from joined
        // statements are found there.
        fn make<T: Send + Sync + 'static>(
            loader: T,
            delay: Duration,
        ) -> DataLoader<T, HashMapCache> {
            DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
                .delay(delay)
                .max_batch_size(5000)
        }
        let people = Arc::new(make(PersonLoader { db: db.clone() }, delay));
        let seen = Seen {
            clusters: Arc::new(make(ClusterLoader { db: db.clone() }, delay)),
            groups: Arc::new(make(GroupLoader { db: db.clone() }, delay)),
            meetings: Arc::new(make(MeetingLoader { db: db.clone() }, delay)),
            meeting_data: Arc::new(make(meetings::MeetingDataLoader { db: db.clone() }, delay)),
        };
        Self {
            organisations: make(OrganisationLoader { db: db.clone() }, delay),
            clusters: seen.clusters.clone(),
            groups: seen.groups.clone(),
            memberships: make(
                MembershipLoader {
                    db: db.clone(),
                    people: people.clone(),
                },
                delay,
            ),
            meetings: seen.meetings.clone(),
            attendance: make(AttendanceLoader { db: db.clone() }, delay),
            records_by_id: make(RecordByIdLoader { db: db.clone() }, delay),
            amendments_by_id: make(AmendmentLoader { db: db.clone() }, delay),
            commitments: make(CommitmentLoader { db: db.clone() }, delay),
            meeting_data: seen.meeting_data.clone(),
            care: make(care::CareLoader { db: db.clone() }, delay),
            training: make(training::TrainingLoader { db: db.clone() }, delay),
            resources: make(
                resources::ResourceLoader {
                    db: db.clone(),
                    person: viewer.person_id,
                    rights: rights.clone(),
                },
                delay,
            ),
            grants: make(GrantLoader { db: db.clone() }, delay),
            facilitators: make(
                FacilitatorLoader {
                    db: db.clone(),
                    people: people.clone(),
                },
                delay,
            ),
            people,
            person_memberships: make(PersonMembershipLoader { db: db.clone() }, delay),
            viewer_memberships: make(
                ViewerMembershipLoader {
                    db: db.clone(),
                    person: viewer.person_id,
                },
                delay,
            ),
            pages: make(
                PageLoader {
                    db: db.clone(),
                    rights: rights.clone(),
                    seen,
                },
                delay,
            ),
            counts: make(CountLoader { db, rights }, delay),
        }
    }
}

/// Memberships with their people in one statement; the people go into the person loader's
/// cache, so `membership { person { … } }` costs nothing more.
async fn memberships_with_people(
    db: &DatabaseConnection,
    people: &DataLoader<PersonLoader, HashMapCache>,
    select: sea_orm::Select<membership::Entity>,
) -> Result<Vec<membership::Model>, AppError> {
    use sea_orm::FromQueryResult;
    let mut q = select.into_query();
    q.join_as(
        JoinType::InnerJoin,
        person::Entity,
        Alias::new("p"),
        Expr::col((Alias::new("p"), person::Column::Id))
            .equals((membership::Entity, membership::Column::PersonId)),
    );
    crate::domain::select_prefixed::<person::Entity>(&mut q, "p", "p_");
    let rows = db.query_all(&q).await?;
    let mut found = Vec::with_capacity(rows.len());
    let mut persons = Vec::with_capacity(rows.len());
    for row in rows {
        let m = membership::Model::from_query_result(&row, "")?;
        persons.push((m.person_id, person::Model::from_query_result(&row, "p_")?));
        found.push(m);
    }
    people.feed_many(persons).await;
    Ok(found)
}

pub struct MembershipLoader {
    db: DatabaseConnection,
    people: Arc<DataLoader<PersonLoader, HashMapCache>>,
}

impl Loader<Uuid> for MembershipLoader {
    type Value = membership::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let backend = self.db.get_database_backend();
        let select = membership::Entity::find().filter(in_ids(
            backend,
            Expr::col((membership::Entity, membership::Column::Id)),
            keys,
        ));
        let rows = memberships_with_people(&self.db, &self.people, select).await?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// Active facilitators and co-facilitators of each group, lead facilitators first.
pub struct FacilitatorLoader {
    db: DatabaseConnection,
    people: Arc<DataLoader<PersonLoader, HashMapCache>>,
}

impl Loader<Uuid> for FacilitatorLoader {
    type Value = Vec<membership::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let backend = self.db.get_database_backend();
        let select = membership::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((membership::Entity, membership::Column::GroupId)),
                keys,
            ))
            .filter(membership::Column::Status.eq(MembershipStatus::Active))
            .filter(
                membership::Column::Role
                    .is_in([MembershipRole::Facilitator, MembershipRole::CoFacilitator]),
            )
            .order_by_desc(membership::Column::Role)
            .order_by_asc(membership::Column::Id);
        let mut out: HashMap<Uuid, Vec<membership::Model>> = HashMap::new();
        for m in memberships_with_people(&self.db, &self.people, select).await? {
            out.entry(m.group_id).or_default().push(m);
        }
        Ok(out)
    }
}

pub struct PersonMembershipLoader {
    db: DatabaseConnection,
}

impl Loader<Uuid> for PersonMembershipLoader {
    type Value = Vec<membership::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let backend = self.db.get_database_backend();
        let rows = membership::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((membership::Entity, membership::Column::PersonId)),
                keys,
            ))
            .filter(membership::Column::Status.eq(MembershipStatus::Active))
            .all(&self.db)
            .await?;
        let mut out: HashMap<Uuid, Vec<membership::Model>> = HashMap::new();
        for m in rows {
            out.entry(m.person_id).or_default().push(m);
        }
        Ok(out)
    }
}

pub struct ViewerMembershipLoader {
    db: DatabaseConnection,
    person: Option<Uuid>,
}

impl Loader<Uuid> for ViewerMembershipLoader {
    type Value = membership::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let Some(person) = self.person else {
            return Ok(HashMap::new());
        };
        let backend = self.db.get_database_backend();
        let rows = membership::Entity::find()
            .filter(membership::Column::PersonId.eq(person))
            .filter(in_ids(
                backend,
                Expr::col((membership::Entity, membership::Column::GroupId)),
                keys,
            ))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|m| (m.group_id, m)).collect())
    }
}

/// Whose clusters a cluster list shows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClusterParent {
    Organisation { id: Uuid, top_level_only: bool },
    Cluster(Uuid),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClusterPageKey {
    pub parent: ClusterParent,
    pub args: PageArgs,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupPageKey {
    pub cluster: Uuid,
    pub include_descendants: bool,
    pub args: PageArgs,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemberPageKey {
    pub group: Uuid,
    /// Sorted and without duplicates, so equal requests share a key.
    pub statuses: Vec<MembershipStatus>,
    pub args: PageArgs,
}

/// Whose role grants a list shows: every grant inside an organisation, or those on a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrantParent {
    Organisation(Uuid),
    Cluster(Uuid),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GrantPageKey {
    pub parent: GrantParent,
    pub args: PageArgs,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CountKey {
    Clusters(ClusterParent),
    ClusterGroups {
        cluster: Uuid,
        include_descendants: bool,
    },
    GroupMembers {
        group: Uuid,
        statuses: Vec<MembershipStatus>,
    },
    Grants(GrantParent),
    Meetings {
        group: Uuid,
        filter: meetings::MeetingFilter,
    },
    MeetingCommitments(Uuid),
    CareList {
        group: Uuid,
        list: care_lists::CareList,
    },
    ProgramWorkshops(Uuid),
}

pub struct PageLoader {
    pub(super) db: DatabaseConnection,
    pub(super) rights: Arc<Rights>,
    pub(super) seen: Seen,
}

/// The by-id caches that pages fill: a field of a row on a page (a meeting's guard asking for
/// its group, a group's for its cluster) finds the row there instead of reading it again.
pub struct Seen {
    pub(super) clusters: Arc<DataLoader<ClusterLoader, HashMapCache>>,
    pub(super) groups: Arc<DataLoader<GroupLoader, HashMapCache>>,
    pub(super) meetings: Arc<DataLoader<MeetingLoader, HashMapCache>>,
    pub(super) meeting_data: Arc<DataLoader<meetings::MeetingDataLoader, HashMapCache>>,
}

impl Seen {
    /// What a cache is fed from the rows of the pages: `entry` keys a row, or skips it.
    pub(super) fn rows_of<'a, M: 'a, K, T>(
        pages: impl IntoIterator<Item = &'a Page<M>>,
        entry: impl Fn(&M) -> Option<(K, T)>,
    ) -> Vec<(K, T)> {
        pages
            .into_iter()
            .flat_map(|p| p.items.iter().filter_map(|(_, m)| entry(m)))
            .collect()
    }
}

/// Groups keys that can share one statement (same kind and page arguments).
pub(super) fn batches<K, B: Eq + std::hash::Hash>(
    keys: &[K],
    by: impl Fn(&K) -> (B, Uuid),
) -> HashMap<B, Vec<Uuid>> {
    let mut out: HashMap<B, Vec<Uuid>> = HashMap::new();
    for k in keys {
        let (batch, parent) = by(k);
        out.entry(batch).or_default().push(parent);
    }
    out
}

fn cluster_sort() -> Sort<cluster::Entity> {
    Sort {
        key: Some(cluster::Column::SortName),
        id: cluster::Column::Id,
        descending: false,
    }
}

fn group_sort() -> Sort<group::Entity> {
    Sort {
        key: Some(group::Column::SortName),
        id: group::Column::Id,
        descending: false,
    }
}

fn member_sort() -> Sort<membership::Entity> {
    Sort {
        key: None,
        id: membership::Column::Id,
        descending: false,
    }
}

/// Clusters under organisations (all, or top-level only) or under clusters.
fn clusters_rows(by_org: bool, top_level_only: bool) -> ChildRows {
    let parent = if by_org {
        cluster::Column::OrganisationId
    } else {
        cluster::Column::ParentId
    };
    let mut q = cluster::Entity::find();
    if by_org && top_level_only {
        q = q.filter(cluster::Column::ParentId.is_null());
    }
    ChildRows::new(q.into_query(), (cluster::Entity, parent))
}

/// Visible groups in clusters, directly or anywhere below them.
fn cluster_groups_rows(
    db: &impl ConnectionTrait,
    access: &crate::domain::access::Access,
    include_descendants: bool,
) -> ChildRows {
    let backend = db.get_database_backend();
    let mut q = group::Entity::find()
        .filter(authz::visible_groups(access, backend))
        .into_query();
    if include_descendants {
        q.join_as(
            JoinType::InnerJoin,
            cluster::Entity,
            Alias::new("gc"),
            Expr::col((Alias::new("gc"), cluster::Column::Id))
                .equals((group::Entity, group::Column::ClusterId)),
        )
        .join_as(
            JoinType::InnerJoin,
            cluster::Entity,
            Alias::new("req"),
            Expr::cust(r#""gc"."path" LIKE "req"."path" || '%'"#),
        );
        ChildRows::new(q, (Alias::new("req"), Alias::new("id")))
    } else {
        ChildRows::new(q, (group::Entity, group::Column::ClusterId))
    }
}

fn members_rows(statuses: &[MembershipStatus]) -> ChildRows {
    let q = membership::Entity::find()
        .filter(membership::Column::Status.is_in(statuses.iter().copied()))
        .into_query();
    ChildRows::new(q, (membership::Entity, membership::Column::GroupId))
}

/// Grants inside organisations (all scopes) or on clusters.
fn grants_rows(by_org: bool) -> ChildRows {
    let parent = if by_org {
        role_grant::Column::OrganisationId
    } else {
        role_grant::Column::ScopeId
    };
    ChildRows::new(
        role_grant::Entity::find().into_query(),
        (role_grant::Entity, parent),
    )
}

fn grant_sort() -> Sort<role_grant::Entity> {
    Sort {
        key: None,
        id: role_grant::Column::Id,
        descending: false,
    }
}

impl Loader<ClusterPageKey> for PageLoader {
    type Value = Page<cluster::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ClusterPageKey],
    ) -> Result<HashMap<ClusterPageKey, Self::Value>, AppError> {
        let groups = batches(keys, |k| match &k.parent {
            ClusterParent::Organisation { id, top_level_only } => {
                ((true, *top_level_only, k.args.clone()), *id)
            }
            ClusterParent::Cluster(id) => ((false, false, k.args.clone()), *id),
        });
        let mut out = HashMap::new();
        for ((by_org, top, args), parents) in groups {
            let rows = clusters_rows(by_org, top);
            let mut pages =
                pages_by_parent(&self.db, rows, &parents, &cluster_sort(), &args).await?;
            let seen = Seen::rows_of(pages.values(), |c: &cluster::Model| Some((c.id, c.clone())));
            self.seen.clusters.feed_many(seen).await;
            for id in parents {
                let parent = if by_org {
                    ClusterParent::Organisation {
                        id,
                        top_level_only: top,
                    }
                } else {
                    ClusterParent::Cluster(id)
                };
                let page = pages.remove(&id).unwrap_or_default();
                out.insert(
                    ClusterPageKey {
                        parent,
                        args: args.clone(),
                    },
                    page,
                );
            }
        }
        Ok(out)
    }
}

impl Loader<GroupPageKey> for PageLoader {
    type Value = Page<group::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[GroupPageKey],
    ) -> Result<HashMap<GroupPageKey, Self::Value>, AppError> {
        let access = self.rights.get(&self.db).await?;
        let groups = batches(keys, |k| {
            ((k.include_descendants, k.args.clone()), k.cluster)
        });
        let mut out = HashMap::new();
        for ((include_descendants, args), parents) in groups {
            let rows = cluster_groups_rows(&self.db, &access, include_descendants);
            // The clusters come along: `cluster(id:) { groups }` needs no statement of its own.
            let (mut pages, clusters) = pages_with_parents::<cluster::Entity, group::Entity>(
                &self.db,
                rows,
                &parents,
                &group_sort(),
                &args,
            )
            .await?;
            self.seen
                .clusters
                .feed_many(clusters.into_iter().map(|c| (c.id, c)))
                .await;
            let seen = Seen::rows_of(pages.values(), |g: &group::Model| Some((g.id, g.clone())));
            self.seen.groups.feed_many(seen).await;
            for cluster in parents {
                let page = pages.remove(&cluster).unwrap_or_default();
                out.insert(
                    GroupPageKey {
                        cluster,
                        include_descendants,
                        args: args.clone(),
                    },
                    page,
                );
            }
        }
        Ok(out)
    }
}

impl Loader<MemberPageKey> for PageLoader {
    type Value = Page<membership::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[MemberPageKey],
    ) -> Result<HashMap<MemberPageKey, Self::Value>, AppError> {
        let groups = batches(keys, |k| ((k.statuses.clone(), k.args.clone()), k.group));
        let mut out = HashMap::new();
        for ((statuses, args), parents) in groups {
            let rows = members_rows(&statuses);
            let mut pages =
                pages_by_parent(&self.db, rows, &parents, &member_sort(), &args).await?;
            for group in parents {
                let page = pages.remove(&group).unwrap_or_default();
                let key = MemberPageKey {
                    group,
                    statuses: statuses.clone(),
                    args: args.clone(),
                };
                out.insert(key, page);
            }
        }
        Ok(out)
    }
}

impl Loader<GrantPageKey> for PageLoader {
    type Value = Page<role_grant::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[GrantPageKey],
    ) -> Result<HashMap<GrantPageKey, Self::Value>, AppError> {
        let groups = batches(keys, |k| match k.parent {
            GrantParent::Organisation(id) => ((true, k.args.clone()), id),
            GrantParent::Cluster(id) => ((false, k.args.clone()), id),
        });
        let mut out = HashMap::new();
        for ((by_org, args), parents) in groups {
            let rows = grants_rows(by_org);
            let mut pages = pages_by_parent(&self.db, rows, &parents, &grant_sort(), &args).await?;
            for id in parents {
                let parent = if by_org {
                    GrantParent::Organisation(id)
                } else {
                    GrantParent::Cluster(id)
                };
                let page = pages.remove(&id).unwrap_or_default();
                out.insert(
                    GrantPageKey {
                        parent,
                        args: args.clone(),
                    },
                    page,
                );
            }
        }
        Ok(out)
    }
}

pub struct CountLoader {
    db: DatabaseConnection,
    rights: Arc<Rights>,
}

impl Loader<CountKey> for CountLoader {
    type Value = u64;
    type Error = AppError;

    async fn load(&self, keys: &[CountKey]) -> Result<HashMap<CountKey, u64>, AppError> {
        /// Keys that share one GROUP BY statement.
        #[derive(PartialEq, Eq, Hash, Clone)]
        enum Batch {
            OrgClusters(bool),
            ChildClusters,
            Groups(bool),
            Members(Vec<MembershipStatus>),
            Grants(bool),
            Meetings(meetings::MeetingFilter),
            Commitments,
            Care(care_lists::CareList),
            Workshops,
        }
        let parent_of = |k: &CountKey| match k {
            CountKey::Clusters(ClusterParent::Organisation { id, top_level_only }) => {
                (Batch::OrgClusters(*top_level_only), *id)
            }
            CountKey::Clusters(ClusterParent::Cluster(id)) => (Batch::ChildClusters, *id),
            CountKey::ClusterGroups {
                cluster,
                include_descendants,
            } => (Batch::Groups(*include_descendants), *cluster),
            CountKey::GroupMembers { group, statuses } => {
                (Batch::Members(statuses.clone()), *group)
            }
            CountKey::Grants(GrantParent::Organisation(id)) => (Batch::Grants(true), *id),
            CountKey::Grants(GrantParent::Cluster(id)) => (Batch::Grants(false), *id),
            CountKey::Meetings { group, filter } => (Batch::Meetings(filter.clone()), *group),
            CountKey::MeetingCommitments(id) => (Batch::Commitments, *id),
            CountKey::CareList { group, list } => (Batch::Care(*list), *group),
            CountKey::ProgramWorkshops(id) => (Batch::Workshops, *id),
        };
        let mut by_batch: HashMap<Batch, Vec<(CountKey, Uuid)>> = HashMap::new();
        for key in keys {
            let (batch, parent) = parent_of(key);
            by_batch
                .entry(batch)
                .or_default()
                .push((key.clone(), parent));
        }
        let mut out = HashMap::new();
        for (batch, entries) in by_batch {
            let parents: Vec<Uuid> = entries.iter().map(|(_, p)| *p).collect();
            let db = &self.db;
            let rows = match &batch {
                Batch::OrgClusters(top) => clusters_rows(true, *top),
                Batch::ChildClusters => clusters_rows(false, false),
                Batch::Groups(desc) => {
                    let access = self.rights.get(db).await?;
                    cluster_groups_rows(db, &access, *desc)
                }
                Batch::Members(statuses) => members_rows(statuses),
                Batch::Grants(by_org) => grants_rows(*by_org),
                Batch::Meetings(filter) => meetings::meetings_rows(filter),
                Batch::Workshops => training::workshops_rows(),
                Batch::Commitments => meetings::commitments_rows(),
                Batch::Care(list) => list.rows(chrono::Utc::now()),
            };
            let counts = rows.count(db, &parents).await?;
            for (key, parent) in entries {
                out.insert(key, counts.get(&parent).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}

/// Loads a row that a foreign key guarantees: its absence is an internal error, not a
/// client's.
pub async fn must<K, T>(
    loader: &DataLoader<T, HashMapCache>,
    key: K,
    what: &str,
) -> Result<T::Value, AppError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    T: Loader<K, Error = AppError>,
{
    loader
        .load_one(key)
        .await?
        .ok_or_else(|| AppError::internal(what))
}
