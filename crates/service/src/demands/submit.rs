//! Submission: checking a demand from any channel, writing it with its first event, and the
//! lists that govern it.

use super::*;

/// The longest `Idempotency-Key` kept; any visible characters, counted as characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 100;

impl Services {
    pub async fn demand_categories(&self) -> ServiceResult<Vec<ListEntry>> {
        let mut conn = self.store.read().await?;
        Ok(store::categories(&mut conn).await?)
    }

    pub async fn decline_reasons(&self) -> ServiceResult<Vec<ListEntry>> {
        let mut conn = self.store.read().await?;
        Ok(store::decline_reasons(&mut conn).await?)
    }

    /// All active units, for the public form's unit picker (names only).
    pub async fn public_units(&self) -> ServiceResult<Vec<units::UnitRow>> {
        let mut conn = self.store.read().await?;
        let Some(root) = units::root(&mut conn).await? else {
            return Ok(vec![]);
        };
        Ok(units::subtree(&mut conn, &root.path)
            .await?
            .into_iter()
            .filter(|u| u.is_active())
            .collect())
    }

    /// The accept and answer limits for a unit and category: the most specific setting wins.
    pub(super) async fn limits_for(
        &self,
        unit_path: &str,
        category_id: Option<i64>,
    ) -> ServiceResult<(u32, u32)> {
        let mut conn = self.store.read().await?;
        let rows = store::limits(&mut conn).await?;
        let ancestors = shishi_core::unit::ancestors(unit_path);
        let category = category_id.unwrap_or(0);
        // Deeper unit first, then the specific category before "any".
        let mut best: Option<(usize, i64, &store::LimitRow)> = None;
        for r in &rows {
            let unit_rank = if r.unit_id == 0 {
                Some(0)
            } else {
                ancestors
                    .iter()
                    .position(|a| *a == r.unit_id)
                    .map(|p| p + 1)
            };
            let cat_ok = r.category_id == 0 || r.category_id == category;
            if let (Some(rank), true) = (unit_rank, cat_ok) {
                let key = (rank, r.category_id.min(1));
                if best.is_none_or(|(br, bc, _)| key > (br, bc)) {
                    best = Some((key.0, key.1, r));
                }
            }
        }
        Ok(best.map_or((2, 10), |(_, _, r)| {
            (r.accept_days.max(0) as u32, r.answer_days.max(0) as u32)
        }))
    }

    /// Checks one demand's fields. `suffix` tells rows of a batch apart (`title_2`); the
    /// channel's own fields are shared by the batch and checked once, without it.
    async fn prepare(
        &self,
        actor: Option<&Actor>,
        channel: Channel,
        input: &DemandInput,
        suffix: &str,
        check_channel: bool,
        check: &mut Check,
    ) -> ServiceResult<Option<Prepared>> {
        let f = |name: &str| format!("{name}{suffix}");
        let title = check.required(&f("title"), &input.title, 100);
        let body = check.required(&f("body"), &input.body, 4000);
        let contact = check.optional(&f("contact"), &input.contact, 100);
        if check_channel {
            for (name, required) in channel.fields() {
                let value = input
                    .channel_details
                    .get(*name)
                    .map(|v| v.trim())
                    .unwrap_or("");
                if *required && value.is_empty() {
                    check.push(name, "error.required");
                }
                if value.chars().count() > 200 {
                    check.push_with(name, "error.too_long", 200);
                }
                if (name.ends_with("_on") || name.ends_with("_date") || *name == "called_at")
                    && !value.is_empty()
                    && parse_date(value.get(0..10).unwrap_or(value)).is_none()
                {
                    check.push(name, "error.date");
                }
            }
            for key in input.channel_details.keys() {
                if !channel.fields().iter().any(|(n, _)| n == key) {
                    check.push(key, "error.unknown_field");
                }
            }
        }
        let mut conn = self.store.read().await?;
        let unit = match units::get(&mut conn, input.unit_id).await {
            Ok(u) if u.is_active() => Some(u),
            _ => None,
        };
        // A clerk enters demands for the units whose inbox they handle.
        let in_scope = |u: &units::UnitRow| {
            !channel.is_offline() || actor.is_some_and(|a| a.handles_demands(&u.path))
        };
        // Say what is wrong in words that fit who asks: anyone may send a demand to any unit,
        // so only a clerk recording one hears about their scope.
        match &unit {
            _ if input.unit_id <= 0 => check.push(&f("unit_id"), "error.choose_unit"),
            None => check.push(&f("unit_id"), "error.choice"),
            Some(u) if !in_scope(u) => check.push(&f("unit_id"), "error.unknown_unit"),
            Some(_) => {}
        }
        let unit = unit.filter(in_scope);
        if let Some(c) = input.category_id {
            let cats = store::categories(&mut conn).await?;
            if !cats.iter().any(|x| x.id == c && x.active == 1) {
                check.push(&f("category_id"), "error.choice");
            }
        }
        drop(conn);
        let Some(unit) = unit else { return Ok(None) };
        let (accept_days, answer_days) = self.limits_for(&unit.path, input.category_id).await?;
        let cal = self.calendar();
        let today = self.clock.today();
        // Entered by a clerk: the clerk recorded it, nobody signed in raised it.
        let (submitter, recorded_by) = match actor {
            Some(a) if channel.is_offline() => (None, Some(a.id())),
            Some(a) => (Some(a.id()), None),
            None => (None, None),
        };
        let signature = shishi_text::signature(&format!("{title}\n{body}"));
        Ok(Some(Prepared {
            signature,
            title,
            body,
            contact,
            category_id: input.category_id,
            details: serde_json::to_string(&input.channel_details).unwrap_or_else(|_| "{}".into()),
            accept_due: cal.add_working_days(today, accept_days).to_string(),
            answer_due: cal.add_working_days(today, answer_days).to_string(),
            anonymous: actor.is_none() || (input.anonymous && !channel.is_offline()),
            submitter,
            recorded_by,
            unit,
        }))
    }

    /// Writes a checked demand, its files, its first event and audit entry, and tells the
    /// inbox, inside the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    async fn write_prepared(
        &self,
        tx: &mut shishi_store::AnyConnection,
        actor: Option<&Actor>,
        channel: Channel,
        p: &Prepared,
        batch_id: Option<i64>,
        idempotency_key: Option<&str>,
        files: &[crate::files::CheckedFile],
    ) -> ServiceResult<(i64, Option<String>)> {
        let now = self.clock.now_ms();
        let code = (p.anonymous && !channel.is_offline()).then(new_tracking_code);
        let id = store::insert(
            tx,
            &store::NewDemand {
                title: &p.title,
                body: &p.body,
                unit_id: p.unit.id,
                unit_path: &p.unit.path,
                category_id: p.category_id,
                channel: channel.code(),
                channel_details: &p.details,
                batch_id,
                submitter_id: p.submitter,
                anonymous: p.anonymous,
                contact: &p.contact,
                tracking_code: code.as_deref(),
                recorded_by: p.recorded_by,
                accept_due: &p.accept_due,
                answer_due: &p.answer_due,
                idempotency_key,
                signature: Some(&p.signature.to_bytes()),
                now,
            },
        )
        .await?;
        for f in files {
            store::insert_file(tx, id, &f.filename, f.content_type, &f.sha256, &f.data, now)
                .await?;
        }
        // Neither the events nor the audit trail name an anonymous submitter.
        let named_actor = if p.anonymous {
            None
        } else {
            actor.map(|a| a.id())
        };
        store::insert_event(
            tx,
            &store::NewEvent {
                demand_id: id,
                at: now,
                actor_id: named_actor,
                action: "submit",
                from_status: "",
                to_status: DemandStatus::Submitted.code(),
                unit_id: p.unit.id,
                unit_path: &p.unit.path,
                to_unit_id: None,
                text: "",
                due: "",
            },
        )
        .await?;
        audit::append(
            tx,
            named_actor,
            "demand_submitted",
            "demand",
            Some(id),
            &serde_json::json!({ "unit_id": p.unit.id, "channel": channel.code(), "anonymous": p.anonymous, "batch_id": batch_id }),
        )
        .await?;
        self.notify_handlers(tx, &p.unit.path, "demand_received", id, &p.title, now)
            .await?;
        Ok((id, code))
    }

    /// An earlier demand sent with the same key, answered again instead of filed twice.
    async fn repeat_of(
        &self,
        actor: Option<&Actor>,
        key: &str,
    ) -> ServiceResult<Option<Submitted>> {
        if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
            return Err(ServiceError::Invalid(vec![FieldError::with(
                "idempotency_key",
                "error.too_long",
                MAX_IDEMPOTENCY_KEY_CHARS,
            )]));
        }
        let mut conn = self.store.read().await?;
        let Some(id) = store::by_idempotency_key(&mut conn, key).await? else {
            return Ok(None);
        };
        let d = store::get(&mut conn, id).await?;
        let me = actor.map(|a| a.id());
        let same_person = (me.is_none() && d.submitter_id.is_none() && d.recorded_by.is_none())
            || (me.is_some() && (d.submitter_id == me || d.recorded_by == me));
        if !same_person {
            return Err(ServiceError::Conflict("error.idempotency_reused".into()));
        }
        let code = store::tracking_code(&mut conn, id).await?;
        Ok(Some(Submitted {
            id,
            tracking_code: code,
            repeated: true,
        }))
    }

    /// Submits a demand: from the public form (no actor), a signed-in member, a clerk entering
    /// an offline one, or an integration. Durable before this returns.
    pub async fn submit_demand(
        &self,
        actor: Option<&Actor>,
        channel: Channel,
        input: &DemandInput,
        idempotency_key: Option<&str>,
        uploads: Vec<Upload>,
    ) -> ServiceResult<Submitted> {
        let key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
        if let Some(key) = key
            && let Some(repeat) = self.repeat_of(actor, key).await?
        {
            return Ok(repeat);
        }
        // Offline channels are entered by someone who handles the inbox.
        if channel.is_offline()
            && !actor.is_some_and(|a| a.has_role(Role::IntakeClerk) || a.can_manage_any())
        {
            return Err(ServiceError::Forbidden("error.not_clerk".into()));
        }
        let mut check = Check::new();
        let prepared = self
            .prepare(actor, channel, input, "", true, &mut check)
            .await?;
        let files = match check_uploads("files", uploads) {
            Ok(f) => f,
            Err(ServiceError::Invalid(errs)) => {
                check.errors.extend(errs);
                vec![]
            }
            Err(e) => return Err(e),
        };
        check.finish()?;
        let prepared = prepared.ok_or(ServiceError::NotFound)?;
        let mut tx = self.store.write().await?;
        let written = self
            .write_prepared(&mut tx, actor, channel, &prepared, None, key, &files)
            .await;
        let (id, code) = match written {
            Ok(done) => done,
            // The same key arrived twice at once and the other request won: answer with its demand.
            Err(ServiceError::Conflict(c)) if c == "error.duplicate" && key.is_some() => {
                drop(tx);
                if let Some(repeat) = self.repeat_of(actor, key.unwrap_or_default()).await? {
                    return Ok(repeat);
                }
                return Err(ServiceError::Conflict(c));
            }
            Err(e) => return Err(e),
        };
        tx.commit().await?;
        self.index_demand(id, &prepared.title, &prepared.signature);
        self.index_for_search(vec![(id, format!("{}\n{}", prepared.title, prepared.body))])
            .await;
        Ok(Submitted {
            id,
            tracking_code: code,
            repeated: false,
        })
    }

    /// A clerk records what one offline occasion yielded (a symposium, a visit, a call): every
    /// row is checked before any is written, then all are written together.
    pub async fn record_offline(
        &self,
        actor: &Actor,
        channel: Channel,
        inputs: &[DemandInput],
        idempotency_key: &str,
    ) -> ServiceResult<Vec<i64>> {
        if !channel.is_offline() {
            return Err(ServiceError::field("channel", "error.choice"));
        }
        if !(actor.has_role(Role::IntakeClerk) || actor.can_manage_any()) {
            return Err(ServiceError::Forbidden("error.not_clerk".into()));
        }
        if inputs.is_empty() {
            return Err(ServiceError::field("title_0", "error.required"));
        }
        let key = Some(idempotency_key.trim()).filter(|k| !k.is_empty());
        if let Some(key) = key
            && self.repeat_of(Some(actor), key).await?.is_some()
        {
            return Err(ServiceError::Conflict("error.already_recorded".into()));
        }
        let mut check = Check::new();
        let mut prepared = Vec::new();
        for (row, input) in inputs.iter().enumerate() {
            let suffix = format!("_{row}");
            // One occasion, one set of channel fields: every row carries the checked first row's.
            let input = &DemandInput {
                channel_details: inputs[0].channel_details.clone(),
                ..input.clone()
            };
            prepared.push(
                self.prepare(Some(actor), channel, input, &suffix, row == 0, &mut check)
                    .await?,
            );
        }
        check.finish()?;
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let first_unit = prepared
            .iter()
            .flatten()
            .next()
            .map(|p| p.unit.id)
            .ok_or(ServiceError::NotFound)?;
        let batch = if inputs.len() > 1 {
            let details =
                serde_json::to_string(&inputs[0].channel_details).unwrap_or_else(|_| "{}".into());
            Some(
                store::insert_batch(
                    &mut tx,
                    channel.code(),
                    first_unit,
                    &details,
                    actor.id(),
                    now,
                )
                .await?,
            )
        } else {
            None
        };
        let mut ids = Vec::new();
        for (row, p) in prepared.iter().flatten().enumerate() {
            // Only the first row carries the key, so a resubmitted form is recognised once.
            let row_key = if row == 0 { key } else { None };
            let (id, _) = self
                .write_prepared(&mut tx, Some(actor), channel, p, batch, row_key, &[])
                .await?;
            ids.push(id);
        }
        tx.commit().await?;
        let mut docs = Vec::new();
        for (id, p) in ids.iter().zip(prepared.iter().flatten()) {
            self.index_demand(*id, &p.title, &p.signature);
            docs.push((*id, format!("{}\n{}", p.title, p.body)));
        }
        self.index_for_search(docs).await;
        Ok(ids)
    }

    /// Tells the intake clerks and unit admins over a unit that work has arrived.
    pub(crate) async fn notify_handlers(
        &self,
        conn: &mut shishi_store::AnyConnection,
        unit_path: &str,
        kind: &'static str,
        demand_id: i64,
        title: &str,
        now: i64,
    ) -> ServiceResult<()> {
        // The nearest level that has a clerk or admin gets it, not the whole chain above.
        let people =
            crate::notify::nearest_holders(conn, &[Role::IntakeClerk, Role::UnitAdmin], unit_path)
                .await?;
        self.emit(
            conn,
            &crate::notify::Event {
                kind,
                subject_type: "demand",
                subject_id: demand_id,
                unit_path,
                params: serde_json::json!({ "title": title }),
                key: format!("{kind}:{demand_id}:{unit_path}:{now}"),
            },
            &people,
            now,
        )
        .await?;
        Ok(())
    }
}
