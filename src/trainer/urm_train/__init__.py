"""urm_train: the Urm trainer (fusion + sequence model, PyTorch) and its ONNX export."""
import os

# Idle OpenMP threads sleep instead of spinning. Set before torch is imported (libgomp reads it once).
# PyTorch's OpenMP workers spin between parallel regions by default, while OpenBLAS runs the matrix
# products on threads of its own: on 2 cores the spinners take the cores from the BLAS threads, and
# on a machine shared with other jobs a step became 6x slower (measured: 6.6 s vs 1.0 s per step at
# load 11). A setting made by the caller wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
