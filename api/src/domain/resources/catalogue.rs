//! The public catalogue: PUBLIC, PUBLISHED resources as LRMI / schema.org `LearningResource`
//! JSON-LD, for aggregators and search engines. It never names a person: the creator is the
//! group (when the group itself is public) or the organisation.

use entity::{ResourceStatus, ResourceVisibility, Visibility, group, organisation, resource};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{content::tags_from_json, licence::Licence};
use sea_orm::sea_query::Expr;

use crate::{
    domain::{
        in_ids,
        pagination::{Cursor, MAX_PAGE_SIZE},
    },
    error::AppResult,
};

fn is_public(r: &resource::Model) -> bool {
    r.visibility == ResourceVisibility::Public && r.status == ResourceStatus::Published
}

pub fn document_url(public_url: &str, slug: &str) -> String {
    format!(
        "{}/resources/{slug}.jsonld",
        public_url.trim_end_matches('/')
    )
}

fn kind_label(r: &resource::Model) -> &'static str {
    use entity::ResourceKind::*;
    match r.kind {
        Checklist => "checklist",
        GuidedScript => "guided script",
        AgendaTemplate => "agenda template",
        ConflictFlowchart => "conflict-resolution flowchart",
        Worksheet => "worksheet",
        FacilitatorToolkit => "facilitator toolkit",
        Link => "link",
        Other => "other",
    }
}

/// Who made it, publicly: a PUBLIC group, else the organisation.
async fn creators(
    db: &impl ConnectionTrait,
    found: &[resource::Model],
) -> AppResult<(
    std::collections::HashMap<Uuid, organisation::Model>,
    std::collections::HashMap<Uuid, group::Model>,
)> {
    let orgs: Vec<Uuid> = found.iter().map(|r| r.organisation_id).collect();
    let groups: Vec<Uuid> = found.iter().filter_map(|r| r.group_id).collect();
    let backend = db.get_database_backend();
    let orgs = organisation::Entity::find()
        .filter(in_ids(
            backend,
            Expr::col((organisation::Entity, organisation::Column::Id)),
            &orgs,
        ))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let groups = if groups.is_empty() {
        Default::default()
    } else {
        group::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((group::Entity, group::Column::Id)),
                &groups,
            ))
            .filter(group::Column::Visibility.eq(Visibility::Public))
            .all(db)
            .await?
            .into_iter()
            .map(|g| (g.id, g))
            .collect()
    };
    Ok((orgs, groups))
}

fn document(
    r: &resource::Model,
    public_url: &str,
    orgs: &std::collections::HashMap<Uuid, organisation::Model>,
    groups: &std::collections::HashMap<Uuid, group::Model>,
    based_on: Option<&resource::Model>,
) -> Value {
    let creator = match r.group_id.and_then(|g| groups.get(&g)) {
        Some(g) => json!({ "@type": "Organization", "name": g.name, "identifier": g.slug }),
        None => match orgs.get(&r.organisation_id) {
            Some(o) => json!({ "@type": "Organization", "name": o.name, "identifier": o.slug }),
            None => Value::Null,
        },
    };
    let licence = Licence::stored(&r.licence);
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "@id": document_url(public_url, &r.slug),
        "identifier": r.slug,
        "name": r.title,
        "learningResourceType": kind_label(r),
        "inLanguage": r.language,
        "keywords": tags_from_json(&r.tags),
        "creator": creator,
        "dateCreated": r.created_at.to_rfc3339(),
        "dateModified": r.updated_at.to_rfc3339(),
        "version": r.version_number,
        "isAccessibleForFree": true,
    });
    let fields = doc.as_object_mut();
    if let Some(fields) = fields {
        let description = r.summary.clone().unwrap_or_else(|| {
            // Without a summary, the start of the body (whole words, at most 300 characters).
            let mut text: String = r.body.chars().take(300).collect();
            if text.len() < r.body.len()
                && let Some(cut) = text.rfind(char::is_whitespace)
            {
                text.truncate(cut);
            }
            text
        });
        if !description.is_empty() {
            fields.insert("description".into(), json!(description));
        }
        match licence.uri() {
            Some(uri) => {
                fields.insert("license".into(), json!(uri));
            }
            None => {
                fields.insert("copyrightNotice".into(), json!("All rights reserved"));
            }
        }
        if let Some(credit) = &r.attribution {
            fields.insert("creditText".into(), json!(credit));
        }
        if let Some(url) = &r.url {
            fields.insert("url".into(), json!(url));
        }
        if let Some(minutes) = r.duration_minutes {
            fields.insert("timeRequired".into(), json!(format!("PT{minutes}M")));
        }
        if let Some(audience) = &r.audience {
            fields.insert(
                "audience".into(),
                json!({ "@type": "Audience", "audienceType": audience }),
            );
        }
        if let Some(source) = based_on.filter(|s| is_public(s)) {
            fields.insert(
                "isBasedOn".into(),
                json!({
                    "@type": "LearningResource",
                    "@id": document_url(public_url, &source.slug),
                    "name": source.title,
                    "version": r.derived_from_version,
                }),
            );
        }
    }
    doc
}

async fn sources(
    db: &impl ConnectionTrait,
    found: &[resource::Model],
) -> AppResult<std::collections::HashMap<Uuid, resource::Model>> {
    let ids: Vec<Uuid> = found.iter().filter_map(|r| r.derived_from_id).collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(resource::Entity::find()
        .filter(in_ids(
            db.get_database_backend(),
            Expr::col((resource::Entity, resource::Column::Id)),
            &ids,
        ))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// One resource's document, if it is PUBLIC and PUBLISHED.
pub async fn learning_resource(
    db: &impl ConnectionTrait,
    slug: &str,
    public_url: &str,
) -> AppResult<Option<Value>> {
    let Some(r) = resource::Entity::find()
        .filter(resource::Column::Slug.eq(slug))
        .one(db)
        .await?
        .filter(is_public)
    else {
        return Ok(None);
    };
    let found = [r];
    let (orgs, groups) = creators(db, &found).await?;
    let based_on = sources(db, &found).await?;
    let r = &found[0];
    Ok(Some(document(
        r,
        public_url,
        &orgs,
        &groups,
        r.derived_from_id.and_then(|s| based_on.get(&s)),
    )))
}

/// A page of the catalogue, newest first, as a schema.org `ItemList` with a link to the next.
pub async fn catalogue_page(
    db: &impl ConnectionTrait,
    public_url: &str,
    first: Option<u64>,
    after: Option<&str>,
) -> AppResult<Value> {
    let limit = first.unwrap_or(20).clamp(1, MAX_PAGE_SIZE as u64);
    let mut select = resource::Entity::find()
        .filter(resource::Column::Status.eq(ResourceStatus::Published))
        .filter(resource::Column::Visibility.eq(ResourceVisibility::Public));
    if let Some(raw) = after {
        let cursor = Cursor::decode("after", raw)?;
        select = select.filter(resource::Column::Id.lt(cursor.id));
    }
    let mut found = select
        .order_by_desc(resource::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = found.len() as u64 > limit;
    found.truncate(limit as usize);
    let (orgs, groups) = creators(db, &found).await?;
    let based_on = sources(db, &found).await?;
    let items: Vec<Value> = found
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "@type": "ListItem",
                "position": i + 1,
                "item": document(r, public_url, &orgs, &groups,
                    r.derived_from_id.and_then(|s| based_on.get(&s))),
            })
        })
        .collect();
    let base = public_url.trim_end_matches('/');
    let mut list = json!({
        "@context": "https://schema.org",
        "@type": "ItemList",
        "@id": format!("{base}/resources.jsonld"),
        "numberOfItems": items.len(),
        "itemListElement": items,
    });
    if more && let (Some(last), Some(fields)) = (found.last(), list.as_object_mut()) {
        let cursor = Cursor {
            key: None,
            time: None,
            id: last.id,
        };
        fields.insert(
            "nextPage".into(),
            json!(format!(
                "{base}/resources.jsonld?first={limit}&after={}",
                cursor.encode()
            )),
        );
    }
    Ok(list)
}
