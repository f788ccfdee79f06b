//! Pages and counts of a group's care lists (polls, suggestions, applications), batched
//! across groups: one statement per list and page arguments, however many groups ask.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use entity::{ApplicationStatus, SuggestionStatus, membership_application, poll, suggestion};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryTrait, sea_query::Alias};
use uuid::Uuid;

use super::{PageLoader, batches};
use crate::{
    domain::{
        care::{admission, suggestions},
        pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent},
    },
    error::AppError,
};

/// Which list of a group, with its filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CareList {
    Polls,
    Suggestions(Option<SuggestionStatus>),
    Applications(Option<ApplicationStatus>),
}

impl CareList {
    /// The list's rows, and the column naming each row's group.
    pub(super) fn rows(self, now: DateTime<Utc>) -> ChildRows {
        let parent = |table: &str| (Alias::new(table), Alias::new("group_id"));
        match self {
            Self::Polls => ChildRows::new(poll::Entity::find().into_query(), parent("polls")),
            Self::Suggestions(status) => {
                // Released suggestions only, for pages and counts alike (see the domain rule).
                let mut q = suggestion::Entity::find().filter(suggestions::released(now));
                if let Some(s) = status {
                    q = q.filter(suggestion::Column::Status.eq(s));
                }
                ChildRows::new(q.into_query(), parent("suggestions"))
            }
            Self::Applications(status) => {
                let mut q = membership_application::Entity::find();
                if let Some(s) = status {
                    q = q.filter(admission::in_status(s, now));
                }
                ChildRows::new(q.into_query(), parent("membership_applications"))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CarePageKey {
    pub group: Uuid,
    pub list: CareList,
    pub args: PageArgs,
}

/// A page of whichever list was asked for; newest first.
#[derive(Clone)]
pub enum CarePage {
    Polls(Page<poll::Model>),
    Suggestions(Page<suggestion::Model>),
    Applications(Page<membership_application::Model>),
}

fn newest_first<E: EntityTrait>(id: E::Column) -> Sort<E> {
    Sort {
        key: None,
        id,
        descending: true,
    }
}

impl Loader<CarePageKey> for PageLoader {
    type Value = CarePage;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CarePageKey],
    ) -> Result<HashMap<CarePageKey, Self::Value>, AppError> {
        let now = Utc::now();
        let mut out = HashMap::new();
        for ((list, args), groups) in batches(keys, |k| ((k.list, k.args.clone()), k.group)) {
            let rows = list.rows(now);
            let mut pages: HashMap<Uuid, CarePage> = match list {
                CareList::Polls => {
                    let sort = newest_first::<poll::Entity>(poll::Column::Id);
                    pages_by_parent(&self.db, rows, &groups, &sort, &args)
                        .await?
                        .into_iter()
                        .map(|(g, p)| (g, CarePage::Polls(p)))
                        .collect()
                }
                CareList::Suggestions(_) => {
                    // Ids are random: order by the (day-rounded) date, then id.
                    let sort: Sort<suggestion::Entity> = Sort {
                        key: Some(suggestion::Column::CreatedAt),
                        id: suggestion::Column::Id,
                        descending: true,
                    };
                    pages_by_parent(&self.db, rows, &groups, &sort, &args)
                        .await?
                        .into_iter()
                        .map(|(g, p)| (g, CarePage::Suggestions(p)))
                        .collect()
                }
                CareList::Applications(_) => {
                    let sort = newest_first::<membership_application::Entity>(
                        membership_application::Column::Id,
                    );
                    pages_by_parent(&self.db, rows, &groups, &sort, &args)
                        .await?
                        .into_iter()
                        .map(|(g, p)| (g, CarePage::Applications(p)))
                        .collect()
                }
            };
            for group in groups {
                let empty = match list {
                    CareList::Polls => CarePage::Polls(Page::default()),
                    CareList::Suggestions(_) => CarePage::Suggestions(Page::default()),
                    CareList::Applications(_) => CarePage::Applications(Page::default()),
                };
                let page = pages.remove(&group).unwrap_or(empty);
                out.insert(
                    CarePageKey {
                        group,
                        list,
                        args: args.clone(),
                    },
                    page,
                );
            }
        }
        Ok(out)
    }
}

/// The page of one of a group's lists, through the request's page loader.
pub async fn group_page(
    ctx: &async_graphql::Context<'_>,
    group: Uuid,
    list: CareList,
    args: PageArgs,
) -> Result<CarePage, AppError> {
    use crate::graphql::context::ContextExt;
    let key = CarePageKey { group, list, args };
    super::must(&ctx.loaders()?.pages, key, "care list page").await
}
