"""A small neural network regressor (an MLP) with scikit-learn's ``fit``/``predict``.

The two tree models of the Partial dependence tab answer with step functions; a multi-layer
perceptron is a smooth function of every input, which is the contrast the tab needs. It is
trained with PyTorch Lightning (``core.tabular.lightning_fit``; imported on the first ``fit``
only, because importing Lightning takes seconds and loads pyplot through torchmetrics) and
wrapped as a scikit-learn regressor, so ``sklearn.inspection.partial_dependence`` (brute), ICE,
ALE and the model comparison treat it exactly like the trees. scikit-learn's own
``MLPRegressor`` could fit the same network; this one exists to show the lab's Lightning
dependency at work on a model small enough to read.

Rumelhart, Hinton & Williams (1986), "Learning representations by back-propagating errors",
Nature 323 (MLP); Elfwing, Uchibe & Doya (2018), "Sigmoid-weighted linear units for neural
network function approximation", Neural Networks 107 (SiLU); Loshchilov & Hutter (2019),
"Decoupled weight decay regularization", ICLR (AdamW); Prechelt (1998), "Early stopping - but
when?", in Neural Networks: Tricks of the Trade. Estimator rules:
https://scikit-learn.org/stable/developers/develop.html
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn

from core.checks import check_int, check_number, read_only
from core.progress import Progress

Accelerator = Literal["cpu", "auto"]

__all__ = ["Accelerator", "NeuralNetworkRegressor", "build_network", "one_cpu_thread"]


@contextmanager
def one_cpu_thread() -> Iterator[None]:
    """Run the calling thread's torch CPU kernels on one thread; other threads keep theirs.

    The network's matrices are tiny (at most 379 × 64). With two threads MKL splits every
    product, and on a busy 2-core machine it then waits for a partner thread that is not
    running: measured here, 12-25 s per training instead of 0.5 s and 3.5 ms per prediction
    instead of 0.8 ms. ``torch.set_num_threads`` sets the calling thread's OpenMP and MKL
    counts (thread-local) and also torch's default for threads that have not used torch yet
    (process-wide); a short-lived helper thread puts that default back at once, and the
    ``finally`` restores the calling thread's own count.
    """
    before = torch.get_num_threads()  # this thread's count
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    helper = threading.Thread(target=torch.set_num_threads, args=(before,))
    helper.start()
    helper.join()
    try:
        yield
    finally:
        torch.set_num_threads(before)


def build_network(n_features: int, hidden_layers: tuple[int, ...],
                  generator: torch.Generator) -> nn.Sequential:
    """Linear → SiLU for every hidden layer, then one linear output unit.

    Weights and biases follow PyTorch's default for ``nn.Linear`` (uniform in ±1/√fan_in, the
    same as He-uniform with a = √5) but are drawn from ``generator`` only: ``skip_init``
    allocates the layers without touching the process-wide random state, which other tabs
    share. Input (B, n_features) → output (B, 1).
    """
    layers: list[nn.Module] = []
    width = n_features
    for units in (*hidden_layers, 1):
        linear = nn.utils.skip_init(nn.Linear, width, units)
        bound = 1.0 / math.sqrt(width)
        nn.init.uniform_(linear.weight, -bound, bound, generator=generator)
        nn.init.uniform_(linear.bias, -bound, bound, generator=generator)
        layers += [linear, nn.SiLU()]
        width = units
    return nn.Sequential(*layers[:-1])  # no activation after the output unit


@dataclass(frozen=True)
class _Settings:
    """The network's hyper-parameters, checked."""

    hidden_layers: tuple[int, ...]
    learning_rate: float
    weight_decay: float
    batch_size: int
    max_epochs: int
    patience: int
    validation_fraction: float
    seed: int


class NeuralNetworkRegressor(RegressorMixin, BaseEstimator):
    """An MLP regressor on standardised features, trained with PyTorch Lightning.

    ``fit`` holds out ``validation_fraction`` of the rows it is given (drawn with
    ``random_state``; the caller's test rows never reach it), standardises inputs and target
    with the mean and standard deviation of the remaining rows, trains with AdamW on shuffled
    mini-batches and stops when the validation loss has not improved for ``patience`` epochs
    (at most ``max_epochs``); the weights of the best epoch are kept. The same data and
    settings give the same weights, bit for bit, on the CPU. ``accelerator="auto"`` trains on a
    GPU when there is one; results may then differ slightly from the CPU's. Predictions are
    always made on the CPU.

    Fitted attributes: ``network_`` (the ``nn.Sequential``, eval mode, frozen, CPU),
    ``x_mean_``/``x_scale_`` (n_features,), ``y_mean_``/``y_scale_`` (floats),
    ``n_features_in_``, ``feature_names_in_`` (when fitted on a DataFrame), ``n_epochs_``
    (epochs run), ``best_epoch_`` (0-based epoch whose weights are kept), ``best_val_loss_``
    (its mean squared error on the standardised target), ``n_validation_`` (rows held out),
    ``device_`` (where it was trained).
    """

    def __init__(self, *, hidden_layers: tuple[int, ...] = (64, 64), learning_rate: float = 3e-3,
                 weight_decay: float = 1e-2, batch_size: int = 64, max_epochs: int = 300,
                 patience: int = 30, validation_fraction: float = 0.2, random_state: int = 0,
                 accelerator: Accelerator = "cpu"):
        self.hidden_layers = hidden_layers
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.accelerator = accelerator

    def _checked_settings(self) -> _Settings:
        layers = self.hidden_layers
        if not isinstance(layers, (tuple, list)) or not 1 <= len(layers) <= 4:
            raise ValueError(f"hidden_layers must list 1 to 4 layer widths, got {layers!r}.")
        if self.accelerator not in get_args(Accelerator):
            raise ValueError(f"Unknown accelerator {self.accelerator!r}. Choose 'cpu' or 'auto'.")
        return _Settings(
            hidden_layers=tuple(
                check_int(("A hidden layer width", "Die Breite einer verborgenen Schicht"), w,
                          1, 1024) for w in layers),
            learning_rate=check_number(("The learning rate", "Die Lernrate"),
                                       self.learning_rate, 1e-6, 1.0),
            weight_decay=check_number(("The weight decay", "Der Weight Decay"),
                                      self.weight_decay, 0.0, 1.0),
            batch_size=check_int(("The batch size", "Die Batch-Größe"), self.batch_size,
                                 1, 100_000),
            max_epochs=check_int(("The maximum number of epochs", "Die Höchstzahl der Epochen"),
                                 self.max_epochs, 1, 10_000),
            patience=check_int(("The patience", "Die Geduld (Patience)"), self.patience,
                               1, 10_000),
            validation_fraction=check_number(("The validation fraction",
                                              "Der Anteil der Validierungszeilen"),
                                             self.validation_fraction, 0.05, 0.5),
            seed=check_int(("The seed", "Der Seed"), self.random_state, 0, 2**31 - 1),
        )

    def fit(self, X, y, *, progress: Progress | None = None) -> NeuralNetworkRegressor:
        """Train on ``X`` (n, n_features) and ``y`` (n,); ``progress`` hears about every epoch."""
        settings = self._checked_settings()
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        seed = settings.seed
        n_rows = X.shape[0]
        n_validation = int(round(settings.validation_fraction * n_rows))
        if n_validation < 2 or n_rows - n_validation < 2:
            raise ValueError(f"{n_rows} rows are too few to hold some out for early stopping.")
        order = np.random.default_rng(seed).permutation(n_rows)
        held_out, kept = order[:n_validation], order[n_validation:]
        x_mean, x_scale = X[kept].mean(axis=0), X[kept].std(axis=0)
        x_scale[x_scale == 0] = 1.0  # a constant column stays 0 after centring
        y_mean, y_scale = float(y[kept].mean()), float(y[kept].std() or 1.0)

        def tensors(rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
            inputs = (X[rows] - x_mean) / x_scale
            return (torch.from_numpy(inputs.astype(np.float32)),
                    torch.from_numpy(((y[rows] - y_mean) / y_scale).astype(np.float32)))

        generator = torch.Generator().manual_seed(seed)
        network = build_network(X.shape[1], settings.hidden_layers, generator)
        from core.tabular.lightning_fit import fit_network  # Lightning loads on first use

        with one_cpu_thread():
            report = fit_network(network, train=tensors(kept), validation=tensors(held_out),
                                 generator=generator, accelerator=self.accelerator,
                                 progress=progress, learning_rate=settings.learning_rate,
                                 weight_decay=settings.weight_decay,
                                 batch_size=settings.batch_size,
                                 max_epochs=settings.max_epochs, patience=settings.patience)
        self.network_ = network
        self.x_mean_, self.x_scale_ = read_only(x_mean), read_only(x_scale)  # shared by users
        self.y_mean_, self.y_scale_ = y_mean, y_scale
        self.n_epochs_, self.best_epoch_ = report.epochs, report.best_epoch
        self.best_val_loss_, self.device_ = report.best_val_loss, report.device
        self.n_validation_ = n_validation
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "network_")

    def predict(self, X) -> np.ndarray:
        """Predicted targets (n,) for ``X`` (n, n_features), in the unit of ``y``.

        Thread-safe: the shared network is only read (inference mode, no gradients).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        inputs = torch.from_numpy(((X - self.x_mean_) / self.x_scale_).astype(np.float32))
        with one_cpu_thread(), torch.inference_mode():
            scaled = self.network_(inputs)[:, 0].numpy()
        return scaled.astype(np.float64) * self.y_scale_ + self.y_mean_
