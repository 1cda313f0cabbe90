//! Inputs with the name their errors call them by.

/// A validated input and the name an error about it uses: a file path on the command
/// line, a DataFrame's argument name in Python.
#[derive(Debug)]
pub struct Named<'a, T: ?Sized> {
    /// The input.
    pub value: &'a T,
    /// How errors name it.
    pub name: &'a str,
}

impl<T: ?Sized> Clone for Named<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Named<'_, T> {}

impl<'a, T: ?Sized> Named<'a, T> {
    /// `value`, called `name` in errors.
    pub fn new(value: &'a T, name: &'a str) -> Self {
        Named { value, name }
    }
}

impl<T: ?Sized> std::ops::Deref for Named<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
    }
}
