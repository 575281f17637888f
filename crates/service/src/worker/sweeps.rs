//! The sweeps. Each one is safe to run twice: every announcement carries the key of what it
//! announces (this deadline of this matter, this order, this quiet stretch), recorded once in
//! `announced`, and every state change is conditional, so a second run, or a second server,
//! finds nothing left to do. Candidates are read first and written in chunks, so a sweep over
//! a large ledger never holds the write lock for long.

use shishi_core::driving::OrderLevel;
use shishi_store::{due, evaluations, matters as matter_store, orders, units};

use crate::driving::{admins_of, matter_params, parent_path, supervisors_of};
use crate::notify::Event;
use crate::{ServiceResult, Services};

/// Candidates written per transaction, so a long sweep never holds the write lock for long.
const CHUNK: usize = 500;

impl Services {
    /// Warnings before deadlines, and lateness announced on the day after a deadline.
    pub async fn sweep_deadlines(&self) -> ServiceResult<String> {
        let cal = self.calendar();
        let policy = self.driving_policy();
        let today = self.clock.today();
        let horizon = cal.add_working_days(today, policy.deadline_warning_days);
        let (near, late) = {
            let mut conn = self.store.read().await?;
            (
                due::open_due_between(&mut conn, &today.to_string(), &horizon.to_string()).await?,
                due::newly_overdue(&mut conn, &today.to_string()).await?,
            )
        };
        for chunk in near.chunks(CHUNK) {
            let now = self.clock.now_ms();
            let mut tx = self.store.write().await?;
            for m in chunk {
                let deadline = m.deadline.clone().unwrap_or_default();
                self.emit(
                    &mut tx,
                    &Event {
                        kind: "deadline_warning",
                        subject_type: "matter",
                        subject_id: m.id,
                        unit_path: &m.unit_path,
                        params: matter_params(m),
                        key: format!("deadline_warning:{}:{deadline}", m.id),
                    },
                    &m.owner_id.into_iter().collect::<Vec<_>>(),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
        }
        let mut marked = 0;
        for chunk in late.chunks(CHUNK) {
            let now = self.clock.now_ms();
            let mut tx = self.store.write().await?;
            for m in chunk {
                if !due::mark_overdue(&mut tx, m.id, &today.to_string()).await? {
                    continue;
                }
                marked += 1;
                let mut people: Vec<i64> = m.owner_id.into_iter().collect();
                people.extend(admins_of(&mut tx, &m.unit_path).await?);
                people.extend(supervisors_of(&mut tx, m).await?);
                let deadline = m.deadline.clone().unwrap_or_default();
                self.emit(
                    &mut tx,
                    &Event {
                        kind: "matter_overdue",
                        subject_type: "matter",
                        subject_id: m.id,
                        unit_path: &m.unit_path,
                        params: matter_params(m),
                        key: format!("matter_overdue:{}:{deadline}", m.id),
                    },
                    &people,
                    now,
                )
                .await?;
            }
            tx.commit().await?;
        }
        Ok(format!("{} near, {marked} newly overdue", near.len()))
    }

    /// Reply-due reminders, and escalation of orders whose reply date has passed: the next
    /// level, pressed on the unit above.
    pub async fn sweep_orders(&self) -> ServiceResult<String> {
        let cal = self.calendar();
        let today = self.clock.today();
        let tomorrow = cal.add_working_days(today, 1);
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let mut reminded = 0;
        for day in [today, tomorrow] {
            for o in orders::open_due_on(&mut tx, &day.to_string()).await? {
                let m = matter_store::get(&mut tx, o.matter_id).await?;
                let mut params = matter_params(&m);
                params["due"] = o.reply_due.clone().into();
                self.emit(
                    &mut tx,
                    &Event {
                        kind: "order_reply_due",
                        subject_type: "matter",
                        subject_id: m.id,
                        unit_path: &m.unit_path,
                        params,
                        key: format!("order_reply_due:{}", o.id),
                    },
                    &m.owner_id.into_iter().collect::<Vec<_>>(),
                    now,
                )
                .await?;
                reminded += 1;
            }
        }
        let mut escalated = 0;
        let reply_days = self.driving_policy().order_reply_days;
        for o in orders::overdue_open(&mut tx, &today.to_string()).await? {
            if !orders::set_order_state(&mut tx, o.id, "open", "escalated").await? {
                continue;
            }
            escalated += 1;
            let m = matter_store::get(&mut tx, o.matter_id).await?;
            let level = OrderLevel::from_code(&o.level)
                .unwrap_or(OrderLevel::Remind)
                .next();
            let attention = units::get(&mut tx, o.attention_unit_id).await?;
            let above = parent_path(&attention.path);
            let above_id = shishi_core::unit::ancestors(&above)
                .last()
                .copied()
                .unwrap_or(attention.id);
            let due = cal.add_working_days(today, reply_days).to_string();
            self.insert_order(
                &mut tx,
                &m,
                level,
                &o.requirement,
                &due,
                above_id,
                None,
                Some(o.id),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(format!("{reminded} reminded, {escalated} escalated"))
    }

    /// Reminds handlers whose open work has had no progress entry for the policy's number of
    /// working days, once per such stretch.
    pub async fn sweep_stale_progress(&self) -> ServiceResult<String> {
        let cal = self.calendar();
        let days = self.driving_policy().stale_progress_days;
        let today = self.clock.today();
        let cutoff_day = cal.sub_working_days(today, days);
        let cutoff = cutoff_day
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(shishi_core::time::beijing()).single())
            .map(|t| t.timestamp_millis())
            .unwrap_or(0);
        let quiet = {
            let mut conn = self.store.read().await?;
            due::quiet_since(&mut conn, cutoff).await?
        };
        for chunk in quiet.chunks(CHUNK) {
            let now = self.clock.now_ms();
            let mut tx = self.store.write().await?;
            for (m, last) in chunk {
                let last_day = shishi_core::time::beijing_date(*last);
                // One reminder per full stretch of `days` silent working days: the first on
                // the day after the first stretch, the next on the day after the second.
                let silent = cal.working_days_between(last_day, today);
                let stretch = (silent - 1).max(0) / i64::from(days.max(1));
                let mut params = matter_params(m);
                params["days"] = silent.into();
                self.emit(
                    &mut tx,
                    &Event {
                        kind: "progress_stale",
                        subject_type: "matter",
                        subject_id: m.id,
                        unit_path: &m.unit_path,
                        params,
                        key: format!("progress_stale:{}:{last}:{stretch}", m.id),
                    },
                    &m.owner_id.into_iter().collect::<Vec<_>>(),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
        }
        Ok(format!("{} quiet", quiet.len()))
    }

    /// Ends the evaluation windows that are over: open requests lapse, and the unit admins
    /// hear that the matter can be closed.
    pub async fn sweep_evaluations(&self) -> ServiceResult<String> {
        let today = self.today_text();
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let ended = evaluations::past_due(&mut tx, &today).await?;
        for (subject_type, subject_id, round, _) in &ended {
            evaluations::lapse(&mut tx, subject_type, *subject_id, *round).await?;
            if subject_type == "matter" {
                let m = matter_store::get(&mut tx, *subject_id).await?;
                if m.status == "accepted"
                    && evaluations::open_count_all(&mut tx, "matter", m.id).await? == 0
                {
                    self.announce_ready_to_close(&mut tx, &m, now).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(format!("{} windows ended", ended.len()))
    }
}
