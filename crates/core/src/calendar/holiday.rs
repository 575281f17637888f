//! The statutory festivals as data: a code each, so that pages name them in the reader's
//! language instead of showing the Chinese name of a notice.

use serde::{Deserialize, Serialize};

/// A festival on which all citizens have the day off (全体公民放假的节日).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Holiday {
    NewYear,
    SpringFestival,
    Qingming,
    LabourDay,
    DragonBoat,
    MidAutumn,
    NationalDay,
}

impl Holiday {
    pub const ALL: [Holiday; 7] = [
        Holiday::NewYear,
        Holiday::SpringFestival,
        Holiday::Qingming,
        Holiday::LabourDay,
        Holiday::DragonBoat,
        Holiday::MidAutumn,
        Holiday::NationalDay,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Holiday::NewYear => "new_year",
            Holiday::SpringFestival => "spring_festival",
            Holiday::Qingming => "qingming",
            Holiday::LabourDay => "labour_day",
            Holiday::DragonBoat => "dragon_boat",
            Holiday::MidAutumn => "mid_autumn",
            Holiday::NationalDay => "national_day",
        }
    }

    pub fn from_code(code: &str) -> Option<Holiday> {
        Holiday::ALL.into_iter().find(|h| h.code() == code.trim())
    }

    /// The name the State Council's notices use.
    pub fn zh_name(self) -> &'static str {
        match self {
            Holiday::NewYear => "元旦",
            Holiday::SpringFestival => "春节",
            Holiday::Qingming => "清明节",
            Holiday::LabourDay => "劳动节",
            Holiday::DragonBoat => "端午节",
            Holiday::MidAutumn => "中秋节",
            Holiday::NationalDay => "国庆节",
        }
    }

    /// Words that name the festival in a notice or a hand-typed name.
    fn words(self) -> &'static [&'static str] {
        match self {
            Holiday::NewYear => &["元旦", "新年", "new year"],
            Holiday::SpringFestival => &["春节", "除夕", "spring festival", "chinese new year"],
            Holiday::Qingming => &["清明", "qingming", "tomb"],
            Holiday::LabourDay => &["劳动节", "五一", "labour day", "labor day", "may day"],
            Holiday::DragonBoat => &["端午", "dragon boat"],
            Holiday::MidAutumn => &["中秋", "mid-autumn", "mid autumn"],
            Holiday::NationalDay => &["国庆", "national day"],
        }
    }

    /// The festivals a free-text name mentions ("国庆节、中秋节" names two), in calendar order.
    pub fn found_in(name: &str) -> Vec<Holiday> {
        let lower = name.to_lowercase();
        Holiday::ALL
            .into_iter()
            .filter(|h| {
                lower.split([',', ' ']).any(|w| w == h.code())
                    || h.words().iter().any(|w| lower.contains(w))
            })
            .collect()
    }
}

/// `national_day,mid_autumn`: how a day's festivals are stored.
pub fn codes(list: &[Holiday]) -> String {
    list.iter().map(|h| h.code()).collect::<Vec<_>>().join(",")
}

/// Reads stored codes; unknown codes are skipped (a newer version may know more).
pub fn parse_codes(text: &str) -> Vec<Holiday> {
    let mut out: Vec<Holiday> = text.split(',').filter_map(Holiday::from_code).collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_notices_become_codes() {
        assert_eq!(
            Holiday::found_in("国庆节、中秋节"),
            vec![Holiday::MidAutumn, Holiday::NationalDay]
        );
        assert_eq!(Holiday::found_in("春节"), vec![Holiday::SpringFestival]);
        assert_eq!(Holiday::found_in("清明节"), vec![Holiday::Qingming]);
        assert_eq!(Holiday::found_in("Labour Day"), vec![Holiday::LabourDay]);
        assert_eq!(Holiday::found_in("dragon_boat"), vec![Holiday::DragonBoat]);
        assert!(Holiday::found_in("公司庆典").is_empty());
        for h in Holiday::ALL {
            assert_eq!(Holiday::found_in(h.zh_name()), vec![h]);
            assert_eq!(Holiday::from_code(h.code()), Some(h));
        }
        assert_eq!(
            parse_codes("national_day,mid_autumn,unknown"),
            vec![Holiday::MidAutumn, Holiday::NationalDay]
        );
        assert_eq!(
            codes(&[Holiday::MidAutumn, Holiday::NationalDay]),
            "mid_autumn,national_day"
        );
    }
}
