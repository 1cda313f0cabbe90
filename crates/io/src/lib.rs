//! Reading and writing peergroup's tables: CSV, Parquet and Excel, chosen by file
//! extension (see [`Format`]).
//!
//! Readers take a path or a [`Source`] (file, sheet, column roles) and turn it into the
//! validated types of `peergroup-data`, reporting every problem with file (and sheet),
//! line (CSV, header = line 1) or row (Parquet: data rows; workbooks: the sheet's row
//! number, header = row 1), and column. Writers
//! take a columnar [`Table`] and stage it in a temporary file; [`Outputs::commit`]
//! renames all staged files into place at the end, so a failed command leaves no
//! partial output behind and an existing file is replaced only with `--force`.

mod any_table;
mod chunks;
mod decode_guard;
mod excel_read;
mod fast_csv;
mod fast_parquet;
mod format;
mod fund_pairs;
mod input_file;
mod matrices;
mod number;
mod output;
mod reference;
mod rows;
mod segments;
mod source;
pub mod sys;
mod tables;
mod write;

pub use any_table::read_table;
pub use format::Format;
pub use fund_pairs::{read_fund_pairs, FundPairs};
pub use input_file::{check_input, open_input};
pub use matrices::{
    read_exposures, read_features, read_fit_r2, read_labels, read_similarity, read_square_matrix,
    read_text_table, Exposures, Features, Keys, LabelledMatrix, SimilarityTable,
};
pub use output::{create_folders, remove_folders, take_captured, OutputError, Outputs};
pub use reference::{read_cross_labels, read_star_ratings, CrossLabel};
pub use segments::{
    position_of_row, read_balances, read_funds, read_sales, read_users, BalancesFile, Coded,
    FundsFile, SalesFile, UsersFile,
};
pub use source::{
    register_memory, AsSource, ColumnNames, MemoryRegistration, MemoryTable, Role, Source,
    MEMORY_PREFIX,
};
pub use tables::{read_industry, read_metadata, read_series, SeriesOptions};
pub use write::{
    excel_limits, sheet_names, write_table, write_table_blocks, write_table_owned, write_workbook,
    Column, RowTable, Table, EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS,
};
