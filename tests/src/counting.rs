//! A global allocator that counts what the current thread allocates, so that a test can bound
//! the host memory a call costs. Install it in a test binary:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: wasi_stubs_tests::counting::Counting = wasi_stubs_tests::counting::Counting;
//! ```
//!
//! Counting is per thread, so tests running in parallel do not disturb each other; host calls of
//! a synchronous store run on the thread that calls into the guest.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The system allocator, counting the live bytes of each thread and their peak.
pub struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

static INSTALLED: AtomicBool = AtomicBool::new(false);

fn add(bytes: isize) {
    INSTALLED.store(true, Ordering::Relaxed);
    // `try_with`: the thread's counters may be gone while it shuts down.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + bytes;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded to `System` unchanged; the counters are plain thread-local
// cells that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Whether [`Counting`] is this process's global allocator.
pub fn installed() -> bool {
    drop(std::hint::black_box(Box::new(0u64)));
    INSTALLED.load(Ordering::Relaxed)
}

/// Starts a measurement on this thread: the bytes live now, with the peak reset to them.
pub fn start() -> isize {
    let live = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(live));
    live
}

/// The most bytes this thread had live at once since [`start`] returned `start`, above it.
pub fn peak_since(start: isize) -> usize {
    (PEAK.with(Cell::get) - start).max(0) as usize
}

/// Runs `f` and gives back its result and the most bytes this thread had allocated at once
/// during it, above what it held before (0 unless [`Counting`] is the global allocator).
pub fn peak_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let at = start();
    let result = f();
    (result, peak_since(at))
}
