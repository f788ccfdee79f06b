//! Per-request DataLoaders: every relation and nested list is fetched in batches, so a nested
//! query costs a statement per level, not per row. They are thin adapters over the domain's
//! batch reads (`domain::<d>::reads`, `domain::reads`): a loader groups its keys into batches
//! that share a statement, calls the read, feeds what it read along into the other caches
//! (`Seen`), and maps the rows back to its keys. No SQL is written here.

use std::{collections::HashMap, sync::Arc, time::Duration};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

/// `$key(id)` loads `entity::$module` rows by id through `$loader` (which has a `db`), with
/// no visibility rule: for rows any viewer may hold once they hold their parent.
macro_rules! keyed_by_id {
    ($loader:ident, $key:ident, $module:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Loader<$key> for $loader {
            type Value = entity::$module::Model;
            type Error = AppError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, AppError> {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                let rows =
                    crate::domain::reads::by_ids::<entity::$module::Entity>(&self.db, &ids).await?;
                Ok(rows.into_iter().map(|m| ($key(m.id), m)).collect())
            }
        }
    };
}

/// `Loader<$key>` for `$loader`, where `$key` wraps one parent id: the domain read `$read`
/// (over `$db` and the batch's `$ids`) answers by parent id, and its results are keyed back.
/// A parent the read found nothing for is absent, unless the read answers for every id.
macro_rules! by_parent {
    ($loader:ident, $key:ident, $value:ty, |$db:ident, $ids:ident| $read:expr) => {
        impl Loader<$key> for $loader {
            type Value = $value;
            type Error = AppError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, AppError> {
                let $ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                let $db = &self.db;
                let found = $read.await?;
                Ok(found.into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
}

pub mod care;
pub mod care_lists;
pub mod meetings;
pub mod resources;
pub mod training;

use crate::db::Db;
use entity::{MembershipStatus, cluster, group, membership, person, role_grant};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domain::{
        access::Rights,
        groups::reads as group_reads,
        pagination::{Page, PageArgs},
        reads,
        umbrella::reads::{self as umbrella_reads, ClusterList, GrantList},
    },
    error::AppError,
};

/// A loader of `entity::$module` rows by id, with no visibility rule (see `keyed_by_id!`).
macro_rules! by_id_loader {
    ($loader:ident, $module:ident) => {
        pub struct $loader {
            db: Db,
        }

        impl Loader<Uuid> for $loader {
            type Value = entity::$module::Model;
            type Error = AppError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
                let rows = reads::by_ids::<entity::$module::Entity>(&self.db, keys).await?;
                Ok(rows.into_iter().map(|m| (m.id, m)).collect())
            }
        }
    };
}

by_id_loader!(OrganisationLoader, organisation);
by_id_loader!(ClusterLoader, cluster);
by_id_loader!(PersonLoader, person);
by_id_loader!(MeetingLoader, meeting);
by_id_loader!(AttendanceLoader, attendance);
by_id_loader!(RecordByIdLoader, meeting_record);
by_id_loader!(AmendmentLoader, record_amendment);
by_id_loader!(CommitmentLoader, action_commitment);
by_id_loader!(GrantLoader, role_grant);

/// Groups by id whoever asks, hidden ones included (`groups::reads::by_ids_unchecked`): for
/// guards that check the viewer's rights on the group themselves, and answer NOT_FOUND or
/// FORBIDDEN exactly as the rule says. A field that hands a group to the client uses
/// `VisibleGroupLoader`.
pub struct UncheckedGroupLoader {
    db: Db,
}

impl Loader<Uuid> for UncheckedGroupLoader {
    type Value = group::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let rows = group_reads::by_ids_unchecked(&self.db, keys).await?;
        Ok(rows.into_iter().map(|g| (g.id, g)).collect())
    }
}

/// Groups by id as the viewer may see them, the rule applied in SQL
/// (`groups::reads::visible_by_ids`): a hidden group is absent, like a missing one. What it
/// read also goes into the unchecked cache, so a guard on the same group reads nothing more.
pub struct VisibleGroupLoader {
    db: Db,
    rights: Arc<Rights>,
    unchecked: Arc<DataLoader<UncheckedGroupLoader, HashMapCache>>,
}

impl Loader<Uuid> for VisibleGroupLoader {
    type Value = group::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let access = self.rights.get(&self.db).await?;
        let rows = group_reads::visible_by_ids(&self.db, &access, keys).await?;
        let found: HashMap<Uuid, group::Model> = rows.into_iter().map(|g| (g.id, g)).collect();
        self.unchecked
            .feed_many(found.iter().map(|(id, g)| (*id, g.clone())))
            .await;
        Ok(found)
    }
}

pub struct Loaders {
    pub organisations: DataLoader<OrganisationLoader, HashMapCache>,
    /// Shared with the page loader, which fills it with every cluster a page read.
    pub clusters: Arc<DataLoader<ClusterLoader, HashMapCache>>,
    /// Groups the viewer may see, by id: what `node`, `nodes` and every field that hands a
    /// group to the client read. Shared with the page loader (pages hold visible groups only).
    pub groups: Arc<DataLoader<VisibleGroupLoader, HashMapCache>>,
    /// Groups by id, hidden ones included: for guards only (see `UncheckedGroupLoader`).
    pub groups_unchecked: Arc<DataLoader<UncheckedGroupLoader, HashMapCache>>,
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
    /// Whether the viewer is an insider of a group, by group id, once decided in this request:
    /// every field of every meeting on a page asks it again. None for mutations, like the
    /// caches above.
    insiders: Option<std::sync::Mutex<HashMap<Uuid, bool>>>,
}

impl Loaders {
    /// For mutations: every load reads the database afresh, since the request itself changes
    /// what an earlier load would have cached.
    pub fn without_cache(self) -> Self {
        self.organisations.enable_all_cache(false);
        self.clusters.enable_all_cache(false);
        self.groups.enable_all_cache(false);
        self.groups_unchecked.enable_all_cache(false);
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
        Self {
            insiders: None,
            ..self
        }
    }

    /// Whether the viewer is an insider of `group`, when already decided in this request.
    pub fn known_insider(&self, group: Uuid) -> Option<bool> {
        let known = self.insiders.as_ref()?.lock().ok()?;
        known.get(&group).copied()
    }

    /// Keeps a decision `authz::is_insider` made about `group` for the rest of the request.
    pub fn remember_insider(&self, group: Uuid, insider: bool) {
        if let Some(mut known) = self.insiders.as_ref().and_then(|m| m.lock().ok()) {
            known.insert(group, insider);
        }
    }

    /// The by-id caches pages feed.
    pub(super) fn seen(&self) -> Seen {
        Seen {
            clusters: self.clusters.clone(),
            groups: self.groups.clone(),
            groups_unchecked: self.groups_unchecked.clone(),
            meetings: self.meetings.clone(),
            meeting_data: self.meeting_data.clone(),
        }
    }

    /// A group the caller has just checked the viewer may see, with its cluster: into the
    /// caches, so nested fields that ask for either read nothing more.
    pub async fn feed_seen_group(&self, g: group::Model, c: cluster::Model) {
        self.clusters.feed_one(c.id, c).await;
        self.groups_unchecked.feed_one(g.id, g.clone()).await;
        self.groups.feed_one(g.id, g).await;
    }

    /// `delay`: how long a loader waits for more keys before it sends a batch
    /// (`CANOPY_BATCH_DELAY_US`).
    pub fn new(db: Db, viewer: Arc<Viewer>, rights: Arc<Rights>, delay: Duration) -> Self {
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
        let groups_unchecked = Arc::new(make(UncheckedGroupLoader { db: db.clone() }, delay));
        let seen = Seen {
            clusters: Arc::new(make(ClusterLoader { db: db.clone() }, delay)),
            groups: Arc::new(make(
                VisibleGroupLoader {
                    db: db.clone(),
                    rights: rights.clone(),
                    unchecked: groups_unchecked.clone(),
                },
                delay,
            )),
            groups_unchecked,
            meetings: Arc::new(make(MeetingLoader { db: db.clone() }, delay)),
            meeting_data: Arc::new(make(meetings::MeetingDataLoader { db: db.clone() }, delay)),
        };
        Self {
            organisations: make(OrganisationLoader { db: db.clone() }, delay),
            clusters: seen.clusters.clone(),
            groups: seen.groups.clone(),
            groups_unchecked: seen.groups_unchecked.clone(),
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
            insiders: Some(std::sync::Mutex::default()),
        }
    }
}

/// Memberships read with their people: the people go into the person loader's cache, so
/// `membership { person { … } }` costs nothing more.
async fn keep_people(
    people: &DataLoader<PersonLoader, HashMapCache>,
    rows: Vec<(membership::Model, person::Model)>,
) -> Vec<membership::Model> {
    let (found, persons): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|(m, p)| {
            let person = (m.person_id, p);
            (m, person)
        })
        .unzip();
    people.feed_many(persons).await;
    found
}

pub struct MembershipLoader {
    db: Db,
    people: Arc<DataLoader<PersonLoader, HashMapCache>>,
}

impl Loader<Uuid> for MembershipLoader {
    type Value = membership::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let rows = group_reads::memberships_with_people(&self.db, keys).await?;
        let found = keep_people(&self.people, rows).await;
        Ok(found.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// Active facilitators and co-facilitators of each group, lead facilitators first.
pub struct FacilitatorLoader {
    db: Db,
    people: Arc<DataLoader<PersonLoader, HashMapCache>>,
}

impl Loader<Uuid> for FacilitatorLoader {
    type Value = Vec<membership::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let rows = group_reads::facilitators_with_people(&self.db, keys).await?;
        let mut out: HashMap<Uuid, Vec<membership::Model>> = HashMap::new();
        for m in keep_people(&self.people, rows).await {
            out.entry(m.group_id).or_default().push(m);
        }
        Ok(out)
    }
}

pub struct PersonMembershipLoader {
    db: Db,
}

impl Loader<Uuid> for PersonMembershipLoader {
    type Value = Vec<membership::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        group_reads::active_memberships_of(&self.db, keys).await
    }
}

pub struct ViewerMembershipLoader {
    db: Db,
    person: Option<Uuid>,
}

impl Loader<Uuid> for ViewerMembershipLoader {
    type Value = membership::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let Some(person) = self.person else {
            return Ok(HashMap::new());
        };
        group_reads::memberships_in(&self.db, person, keys).await
    }
}

/// Whose clusters a cluster list shows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClusterParent {
    Organisation { id: Uuid, top_level_only: bool },
    Cluster(Uuid),
}

impl ClusterParent {
    fn split(&self) -> (ClusterList, Uuid) {
        match self {
            Self::Organisation { id, top_level_only } => (
                ClusterList::InOrganisation {
                    top_level_only: *top_level_only,
                },
                *id,
            ),
            Self::Cluster(id) => (ClusterList::InCluster, *id),
        }
    }

    fn join(list: ClusterList, id: Uuid) -> Self {
        match list {
            ClusterList::InOrganisation { top_level_only } => {
                Self::Organisation { id, top_level_only }
            }
            ClusterList::InCluster => Self::Cluster(id),
        }
    }
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

impl GrantParent {
    fn split(self) -> (GrantList, Uuid) {
        match self {
            Self::Organisation(id) => (GrantList::InOrganisation, id),
            Self::Cluster(id) => (GrantList::OnCluster, id),
        }
    }

    fn join(list: GrantList, id: Uuid) -> Self {
        match list {
            GrantList::InOrganisation => Self::Organisation(id),
            GrantList::OnCluster => Self::Cluster(id),
        }
    }
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
    pub(super) db: Db,
    pub(super) rights: Arc<Rights>,
    pub(super) seen: Seen,
}

/// The by-id caches that pages fill: a field of a row on a page (a meeting's guard asking for
/// its group, a group's for its cluster) finds the row there instead of reading it again.
pub struct Seen {
    pub(super) clusters: Arc<DataLoader<ClusterLoader, HashMapCache>>,
    /// Pages hold only groups the viewer sees: they go into both group caches.
    pub(super) groups: Arc<DataLoader<VisibleGroupLoader, HashMapCache>>,
    pub(super) groups_unchecked: Arc<DataLoader<UncheckedGroupLoader, HashMapCache>>,
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

impl Loader<ClusterPageKey> for PageLoader {
    type Value = Page<cluster::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ClusterPageKey],
    ) -> Result<HashMap<ClusterPageKey, Self::Value>, AppError> {
        let groups = batches(keys, |k| {
            let (list, id) = k.parent.split();
            ((list, k.args.clone()), id)
        });
        let mut out = HashMap::new();
        for ((list, args), parents) in groups {
            let mut pages = umbrella_reads::cluster_pages(&self.db, list, &parents, &args).await?;
            let seen = Seen::rows_of(pages.values(), |c: &cluster::Model| Some((c.id, c.clone())));
            self.seen.clusters.feed_many(seen).await;
            for id in parents {
                let page = pages.remove(&id).unwrap_or_default();
                let parent = ClusterParent::join(list, id);
                let args = args.clone();
                out.insert(ClusterPageKey { parent, args }, page);
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
            // The clusters come along: `cluster(id:) { groups }` needs no statement of its own.
            let (mut pages, clusters) = group_reads::cluster_group_pages(
                &self.db,
                &access,
                include_descendants,
                &parents,
                &args,
            )
            .await?;
            self.seen
                .clusters
                .feed_many(clusters.into_iter().map(|c| (c.id, c)))
                .await;
            let seen = Seen::rows_of(pages.values(), |g: &group::Model| Some((g.id, g.clone())));
            self.seen.groups_unchecked.feed_many(seen.clone()).await;
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
            let mut pages = group_reads::member_pages(&self.db, &statuses, &parents, &args).await?;
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
        let groups = batches(keys, |k| {
            let (list, id) = k.parent.split();
            ((list, k.args.clone()), id)
        });
        let mut out = HashMap::new();
        for ((list, args), parents) in groups {
            let mut pages = umbrella_reads::grant_pages(&self.db, list, &parents, &args).await?;
            for id in parents {
                let page = pages.remove(&id).unwrap_or_default();
                let parent = GrantParent::join(list, id);
                let args = args.clone();
                out.insert(GrantPageKey { parent, args }, page);
            }
        }
        Ok(out)
    }
}

pub struct CountLoader {
    db: Db,
    rights: Arc<Rights>,
}

impl Loader<CountKey> for CountLoader {
    type Value = u64;
    type Error = AppError;

    async fn load(&self, keys: &[CountKey]) -> Result<HashMap<CountKey, u64>, AppError> {
        /// Keys that share one GROUP BY statement.
        #[derive(PartialEq, Eq, Hash, Clone)]
        enum Batch {
            Clusters(ClusterList),
            Groups(bool),
            Members(Vec<MembershipStatus>),
            Grants(GrantList),
            Meetings(meetings::MeetingFilter),
            Commitments,
            Care(care_lists::CareList),
            Workshops,
        }
        let parent_of = |k: &CountKey| match k {
            CountKey::Clusters(parent) => {
                let (list, id) = parent.split();
                (Batch::Clusters(list), id)
            }
            CountKey::ClusterGroups {
                cluster,
                include_descendants,
            } => (Batch::Groups(*include_descendants), *cluster),
            CountKey::GroupMembers { group, statuses } => {
                (Batch::Members(statuses.clone()), *group)
            }
            CountKey::Grants(parent) => {
                let (list, id) = parent.split();
                (Batch::Grants(list), id)
            }
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
            let counts = match &batch {
                Batch::Clusters(list) => {
                    umbrella_reads::cluster_counts(db, *list, &parents).await?
                }
                Batch::Groups(desc) => {
                    let access = self.rights.get(db).await?;
                    group_reads::cluster_group_counts(db, &access, *desc, &parents).await?
                }
                Batch::Members(statuses) => {
                    group_reads::member_counts(db, statuses, &parents).await?
                }
                Batch::Grants(list) => umbrella_reads::grant_counts(db, *list, &parents).await?,
                Batch::Meetings(filter) => {
                    crate::domain::meetings::reads::meeting_counts(db, filter, &parents).await?
                }
                Batch::Workshops => {
                    crate::domain::training::reads::workshop_counts(db, &parents).await?
                }
                Batch::Commitments => {
                    crate::domain::meetings::reads::commitment_counts(db, &parents).await?
                }
                Batch::Care(list) => {
                    let now = chrono::Utc::now();
                    crate::domain::care::reads::care_counts(db, *list, &parents, now).await?
                }
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn loaders() -> Loaders {
        let viewer = Arc::new(Viewer::anonymous("127.0.0.1".to_owned()));
        let rights = Arc::new(Rights::anonymous());
        Loaders::new(
            Db::from(sea_orm::DatabaseConnection::default()),
            viewer,
            rights,
            Duration::ZERO,
        )
    }

    #[test]
    fn a_query_keeps_each_insider_decision_for_the_request() {
        let (inside, outside) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let loaders = loaders();
        assert_eq!(loaders.known_insider(inside), None);
        loaders.remember_insider(inside, true);
        loaders.remember_insider(outside, false);
        assert_eq!(loaders.known_insider(inside), Some(true));
        assert_eq!(loaders.known_insider(outside), Some(false));
    }

    #[test]
    fn a_mutation_decides_afresh_since_it_may_change_memberships() {
        let group = Uuid::from_u128(1);
        let loaders = loaders().without_cache();
        loaders.remember_insider(group, true);
        assert_eq!(loaders.known_insider(group), None);
    }
}
