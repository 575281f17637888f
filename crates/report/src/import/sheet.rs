//! Opening a workbook from bytes and holding one worksheet as sparse cells plus its merged
//! regions.
//!
//! xlsx is streamed cell by cell (values and formulas in one pass) into a sparse list, because
//! calamine's dense `Range` allocates width × height and one stray cell at XFD1048576 would ask
//! for billions of slots. xls and ods go through calamine's own readers, which cap their size.

use std::collections::HashMap;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{
    Data, DataRef, Dimensions, Ods, Reader, Sheets, Xls, Xlsb, Xlsx, XlsxError, XlsxFormulaMetadata,
};
use chrono::{NaiveDate, NaiveDateTime};

use super::{ImportError, MAX_CELLS, MAX_COLUMNS};

/// The most (region, column) pairs kept for merged-region lookups. A real ledger has a few
/// hundred merges over a few dozen columns; beyond this the file is treated as too large.
const MAX_MERGE_SLOTS: usize = 4_000_000;

/// One cell's content as the import understands it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
    /// A date-formatted number that is no calendar date (a time of day or a duration), kept as
    /// the number so that the message can show something.
    Time(f64),
    Error(String),
    Uncalculated(String),
}

#[derive(Debug)]
struct Cell {
    row: u32,
    col: u32,
    value: Value,
}

/// One worksheet, rows and columns 0-based.
#[derive(Debug)]
pub(crate) struct Grid {
    pub sheet: String,
    pub is_1904: bool,
    /// Sorted by (row, col), at most one per position.
    cells: Vec<Cell>,
    /// (row, first index into `cells`, end index), one per row that has cells, sorted by row.
    rows: Vec<(u32, usize, usize)>,
    regions: Vec<Dimensions>,
    /// For each column, the merged regions covering it as (first row, last row, region index),
    /// sorted by first row.
    by_col: HashMap<u32, Vec<(u32, u32, usize)>>,
}

/// A value as it reads at a position: its own, or the value of the merged region covering it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen<'a> {
    pub value: &'a Value,
    /// Set when the value was filled in from a merged region's top-left cell.
    pub from_region: Option<usize>,
}

pub(crate) fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    guarded(|| Ok(open(bytes)?.names()))
}

pub(crate) fn load(bytes: &[u8], sheet: Option<&str>) -> Result<Grid, ImportError> {
    guarded(|| {
        let mut book = open(bytes)?;
        let names = book.names();
        let name = match sheet {
            Some(wanted) => names
                .iter()
                .find(|n| n.as_str() == wanted)
                .or_else(|| names.iter().find(|n| n.trim() == wanted.trim()))
                .cloned()
                .ok_or_else(|| ImportError::SheetNotFound {
                    name: wanted.to_string(),
                    available: names.clone(),
                })?,
            None => names.first().cloned().ok_or(ImportError::NoWorksheet)?,
        };
        book.read(name)
    })
}

/// calamine parses hostile input with a lot of third-party code (zip, XML, CFB); if any of it
/// panics the caller still gets an error about the file instead of a crashed request.
fn guarded<T>(f: impl FnOnce() -> Result<T, ImportError>) -> Result<T, ImportError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(ImportError::Corrupt {
            detail: "the spreadsheet reader stopped on malformed content".into(),
        })
    })
}

type Bytes<'a> = Cursor<&'a [u8]>;

enum Book<'a> {
    Xlsx(Box<Xlsx<Bytes<'a>>>),
    Other(Box<Sheets<Bytes<'a>>>),
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn open(bytes: &[u8]) -> Result<Book<'_>, ImportError> {
    let is_zip = bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC);
    let is_ole = bytes.starts_with(OLE_MAGIC);
    if !is_zip && !is_ole {
        return Err(ImportError::NotASpreadsheet);
    }
    if is_zip {
        precheck_zip(bytes)?;
    }
    // An encrypted xlsx is an OLE container too, and only the xlsx reader says "password".
    let xlsx_error = match Xlsx::new(Cursor::new(bytes)) {
        Ok(book) if is_zip => return Ok(Book::Xlsx(Box::new(book))),
        Ok(_) => None,
        Err(XlsxError::Password) => return Err(ImportError::PasswordProtected),
        Err(e) => Some(e),
    };
    if is_ole {
        return match Xls::new(Cursor::new(bytes)) {
            Ok(book) => Ok(Book::Other(Box::new(Sheets::Xls(book)))),
            Err(calamine::XlsError::Password) => Err(ImportError::PasswordProtected),
            Err(e) => Err(ImportError::Corrupt {
                detail: e.to_string(),
            }),
        };
    }
    if let Ok(book) = Xlsb::new(Cursor::new(bytes)) {
        return Ok(Book::Other(Box::new(Sheets::Xlsb(book))));
    }
    match Ods::new(Cursor::new(bytes)) {
        Ok(book) => Ok(Book::Other(Box::new(Sheets::Ods(book)))),
        Err(calamine::OdsError::Password) => Err(ImportError::PasswordProtected),
        Err(ods_error) => match xlsx_error {
            // A zip that is neither workbook (a .docx, a folder of photos) is the wrong file,
            // not a damaged one.
            Some(XlsxError::FileNotFound(_))
                if matches!(ods_error, calamine::OdsError::FileNotFound(_)) =>
            {
                Err(ImportError::NotASpreadsheet)
            }
            Some(e) => Err(ImportError::Corrupt {
                detail: e.to_string(),
            }),
            None => Err(ImportError::Corrupt {
                detail: ods_error.to_string(),
            }),
        },
    }
}

/// Unpacked size the entries of a workbook may declare in total.
const MAX_UNPACKED_BYTES: u64 = 2 << 30;
/// Distinct texts a workbook may declare; far above what [`MAX_CELLS`] cells can use.
const MAX_SHARED_STRINGS: u64 = 20_000_000;

/// calamine reserves memory for the number of shared strings a workbook declares before
/// reading any of them, so a one-kilobyte file declaring ten thousand billion strings would
/// abort the process (an allocation failure is no panic and cannot be caught). The declaration
/// is read here first, as are the sizes of the parts, which bound a zip bomb as far as the
/// archive admits it.
fn precheck_zip(bytes: &[u8]) -> Result<(), ImportError> {
    use std::io::Read;
    let too_large = ImportError::TooLarge {
        limit_mb: MAX_UNPACKED_BYTES >> 20,
    };
    // A zip the zip reader refuses is reported by calamine, with its own words.
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let string_tables: Vec<usize> = archive
        .file_names_raw()
        .enumerate()
        .filter(|(_, name)| name.to_ascii_lowercase().ends_with(b"sharedstrings.xml"))
        .map(|(i, _)| i)
        .collect();
    let mut total = 0u64;
    for i in 0..archive.len() {
        if let Ok(entry) = archive.by_index_raw(i) {
            total = total.saturating_add(entry.size());
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(too_large);
    }
    for i in string_tables {
        let Ok(entry) = archive.by_index(i) else {
            continue;
        };
        let mut head = Vec::new();
        // The count sits in the opening <sst> tag; a damaged stream is calamine's to report.
        let _ = entry.take(64 * 1024).read_to_end(&mut head);
        if declared_count(&head, b"uniqueCount").is_some_and(|n| n > MAX_SHARED_STRINGS) {
            return Err(too_large);
        }
    }
    Ok(())
}

/// The number in `name="123"` (or single quotes) at its first occurrence; saturating, so an
/// absurd count reads as huge rather than failing to parse.
fn declared_count(xml: &[u8], name: &[u8]) -> Option<u64> {
    let at = xml.windows(name.len()).position(|w| w == name)?;
    let rest = xml.get(at + name.len()..)?;
    let rest = rest.strip_prefix(b"=")?;
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))?;
    let digits: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

fn corrupt(e: impl std::fmt::Display) -> ImportError {
    ImportError::Corrupt {
        detail: e.to_string(),
    }
}

impl Book<'_> {
    fn names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Other(b) => b.sheet_names(),
        }
    }

    fn read(&mut self, name: String) -> Result<Grid, ImportError> {
        let mut cells = Vec::new();
        let (regions, is_1904) = match self {
            Book::Xlsx(book) => {
                let is_1904 = book.has_1904_epoch();
                {
                    // The metadata variant, because the expanding one sizes a vector by the
                    // shared-formula index the file declares (si="4000000000" aborts the
                    // process); anchors are kept here by index instead.
                    let mut shared: HashMap<usize, (String, (u32, u32))> = HashMap::new();
                    let mut reader = book.worksheet_cells_reader(&name).map_err(corrupt)?;
                    while let Some(cell) =
                        reader.next_cell_with_formula_metadata().map_err(corrupt)?
                    {
                        let (row, col) = cell.pos;
                        let formula = match cell.formula {
                            Some(XlsxFormulaMetadata::Normal { formula }) => Some(formula),
                            Some(XlsxFormulaMetadata::Shared {
                                shared_index,
                                range,
                                formula,
                            }) => {
                                let anchor = range.map_or(cell.pos, |d| d.start);
                                shared.insert(shared_index, (formula.clone(), anchor));
                                Some(formula)
                            }
                            Some(XlsxFormulaMetadata::SharedDerived { shared_index }) => {
                                shared.get(&shared_index).map(|(f, anchor)| {
                                    calamine::expand_shared_formula(f, *anchor, cell.pos)
                                        .unwrap_or_else(|_| f.clone())
                                })
                            }
                            _ => None,
                        };
                        let value = match value_of_ref(cell.value) {
                            Some(v) => v,
                            None => match formula {
                                Some(f) if !f.trim().is_empty() => Value::Uncalculated(f),
                                _ => continue,
                            },
                        };
                        push(&mut cells, row, col, value)?;
                    }
                }
                (
                    book.merge_cells_by_sheet_name(&name).map_err(corrupt)?,
                    is_1904,
                )
            }
            Book::Other(book) => {
                let range = book.worksheet_range(&name).map_err(corrupt)?;
                // Formulas only tell which empty cells lack a cached result; a reader that
                // cannot list them (xls formulas it does not decode) costs only that check.
                let formulas = book.worksheet_formula(&name).ok();
                let (row0, col0) = range.start().unwrap_or((0, 0));
                for (r, c, data) in range.used_cells() {
                    let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
                        continue;
                    };
                    let (row, col) = (row0.saturating_add(r), col0.saturating_add(c));
                    if let Some(v) = value_of(data) {
                        push(&mut cells, row, col, v)?;
                    }
                }
                if let Some(formulas) = formulas {
                    let (frow0, fcol0) = formulas.start().unwrap_or((0, 0));
                    for (r, c, f) in formulas.used_cells() {
                        let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
                            continue;
                        };
                        let (row, col) = (frow0.saturating_add(r), fcol0.saturating_add(c));
                        let empty = range
                            .get_value((row, col))
                            .is_none_or(|d| value_of(d).is_none());
                        if empty && !f.trim().is_empty() {
                            push(&mut cells, row, col, Value::Uncalculated(f.clone()))?;
                        }
                    }
                }
                let regions = match book.as_mut() {
                    Sheets::Xls(xls) => xls.merge_cells_by_sheet_name(&name).unwrap_or_default(),
                    // calamine does not report merged regions for ods and xlsb.
                    _ => Vec::new(),
                };
                (regions, false)
            }
        };
        Grid::new(name, cells, regions, is_1904)
    }
}

fn push(cells: &mut Vec<Cell>, row: u32, col: u32, value: Value) -> Result<(), ImportError> {
    if col >= MAX_COLUMNS {
        return Ok(());
    }
    if cells.len() >= MAX_CELLS {
        return Err(ImportError::TooManyCells { limit: MAX_CELLS });
    }
    cells.push(Cell { row, col, value });
    Ok(())
}

fn text_value(s: &str) -> Option<Value> {
    if s.is_empty() {
        None
    } else {
        Some(Value::Text(s.to_string()))
    }
}

fn date_value(dt: &calamine::ExcelDateTime) -> Value {
    match dt.as_datetime() {
        Some(v) if dt.is_datetime() && dt.as_f64() >= 1.0 => Value::DateTime(v),
        _ => Value::Time(dt.as_f64()),
    }
}

/// ods and `t="d"` cells carry ISO text; it becomes a date when it is one.
fn iso_value(s: &str) -> Option<Value> {
    let t = s.trim();
    if let Ok(d) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(Value::DateTime(d));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(Value::DateTime(d.and_time(chrono::NaiveTime::MIN)));
    }
    text_value(s)
}

fn value_of_ref(d: DataRef<'_>) -> Option<Value> {
    match d {
        DataRef::Int(i) => Some(Value::Int(i)),
        DataRef::Float(f) => Some(Value::Float(f)),
        DataRef::String(s) => text_value(&s),
        DataRef::SharedString(s) => text_value(s),
        DataRef::Bool(b) => Some(Value::Bool(b)),
        DataRef::DateTime(dt) => Some(date_value(&dt)),
        DataRef::DateTimeIso(s) => iso_value(&s),
        DataRef::DurationIso(s) => text_value(&s),
        DataRef::Error(e) => Some(Value::Error(e.to_string())),
        DataRef::Empty => None,
    }
}

fn value_of(d: &Data) -> Option<Value> {
    match d {
        Data::Int(i) => Some(Value::Int(*i)),
        Data::Float(f) => Some(Value::Float(*f)),
        Data::String(s) => text_value(s),
        Data::Bool(b) => Some(Value::Bool(*b)),
        Data::DateTime(dt) => Some(date_value(dt)),
        Data::DateTimeIso(s) => iso_value(s),
        Data::DurationIso(s) => text_value(s),
        Data::Error(e) => Some(Value::Error(e.to_string())),
        Data::Empty => None,
    }
}

impl Grid {
    fn new(
        sheet: String,
        mut cells: Vec<Cell>,
        regions: Vec<Dimensions>,
        is_1904: bool,
    ) -> Result<Grid, ImportError> {
        // Stable, so that of two cells claiming one position the first written wins.
        cells.sort_by_key(|c| (c.row, c.col));
        cells.dedup_by(|later, earlier| later.row == earlier.row && later.col == earlier.col);
        let mut rows: Vec<(u32, usize, usize)> = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            match rows.last_mut() {
                Some(last) if last.0 == cell.row => last.2 = i + 1,
                _ => rows.push((cell.row, i, i + 1)),
            }
        }
        let mut kept = Vec::new();
        let mut by_col: HashMap<u32, Vec<(u32, u32, usize)>> = HashMap::new();
        let mut slots = 0usize;
        for d in regions {
            let (r0, c0) = d.start;
            let (r1, c1) = d.end;
            if r1 < r0 || c1 < c0 || (r0 == r1 && c0 == c1) || c0 >= MAX_COLUMNS {
                continue;
            }
            let index = kept.len();
            kept.push(d);
            for col in c0..=c1.min(MAX_COLUMNS - 1) {
                slots += 1;
                if slots > MAX_MERGE_SLOTS {
                    return Err(ImportError::TooManyCells {
                        limit: MAX_MERGE_SLOTS,
                    });
                }
                by_col.entry(col).or_default().push((r0, r1, index));
            }
        }
        for list in by_col.values_mut() {
            list.sort_unstable();
        }
        Ok(Grid {
            sheet,
            is_1904,
            cells,
            rows,
            regions: kept,
            by_col,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Rows that have at least one cell of their own, in order, with those cells as
    /// (column, value).
    pub fn rows(&self) -> impl Iterator<Item = (u32, impl Iterator<Item = (u32, &Value)>)> {
        self.rows.iter().map(|&(row, start, end)| {
            let cells = self.cells.get(start..end).unwrap_or_default();
            (row, cells.iter().map(|c| (c.col, &c.value)))
        })
    }

    /// Number of rows with cells of their own after `row`.
    pub fn rows_after(&self, row: Option<u32>) -> usize {
        match row {
            None => self.rows.len(),
            Some(row) => {
                let first = self.rows.partition_point(|r| {
                    tick();
                    r.0 <= row
                });
                self.rows.len().saturating_sub(first)
            }
        }
    }

    pub fn own(&self, row: u32, col: u32) -> Option<&Value> {
        let i = self.rows.partition_point(|r| {
            tick();
            r.0 < row
        });
        let &(found, start, end) = self.rows.get(i)?;
        if found != row {
            return None;
        }
        let cells = self.cells.get(start..end)?;
        let j = cells.partition_point(|c| {
            tick();
            c.col < col
        });
        cells.get(j).filter(|c| c.col == col).map(|c| &c.value)
    }

    pub fn region_at(&self, row: u32, col: u32) -> Option<usize> {
        let list = self.by_col.get(&col)?;
        let i = list.partition_point(|e| {
            tick();
            e.0 <= row
        });
        let &(_, r1, index) = list.get(i.checked_sub(1)?)?;
        (row <= r1).then_some(index)
    }

    pub fn region(&self, index: usize) -> Option<&Dimensions> {
        self.regions.get(index)
    }

    /// The value a reader of the sheet sees at a position: a merged region shows its top-left
    /// value in every cell it covers.
    pub fn get(&self, row: u32, col: u32) -> Option<Seen<'_>> {
        if let Some(index) = self.region_at(row, col) {
            let d = self.regions.get(index)?;
            if d.start != (row, col) {
                return self.own(d.start.0, d.start.1).map(|value| Seen {
                    value,
                    from_region: Some(index),
                });
            }
        }
        self.own(row, col).map(|value| Seen {
            value,
            from_region: None,
        })
    }

    /// The value of a data cell: its own, or that of a region merged down over it from the same
    /// column. A cell hidden under the right-hand part of a merge reads as empty: a matter name
    /// merged across the unit column is not that matter's unit.
    pub fn get_down(&self, row: u32, col: u32) -> Option<&Value> {
        if let Some(index) = self.region_at(row, col) {
            let d = self.regions.get(index)?;
            if d.start.1 != col {
                return None;
            }
            return self.own(d.start.0, col);
        }
        self.own(row, col)
    }

    /// Every non-empty position of a row as it reads, own cells and merged fill, by column.
    pub fn row_as_seen(&self, row: u32) -> Vec<(u32, Seen<'_>)> {
        let mut cols: Vec<u32> = Vec::new();
        let i = self.rows.partition_point(|r| r.0 < row);
        if let Some(&(found, start, end)) = self.rows.get(i)
            && found == row
        {
            cols.extend(
                self.cells
                    .get(start..end)
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.col),
            );
        }
        for d in &self.regions {
            tick();
            if d.start.0 <= row && row <= d.end.0 {
                cols.extend(d.start.1..=d.end.1.min(MAX_COLUMNS - 1));
            }
        }
        cols.sort_unstable();
        cols.dedup();
        cols.into_iter()
            .filter_map(|c| self.get(row, c).map(|seen| (c, seen)))
            .collect()
    }
}

#[cfg(test)]
thread_local! {
    /// Counts lookup steps so that a test can show the import is not quadratic without timing.
    pub(crate) static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[inline]
fn tick() {
    #[cfg(test)]
    WORK.with(|w| w.set(w.get() + 1));
}

/// Excel column letters of a 0-based column index: 0 → "A", 27 → "AB".
pub(crate) fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The 0-based column of Excel letters such as "C" or "ab"; `None` when it is not 1 to 3
/// letters within XFD.
pub(crate) fn parse_column_letters(text: &str) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() || t.len() > 3 || !t.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut n: u32 = 0;
    for b in t.bytes() {
        n = n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    // XFD is the last column Excel has.
    (n <= 16_384).then(|| n - 1)
}
