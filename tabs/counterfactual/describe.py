"""The sentences and tables of the Counterfactual tab, in the request's language: the slide's
questions answered, the distances, the reality checks."""

from __future__ import annotations

from core.counterfactual import Counterfactual, Target
from core.counterfactual.checks import JPEG_QUALITY, SHIFT, RealityChecks
from core.counterfactual.swap import RegionSwap
from core.predictions import Prediction
from tabs.counterfactual.texts import T

CHECK_NAMES = {"second model": "check.second", f"JPEG, quality {JPEG_QUALITY}": "check.jpeg",
               f"{SHIFT}-pixel shift": "check.shift"}
"""Core names its checks in English (the second model with its title in brackets)."""


def _name(prediction: Prediction) -> str:
    return f"*{prediction.label}* (#{prediction.index}, p = {prediction.probability:.2f})"


def target_name(target: Target, original: str, *, lang: str) -> str:
    """The target for people: "any dog", "#207 golden retriever", "any class but #285 …"."""
    if target.kind == "dog":
        return T.text("name.dog", lang)
    if target.kind == "other":
        return T.text("name.other", lang, index=target.original, name=original)
    return target.label


def check_name(name: str, *, lang: str) -> str:
    head, bracket, rest = name.partition(" (")
    key = CHECK_NAMES.get(head)
    if key is None:
        return name
    return T.text(key, lang, quality=JPEG_QUALITY, shift=SHIFT) + bracket + rest


def answer(result: Counterfactual, *, lang: str) -> str:
    """'Does the algorithm manage to change the image? If so, to which class?' in one sentence."""
    top = _name(result.predictions[0])
    params = result.params
    target = target_name(result.target, result.original_label, lang=lang)
    if result.switched_to is not None and result.reached:
        return T.text("answer.switched", lang, top=top, steps=result.steps, target=target,
                      p=result.target_probability, threshold=params.threshold)
    if result.reached:
        return T.text("answer.reached", lang, top=top, steps=result.steps, target=target,
                      p=result.target_probability)
    text = T.text("answer.missed", lang, budget=params.max_steps, target=target,
                  closest=result.closest, top=top)
    if result.closest >= params.threshold:
        text += T.text("answer.fragile", lang, closest=result.closest,
                       p=result.target_probability)
    return text


def distances(result: Counterfactual, *, lang: str) -> str:
    d = result.distances
    region = "" if result.mask is None else T.text("distances.region", lang,
                                                    share=100 * result.mask.mean())
    return T.text("distances", lang, rms=d.rms, norm=d.norm, linf=d.linf, l1=d.mean_abs,
                  changed=100 * d.changed, region=region)


def pixel_summary(result: Counterfactual, *, lang: str) -> str:
    p = result.params
    setting = T.text("setting", lang, weight=p.weight, kind=p.distance.upper(),
                     smoothness=p.smoothness, step=p.step_size, most=p.max_steps, seed=result.seed)
    timing = f"{result.seconds:.1f} s" if result.seconds else T.text("cached", lang)
    start = T.text("start", lang, original=result.original_label, setting=setting, timing=timing,
                   target=target_name(result.target, result.original_label, lang=lang))
    return "\n\n".join([answer(result, lang=lang), distances(result, lang=lang), start])


def checks_table(checks: RealityChecks, reference: float, target: str, *, what: str,
                 lang: str) -> str:
    """One row per check: what the model says, the target probability before → after."""
    rows = [T.text("checks.title", lang, what=what), "",
            T.text("checks.head", lang, target=target), "|---|---|---:|:---:|"]
    for outcome in checks.outcomes:
        name = check_name(outcome.name, lang=lang)
        if outcome.holds is None:
            note = outcome.note[1] if lang == "de" else outcome.note[0]
            rows.append(f"| {name} | {note} | – | – |")
            continue
        verdict = T.text("yes", lang) if outcome.holds else f"**{T.text('no', lang)}**"
        rows.append(f"| {name} | {_name(outcome.prediction)} | {reference:.2f} → "
                    f"{outcome.target_probability:.2f} | {verdict} |")
    if checks.ran:
        rows += ["", T.text("checks.summary", lang, passed=checks.passed, ran=checks.ran)]
    return "\n".join(rows)


def swap_summary(result: RegionSwap, *, lang: str) -> str:
    top = _name(result.predictions[0])
    count = len(result.swaps)
    dog = result.dog_predictions[0]
    size = result.view.shape[0]
    target = target_name(result.target, result.original_label, lang=lang)
    if result.reached:
        head = T.text("swap.reached", lang, count=count, cells=result.grid[0] * result.grid[1],
                      top=top, target=target, p=result.p_target[-1])
    else:
        head = T.text("swap.missed", lang, target=target, threshold=result.threshold,
                      count=count, closest=float(result.p_target.max()), top=top)
    search = T.text("swap.exhaustive" if result.exhaustive else "swap.estimate", lang)
    note = "" if dog.index in result.target else T.text("swap.no_target", lang, dog=_name(dog))
    return T.text("swap.summary", lang, head=head, original=result.original_label, dog=_name(dog),
                  note=note, rows=result.grid[0], columns=result.grid[1], layer=result.layer,
                  cell_rows=size // result.grid[0], cell_columns=size // result.grid[1],
                  size=size, search=search, seconds=result.seconds)
