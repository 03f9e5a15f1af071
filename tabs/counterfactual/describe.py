"""The sentences and tables of the Counterfactual tab: the slide's questions answered, the
distances, the reality checks."""

from __future__ import annotations

from core.counterfactual import Counterfactual, Target
from core.counterfactual.checks import RealityChecks
from core.counterfactual.swap import RegionSwap
from core.predictions import Prediction


def _name(prediction: Prediction) -> str:
    return f"*{prediction.label}* (#{prediction.index}, p = {prediction.probability:.2f})"


def answer(result: Counterfactual) -> str:
    """'Does the algorithm manage to change the image? If so, to which class?' in one sentence."""
    top = result.predictions[0]
    budget = result.params.max_steps
    if result.switched_to is not None and result.reached:
        return (f"**Switched to {_name(top)} after {result.steps} steps**: p({result.target.label}) "
                f"= {result.target_probability:.2f} ≥ {result.params.threshold:g}.")
    if result.reached:
        return (f"**Reached p({result.target.label}) = {result.target_probability:.2f} after "
                f"{result.steps} steps**, but the single most likely class is still {_name(top)}.")
    text = (f"**Did not switch within {budget} steps**; the closest it got was "
            f"p({result.target.label}) = {result.closest:.2f}. The model now says {_name(top)}.")
    if result.closest >= result.params.threshold:
        text += (f" The optimisation reached {result.closest:.2f}, but rounding to 8-bit pixels "
                 f"brought it back to {result.target_probability:.2f}: the change was that fragile.")
    return text


def distances(result: Counterfactual) -> str:
    d = result.distances
    region = "" if result.mask is None else (
        f" Only the painted region ({100 * result.mask.mean():.0f} % of the image) could change.")
    return (f"Distance to the original, in grey levels (0–255): **L2 {d.rms:.2f}** (root mean "
            f"square per value; Euclidean norm {d.norm:.0f}), **L∞ {d.linf:.0f}** (largest change "
            f"of one value), L1 {d.mean_abs:.2f} per value; **{100 * d.changed:.1f} % of the "
            f"pixels** changed by more than 2 levels.{region}")


def pixel_summary(result: Counterfactual) -> str:
    p = result.params
    setting = (f"λ = {p.weight:g} ({p.distance.upper()}), smoothness {p.smoothness:g}, step size "
               f"{p.step_size:g} grey levels, at most {p.max_steps} steps, seed {result.seed}")
    timing = f"{result.seconds:.1f} s" if result.seconds else "from the cache"
    return "\n\n".join([answer(result), distances(result),
                        f"Start: *{result.original_label}* · target: {result.target.label} · "
                        f"{setting} · {timing}."])


def checks_table(checks: RealityChecks, reference: float, target: Target, *, what: str) -> str:
    """One row per check: what the model says, the target probability before → after."""
    rows = [f"**Is it real or is it noise?** {what}", "",
            f"| check | the model says | p({target.label}) | still the target? |",
            "|---|---|---:|:---:|"]
    for outcome in checks.outcomes:
        if outcome.holds is None:
            rows.append(f"| {outcome.name} | {outcome.note} | – | – |")
            continue
        verdict = "yes" if outcome.holds else "**no**"
        rows.append(f"| {outcome.name} | {_name(outcome.prediction)} | {reference:.2f} → "
                    f"{outcome.target_probability:.2f} | {verdict} |")
    if checks.ran:
        rows += ["", f"{checks.passed} of {checks.ran} checks keep the target. A change that only "
                     "works for these exact pixels and this one model is an adversarial example, "
                     "not an explanation."]
    return "\n".join(rows)


def swap_summary(result: RegionSwap) -> str:
    top = result.predictions[0]
    count = len(result.swaps)
    cells = result.grid[0] * result.grid[1]
    dog = result.dog_predictions[0]
    size = result.view.shape[0]
    if result.reached:
        head = (f"**{count} of {cells} cells** from the dog picture make the model say "
                f"{_name(top)}: p({result.target.label}) = {result.p_target[-1]:.2f}.")
    else:
        head = (f"**Did not reach p({result.target.label}) ≥ {result.threshold:g} with {count} "
                f"cells**; the closest was {float(result.p_target.max()):.2f}, the model says "
                f"{_name(top)}.")
    search = ("every pair evaluated exactly (Goyal et al.'s exhaustive search)" if result.exhaustive
              else "each step ranks all pairs by a first-order estimate and evaluates the best "
                   "candidates exactly")
    note = "" if dog.index in result.target else (
        f" Note: the model does not see the target in the second picture itself (it says "
        f"{_name(dog)}); choose a picture of the target.")
    return (f"{head}\n\nStart: *{result.original_label}*; second picture: {_name(dog)}.{note} "
            f"Grid: {result.grid[0]}×{result.grid[1]} cells of `{result.layer}` (one cell ≈ "
            f"{size // result.grid[0]}×{size // result.grid[1]} of {size}×{size} pixels); {search}; "
            f"{result.seconds:.1f} s. Above: the start image (left) and the second picture (right); "
            "the same number marks a swapped pair, counted in the order found.")
