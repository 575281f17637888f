//! The sentences of an import report that the database decides (the workbook reader words its
//! own): where, in the reader's form ("第 5 行 C 列（责任单位）："), and what.
//!
//! A unit or person that is not found and one outside the actor's reach get the same words, so
//! that a report never tells whether something exists beyond it.

use shishi_report::import::Field;

pub(crate) fn en(locale: &str) -> bool {
    locale
        .get(..2)
        .is_some_and(|p| p.eq_ignore_ascii_case("en"))
}

/// The place of a problem, as the reader's own messages start.
pub(crate) fn at(locale: &str, row: u32, column: &str, field: Field) -> String {
    let label = field.label(locale);
    match (en(locale), column.is_empty()) {
        (false, false) => format!("第 {row} 行 {column} 列（{label}）："),
        (false, true) => format!("第 {row} 行（{label}）："),
        (true, false) => format!("Row {row}, column {column} ({label}): "),
        (true, true) => format!("Row {row} ({label}): "),
    }
}

fn list(locale: &str, items: &[String]) -> String {
    items.join(if en(locale) { "; " } else { "；" })
}

pub(crate) fn too_large(locale: &str, bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    let limit = super::MAX_IMPORT_BYTES / (1024 * 1024);
    if en(locale) {
        format!(
            "The file is too large ({mb:.1} MB); at most {limit} MB can be imported at once. Split it and import the parts one by one."
        )
    } else {
        format!("文件过大（{mb:.1} MB），一次最多导入 {limit} MB，请拆分后分批导入。")
    }
}

pub(crate) fn no_rows(locale: &str) -> String {
    if en(locale) {
        "The worksheet has no rows of data under its header.".into()
    } else {
        "工作表的表头下面没有数据行。".into()
    }
}

pub(crate) fn unit_unknown(locale: &str, name: &str) -> String {
    if en(locale) {
        format!("no unit \"{name}\" was found among the units you manage (不在您管理的范围内)")
    } else {
        format!("找不到单位“{name}”，或该单位不在您管理的范围内")
    }
}

pub(crate) fn unit_ambiguous(locale: &str, name: &str, paths: &[String]) -> String {
    if en(locale) {
        format!(
            "{} units are named \"{name}\"; write the path instead, one of: {}",
            paths.len(),
            list(locale, paths)
        )
    } else {
        format!(
            "有 {} 个单位名为“{name}”，请改写完整路径，如：{}",
            paths.len(),
            list(locale, paths)
        )
    }
}

pub(crate) fn unit_inactive(locale: &str, name: &str) -> String {
    if en(locale) {
        format!("the unit \"{name}\" is deactivated")
    } else {
        format!("单位“{name}”已停用")
    }
}

pub(crate) fn person_unknown(locale: &str, name: &str) -> String {
    if en(locale) {
        format!(
            "nobody with the account or name \"{name}\" was found among the people within your reach"
        )
    } else {
        format!("找不到账号或姓名为“{name}”的人员，或此人不在您管理的范围内")
    }
}

pub(crate) fn person_ambiguous(locale: &str, name: &str, who: &[String]) -> String {
    if en(locale) {
        format!(
            "{} people are named \"{name}\"; write the account instead: {}",
            who.len(),
            list(locale, who)
        )
    } else {
        format!(
            "有 {} 人名为“{name}”，请改填账号：{}",
            who.len(),
            list(locale, who)
        )
    }
}

pub(crate) fn area_unknown(locale: &str, text: &str, known: &[String]) -> String {
    if en(locale) {
        format!(
            "unknown content area \"{text}\"; use one of: {}",
            known.join(", ")
        )
    } else {
        format!("无法识别的内容类别“{text}”，可填：{}", known.join("、"))
    }
}

pub(crate) fn too_long(locale: &str, length: usize, limit: usize) -> String {
    if en(locale) {
        format!("too long ({length} characters); at most {limit} characters")
    } else {
        format!("内容过长（{length} 字），最多 {limit} 字")
    }
}

/// `place` is where the row's matter name is ("第 2 行 B 列（事项名称）：").
pub(crate) fn same_matter(locale: &str, place: &str, other: u32) -> String {
    if en(locale) {
        format!(
            "{place}the same matter (same name, same responsible unit) as row {other}; keep one of the two rows"
        )
    } else {
        format!("{place}与第 {other} 行是同一事项（责任单位和事项名称都相同），请只保留一行")
    }
}

/// Added to "no such unit" in a ledger: the dry run offers to map the name.
pub(crate) fn unit_mappable(locale: &str) -> String {
    if en(locale) {
        "; map it to one of your units below the dry run (the mapping is kept for the next import)"
            .into()
    } else {
        "；可在试运行结果下方把它对应到您管理的单位（对应关系会保存，下次导入自动使用）".into()
    }
}

pub(crate) fn unit_aliased(locale: &str, written: &str, unit: &str) -> String {
    if en(locale) {
        format!("responsible unit \"{written}\" is {unit}, as mapped earlier")
    } else {
        format!("责任单位“{written}”按已保存的单位对应关系记为“{unit}”")
    }
}

pub(crate) fn campaign_unknown(locale: &str, text: &str, known: &[String]) -> String {
    let known: Vec<String> = known.iter().take(10).cloned().collect();
    if en(locale) {
        format!(
            "no campaign \"{text}\" within your reach; use one of: {}",
            known.join(", ")
        )
    } else {
        format!(
            "找不到批次“{text}”，或该批次不在您的范围内，可填：{}",
            known.join("、")
        )
    }
}

pub(crate) fn year_from_title(locale: &str, year: i32) -> String {
    if en(locale) {
        format!(
            "Deadlines written without a year (such as 6月30日前) are taken in {year}, the year in the sheet's title."
        )
    } else {
        format!("未写年份的完成时限（如“6月30日前”）按表格标题中的 {year} 年计。")
    }
}

pub(crate) fn year_chosen(locale: &str, year: i32) -> String {
    if en(locale) {
        format!(
            "Deadlines written without a year (such as 6月30日前) are taken in {year}, the default year chosen."
        )
    } else {
        format!("未写年份的完成时限（如“6月30日前”）按导入时选择的 {year} 年计。")
    }
}

pub(crate) fn campaign_chosen(locale: &str, name: &str) -> String {
    if en(locale) {
        format!("Rows that name no campaign (批次) go into \"{name}\".")
    } else {
        format!("未填写批次的事项均归入批次“{name}”。")
    }
}

/// The day rows marked done are recorded as completed; `chosen` when the importer gave it.
pub(crate) fn completed_on(locale: &str, day: &str, chosen: bool) -> String {
    match (en(locale), chosen) {
        (true, true) => format!("completed on {day} (the day given for this import)"),
        (true, false) => format!(
            "completed on {day}, the day of the import; give the real day as the completion date when importing"
        ),
        (false, true) => format!("完成日期：{day}（导入时填写）"),
        (false, false) => {
            format!("完成日期按导入日期 {day} 记；如需按实际日期，请在导入时填写完成日期")
        }
    }
}

fn determination_word(locale: &str, d: shishi_core::matter::Determination) -> &'static str {
    use shishi_core::matter::Determination as D;
    let field = match d {
        D::ResponsibleUnit => Field::Unit,
        D::ResponsiblePerson => Field::Owner,
        D::Measures => Field::Measures,
        D::Deadline => Field::Deadline,
        D::AcceptanceStandard => Field::AcceptanceStandard,
    };
    field.label(locale)
}

/// A row without all five determinations comes in as proposed (拟办); `written` is the status
/// the sheet gave, when that was more.
pub(crate) fn incomplete(
    locale: &str,
    missing: &[shishi_core::matter::Determination],
    written: Option<shishi_core::MatterStatus>,
) -> String {
    let names: Vec<&str> = missing
        .iter()
        .map(|d| determination_word(locale, *d))
        .collect();
    let was = written.filter(|s| *s != shishi_core::MatterStatus::Proposed);
    if en(locale) {
        let was = was.map_or(String::new(), |s| {
            format!(" instead of {}", status_word(locale, s))
        });
        format!(
            "the five determinations are incomplete (missing: {}): imported as proposed{was}; the unit admin approves it once they are filled in",
            names.join(", ")
        )
    } else {
        let was = was.map_or(String::new(), |s| {
            format!("（表中为“{}”）", status_word(locale, s))
        });
        format!(
            "五定不全（缺：{}），按拟办导入{was}；补全后由单位管理员立项",
            names.join("、")
        )
    }
}

pub(crate) fn already_imported(locale: &str) -> String {
    if en(locale) {
        "already imported; skipped".into()
    } else {
        "已存在，跳过".into()
    }
}

pub(crate) fn unit_exists(locale: &str) -> String {
    already_imported(locale)
}

pub(crate) fn account_exists(locale: &str) -> String {
    if en(locale) {
        "the account already exists; skipped".into()
    } else {
        "账号已存在，跳过".into()
    }
}

pub(crate) fn also_creates(locale: &str, names: &[String]) -> String {
    if en(locale) {
        format!("also creates the parent units: {}", names.join(" / "))
    } else {
        format!("同时新建上级单位：{}", names.join(" / "))
    }
}

pub(crate) fn same_unit(locale: &str, other: u32) -> String {
    if en(locale) {
        format!("the same unit as row {other}")
    } else {
        format!("与第 {other} 行是同一单位")
    }
}

pub(crate) fn parent_unresolved(locale: &str, name: &str) -> String {
    if en(locale) {
        format!(
            "the parent \"{name}\" is only defined by rows that depend on this one; write its path from the top"
        )
    } else {
        format!("上级单位“{name}”与本行互相依赖，无法确定位置，请写出从顶层开始的完整路径")
    }
}

pub(crate) fn unit_kind_unknown(locale: &str, text: &str) -> String {
    if en(locale) {
        format!(
            "unknown unit type \"{text}\"; use one of: 集团, 子公司, 单位, 部门 (or group, subsidiary, unit, department)"
        )
    } else {
        format!("无法识别的单位类型“{text}”，可填：集团、子公司、单位、部门")
    }
}

pub(crate) fn account_rule(locale: &str, text: &str) -> String {
    if en(locale) {
        format!("the account \"{text}\" cannot sign in: use letters, digits and . _ - only")
    } else {
        format!("账号“{text}”无法用于登录：只能使用字母、数字和 . _ -")
    }
}

pub(crate) fn only_root_admin(locale: &str) -> String {
    if en(locale) {
        "only a system admin of the whole organisation grants the system admin role".into()
    } else {
        "只有全集团的系统管理员才能授予“系统管理员”角色".into()
    }
}

pub(crate) fn default_role(locale: &str) -> String {
    if en(locale) {
        "no roles given: member (职工)".into()
    } else {
        "未填写角色，按职工（群众）授予".into()
    }
}

fn status_word(locale: &str, s: shishi_core::MatterStatus) -> &'static str {
    use shishi_core::MatterStatus as S;
    let (zh, en_word) = match s {
        S::Proposed => ("拟办", "proposed"),
        S::Approved => ("已立项", "approved"),
        S::InProgress => ("推进中", "in progress"),
        S::Completed => ("已完成", "completed"),
        S::Accepted => ("已验收", "accepted"),
        S::Closed => ("已销号", "closed"),
        S::Suspended => ("暂缓", "suspended"),
        S::Cancelled => ("撤销", "cancelled"),
    };
    if en(locale) { en_word } else { zh }
}

/// What a new matter will hold, for the person to check against the sheet.
pub(crate) struct MatterNote<'a> {
    pub owner: Option<&'a str>,
    pub deadline: Option<&'a str>,
    pub status: shishi_core::MatterStatus,
    /// The status was read from the words of 进展情况.
    pub from_progress: bool,
    pub percent: i64,
    pub campaign: Option<&'a str>,
}

pub(crate) fn matter_note(locale: &str, n: &MatterNote<'_>) -> String {
    let none = if en(locale) { "—" } else { "未填" };
    let status = status_word(locale, n.status);
    let percent = n.percent;
    if en(locale) {
        let source = if n.from_progress {
            " (from 进展情况)"
        } else {
            ""
        };
        let campaign = n
            .campaign
            .map_or(String::new(), |c| format!("; campaign: {c}"));
        format!(
            "owner: {}; deadline: {}; status: {status}{source}; progress: {percent}%{campaign}",
            n.owner.unwrap_or(none),
            n.deadline.unwrap_or(none),
        )
    } else {
        let source = if n.from_progress {
            "（按进展情况）"
        } else {
            ""
        };
        let campaign = n.campaign.map_or(String::new(), |c| format!("；批次：{c}"));
        format!(
            "责任人：{}；完成时限：{}；状态：{status}{source}；进度：{percent}%{campaign}",
            n.owner.unwrap_or(none),
            n.deadline.unwrap_or(none),
        )
    }
}
