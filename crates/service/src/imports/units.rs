//! Importing a unit list: each row places a unit under its parent, written as a name or as a
//! path of names from the top. Missing levels of a path are created along with it; a unit
//! already at its place is skipped.

use std::collections::HashMap;

use shishi_core::unit::{UnitKind, in_subtree};
use shishi_report::import::{Field, UnitRow as SheetUnit, read_units_with};
use shishi_store::audit;
use shishi_store::units::{self, UnitRow};

use super::{
    ImportProgress, ImportReport, ImportRequest, Phase, RowAction, RowPlan, parse, place,
    place_cell_problems, texts,
};
use crate::{Actor, ServiceError, ServiceResult, Services};

/// A unit of the tree as it will be: one that exists, or one the import creates.
struct Node {
    name: String,
    parent: Option<usize>,
    existing: Option<UnitRow>,
    kind: UnitKind,
    sort_order: i64,
    /// The sheet row that defines a planned unit; `None` for a level created on a path's way.
    row: Option<u32>,
}

struct Tree {
    nodes: Vec<Node>,
    children: HashMap<(usize, String), Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Tree {
    fn add(&mut self, node: Node) -> usize {
        let i = self.nodes.len();
        if let Some(p) = node.parent {
            self.children
                .entry((p, node.name.clone()))
                .or_default()
                .push(i);
        }
        self.by_name.entry(node.name.clone()).or_default().push(i);
        self.nodes.push(node);
        i
    }

    /// The children of `parent` with that name that the actor may see.
    fn child(&self, parent: usize, name: &str, actor: &Actor) -> Vec<usize> {
        self.children
            .get(&(parent, name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&i| self.visible(i, actor))
            .collect()
    }

    /// A unit the actor administers, one above those (its path is theirs to walk through), or
    /// one the import plans: what lies beside the actor's subtrees is never named.
    fn visible(&self, i: usize, actor: &Actor) -> bool {
        match &self.nodes[i].existing {
            None => true,
            Some(u) => actor
                .admin_roots()
                .iter()
                .any(|(_, root)| in_subtree(&u.path, root) || in_subtree(root, &u.path)),
        }
    }

    fn path_text(&self, mut i: usize) -> String {
        let mut names = vec![self.nodes[i].name.clone()];
        while let Some(p) = self.nodes[i].parent {
            names.push(self.nodes[p].name.clone());
            i = p;
        }
        names.reverse();
        names.join("/")
    }

    /// The nearest unit that exists, from `i` up.
    fn existing_at_or_above(&self, mut i: usize) -> Option<&UnitRow> {
        loop {
            if let Some(u) = &self.nodes[i].existing {
                return Some(u);
            }
            i = self.nodes[i].parent?;
        }
    }
}

/// The unit type as a sheet writes it.
fn kind_of(text: &str) -> Option<UnitKind> {
    let t = text.trim();
    UnitKind::from_code(&t.to_ascii_lowercase()).or(match t {
        "集团" | "集团公司" => Some(UnitKind::Group),
        "子公司" | "公司" | "二级单位" | "二级公司" => Some(UnitKind::Subsidiary),
        "单位" | "基层单位" | "三级单位" | "厂" | "分公司" => Some(UnitKind::Unit),
        "部门" | "车间" | "科室" | "处室" | "班组" => Some(UnitKind::Department),
        _ => None,
    })
}

enum Placement {
    Done,
    /// The parent is a unit that a later row of the sheet defines.
    Wait,
}

impl Services {
    pub(super) async fn units_import(
        &self,
        actor: &Actor,
        req: &ImportRequest,
        progress: &dyn ImportProgress,
        report: &mut ImportReport,
    ) -> ServiceResult<()> {
        let locale = req.locale.as_str();
        progress.start(Phase::Parse, 0);
        let Some(parsed) = parse(req, report, read_units_with).await? else {
            return Ok(());
        };
        let at = |row: u32, field: Field| place(&parsed.columns, locale, row, field);

        let mut conn = self.store.read().await?;
        let root = units::root(&mut conn)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let all = units::subtree(&mut conn, &root.path).await?;
        drop(conn);
        let mut tree = Tree {
            nodes: Vec::new(),
            children: HashMap::new(),
            by_name: HashMap::new(),
        };
        let mut index_of: HashMap<i64, usize> = HashMap::new();
        // Parents come before children in `subtree`.
        for u in all {
            let parent = u.parent_id.and_then(|p| index_of.get(&p).copied());
            let i = tree.add(Node {
                name: u.name.trim().to_string(),
                parent,
                kind: UnitKind::from_code(&u.kind).unwrap_or(UnitKind::Unit),
                sort_order: u.sort_order,
                row: None,
                existing: Some(u.clone()),
            });
            index_of.insert(u.id, i);
        }
        let root_index = index_of.get(&root.id).copied().unwrap_or(0);

        progress.start(Phase::Resolve, parsed.rows.len() as u64);
        let mut waiting: Vec<&SheetUnit> = Vec::new();
        for row in &parsed.rows {
            let mut plan = RowPlan::new(row.row, &row.name, &row.parent.join("/"));
            if let Some(t) = row.unit_type.as_deref()
                && kind_of(t).is_none()
            {
                plan.problem(format!(
                    "{}{}",
                    at(row.row, Field::UnitType),
                    texts::unit_kind_unknown(locale, t)
                ));
            }
            report.rows.push(plan);
            if !row.name.is_empty() {
                waiting.push(row);
            }
        }
        // Rows wait for a parent that a later row defines; each round places at least one,
        // or what is left depends on itself.
        loop {
            let pending_names: Vec<String> = waiting.iter().map(|r| r.name.clone()).collect();
            let mut still = Vec::new();
            for row in waiting.drain(..) {
                let others: Vec<&String> =
                    pending_names.iter().filter(|n| **n != row.name).collect();
                match self.place_unit(
                    actor, &mut tree, root_index, row, &others, report, locale, &at,
                ) {
                    Placement::Done => progress.advance(1),
                    Placement::Wait => still.push(row),
                }
            }
            if still.is_empty() {
                break;
            }
            if still.len() == pending_names.len() {
                for row in still {
                    if let Some(plan) = report.row_mut(row.row) {
                        plan.problem(format!(
                            "{}{}",
                            at(row.row, Field::ParentUnit),
                            texts::parent_unresolved(locale, &row.parent.join("/"))
                        ));
                    }
                }
                break;
            }
            waiting = still;
        }
        // Types and sort orders of the rows' own units, now that each has its node.
        let by_row: HashMap<u32, usize> = (0..tree.nodes.len())
            .filter_map(|i| tree.nodes[i].row.map(|r| (r, i)))
            .collect();
        for row in &parsed.rows {
            if let Some(node) = by_row.get(&row.row).and_then(|&i| tree.nodes.get_mut(i)) {
                node.kind = row
                    .unit_type
                    .as_deref()
                    .and_then(kind_of)
                    .unwrap_or(UnitKind::Unit);
                node.sort_order = row.sort_order.unwrap_or(0);
            }
        }
        place_cell_problems(report, &parsed.problems, locale);
        report.finish(locale);
        if req.dry_run || report.has_problems() {
            return Ok(());
        }

        let planned: Vec<usize> = (0..tree.nodes.len())
            .filter(|&i| tree.nodes[i].existing.is_none())
            .collect();
        progress.start(Phase::Write, planned.len() as u64);
        let mut tx = self.store.write().await?;
        // Planned nodes come after their parents, so each parent exists when its turn comes.
        for i in planned {
            let parent = tree.nodes[i]
                .parent
                .and_then(|p| tree.nodes[p].existing.clone())
                .ok_or_else(|| ServiceError::Internal("import: a unit before its parent".into()))?;
            let node = &tree.nodes[i];
            let unit = units::insert(
                &mut tx,
                Some(&parent),
                &node.name,
                node.kind.code(),
                node.sort_order,
            )
            .await?;
            audit::append(
                &mut tx,
                Some(actor.id()),
                "unit_created",
                "unit",
                Some(unit.id),
                &serde_json::json!({
                    "name": node.name,
                    "kind": node.kind.code(),
                    "parent_id": parent.id,
                    "file": req.filename,
                    "row": node.row,
                }),
            )
            .await?;
            tree.nodes[i].existing = Some(unit);
            progress.advance(1);
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            "units_imported",
            "import",
            None,
            &serde_json::json!({
                "file": req.filename,
                "rows": report.rows.len(),
                "created": report.created,
                "skipped": report.skipped,
            }),
        )
        .await?;
        tx.commit().await?;
        report.written = true;
        Ok(())
    }

    /// Finds a row's parent (planning the missing levels of its path) and its own place.
    #[allow(clippy::too_many_arguments)]
    fn place_unit(
        &self,
        actor: &Actor,
        tree: &mut Tree,
        root: usize,
        row: &SheetUnit,
        pending: &[&String],
        report: &mut ImportReport,
        locale: &str,
        at: &dyn Fn(u32, Field) -> String,
    ) -> Placement {
        let Some(plan) = report.row_mut(row.row) else {
            return Placement::Done;
        };
        let at_parent = at(row.row, Field::ParentUnit);
        let mut levels: &[String] = &row.parent;
        if levels.first() == Some(&tree.nodes[root].name) {
            levels = &levels[1..];
        }
        let written = if row.parent.is_empty() {
            tree.nodes[root].name.clone()
        } else {
            row.parent.join("/")
        };
        // Where the walk starts, and the levels still to walk (and create when missing).
        let (mut parent, walk): (usize, &[String]) = match levels {
            [] => (root, &[]),
            [one] => {
                let found: Vec<usize> = tree
                    .by_name
                    .get(one)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                    .iter()
                    .copied()
                    .filter(|&i| tree.visible(i, actor))
                    .collect();
                match found.as_slice() {
                    [i] => (*i, &[]),
                    [] if pending.contains(&one) => return Placement::Wait,
                    [] => (root, levels),
                    many => {
                        let paths = many.iter().map(|&i| tree.path_text(i)).collect::<Vec<_>>();
                        plan.problem(format!(
                            "{at_parent}{}",
                            texts::unit_ambiguous(locale, one, &paths)
                        ));
                        return Placement::Done;
                    }
                }
            }
            _ => (root, levels),
        };
        let mut missing: Vec<String> = Vec::new();
        for (depth, level) in walk.iter().enumerate() {
            match tree.child(parent, level, actor).as_slice() {
                [i] => parent = *i,
                [] => {
                    missing = walk[depth..].to_vec();
                    break;
                }
                many => {
                    let paths = many.iter().map(|&i| tree.path_text(i)).collect::<Vec<_>>();
                    plan.problem(format!(
                        "{at_parent}{}",
                        texts::unit_ambiguous(locale, level, &paths)
                    ));
                    return Placement::Done;
                }
            }
        }
        // The unit itself, when the parent exists and already has it.
        let own = if missing.is_empty() {
            tree.child(parent, &row.name, actor).first().copied()
        } else {
            None
        };
        let anchor = own.unwrap_or(parent);
        let reach = tree.existing_at_or_above(anchor).cloned();
        match reach {
            Some(u) if actor.administers(&u.path) && (u.is_active() || own == Some(anchor)) => {}
            Some(u) if actor.administers(&u.path) => {
                plan.problem(format!(
                    "{at_parent}{}",
                    texts::unit_inactive(locale, &u.name)
                ));
                return Placement::Done;
            }
            _ => {
                plan.problem(format!(
                    "{at_parent}{}",
                    texts::unit_unknown(locale, &written)
                ));
                return Placement::Done;
            }
        }
        plan.unit = tree.path_text(parent);
        if let Some(i) = own {
            match (&tree.nodes[i].existing, tree.nodes[i].row) {
                (Some(_), _) => {
                    plan.action = RowAction::Skip;
                    plan.note(texts::unit_exists(locale));
                }
                (None, Some(other)) => {
                    let at_name = at(row.row, Field::UnitName);
                    plan.problem(format!("{at_name}{}", texts::same_unit(locale, other)));
                }
                // A level an earlier row's path created on its way: this row defines it.
                (None, None) => tree.nodes[i].row = Some(row.row),
            }
            return Placement::Done;
        }
        for name in &missing {
            parent = tree.add(Node {
                name: name.clone(),
                parent: Some(parent),
                existing: None,
                kind: UnitKind::Unit,
                sort_order: 0,
                row: None,
            });
        }
        if !missing.is_empty() {
            plan.unit = tree.path_text(parent);
            plan.note(texts::also_creates(locale, &missing));
        }
        tree.add(Node {
            name: row.name.clone(),
            parent: Some(parent),
            existing: None,
            kind: UnitKind::Unit,
            sort_order: 0,
            row: Some(row.row),
        });
        Placement::Done
    }
}
