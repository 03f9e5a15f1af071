"""The training loop of the Partial dependence tab's neural network, run by PyTorch Lightning.

Imported by ``NeuralNetworkRegressor.fit`` on first use only: importing Lightning takes seconds
and loads pyplot (through torchmetrics). Training runs inside a server that a whole class
shares, so it must not change what other requests see:

* no files: ``logger=False``, ``enable_checkpointing=False``; the best weights are kept in
  memory by ``_KeepBest`` (``EarlyStopping`` only stops, it does not roll back);
* no process-wide random state: weights and batch order come from the caller's
  ``torch.Generator``, there is no dropout and no ``seed_everything``;
* ``Trainer(deterministic=True)`` switches torch's process-wide flags
  (``use_deterministic_algorithms``, ``cudnn.benchmark``, ``CUBLAS_WORKSPACE_CONFIG``); they are
  put back as soon as the Trainer exists, because while they are on, every other thread's CUDA
  ops without a deterministic kernel (Grad-CAM's pooling backward, for one) would raise. The
  training stays reproducible without them: fixed generator, fixed order, and CPU kernels for
  Linear, SiLU, MSE and AdamW that are deterministic (tests train twice and compare the
  weights exactly);
* one CPU thread for the training thread only (``NeuralNetworkRegressor.fit`` runs this under
  ``core.tabular.mlp.one_cpu_thread``); other threads keep their count;
* no banners: Lightning's info messages are turned down through its own loggers, and the two
  warnings it raises here are ignored for the duration of the training only (see
  ``_lightning_noise_ignored``).

Lightning: https://lightning.ai/docs/pytorch/stable/ (LightningModule, Trainer, EarlyStopping).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import lightning.pytorch as L
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping
from torch import nn

from core.progress import Progress, report
from core.tabular.mlp import Accelerator

# "GPU available: …", "TPU available: …", tips: info messages through Lightning's own loggers.
for _name in ("lightning.pytorch", "lightning.fabric"):
    logging.getLogger(_name).setLevel(logging.WARNING)

#: (category, message start) of the warnings Lightning raises while training this network:
#: torch >= 2.10 deprecates the ``LeafSpec`` Lightning still builds for every data loader, and
#: Lightning points out an unused GPU although the tab trains on the CPU on purpose.
_NOISE = ((FutureWarning, r"`isinstance\(treespec, LeafSpec\)` is deprecated"),
          (UserWarning, "GPU available but not used"))


@dataclass(frozen=True)
class FitReport:
    """How training went: epochs run, the (0-based) epoch whose weights were kept, its
    validation loss (MSE on the standardised target) and the device it ran on."""

    epochs: int
    best_epoch: int
    best_val_loss: float
    device: str


class _Batches:
    """Mini-batches of ``(x, y)``: a new order on every pass, drawn from ``generator`` (or the
    given order when ``generator`` is None). Not a DataLoader: no worker processes to tune."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int,
                 generator: torch.Generator | None = None):
        self.x, self.y, self.batch_size, self.generator = x, y, batch_size, generator

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.x)
        order = (torch.randperm(n, generator=self.generator) if self.generator is not None
                 else torch.arange(n))
        for start in range(0, n, self.batch_size):
            rows = order[start:start + self.batch_size]
            yield self.x[rows], self.y[rows]


class _Regression(L.LightningModule):
    """Mean squared error on the standardised target, AdamW, for ``network`` (B, F) → (B, 1)."""

    def __init__(self, network: nn.Module, learning_rate: float, weight_decay: float):
        super().__init__()
        self.network = network
        self.learning_rate, self.weight_decay = learning_rate, weight_decay

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)[:, 0]

    def training_step(self, batch, batch_index):
        x, y = batch
        return nn.functional.mse_loss(self(x), y)

    def validation_step(self, batch, batch_index):
        x, y = batch
        self.log("val_loss", nn.functional.mse_loss(self(x), y), batch_size=len(y))

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.learning_rate,
                                 weight_decay=self.weight_decay)


class _KeepBest(Callback):
    """Copies the weights of the epoch with the lowest validation loss to the CPU, in memory,
    and tells ``progress`` after every epoch."""

    def __init__(self, max_epochs: int, progress: Progress | None):
        self.max_epochs, self.progress = max_epochs, progress
        self.loss, self.epoch = float("inf"), -1
        self.state: dict[str, torch.Tensor] | None = None

    def on_validation_epoch_end(self, trainer, module) -> None:
        loss = float(trainer.callback_metrics["val_loss"])
        epoch = trainer.current_epoch
        if loss < self.loss:
            self.loss, self.epoch = loss, epoch
            self.state = {name: tensor.detach().to("cpu", copy=True)
                          for name, tensor in module.network.state_dict().items()}
        if self.progress is not None:
            report(self.progress, min(1.0, (epoch + 1) / self.max_epochs), "epoch",
                   epoch=epoch + 1, most=self.max_epochs, loss=loss)


@contextmanager
def _torch_flags_kept() -> Iterator[None]:
    """Put back the process-wide switches that ``Trainer(deterministic=True)`` turns."""
    saved = (torch.are_deterministic_algorithms_enabled(),
             torch.is_deterministic_algorithms_warn_only_enabled(),
             torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
             os.environ.get("CUBLAS_WORKSPACE_CONFIG"))
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(saved[0], warn_only=saved[1])
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = saved[2:4]
        if saved[4] is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
        else:
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = saved[4]


@contextmanager
def _lightning_noise_ignored() -> Iterator[None]:
    """Ignore exactly the warnings in ``_NOISE`` while Lightning trains.

    Python before 3.14 has no per-thread warning filters: ``catch_warnings`` swaps the filter
    list of the process for the duration. The two filters only match Lightning's messages
    above, so another thread's warnings are unaffected meanwhile.
    """
    with warnings.catch_warnings():
        for category, message in _NOISE:
            warnings.filterwarnings("ignore", message=message, category=category)
        yield


def fit_network(network: nn.Module, *, train: tuple[torch.Tensor, torch.Tensor],
                validation: tuple[torch.Tensor, torch.Tensor], generator: torch.Generator,
                learning_rate: float, weight_decay: float, batch_size: int, max_epochs: int,
                patience: int, accelerator: Accelerator = "cpu",
                progress: Progress | None = None) -> FitReport:
    """Train ``network`` in place on ``train`` = (x (n, F), y (n,)) with early stopping on
    ``validation`` (one full batch per epoch); afterwards it holds the best epoch's weights,
    in eval mode, frozen, on the CPU. Returns a ``FitReport``."""
    module = _Regression(network, learning_rate, weight_decay)
    keep_best = _KeepBest(max_epochs, progress)
    with _lightning_noise_ignored():
        with _torch_flags_kept():
            trainer = L.Trainer(
                accelerator=accelerator, devices=1, max_epochs=max_epochs, deterministic=True,
                logger=False, enable_checkpointing=False, enable_progress_bar=False,
                enable_model_summary=False, num_sanity_val_steps=0,
                callbacks=[EarlyStopping(monitor="val_loss", mode="min", patience=patience),
                           keep_best])
        device = str(trainer.strategy.root_device)
        trainer.fit(module, train_dataloaders=_Batches(*train, batch_size, generator),
                    val_dataloaders=_Batches(*validation, len(validation[0])))
    if keep_best.state is None:
        raise ValueError("The neural network's validation loss was never a finite number: the "
                         "training diverged. Try a smaller learning rate.")
    network.load_state_dict(keep_best.state)
    network.cpu().eval().requires_grad_(False)
    return FitReport(epochs=trainer.current_epoch, best_epoch=keep_best.epoch,
                     best_val_loss=keep_best.loss, device=device)
