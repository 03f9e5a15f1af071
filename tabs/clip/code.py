"""The code behind the CLIP tab's similarity table (:mod:`tabs.common.recipe`): transformers'
``CLIPModel`` encodes the image once and every description in one padded batch; the cosine of
the unit embeddings times CLIP's temperature is the logit, and a softmax over the given
descriptions is the probability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.clip.model import image_size, tokenize_descriptions
from core.clip.zeroshot import BATCH, PROMPT
from core.models import LoadedModel
from core.models.sources import HubSource
from tabs.common.i18n import Texts
from tabs.common.recipe import Cell, Recipe
from tabs.common.snippets import (
    CLASSIFIER_PACKAGES,
    IMAGE_IMPORTS,
    image_and_inputs,
    load_classifier,
    print_top5,
    top5,
)

if TYPE_CHECKING:
    from tabs.clip.views import ScoreSettings, ZeroShotSettings
    from tabs.common.view import Call

C = Texts("clip.code", en={
    "title": "CLIP: how well {count} descriptions fit the image",
    "intro": "CLIP encodes an image and a text into the same space. The cosine of the two "
             "unit vectors, times CLIP's learned temperature, is the logit; a softmax over the "
             "logits of the descriptions given says which one fits best *among these*.",
    "load": "# {title} from Hugging Face (downloaded once, then cached); eager attention, as "
            "in the lab",
    "score": "## Every description against the image",
    "tokens": "# the descriptions in one padded batch, cut to CLIP's {context} tokens",
    "version": "# transformers 5 returns an output object (its pooler_output is the "
               "embedding), 4 the tensor",
    "unit": "# unit vectors: their dot product is the cosine",
    "figure": "## The bar chart the lab shows, best fitting on top",
    "probability": "probability (softmax over these descriptions)",
    "zero.title": "Zero-shot: CLIP against {cnn} on the 1000 ImageNet classes",
    "zero.intro": "CLIP was never trained on ImageNet's labels, yet it can classify into them: "
                  "each class becomes a sentence, \"{prompt}\", and the class whose sentence "
                  "fits the image best wins (Radford et al. 2021). Beside it, the top-5 of "
                  "{cnn}, a network trained on exactly these classes.",
    "zero.prompts": "# one sentence per class, encoded once (250 at a time), as unit vectors",
    "zero.image": "# the image as CLIP sees it: resized whole to {size}×{size}, CLIP's mean "
                  "and standard deviation",
    "zero.cnn": "## The CNN's top-5 for the same image",
}, de={
    "title": "CLIP: wie gut {count} Beschreibungen zum Bild passen",
    "intro": "CLIP bildet ein Bild und einen Text in denselben Raum ab. Der Kosinus der beiden "
             "Einheitsvektoren mal CLIPs gelernter Temperatur ist der Logit; ein Softmax über "
             "die Logits der Beschreibungen sagt, welche *unter diesen* am besten passt.",
    "load": "# {title} von Hugging Face (einmal geladen, dann im Cache); Eager-Attention wie "
            "im Lab",
    "score": "## Jede Beschreibung gegen das Bild",
    "tokens": "# die Beschreibungen in einem aufgefüllten Batch, auf CLIPs {context} Tokens "
              "gekürzt",
    "version": "# transformers 5 gibt ein Ausgabeobjekt zurück (sein pooler_output ist die "
               "Einbettung), 4 den Tensor",
    "unit": "# Einheitsvektoren: ihr Skalarprodukt ist der Kosinus",
    "figure": "## Das Balkendiagramm des Labs, die passendste oben",
    "probability": "Wahrscheinlichkeit (Softmax über diese Beschreibungen)",
    "zero.title": "Zero-Shot: CLIP gegen {cnn} bei den 1000 ImageNet-Klassen",
    "zero.intro": "CLIP wurde nie auf die Klassen von ImageNet trainiert und kann trotzdem in "
                  "sie einordnen: Jede Klasse wird ein Satz, \"{prompt}\", und die Klasse, "
                  "deren Satz am besten zum Bild passt, gewinnt (Radford et al. 2021). "
                  "Daneben die Top-5 von {cnn}, einem Netz, das genau auf diese Klassen "
                  "trainiert wurde.",
    "zero.prompts": "# ein Satz pro Klasse, einmal kodiert (je 250), als Einheitsvektoren",
    "zero.image": "# das Bild, wie CLIP es sieht: ganz auf {size}×{size} skaliert, CLIPs "
                  "Mittelwert und Standardabweichung",
    "zero.cnn": "## Die Top-5 des CNN für dasselbe Bild",
})

PACKAGES = ("torch", "torchvision", "transformers", "numpy", "pillow", "matplotlib")

EMBEDDING = '''def embedding(output):
    {comment}
    return getattr(output, "pooler_output", output)'''


def _load_clip(loaded: LoadedModel, lang: str, name: str) -> Cell:
    """The cell that loads the lab's CLIP as ``name`` (and its ``tokenizer``) with
    transformers, from the repository or folder the lab loads it from."""
    source = loaded.spec.source
    if not isinstance(source, HubSource):
        raise ValueError(f"{loaded.name} is not a CLIP the recipes can load")
    return Cell(f'''{C.text("load", lang, title=loaded.spec.title)}
MODEL = {source.repo_id!r}
{name} = CLIPModel.from_pretrained(MODEL, attn_implementation="eager").eval()
tokenizer = AutoTokenizer.from_pretrained(MODEL)''')


def similarity_code(call: Call[ScoreSettings]) -> Recipe:
    """The table of the view ``clip_similarity``, with the view's checks (no descriptions,
    too many, a model that is not CLIP: the view's sentences)."""
    s, ctx, lang = call.settings, call.ctx, call.lang
    loaded = ctx.models.get(s.model)
    tokenized = tokenize_descriptions(loaded, s.descriptions)
    image = ctx.examples.resolve(s.example, s.upload)
    count = len(tokenized.descriptions)
    cells = (
        Cell(C.text("intro", lang), markdown=True),
        Cell(f"{IMAGE_IMPORTS}\nfrom transformers import AutoTokenizer, CLIPModel"),
        _load_clip(loaded, lang, "model"),
        image_and_inputs(loaded.spec, lang, size=image_size(loaded)),
        Cell(C.text("score", lang), markdown=True),
        Cell(f'''DESCRIPTIONS = {list(tokenized.descriptions)!r}
{C.text("tokens", lang, context=tokenized.context)}
tokens = tokenizer(DESCRIPTIONS, padding=True, truncation=True, max_length={tokenized.context},
                   return_tensors="pt")


{EMBEDDING.format(comment=C.text("version", lang))}


with torch.no_grad():
    image_embedding = embedding(model.get_image_features(pixel_values=inputs))
    text_embedding = embedding(model.get_text_features(**tokens))
{C.text("unit", lang)}
image_embedding = torch.nn.functional.normalize(image_embedding.float(), dim=-1)
text_embedding = torch.nn.functional.normalize(text_embedding.float(), dim=-1)
cosine = (text_embedding @ image_embedding[0]).double().numpy()
scale = float(model.logit_scale.detach().exp())
logits = scale * cosine
probabilities = np.exp(logits - logits.max())
probabilities /= probabilities.sum()
ranking = np.argsort(-logits, kind="stable")'''),
        Cell(C.text("figure", lang), markdown=True),
        Cell(f'''figure, axes = plt.subplots(figsize=(7, 0.5 * len(DESCRIPTIONS) + 1.2))
shown = ranking[::-1]
axes.barh(range(len(shown)), probabilities[shown], color="#0072B2")
axes.set_yticks(range(len(shown)), [DESCRIPTIONS[i] for i in shown])
for row, i in enumerate(shown):
    axes.text(probabilities[i], row, f" cos {{cosine[i]:.3f}}", va="center")
axes.set_xlim(0, 1.15)
axes.set_xlabel({C.text("probability", lang)!r})
plt.show()'''),
    )
    numbers = '''for rank, i in enumerate(ranking, 1):
    print(f"{rank}. {DESCRIPTIONS[i]}: cosine {cosine[i]:.4f} · logit {logits[i]:.2f} · "
          f"p {probabilities[i]:.1%}")'''
    return Recipe(title=C.text("title", lang, count=count), cells=cells, numbers=numbers,
                  packages=PACKAGES, image=image,
                  image_name=s.example if not s.upload else "upload")


def zero_shot_code(call: Call[ZeroShotSettings]) -> Recipe:
    """CLIP's zero-shot top-5 beside a CNN's (the view ``clip_zero_shot``)."""
    s, ctx, lang = call.settings, call.ctx, call.lang
    loaded = ctx.models.get(s.model)
    size = image_size(loaded)  # and the view's check: a CLIP model
    cnn, _ = ctx.models.get_or_fallback(s.cnn)  # the view warns about a fallback, once
    image = ctx.examples.resolve(s.example, s.upload)
    words = dict(cnn=cnn.spec.title, prompt=PROMPT.format("…"))
    mean, std = tuple(loaded.spec.mean), tuple(loaded.spec.std)
    cells = (
        Cell(C.text("zero.intro", lang, **words), markdown=True),
        Cell(f"{IMAGE_IMPORTS}\nfrom transformers import AutoTokenizer, CLIPModel"),
        *load_classifier(cnn.spec, lang),
        image_and_inputs(cnn.spec, lang),
        _load_clip(loaded, lang, "clip"),
        Cell(f'''PROMPT = {PROMPT!r}
prompts = [PROMPT.format(name) for name in CLASSES]


{EMBEDDING.format(comment=C.text("version", lang))}


{C.text("zero.prompts", lang)}
with torch.no_grad():
    sentences = torch.cat([
        embedding(clip.get_text_features(**tokenizer(
            prompts[start:start + {BATCH}], padding=True, truncation=True, max_length=77,
            return_tensors="pt")))
        for start in range(0, len(prompts), {BATCH})])
sentences = torch.nn.functional.normalize(sentences.float(), dim=-1)

{C.text("zero.image", lang, size=size)}
clip_view = np.asarray(Image.fromarray(image).resize(({size}, {size}), Image.Resampling.BICUBIC))
clip_pixels = torch.tensor(clip_view).permute(2, 0, 1).float().div(255).unsqueeze(0)
clip_inputs = transforms.Normalize({mean}, {std})(clip_pixels.contiguous())
with torch.no_grad():
    picture = embedding(clip.get_image_features(pixel_values=clip_inputs))
picture = torch.nn.functional.normalize(picture.float(), dim=-1)[0]
logits = float(clip.logit_scale.detach().exp()) * (sentences @ picture)
clip_top5 = [(float(p), int(i)) for p, i in zip(*logits.double().softmax(dim=-1).topk(5))]'''),
        Cell(C.text("zero.cnn", lang), markdown=True),
        Cell(top5(lang)),
    )
    numbers = f'''print("CLIP:")
for rank, (probability, index) in enumerate(clip_top5, 1):
    print(f"{{rank}}. {{CLASSES[index]}} (#{{index}}): {{probability:.2%}}")
print({cnn.spec.title + ":"!r})
{print_top5(lang)}'''
    return Recipe(title=C.text("zero.title", lang, **words), cells=cells, numbers=numbers,
                  packages=tuple(dict.fromkeys((*CLASSIFIER_PACKAGES, *PACKAGES))), image=image,
                  image_name=s.example if not s.upload else "upload")
