"""urm_train: the Urm trainer (fusion + sequence model, PyTorch) and its ONNX export.

Importing the package first sets two environment variables that the native libraries read once, when
torch or numpy loads them; a value the caller has set wins."""
import os

# Idle OpenMP threads sleep instead of spinning. Set before torch is imported (libgomp reads it once).
# PyTorch's OpenMP workers spin between parallel regions by default, while OpenBLAS runs the matrix
# products on threads of its own: on 2 cores the spinners take the cores from the BLAS threads, and
# on a machine shared with other jobs a step became 6x slower (measured: 6.6 s vs 1.0 s per step at
# load 11).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def openblas_core(cpuinfo: str = "/proc/cpuinfo") -> str | None:
    """The OpenBLAS kernel family this CPU runs (OPENBLAS_CORETYPE), from its instruction-set flags;
    None where the flags cannot be read or the CPU has neither AVX-512 nor AVX2.

    Debian's OpenBLAS (0.3.21, the one its torch and numpy multiply with) does not know CPUs newer than
    it, and for them falls back to its Prescott (SSE3) kernels: on this project's development machine
    (a 2023 Xeon with AVX-512) every matrix product ran 4-5x slower than the CPU allows (12,101 x 384 x
    64: 19.4 ms, 31 GFLOP/s, against 3.6 ms with the SkylakeX kernels) and a training step 2x slower."""
    try:
        with open(cpuinfo, encoding="utf-8") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return None
    flags = set(flags)
    if {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


_core = openblas_core()
if _core is not None:
    os.environ.setdefault("OPENBLAS_CORETYPE", _core)
