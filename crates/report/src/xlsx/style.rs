//! The look shared by every sheet, and the small defences that keep caller text from breaking
//! a workbook (over-long cells, sheet names Excel refuses, dates Excel cannot show).

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    ColNum, Color, Format, FormatAlign, FormatBorder, RowNum, Worksheet, XlsxError,
};

use super::{Column, ColumnKind, Value};

pub(super) const HEADER_FILL: u32 = 0xD9D9D9;
pub(super) const SUBTOTAL_FILL: u32 = 0xDDEBF7;
/// Excel's own "light red fill with dark red text", which users already read as a warning.
pub(super) const ALERT_FILL: u32 = 0xFFC7CE;
pub(super) const ALERT_FONT: u32 = 0x9C0006;

pub(super) const DATE_FORMAT: &str = "yyyy-mm-dd";
pub(super) const PERCENT_FORMAT: &str = "0.0%";
pub(super) const INT_FORMAT: &str = "#,##0";

/// Paper size code for A4 in the OOXML page setup.
pub(super) const PAPER_A4: u8 = 9;
/// "page / pages" without words, so the footer needs no translation.
pub(super) const PAGE_FOOTER: &str = "&C&P / &N";

/// One indent step in character units, as Excel draws it.
pub(super) const INDENT_WIDTH: f64 = 3.0;

/// Excel's limit for the text of one cell, counted in UTF-16 units.
const MAX_CELL_TEXT: usize = 32_767;

pub(super) fn title() -> Format {
    Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

pub(super) fn subtitle() -> Format {
    Format::new()
        .set_font_size(10)
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter)
}

pub(super) fn bordered() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
}

pub(super) fn header() -> Format {
    bordered()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_align(FormatAlign::Center)
        .set_text_wrap()
}

pub(super) fn text() -> Format {
    bordered().set_align(FormatAlign::Left)
}

pub(super) fn wrapped() -> Format {
    text().set_text_wrap()
}

pub(super) fn centered() -> Format {
    bordered().set_align(FormatAlign::Center)
}

pub(super) fn date() -> Format {
    centered().set_num_format(DATE_FORMAT)
}

pub(super) fn alert(format: Format) -> Format {
    format
        .set_background_color(Color::RGB(ALERT_FILL))
        .set_font_color(Color::RGB(ALERT_FONT))
}

/// The format of a table cell of `kind`; subtotal rows are bold on a light fill so the eye
/// finds them when a subsidiary's units are expanded.
pub(super) fn cell(kind: ColumnKind, subtotal: bool) -> Format {
    let format = match kind {
        ColumnKind::Int => centered().set_num_format(INT_FORMAT),
        ColumnKind::Decimal(places) => centered().set_num_format(decimal_format(places)),
        ColumnKind::Percent => centered().set_num_format(PERCENT_FORMAT),
        ColumnKind::Text => wrapped(),
    };
    if subtotal { emphasised(format) } else { format }
}

pub(super) fn emphasised(format: Format) -> Format {
    format
        .set_bold()
        .set_background_color(Color::RGB(SUBTOTAL_FILL))
}

pub(super) fn decimal_format(places: u8) -> String {
    match places.min(6) {
        0 => "0".to_string(),
        n => format!("0.{}", "0".repeat(usize::from(n))),
    }
}

/// A width that fits the kind when the caller left it at zero.
pub(super) fn column_width(kind: ColumnKind, width: f64) -> f64 {
    if width.is_finite() && width > 0.0 {
        return width.min(255.0);
    }
    match kind {
        ColumnKind::Int | ColumnKind::Percent | ColumnKind::Decimal(_) => 11.0,
        ColumnKind::Text => 20.0,
    }
}

/// Writes one table value. Text in a numeric column (for example "样本不足" in the rank
/// column) keeps the column's border and alignment but is written as text.
pub(super) fn write_value(
    sheet: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    value: &Value,
    format: &Format,
    missing: &str,
) -> Result<(), XlsxError> {
    match value {
        Value::Int(n) => sheet.write_number_with_format(row, col, *n as f64, format)?,
        Value::Number(x) | Value::Percent(Some(x)) if x.is_finite() => {
            sheet.write_number_with_format(row, col, *x, format)?
        }
        // NaN and infinities have no Excel representation; a rate without a denominator
        // is shown the same way.
        Value::Number(_) | Value::Percent(_) => write_text(sheet, row, col, missing, format)?,
        Value::Text(s) => write_text(sheet, row, col, s, format)?,
        Value::Empty => sheet.write_blank(row, col, format)?,
    };
    Ok(())
}

/// Writes text, or a formatted blank for the empty string so borders stay unbroken.
pub(super) fn write_text<'a>(
    sheet: &'a mut Worksheet,
    row: RowNum,
    col: ColNum,
    text: &str,
    format: &Format,
) -> Result<&'a mut Worksheet, XlsxError> {
    if text.is_empty() {
        sheet.write_blank(row, col, format)
    } else {
        sheet.write_string_with_format(row, col, fit(text), format)
    }
}

/// Writes `text` over the range, or into the single cell when the range is one cell (Excel
/// rejects a one-cell merge).
#[allow(clippy::too_many_arguments)]
pub(super) fn merge(
    sheet: &mut Worksheet,
    first_row: RowNum,
    first_col: ColNum,
    last_row: RowNum,
    last_col: ColNum,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if first_row == last_row && first_col == last_col {
        write_text(sheet, first_row, first_col, text, format)?;
    } else {
        sheet.merge_range(first_row, first_col, last_row, last_col, &fit(text), format)?;
    }
    Ok(())
}

/// Cuts text to what one cell can hold: a progress log pasted many times over should not make
/// the whole export fail.
pub(super) fn fit(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_CELL_TEXT {
        // UTF-16 never needs more units than UTF-8 needs bytes.
        return Cow::Borrowed(text);
    }
    let mut units = 0;
    let mut end = text.len();
    for (at, ch) in text.char_indices() {
        units += ch.len_utf16();
        if units > MAX_CELL_TEXT - 1 {
            end = at;
            break;
        }
    }
    if end == text.len() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{}…", &text[..end]))
    }
}

/// Excel shows dates from 1900 to 9999 only; anything else would print as `#####`, so such
/// a date goes out as ISO text instead of being lost.
pub(super) fn excel_date(date: NaiveDate) -> Option<NaiveDate> {
    (1900..=9999).contains(&date.year()).then_some(date)
}

/// Width of text in Excel character units: CJK and full-width characters take two.
pub(super) fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(ch: char) -> usize {
    match u32::from(ch) {
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F => {
            2
        }
        0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Lines the text needs when wrapped at `width` character units; Excel does not grow the
/// height of merged cells by itself, so their rows are sized from this.
pub(super) fn wrapped_lines(text: &str, width: f64) -> usize {
    let per_line = (width.max(1.0) * 0.95).floor().max(1.0) as usize;
    text.split('\n')
        .map(|line| display_width(line).div_ceil(per_line).max(1))
        .sum()
}

/// The `(text, width)` cells of a table row that wrap: text in text columns. Text in a number
/// column (样本不足 as a rank) stays on one line.
pub(super) fn wrapping_cells<'a>(
    values: &'a [Value],
    columns: &'a [Column],
    widths: &'a [f64],
) -> impl Iterator<Item = (&'a str, f64)> + 'a {
    values
        .iter()
        .zip(columns)
        .zip(widths)
        .filter_map(|((value, column), width)| match (value, column.kind) {
            (Value::Text(text), ColumnKind::Text) => Some((text.as_str(), *width)),
            _ => None,
        })
}

/// Sets the row's height to fit the tallest of its wrapped `(text, width)` cells, or to
/// `min_height` if that is taller; a one-line row without a minimum keeps the default height
/// (and stays auto-sized in Excel).
pub(super) fn fit_row<'a>(
    sheet: &mut Worksheet,
    row: RowNum,
    cells: impl IntoIterator<Item = (&'a str, f64)>,
    min_height: f64,
) -> Result<(), XlsxError> {
    let lines = cells
        .into_iter()
        .map(|(text, width)| wrapped_lines(text, width))
        .max()
        .unwrap_or(1);
    let height = if lines > 1 { lines_height(lines) } else { 0.0 };
    if height.max(min_height) > 0.0 {
        sheet.set_row_height(row, height.max(min_height))?;
    }
    Ok(())
}

/// Row height in points for `lines` lines of 11-point text.
pub(super) fn lines_height(lines: usize) -> f64 {
    (lines.clamp(1, 400) as f64 * 14.5 + 4.0).min(409.0)
}

/// Chart captions are parsed by rust_xlsxwriter as cell references when they look like one
/// (`Sheet!A1`, `=(...)`); the full-width forms read the same to a Chinese reader.
pub(super) fn chart_literal(text: &str) -> String {
    let text = text.replace('!', "！");
    match text.strip_prefix('=') {
        Some(rest) => format!("＝{rest}"),
        None => text,
    }
}

/// Hands out sheet names Excel accepts: caller captions may hold `/` (“11/21”), be longer
/// than 31 characters or repeat, and a refused name should not cost the user the export.
#[derive(Default)]
pub(super) struct SheetNames {
    used: Vec<String>,
}

impl SheetNames {
    pub(super) fn claim(&mut self, wanted: &str) -> String {
        let cleaned: String = wanted
            .chars()
            .map(|c| {
                if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                    '_'
                } else {
                    c
                }
            })
            .filter(|c| !c.is_control())
            .collect();
        let cleaned = cleaned.trim().trim_matches('\'').trim().to_string();
        let base = if cleaned.is_empty() {
            format!("Sheet{}", self.used.len() + 1)
        } else {
            cleaned
        };
        let mut name = truncate_chars(&base, 31);
        let mut n = 2;
        while self
            .used
            .iter()
            .any(|u| u.to_lowercase() == name.to_lowercase())
        {
            let suffix = format!("({n})");
            name = format!(
                "{}{suffix}",
                truncate_chars(&base, 31 - suffix.chars().count())
            );
            n += 1;
        }
        self.used.push(name.clone());
        name
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_sheet_names_are_cleaned_and_unique() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("周统计表 11/21"), "周统计表 11_21");
        assert_eq!(names.claim("周统计表 11/21"), "周统计表 11_21(2)");
        assert_eq!(names.claim("  "), "Sheet3");
        let long = "很".repeat(40);
        let first = names.claim(&long);
        assert_eq!(first.chars().count(), 31);
        let second = names.claim(&long);
        assert_eq!(second.chars().count(), 31);
        assert!(second.ends_with("(2)"));
    }

    #[test]
    fn xlsx_text_is_cut_to_what_a_cell_holds() {
        let long = "事".repeat(40_000);
        let cut = fit(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_TEXT);
        assert!(cut.ends_with('…'));
        assert!(matches!(fit("短"), Cow::Borrowed(_)));
        // Characters outside the BMP count twice towards the limit.
        let astral = "𠀀".repeat(20_000);
        assert!(fit(&astral).encode_utf16().count() <= MAX_CELL_TEXT);
    }

    #[test]
    fn xlsx_widths_and_literals() {
        assert_eq!(display_width("ab事项"), 6);
        assert_eq!(wrapped_lines("事项事项事项", 6.0), 3);
        assert_eq!(wrapped_lines("a\nb", 10.0), 2);
        assert_eq!(chart_literal("=得分!A1"), "＝得分！A1");
        assert_eq!(decimal_format(2), "0.00");
        assert_eq!(decimal_format(0), "0");
        assert!(excel_date(NaiveDate::from_ymd_opt(1800, 1, 1).unwrap_or_default()).is_none());
    }
}
