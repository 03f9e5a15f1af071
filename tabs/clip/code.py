"""The code behind the CLIP tab's similarity table (:mod:`tabs.common.recipe`): transformers'
``CLIPModel`` encodes the image once and every description in one padded batch; the cosine of
the unit embeddings times CLIP's temperature is the logit, and a softmax over the given
descriptions is the probability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.clip.model import image_size, tokenize_descriptions
from core.models.sources import HubSource
from tabs.common.i18n import Texts
from tabs.common.recipe import Cell, Recipe
from tabs.common.snippets import IMAGE_IMPORTS, image_and_inputs

if TYPE_CHECKING:
    from tabs.clip.views import ScoreSettings
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
})

PACKAGES = ("torch", "torchvision", "transformers", "numpy", "pillow", "matplotlib")


def similarity_code(call: Call[ScoreSettings]) -> Recipe:
    """The table of the view ``clip_similarity``, with the view's checks (no descriptions,
    too many, a model that is not CLIP: the view's sentences)."""
    s, ctx, lang = call.settings, call.ctx, call.lang
    loaded = ctx.models.get(s.model)
    tokenized = tokenize_descriptions(loaded, s.descriptions)
    image = ctx.examples.resolve(s.example, s.upload)
    source = loaded.spec.source
    if not isinstance(source, HubSource):
        raise ValueError(f"{loaded.name} is not a CLIP the recipe can load")
    count = len(tokenized.descriptions)
    cells = (
        Cell(C.text("intro", lang), markdown=True),
        Cell(f"{IMAGE_IMPORTS}\nfrom transformers import AutoTokenizer, CLIPModel"),
        Cell(f'''{C.text("load", lang, title=loaded.spec.title)}
MODEL = {source.repo_id!r}
model = CLIPModel.from_pretrained(MODEL, attn_implementation="eager").eval()
tokenizer = AutoTokenizer.from_pretrained(MODEL)'''),
        image_and_inputs(loaded.spec, lang, size=image_size(loaded)),
        Cell(C.text("score", lang), markdown=True),
        Cell(f'''DESCRIPTIONS = {list(tokenized.descriptions)!r}
{C.text("tokens", lang, context=tokenized.context)}
tokens = tokenizer(DESCRIPTIONS, padding=True, truncation=True, max_length={tokenized.context},
                   return_tensors="pt")


def embedding(output):
    {C.text("version", lang).replace(chr(10), chr(10) + "    ")}
    return getattr(output, "pooler_output", output)


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
