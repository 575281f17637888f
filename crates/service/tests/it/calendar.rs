//! The calendar past its last entered year (issue 10, defect 15): a year without its official
//! arrangement counts its statutory holidays by rule and says it is provisional; confirming
//! the year keeps the deadlines already set and flags those it would have moved; system admins
//! are reminded from December on, once per year and person.
//!
//! The shipped calendar ends in 2026. The rule's 2027: 元旦 on Friday 01-01; 春节 from 除夕
//! Friday 02-05 to 初三 Monday 02-08, with 初一 (Saturday) and 初二 (Sunday) made up on 02-09
//! and 02-10.

use shishi_core::Role;
use shishi_core::calendar::Holiday;
use shishi_service::matters::MatterInput;
use shishi_service::users::UserInput;
use shishi_store::{Backend, both_backends};

use crate::support::world::*;

impl World {
    /// A matter due `n` working days from today, created by 甲公司's unit admin.
    async fn due_in(&self, title: &str, n: u32) -> i64 {
        let input = MatterInput {
            deadline: None,
            deadline_working_days: Some(n),
            ..self.input(title, self.a1, "")
        };
        self.svc
            .create_matter(&self.who(self.admin_a).await, None, &input)
            .await
            .unwrap_or_else(|e| panic!("create {title}: {e:?}"))
            .id
    }
}

async fn deadlines_into_an_unentered_year_skip_its_holidays(backend: Backend) {
    let w = World::new(backend).await;
    w.on(2026, 12, 29); // Tuesday
    // 12-30, 12-31, then 元旦 (Friday) and the weekend: the third working day is 01-04.
    let m = w.due_in("元旦前后检修路灯", 3).await;
    assert_eq!(w.row(m).await.deadline.as_deref(), Some("2027-01-04"));
    let v = w.view(m).await;
    assert!(
        v.deadline_provisional,
        "counted across the provisional 2027"
    );
    assert_eq!(v.deadline_moved_to, None);
    // The ledger marks it too.
    let page = w
        .svc
        .ledger(&w.who(w.admin_a).await, &Default::default())
        .await
        .unwrap();
    let row = page.items.iter().find(|x| x.row.id == m).unwrap();
    assert!(row.deadline_provisional);
    // Counted within the confirmed 2026: nothing provisional.
    let near = w.due_in("年底前清理仓库", 2).await;
    assert_eq!(w.row(near).await.deadline.as_deref(), Some("2026-12-31"));
    assert!(!w.view(near).await.deadline_provisional);
    // A date typed in is not computed from the calendar.
    let typed = w.proposed("春节慰问", w.a1, "2027-02-10").await;
    assert!(!w.view(typed).await.deadline_provisional);

    // The 春节 of the rule: from 除夕 to the made-up days, none is a working day.
    let cal = w.svc.calendar();
    for day in [5, 8, 9, 10] {
        assert!(!cal.is_working_day(date(2027, 2, day)), "2027-02-{day:02}");
    }
    assert!(cal.is_working_day(date(2027, 2, 11)));
    w.assert_audit_intact().await;
}
both_backends!(
    deadlines_into_an_unentered_year_skip_its_holidays_on,
    deadlines_into_an_unentered_year_skip_its_holidays
);

async fn inbox_limits_across_an_unentered_year_are_provisional(backend: Backend) {
    let w = World::new(backend).await;
    let before = w.demand(Some(w.submitter), "食堂窗口太少").await;
    w.on(2026, 12, 28); // Monday
    let late = w.demand(Some(w.submitter), "年底班车加班次").await;
    let clerk = w.who(w.clerk_a1).await;
    let view = w.svc.demand(&clerk, late.id).await.unwrap().demand;
    // Ten working days: 12-29 to 12-31, then 01-04 to 01-08, 01-11 and 01-12 (元旦 skipped).
    assert_eq!(view.answer_due, "2027-01-12");
    assert_eq!(view.accept_due, "2026-12-30");
    assert!(view.dues_provisional);
    let early = w.svc.demand(&clerk, before.id).await.unwrap().demand;
    // Its limits and its age lie in the confirmed 2026.
    assert!(!early.dues_provisional);
}
both_backends!(
    inbox_limits_across_an_unentered_year_are_provisional_on,
    inbox_limits_across_an_unentered_year_are_provisional
);

/// The official 2027 notice as the tests imagine it: 春节 one day longer than the rule (to
/// Thursday 02-11) paid back by Saturday 02-20.
const NOTICE_2027: &str = "date,kind,name
2027-01-01,holiday,元旦
2027-02-05,holiday,春节
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-20,workday,春节
";

async fn confirming_a_year_keeps_deadlines_and_flags_those_it_moves(backend: Backend) {
    let w = World::new(backend).await;
    w.on(2026, 12, 29);
    let kept = w.due_in("元旦前后检修路灯", 3).await;
    // 30 working days by the rule: 02-16. The notice's 02-11 off makes it 02-17.
    let moved = w.due_in("春节后复工安全检查", 30).await;
    assert_eq!(w.row(moved).await.deadline.as_deref(), Some("2027-02-16"));
    assert!(w.view(moved).await.deadline_provisional);

    let admin_a = w.who(w.admin_a).await;
    let root = w.who(w.root_admin).await;
    forbidden(
        w.svc.import_calendar(&admin_a, NOTICE_2027).await,
        "error.only_root_admin",
    );
    forbidden(
        w.svc.moved_deadlines(&admin_a).await,
        "error.only_root_admin",
    );
    assert_eq!(w.svc.import_calendar(&root, NOTICE_2027).await.unwrap(), 9);

    // Dates kept; the one the notice would have moved is flagged, on the matter and in the list.
    assert_eq!(w.row(moved).await.deadline.as_deref(), Some("2027-02-16"));
    let v = w.view(moved).await;
    assert!(!v.deadline_provisional);
    assert_eq!(v.deadline_moved_to.as_deref(), Some("2027-02-17"));
    let v = w.view(kept).await;
    assert_eq!(w.row(kept).await.deadline.as_deref(), Some("2027-01-04"));
    assert!(!v.deadline_provisional);
    assert_eq!(v.deadline_moved_to, None);
    let list = w.svc.moved_deadlines(&root).await.unwrap();
    assert_eq!(
        list.iter()
            .map(|r| (r.matter_id, r.deadline.as_str(), r.moved_to.as_str()))
            .collect::<Vec<_>>(),
        vec![(moved, "2027-02-16", "2027-02-17")]
    );
    // New deadlines follow the notice and are not provisional.
    let after = w.due_in("节后走访", 30).await;
    assert_eq!(w.row(after).await.deadline.as_deref(), Some("2027-02-17"));
    assert!(!w.view(after).await.deadline_provisional);
    let year = w.svc.calendar_year(2027).await.unwrap();
    assert!(!year.provisional);
    assert_eq!(year.days.len(), 9);
    assert_eq!(year.days[8].holidays, vec![Holiday::SpringFestival]);

    // Once its deadline changes (an extension), the flag no longer speaks for the matter.
    w.step(w.admin_a, moved, shishi_core::MatterAction::Approve, "")
        .await;
    let ext = w
        .svc
        .request_extension(
            &w.who(w.handler_a1).await,
            moved,
            "2027-02-17",
            "按正式放假安排顺延",
        )
        .await
        .unwrap();
    w.svc
        .decide_extension(&admin_a, ext.id, &approve())
        .await
        .unwrap();
    assert_eq!(w.row(moved).await.deadline.as_deref(), Some("2027-02-17"));
    assert_eq!(w.view(moved).await.deadline_moved_to, None);
    assert!(w.svc.moved_deadlines(&root).await.unwrap().is_empty());
    w.assert_audit_intact().await;
}
both_backends!(
    confirming_a_year_keeps_deadlines_and_flags_those_it_moves_on,
    confirming_a_year_keeps_deadlines_and_flags_those_it_moves
);

async fn a_provisional_year_is_confirmed_as_computed_or_by_one_day(backend: Backend) {
    let w = World::new(backend).await;
    w.on(2026, 12, 29);
    let m = w.due_in("元旦前后检修路灯", 3).await;
    let root = w.who(w.root_admin).await;
    let admin_a = w.who(w.admin_a).await;

    let y = w.svc.calendar_year(2027).await.unwrap();
    assert!(y.provisional);
    let spring: Vec<&str> = y
        .days
        .iter()
        .filter(|d| d.holidays.contains(&Holiday::SpringFestival))
        .map(|d| d.day.as_str())
        .collect();
    assert_eq!(
        spring,
        [
            "2027-02-05",
            "2027-02-06",
            "2027-02-07",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10"
        ]
    );
    assert!(
        y.days
            .iter()
            .any(|d| d.day == "2027-09-15" && d.holidays == [Holiday::MidAutumn])
    );

    forbidden(
        w.svc.confirm_calendar_year(&admin_a, 2027).await,
        "error.only_root_admin",
    );
    assert_eq!(
        invalid(w.svc.confirm_calendar_year(&root, 2101).await),
        pairs(&[("year", "error.calendar_year")])
    );
    let n = w.svc.confirm_calendar_year(&root, 2027).await.unwrap();
    assert_eq!(n, y.days.len());
    conflict(
        w.svc.confirm_calendar_year(&root, 2027).await,
        "error.calendar_confirmed",
    );
    let confirmed = w.svc.calendar_year(2027).await.unwrap();
    assert!(!confirmed.provisional);
    assert_eq!(confirmed.days.len(), y.days.len());
    let v = w.view(m).await;
    assert!(!v.deadline_provisional);
    assert_eq!(v.deadline_moved_to, None, "the same days move nothing");

    // One day entered for 2028 confirms 2028 with that day only; the festival is data.
    assert_eq!(
        invalid(
            w.svc
                .set_calendar_day(&root, "2028-02-19", "workday", "", Some("chunjie"))
                .await
        ),
        pairs(&[("holiday", "error.choice")])
    );
    assert_eq!(
        invalid(
            w.svc
                .set_calendar_day(&root, "2101-01-01", "holiday", "元旦", None)
                .await
        ),
        pairs(&[("day", "error.calendar_year")])
    );
    assert!(w.svc.calendar_year(2028).await.unwrap().provisional);
    w.svc
        .set_calendar_day(&root, "2028-02-19", "workday", "", Some("spring_festival"))
        .await
        .unwrap();
    let y = w.svc.calendar_year(2028).await.unwrap();
    assert!(!y.provisional);
    assert_eq!(y.days.len(), 1);
    assert_eq!(y.days[0].name, "春节");
    assert_eq!(y.days[0].holidays, vec![Holiday::SpringFestival]);
    assert!(w.svc.calendar().is_working_day(date(2028, 2, 19)));
    // A name is read for its festival when no code is given.
    w.svc
        .set_calendar_day(&root, "2028-10-01", "holiday", "国庆节、中秋节", None)
        .await
        .unwrap();
    let y = w.svc.calendar_year(2028).await.unwrap();
    assert_eq!(
        y.days[1].holidays,
        vec![Holiday::MidAutumn, Holiday::NationalDay]
    );
    w.assert_audit_intact().await;
}
both_backends!(
    a_provisional_year_is_confirmed_as_computed_or_by_one_day_on,
    a_provisional_year_is_confirmed_as_computed_or_by_one_day
);

async fn admins_are_reminded_from_december_once_per_year_and_person(backend: Backend) {
    let w = World::new(backend).await;
    w.on(2026, 11, 30);
    w.svc.sweep_calendar().await.unwrap();
    assert_eq!(
        w.notes_on("calendar_confirm", 2027).await,
        0,
        "not before December"
    );

    w.on(2026, 12, 1);
    w.svc.sweep_calendar().await.unwrap();
    w.svc.sweep_calendar().await.unwrap();
    assert_eq!(
        w.notified("calendar_confirm", 2027).await,
        vec![w.root_admin]
    );
    // Through the worker too: the job exists and runs, and tells nobody twice.
    w.worker("calendar-test").drain().await.unwrap();
    assert!(w.jobs().await.iter().any(|j| j.name == "calendar"));
    assert_eq!(w.notes_on("calendar_confirm", 2027).await, 1);
    assert_eq!(
        w.notes(w.admin_a, "calendar_confirm").await,
        0,
        "unit admins are not asked"
    );

    // A system admin added later in December is reminded once too.
    let root = w.who(w.root_admin).await;
    let second = w
        .svc
        .create_user(
            &root,
            &UserInput {
                username: "admin2".into(),
                display_name: "第二系统管理员".into(),
                unit_id: w.root,
                password: PASSWORD.into(),
                active: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    w.svc
        .add_grant(&root, second, Role::SystemAdmin.code(), w.root)
        .await
        .unwrap();
    w.on(2026, 12, 10);
    w.svc.sweep_calendar().await.unwrap();
    w.svc.sweep_calendar().await.unwrap();
    assert_eq!(
        w.notified("calendar_confirm", 2027).await,
        sorted(vec![w.root_admin, second])
    );

    // Once 2027 is entered, nobody else is asked about it.
    w.svc.confirm_calendar_year(&root, 2027).await.unwrap();
    let third = w
        .svc
        .create_user(
            &root,
            &UserInput {
                username: "admin3".into(),
                display_name: "第三系统管理员".into(),
                unit_id: w.root,
                password: PASSWORD.into(),
                active: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    w.svc
        .add_grant(&root, third, Role::SystemAdmin.code(), w.root)
        .await
        .unwrap();
    w.on(2026, 12, 20);
    w.svc.sweep_calendar().await.unwrap();
    assert_eq!(w.notes(third, "calendar_confirm").await, 0);
    assert_eq!(w.notes_on("calendar_confirm", 2027).await, 2);
}
both_backends!(
    admins_are_reminded_from_december_once_per_year_and_person_on,
    admins_are_reminded_from_december_once_per_year_and_person
);
