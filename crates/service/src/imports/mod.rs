//! Excel import of existing ledgers (台账), of units and of people.
//!
//! The workbook is read by `shishi_report::import` (on the blocking pool: calamine is CPU
//! work); here every row is resolved against the database within the actor's reach, and a plan
//! says row by row what will be created, what already exists and is skipped, and what is wrong
//! (row, column and why, in the user's language). An import writes only when the plan has no
//! problem at all, and then everything in one transaction: all or nothing. Importing the same
//! file again creates nothing new (matters are found by their import key, or by their unit and
//! name among the matters already there, so that an exported ledger imported again lists what
//! exists; units by their path, people by their account).
//!
//! A ledger's unit names that are not names of the tree can be mapped to units of the
//! importer's subtree (`aliases`); the mapping is kept for the next import.

mod aliases;
mod ledger;
mod people;
mod resolve;
mod texts;
mod units;
mod uploads;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shishi_report::import::{ColumnInfo, ColumnMapping, Field, ImportError, ImportOptions};

use crate::{Actor, FieldError, ServiceError, ServiceResult, Services};

pub use aliases::{UnitAliasInput, UnitAliasView, UnitChoice};
pub use uploads::UPLOAD_TTL_MS;

/// The largest workbook taken: a ledger of the most rows the reader takes is well under it,
/// and it bounds what a dry run keeps in the database until it is confirmed.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Ledger,
    Units,
    People,
}

impl ImportKind {
    pub const ALL: [ImportKind; 3] = [ImportKind::Ledger, ImportKind::Units, ImportKind::People];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Ledger => "ledger",
            ImportKind::Units => "units",
            ImportKind::People => "people",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A workbook to import and how to read it.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub kind: ImportKind,
    /// As the person named it; recorded in the audit trail.
    pub filename: String,
    pub bytes: Vec<u8>,
    /// Ledgers only: the user's reading of the columns.
    pub mapping: Option<ColumnMapping>,
    /// The worksheet; the first one when `None`.
    pub sheet: Option<String>,
    pub dry_run: bool,
    /// `zh-CN` (default) or `en`: the language of every message in the report.
    pub locale: String,
    /// Ledgers only: the campaign (批次) of every matter whose row names none.
    pub campaign: Option<i64>,
    /// Ledgers only: the year of deadlines written without one ("6月30日前") when the title
    /// above the header names none.
    pub year: Option<i32>,
    /// Ledgers only: the day rows marked done (已完成) were completed; the import's day when
    /// not given.
    pub completed_on: Option<NaiveDate>,
}

impl ImportRequest {
    pub fn new(kind: ImportKind, filename: &str, bytes: Vec<u8>) -> ImportRequest {
        ImportRequest {
            kind,
            filename: filename.to_string(),
            bytes,
            mapping: None,
            sheet: None,
            dry_run: true,
            locale: "zh-CN".into(),
            campaign: None,
            year: None,
            completed_on: None,
        }
    }

    /// A workbook without a file name, for the shortcuts below.
    fn unnamed(kind: ImportKind, bytes: Vec<u8>, dry_run: bool, locale: &str) -> ImportRequest {
        ImportRequest {
            dry_run,
            locale: locale.to_string(),
            ..ImportRequest::new(kind, "", bytes)
        }
    }

    fn options(&self) -> ImportOptions {
        ImportOptions {
            sheet: self.sheet.clone().filter(|s| !s.trim().is_empty()),
            default_year: self.year,
            ..ImportOptions::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Skip,
    Error,
}

/// What happens to one row of the sheet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowPlan {
    /// 1-based, as Excel shows it.
    pub row: u32,
    /// The matter's name, the unit's name, or the person's account and name.
    pub title: String,
    /// The responsible unit (ledger), the parent (units) or the home unit (people), as its
    /// path of names once resolved, else as written.
    pub unit: String,
    pub action: RowAction,
    /// The problems of an `error` row; notes on the others.
    pub messages: Vec<String>,
    /// People only, after a real import: the generated initial password, shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl RowPlan {
    fn new(row: u32, title: &str, unit: &str) -> RowPlan {
        RowPlan {
            row,
            title: title.to_string(),
            unit: unit.to_string(),
            action: RowAction::Create,
            messages: Vec::new(),
            password: None,
        }
    }

    /// A problem: the row is in error, and its notes give way to the problems.
    fn problem(&mut self, message: String) {
        if self.action != RowAction::Error {
            self.messages.clear();
        }
        self.action = RowAction::Error;
        self.messages.push(message);
    }

    /// A note on a row that is not in error.
    fn note(&mut self, message: String) {
        if self.action != RowAction::Error {
            self.messages.push(message);
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub filename: String,
    pub dry_run: bool,
    /// Whether the import was carried out: false in a dry run and whenever there are problems.
    pub written: bool,
    /// Rows created (or, in a dry run or with problems, that would be).
    pub created: usize,
    /// Rows already there and left alone.
    pub skipped: usize,
    /// Rows with problems.
    pub errors: usize,
    pub rows: Vec<RowPlan>,
    /// Problems of the whole file (unreadable, missing columns, too large), not of one row.
    pub problems: Vec<String>,
    /// What applies to every row: the year taken for dates without one, the campaign chosen,
    /// the completion day of rows marked done.
    pub notes: Vec<String>,
    /// Ledgers: the unit names, as written, that name no unit (or several) within the
    /// importer's subtree; each can be mapped to a unit and the import checked again.
    pub unmatched_units: Vec<String>,
}

impl ImportReport {
    fn new(req: &ImportRequest) -> ImportReport {
        ImportReport {
            kind: req.kind,
            filename: req.filename.clone(),
            dry_run: req.dry_run,
            written: false,
            created: 0,
            skipped: 0,
            errors: 0,
            rows: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            unmatched_units: Vec::new(),
        }
    }

    /// The plan of a sheet row; rows are kept in sheet order.
    fn row_mut(&mut self, row: u32) -> Option<&mut RowPlan> {
        let i = self.rows.binary_search_by_key(&row, |r| r.row).ok()?;
        self.rows.get_mut(i)
    }

    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty() || self.rows.iter().any(|r| r.action == RowAction::Error)
    }

    /// Every problem, the whole file's first, then row by row in sheet order.
    pub fn all_problems(&self) -> Vec<String> {
        let mut out = self.problems.clone();
        for r in self.rows.iter().filter(|r| r.action == RowAction::Error) {
            out.extend(r.messages.iter().cloned());
        }
        out
    }

    /// Sorts the rows, counts them, and adds the problem of a sheet with nothing in it.
    fn finish(&mut self, locale: &str) {
        self.rows.sort_by_key(|r| r.row);
        let count = |a: RowAction| self.rows.iter().filter(|r| r.action == a).count();
        self.created = count(RowAction::Create);
        self.skipped = count(RowAction::Skip);
        self.errors = count(RowAction::Error);
        if self.rows.is_empty() && self.problems.is_empty() {
            self.problems.push(texts::no_rows(locale));
        }
    }
}

/// Where a long import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the workbook; no count is known.
    Parse,
    /// Looking up units, people and earlier imports, row by row.
    Resolve,
    /// Writing, row by row.
    Write,
}

pub trait ImportProgress: Send + Sync {
    fn start(&self, _phase: Phase, _total: u64) {}
    fn advance(&self, _n: u64) {}
}

/// For callers without a progress bar.
pub struct NoProgress;

impl ImportProgress for NoProgress {}

impl Services {
    /// Checks (and, unless `dry_run`, imports) a ledger.
    pub async fn import_ledger(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        mapping: Option<ColumnMapping>,
        dry_run: bool,
        locale: &str,
    ) -> ServiceResult<ImportReport> {
        let mut req = ImportRequest::unnamed(ImportKind::Ledger, bytes, dry_run, locale);
        req.mapping = mapping;
        self.run_import(actor, &req, &NoProgress).await
    }

    /// Checks (and, unless `dry_run`, imports) a unit list.
    pub async fn import_units(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        dry_run: bool,
        locale: &str,
    ) -> ServiceResult<ImportReport> {
        let req = ImportRequest::unnamed(ImportKind::Units, bytes, dry_run, locale);
        self.run_import(actor, &req, &NoProgress).await
    }

    /// Checks (and, unless `dry_run`, imports) a people list.
    pub async fn import_people(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        dry_run: bool,
        locale: &str,
    ) -> ServiceResult<ImportReport> {
        let req = ImportRequest::unnamed(ImportKind::People, bytes, dry_run, locale);
        self.run_import(actor, &req, &NoProgress).await
    }

    /// Whether the actor may import this kind at all: ledgers take a unit admin or system
    /// admin somewhere, units and people a system admin.
    pub fn may_import(actor: &Actor, kind: ImportKind) -> bool {
        match kind {
            ImportKind::Ledger => actor.can_manage_any(),
            ImportKind::Units | ImportKind::People => !actor.admin_roots().is_empty(),
        }
    }

    /// The one entry of the pages and the CLI.
    pub async fn run_import(
        &self,
        actor: &Actor,
        req: &ImportRequest,
        progress: &dyn ImportProgress,
    ) -> ServiceResult<ImportReport> {
        if !Services::may_import(actor, req.kind) {
            return Err(ServiceError::Forbidden("import.not_allowed".into()));
        }
        if req.kind == ImportKind::Ledger {
            self.check_ledger_options(actor, req).await?;
        }
        let mut report = ImportReport::new(req);
        if req.bytes.len() > MAX_IMPORT_BYTES {
            report
                .problems
                .push(texts::too_large(&req.locale, req.bytes.len()));
            return Ok(report);
        }
        match req.kind {
            ImportKind::Ledger => {
                self.ledger_import(actor, req, progress, &mut report)
                    .await?
            }
            ImportKind::Units => self.units_import(actor, req, progress, &mut report).await?,
            ImportKind::People => {
                self.people_import(actor, req, progress, &mut report)
                    .await?
            }
        }
        Ok(report)
    }
}

impl Services {
    /// The campaign must be one the actor sees (else it is not found), the year a year of
    /// this century, the completion day not after today.
    async fn check_ledger_options(&self, actor: &Actor, req: &ImportRequest) -> ServiceResult<()> {
        if let Some(id) = req.campaign {
            self.campaign(actor, id).await?;
        }
        let mut errors = Vec::new();
        if req.year.is_some_and(|y| !(2000..=2099).contains(&y)) {
            errors.push(FieldError::with("year", "error.range", "2000–2099"));
        }
        if req.completed_on.is_some_and(|d| d > self.clock.today()) {
            errors.push(FieldError::new("completed_on", "error.date_future"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(errors))
        }
    }
}

/// Runs the workbook reader on the blocking pool. A file that cannot be read at all is one
/// problem of the whole file, and `None`.
async fn parse<T: Send + 'static>(
    req: &ImportRequest,
    report: &mut ImportReport,
    read: impl FnOnce(&[u8], &ImportOptions) -> Result<T, ImportError> + Send + 'static,
) -> ServiceResult<Option<T>> {
    let bytes = req.bytes.clone();
    let options = req.options();
    let read = tokio::task::spawn_blocking(move || read(&bytes, &options))
        .await
        .map_err(|e| ServiceError::Internal(format!("reading the workbook: {e}")))?;
    match read {
        Ok(parsed) => Ok(Some(parsed)),
        Err(e) => {
            tracing::info!(kind = req.kind.code(), error = ?e, "an imported workbook cannot be read");
            report.problems.push(e.message(&req.locale));
            Ok(None)
        }
    }
}

/// Where a problem is, in the reader's form ("第 5 行 C 列（责任单位）："), with the column the
/// reader found the field in.
fn place(columns: &[ColumnInfo], locale: &str, row: u32, field: Field) -> String {
    let column = columns
        .iter()
        .find(|c| c.field == Some(field))
        .map_or("", |c| c.column.as_str());
    texts::at(locale, row, column, field)
}

/// A duplicate key met while writing: someone imported the same rows, or took the same
/// account, since the check; nothing is written and the import may simply run again.
fn changed_meanwhile(e: shishi_store::StoreError) -> ServiceError {
    match e {
        shishi_store::StoreError::Duplicate(_) => {
            ServiceError::Conflict("import.changed_meanwhile".into())
        }
        other => other.into(),
    }
}

/// Cell problems of the reader go to their row, or to the whole file when no row of data is
/// there (a missing column is found at the header).
fn place_cell_problems(
    report: &mut ImportReport,
    problems: &[shishi_report::import::CellProblem],
    locale: &str,
) {
    for p in problems {
        let message = p.message(locale);
        match report.row_mut(p.row) {
            Some(row) => row.problem(message),
            None => report.problems.push(message),
        }
    }
}
