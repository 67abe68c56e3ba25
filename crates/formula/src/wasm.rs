//! The engine's door for the browser (`static/grid.js`): the page asks for a buffer, writes the
//! input of [`evaluate_wire`] into it as UTF-8, and reads the answer back. Raw memory crosses
//! this door, hence the only `unsafe` of the crate.
#![allow(unsafe_code)]

use crate::evaluate_wire;
use alloc::alloc::{Layout, alloc, dealloc};
use alloc::boxed::Box;

#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// A buffer of `len` bytes for the page to write the input into.
#[unsafe(no_mangle)]
pub extern "C" fn buffer(len: usize) -> *mut u8 {
    match Layout::array::<u8>(len.max(1)) {
        // SAFETY: the layout is non-zero-sized.
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a buffer given by [`buffer`] or [`evaluate`].
///
/// # Safety
/// `ptr` and `len` are those of a live buffer of this module.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn release(ptr: *mut u8, len: usize) {
    if let Ok(layout) = Layout::array::<u8>(len.max(1)) {
        // SAFETY: the caller gives back a buffer allocated with this layout.
        unsafe { dealloc(ptr, layout) }
    }
}

/// Evaluates the input in `ptr[..len]` (which it frees) and returns the answer's address; its
/// length is then given by [`answer_len`]. The page frees the answer with [`release`].
///
/// # Safety
/// `ptr[..len]` is a buffer from [`buffer`], written by the page.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn evaluate(ptr: *mut u8, len: usize) -> *mut u8 {
    // SAFETY: the page wrote `len` bytes into the buffer it got from `buffer(len)`.
    let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
    let answer = evaluate_wire(core::str::from_utf8(bytes).unwrap_or(""));
    // SAFETY: given back as it was allocated.
    unsafe { release(ptr, len) };
    let mut answer = answer.into_bytes().into_boxed_slice();
    let out = buffer(answer.len());
    // SAFETY: single-threaded; no stale length is left for a failed allocation.
    unsafe { ANSWER_LEN = 0 };
    if !out.is_null() {
        // SAFETY: `out` holds `answer.len()` bytes.
        unsafe { core::ptr::copy_nonoverlapping(answer.as_mut_ptr(), out, answer.len()) };
        // SAFETY: single-threaded: the length is read by the page right after this call.
        unsafe { ANSWER_LEN = answer.len() };
    }
    drop::<Box<[u8]>>(answer);
    out
}

static mut ANSWER_LEN: usize = 0;

/// The length of the last answer of [`evaluate`].
#[unsafe(no_mangle)]
pub extern "C" fn answer_len() -> usize {
    // SAFETY: single-threaded (WebAssembly without threads).
    unsafe { ANSWER_LEN }
}
