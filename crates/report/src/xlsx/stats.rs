//! The weekly table (周统计表), the monthly figures and the narrative that goes with them.
//!
//! A statistics table is a tree flattened into rows: the group, each subsidiary with its
//! subtotal, each subsidiary's units. The depth becomes both an indent (so a printout reads as
//! a tree) and an Excel outline level (so a reader can collapse a subsidiary's units).

use rust_xlsxwriter::{ColNum, Format, FormatAlign, RowNum, Worksheet};

use super::{Column, ExportError, Note, Result, Value, style};

/// A header spanning several value columns, e.g. 完成情况 over 已完成 / 推进中 / 完成率.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeaderGroup {
    pub header: String,
    /// Index of the first value column it spans (0 is the first column after the label).
    pub first: usize,
    pub span: usize,
}

/// One line of a statistics table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsRow {
    pub label: String,
    /// 0 for the top (合计 or the group), 1 for subsidiaries, 2 for their units, …
    pub depth: u8,
    /// A total or subtotal line: bold on a light fill.
    pub subtotal: bool,
    /// One per value column.
    pub values: Vec<Value>,
}

/// A statistics table on its own sheet, with optional notes underneath.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsSheet {
    /// The tab name.
    pub name: String,
    /// Merged across the table, e.g. 我为群众办实事周统计表.
    pub title: String,
    /// The period and scope, e.g. 2026年第47周（11月16日—11月22日）.
    pub subtitle: String,
    /// Header of the first column, which holds the row labels (单位).
    pub label_header: String,
    /// Width of the label column; `0.0` for the default.
    pub label_width: f64,
    /// The value columns.
    pub columns: Vec<Column>,
    /// Optional group headers above the value columns; when empty there is one header row.
    pub groups: Vec<HeaderGroup>,
    pub rows: Vec<StatsRow>,
    /// Narrative below the table (本周主要进展, 存在问题, 下周计划, …).
    pub notes: Vec<Note>,
    /// Shown for a rate without a denominator (e.g. "—"); empty leaves the cell blank.
    pub missing: String,
    /// Excel's default places the summary row below its details. The usual Chinese table puts
    /// the subsidiary line above its units, so that is the default here (`false`).
    pub totals_below: bool,
}

/// A sheet of narrative only: label on the left, wrapped text on the right.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotesSheet {
    pub name: String,
    pub title: String,
    pub subtitle: String,
    /// Width of the label column; `0.0` for the default.
    pub label_width: f64,
    /// Width of the text column; `0.0` for the default.
    pub text_width: f64,
    pub notes: Vec<Note>,
}

const TITLE_ROW: RowNum = 0;
const SUBTITLE_ROW: RowNum = 1;
const HEADER_ROW: RowNum = 2;
const DEFAULT_LABEL_WIDTH: f64 = 24.0;
const HEADER_HEIGHT: f64 = 24.0;
/// Past this many character units the table no longer fits a portrait page legibly.
const PORTRAIT_MAX_WIDTH: f64 = 110.0;
/// Excel allows seven outline levels.
const MAX_OUTLINE: u8 = 7;
/// Indent steps beyond this push short labels off the column.
const MAX_INDENT: u8 = 6;

pub(super) fn lay_out_stats(sheet: &mut Worksheet, s: &StatsSheet) -> Result<()> {
    check_shape(s)?;
    let last_col = s.columns.len() as ColNum;
    let label_width = positive_or(s.label_width, DEFAULT_LABEL_WIDTH);
    let widths: Vec<f64> = s
        .columns
        .iter()
        .map(|c| style::column_width(c.kind, c.width))
        .collect();
    sheet.set_column_width(0, label_width)?;
    for (i, width) in widths.iter().enumerate() {
        sheet.set_column_width(i as ColNum + 1, *width)?;
    }

    write_title_rows(sheet, &s.title, &s.subtitle, last_col)?;
    let last_header_row = write_headers(sheet, s, label_width, &widths)?;
    let first_data_row = last_header_row + 1;

    let label_plain = style::wrapped();
    let label_total = style::emphasised(style::wrapped());
    let cell_formats: Vec<(Format, Format)> = s
        .columns
        .iter()
        .map(|c| (style::cell(c.kind, false), style::cell(c.kind, true)))
        .collect();

    for (i, row) in s.rows.iter().enumerate() {
        let r = first_data_row + i as RowNum;
        let indent = row.depth.min(MAX_INDENT);
        let label_room = label_width - f64::from(indent) * style::INDENT_WIDTH;
        let texts = style::wrapping_cells(&row.values, &s.columns, &widths);
        let cells = std::iter::once((row.label.as_str(), label_room.max(4.0))).chain(texts);
        style::fit_row(sheet, r, cells, 0.0)?;

        let label = if row.subtotal {
            &label_total
        } else {
            &label_plain
        };
        style::write_text(sheet, r, 0, &row.label, &label.clone().set_indent(indent))?;
        for (j, (value, formats)) in row.values.iter().zip(&cell_formats).enumerate() {
            let format = if row.subtotal { &formats.1 } else { &formats.0 };
            style::write_value(sheet, r, j as ColNum + 1, value, format, &s.missing)?;
        }
        // group_rows raises the outline level by one per call.
        for _ in 0..row.depth.min(MAX_OUTLINE) {
            sheet.group_rows(r, r)?;
        }
    }
    sheet.group_symbols_above(!s.totals_below);

    let after_table = first_data_row + s.rows.len() as RowNum;
    if !s.notes.is_empty() {
        let notes_at = after_table + 1;
        write_notes_below(sheet, notes_at, last_col, label_width, &widths, &s.notes)?;
    }

    sheet.set_freeze_panes(first_data_row, 1)?;
    let total_width = label_width + widths.iter().sum::<f64>();
    page_setup(sheet, total_width, Some((HEADER_ROW, last_header_row)))?;
    Ok(())
}

fn check_shape(s: &StatsSheet) -> Result<()> {
    let n = s.columns.len();
    if n > 1000 {
        return Err(ExportError::Shape(format!(
            "{n} value columns is not a table"
        )));
    }
    if let Some((i, row)) = s.rows.iter().enumerate().find(|(_, r)| r.values.len() != n) {
        return Err(ExportError::Shape(format!(
            "row {i} ({}) has {} values for {n} columns",
            row.label,
            row.values.len()
        )));
    }
    let mut covered = vec![false; n];
    for g in &s.groups {
        let end = g
            .first
            .checked_add(g.span)
            .filter(|&e| g.span > 0 && e <= n);
        let Some(end) = end else {
            return Err(ExportError::Shape(format!(
                "header group {} covers columns {}..+{} of {n}",
                g.header, g.first, g.span
            )));
        };
        for c in &mut covered[g.first..end] {
            if *c {
                return Err(ExportError::Shape(format!(
                    "header group {} overlaps",
                    g.header
                )));
            }
            *c = true;
        }
    }
    Ok(())
}

fn positive_or(width: f64, default: f64) -> f64 {
    if width.is_finite() && width > 0.0 {
        width.min(255.0)
    } else {
        default
    }
}

fn write_title_rows(
    sheet: &mut Worksheet,
    title: &str,
    subtitle: &str,
    last_col: ColNum,
) -> Result<()> {
    sheet.set_row_height(TITLE_ROW, 30)?;
    style::merge(
        sheet,
        TITLE_ROW,
        0,
        TITLE_ROW,
        last_col,
        title,
        &style::title(),
    )?;
    sheet.set_row_height(SUBTITLE_ROW, 20)?;
    style::merge(
        sheet,
        SUBTITLE_ROW,
        0,
        SUBTITLE_ROW,
        last_col,
        subtitle,
        &style::subtitle(),
    )?;
    Ok(())
}

/// Writes one or two header rows and returns the last one.
fn write_headers(
    sheet: &mut Worksheet,
    s: &StatsSheet,
    label_width: f64,
    widths: &[f64],
) -> Result<RowNum> {
    let header = style::header();
    if s.groups.is_empty() {
        let captions = s
            .columns
            .iter()
            .map(|c| c.header.as_str())
            .zip(widths.iter().copied());
        let cells = std::iter::once((s.label_header.as_str(), label_width)).chain(captions);
        style::fit_row(sheet, HEADER_ROW, cells, HEADER_HEIGHT)?;
        style::write_text(sheet, HEADER_ROW, 0, &s.label_header, &header)?;
        for (i, column) in s.columns.iter().enumerate() {
            style::write_text(sheet, HEADER_ROW, i as ColNum + 1, &column.header, &header)?;
        }
        return Ok(HEADER_ROW);
    }

    let lower = HEADER_ROW + 1;
    let mut grouped = vec![false; s.columns.len()];
    for g in &s.groups {
        grouped[g.first..g.first + g.span].fill(true);
    }
    let group_cells = s.groups.iter().map(|g| {
        let width: f64 = widths[g.first..g.first + g.span].iter().sum();
        (g.header.as_str(), width)
    });
    style::fit_row(sheet, HEADER_ROW, group_cells, HEADER_HEIGHT * 0.8)?;
    let lower_cells = s
        .columns
        .iter()
        .zip(widths)
        .zip(&grouped)
        .filter(|(_, grouped)| **grouped)
        .map(|((c, w), _)| (c.header.as_str(), *w));
    style::fit_row(sheet, lower, lower_cells, HEADER_HEIGHT * 0.8)?;

    style::merge(sheet, HEADER_ROW, 0, lower, 0, &s.label_header, &header)?;
    for g in &s.groups {
        let first = g.first as ColNum + 1;
        let last = first + g.span as ColNum - 1;
        style::merge(
            sheet, HEADER_ROW, first, HEADER_ROW, last, &g.header, &header,
        )?;
    }
    for (i, column) in s.columns.iter().enumerate() {
        let col = i as ColNum + 1;
        if grouped[i] {
            style::write_text(sheet, lower, col, &column.header, &header)?;
        } else {
            // A column outside any group spans both header rows, as drawn by hand.
            style::merge(sheet, HEADER_ROW, col, lower, col, &column.header, &header)?;
        }
    }
    Ok(lower)
}

/// The notes under a table: the label in the first column, the text merged across the rest.
/// Merged cells do not grow with their text, so each row is sized from an estimate.
fn write_notes_below(
    sheet: &mut Worksheet,
    first_row: RowNum,
    last_col: ColNum,
    label_width: f64,
    value_widths: &[f64],
    notes: &[Note],
) -> Result<()> {
    let label = style::bordered()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let text = style::wrapped().set_align(FormatAlign::Top);
    let mut r = first_row;
    for note in notes {
        if last_col == 0 {
            // No value columns: the label sits above its text.
            style::write_text(sheet, r, 0, &note.label, &label)?;
            r += 1;
            let lines = style::wrapped_lines(&note.text, label_width);
            sheet.set_row_height(r, style::lines_height(lines))?;
            style::write_text(sheet, r, 0, &note.text, &text)?;
        } else {
            let text_width: f64 = value_widths.iter().sum();
            let lines = style::wrapped_lines(&note.text, text_width)
                .max(style::wrapped_lines(&note.label, label_width));
            sheet.set_row_height(r, style::lines_height(lines))?;
            style::write_text(sheet, r, 0, &note.label, &label)?;
            style::merge(sheet, r, 1, r, last_col, &note.text, &text)?;
        }
        r += 1;
    }
    Ok(())
}

/// A4, one page wide, header rows on every page; landscape only when the table needs it.
/// The width decides the orientation because fitting a wide table to a portrait page would
/// shrink the print below reading size.
fn page_setup(sheet: &mut Worksheet, width: f64, repeat: Option<(RowNum, RowNum)>) -> Result<()> {
    if width > PORTRAIT_MAX_WIDTH {
        sheet.set_landscape();
    } else {
        sheet.set_portrait();
    }
    sheet.set_paper_size(style::PAPER_A4);
    sheet.set_print_fit_to_pages(1, 0);
    if let Some((first, last)) = repeat {
        sheet.set_repeat_rows(first, last)?;
    }
    sheet.set_footer(style::PAGE_FOOTER);
    sheet.set_print_center_horizontally(true);
    Ok(())
}

pub(super) fn lay_out_notes(sheet: &mut Worksheet, s: &NotesSheet) -> Result<()> {
    let label_width = positive_or(s.label_width, 16.0);
    let text_width = positive_or(s.text_width, 90.0);
    sheet.set_column_width(0, label_width)?;
    sheet.set_column_width(1, text_width)?;
    write_title_rows(sheet, &s.title, &s.subtitle, 1)?;

    let label = style::bordered()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(style::HEADER_FILL))
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let text = style::wrapped().set_align(FormatAlign::Top);
    // Excel would size these rows itself on opening, LibreOffice would not and prints the text
    // over the next note; an estimate reads right in both.
    for (i, note) in s.notes.iter().enumerate() {
        let r = HEADER_ROW + i as RowNum;
        let lines = style::wrapped_lines(&note.text, text_width)
            .max(style::wrapped_lines(&note.label, label_width));
        sheet.set_row_height(r, style::lines_height(lines))?;
        style::write_text(sheet, r, 0, &note.label, &label)?;
        style::write_text(sheet, r, 1, &note.text, &text)?;
    }
    // Nothing to repeat: a note continued on the next page has no header to carry.
    page_setup(sheet, label_width + text_width, None)?;
    Ok(())
}
