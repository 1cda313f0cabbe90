/// A dense row-major matrix of `f64` (rows = entities or users, columns = features).
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A `rows × cols` matrix from row-major `data`.
    ///
    /// # Panics
    /// If `data.len() != rows · cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Matrix {
        assert_eq!(
            data.len(),
            rows * cols,
            "Matrix::new: data must be rows × cols"
        );
        Matrix { rows, cols, data }
    }

    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix::new(rows, cols, vec![0.0; rows * cols])
    }

    /// A matrix from equal-length rows.
    ///
    /// # Panics
    /// If the rows differ in length.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Matrix {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for r in rows {
            assert_eq!(r.as_ref().len(), cols, "Matrix::from_rows: ragged rows");
            data.extend_from_slice(r.as_ref());
        }
        Matrix::new(rows.len(), cols, data)
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

    /// Element `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(j < self.cols, "Matrix::get: column out of range");
        self.data[i * self.cols + j]
    }

    /// Column `j`, copied.
    pub fn column(&self, j: usize) -> Vec<f64> {
        assert!(j < self.cols, "Matrix::column: column out of range");
        (0..self.rows)
            .map(|i| self.data[i * self.cols + j])
            .collect()
    }

    /// All elements, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// All elements, row-major, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The row-major elements, by value.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// The rows listed in `keep`, in that order.
    pub fn select_rows(&self, keep: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(keep.len() * self.cols);
        for &i in keep {
            data.extend_from_slice(self.row(i));
        }
        Matrix::new(keep.len(), self.cols, data)
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
        Matrix::new(self.rows, cols, data)
    }
}
