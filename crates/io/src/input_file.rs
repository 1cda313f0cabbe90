//! The checks every input file passes before it is read, in one place: it must be a
//! regular file (a FIFO would block the open forever, a device never ends), it must fit
//! in the memory available (tables are read whole), and a file that exists but cannot be
//! read is a failure of the system (exit code 1), not of the input.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use peergroup_data::InputError;

/// Checks `path` without opening it (a stat does not block, even on a FIFO): it must be
/// a regular file no larger than the memory available. Returns its size in bytes.
///
/// A missing file, a folder, a FIFO, socket or device are bad arguments (exit 2); a file
/// larger than the memory available, or one whose metadata cannot be read
/// (permissions), is a system failure ([`InputError::system`], exit 1). Messages do not
/// name the file: readers attach it.
pub fn check_input(path: &Path) -> Result<u64, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error("cannot open", e))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(InputError::new("is a folder, expected a file"));
    }
    if !kind.is_file() {
        return Err(InputError::new(format!(
            "is {}; expected a regular file",
            special_kind(&kind)
        )));
    }
    let len = meta.len();
    if let Ok(real) = path.canonicalize() {
        let mut read = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
        if !read.contains(&real) {
            read.push(real);
        }
    }
    if let Some(available) = available_memory() {
        if len > available {
            return Err(InputError::system(format!(
                "is {}, more than the {} of memory available: inputs are read into memory, \
                 so a file larger than the available memory (MemAvailable) is refused",
                size(len),
                size(available)
            )));
        }
    }
    Ok(len)
}

/// Opens input `path` for reading after [`check_input`]; returns the file and its size
/// in bytes.
pub fn open_input(path: &Path) -> Result<(File, u64), InputError> {
    let len = check_input(path)?;
    let file = File::open(path).map_err(|e| io_error("cannot open", e))?;
    Ok((file, len))
}

/// Every input file checked by this process, canonical: outputs never replace one, even
/// with `--force` (see [`is_input`]).
static INPUTS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Whether `path` (an existing file, through any link) is an input this process has
/// checked with [`check_input`], so that an output must not replace it.
pub(crate) fn is_input(path: &Path) -> bool {
    match path.canonicalize() {
        Ok(real) => INPUTS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&real),
        Err(_) => false,
    }
}

/// The error for an I/O failure while `doing` something to an input: a missing file is
/// a bad argument (exit 2), anything else (permissions, I/O errors) a system failure
/// (exit 1).
pub(crate) fn io_error(doing: &str, e: io::Error) -> InputError {
    let message = format!("{doing}: {e}");
    match e.kind() {
        io::ErrorKind::NotFound => InputError::new(message),
        _ => InputError::system(message),
    }
}

/// What a non-regular, non-folder file is, for messages.
#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

/// What a non-regular, non-folder file is, for messages.
#[cfg(not(unix))]
fn special_kind(_kind: &std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// Bytes of memory available to this process without swapping (`MemAvailable` of
/// /proc/meminfo); `None` where the system does not say (no memory check then).
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// `bytes` in GiB or MiB, for messages.
fn size(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let b = bytes as f64;
    if b >= 1024.0 * MIB {
        format!("{:.1} GiB", b / (1024.0 * MIB))
    } else {
        format!("{:.1} MiB", b / MIB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_missing_files_are_bad_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let e = check_input(dir.path()).unwrap_err();
        assert_eq!(e.message, "is a folder, expected a file");
        assert!(!e.system);
        let e = check_input(&dir.path().join("nope.csv")).unwrap_err();
        assert!(e.message.starts_with("cannot open:") && !e.system, "{e}");
        let f = dir.path().join("a.csv");
        std::fs::write(&f, "x\n").unwrap();
        assert_eq!(check_input(&f).unwrap(), 2);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn devices_are_refused_without_opening_them() {
        let e = check_input(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.message, "is a character device; expected a regular file");
        assert!(available_memory().is_some_and(|m| m > 0));
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(size(64 << 30), "64.0 GiB");
        assert_eq!(size(3 << 19), "1.5 MiB");
    }
}
