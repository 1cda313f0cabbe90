//! Atomic replacement of an output file by its staged temporary file.

use std::path::Path;

/// Move `tmp` to `dst`, atomically replacing any file there.
///
/// On Linux an existing `dst` is swapped with `tmp` (`renameat2` with
/// `RENAME_EXCHANGE`) and the old file, now at `tmp`, is then removed. A plain rename
/// over an existing file makes ext4 (`auto_da_alloc`) write the whole new file out to
/// disk inside the rename: seconds for a GB-sized table. Like the rest of our outputs,
/// durability against power loss is left to the file system's normal write-back.
/// Elsewhere (and where the exchange is refused) it is a plain rename.
pub(crate) fn replace(tmp: &Path, dst: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    if exchange(tmp, dst)? {
        // `tmp` now names the replaced file; the new one is in place either way.
        let _ = std::fs::remove_file(tmp);
        return Ok(());
    }
    std::fs::rename(tmp, dst)
}

/// Swap the files at `tmp` and `dst`; `Ok(false)` when there is no file to swap with
/// (ENOENT), or a file system or kernel without the exchange: a plain rename then does
/// the same job.
#[cfg(target_os = "linux")]
fn exchange(tmp: &Path, dst: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (from, to) = (c(tmp)?, c(dst)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    Ok(rc == 0)
}
