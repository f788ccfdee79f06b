//! Adaptations: a fork copies one version of a resource into a new DRAFT that remembers where
//! it came from, as far as the original's licence allows (`licence::check_fork`).

use chrono::Utc;
use entity::{ResourceVisibility, resource};
use sea_orm::{TransactionSession as _, TransactionTrait};
use uuid::Uuid;

use super::{
    content::Content,
    curates,
    licence::{Licence, check_fork},
    versions::{content_of_version, readable_version},
    visible_resource,
    workflow::{Home, check_home, choose_slug, insert_resource},
};
use crate::{
    domain::{access::Access, authz::require_person, begin, umbrella::find_organisation},
    error::{AppError, AppResult},
};

pub struct Fork {
    pub resource_id: Uuid,
    /// None: the latest version.
    pub version_number: Option<i32>,
    /// None: the original's organisation.
    pub organisation_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    /// None: the original's (NETWORK when the original was another group's).
    pub visibility: Option<ResourceVisibility>,
    /// None: the original's licence.
    pub licence: Option<String>,
    pub slug: Option<String>,
    pub title: Option<String>,
}

pub async fn fork_resource(
    db: &impl TransactionTrait,
    access: &Access,
    fork: Fork,
) -> AppResult<resource::Model> {
    let me = require_person(access)?;
    let txn = begin(db).await?;
    let source = visible_resource(&txn, access, fork.resource_id).await?;
    let number = fork.version_number.unwrap_or(source.version_number);
    let version = readable_version(&txn, access, &source, number, "versionNumber").await?;
    let organisation_id = fork.organisation_id.unwrap_or(source.organisation_id);
    let group_id = match (fork.group_id, source.visibility) {
        (None, ResourceVisibility::Group) => source.group_id,
        (group, _) => group,
    };
    let home = Home {
        organisation_id,
        group_id,
        visibility: fork.visibility.unwrap_or(source.visibility),
    };
    check_audience(&source, &home)?;
    check_home(&txn, access, &home).await?;
    let source_licence = Licence::stored(&version.licence);
    let licence = match fork.licence.as_deref() {
        Some(raw) => Licence::parse("licence", raw)?,
        None => source_licence,
    };
    check_fork(
        source_licence,
        licence,
        organisation_id == source.organisation_id,
    )?;
    if source_licence == Licence::AllRightsReserved
        && licence != source_licence
        && !curates(access, organisation_id)
    {
        return Err(AppError::bad_input(
            "licence",
            "only the organisation's curators relicense an ALL-RIGHTS-RESERVED resource",
        ));
    }
    let mut input = content_of_version(&version);
    if let Some(title) = fork.title {
        input.title = title;
    }
    input.licence = licence.id().to_owned();
    if source_licence.requires_attribution() {
        let owner = find_organisation(&txn, source.organisation_id).await?;
        input.attribution = Some(credit(
            &version.title,
            number,
            &owner.name,
            source_licence,
            version.attribution.as_deref(),
        ));
    }
    let content = Content::parse(source.kind, input)?;
    let slug = choose_slug(&txn, fork.slug.as_deref(), &content.title).await?;
    let saved = insert_resource(
        &txn,
        &home,
        slug,
        source.kind,
        &content,
        me,
        Some((source.id, number)),
        Some(format!("Adapted from {} version {number}", source.slug)),
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The credit an adaptation gives its original (followed by the original's own credit).
pub fn credit(
    title: &str,
    number: i32,
    owner: &str,
    licence: Licence,
    earlier: Option<&str>,
) -> String {
    let credit = format!(
        "Adapted from “{title}” (version {number}) by {owner}, {}.",
        licence.id()
    );
    match earlier {
        Some(earlier) => format!("{credit} {earlier}"),
        None => credit,
    }
}

/// An adaptation reaches no one the original does not: a NETWORK original stays in its
/// organisation (NETWORK or GROUP), a GROUP original in its group.
fn check_audience(source: &resource::Model, home: &Home) -> AppResult<()> {
    let fits = match source.visibility {
        ResourceVisibility::Public => true,
        ResourceVisibility::Network => {
            home.organisation_id == source.organisation_id
                && home.visibility != ResourceVisibility::Public
        }
        ResourceVisibility::Group => {
            home.group_id == source.group_id && home.visibility == ResourceVisibility::Group
        }
    };
    if fits {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "visibility",
            format!(
                "an adaptation of a {} resource reaches no one the original does not",
                source.visibility.as_str()
            ),
        ))
    }
}
