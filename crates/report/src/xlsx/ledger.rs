//! The ledger (台账) export in the layout users keep by hand: a title, a line saying what was
//! exported and when, then one row per matter with the five determinations (责任单位, 责任人,
//! 工作措施, 完成时限, 验收标准), the original deadline when it was extended, the supervisor,
//! the campaign (批次) and its progress. The headers are those the import recognises, so an
//! exported ledger reads back column by column.
//!
//! A group-wide ledger can run to a hundred thousand rows, so the sheet is written in
//! rust_xlsxwriter's constant-memory mode: each row is flushed to a temporary file as soon as
//! the next one starts, and the zip is assembled from that file at the end. The price is that
//! rows go out strictly in order and nothing can be revisited, which suits a push API.

use std::borrow::Borrow;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{ColNum, Format, RowNum, Workbook, Worksheet};

use super::{Result, style};

/// Captions of the ledger columns, in the caller's language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerHeaders {
    /// 序号
    pub seq: String,
    /// 事项名称
    pub title: String,
    /// 责任单位
    pub unit: String,
    /// 责任人
    pub person: String,
    /// 工作措施
    pub measures: String,
    /// 完成时限
    pub deadline: String,
    /// 原定完成时限
    pub original_deadline: String,
    /// 验收标准
    pub acceptance_standard: String,
    /// 督导责任人
    pub supervisor: String,
    /// 批次
    pub campaign: String,
    /// 进展情况
    pub progress: String,
    /// 完成状态
    pub status: String,
    /// 备注
    pub remarks: String,
}

impl LedgerHeaders {
    fn in_order(&self) -> [&str; COLUMNS] {
        [
            &self.seq,
            &self.title,
            &self.unit,
            &self.person,
            &self.measures,
            &self.deadline,
            &self.original_deadline,
            &self.acceptance_standard,
            &self.supervisor,
            &self.campaign,
            &self.progress,
            &self.status,
            &self.remarks,
        ]
    }
}

/// Everything above the first matter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerLayout {
    /// The tab name, e.g. 台账.
    pub sheet_name: String,
    /// Merged across the table, e.g. 我为群众办实事项目台账.
    pub title: String,
    /// The scope and export time, e.g. 范围：某某集团    导出时间 2026-11-21 14:05.
    pub subtitle: String,
    pub headers: LedgerHeaders,
}

/// One matter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerRow {
    pub seq: u32,
    /// 0 for a matter, 1 and more for the child matters it was decomposed into (拉条挂账);
    /// indents the title so the breakdown reads as a tree.
    pub depth: u8,
    pub title: String,
    pub unit: String,
    pub person: String,
    pub measures: String,
    pub deadline: Option<NaiveDate>,
    /// The deadline first agreed, when extensions (延期) moved it; `None` otherwise.
    pub original_deadline: Option<NaiveDate>,
    pub acceptance_standard: String,
    /// 督导责任人
    pub supervisor: String,
    /// 批次: the campaign's name.
    pub campaign: String,
    pub progress: String,
    pub status: String,
    pub remarks: String,
    /// Past its deadline and not done (超期): the deadline cell turns light red.
    pub overdue: bool,
}

const COLUMNS: usize = 13;
const LAST_COL: ColNum = (COLUMNS - 1) as ColNum;
const TITLE_ROW: RowNum = 0;
const SUBTITLE_ROW: RowNum = 1;
const HEADER_ROW: RowNum = 2;
const FIRST_DATA_ROW: RowNum = 3;

const COL_SEQ: ColNum = 0;
const COL_TITLE: ColNum = 1;
const COL_DEADLINE: ColNum = 5;
const COL_ORIGINAL_DEADLINE: ColNum = 6;

/// The free-text columns are wide and wrap, the rest fit a name, a date or a status;
/// the sum (≈230) still prints legibly when fitted to one landscape A4 page.
const WIDTHS: [f64; COLUMNS] = [
    6.0, 32.0, 14.0, 10.0, 34.0, 12.0, 12.0, 24.0, 10.0, 14.0, 34.0, 11.0, 16.0,
];
const WRAPPED: [bool; COLUMNS] = [
    false, true, true, false, true, false, false, true, false, true, true, false, true,
];

/// Child matters deeper than this keep the deepest indent; the tree is rarely deeper.
const MAX_INDENT: usize = 4;

/// Rows whose height is set from an estimate of their wrapped text. Excel sizes rows without a
/// stored height itself when it opens the file, but LibreOffice does not, and would print
/// wrapped text spilling over the next row. rust_xlsxwriter keeps every set height in memory
/// (about half a kilobyte a row, even in constant-memory mode), so only the first rows get
/// one: that covers every ledger anyone prints and caps the cost at about 10 MB; rows past the
/// cap are left to the spreadsheet program.
const FITTED_ROWS: u32 = 20_000;

struct Formats {
    seq: Format,
    /// Title cell format by depth.
    titles: Vec<Format>,
    text: Format,
    wrapped: Format,
    date: Format,
    date_overdue: Format,
    text_overdue: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            seq: style::centered().set_num_format("0"),
            titles: (0..=MAX_INDENT)
                .map(|depth| style::wrapped().set_indent(depth as u8))
                .collect(),
            text: style::centered(),
            wrapped: style::wrapped(),
            date: style::date(),
            date_overdue: style::alert(style::date()),
            text_overdue: style::alert(style::centered()),
        }
    }
}

/// Streams a ledger into a workbook row by row.
///
/// Memory stays flat however many rows are pushed (about 20 MB measured at 100k and 300k
/// rows): only the current row is held, earlier ones are in a temporary file in the system
/// temp dir (or the one given to [`LedgerWriter::with_tempdir`]) until
/// [`finish`](LedgerWriter::finish) zips them, and the row heights kept in memory are capped
/// (see `FITTED_ROWS`).
pub struct LedgerWriter {
    workbook: Workbook,
    sheet: Worksheet,
    formats: Formats,
    next_row: RowNum,
}

impl LedgerWriter {
    /// Starts a ledger with its temporary file in [`std::env::temp_dir`].
    pub fn new(layout: &LedgerLayout) -> Result<Self> {
        Self::start(Workbook::new(), layout)
    }

    /// Starts a ledger with its temporary file in `dir`, for hosts whose temp dir is a small
    /// tmpfs (which would put the rows back in memory).
    pub fn with_tempdir(layout: &LedgerLayout, dir: impl AsRef<Path>) -> Result<Self> {
        let mut workbook = Workbook::new();
        workbook.set_tempdir(dir.as_ref())?;
        Self::start(workbook, layout)
    }

    fn start(mut workbook: Workbook, layout: &LedgerLayout) -> Result<Self> {
        let mut sheet = workbook.new_worksheet_with_constant_memory()?;
        sheet.set_name(style::SheetNames::default().claim(&layout.sheet_name))?;

        // Column widths and page setup are sheet metadata, kept in memory and written at the
        // end, so they can be set before any row.
        for (col, width) in WIDTHS.iter().enumerate() {
            sheet.set_column_width(col as ColNum, *width)?;
        }
        sheet.set_landscape();
        sheet.set_paper_size(style::PAPER_A4);
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        sheet.set_footer(style::PAGE_FOOTER);
        sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
        sheet.set_print_center_horizontally(true);
        sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;

        // Row heights must be set before a row is flushed.
        sheet.set_row_height(TITLE_ROW, 30)?;
        style::merge(
            &mut sheet,
            TITLE_ROW,
            0,
            TITLE_ROW,
            LAST_COL,
            &layout.title,
            &style::title(),
        )?;
        sheet.set_row_height(SUBTITLE_ROW, 20)?;
        style::merge(
            &mut sheet,
            SUBTITLE_ROW,
            0,
            SUBTITLE_ROW,
            LAST_COL,
            &layout.subtitle,
            &style::subtitle(),
        )?;
        let header_lines = layout
            .headers
            .in_order()
            .iter()
            .zip(WIDTHS)
            .map(|(caption, width)| style::wrapped_lines(caption, width))
            .max()
            .unwrap_or(1);
        sheet.set_row_height(HEADER_ROW, style::lines_height(header_lines).max(24.0))?;
        let header = style::header();
        for (col, caption) in layout.headers.in_order().into_iter().enumerate() {
            style::write_text(&mut sheet, HEADER_ROW, col as ColNum, caption, &header)?;
        }

        Ok(LedgerWriter {
            workbook,
            sheet,
            formats: Formats::new(),
            next_row: FIRST_DATA_ROW,
        })
    }

    /// Appends one matter below the previous one.
    pub fn push(&mut self, row: &LedgerRow) -> Result<()> {
        let r = self.next_row;
        let f = &self.formats;
        let sheet = &mut self.sheet;
        let depth = usize::from(row.depth).min(MAX_INDENT);
        let texts = [
            (COL_TITLE, &row.title),
            (2, &row.unit),
            (3, &row.person),
            (4, &row.measures),
            (7, &row.acceptance_standard),
            (8, &row.supervisor),
            (9, &row.campaign),
            (10, &row.progress),
            (11, &row.status),
            (12, &row.remarks),
        ];

        // In constant-memory mode a row's height has to be known before its first cell.
        if self.next_row - FIRST_DATA_ROW < FITTED_ROWS {
            let lines = texts
                .iter()
                .filter(|(col, _)| WRAPPED[usize::from(*col)])
                .map(|(col, text)| {
                    let indent = if *col == COL_TITLE {
                        depth as f64 * style::INDENT_WIDTH
                    } else {
                        0.0
                    };
                    style::wrapped_lines(text, (WIDTHS[usize::from(*col)] - indent).max(4.0))
                })
                .max()
                .unwrap_or(1);
            if lines > 1 {
                sheet.set_row_height(r, style::lines_height(lines))?;
            }
        }

        sheet.write_number_with_format(r, COL_SEQ, f64::from(row.seq), &f.seq)?;
        for (col, text) in texts {
            let format = if col == COL_TITLE {
                &f.titles[depth]
            } else if WRAPPED[usize::from(col)] {
                &f.wrapped
            } else {
                &f.text
            };
            style::write_text(sheet, r, col, text, format)?;
        }

        let (date_format, text_format) = if row.overdue {
            (&f.date_overdue, &f.text_overdue)
        } else {
            (&f.date, &f.text)
        };
        write_date(
            sheet,
            r,
            COL_DEADLINE,
            row.deadline,
            date_format,
            text_format,
        )?;
        write_date(
            sheet,
            r,
            COL_ORIGINAL_DEADLINE,
            row.original_deadline,
            &f.date,
            &f.text,
        )?;

        self.next_row += 1;
        Ok(())
    }

    /// How many matters have been pushed.
    pub fn rows(&self) -> u32 {
        self.next_row - FIRST_DATA_ROW
    }

    /// Closes the ledger and returns the workbook bytes. The compressed file is held in memory;
    /// prefer [`finish_to_path`](Self::finish_to_path) or
    /// [`finish_to_writer`](Self::finish_to_writer) for very large ledgers.
    pub fn finish(self) -> Result<Vec<u8>> {
        Ok(self.close()?.save_to_buffer()?)
    }

    /// Closes the ledger and writes it to `path`.
    pub fn finish_to_path(self, path: impl AsRef<Path>) -> Result<()> {
        Ok(self.close()?.save(path.as_ref())?)
    }

    /// Closes the ledger and streams the zip into `out`.
    pub fn finish_to_writer<W: Write + Send>(self, out: W) -> Result<()> {
        Ok(self.close()?.save_to_writer(out)?)
    }

    fn close(self) -> Result<Workbook> {
        let LedgerWriter {
            mut workbook,
            mut sheet,
            next_row,
            ..
        } = self;
        // The filter range has to cover the data, which is only known now; it is metadata
        // written after the rows, so setting it late is fine in constant-memory mode.
        let last_row = next_row.saturating_sub(1).max(HEADER_ROW);
        sheet.autofilter(HEADER_ROW, 0, last_row, LAST_COL)?;
        workbook.push_worksheet(sheet);
        Ok(workbook)
    }
}

/// A real date cell, or the ISO text of a date Excel cannot show, or a blank.
fn write_date(
    sheet: &mut Worksheet,
    r: RowNum,
    col: ColNum,
    date: Option<NaiveDate>,
    date_format: &Format,
    text_format: &Format,
) -> Result<()> {
    match date {
        Some(date) => match style::excel_date(date) {
            Some(date) => {
                sheet.write_datetime_with_format(r, col, date, date_format)?;
            }
            None => {
                let iso = date.format("%Y-%m-%d").to_string();
                sheet.write_string_with_format(r, col, iso, text_format)?;
            }
        },
        None => {
            sheet.write_blank(r, col, text_format)?;
        }
    }
    Ok(())
}

/// Writes a whole ledger from an iterator of rows (owned or borrowed) and returns the bytes.
pub fn write_ledger<I>(layout: &LedgerLayout, rows: I) -> Result<Vec<u8>>
where
    I: IntoIterator,
    I::Item: Borrow<LedgerRow>,
{
    let mut writer = LedgerWriter::new(layout)?;
    for row in rows {
        writer.push(row.borrow())?;
    }
    writer.finish()
}
