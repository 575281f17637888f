//! The assessment ranking: the table of units with their rates and composite score, a native
//! Excel bar chart of the score, and the red and black lists (红黑榜) under the table.
//!
//! The chart references the sheet's own cells rather than embedding a picture, so it follows
//! the figures if someone corrects a cell and it prints sharp at any size.

use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartDataLabel, ColNum, Color, Format, FormatAlign, RowNum, Worksheet,
};

use super::{Column, ColumnKind, ExportError, Result, Value, style};

/// What the chart shows: one bar per row, labelled from one column, sized by another.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankingChart {
    pub title: String,
    pub series_name: String,
    /// The column holding the bar labels (the unit).
    pub category_column: usize,
    /// The column holding the bar lengths (the composite score).
    pub value_column: usize,
}

/// How a list below the ranking is marked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListTone {
    #[default]
    Plain,
    /// 红榜: red caption.
    Honour,
    /// 黑榜: dark caption.
    Warning,
}

/// A short list under the ranking (top N, bottom N), with the ranking's columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankingList {
    pub caption: String,
    pub tone: ListTone,
    pub rows: Vec<Vec<Value>>,
}

/// The ranking sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankingSheet {
    pub name: String,
    pub title: String,
    pub subtitle: String,
    /// E.g. 排名 (Int, or text such as 样本不足 in the cell), 单位 (Text), rates (Percent),
    /// 综合得分 (Decimal).
    pub columns: Vec<Column>,
    /// In rank order; one value per column.
    pub rows: Vec<Vec<Value>>,
    /// Shown for a rate without a denominator; empty leaves the cell blank.
    pub missing: String,
    pub chart: Option<RankingChart>,
    pub lists: Vec<RankingList>,
}

const TITLE_ROW: RowNum = 0;
const SUBTITLE_ROW: RowNum = 1;
const HEADER_ROW: RowNum = 2;
const FIRST_DATA_ROW: RowNum = 3;

const CHART_WIDTH: u32 = 640;
/// Pixels per bar, so thirty units still have readable labels.
const BAR_PITCH: u32 = 24;

pub(super) fn lay_out_ranking(
    sheet: &mut Worksheet,
    sheet_name: &str,
    s: &RankingSheet,
) -> Result<()> {
    check_shape(s)?;
    if s.columns.is_empty() {
        return Err(ExportError::Shape(
            "a ranking needs at least one column".into(),
        ));
    }
    let last_col = (s.columns.len() - 1) as ColNum;
    let table = Table {
        columns: &s.columns,
        widths: s
            .columns
            .iter()
            .map(|c| style::column_width(c.kind, c.width))
            .collect(),
        formats: s
            .columns
            .iter()
            .map(|c| style::cell(c.kind, false))
            .collect(),
        missing: &s.missing,
    };
    for (i, width) in table.widths.iter().enumerate() {
        sheet.set_column_width(i as ColNum, *width)?;
    }
    let total_width: f64 = table.widths.iter().sum();

    sheet.set_row_height(TITLE_ROW, 30)?;
    style::merge(
        sheet,
        TITLE_ROW,
        0,
        TITLE_ROW,
        last_col,
        &s.title,
        &style::title(),
    )?;
    sheet.set_row_height(SUBTITLE_ROW, 20)?;
    style::merge(
        sheet,
        SUBTITLE_ROW,
        0,
        SUBTITLE_ROW,
        last_col,
        &s.subtitle,
        &style::subtitle(),
    )?;

    table.write_header(sheet, HEADER_ROW)?;
    table.write_rows(sheet, FIRST_DATA_ROW, &s.rows)?;

    let mut r = FIRST_DATA_ROW + s.rows.len() as RowNum + 1;
    for list in &s.lists {
        sheet.set_row_height(r, 22)?;
        style::merge(
            sheet,
            r,
            0,
            r,
            last_col,
            &list.caption,
            &caption_format(list.tone),
        )?;
        table.write_header(sheet, r + 1)?;
        table.write_rows(sheet, r + 2, &list.rows)?;
        r += 2 + list.rows.len() as RowNum + 1;
    }

    if let Some(chart) = &s.chart
        && !s.rows.is_empty()
    {
        let chart = bar_chart(sheet_name, chart, &s.columns, s.rows.len());
        sheet.insert_chart(HEADER_ROW, last_col + 2, &chart)?;
    }

    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(style::PAPER_A4);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_footer(style::PAGE_FOOTER);
    // Without a chart the table alone decides the orientation, as for the weekly table.
    if s.chart.is_none() && total_width <= 110.0 {
        sheet.set_portrait();
    }
    Ok(())
}

fn check_shape(s: &RankingSheet) -> Result<()> {
    let n = s.columns.len();
    let lists = s.lists.iter().flat_map(|l| l.rows.iter());
    if let Some(row) = s.rows.iter().chain(lists).find(|r| r.len() != n) {
        return Err(ExportError::Shape(format!(
            "a ranking row has {} values for {n} columns",
            row.len()
        )));
    }
    if let Some(chart) = &s.chart {
        for (what, col) in [
            ("category", chart.category_column),
            ("value", chart.value_column),
        ] {
            if col >= n {
                return Err(ExportError::Shape(format!(
                    "chart {what} column {col} of {n}"
                )));
            }
        }
    }
    Ok(())
}

/// The ranking's columns, shared by the main table and the lists under it.
struct Table<'a> {
    columns: &'a [Column],
    widths: Vec<f64>,
    formats: Vec<Format>,
    missing: &'a str,
}

impl Table<'_> {
    fn write_header(&self, sheet: &mut Worksheet, row: RowNum) -> Result<()> {
        let captions = self.columns.iter().map(|c| c.header.as_str());
        style::fit_row(sheet, row, captions.zip(self.widths.iter().copied()), 24.0)?;
        let header = style::header();
        for (i, column) in self.columns.iter().enumerate() {
            style::write_text(sheet, row, i as ColNum, &column.header, &header)?;
        }
        Ok(())
    }

    fn write_rows(
        &self,
        sheet: &mut Worksheet,
        first_row: RowNum,
        rows: &[Vec<Value>],
    ) -> Result<()> {
        for (i, row) in rows.iter().enumerate() {
            let r = first_row + i as RowNum;
            let texts = style::wrapping_cells(row, self.columns, &self.widths);
            style::fit_row(sheet, r, texts, 0.0)?;
            for (j, (value, format)) in row.iter().zip(&self.formats).enumerate() {
                style::write_value(sheet, r, j as ColNum, value, format, self.missing)?;
            }
        }
        Ok(())
    }
}

fn caption_format(tone: ListTone) -> Format {
    let base = style::bordered()
        .set_bold()
        .set_font_size(12)
        .set_align(FormatAlign::Center);
    match tone {
        ListTone::Plain => base.set_background_color(Color::RGB(style::HEADER_FILL)),
        ListTone::Honour => base
            .set_background_color(Color::RGB(0xC00000))
            .set_font_color(Color::White),
        ListTone::Warning => base
            .set_background_color(Color::RGB(0x404040))
            .set_font_color(Color::White),
    }
}

/// A horizontal bar per row in table order, first rank on top.
fn bar_chart(sheet_name: &str, spec: &RankingChart, columns: &[Column], rows: usize) -> Chart {
    let first = FIRST_DATA_ROW;
    let last = FIRST_DATA_ROW + rows as RowNum - 1;
    let cat = spec.category_column as ColNum;
    let val = spec.value_column as ColNum;
    // Bars are labelled as precisely as the table; the axis only needs round steps.
    let (num_format, axis_format) = match columns[spec.value_column].kind {
        ColumnKind::Percent => (style::PERCENT_FORMAT.to_string(), "0%".to_string()),
        ColumnKind::Decimal(places) => (style::decimal_format(places), "0".to_string()),
        ColumnKind::Int | ColumnKind::Text => ("0".to_string(), "0".to_string()),
    };

    let mut labels = ChartDataLabel::new();
    labels.show_value().set_num_format(&num_format);

    let mut chart = Chart::new_bar();
    chart
        .add_series()
        .set_name(style::chart_literal(&spec.series_name).as_str())
        .set_categories((sheet_name, first, cat, last, cat))
        .set_values((sheet_name, first, val, last, val))
        .set_data_label(&labels)
        .set_gap(60);
    chart
        .title()
        .set_name(style::chart_literal(&spec.title).as_str());
    chart.legend().set_hidden();
    // Excel draws the first category at the bottom of a bar chart; reversing puts rank 1 on
    // top like the table, and crossing at the maximum keeps the value axis at the bottom.
    chart
        .y_axis()
        .set_reverse()
        .set_crossing(ChartAxisCrossing::Max);
    chart.x_axis().set_num_format(&axis_format);
    let height = (rows as u32)
        .saturating_mul(BAR_PITCH)
        .saturating_add(120)
        .clamp(320, 4000);
    chart.set_width(CHART_WIDTH).set_height(height);
    chart
}
