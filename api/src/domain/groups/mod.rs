//! Groups: settings with their validation, creation, updates, moves, and the directory. The
//! core the other features build on (find, visible, runnable, lock, seats, waitlist) is
//! `core`; the batch reads behind lists and loaders are `reads`.

pub mod core;
pub mod reads;

use self::core::{find_group, lock_group, promote_waitlist, visible_group};

use chrono::Utc;
use entity::{
    Admission, CadenceFrequency, GroupFormat, GroupStatus, MembershipSource, Modality,
    OrganisationKind, Visibility, Weekday, cluster, group, organisation,
};
use sea_orm::ExprTrait as _;
use sea_orm::TransactionSession as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Select, TransactionTrait,
    sea_query::{Expr, LikeExpr, Query},
};
use uuid::Uuid;

use super::{
    access::Access,
    authz::{self, can_run_group, manages_group, manages_place, require_person},
    pagination::{Page, PageArgs, Sort, page},
    throttle::Oracle,
    umbrella::find_cluster,
    values::{
        MAX_FILTER_TEXT_CHARS, Slug, TimeZone, local_time, optional_text, sort_key, text, web_url,
    },
};
use crate::error::{AppError, AppResult};

/// A change to an optional setting: leave it, clear it, or set it.
#[derive(Clone, Debug, Default)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

#[derive(Clone, Debug)]
pub struct CadenceFields {
    pub frequency: CadenceFrequency,
    pub weekday: Option<Weekday>,
    pub week_of_month: Option<i32>,
    pub local_start_time: Option<String>,
    pub duration_minutes: Option<i32>,
    pub timezone: String,
}

#[derive(Clone, Debug, Default)]
pub struct VenueFields {
    pub name: Option<String>,
    pub area: Option<String>,
    pub address: Option<String>,
    pub location_notes: Option<String>,
    pub approximate: bool,
}

/// Raw settings as a client sent them; every one optional so creation and partial updates
/// share one parser.
#[derive(Clone, Debug, Default)]
pub struct GroupFields {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub purpose: Option<String>,
    pub focus: Patch<String>,
    pub format: Option<GroupFormat>,
    pub modality: Option<Modality>,
    pub cadence: Option<CadenceFields>,
    pub capacity_min: Option<i32>,
    pub capacity_max: Option<i32>,
    pub venue: Patch<VenueFields>,
    pub conference_url: Patch<String>,
    pub status: Option<GroupStatus>,
    pub admission: Option<Admission>,
    pub visibility: Option<Visibility>,
    pub membership_source: Option<MembershipSource>,
    pub ground_rules: Patch<String>,
    pub host_partner_id: Patch<Uuid>,
    pub consent_quorum: Patch<i32>,
    pub requires_certified_facilitator: Option<bool>,
}

pub const DEFAULT_DURATION_MINUTES: i32 = 60;
pub const DEFAULT_CAPACITY_MIN: i32 = 8;
pub const DEFAULT_CAPACITY_MAX: i32 = 12;
pub const MAX_CAPACITY: i32 = 100;

/// Applies `fields` to `base` (a new group's defaults or the stored group), validating each
/// field and then the rules between fields.
fn apply(mut g: group::Model, f: GroupFields) -> AppResult<group::Model> {
    if let Some(slug) = f.slug {
        g.slug = Slug::parse("slug", &slug)?.into_inner();
    }
    if let Some(name) = f.name {
        g.name = text("name", &name, 200)?;
        g.sort_name = sort_key(&g.name);
    }
    if let Some(purpose) = f.purpose {
        g.purpose = text("purpose", &purpose, 2000)?;
    }
    match f.focus {
        Patch::Keep => {}
        Patch::Clear => g.focus = None,
        Patch::Set(focus) => g.focus = optional_text("focus", Some(&focus), 200)?,
    }
    if let Some(format) = f.format {
        g.format = format;
    }
    if let Some(modality) = f.modality {
        g.modality = modality;
    }
    if let Some(c) = f.cadence {
        g.cadence_frequency = c.frequency;
        g.cadence_weekday = c.weekday;
        g.cadence_week_of_month = c.week_of_month;
        g.cadence_local_start_time = c
            .local_start_time
            .as_deref()
            .map(|t| local_time("cadence.localStartTime", t))
            .transpose()?;
        g.cadence_duration_minutes = c.duration_minutes.unwrap_or(DEFAULT_DURATION_MINUTES);
        g.timezone = TimeZone::parse("cadence.timezone", &c.timezone)?.into_inner();
    }
    if let Some(min) = f.capacity_min {
        g.capacity_min = min;
    }
    if let Some(max) = f.capacity_max {
        g.capacity_max = max;
    }
    match f.venue {
        Patch::Keep => {}
        Patch::Clear => {
            g.venue_name = None;
            g.venue_area = None;
            g.venue_address = None;
            g.venue_location_notes = None;
            g.venue_approximate = false;
        }
        Patch::Set(v) => {
            g.venue_name = optional_text("venue.name", v.name.as_deref(), 200)?;
            g.venue_area = optional_text("venue.area", v.area.as_deref(), 200)?;
            g.venue_address = optional_text("venue.address", v.address.as_deref(), 1000)?;
            g.venue_location_notes =
                optional_text("venue.locationNotes", v.location_notes.as_deref(), 2000)?;
            g.venue_approximate = v.approximate;
        }
    }
    match f.conference_url {
        Patch::Keep => {}
        Patch::Clear => g.conference_url = None,
        Patch::Set(url) => g.conference_url = Some(web_url("conferenceUrl", &url)?),
    }
    if let Some(status) = f.status {
        g.status = status;
    }
    if let Some(admission) = f.admission {
        g.admission = admission;
    }
    if let Some(visibility) = f.visibility {
        g.visibility = visibility;
    }
    if let Some(source) = f.membership_source {
        g.membership_source = source;
    }
    match f.ground_rules {
        Patch::Keep => {}
        Patch::Clear => g.ground_rules = None,
        Patch::Set(rules) => g.ground_rules = optional_text("groundRules", Some(&rules), 5000)?,
    }
    match f.host_partner_id {
        Patch::Keep => {}
        Patch::Clear => g.host_partner_id = None,
        Patch::Set(id) => g.host_partner_id = Some(id),
    }
    if let Some(required) = f.requires_certified_facilitator {
        g.requires_certified_facilitator = required;
    }
    match f.consent_quorum {
        Patch::Keep => {}
        Patch::Clear => g.consent_quorum = None,
        Patch::Set(q) if (1..=MAX_CAPACITY).contains(&q) => g.consent_quorum = Some(q),
        Patch::Set(_) => {
            return Err(AppError::bad_input(
                "consentQuorum",
                format!("a quorum is 1 to {MAX_CAPACITY} consents"),
            ));
        }
    }
    g.search_text = [
        Some(g.name.as_str()),
        Some(g.purpose.as_str()),
        g.focus.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
    .to_lowercase();
    check_rules(&g)?;
    Ok(g)
}

/// Rules between fields.
fn check_rules(g: &group::Model) -> AppResult<()> {
    if !(15..=480).contains(&g.cadence_duration_minutes) {
        return Err(AppError::bad_input(
            "cadence.durationMinutes",
            "a meeting lasts 15 to 480 minutes",
        ));
    }
    let scheduled = g.cadence_frequency != CadenceFrequency::AdHoc;
    if scheduled && g.cadence_weekday.is_none() {
        return Err(AppError::bad_input(
            "cadence.weekday",
            "a regular cadence needs a weekday",
        ));
    }
    if scheduled && g.cadence_local_start_time.is_none() {
        return Err(AppError::bad_input(
            "cadence.localStartTime",
            "a regular cadence needs a start time",
        ));
    }
    if !scheduled && (g.cadence_weekday.is_some() || g.cadence_local_start_time.is_some()) {
        return Err(AppError::bad_input(
            "cadence.frequency",
            "an AD_HOC cadence has no weekday or start time; pick WEEKLY, BIWEEKLY or MONTHLY",
        ));
    }
    match (g.cadence_frequency, g.cadence_week_of_month) {
        (CadenceFrequency::Monthly, None) => {
            return Err(AppError::bad_input(
                "cadence.weekOfMonth",
                "a MONTHLY cadence needs weekOfMonth: 1–4, or -1 for the last week",
            ));
        }
        (CadenceFrequency::Monthly, Some(w)) if !matches!(w, 1..=4 | -1) => {
            return Err(AppError::bad_input(
                "cadence.weekOfMonth",
                "weekOfMonth is 1–4, or -1 for the last week",
            ));
        }
        (CadenceFrequency::Monthly, Some(_)) => {}
        (_, Some(_)) => {
            return Err(AppError::bad_input(
                "cadence.weekOfMonth",
                "only a MONTHLY cadence has weekOfMonth",
            ));
        }
        (_, None) => {}
    }
    if g.capacity_min < 1 {
        return Err(AppError::bad_input(
            "capacity.min",
            "capacity.min is at least 1",
        ));
    }
    if g.capacity_max > MAX_CAPACITY {
        return Err(AppError::bad_input(
            "capacity.max",
            format!("capacity.max is at most {MAX_CAPACITY}"),
        ));
    }
    if g.capacity_min > g.capacity_max {
        return Err(AppError::bad_input(
            "capacity.min",
            "capacity.min cannot exceed capacity.max",
        ));
    }
    Ok(())
}

fn defaults(organisation_id: Uuid, cluster_id: Uuid) -> group::Model {
    let now = Utc::now();
    group::Model {
        id: Uuid::now_v7(),
        organisation_id,
        cluster_id,
        slug: String::new(),
        name: String::new(),
        sort_name: String::new(),
        search_text: String::new(),
        purpose: String::new(),
        focus: None,
        format: GroupFormat::TopicCircle,
        modality: Modality::InPerson,
        cadence_frequency: CadenceFrequency::AdHoc,
        cadence_weekday: None,
        cadence_week_of_month: None,
        cadence_local_start_time: None,
        cadence_duration_minutes: DEFAULT_DURATION_MINUTES,
        timezone: "UTC".to_owned(),
        capacity_min: DEFAULT_CAPACITY_MIN,
        capacity_max: DEFAULT_CAPACITY_MAX,
        venue_name: None,
        venue_area: None,
        venue_address: None,
        venue_location_notes: None,
        venue_approximate: false,
        conference_url: None,
        status: GroupStatus::Forming,
        admission: Admission::Open,
        visibility: Visibility::Network,
        membership_source: MembershipSource::Community,
        ground_rules: None,
        host_partner_id: None,
        active_member_count: 0,
        agenda_template: None,
        agenda_template_resource_id: None,
        agenda_template_resource_version: None,
        rotation_period_weeks: 2,
        rotation_max_consecutive_blocks: 1,
        consent_quorum: None,
        requires_certified_facilitator: false,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

async fn check_host_partner(
    db: &impl ConnectionTrait,
    access: &Access,
    g: &group::Model,
    changed: bool,
) -> AppResult<()> {
    let Some(partner_id) = g.host_partner_id else {
        return Ok(());
    };
    if !changed {
        return Ok(());
    }
    if !access.is_admin_of(g.organisation_id) {
        return Err(AppError::forbidden(
            "only an ADMIN of the organisation links partner organisations",
        ));
    }
    match organisation::Entity::find_by_id(partner_id).one(db).await? {
        Some(p) if p.kind == OrganisationKind::Partner && p.id != g.organisation_id => Ok(()),
        Some(_) => Err(AppError::bad_input(
            "hostPartnerId",
            "the host must be a PARTNER organisation",
        )),
        None => Err(AppError::not_found("partner organisation")),
    }
}

async fn ensure_slug_free(
    db: &impl ConnectionTrait,
    slug: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    let mut q = group::Entity::find().filter(group::Column::Slug.eq(slug));
    if let Some(id) = except {
        q = q.filter(group::Column::Id.ne(id));
    }
    // Slugs are unique across the network, so a taken one may belong to a group the caller
    // cannot see: the answer does not say whose (`throttle`).
    if q.count(db).await? > 0 {
        return Err(Oracle::SlugUnavailable.answer());
    }
    Ok(())
}

/// COORDINATOR of the cluster (or above) or ADMIN of its organisation.
pub async fn create_group(
    db: &impl TransactionTrait,
    access: &Access,
    cluster_id: Uuid,
    fields: GroupFields,
) -> AppResult<group::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let cluster = find_cluster(&txn, cluster_id).await?;
    if !manages_place(access, cluster.organisation_id, Some(&cluster.path)) {
        return Err(AppError::forbidden(
            "you may not create groups in this cluster",
        ));
    }
    for (field, given) in [
        ("slug", fields.slug.is_some()),
        ("name", fields.name.is_some()),
        ("purpose", fields.purpose.is_some()),
        ("cadence", fields.cadence.is_some()),
    ] {
        if !given {
            return Err(AppError::bad_input(field, format!("{field} is required")));
        }
    }
    let created = insert_group(&txn, &cluster, fields).await?;
    if created.host_partner_id.is_some() {
        check_host_partner(&txn, access, &created, true).await?;
    }
    txn.commit().await?;
    Ok(created)
}

/// Validates and stores a new group (no authorisation: callers check first).
pub async fn insert_group(
    db: &impl ConnectionTrait,
    cluster: &cluster::Model,
    fields: GroupFields,
) -> AppResult<group::Model> {
    let g = apply(defaults(cluster.organisation_id, cluster.id), fields)?;
    ensure_slug_free(db, &g.slug, None).await?;
    Ok(group::ActiveModel::from(g).insert(db).await?)
}

/// Facilitators of the group and its managers; `expectedVersion` guards against lost updates.
pub async fn update_group(
    db: &impl TransactionTrait,
    access: &Access,
    id: Uuid,
    expected_version: i32,
    fields: GroupFields,
) -> AppResult<group::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    // Locked like membership changes, because a larger capacity admits people.
    lock_group(&txn, id).await?;
    let (current, cluster) = visible_group(&txn, access, id).await?;
    authz::check(
        true,
        can_run_group(access, &current, &cluster.path),
        "group",
        "change this group",
    )?;
    if current.version != expected_version {
        return Err(AppError::stale_version("the group"));
    }
    let partner_changed = matches!(fields.host_partner_id, Patch::Set(_) | Patch::Clear);
    if partner_changed && !access.is_admin_of(current.organisation_id) {
        return Err(AppError::forbidden(
            "only an ADMIN of the organisation links partner organisations",
        ));
    }
    let mut next = apply(current.clone(), fields)?;
    check_host_partner(&txn, access, &next, partner_changed).await?;
    if next.slug != current.slug {
        ensure_slug_free(&txn, &next.slug, Some(id)).await?;
    }
    next.version = current.version + 1;
    next.updated_at = Utc::now();
    let mut updated = save_versioned(&txn, next, expected_version).await?;
    if updated.capacity_max > current.capacity_max {
        let (max, active) = (updated.capacity_max, updated.active_member_count);
        promote_waitlist(&txn, id, max, active).await?;
        updated = find_group(&txn, id).await?;
    }
    if updated.consent_quorum != current.consent_quorum
        && updated.admission == entity::Admission::ByConsent
    {
        // Consents that were short of the old quorum may meet the new one.
        super::care::admission::reconsider(&txn, id).await?;
        updated = find_group(&txn, id).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Writes all settings only if the stored version is still `expected_version`.
async fn save_versioned(
    db: &impl ConnectionTrait,
    next: group::Model,
    expected_version: i32,
) -> AppResult<group::Model> {
    let id = next.id;
    // Every column is written (reset_all marks them changed), guarded by the version.
    let mut active = group::ActiveModel::from(next).reset_all();
    // The member count is maintained by membership changes, never by settings updates.
    active.active_member_count = sea_orm::ActiveValue::NotSet;
    // The agenda template and rotation policy have their own mutations.
    active.agenda_template = sea_orm::ActiveValue::NotSet;
    active.agenda_template_resource_id = sea_orm::ActiveValue::NotSet;
    active.agenda_template_resource_version = sea_orm::ActiveValue::NotSet;
    active.rotation_period_weeks = sea_orm::ActiveValue::NotSet;
    active.rotation_max_consecutive_blocks = sea_orm::ActiveValue::NotSet;
    active.id = sea_orm::ActiveValue::NotSet;
    let result = group::Entity::update_many()
        .set(active)
        .filter(group::Column::Id.eq(id))
        .filter(group::Column::Version.eq(expected_version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::stale_version("the group"));
    }
    find_group(db, id).await
}

/// Moves a group to another cluster of the same organisation; the mover manages both places.
pub async fn move_group(
    db: &impl TransactionTrait,
    access: &Access,
    id: Uuid,
    cluster_id: Uuid,
    expected_version: i32,
) -> AppResult<group::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let (current, from) = visible_group(&txn, access, id).await?;
    authz::check(
        true,
        manages_group(access, &current, &from.path),
        "group",
        "move this group",
    )?;
    let to = find_cluster(&txn, cluster_id).await?;
    if to.organisation_id != current.organisation_id {
        return Err(AppError::bad_input(
            "clusterId",
            "groups cannot move between organisations",
        ));
    }
    if !manages_place(access, to.organisation_id, Some(&to.path)) {
        return Err(AppError::forbidden(
            "you may not move groups into that cluster",
        ));
    }
    if current.version != expected_version {
        return Err(AppError::stale_version("the group"));
    }
    let mut next = current;
    next.cluster_id = to.id;
    next.version = expected_version + 1;
    next.updated_at = Utc::now();
    let moved = save_versioned(&txn, next, expected_version).await?;
    txn.commit().await?;
    Ok(moved)
}

#[derive(Clone, Debug, Default)]
pub struct GroupFilter {
    pub text: Option<String>,
    pub formats: Vec<GroupFormat>,
    pub modalities: Vec<Modality>,
    pub statuses: Vec<GroupStatus>,
    pub admissions: Vec<Admission>,
    pub organisation_id: Option<Uuid>,
    pub cluster_id: Option<Uuid>,
    pub include_descendants: bool,
    pub weekday: Option<Weekday>,
    pub timezone: Option<String>,
    pub has_seats: Option<bool>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupOrder {
    #[default]
    NameAsc,
    NameDesc,
    NewestFirst,
    OldestFirst,
}

impl GroupOrder {
    pub fn sort(self) -> Sort<group::Entity> {
        let (key, descending) = match self {
            Self::NameAsc => (Some(group::Column::SortName), false),
            Self::NameDesc => (Some(group::Column::SortName), true),
            Self::NewestFirst => (None, true),
            Self::OldestFirst => (None, false),
        };
        Sort {
            key,
            id: group::Column::Id,
            descending,
        }
    }
}

/// The directory query: what the viewer may see, narrowed by `filter`.
pub async fn directory_select(
    db: &impl ConnectionTrait,
    access: &Access,
    filter: &GroupFilter,
) -> AppResult<Select<group::Entity>> {
    let backend = db.get_database_backend();
    let mut cond = Condition::all().add(authz::visible_groups(access, backend));
    if let Some(t) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        // The request guard limits it too; checked here as well, where the pattern is built,
        // so no path into the directory can hand the database an oversized pattern.
        if t.chars().count() > MAX_FILTER_TEXT_CHARS || t.chars().any(char::is_control) {
            return Err(AppError::bad_input(
                "filter.text",
                format!("at most {MAX_FILTER_TEXT_CHARS} characters on one line"),
            ));
        }
        let pattern = format!("%{}%", super::like_escape(&t.to_lowercase()));
        cond = cond.add(
            Expr::col((group::Entity, group::Column::SearchText))
                .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    if !filter.formats.is_empty() {
        cond = cond.add(group::Column::Format.is_in(filter.formats.clone()));
    }
    if !filter.modalities.is_empty() {
        cond = cond.add(group::Column::Modality.is_in(filter.modalities.clone()));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(group::Column::Status.is_in(filter.statuses.clone()));
    }
    if !filter.admissions.is_empty() {
        cond = cond.add(group::Column::Admission.is_in(filter.admissions.clone()));
    }
    if let Some(org) = filter.organisation_id {
        cond = cond.add(group::Column::OrganisationId.eq(org));
    }
    if let Some(cluster_id) = filter.cluster_id {
        if filter.include_descendants {
            let root = find_cluster(db, cluster_id).await?;
            let subtree = Query::select()
                .column(cluster::Column::Id)
                .from(cluster::Entity)
                .and_where(cluster::Column::Path.starts_with(root.path.as_str()))
                .to_owned();
            cond = cond.add(group::Column::ClusterId.in_subquery(subtree));
        } else {
            cond = cond.add(group::Column::ClusterId.eq(cluster_id));
        }
    }
    if let Some(day) = filter.weekday {
        cond = cond.add(group::Column::CadenceWeekday.eq(day));
    }
    if let Some(tz) = &filter.timezone {
        cond = cond
            .add(group::Column::Timezone.eq(TimeZone::parse("filter.timezone", tz)?.into_inner()));
    }
    match filter.has_seats {
        Some(true) => {
            cond = cond.add(
                Expr::col(group::Column::ActiveMemberCount)
                    .lt(Expr::col(group::Column::CapacityMax)),
            )
        }
        Some(false) => {
            cond = cond.add(
                Expr::col(group::Column::ActiveMemberCount)
                    .gte(Expr::col(group::Column::CapacityMax)),
            )
        }
        None => {}
    }
    Ok(group::Entity::find().filter(cond))
}

pub async fn directory(
    db: &impl ConnectionTrait,
    access: &Access,
    filter: &GroupFilter,
    order: GroupOrder,
    args: &PageArgs,
) -> AppResult<Page<group::Model>> {
    let select = directory_select(db, access, filter).await?;
    page(db, select, &order.sort(), args).await
}

pub async fn directory_count(
    db: &impl ConnectionTrait,
    access: &Access,
    filter: &GroupFilter,
) -> AppResult<u64> {
    Ok(directory_select(db, access, filter)
        .await?
        .count(db)
        .await?)
}
