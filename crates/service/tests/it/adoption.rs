//! Adopting a demand from the demand itself (新建事项 from it, 转交单位管理员立项), the matter a
//! demand follows as its followers see it, and the progress of work sent back (退回, 重办,
//! 不满意): on SQLite and PostgreSQL.

use shishi_core::matter::MatterAction;
use shishi_service::{ServiceError, Services};
use shishi_store::{Backend, both_backends};

use crate::support::world::*;

async fn referring_and_adopting(backend: Backend) {
    let w = World::new(backend).await;
    let d = w.demand(Some(w.submitter), "食堂午餐排队太长").await.id;
    let clerk = w.who(w.clerk_a1).await;
    let admin = w.who(w.admin_a1).await;
    let path = w.svc.unit(&admin, w.a1).await.unwrap().path;
    assert!(Services::may_refer(&clerk, &path));
    assert!(!Services::may_adopt_into_new(&clerk, &path));
    assert!(Services::may_adopt_into_new(&admin, &path));
    assert!(!Services::may_refer(&admin, &path));

    // The clerk hands it to the nearest unit admin above: 甲一厂's own, not 甲公司's. The
    // response figures count no step for it.
    let figures = async || {
        let f = w
            .svc
            .response_figures(&admin, w.a1, date(2026, 9, 1), date(2026, 9, 30))
            .await
            .unwrap();
        (f.received, f.accepted, f.adopted, f.answered, f.transferred)
    };
    let before = figures().await;
    let told = w
        .svc
        .refer_to_admins(&clerk, d, " 请研究立项 ")
        .await
        .unwrap();
    assert_eq!(told, vec![w.admin_a1]);
    assert_eq!(w.notified("demand_referred", d).await, vec![w.admin_a1]);
    let seen = w.svc.demand(&admin, d).await.unwrap();
    assert_eq!(seen.demand.status, "submitted", "it stays in the inbox");
    let last = seen.events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.text.as_str()),
        ("refer", "请研究立项")
    );
    assert_eq!(figures().await, before);

    // A demand in a unit without its own admin goes to the one above.
    let input = shishi_service::demands::DemandInput {
        title: "甲二厂澡堂漏水".into(),
        body: "澡堂屋顶漏水。".into(),
        unit_id: w.a2,
        ..Default::default()
    };
    let d2 = w
        .svc
        .submit_demand(
            Some(&w.who(w.submitter).await),
            shishi_core::demand::Channel::Online,
            &input,
            None,
            vec![],
        )
        .await
        .unwrap()
        .id;
    let told = w
        .svc
        .refer_to_admins(&w.who(w.root_admin).await, d2, "")
        .await
        .unwrap();
    assert_eq!(told, vec![w.admin_a]);
    // Outside one's subtree it is not there at all.
    assert!(matches!(
        w.svc.refer_to_admins(&w.who(w.admin_b).await, d, "").await,
        Err(ServiceError::NotFound)
    ));

    // The clerk may not write a matter from it; nothing is written when refused.
    let before = w.count("matters").await;
    let matter = w.input("食堂增开午餐窗口", w.a1, "2026-12-31");
    assert!(matches!(
        w.svc.create_matter_from_demand(&clerk, d, &matter).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        w.svc
            .create_matter_from_demand(&w.who(w.admin_b).await, d, &matter)
            .await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(w.count("matters").await, before);

    // The unit admin writes it: the matter exists and the demand is adopted into it.
    let m = w
        .svc
        .create_matter_from_demand(&admin, d, &matter)
        .await
        .unwrap();
    let seen = w.svc.demand(&admin, d).await.unwrap();
    assert_eq!(seen.demand.status, "adopted");
    assert_eq!(seen.demand.matter_id, Some(m.id));
    assert_eq!(seen.demand.matter.as_ref().map(|x| x.id), Some(m.id));
    // Once adopted: no second matter, no further hand-over.
    assert!(matches!(
        w.svc.create_matter_from_demand(&admin, d, &matter).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(w.count("matters").await, before + 1);
    assert!(matches!(
        w.svc.refer_to_admins(&clerk, d, "").await,
        Err(ServiceError::Conflict(_))
    ));
    w.assert_audit_intact().await;
}
both_backends!(referring_and_adopting_on, referring_and_adopting);

async fn work_sent_back_keeps_its_real_progress(backend: Backend) {
    let w = World::new(backend).await;
    let handler = w.who(w.handler_a1).await;

    // 重办 by the supervisor after acceptance.
    let m = w.listed("厂区路灯维修", w.a1, "2026-12-31").await;
    let d = w.demand_with_cosigners("厂区路灯不亮").await;
    w.adopt(d, m).await;
    w.svc
        .post_progress(&handler, m, 40, "换了一半的灯", vec![])
        .await
        .unwrap();
    w.complete_and_accept(m).await;
    assert_eq!(w.row(m).await.progress, 100);
    let follower = w.who(w.cosigner_1).await;
    let mine = w.svc.my_demands(&follower).await.unwrap();
    let linked = mine
        .iter()
        .find(|v| v.id == d)
        .and_then(|v| v.matter.clone())
        .expect("the linked matter");
    assert_eq!(
        (linked.status.as_str(), linked.progress, linked.reopened),
        ("accepted", 100, false)
    );
    assert!(linked.accepted_on.is_some());
    let row = w
        .step(w.sup_a, m, MatterAction::Reopen, "仍有路灯不亮")
        .await;
    assert_eq!((row.status.as_str(), row.progress), ("in_progress", 40));
    let linked = w
        .svc
        .demand(&follower, d)
        .await
        .unwrap()
        .demand
        .matter
        .expect("the linked matter");
    assert!(linked.reopened);
    assert_eq!(linked.progress, 40);
    assert_eq!(linked.deadline.as_deref(), Some("2026-12-31"));

    // 退回 at acceptance: the same.
    let m2 = w.listed("澡堂热水改造", w.a1, "2026-12-31").await;
    w.svc
        .post_progress(&handler, m2, 70, "管道已换", vec![])
        .await
        .unwrap();
    w.complete(m2).await;
    let row = w
        .step(w.sup_a, m2, MatterAction::Return, "缺少验收签字")
        .await;
    assert_eq!((row.status.as_str(), row.progress), ("in_progress", 70));

    // 不满意 reopening it: the same, whatever the handler had reported.
    let m3 = w.listed("食堂桌椅更换", w.a1, "2026-12-31").await;
    let d3 = w.demand(Some(w.submitter), "食堂桌椅破旧").await.id;
    w.adopt(d3, m3).await;
    w.complete_and_accept(m3).await;
    let asked = w.asked(w.submitter, "matter", m3).await;
    w.rate(w.submitter, asked.id, "dissatisfied", "椅子还是坏的")
        .await;
    let row = w.row(m3).await;
    assert_eq!(row.status, "in_progress");
    assert_eq!(
        row.progress, 0,
        "only the completion's 100 was ever reported"
    );
    w.assert_audit_intact().await;
}
both_backends!(
    work_sent_back_keeps_its_real_progress_on,
    work_sent_back_keeps_its_real_progress
);
