//! Admission by consent. Joining a BY_CONSENT group opens an application; a member may also
//! propose someone, whose own `joinGroup` then joins the proposal. Active members consent,
//! object or abstain until it is decided; only the votes of people still active stand. It is
//! approved the moment consents reach the quorum with no standing objection (and, for a
//! proposal, once the person has asked); a facilitator may decline it; unresolved, it expires
//! after 14 days. Approval seats the person, or waitlists them when the group is full. The
//! applicant learns the outcome, never who voted how.

use chrono::{DateTime, Duration, Utc};
use entity::{
    Admission, ApplicationStatus, ConsentVote, MembershipStatus, application_vote, group,
    membership, membership_application, person,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, TransactionSession as _,
    TransactionTrait, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::{can_run_group, can_see_group, is_insider, require_person},
        groups::core::{active_membership, adjust_active_count, has_free_seat, lock_group, place},
        pagination::{Page, PageArgs, Sort, page_and_total},
        umbrella::find_cluster,
        values::optional_text,
    },
    error::{AppError, AppResult},
};

pub const EXPIRY_DAYS: i64 = 14;

/// The applications that read as `status` at `now`, as SQL: a PENDING application past its
/// expiry is EXPIRED, written down or not. The same rule as
/// `membership_application::Model::status_at`, which reads one row; every query that selects
/// applications by status goes through this.
pub fn in_status(status: ApplicationStatus, now: DateTime<Utc>) -> Condition {
    use membership_application::Column as C;
    match status {
        ApplicationStatus::Pending => Condition::all()
            .add(C::Status.eq(ApplicationStatus::Pending))
            .add(C::ExpiresAt.gt(now)),
        ApplicationStatus::Expired => Condition::any()
            .add(C::Status.eq(ApplicationStatus::Expired))
            .add(
                Condition::all()
                    .add(C::Status.eq(ApplicationStatus::Pending))
                    .add(C::ExpiresAt.lte(now)),
            ),
        other => Condition::all().add(C::Status.eq(other)),
    }
}

/// Consents needed: the group's setting, else half its active members rounded up (at least 1).
pub fn quorum(g: &group::Model) -> i32 {
    g.consent_quorum
        .unwrap_or((g.active_member_count + 1) / 2)
        .max(1)
}

/// Opens an application for a person whose membership was just set PENDING.
pub async fn open(
    db: &impl ConnectionTrait,
    g: &group::Model,
    person_id: Uuid,
    statement: Option<String>,
    proposed_by: Option<Uuid>,
) -> AppResult<membership_application::Model> {
    let now = Utc::now();
    Ok(membership_application::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        person_id: Set(person_id),
        statement: Set(statement),
        proposed_by: Set(proposed_by),
        status: Set(ApplicationStatus::Pending),
        expires_at: Set(now + Duration::days(EXPIRY_DAYS)),
        decided_at: Set(None),
        decided_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// Ends a PENDING membership whose application did not go through, so the person may apply
/// again later.
async fn release_pending(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    person_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    membership::Entity::update_many()
        .col_expr(
            membership::Column::Status,
            MembershipStatus::Left.as_str().into(),
        )
        .col_expr(membership::Column::LeftAt, Some(now).into())
        .col_expr(membership::Column::UpdatedAt, now.into())
        .filter(membership::Column::GroupId.eq(group_id))
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Pending))
        .exec(db)
        .await?;
    Ok(())
}

async fn settle(
    db: &impl ConnectionTrait,
    a: membership_application::Model,
    status: ApplicationStatus,
    decided_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> AppResult<membership_application::Model> {
    let mut active: membership_application::ActiveModel = a.into();
    active.status = Set(status);
    active.decided_at = Set(Some(at));
    active.decided_by = Set(decided_by);
    active.updated_at = Set(Utc::now());
    Ok(active.update(db).await?)
}

/// Writes down the expiry of the group's applications that ran out (evaluated when touched;
/// no background job). Call with the group locked.
pub async fn expire_stale(db: &impl ConnectionTrait, group_id: Uuid) -> AppResult<()> {
    let now = Utc::now();
    // Expired but not yet written down.
    let stale = membership_application::Entity::find()
        .filter(membership_application::Column::GroupId.eq(group_id))
        .filter(membership_application::Column::Status.eq(ApplicationStatus::Pending))
        .filter(in_status(ApplicationStatus::Expired, now))
        .all(db)
        .await?;
    for a in stale {
        let (person, expired_at) = (a.person_id, a.expires_at);
        settle(db, a, ApplicationStatus::Expired, None, expired_at).await?;
        release_pending(db, group_id, person, now).await?;
    }
    Ok(())
}

/// Ends the person's open application to the group when their PENDING membership ends:
/// WITHDRAWN when they leave, DECLINED when a facilitator removes them.
pub async fn close_open(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    person_id: Uuid,
    outcome: ApplicationStatus,
) -> AppResult<()> {
    let pending = membership_application::Entity::find()
        .filter(membership_application::Column::GroupId.eq(group_id))
        .filter(membership_application::Column::PersonId.eq(person_id))
        .filter(in_status(ApplicationStatus::Pending, Utc::now()))
        .all(db)
        .await?;
    for a in pending {
        let by = (outcome == ApplicationStatus::Withdrawn).then_some(person_id);
        settle(db, a, outcome, by, Utc::now()).await?;
    }
    Ok(())
}

/// An active member proposes someone they have talked it over with.
pub async fn propose(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    person_id: Uuid,
    statement: Option<String>,
) -> AppResult<membership_application::Model> {
    let me = require_person(access)?;
    let statement = optional_text("statement", statement.as_deref(), 2000)?;
    let txn = crate::domain::begin(db).await?;
    let g = lock_group(&txn, group_id).await?;
    let path = find_cluster(&txn, g.cluster_id).await?.path;
    if !can_see_group(access, &g, &path) {
        return Err(AppError::not_found("group"));
    }
    if active_membership(&txn, g.id, me).await?.is_none() {
        return Err(AppError::forbidden(
            "only the group's active members propose people",
        ));
    }
    if g.admission != Admission::ByConsent {
        return Err(AppError::bad_input(
            "groupId",
            "only BY_CONSENT groups take proposals; others are joined directly",
        ));
    }
    if person_id == me {
        return Err(AppError::bad_input(
            "personId",
            "you already belong to this group",
        ));
    }
    if person::Entity::find_by_id(person_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::not_found("person"));
    }
    expire_stale(&txn, g.id).await?;
    let existing = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::GroupId.eq(g.id))
        .one(&txn)
        .await?;
    let open_already = membership_application::Entity::find()
        .filter(membership_application::Column::GroupId.eq(g.id))
        .filter(membership_application::Column::PersonId.eq(person_id))
        .filter(membership_application::Column::Status.eq(ApplicationStatus::Pending))
        .count(&txn)
        .await?
        > 0;
    // One answer for every reason, so members learn nothing of the person's standing.
    if open_already || existing.is_some_and(|m| m.status != MembershipStatus::Left) {
        return Err(AppError::conflict(
            "this person cannot be proposed to the group now",
        ));
    }
    // No membership yet: the proposal waits for the person's own joinGroup.
    let a = open(&txn, &g, person_id, statement, Some(me)).await?;
    txn.commit().await?;
    Ok(a)
}

/// The application, NOT_FOUND unless the viewer is its applicant or an insider of the group.
/// Also says whether the viewer runs the group.
pub async fn visible(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<(membership_application::Model, group::Model, bool)> {
    let not_found = || AppError::not_found("application");
    let a = membership_application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let g = group::Entity::find_by_id(a.group_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let path = find_cluster(db, g.cluster_id).await?.path;
    let mine = access.person_id == Some(a.person_id);
    if !mine && !is_insider(access, &g, &path) {
        return Err(not_found());
    }
    Ok((a, g.clone(), can_run_group(access, &g, &path)))
}

async fn reload_pending(
    db: &impl ConnectionTrait,
    a: &membership_application::Model,
) -> AppResult<membership_application::Model> {
    expire_stale(db, a.group_id).await?;
    let fresh = membership_application::Entity::find_by_id(a.id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("application"))?;
    if fresh.status != ApplicationStatus::Pending {
        return Err(AppError::conflict(format!(
            "the application is already {}",
            fresh.status.as_str().to_lowercase()
        )));
    }
    Ok(fresh)
}

/// An active member's vote; changeable until the application is decided. An objection needs
/// a reason (read by the facilitators only).
pub async fn vote(
    db: &impl TransactionTrait,
    access: &Access,
    application_id: Uuid,
    choice: ConsentVote,
    reason: Option<String>,
) -> AppResult<membership_application::Model> {
    let me = require_person(access)?;
    let reason = optional_text("reason", reason.as_deref(), 1000)?;
    if choice == ConsentVote::Object && reason.is_none() {
        return Err(AppError::bad_input(
            "reason",
            "an objection says why, so the group can work with it",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let (a, _, _) = visible(&txn, access, application_id).await?;
    let g = lock_group(&txn, a.group_id).await?;
    if active_membership(&txn, g.id, me).await?.is_none() {
        return Err(AppError::forbidden(
            "only the group's active members vote on applications",
        ));
    }
    let a = reload_pending(&txn, &a).await?;
    let now = Utc::now();
    application_vote::Entity::insert(application_vote::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(a.id),
        person_id: Set(me),
        vote: Set(choice),
        reason: Set(reason.filter(|_| choice == ConsentVote::Object)),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            application_vote::Column::ApplicationId,
            application_vote::Column::PersonId,
        ])
        .update_columns([
            application_vote::Column::Vote,
            application_vote::Column::Reason,
            application_vote::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let decided = decide_if_ready(&txn, &g, a).await?;
    txn.commit().await?;
    Ok(decided)
}

/// The votes that stand: those of people still ACTIVE in the group (someone who left no
/// longer consents or objects).
pub async fn standing_votes(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    application_id: Uuid,
) -> AppResult<Vec<application_vote::Model>> {
    let active = membership::Entity::find()
        .select_only()
        .column(membership::Column::PersonId)
        .filter(membership::Column::GroupId.eq(group_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .into_query();
    Ok(application_vote::Entity::find()
        .filter(application_vote::Column::ApplicationId.eq(application_id))
        .filter(application_vote::Column::PersonId.in_subquery(active))
        .all(db)
        .await?)
}

/// Approves the application when consents reach the quorum and nobody objects. A member's
/// proposal also waits for the person's own request (`joinGroup`, which checks the pledge):
/// nobody is put in a group without asking.
async fn decide_if_ready(
    db: &impl ConnectionTrait,
    g: &group::Model,
    a: membership_application::Model,
) -> AppResult<membership_application::Model> {
    let votes = standing_votes(db, g.id, a.id).await?;
    let count = |v: ConsentVote| votes.iter().filter(|x| x.vote == v).count();
    if count(ConsentVote::Object) > 0
        || count(ConsentVote::Consent) < usize::try_from(quorum(g)).unwrap_or(usize::MAX)
    {
        return Ok(a);
    }
    let Some(pending) = membership::Entity::find()
        .filter(membership::Column::GroupId.eq(g.id))
        .filter(membership::Column::PersonId.eq(a.person_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Pending))
        .one(db)
        .await?
    else {
        return Ok(a);
    };
    // Approved while full: they wait their turn like everyone else, from now.
    let status = if has_free_seat(db, g).await? {
        MembershipStatus::Active
    } else {
        MembershipStatus::Waitlisted
    };
    let statement = pending.statement.clone();
    place(db, Some(pending), a.person_id, g.id, status, statement).await?;
    if status == MembershipStatus::Active {
        adjust_active_count(db, g.id, 1).await?;
    }
    settle(db, a, ApplicationStatus::Approved, None, Utc::now()).await
}

/// Decides every open application of the group again: after someone leaves (their vote no
/// longer stands, the quorum may drop) or the group's quorum changes. Call with the group
/// locked.
pub async fn reconsider(db: &impl ConnectionTrait, group_id: Uuid) -> AppResult<()> {
    expire_stale(db, group_id).await?;
    let open = membership_application::Entity::find()
        .filter(membership_application::Column::GroupId.eq(group_id))
        .filter(membership_application::Column::Status.eq(ApplicationStatus::Pending))
        .order_by_asc(membership_application::Column::Id)
        .all(db)
        .await?;
    for a in open {
        // Re-read each time: an approval just now may have taken the last seat.
        let g = group::Entity::find_by_id(group_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("group"))?;
        decide_if_ready(db, &g, a).await?;
    }
    Ok(())
}

/// The person's open proposal to the group, if a member proposed them.
pub async fn open_proposal(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    person_id: Uuid,
) -> AppResult<Option<membership_application::Model>> {
    Ok(membership_application::Entity::find()
        .filter(membership_application::Column::GroupId.eq(group_id))
        .filter(membership_application::Column::PersonId.eq(person_id))
        .filter(in_status(ApplicationStatus::Pending, Utc::now()))
        .filter(membership_application::Column::ProposedBy.is_not_null())
        .one(db)
        .await?)
}

/// The person asks to join a group a member proposed them for: their request joins the
/// proposal, which is decided at once if the members have already consented.
pub async fn accept_proposal(
    db: &impl ConnectionTrait,
    g: &group::Model,
    proposal: membership_application::Model,
) -> AppResult<()> {
    decide_if_ready(db, g, proposal).await?;
    Ok(())
}

/// A facilitator (or manager) declines an undecided application.
pub async fn decline(
    db: &impl TransactionTrait,
    access: &Access,
    application_id: Uuid,
) -> AppResult<membership_application::Model> {
    let me = require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let (a, _, runs) = visible(&txn, access, application_id).await?;
    if !runs {
        return Err(AppError::forbidden(
            "only the group's facilitators decline applications",
        ));
    }
    lock_group(&txn, a.group_id).await?;
    let a = reload_pending(&txn, &a).await?;
    let now = Utc::now();
    release_pending(&txn, a.group_id, a.person_id, now).await?;
    let declined = settle(&txn, a, ApplicationStatus::Declined, Some(me), now).await?;
    txn.commit().await?;
    Ok(declined)
}

/// The viewer's own applications, newest first (none for an anonymous caller).
pub async fn own_applications(
    db: &impl ConnectionTrait,
    access: &Access,
    args: &PageArgs,
) -> AppResult<(Page<membership_application::Model>, u64)> {
    let Some(me) = access.person_id else {
        return Ok((Page::default(), 0));
    };
    let sort = Sort {
        key: None,
        id: membership_application::Column::Id,
        descending: true,
    };
    let mine = membership_application::Entity::find()
        .filter(membership_application::Column::PersonId.eq(me));
    page_and_total(db, mine, &sort, args).await
}
