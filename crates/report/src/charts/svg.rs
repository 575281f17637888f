//! The hand-written part of every chart: the document, text, links, legend and the empty state.
//!
//! plotters' SVG backend can emit `<text>` without a font feature, but it sizes text by UTF-8
//! bytes (a Han character counts as three Latin ones) and it has no way to wrap a mark in a
//! link or give it a tooltip, so text and interactive marks are written here.

use std::fmt::Write as _;

use super::{Datum, Frame, Group, Scale};

/// Left to the browser: the server has no fonts and the intranet has no web fonts, so we name
/// the CJK faces that Windows, macOS/iOS, Android and Linux desktops ship with.
pub(super) const FONT_FAMILY: &str =
    "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif";

pub(super) const DEFAULT_WIDTH: f64 = 640.0;
pub(super) const PAD: f64 = 16.0;
pub(super) const TITLE_PX: f64 = 17.0;
pub(super) const SUBTITLE_PX: f64 = 12.5;
pub(super) const LABEL_PX: f64 = 13.0;
pub(super) const VALUE_PX: f64 = 12.0;
pub(super) const TICK_PX: f64 = 11.5;

pub(super) const INK: &str = "#1f2937";
pub(super) const INK_SOFT: &str = "#4b5563";
pub(super) const INK_FAINT: &str = "#6b7280";
pub(super) const GRID: (u8, u8, u8) = (229, 231, 235);
pub(super) const AXIS: (u8, u8, u8) = (156, 163, 175);

/// Geometry is clamped to this so that huge counts cannot overflow the i32 pixel maths.
const GEOMETRY_MAX: f64 = 1e15;

/// Okabe–Ito: distinguishable under the common colour-vision deficiencies. Yellow is last
/// because it is hard to see on white.
pub(super) const CATEGORY_COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C8C8C", "#F0E442",
];
/// Satisfied / basically satisfied / dissatisfied, from the same palette so green and red stay
/// apart for red–green colour-blind readers; anything beyond the three is grey.
pub(super) const SATISFACTION_COLOURS: [&str; 3] = ["#009E73", "#E69F00", "#D55E00"];
pub(super) const SERIES_COLOURS: [&str; 4] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"];

pub(super) fn series_colour(i: usize) -> &'static str {
    SERIES_COLOURS[i % SERIES_COLOURS.len()]
}

/// Values that can be drawn: NaN, infinities and negatives draw nothing.
pub(super) fn geometry(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v.min(GEOMETRY_MAX)
    } else {
        0.0
    }
}

pub(super) fn frame_width(frame: &Frame) -> f64 {
    if frame.width.is_finite() {
        frame.width.clamp(320.0, 1600.0)
    } else {
        DEFAULT_WIDTH
    }
}

/// A chart of groups (bars by unit, weekly columns) once its header is drawn.
pub(super) struct Start {
    pub width: f64,
    pub body: String,
    /// Where the chart below the header begins.
    pub y: f64,
    /// The largest figure drawn among the first `nseries` of each group; above zero.
    pub max: f64,
}

/// Draws the header of a chart of groups; when no figure is above zero, `Err` holds the
/// finished chart: the caller's note in an empty frame `empty_height` high.
pub(super) fn start(
    frame: &Frame,
    groups: &[Group],
    nseries: usize,
    empty_height: f64,
) -> Result<Start, String> {
    let width = frame_width(frame);
    let mut body = String::new();
    let y = header(&mut body, frame, width).round();
    let max = groups
        .iter()
        .flat_map(|g| g.values.iter().take(nseries))
        .map(|d| geometry(d.value))
        .fold(0.0, f64::max);
    if max <= 0.0 {
        empty_state(
            &mut body,
            PAD,
            y,
            width - 2.0 * PAD,
            empty_height,
            &frame.empty_note,
        );
        return Err(document(frame, width, y + empty_height + PAD, &body));
    }
    Ok(Start {
        width,
        body,
        y,
        max,
    })
}

/// The legend of a chart's series across its width; returns its height.
pub(super) fn series_legend(out: &mut String, series: &[String], y: f64, width: f64) -> f64 {
    let items: Vec<_> = series
        .iter()
        .enumerate()
        .map(|(i, s)| (series_colour(i), s.as_str()))
        .collect();
    legend(out, &items, PAD, y, width - 2.0 * PAD)
}

/// A mark's tooltip: "label · series value", or "label value" when the series has no name.
pub(super) fn mark_tooltip(label: &str, series: Option<&String>, value: &str) -> String {
    match series.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(name) => format!("{} · {name} {value}", label.trim()),
        None => format!("{} {value}", label.trim()),
    }
}

/// Escapes for text and attributes alike. Characters XML 1.0 forbids even as references are
/// dropped and line breaks become spaces, so any caller string still parses.
pub(super) fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// Only plain web links get through: the hrefs come from our own ledger URLs, and refusing
/// other schemes keeps a `javascript:` label from ever becoming clickable.
pub(super) fn safe_href(href: Option<&str>) -> Option<&str> {
    let h = href?.trim();
    if h.is_empty() {
        return None;
    }
    let scheme_end = h.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if h[i..].starts_with(':') => {
            let scheme = h[..i].to_ascii_lowercase();
            (scheme == "http" || scheme == "https").then_some(h)
        }
        _ => Some(h),
    }
}

/// Width in em: Han, kana, hangul and full-width forms are square, everything else is taken
/// as an average proportional Latin glyph.
pub(super) fn char_em(c: char) -> f64 {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F | 0x2026 | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD);
    if wide {
        1.0
    } else if c.is_whitespace() {
        0.3
    } else {
        0.6
    }
}

pub(super) fn text_width(s: &str, px: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * px
}

/// The label as it fits in `max_px`, and whether it had to be cut.
pub(super) fn fit(s: &str, max_px: f64, px: f64) -> (String, bool) {
    let s = s.trim();
    if text_width(s, px) <= max_px {
        return (s.to_string(), false);
    }
    let budget = max_px / px - char_em('…');
    let mut used = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        used += char_em(c);
        if used > budget {
            break;
        }
        out.push(c);
    }
    out.push('…');
    (out, true)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Clone, Copy)]
pub(super) struct TextStyle<'a> {
    pub px: f64,
    pub fill: &'a str,
    pub anchor: Anchor,
    pub bold: bool,
}

impl<'a> TextStyle<'a> {
    pub fn new(px: f64, fill: &'a str) -> Self {
        Self {
            px,
            fill,
            anchor: Anchor::Start,
            bold: false,
        }
    }
    pub fn anchor(mut self, anchor: Anchor) -> Self {
        self.anchor = anchor;
        self
    }
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
}

/// Writes `s` centred vertically on `cy`, cut to `max_px` with the full text as its tooltip.
/// The baseline is computed here rather than with `dominant-baseline`, which older office
/// browsers ignore.
pub(super) fn text(out: &mut String, x: f64, cy: f64, s: &str, max_px: f64, st: &TextStyle) {
    let (shown, cut) = fit(s, max_px.max(st.px), st.px);
    let anchor = match st.anchor {
        Anchor::Start => "start",
        Anchor::Middle => "middle",
        Anchor::End => "end",
    };
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" fill="{}" text-anchor="{anchor}"{}>"#,
        n(x),
        n(cy + st.px * 0.35),
        n(st.px),
        st.fill,
        if st.bold {
            r#" font-weight="bold""#
        } else {
            ""
        },
    );
    if cut {
        out.push_str("<title>");
        push_escaped(out, s.trim());
        out.push_str("</title>");
    }
    push_escaped(out, &shown);
    out.push_str("</text>\n");
}

/// Coordinates with at most one decimal keep the files small and diffable.
pub(super) fn n(v: f64) -> String {
    let v = if v.is_finite() {
        (v * 10.0).round() / 10.0
    } else {
        0.0
    };
    if v == v.trunc() {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// How a value reads on the chart; NaN and infinities are "no figure", not zero.
pub(super) fn format_value(v: f64, scale: Scale) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let body = if v.abs() >= 1e15 {
        format!("{v:.2e}")
    } else if v == v.trunc() {
        group_thousands(v as i64)
    } else {
        let s = format!("{v:.1}");
        if s.ends_with(".0") {
            s[..s.len() - 2].to_string()
        } else {
            s
        }
    };
    match scale {
        Scale::Percent => format!("{body}%"),
        Scale::Count => body,
    }
}

fn group_thousands(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    if digits.len() < 5 {
        return v.to_string();
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 { format!("-{out}") } else { out }
}

/// Opens a mark: a link when the datum has a usable href, a plain group otherwise; either
/// way the first child is the tooltip. Returns the closing tag.
pub(super) fn open_mark(out: &mut String, datum: &Datum, tooltip: &str) -> &'static str {
    match safe_href(datum.href.as_deref()) {
        Some(h) => {
            let h = esc(h);
            // xlink:href as well, for the IE-mode browsers still found on office PCs.
            let _ = write!(
                out,
                r#"<a href="{h}" xlink:href="{h}" class="shishi-mark"><title>"#
            );
            push_escaped(out, tooltip);
            out.push_str("</title>\n");
            "</a>\n"
        }
        None => {
            out.push_str(r#"<g class="shishi-mark"><title>"#);
            push_escaped(out, tooltip);
            out.push_str("</title>\n");
            "</g>\n"
        }
    }
}

pub(super) fn rect(out: &mut String, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"{extra}/>"#,
        n(x),
        n(y),
        n(w.max(0.0)),
        n(h.max(0.0))
    );
}

/// Title and subtitle; returns the y where the chart body may start.
pub(super) fn header(out: &mut String, frame: &Frame, width: f64) -> f64 {
    let mut y = PAD;
    if !frame.title.trim().is_empty() {
        let st = TextStyle::new(TITLE_PX, INK).bold();
        text(
            out,
            PAD,
            y + TITLE_PX * 0.6,
            &frame.title,
            width - 2.0 * PAD,
            &st,
        );
        y += TITLE_PX * 1.5;
    }
    if let Some(sub) = frame.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let st = TextStyle::new(SUBTITLE_PX, INK_FAINT);
        text(out, PAD, y + SUBTITLE_PX * 0.6, sub, width - 2.0 * PAD, &st);
        y += SUBTITLE_PX * 1.6;
    }
    y + 6.0
}

/// Swatches with names, wrapped into as many lines as the width needs. Returns the height.
pub(super) fn legend(
    out: &mut String,
    items: &[(&str, &str)],
    x0: f64,
    y0: f64,
    width: f64,
) -> f64 {
    const SW: f64 = 12.0;
    const GAP: f64 = 18.0;
    const LINE: f64 = 22.0;
    if items.is_empty() {
        return 0.0;
    }
    let max_label = (width - SW - 6.0).max(LABEL_PX * 2.0);
    let (mut x, mut y) = (x0, y0);
    out.push_str("<g class=\"shishi-legend\">\n");
    for (colour, label) in items {
        let label_w = text_width(label.trim(), LABEL_PX).min(max_label);
        let item_w = SW + 6.0 + label_w;
        if x > x0 && x + item_w > x0 + width {
            x = x0;
            y += LINE;
        }
        let cy = y + LINE / 2.0;
        rect(out, x, cy - SW / 2.0, SW, SW, colour, r#" rx="2""#);
        text(
            out,
            x + SW + 6.0,
            cy,
            label,
            max_label,
            &TextStyle::new(LABEL_PX, INK_SOFT),
        );
        x += item_w + GAP;
    }
    out.push_str("</g>\n");
    y + LINE - y0
}

/// The frame of a chart with nothing to draw, with the caller's note in the middle.
pub(super) fn empty_state(out: &mut String, x: f64, y: f64, w: f64, h: f64, note: &str) {
    rect(
        out,
        x,
        y,
        w,
        h,
        "#f9fafb",
        r##" rx="6" stroke="#d1d5db" stroke-dasharray="4 4" class="shishi-empty""##,
    );
    let st = TextStyle::new(14.0, INK_FAINT).anchor(Anchor::Middle);
    text(out, x + w / 2.0, y + h / 2.0, note, w - 24.0, &st);
}

/// The whole document. `height` is only known once the body is laid out, hence a wrapper.
pub(super) fn document(frame: &Frame, width: f64, height: f64, body: &str) -> String {
    let title = esc(frame.title.trim());
    let label = match frame.subtitle.as_deref().map(str::trim) {
        Some(sub) if !sub.is_empty() => format!("{title} {}", esc(sub)),
        _ => title.clone(),
    };
    let (w, h) = (n(width), n(height.max(1.0)));
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" "#,
            r#"width="100%" viewBox="0 0 {w} {h}" role="img" aria-label="{label}" "#,
            r#"font-family="{font}" class="shishi-chart">"#,
            "\n<title>{title}</title>\n",
            "<style>.shishi-mark:hover rect,.shishi-mark:hover path,.shishi-mark:hover circle{{opacity:.82}}",
            " a.shishi-mark{{cursor:pointer}}</style>\n",
            r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##,
            "\n{body}</svg>\n"
        ),
        w = w,
        h = h,
        label = label,
        font = FONT_FAMILY,
        title = title,
        body = body,
    )
}
