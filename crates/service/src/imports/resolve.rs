//! Names in a sheet to rows in the database: units by name or by a path of names, people by
//! account or by name, each only among what the actor may reach.

use std::collections::HashMap;

use shishi_core::unit::{ancestors, in_subtree};
use shishi_store::AnyConnection;
use shishi_store::StoreResult;
use shishi_store::imports::{self as store, PersonMatch};
use shishi_store::units::{self, UnitRow};

use super::texts;
use crate::Actor;

/// Separators accepted between the levels of a unit path, as the workbook reader accepts them.
const PATH_SEPARATORS: [char; 6] = ['/', '／', '\\', '＼', '>', '＞'];

/// The outcome of looking a name up.
pub(crate) enum Found<T> {
    One(T),
    /// Several match; how to tell them apart, one line each.
    Many(Vec<String>),
    None,
}

pub(crate) struct UnitEntry {
    pub unit: UnitRow,
    /// Names from the top of the organisation down to this unit.
    pub names: Vec<String>,
}

impl UnitEntry {
    pub fn path_text(&self) -> String {
        self.names.join("/")
    }
}

/// Some subtrees of the unit tree, findable by name and by path.
pub(crate) struct UnitIndex {
    entries: Vec<UnitEntry>,
    by_name: HashMap<String, Vec<usize>>,
    by_id: HashMap<i64, usize>,
}

impl UnitIndex {
    /// The units of the given subtrees, with the names above them so that paths read from the
    /// top of the organisation.
    pub async fn load(conn: &mut AnyConnection, roots: &[(i64, String)]) -> StoreResult<UnitIndex> {
        let mut rows: Vec<UnitRow> = Vec::new();
        for (_, path) in roots {
            rows.extend(units::subtree(conn, path).await?);
        }
        let mut names: HashMap<i64, String> = rows.iter().map(|u| (u.id, u.name.clone())).collect();
        // The units above the roots, all in one query.
        let mut above: Vec<i64> = roots
            .iter()
            .flat_map(|(_, path)| ancestors(path))
            .filter(|id| !names.contains_key(id))
            .collect();
        above.sort_unstable();
        above.dedup();
        names.extend(store::unit_names(conn, &above).await?);
        let mut index = UnitIndex {
            entries: Vec::with_capacity(rows.len()),
            by_name: HashMap::new(),
            by_id: HashMap::new(),
        };
        for unit in rows {
            let path_names = ancestors(&unit.path)
                .iter()
                .map(|id| names.get(id).cloned().unwrap_or_default())
                .collect();
            index
                .by_name
                .entry(unit.name.trim().to_string())
                .or_default()
                .push(index.entries.len());
            index.by_id.insert(unit.id, index.entries.len());
            index.entries.push(UnitEntry {
                unit,
                names: path_names,
            });
        }
        Ok(index)
    }

    /// A unit by its exact name, or by a path of names: from the top ("集团/一公司/车间") or
    /// its lower part ("一公司/车间"), which is enough when that part is unique.
    pub fn find(&self, written: &str) -> Found<&UnitEntry> {
        let written = written.trim();
        let by_whole = self.by_name.get(written).map(Vec::as_slice).unwrap_or(&[]);
        if by_whole.is_empty() {
            return found(self.by_levels(&split_path(written)));
        }
        found(by_whole.iter().map(|&i| &self.entries[i]).collect())
    }

    /// A unit of the index by its id.
    pub fn by_id(&self, id: i64) -> Option<&UnitEntry> {
        self.entries.get(*self.by_id.get(&id)?)
    }

    /// Every unit of the index, in no particular order.
    pub fn entries(&self) -> &[UnitEntry] {
        &self.entries
    }

    /// A unit written as the levels of its path (one level is a name, as in [`Self::find`]).
    pub fn find_levels(&self, levels: &[String]) -> Found<&UnitEntry> {
        match levels {
            [one] => self.find(one),
            levels => found(self.by_levels(levels)),
        }
    }

    /// Units whose path of names ends with `levels`.
    fn by_levels(&self, levels: &[String]) -> Vec<&UnitEntry> {
        let Some(last) = levels.last() else {
            return Vec::new();
        };
        self.by_name
            .get(last.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.entries[i])
            .filter(|e| {
                e.names.len() >= levels.len()
                    && e.names[e.names.len() - levels.len()..]
                        .iter()
                        .zip(levels)
                        .all(|(a, b)| a.trim() == b)
            })
            .collect()
    }
}

fn found(candidates: Vec<&UnitEntry>) -> Found<&UnitEntry> {
    match candidates.as_slice() {
        [] => Found::None,
        [one] => Found::One(one),
        many => Found::Many(many.iter().map(|e| e.path_text()).collect()),
    }
}

/// The unit a row names when it may take something, else why not (as `written`): unknown and
/// out of reach alike, deactivated, or ambiguous.
pub(crate) fn usable_unit<'u>(
    found: Found<&'u UnitEntry>,
    written: &str,
    locale: &str,
) -> Result<&'u UnitEntry, String> {
    match found {
        Found::One(u) if u.unit.is_active() => Ok(u),
        Found::One(u) => Err(texts::unit_inactive(locale, &u.unit.name)),
        Found::Many(paths) => Err(texts::unit_ambiguous(locale, written, &paths)),
        Found::None => Err(texts::unit_unknown(locale, written)),
    }
}

/// The unit names importers mapped to units, as far as they lead into a [`UnitIndex`].
pub(crate) struct AliasIndex {
    by_alias: HashMap<String, i64>,
}

impl AliasIndex {
    /// The mappings of `names` whose targets lie in `units` (the actor's reach). Of several
    /// mappings of one name, the one made under the actor's own unit or nearest above it
    /// wins; mappings made further down count only when they agree.
    pub async fn load(
        conn: &mut AnyConnection,
        names: &[String],
        units: &UnitIndex,
        roots: &[(i64, String)],
    ) -> StoreResult<AliasIndex> {
        let mut found = store::aliases_named(conn, names).await?;
        found.retain(|a| units.by_id(a.unit_id).is_some());
        // Deepest scope first.
        found.sort_by_key(|a| std::cmp::Reverse(a.scope_path.len()));
        let mut by_alias = HashMap::new();
        let mut names: Vec<&str> = found.iter().map(|a| a.alias.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let of_name: Vec<&store::UnitAlias> =
                found.iter().filter(|a| a.alias == name).collect();
            let above = of_name
                .iter()
                .find(|a| roots.iter().any(|(_, r)| in_subtree(r, &a.scope_path)));
            let chosen = match above {
                Some(a) => Some(a.unit_id),
                None => {
                    let first = of_name.first().map(|a| a.unit_id);
                    first.filter(|id| of_name.iter().all(|a| a.unit_id == *id))
                }
            };
            if let Some(id) = chosen {
                by_alias.insert(name.to_string(), id);
            }
        }
        Ok(AliasIndex { by_alias })
    }

    pub fn get<'u>(&self, written: &str, units: &'u UnitIndex) -> Option<&'u UnitEntry> {
        units.by_id(*self.by_alias.get(written.trim())?)
    }
}

/// Levels of a written path; an empty level leaves the path unmatched.
fn split_path(text: &str) -> Vec<String> {
    let levels: Vec<String> = text
        .split(PATH_SEPARATORS)
        .map(|l| l.trim().to_string())
        .collect();
    if levels.iter().any(String::is_empty) {
        return Vec::new();
    }
    levels
}

/// People a sheet names, looked up once for the whole sheet.
pub(crate) struct PeopleIndex {
    people: Vec<PersonMatch>,
    /// Positions in `people` by username and by display name: a long sheet names the same
    /// few hundred people thousands of times.
    by_login: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
    /// `(user id, unit path)` of supervisor grants: a supervisor over a unit may be named on
    /// its matters even where the actor cannot see the supervisor's home unit.
    supervises: Vec<(i64, String)>,
}

impl PeopleIndex {
    pub async fn load(conn: &mut AnyConnection, written: &[String]) -> StoreResult<PeopleIndex> {
        let mut usernames: Vec<String> = written.iter().map(|w| w.to_lowercase()).collect();
        usernames.sort();
        usernames.dedup();
        let people = store::people_named(conn, &usernames, written).await?;
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let supervises = store::supervisor_grants(conn, &ids).await?;
        let mut by_login: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            by_login.entry(p.username.clone()).or_default().push(i);
            by_name
                .entry(p.display_name.trim().to_string())
                .or_default()
                .push(i);
        }
        Ok(PeopleIndex {
            people,
            by_login,
            by_name,
            supervises,
        })
    }

    fn reachable(&self, actor: &Actor, p: &PersonMatch, unit_path: &str, supervisor: bool) -> bool {
        actor.reads(&p.unit_path)
            || actor.manages(&p.unit_path)
            || (supervisor
                && self
                    .supervises
                    .iter()
                    .any(|(id, path)| *id == p.id && in_subtree(unit_path, path)))
    }

    /// A person by account, else by exact name: among those the actor may reach, the people
    /// of the matter's unit (and below) first, then those above it, then anyone else.
    pub fn find(
        &self,
        actor: &Actor,
        written: &str,
        unit_path: &str,
        supervisor: bool,
    ) -> Found<&PersonMatch> {
        let written = written.trim();
        let login = written.to_lowercase();
        let reach = |p: &&PersonMatch| self.reachable(actor, p, unit_path, supervisor);
        let at = |positions: Option<&Vec<usize>>| -> Vec<&PersonMatch> {
            positions
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .map(|&i| &self.people[i])
                .filter(reach)
                .collect()
        };
        if let Some(p) = at(self.by_login.get(&login)).first() {
            return Found::One(p);
        }
        let named = at(self.by_name.get(written));
        let below: Vec<&PersonMatch> = named
            .iter()
            .copied()
            .filter(|p| in_subtree(&p.unit_path, unit_path))
            .collect();
        let above: Vec<&PersonMatch> = named
            .iter()
            .copied()
            .filter(|p| in_subtree(unit_path, &p.unit_path))
            .collect();
        let tier = [below, above, named]
            .into_iter()
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        match tier.as_slice() {
            [] => Found::None,
            [one] => Found::One(one),
            many => Found::Many(
                many.iter()
                    .map(|p| format!("{}（{}，{}）", p.display_name, p.username, p.unit_name))
                    .collect(),
            ),
        }
    }
}
