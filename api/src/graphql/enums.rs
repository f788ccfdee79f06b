//! GraphQL mirrors of the stored enums (same names, same values).

use async_graphql::Enum;

macro_rules! remote_enum {
    ($(#[$doc:meta])* $name:ident => $remote:literal { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        #[graphql(remote = $remote)]
        pub enum $name {
            $($variant,)+
        }
    };
}

remote_enum!(
    /// An umbrella runs groups; a partner organisation may host some of them.
    OrganisationKind => "entity::OrganisationKind" { Umbrella, Partner }
);
remote_enum!(Role => "entity::Role" { Admin, Coordinator, Trainer, Curator, Analyst });
remote_enum!(GroupFormat => "entity::GroupFormat" { TopicCircle, SkillPod, LifeStageCohort, HybridCommunity });
remote_enum!(Modality => "entity::Modality" { InPerson, Online, Hybrid });
remote_enum!(CadenceFrequency => "entity::CadenceFrequency" { Weekly, Biweekly, Monthly, AdHoc });
remote_enum!(Weekday => "entity::Weekday" { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday });
remote_enum!(GroupStatus => "entity::GroupStatus" { Forming, Active, Paused, Closed });
remote_enum!(
    /// How people get in: at once, by the members' consent, or not at all.
    Admission => "entity::Admission" { Open, ByConsent, Closed }
);
remote_enum!(
    /// PUBLIC: anyone; NETWORK: people of the umbrella; PRIVATE: members and those in charge.
    Visibility => "entity::Visibility" { Public, Network, Private }
);
remote_enum!(MembershipSource => "entity::MembershipSource" { IntraAgency, InterAgency, Community });
remote_enum!(MembershipRole => "entity::MembershipRole" { Member, Facilitator, CoFacilitator });
remote_enum!(MembershipStatus => "entity::MembershipStatus" { Pending, Waitlisted, Active, Paused, Left, Removed });
remote_enum!(MeetingStatus => "entity::MeetingStatus" { Scheduled, Held, Cancelled });
remote_enum!(MeetingTheme => "entity::MeetingTheme" { SkillBuilding, ExperienceSharing, GuestSpeaker, Social, Other });
remote_enum!(
    /// Who put the facilitator on the meeting: the rotation planner or a person.
    AssignedBy => "entity::AssignedBy" { Rotation, Manual }
);
remote_enum!(AttendanceStatus => "entity::AttendanceStatus" { Present, Absent, Excused });
remote_enum!(
    /// OPEN until reviewed.
    CommitmentStatus => "entity::CommitmentStatus" { Open, Done, Partial, NotDone, Dropped }
);
remote_enum!(AgendaItemKind => "entity::AgendaItemKind" { Icebreaker, CheckIn, TopicSpotlight, Brainstorm, ActionCommitment, Feedback, Custom });
remote_enum!(Thumb => "entity::Thumb" { Up, Down });
remote_enum!(SuggestionStatus => "entity::SuggestionStatus" { Open, Addressed, Declined });
remote_enum!(
    /// PENDING until consented (APPROVED), declined by a facilitator, expired after 14 days, or
    /// withdrawn by the applicant leaving.
    ApplicationStatus => "entity::ApplicationStatus" { Pending, Approved, Declined, Expired, Withdrawn }
);
remote_enum!(ConsentVote => "entity::ConsentVote" { Consent, Object, Abstain });
remote_enum!(
    /// A REFRESHER workshop renews a certification; a STANDARD one leads to it.
    WorkshopKind => "entity::WorkshopKind" { Standard, Refresher }
);
remote_enum!(
    /// APPLIED until screened; ACCEPTED takes a place, WAITLISTED waits for one (in order);
    /// COMPLETED or NOT_COMPLETED once the workshop is over.
    EnrollmentStatus => "entity::EnrollmentStatus" { Applied, Accepted, Waitlisted, Declined, Completed, NotCompleted }
);
remote_enum!(EvidenceKind => "entity::EvidenceKind" { WorkshopAssessment, ObservedMeeting, MentorReview, Other });
remote_enum!(
    /// SUBMITTED until a trainer (not the trainee) accepts or rejects it.
    EvidenceStatus => "entity::EvidenceStatus" { Submitted, Accepted, Rejected }
);
remote_enum!(
    /// EXPIRING_SOON: valid, ending within 60 days.
    CertificationStatus => "entity::CertificationStatus" { Active, ExpiringSoon, Expired, Revoked }
);
remote_enum!(
    /// EVIDENCED: evidence waits for review; ACCEPTED: a trainer signed it off.
    CompetencyStatus => "crate::domain::training::progress::CompetencyStatus" { NotStarted, Evidenced, Accepted }
);
remote_enum!(
    /// CRITICAL: no certified facilitator; AT_RISK: one, or one expiring, or an overloaded one.
    SuccessionRisk => "crate::domain::training::succession::SuccessionRisk" { Critical, AtRisk, Ok }
);
remote_enum!(
    /// What a shared resource is.
    ResourceKind => "entity::ResourceKind" {
        Checklist, GuidedScript, AgendaTemplate, ConflictFlowchart, Worksheet,
        FacilitatorToolkit, Link, Other
    }
);
remote_enum!(
    /// Who a resource is for once published: everyone, people of its organisation, or the
    /// active members of its group.
    ResourceVisibility => "entity::ResourceVisibility" { Public, Network, Group }
);
remote_enum!(ResourceStatus => "entity::ResourceStatus" { Draft, InReview, Published, Archived });
remote_enum!(ReviewDecision => "entity::ReviewDecision" { Approve, RequestChanges });
