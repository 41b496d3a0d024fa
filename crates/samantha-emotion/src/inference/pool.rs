//! Mean pooling across the windows of one text.

/// Running sum of token vectors over every window of a text.
pub struct TokenSum {
    sum: Vec<f32>,
    tokens: usize,
}

impl TokenSum {
    pub fn new(d_model: usize) -> Self {
        Self {
            sum: vec![0.0; d_model],
            tokens: 0,
        }
    }

    /// Adds every row of `hidden`, `[tokens, d_model]` row-major.
    pub fn add(&mut self, hidden: &[f32]) {
        for row in hidden.chunks_exact(self.sum.len()) {
            for (total, value) in self.sum.iter_mut().zip(row) {
                *total += value;
            }
            self.tokens += 1;
        }
    }

    /// Returns the mean token vector; zeros when no token was added.
    pub fn mean(mut self) -> Vec<f32> {
        let count = self.tokens.max(1) as f32;
        for value in &mut self.sum {
            *value /= count;
        }
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_over_windows() {
        let mut sum = TokenSum::new(2);
        sum.add(&[1.0, 2.0, 3.0, 4.0]);
        sum.add(&[5.0, 6.0]);
        assert_eq!(sum.mean(), vec![3.0, 4.0]);
        assert_eq!(TokenSum::new(2).mean(), vec![0.0, 0.0]);
    }
}
