//! Turning one cell into text, a date, a status or a number, or into the problem that stops it.

use chrono::{Datelike, Days, NaiveDate};
use shishi_core::MatterStatus;

use super::problem::ProblemKind;
use super::sheet::Value;

/// Deadlines outside these years are mistakes (a sequence number or a time in the date
/// column), not plans.
const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2099;

/// The cell as text: numbers without a trailing ".0", dates as 2026-12-31, whitespace trimmed.
/// `Ok(None)` for an empty cell.
pub(crate) fn text(value: Option<&Value>) -> Result<Option<String>, ProblemKind> {
    let Some(value) = value else {
        return Ok(None);
    };
    let s = match value {
        Value::Text(s) => {
            // The one text rule for every input, a cell included.
            if let Some((at, _)) = shishi_core::text::forbidden_char(s) {
                return Err(ProblemKind::ControlChar { at });
            }
            clean(s)
        }
        Value::Int(i) => i.to_string(),
        Value::Float(f) => number_text(*f),
        Value::Bool(true) => "TRUE".into(),
        Value::Bool(false) => "FALSE".into(),
        Value::DateTime(dt) => {
            if dt.time() == chrono::NaiveTime::MIN {
                dt.format("%Y-%m-%d").to_string()
            } else {
                dt.format("%Y-%m-%d %H:%M:%S").to_string()
            }
        }
        Value::Time(f) => number_text(*f),
        Value::Error(code) => return Err(ProblemKind::CellError { code: code.clone() }),
        Value::Uncalculated(f) => {
            return Err(ProblemKind::FormulaWithoutValue { formula: f.clone() });
        }
    };
    Ok(if s.is_empty() { None } else { Some(s) })
}

/// Trims all kinds of blank (including the full-width space and NBSP that pasted text brings)
/// and makes line breaks plain `\n`, keeping the lines themselves: measures are often written
/// as numbered lines.
pub(crate) fn clean(s: &str) -> String {
    let unified = if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    };
    unified
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}')
        .to_string()
}

/// Excel shows at most 15 significant digits, so 0.1 + 0.2 stored as 0.30000000000000004 reads
/// back as the 0.3 the user saw; whole numbers lose their ".0".
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let shown: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if shown.fract() == 0.0 && shown.abs() < 1e15 {
        format!("{}", shown as i64)
    } else {
        format!("{shown}")
    }
}

/// A deadline cell: a date cell, an Excel serial number, yyyymmdd, or date text; text without
/// a year ("6月30日前", "年底前") takes `year` (the sheet title's, or the one chosen).
pub(crate) fn date(
    value: Option<&Value>,
    is_1904: bool,
    year: Option<i32>,
) -> Result<Option<NaiveDate>, ProblemKind> {
    let Some(value) = value else {
        return Ok(None);
    };
    let d = match value {
        Value::DateTime(dt) => dt.date(),
        Value::Int(i) => number_date(*i as f64, is_1904)?,
        Value::Float(f) => number_date(*f, is_1904)?,
        Value::Text(s) => {
            let s = clean(s);
            if s.is_empty() {
                return Ok(None);
            }
            deadline_text(&s, year)?
        }
        Value::Bool(_) | Value::Time(_) => {
            return Err(ProblemKind::BadDate {
                text: text(Some(value))?.unwrap_or_default(),
            });
        }
        Value::Error(code) => return Err(ProblemKind::CellError { code: code.clone() }),
        Value::Uncalculated(f) => {
            return Err(ProblemKind::FormulaWithoutValue { formula: f.clone() });
        }
    };
    if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
        Ok(Some(d))
    } else {
        Err(ProblemKind::DateOutOfRange {
            date: d.format("%Y-%m-%d").to_string(),
        })
    }
}

fn number_date(f: f64, is_1904: bool) -> Result<NaiveDate, ProblemKind> {
    let bad = || ProblemKind::BadDate {
        text: number_text(f),
    };
    if !f.is_finite() || f < 1.0 {
        return Err(bad());
    }
    // 20261231 typed as a number is a date someone wrote without separators.
    if f.fract() == 0.0 && (19000101.0..=29991231.0).contains(&f) {
        return ymd_number(f as u32).ok_or_else(bad);
    }
    // Excel's largest date, 9999-12-31.
    if f >= 2_958_466.0 {
        return Err(bad());
    }
    let days = f.floor() as u64;
    let epoch = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)
    } else {
        // Day 60 is Excel's fictitious 1900-02-29; every later serial counts from 1899-12-30.
        NaiveDate::from_ymd_opt(1899, 12, if days >= 61 { 30 } else { 31 })
    };
    epoch
        .and_then(|e| e.checked_add_days(Days::new(days)))
        .ok_or_else(bad)
}

fn ymd_number(n: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt((n / 10_000) as i32, (n / 100) % 100, n % 100)
}

/// Full-width digits and separators, as Chinese input methods produce them, in ASCII.
fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '—' | '–' => '-',
            '／' => '/',
            '．' | '。' => '.',
            '：' => ':',
            '％' => '%',
            '　' => ' ',
            _ => c,
        })
        .collect()
}

/// Date text: 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日, 20261231, with an optional
/// time after it; a month alone (2026年6月, 2026-06, 2026年6月底) or 2026年底 means the last day
/// of that month or year, which is how ledgers write deadlines.
pub(crate) fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = half_width(s);
    let s = s.trim();
    // A time after the date ("2026-12-31 00:00:00", "2026-12-31T08:00") does not change the day.
    let date_part = match s.split_once([' ', 'T']) {
        Some((d, rest)) if is_time(rest.trim()) => d,
        _ => s,
    };
    let compact: String = date_part.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = strip_any_suffix(&compact, &["以前", "之前", "前", "止"]);
    if compact.len() == 8 && compact.bytes().all(|b| b.is_ascii_digit()) {
        return ymd_number(compact.parse().ok()?);
    }
    if let Some(rest) = compact.split_once('年') {
        return chinese_date(rest.0, rest.1);
    }
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = compact.split(sep).collect();
        match parts.as_slice() {
            [y, m, d] => return ymd(y, m, Some(d)),
            [y, m] => return ymd(y, m, None),
            _ => {}
        }
    }
    None
}

/// Words that say a deadline is no date: the work has no end ("长期坚持", "持续推进",
/// "常态化开展"). Ledgers write them, but a matter on the list needs a date.
const OPEN_ENDED: [&str; 12] = [
    "长期",
    "持续",
    "常态",
    "长效",
    "坚持",
    "动态",
    "随时",
    "按需",
    "待定",
    "视情况",
    "逐步",
    "不定期",
];

/// Deadline text as ledgers write it: any [`parse_date_text`] form, or a date without its
/// year ("6月30日前", "9月底", "年底前", "三季度末", "上半年") in `year`.
pub(crate) fn deadline_text(text: &str, year: Option<i32>) -> Result<NaiveDate, ProblemKind> {
    if let Some(d) = parse_date_text(text) {
        return Ok(d);
    }
    let half = half_width(text);
    let mut compact: String = half.chars().filter(|c| !c.is_whitespace()).collect();
    // "6月30日前完成", "年底前完成": the words after the date say nothing more.
    loop {
        let cut = strip_any_suffix(&compact, &["完成", "为止", "以前", "之前", "前", "止"]);
        if cut.len() == compact.len() {
            break;
        }
        compact = cut.to_string();
    }
    if let Some(d) = parse_date_text(&compact) {
        return Ok(d);
    }
    if OPEN_ENDED.iter().any(|w| compact.contains(w)) {
        return Err(ProblemKind::OpenEndedDeadline {
            text: text.to_string(),
        });
    }
    let bad = || ProblemKind::BadDate {
        text: text.to_string(),
    };
    let Some((month, day)) = yearless(&compact) else {
        return Err(bad());
    };
    let Some(year) = year else {
        return Err(ProblemKind::NoYear {
            text: text.to_string(),
        });
    };
    let date = match day {
        Some(d) => NaiveDate::from_ymd_opt(year, month, d),
        None => ymd(&year.to_string(), &month.to_string(), None),
    };
    date.ok_or_else(bad)
}

/// (month, day) of a date written without a year; no day means the month's last.
fn yearless(s: &str) -> Option<(u32, Option<u32>)> {
    // The year's end or half, whichever year it is.
    match s {
        "年底" | "年末" | "年内" | "全年" | "年度内" | "本年度" | "本年度内" | "本年"
        | "本年底" | "本年内" | "今年" | "今年底" | "今年年底" | "今年内" | "下半年"
        | "下半年内" | "年终" => {
            return Some((12, Some(31)));
        }
        "上半年" | "上半年底" | "上半年内" | "上半年末" | "年中" => {
            return Some((6, Some(30)));
        }
        _ => {}
    }
    // A quarter: 三季度, 第三季度, 3季度, 三季度末.
    let quarter = s.strip_prefix('第').unwrap_or(s);
    let quarter = strip_any_suffix(quarter, &["末", "底", "内"]);
    if let Some(n) = quarter.strip_suffix("季度").and_then(small_number)
        && (1..=4).contains(&n)
    {
        return Some((n * 3, None));
    }
    // 6月30日, 6月30号, 6月, 6月底, 6月份, 6月上旬, 六月底.
    if let Some((month, rest)) = s.split_once('月') {
        let month = small_number(month).filter(|m| (1..=12).contains(m))?;
        return match rest {
            "" | "底" | "末" | "份" | "份底" | "份内" | "内" | "下旬" => {
                Some((month, None))
            }
            "上旬" => Some((month, Some(10))),
            "中旬" => Some((month, Some(20))),
            day => {
                let day = strip_any_suffix(day, &["日", "号"]);
                small_number(day)
                    .filter(|d| (1..=31).contains(d))
                    .map(|d| (month, Some(d)))
            }
        };
    }
    // 6/30, 6-30, 6.30.
    for sep in ['/', '-', '.'] {
        if let Some((m, d)) = s.split_once(sep) {
            let (m, d) = (small_number(m)?, small_number(d)?);
            return ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((m, Some(d)));
        }
    }
    None
}

/// 1 to 31 written in digits or in Chinese numerals (六, 十二, 二十五, 三十一).
fn small_number(s: &str) -> Option<u32> {
    if !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['两'] => Some(2),
        [c] if *c != '〇' => digit(*c),
        ['十'] => Some(10),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
    .filter(|n| *n > 0)
}

fn strip_any_suffix<'a>(s: &'a str, suffixes: &[&str]) -> &'a str {
    suffixes
        .iter()
        .find_map(|suffix| s.strip_suffix(suffix))
        .unwrap_or(s)
}

fn is_time(s: &str) -> bool {
    let main = s.split('.').next().unwrap_or(s);
    let parts: Vec<&str> = main.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `year` is what precedes 年, `rest` what follows it.
fn chinese_date(year: &str, rest: &str) -> Option<NaiveDate> {
    if matches!(rest, "底" | "末" | "年底" | "年末") {
        return ymd(year, "12", None);
    }
    let (month, rest) = rest.split_once('月')?;
    if matches!(rest, "" | "底" | "末" | "份" | "份底") {
        return ymd(year, month, None);
    }
    let day = strip_any_suffix(rest, &["日", "号"]);
    ymd(year, month, Some(day))
}

/// A date from its parts; without a day, the last day of the month.
fn ymd(y: &str, m: &str, d: Option<&str>) -> Option<NaiveDate> {
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    if y.len() != 4 {
        return None;
    }
    let year = i32::try_from(digits(y, 4)?).ok()?;
    let month = digits(m, 2)?;
    match d {
        Some(d) => NaiveDate::from_ymd_opt(year, month, digits(d, 2)?),
        None => {
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            first.checked_add_months(chrono::Months::new(1))?.pred_opt()
        }
    }
}

/// 完成状态 words, the status codes and the export's English words ("In progress") to a
/// status; the export's overdue mark ("推进中（超期）") is not part of the status.
pub(crate) fn status(text: &str) -> Option<MatterStatus> {
    let word: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let word = strip_any_suffix(&word, &["（超期）", "(超期)", "(overdue)", "超期"]);
    let word = word.replace(['_', '-'], "");
    if let Some(found) = word_status(&word) {
        return Some(found);
    }
    match word.as_str() {
        "inprogress" => Some(MatterStatus::InProgress),
        other => MatterStatus::from_code(other),
    }
}

fn word_status(word: &str) -> Option<MatterStatus> {
    let found = match word {
        "拟办" => MatterStatus::Proposed,
        "未开始" | "已立项" | "待推进" => MatterStatus::Approved,
        "推进中" | "进行中" | "正在推进" | "持续推进" => MatterStatus::InProgress,
        "已完成" | "完成" => MatterStatus::Completed,
        "已验收" => MatterStatus::Accepted,
        "已销号" | "已办结" => MatterStatus::Closed,
        "暂缓" => MatterStatus::Suspended,
        "撤销" | "取消" => MatterStatus::Cancelled,
        _ => return None,
    };
    Some(found)
}

/// The status that 进展情况 states in its first words: "已完成", "已完成。已为职工…" and
/// "完成" mean completed; "推进中", "正在推进，已完成招标" in progress; "未开始" not started.
/// Only the first clause counts, so "正在推进，已完成招标" is not read as done. Without such
/// words, a percentage says it: 100% is done, anything between in progress.
pub(crate) fn progress_status(text: &str, percent: Option<u8>) -> Option<MatterStatus> {
    let first: String = half_width(text)
        .split([
            '，', '。', '.', '；', ',', ';', ':', '：', '\n', '(', '（', '、', '!', '！',
        ])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let first = strip_any_suffix(&first, &["了"]);
    let found = match first {
        "已完成" | "完成" | "已全部完成" | "全部完成" | "已办结" | "办结" | "已落实" | "已解决"
        | "已完工" | "完工" | "已建成" | "已实现" | "已完成整改" | "整改完成" => {
            MatterStatus::Completed
        }
        "推进中" | "正在推进" | "持续推进" | "进行中" | "正在进行" | "正在实施" | "实施中"
        | "有序推进" | "稳步推进" | "加快推进" | "正在办理" | "办理中" | "基本完成"
        | "正在建设" | "建设中" | "施工中" | "正在施工" => MatterStatus::InProgress,
        "未开始" | "尚未开始" | "未启动" | "尚未启动" | "待推进" | "待启动" => {
            MatterStatus::Approved
        }
        _ => match percent {
            Some(100) => MatterStatus::Completed,
            Some(1..=99) => MatterStatus::InProgress,
            _ => return None,
        },
    };
    Some(found)
}

/// The progress percentage in 进展情况 ("完成80％", "进度 75%"). A percentage right after a
/// progress word wins; otherwise a lone percentage counts; several unlabelled ones ("满意度提升
/// 20%，覆盖 60% 职工") say nothing about progress.
pub(crate) fn progress_percent(text: &str) -> Option<u8> {
    const WORDS: [&str; 6] = ["完成率", "完成", "进度", "进展", "完成度", "达到"];
    let s = half_width(text);
    let chars: Vec<char> = s.chars().collect();
    let mut found: Vec<(f64, bool)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while chars
            .get(i)
            .is_some_and(|c| c.is_ascii_digit() || *c == '.')
        {
            i += 1;
        }
        if i == start {
            i += 1;
            continue;
        }
        let mut j = i;
        while chars.get(j).is_some_and(|c| *c == ' ') {
            j += 1;
        }
        if chars.get(j) != Some(&'%') {
            continue;
        }
        let number: String = chars.get(start..i).unwrap_or_default().iter().collect();
        let Ok(value) = number.parse::<f64>() else {
            continue;
        };
        // Look back a few characters, past a colon or space ("进度：80%").
        let before: String = chars
            .get(start.saturating_sub(5)..start)
            .unwrap_or_default()
            .iter()
            .filter(|c| !matches!(c, ':' | ' ' | '为' | '了' | '约'))
            .collect();
        let labelled = WORDS.iter().any(|w| before.ends_with(w));
        found.push((value, labelled));
    }
    let in_range = |v: f64| (0.0..=100.0).contains(&v).then(|| v.round() as u8);
    if let Some(&(v, _)) = found.iter().find(|(_, labelled)| *labelled) {
        return in_range(v);
    }
    match found.as_slice() {
        [(v, _)] => in_range(*v),
        _ => None,
    }
}

/// A whole number cell (排序): an integer, a float without fraction, or such text.
pub(crate) fn integer(value: Option<&Value>) -> Result<Option<i64>, ProblemKind> {
    let Some(t) = text(value)? else {
        return Ok(None);
    };
    let bad = || ProblemKind::BadInteger { text: t.clone() };
    match value {
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(Value::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(*f as i64)),
        Some(Value::Text(_)) => half_width(&t)
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// Counts characters as a person does (one per Chinese character).
pub(crate) fn check_length(s: &str, limit: usize) -> Result<(), ProblemKind> {
    let length = s.chars().count();
    if length > limit {
        Err(ProblemKind::TooLong { limit, length })
    } else {
        Ok(())
    }
}
