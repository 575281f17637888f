//! Horizontal bars by unit.

use super::grid::{self, Line, Plot};
use super::svg::{
    self, Anchor, INK, INK_FAINT, INK_SOFT, LABEL_PX, PAD, TICK_PX, TextStyle, VALUE_PX,
    format_value, geometry, text, text_width,
};
use super::{Datum, Scale, UnitBars};

const EMPTY_HEIGHT: f64 = 160.0;
/// Repeating the axis at the top only pays off once the bottom is out of sight.
const TOP_AXIS_ROWS: usize = 12;

/// Draws the horizontal bar chart by unit.
pub fn unit_bars(chart: &UnitBars) -> String {
    let nseries = chart.series.len().max(1);
    let svg::Start {
        width,
        mut body,
        mut y,
        max,
    } = match svg::start(&chart.frame, &chart.rows, nseries, EMPTY_HEIGHT) {
        Ok(start) => start,
        Err(empty) => return empty,
    };
    if chart.series.len() >= 2 {
        y += (svg::series_legend(&mut body, &chart.series, y, width) + 4.0).round();
    }

    let label_need = chart
        .rows
        .iter()
        .map(|r| text_width(r.label.trim(), LABEL_PX))
        .fold(0.0, f64::max);
    let label_w = label_need.clamp(LABEL_PX * 3.0, (width * 0.34).max(LABEL_PX * 3.0));
    let value_room = chart
        .rows
        .iter()
        .flat_map(|r| r.values.iter().take(nseries))
        .map(|d| text_width(&format_value(d.value, chart.scale), VALUE_PX))
        .fold(0.0, f64::max)
        + 8.0;
    let left = PAD + label_w + 10.0;
    let right = (width - PAD - value_room.min(width * 0.3)).max(left + 60.0);

    let max_ticks = ((right - left) / 64.0).floor() as usize;
    let (top, ticks) = match chart.scale {
        Scale::Percent => grid::nice_ticks(max, max_ticks.max(2), false, 100.0),
        Scale::Count => grid::nice_ticks(max, max_ticks.max(2), true, 0.0),
    };

    let rows = chart.rows.len();
    if rows > TOP_AXIS_ROWS {
        y += 18.0;
    }
    let bar_h = if nseries == 1 { 16.0 } else { 12.0 };
    let band = (bar_h * nseries as f64 + 2.0 * (nseries as f64 - 1.0) + 12.0).round();
    let plot_bottom = y + band * rows as f64;
    let plot = Plot::new(left..right, y..plot_bottom, 0.0..top, 0.0..rows as f64);

    // Zebra rows keep a long list readable across the gap between name and bar.
    for i in (1..rows).step_by(2) {
        let (_, row_top) = plot.at(0.0, (rows - i) as f64);
        svg::rect(
            &mut body,
            PAD,
            row_top,
            width - 2.0 * PAD,
            band,
            "#f8fafc",
            "",
        );
    }

    let mut lines: Vec<Line> = ticks.iter().skip(1).map(|t| Line::GridX(*t)).collect();
    lines.push(Line::BaseX(0.0));
    body.push_str(&grid::draw(width, plot_bottom + 30.0, &plot, &lines));

    let tick_style = TextStyle::new(TICK_PX, INK_FAINT).anchor(Anchor::Middle);
    let tick_labels = |body: &mut String, cy: f64| {
        for t in &ticks {
            let label = format_value(*t, chart.scale);
            let half = text_width(&label, TICK_PX) / 2.0;
            let x = plot.at(*t, 0.0).0.min(width - PAD - half);
            text(body, x, cy, &label, width, &tick_style);
        }
    };
    if rows > TOP_AXIS_ROWS {
        tick_labels(&mut body, y - 10.0);
    }
    tick_labels(&mut body, plot_bottom + 12.0);

    let label_style = TextStyle::new(LABEL_PX, INK).anchor(Anchor::End);
    let value_style = TextStyle::new(VALUE_PX, INK_SOFT);
    for (i, row) in chart.rows.iter().enumerate() {
        let (_, row_top) = plot.at(0.0, (rows - i) as f64);
        text(
            &mut body,
            left - 10.0,
            row_top + band / 2.0,
            &row.label,
            label_w,
            &label_style,
        );
        let bars_h = bar_h * nseries as f64 + 2.0 * (nseries as f64 - 1.0);
        let mut bar_y = row_top + (band - bars_h) / 2.0;
        for (s, datum) in row.values.iter().take(nseries).enumerate() {
            bar(
                &mut body,
                chart,
                &plot,
                &row.label,
                s,
                datum,
                bar_y,
                bar_h,
                top,
                &value_style,
            );
            bar_y += bar_h + 2.0;
        }
    }

    svg::document(&chart.frame, width, plot_bottom + 24.0 + PAD, &body)
}

#[allow(clippy::too_many_arguments)]
fn bar(
    body: &mut String,
    chart: &UnitBars,
    plot: &Plot,
    label: &str,
    series: usize,
    datum: &Datum,
    y: f64,
    h: f64,
    top: f64,
    value_style: &TextStyle,
) {
    let value = format_value(datum.value, chart.scale);
    let tooltip = svg::mark_tooltip(label, chart.series.get(series), &value);
    let close = svg::open_mark(body, datum, &tooltip);
    let v = geometry(datum.value).min(top);
    let mut end = plot.at(v, 0.0).0;
    if v > 0.0 {
        // A tiny figure still gets a visible sliver, so it never reads as zero.
        end = end.max(plot.left + 2.0);
        svg::rect(
            body,
            plot.left,
            y,
            end - plot.left,
            h,
            svg::series_colour(series),
            r#" rx="2""#,
        );
    }
    text(
        body,
        end + 4.0,
        y + h / 2.0,
        &value,
        f64::INFINITY,
        value_style,
    );
    body.push_str(close);
}
