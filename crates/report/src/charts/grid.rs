//! What plotters does for us: value-to-pixel mapping and the non-interactive geometry (grid
//! lines, axis lines, line series), drawn by its SVG backend and spliced into our document.

use std::ops::Range;

use plotters::coord::CoordTranslate;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::{
    Cartesian2d, IntoDrawingArea, LineSeries, PathElement, RGBColor, SVGBackend, ShapeStyle,
};

use super::svg::{AXIS, GRID};

pub(super) type Coord = Cartesian2d<RangedCoordf64, RangedCoordf64>;

/// A plot area in pixels with its logical ranges; logical y grows upwards, as in plotters.
pub(super) struct Plot {
    pub coord: Coord,
    pub left: f64,
    pub right: f64,
}

impl Plot {
    pub fn new(px: Range<f64>, py: Range<f64>, x: Range<f64>, y: Range<f64>) -> Self {
        let (left, right, top, bottom) = (px.start, px.end.max(px.start + 1.0), py.start, py.end);
        let bottom = bottom.max(top + 1.0);
        let coord = Cartesian2d::new(
            non_empty(x),
            non_empty(y),
            (
                pixel(left)..pixel(right),
                // y pixels run downwards, so the logical start maps to the bottom edge.
                pixel(bottom)..pixel(top),
            ),
        );
        Self { coord, left, right }
    }

    pub fn at(&self, x: f64, y: f64) -> (f64, f64) {
        let (px, py) = self.coord.translate(&(x, y));
        (f64::from(px), f64::from(py))
    }

    pub fn width(&self) -> f64 {
        self.right - self.left
    }
}

fn non_empty(r: Range<f64>) -> Range<f64> {
    let (a, b) = (finite(r.start), finite(r.end));
    if b > a { a..b } else { a..a + 1.0 }
}

fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(-1e15, 1e15)
    } else {
        0.0
    }
}

fn pixel(v: f64) -> i32 {
    // Charts are at most a few hundred thousand pixels tall; clamping keeps the cast defined.
    v.round().clamp(-1e8, 1e8) as i32
}

/// Ticks of a value axis that starts at zero: a "nice" step (1, 2, 5 × 10ⁿ) so that at most
/// `max_ticks` intervals cover `max`. Returns (axis maximum, tick values).
pub(super) fn nice_ticks(max: f64, max_ticks: usize, integer: bool, floor: f64) -> (f64, Vec<f64>) {
    let max = if max.is_finite() && max > 0.0 {
        max.min(1e15)
    } else {
        0.0
    }
    .max(floor);
    let max = if max > 0.0 { max } else { 1.0 };
    let intervals = max_ticks.clamp(1, 10) as f64;
    let raw = max / intervals;
    let mag = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    if integer {
        step = step.max(1.0).ceil();
    }
    let top = (max / step).ceil() * step;
    let count = (top / step).round() as usize;
    let ticks = (0..=count.min(20)).map(|i| i as f64 * step).collect();
    (top, ticks)
}

pub(super) enum Line<'a> {
    /// A faint grid line across the plot at this x (vertical) or y (horizontal).
    GridX(f64),
    GridY(f64),
    /// The zero line of the value axis.
    BaseX(f64),
    BaseY(f64),
    /// A data series; drawn under the hand-written points that carry links and tooltips.
    Series(&'a [(f64, f64)], &'a str),
}

/// Draws `lines` with plotters and returns the SVG elements without plotters' root element.
pub(super) fn draw(width: f64, height: f64, plot: &Plot, lines: &[Line]) -> String {
    let size = (pixel(width).max(1) as u32, pixel(height).max(1) as u32);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let area = root.apply_coord_spec(plot.coord.clone());
        let xr = plot.coord.get_x_range();
        let yr = plot.coord.get_y_range();
        let grid = ShapeStyle::from(RGBColor(GRID.0, GRID.1, GRID.2)).stroke_width(1);
        let axis = ShapeStyle::from(RGBColor(AXIS.0, AXIS.1, AXIS.2)).stroke_width(1);
        for line in lines {
            // A failed draw only loses a grid line; the chart is still worth showing.
            let _ = match *line {
                Line::GridX(x) => area.draw(&PathElement::new([(x, yr.start), (x, yr.end)], grid)),
                Line::GridY(y) => area.draw(&PathElement::new([(xr.start, y), (xr.end, y)], grid)),
                Line::BaseX(x) => area.draw(&PathElement::new([(x, yr.start), (x, yr.end)], axis)),
                Line::BaseY(y) => area.draw(&PathElement::new([(xr.start, y), (xr.end, y)], axis)),
                Line::Series(points, colour) => {
                    let style = ShapeStyle::from(hex(colour)).stroke_width(2);
                    LineSeries::new(points.iter().copied(), style).try_for_each(|e| area.draw(&e))
                }
            };
        }
        let _ = root.present();
    }
    strip_root(&buf)
}

fn hex(colour: &str) -> RGBColor {
    let c = u32::from_str_radix(colour.trim_start_matches('#'), 16).unwrap_or(0x0072B2);
    RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8)
}

/// plotters writes a complete `<svg>`; we want its children inside our own document. If its
/// output ever changes shape, the nested `<svg>` is still valid, only less tidy.
fn strip_root(svg: &str) -> String {
    let start = svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1));
    let end = svg.rfind("</svg>");
    match (start, end) {
        (Some(s), Some(e)) if s <= e => {
            format!(
                "<g class=\"shishi-grid\" aria-hidden=\"true\">{}</g>\n",
                &svg[s..e]
            )
        }
        _ => svg.to_string(),
    }
}
