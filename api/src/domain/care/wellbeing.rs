//! Group wellbeing: check-ins aggregated per week, released only in a way that cannot be
//! differenced back to a suppressed value nor filled with fake contributors (docs/privacy.md,
//! "Group wellbeing").
//!
//! - Buckets sit on one fixed grid of weeks (Monday to Sunday in the group's zone). A window
//!   never cuts a week: `from` and `to` widen to whole weeks, so a one-day or shifted window
//!   returns the same buckets as any other window over those weeks.
//! - No totals: nothing spans more than a bucket except meeting intervals, which are sums of
//!   whole frozen weeks and are withheld whenever any of their weeks is.
//! - Only closed weeks are released, and each is computed and frozen once, the first time it
//!   is read: its figures never change again, whatever is checked in or deleted later.
//! - Freezing is where the privacy work happens, never a read: each person counts once (their
//!   week's ratings averaged and rounded), the histogram gets discrete Laplace noise with
//!   `WEEK_EPSILON` (`noise.rs`), and the number of **established** contributors
//!   (`established.rs`) is stored beside it to decide release against the cohort size.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{MeetingStatus, check_in, meeting, wellbeing_week};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use super::{
    established::{self, is_established},
    noise::{self, Entropy, OsEntropy},
};
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

    /// These weeks from the week holding `first` on, if any are left.
    pub fn from_week_of(self, first: NaiveDate) -> Option<Self> {
        let first = self.first.max(monday(first));
        (first <= self.last).then_some(Self {
            first,
            last: self.last,
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

/// ε spent on one week's release (the whole histogram: each person counts once, in one bin).
/// Four weeks spend 4 of the group's budget per 4 weeks (docs/privacy.md, "Noise").
pub const WEEK_EPSILON: f64 = 1.0;

/// What a week's check-ins add up to, as released: every value noised at freeze time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// People who checked in: the sum of `rated` (for an interval, person-weeks).
    pub contributors: i32,
    /// People whose week averaged (rounded) to 1 … 5.
    pub rated: [i32; 5],
}

impl Figures {
    pub fn from_rated(rated: [i32; 5]) -> Self {
        Self {
            contributors: rated.iter().sum(),
            rated,
        }
    }

    pub fn average(&self) -> Option<f64> {
        let n: i32 = self.rated.iter().sum();
        let total: i32 = self.rated.iter().zip(1..).map(|(c, r)| c * r).sum();
        (n > 0).then(|| f64::from(total) / f64::from(n))
    }
}

/// Each person's week as one rating: the mean of their check-ins, rounded half up. So one
/// person moves one bin by one, whatever they checked in (sensitivity 1).
pub fn person_histogram(ratings_per_person: impl IntoIterator<Item = Vec<i32>>) -> [i32; 5] {
    let mut rated = [0; 5];
    for ratings in ratings_per_person {
        let n = i32::try_from(ratings.len()).unwrap_or(i32::MAX);
        if n == 0 {
            continue;
        }
        let sum: i32 = ratings.iter().map(|r| r.clamp(&1, &5)).sum();
        // round(sum / n) half up, in integers.
        let rounded = (2 * sum + n) / (2 * n);
        if let Some(bin) = usize::try_from(rounded - 1)
            .ok()
            .and_then(|i| rated.get_mut(i))
        {
            *bin += 1;
        }
    }
    rated
}

/// A week as frozen: its noisy figures and how many established people contributed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrozenWeek {
    pub figures: Figures,
    pub established: i32,
}

/// The noisy release of a week's true histogram.
pub fn noised(e: &mut impl Entropy, rated: [i32; 5]) -> AppResult<Figures> {
    Ok(Figures::from_rated(noise::noisy_histogram(
        e,
        rated,
        WEEK_EPSILON,
    )?))
}

/// Why a bucket shows no values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Withheld {
    /// Fewer established contributors than the cohort size.
    TooFewContributors,
    /// The bucket has not ended yet; its values would move as people check in.
    NotClosed,
    /// The group's privacy budget for the period is spent (feedback summaries).
    BudgetSpent,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub figures: Result<Figures, Withheld>,
}

fn release(week: FrozenWeek, min_cohort: i32) -> Result<Figures, Withheld> {
    if week.established >= min_cohort {
        Ok(week.figures)
    } else {
        Err(Withheld::TooFewContributors)
    }
}

/// One bucket per week; `frozen` holds the closed weeks.
pub fn weekly(
    weeks: Weeks,
    frozen: &HashMap<NaiveDate, FrozenWeek>,
    min_cohort: i32,
) -> Vec<Bucket> {
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

/// The closed weeks of `weeks` to read frozen (freezing them on first read): none before the
/// week the group was created (`created`, its local date). A week before the group existed
/// holds no check-in; freezing it would only let a reader walking `from` back through the
/// years write rows without end.
pub fn to_freeze(weeks: Weeks, today: NaiveDate, created: NaiveDate) -> Option<Weeks> {
    weeks.closed_by(today)?.from_week_of(created)
}

/// Weeks before the group was created, read as closed weeks with nobody in them (withheld
/// as too few contributors), though never frozen.
pub fn empty_before(weeks: Weeks, created: NaiveDate, frozen: &mut HashMap<NaiveDate, FrozenWeek>) {
    for start in weeks.starts().take_while(|s| *s < monday(created)) {
        frozen.entry(start).or_default();
    }
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

/// Interval buckets summed from the frozen weekly ones and nothing else: released only when
/// every week inside is, so an interval never reveals more than its weeks already do, and it
/// never changes once its weeks are frozen (its `contributors` are person-weeks).
pub fn by_interval(weekly: &[Bucket], spans: &[(NaiveDate, NaiveDate)]) -> Vec<Bucket> {
    spans
        .iter()
        .map(|&(start, end)| {
            let inside = weekly.iter().filter(|b| b.start >= start && b.end <= end);
            let mut rated = [0; 5];
            let mut withheld = None;
            for week in inside {
                match week.figures {
                    Ok(f) => rated.iter_mut().zip(f.rated).for_each(|(s, r)| *s += r),
                    Err(Withheld::NotClosed) => withheld = Some(Withheld::NotClosed),
                    Err(w) => withheld = withheld.or(Some(w)),
                }
            }
            Bucket {
                start,
                end,
                figures: match withheld {
                    Some(w) => Err(w),
                    None => Ok(Figures::from_rated(rated)),
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

type Frozen = HashMap<(Uuid, NaiveDate), FrozenWeek>;

fn frozen_of(w: &wellbeing_week::Model) -> FrozenWeek {
    FrozenWeek {
        figures: Figures {
            contributors: w.contributors,
            rated: [w.rated1, w.rated2, w.rated3, w.rated4, w.rated5],
        },
        established: w.established,
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
        .map(|w| ((w.group_id, w.week_start), frozen_of(w)))
        .collect())
}

/// The frozen figures of every wanted week, freezing those read for the first time: one
/// statement when all are frozen already, a handful when some are not.
#[tracing::instrument(skip_all)]
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
                contributors: Set(f.figures.contributors),
                rated1: Set(f.figures.rated[0]),
                rated2: Set(f.figures.rated[1]),
                rated3: Set(f.figures.rated[2]),
                rated4: Set(f.figures.rated[3]),
                rated5: Set(f.figures.rated[4]),
                established: Set(f.established),
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

/// The frozen release of the given weeks, from the check-ins themselves: the noisy
/// per-person histogram and the count of established contributors. Noise is drawn here and
/// only here; a week nobody checked in gets noise too, so an empty week does not stand out.
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
    let mut people: HashMap<(Uuid, NaiveDate), HashMap<Uuid, Vec<i32>>> = HashMap::new();
    for (group, person, day, rating) in rows {
        people
            .entry((group, monday(day)))
            .or_default()
            .entry(person)
            .or_default()
            .push(rating);
    }
    let facts = established::facts(db, &groups, week_start_utc(last)).await?;
    let mut entropy = OsEntropy::new();
    let mut out = Frozen::new();
    for key in weeks {
        let who = people.remove(key).unwrap_or_default();
        let start = week_start_utc(key.1);
        let established = who
            .keys()
            .filter(|p| {
                facts
                    .get(&(key.0, **p))
                    .is_some_and(|fs| fs.iter().any(|f| is_established(f, start)))
            })
            .count();
        let rated = person_histogram(who.into_values());
        out.insert(
            *key,
            FrozenWeek {
                figures: noised(&mut entropy, rated)?,
                established: i32::try_from(established).map_err(AppError::internal)?,
            },
        );
    }
    Ok(out)
}

/// Midnight UTC at the start of a week: the bucket start the established rule measures from
/// (a zone's offset is hours against a rule of weeks).
fn week_start_utc(week: NaiveDate) -> chrono::DateTime<Utc> {
    week.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// A group, its zone and the weeks whose meeting intervals are wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntervalsOf {
    pub group: Uuid,
    pub tz: Tz,
    pub weeks: Weeks,
}

/// The meeting intervals of each group over its weeks: one statement for any number of
/// groups. Their figures come from the frozen weeks only (`by_interval`).
pub async fn intervals(
    db: &impl ConnectionTrait,
    wanted: &[IntervalsOf],
) -> AppResult<HashMap<IntervalsOf, Vec<(NaiveDate, NaiveDate)>>> {
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
    Ok(wanted
        .iter()
        .map(|w| {
            let meeting_weeks: BTreeSet<NaiveDate> = meetings
                .iter()
                .filter(|(g, _)| *g == w.group)
                .map(|(_, at)| monday(at.with_timezone(&w.tz).date_naive()))
                .collect();
            (*w, spans(w.weeks, &meeting_weeks))
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
        let f = |established| FrozenWeek {
            figures: Figures::from_rated([1, 1, 1, 1, 2]),
            established,
        };
        let frozen = HashMap::from([(d("2026-11-02"), f(6)), (d("2026-11-09"), f(2))]);
        let weeks = Weeks {
            first: d("2026-11-02"),
            last: d("2026-11-09"),
        };
        let weekly = weekly(weeks, &frozen, 5);
        assert!(weekly[0].figures.is_ok());
        assert_eq!(weekly[1].figures, Err(Withheld::TooFewContributors));
        let span = (d("2026-11-02"), d("2026-11-15"));
        assert_eq!(
            by_interval(&weekly, &[span])[0].figures,
            Err(Withheld::TooFewContributors)
        );
        // An interval of released weeks is their sum, nothing read live.
        let both = super::weekly(
            weeks,
            &HashMap::from([(d("2026-11-02"), f(6)), (d("2026-11-09"), f(7))]),
            5,
        );
        assert_eq!(
            by_interval(&both, &[span])[0].figures,
            Ok(Figures::from_rated([2, 2, 2, 2, 4]))
        );
    }

    #[test]
    fn each_person_counts_once_in_the_histogram() {
        // 1 and 2 average 1.5 → 2; 5,5,5,5,5,5,5 → 5; 3 → 3; 4 and 5 → 4.5 → 5.
        let rated = person_histogram([vec![1, 2], vec![5; 7], vec![3], vec![4, 5]]);
        assert_eq!(rated, [0, 1, 1, 0, 2]);
        assert_eq!(Figures::from_rated(rated).contributors, 4);
    }

    #[test]
    fn released_weeks_are_noisy_but_never_negative() {
        let mut e = noise::SplitMix64(42);
        let mut differs = 0;
        for _ in 0..200 {
            let f = noised(&mut e, [0, 1, 3, 2, 0]).unwrap_or_default();
            assert!(f.rated.iter().all(|c| *c >= 0));
            assert_eq!(f.contributors, f.rated.iter().sum::<i32>());
            differs += usize::from(f.rated != [0, 1, 3, 2, 0]);
        }
        assert!(differs > 150, "noise is drawn: {differs}");
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
