//! Agendas: ordered items with minutes that must fit the meeting.

use std::collections::HashSet;

use entity::AgendaItemKind;
use serde::{Deserialize, Serialize};

use crate::{
    domain::values::text,
    error::{AppError, AppResult},
};

pub const MAX_ITEMS: usize = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub position: i32,
    pub kind: AgendaItemKind,
    pub title: String,
    pub minutes: i32,
}

/// DESIGN §3: icebreaker 5 ("two-word mood"), topic spotlight 20, brainstorm 25, action
/// commitment 5.
pub fn default_agenda() -> Vec<AgendaItem> {
    [
        (AgendaItemKind::Icebreaker, "Two-word mood", 5),
        (AgendaItemKind::TopicSpotlight, "Topic spotlight", 20),
        (AgendaItemKind::Brainstorm, "Brainstorm", 25),
        (AgendaItemKind::ActionCommitment, "Action commitments", 5),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (kind, title, minutes))| AgendaItem {
        position: i as i32 + 1,
        kind,
        title: title.to_owned(),
        minutes,
    })
    .collect()
}

/// Checks items a client sent: positions unique (and positive), minutes positive, titles
/// present, the total within `duration_minutes`. Returns them in position order.
pub fn validate(
    mut items: Vec<AgendaItem>,
    duration_minutes: i64,
    field: &str,
) -> AppResult<Vec<AgendaItem>> {
    if items.len() > MAX_ITEMS {
        return Err(AppError::bad_input(
            field,
            format!("an agenda has at most {MAX_ITEMS} items"),
        ));
    }
    let mut positions = HashSet::new();
    for (i, item) in items.iter_mut().enumerate() {
        let at = |f: &str| format!("{field}[{i}].{f}");
        if item.position < 1 || !positions.insert(item.position) {
            return Err(AppError::bad_input(
                at("position"),
                "positions are whole numbers from 1, each used once",
            ));
        }
        if item.minutes < 1 {
            return Err(AppError::bad_input(
                at("minutes"),
                "every item needs at least one minute",
            ));
        }
        item.title = text(&at("title"), &item.title, 200)?;
    }
    let total: i64 = items.iter().map(|i| i64::from(i.minutes)).sum();
    if total > duration_minutes {
        return Err(AppError::bad_input(
            field,
            format!("the items add up to {total} minutes but the meeting lasts {duration_minutes}"),
        ));
    }
    items.sort_by_key(|i| i.position);
    Ok(items)
}

/// The template (or the default), cut to the items that fit a meeting of this length.
pub fn fitted(template: Option<&str>, duration_minutes: i64) -> Vec<AgendaItem> {
    let items = template.map(parse).unwrap_or_else(default_agenda);
    let mut total = 0i64;
    items
        .into_iter()
        .take_while(|i| {
            total += i64::from(i.minutes);
            total <= duration_minutes
        })
        .collect()
}

/// Stored JSON → items; an unreadable value reads as an empty agenda rather than failing the
/// whole meeting.
pub fn parse(stored: &str) -> Vec<AgendaItem> {
    serde_json::from_str(stored).unwrap_or_default()
}

pub fn to_json(items: &[AgendaItem]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(position: i32, minutes: i32) -> AgendaItem {
        AgendaItem {
            position,
            kind: AgendaItemKind::Custom,
            title: "Item".into(),
            minutes,
        }
    }

    #[test]
    fn the_default_agenda_fits_an_hour() {
        let total: i32 = default_agenda().iter().map(|i| i.minutes).sum();
        assert_eq!(total, 55);
        assert_eq!(fitted(None, 30).len(), 2, "a short meeting keeps what fits");
    }

    #[test]
    fn validation_names_the_offending_field() {
        let dup = validate(vec![item(1, 5), item(1, 5)], 60, "items").unwrap_err();
        assert!(matches!(dup, AppError::BadInput { field, .. } if field == "items[1].position"));
        let zero = validate(vec![item(1, 0)], 60, "items").unwrap_err();
        assert!(matches!(zero, AppError::BadInput { field, .. } if field == "items[0].minutes"));
        assert!(validate(vec![item(1, 40), item(2, 30)], 60, "items").is_err());
        let ok = validate(vec![item(2, 10), item(1, 5)], 60, "items").unwrap();
        assert_eq!(ok.iter().map(|i| i.position).collect::<Vec<_>>(), [1, 2]);
    }
}
