//! Row-major matrices: a borrowed view [`MatRef`] and an owned [`Matrix`].
//!
//! Rows are observations (funds, offices, users) and columns are features, so a row is
//! one contiguous slice: the layout every kernel here iterates over.

use std::fmt;

/// The data length does not match the shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShapeError {
    /// Values given.
    pub len: usize,
    /// Rows asked for.
    pub rows: usize,
    /// Columns asked for.
    pub cols: usize,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a {} × {} matrix needs {} values, got {}",
            self.rows,
            self.cols,
            self.rows.saturating_mul(self.cols),
            self.len
        )
    }
}

impl std::error::Error for ShapeError {}

fn check(len: usize, rows: usize, cols: usize) -> Result<(), ShapeError> {
    if rows.checked_mul(cols) == Some(len) {
        Ok(())
    } else {
        Err(ShapeError { len, rows, cols })
    }
}

/// A borrowed `rows × cols` row-major matrix: row `i` is `data[i*cols..(i+1)*cols]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatRef<'a> {
    data: &'a [f64],
    rows: usize,
    cols: usize,
}

impl<'a> MatRef<'a> {
    /// A view of `data` as `rows × cols`; errors when the length does not match.
    pub fn new(data: &'a [f64], rows: usize, cols: usize) -> Result<Self, ShapeError> {
        check(data.len(), rows, cols)?;
        Ok(MatRef { data, rows, cols })
    }

    /// Number of rows (observations).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (features).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The values, row after row.
    pub fn as_slice(&self) -> &'a [f64] {
        self.data
    }

    /// Row `i` as a slice of `cols` values.
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The value at row `i`, column `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        debug_assert!(j < self.cols);
        self.data[i * self.cols + j]
    }

    /// The rows in order.
    pub fn row_iter(&self) -> impl ExactSizeIterator<Item = &'a [f64]> + 'a {
        let cols = self.cols.max(1);
        let rows = self.rows;
        self.data.chunks_exact(cols).take(rows)
    }

    /// Column `j` copied into a vector.
    pub fn col(&self, j: usize) -> Vec<f64> {
        self.row_iter().map(|r| r[j]).collect()
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Matrix {
        Matrix {
            data: self.data.to_vec(),
            rows: self.rows,
            cols: self.cols,
        }
    }
}

/// An owned `rows × cols` row-major matrix.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Matrix {
    data: Vec<f64>,
    rows: usize,
    cols: usize,
}

impl Matrix {
    /// A matrix owning `data` as `rows × cols`; errors when the length does not match.
    pub fn new(data: Vec<f64>, rows: usize, cols: usize) -> Result<Self, ShapeError> {
        check(data.len(), rows, cols)?;
        Ok(Matrix { data, rows, cols })
    }

    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix {
            data: vec![0.0; rows * cols],
            rows,
            cols,
        }
    }

    /// A matrix from equally long rows; errors when a row's length differs from the first.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self, ShapeError> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for r in rows {
            let r = r.as_ref();
            if r.len() != cols {
                return Err(ShapeError {
                    len: data.len() + r.len(),
                    rows: rows.len(),
                    cols,
                });
            }
            data.extend_from_slice(r);
        }
        Ok(Matrix {
            data,
            rows: rows.len(),
            cols,
        })
    }

    /// A borrowed view.
    pub fn as_ref(&self) -> MatRef<'_> {
        MatRef {
            data: &self.data,
            rows: self.rows,
            cols: self.cols,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i`, mutable.
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The values, row after row.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The values, row after row, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The values, row after row, moved out.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// Element `(i, j)`.
    ///
    /// # Panics
    /// If `j` is not below the column count or `i` not below the row count.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(j < self.cols, "Matrix::get: column out of range");
        self.data[i * self.cols + j]
    }

    /// This matrix with the columns of `other` appended on the right.
    ///
    /// # Panics
    /// If the row counts differ.
    pub fn hstack(&self, other: &Matrix) -> Matrix {
        assert_eq!(self.rows, other.rows, "Matrix::hstack: row counts differ");
        let cols = self.cols + other.cols;
        let mut data = Vec::with_capacity(self.rows * cols);
        for i in 0..self.rows {
            data.extend_from_slice(self.row(i));
            data.extend_from_slice(other.row(i));
        }
        Matrix {
            data,
            rows: self.rows,
            cols,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_checked() {
        let x = [0.0; 6];
        assert!(MatRef::new(&x, 2, 3).is_ok());
        let e = MatRef::new(&x, 4, 2).unwrap_err();
        assert_eq!(e.to_string(), "a 4 × 2 matrix needs 8 values, got 6");
        assert!(MatRef::new(&x, usize::MAX, 2).is_err());
        assert!(Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).is_err());
    }

    #[test]
    fn rows_and_columns() {
        let m = Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]).unwrap();
        let v = m.as_ref();
        assert_eq!((v.rows(), v.cols()), (3, 2));
        assert_eq!(v.col(1), vec![2.0, 4.0, 6.0]);
        assert_eq!(v.row_iter().count(), 3);
        assert_eq!(v.to_owned(), m);
        let empty = MatRef::new(&[], 0, 5).unwrap();
        assert_eq!(empty.row_iter().count(), 0);
    }
}
