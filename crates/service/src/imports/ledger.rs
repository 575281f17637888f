//! Importing a ledger (台账): one matter per row, in the units the actor manages.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use shishi_core::MatterStatus;
use shishi_report::import::{Field, LedgerRow, read_ledger_with};
use shishi_store::audit;
use shishi_store::campaigns::{self, ContentAreaRow};
use shishi_store::imports as store;
use shishi_store::matters::{self, MatterFields};

use super::resolve::{Found, PeopleIndex, UnitIndex, usable_unit};
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

impl Services {
    pub(super) async fn ledger_import(
        &self,
        actor: &Actor,
        req: &ImportRequest,
        progress: &dyn ImportProgress,
        report: &mut ImportReport,
    ) -> ServiceResult<()> {
        let locale = req.locale.as_str();
        progress.start(Phase::Parse, 0);
        let mapping = req.mapping.clone();
        let Some(parsed) = parse(req, report, move |bytes, options| {
            read_ledger_with(bytes, mapping.as_ref(), options)
        })
        .await?
        else {
            return Ok(());
        };
        let at = |row: u32, field: Field| place(&parsed.columns, locale, row, field);

        let mut conn = self.store.read().await?;
        let units = UnitIndex::load(&mut conn, &actor.manage_roots()).await?;
        let mut named: Vec<String> = parsed
            .rows
            .iter()
            .flat_map(|r| [r.owner.clone(), r.supervisor.clone()])
            .flatten()
            .collect();
        named.sort();
        named.dedup();
        let people = PeopleIndex::load(&mut conn, &named).await?;
        let areas: Vec<ContentAreaRow> = campaigns::content_areas(&mut conn)
            .await?
            .into_iter()
            .filter(|a| a.active == 1)
            .collect();

        progress.start(Phase::Resolve, parsed.rows.len() as u64);
        let mut planned: Vec<Planned> = Vec::new();
        for row in &parsed.rows {
            let (plan, ready) = resolve_row(actor, row, (&units, &people, &areas), &at, locale);
            report.rows.push(plan);
            planned.extend(ready);
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
                    plan.problem(texts::same_matter(locale, row, other));
                }
            }
        }
        place_cell_problems(report, &parsed.problems, locale);

        let keys: Vec<String> = planned.iter().map(|p| p.key.clone()).collect();
        let existing = store::existing_keys(&mut conn, &keys).await?;
        drop(conn);
        mark_skipped(report, &mut planned, &existing, locale);
        report.finish(locale);
        if req.dry_run || report.has_problems() {
            return Ok(());
        }

        progress.start(Phase::Write, planned.len() as u64);
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        // Another import of the same rows may have committed since the check above.
        let existing = store::existing_keys(&mut tx, &keys).await?;
        mark_skipped(report, &mut planned, &existing, locale);
        let mut created: Vec<(i64, &Planned)> = Vec::with_capacity(planned.len());
        for p in &planned {
            // An imported completion has no known date: `completed_on` stays empty, so the
            // matter counts in the stock figures (done, total) but in no period's "completed".
            let id = matters::insert(
                &mut tx,
                None,
                &p.fields,
                p.status.code(),
                Some(actor.id()),
                now,
            )
            .await?;
            // The same rows imported at the same moment: nothing is written here.
            store::mark_imported(&mut tx, id, &p.key, &p.reason)
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

/// One row: its unit, people, content area and key, or the problems with them.
fn resolve_row(
    actor: &Actor,
    row: &LedgerRow,
    (units, people, areas): (&UnitIndex, &PeopleIndex, &[ContentAreaRow]),
    at: &dyn Fn(u32, Field) -> String,
    locale: &str,
) -> (RowPlan, Option<Planned>) {
    let mut plan = RowPlan::new(row.row, &row.title, row.unit.as_deref().unwrap_or(""));
    let problem = |plan: &mut RowPlan, field: Field, text: String| {
        plan.problem(format!("{}{text}", at(row.row, field)));
    };
    let unit = row.unit.as_deref().and_then(|written| {
        match usable_unit(units.find(written), written, locale) {
            Ok(u) => {
                plan.unit = u.unit.name.clone();
                Some(u)
            }
            Err(why) => {
                problem(&mut plan, Field::Unit, why);
                None
            }
        }
    });
    let unit_path = unit.map(|u| u.unit.path.as_str()).unwrap_or("");
    let mut person = |field: Field, written: Option<&str>, supervisor: bool| {
        let written = written?;
        match people.find(actor, written, unit_path, supervisor) {
            Found::One(p) => Some((p.id, p.display_name.clone())),
            Found::Many(who) => {
                problem(
                    &mut plan,
                    field,
                    texts::person_ambiguous(locale, written, &who),
                );
                None
            }
            Found::None => {
                problem(&mut plan, field, texts::person_unknown(locale, written));
                None
            }
        }
    };
    let owner = person(Field::Owner, row.owner.as_deref(), false);
    let supervisor = person(Field::Supervisor, row.supervisor.as_deref(), true);
    let area = match (&row.content_area, &row.section) {
        (Some(text), _) => match area_named(areas, text) {
            Some(a) => Some(a.id),
            None => {
                let known: Vec<String> = areas
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
                    &mut plan,
                    Field::ContentArea,
                    texts::area_unknown(locale, text, &known),
                );
                None
            }
        },
        (None, Some(section)) => area_of_section(areas, section).map(|a| a.id),
        (None, None) => None,
    };
    let acceptance = row.acceptance_standard.clone().unwrap_or_default();
    let length = acceptance.chars().count();
    if length > MAX_ACCEPTANCE_CHARS {
        problem(
            &mut plan,
            Field::AcceptanceStandard,
            texts::too_long(locale, length, MAX_ACCEPTANCE_CHARS),
        );
    }
    let tags = row.tags.join(",");
    let length = tags.chars().count();
    if length > MAX_TAGS_CHARS {
        problem(
            &mut plan,
            Field::Tags,
            texts::too_long(locale, length, MAX_TAGS_CHARS),
        );
    }
    let (Some(unit), RowAction::Create) = (unit, plan.action) else {
        return (plan, None);
    };
    if row.title.is_empty() {
        return (plan, None);
    }
    // An empty status is a matter on the list: that is what a ledger holds.
    let status = row.status.unwrap_or(MatterStatus::Approved);
    let percent = match row.progress_percent {
        Some(p) => i64::from(p.min(100)),
        None if status.is_done() => 100,
        None => 0,
    };
    let deadline = row.deadline.map(|d| d.to_string());
    plan.note(texts::matter_note(
        locale,
        owner.as_ref().map(|(_, name)| name.as_str()),
        deadline.as_deref(),
        status,
        percent,
    ));
    let reason = match status {
        MatterStatus::Suspended | MatterStatus::Cancelled => {
            row.remarks.clone().unwrap_or_default()
        }
        _ => String::new(),
    };
    let planned = Planned {
        row: row.row,
        key: import_key(unit.unit.id, &row.title),
        fields: MatterFields {
            title: row.title.clone(),
            description: row.remarks.clone().unwrap_or_default(),
            campaign_id: None,
            unit_id: unit.unit.id,
            unit_path: unit.unit.path.clone(),
            owner_id: owner.map(|(id, _)| id),
            measures: row.measures.clone().unwrap_or_default(),
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
    };
    (plan, Some(planned))
}

/// Rows whose matter an earlier import made are skipped, and leave the write list.
fn mark_skipped(
    report: &mut ImportReport,
    planned: &mut Vec<Planned>,
    existing: &std::collections::HashSet<String>,
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
