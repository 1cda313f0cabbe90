//! Whole input files as bytes, mapped from the page cache where possible. memmap2 maps
//! on Unix and Windows; anywhere a file cannot be mapped (other platforms, pipes, empty
//! files) it is read into memory instead.

use std::io::Read;
use std::path::Path;

use peergroup_data::InputError;

/// A whole input file: mapped from the page cache, or read where it cannot be mapped.
pub(crate) enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Read(v) => v,
        }
    }
}

/// The whole file. Mapping it saves copying it out of the page cache and faulting in a
/// buffer of the file's size, a large part of reading a file that is decoded in parallel
/// anyway. Pages are mapped as the decoding threads first touch them (not all up front
/// by this thread). Empty and unmappable files (pipes, some special files) are read
/// instead.
pub(crate) fn read_file(path: &Path) -> Result<FileBytes, InputError> {
    // Only regular files that fit in memory are opened (see `input_file`).
    let (file, len) = crate::input_file::open_input(path)?;
    let len = usize::try_from(len)
        .map_err(|_| InputError::system("is larger than this platform's address space"))?;
    if len > 0 {
        // SAFETY: the mapping is read-only and private. Like ripgrep, we accept that
        // another process truncating the file during the run would end this one with
        // SIGBUS: input files are not expected to change while they are analysed.
        if let Ok(m) = unsafe { memmap2::MmapOptions::new().map(&file) } {
            return Ok(FileBytes::Mapped(m));
        }
    }
    let mut bytes = Vec::with_capacity(len);
    (&file)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::input_file::io_error("cannot read", e))?;
    Ok(FileBytes::Read(bytes))
}

impl FileBytes {
    /// The file as shared [`bytes::Bytes`] (what the Parquet reader takes), without a copy.
    pub(crate) fn into_bytes(self) -> bytes::Bytes {
        match self {
            FileBytes::Mapped(m) => bytes::Bytes::from_owner(m),
            FileBytes::Read(v) => bytes::Bytes::from(v),
        }
    }
}
