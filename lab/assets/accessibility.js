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
  const describe = () => {
    const described = new Set();
    document.querySelectorAll("[data-for]").forEach((caption) => {
      const box = document.getElementById(caption.dataset.for);
      const text = caption.textContent.trim();
      if (!box || !text) return;
      box.querySelectorAll("img").forEach((img) => {
        described.add(img);
        if (img.alt !== text) img.alt = text;
        const button = img.closest("button");
        if (button) name(button, text);
      });
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
  let waiting = false;
  new MutationObserver(() => {
    if (waiting) return;
    waiting = true;
    requestAnimationFrame(() => {
      waiting = false;
      describe();
      if (german()) translate();
    });
  }).observe(document.documentElement,
             {childList: true, subtree: true, characterData: true,
              attributes: true, attributeFilter: ["src"]});
})();
