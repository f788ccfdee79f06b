//! The licences a resource may carry, and what they allow an adaptation (fork) to be.

use crate::error::{AppError, AppResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Licence {
    CcBy,
    CcBySa,
    CcByNc,
    CcByNcSa,
    Cc0,
    AllRightsReserved,
}

impl Licence {
    pub const ALL: [Self; 6] = [
        Self::CcBy,
        Self::CcBySa,
        Self::CcByNc,
        Self::CcByNcSa,
        Self::Cc0,
        Self::AllRightsReserved,
    ];

    /// The SPDX identifier (ALL-RIGHTS-RESERVED is ours: SPDX has no such licence).
    pub fn id(self) -> &'static str {
        match self {
            Self::CcBy => "CC-BY-4.0",
            Self::CcBySa => "CC-BY-SA-4.0",
            Self::CcByNc => "CC-BY-NC-4.0",
            Self::CcByNcSa => "CC-BY-NC-SA-4.0",
            Self::Cc0 => "CC0-1.0",
            Self::AllRightsReserved => "ALL-RIGHTS-RESERVED",
        }
    }

    /// The licence's deed, for `license` in JSON-LD; none for all rights reserved.
    pub fn uri(self) -> Option<&'static str> {
        match self {
            Self::CcBy => Some("https://creativecommons.org/licenses/by/4.0/"),
            Self::CcBySa => Some("https://creativecommons.org/licenses/by-sa/4.0/"),
            Self::CcByNc => Some("https://creativecommons.org/licenses/by-nc/4.0/"),
            Self::CcByNcSa => Some("https://creativecommons.org/licenses/by-nc-sa/4.0/"),
            Self::Cc0 => Some("https://creativecommons.org/publicdomain/zero/1.0/"),
            Self::AllRightsReserved => None,
        }
    }

    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        let wanted = raw.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.id().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                AppError::bad_input(
                    field,
                    format!(
                        "the licence must be one of {}",
                        Self::ALL.map(Self::id).join(", ")
                    ),
                )
            })
    }

    /// A stored identifier (written by `parse`, so always known).
    pub fn stored(raw: &str) -> Self {
        Self::parse("licence", raw).unwrap_or(Self::AllRightsReserved)
    }

    fn share_alike(self) -> bool {
        matches!(self, Self::CcBySa | Self::CcByNcSa)
    }

    fn non_commercial(self) -> bool {
        matches!(self, Self::CcByNc | Self::CcByNcSa)
    }

    /// Must an adaptation credit the original?
    pub fn requires_attribution(self) -> bool {
        !matches!(self, Self::Cc0 | Self::AllRightsReserved)
    }
}

/// May a resource under `source` be adapted, by `same_organisation` or not, into one under
/// `target`? All rights reserved stays inside its organisation; share-alike keeps its licence;
/// non-commercial stays non-commercial.
pub fn check_fork(source: Licence, target: Licence, same_organisation: bool) -> AppResult<()> {
    if source == Licence::AllRightsReserved && !same_organisation {
        return Err(AppError::forbidden(
            "this resource is ALL-RIGHTS-RESERVED: only its own organisation may adapt it",
        ));
    }
    if source.share_alike() && target != source {
        return Err(AppError::bad_input(
            "licence",
            format!(
                "{} is share-alike: the adaptation must keep it",
                source.id()
            ),
        ));
    }
    if source.non_commercial() && !target.non_commercial() {
        return Err(AppError::bad_input(
            "licence",
            format!(
                "{} is non-commercial: the adaptation must be too (CC-BY-NC-4.0 or \
                 CC-BY-NC-SA-4.0)",
                source.id()
            ),
        ));
    }
    Ok(())
}

/// A changed adaptation keeps honouring its original: the rules of `check_fork`, and the
/// credit the original's licence asks for (`credited`: the new content names it).
pub fn check_adaptation(
    source: Licence,
    target: Licence,
    same_organisation: bool,
    credited: bool,
) -> AppResult<()> {
    check_fork(source, target, same_organisation)?;
    if source.requires_attribution() && !credited {
        return Err(AppError::bad_input(
            "attribution",
            format!("{} asks that the original be credited", source.id()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_allow_list_parses() {
        assert_eq!(
            Licence::parse("licence", "cc-by-sa-4.0").unwrap(),
            Licence::CcBySa
        );
        for bad in ["GPL-3.0", "CC-BY-3.0", "", "MIT"] {
            assert!(Licence::parse("licence", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fork_rules() {
        use Licence::*;
        assert!(matches!(
            check_fork(AllRightsReserved, AllRightsReserved, false),
            Err(AppError::Forbidden(_))
        ));
        assert!(check_fork(AllRightsReserved, CcBy, true).is_ok());
        assert!(check_fork(CcBySa, CcBySa, false).is_ok());
        assert!(check_fork(CcBySa, CcBy, false).is_err());
        assert!(check_fork(CcByNc, CcByNcSa, false).is_ok());
        assert!(check_fork(CcByNc, CcBy, false).is_err());
        assert!(check_fork(CcByNcSa, CcByNc, false).is_err());
        assert!(check_fork(CcBy, AllRightsReserved, false).is_ok());
        assert!(check_fork(Cc0, CcBySa, false).is_ok());
    }
}
