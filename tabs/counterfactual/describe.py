"""The sentences and tables of the Counterfactual tab, in the request's language: the slide's
questions answered, the distances, the reality checks."""

from __future__ import annotations

from core.counterfactual import Counterfactual, Target
from core.counterfactual.checks import JPEG_QUALITY, SHIFT, CheckOutcome, RealityChecks
from core.counterfactual.swap import RegionSwap
from core.predictions import Prediction
from tabs.common.i18n import Language
from tabs.counterfactual.texts import T


def _name(prediction: Prediction) -> str:
    return f"*{prediction.label}* (#{prediction.index}, p = {prediction.probability:.2f})"


def target_name(target: Target, original: str, *, lang: Language) -> str:
    """The target for people: "any dog", "#207 golden retriever", "any class but #285 …"."""
    if target.kind == "dog":
        return T.text("name.dog", lang)
    if target.kind == "other":
        return T.text("name.other", lang, index=target.original, name=original)
    return f"#{target.classes[0]} {target.class_name}"


def check_name(outcome: CheckOutcome, *, lang: Language) -> str:
    """The check's name: "second model (EfficientNet-Lite0)", "JPEG, quality 75" …"""
    if outcome.kind == "second_model":
        return (T.text("check.second_model", lang, model=outcome.model) if outcome.model
                else T.text("check.second", lang))
    if outcome.kind == "jpeg":
        return T.text("check.jpeg", lang, quality=JPEG_QUALITY)
    return T.text("check.shift", lang, shift=SHIFT)


def skipped_note(outcome: CheckOutcome, *, lang: Language) -> str:
    """Why a check could not run (empty when it ran)."""
    skipped = outcome.skipped
    if skipped is None:
        return ""
    if skipped.reason == "no_second_model":
        wanted = ", ".join(skipped.wanted) or T.text("skip.another", lang)
        return T.text("skip.no_second_model", lang, wanted=wanted)
    if skipped.reason == "grid":
        return T.text("skip.grid", lang, model=outcome.model, layer=skipped.layer,
                      rows=skipped.grid[0], columns=skipped.grid[1],
                      expected_rows=skipped.expected[0], expected_columns=skipped.expected[1])
    return T.text("skip.head", lang, layer=skipped.layer)


def answer(result: Counterfactual, *, lang: Language) -> str:
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


def distances(result: Counterfactual, *, lang: Language) -> str:
    """How far the counterfactual is from the original, and where it could change."""
    d = result.distances
    region = "" if result.mask is None else T.text("distances.region", lang,
                                                    share=100 * result.mask.mean())
    return T.text("distances", lang, rms=d.rms, norm=d.norm, linf=d.linf, l1=d.mean_abs,
                  changed=100 * d.changed, region=region)


def pixel_summary(result: Counterfactual, *, lang: Language) -> str:
    """Method 1's result in three paragraphs: the answer, the distances, the start."""
    p = result.params
    setting = T.text("setting", lang, weight=p.weight, kind=p.distance.upper(),
                     smoothness=p.smoothness, step=p.step_size, most=p.max_steps, seed=result.seed)
    timing = f"{result.seconds:.1f} s" if result.seconds else T.text("cached", lang)
    start = T.text("start", lang, original=result.original_label, setting=setting, timing=timing,
                   target=target_name(result.target, result.original_label, lang=lang))
    return "\n\n".join([answer(result, lang=lang), distances(result, lang=lang), start])


def checks_table(checks: RealityChecks, reference: float, target: str, *, what: str,
                 lang: Language) -> str:
    """A Markdown table, one row per check: what the model says, the target probability
    before → after, whether it keeps the target; then how many kept it."""
    rows = [T.text("checks.title", lang, what=what), "",
            T.text("checks.head", lang, target=target), "|---|---|---:|:---:|"]
    for outcome in checks.outcomes:
        name = check_name(outcome, lang=lang)
        if outcome.prediction is None:  # the check could not run
            rows.append(f"| {name} | {skipped_note(outcome, lang=lang)} | – | – |")
            continue
        verdict = T.text("yes", lang) if outcome.holds else f"**{T.text('no', lang)}**"
        rows.append(f"| {name} | {_name(outcome.prediction)} | {reference:.2f} → "
                    f"{outcome.target_probability:.2f} | {verdict} |")
    if checks.ran:
        rows += ["", T.text("checks.summary", lang, passed=checks.passed, ran=checks.ran)]
    return "\n".join(rows)


def swap_summary(result: RegionSwap, *, lang: Language) -> str:
    """Method 2's result: how many cells made the target, from which picture, on which grid."""
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
