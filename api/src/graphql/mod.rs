//! The GraphQL schema: built once at start, with every limit of the contract switched on.

pub mod accounts;
pub mod care;
pub mod connection;
pub mod context;
pub mod cost;
pub mod enums;
pub mod groups;
pub mod ids;
pub mod input_guard;
pub mod limits;
pub mod loaders;
pub mod meetings;
pub mod node;
pub mod prefetch;
pub mod resources;
pub mod scalars;
pub mod selection_order;
pub mod training;
pub mod type_index;
pub mod umbrella;

use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::{auth::JwtKeys, auth::PasswordHasher, config::Config};

#[derive(MergedObject, Default)]
pub struct Query(
    accounts::query::AccountQuery,
    node::NodeQuery,
    umbrella::query::UmbrellaQuery,
    groups::query::GroupQuery,
    meetings::query::MeetingQuery,
    care::buddies::BuddyQuery,
    training::query::TrainingQuery,
    resources::query::ResourceQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    accounts::mutation::AccountMutation,
    umbrella::mutation::UmbrellaMutation,
    groups::mutation::GroupMutation,
    groups::mutation::MembershipMutation,
    meetings::mutation::MeetingMutation,
    meetings::rotation::RotationMutation,
    meetings::health::HealthMutation,
    care::admission::AdmissionMutation,
    care::buddies::BuddyMutation,
    care::check_ins::CheckInMutation,
    care::feedback::FeedbackMutation,
    care::pledges::PledgeMutation,
    care::polls::PollMutation,
    care::suggestions::SuggestionMutation,
    training::mutation::TrainingMutation,
    resources::mutation::ResourceMutation,
);

pub type CanopySchema = Schema<Query, Mutation, EmptySubscription>;

/// Shared, read-only services every resolver may use.
#[derive(Clone)]
pub struct Services {
    pub db: crate::db::Db,
    pub config: std::sync::Arc<Config>,
    pub hasher: PasswordHasher,
    pub keys: JwtKeys,
}

fn builder(config: &Config) -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .register_output_type::<node::Node>()
        .limit_depth(config.max_depth)
        .limit_directives(config.max_directives)
        .limit_recursive_depth(64);
    if !config.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder
}

pub fn build_schema(services: Services) -> CanopySchema {
    builder(&services.config).data(services).finish()
}

/// The SDL, as committed in `api/schema.graphql` (limits and switches do not change it).
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .register_output_type::<node::Node>()
        .finish()
        .sdl()
}
