//! A resource's content: what every version holds in full, validated once at the edge.

use chrono::{DateTime, Utc};
use entity::{ResourceKind, resource, resource_version};
use sea_orm::Set;
use uuid::Uuid;

use super::licence::Licence;
use crate::{
    domain::{
        meetings::agenda::{self, AgendaItem},
        values::{locale, optional_text, text, web_url},
    },
    error::{AppError, AppResult},
};

/// A body is Markdown of at most 100 KiB (bytes, as stored).
pub const MAX_BODY_BYTES: usize = 100 * 1024;
pub const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 40;
/// An agenda template without a duration must still fit a (long) day.
const TEMPLATE_MINUTES_WITHOUT_DURATION: i64 = 600;

/// Content as a client sent it.
#[derive(Clone, Debug, Default)]
pub struct ContentInput {
    pub title: String,
    pub summary: Option<String>,
    pub body: Option<String>,
    pub url: Option<String>,
    pub language: String,
    pub tags: Vec<String>,
    pub audience: Option<String>,
    pub duration_minutes: Option<i32>,
    pub licence: String,
    pub attribution: Option<String>,
    pub agenda_items: Option<Vec<AgendaItem>>,
}

/// Changes to content; None keeps what is there (blank text clears an optional field).
#[derive(Clone, Debug, Default)]
pub struct ContentPatch {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub body: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub tags: Option<Vec<String>>,
    pub audience: Option<String>,
    pub duration_minutes: Option<i32>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
    pub agenda_items: Option<Vec<AgendaItem>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
    pub url: Option<String>,
    pub language: String,
    pub tags: Vec<String>,
    pub audience: Option<String>,
    pub duration_minutes: Option<i32>,
    pub licence: Licence,
    pub attribution: Option<String>,
    pub agenda_items: Option<Vec<AgendaItem>>,
}

fn body(raw: Option<&str>) -> AppResult<String> {
    let b = raw.unwrap_or("").trim();
    if b.len() > MAX_BODY_BYTES {
        return Err(AppError::bad_input(
            "body",
            format!(
                "the body is {} KiB; at most {} KiB",
                b.len().div_ceil(1024),
                MAX_BODY_BYTES / 1024
            ),
        ));
    }
    if b.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::bad_input(
            "body",
            "control characters are not allowed",
        ));
    }
    Ok(b.to_owned())
}

/// Lower-cased, trimmed, without repeats: letters, digits, spaces and hyphens.
pub fn tags(raw: &[String]) -> AppResult<Vec<String>> {
    if raw.len() > MAX_TAGS {
        return Err(AppError::bad_input(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, t) in raw.iter().enumerate() {
        let tag = t.trim().to_lowercase();
        let ok = !tag.is_empty()
            && tag.chars().count() <= MAX_TAG_CHARS
            && tag
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == ' ');
        if !ok {
            return Err(AppError::bad_input(
                format!("tags[{i}]"),
                format!("a tag is 1–{MAX_TAG_CHARS} letters, digits, spaces or hyphens"),
            ));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}

pub fn tags_from_json(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

impl Content {
    pub fn parse(kind: ResourceKind, input: ContentInput) -> AppResult<Self> {
        let title = text("title", &input.title, 200)?;
        let summary = optional_text("summary", input.summary.as_deref(), 1000)?;
        let body = body(input.body.as_deref())?;
        let url = match input.url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => Some(web_url("url", u)?),
        };
        let language = locale("language", &input.language)?;
        let tags = tags(&input.tags)?;
        let audience = optional_text("audience", input.audience.as_deref(), 200)?;
        if let Some(d) = input.duration_minutes
            && !(1..=1440).contains(&d)
        {
            return Err(AppError::bad_input(
                "durationMinutes",
                "between 1 and 1440 minutes",
            ));
        }
        let licence = Licence::parse("licence", &input.licence)?;
        let attribution = optional_text("attribution", input.attribution.as_deref(), 1000)?;
        let agenda_items = match (kind, input.agenda_items) {
            (ResourceKind::AgendaTemplate, Some(items)) if !items.is_empty() => {
                let minutes = input
                    .duration_minutes
                    .map_or(TEMPLATE_MINUTES_WITHOUT_DURATION, i64::from);
                Some(agenda::validate(items, minutes, "agendaItems")?)
            }
            (ResourceKind::AgendaTemplate, _) => {
                return Err(AppError::bad_input(
                    "agendaItems",
                    "an agenda template needs at least one agenda item",
                ));
            }
            (_, Some(items)) if !items.is_empty() => {
                return Err(AppError::bad_input(
                    "agendaItems",
                    "only AGENDA_TEMPLATE resources carry agenda items",
                ));
            }
            (_, _) => None,
        };
        if kind == ResourceKind::Link && url.is_none() {
            return Err(AppError::bad_input("url", "a LINK resource needs its url"));
        }
        if body.is_empty() && url.is_none() && agenda_items.is_none() {
            return Err(AppError::bad_input(
                "body",
                "write the resource's body (or give a url)",
            ));
        }
        Ok(Self {
            title,
            summary,
            body,
            url,
            language,
            tags,
            audience,
            duration_minutes: input.duration_minutes,
            licence,
            attribution,
            agenda_items,
        })
    }

    /// The current content with `patch` laid over it, validated as a whole.
    pub fn patched(
        kind: ResourceKind,
        r: &resource::Model,
        patch: ContentPatch,
    ) -> AppResult<Self> {
        let keep = |new: Option<String>, old: &Option<String>| new.or_else(|| old.clone());
        let input = ContentInput {
            title: patch.title.unwrap_or_else(|| r.title.clone()),
            summary: keep(patch.summary, &r.summary),
            body: Some(patch.body.unwrap_or_else(|| r.body.clone())),
            url: keep(patch.url, &r.url),
            language: patch.language.unwrap_or_else(|| r.language.clone()),
            tags: patch.tags.unwrap_or_else(|| tags_from_json(&r.tags)),
            audience: keep(patch.audience, &r.audience),
            duration_minutes: patch.duration_minutes.or(r.duration_minutes),
            licence: patch.licence.unwrap_or_else(|| r.licence.clone()),
            attribution: keep(patch.attribution, &r.attribution),
            agenda_items: patch
                .agenda_items
                .or_else(|| r.agenda_items.as_deref().map(agenda::parse)),
        };
        Self::parse(kind, input)
    }

    /// The content a resource row holds now.
    pub fn of(r: &resource::Model) -> Self {
        Self {
            title: r.title.clone(),
            summary: r.summary.clone(),
            body: r.body.clone(),
            url: r.url.clone(),
            language: r.language.clone(),
            tags: tags_from_json(&r.tags),
            audience: r.audience.clone(),
            duration_minutes: r.duration_minutes,
            licence: Licence::stored(&r.licence),
            attribution: r.attribution.clone(),
            agenda_items: r.agenda_items.as_deref().map(agenda::parse),
        }
    }

    fn tags_json(&self) -> String {
        serde_json::to_string(&self.tags).unwrap_or_else(|_| "[]".to_owned())
    }

    fn agenda_json(&self) -> Option<String> {
        self.agenda_items.as_deref().map(agenda::to_json)
    }

    /// Copies the content onto the resource row.
    pub fn apply(&self, r: &mut resource::Model) {
        r.title = self.title.clone();
        r.summary = self.summary.clone();
        r.body = self.body.clone();
        r.url = self.url.clone();
        r.language = self.language.clone();
        r.tags = self.tags_json();
        r.audience = self.audience.clone();
        r.duration_minutes = self.duration_minutes;
        r.licence = self.licence.id().to_owned();
        r.attribution = self.attribution.clone();
        r.agenda_items = self.agenda_json();
    }

    pub fn version(
        &self,
        resource_id: Uuid,
        number: i32,
        change_note: Option<String>,
        author_id: Uuid,
        at: DateTime<Utc>,
    ) -> resource_version::ActiveModel {
        resource_version::ActiveModel {
            id: Set(Uuid::now_v7()),
            resource_id: Set(resource_id),
            number: Set(number),
            title: Set(self.title.clone()),
            summary: Set(self.summary.clone()),
            body: Set(self.body.clone()),
            url: Set(self.url.clone()),
            language: Set(self.language.clone()),
            tags: Set(self.tags_json()),
            audience: Set(self.audience.clone()),
            duration_minutes: Set(self.duration_minutes),
            licence: Set(self.licence.id().to_owned()),
            attribution: Set(self.attribution.clone()),
            agenda_items: Set(self.agenda_json()),
            change_note: Set(change_note),
            author_id: Set(Some(author_id)),
            created_at: Set(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ContentInput {
        ContentInput {
            title: "Box breathing".into(),
            body: Some("Breathe in for four.".into()),
            language: "en".into(),
            licence: "CC-BY-4.0".into(),
            ..ContentInput::default()
        }
    }

    #[test]
    fn the_body_is_capped_at_100_kib() {
        let mut big = input();
        big.body = Some("a".repeat(MAX_BODY_BYTES + 1));
        let err = Content::parse(ResourceKind::Checklist, big).unwrap_err();
        assert!(matches!(err, AppError::BadInput { field, .. } if field == "body"));
        let mut full = input();
        full.body = Some("a".repeat(MAX_BODY_BYTES));
        assert!(Content::parse(ResourceKind::Checklist, full).is_ok());
    }

    #[test]
    fn agenda_items_belong_to_agenda_templates() {
        let err = Content::parse(ResourceKind::AgendaTemplate, input()).unwrap_err();
        assert!(matches!(err, AppError::BadInput { field, .. } if field == "agendaItems"));
        let mut with_items = input();
        with_items.agenda_items = Some(agenda::default_agenda());
        assert!(Content::parse(ResourceKind::Checklist, with_items.clone()).is_err());
        let c = Content::parse(ResourceKind::AgendaTemplate, with_items).unwrap();
        assert_eq!(c.agenda_items.map(|i| i.len()), Some(4));
    }

    #[test]
    fn tags_are_normalised() {
        let t = tags(&[
            " Breathing ".into(),
            "breathing".into(),
            "panic-attacks".into(),
        ])
        .unwrap();
        assert_eq!(t, ["breathing", "panic-attacks"]);
        assert!(tags(&["no/slash".into()]).is_err());
    }
}
