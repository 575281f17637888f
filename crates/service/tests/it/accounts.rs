//! Accounts: the organisation never loses its last system admin (by any path, under
//! concurrency too), the command line's way back in, and sign-in throttling that neither tells
//! real names from unknown ones nor lets a stranger lock an owner out.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use shishi_core::Role;
use shishi_service::auth::{SignInClient, SignedIn};
use shishi_service::users::UserInput;
use shishi_service::{ServiceError, ServiceResult};
use shishi_store::{Backend, both_backends};

use crate::support::world::*;

fn from(addr: &str) -> SignInClient {
    SignInClient {
        addr: addr.parse::<IpAddr>().expect("an address"),
        device: None,
    }
}

fn with_device(addr: &str, device: &str) -> SignInClient {
    SignInClient {
        device: Some(device.to_string()),
        ..from(addr)
    }
}

#[track_caller]
fn bad_credentials<T>(r: ServiceResult<T>) {
    let e = err(r);
    assert!(
        matches!(&e, ServiceError::Unauthenticated(k) if k == "error.bad_credentials"),
        "expected a wrong-credentials answer, got {e:?}"
    );
}

#[track_caller]
fn throttled<T>(r: ServiceResult<T>) -> i64 {
    match err(r) {
        ServiceError::Throttled(s) => s,
        e => panic!("expected Throttled, got {e:?}"),
    }
}

impl World {
    async fn sign_in(
        &self,
        name: &str,
        password: &str,
        client: &SignInClient,
    ) -> ServiceResult<SignedIn> {
        self.svc.sign_in(name, password, client).await
    }

    /// Active system admins of the whole organisation.
    async fn root_admins(&self) -> i64 {
        let mut conn = self.db.store.read().await.unwrap();
        shishi_store::users::active_root_holders(&mut conn, Role::SystemAdmin.code())
            .await
            .unwrap()
    }

    async fn is_active(&self, id: i64) -> bool {
        let mut conn = self.db.store.read().await.unwrap();
        shishi_store::users::get(&mut conn, id)
            .await
            .unwrap()
            .active
            == 1
    }

    /// A second system admin of the whole organisation, 甲公司's admin.
    async fn second_root_admin(&self) -> i64 {
        self.svc
            .add_grant(
                &self.who(self.root_admin).await,
                self.admin_a,
                Role::SystemAdmin.code(),
                self.root,
            )
            .await
            .unwrap()
            .id
    }

    async fn set_active(&self, by: i64, id: i64, active: bool) -> ServiceResult<()> {
        let (user, _) = self.svc.user(&self.who(by).await, id).await?;
        self.svc
            .update_user(
                &self.who(by).await,
                id,
                &UserInput {
                    username: user.username,
                    display_name: user.display_name,
                    unit_id: user.unit_id,
                    active,
                    ..Default::default()
                },
            )
            .await
            .map(|_| ())
    }

    /// `(actor_id, details)` of the audit events of one action, oldest first.
    async fn audit_of(&self, action: &str) -> Vec<(Option<i64>, Option<i64>, String)> {
        let mut conn = self.db.store.read().await.unwrap();
        sqlx::query_as(
            "SELECT actor_id, entity_id, details FROM audit_events WHERE action = $1 ORDER BY seq",
        )
        .bind(action)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    }
}

// =============================================================================================
// The last system admin
// =============================================================================================

async fn the_last_root_admin_stays(backend: Backend) {
    let w = World::new(backend).await;
    let admin = w.who(w.root_admin).await;
    let grants_of = |id: i64| {
        let svc = w.svc.clone();
        let admin = admin.clone();
        async move { svc.user(&admin, id).await.unwrap().1 }
    };
    let own_grant = grants_of(w.root_admin).await[0].id;

    // The only one cannot deactivate themselves, nor revoke their own role; nothing changed.
    conflict(
        w.set_active(w.root_admin, w.root_admin, false).await,
        "error.last_root_admin",
    );
    conflict(
        w.svc.remove_grant(&admin, own_grant).await,
        "error.own_admin_grant",
    );
    assert!(w.is_active(w.root_admin).await);
    assert_eq!(w.root_admins().await, 1);

    // A system admin of one subsidiary, or an inactive person holding the role, is no second.
    w.svc
        .add_grant(&admin, w.admin_b, Role::SystemAdmin.code(), w.b)
        .await
        .unwrap();
    let dormant = w
        .svc
        .add_grant(&admin, w.sup_b, Role::SystemAdmin.code(), w.root)
        .await
        .unwrap();
    w.set_active(w.root_admin, w.sup_b, false).await.unwrap();
    conflict(
        w.set_active(w.root_admin, w.root_admin, false).await,
        "error.last_root_admin",
    );

    // With a second one, either may go, but not both.
    let second = w.second_root_admin().await;
    w.set_active(w.root_admin, w.admin_a, false).await.unwrap();
    conflict(
        w.set_active(w.root_admin, w.root_admin, false).await,
        "error.last_root_admin",
    );
    w.set_active(w.root_admin, w.admin_a, true).await.unwrap();
    w.set_active(w.root_admin, w.root_admin, false)
        .await
        .unwrap();
    assert!(!w.is_active(w.root_admin).await);
    conflict(
        w.set_active(w.admin_a, w.admin_a, false).await,
        "error.last_root_admin",
    );
    w.set_active(w.admin_a, w.root_admin, true).await.unwrap();

    // Revoking the role counts the same way. 甲公司's admin, signed in while a root admin, is
    // deactivated meanwhile; their stale session cannot revoke the last active one's role.
    let stale = w.who(w.admin_a).await;
    w.set_active(w.root_admin, w.admin_a, false).await.unwrap();
    conflict(
        w.svc.remove_grant(&stale, own_grant).await,
        "error.last_root_admin",
    );
    assert_eq!(
        grants_of(w.root_admin).await.len(),
        1,
        "nothing was revoked"
    );
    // Back and active, they may: one root admin remains, and is then the last.
    w.set_active(w.root_admin, w.admin_a, true).await.unwrap();
    w.svc
        .remove_grant(&w.who(w.admin_a).await, own_grant)
        .await
        .unwrap();
    assert!(!w.who(w.root_admin).await.is_root_admin());
    conflict(
        w.set_active(w.admin_a, w.admin_a, false).await,
        "error.last_root_admin",
    );
    conflict(
        w.svc.remove_grant(&w.who(w.admin_a).await, second).await,
        "error.own_admin_grant",
    );
    // The dormant grant of an inactive person counted for nothing; revoking it is fine.
    w.svc
        .remove_grant(&w.who(w.admin_a).await, dormant.id)
        .await
        .unwrap();
    assert_eq!(w.root_admins().await, 1);
    w.assert_audit_intact().await;
}
both_backends!(the_last_root_admin_stays_on, the_last_root_admin_stays);

/// Two root admins deactivating each other (or one revoking the other's role) at the same
/// moment: one wins, the other is refused, and one active root admin always remains.
async fn admins_removing_each_other_at_once_leave_one(backend: Backend) {
    let w = World::new(backend).await;
    let root_grant = |a: &shishi_service::Actor| {
        a.grants
            .iter()
            .find(|g| g.role == Role::SystemAdmin.code() && g.unit_id == w.root)
            .map(|g| g.id)
            .expect("a root admin")
    };
    for round in 0..12 {
        // Both active root admins again.
        for name in ["admin", "admin_a"] {
            w.svc.grant_root_admin_from_cli(name).await.unwrap();
        }
        assert_eq!(w.root_admins().await, 2, "round {round}");
        let first = w.who(w.root_admin).await;
        let second = w.who(w.admin_a).await;
        let (first_grant, second_grant) = (root_grant(&first), root_grant(&second));
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let run = |by: shishi_service::Actor, target: i64, grant: i64| {
            let svc = w.svc.clone();
            let start = start.clone();
            let by_grant = round % 2 == 1;
            async move {
                let (user, _) = svc.user(&by, target).await.unwrap();
                start.wait().await;
                if by_grant {
                    svc.remove_grant(&by, grant).await
                } else {
                    svc.update_user(
                        &by,
                        target,
                        &UserInput {
                            username: user.username,
                            display_name: user.display_name,
                            unit_id: user.unit_id,
                            active: false,
                            ..Default::default()
                        },
                    )
                    .await
                    .map(|_| ())
                }
            }
        };
        let a = tokio::spawn(run(first, w.admin_a, second_grant));
        let b = tokio::spawn(run(second, w.root_admin, first_grant));
        let results = [a.await.unwrap(), b.await.unwrap()];
        let refused = results
            .iter()
            .filter(|r| matches!(r, Err(ServiceError::Conflict(k)) if k == "error.last_root_admin"))
            .count();
        assert_eq!(
            (results.iter().filter(|r| r.is_ok()).count(), refused),
            (1, 1),
            "round {round}: exactly one wins, got {results:?}"
        );
        assert_eq!(w.root_admins().await, 1, "round {round}");
    }
    w.assert_audit_intact().await;
}
both_backends!(
    admins_removing_each_other_at_once_leave_one_on,
    admins_removing_each_other_at_once_leave_one
);

// =============================================================================================
// The command line's way back in
// =============================================================================================

async fn the_command_line_restores_an_admin(backend: Backend) {
    let w = World::new(backend).await;
    // The state issue 10 found: the only system admin deactivated (by an older version, or
    // behind the application's back).
    {
        let mut tx = w.db.store.write().await.unwrap();
        sqlx::query("UPDATE users SET active = 0 WHERE id = $1")
            .bind(w.root_admin)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(w.root_admins().await, 0);
    bad_credentials(w.svc.authenticate("admin", PASSWORD).await);

    not_found(w.svc.grant_root_admin_from_cli("nobody").await);
    let done = w.svc.grant_root_admin_from_cli(" Admin ").await.unwrap();
    assert!(done.reactivated && !done.granted);
    assert!(
        w.svc
            .authenticate("admin", PASSWORD)
            .await
            .unwrap()
            .is_root_admin()
    );
    // A member becomes a root admin; asked again, nothing changes and nothing is recorded.
    let done = w.svc.grant_root_admin_from_cli(BYSTANDER.0).await.unwrap();
    assert!(!done.reactivated && done.granted);
    assert!(w.who(w.bystander).await.is_root_admin());
    let events = w.audit_events().await;
    let done = w.svc.grant_root_admin_from_cli(BYSTANDER.0).await.unwrap();
    assert!(!done.reactivated && !done.granted);
    assert_eq!(w.audit_events().await, events);

    // Password resets: checked, end the sessions, lift the lock on the name.
    let session = w.svc.login("handler_a1", PASSWORD).await.unwrap();
    for _ in 0..6 {
        let _ = w.svc.authenticate("handler_a1", "wrong-password").await;
    }
    throttled(w.svc.authenticate("handler_a1", PASSWORD).await);
    assert!(matches!(
        w.svc.reset_password_from_cli("handler_a1", "short").await,
        Err(ServiceError::Invalid(_))
    ));
    not_found(
        w.svc
            .reset_password_from_cli("nobody", "long-enough-1")
            .await,
    );
    w.svc
        .reset_password_from_cli("handler_a1", "new-password-1")
        .await
        .unwrap();
    assert!(w.svc.session(&session.token).await.is_err(), "sessions end");
    bad_credentials(w.svc.authenticate("handler_a1", PASSWORD).await);
    assert_eq!(
        w.svc
            .authenticate("handler_a1", "new-password-1")
            .await
            .unwrap()
            .id(),
        w.handler_a1
    );

    // Recorded without an actor, as from the command line.
    for (action, times) in [("admin_granted", 2), ("password_reset", 1)] {
        let events = w.audit_of(action).await;
        assert_eq!(events.len(), times, "{action}");
        for (actor, _, details) in events {
            assert_eq!(actor, None);
            assert!(details.contains("\"via\":\"command_line\""), "{details}");
        }
    }
    w.assert_audit_intact().await;
}
both_backends!(
    the_command_line_restores_an_admin_on,
    the_command_line_restores_an_admin
);

// =============================================================================================
// Sign-in throttling
// =============================================================================================

/// A real name and an unknown one answer alike: the same refusals, the same lock after the same
/// number of attempts, the same kind of record.
async fn real_and_unknown_names_answer_alike(backend: Backend) {
    let w = World::new(backend).await;
    let x = from("10.0.0.7");
    for name in ["handler_a1", "no_such_person"] {
        for _ in 0..shishi_service::auth::FREE_ATTEMPTS {
            bad_credentials(w.sign_in(name, "wrong-password", &x).await);
        }
        assert_eq!(
            throttled(w.sign_in(name, "wrong-password", &x).await),
            30,
            "{name}"
        );
        assert_eq!(throttled(w.sign_in(name, PASSWORD, &x).await), 30, "{name}");
    }
    // Each failure was recorded, with the account when there is one, without any actor.
    let failed = w.audit_of("login_failed").await;
    assert_eq!(failed.len(), 10);
    assert!(failed.iter().all(|(actor, _, _)| actor.is_none()));
    assert_eq!(
        failed
            .iter()
            .filter(|(_, e, _)| *e == Some(w.handler_a1))
            .count(),
        5
    );
    // An inactive account answers like a wrong password, and is counted the same.
    w.set_active(w.root_admin, w.bystander, false)
        .await
        .unwrap();
    bad_credentials(w.sign_in(BYSTANDER.0, PASSWORD, &x).await);
    // The lock grows with every attempt after it, and ends.
    w.clock.set(w.now() + 30_001);
    bad_credentials(w.sign_in("handler_a1", "wrong-password", &x).await);
    assert_eq!(throttled(w.sign_in("handler_a1", PASSWORD, &x).await), 60);
    w.clock.set(w.now() + 60_001);
    assert!(w.sign_in("handler_a1", PASSWORD, &x).await.is_ok());
    // A day later the unknown name's count is forgotten: five free attempts again.
    w.clock.set(w.now() + 24 * 3600 * 1000 + 1);
    for _ in 0..shishi_service::auth::FREE_ATTEMPTS {
        bad_credentials(w.sign_in("no_such_person", "wrong-password", &x).await);
    }
    throttled(w.sign_in("no_such_person", "wrong-password", &x).await);
    w.assert_audit_intact().await;
}
both_backends!(
    real_and_unknown_names_answer_alike_on,
    real_and_unknown_names_answer_alike
);

/// A stranger's failures lock the account for strangers only: its owner, on a client that
/// signed in before (the device cookie), still gets in.
async fn a_stranger_cannot_lock_the_owner_out(backend: Backend) {
    let w = World::new(backend).await;
    let office = "10.1.1.1";
    let device = w
        .sign_in("handler_a1", PASSWORD, &from(office))
        .await
        .unwrap()
        .device;
    let stranger = from("203.0.113.9");
    for _ in 0..6 {
        let _ = w.sign_in("handler_a1", "guess", &stranger).await;
    }
    throttled(w.sign_in("handler_a1", PASSWORD, &stranger).await);
    // Another stranger, or the owner on a new browser, waits too …
    throttled(w.sign_in("handler_a1", PASSWORD, &from(office)).await);
    // … but the owner's own browser gets in, from anywhere, and again.
    let again = w
        .sign_in("handler_a1", PASSWORD, &with_device(office, &device))
        .await
        .unwrap();
    assert_eq!(again.actor.id(), w.handler_a1);
    assert!(
        w.sign_in(
            "handler_a1",
            PASSWORD,
            &with_device("203.0.113.9", &again.device)
        )
        .await
        .is_ok()
    );
    // The owner's success does not give the stranger new tries.
    throttled(w.sign_in("handler_a1", PASSWORD, &stranger).await);
    // A device cookie is good for its own account only, and cannot be forged.
    throttled(
        w.sign_in("handler_a1", PASSWORD, &with_device(office, "1.abc.def"))
            .await,
    );
    let other = w
        .sign_in("clerk_a1", PASSWORD, &from(office))
        .await
        .unwrap()
        .device;
    throttled(
        w.sign_in("handler_a1", PASSWORD, &with_device(office, &other))
            .await,
    );

    // A trusted device that keeps failing (a stolen cookie) is trusted no more: its tries
    // then count with the strangers', which are locked.
    let owner = with_device(office, &again.device);
    for _ in 0..shishi_service::auth::FREE_ATTEMPTS {
        bad_credentials(w.sign_in("handler_a1", "guess", &owner).await);
    }
    throttled(w.sign_in("handler_a1", PASSWORD, &owner).await);
    w.assert_audit_intact().await;
}
both_backends!(
    a_stranger_cannot_lock_the_owner_out_on,
    a_stranger_cannot_lock_the_owner_out
);

/// One address trying many names is held back whatever the names; trusted devices behind the
/// same address (an office's one address) are not, and successes do not count.
async fn an_address_spraying_names_is_held_back(backend: Backend) {
    let w = World::new(backend).await;
    let nat = "198.51.100.20";
    let device = w
        .sign_in(COSIGNER_1.0, PASSWORD, &from(nat))
        .await
        .unwrap()
        .device;
    // Successes give their count back: many people sign in through one address every day.
    for _ in 0..40 {
        w.sign_in("handler_a1", PASSWORD, &from(nat)).await.unwrap();
    }
    for i in 0..30 {
        bad_credentials(w.sign_in(&format!("guess{i}"), "guess", &from(nat)).await);
    }
    throttled(w.sign_in("handler_a1", PASSWORD, &from(nat)).await);
    throttled(w.sign_in("another_guess", "guess", &from(nat)).await);
    // Another address is not held back, nor a trusted browser behind this one.
    assert!(
        w.sign_in("handler_a1", PASSWORD, &from("198.51.100.21"))
            .await
            .is_ok()
    );
    assert!(
        w.sign_in(COSIGNER_1.0, PASSWORD, &with_device(nat, &device))
            .await
            .is_ok()
    );
    // IPv6 clients count by their /64.
    for i in 0..30 {
        let addr = format!("2001:db8:5:6::{:x}", i + 1);
        bad_credentials(
            w.sign_in(&format!("v6guess{i}"), "guess", &from(&addr))
                .await,
        );
    }
    throttled(
        w.sign_in("handler_a1", PASSWORD, &from("2001:db8:5:6::ffff"))
            .await,
    );
    assert!(
        w.sign_in("handler_a1", PASSWORD, &from("2001:db8:5:7::1"))
            .await
            .is_ok()
    );
}
both_backends!(
    an_address_spraying_names_is_held_back_on,
    an_address_spraying_names_is_held_back
);

/// Attempts are counted before the password is checked, so a burst of simultaneous guesses
/// gets no more checks than the free attempts.
async fn a_burst_of_guesses_gets_the_free_attempts_only(backend: Backend) {
    let w = World::new(backend).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let svc = w.svc.clone();
        tasks.push(tokio::spawn(async move {
            svc.sign_in("handler_a1", &format!("guess{i}"), &from("192.0.2.1"))
                .await
                .err()
        }));
    }
    let mut checked = 0;
    for t in tasks {
        match t.await.unwrap() {
            Some(ServiceError::Unauthenticated(_)) => checked += 1,
            Some(ServiceError::Throttled(_)) => {}
            other => panic!("got {other:?}"),
        }
    }
    assert_eq!(checked, shishi_service::auth::FREE_ATTEMPTS);
    assert_eq!(w.audit_of("login_failed").await.len(), 5);
    throttled(w.sign_in("handler_a1", PASSWORD, &from("192.0.2.2")).await);
}
both_backends!(
    a_burst_of_guesses_gets_the_free_attempts_only_on,
    a_burst_of_guesses_gets_the_free_attempts_only
);

/// Measures, without asserting (times vary with the machine), how long a wrong password for a
/// real name and any password for an unknown name take. Run with `--nocapture` to read them.
async fn real_and_unknown_names_take_about_as_long(backend: Backend) {
    let w = World::new(backend).await;
    let rounds = 20;
    let (mut real, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // A day apart, so that no count locks and every attempt does the whole work.
        w.clock.set(w.now() + 25 * 3600 * 1000);
        let client = from("10.9.9.9");
        let unknown_name = format!("nobody{}", i % 3);
        // Taken in turns, so that the first of a round (which prunes old counts) is either.
        let order = if i % 2 == 0 {
            [("handler_a1", true), (unknown_name.as_str(), false)]
        } else {
            [(unknown_name.as_str(), false), ("handler_a1", true)]
        };
        for (name, is_real) in order {
            let t = Instant::now();
            bad_credentials(w.sign_in(name, "wrong-password", &client).await);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if is_real {
                real.push(ms)
            } else {
                unknown.push(ms)
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "sign-in timing on {backend:?} ({rounds} rounds): real name, wrong password: median {:.1} ms, mean {:.1} ms; unknown name: median {:.1} ms, mean {:.1} ms",
        median(&mut real),
        mean(&real),
        median(&mut unknown),
        mean(&unknown),
    );
}
both_backends!(
    real_and_unknown_names_take_about_as_long_on,
    real_and_unknown_names_take_about_as_long
);
