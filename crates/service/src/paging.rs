//! Paging of every list, checked once. A page number is a request for rows, so one that no
//! list can reach is refused with the field named, before it becomes an OFFSET: a huge page
//! used to overflow into a negative offset (PostgreSQL: an error; SQLite: page 1's rows).

use crate::ServiceResult;
use crate::validate::Check;

/// The highest page number any list answers: at the largest page size that is 200 million
/// rows, beyond any list; past it a client is scanning, not paging.
pub const MAX_PAGE: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// From 1.
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    /// Reads `page` and `per_page` (absent: the first page of `default_per_page`) and adds a
    /// field error to `check` for either out of range.
    pub(crate) fn read(
        check: &mut Check,
        page: Option<i64>,
        per_page: Option<i64>,
        default_per_page: i64,
        max_per_page: i64,
    ) -> Paging {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(default_per_page);
        if !(1..=MAX_PAGE).contains(&page) {
            check.push_with("page", "error.range", format!("1–{MAX_PAGE}"));
        }
        if !(1..=max_per_page).contains(&per_page) {
            check.push_with("per_page", "error.range", format!("1–{max_per_page}"));
        }
        Paging {
            page: page.clamp(1, MAX_PAGE),
            per_page: per_page.clamp(1, max_per_page),
        }
    }

    /// The same, for a caller with nothing else to check.
    pub fn new(
        page: Option<i64>,
        per_page: Option<i64>,
        default_per_page: i64,
        max_per_page: i64,
    ) -> ServiceResult<Paging> {
        let mut check = Check::new();
        let paging = Paging::read(&mut check, page, per_page, default_per_page, max_per_page);
        check.finish().map(|_| paging)
    }

    /// Rows to skip; cannot overflow, as both factors are bounded.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceError;

    #[test]
    fn a_page_no_list_reaches_is_named_not_wrapped() {
        let err = Paging::new(Some(i64::MAX), None, 25, 200).unwrap_err();
        let ServiceError::Invalid(fields) = err else {
            panic!("invalid")
        };
        assert_eq!(fields[0].field, "page");
        assert!(Paging::new(Some(0), None, 25, 200).is_err());
        assert!(Paging::new(Some(-3), None, 25, 200).is_err());
        assert!(Paging::new(None, Some(0), 25, 200).is_err());
        assert!(Paging::new(None, Some(201), 25, 200).is_err());
        let p = Paging::new(Some(MAX_PAGE), Some(200), 25, 200).unwrap();
        assert_eq!(p.offset(), (MAX_PAGE - 1) * 200);
        assert_eq!(Paging::new(None, None, 25, 200).unwrap().offset(), 0);
    }
}
