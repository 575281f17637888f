//! The assessment (考核) through the service layer on SQLite and PostgreSQL: the rates from
//! demands, verdicts and completions, the weights, 样本不足, the ranking and the lists, and the
//! refusals. The organisation and the clock (Monday 2026-11-02) are in `support/world.rs`.

use shishi_report::assess::AssessPolicy;
use shishi_report::period::Period;
use shishi_service::ServiceError;
use shishi_service::demands::StepInput;
use shishi_store::{Backend, both_backends};

#[allow(dead_code)]
use crate::support::world;

use world::*;

fn month() -> Period {
    "2026-11".parse().unwrap()
}

async fn units_are_rated_scored_and_ranked(backend: Backend) {
    let w = World::new(backend).await;
    // In 甲一厂 (under 甲公司): three demands. One accepted the same day and answered, one
    // adopted into a matter that gets done, one left waiting past its accept-by date.
    let d1 = w.demand(Some(w.submitter), "浴室热水不稳定").await.id;
    let d2 = w.demand(Some(w.submitter), "车间缺少休息室").await.id;
    let _d3 = w.demand(Some(w.cosigner_1), "班车太挤").await.id;
    w.demand_step(
        d1,
        StepInput {
            action: "accept".into(),
            ..Default::default()
        },
    )
    .await;
    w.answer(d1, "已更换热水器").await;
    let m = w.listed("建设车间休息室", w.a1, "2026-11-30").await;
    w.adopt(d2, m).await;
    w.complete_and_accept(m).await;
    // The submitter of the adopted demand is asked and is satisfied.
    let ask = w.asked(w.submitter, "matter", m).await;
    w.rate(w.submitter, ask.id, "satisfied", "很好").await;
    // Two weeks later: d3 is past its accept-by date without a response.
    w.on(2026, 11, 16);

    let root = w.who(w.root_admin).await;
    let a = w.svc.assessment(&root, w.root, month()).await.unwrap();
    let jia = a.ranking.units.iter().find(|u| u.unit_id == w.a).unwrap();
    assert_eq!((jia.counts.received, jia.counts.responded_in_time), (3, 2));
    assert_eq!((jia.counts.resolvable, jia.counts.resolved), (3, 2));
    assert_eq!(
        (
            jia.counts.satisfied,
            jia.counts.completed,
            jia.counts.on_time
        ),
        (1, 1, 1)
    );
    assert_eq!(jia.rates.response, Some(2.0 / 3.0));
    assert_eq!(jia.rates.satisfaction, Some(1.0));
    // Sample 3 + 1 + 1 = 5, below the default minimum of 10: 样本不足, no rank, no list.
    assert_eq!(jia.counts.sample(), 5);
    assert!(jia.insufficient() && jia.score.is_none());
    assert!(a.ranking.top.is_empty());
    // The whole group's line adds everything up.
    assert_eq!(a.total.received, 3);

    // With a minimum of 1 and other weights, A is ranked and on the red list; B has nothing.
    let policy = AssessPolicy {
        min_sample: 1,
        weight_satisfaction: 0,
        ..AssessPolicy::default()
    };
    w.svc.set_assess_policy(&root, policy).await.unwrap();
    let a = w.svc.assessment(&root, w.root, month()).await.unwrap();
    let jia = a.ranking.units.iter().find(|u| u.unit_id == w.a).unwrap();
    assert_eq!(jia.rank, Some(1));
    // Response 2/3 (w20), resolution 2/3 (w25), on time 1 (w15), rework 0 → 1 (w10).
    let expected = ((20.0 + 25.0) * 2.0 / 3.0 + 15.0 + 10.0) / 70.0 * 100.0;
    assert_eq!(jia.score, Some((expected * 10.0_f64).round() / 10.0));
    assert_eq!(a.ranking.top, vec![w.a]);
    let yi = a.ranking.units.iter().find(|u| u.unit_id == w.b).unwrap();
    assert!(yi.insufficient());

    // 甲公司's admin ranks its plants and cannot see the group's or 乙公司's.
    let admin_a = w.who(w.admin_a).await;
    let a = w.svc.assessment(&admin_a, w.a, month()).await.unwrap();
    let ids: Vec<i64> = a.ranking.units.iter().map(|u| u.unit_id).collect();
    assert!(ids.contains(&w.a1) && ids.contains(&w.a2) && ids.len() == 2);
    for unit in [w.root, w.b] {
        assert!(matches!(
            w.svc.assessment(&admin_a, unit, month()).await,
            Err(ServiceError::NotFound)
        ));
    }
    // Only the root admin sets the weights, and nonsense is refused by field.
    assert!(matches!(
        w.svc
            .set_assess_policy(&admin_a, AssessPolicy::default())
            .await,
        Err(ServiceError::Forbidden(_))
    ));
    let bad = AssessPolicy {
        board_size: 0,
        ..AssessPolicy::default()
    };
    match w.svc.set_assess_policy(&root, bad).await {
        Err(ServiceError::Invalid(fields)) => assert_eq!(fields[0].field, "board_size"),
        other => panic!("expected a field error, got {other:?}"),
    }

    // The ranking downloads as a workbook with a native chart.
    let book = w
        .svc
        .assessment_workbook(&root, w.root, month(), "zh-CN")
        .await
        .unwrap();
    assert!(
        book.filename.ends_with("考核排名-2026-11.xlsx"),
        "{}",
        book.filename
    );
    let mut zip = zip_names(&book.bytes);
    zip.sort();
    assert!(
        zip.iter().any(|n| n.starts_with("xl/charts/chart")),
        "{zip:?}"
    );
}
both_backends!(
    units_are_rated_scored_and_ranked_on,
    units_are_rated_scored_and_ranked
);

/// The part names inside an xlsx (a zip): the local file headers carry them.
fn zip_names(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut i = 0;
    while i + 30 <= bytes.len() {
        if bytes[i..i + 4] == [0x50, 0x4b, 0x03, 0x04] {
            let n = u16::from_le_bytes([bytes[i + 26], bytes[i + 27]]) as usize;
            if let Some(name) = bytes.get(i + 30..i + 30 + n) {
                names.push(String::from_utf8_lossy(name).into_owned());
            }
        }
        i += 1;
    }
    names
}

async fn the_quarterly_review_pack_lists_what_went_wrong(backend: Backend) {
    use shishi_report::kinds::ReportKind;
    let w = World::new(backend).await;
    let late = w.listed("更换车间照明灯具", w.a1, "2026-11-03").await;
    let d = w.demand(Some(w.submitter), "车间缺少休息室").await.id;
    let m = w.listed("建设车间休息室", w.a1, "2026-11-30").await;
    w.adopt(d, m).await;
    w.complete_and_accept(m).await;
    let ask = w.asked(w.submitter, "matter", m).await;
    w.rate(w.submitter, ask.id, "dissatisfied", "面积太小")
        .await;
    w.issue(late, "本周内完成更换").await;
    w.on(2026, 11, 10);
    let root = w.who(w.root_admin).await;
    let q: Period = "2026-Q4".parse().unwrap();
    let page = w
        .svc
        .report_page(&root, ReportKind::Quarterly, w.root, q)
        .await
        .unwrap();
    let pack = page
        .pack
        .expect("a quarterly report carries the review pack");
    assert_eq!(
        pack.overdue.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![late]
    );
    assert_eq!(
        pack.reworked.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![m]
    );
    assert_eq!(pack.dissatisfied.len(), 1);
    assert_eq!(
        (
            pack.dissatisfied[0].title.as_str(),
            pack.dissatisfied[0].comment.as_str()
        ),
        ("建设车间休息室", "面积太小")
    );
    // What was judged and said, never who said it.
    let json = serde_json::to_string(&pack.dissatisfied).unwrap();
    assert!(!json.contains(SUBMITTER.1) && !json.contains(SUBMITTER.0));
    assert_eq!(pack.orders.len(), 1);
    assert_eq!(pack.assessment.ranking.units.len(), 2);
    // Weekly and monthly reports carry none.
    let week: Period = "2026-W46".parse().unwrap();
    let weekly = w
        .svc
        .report_page(&root, ReportKind::Weekly, w.root, week)
        .await
        .unwrap();
    assert!(weekly.pack.is_none());
}
both_backends!(
    the_quarterly_review_pack_lists_what_went_wrong_on,
    the_quarterly_review_pack_lists_what_went_wrong
);
