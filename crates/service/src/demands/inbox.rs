//! The inbox and following: reading a demand as a handler or a follower, the steps, co-signing,
//! revealing an anonymous submitter, notifications.

use super::*;

/// The most matches a text search hands to the inbox query.
const SEARCH_HITS: usize = 5000;

impl Services {
    fn demand_view(&self, d: &DemandRow, cosigners: i64) -> DemandView {
        let cal = self.calendar();
        let today = self.clock.today();
        let created = shishi_core::time::beijing_date(d.created_at);
        let status = status_of(d);
        let anonymous = d.anonymous != 0;
        DemandView {
            id: d.id,
            title: d.title.clone(),
            body: d.body.clone(),
            unit_id: d.unit_id,
            unit_name: d.unit_name.clone(),
            category_id: d.category_id,
            channel: d.channel.clone(),
            channel_details: serde_json::from_str(&d.channel_details).unwrap_or_default(),
            anonymous,
            submitter_name: if anonymous {
                None
            } else {
                d.submitter_name.clone()
            },
            contact: if anonymous || d.contact.is_empty() {
                None
            } else {
                Some(d.contact.clone())
            },
            status: d.status.clone(),
            answer: d.answer.clone(),
            decline_reason_id: d.decline_reason_id,
            merged_into: d.merged_into,
            matter_id: d.matter_id,
            transferred_from: d.transferred_from,
            accept_due: d.accept_due.clone(),
            answer_due: d.answer_due.clone(),
            dues_provisional: [&d.accept_due, &d.answer_due]
                .into_iter()
                .filter_map(|due| parse_date(due))
                .chain([d.closed_at.map_or(today, shishi_core::time::beijing_date)])
                .any(|until| !cal.provisional_years_between(created, until).is_empty()),
            // A closed demand's age stops at its close.
            age_working_days: cal
                .working_days_between(
                    created,
                    d.closed_at.map_or(today, shishi_core::time::beijing_date),
                )
                .max(0),
            late_to_accept: status == DemandStatus::Submitted
                && parse_date(&d.accept_due).is_some_and(|due| today > due),
            late_to_answer: status.is_open()
                && parse_date(&d.answer_due).is_some_and(|due| today > due),
            cosigners,
            created_at: d.created_at,
            matter: None,
        }
    }

    /// The matter a demand went into, as those who follow the demand may see it.
    async fn linked_matter(
        conn: &mut shishi_store::AnyConnection,
        d: &DemandRow,
    ) -> ServiceResult<Option<LinkedMatter>> {
        let Some(id) = d.matter_id else {
            return Ok(None);
        };
        Ok(Some(LinkedMatter::of(
            &shishi_store::matters::get(conn, id).await?,
        )))
    }

    /// The submitter and co-signers, who follow a demand.
    async fn followers(
        conn: &mut shishi_store::AnyConnection,
        d: &DemandRow,
    ) -> ServiceResult<Vec<i64>> {
        let mut people = store::cosigners(conn, d.id).await?;
        if let Some(s) = d.submitter_id {
            people.push(s);
        }
        people.sort();
        people.dedup();
        Ok(people)
    }

    pub(crate) async fn readable_demand(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<(DemandRow, bool)> {
        let mut conn = self.store.read().await?;
        let d = store::get(&mut conn, id).await?;
        let following = Self::followers(&mut conn, &d).await?.contains(&actor.id());
        if !actor.reads(&d.unit_path) && !following {
            return Err(ServiceError::NotFound);
        }
        Ok((d, following))
    }

    pub async fn demand(&self, actor: &Actor, id: i64) -> ServiceResult<DemandDetail> {
        let (d, following) = self.readable_demand(actor, id).await?;
        let mut conn = self.store.read().await?;
        let cosigners = store::cosigners(&mut conn, id).await?.len() as i64;
        let events = store::events_of(&mut conn, id).await?;
        let files = store::files_of(&mut conn, id).await?;
        let status = status_of(&d);
        let actions = if actor.handles_demands(&d.unit_path) {
            DemandAction::ALL
                .into_iter()
                .filter(|a| demand::step(status, *a, d.transferred_from.is_some(), "x").is_ok())
                .collect()
        } else {
            vec![]
        };
        // A follower who is not a handler sees the events without the handlers' names.
        let events = if actor.reads(&d.unit_path) {
            events
        } else {
            events
                .into_iter()
                .map(|e| DemandEventRow {
                    actor_id: None,
                    ..e
                })
                .collect()
        };
        let mut view = self.demand_view(&d, cosigners);
        view.matter = Self::linked_matter(&mut conn, &d).await?;
        // A co-signer who does not handle the demand sees what it says, not who raised it.
        if !actor.reads(&d.unit_path) && d.submitter_id != Some(actor.id()) {
            view.submitter_name = None;
            view.contact = None;
        }
        Ok(DemandDetail {
            demand: view,
            events,
            files,
            actions,
            following,
        })
    }

    /// The public tracking page of an anonymous demand.
    pub async fn track(&self, code: &str) -> ServiceResult<DemandDetail> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 12 {
            return Err(ServiceError::NotFound);
        }
        let mut conn = self.store.read().await?;
        let d = store::by_tracking_code(&mut conn, &code)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let cosigners = store::cosigners(&mut conn, d.id).await?.len() as i64;
        let events = store::events_of(&mut conn, d.id)
            .await?
            .into_iter()
            .map(|e| DemandEventRow {
                actor_id: None,
                ..e
            })
            .collect();
        let mut view = self.demand_view(&d, cosigners);
        view.matter = Self::linked_matter(&mut conn, &d).await?;
        Ok(DemandDetail {
            demand: view,
            events,
            files: vec![],
            actions: vec![],
            following: true,
        })
    }

    pub async fn inbox(&self, actor: &Actor, f: &InboxFilter) -> ServiceResult<InboxPage> {
        let mut conn = self.store.read().await?;
        let mut roots: Vec<String> = actor.read_roots().into_iter().map(|(_, p)| p).collect();
        if let Some(unit_id) = f.unit_id {
            let unit = units::get(&mut conn, unit_id).await?;
            if !actor.reads(&unit.path) {
                return Err(ServiceError::NotFound);
            }
            roots = vec![unit.path];
        }
        let mut check = Check::new();
        let statuses: Vec<String> = f
            .status
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if statuses
            .iter()
            .any(|s| DemandStatus::from_code(s).is_none())
        {
            check.push("status", "error.choice");
        }
        let channel = f
            .channel
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if channel.is_some_and(|c| Channel::from_code(c).is_none()) {
            check.push("channel", "error.choice");
        }
        let from = check.date("from", f.from.as_deref());
        let until = check.date("until", f.until.as_deref());
        let paging = Paging::read(&mut check, f.page, f.per_page, 25, 200);
        check.finish()?;
        let Paging { page, per_page } = paging;
        let start_of = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(shishi_core::time::beijing()).single())
                .map(|t| t.timestamp_millis())
        };
        let q = InboxQuery {
            roots,
            statuses,
            channel: channel.map(str::to_string),
            category_id: f.category_id,
            from: from.and_then(start_of),
            until: until.and_then(|d| d.succ_opt()).and_then(start_of),
            // Words are looked up in the full-text index; scope and filters stay in SQL.
            ids: match f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                Some(words) => Some(self.search_ids(words, SEARCH_HITS).await?),
                None => None,
            },
            oldest_first: true,
            limit: per_page,
            offset: paging.offset(),
            ..Default::default()
        };
        let (rows, total) = store::inbox(&mut conn, &q).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let counts = store::cosigner_counts(&mut conn, &ids).await?;
        let items = rows
            .iter()
            .map(|r| self.demand_view(r, counts.get(&r.id).copied().unwrap_or(0)))
            .collect();
        Ok(InboxPage {
            items,
            total,
            page,
            per_page,
        })
    }

    /// "我的诉求": what the actor raised or co-signed, newest first.
    pub async fn my_demands(&self, actor: &Actor) -> ServiceResult<Vec<DemandView>> {
        let mut conn = self.store.read().await?;
        let q = InboxQuery {
            submitter_or_cosigner: Some(actor.id()),
            limit: 200,
            ..Default::default()
        };
        let (rows, _) = store::inbox(&mut conn, &q).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let counts = store::cosigner_counts(&mut conn, &ids).await?;
        let mut out = Vec::new();
        for r in rows {
            let mut v = self.demand_view(&r, counts.get(&r.id).copied().unwrap_or(0));
            v.matter = Self::linked_matter(&mut conn, &r).await?;
            // Their own demand: they may see their own name and contact; a co-signed one shows
            // nobody's.
            if r.submitter_id == Some(actor.id()) {
                v.submitter_name = Some(actor.user.display_name.clone());
                v.contact = (!r.contact.is_empty()).then(|| r.contact.clone());
            } else {
                v.submitter_name = None;
                v.contact = None;
            }
            out.push(v);
        }
        Ok(out)
    }

    /// 附议: a signed-in person joins an open demand instead of filing it again.
    pub async fn cosign(&self, actor: &Actor, id: i64) -> ServiceResult<()> {
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let d = store::get(&mut tx, id).await?;
        if !status_of(&d).is_open() {
            return Err(ServiceError::Conflict("error.demand_closed".into()));
        }
        if d.submitter_id == Some(actor.id()) {
            return Err(ServiceError::Conflict("error.own_demand".into()));
        }
        if store::cosign(&mut tx, id, actor.id(), now).await? {
            audit::append(
                &mut tx,
                Some(actor.id()),
                "demand_cosigned",
                "demand",
                Some(id),
                &serde_json::json!({}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One step from the inbox, by an intake clerk or unit admin over the demand's unit.
    pub async fn demand_step(
        &self,
        actor: &Actor,
        id: i64,
        input: &StepInput,
    ) -> ServiceResult<DemandView> {
        let mut conn = self.store.read().await?;
        if !actor.reads(&store::get(&mut conn, id).await?.unit_path) {
            return Err(ServiceError::NotFound);
        }
        drop(conn);
        let action = DemandAction::from_code(input.action.trim())
            .ok_or_else(|| ServiceError::field("action", "error.choice"))?;
        let text = input.text.trim();
        if text.chars().count() > 4000 {
            return Err(ServiceError::Invalid(vec![crate::FieldError::with(
                "text",
                "error.too_long",
                4000,
            )]));
        }
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let d = store::get(&mut tx, id).await?;
        if !actor.reads(&d.unit_path) {
            return Err(ServiceError::NotFound);
        }
        if !actor.handles_demands(&d.unit_path) {
            return Err(ServiceError::Forbidden("error.not_clerk".into()));
        }
        let from = status_of(&d);
        let to = demand::step(from, action, d.transferred_from.is_some(), text).map_err(
            |r| match r {
                demand::DemandRefusal::TextRequired(_) => {
                    ServiceError::field("text", "error.required")
                }
                demand::DemandRefusal::NotTransferred => {
                    ServiceError::Conflict("error.not_transferred".into())
                }
                demand::DemandRefusal::WrongState { .. } => {
                    ServiceError::Conflict("error.demand_wrong_state".into())
                }
            },
        )?;
        let mut next = d.clone();
        next.status = to.code().to_string();
        let mut to_unit: Option<shishi_store::units::UnitRow> = None;
        match action {
            DemandAction::Accept => next.accepted_at = Some(now),
            DemandAction::Answer => next.answer = text.to_string(),
            DemandAction::Decline => {
                let reasons = store::decline_reasons(&mut tx).await?;
                match input.decline_reason_id {
                    Some(r) if reasons.iter().any(|x| x.id == r && x.active == 1) => {
                        next.decline_reason_id = Some(r)
                    }
                    _ => return Err(ServiceError::field("decline_reason_id", "error.choice")),
                }
                next.answer = text.to_string();
            }
            DemandAction::Transfer => {
                let target = match input.to_unit_id {
                    Some(u) => units::get(&mut tx, u)
                        .await
                        .ok()
                        .filter(|u| u.is_active() && u.id != d.unit_id),
                    None => None,
                };
                let target = target
                    .ok_or_else(|| ServiceError::field("to_unit_id", "error.unknown_unit"))?;
                next.transferred_from = Some(d.unit_id);
                next.unit_id = target.id;
                next.unit_path = target.path.clone();
                to_unit = Some(target);
            }
            DemandAction::SendBack => {
                let back = d
                    .transferred_from
                    .ok_or(ServiceError::Conflict("error.not_transferred".into()))?;
                let unit = units::get(&mut tx, back).await?;
                next.transferred_from = None;
                next.unit_id = unit.id;
                next.unit_path = unit.path.clone();
                to_unit = Some(unit);
            }
            DemandAction::Merge => {
                let target_id = input
                    .merge_into
                    .ok_or_else(|| ServiceError::field("merge_into", "error.required"))?;
                let target = store::get(&mut tx, target_id)
                    .await
                    .ok()
                    .filter(|t| t.id != d.id && actor.reads(&t.unit_path) && status_of(t).is_open())
                    .ok_or_else(|| ServiceError::field("merge_into", "error.unknown_demand"))?;
                next.merged_into = Some(target.id);
                // Those who raised the duplicate follow the surviving demand.
                if let Some(s) = d.submitter_id
                    && target.submitter_id != Some(s)
                {
                    store::cosign(&mut tx, target.id, s, now).await?;
                }
                store::move_cosigners(&mut tx, d.id, target.id, target.submitter_id, now).await?;
            }
            DemandAction::Adopt => {
                let matter_id = input
                    .matter_id
                    .ok_or_else(|| ServiceError::field("matter_id", "error.required"))?;
                let m = shishi_store::matters::get(&mut tx, matter_id)
                    .await
                    .ok()
                    .filter(|m| actor.reads(&m.unit_path))
                    .ok_or_else(|| ServiceError::field("matter_id", "error.unknown_matter"))?;
                next.matter_id = Some(m.id);
            }
        }
        if !to.is_open() {
            next.closed_at = Some(now);
        }
        if let Some(unit) = &to_unit {
            // The receiving inbox gets its own clock.
            let (accept_days, answer_days) = self.limits_for(&unit.path, d.category_id).await?;
            let cal = self.calendar();
            let today = self.clock.today();
            next.accept_due = cal.add_working_days(today, accept_days).to_string();
            next.answer_due = cal.add_working_days(today, answer_days).to_string();
            next.accepted_at = None;
        }
        store::save_state(&mut tx, &next, d.version, now).await?;
        if to_unit.is_some() {
            store::set_dues(&mut tx, id, &next.accept_due, &next.answer_due).await?;
        }
        store::insert_event(
            &mut tx,
            &store::NewEvent {
                demand_id: id,
                at: now,
                actor_id: Some(actor.id()),
                action: action.code(),
                from_status: from.code(),
                to_status: to.code(),
                unit_id: d.unit_id,
                unit_path: &d.unit_path,
                to_unit_id: to_unit.as_ref().map(|u| u.id),
                text,
                // Judged against the limit of the inbox the demand was in when the step was taken.
                due: match action {
                    DemandAction::Accept => &d.accept_due,
                    _ if !to.is_open() => &d.answer_due,
                    _ => "",
                },
            },
        )
        .await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            &format!("demand_{}", action.code()),
            "demand",
            Some(id),
            &serde_json::json!({
                "from": from.code(), "to": to.code(), "text": text,
                "to_unit_id": to_unit.as_ref().map(|u| u.id),
                "merge_into": next.merged_into, "matter_id": next.matter_id,
                "decline_reason_id": next.decline_reason_id,
            }),
        )
        .await?;
        let followers = Self::followers(&mut tx, &d).await?;
        let kind = demand_kind(action);
        self.emit(
            &mut tx,
            &crate::notify::Event {
                kind,
                subject_type: "demand",
                subject_id: id,
                unit_path: &d.unit_path,
                params: serde_json::json!({ "title": d.title }),
                key: format!("{kind}:{id}:v{}", d.version),
            },
            &followers,
            now,
        )
        .await?;
        if action == DemandAction::Answer {
            let answered = store::get(&mut tx, id).await?;
            self.ask_demand_verdicts(&mut tx, &answered, now).await?;
        }
        if let Some(unit) = &to_unit {
            self.notify_handlers(&mut tx, &unit.path, "demand_received", id, &d.title, now)
                .await?;
        }
        let row = store::get(&mut tx, id).await?;
        let n = store::cosigners(&mut tx, id).await?.len() as i64;
        tx.commit().await?;
        if !to.is_open() {
            self.unindex_demand(id);
        }
        Ok(self.demand_view(&row, n))
    }

    /// A system admin reveals who raised an anonymous demand, for a recorded reason.
    pub async fn reveal_submitter(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> ServiceResult<Option<String>> {
        let mut tx = self.store.write().await?;
        let d = store::get(&mut tx, id).await?;
        if !actor.administers(&d.unit_path) {
            return Err(ServiceError::NotFound);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::field("reason", "error.required"));
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            "demand_submitter_revealed",
            "demand",
            Some(id),
            &serde_json::json!({ "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        Ok(d.submitter_name
            .or_else(|| (!d.contact.is_empty()).then(|| d.contact.clone())))
    }

    pub async fn notifications(
        &self,
        actor: &Actor,
    ) -> ServiceResult<(Vec<store::NotificationRow>, i64)> {
        let mut conn = self.store.read().await?;
        let rows = store::notifications(&mut conn, actor.id(), 100).await?;
        let unread = store::unread_count(&mut conn, actor.id()).await?;
        Ok((rows, unread))
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        store::mark_read(&mut tx, actor.id(), self.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An evidence file of a demand, for those who may read the demand.
    pub async fn demand_file(
        &self,
        actor: &Actor,
        file_id: i64,
    ) -> ServiceResult<(DemandFileMeta, Vec<u8>)> {
        let mut conn = self.store.read().await?;
        let (meta, data) = store::file(&mut conn, file_id).await?;
        drop(conn);
        self.readable_demand(actor, meta.demand_id).await?;
        Ok((meta, data))
    }
}

/// The notification kind of a demand step (the kinds are listed in `notify::texts`).
fn demand_kind(action: DemandAction) -> &'static str {
    match action {
        DemandAction::Accept => "demand_accept",
        DemandAction::Answer => "demand_answer",
        DemandAction::Adopt => "demand_adopt",
        DemandAction::Merge => "demand_merge",
        DemandAction::Decline => "demand_decline",
        DemandAction::Transfer => "demand_transfer",
        DemandAction::SendBack => "demand_send_back",
    }
}
