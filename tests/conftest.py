"""Fixtures shared by the test modules."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """torch on one thread for a module: its tensors there are tiny, and a thread pool only adds
    contention on a shared machine (a test of ours took 20 s instead of 1 s with the default pool)."""
    import torch  # only the modules that compare with torch pay for importing it

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def torch_float64():
    """torch's default dtype float64 for a module, so that torch.optim keeps its step counts and
    products (NAdam's μ-product, for one) in float64 like the tensors they scale, not float32."""
    import torch

    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(dtype)
