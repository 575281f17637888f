//! Completion with evidence and acceptance (验收), on-time completion, and the requesters'
//! verdicts (评价/回访) on matters and on answered demands, through the service layer on SQLite
//! and PostgreSQL: who is asked, who may judge (online, by tracking code, by a clerk's
//! callback), what 不满意 does, when a matter may be closed (销号), and that the verdicts show
//! nobody's identity.
//!
//! The organisation and the clock (Monday 2026-11-02, 10:00 Beijing; November has only
//! weekdays as working days) are in `support/world.rs`.

use shishi_core::driving::{DissatisfiedAction, OnTimeBasis};
use shishi_core::matter::{MatterAction, Refusal, StepOwner};
use shishi_service::driving::CallbackInput;
use shishi_service::files::Upload;
use shishi_store::{Backend, both_backends};

use crate::support::files;
use crate::support::world;

use world::*;

// =============================================================================================
// 3. Completion and acceptance
// =============================================================================================

async fn completion_needs_evidence_and_acceptance_may_return_it(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("更衣室加装储物柜", w.a1, "2026-11-20").await;
    let handler = w.who(w.handler_a1).await;
    let sup = w.who(w.sup_a).await;

    // Without any evidence on the matter the claim is refused, naming the files.
    let before = w.footprint().await;
    assert_eq!(
        invalid(w.svc.claim_completion(&handler, m, "已完成", vec![]).await),
        pairs(&[("files", "error.evidence_required")])
    );
    let exe = Upload {
        filename: "照片.png".into(),
        data: files::exe_bytes(),
    };
    assert_eq!(
        invalid(
            w.svc
                .claim_completion(&handler, m, "已完成", vec![exe])
                .await
        ),
        pairs(&[("files", "error.file_type")])
    );
    assert_eq!(
        invalid(w.svc.claim_completion(&handler, m, " ", vec![png()]).await),
        pairs(&[("narrative", "error.required")])
    );
    forbidden(
        w.svc
            .claim_completion(&sup, m, "督导代报", vec![png()])
            .await,
        "error.not_owner",
    );
    not_found(
        w.svc
            .claim_completion(&w.who(w.handler_b1).await, m, "已完成", vec![png()])
            .await,
    );
    // Stepping to completed directly is refused the same way (once the work is under way).
    w.svc
        .post_progress(&handler, m, 50, "储物柜已订货", vec![])
        .await
        .unwrap();
    conflict(
        w.try_step(w.handler_a1, m, MatterAction::Complete, "")
            .await,
        "error.evidence_required",
    );
    assert_eq!(w.row(m).await.status, "in_progress");
    let [o, e, ev, n, _, _] = before;
    let after = w.footprint().await;
    assert_eq!(&after[..4], &[o, e, ev, n], "refused claims wrote nothing");

    // Tuesday 11-10, with a photo: completed, dated, at 100 %, the supervisor told.
    w.on(2026, 11, 10);
    let row = w
        .svc
        .claim_completion(&handler, m, "储物柜已安装到位", vec![png()])
        .await
        .unwrap();
    assert_eq!(
        (
            row.status.as_str(),
            row.progress,
            row.completed_on.as_deref()
        ),
        ("completed", 100, Some("2026-11-10"))
    );
    let detail = w.detail(m).await;
    assert_eq!(detail.files.len(), 1);
    assert_eq!(detail.files[0].content_type, "image/png");
    assert_eq!(
        detail
            .progress
            .iter()
            .map(|p| p.percent)
            .collect::<Vec<_>>(),
        vec![100, 50]
    );
    assert_eq!(w.notified("completion_claimed", m).await, vec![w.sup_a]);

    // Accepting is the supervisor's; returning needs a reason.
    refused(
        w.try_step(w.handler_a1, m, MatterAction::Accept, "").await,
        Refusal::NotYours {
            action: MatterAction::Accept,
            owner: StepOwner::Supervisor,
        },
    );
    refused(
        w.try_step(w.sup_a, m, MatterAction::Return, "").await,
        Refusal::ReasonRequired(MatterAction::Return),
    );
    let back = w
        .step(w.sup_a, m, MatterAction::Return, "照片不清晰，请补充")
        .await;
    assert_eq!(
        (
            back.status.as_str(),
            back.return_count,
            back.status_reason.as_str()
        ),
        ("in_progress", 1, "照片不清晰，请补充")
    );
    assert_eq!(w.notified("matter_returned", m).await, vec![w.handler_a1]);

    // The evidence is still on the matter: the next claim needs no new file.
    w.on(2026, 11, 12);
    let row = w
        .svc
        .claim_completion(&handler, m, "已补充清晰照片说明", vec![])
        .await
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.completed_on.as_deref()),
        ("completed", Some("2026-11-12"))
    );
    w.on(2026, 11, 13);
    let row = w.step(w.sup_a, m, MatterAction::Accept, "").await;
    assert_eq!(
        (
            row.status.as_str(),
            row.accepted_on.as_deref(),
            row.return_count
        ),
        ("accepted", Some("2026-11-13"), 1)
    );
    assert_eq!(w.notified("matter_accepted", m).await, vec![w.handler_a1]);
    assert_eq!(w.view(m).await.on_time, Some(true));
    // Nobody was asked for a verdict (no demand was adopted): closable at once.
    assert!(w.evaluations("matter", m).await.is_empty());
    let row = w.step(w.admin_a1, m, MatterAction::Close, "").await;
    assert_eq!(row.status, "closed");
    let history = w.history(m).await;
    let steps: Vec<&str> = history
        .iter()
        .map(String::as_str)
        .filter(|h| h.starts_with("matter_"))
        .collect();
    assert_eq!(
        steps,
        [
            "matter_created",
            "matter_approve",
            "matter_complete",
            "matter_return",
            "matter_complete",
            "matter_accept",
            "matter_close",
        ]
    );
    w.assert_audit_intact().await;
}
both_backends!(
    completion_needs_evidence_and_acceptance_may_return_it_on,
    completion_needs_evidence_and_acceptance_may_return_it
);

async fn on_time_follows_the_policy_basis(backend: Backend) {
    let w = World::new(backend).await;
    // Due Friday 11-06, extended to 11-27, completed 11-10: late against the original,
    // on time against the current deadline.
    let extended = w.listed("厂区路灯改造", w.a1, "2026-11-06").await;
    let e = w
        .svc
        .request_extension(
            &w.who(w.handler_a1).await,
            extended,
            "2026-11-27",
            "灯具缺货",
        )
        .await
        .unwrap();
    w.svc
        .decide_extension(&w.who(w.admin_a1).await, e.id, &approve())
        .await
        .unwrap();
    let never = w.listed("食堂桌椅更新", w.a1, "2026-11-20").await;
    let late = w.listed("浴室热水", w.a1, "2026-11-06").await;
    w.on(2026, 11, 10);
    for m in [extended, never, late] {
        w.complete_and_accept(m).await;
    }
    let on_time = async |m: i64| w.view(m).await.on_time;
    assert_eq!(w.svc.driving_policy().on_time_basis, OnTimeBasis::Original);
    assert_eq!(on_time(extended).await, Some(false));
    assert_eq!(on_time(never).await, Some(true));
    assert_eq!(on_time(late).await, Some(false));
    w.set_policy(|p| p.on_time_basis = OnTimeBasis::Current)
        .await;
    assert_eq!(on_time(extended).await, Some(true));
    assert_eq!(on_time(never).await, Some(true));
    assert_eq!(on_time(late).await, Some(false));
    // Open work has no on-time verdict yet.
    let open = w.listed("未完成", w.a1, "2026-11-20").await;
    assert_eq!(on_time(open).await, None);
}
both_backends!(
    on_time_follows_the_policy_basis_on,
    on_time_follows_the_policy_basis
);

// =============================================================================================
// 4. Verdicts (评价) on a matter
// =============================================================================================

async fn acceptance_asks_every_requester_once(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("职工食堂增加清真窗口", w.a1, "2026-11-30").await;
    // Two demands with a person in common, an anonymous one, and one that is not adopted.
    let d1 = w.demand_with_cosigners("希望食堂增加清真窗口").await;
    let d2 = w.demand(Some(w.cosigner_1), "清真餐品种太少").await.id;
    let anon = w.demand(None, "少数民族职工就餐不便").await;
    let other = w.demand(Some(w.bystander), "食堂排队太久").await.id;
    for d in [d1, d2, anon.id] {
        w.adopt(d, m).await;
    }
    assert!(w.evaluations("matter", m).await.is_empty());
    w.on(2026, 11, 9);
    w.complete_and_accept(m).await;

    let asked = w.evaluations("matter", m).await;
    let mut keys: Vec<(String, Option<i64>)> = asked
        .iter()
        .map(|e| (e.requester_key.clone(), e.user_id))
        .collect();
    keys.sort();
    let mut expected = vec![
        (format!("u{}", w.submitter), Some(w.submitter)),
        (format!("u{}", w.cosigner_1), Some(w.cosigner_1)),
        (format!("u{}", w.cosigner_2), Some(w.cosigner_2)),
        (format!("d{}", anon.id), None),
    ];
    expected.sort();
    assert_eq!(
        keys, expected,
        "each requester once, the code holder by demand"
    );
    assert!(asked.iter().all(|e| e.state == "asked" && e.round == 0));
    // Five working days from Monday 11-09.
    assert!(asked.iter().all(|e| e.due_on == "2026-11-16"));
    assert!(
        asked
            .iter()
            .all(|e| e.unit_path.ends_with(&format!("/{}/", w.a1)))
    );
    assert_eq!(
        w.notified("rate_requested", m).await,
        sorted(vec![w.submitter, w.cosigner_1, w.cosigner_2])
    );
    assert!(
        w.svc
            .my_evaluations(&w.who(w.bystander).await)
            .await
            .unwrap()
            .is_empty(),
        "the requester of a demand not adopted is not asked"
    );
    assert!(w.evaluations("demand", other).await.is_empty());
    assert!(
        w.evaluations("matter", m)
            .await
            .iter()
            .all(|e| e.demand_id != other)
    );
    assert_eq!(w.asked(w.cosigner_1, "matter", m).await.subject_id, m);
    let by_code = w
        .svc
        .evaluations_by_code(&anon.tracking_code.clone().unwrap())
        .await
        .unwrap();
    assert_eq!(by_code.len(), 1);
    assert_eq!(
        (by_code[0].subject_type.as_str(), by_code[0].subject_id),
        ("matter", m)
    );
    not_found(w.svc.evaluations_by_code("ABCDEFGHJKMN").await);
    // The clerk of the demands' unit has them all on the callback list (回访).
    assert_eq!(
        w.svc
            .callback_list(&w.who(w.clerk_a1).await)
            .await
            .unwrap()
            .len(),
        4
    );
    assert!(
        w.svc
            .callback_list(&w.who(w.admin_b).await)
            .await
            .unwrap()
            .is_empty()
    );
}
both_backends!(
    acceptance_asks_every_requester_once_on,
    acceptance_asks_every_requester_once
);

async fn verdicts_online_by_code_and_by_callback(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("厂区增设充电桩", w.a1, "2026-11-30").await;
    let d1 = w.demand_with_cosigners("厂区电动车充电难").await;
    let anon = w.demand(None, "充电桩不够用").await;
    let code = anon.tracking_code.clone().unwrap();
    w.adopt(d1, m).await;
    w.adopt(anon.id, m).await;
    w.on(2026, 11, 9);
    w.complete_and_accept(m).await;
    let mine = w.asked(w.submitter, "matter", m).await;
    let c1 = w.asked(w.cosigner_1, "matter", m).await;
    let c2 = w.asked(w.cosigner_2, "matter", m).await;
    let by_code = w.svc.evaluations_by_code(&code).await.unwrap()[0].clone();

    // Inside the window and with verdicts outstanding, the matter cannot be closed.
    conflict(
        w.try_step(w.admin_a1, m, MatterAction::Close, "").await,
        "error.evaluation_open",
    );

    // Only the person asked rates online; anyone else finds nothing.
    let before = w.footprint().await;
    for other in [w.bystander, w.cosigner_1, w.clerk_a1, w.root_admin] {
        not_found(
            w.svc
                .rate(&w.who(other).await, mine.id, "satisfied", "")
                .await,
        );
    }
    not_found(
        w.svc
            .rate(&w.who(w.submitter).await, by_code.id, "satisfied", "")
            .await,
    );
    assert_eq!(
        invalid(
            w.svc
                .rate(&w.who(w.submitter).await, mine.id, "great", "")
                .await
        ),
        pairs(&[("verdict", "error.choice")])
    );
    // 不满意 says why.
    assert_eq!(
        invalid(
            w.svc
                .rate(&w.who(w.submitter).await, mine.id, "dissatisfied", "  ")
                .await
        ),
        pairs(&[("comment", "error.required")])
    );
    assert_eq!(w.footprint().await, before);

    let rated = w
        .rate(w.submitter, mine.id, "satisfied", "很方便，感谢")
        .await;
    assert_eq!(
        (
            rated.state.as_str(),
            rated.verdict.as_deref(),
            rated.via.as_deref(),
            rated.rated_at
        ),
        ("rated", Some("satisfied"), Some("online"), Some(w.now()))
    );
    conflict(
        w.svc
            .rate(&w.who(w.submitter).await, mine.id, "basically", "")
            .await,
        "error.evaluation_closed",
    );

    // The anonymous requester rates with the tracking code, and only their own request.
    not_found(
        w.svc
            .rate_by_code("ABCDEFGHJKMN", by_code.id, "satisfied", "")
            .await,
    );
    not_found(w.svc.rate_by_code(&code, mine.id, "satisfied", "").await);
    not_found(w.svc.rate_by_code(&code, c1.id, "satisfied", "").await);
    not_found(w.svc.rate_by_code("", by_code.id, "satisfied", "").await);
    // Read out on the phone: lower case, with spaces around it, as the tracking page takes it.
    let spoken = format!(" {} ", code.to_ascii_lowercase());
    assert_eq!(w.svc.evaluations_by_code(&spoken).await.unwrap().len(), 1);
    let r = w
        .svc
        .rate_by_code(&spoken, by_code.id, "basically", "")
        .await
        .unwrap();
    assert_eq!(
        (r.state.as_str(), r.verdict.as_deref(), r.recorded_by),
        ("rated", Some("basically"), None)
    );
    assert!(w.svc.evaluations_by_code(&code).await.unwrap().is_empty());

    // A clerk records a callback visit (回访); nobody else may.
    let callback = |verdict: &str, via: &str, at: &str| CallbackInput {
        verdict: verdict.into(),
        comment: "基本解决，希望再多装几个".into(),
        via: via.into(),
        contacted_at: at.into(),
        contact_name: "李师傅本人".into(),
    };
    let ok = callback("basically", "phone", "2026-11-09T09:30");
    not_found(
        w.svc
            .record_callback(&w.who(w.handler_a1).await, c1.id, &ok)
            .await,
    );
    not_found(
        w.svc
            .record_callback(&w.who(w.sup_a).await, c1.id, &ok)
            .await,
    );
    not_found(
        w.svc
            .record_callback(&w.who(w.admin_b).await, c1.id, &ok)
            .await,
    );
    let clerk = w.who(w.clerk_a1).await;
    assert_eq!(
        invalid(
            w.svc
                .record_callback(&clerk, c1.id, &callback("fine", "online", "昨天"))
                .await
        ),
        pairs(&[
            ("contacted_at", "error.datetime"),
            ("verdict", "error.choice"),
            ("via", "error.choice"),
        ])
    );
    assert_eq!(
        invalid(
            w.svc
                .record_callback(
                    &clerk,
                    c1.id,
                    &callback("basically", "phone", "2026-11-09T10:01")
                )
                .await
        ),
        pairs(&[("contacted_at", "error.date_future")])
    );
    let cb = w.svc.record_callback(&clerk, c1.id, &ok).await.unwrap();
    assert_eq!(
        (
            cb.state.as_str(),
            cb.verdict.as_deref(),
            cb.via.as_deref(),
            cb.recorded_by,
            cb.recorded_by_name.as_deref(),
            cb.contacted_at,
        ),
        (
            "rated",
            Some("basically"),
            Some("phone"),
            Some(w.clerk_a1),
            Some("甲一厂受理员"),
            Some(beijing_ms(2026, 11, 9, 9, 30)),
        )
    );
    assert_eq!(cb.contact_name, "李师傅本人", "kept for the record");
    let serialized = serde_json::to_string(&cb).unwrap();
    assert!(
        !serialized.contains("李师傅本人") && !serialized.contains("requester_key"),
        "the contact is never shown: {serialized}"
    );
    conflict(
        w.svc.record_callback(&clerk, c1.id, &ok).await,
        "error.evaluation_closed",
    );
    let history = w.history(m).await;
    assert_eq!(
        history.iter().filter(|h| *h == "verdict_recorded").count(),
        3
    );

    // One verdict outstanding: still not closable, and the summary shows no identity.
    conflict(
        w.try_step(w.admin_a1, m, MatterAction::Close, "").await,
        "error.evaluation_open",
    );
    // Only those who may read the matter see its verdicts.
    not_found(
        w.svc
            .verdict_summary(&w.who(w.bystander).await, "matter", m)
            .await,
    );
    not_found(
        w.svc
            .verdict_summary(&w.who(w.admin_b).await, "matter", m)
            .await,
    );
    let s = w
        .svc
        .verdict_summary(&w.who(w.root_admin).await, "matter", m)
        .await
        .unwrap();
    assert_eq!(
        (
            s.satisfied,
            s.basically,
            s.dissatisfied,
            s.waiting,
            s.lapsed
        ),
        (1, 2, 0, 1, 0)
    );
    assert_eq!(s.due_on.as_deref(), Some("2026-11-16"));
    let comments: Vec<(&str, &str, &str, i64)> = s
        .comments
        .iter()
        .map(|c| {
            (
                c.verdict.as_str(),
                c.comment.as_str(),
                c.via.as_str(),
                c.round,
            )
        })
        .collect();
    assert_eq!(
        comments,
        vec![
            ("satisfied", "很方便，感谢", "online", 0),
            ("basically", "基本解决，希望再多装几个", "phone", 0),
        ]
    );
    let json = serde_json::to_value(&s).unwrap();
    let mut fields: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "basically",
            "comments",
            "dissatisfied",
            "due_on",
            "lapsed",
            "satisfied",
            "waiting"
        ],
        "no field names a person"
    );
    let text = json.to_string();
    for (username, name) in [SUBMITTER, COSIGNER_1, COSIGNER_2] {
        assert!(
            !text.contains(username) && !text.contains(name),
            "the summary names {name}: {text}"
        );
    }
    for secret in ["李师傅本人", "甲一厂受理员", "13800005555", "clerk_a1"] {
        assert!(!text.contains(secret), "the summary shows {secret}: {text}");
    }
    // The last verdict: the unit admin hears the matter can be closed, once; closing works.
    assert_eq!(w.notes_on("ready_to_close", m).await, 0);
    w.rate(w.cosigner_2, c2.id, "satisfied", "").await;
    assert_eq!(w.notified("ready_to_close", m).await, vec![w.admin_a1]);
    let row = w.step(w.admin_a1, m, MatterAction::Close, "").await;
    assert_eq!(row.status, "closed");
    let s = w
        .svc
        .verdict_summary(&w.who(w.root_admin).await, "matter", m)
        .await
        .unwrap();
    assert_eq!(
        (s.satisfied, s.basically, s.waiting, s.lapsed),
        (2, 2, 0, 0)
    );
    assert_eq!(s.due_on, None);
    w.assert_audit_intact().await;
}
both_backends!(
    verdicts_online_by_code_and_by_callback_on,
    verdicts_online_by_code_and_by_callback
);

async fn closing_waits_for_the_window(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("宿舍楼加装电梯", w.a1, "2026-11-30").await;
    let d = w.demand_with_cosigners("宿舍楼上下不便").await;
    w.adopt(d, m).await;
    w.on(2026, 11, 9);
    w.complete_and_accept(m).await;
    let mine = w.asked(w.submitter, "matter", m).await;
    let c1 = w.asked(w.cosigner_1, "matter", m).await;
    w.rate(w.submitter, mine.id, "satisfied", "").await;

    // Monday 11-16 is the last day of the window: still refused, and the sweep leaves it.
    w.on(2026, 11, 16);
    conflict(
        w.try_step(w.admin_a1, m, MatterAction::Close, "").await,
        "error.evaluation_open",
    );
    w.svc.sweep_evaluations().await.unwrap();
    assert_eq!(
        w.svc
            .verdict_summary(&w.who(w.root_admin).await, "matter", m)
            .await
            .unwrap()
            .waiting,
        2
    );
    assert_eq!(w.notes_on("ready_to_close", m).await, 0);

    // Tuesday: the window is over. The sweep lapses the rest and tells the unit admin, once.
    w.on(2026, 11, 17);
    for _ in 0..3 {
        w.svc.sweep_evaluations().await.unwrap();
    }
    let s = w
        .svc
        .verdict_summary(&w.who(w.root_admin).await, "matter", m)
        .await
        .unwrap();
    assert_eq!((s.satisfied, s.waiting, s.lapsed), (1, 0, 2));
    assert_eq!(w.notified("ready_to_close", m).await, vec![w.admin_a1]);
    conflict(
        w.svc
            .rate(&w.who(w.cosigner_1).await, c1.id, "satisfied", "")
            .await,
        "error.evaluation_closed",
    );
    assert!(
        w.svc
            .my_evaluations(&w.who(w.cosigner_1).await)
            .await
            .unwrap()
            .is_empty()
    );
    let row = w.step(w.admin_a1, m, MatterAction::Close, "").await;
    assert_eq!(row.status, "closed");

    // Past the window, closing does not even wait for the sweep.
    let m2 = w.listed("澡堂延长开放时间", w.a1, "2026-11-30").await;
    let d2 = w.demand(Some(w.submitter), "下夜班洗不上澡").await.id;
    w.adopt(d2, m2).await;
    w.complete_and_accept(m2).await;
    conflict(
        w.try_step(w.admin_a1, m2, MatterAction::Close, "").await,
        "error.evaluation_open",
    );
    w.on(2026, 11, 25);
    assert_eq!(
        w.step(w.admin_a1, m2, MatterAction::Close, "").await.status,
        "closed"
    );
    // Closing ends the wait: the request lapsed, the sweep finds nothing more.
    let s = w
        .svc
        .verdict_summary(&w.who(w.root_admin).await, "matter", m2)
        .await
        .unwrap();
    assert_eq!((s.waiting, s.lapsed), (0, 1));
    w.svc.sweep_evaluations().await.unwrap();
    assert_eq!(w.notes_on("ready_to_close", m2).await, 0);
}
both_backends!(
    closing_waits_for_the_window_on,
    closing_waits_for_the_window
);

async fn dissatisfied_reopens_the_work(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("厂区路灯维修", w.a1, "2026-11-30").await;
    let d = w.demand_with_cosigners("厂区路灯不亮").await;
    w.adopt(d, m).await;
    w.on(2026, 11, 9);
    w.complete_and_accept(m).await;
    let mine = w.asked(w.submitter, "matter", m).await;
    let c1 = w.asked(w.cosigner_1, "matter", m).await;
    let c2 = w.asked(w.cosigner_2, "matter", m).await;
    w.rate(w.submitter, mine.id, "satisfied", "").await;

    w.on(2026, 11, 10);
    w.rate(w.cosigner_1, c1.id, "dissatisfied", "西门的路灯还是不亮")
        .await;
    let row = w.row(m).await;
    assert_eq!((row.status.as_str(), row.rework_count), ("in_progress", 1));
    assert!(
        row.status_reason.contains("西门的路灯还是不亮"),
        "{}",
        row.status_reason
    );
    // The rest of that round lapses; the owner (and the supervisor) are told.
    let round0 = w.evaluations("matter", m).await;
    let state_of = |id: i64| {
        round0
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.state.clone())
            .unwrap()
    };
    assert_eq!(state_of(c2.id), "lapsed");
    assert_eq!(state_of(mine.id), "rated");
    conflict(
        w.svc
            .rate(&w.who(w.cosigner_2).await, c2.id, "satisfied", "")
            .await,
        "error.evaluation_closed",
    );
    assert_eq!(
        w.notified("matter_reopened", m).await,
        sorted(vec![w.handler_a1, w.sup_a])
    );
    let history = w.history(m).await;
    assert!(
        history.contains(&"matter_reopen".to_string()),
        "{history:?}"
    );
    let s = w
        .svc
        .verdict_summary(&w.who(w.root_admin).await, "matter", m)
        .await
        .unwrap();
    assert_eq!(
        (s.satisfied, s.dissatisfied, s.waiting, s.lapsed),
        (1, 1, 0, 1)
    );
    // Reworked work goes round again: progress, completion, acceptance, a new round asked.
    let handler = w.who(w.handler_a1).await;
    w.svc
        .post_progress(&handler, m, 80, "西门路灯线路已更换", vec![])
        .await
        .unwrap();
    w.on(2026, 11, 12);
    w.complete_and_accept(m).await;
    let round1: Vec<_> = w
        .evaluations("matter", m)
        .await
        .into_iter()
        .filter(|e| e.round == 1)
        .collect();
    assert_eq!(round1.len(), 3);
    assert!(
        round1
            .iter()
            .all(|e| e.state == "asked" && e.due_on == "2026-11-19")
    );
    assert_eq!(w.notes(w.submitter, "rate_requested").await, 2);
    assert_eq!(w.asked(w.cosigner_2, "matter", m).await.round, 1);
    let s = w
        .svc
        .verdict_summary(&w.who(w.root_admin).await, "matter", m)
        .await
        .unwrap();
    assert_eq!(s.waiting, 3);
    conflict(
        w.try_step(w.admin_a1, m, MatterAction::Close, "").await,
        "error.evaluation_open",
    );
    for who in [w.submitter, w.cosigner_1, w.cosigner_2] {
        let e = w.asked(who, "matter", m).await;
        w.rate(who, e.id, "satisfied", "").await;
    }
    assert_eq!(w.row(m).await.rework_count, 1);
    w.step(w.admin_a1, m, MatterAction::Close, "").await;
    w.assert_audit_intact().await;
}
both_backends!(
    dissatisfied_reopens_the_work_on,
    dissatisfied_reopens_the_work
);

async fn dissatisfied_escalates_by_setting(backend: Backend) {
    let w = World::new(backend).await;
    w.set_policy(|p| p.dissatisfied = DissatisfiedAction::Escalate)
        .await;
    let m = w.listed("职工通勤班车", w.a1, "2026-11-30").await;
    let d = w.demand(Some(w.submitter), "班车太挤").await.id;
    w.cosign(w.cosigner_1, d).await;
    w.adopt(d, m).await;
    w.on(2026, 11, 9);
    w.complete_and_accept(m).await;
    let c1 = w.asked(w.cosigner_1, "matter", m).await;
    w.rate(w.cosigner_1, c1.id, "dissatisfied", "高峰时段仍然挤不上")
        .await;

    // The work stays accepted; a supervision order presses the unit instead.
    let row = w.row(m).await;
    assert_eq!((row.status.as_str(), row.rework_count), ("accepted", 1));
    let orders = w.svc.orders_of(&w.who(w.sup_a).await, m).await.unwrap();
    assert_eq!(orders.len(), 1);
    let o = &orders[0].row;
    assert_eq!(
        (
            o.level.as_str(),
            o.state.as_str(),
            o.issued_by,
            o.attention_unit_id,
            o.reply_due.as_str()
        ),
        ("supervise", "open", None, w.a1, "2026-11-12")
    );
    assert!(
        o.requirement.contains("高峰时段仍然挤不上"),
        "{}",
        o.requirement
    );
    assert_eq!(
        w.notified("order_issued", m).await,
        sorted(vec![w.handler_a1, w.admin_a1])
    );
    assert!(w.view(m).await.under_supervision);

    // The submitter's verdict is still outstanding inside the window: no closing yet.
    conflict(
        w.try_step(w.admin_a1, m, MatterAction::Close, "").await,
        "error.evaluation_open",
    );
    // After the window the sweep lapses the rest and tells the unit admin, as for any
    // accepted matter, and the matter may be closed.
    w.on(2026, 11, 17);
    w.svc.sweep_evaluations().await.unwrap();
    let s = w
        .svc
        .verdict_summary(&w.who(w.root_admin).await, "matter", m)
        .await
        .unwrap();
    assert_eq!((s.dissatisfied, s.waiting, s.lapsed), (1, 0, 1));
    assert_eq!(
        w.notified("ready_to_close", m).await,
        vec![w.admin_a1],
        "the unit admin hears the window is over"
    );
    let row = w.step(w.admin_a1, m, MatterAction::Close, "").await;
    assert_eq!(row.status, "closed");
}
both_backends!(
    dissatisfied_escalates_by_setting_on,
    dissatisfied_escalates_by_setting
);

// =============================================================================================
// 5. Verdicts on an answered demand
// =============================================================================================

async fn an_answered_demand_is_judged_and_reopened(backend: Backend) {
    let w = World::new(backend).await;
    let d = w.demand_with_cosigners("车间饮水机坏了").await;
    w.on(2026, 11, 3);
    w.answer(d, "已报修，本周内更换滤芯。").await;
    let asked = w.evaluations("demand", d).await;
    let mut people: Vec<Option<i64>> = asked.iter().map(|e| e.user_id).collect();
    people.sort();
    assert_eq!(
        people,
        vec![Some(w.submitter), Some(w.cosigner_1), Some(w.cosigner_2)]
    );
    assert!(
        asked
            .iter()
            .all(|e| e.round == 0 && e.due_on == "2026-11-10")
    );
    assert_eq!(
        w.notified("rate_requested", d).await,
        sorted(vec![w.submitter, w.cosigner_1, w.cosigner_2])
    );

    let c1 = w.asked(w.cosigner_1, "demand", d).await;
    w.rate(w.cosigner_1, c1.id, "basically", "").await;
    let mine = w.asked(w.submitter, "demand", d).await;
    w.rate(w.submitter, mine.id, "dissatisfied", "滤芯换了还是有异味")
        .await;

    // Back to work: accepted again, counted as rework, with a `reopen` event.
    let detail = w.svc.demand(&w.who(w.clerk_a1).await, d).await.unwrap();
    assert_eq!(detail.demand.status, "accepted");
    assert_eq!(w.demand_int(d, "rework_count").await, 1);
    let last = detail.events.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.from_status.as_str(),
            last.to_status.as_str(),
            last.text.as_str(),
            last.actor_id
        ),
        ("reopen", "answered", "accepted", "滤芯换了还是有异味", None)
    );
    let c2 = asked
        .iter()
        .find(|e| e.user_id == Some(w.cosigner_2))
        .unwrap();
    let now = w.evaluations("demand", d).await;
    assert_eq!(
        now.iter().find(|e| e.id == c2.id).unwrap().state,
        "lapsed",
        "the rest of the round lapses"
    );
    assert_eq!(
        w.notified("demand_reopened", d).await,
        sorted(vec![w.clerk_a1, w.admin_a1])
    );
    // The follower's timeline has the reopening too.
    let seen = w.svc.demand(&w.who(w.cosigner_2).await, d).await.unwrap();
    assert_eq!(seen.events.last().unwrap().action, "reopen");

    // Answered again: a new round is asked.
    w.on(2026, 11, 5);
    w.answer(d, "已整机更换。").await;
    let round1: Vec<_> = w
        .evaluations("demand", d)
        .await
        .into_iter()
        .filter(|e| e.round == 1)
        .collect();
    assert_eq!(round1.len(), 3);
    assert_eq!(w.notes(w.submitter, "rate_requested").await, 2);
    let again = w.asked(w.submitter, "demand", d).await;
    assert_eq!(again.round, 1);
    w.rate(w.submitter, again.id, "satisfied", "").await;
    assert_eq!(w.demand_int(d, "rework_count").await, 1);
    let s = w
        .svc
        .verdict_summary(&w.who(w.root_admin).await, "demand", d)
        .await
        .unwrap();
    assert_eq!(
        (
            s.satisfied,
            s.basically,
            s.dissatisfied,
            s.waiting,
            s.lapsed
        ),
        (1, 1, 1, 2, 1)
    );
    let text = serde_json::to_string(&s).unwrap();
    for (username, name) in [SUBMITTER, COSIGNER_1, COSIGNER_2] {
        assert!(!text.contains(username) && !text.contains(name), "{text}");
    }

    // An anonymous demand answered: the code holder is asked and rates on the tracking page.
    let anon = w.demand(None, "女工休息室没有空调").await;
    w.answer(anon.id, "已安装空调。").await;
    let code = anon.tracking_code.unwrap();
    let open = w.svc.evaluations_by_code(&code).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].subject_type.as_str(), open[0].subject_id),
        ("demand", anon.id)
    );
    w.svc
        .rate_by_code(&code, open[0].id, "satisfied", "谢谢")
        .await
        .unwrap();
    assert!(w.svc.evaluations_by_code(&code).await.unwrap().is_empty());
    w.assert_audit_intact().await;
}
both_backends!(
    an_answered_demand_is_judged_and_reopened_on,
    an_answered_demand_is_judged_and_reopened
);
