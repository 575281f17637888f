//! The demo organisation: loaded once, complete, consistent, in scope, and loaded only once.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::Duration;
use shishi_core::Role;
use shishi_core::demand::{Channel, DemandStatus};
use shishi_core::matter::MatterStatus;
use shishi_service::demands::{DemandView, InboxFilter};
use shishi_service::demo::DEMO_PASSWORD;
use shishi_service::matters::LedgerFilter;
use shishi_service::{Clock, ServiceError, Services};
use shishi_store::audit::{self, VerifyOutcome};
use shishi_store::testing::TestDb;
use shishi_store::{Backend, both_backends};

fn all() -> LedgerFilter {
    LedgerFilter {
        per_page: Some(200),
        ..Default::default()
    }
}

async fn audit_events(services: &Services) -> i64 {
    let mut conn = services.store.read().await.unwrap();
    match audit::verify(&mut conn).await.unwrap() {
        VerifyOutcome::Intact { events } => events,
        broken => panic!("audit chain broken after the demo: {broken:?}"),
    }
}

/// Every demand the actor's inbox holds, page by page.
async fn all_demands(services: &Services, actor: &shishi_service::Actor) -> Vec<DemandView> {
    let mut out = Vec::new();
    for page in 1.. {
        let f = InboxFilter {
            page: Some(page),
            per_page: Some(200),
            ..Default::default()
        };
        let p = services.inbox(actor, &f).await.unwrap();
        let done = p.items.len() < 200;
        out.extend(p.items);
        if done {
            assert_eq!(out.len() as i64, p.total);
            return out;
        }
    }
    unreachable!()
}

async fn demo_is_complete_and_loads_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let services = Services::new(db.store.clone(), Clock::system())
        .await
        .unwrap();

    let started = Instant::now();
    let report = services.load_demo().await.unwrap();
    eprintln!("{backend:?}: demo loaded in {:?}", started.elapsed());
    assert!(report.loaded);

    // Every printed login signs in with the demo password.
    let mut logins = HashSet::new();
    let mut actors = HashMap::new();
    for (user, what) in &report.logins {
        assert!(!what.trim().is_empty(), "{user} says what they are");
        assert!(logins.insert(user.clone()), "{user} printed twice");
        let actor = services
            .authenticate(user, DEMO_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{user} cannot sign in: {e}"));
        actors.insert(user.clone(), actor);
    }
    for user in [
        "admin",
        "leader",
        "unitadmin",
        "sub1admin",
        "supervisor",
        "clerk",
        "member",
        "handler1",
        "handler2",
    ] {
        assert!(logins.contains(user), "{user} is among the logins");
    }
    let admin = &actors["admin"];

    // Every role is held by somebody.
    let roles: HashSet<Role> = actors
        .values()
        .flat_map(|a| a.grants.iter())
        .filter_map(|g| Role::from_code(&g.role))
        .collect();
    for role in Role::ALL {
        assert!(roles.contains(&role), "nobody is {role:?}");
    }

    // The tree: a group, three subsidiaries, about fifteen units below them.
    let units = services.visible_units(admin).await.unwrap();
    let subsidiaries: Vec<_> = units.iter().filter(|u| u.kind == "subsidiary").collect();
    assert_eq!(subsidiaries.len(), 3);
    let below = units
        .iter()
        .filter(|u| {
            subsidiaries
                .iter()
                .any(|s| u.path.starts_with(&s.path) && u.id != s.id)
        })
        .count();
    assert!(
        (12..=20).contains(&below),
        "{below} units below the subsidiaries"
    );

    assert!(services.campaigns(admin).await.unwrap().len() >= 2);

    // About sixty matters, in every state and content area, with the five determinations.
    let ledger = services.ledger(admin, &all()).await.unwrap();
    assert!(
        (55..=70).contains(&ledger.total),
        "{} matters in the demo",
        ledger.total
    );
    assert_eq!(ledger.items.len() as i64, ledger.total);
    eprintln!(
        "{backend:?}: {} matters, {} overdue, {} at risk, {:?}",
        ledger.total, ledger.overdue, ledger.at_risk, ledger.summary.by_status
    );
    let statuses: HashSet<&str> = ledger.items.iter().map(|m| m.row.status.as_str()).collect();
    for s in MatterStatus::ALL {
        assert!(statuses.contains(s.code()), "no matter is {}", s.code());
    }
    let used_areas: HashSet<i64> = ledger
        .items
        .iter()
        .filter_map(|m| m.row.content_area_id)
        .collect();
    for area in services.content_areas().await.unwrap() {
        assert!(used_areas.contains(&area.id), "area {} unused", area.code);
    }
    let handlers: HashSet<i64> = actors
        .values()
        .filter(|a| a.has_role(Role::Handler))
        .map(|a| a.id())
        .collect();
    let mut owners = HashSet::new();
    for m in &ledger.items {
        let r = &m.row;
        let owner = r.owner_id.expect("a responsible person");
        assert!(
            handlers.contains(&owner),
            "{} is owned by a handler",
            r.title
        );
        owners.insert(owner);
        assert!(r.deadline.is_some(), "{} has a deadline", r.title);
        assert!(!r.measures.is_empty() && !r.acceptance_standard.is_empty());
        assert!(r.supervisor_id.is_some(), "{} has a supervisor", r.title);
        assert!(!r.description.is_empty());
        if matches!(r.status.as_str(), "suspended" | "cancelled") {
            assert!(!r.status_reason.is_empty(), "{} says why", r.title);
        }
    }
    assert!(owners.len() >= 2, "several handlers own matters");
    assert!(ledger.items.iter().any(|m| m.row.tags.contains("急难愁盼")));
    let parents: HashSet<i64> = ledger
        .items
        .iter()
        .filter_map(|m| m.row.parent_id)
        .collect();
    assert!(parents.len() >= 2, "some matters are decomposed");

    // Some late, some at risk, and the flags agree with the filter.
    assert!(ledger.overdue >= 3, "{} overdue", ledger.overdue);
    assert!(ledger.at_risk >= 3, "{} at risk", ledger.at_risk);
    let overdue = services
        .ledger(
            admin,
            &LedgerFilter {
                flag: Some("overdue".into()),
                ..all()
            },
        )
        .await
        .unwrap();
    assert_eq!(overdue.total, ledger.overdue);
    assert!(overdue.items.iter().all(|m| m.overdue));
    let at_risk = services
        .ledger(
            admin,
            &LedgerFilter {
                flag: Some("at_risk".into()),
                ..all()
            },
        )
        .await
        .unwrap();
    assert_eq!(at_risk.total, ledger.at_risk);
    assert!(at_risk.items.iter().all(|m| m.at_risk));

    // A matter's page tells its story.
    let closed = ledger
        .items
        .iter()
        .find(|m| m.row.status == "closed")
        .unwrap();
    let detail = services.matter(admin, closed.row.id).await.unwrap();
    assert!(!detail.progress.is_empty());
    let actions: Vec<&str> = detail.history.iter().map(|h| h.action.as_str()).collect();
    for a in [
        "matter_created",
        "matter_approve",
        "matter_start",
        "progress_posted",
        "matter_complete",
        "matter_accept",
        "matter_close",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }

    // A subsidiary's unit admin sees that subsidiary only.
    let sub1admin = &actors["sub1admin"];
    let (_, sub1_path) = sub1admin.read_roots().into_iter().next().unwrap();
    let theirs = services.ledger(sub1admin, &all()).await.unwrap();
    assert!(theirs.total > 0);
    assert!(theirs.total < ledger.total);
    for m in &theirs.items {
        assert!(
            m.row.unit_path.starts_with(&sub1_path),
            "{} is outside the subsidiary",
            m.row.title
        );
    }
    let elsewhere = ledger
        .items
        .iter()
        .find(|m| {
            subsidiaries
                .iter()
                .any(|s| s.path != sub1_path && m.row.unit_path.starts_with(&s.path))
        })
        .expect("a matter of another subsidiary");
    assert!(matches!(
        services.matter(sub1admin, elsewhere.row.id).await,
        Err(ServiceError::NotFound)
    ));

    // About three hundred demands, from every channel and in every state.
    let demands = all_demands(&services, admin).await;
    let total = demands.len();
    assert!(total >= 250, "{total} demands in the demo");
    let mut by_status: HashMap<&str, usize> = HashMap::new();
    let mut by_channel: HashMap<&str, usize> = HashMap::new();
    for d in &demands {
        *by_status.entry(d.status.as_str()).or_default() += 1;
        *by_channel.entry(d.channel.as_str()).or_default() += 1;
        assert!(!d.title.is_empty() && !d.body.is_empty());
    }
    eprintln!("{backend:?}: {total} demands, {by_status:?}, {by_channel:?}");
    for s in DemandStatus::ALL {
        assert!(
            by_status.get(s.code()).is_some_and(|n| *n >= 5),
            "too few {} demands",
            s.code()
        );
    }
    for c in Channel::ALL {
        assert!(
            by_channel.get(c.code()).is_some_and(|n| *n >= 5),
            "too few {} demands",
            c.code()
        );
    }
    // The inbox filters agree.
    let submitted = services
        .inbox(
            admin,
            &InboxFilter {
                status: vec!["submitted".into()],
                per_page: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(submitted.total as usize, by_status["submitted"]);
    let hotline = services
        .inbox(
            admin,
            &InboxFilter {
                channel: Some("hotline".into()),
                per_page: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(hotline.total as usize, by_channel["hotline"]);

    // Each channel's own fields are there.
    for d in &demands {
        let channel = Channel::from_code(&d.channel).unwrap();
        for (field, required) in channel.fields() {
            if *required {
                assert!(
                    d.channel_details.get(*field).is_some_and(|v| !v.is_empty()),
                    "{} ({}) lacks {field}",
                    d.title,
                    d.channel
                );
            }
        }
    }

    // Adopted demands belong to demo matters; closed ones carry their answer or reason.
    let matter_paths: HashMap<i64, &str> = ledger
        .items
        .iter()
        .map(|m| (m.row.id, m.row.unit_path.as_str()))
        .collect();
    let unit_paths: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.path.as_str())).collect();
    let ids: HashSet<i64> = demands.iter().map(|d| d.id).collect();
    let mut adopted_into = HashSet::new();
    for d in &demands {
        match d.status.as_str() {
            "adopted" => {
                let m = d.matter_id.expect("an adopted demand names its matter");
                let matter_path = matter_paths.get(&m).expect("a demo matter");
                assert!(
                    unit_paths[&d.unit_id].starts_with(matter_path),
                    "{} adopted into a matter of another unit",
                    d.title
                );
                adopted_into.insert(m);
            }
            "merged" => {
                let into = d.merged_into.expect("a merged demand names the other");
                assert!(ids.contains(&into) && into != d.id);
            }
            "answered" => assert!(!d.answer.is_empty(), "{} answered without words", d.title),
            "declined" => {
                assert!(d.decline_reason_id.is_some() && !d.answer.is_empty());
            }
            _ => {}
        }
    }
    assert!(
        adopted_into.len() >= 20,
        "{} matters took demands",
        adopted_into.len()
    );

    // Co-signed, anonymous, transferred, sent back.
    let cosigned = demands.iter().filter(|d| d.cosigners >= 2).count();
    assert!(cosigned >= 20, "{cosigned} demands with co-signers");
    let anonymous: Vec<_> = demands.iter().filter(|d| d.anonymous).collect();
    assert!(anonymous.len() >= 20);
    assert!(anonymous.iter().all(|d| d.submitter_name.is_none()));
    assert!(demands.iter().any(|d| d.submitter_name.is_some()));
    assert!(
        demands
            .iter()
            .filter(|d| d.transferred_from.is_some())
            .count()
            >= 10
    );
    let root = units.iter().find(|u| u.parent_id.is_none()).unwrap();
    let today = services.clock.today();
    let figures = services
        .response_figures(
            admin,
            root.id,
            today - Duration::days(1),
            today + Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(figures.received as usize, total);
    assert!(
        figures.transferred >= 10 && figures.sent_back >= 2,
        "{figures:?}"
    );
    assert!(
        !services
            .my_demands(&actors["member"])
            .await
            .unwrap()
            .is_empty()
    );

    // A subsidiary's clerk and unit admin have work waiting, from their subsidiary only.
    for who in ["clerk1", "sub2admin"] {
        let actor = &actors[who];
        let (_, root_path) = actor.read_roots().into_iter().next().unwrap();
        let waiting = services
            .inbox(
                actor,
                &InboxFilter {
                    status: vec!["submitted".into()],
                    per_page: Some(200),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(waiting.total >= 5, "{who} has {} waiting", waiting.total);
        let theirs = all_demands(&services, actor).await;
        assert!(theirs.len() < total);
        let inside: HashSet<i64> = units
            .iter()
            .filter(|u| u.path.starts_with(&root_path))
            .map(|u| u.id)
            .collect();
        for d in waiting.items.iter().chain(&theirs) {
            assert!(
                inside.contains(&d.unit_id),
                "{who} sees {} of {}",
                d.title,
                d.unit_name
            );
        }
        let outside = demands
            .iter()
            .filter(|d| !inside.contains(&d.unit_id))
            .count();
        assert_eq!(
            theirs.len() + outside,
            total,
            "{who} sees all of its subtree"
        );
    }

    // The audit chain holds, and a second load changes nothing.
    let events = audit_events(&services).await;
    assert!(events > ledger.total * 3, "{events} audit events");
    let again = services.load_demo().await.unwrap();
    assert!(!again.loaded);
    assert_eq!(audit_events(&services).await, events);
    assert_eq!(
        services.ledger(admin, &all()).await.unwrap().total,
        ledger.total
    );
    assert_eq!(
        services.visible_units(admin).await.unwrap().len(),
        units.len()
    );
    assert_eq!(all_demands(&services, admin).await.len(), total);
}
both_backends!(
    demo_is_complete_and_loads_once_on,
    demo_is_complete_and_loads_once
);
