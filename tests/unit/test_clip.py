"""core.clip on a tiny CLIP built in memory: scores, tokens, relevance, agreement, zero-shot."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from core import clip as C
from core.cache import clear_all
from core.clip.tokens import MAX_DESCRIPTIONS, parse_descriptions, pooling_index
from core.clip.trace import trace_image, trace_text
from core.images import load_image
from core.models import ModelManager
from core.models.hooks import count_hooks
from core.preprocess import normalise, view_and_pixels
from lab import EXAMPLE_IMAGES_DIR
from tests.clip_tiny import tiny_clip, tiny_clip_spec

SLIDES = list(C.SLIDES_DESCRIPTIONS)
NAME = "clip-vit-base-patch32"


@pytest.fixture(scope="module")
def model():
    manager = ModelManager(device="cpu", specs={NAME: tiny_clip_spec()}, fallback=NAME)
    return manager.get(NAME)


@pytest.fixture(scope="module")
def image():
    return load_image(EXAMPLE_IMAGES_DIR / "both.png")


@pytest.fixture(autouse=True)
def cold():
    clear_all()
    yield


def _pixels(model, image):
    _, pixels = view_and_pixels(image, 32)
    return normalise(pixels, model.spec)


def test_similarity_equals_manual_cosine_of_projected_embeddings(model, image):
    result = C.similarity(model, image, "\n".join(SLIDES))
    clip, tokenizer = model.network.clip, model.network.tokenizer
    batch = tokenizer(SLIDES, padding=True, return_tensors="pt")
    with torch.no_grad():
        vision = clip.vision_model(pixel_values=_pixels(model, image))
        image_vector = clip.visual_projection(vision.pooler_output)
        text_vectors = clip.text_projection(clip.text_model(**batch).pooler_output)
        manual = F.cosine_similarity(text_vectors, image_vector).numpy()
        logits = clip(**batch, pixel_values=_pixels(model, image)).logits_per_image[0].numpy()
    np.testing.assert_allclose(result.cosine, manual, atol=1e-5)
    np.testing.assert_allclose(result.logits, logits, rtol=1e-4, atol=1e-4)
    assert result.scale == pytest.approx(float(clip.logit_scale.exp()))


def test_probabilities_sum_to_one_and_permute_with_the_descriptions(model, image):
    first = C.similarity(model, image, SLIDES)
    assert first.probabilities.sum() == pytest.approx(1.0)
    order = [2, 0, 1]
    second = C.similarity(model, image, [SLIDES[i] for i in order])
    np.testing.assert_allclose(second.probabilities, first.probabilities[order], atol=1e-6)
    np.testing.assert_allclose(second.cosine, first.cosine[order], atol=1e-6)
    assert first.descriptions[first.top] == second.descriptions[second.top]
    assert not first.cosine.flags.writeable


def test_descriptions_are_parsed_with_sentences():
    assert parse_descriptions("  a dog \n\n   \na   cat  ") == ("a dog", "a cat")
    with pytest.raises(ValueError, match="at least one description"):
        parse_descriptions("\n  \n")
    with pytest.raises(ValueError, match=f"at most {MAX_DESCRIPTIONS}"):
        parse_descriptions([f"description {i}" for i in range(MAX_DESCRIPTIONS + 1)])


def test_long_text_is_truncated_with_a_warning(model, image):
    long = " ".join(["dog"] * 100)
    result = C.similarity(model, image, ["a cat", long])
    tokenized = result.tokenized
    assert tokenized.lengths[1] == 102 and tokenized.eos[1] == 76
    assert tokenized.input_ids.shape[1] == 77
    assert len(tokenized.warnings) == 1
    assert "Description 2" in tokenized.warnings[0] and "77" in tokenized.warnings[0]
    assert "cut off" in tokenized.warnings[0]


def test_pooling_index_follows_clip_in_both_config_cases():
    ids = torch.tensor([[7, 9, 3, 5, 3]])
    assert pooling_index(ids, 2).tolist() == [1]      # legacy OpenAI config: the largest id
    assert pooling_index(ids, 3).tolist() == [2]      # fixed config: the first end token


@pytest.mark.parametrize("legacy", [True, False])
def test_traced_encoders_match_transformers(legacy, image):
    network = tiny_clip(legacy_eos=legacy)
    clip, tokenizer = network.clip, network.tokenizer
    batch = tokenizer(["a cat", "a large german shepherd dog"], padding=True, return_tensors="pt")
    pixels = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        text = trace_text(clip, batch["input_ids"], batch["attention_mask"])
        vision = trace_image(clip, pixels)
        text_ref = clip.text_model(**batch, output_attentions=True)
        vision_ref = clip.vision_model(pixel_values=pixels, output_attentions=True)
        np.testing.assert_allclose(text.embedding,
                                   C.model.features(clip.get_text_features(**batch)),
                                   atol=1e-5)
        np.testing.assert_allclose(vision.embedding,
                                   C.model.features(clip.get_image_features(pixel_values=pixels)),
                                   atol=1e-5)
    for record, reference in zip(vision.layers, vision_ref.attentions):
        np.testing.assert_allclose(record.probabilities, reference, atol=1e-6)
    valid = batch["attention_mask"].bool()
    for record, reference in zip(text.layers, text_ref.attentions):
        rows = valid[:, None, :, None] & valid[:, None, None, :]
        np.testing.assert_allclose(record.probabilities[rows.expand_as(record.probabilities)],
                                   reference[rows.expand_as(reference)], atol=1e-6)


def test_token_relevance_one_value_per_token_and_zero_past_the_end(model, image):
    descriptions = ["a cat", "a cute dog in a park", "a small kitten on a chair and a dog"]
    relevance = C.token_relevance(model, image, descriptions)
    tokenized = relevance.tokenized
    for method in C.TOKEN_METHODS:
        scores = relevance.scores[method]
        assert scores.shape == tokenized.input_ids.shape
        for i, eos in enumerate(tokenized.eos):
            assert np.all(scores[i, eos:] == 0) and scores[i, 0] == 0
            row = relevance.of(method, i)
            assert len(row) == len(tokenized.tokens[i])
            assert tokenized.tokens[i][0] == "<|startoftext|>"
            assert tokenized.tokens[i][-1] == "<|endoftext|>"
            assert row.sum() == pytest.approx(1.0, abs=1e-5) or row.sum() == 0
            assert np.all(row >= 0)
    assert relevance.start_share.min() >= 0 and relevance.start_share.max() <= 1
    with pytest.raises(ValueError, match="Unknown method"):
        relevance.of("saliency", 0)


def test_token_scores_do_not_depend_on_the_other_descriptions(model, image):
    alone = C.token_relevance(model, image, ["a cute dog in a park"])
    together = C.token_relevance(model, image, ["a cat", "a cute dog in a park",
                                                "a small kitten on a chair and a dog"])
    for method in C.TOKEN_METHODS:
        np.testing.assert_allclose(alone.of(method, 0), together.of(method, 1), atol=1e-5)


def test_image_maps_have_the_image_shape(model, image):
    odd = image[:200, :150].copy()
    relevance = C.image_relevance(model, odd, "a cute dog in a park")
    for method in C.IMAGE_METHODS:
        assert relevance.patches[method].shape == (4, 4)
        assert relevance.image_map(method).shape == odd.shape[:2]
        assert np.all(relevance.patches[method] >= 0)
    assert relevance.view.shape == (32, 32, 3)
    assert relevance.image_map("chefer", (10, 20)).shape == (10, 20)


def _reference_chefer(clip, pixels, ids, mask):
    """A direct transcription of CLIP_explainability.ipynb's ``interpret`` (Chefer et al.) onto
    transformers' CLIPModel: attention maps from ``output_attentions``, gradients of the logit."""
    output = clip(input_ids=ids, attention_mask=mask, pixel_values=pixels, output_attentions=True)
    logits_per_image = output.logits_per_image
    batch_size = ids.shape[0]
    one_hot = torch.zeros_like(logits_per_image)
    one_hot[torch.arange(logits_per_image.shape[0]), torch.arange(batch_size)] = 1
    one_hot = torch.sum(one_hot * logits_per_image)

    def relevance(attentions):
        num_tokens = attentions[0].shape[-1]
        R = torch.eye(num_tokens, num_tokens).unsqueeze(0).expand(batch_size, num_tokens,
                                                                  num_tokens)
        for blk in attentions:
            grad = torch.autograd.grad(one_hot, [blk], retain_graph=True)[0].detach()
            cam = blk.detach()
            cam = cam.reshape(-1, cam.shape[-1], cam.shape[-1])
            grad = grad.reshape(-1, grad.shape[-1], grad.shape[-1])
            cam = grad * cam
            cam = cam.reshape(batch_size, -1, cam.shape[-1], cam.shape[-1])
            cam = cam.clamp(min=0).mean(dim=1)
            R = R + torch.bmm(cam, R)
        return R

    image_relevance = relevance(output.vision_model_output.attentions)[:, 0, 1:]
    R_text = relevance(output.text_model_output.attentions)
    text = []
    for i in range(batch_size):
        CLS_idx = int(ids[i].argmax(dim=-1))
        scores = R_text[i, CLS_idx, 1:CLS_idx]
        text.append((scores / scores.sum()).numpy())
    return image_relevance, text


def test_chefer_equals_a_transcription_of_the_reference(model, image):
    descriptions = ["a cute dog in a park"]
    ours_text = C.token_relevance(model, image, descriptions)
    ours_image = C.image_relevance(model, image, descriptions[0])
    reference_model = tiny_clip().clip  # same seed, own instance: gradients enabled
    batch = model.network.tokenizer(descriptions, return_tensors="pt")
    image_ref, text_ref = _reference_chefer(reference_model, _pixels(model, image),
                                            batch["input_ids"], batch["attention_mask"])
    np.testing.assert_allclose(ours_image.patches["chefer"].ravel(), image_ref[0].numpy(),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours_text.of("chefer", 0)[1:-1], text_ref[0], rtol=1e-4, atol=1e-6)


def test_agreement_and_deletion_check(model, image):
    result = C.agreement(model, image, SLIDES)
    assert result.description == result.similarity.descriptions[result.similarity.top]
    assert set(result.token_correlations) <= set(result.image_correlations)
    for value in [*result.token_correlations.values(), *result.image_correlations.values()]:
        assert np.isnan(value) or -1 - 1e-9 <= value <= 1 + 1e-9
    deletion = result.deletion
    assert deletion.fractions[0] == 0 and deletion.fractions[-1] == 1
    assert set(deletion.curves) == set(C.DELETION_METHODS)
    start = result.similarity.cosine[result.index]
    for curve in [*deletion.curves.values(), deletion.random]:
        assert curve[0] == pytest.approx(start, abs=1e-5)
        assert curve[-1] == pytest.approx(deletion.random[-1])
    assert set(deletion.areas) == {*C.DELETION_METHODS, "random"}


def test_zero_shot_caches_the_class_sentences(model, image):
    first = C.class_embeddings(model)
    assert first.shape == (1000, 16)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert C.class_embeddings(model) is first
    from core.clip.zeroshot import class_prompts, encode_prompts
    from core.models.sources import imagenet_categories

    some = [0, 281, 999]  # sorted into batches by length, returned in class order
    alone = encode_prompts(model, tuple(class_prompts(imagenet_categories())[i] for i in some))
    np.testing.assert_allclose(first[some], alone, atol=1e-5)
    result = C.zero_shot(model, image)
    probabilities = [p.probability for p in result.predictions]
    assert len(result.predictions) == 5 and probabilities == sorted(probabilities, reverse=True)
    assert result.predictions[0].label and 0 < probabilities[0] <= 1


def test_concurrent_requests_match_sequential_ones(model, image):
    sequential_tokens = C.token_relevance(model, image, SLIDES).scores["chefer"].copy()
    sequential_map = C.image_relevance(model, image, SLIDES[1]).patches["grad_eclip"].copy()
    results, errors = [], []

    def work():
        try:
            clear_all()
            tokens = C.token_relevance(model, image, SLIDES).scores["chefer"]
            patches = C.image_relevance(model, image, SLIDES[1]).patches["grad_eclip"]
            results.append((tokens, patches))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 4
    for tokens, patches in results:
        np.testing.assert_allclose(tokens, sequential_tokens, atol=1e-6)
        np.testing.assert_allclose(patches, sequential_map, atol=1e-6)


def test_tokenizing_from_many_threads_at_once(model):
    """A fast tokenizer's padding settings are shared state; our calls must not mix them
    (without the lock in core.clip.tokens this fails with "Unable to create tensor")."""
    from core.clip.model import tokenize_descriptions
    from core.clip.tokens import token_counts

    short, long = ["a cat", "a cute dog in a park"], ["a photo of " * 60] * 20
    expected = tokenize_descriptions(model, short).input_ids.copy()
    failures = []

    def work(index: int):
        for _ in range(30):
            try:
                if index % 2:
                    token_counts(model.network.tokenizer, long)
                elif not np.array_equal(tokenize_descriptions(model, short).input_ids, expected):
                    failures.append("different ids")
            except ValueError as error:
                failures.append(str(error))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_no_hooks_left_and_inputs_unchanged(model, image):
    before = image.copy()
    C.token_relevance(model, image, SLIDES)
    C.image_relevance(model, image, SLIDES[0])
    assert count_hooks(model.network) == 0
    np.testing.assert_array_equal(image, before)
    assert not any(p.requires_grad for p in model.network.parameters())


def test_a_classifier_is_not_a_clip(tiny_model, image):
    with pytest.raises(ValueError, match="not a CLIP model"):
        C.similarity(tiny_model, image, SLIDES)


def test_missing_weights_say_how_to_prefetch(image):
    from core.models.weights import WeightsUnavailableError

    manager = ModelManager(device="cpu", offline=True)
    assert manager.status(NAME) == "unavailable offline"
    with pytest.raises(WeightsUnavailableError) as caught:
        manager.get(NAME)
    message = str(caught.value)
    assert "openai/clip-vit-base-patch32" in message and "python -m lab prefetch" in message


def test_hub_source_turns_the_offline_error_into_a_sentence():
    from huggingface_hub.errors import LocalEntryNotFoundError

    from core.models.sources import HubSource
    from core.models.weights import WeightsUnavailableError

    def offline_loader(repo_id, *, local_files_only):
        assert local_files_only
        raise LocalEntryNotFoundError("Cannot find the requested files in the local cache.")

    source = HubSource("openai/clip-vit-base-patch32", offline_loader)
    with pytest.raises(WeightsUnavailableError, match="prefetch") as caught:
        source.load(title="CLIP ViT-B/32", offline=True)
    assert "the lab runs offline" in str(caught.value)


def test_load_clip_reads_model_and_tokenizer_with_eager_attention(tmp_path):
    from core.models.sources import ClipNetwork, load_clip

    saved = tiny_clip()
    saved.clip.save_pretrained(tmp_path)
    saved.tokenizer.save_pretrained(tmp_path)
    loaded = load_clip(str(tmp_path), local_files_only=True)
    assert isinstance(loaded, ClipNetwork)
    assert loaded.clip.config._attn_implementation == "eager"
    ids = saved.tokenizer(["a cute dog"], return_tensors="pt")
    loaded_ids = loaded.tokenizer(["a cute dog"], return_tensors="pt")
    assert loaded_ids["input_ids"].tolist() == ids["input_ids"].tolist()
    with torch.no_grad():
        np.testing.assert_allclose(C.model.features(loaded.clip.get_text_features(**ids)),
                                   C.model.features(saved.clip.get_text_features(**ids)), atol=1e-6)


def test_a_local_clip_folder_is_used_without_any_download(tmp_path):
    """XAI_LAB_CLIP may name a folder (save_pretrained output): it counts as cached and loads."""
    from transformers import CLIPModel

    from core.models.sources import HubSource, load_clip
    from tests.clip_tiny import tiny_config, tiny_tokenizer

    tokenizer = tiny_tokenizer()
    CLIPModel(tiny_config(tokenizer)).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    source = HubSource(str(tmp_path), load_clip, files=("config.json", "model.safetensors"))
    assert source.status(offline=True) == "cached"
    network, _ = source.load(title="Tiny CLIP", offline=False)
    assert network.clip.config.text_config.hidden_size == 32
    assert HubSource(str(tmp_path / "missing"), load_clip).status(offline=True) != "cached"
