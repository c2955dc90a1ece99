//! Monthly fees in an answer: which customers' plan periods count, over what time, and by which
//! of the answer's keys they are grouped. Fees belong to a customer's account, so they can be
//! grouped by the customer's properties and by day, week or month, and filtered by the
//! customer's properties; by anything of a record (an hour, a direction) they cannot.

use super::time::UtcRange;
use super::{Context, Filter, Key};
use crate::model::Zone;
use chrono::{DateTime, Utc};

/// What the fees of an answer are computed over.
#[derive(Debug, Clone, PartialEq)]
pub struct FeeSpec {
    /// The zone the answer's days, weeks and months are in.
    pub zone: Zone,
    /// From when fees count: the range's start (the first data for an open one).
    pub from: Option<DateTime<Utc>>,
    /// Until when: the range's end (now for an open one).
    pub to: Option<DateTime<Utc>>,
    /// The answer's shown keys, with their index among them.
    pub keys: Vec<(usize, Key)>,
    /// The customer conditions of the `where`, if any.
    pub filter: Option<Filter>,
}

impl FeeSpec {
    /// The fees of an answer grouped by `keys` over `range`, with `filter`. Fees are billed
    /// for the range as asked, whether or not records fill it: `this month` carries a whole
    /// month's fee on the 5th (an open start runs from the first data, an open end to now).
    pub fn of(keys: &[Key], range: UtcRange, filter: Option<Filter>, ctx: &Context) -> FeeSpec {
        let first = ctx.extent.map(|(first, _)| first);
        FeeSpec {
            zone: ctx.zone.clone(),
            from: range.start.or(first),
            to: Some(range.end.unwrap_or(ctx.now)),
            keys: keys.iter().copied().enumerate().collect(),
            filter,
        }
    }

    /// Why fees cannot be computed for this answer, if they cannot.
    pub fn refusal(&self) -> Option<String> {
        if let Some((_, k)) = self.keys.iter().find(|(_, k)| !groups_fees(*k)) {
            return Some(format!(
                "monthly fees belong to an account and cannot be split `per {}`: group fees, \
                 arpu and usage's revenue by customer, plan, region, account, day, week or \
                 month (`usage_revenue` is the usage charges alone)",
                k.name()
            ));
        }
        let mut fields = Vec::new();
        if let Some(f) = &self.filter {
            f.fields(&mut fields);
        }
        fields.iter().find(|f| !f.per_customer()).map(|f| {
            let name = crate::vocab::FIELDS
                .iter()
                .find(|w| w.field == *f)
                .map_or("…", |w| w.name);
            format!(
                "monthly fees belong to an account, not to records: `where {}` cannot select \
                 fees; filter fees, arpu and usage's revenue by customer, plan, region or \
                 account (`usage_revenue` is the usage charges alone)",
                name
            )
        })
    }
}

/// Whether fees can be grouped by `key`: a property of the account, or a calendar stretch.
fn groups_fees(key: Key) -> bool {
    matches!(
        key,
        Key::Customer | Key::Plan | Key::Region | Key::Account | Key::Day | Key::Week | Key::Month
    )
}
