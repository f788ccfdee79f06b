//! The Open Badges 3.0 AchievementCredential of a certification. It names no person: the
//! recipient is a salted SHA-256 of their email, which only someone who knows the email (the
//! holder, showing it to a verifier) can match. Its status says whether it is expired or
//! revoked at the time it is fetched.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::{
    CertificationStatus, certification, competency, organisation, person, training_program,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use sha2::{Digest, Sha256};

pub struct BadgeParts<'a> {
    pub certification: &'a certification::Model,
    pub program: &'a training_program::Model,
    pub organisation: &'a organisation::Model,
    pub holder: &'a person::Model,
    pub competencies: &'a [competency::Model],
    /// `CANOPY_PUBLIC_URL`.
    pub base_url: &'a str,
    pub now: DateTime<Utc>,
}

/// `sha256$<hex>` of the lower-cased email followed by the salt (Open Badges IdentityObject).
pub fn identity_hash(email: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{}{salt}", email.trim().to_lowercase()).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256${hex}")
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn credential(parts: &BadgeParts<'_>) -> Value {
    let c = parts.certification;
    let p = parts.program;
    let base = parts.base_url;
    let id = format!("{base}/credentials/{}", c.id);
    let status = c.status(parts.now);
    let codes: Vec<&str> = parts.competencies.iter().map(|c| c.code.as_str()).collect();
    let narrative = format!(
        "Completed a workshop of the programme, co-facilitated {} held meetings under a \
         certified facilitator, and showed each competency to a trainer: {}.",
        p.practicum_meetings_required,
        if codes.is_empty() {
            "none listed".to_owned()
        } else {
            codes.join(", ")
        }
    );
    let mut status_entry = json!({
        "id": format!("{id}#status"),
        "type": "CanopyCertificationStatus",
        "statusPurpose": "revocation",
        "status": status.as_str(),
        "revoked": status == CertificationStatus::Revoked,
        "expired": status == CertificationStatus::Expired,
        "checkedAt": time(parts.now),
    });
    if let Some(at) = c.revoked_at {
        status_entry["revokedAt"] = json!(time(at));
    }
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("{} certification", p.name),
        "issuer": {
            "id": format!("{base}/organisations/{}", parts.organisation.slug),
            "type": ["Profile"],
            "name": parts.organisation.name,
        },
        "validFrom": time(c.issued_at),
        "validUntil": time(c.valid_until),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": identity_hash(&parts.holder.email, &c.badge_salt),
                "identityType": "emailAddress",
                "hashed": true,
                "salt": c.badge_salt,
            }],
            "achievement": {
                "id": format!("{base}/training-programs/{}", p.slug),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": p.name,
                "description": p.description.clone().unwrap_or_else(|| p.name.clone()),
                "criteria": { "narrative": narrative },
            },
        },
        "credentialStatus": status_entry,
    })
}

/// The credential of a certification, read afresh (for `GET /credentials/{id}` and
/// `Certification.openBadge`); None when there is no such certification.
pub async fn load_credential(
    db: &impl ConnectionTrait,
    certification_id: Uuid,
    base_url: &str,
) -> AppResult<Option<Value>> {
    let Some(c) = certification::Entity::find_by_id(certification_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let missing =
        || AppError::internal("certification without its programme, organisation or holder");
    let program = training_program::Entity::find_by_id(c.program_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let org = organisation::Entity::find_by_id(c.organisation_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let holder = person::Entity::find_by_id(c.person_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let competencies = competency::Entity::find()
        .filter(competency::Column::ProgramId.eq(program.id))
        .order_by_asc(competency::Column::Position)
        .all(db)
        .await?;
    Ok(Some(credential(&BadgeParts {
        certification: &c,
        program: &program,
        organisation: &org,
        holder: &holder,
        competencies: &competencies,
        base_url,
        now: Utc::now(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recipient_hash_is_salted_and_case_blind() {
        let a = identity_hash("Ada@Example.org", "salt1");
        assert_eq!(a, identity_hash("ada@example.org", "salt1"));
        assert_ne!(a, identity_hash("ada@example.org", "salt2"));
        assert!(a.starts_with("sha256$") && a.len() == 7 + 64);
        assert!(!a.contains("ada"));
    }
}
