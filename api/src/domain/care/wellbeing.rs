//! Group wellbeing: check-ins aggregated per week, released only in a way that cannot be
//! differenced back to a suppressed value (docs/metrics.md, "Group wellbeing").
//!
//! - Buckets sit on one fixed grid of weeks (Monday to Sunday in the group's zone). A window
//!   never cuts a week: `from` and `to` widen to whole weeks, so a one-day or shifted window
//!   returns the same buckets as any other window over those weeks.
//! - No totals: nothing spans more than a bucket except meeting intervals, which are unions of
//!   whole weeks and are withheld whenever any of their weeks is.
//! - Only closed weeks are released, and each is frozen the first time it is read: later
//!   check-ins cannot land in it (they are always for today) and a later deletion does not
//!   change it, so two reads of one week never differ.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{MeetingStatus, check_in, meeting, wellbeing_week};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::{
    domain::in_ids,
    error::{AppError, AppResult},
};

/// Two years of weeks at most per request.
pub const MAX_WEEKS: i64 = 106;

pub fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The whole weeks covering `from` through `to`: the Monday of the first and of the last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Weeks {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Weeks {
    pub fn covering(from: NaiveDate, to: NaiveDate) -> AppResult<Self> {
        if to < from {
            return Err(AppError::bad_input("to", "the range ends before it starts"));
        }
        let (first, last) = (monday(from), monday(to));
        if (last - first).num_days() / 7 + 1 > MAX_WEEKS {
            return Err(AppError::bad_input("to", "at most 106 weeks at a time"));
        }
        Ok(Self { first, last })
    }

    pub fn starts(self) -> impl Iterator<Item = NaiveDate> {
        let mut next = Some(self.first);
        std::iter::from_fn(move || {
            let current = next?;
            next = (current < self.last).then(|| current + Duration::days(7));
            Some(current)
        })
    }

    /// The weeks that have ended before `today`, if any.
    pub fn closed_by(self, today: NaiveDate) -> Option<Self> {
        let last_closed = monday(today) - Duration::days(7);
        (self.first <= last_closed).then(|| Self {
            first: self.first,
            last: self.last.min(last_closed),
        })
    }
}

/// What a week's check-ins add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Distinct people who checked in.
    pub contributors: i32,
    /// Check-ins rated 1 … 5.
    pub rated: [i32; 5],
}

impl Figures {
    pub fn check_ins(&self) -> i32 {
        self.rated.iter().sum()
    }

    pub fn average(&self) -> Option<f64> {
        let n = self.check_ins();
        let total: i32 = self.rated.iter().zip(1..).map(|(c, r)| c * r).sum();
        (n > 0).then(|| f64::from(total) / f64::from(n))
    }
}

/// Why a bucket shows no values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Withheld {
    TooFewContributors,
    /// The bucket has not ended yet; its values would move as people check in.
    NotClosed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub figures: Result<Figures, Withheld>,
}

fn release(figures: Figures, min_cohort: i32) -> Result<Figures, Withheld> {
    if figures.contributors >= min_cohort {
        Ok(figures)
    } else {
        Err(Withheld::TooFewContributors)
    }
}

/// One bucket per week; `frozen` holds the closed weeks.
pub fn weekly(weeks: Weeks, frozen: &HashMap<NaiveDate, Figures>, min_cohort: i32) -> Vec<Bucket> {
    weeks
        .starts()
        .map(|start| Bucket {
            start,
            end: start + Duration::days(6),
            figures: frozen
                .get(&start)
                .map_or(Err(Withheld::NotClosed), |f| release(*f, min_cohort)),
        })
        .collect()
}

/// A meeting interval: from the week of one meeting up to the week of the next, in whole
/// weeks. `contributors` counts distinct people over the whole span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub contributors: i32,
}

/// Splits `weeks` at the weeks holding a meeting; weeks before the first meeting form a
/// leading span of their own.
pub fn spans(weeks: Weeks, meeting_weeks: &BTreeSet<NaiveDate>) -> Vec<(NaiveDate, NaiveDate)> {
    let mut starts: Vec<NaiveDate> = std::iter::once(weeks.first)
        .chain(
            meeting_weeks
                .iter()
                .copied()
                .filter(|w| *w > weeks.first && *w <= weeks.last),
        )
        .collect();
    starts.dedup();
    let ends = starts
        .iter()
        .skip(1)
        .map(|next| *next - Duration::days(1))
        .chain(std::iter::once(weeks.last + Duration::days(6)));
    starts.iter().copied().zip(ends).collect()
}

/// Interval buckets summed from the weekly ones: released only when every week inside is, so
/// an interval never reveals more than its weeks already do.
pub fn by_interval(weekly: &[Bucket], spans: &[Span], min_cohort: i32) -> Vec<Bucket> {
    spans
        .iter()
        .map(|span| {
            let inside = weekly
                .iter()
                .filter(|b| b.start >= span.start && b.end <= span.end);
            let mut sum = Figures {
                contributors: span.contributors,
                rated: [0; 5],
            };
            let mut withheld = None;
            for week in inside {
                match week.figures {
                    Ok(f) => sum.rated.iter_mut().zip(f.rated).for_each(|(s, r)| *s += r),
                    Err(Withheld::NotClosed) => withheld = Some(Withheld::NotClosed),
                    Err(w) => withheld = withheld.or(Some(w)),
                }
            }
            Bucket {
                start: span.start,
                end: span.end,
                figures: match withheld {
                    Some(w) => Err(w),
                    None => release(sum, min_cohort),
                },
            }
        })
        .collect()
}

/// A group and the closed weeks wanted from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClosedWeeks {
    pub group: Uuid,
    pub weeks: Weeks,
}

type Frozen = HashMap<(Uuid, NaiveDate), Figures>;

fn figures_of(w: &wellbeing_week::Model) -> Figures {
    Figures {
        contributors: w.contributors,
        rated: [w.rated1, w.rated2, w.rated3, w.rated4, w.rated5],
    }
}

async fn read_frozen(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Frozen> {
    let rows = wellbeing_week::Entity::find()
        .filter(in_ids(
            db.get_database_backend(),
            Expr::col((wellbeing_week::Entity, wellbeing_week::Column::GroupId)),
            groups,
        ))
        .filter(wellbeing_week::Column::WeekStart.gte(first))
        .filter(wellbeing_week::Column::WeekStart.lte(last))
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .map(|w| ((w.group_id, w.week_start), figures_of(w)))
        .collect())
}

/// The frozen figures of every wanted week, freezing those read for the first time: one
/// statement when all are frozen already, three when some are not.
pub async fn frozen(db: &impl ConnectionTrait, wanted: &[ClosedWeeks]) -> AppResult<Frozen> {
    let Some(first) = wanted.iter().map(|w| w.weeks.first).min() else {
        return Ok(HashMap::new());
    };
    let last = wanted.iter().map(|w| w.weeks.last).max().unwrap_or(first);
    let groups: Vec<Uuid> = wanted.iter().map(|w| w.group).collect();
    let mut found = read_frozen(db, &groups, first, last).await?;
    let missing: Vec<(Uuid, NaiveDate)> = wanted
        .iter()
        .flat_map(|w| w.weeks.starts().map(move |s| (w.group, s)))
        .filter(|k| !found.contains_key(k))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let computed = compute(db, &missing).await?;
    let now = Utc::now();
    let mut inserted = 0;
    for chunk in missing.chunks(500) {
        let rows = chunk.iter().map(|key| {
            let f = computed.get(key).copied().unwrap_or_default();
            wellbeing_week::ActiveModel {
                id: Set(Uuid::now_v7()),
                group_id: Set(key.0),
                week_start: Set(key.1),
                contributors: Set(f.contributors),
                rated1: Set(f.rated[0]),
                rated2: Set(f.rated[1]),
                rated3: Set(f.rated[2]),
                rated4: Set(f.rated[3]),
                rated5: Set(f.rated[4]),
                frozen_at: Set(now),
            }
        });
        // A concurrent reader may have frozen some of these weeks first; theirs stands.
        let result = wellbeing_week::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    wellbeing_week::Column::GroupId,
                    wellbeing_week::Column::WeekStart,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        inserted += result;
    }
    if inserted == missing.len() as u64 {
        for key in missing {
            found.insert(key, computed.get(&key).copied().unwrap_or_default());
        }
        Ok(found)
    } else {
        read_frozen(db, &groups, first, last).await
    }
}

/// Live figures of the given weeks, from the check-ins themselves.
async fn compute(db: &impl ConnectionTrait, weeks: &[(Uuid, NaiveDate)]) -> AppResult<Frozen> {
    let groups: Vec<Uuid> = weeks.iter().map(|k| k.0).collect();
    let first = weeks.iter().map(|k| k.1).min().unwrap_or_default();
    let last = weeks.iter().map(|k| k.1).max().unwrap_or_default() + Duration::days(6);
    let rows: Vec<(Uuid, Uuid, NaiveDate, i32)> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::GroupId)
        .column(check_in::Column::PersonId)
        .column(check_in::Column::LocalDate)
        .column(check_in::Column::Rating)
        .filter(in_ids(
            db.get_database_backend(),
            Expr::col((check_in::Entity, check_in::Column::GroupId)),
            &groups,
        ))
        .filter(check_in::Column::LocalDate.gte(first))
        .filter(check_in::Column::LocalDate.lte(last))
        .into_tuple()
        .all(db)
        .await?;
    let mut people: HashMap<(Uuid, NaiveDate), HashSet<Uuid>> = HashMap::new();
    let mut out = Frozen::new();
    for (group, person, day, rating) in rows {
        let key = (group, monday(day));
        people.entry(key).or_default().insert(person);
        let slot = usize::try_from(rating - 1).map_err(AppError::internal)?;
        if let Some(count) = out.entry(key).or_default().rated.get_mut(slot) {
            *count += 1;
        }
    }
    for (key, who) in people {
        if let Some(f) = out.get_mut(&key) {
            f.contributors = i32::try_from(who.len()).map_err(AppError::internal)?;
        }
    }
    Ok(out)
}

/// A group, its zone and the weeks whose meeting intervals are wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntervalsOf {
    pub group: Uuid,
    pub tz: Tz,
    pub weeks: Weeks,
}

/// The meeting intervals of each group over its weeks, with distinct contributors per
/// interval: two statements for any number of groups.
pub async fn intervals(
    db: &impl ConnectionTrait,
    wanted: &[IntervalsOf],
) -> AppResult<HashMap<IntervalsOf, Vec<Span>>> {
    let Some(first) = wanted.iter().map(|w| w.weeks.first).min() else {
        return Ok(HashMap::new());
    };
    let last = wanted.iter().map(|w| w.weeks.last).max().unwrap_or(first) + Duration::days(6);
    let groups: Vec<Uuid> = wanted.iter().map(|w| w.group).collect();
    let backend = db.get_database_backend();
    // A day either side covers every zone's offset; exact local weeks are taken below.
    let meetings: Vec<(Uuid, chrono::DateTime<Utc>)> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::GroupId)
        .column(meeting::Column::StartsAt)
        .filter(in_ids(
            backend,
            Expr::col((meeting::Entity, meeting::Column::GroupId)),
            &groups,
        ))
        .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled))
        .filter(
            meeting::Column::StartsAt
                .gte(first.and_time(chrono::NaiveTime::MIN).and_utc() - Duration::days(1)),
        )
        .filter(
            meeting::Column::StartsAt
                .lte(last.and_time(chrono::NaiveTime::MIN).and_utc() + Duration::days(2)),
        )
        .into_tuple()
        .all(db)
        .await?;
    let days: Vec<(Uuid, Uuid, NaiveDate)> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::GroupId)
        .column(check_in::Column::PersonId)
        .column(check_in::Column::LocalDate)
        .filter(in_ids(
            backend,
            Expr::col((check_in::Entity, check_in::Column::GroupId)),
            &groups,
        ))
        .filter(check_in::Column::LocalDate.gte(first))
        .filter(check_in::Column::LocalDate.lte(last))
        .into_tuple()
        .all(db)
        .await?;
    Ok(wanted
        .iter()
        .map(|w| {
            let meeting_weeks: BTreeSet<NaiveDate> = meetings
                .iter()
                .filter(|(g, _)| *g == w.group)
                .map(|(_, at)| monday(at.with_timezone(&w.tz).date_naive()))
                .collect();
            let spans = spans(w.weeks, &meeting_weeks)
                .into_iter()
                .map(|(start, end)| {
                    let who: HashSet<Uuid> = days
                        .iter()
                        .filter(|(g, _, d)| *g == w.group && *d >= start && *d <= end)
                        .map(|(_, p, _)| *p)
                        .collect();
                    Span {
                        start,
                        end,
                        contributors: i32::try_from(who.len()).unwrap_or(i32::MAX),
                    }
                })
                .collect();
            (*w, spans)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn windows_widen_to_whole_weeks() {
        let one_day = Weeks::covering(d("2026-11-18"), d("2026-11-18")).ok();
        assert_eq!(
            one_day,
            Some(Weeks {
                first: d("2026-11-16"),
                last: d("2026-11-16")
            })
        );
        let shifted = Weeks::covering(d("2026-11-17"), d("2026-11-24")).ok();
        assert_eq!(shifted.map(|w| w.starts().count()), Some(2));
    }

    #[test]
    fn only_ended_weeks_are_closed() {
        let weeks = Weeks::covering(d("2026-11-02"), d("2026-11-29")).unwrap_or(Weeks {
            first: d("2000-01-03"),
            last: d("2000-01-03"),
        });
        // Wednesday 2026-11-25: the week of the 23rd is still open.
        assert_eq!(
            weeks.closed_by(d("2026-11-25")).map(|w| w.last),
            Some(d("2026-11-16"))
        );
        assert_eq!(weeks.closed_by(d("2026-11-04")), None);
    }

    #[test]
    fn an_interval_with_a_withheld_week_is_withheld() {
        let f = |contributors| Figures {
            contributors,
            rated: [1, 1, 1, 1, contributors],
        };
        let frozen = HashMap::from([(d("2026-11-02"), f(6)), (d("2026-11-09"), f(2))]);
        let weeks = Weeks {
            first: d("2026-11-02"),
            last: d("2026-11-09"),
        };
        let weekly = weekly(weeks, &frozen, 5);
        assert!(weekly[0].figures.is_ok());
        assert_eq!(weekly[1].figures, Err(Withheld::TooFewContributors));
        let span = Span {
            start: d("2026-11-02"),
            end: d("2026-11-15"),
            contributors: 8,
        };
        assert_eq!(
            by_interval(&weekly, &[span], 5)[0].figures,
            Err(Withheld::TooFewContributors)
        );
    }

    #[test]
    fn spans_follow_meeting_weeks() {
        let weeks = Weeks {
            first: d("2026-11-02"),
            last: d("2026-11-23"),
        };
        let meetings = BTreeSet::from([d("2026-11-09"), d("2026-11-23"), d("2026-12-07")]);
        assert_eq!(
            spans(weeks, &meetings),
            vec![
                (d("2026-11-02"), d("2026-11-08")),
                (d("2026-11-09"), d("2026-11-22")),
                (d("2026-11-23"), d("2026-11-29")),
            ]
        );
    }
}
