// The page's accessibility helper (see lab/accessibility.py, which fills in __WORDS__ and
// __GRADIO_DE__: Gradio's own English labels and their German).
(() => {
  const words = __WORDS__;
  const gradioGerman = __GRADIO_DE__;
  const german = () => (navigator.language || "en").slice(0, 2) === "de";
  const say = (key) => (words[(navigator.language || "en").slice(0, 2)] || words.en)[key];
  const translate = () => {
    for (const attribute of ["aria-label", "title", "placeholder"]) {
      document.querySelectorAll(`[${attribute}]`).forEach((element) => {
        const german = gradioGerman[element.getAttribute(attribute)];
        if (german) element.setAttribute(attribute, german);
      });
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const german = gradioGerman[node.nodeValue.trim()];
      if (german) node.nodeValue = node.nodeValue.replace(node.nodeValue.trim(), german);
    }
  };
  const name = (element, text) => {
    if (element.getAttribute("aria-label") !== text) element.setAttribute("aria-label", text);
  };
  // A caption's sentence becomes its picture's alt (a gallery's pictures keep their own
  // captions, shown as their titles); a plot drawn without an <img> is described by it.
  const describe = () => {
    const described = new Set();
    document.querySelectorAll("[data-for]").forEach((caption) => {
      const box = document.getElementById(caption.dataset.for);
      const text = caption.textContent.trim();
      if (!box || !text) return;
      const images = box.querySelectorAll("img");
      images.forEach((img) => {
        described.add(img);
        const own = img.getAttribute("title") || text;
        if (img.alt !== own) img.alt = own;
        const button = img.closest("button");
        if (button) name(button, own);
      });
      if (images.length) return;
      if (!caption.id) caption.id = `${caption.dataset.for}-words`;
      if (box.getAttribute("aria-describedby") !== caption.id) {
        box.setAttribute("aria-describedby", caption.id);
      }
    });
    document.querySelectorAll("img").forEach((img) => {
      if (described.has(img) || img.getAttribute("alt")) return;
      const block = img.closest(".block");
      const label = block && block.querySelector("[data-testid=block-label]");
      img.alt = (label && label.textContent.trim()) || say("picture");
      const button = img.closest("button");
      if (button) name(button, img.alt);
    });
    document.querySelectorAll("[aria-label='Empty value']:not([role])").forEach((empty) => {
      empty.setAttribute("role", "img");
      name(empty, say("empty"));
    });
  };
  // Composite pictures (class xai-wide): on a phone the style sheet keeps them at 0.7 of
  // their natural width (--xai-natural), and while one is wider than its box, so that it
  // scrolls sideways, its block shows a hint saying so (data-xai-hint, accessibility.css).
  const widen = () => {
    document.querySelectorAll(".xai-wide").forEach((block) => {
      const img = block.querySelector("img");
      const box = img && img.closest("button");
      const natural = img && img.naturalWidth ? `${img.naturalWidth}px` : "";
      if (natural && img.style.getPropertyValue("--xai-natural") !== natural) {
        img.style.setProperty("--xai-natural", natural);
      }
      const hint = box && box.scrollWidth > box.clientWidth + 1 ? say("sideways") : null;
      if (hint && block.dataset.xaiHint !== hint) block.dataset.xaiHint = hint;
      if (!hint && "xaiHint" in block.dataset) delete block.dataset.xaiHint;
    });
  };
  // An embedded tab (/embed/<tab> in an iframe) tells the page around it how tall it is, so
  // that the frame can fit it (README, "Embedding"). Gradio stretches its page to the frame's
  // height, so the height is the page's minus that stretch: it can shrink again.
  let reported = 0;
  const report = () => {
    const main = document.querySelector(".gradio-container main");
    const content = main && main.firstElementChild;
    if (window.parent === window || !content) return;
    const stretch = main.getBoundingClientRect().height - content.getBoundingClientRect().height;
    const height = Math.ceil(document.documentElement.scrollHeight - Math.max(0, stretch));
    if (Math.abs(height - reported) < 2) return;
    reported = height;
    window.parent.postMessage({type: "xai-lab:height", height}, "*");
  };
  let waiting = false;
  const update = () => {
    if (waiting) return;
    waiting = true;
    requestAnimationFrame(() => {
      waiting = false;
      describe();
      if (german()) translate();
      widen();
      report();
    });
  };
  // A picture's natural width is known once it has loaded; load events do not bubble.
  document.addEventListener("load", (event) => {
    if (event.target instanceof HTMLImageElement) update();
  }, true);
  window.addEventListener("resize", update);
  new MutationObserver(update).observe(document.documentElement,
             {childList: true, subtree: true, characterData: true,
              attributes: true, attributeFilter: ["src"]});
})();
