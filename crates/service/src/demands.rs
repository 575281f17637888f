//! Demands (诉求): submission from every channel, the unit inbox and its steps, following one's
//! own demands, and the response figures. The submitter of an anonymous demand is known to the
//! submitter alone; handlers see a demand without any trace of who raised it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::Rng;
use serde::{Deserialize, Serialize};
use shishi_core::Role;
use shishi_core::demand::{self, Channel, DemandAction, DemandStatus};
use shishi_store::demands::{
    self as store, DemandEventRow, DemandFileMeta, DemandRow, InboxQuery, ListEntry,
};
use shishi_store::{audit, units, users};

use crate::files::{Upload, check_uploads};
use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DemandInput {
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub unit_id: i64,
    #[serde(default)]
    pub category_id: Option<i64>,
    /// Phone or e-mail for a callback; shown to handlers only for named demands.
    #[serde(default)]
    pub contact: String,
    /// A signed-in submitter may hide their name from everyone who handles the demand.
    #[serde(default)]
    pub anonymous: bool,
    /// The channel's own fields (see `Channel::fields`), e.g. `caller_number`, `called_at`.
    #[serde(default)]
    pub channel_details: BTreeMap<String, String>,
}

/// What the submitter gets back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    pub id: i64,
    /// For anonymous demands: the private code to follow it (`/track/{code}`).
    pub tracking_code: Option<String>,
    /// True when this was a repeat of an earlier request with the same idempotency key.
    pub repeated: bool,
}

/// A demand as a handler sees it: no submitter for anonymous demands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemandView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub category_id: Option<i64>,
    pub channel: String,
    pub channel_details: BTreeMap<String, String>,
    pub anonymous: bool,
    /// Name of the submitter; none when anonymous or entered without one.
    pub submitter_name: Option<String>,
    pub contact: Option<String>,
    pub status: String,
    pub answer: String,
    pub decline_reason_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub matter_id: Option<i64>,
    pub transferred_from: Option<i64>,
    pub accept_due: String,
    pub answer_due: String,
    /// Working days since it arrived.
    pub age_working_days: i64,
    /// Past the limit to accept (still waiting) or to answer (still open).
    pub late_to_accept: bool,
    pub late_to_answer: bool,
    pub cosigners: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemandDetail {
    pub demand: DemandView,
    pub events: Vec<DemandEventRow>,
    pub files: Vec<DemandFileMeta>,
    /// Steps the actor may take now.
    pub actions: Vec<DemandAction>,
    /// The actor raised or co-signed it.
    pub following: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxFilter {
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub status: Vec<String>,
    pub channel: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    /// `YYYY-MM-DD`, Beijing dates, inclusive.
    pub from: Option<String>,
    pub until: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboxPage {
    pub items: Vec<DemandView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// One step from the inbox; which fields count depends on the action.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    pub action: String,
    /// The answer, the decline's explanation, the reason to transfer or send back.
    #[serde(default)]
    pub text: String,
    pub decline_reason_id: Option<i64>,
    pub to_unit_id: Option<i64>,
    pub merge_into: Option<i64>,
    pub matter_id: Option<i64>,
}

/// The response figures of a subtree over a period, from the demand events.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ResponseFigures {
    pub received: i64,
    pub accepted: i64,
    pub accepted_on_time: i64,
    pub answered: i64,
    pub adopted: i64,
    pub merged: i64,
    pub declined: i64,
    pub transferred: i64,
    pub sent_back: i64,
    /// Median working days from arrival to acceptance / to the final answer.
    pub median_days_to_accept: Option<f64>,
    pub median_days_to_answer: Option<f64>,
}

/// An open demand that looks like one being written.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarDemand {
    pub id: i64,
    pub title: String,
    pub unit_name: String,
    pub status: String,
    pub cosigners: i64,
    /// Estimated Jaccard similarity of the character bigrams, 0–1.
    pub similarity: f64,
}

/// A demand whose fields passed the checks, ready to write.
struct Prepared {
    title: String,
    body: String,
    contact: String,
    category_id: Option<i64>,
    details: String,
    accept_due: String,
    answer_due: String,
    anonymous: bool,
    submitter: Option<i64>,
    recorded_by: Option<i64>,
    unit: units::UnitRow,
    signature: shishi_text::Signature,
}

/// A tracking code: 12 characters without look-alikes (0/O, 1/I/L), easy to read out on a phone.
pub fn new_tracking_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

fn status_of(d: &DemandRow) -> DemandStatus {
    DemandStatus::from_code(&d.status).unwrap_or(DemandStatus::Submitted)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// May handle the inbox at `path`: intake clerk, unit admin or system admin over it.
fn handles(actor: &Actor, path: &str) -> bool {
    actor.has_role_over(Role::IntakeClerk, path) || actor.manages(path)
}

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
        }
    }

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
    async fn limits_for(
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
        let unit =
            unit.filter(|u| !channel.is_offline() || actor.is_some_and(|a| handles(a, &u.path)));
        if unit.is_none() {
            check.push(&f("unit_id"), "error.unknown_unit");
        }
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
        if key.len() > 100 {
            return Err(ServiceError::field("idempotency_key", "error.too_long"));
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
        for (id, p) in ids.iter().zip(prepared.iter().flatten()) {
            self.index_demand(*id, &p.title, &p.signature);
        }
        Ok(ids)
    }

    /// Tells the intake clerks and unit admins over a unit that work has arrived.
    async fn notify_handlers(
        &self,
        conn: &mut shishi_store::AnyConnection,
        unit_path: &str,
        kind: &str,
        demand_id: i64,
        title: &str,
        now: i64,
    ) -> ServiceResult<()> {
        let ancestors = shishi_core::unit::ancestors(unit_path);
        // The nearest level that has a clerk or admin gets it, not the whole chain above.
        for unit in ancestors.iter().rev() {
            let mut people = users::holders_over(conn, Role::IntakeClerk.code(), &[*unit]).await?;
            people.extend(users::holders_over(conn, Role::UnitAdmin.code(), &[*unit]).await?);
            if !people.is_empty() {
                people.sort();
                people.dedup();
                let params = serde_json::json!({ "title": title }).to_string();
                for p in people {
                    store::notify(conn, p, kind, "demand", demand_id, &params, now).await?;
                }
                break;
            }
        }
        Ok(())
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

    async fn readable_demand(&self, actor: &Actor, id: i64) -> ServiceResult<(DemandRow, bool)> {
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
        let actions = if handles(actor, &d.unit_path) {
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
        Ok(DemandDetail {
            demand: self.demand_view(&d, cosigners),
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
        check.finish()?;
        let per_page = f.per_page.unwrap_or(25).clamp(1, 200);
        let page = f.page.unwrap_or(1).max(1);
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
            q: f.q.clone(),
            from: from.and_then(start_of),
            until: until.and_then(|d| d.succ_opt()).and_then(start_of),
            oldest_first: true,
            limit: per_page,
            offset: (page - 1) * per_page,
            ..Default::default()
        };
        let (rows, total) = store::inbox(&mut conn, &q).await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            let n = store::cosigners(&mut conn, r.id).await?.len() as i64;
            items.push(self.demand_view(&r, n));
        }
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
        let mut out = Vec::new();
        for r in rows {
            let n = store::cosigners(&mut conn, r.id).await?.len() as i64;
            let mut v = self.demand_view(&r, n);
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
        if !handles(actor, &d.unit_path) {
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
        let params = serde_json::json!({ "title": d.title }).to_string();
        for f in Self::followers(&mut tx, &d).await? {
            store::notify(
                &mut tx,
                f,
                &format!("demand_{}", action.code()),
                "demand",
                id,
                &params,
                now,
            )
            .await?;
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
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::field("reason", "error.required"));
        }
        let mut tx = self.store.write().await?;
        let d = store::get(&mut tx, id).await?;
        if !actor.administers(&d.unit_path) {
            return Err(ServiceError::NotFound);
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

    /// Each open demand stands in the index twice: its whole text under its id, and its title
    /// under the negated id, so a title typed alone already finds it.
    fn index_demand(&self, id: i64, title: &str, signature: &shishi_text::Signature) {
        let title_signature = shishi_text::signature(title);
        if let Ok(mut index) = self.similar.write() {
            index.insert(id, signature);
            index.insert(-id, &title_signature);
        }
    }

    fn unindex_demand(&self, id: i64) {
        if let Ok(mut index) = self.similar.write() {
            index.remove(id);
            index.remove(-id);
        }
    }

    /// Rebuilds the similarity index of open demands from the signatures in the database.
    /// Signatures made under other parameters are skipped (re-signing them is `shishi reindex`'s job).
    pub async fn rebuild_similarity_index(&self) -> ServiceResult<usize> {
        let mut fresh = shishi_text::LshIndex::new();
        let mut conn = self.store.read().await?;
        let mut after = 0;
        loop {
            let page = store::signatures(&mut conn, after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            for (id, title, bytes) in &page {
                if let Ok(sig) = shishi_text::Signature::from_bytes(bytes) {
                    fresh.insert(*id, &sig);
                    fresh.insert(-*id, &shishi_text::signature(title));
                }
            }
        }
        let n = fresh.len() / 2;
        if let Ok(mut index) = self.similar.write() {
            *index = fresh;
        }
        Ok(n)
    }

    /// Open demands that read like `text`, most similar first: what the form offers to
    /// co-sign instead of filing again. Carries nothing about who raised them.
    pub async fn similar_demands(
        &self,
        text: &str,
        limit: usize,
    ) -> ServiceResult<Vec<SimilarDemand>> {
        if shishi_text::normalize(text).chars().count() < 6 {
            return Ok(vec![]);
        }
        let signature = shishi_text::signature(text);
        let limit = limit.clamp(1, 20);
        let hits = match self.similar.read() {
            Ok(index) => index.query(&signature, limit * 2),
            Err(_) => vec![],
        };
        // A demand found by its text and by its title counts once, at its better score.
        let mut best: Vec<(i64, f64)> = Vec::new();
        for (id, score) in hits {
            let id = id.abs();
            match best.iter_mut().find(|(b, _)| *b == id) {
                Some(entry) => entry.1 = entry.1.max(score),
                None => best.push((id, score)),
            }
        }
        best.sort_by(|a, b| b.1.total_cmp(&a.1));
        best.truncate(limit);
        let hits = best;
        let mut conn = self.store.read().await?;
        let mut out = Vec::new();
        for (id, similarity) in hits {
            let Ok(d) = store::get(&mut conn, id).await else {
                continue;
            };
            if !status_of(&d).is_open() {
                continue;
            }
            let cosigners = store::cosigners(&mut conn, id).await?.len() as i64;
            out.push(SimilarDemand {
                id,
                title: d.title,
                unit_name: d.unit_name,
                status: d.status,
                cosigners,
                similarity,
            });
        }
        Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_are_readable_and_distinct() {
        let a = new_tracking_code();
        let b = new_tracking_code();
        assert_eq!(a.len(), 12);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        assert!(!a.contains('0') && !a.contains('O') && !a.contains('1') && !a.contains('I'));
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
