use super::*;
use crate::config::{DbUrl, PoolSize};
use crate::model::{NewCustomer, SubscriberKey};

/// A store holding more keys than one Tab lists, so a prefix must be asked of the database.
fn names() -> Names {
    let store = Store::open(&DbUrl::SqliteMemory, PoolSize::default()).unwrap();
    let mut keys: Vec<String> = (0..300).map(|i| format!("4477000{i:05}")).collect();
    keys.extend([
        "449900000001".into(),
        "today".into(),
        "O'Brien".into(),
        "50%_off".into(),
    ]);
    for key in keys {
        let key = SubscriberKey::parse("customer", &key).unwrap();
        store.add_customer(&NewCustomer::bare(key)).unwrap();
    }
    Names {
        plans: vec!["Basic".into(), "Data Max".into()],
        regions: vec!["North".into()],
        metrics: vec![
            ("rev_est".into(), vec![Source::Usage]),
            ("per_call".into(), vec![Source::Calls, Source::Usage]),
        ],
        store: Some(Arc::new(store)),
    }
}

fn complete(before: &str) -> Vec<String> {
    candidates(before, &names()).1
}

#[test]
fn heads_and_dot_commands_at_the_start() {
    assert_eq!(complete("su"), ["summary", "suspects"]);
    assert_eq!(complete("sum"), ["summary"]);
    assert_eq!(complete("suspects "), ["international", "simbox"]);
    assert_eq!(complete(".fo"), [".format"]);
    assert_eq!(complete("summary; cu"), ["customers"]);
    assert_eq!(complete(".format c"), ["csv"]);
}

#[test]
fn the_parser_decides_what_kind_of_word_fits() {
    assert_eq!(complete("calls where dir"), ["direction"]);
    assert_eq!(complete("calls per da"), ["day", "daytype"]);
    assert_eq!(complete("calls per day, re"), ["region"]);
    assert_eq!(complete("calls show co"), ["count"]);
    assert_eq!(complete("calls show count, mi"), ["min(", "minutes"]);
    assert_eq!(complete("calls show avg(d"), ["duration"]);
    assert_eq!(complete("peak hours c"), ["calls"]);
    assert_eq!(complete("customers last 30 d"), ["day", "days"]);
    assert_eq!(complete("calls wh"), ["where"]);
    assert_eq!(complete("calls where status = out o"), ["on", "or"]);
    assert_eq!(complete("top 10 customers b"), ["by"]);
    assert_eq!(complete("trend minutes per w"), ["week"]);
}

#[test]
fn only_names_the_source_has() {
    assert_eq!(
        complete("sms where d"),
        ["daytype", "direction"],
        "sms has no duration"
    );
    assert_eq!(
        complete("sms per s"),
        Vec::<String>::new(),
        "sms has no status"
    );
    assert_eq!(
        complete("sms show m"),
        Vec::<String>::new(),
        "no minutes or min( on sms"
    );
    assert_eq!(
        complete("data show s"),
        ["seconds", "sum("].map(String::from)[1..].to_vec()
    );
    assert_eq!(complete("calls show sms"), Vec::<String>::new());
    // Metrics where their inputs exist: rev_est reads sms and data, per_call only calls.
    assert_eq!(complete("top 10 customers by rev"), ["rev_est", "revenue"]);
    assert_eq!(complete("calls show rev"), ["revenue"]);
    assert_eq!(complete("calls show per"), ["per_call", "percentile("]);
    assert_eq!(complete("sms show per"), Vec::<String>::new());
}

#[test]
fn subscriber_keys_by_prefix_from_the_whole_table() {
    // The 300th key is past any first page: it is found by its prefix.
    assert_eq!(
        complete("summary 447700000299"),
        Vec::<String>::new(),
        "typed whole"
    );
    let found = complete("summary 44770000029");
    assert_eq!(found.len(), 10, "{found:?}");
    assert_eq!(found.last().map(String::as_str), Some("447700000299"));
    assert_eq!(complete("summary 4499"), ["449900000001"]);
    assert_eq!(complete("usage where customer = 4499"), ["449900000001"]);
    assert_eq!(complete("summary 4477").len(), KEYS_SHOWN);
    // A key that is a keyword or holds a quote is written so the parser reads it back.
    assert_eq!(
        complete("summary tod"),
        ["'today'", "today"],
        "the key, the range"
    );
    assert_eq!(complete("summary 'tod"), ["'today'"], "the key");
    assert_eq!(complete("usage where customer = O"), ["'O''Brien'"]);
    // `%` and `_` are matched as themselves, not as patterns.
    assert_eq!(complete("usage where customer = 50%"), ["'50%_off'"]);
    assert_eq!(complete("usage where customer = 5_"), Vec::<String>::new());
}

#[test]
fn values_of_fields() {
    assert_eq!(complete("usage where plan = "), ["'Data Max'", "Basic"]);
    assert_eq!(complete("calls where direction = "), ["in", "out"]);
    assert_eq!(complete("calls where status in (answered, b"), ["busy"]);
    assert_eq!(complete("customers where account = s"), ["suspended"]);
    assert_eq!(complete("calls per c"), ["cell", "country", "customer"]);
    assert_eq!(complete("calls where weekday in (sat, s"), ["sat", "sun"]);
    assert_eq!(complete("usage where daytype = weeke"), ["weekend"]);
    assert_eq!(complete("usage per da"), ["day", "daytype"]);
    assert_eq!(complete("usage where ho"), ["hour"]);
    assert_eq!(complete("calls per day hav"), ["having"]);
    assert_eq!(complete("calls per day having mi"), ["min(", "minutes"]);
    assert_eq!(complete("calls per day having count > 3 o"), ["on", "or"]);
    assert_eq!(complete("calls show share(mi"), ["minutes"]);
    assert_eq!(complete("calls where other st"), ["starts"]);
    assert_eq!(complete("calls per plan last 7 days vs p"), ["previous"]);
    assert_eq!(complete("hist"), ["histogram"]);
    assert_eq!(complete("idle c"), ["customers"]);
    assert_eq!(complete("idle customers calls la"), ["last"]);
    assert_eq!(complete("histogram duration c"), ["calls"]);
    assert_eq!(complete("histogram duration calls bu"), ["buckets"]);
    assert_eq!(complete("calls where other starts w"), ["with"]);
    assert_eq!(complete("calls where cell not l"), ["like"]);
}

#[test]
fn no_database_completes_no_keys() {
    let names = Names::default();
    assert_eq!(candidates("summary 4477", &names).1, Vec::<String>::new());
    assert!(
        candidates("summary ", &names)
            .1
            .contains(&"since".to_string())
    );
}

#[test]
fn the_word_start_is_returned() {
    assert_eq!(candidates("calls per da", &names()).0, 10);
}
