//! Driving matters to done, through the service layer on SQLite and PostgreSQL: supervision
//! orders (督办单) and the supervision board, and deadline extensions (延期). Completion,
//! acceptance and the verdicts are in `driving_acceptance.rs`; the sweeps in
//! `driving_sweeps.rs`; the outbox (webhooks, e-mail) in `driving_outbox.rs`.
//!
//! The organisation and the clock (Monday 2026-11-02, 10:00 Beijing; November has only
//! weekdays as working days) are in `support/world.rs`.

use shishi_core::driving::ExtensionApprover;
use shishi_core::matter::MatterAction;
use shishi_service::driving::BoardFilter;
use shishi_store::{Backend, both_backends};

#[allow(dead_code)]
use crate::support::world;

use world::*;

// =============================================================================================
// 1. Supervision orders
// =============================================================================================

async fn orders_are_issued_answered_and_closed(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("食堂增设夜班窗口", w.a1, "2026-12-31").await;
    let sup = w.who(w.sup_a).await;
    let handler = w.who(w.handler_a1).await;

    // The reply is due the policy's three working days later by default: Monday → Thursday.
    let o1 = w
        .svc
        .issue_order(&sup, m, &order("remind", "本周内拿出实施方案", None))
        .await
        .unwrap();
    assert_eq!(
        (
            o1.row.level.as_str(),
            o1.row.state.as_str(),
            o1.row.reply_due.as_str()
        ),
        ("remind", "open", "2026-11-05")
    );
    assert_eq!(
        (
            o1.row.attention_unit_id,
            o1.row.issued_by,
            o1.row.escalated_from
        ),
        (w.a1, Some(w.sup_a), None)
    );
    assert_eq!(o1.row.issued_by_name.as_deref(), Some("甲公司督导"));
    assert!(!o1.late);
    let v = w.view(m).await;
    assert!(v.under_supervision);
    assert_eq!(v.row.open_orders, 1);
    // The owner and the admins of the unit pressed hear of it.
    assert_eq!(
        w.notified("order_issued", m).await,
        sorted(vec![w.handler_a1, w.admin_a1])
    );

    // A longer policy moves the default (crossing a weekend); a date given is kept; each
    // level is accepted.
    w.set_policy(|p| p.order_reply_days = 5).await;
    let o2 = w
        .svc
        .issue_order(&sup, m, &order("supervise", "限期整改", Some("")))
        .await
        .unwrap();
    assert_eq!(
        (o2.row.level.as_str(), o2.row.reply_due.as_str()),
        ("supervise", "2026-11-09")
    );
    let o3 = w
        .svc
        .issue_order(&sup, m, &order("listed", "挂牌督办", Some("2026-11-02")))
        .await
        .unwrap();
    assert_eq!(
        (o3.row.level.as_str(), o3.row.reply_due.as_str()),
        ("listed", "2026-11-02"),
        "today is a valid reply date"
    );
    assert_eq!(w.row(m).await.open_orders, 3);

    // Only a supervisor over the matter issues: not its owner, not the unit admin; people
    // outside the subtree do not even find it.
    let proposed = w.proposed("未立项的事", w.a1, "2026-12-31").await;
    let before = w.footprint().await;
    let ok = order("remind", "请说明进度", None);
    forbidden(
        w.svc.issue_order(&handler, m, &ok).await,
        "error.not_supervisor",
    );
    forbidden(
        w.svc.issue_order(&w.who(w.admin_a1).await, m, &ok).await,
        "error.not_supervisor",
    );
    not_found(w.svc.issue_order(&w.who(w.sup_b).await, m, &ok).await);
    not_found(w.svc.issue_order(&w.who(w.admin_b).await, m, &ok).await);
    not_found(w.svc.issue_order(&w.who(w.bystander).await, m, &ok).await);
    not_found(w.svc.issue_order(&sup, 999_999, &ok).await);
    // Bad input names every field and writes nothing.
    assert_eq!(
        invalid(
            w.svc
                .issue_order(&sup, m, &order("urgent", "  ", Some("2026-10-30")))
                .await
        ),
        pairs(&[
            ("level", "error.choice"),
            ("reply_due", "error.date_past"),
            ("requirement", "error.required"),
        ])
    );
    assert_eq!(
        invalid(
            w.svc
                .issue_order(&sup, m, &order("remind", "要求", Some("2026-11-31")))
                .await
        ),
        pairs(&[("reply_due", "error.date")])
    );
    assert_eq!(
        invalid(
            w.svc
                .issue_order(&sup, m, &order("remind", &"长".repeat(2001), None))
                .await
        ),
        pairs(&[("requirement", "error.too_long")])
    );
    // Only open work is pressed.
    conflict(
        w.svc.issue_order(&sup, proposed, &ok).await,
        "error.order_needs_open_work",
    );
    assert_eq!(w.footprint().await, before, "refused orders wrote nothing");

    // The owner answers, with a progress percent: a progress entry is created from the reply.
    forbidden(
        w.svc
            .reply_order(&sup, o1.row.id, reply("督导代答", None))
            .await,
        "error.not_owner",
    );
    not_found(
        w.svc
            .reply_order(&w.who(w.handler_b1).await, o1.row.id, reply("答", None))
            .await,
    );
    assert_eq!(
        invalid(
            w.svc
                .reply_order(&handler, o1.row.id, reply(" ", Some(101)))
                .await
        ),
        pairs(&[("percent", "error.range"), ("reply", "error.required")])
    );
    let r1 = w
        .svc
        .reply_order(&handler, o1.row.id, reply("方案已定，下周施工", Some(60)))
        .await
        .unwrap();
    assert_eq!(
        (
            r1.row.state.as_str(),
            r1.row.reply.as_str(),
            r1.row.replied_by
        ),
        ("replied", "方案已定，下周施工", Some(w.handler_a1))
    );
    assert_eq!(r1.row.replied_at, Some(w.now()));
    let detail = w.detail(m).await;
    assert_eq!(detail.progress.len(), 1);
    let entry = &detail.progress[0];
    assert_eq!(r1.row.progress_id, Some(entry.id));
    assert_eq!(
        (entry.percent, entry.narrative.as_str(), entry.author_id),
        (60, "方案已定，下周施工", Some(w.handler_a1))
    );
    assert_eq!(
        (
            detail.matter.row.progress,
            detail.matter.row.status.as_str()
        ),
        (60, "in_progress"),
        "the progress entry started the approved matter"
    );
    assert_eq!(w.notified("order_replied", m).await, vec![w.sup_a]);
    conflict(
        w.svc
            .reply_order(&handler, o1.row.id, reply("再答", None))
            .await,
        "error.order_not_open",
    );
    // A reply without a percent leaves the progress alone.
    let r2 = w
        .svc
        .reply_order(&handler, o2.row.id, reply("已部署整改", None))
        .await
        .unwrap();
    assert_eq!(
        (r2.row.state.as_str(), r2.row.progress_id),
        ("replied", None)
    );
    assert_eq!(w.detail(m).await.progress.len(), 1);
    // Replied orders still keep the matter under supervision until closed.
    assert_eq!(w.row(m).await.open_orders, 3);

    // The supervisor closes (办结); nobody else does.
    forbidden(
        w.svc.close_order(&handler, o1.row.id, "").await,
        "error.not_supervisor",
    );
    not_found(
        w.svc
            .close_order(&w.who(w.sup_b).await, o1.row.id, "")
            .await,
    );
    let c1 = w
        .svc
        .close_order(&sup, o1.row.id, "回复满意，办结")
        .await
        .unwrap();
    assert_eq!(
        (
            c1.row.state.as_str(),
            c1.row.close_note.as_str(),
            c1.row.closed_by
        ),
        ("closed", "回复满意，办结", Some(w.sup_a))
    );
    conflict(
        w.svc.close_order(&sup, o1.row.id, "").await,
        "error.order_not_open",
    );
    conflict(
        w.svc
            .reply_order(&handler, o1.row.id, reply("迟到的回复", None))
            .await,
        "error.order_not_open",
    );
    // An open (unanswered) order may be closed too.
    w.svc.close_order(&sup, o2.row.id, "").await.unwrap();
    w.svc.close_order(&sup, o3.row.id, "").await.unwrap();
    let v = w.view(m).await;
    assert_eq!(v.row.open_orders, 0);
    assert!(!v.under_supervision);

    let listed = w.svc.orders_of(&handler, m).await.unwrap();
    assert_eq!(
        listed.iter().map(|o| o.row.id).collect::<Vec<_>>(),
        vec![o3.row.id, o2.row.id, o1.row.id],
        "newest first"
    );
    not_found(w.svc.orders_of(&w.who(w.admin_b).await, m).await);
    let history = w.history(m).await;
    for (action, n) in [
        ("order_issued", 3),
        ("order_replied", 2),
        ("order_closed", 3),
        ("progress_posted", 1),
    ] {
        assert_eq!(
            history.iter().filter(|h| *h == action).count(),
            n,
            "{action} in {history:?}"
        );
    }
    w.assert_audit_intact().await;
}
both_backends!(
    orders_are_issued_answered_and_closed_on,
    orders_are_issued_answered_and_closed
);

async fn the_board_shows_orders_in_scope_only(backend: Backend) {
    let w = World::new(backend).await;
    let m1 = w.listed("甲一厂澡堂", w.a1, "2026-12-31").await;
    let m2 = w.listed("甲二厂班车", w.a2, "2026-12-31").await;
    let mut input = w.input("乙一厂宿舍", w.b1, "2026-12-31");
    input.owner_id = Some(w.handler_b1);
    let admin_b = w.who(w.admin_b).await;
    let mb = w
        .svc
        .create_matter(&admin_b, None, &input)
        .await
        .unwrap()
        .id;
    w.step(w.admin_b, mb, MatterAction::Approve, "").await;

    let sup_a = w.who(w.sup_a).await;
    let o1 = w
        .svc
        .issue_order(&sup_a, m1, &order("remind", "提醒", None))
        .await
        .unwrap();
    let o2 = w
        .svc
        .issue_order(&sup_a, m2, &order("supervise", "督办", Some("2026-11-20")))
        .await
        .unwrap();
    let ob = w
        .svc
        .issue_order(&w.who(w.sup_b).await, mb, &order("remind", "提醒", None))
        .await
        .unwrap();

    let board = async |who: i64, f: BoardFilter| -> Vec<i64> {
        let page = w
            .svc
            .supervision_board(&w.who(who).await, &f)
            .await
            .unwrap();
        assert_eq!(page.total, page.orders.len() as i64);
        page.orders.iter().map(|o| o.row.id).collect()
    };
    let all = BoardFilter::default;
    assert_eq!(board(w.sup_a, all()).await, vec![o2.row.id, o1.row.id]);
    assert_eq!(board(w.admin_a, all()).await, vec![o2.row.id, o1.row.id]);
    assert_eq!(board(w.handler_a1, all()).await, vec![o1.row.id]);
    assert_eq!(
        board(w.root_admin, all()).await,
        vec![ob.row.id, o2.row.id, o1.row.id]
    );
    // The unit admin of the sibling subsidiary sees none of 甲公司's orders.
    assert_eq!(board(w.admin_b, all()).await, vec![ob.row.id]);
    assert_eq!(board(w.sup_b, all()).await, vec![ob.row.id]);
    assert_eq!(board(w.bystander, all()).await, Vec::<i64>::new());
    // Filters.
    let level = BoardFilter {
        level: Some("supervise".into()),
        ..all()
    };
    assert_eq!(board(w.sup_a, level).await, vec![o2.row.id]);
    let closed = BoardFilter {
        state: Some("closed".into()),
        ..all()
    };
    assert_eq!(board(w.sup_a, closed).await, Vec::<i64>::new());
    for bad in [
        BoardFilter {
            state: Some("lost".into()),
            ..all()
        },
        BoardFilter {
            level: Some("shout".into()),
            ..all()
        },
    ] {
        let field = if bad.state.is_some() {
            "state"
        } else {
            "level"
        };
        assert_eq!(
            invalid(w.svc.supervision_board(&sup_a, &bad).await),
            pairs(&[(field, "error.choice")])
        );
    }
    // Friday: o1 (due Thursday) is late; o2 is not; a reply takes o1 off the late list.
    w.on(2026, 11, 6);
    let late = || BoardFilter {
        late: true,
        ..BoardFilter::default()
    };
    assert_eq!(board(w.sup_a, late()).await, vec![o1.row.id]);
    let page = w.svc.supervision_board(&sup_a, &all()).await.unwrap();
    let flags: Vec<(i64, bool)> = page.orders.iter().map(|o| (o.row.id, o.late)).collect();
    assert_eq!(flags, vec![(o2.row.id, false), (o1.row.id, true)]);
    w.svc
        .reply_order(&w.who(w.handler_a1).await, o1.row.id, reply("已回复", None))
        .await
        .unwrap();
    assert_eq!(board(w.sup_a, late()).await, Vec::<i64>::new());
    assert_eq!(board(w.sup_a, all()).await, vec![o2.row.id, o1.row.id]);
}
both_backends!(
    the_board_shows_orders_in_scope_only_on,
    the_board_shows_orders_in_scope_only
);

// =============================================================================================
// 2. Deadline extensions
// =============================================================================================

async fn extensions_are_asked_and_decided(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("职工书屋改造", w.a1, "2026-11-20").await;
    let handler = w.who(w.handler_a1).await;
    let admin_a1 = w.who(w.admin_a1).await;

    // Bad requests name their fields and write nothing.
    let proposed = w.proposed("未立项", w.a1, "2026-11-20").await;
    let before = w.footprint().await;
    assert_eq!(
        invalid(w.svc.request_extension(&handler, m, "", " ").await),
        pairs(&[
            ("proposed_deadline", "error.required"),
            ("reason", "error.required"),
        ])
    );
    assert_eq!(
        invalid(
            w.svc
                .request_extension(&handler, m, "2026-11-31", "理由")
                .await
        ),
        pairs(&[("proposed_deadline", "error.date")])
    );
    for not_later in ["2026-11-20", "2026-11-13"] {
        assert_eq!(
            invalid(
                w.svc
                    .request_extension(&handler, m, not_later, "理由")
                    .await
            ),
            pairs(&[("proposed_deadline", "error.date_not_later")]),
            "{not_later}"
        );
    }
    forbidden(
        w.svc
            .request_extension(&w.who(w.sup_a).await, m, "2026-12-04", "督导代申请")
            .await,
        "error.not_owner",
    );
    not_found(
        w.svc
            .request_extension(&w.who(w.bystander).await, m, "2026-12-04", "理由")
            .await,
    );
    not_found(
        w.svc
            .request_extension(&w.who(w.admin_b).await, m, "2026-12-04", "理由")
            .await,
    );
    conflict(
        w.svc
            .request_extension(&handler, proposed, "2026-12-04", "理由")
            .await,
        "error.extension_needs_open_work",
    );
    assert_eq!(w.footprint().await, before);

    // The owner asks; the approvers (the admins of the matter's unit) are told.
    let e1 = w
        .svc
        .request_extension(&handler, m, "2026-12-04", "设备到货延迟")
        .await
        .unwrap();
    assert_eq!(
        (
            e1.state.as_str(),
            e1.current_deadline.as_str(),
            e1.proposed_deadline.as_str(),
            e1.requested_by,
        ),
        ("pending", "2026-11-20", "2026-12-04", w.handler_a1)
    );
    assert_eq!(w.notified("extension_requested", m).await, vec![w.admin_a1]);
    // One pending request at a time.
    conflict(
        w.svc
            .request_extension(&handler, m, "2026-12-11", "再延一周")
            .await,
        "error.extension_pending",
    );
    let pending = async |who: i64| -> Vec<i64> {
        w.svc
            .pending_extensions(&w.who(who).await)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect()
    };
    assert_eq!(pending(w.admin_a1).await, vec![e1.id]);
    assert_eq!(pending(w.admin_a).await, vec![e1.id]);
    assert_eq!(pending(w.handler_a1).await, Vec::<i64>::new());
    assert_eq!(pending(w.admin_b).await, Vec::<i64>::new());

    // The owner cannot approve, nor can the supervisor; a stranger does not find it; a
    // refusal needs a note.
    forbidden(
        w.svc.decide_extension(&handler, e1.id, &approve()).await,
        "error.not_approver",
    );
    forbidden(
        w.svc
            .decide_extension(&w.who(w.sup_a).await, e1.id, &approve())
            .await,
        "error.not_approver",
    );
    not_found(
        w.svc
            .decide_extension(&w.who(w.admin_b).await, e1.id, &approve())
            .await,
    );
    assert_eq!(
        invalid(
            w.svc
                .decide_extension(&admin_a1, e1.id, &refuse("  "))
                .await
        ),
        pairs(&[("note", "error.required")])
    );
    assert_eq!(w.row(m).await.deadline.as_deref(), Some("2026-11-20"));

    // The unit admin approves: the new deadline, the original kept, one extension.
    let seq = w.audit_events().await;
    let d1 = w
        .svc
        .decide_extension(&admin_a1, e1.id, &approve())
        .await
        .unwrap();
    assert_eq!(
        (d1.state.as_str(), d1.decided_by, d1.decided_at),
        ("approved", Some(w.admin_a1), Some(w.now()))
    );
    let row = w.row(m).await;
    assert_eq!(
        (
            row.deadline.as_deref(),
            row.original_deadline.as_deref(),
            row.extension_count
        ),
        (Some("2026-12-04"), Some("2026-11-20"), 1)
    );
    assert_eq!(w.audit_events().await, seq + 1);
    assert_eq!(
        w.notified("extension_approved", m).await,
        vec![w.handler_a1]
    );
    conflict(
        w.svc
            .decide_extension(&admin_a1, e1.id, &refuse("反悔"))
            .await,
        "error.extension_not_pending",
    );

    // A second request is refused with a note: nothing moves.
    let e2 = w
        .svc
        .request_extension(&handler, m, "2026-12-18", "施工队伍不足")
        .await
        .unwrap();
    assert_eq!(e2.current_deadline, "2026-12-04");
    let d2 = w
        .svc
        .decide_extension(&admin_a1, e2.id, &refuse("理由不充分"))
        .await
        .unwrap();
    assert_eq!(
        (d2.state.as_str(), d2.decision_note.as_str()),
        ("refused", "理由不充分")
    );
    let row = w.row(m).await;
    assert_eq!(
        (row.deadline.as_deref(), row.extension_count),
        (Some("2026-12-04"), 1)
    );
    assert_eq!(w.notified("extension_refused", m).await, vec![w.handler_a1]);

    // Nobody approves their own request: the unit admin who asked needs another approver.
    let e3 = w
        .svc
        .request_extension(&admin_a1, m, "2026-12-11", "统筹安排")
        .await
        .unwrap();
    forbidden(
        w.svc.decide_extension(&admin_a1, e3.id, &approve()).await,
        "error.own_request",
    );
    w.svc
        .decide_extension(&w.who(w.admin_a).await, e3.id, &approve())
        .await
        .unwrap();
    let row = w.row(m).await;
    assert_eq!(
        (
            row.deadline.as_deref(),
            row.original_deadline.as_deref(),
            row.extension_count
        ),
        (Some("2026-12-11"), Some("2026-11-20"), 2),
        "the original deadline stays the first one"
    );

    let listed = w.svc.extensions_of(&handler, m).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|e| (e.id, e.state.as_str()))
            .collect::<Vec<_>>(),
        vec![(e3.id, "approved"), (e2.id, "refused"), (e1.id, "approved")]
    );
    not_found(w.svc.extensions_of(&w.who(w.admin_b).await, m).await);
    let history = w.history(m).await;
    let ext: Vec<&str> = history
        .iter()
        .map(String::as_str)
        .filter(|h| h.starts_with("extension_"))
        .collect();
    assert_eq!(
        ext,
        [
            "extension_requested",
            "extension_approved",
            "extension_requested",
            "extension_refused",
            "extension_requested",
            "extension_approved",
        ]
    );
    w.assert_audit_intact().await;
}
both_backends!(
    extensions_are_asked_and_decided_on,
    extensions_are_asked_and_decided
);

async fn extensions_go_to_the_level_above_by_setting(backend: Backend) {
    let w = World::new(backend).await;
    w.set_policy(|p| p.extension_approver = ExtensionApprover::LevelAbove)
        .await;
    let m = w.listed("甲一厂停车棚", w.a1, "2026-11-20").await;
    let e = w
        .svc
        .request_extension(&w.who(w.handler_a1).await, m, "2026-12-04", "雨季停工")
        .await
        .unwrap();
    // The admins of 甲公司 decide now, not those of 甲一厂.
    assert_eq!(w.notified("extension_requested", m).await, vec![w.admin_a]);
    let admin_a1 = w.who(w.admin_a1).await;
    assert!(
        w.svc
            .pending_extensions(&admin_a1)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        w.svc
            .pending_extensions(&w.who(w.admin_a).await)
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        vec![e.id]
    );
    forbidden(
        w.svc.decide_extension(&admin_a1, e.id, &approve()).await,
        "error.not_approver",
    );
    forbidden(
        w.svc
            .decide_extension(&admin_a1, e.id, &refuse("不同意"))
            .await,
        "error.not_approver",
    );
    let d = w
        .svc
        .decide_extension(&w.who(w.admin_a).await, e.id, &approve())
        .await
        .unwrap();
    assert_eq!(d.decided_by, Some(w.admin_a));
    assert_eq!(w.row(m).await.deadline.as_deref(), Some("2026-12-04"));
}
both_backends!(
    extensions_go_to_the_level_above_by_setting_on,
    extensions_go_to_the_level_above_by_setting
);
