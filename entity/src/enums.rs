//! Enums are stored as their SCREAMING_CASE names (strings on both databases, never native
//! PostgreSQL enums), so the column reads the same as the GraphQL value.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize,
            Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $(#[sea_orm(string_value = $value)] $variant,)+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }
        }
    };
}

stored_enum!(OrganisationKind { Umbrella = "UMBRELLA", Partner = "PARTNER" });

stored_enum!(Role {
    Admin = "ADMIN",
    Coordinator = "COORDINATOR",
    Trainer = "TRAINER",
    Curator = "CURATOR",
    Analyst = "ANALYST",
});

stored_enum!(GroupFormat {
    TopicCircle = "TOPIC_CIRCLE",
    SkillPod = "SKILL_POD",
    LifeStageCohort = "LIFE_STAGE_COHORT",
    HybridCommunity = "HYBRID_COMMUNITY",
});

stored_enum!(Modality { InPerson = "IN_PERSON", Online = "ONLINE", Hybrid = "HYBRID" });

stored_enum!(CadenceFrequency {
    Weekly = "WEEKLY",
    Biweekly = "BIWEEKLY",
    Monthly = "MONTHLY",
    AdHoc = "AD_HOC",
});

stored_enum!(Weekday {
    Monday = "MONDAY",
    Tuesday = "TUESDAY",
    Wednesday = "WEDNESDAY",
    Thursday = "THURSDAY",
    Friday = "FRIDAY",
    Saturday = "SATURDAY",
    Sunday = "SUNDAY",
});

stored_enum!(GroupStatus { Forming = "FORMING", Active = "ACTIVE", Paused = "PAUSED", Closed = "CLOSED" });

stored_enum!(Admission { Open = "OPEN", ByConsent = "BY_CONSENT", Closed = "CLOSED" });

stored_enum!(Visibility { Public = "PUBLIC", Network = "NETWORK", Private = "PRIVATE" });

stored_enum!(MembershipSource {
    IntraAgency = "INTRA_AGENCY",
    InterAgency = "INTER_AGENCY",
    Community = "COMMUNITY",
});

stored_enum!(MembershipRole {
    Member = "MEMBER",
    Facilitator = "FACILITATOR",
    CoFacilitator = "CO_FACILITATOR",
});

stored_enum!(MembershipStatus {
    Pending = "PENDING",
    Waitlisted = "WAITLISTED",
    Active = "ACTIVE",
    Paused = "PAUSED",
    Left = "LEFT",
    Removed = "REMOVED",
});

impl MembershipRole {
    /// Facilitators and co-facilitators run the group.
    pub fn runs_group(self) -> bool {
        matches!(self, Self::Facilitator | Self::CoFacilitator)
    }
}

impl MembershipStatus {
    /// A membership that still ties the person to the group (they count as "of" the umbrella).
    pub fn is_current(self) -> bool {
        matches!(
            self,
            Self::Pending | Self::Waitlisted | Self::Active | Self::Paused
        )
    }
}

stored_enum!(MeetingStatus { Scheduled = "SCHEDULED", Held = "HELD", Cancelled = "CANCELLED" });

stored_enum!(MeetingTheme {
    SkillBuilding = "SKILL_BUILDING",
    ExperienceSharing = "EXPERIENCE_SHARING",
    GuestSpeaker = "GUEST_SPEAKER",
    Social = "SOCIAL",
    Other = "OTHER",
});

stored_enum!(AssignedBy { Rotation = "ROTATION", Manual = "MANUAL" });

stored_enum!(AttendanceStatus { Present = "PRESENT", Absent = "ABSENT", Excused = "EXCUSED" });

stored_enum!(CommitmentStatus {
    Open = "OPEN",
    Done = "DONE",
    Partial = "PARTIAL",
    NotDone = "NOT_DONE",
    Dropped = "DROPPED",
});

stored_enum!(AgendaItemKind {
    Icebreaker = "ICEBREAKER",
    CheckIn = "CHECK_IN",
    TopicSpotlight = "TOPIC_SPOTLIGHT",
    Brainstorm = "BRAINSTORM",
    ActionCommitment = "ACTION_COMMITMENT",
    Feedback = "FEEDBACK",
    Custom = "CUSTOM",
});

stored_enum!(Thumb { Up = "UP", Down = "DOWN" });

stored_enum!(SuggestionStatus { Open = "OPEN", Addressed = "ADDRESSED", Declined = "DECLINED" });

stored_enum!(ApplicationStatus {
    Pending = "PENDING",
    Approved = "APPROVED",
    Declined = "DECLINED",
    Expired = "EXPIRED",
    Withdrawn = "WITHDRAWN",
});

stored_enum!(ConsentVote { Consent = "CONSENT", Object = "OBJECT", Abstain = "ABSTAIN" });

stored_enum!(WorkshopKind { Standard = "STANDARD", Refresher = "REFRESHER" });

stored_enum!(EnrollmentStatus {
    Applied = "APPLIED",
    Accepted = "ACCEPTED",
    Waitlisted = "WAITLISTED",
    Declined = "DECLINED",
    Completed = "COMPLETED",
    NotCompleted = "NOT_COMPLETED",
});

stored_enum!(EvidenceKind {
    WorkshopAssessment = "WORKSHOP_ASSESSMENT",
    ObservedMeeting = "OBSERVED_MEETING",
    MentorReview = "MENTOR_REVIEW",
    Other = "OTHER",
});

stored_enum!(EvidenceStatus { Submitted = "SUBMITTED", Accepted = "ACCEPTED", Rejected = "REJECTED" });

// Never stored: computed from the dates and revocation.
stored_enum!(CertificationStatus {
    Active = "ACTIVE",
    ExpiringSoon = "EXPIRING_SOON",
    Expired = "EXPIRED",
    Revoked = "REVOKED",
});

stored_enum!(ResourceKind {
    Checklist = "CHECKLIST",
    GuidedScript = "GUIDED_SCRIPT",
    AgendaTemplate = "AGENDA_TEMPLATE",
    ConflictFlowchart = "CONFLICT_FLOWCHART",
    Worksheet = "WORKSHEET",
    FacilitatorToolkit = "FACILITATOR_TOOLKIT",
    Link = "LINK",
    Other = "OTHER",
});

stored_enum!(ResourceVisibility { Public = "PUBLIC", Network = "NETWORK", Group = "GROUP" });

stored_enum!(ResourceStatus {
    Draft = "DRAFT",
    InReview = "IN_REVIEW",
    Published = "PUBLISHED",
    Archived = "ARCHIVED",
});

stored_enum!(ReviewDecision { Approve = "APPROVE", RequestChanges = "REQUEST_CHANGES" });
