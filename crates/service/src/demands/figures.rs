//! Response limits and the response figures computed from the demand events.

use super::*;

impl Services {
    pub async fn response_limits(&self) -> ServiceResult<Vec<store::LimitRow>> {
        let mut conn = self.store.read().await?;
        Ok(store::limits(&mut conn).await?)
    }

    /// Sets the working-day limits to accept and to answer for a unit (0: any) and category
    /// (0: any). A system admin of the whole organisation sets them.
    pub async fn set_response_limit(
        &self,
        actor: &Actor,
        unit_id: i64,
        category_id: i64,
        accept_days: i64,
        answer_days: i64,
    ) -> ServiceResult<()> {
        if !actor.is_root_admin() {
            return Err(ServiceError::Forbidden("error.only_root_admin".into()));
        }
        let mut check = Check::new();
        if !(0..=60).contains(&accept_days) {
            check.push_with("accept_days", "error.range", "0–60");
        }
        if !(1..=365).contains(&answer_days) || answer_days < accept_days {
            check.push_with(
                "answer_days",
                "error.range",
                format!("{}–365", accept_days.max(1)),
            );
        }
        let mut conn = self.store.read().await?;
        if unit_id != 0 && units::get(&mut conn, unit_id).await.is_err() {
            check.push("unit_id", "error.unknown_unit");
        }
        if category_id != 0
            && !store::categories(&mut conn)
                .await?
                .iter()
                .any(|c| c.id == category_id)
        {
            check.push("category_id", "error.choice");
        }
        drop(conn);
        check.finish()?;
        let mut tx = self.store.write().await?;
        store::set_limit(&mut tx, unit_id, category_id, accept_days, answer_days).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "response_limit_set",
            "settings",
            None,
            &serde_json::json!({ "unit_id": unit_id, "category_id": category_id, "accept_days": accept_days, "answer_days": answer_days }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Response figures of a unit's subtree over `[from, until]` (Beijing dates, inclusive).
    pub async fn response_figures(
        &self,
        actor: &Actor,
        unit_id: i64,
        from: NaiveDate,
        until: NaiveDate,
    ) -> ServiceResult<ResponseFigures> {
        let mut conn = self.store.read().await?;
        let unit = units::get(&mut conn, unit_id).await?;
        if !actor.reads(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(shishi_core::time::beijing()).single())
                .map_or(0, |t| t.timestamp_millis())
        };
        let events = store::events_in(
            &mut conn,
            &unit.path,
            start(from),
            start(until.succ_opt().unwrap_or(until)),
        )
        .await?;
        let cal = self.calendar();
        let wd = |a: i64, b: i64| {
            cal.working_days_between(
                shishi_core::time::beijing_date(a),
                shishi_core::time::beijing_date(b),
            ) as f64
        };
        let mut f = ResponseFigures::default();
        let (mut to_accept, mut to_answer) = (Vec::new(), Vec::new());
        for (action, at, created, due) in events {
            match action.as_str() {
                "submit" => f.received += 1,
                "accept" => {
                    f.accepted += 1;
                    if parse_date(&due)
                        .is_some_and(|due| shishi_core::time::beijing_date(at) <= due)
                    {
                        f.accepted_on_time += 1;
                    }
                    to_accept.push(wd(created, at));
                }
                "answer" | "adopt" | "merge" | "decline" => {
                    match action.as_str() {
                        "answer" => f.answered += 1,
                        "adopt" => f.adopted += 1,
                        "merge" => f.merged += 1,
                        _ => f.declined += 1,
                    }
                    to_answer.push(wd(created, at));
                }
                "transfer" => f.transferred += 1,
                "send_back" => f.sent_back += 1,
                _ => {}
            }
        }
        f.median_days_to_accept = median(to_accept);
        f.median_days_to_answer = median(to_answer);
        Ok(f)
    }
}

impl Services {
    /// Adds an entry to a configurable list (demand categories, decline reasons). Entries are
    /// never deleted, only deactivated, so old demands keep their meaning.
    pub async fn add_list_entry(
        &self,
        actor: &Actor,
        list: store::List,
        name_zh: &str,
        name_en: &str,
    ) -> ServiceResult<i64> {
        if !actor.is_root_admin() {
            return Err(ServiceError::Forbidden("error.only_root_admin".into()));
        }
        let mut check = Check::new();
        let zh = check.required("name_zh", name_zh, 50);
        let en = check.required("name_en", name_en, 80);
        check.finish()?;
        // A stable code for integrations, unique whatever the names.
        let code = format!("c{}", &crate::auth::random_token()[..10]);
        let mut tx = self.store.write().await?;
        let id = store::add_entry(&mut tx, list, &code, &zh, &en).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "list_entry_added",
            "settings",
            Some(id),
            &serde_json::json!({ "list": format!("{list:?}"), "name_zh": zh, "name_en": en }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_list_entry_active(
        &self,
        actor: &Actor,
        list: store::List,
        id: i64,
        active: bool,
    ) -> ServiceResult<()> {
        if !actor.is_root_admin() {
            return Err(ServiceError::Forbidden("error.only_root_admin".into()));
        }
        let mut tx = self.store.write().await?;
        store::set_entry_active(&mut tx, list, id, active).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "list_entry_active",
            "settings",
            Some(id),
            &serde_json::json!({ "list": format!("{list:?}"), "active": active }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
