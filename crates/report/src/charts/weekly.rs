//! Counts per week as grouped columns or lines.

use std::fmt::Write as _;

use super::grid::{self, Line, Plot};
use super::svg::{
    self, Anchor, INK_FAINT, INK_SOFT, PAD, TICK_PX, TextStyle, VALUE_PX, format_value, geometry,
    text, text_width,
};
use super::{Scale, WeeklyChart, WeeklyStyle};

const PLOT_HEIGHT: f64 = 220.0;
const EMPTY_HEIGHT: f64 = 200.0;
/// Value labels above lines are only legible with one series and a handful of weeks.
const LINE_LABEL_WEEKS: usize = 16;

/// Draws the weekly chart.
pub fn weekly(chart: &WeeklyChart) -> String {
    let nseries = chart.series.len().max(1);
    let svg::Start {
        width,
        mut body,
        mut y,
        max,
    } = match svg::start(&chart.frame, &chart.weeks, nseries, EMPTY_HEIGHT) {
        Ok(start) => start,
        Err(empty) => return empty,
    };
    if chart.series.iter().any(|s| !s.trim().is_empty()) {
        y += (svg::series_legend(&mut body, &chart.series, y, width) + 2.0).round();
    }

    let (top, ticks) = grid::nice_ticks(max, 5, true, 0.0);
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&format_value(*t, Scale::Count), TICK_PX))
        .fold(0.0, f64::max);
    let left = (PAD + tick_w + 8.0).min(width * 0.3);
    let right = width - PAD;
    // Room above the tallest column for its value label.
    let plot_top = y + 16.0;
    let plot_bottom = plot_top + PLOT_HEIGHT;
    let n = chart.weeks.len();
    let plot = Plot::new(left..right, plot_top..plot_bottom, 0.0..n as f64, 0.0..top);
    let band = plot.width() / n as f64;

    let mut lines: Vec<Line> = ticks.iter().skip(1).map(|t| Line::GridY(*t)).collect();
    lines.push(Line::BaseY(0.0));
    let series_points: Vec<Vec<Vec<(f64, f64)>>> = if chart.style == WeeklyStyle::Lines {
        (0..nseries).map(|s| runs(chart, s)).collect()
    } else {
        Vec::new()
    };
    for (s, runs) in series_points.iter().enumerate() {
        for run in runs {
            lines.push(Line::Series(run, svg::series_colour(s)));
        }
    }
    body.push_str(&grid::draw(width, plot_bottom + 40.0, &plot, &lines));

    let tick_style = TextStyle::new(TICK_PX, INK_FAINT).anchor(Anchor::End);
    for t in &ticks {
        let (_, ty) = plot.at(0.0, *t);
        text(
            &mut body,
            left - 6.0,
            ty,
            &format_value(*t, Scale::Count),
            left,
            &tick_style,
        );
    }

    // Thin the week labels from the newest backwards so the latest week is always named.
    let label_w = chart
        .weeks
        .iter()
        .map(|w| text_width(w.label.trim(), TICK_PX))
        .fold(0.0, f64::max);
    let every = ((label_w + 6.0) / band).ceil().max(1.0) as usize;
    let week_style = TextStyle::new(TICK_PX, INK_FAINT).anchor(Anchor::Middle);
    for (i, week) in chart.weeks.iter().enumerate() {
        if (n - 1 - i).is_multiple_of(every) {
            let room = (band * every as f64 - 4.0).min(width);
            // The outermost labels may be wider than their band; keep them inside the frame.
            let half = text_width(week.label.trim(), TICK_PX).min(room) / 2.0;
            let cx = plot
                .at(i as f64 + 0.5, 0.0)
                .0
                .clamp(PAD + half, (width - PAD - half).max(PAD + half));
            text(
                &mut body,
                cx,
                plot_bottom + 13.0,
                &week.label,
                room,
                &week_style,
            );
        }
    }

    match chart.style {
        WeeklyStyle::Bars => columns(&mut body, chart, &plot, nseries, band),
        WeeklyStyle::Lines => points(&mut body, chart, &plot, nseries, band),
    }

    svg::document(&chart.frame, width, plot_bottom + 24.0 + PAD, &body)
}

fn tooltip(chart: &WeeklyChart, week: usize, series: usize, value: f64) -> String {
    svg::mark_tooltip(
        &chart.weeks[week].label,
        chart.series.get(series),
        &format_value(value, Scale::Count),
    )
}

fn columns(body: &mut String, chart: &WeeklyChart, plot: &Plot, nseries: usize, band: f64) {
    let group = band * 0.72;
    let bar_w = group / nseries as f64;
    let gap = if bar_w > 6.0 { 1.0 } else { 0.0 };
    let value_style = TextStyle::new(VALUE_PX - 1.0, INK_SOFT).anchor(Anchor::Middle);
    let (_, base) = plot.at(0.0, 0.0);
    for (i, week) in chart.weeks.iter().enumerate() {
        let x0 = plot.left + band * i as f64 + (band - group) / 2.0;
        for (s, datum) in week.values.iter().take(nseries).enumerate() {
            let close = svg::open_mark(body, datum, &tooltip(chart, i, s, datum.value));
            let v = geometry(datum.value);
            let x = x0 + bar_w * s as f64;
            let mut top = plot.at(0.0, v).1;
            if v > 0.0 {
                top = top.min(base - 1.0);
                svg::rect(
                    body,
                    x,
                    top,
                    bar_w - gap,
                    base - top,
                    svg::series_colour(s),
                    "",
                );
            }
            let label = format_value(datum.value, Scale::Count);
            if text_width(&label, value_style.px) <= bar_w + gap + 2.0 {
                text(
                    body,
                    x + bar_w / 2.0,
                    top - 8.0,
                    &label,
                    bar_w + 4.0,
                    &value_style,
                );
            }
            body.push_str(close);
        }
    }
}

/// Consecutive weeks with a figure; a missing figure breaks the line rather than dropping to
/// zero.
fn runs(chart: &WeeklyChart, series: usize) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, week) in chart.weeks.iter().enumerate() {
        match week
            .values
            .get(series)
            .map(|d| d.value)
            .filter(|v| v.is_finite())
        {
            Some(v) => {
                if let Some(run) = out.last_mut() {
                    run.push((i as f64 + 0.5, geometry(v)));
                }
            }
            None => out.push(Vec::new()),
        }
    }
    out.retain(|run| !run.is_empty());
    out
}

fn points(body: &mut String, chart: &WeeklyChart, plot: &Plot, nseries: usize, band: f64) {
    let value_style = TextStyle::new(VALUE_PX - 1.0, INK_SOFT).anchor(Anchor::Middle);
    let labelled = nseries == 1 && chart.weeks.len() <= LINE_LABEL_WEEKS;
    for (i, week) in chart.weeks.iter().enumerate() {
        for (s, datum) in week.values.iter().take(nseries).enumerate() {
            if !datum.value.is_finite() {
                continue;
            }
            let (cx, cy) = plot.at(i as f64 + 0.5, geometry(datum.value));
            let close = svg::open_mark(body, datum, &tooltip(chart, i, s, datum.value));
            // A finger-sized, invisible target: the visible dot alone is too small to tap.
            let hit = (band / 2.0).clamp(4.0, 12.0);
            let _ = writeln!(
                body,
                r##"<circle cx="{}" cy="{}" r="{}" fill="#ffffff" fill-opacity="0"/>"##,
                svg::n(cx),
                svg::n(cy),
                svg::n(hit)
            );
            let _ = writeln!(
                body,
                r##"<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#ffffff" stroke-width="1.5"/>"##,
                svg::n(cx),
                svg::n(cy),
                svg::n(hit.min(4.0)),
                svg::series_colour(s)
            );
            if labelled {
                let label = format_value(datum.value, Scale::Count);
                text(body, cx, cy - 12.0, &label, band + 8.0, &value_style);
            }
            body.push_str(close);
        }
    }
}
