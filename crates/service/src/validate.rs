//! Field checks that gather every problem of a form at once.

use chrono::NaiveDate;

use crate::{FieldError, ServiceError, ServiceResult};

#[derive(Default)]
pub(crate) struct Check {
    pub errors: Vec<FieldError>,
}

impl Check {
    pub fn new() -> Check {
        Check::default()
    }

    /// Trims, requires non-empty and at most `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.errors.push(FieldError::new(field, "error.required"));
        } else {
            self.max_len(field, v, max);
        }
        v.to_string()
    }

    pub fn optional(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        self.max_len(field, v, max);
        v.to_string()
    }

    fn max_len(&mut self, field: &str, v: &str, max: usize) {
        if v.chars().count() > max {
            self.errors
                .push(FieldError::with(field, "error.too_long", max));
        }
    }

    pub fn date(&mut self, field: &str, value: Option<&str>) -> Option<NaiveDate> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.errors.push(FieldError::new(field, "error.date"));
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, code: &str) {
        self.errors.push(FieldError::new(field, code));
    }

    pub fn push_with(&mut self, field: &str, code: &str, param: impl ToString) {
        self.errors.push(FieldError::with(field, code, param));
    }

    pub fn finish(self) -> ServiceResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.errors))
        }
    }
}
