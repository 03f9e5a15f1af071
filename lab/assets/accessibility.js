// The page's accessibility helper (see lab/accessibility.py); __WORDS__ is filled in there.
(() => {
  const words = __WORDS__;
  const say = (key) => (words[(navigator.language || "en").slice(0, 2)] || words.en)[key];
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
    requestAnimationFrame(() => { waiting = false; describe(); });
  }).observe(document.documentElement,
             {childList: true, subtree: true, characterData: true,
              attributes: true, attributeFilter: ["src"]});
})();
