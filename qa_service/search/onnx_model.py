"""The embedding model as an ONNX graph, exported here from the packaged weights, never downloaded.

The whole sentence-transformers pipeline after tokenisation (transformer, mean pooling,
normalisation) is traced into one graph, so ONNX Runtime returns the same unit vectors as
torch. `int8` additionally quantises the weights of every matrix multiplication to 8 bits
per output channel (ONNX Runtime's dynamic quantisation); the word-embedding table stays
float32, which keeps the vectors close to the original (see BENCHMARKS.md for how close).

Exports are cached in a folder under a name made of a hash of the weights and the versions
of the tools that made them, so a new model or a new torch re-exports on its own; a file is
written under a temporary name and renamed, so processes exporting at once never read half
a file.

ONNX Runtime itself is imported only where a session is opened or in a child process: a
process forked after importing it (a gunicorn worker, forked from a `--preload` master that
exported the model) aborts or hangs when it exits.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from sentence_transformers import SentenceTransformer

from ..files import write_atomically

if TYPE_CHECKING:
    import onnxruntime

OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"


class _Pipeline(torch.nn.Module):
    """sentence-transformers' forward with plain tensor arguments, which the tracer needs."""

    def __init__(self, model: SentenceTransformer) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        features = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
        return self.model(features)[OUTPUT]


def _weights_key(model_path: Path) -> str:
    """Identifies the weights and the exporters: any change gives a new file name."""
    digest = hashlib.sha256(f"{torch.__version__}|{version('onnxruntime')}|opset{OPSET}".encode())
    for path in sorted(model_path.glob("*.safetensors")) + [model_path / "config.json"]:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def _export(model: SentenceTransformer, target: Path) -> None:
    sample = model.preprocess(["a short text", "a somewhat longer text to pad against"])
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {OUTPUT: {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow it froze
        torch.onnx.export(
            _Pipeline(model).eval(), tuple(sample[name] for name in INPUTS), str(target), dynamo=False,
            input_names=list(INPUTS), output_names=[OUTPUT], dynamic_axes=axes, opset_version=OPSET,
        )


def quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of `source` into `target`; imports ONNX Runtime, so runs in a child process."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # its advice to pre-process first is for static quantisation
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                     per_channel=True)


def _quantize_in_child(source: Path, target: Path) -> None:
    code = (f"from pathlib import Path; from qa_service.search.onnx_model import quantize; "
            f"quantize(Path({str(source)!r}), Path({str(target)!r}))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"quantising {source.name} failed: {done.stderr.strip()[-2000:]}")


def exported_model(model: SentenceTransformer, model_path: Path, folder: Path, int8: bool = False) -> Path:
    """The ONNX file for `model` (loaded from `model_path`) in `folder`, exported on first use."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / f"{model_path.name}-{_weights_key(model_path)}.onnx"
    if not base.is_file():
        write_atomically(base, lambda path: _export(model, path))
    if not int8:
        return base
    quantized = base.with_name(base.stem + "-int8.onnx")
    if not quantized.is_file():
        write_atomically(quantized, lambda path: _quantize_in_child(base, path))
    return quantized


def open_session(path: Path, threads: int) -> onnxruntime.InferenceSession:
    """An inference session on the CPU using `threads` threads for one call (as torch's set_num_threads)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
