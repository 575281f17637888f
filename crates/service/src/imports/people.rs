//! Importing a people list: one account per row, in a unit the actor administers, with the
//! roles granted on that unit and a generated initial password shown once.

use rand::Rng;
use shishi_core::Role;
use shishi_report::import::{Field, PersonRow, read_people_with};
use shishi_store::audit;
use shishi_store::imports as store;
use shishi_store::users::{self, NewUser};

use super::resolve::{UnitEntry, UnitIndex, usable_unit};
use super::{
    ImportProgress, ImportReport, ImportRequest, Phase, RowAction, RowPlan, changed_meanwhile,
    parse, place, place_cell_problems, texts,
};
use crate::auth::hash_password;
use crate::{Actor, ServiceError, ServiceResult, Services};

/// The limits of the person form.
const MAX_NAME_CHARS: usize = 50;
const MAX_PHONE_CHARS: usize = 30;
const MAX_EMAIL_CHARS: usize = 200;

/// Letters and digits that cannot be misread for one another when typed from a printout.
const PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
const PASSWORD_CHARS: usize = 12;

fn initial_password() -> String {
    let mut rng = rand::thread_rng();
    (0..PASSWORD_CHARS)
        .map(|_| char::from(PASSWORD_ALPHABET[rng.gen_range(0..PASSWORD_ALPHABET.len())]))
        .collect()
}

struct Planned<'a> {
    row: &'a PersonRow,
    username: String,
    unit_id: i64,
    roles: Vec<Role>,
}

impl Services {
    pub(super) async fn people_import(
        &self,
        actor: &Actor,
        req: &ImportRequest,
        progress: &dyn ImportProgress,
        report: &mut ImportReport,
    ) -> ServiceResult<()> {
        let locale = req.locale.as_str();
        progress.start(Phase::Parse, 0);
        let Some(parsed) = parse(req, report, read_people_with).await? else {
            return Ok(());
        };
        let at = |row: u32, field: Field| place(&parsed.columns, locale, row, field);

        let mut conn = self.store.read().await?;
        let units = UnitIndex::load(&mut conn, &actor.admin_roots()).await?;
        let accounts: Vec<String> = parsed
            .rows
            .iter()
            .filter(|r| !r.account.is_empty())
            .map(|r| r.account.to_lowercase())
            .collect();
        let taken = store::taken_usernames(&mut conn, &accounts).await?;
        drop(conn);

        progress.start(Phase::Resolve, parsed.rows.len() as u64);
        let mut planned: Vec<Planned> = Vec::new();
        for row in &parsed.rows {
            let username = row.account.to_lowercase();
            let mut plan = RowPlan::new(
                row.row,
                format!("{} {}", row.account, row.name).trim(),
                &row.unit.join("/"),
            );
            if !row.account.is_empty() && !crate::users::valid_username(&username) {
                plan.problem(format!(
                    "{}{}",
                    at(row.row, Field::Account),
                    texts::account_rule(locale, &row.account)
                ));
            }
            for (field, value, limit) in [
                (Field::PersonName, Some(&row.name), MAX_NAME_CHARS),
                (Field::Mobile, row.mobile.as_ref(), MAX_PHONE_CHARS),
                (Field::Email, row.email.as_ref(), MAX_EMAIL_CHARS),
            ] {
                let length = value.map_or(0, |v| v.chars().count());
                if length > limit {
                    plan.problem(format!(
                        "{}{}",
                        at(row.row, field),
                        texts::too_long(locale, length, limit)
                    ));
                }
            }
            let unit = person_unit(&units, row, &mut plan, &at, locale);
            let mut roles = row.roles.clone();
            if roles.is_empty() {
                roles.push(Role::Member);
                plan.note(texts::default_role(locale));
            }
            if roles.contains(&Role::SystemAdmin) && !actor.is_root_admin() {
                plan.problem(format!(
                    "{}{}",
                    at(row.row, Field::Roles),
                    texts::only_root_admin(locale)
                ));
            }
            if plan.action == RowAction::Create && taken.contains(&username) {
                plan.action = RowAction::Skip;
                plan.messages = vec![texts::account_exists(locale)];
            }
            if let (RowAction::Create, Some(unit)) = (plan.action, unit)
                && !row.account.is_empty()
            {
                planned.push(Planned {
                    row,
                    username,
                    unit_id: unit.unit.id,
                    roles,
                });
            }
            report.rows.push(plan);
            progress.advance(1);
        }
        place_cell_problems(report, &parsed.problems, locale);
        report.finish(locale);
        if req.dry_run || report.has_problems() {
            return Ok(());
        }

        // Hashing is the slow part: before the transaction, a few at a time on the blocking
        // pool, so that the write lock is held only for the inserts.
        progress.start(Phase::Write, planned.len() as u64);
        let passwords: Vec<String> = planned.iter().map(|_| initial_password()).collect();
        let mut hashes: Vec<String> = Vec::with_capacity(planned.len());
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
        for chunk in passwords.chunks(parallel) {
            let mut set = tokio::task::JoinSet::new();
            for (i, pw) in chunk.iter().enumerate() {
                let pw = pw.clone();
                set.spawn(async move { (i, hash_password(&pw).await) });
            }
            let mut done: Vec<(usize, String)> = Vec::with_capacity(chunk.len());
            while let Some(joined) = set.join_next().await {
                let (i, hash) = joined.map_err(|e| ServiceError::Internal(e.to_string()))?;
                done.push((i, hash?));
                progress.advance(1);
            }
            done.sort_by_key(|(i, _)| *i);
            hashes.extend(done.into_iter().map(|(_, h)| h));
        }

        let mut tx = self.store.write().await?;
        for ((p, hash), password) in planned.iter().zip(&hashes).zip(&passwords) {
            let id = users::insert(
                &mut tx,
                &NewUser {
                    username: &p.username,
                    display_name: &p.row.name,
                    password_hash: hash,
                    unit_id: p.unit_id,
                    email: p.row.email.as_deref().unwrap_or(""),
                    phone: p.row.mobile.as_deref().unwrap_or(""),
                },
            )
            .await
            // Someone took the account since the check: nothing is written, run it again.
            .map_err(changed_meanwhile)?;
            for role in &p.roles {
                users::add_grant(&mut tx, id, role.code(), p.unit_id).await?;
            }
            audit::append(
                &mut tx,
                Some(actor.id()),
                "user_created",
                "user",
                Some(id),
                &serde_json::json!({
                    "username": p.username,
                    "unit_id": p.unit_id,
                    "roles": p.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
                    "file": req.filename,
                    "row": p.row.row,
                }),
            )
            .await?;
            if let Some(plan) = report.row_mut(p.row.row) {
                plan.password = Some(password.clone());
            }
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            "people_imported",
            "import",
            None,
            &serde_json::json!({
                "file": req.filename,
                "rows": report.rows.len(),
                "created": planned.len(),
                "skipped": report.skipped,
            }),
        )
        .await?;
        tx.commit().await?;
        report.written = true;
        Ok(())
    }
}

/// The person's unit among those the actor administers.
fn person_unit<'u>(
    units: &'u UnitIndex,
    row: &PersonRow,
    plan: &mut RowPlan,
    at: &dyn Fn(u32, Field) -> String,
    locale: &str,
) -> Option<&'u UnitEntry> {
    if row.unit.is_empty() {
        return None;
    }
    let written = row.unit.join("/");
    match usable_unit(units.find_levels(&row.unit), &written, locale) {
        Ok(u) => {
            plan.unit = u.unit.name.clone();
            Some(u)
        }
        Err(why) => {
            plan.problem(format!("{}{why}", at(row.row, Field::PersonUnit)));
            None
        }
    }
}
