"""The trainer's matrix products run on the CPU's own BLAS kernels, not OpenBLAS's SSE3 fallback."""
import os
import subprocess
import sys

import pytest

import urm_train

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The OpenBLAS that torch loaded, asked for the kernels it runs (its own path, from the process's maps,
# so that ctypes gets the library already loaded rather than a second copy).
PROBE = """
import urm_train, torch, ctypes
path = next((l.split()[-1] for l in open('/proc/self/maps') if 'libopenblas' in l), None)
if path is None:
    print('none')
else:
    lib = ctypes.CDLL(path)
    lib.openblas_get_corename.restype = ctypes.c_char_p
    print(lib.openblas_get_corename().decode())
"""


def test_openblas_core_follows_the_cpu_flags(tmp_path):
    def core(flags: str):
        f = tmp_path / "cpuinfo"
        f.write_text(f"processor\t: 0\nflags\t\t: fpu sse3 {flags}\n\nprocessor\t: 1\nflags\t\t: fpu\n")
        return urm_train.openblas_core(str(f))

    assert core("avx avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni") == "SkylakeX"
    assert core("avx avx2 fma avx512f") == "Haswell"      # AVX-512 without BW/VL/DQ: not SkylakeX's kernels
    assert core("avx avx2 fma") == "Haswell"
    assert core("avx") is None
    assert urm_train.openblas_core(str(tmp_path / "absent")) is None


@pytest.mark.skipif(urm_train.openblas_core() is None, reason="this CPU has neither AVX2 nor AVX-512")
def test_the_loaded_openblas_runs_the_kernels_for_this_cpu():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=TRAINER, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    if out == "none":
        pytest.skip("torch multiplies with a BLAS other than OpenBLAS here")
    assert out == urm_train.openblas_core()
