//! Lineage: who trained whom (a certification's workshop trainers), and the organisation's
//! training reach.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{domain::raw_statement, error::AppResult};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// People holding a valid certification of a facilitator (non-trainer) programme.
    pub certified_facilitators: i64,
    /// People holding a valid trainer certification or a TRAINER grant.
    pub active_trainers: i64,
    /// The longest trainer → trainee chain, counted in people (1: certified, nobody of them
    /// trained anyone certified).
    pub generations: i32,
    pub certified_last_12_months: i64,
}

/// The longest chain in the trained-by graph, in people. A cycle (two people who trained each
/// other at different times) is cut where it closes.
pub fn generations(people: &HashSet<Uuid>, edges: &[(Uuid, Uuid)]) -> i32 {
    let mut trainees: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (trainer, trainee) in edges {
        if trainer != trainee {
            trainees.entry(*trainer).or_default().push(*trainee);
        }
    }
    // Depth-first with memo; `open` marks the current path so a cycle ends the chain.
    fn longest(
        at: Uuid,
        trainees: &HashMap<Uuid, Vec<Uuid>>,
        memo: &mut HashMap<Uuid, i32>,
        open: &mut HashSet<Uuid>,
    ) -> i32 {
        if let Some(n) = memo.get(&at) {
            return *n;
        }
        open.insert(at);
        let mut best = 0;
        for next in trainees.get(&at).into_iter().flatten() {
            if !open.contains(next) {
                best = best.max(longest(*next, trainees, memo, open));
            }
        }
        open.remove(&at);
        memo.insert(at, best + 1);
        best + 1
    }
    let mut memo = HashMap::new();
    let mut open = HashSet::new();
    people
        .iter()
        .chain(trainees.keys())
        .map(|p| longest(*p, &trainees, &mut memo, &mut open))
        .max()
        .unwrap_or(0)
}

async fn count(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<i64> {
    let row = db
        .query_one_raw(raw_statement(db.get_database_backend(), sql, values))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "n")?,
        None => 0,
    })
}

pub async fn reach(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Reach> {
    let certified_facilitators = count(
        db,
        "SELECT COUNT(DISTINCT c.person_id) AS n FROM certifications c \
         JOIN training_programs p ON p.id = c.program_id \
         WHERE c.organisation_id = ? AND p.is_trainer_program = ? \
           AND c.revoked_at IS NULL AND c.valid_until > ?",
        vec![organisation_id.into(), false.into(), now.into()],
    )
    .await?;
    let active_trainers = count(
        db,
        "SELECT COUNT(*) AS n FROM ( \
           SELECT c.person_id FROM certifications c \
           JOIN training_programs p ON p.id = c.program_id \
           WHERE c.organisation_id = ? AND p.is_trainer_program = ? \
             AND c.revoked_at IS NULL AND c.valid_until > ? \
           UNION \
           SELECT person_id FROM role_grants WHERE organisation_id = ? AND role = 'TRAINER' \
         ) t",
        vec![
            organisation_id.into(),
            true.into(),
            now.into(),
            organisation_id.into(),
        ],
    )
    .await?;
    let certified_last_12_months = count(
        db,
        "SELECT COUNT(*) AS n FROM certifications WHERE organisation_id = ? AND issued_at >= ?",
        vec![organisation_id.into(), (now - Duration::days(365)).into()],
    )
    .await?;
    // Every certification ever issued counts for lineage: who trained whom does not expire.
    let rows = db
        .query_all_raw(raw_statement(
            db.get_database_backend(),
            "SELECT DISTINCT c.person_id AS trainee, wt.person_id AS trainer \
             FROM certifications c \
             LEFT JOIN workshop_trainers wt ON wt.workshop_id = c.workshop_id \
             WHERE c.organisation_id = ?",
            vec![organisation_id.into()],
        ))
        .await?;
    let mut people = HashSet::new();
    let mut edges = Vec::new();
    for row in rows {
        let trainee: Uuid = row.try_get("", "trainee")?;
        people.insert(trainee);
        if let Some(trainer) = row.try_get::<Option<Uuid>>("", "trainer")? {
            edges.push((trainer, trainee));
        }
    }
    // A trainer with no certification of their own still starts a chain.
    Ok(Reach {
        certified_facilitators,
        active_trainers,
        generations: generations(&people, &edges),
        certified_last_12_months,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_follow_the_longest_chain_and_survive_cycles() {
        let [a, b, c, d] = [1u128, 2, 3, 4].map(Uuid::from_u128);
        let people: HashSet<Uuid> = [b, c, d].into_iter().collect();
        assert_eq!(generations(&HashSet::new(), &[]), 0);
        assert_eq!(generations(&people, &[]), 1);
        assert_eq!(generations(&people, &[(a, b), (b, c), (a, d)]), 3);
        assert_eq!(generations(&people, &[(a, b), (b, a)]), 2);
    }
}
