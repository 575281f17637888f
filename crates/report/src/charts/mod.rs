//! Dashboard charts drawn on the server as SVG.
//!
//! Pure functions: the caller hands in figures and every word shown (titles, series and
//! legend names, the empty-state note), already in the reader's language; out comes one
//! self-contained `<svg>` string (no scripts, no fonts, no external references) that can be
//! inlined into a page or served as `image/svg+xml`. Text is left to the browser's CJK fonts;
//! the `svg` submodule says why plotters only draws the grid and line geometry.
//!
//! Every mark may link to the ledger rows behind it (`Datum::href`) and carries a tooltip
//! with its label and value. The drawing scales to its container (`width="100%"` and a
//! `viewBox`); a narrower [`Frame::width`] gives relatively larger text on a phone.

mod bars;
mod grid;
mod share;
mod svg;
#[cfg(test)]
mod tests;
mod weekly;

pub use bars::unit_bars;
pub use share::share;
pub use weekly::weekly;

/// Words and size common to every chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Shown at the top, and the chart's accessible name.
    pub title: String,
    /// A second, quieter line, e.g. the period or the unit of measure.
    pub subtitle: Option<String>,
    /// Shown in the middle of the frame when there is nothing to draw (e.g. "暂无数据").
    pub empty_note: String,
    /// Width of the viewBox in user units (clamped to 320–1600); text sizes are fixed in those
    /// units, so a smaller width reads larger once scaled to the screen.
    pub width: f64,
}

impl Frame {
    pub fn new(title: impl Into<String>, empty_note: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            subtitle: None,
            empty_note: empty_note.into(),
            width: svg::DEFAULT_WIDTH,
        }
    }

    pub fn with_subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = Some(subtitle.into());
        self
    }

    pub fn with_width(mut self, width: f64) -> Self {
        self.width = width;
        self
    }
}

/// How values read and how the value axis is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// Whole counts (超期 matters, new matters): integer ticks from zero.
    #[default]
    Count,
    /// Percentages given as 0–100 (not 0–1); the axis runs to 100 unless a value exceeds it.
    Percent,
}

/// One figure. NaN or infinity means "no figure" (shown as "—", nothing drawn); negatives
/// are drawn as zero. `href` is a link to the ledger rows behind the figure; only relative,
/// `http` and `https` links are kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Datum {
    pub value: f64,
    pub href: Option<String>,
}

impl Datum {
    pub fn new(value: f64) -> Self {
        Self { value, href: None }
    }

    pub fn linked(value: f64, href: impl Into<String>) -> Self {
        Self {
            value,
            href: Some(href.into()),
        }
    }
}

/// One category on a bar or weekly chart (a unit, a week) with one datum per series, in the
/// order of the chart's `series`. Missing data are simply not drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    pub label: String,
    pub values: Vec<Datum>,
}

impl Group {
    pub fn new(label: impl Into<String>, values: Vec<Datum>) -> Self {
        Self {
            label: label.into(),
            values,
        }
    }
}

/// Horizontal bars, one row per unit in the given order; two or more series are grouped bars
/// with a legend. The chart grows in height with the number of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitBars {
    pub frame: Frame,
    pub scale: Scale,
    /// Series names, used in the legend (shown for two or more) and in tooltips.
    pub series: Vec<String>,
    pub rows: Vec<Group>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeeklyStyle {
    /// Grouped columns per week.
    #[default]
    Bars,
    /// One line per series with a point per week.
    Lines,
}

/// Counts per week (e.g. 新增 and 完成 over the last N weeks), oldest first; the week labels
/// ("W47", "11/16") come from the caller and are thinned out when they would collide.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyChart {
    pub frame: Frame,
    pub style: WeeklyStyle,
    pub series: Vec<String>,
    pub weeks: Vec<Group>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShareStyle {
    #[default]
    Donut,
    /// A single 100 % bar; reads better for a few ordered categories like satisfaction.
    StackedBar,
}

/// Fixed colours, so a category looks the same on every chart and every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SharePalette {
    /// Distinct hues for unordered categories (the content areas).
    #[default]
    Categories,
    /// Green, amber, red for 满意 / 基本满意 / 不满意, in that order; further segments grey.
    Satisfaction,
}

/// One part of a whole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Segment {
    pub label: String,
    pub datum: Datum,
}

impl Segment {
    pub fn new(label: impl Into<String>, datum: Datum) -> Self {
        Self {
            label: label.into(),
            datum,
        }
    }
}

/// A mix of counts shown as shares, with a legend listing each count and percentage
/// (percentages are rounded so that they add up to 100.0 %).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareChart {
    pub frame: Frame,
    pub style: ShareStyle,
    pub palette: SharePalette,
    pub segments: Vec<Segment>,
    /// For the donut: when given, the total is shown in the hole with this caption under it.
    pub total_caption: Option<String>,
}
