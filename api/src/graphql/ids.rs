//! Opaque global IDs: base64url of "Type:uuid".

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Organisation,
    Cluster,
    Group,
    Person,
    Membership,
    RoleGrant,
    Meeting,
    Attendance,
    MeetingRecord,
    RecordAmendment,
    ActionCommitment,
    CheckIn,
    Poll,
    Suggestion,
    Application,
    BuddyPair,
    TrainingProgram,
    Competency,
    Workshop,
    WorkshopSession,
    Enrollment,
    Evidence,
    Certification,
    Mentorship,
    Resource,
    ResourceVersion,
    ResourceReview,
    ResourceAdoption,
    ResourceRating,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Organisation => "Organisation",
            Self::Cluster => "Cluster",
            Self::Group => "Group",
            Self::Person => "Person",
            Self::Membership => "Membership",
            Self::RoleGrant => "RoleGrant",
            Self::Meeting => "Meeting",
            Self::Attendance => "Attendance",
            Self::MeetingRecord => "MeetingRecord",
            Self::RecordAmendment => "RecordAmendment",
            Self::ActionCommitment => "ActionCommitment",
            Self::CheckIn => "CheckIn",
            Self::Poll => "Poll",
            Self::Suggestion => "Suggestion",
            Self::Application => "MembershipApplication",
            Self::BuddyPair => "BuddyPair",
            Self::TrainingProgram => "TrainingProgram",
            Self::Competency => "Competency",
            Self::Workshop => "Workshop",
            Self::WorkshopSession => "WorkshopSession",
            Self::Enrollment => "Enrollment",
            Self::Evidence => "Evidence",
            Self::Certification => "Certification",
            Self::Mentorship => "Mentorship",
            Self::Resource => "Resource",
            Self::ResourceVersion => "ResourceVersion",
            Self::ResourceReview => "ResourceReview",
            Self::ResourceAdoption => "ResourceAdoption",
            Self::ResourceRating => "ResourceRating",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [
            Self::Organisation,
            Self::Cluster,
            Self::Group,
            Self::Person,
            Self::Membership,
            Self::RoleGrant,
            Self::Meeting,
            Self::Attendance,
            Self::MeetingRecord,
            Self::RecordAmendment,
            Self::ActionCommitment,
            Self::CheckIn,
            Self::Poll,
            Self::Suggestion,
            Self::Application,
            Self::BuddyPair,
            Self::TrainingProgram,
            Self::Competency,
            Self::Workshop,
            Self::WorkshopSession,
            Self::Enrollment,
            Self::Evidence,
            Self::Certification,
            Self::Mentorship,
            Self::Resource,
            Self::ResourceVersion,
            Self::ResourceReview,
            Self::ResourceAdoption,
            Self::ResourceRating,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Any well-formed ID; None when it is not one of ours.
pub fn decode_any(id: &ID) -> Option<(Kind, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((Kind::from_name(kind)?, Uuid::parse_str(uuid).ok()?))
}

/// An ID that must name a `kind`; anything else is bad input on `field`.
pub fn decode(kind: Kind, field: &str, id: &ID) -> AppResult<Uuid> {
    match decode_any(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        _ => Err(AppError::bad_input(
            field,
            format!("not a {} id", kind.name()),
        )),
    }
}
