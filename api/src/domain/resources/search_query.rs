//! Web-search syntax, parsed once into terms both databases are given safely: words are
//! ANDed, `"quoted words"` are phrases, `OR` between two terms makes either do, and `-term`
//! excludes. Anything else (stray quotes, brackets, operators, punctuation) only separates
//! words, so no input can make the database's query parser fail.

use crate::error::{AppError, AppResult};

/// Longer search text is refused rather than cut (a cut could change its meaning).
pub const MAX_SEARCH_CHARS: usize = 256;
/// More terms than this add nothing but cost.
const MAX_TERMS: usize = 16;

/// Words the English configuration of PostgreSQL drops; dropped here too, so both databases
/// answer the same (SQLite's FTS5 keeps every word).
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "how",
    "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our",
    "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to",
    "was", "we", "were", "what", "when", "which", "who", "will", "with", "you", "your",
];

/// One word, or a phrase of several in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Term(pub Vec<String>);

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// Every group must match; a group matches when one of its terms does.
    pub all_of: Vec<Vec<Term>>,
    /// None of these may match.
    pub none_of: Vec<Term>,
}

impl SearchQuery {
    pub fn parse(raw: &str) -> AppResult<Self> {
        if raw.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::bad_input(
                "search",
                format!("search text is at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        let mut query = Self::default();
        let mut chars = raw.chars().peekable();
        let mut join_or = false;
        let mut terms = 0;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let negated = c == '-';
            if negated {
                chars.next();
            }
            let (words, quoted) = if chars.peek() == Some(&'"') {
                chars.next();
                // An unclosed quote runs to the end, as web search engines read it.
                let phrase: String = chars.by_ref().take_while(|&c| c != '"').collect();
                (words_of(&phrase), true)
            } else {
                let token: String =
                    std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect();
                if token == "OR" && !negated {
                    join_or = !query.all_of.is_empty();
                    continue;
                }
                (words_of(&token), false)
            };
            let words: Vec<String> = words
                .into_iter()
                .filter(|w| quoted || !STOP_WORDS.contains(&w.as_str()))
                .collect();
            if words.is_empty() || terms >= MAX_TERMS {
                join_or = false;
                continue;
            }
            terms += 1;
            let term = Term(words);
            if negated {
                query.none_of.push(term);
            } else if join_or {
                if let Some(last) = query.all_of.last_mut() {
                    last.push(term);
                }
            } else {
                query.all_of.push(vec![term]);
            }
            join_or = false;
        }
        Ok(query)
    }

    /// Nothing to look for: the search text held no words.
    pub fn is_empty(&self) -> bool {
        self.all_of.is_empty() && self.none_of.is_empty()
    }

    pub fn has_positive(&self) -> bool {
        !self.all_of.is_empty()
    }

    /// The positive part for FTS5 MATCH: every word double-quoted.
    pub fn fts5_positive(&self) -> Option<String> {
        self.has_positive().then(|| {
            self.all_of
                .iter()
                .map(|group| {
                    let alternatives: Vec<String> = group.iter().map(fts5_term).collect();
                    format!("({})", alternatives.join(" OR "))
                })
                .collect::<Vec<_>>()
                .join(" AND ")
        })
    }

    /// The excluded terms for FTS5 MATCH (a resource matching this is left out).
    pub fn fts5_negative(&self) -> Option<String> {
        (!self.none_of.is_empty()).then(|| {
            self.none_of
                .iter()
                .map(fts5_term)
                .collect::<Vec<_>>()
                .join(" OR ")
        })
    }

    /// The positive part for PostgreSQL's `to_tsquery`.
    pub fn tsquery_positive(&self) -> Option<String> {
        self.has_positive().then(|| {
            self.all_of
                .iter()
                .map(|group| {
                    let alternatives: Vec<String> = group.iter().map(tsquery_term).collect();
                    format!("({})", alternatives.join(" | "))
                })
                .collect::<Vec<_>>()
                .join(" & ")
        })
    }

    pub fn tsquery_negative(&self) -> Option<String> {
        (!self.none_of.is_empty()).then(|| {
            self.none_of
                .iter()
                .map(tsquery_term)
                .collect::<Vec<_>>()
                .join(" | ")
        })
    }
}

/// Runs of letters and digits, lower-cased; everything else separates them.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn fts5_term(t: &Term) -> String {
    format!("\"{}\"", t.0.join(" "))
}

fn tsquery_term(t: &Term) -> String {
    if t.0.len() == 1 {
        t.0[0].clone()
    } else {
        format!("({})", t.0.join(" <-> "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> SearchQuery {
        SearchQuery::parse(s).unwrap()
    }

    #[test]
    fn words_phrases_or_and_not() {
        let q = parse(r#"box "deep breathing" OR calm -panic"#);
        assert_eq!(
            q.fts5_positive().unwrap(),
            r#"("box") AND ("deep breathing" OR "calm")"#
        );
        assert_eq!(q.fts5_negative().unwrap(), r#""panic""#);
        assert_eq!(
            q.tsquery_positive().unwrap(),
            "(box) & ((deep <-> breathing) | calm)"
        );
        assert_eq!(q.tsquery_negative().unwrap(), "panic");
    }

    #[test]
    fn stray_syntax_never_reaches_the_database() {
        for raw in [
            r#""unbalanced"#,
            r#"a" b "c"#,
            "OR OR -",
            "(breathing AND",
            "breath* NEAR/3 ^x :y 'z' & | ! <-> \\",
            "\"\"",
        ] {
            let q = parse(raw);
            let rendered = [
                q.fts5_positive(),
                q.fts5_negative(),
                q.tsquery_positive(),
                q.tsquery_negative(),
            ];
            for text in rendered.into_iter().flatten() {
                // Only words and the operators rendered here: nothing of the user's syntax.
                assert!(
                    text.chars()
                        .all(|c| c.is_alphanumeric() || " ()\"|&<->".contains(c)),
                    "{raw} → {text}"
                );
            }
        }
        assert_eq!(
            parse(r#""unbalanced"#).fts5_positive().unwrap(),
            r#"("unbalanced")"#
        );
        assert!(parse("OR OR -").is_empty());
        assert!(parse("the and of").is_empty());
    }

    #[test]
    fn long_text_is_refused() {
        let err = SearchQuery::parse(&"a".repeat(2000)).unwrap_err();
        assert!(matches!(err, AppError::BadInput { field, .. } if field == "search"));
    }
}
