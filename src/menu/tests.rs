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
    for plan in ["Basic", "Data Max"] {
        let price = crate::model::Price::parse("price", "0.01").unwrap();
        let plan = crate::model::NewPlan {
            name: plan.into(),
            per_minute: price,
            per_sms: price,
            per_mb: price,
            monthly_fee: price,
        };
        store.add_plan(&plan).unwrap();
    }
    for (key, name, region) in [
        ("447700900200", "Grace Hopper", "North"),
        ("447700900201", "Ada Byron", "South"),
        ("447700900202", "Ada Lovelace", "South"),
    ] {
        let new = NewCustomer {
            name: Some(name.into()),
            region: Some(region.into()),
            ..NewCustomer::bare(SubscriberKey::parse("customer", key).unwrap())
        };
        store.add_customer(&new).unwrap();
    }
    store
}

/// Runs the menu on `typed` (one answer per line); the screen and the number of calls stored.
fn session(typed: &str) -> (String, i64) {
    let (shown, calls, _) = session_with_answers(typed);
    (shown, calls)
}

/// As `session`, with what went where answers go (a report's tables) too.
fn session_with_answers(typed: &str) -> (String, i64, String) {
    let store = store();
    let screen = Screen::default();
    let mut session = Session::new(store, Zone::utc(), crate::metric::Metrics::new(None));
    let answers = tempfile::NamedTempFile::new().unwrap();
    session.output.set_file(Some(answers.path())).unwrap();
    let store = Arc::clone(session.store());
    let mut menu = Menu::new(
        &mut session,
        Box::new(std::io::Cursor::new(typed.to_string())),
        Box::new(screen.clone()),
    );
    menu.main_loop();
    drop(menu);
    let calls = store
        .read(|c| Ok(c.query("SELECT COUNT(*) FROM calls", &[])?))
        .unwrap()
        .rows[0][0]
        .as_i64()
        .unwrap();
    let shown = String::from_utf8(screen.0.borrow().clone()).unwrap();
    // Back to the screen: the file is complete.
    session.output.set_file(None).unwrap();
    (
        shown,
        calls,
        std::fs::read_to_string(answers.path()).unwrap(),
    )
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
        shown
            .matches("Customer (subscriber key, its start, or part of the name)")
            .count(),
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
            "not valid: no customer's key starts with `447700999999` and no name holds it; add them with 9 Manage customers"
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

#[test]
fn a_customer_is_found_by_the_start_of_the_key_or_part_of_the_name() {
    // `hopper` names one customer: the summary is hers. `ada` fits two: both are listed, and
    // the answer is asked again; `lovelace` then names one.
    let (shown, _) =
        session("4\nhopper\n4\n\n4\nada\nlovelace\n4\n\n4\n44770090020\n447700900201\n\n\n0\n");
    assert!(shown.contains("Customer 447700900200"), "{shown}");
    assert!(
        shown.contains(
            "several customers fit `ada`: 447700900201 (Ada Byron), 447700900202 (Ada Lovelace)"
        ),
        "{shown}"
    );
    assert!(shown.contains("Customer 447700900202"), "{shown}");
    assert!(
        shown.contains("several customers fit `44770090020`: 447700900200 (Grace Hopper)"),
        "{shown}"
    );
    assert!(shown.contains("Customer 447700900201"), "{shown}");
}

#[test]
fn plans_and_regions_are_chosen_from_lists() {
    // Plan 2 is Data Max; region 2 is South; a new region may be typed.
    let (shown, _) =
        session("9\n1\n447700900300\n-\n2\n2\ny\n1\n447700900301\n-\n7\nbasic\nEast\ny\n0\n0\n");
    assert!(
        shown.contains("Plan (1 Basic, 2 Data Max; - for none) [-]"),
        "{shown}"
    );
    assert!(
        shown.contains("Region (1 North, 2 South; - for none) [-]"),
        "{shown}"
    );
    assert!(
        shown.contains("not valid: pick a number from 1 to 2, or -"),
        "{shown}"
    );
    assert!(shown.contains("Saved: customer 447700900300"), "{shown}");
    assert!(
        shown.contains("  Plan               Data Max\n  Region             South"),
        "{shown}"
    );
    assert!(
        shown.contains("  Plan               Basic\n  Region             East"),
        "{shown}"
    );
    assert!(shown.contains("Saved: customer 447700900301"), "{shown}");
}

#[test]
fn a_report_is_picked_from_the_list_and_its_parameters_asked_by_name() {
    // The reports are listed with their descriptions; weekly-top-talkers asks for `n`
    // (default 10) and `range` (default last 7 days) by name.
    let (shown, _, answers) = session_with_answers("8\nweekly-top-talkers\n3\n\n\n0\n");
    assert!(shown.contains("weekly-top-talkers"), "{shown}");
    assert!(
        !shown.contains("--param"),
        "never asks for --param: {shown}"
    );
    assert!(
        shown.contains("n (a value for the report) [10]: "),
        "{shown}"
    );
    assert!(
        shown.contains("range (a value for the report) [last 7 days]: "),
        "{shown}"
    );
    assert!(
        answers.contains("Top 3 customers by calls, last 7 days"),
        "{answers}"
    );
}

#[test]
fn a_plan_change_from_a_day_is_asked_for_and_a_bad_day_asked_again() {
    // Grace moves to Data Max (plan 2) from the 12th, then back to Basic from the 20th, the
    // first try at that day being no date.
    let (shown, _) = session(
        "9\n5\n447700900200\n2\n2026-11-12\ny\n5\n447700900200\n1\n2026-13-01\n2026-11-20\ny\n0\n0\n",
    );
    assert!(shown.contains("5  Change a customer's plan"), "{shown}");
    assert!(
        shown.contains("Saved: 447700900200 is on Data Max from 2026-11-12"),
        "{shown}"
    );
    assert!(
        shown.contains("`2026-13-01` is not a date like 2026-11-12"),
        "{shown}"
    );
    assert!(
        shown.contains("Saved: 447700900200 is on Basic from 2026-11-20"),
        "{shown}"
    );
}
