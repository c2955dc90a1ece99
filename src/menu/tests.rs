use super::*;
use crate::config::{DbUrl, PoolSize};
use crate::model::{CustomerStatus, NewCustomer, SubscriberKey};
use std::cell::RefCell;
use std::rc::Rc;

/// What the menu printed, kept after the menu is gone.
#[derive(Clone, Default)]
struct Screen(Rc<RefCell<Vec<u8>>>);

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn store() -> Store {
    let store = Store::open(&DbUrl::SqliteMemory, PoolSize::default()).unwrap();
    let mut new = NewCustomer::bare(SubscriberKey::parse("customer", "447700900123").unwrap());
    new.status = CustomerStatus::Active;
    store.add_customer(&new).unwrap();
    store
}

/// Runs the menu on `typed` (one answer per line); the screen and the number of calls stored.
fn session(typed: &str) -> (String, i64) {
    let store = store();
    let screen = Screen::default();
    let mut session = Session::new(store, Zone::utc(), crate::metric::Metrics::new(None));
    let store = Arc::clone(session.store());
    let mut menu = Menu::new(
        &mut session,
        Box::new(std::io::Cursor::new(typed.to_string())),
        Box::new(screen.clone()),
    );
    menu.main_loop();
    let calls = store
        .read(|c| Ok(c.query("SELECT COUNT(*) FROM calls", &[])?))
        .unwrap()
        .rows[0][0]
        .as_i64()
        .unwrap();
    let shown = String::from_utf8(screen.0.borrow().clone()).unwrap();
    (shown, calls)
}

const CALL: &str = "447700900123\nout\n+447700900456\n2026-11-20 10:00\n2m\n";

#[test]
fn a_confirmed_call_is_stored_once() {
    let (shown, calls) = session(&format!("1\n{CALL}y\n0\n"));
    assert_eq!(calls, 1, "{shown}");
    assert!(
        shown.contains("Saved: call 1: 447700900123 out 447700900456"),
        "{shown}"
    );
}

#[test]
fn b_goes_back_one_question_and_q_returns_to_the_menu() {
    // b at the direction re-asks the customer; q at the duration leaves without storing.
    let (shown, calls) =
        session("1\n447700900123\nb\n447700900123\nin\n+447700900456\nnow\nq\n0\n");
    assert_eq!(calls, 0);
    assert_eq!(
        shown.matches("Customer (subscriber key").count(),
        2,
        "{shown}"
    );
    assert!(
        shown.matches("tally menu").count() >= 2,
        "back at the menu: {shown}"
    );
}

#[test]
fn bad_answers_are_asked_again_with_the_reason() {
    let (shown, calls) = session(
        "1\n447700999999\n447700900123\nsideways\nout\n+447700900456\nnow\n25h\n2m\ny\n0\n",
    );
    assert_eq!(calls, 1, "{shown}");
    assert!(
        shown.contains(
            "not valid: no customer 447700999999; add them first with 9 Manage customers"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("not valid: invalid direction \"sideways\""),
        "{shown}"
    );
    assert!(
        shown.contains("not valid: invalid duration \"25h\""),
        "{shown}"
    );
}

#[test]
fn no_at_the_confirmation_stores_nothing_and_b_changes_the_last_answer() {
    let (shown, calls) = session(&format!("1\n{CALL}n\n0\n"));
    assert_eq!(calls, 0);
    assert!(shown.contains("Not saved."), "{shown}");
    let (shown, calls) = session(&format!("1\n{CALL}b\n3m\ny\n0\n"));
    assert_eq!(calls, 1);
    assert!(shown.contains("3m0s, answered"), "{shown}");
}

#[test]
fn the_end_of_input_closes_the_menu_and_unknown_choices_are_explained() {
    let (shown, calls) = session("42\n1\n447700900123\n");
    assert_eq!(calls, 0);
    assert!(shown.contains("`42` is not on the menu"), "{shown}");
}

#[test]
fn customers_are_added_and_their_status_changed() {
    let (shown, _) =
        session("9\n1\n447700900777\nAda Lovelace\n-\nNorth\ny\n4\n447700900777\n2\ny\n0\n0\n");
    assert!(shown.contains("Saved: customer 447700900777"), "{shown}");
    assert!(
        shown.contains("Saved: 447700900777 is now suspended"),
        "{shown}"
    );
}

#[test]
fn a_report_from_the_menu_may_not_store_records() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("logs.tally");
    std::fs::write(
        &report,
        "log call 447700900123 out 447700900456 --duration 60\nsummary\n",
    )
    .unwrap();
    let (shown, calls) = session(&format!("8\n{}\n\n\n0\n", report.display()));
    assert_eq!(calls, 0, "{shown}");
    assert!(shown.contains("The report stopped: "), "{shown}");
    assert!(shown.contains("run it with `tally run`"), "{shown}");
}
