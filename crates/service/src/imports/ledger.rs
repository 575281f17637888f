//! Importing a ledger (台账): one matter per row, in the units the actor manages.
//!
//! A row whose matter is already there (imported before, or typed in and exported since) is
//! skipped without reading further. Every other row is resolved (unit, people, campaign,
//! content area) and comes in with the status the sheet gives, but a row without all five
//! determinations comes in as proposed (拟办): only a matter with all five may stand on the
//! list. Rows marked done get a completion day, the one given or the import's.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use shishi_core::MatterStatus;
use shishi_core::matter::FiveDeterminations;
use shishi_report::import::{Field, LedgerRow, YearSource, read_ledger_with};
use shishi_store::audit;
use shishi_store::campaigns::{CampaignRow, ContentAreaRow};
use shishi_store::imports::{self as store, ImportMark};
use shishi_store::matters::{self, MatterFields};

use super::resolve::{AliasIndex, Found, PeopleIndex, UnitEntry, UnitIndex, usable_unit};
use super::{
    ImportProgress, ImportReport, ImportRequest, Phase, RowAction, RowPlan, changed_meanwhile,
    parse, place, place_cell_problems, texts,
};
use crate::{Actor, ServiceResult, Services};

/// The limits the matter form has for what the reader allows longer.
const MAX_ACCEPTANCE_CHARS: usize = 2000;
const MAX_TAGS_CHARS: usize = 200;

/// A row ready to be written.
struct Planned {
    row: u32,
    key: String,
    fields: MatterFields,
    status: MatterStatus,
    percent: i64,
    progress_text: Option<String>,
    reason: String,
    original_deadline: Option<String>,
    completed_on: Option<String>,
    accepted_on: Option<String>,
}

/// The key that finds an imported matter again: its unit and its name compared as the
/// similarity check compares texts (width, case, blanks and punctuation folded), so that a
/// re-typed or re-saved sheet still names the same matter.
pub(crate) fn import_key(unit_id: i64, title: &str) -> String {
    let folded = shishi_text::normalize(title);
    let title = if folded.is_empty() {
        title.trim()
    } else {
        &folded
    };
    hex::encode(Sha256::digest(format!("{unit_id}\n{title}").as_bytes()))
}

fn area_named<'a>(areas: &'a [ContentAreaRow], text: &str) -> Option<&'a ContentAreaRow> {
    let text = text.trim();
    areas
        .iter()
        .find(|a| a.name_zh == text || a.name_en.eq_ignore_ascii_case(text) || a.code == text)
}

/// A section heading ("一、服务基层类") names the content area of the rows under it when
/// exactly one area's name is in it.
fn area_of_section<'a>(areas: &'a [ContentAreaRow], section: &str) -> Option<&'a ContentAreaRow> {
    let mut found = areas
        .iter()
        .filter(|a| section.contains(a.name_zh.as_str()));
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// What every row is resolved against.
struct Context<'a> {
    actor: &'a Actor,
    units: &'a UnitIndex,
    aliases: &'a AliasIndex,
    people: &'a PeopleIndex,
    areas: &'a [ContentAreaRow],
    campaigns: &'a [CampaignRow],
    /// The campaign of rows that name none.
    campaign: Option<&'a CampaignRow>,
    /// The day rows marked done were completed, and whether the importer gave it.
    completed_on: (NaiveDate, bool),
    at: &'a (dyn Fn(u32, Field) -> String + Sync),
    locale: &'a str,
}

/// The keys of the matters already there among those the rows would create: by an earlier
/// import's key, or by unit and name among the matters of those units (a matter typed in and
/// exported has no import key).
async fn existing(
    conn: &mut shishi_store::AnyConnection,
    keys: &[String],
    unit_paths: &[String],
) -> ServiceResult<HashSet<String>> {
    let mut found = store::existing_keys(conn, keys).await?;
    let wanted: HashSet<&str> = keys.iter().map(String::as_str).collect();
    for (_, unit_id, title) in store::matters_in_units(conn, unit_paths).await? {
        let key = import_key(unit_id, &title);
        if wanted.contains(key.as_str()) {
            found.insert(key);
        }
    }
    Ok(found)
}

impl Services {
    pub(super) async fn ledger_import(
        &self,
        actor: &Actor,
        req: &ImportRequest,
        progress: &dyn ImportProgress,
        report: &mut ImportReport,
    ) -> ServiceResult<()> {
        let locale = req.locale.as_str();
        let campaigns = self.campaigns(actor).await?;
        let campaign = req
            .campaign
            .and_then(|id| campaigns.iter().find(|c| c.id == id));
        progress.start(Phase::Parse, 0);
        let mapping = req.mapping.clone();
        let Some(parsed) = parse(req, report, move |bytes, options| {
            read_ledger_with(bytes, mapping.as_ref(), options)
        })
        .await?
        else {
            return Ok(());
        };
        match parsed.year {
            Some((year, YearSource::Title)) => {
                report.notes.push(texts::year_from_title(locale, year))
            }
            Some((year, YearSource::Chosen)) => report.notes.push(texts::year_chosen(locale, year)),
            None => {}
        }
        if let Some(c) = campaign {
            report.notes.push(texts::campaign_chosen(locale, &c.name));
        }
        let at = |row: u32, field: Field| place(&parsed.columns, locale, row, field);

        let mut conn = self.store.read().await?;
        let roots = actor.manage_roots();
        let units = UnitIndex::load(&mut conn, &roots).await?;
        let mut written_units: Vec<String> = parsed
            .rows
            .iter()
            .filter_map(|r| r.unit.as_deref().map(|u| u.trim().to_string()))
            .collect();
        written_units.sort();
        written_units.dedup();
        let aliases = AliasIndex::load(&mut conn, &written_units, &units, &roots).await?;
        let mut named: Vec<String> = parsed
            .rows
            .iter()
            .flat_map(|r| [r.owner.clone(), r.supervisor.clone()])
            .flatten()
            .collect();
        named.sort();
        named.dedup();
        let people = PeopleIndex::load(&mut conn, &named).await?;
        let areas: Vec<ContentAreaRow> = shishi_store::campaigns::content_areas(&mut conn)
            .await?
            .into_iter()
            .filter(|a| a.active == 1)
            .collect();
        let cx = Context {
            actor,
            units: &units,
            aliases: &aliases,
            people: &people,
            areas: &areas,
            campaigns: &campaigns,
            campaign,
            completed_on: match req.completed_on {
                Some(day) => (day, true),
                None => (self.clock.today(), false),
            },
            at: &at,
            locale,
        };

        progress.start(Phase::Resolve, parsed.rows.len() as u64);
        // First the unit of every row, which with the name finds a matter already there.
        let mut found: Vec<(RowPlan, Option<&UnitEntry>)> = parsed
            .rows
            .iter()
            .map(|row| unit_of(&cx, row, &mut report.unmatched_units))
            .collect();
        let keyed: Vec<(u32, String, &UnitEntry)> = parsed
            .rows
            .iter()
            .zip(&found)
            .filter_map(|(row, (_, unit))| {
                let unit = (*unit)?;
                (!row.title.is_empty())
                    .then(|| (row.row, import_key(unit.unit.id, &row.title), unit))
            })
            .collect();
        let keys: Vec<String> = keyed.iter().map(|(_, k, _)| k.clone()).collect();
        let mut unit_paths: Vec<String> =
            keyed.iter().map(|(_, _, u)| u.unit.path.clone()).collect();
        unit_paths.sort();
        unit_paths.dedup();
        let there = existing(&mut conn, &keys, &unit_paths).await?;
        drop(conn);
        let skipped: HashSet<u32> = keyed
            .iter()
            .filter(|(_, key, _)| there.contains(key))
            .map(|(row, _, _)| *row)
            .collect();

        let mut planned: Vec<Planned> = Vec::new();
        for (row, (mut plan, unit)) in parsed.rows.iter().zip(found.drain(..)) {
            if skipped.contains(&row.row) {
                plan.action = RowAction::Skip;
                plan.messages = vec![texts::already_imported(locale)];
            } else if let Some(ready) = resolve_row(&cx, row, unit, &mut plan) {
                planned.push(ready);
            }
            report.rows.push(plan);
            progress.advance(1);
        }
        // Two rows of one sheet that are the same matter: both rows say so.
        let mut seen: HashMap<&str, u32> = HashMap::new();
        let mut twins: Vec<(u32, u32)> = Vec::new();
        for p in &planned {
            match seen.get(p.key.as_str()) {
                Some(&first) => twins.push((first, p.row)),
                None => {
                    seen.insert(&p.key, p.row);
                }
            }
        }
        for (first, second) in twins {
            for (row, other) in [(first, second), (second, first)] {
                if let Some(plan) = report.row_mut(row) {
                    plan.problem(texts::same_matter(locale, &at(row, Field::Title), other));
                }
            }
        }
        // A row whose matter is there is not read further: its cells' problems do not count.
        let problems: Vec<_> = parsed
            .problems
            .iter()
            .filter(|p| !skipped.contains(&p.row))
            .cloned()
            .collect();
        place_cell_problems(report, &problems, locale);
        report.finish(locale);
        if req.dry_run || report.has_problems() {
            return Ok(());
        }

        progress.start(Phase::Write, planned.len() as u64);
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        // Another import of the same rows may have committed since the check above.
        let keys: Vec<String> = planned.iter().map(|p| p.key.clone()).collect();
        let there = existing(&mut tx, &keys, &unit_paths).await?;
        mark_skipped(report, &mut planned, &there, locale);
        let mut created: Vec<(i64, &Planned)> = Vec::with_capacity(planned.len());
        for p in &planned {
            let id = matters::insert(
                &mut tx,
                None,
                &p.fields,
                p.status.code(),
                Some(actor.id()),
                now,
            )
            .await?;
            let mark = ImportMark {
                key: &p.key,
                status_reason: &p.reason,
                original_deadline: p.original_deadline.as_deref(),
                completed_on: p.completed_on.as_deref(),
                accepted_on: p.accepted_on.as_deref(),
            };
            // The same rows imported at the same moment: nothing is written here.
            store::mark_imported(&mut tx, id, &mark)
                .await
                .map_err(changed_meanwhile)?;
            if p.percent > 0 {
                matters::set_progress(&mut tx, id, p.percent, now).await?;
            }
            if let Some(text) = &p.progress_text {
                matters::insert_progress(&mut tx, id, actor.id(), p.percent, text, now).await?;
            }
            audit::append(
                &mut tx,
                Some(actor.id()),
                "matter_imported",
                "matter",
                Some(id),
                &serde_json::json!({
                    "title": p.fields.title,
                    "unit_id": p.fields.unit_id,
                    "owner_id": p.fields.owner_id,
                    "deadline": p.fields.deadline,
                    "status": p.status.code(),
                    "campaign_id": p.fields.campaign_id,
                    "completed_on": p.completed_on,
                    "file": req.filename,
                    "row": p.row,
                }),
            )
            .await?;
            created.push((id, p));
            progress.advance(1);
        }
        report.finish(locale);
        audit::append(
            &mut tx,
            Some(actor.id()),
            "ledger_imported",
            "import",
            None,
            &serde_json::json!({
                "file": req.filename,
                "sheet": parsed.sheet,
                "rows": report.rows.len(),
                "created": report.created,
                "skipped": report.skipped,
                "campaign_id": req.campaign,
            }),
        )
        .await?;
        tx.commit().await?;
        for (id, p) in created {
            self.index_matter(id, &p.fields.title, &p.fields.description, p.status.code());
        }
        report.written = true;
        Ok(())
    }
}

/// The row's plan and its unit: a name of the tree, else a name mapped earlier, else the
/// problem (and, when the name names nothing or several, a name to map).
fn unit_of<'u>(
    cx: &Context<'u>,
    row: &LedgerRow,
    unmatched: &mut Vec<String>,
) -> (RowPlan, Option<&'u UnitEntry>) {
    let mut plan = RowPlan::new(row.row, &row.title, row.unit.as_deref().unwrap_or(""));
    let Some(written) = row.unit.as_deref() else {
        return (plan, None);
    };
    let found = cx.units.find(written);
    let mappable = matches!(found, Found::None | Found::Many(_));
    match usable_unit(found, written, cx.locale) {
        Ok(u) => {
            plan.unit = u.unit.name.clone();
            (plan, Some(u))
        }
        Err(why) => match cx
            .aliases
            .get(written, cx.units)
            .filter(|u| u.unit.is_active())
        {
            Some(u) if mappable => {
                plan.unit = u.unit.name.clone();
                plan.note(texts::unit_aliased(cx.locale, written.trim(), &u.unit.name));
                (plan, Some(u))
            }
            _ => {
                let mut message = format!("{}{why}", (cx.at)(row.row, Field::Unit));
                if mappable {
                    message.push_str(&texts::unit_mappable(cx.locale));
                    let written = written.trim().to_string();
                    if !unmatched.contains(&written) {
                        unmatched.push(written);
                    }
                }
                plan.problem(message);
                (plan, None)
            }
        },
    }
}

/// One row to create: its people, campaign, content area, status and key, or the problems
/// with them (in `plan`).
fn resolve_row(
    cx: &Context<'_>,
    row: &LedgerRow,
    unit: Option<&UnitEntry>,
    plan: &mut RowPlan,
) -> Option<Planned> {
    let locale = cx.locale;
    let problem = |plan: &mut RowPlan, field: Field, text: String| {
        plan.problem(format!("{}{text}", (cx.at)(row.row, field)));
    };
    let unit_path = unit.map(|u| u.unit.path.as_str()).unwrap_or("");
    let mut person = |field: Field, written: Option<&str>, supervisor: bool| {
        let written = written?;
        match cx.people.find(cx.actor, written, unit_path, supervisor) {
            Found::One(p) => Some((p.id, p.display_name.clone())),
            Found::Many(who) => {
                problem(plan, field, texts::person_ambiguous(locale, written, &who));
                None
            }
            Found::None => {
                problem(plan, field, texts::person_unknown(locale, written));
                None
            }
        }
    };
    let owner = person(Field::Owner, row.owner.as_deref(), false);
    let supervisor = person(Field::Supervisor, row.supervisor.as_deref(), true);
    let area = match (&row.content_area, &row.section) {
        (Some(text), _) => match area_named(cx.areas, text) {
            Some(a) => Some(a.id),
            None => {
                let known: Vec<String> = cx
                    .areas
                    .iter()
                    .map(|a| {
                        if texts::en(locale) {
                            a.name_en.clone()
                        } else {
                            a.name_zh.clone()
                        }
                    })
                    .collect();
                problem(
                    plan,
                    Field::ContentArea,
                    texts::area_unknown(locale, text, &known),
                );
                None
            }
        },
        (None, Some(section)) => area_of_section(cx.areas, section).map(|a| a.id),
        (None, None) => None,
    };
    let campaign = match &row.campaign {
        Some(text) => match cx.campaigns.iter().find(|c| c.name.trim() == text.trim()) {
            Some(c) => Some(c),
            None => {
                let known: Vec<String> = cx.campaigns.iter().map(|c| c.name.clone()).collect();
                problem(
                    plan,
                    Field::Campaign,
                    texts::campaign_unknown(locale, text, &known),
                );
                None
            }
        },
        None => cx.campaign,
    };
    let acceptance = row.acceptance_standard.clone().unwrap_or_default();
    let length = acceptance.chars().count();
    if length > MAX_ACCEPTANCE_CHARS {
        problem(
            plan,
            Field::AcceptanceStandard,
            texts::too_long(locale, length, MAX_ACCEPTANCE_CHARS),
        );
    }
    let tags = row.tags.join(",");
    let length = tags.chars().count();
    if length > MAX_TAGS_CHARS {
        problem(
            plan,
            Field::Tags,
            texts::too_long(locale, length, MAX_TAGS_CHARS),
        );
    }
    let (Some(unit), RowAction::Create) = (unit, plan.action) else {
        return None;
    };
    if row.title.is_empty() {
        return None;
    }
    let measures = row.measures.clone().unwrap_or_default();
    // Only a matter with all five determinations may stand on the list; a cancelled one may
    // never have had them.
    let missing = FiveDeterminations {
        responsible_unit: Some(unit.unit.id),
        responsible_person: owner.as_ref().map(|(id, _)| *id),
        measures: &measures,
        deadline: row.deadline,
        acceptance_standard: &acceptance,
    }
    .missing();
    // An empty status is a matter on the list: that is what a ledger holds.
    let written = row.status.unwrap_or(MatterStatus::Approved);
    let status = if missing.is_empty() || written == MatterStatus::Cancelled {
        written
    } else {
        MatterStatus::Proposed
    };
    let percent = match row.progress_percent {
        Some(p) => i64::from(p.min(100)),
        None if status.is_done() => 100,
        None => 0,
    };
    let deadline = row.deadline.map(|d| d.to_string());
    plan.note(texts::matter_note(
        locale,
        &texts::MatterNote {
            owner: owner.as_ref().map(|(_, name)| name.as_str()),
            deadline: deadline.as_deref(),
            status,
            from_progress: row.status_from_progress && Some(status) == row.status,
            percent,
            campaign: campaign.map(|c| c.name.as_str()),
        },
    ));
    if !missing.is_empty() && status == MatterStatus::Proposed {
        plan.note(texts::incomplete(locale, &missing, row.status));
    }
    let done = matches!(
        status,
        MatterStatus::Completed | MatterStatus::Accepted | MatterStatus::Closed
    );
    let completed_on = done.then(|| cx.completed_on.0.to_string());
    if let Some(day) = &completed_on {
        plan.note(texts::completed_on(locale, day, cx.completed_on.1));
    }
    let accepted_on = completed_on
        .clone()
        .filter(|_| matches!(status, MatterStatus::Accepted | MatterStatus::Closed));
    let reason = match status {
        MatterStatus::Suspended | MatterStatus::Cancelled => {
            row.remarks.clone().unwrap_or_default()
        }
        _ => String::new(),
    };
    let description = [row.content.as_deref(), row.remarks.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    let original_deadline = row
        .original_deadline
        .filter(|d| Some(*d) != row.deadline)
        .map(|d| d.to_string());
    Some(Planned {
        row: row.row,
        key: import_key(unit.unit.id, &row.title),
        fields: MatterFields {
            title: row.title.clone(),
            description,
            campaign_id: campaign.map(|c| c.id),
            unit_id: unit.unit.id,
            unit_path: unit.unit.path.clone(),
            owner_id: owner.map(|(id, _)| id),
            measures,
            deadline,
            acceptance_standard: acceptance,
            supervisor_id: supervisor.map(|(id, _)| id),
            content_area_id: area,
            tags,
        },
        status,
        percent,
        progress_text: row.progress_text.clone(),
        reason,
        original_deadline,
        completed_on,
        accepted_on,
    })
}

/// Rows whose matter is there by now are skipped, and leave the write list.
fn mark_skipped(
    report: &mut ImportReport,
    planned: &mut Vec<Planned>,
    existing: &HashSet<String>,
    locale: &str,
) {
    planned.retain(|p| {
        if !existing.contains(&p.key) {
            return true;
        }
        if let Some(plan) = report.row_mut(p.row)
            && plan.action == RowAction::Create
        {
            plan.action = RowAction::Skip;
            plan.messages = vec![texts::already_imported(locale)];
        }
        false
    });
}
