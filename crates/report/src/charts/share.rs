//! Shares of a whole: a donut or a single 100 % bar, with a table-like legend.

use std::f64::consts::{PI, TAU};
use std::fmt::Write as _;

use super::svg::{
    self, Anchor, INK, INK_FAINT, INK_SOFT, LABEL_PX, PAD, TextStyle, VALUE_PX, format_value,
    geometry, n, text, text_width,
};
use super::{Scale, ShareChart, SharePalette, ShareStyle};

const EMPTY_HEIGHT: f64 = 200.0;
const ROW: f64 = 26.0;
/// Below this the legend goes under the donut instead of beside it.
const SIDE_LEGEND_MIN_WIDTH: f64 = 480.0;
/// A percentage inside a slice needs about this much angle to fit.
const LABEL_MIN_ANGLE: f64 = 0.5;

/// What the legend and the marks need about each segment.
struct Part<'a> {
    label: &'a str,
    datum: &'a super::Datum,
    value: f64,
    pct: String,
    colour: &'static str,
}

impl Part<'_> {
    fn tooltip(&self) -> String {
        format!(
            "{} · {} · {}",
            self.label.trim(),
            format_value(self.datum.value, Scale::Count),
            self.pct
        )
    }
}

/// Draws the share chart.
pub fn share(chart: &ShareChart) -> String {
    let width = svg::frame_width(&chart.frame);
    let mut body = String::new();
    let y = svg::header(&mut body, &chart.frame, width).round();

    let values: Vec<f64> = chart
        .segments
        .iter()
        .map(|s| geometry(s.datum.value))
        .collect();
    let total: f64 = values.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        svg::empty_state(
            &mut body,
            PAD,
            y,
            width - 2.0 * PAD,
            EMPTY_HEIGHT,
            &chart.frame.empty_note,
        );
        return svg::document(&chart.frame, width, y + EMPTY_HEIGHT + PAD, &body);
    }
    let tenths = tenths(&values, total);
    let parts: Vec<Part> = chart
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| Part {
            label: &s.label,
            datum: &s.datum,
            value: values[i],
            pct: format!("{}.{}%", tenths[i] / 10, tenths[i] % 10),
            colour: colour(chart.palette, i),
        })
        .collect();

    let bottom = match chart.style {
        ShareStyle::Donut => donut(&mut body, chart, &parts, total, width, y),
        ShareStyle::StackedBar => stacked(&mut body, &parts, total, width, y),
    };
    svg::document(&chart.frame, width, bottom + PAD, &body)
}

fn colour(palette: SharePalette, i: usize) -> &'static str {
    match palette {
        SharePalette::Categories => svg::CATEGORY_COLOURS[i % svg::CATEGORY_COLOURS.len()],
        SharePalette::Satisfaction => svg::SATISFACTION_COLOURS
            .get(i)
            .copied()
            .unwrap_or("#8C8C8C"),
    }
}

/// Dark text on light fills, white on dark ones (relative luminance, WCAG formula).
fn ink_on(fill: &str) -> &'static str {
    let c = u32::from_str_radix(fill.trim_start_matches('#'), 16).unwrap_or(0);
    let lin = |v: u32| {
        let s = f64::from(v & 0xff) / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(c >> 16) + 0.7152 * lin(c >> 8) + 0.0722 * lin(c);
    if l > 0.3 { INK } else { "#ffffff" }
}

/// Shares in tenths of a percent by largest remainder, so the printed figures add up to
/// 100.0 % instead of 99.9 % or 100.1 %.
fn tenths(values: &[f64], total: f64) -> Vec<u32> {
    let exact: Vec<f64> = values.iter().map(|v| v / total * 1000.0).collect();
    let mut out: Vec<u32> = exact
        .iter()
        .map(|e| e.floor().clamp(0.0, 1000.0) as u32)
        .collect();
    let short = 1000u32.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..values.len()).filter(|i| values[*i] > 0.0).collect();
    order.sort_by(|a, b| {
        (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor()))
    });
    for i in order.into_iter().take(short as usize) {
        out[i] += 1;
    }
    out
}

/// One row per segment: swatch, name, count, percentage; the whole row is the link target,
/// which is easier to hit on a phone than a thin slice.
fn table(body: &mut String, parts: &[Part], x: f64, y: f64, w: f64) -> f64 {
    let pct_w = text_width("100.0%", LABEL_PX);
    let value_w = parts
        .iter()
        .map(|p| text_width(&format_value(p.datum.value, Scale::Count), LABEL_PX))
        .fold(0.0, f64::max);
    let pct_right = x + w;
    let value_right = pct_right - pct_w - 14.0;
    let label_max = (value_right - value_w - 12.0 - (x + 20.0)).max(LABEL_PX * 2.0);
    let label_style = TextStyle::new(LABEL_PX, INK);
    let number_style = TextStyle::new(LABEL_PX, INK_SOFT).anchor(Anchor::End);
    for (i, p) in parts.iter().enumerate() {
        let top = y + ROW * i as f64;
        let cy = top + ROW / 2.0;
        let close = svg::open_mark(body, p.datum, &p.tooltip());
        svg::rect(
            body,
            x - 4.0,
            top,
            w + 8.0,
            ROW,
            "#ffffff",
            r#" fill-opacity="0""#,
        );
        if i > 0 {
            let _ = writeln!(
                body,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#eef0f3"/>"##,
                n(x),
                n(top),
                n(x + w),
                n(top)
            );
        }
        svg::rect(body, x, cy - 6.0, 12.0, 12.0, p.colour, r#" rx="2""#);
        text(body, x + 20.0, cy, p.label, label_max, &label_style);
        text(
            body,
            value_right,
            cy,
            &format_value(p.datum.value, Scale::Count),
            w,
            &number_style,
        );
        text(
            body,
            pct_right,
            cy,
            &p.pct,
            w,
            &TextStyle {
                fill: INK,
                ..number_style
            }
            .bold(),
        );
        body.push_str(close);
    }
    ROW * parts.len() as f64
}

fn donut(
    body: &mut String,
    chart: &ShareChart,
    parts: &[Part],
    total: f64,
    width: f64,
    y: f64,
) -> f64 {
    let side = width >= SIDE_LEGEND_MIN_WIDTH;
    let r_out = if side {
        96.0
    } else {
        96f64.min((width - 2.0 * PAD) / 2.0 - 8.0)
    };
    let r_in = r_out * 0.6;
    let rows_h = ROW * parts.len() as f64;
    let (cx, cy, table_x, table_y, table_w, bottom);
    if side {
        let block = (2.0 * r_out + 8.0).max(rows_h);
        cx = PAD + r_out + 4.0;
        cy = y + block / 2.0;
        table_x = cx + r_out + 32.0;
        table_w = (width - PAD - table_x).min(420.0);
        table_y = y + (block - rows_h) / 2.0;
        bottom = y + block;
    } else {
        cx = width / 2.0;
        cy = y + r_out + 4.0;
        table_x = PAD;
        table_w = width - 2.0 * PAD;
        table_y = cy + r_out + 16.0;
        bottom = table_y + rows_h;
    }

    let mut a0 = -PI / 2.0;
    let pct_style = TextStyle::new(VALUE_PX - 0.5, INK)
        .anchor(Anchor::Middle)
        .bold();
    for p in parts.iter().filter(|p| p.value > 0.0) {
        let span = p.value / total * TAU;
        let close = svg::open_mark(body, p.datum, &p.tooltip());
        let _ = writeln!(
            body,
            r##"<path d="{}" fill="{}" stroke="#ffffff" stroke-width="1.5" stroke-linejoin="round"/>"##,
            annulus_sector(cx, cy, r_out, r_in, a0, span),
            p.colour
        );
        if span >= LABEL_MIN_ANGLE {
            let mid = a0 + span / 2.0;
            let r = (r_out + r_in) / 2.0;
            let st = TextStyle {
                fill: ink_on(p.colour),
                ..pct_style
            };
            text(
                body,
                cx + r * mid.cos(),
                cy + r * mid.sin(),
                &p.pct,
                r_out - r_in + 16.0,
                &st,
            );
        }
        body.push_str(close);
        a0 += span;
    }

    if let Some(caption) = chart.total_caption.as_deref() {
        let total_st = TextStyle::new(22.0, INK).anchor(Anchor::Middle).bold();
        let has_caption = !caption.trim().is_empty();
        let ty = if has_caption { cy - 7.0 } else { cy };
        text(
            body,
            cx,
            ty,
            &format_value(total, Scale::Count),
            2.0 * r_in - 8.0,
            &total_st,
        );
        if has_caption {
            let st = TextStyle::new(12.0, INK_FAINT).anchor(Anchor::Middle);
            text(body, cx, cy + 14.0, caption, 2.0 * r_in - 12.0, &st);
        }
    }

    table(body, parts, table_x, table_y, table_w);
    bottom
}

/// The path of a ring slice. A whole ring is two half rings, since an SVG arc whose ends
/// coincide draws nothing.
fn annulus_sector(cx: f64, cy: f64, ro: f64, ri: f64, a0: f64, span: f64) -> String {
    if span >= TAU - 1e-6 {
        return format!(
            "{} {}",
            annulus_sector(cx, cy, ro, ri, a0, PI),
            annulus_sector(cx, cy, ro, ri, a0 + PI, PI)
        );
    }
    let a1 = a0 + span;
    let large = u8::from(span > PI);
    let pt = |r: f64, a: f64| format!("{} {}", n(cx + r * a.cos()), n(cy + r * a.sin()));
    format!(
        "M{} A{r_o} {r_o} 0 {large} 1 {} L{} A{r_i} {r_i} 0 {large} 0 {} Z",
        pt(ro, a0),
        pt(ro, a1),
        pt(ri, a1),
        pt(ri, a0),
        r_o = n(ro),
        r_i = n(ri),
    )
}

fn stacked(body: &mut String, parts: &[Part], total: f64, width: f64, y: f64) -> f64 {
    const BAR_H: f64 = 34.0;
    let (x0, w) = (PAD, width - 2.0 * PAD);
    let bar_y = y + 4.0;
    let mut x = x0;
    let pct_style = TextStyle::new(VALUE_PX, INK).anchor(Anchor::Middle).bold();
    for p in parts.iter().filter(|p| p.value > 0.0) {
        let seg_w = p.value / total * w;
        let close = svg::open_mark(body, p.datum, &p.tooltip());
        svg::rect(
            body,
            x,
            bar_y,
            seg_w,
            BAR_H,
            p.colour,
            r##" stroke="#ffffff" stroke-width="1""##,
        );
        if text_width(&p.pct, VALUE_PX) + 8.0 <= seg_w {
            let st = TextStyle {
                fill: ink_on(p.colour),
                ..pct_style
            };
            text(
                body,
                x + seg_w / 2.0,
                bar_y + BAR_H / 2.0,
                &p.pct,
                seg_w,
                &st,
            );
        }
        body.push_str(close);
        x += seg_w;
    }
    let table_y = bar_y + BAR_H + 14.0;
    table(body, parts, x0, table_y, w.min(420.0)) + table_y
}
