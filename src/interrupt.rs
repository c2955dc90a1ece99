//! Ctrl-C, one handler for the whole process: it counts the presses and calls what the running
//! command asked for (an import stops after its batch, the shell cancels the query on the
//! server). Long work without a database call of its own, such as a report's Rhai code, asks
//! [`pressed`] and stops.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, Once};

static PRESSES: AtomicU32 = AtomicU32::new(0);

type Hook = Box<dyn Fn(u32) + Send>;

static HOOK: Mutex<Option<Hook>> = Mutex::new(None);

static INSTALL: Once = Once::new();

/// Installs the process's Ctrl-C handler, once; presses are counted from then on.
pub fn install() {
    INSTALL.call_once(|| {
        // A second handler cannot be installed; nothing else in tally installs one.
        let _ = ctrlc::set_handler(|| {
            let n = PRESSES.fetch_add(1, Ordering::SeqCst) + 1;
            if let Ok(hook) = HOOK.lock()
                && let Some(hook) = hook.as_ref()
            {
                hook(n);
            }
        });
    });
}

/// Calls `hook` with the number of presses so far at every Ctrl-C (and installs the handler).
pub fn on_press(hook: impl Fn(u32) + Send + 'static) {
    if let Ok(mut slot) = HOOK.lock() {
        *slot = Some(Box::new(hook));
    }
    install();
}

/// Whether Ctrl-C was pressed since the last [`reset`].
pub fn pressed() -> bool {
    PRESSES.load(Ordering::SeqCst) > 0
}

/// Forgets earlier presses: the shell starts each statement afresh.
pub fn reset() {
    PRESSES.store(0, Ordering::SeqCst);
}
