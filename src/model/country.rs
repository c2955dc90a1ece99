//! The country of a phone number, from its E.164 country code and (for shared codes such as
//! +1 or +44) its numbering plan, by libphonenumber's metadata (the `phonenumber` crate).

/// What a number with no known country is filed under.
pub const UNKNOWN_COUNTRY: &str = "unknown";

/// The ISO 3166 code (`GB`, `US`) of a number stored as its E.164 digits (`447700900123`), or
/// `unknown` for text that is not such a number (a short code, a pseudonymous id) or a code
/// that names no single country (+800 freephone).
///
/// Not remembered here: the store asks only about numbers it has not stored yet, so a cache
/// would hold each number once and never be hit, and it held 140 MB during an import of a
/// million calls to 630,000 distinct numbers (BENCHMARKS.md).
pub fn country_of(number: &str) -> String {
    look_up(number)
}

fn look_up(number: &str) -> String {
    let digits = (8..=15).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return UNKNOWN_COUNTRY.into();
    }
    fast_country(number).unwrap_or_else(|| crate_country(number))
}

/// The country as the `phonenumber` crate parses the number: the reference `fast_country`
/// agrees with, and the answer where it does not decide.
fn crate_country(number: &str) -> String {
    let Ok(parsed) = phonenumber::parse(None, format!("+{number}")) else {
        return UNKNOWN_COUNTRY.into();
    };
    let country = parsed.country();
    // A number the plan does not know (a fiction range, a new block) is filed under the main
    // country of its code: the first region libphonenumber lists for it.
    let region = country.id().map(|id| id.as_ref().to_string()).or_else(|| {
        phonenumber::metadata::DATABASE
            .region(&country.code())
            .and_then(|regions| regions.first().map(|r| r.to_string()))
    });
    match region {
        Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()) => r,
        _ => UNKNOWN_COUNTRY.into(),
    }
}

/// The country of `number` without `phonenumber::parse`, for the numbers whose parse could not
/// change their national part (no national prefix to strip); None sends the number to the
/// crate. The crate keeps at most 100 compiled patterns and finds each by hashing its whole
/// text on every match, which made this lookup nearly half of an import of new numbers
/// (`perf`); the same decision over patterns compiled once is several times faster.
/// `tests::the_fast_path_agrees_with_the_crate` holds it to the crate's answers.
fn fast_country(number: &str) -> Option<String> {
    use phonenumber::metadata::DATABASE;
    if number.starts_with('0') {
        return None;
    }
    let (code, national) = (1..=3).find_map(|len| {
        let code: u16 = number.get(..len)?.parse().ok()?;
        DATABASE.by_code(&code).map(|_| (code, &number[len..]))
    })?;
    let regions = DATABASE.region(&code)?;
    // The crate refuses a number whose national part ends up all zeros (it reads it as an
    // integer): such numbers, and any whose prefix stripping could leave only zeros, go to it.
    if national.bytes().last().is_none_or(|b| b == b'0') {
        return None;
    }
    if let [only] = regions.as_slice() {
        return Some(two_letters(only));
    }
    if national.starts_with('0') {
        return None;
    }
    let mut compiled = Vec::with_capacity(regions.len());
    for region in &regions {
        let meta = compiled_region(region)?;
        if meta.may_strip(national) {
            return None;
        }
        compiled.push((region, meta));
    }
    let found = compiled
        .iter()
        .find(|(_, meta)| meta.claims(national))
        .map(|(region, _)| **region);
    Some(two_letters(found.or(regions.first().copied())?))
}

fn two_letters(region: &str) -> String {
    if region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase()) {
        region.to_string()
    } else {
        UNKNOWN_COUNTRY.into()
    }
}

/// One numbering-plan pattern and the lengths it allows, compiled as the crate compiles it.
struct Pattern {
    regex: regex::Regex,
    lengths: Vec<u16>,
}

impl Pattern {
    fn new(desc: &phonenumber::metadata::Descriptor) -> Option<Pattern> {
        Some(Pattern {
            regex: compile(desc.national_number().as_str())?,
            lengths: desc.possible_length().to_vec(),
        })
    }

    /// As `Descriptor::is_match`: an allowed length, and a match starting at the first digit.
    fn matches(&self, value: &str) -> bool {
        let length = u16::try_from(value.len()).unwrap_or(u16::MAX);
        (self.lengths.is_empty() || self.lengths.contains(&length))
            && self.regex.find(value).is_some_and(|m| m.start() == 0)
    }
}

fn compile(source: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(source)
        .ignore_whitespace(true)
        // Each pattern's lazy DFA may otherwise cache up to 2 MB; a few dozen patterns per
        // shared code made that the larger part of an import's memory.
        .dfa_size_limit(256 * 1024)
        .build()
        .ok()
}

/// What deciding between the regions of a shared code needs of one region.
struct Region {
    leading_digits: Option<regex::Regex>,
    national_prefix: Option<String>,
    prefix_for_parsing: Option<regex::Regex>,
    general: Pattern,
    /// The number types `number_type` tries after the general pattern.
    types: Vec<Pattern>,
}

impl Region {
    /// Whether parsing could strip a national prefix from `national` (then the crate decides).
    fn may_strip(&self, national: &str) -> bool {
        self.national_prefix
            .as_deref()
            .is_some_and(|p| !p.is_empty() && national.starts_with(p))
            || self
                .prefix_for_parsing
                .as_ref()
                .is_some_and(|r| r.find(national).is_some_and(|m| m.start() == 0))
    }

    /// As the crate's `source_for` asks of each region in turn.
    fn claims(&self, national: &str) -> bool {
        match &self.leading_digits {
            Some(leading) => leading.find(national).is_some_and(|m| m.start() == 0),
            None => {
                self.general.matches(national) && self.types.iter().any(|t| t.matches(national))
            }
        }
    }
}

/// The region's patterns, compiled on first use and kept (a few dozen regions share codes).
fn compiled_region(id: &str) -> Option<std::sync::Arc<Region>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static COMPILED: OnceLock<Mutex<HashMap<String, Arc<Region>>>> = OnceLock::new();
    let cache = COMPILED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(region) = cache.lock().ok()?.get(id) {
        return Some(region.clone());
    }
    let meta = phonenumber::metadata::DATABASE.by_id(id)?;
    let d = meta.descriptors();
    let types = [
        d.premium_rate(),
        d.toll_free(),
        d.shared_cost(),
        d.voip(),
        d.personal_number(),
        d.pager(),
        d.uan(),
        d.voicemail(),
        d.fixed_line(),
        d.mobile(),
    ];
    let region = Arc::new(Region {
        leading_digits: match meta.leading_digits() {
            Some(r) => Some(compile(r.as_str())?),
            None => None,
        },
        national_prefix: meta.national_prefix().map(str::to_string),
        prefix_for_parsing: match meta.national_prefix_for_parsing() {
            Some(r) => Some(compile(r.as_str())?),
            None => None,
        },
        general: Pattern::new(d.general())?,
        types: types
            .into_iter()
            .flatten()
            .map(Pattern::new)
            .collect::<Option<_>>()?,
    });
    cache.lock().ok()?.insert(id.to_string(), region.clone());
    Some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_come_from_the_number() {
        assert_eq!(country_of("447700900123"), "GB");
        assert_eq!(country_of("33123456789"), "FR");
        assert_eq!(country_of("12025550123"), "US");
        assert_eq!(country_of("14165550123"), "CA");
        assert_eq!(country_of("61406823897"), "AU");
        assert_eq!(country_of("80012340000"), UNKNOWN_COUNTRY);
        // Numbers the plan does not list go to the code's main country.
        assert_eq!(country_of("447700000163"), "GB");
        assert_eq!(country_of("ABC_1"), UNKNOWN_COUNTRY);
        assert_eq!(country_of("12345"), UNKNOWN_COUNTRY);
        assert_eq!(country_of(""), UNKNOWN_COUNTRY);
    }

    /// The fast path gives the crate's answer for every example number of every region (with
    /// its country code) and for 20,000 random numbers under the codes people call.
    #[test]
    fn the_fast_path_agrees_with_the_crate() {
        use phonenumber::metadata::DATABASE;
        let mut numbers = Vec::new();
        for meta in DATABASE.iter() {
            let d = meta.descriptors();
            let examples = [d.general(), d.fixed_line().unwrap_or(d.general())]
                .into_iter()
                .chain(
                    [
                        d.mobile(),
                        d.toll_free(),
                        d.premium_rate(),
                        d.voip(),
                        d.uan(),
                    ]
                    .into_iter()
                    .flatten(),
                )
                .filter_map(|desc| desc.example());
            for example in examples {
                numbers.push(format!("{}{example}", meta.country_code()));
            }
        }
        let codes = [
            "1", "7", "44", "47", "61", "212", "262", "290", "358", "590", "599", "39", "33", "49",
            "800", "881",
        ];
        let mut seed: u64 = 7;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        for _ in 0..20_000 {
            let code = codes[usize::try_from(next(codes.len() as u64)).unwrap_or(0)];
            let length = 8 + usize::try_from(next(8)).unwrap_or(0);
            let mut n = code.to_string();
            while n.len() < length {
                n.push(char::from(b'0' + u8::try_from(next(10)).unwrap_or(0)));
            }
            numbers.push(n);
        }
        let mut fast_answers = 0;
        // National parts of zeros, before and after a prefix the crate strips (Brazil's 90).
        for zeros in [
            "3300000000",
            "4900000000",
            "5590000000000",
            "4400000000",
            "1000000000",
        ] {
            numbers.push(zeros.to_string());
        }
        for code in codes {
            for tail in ["0000000", "1000000", "0000001", "9000000000"] {
                numbers.push(format!("{code}{tail}"));
            }
        }
        numbers.retain(|n| (8..=15).contains(&n.len()));
        for n in &numbers {
            if let Some(fast) = fast_country(n) {
                fast_answers += 1;
                assert_eq!(fast, crate_country(n), "{n}");
            }
            assert_eq!(look_up(n), crate_country(n), "{n}");
        }
        assert!(
            fast_answers > numbers.len() / 2,
            "{fast_answers} of {}",
            numbers.len()
        );
    }
}
