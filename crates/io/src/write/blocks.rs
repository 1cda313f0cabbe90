//! Tables written block by block: the next block is produced while the previous one is
//! written, so that a long result need never be held whole.

use super::table::Table;

/// Write `first` and then each block that `next` produces, producing every next block
/// (on all cores) while the previous one is written, so no more than two blocks exist at
/// a time. A block is dropped only once its step is over. Ends at the first error of
/// either side, after both sides of its step are done.
pub(super) fn overlapped<B: Send>(
    first: B,
    mut next: impl FnMut() -> std::io::Result<Option<B>> + Send,
    mut write: impl FnMut(&mut B) -> std::io::Result<()> + Send,
) -> std::io::Result<()> {
    let mut pending = Some(first);
    while let Some(mut block) = pending.take() {
        let (done, produced) = rayon::join(|| write(&mut block), &mut next);
        done?;
        pending = produced?;
    }
    Ok(())
}

/// The next block of `rest` as `prepare` makes it, after checking that it has the columns
/// `names` of the first block.
pub(super) fn next_block<I, B>(
    rest: &mut I,
    names: &[String],
    prepare: impl FnOnce(Table) -> B,
) -> std::io::Result<Option<B>>
where
    I: Iterator<Item = Table>,
{
    rest.next()
        .map(|t| t.same_columns_as(names).map(|()| prepare(t)))
        .transpose()
}
