//! `shishi import ledger|units|people FILE [--dry-run]`: the same import as the web page, with
//! the row-by-row plan on the terminal and a progress bar while a long file is read, checked
//! and written. Exit 1 when the file has problems (nothing is written then), 0 otherwise.
//! A ledger takes a campaign (`--campaign`), a default year, a completion day, and unit-name
//! mappings (`--map-unit`), kept for later imports as the page keeps them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shishi_report::import::{ColumnMapping, Field};
use shishi_service::imports::{
    ImportKind, ImportProgress, ImportReport, ImportRequest, Phase, RowAction, UnitAliasInput,
};
use shishi_service::{ServiceError, Services};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// A ledger (台账) of matters, one per row, into the units the acting user manages.
    Ledger {
        file: PathBuf,
        #[command(flatten)]
        common: Common,
        /// The 1-based header row; 0 when the sheet has no header (then map columns by letter).
        #[arg(long)]
        header_row: Option<u32>,
        /// Where a field is, for layouts the header detection does not know:
        /// FIELD=COLUMN with FIELD a code or a template header (title or 事项名称, unit or
        /// 责任单位, owner, deadline, measures, progress, status, remarks, acceptance_standard,
        /// supervisor, content_area, tags, content, original_deadline, campaign) and COLUMN a
        /// header text or a letter. Repeatable.
        #[arg(long = "column", value_name = "FIELD=COLUMN")]
        columns: Vec<String>,
        /// The campaign (批次), by name or id, of every row that names none.
        #[arg(long)]
        campaign: Option<String>,
        /// The year of deadlines written without one ("6月30日前", "年底前") when the sheet's
        /// title names none.
        #[arg(long)]
        year: Option<i32>,
        /// The day (YYYY-MM-DD) rows marked done (已完成) were completed; default: today.
        #[arg(long, value_name = "DATE")]
        completed_on: Option<NaiveDate>,
        /// Maps a unit name as the sheet writes it to a unit you manage (a name or a path such
        /// as 甲公司/党群工作部), kept for later imports. Repeatable.
        #[arg(long = "map-unit", value_name = "NAME=UNIT")]
        map_units: Vec<String>,
    },
    /// A unit list: 单位名称, 上级单位 (a name or a path of names), 单位类型, 排序.
    Units {
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// A people list: 账号, 姓名, 所属单位, 手机, 邮箱, 角色; prints each new initial password once.
    People {
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(clap::Args, Debug)]
pub struct Common {
    /// Check only: print what would be created, skipped or is wrong, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Act as this user (default: the first system admin).
    #[arg(long = "as")]
    as_user: Option<String>,
    /// The worksheet to read (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// Language of the output: zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
}

/// Field codes for `--column`, beside the template headers.
const FIELDS: [(&str, Field); 16] = [
    ("seq", Field::Seq),
    ("title", Field::Title),
    ("unit", Field::Unit),
    ("owner", Field::Owner),
    ("measures", Field::Measures),
    ("deadline", Field::Deadline),
    ("progress", Field::Progress),
    ("status", Field::Status),
    ("remarks", Field::Remarks),
    ("acceptance_standard", Field::AcceptanceStandard),
    ("supervisor", Field::Supervisor),
    ("content_area", Field::ContentArea),
    ("tags", Field::Tags),
    ("content", Field::Content),
    ("original_deadline", Field::OriginalDeadline),
    ("campaign", Field::Campaign),
];

/// What a ledger import takes beyond the file.
#[derive(Default)]
struct LedgerOptions {
    campaign: Option<String>,
    year: Option<i32>,
    completed_on: Option<NaiveDate>,
    map_units: Vec<String>,
}

/// Saves the `--map-unit` mappings and fills the request's campaign, year and day.
async fn apply_ledger_options(
    services: &Services,
    actor: &shishi_service::Actor,
    options: LedgerOptions,
    req: &mut ImportRequest,
) -> Result<()> {
    let mut items = Vec::new();
    for given in &options.map_units {
        let Some((name, unit)) = given.split_once('=') else {
            bail!("--map-unit {given:?}: write NAME=UNIT, e.g. 机关党委=党群工作部");
        };
        let unit_id = services
            .managed_unit_named(actor, unit.trim())
            .await
            .map_err(|e| {
                anyhow!("--map-unit {given:?}: no unit {unit:?} among the units you manage ({e})")
            })?;
        items.push(UnitAliasInput {
            name: name.trim().to_string(),
            unit_id: Some(unit_id),
        });
    }
    if !items.is_empty() {
        services
            .save_unit_aliases(actor, &items)
            .await
            .map_err(|e| anyhow!("--map-unit: {e}"))?;
    }
    if let Some(wanted) = options.campaign {
        let campaigns = services
            .campaigns(actor)
            .await
            .map_err(|e| anyhow!("reading the campaigns: {e}"))?;
        let found = campaigns
            .iter()
            .find(|c| c.name.trim() == wanted.trim() || c.id.to_string() == wanted.trim())
            .ok_or_else(|| {
                anyhow!(
                    "--campaign {wanted:?}: no such campaign within your reach; there are: {}",
                    campaigns
                        .iter()
                        .map(|c| format!("{} ({})", c.name, c.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        req.campaign = Some(found.id);
    }
    req.year = options.year;
    req.completed_on = options.completed_on;
    Ok(())
}

fn mapping(header_row: Option<u32>, columns: &[String]) -> Result<Option<ColumnMapping>> {
    let mut m = ColumnMapping {
        header_row,
        columns: Vec::new(),
    };
    for given in columns {
        let Some((field, column)) = given.split_once('=') else {
            bail!("--column {given:?}: write FIELD=COLUMN, e.g. title=B");
        };
        let field = field.trim();
        let Some((_, f)) = FIELDS
            .iter()
            .find(|(code, f)| *code == field || f.label_zh() == field)
        else {
            bail!(
                "--column {given:?}: unknown field {field:?}; use one of {}",
                FIELDS.map(|(c, _)| c).join(", ")
            );
        };
        m = m.with(column.trim(), *f);
    }
    Ok((m.header_row.is_some() || !m.columns.is_empty()).then_some(m))
}

fn english(lang: &str) -> bool {
    lang.to_ascii_lowercase().starts_with("en")
}

/// A progress bar on stderr while stdout is a terminal; nothing otherwise, so that piped or
/// captured output holds the plan alone.
struct Bar {
    bar: ProgressBar,
    en: bool,
}

impl Bar {
    fn new(en: bool) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if std::io::stdout().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        Bar { bar, en }
    }
}

impl ImportProgress for Bar {
    fn start(&self, phase: Phase, total: u64) {
        let name = match (phase, self.en) {
            (Phase::Parse, false) => "读取工作簿",
            (Phase::Resolve, false) => "逐行检查",
            (Phase::Write, false) => "写入",
            (Phase::Parse, true) => "reading the workbook",
            (Phase::Resolve, true) => "checking rows",
            (Phase::Write, true) => "writing",
        };
        self.bar.reset();
        if total == 0 {
            self.bar.set_length(0);
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
                self.bar.set_style(style);
            }
            self.bar.enable_steady_tick(Duration::from_millis(120));
        } else {
            self.bar.disable_steady_tick();
            self.bar.set_length(total);
            if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {eta}") {
                self.bar.set_style(style.progress_chars("=> "));
            }
        }
        self.bar.set_message(name);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
}

pub async fn run(services: &Services, command: ImportCommand) -> Result<ExitCode> {
    let (kind, file, common, mapping, options) = match command {
        ImportCommand::Ledger {
            file,
            common,
            header_row,
            columns,
            campaign,
            year,
            completed_on,
            map_units,
        } => {
            let m = mapping(header_row, &columns)?;
            let options = LedgerOptions {
                campaign,
                year,
                completed_on,
                map_units,
            };
            (ImportKind::Ledger, file, common, m, options)
        }
        ImportCommand::Units { file, common } => (
            ImportKind::Units,
            file,
            common,
            None,
            LedgerOptions::default(),
        ),
        ImportCommand::People { file, common } => (
            ImportKind::People,
            file,
            common,
            None,
            LedgerOptions::default(),
        ),
    };
    let en = english(&common.lang);
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let actor = services
        .operator(common.as_user.as_deref())
        .await
        .map_err(|e| {
            anyhow!(
                "cannot act as {:?}: {e}",
                common.as_user.as_deref().unwrap_or("the system admin")
            )
        })?;
    let mut req = ImportRequest::new(kind, &file_name(&file), bytes);
    req.mapping = mapping;
    req.sheet = common.sheet;
    req.dry_run = common.dry_run;
    req.locale = if en { "en" } else { "zh-CN" }.to_string();
    if kind == ImportKind::Ledger {
        apply_ledger_options(services, &actor, options, &mut req).await?;
    }
    let bar = Bar::new(en);
    let outcome = services.run_import(&actor, &req, &bar).await;
    bar.bar.finish_and_clear();
    let report = outcome.map_err(|e| match e {
        ServiceError::Forbidden(_) if en => anyhow!(
            "not allowed: ledgers take a unit admin or system admin, units and people a system admin"
        ),
        ServiceError::Forbidden(_) => {
            anyhow!("无权导入：台账需要单位管理员或系统管理员，单位和人员需要系统管理员")
        }
        ServiceError::Invalid(fields) => anyhow!(
            "the import options are not valid: {}",
            fields
                .iter()
                .map(|f| format!("{} ({})", f.field, f.code))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => anyhow!("the import failed: {other}"),
    })?;
    print!("{}", plan_text(&report, en));
    Ok(if report.has_problems() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The plan as lines: problems of the file, each row with what happens to it, the totals.
fn plan_text(r: &ImportReport, en: bool) -> String {
    let mut out = String::new();
    for p in &r.problems {
        out.push_str(&format!(
            "{} {p}\n",
            if en { "File:" } else { "文件问题：" }
        ));
    }
    for n in &r.notes {
        out.push_str(&format!("{n}\n"));
    }
    if !r.unmatched_units.is_empty() {
        out.push_str(&if en {
            format!(
                "Unit names to map with --map-unit NAME=UNIT: {}\n",
                r.unmatched_units.join(", ")
            )
        } else {
            format!(
                "可用 --map-unit 名称=单位 对应的单位名称：{}\n",
                r.unmatched_units.join("、")
            )
        });
    }
    for row in &r.rows {
        let action = match (row.action, r.written, en) {
            (RowAction::Create, true, false) => "已新建",
            (RowAction::Create, false, false) => "将新建",
            (RowAction::Skip, _, false) => "跳过",
            (RowAction::Error, _, false) => "有问题",
            (RowAction::Create, true, true) => "created",
            (RowAction::Create, false, true) => "to create",
            (RowAction::Skip, _, true) => "skipped",
            (RowAction::Error, _, true) => "PROBLEM",
        };
        let place = if en {
            format!("row {}", row.row)
        } else {
            format!("第 {} 行", row.row)
        };
        let unit = if row.unit.is_empty() {
            String::new()
        } else {
            format!("  [{}]", row.unit)
        };
        out.push_str(&format!("{place}  {action}  {}{unit}\n", row.title));
        for m in &row.messages {
            out.push_str(&format!("    {m}\n"));
        }
        if let Some(pw) = &row.password {
            let label = if en {
                "initial password (shown once)"
            } else {
                "初始密码（只显示这一次）"
            };
            out.push_str(&format!("    {label}: {pw}\n"));
        }
    }
    let totals = match (r.has_problems(), r.written, en) {
        (true, _, false) => format!(
            "有问题 {} 行，文件问题 {} 处：什么都没有写入，请修改后重新导入。",
            r.errors,
            r.problems.len()
        ),
        (true, _, true) => format!(
            "{} rows and {} file problems: nothing was written; correct the file and import it again.",
            r.errors,
            r.problems.len()
        ),
        (false, true, false) => format!("已导入：新建 {} 行，跳过 {} 行。", r.created, r.skipped),
        (false, true, true) => format!(
            "Imported: {} rows created, {} skipped.",
            r.created, r.skipped
        ),
        (false, false, false) => format!(
            "试运行：将新建 {} 行，跳过 {} 行，没有问题；未写入任何内容。",
            r.created, r.skipped
        ),
        (false, false, true) => format!(
            "Dry run: {} rows to create, {} to skip, no problems; nothing was written.",
            r.created, r.skipped
        ),
    };
    out.push_str(&totals);
    out.push('\n');
    out
}
