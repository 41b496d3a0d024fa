//! The instruction set the inference kernels use, chosen once at run time.

/// Kernel family for the matrix products and element-wise loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// x86-64 with AVX-512F: hand-written 512-bit matrix kernel.
    Avx512,
    /// x86-64 with AVX2 and FMA: the portable loops compiled for 256-bit vectors.
    Avx2,
    /// Any CPU: the portable loops at the build's baseline instruction set.
    Portable,
}

impl Isa {
    /// Returns the widest kernel family this CPU supports.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                return Isa::Avx2;
            }
        }
        Isa::Portable
    }

    /// Returns every family this CPU can run, widest first, so tests can compare them.
    pub fn supported() -> Vec<Self> {
        let mut families = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                families.push(Isa::Avx512);
            }
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                families.push(Isa::Avx2);
            }
        }
        families.push(Isa::Portable);
        families
    }
}
