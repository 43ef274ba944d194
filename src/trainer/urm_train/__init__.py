"""urm_train: the Urm trainer (fusion + sequence model, PyTorch) and its ONNX export."""
