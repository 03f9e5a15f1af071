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
  // Keyboard workarounds for Gradio 6.31 (each worth reporting upstream, lab/accessibility.py):
  // a radio group's options each get a name of their own, so the arrow keys do not move the
  // choice and every option is a Tab stop: the options of one radio block (its <fieldset>)
  // share the first's name.
  const groupRadios = () => {
    const names = new Map();
    document.querySelectorAll("fieldset input[type=radio]").forEach((radio) => {
      const group = radio.closest("fieldset");
      if (!names.has(group)) names.set(group, radio.name);
      if (radio.name !== names.get(group)) radio.name = names.get(group);
    });
    // A dropdown's open option list scrolls, so Chromium makes it a Tab stop; it closes as it
    // takes the focus, which falls to <body>. The list is not a Tab stop (the arrow keys in
    // the field move through it).
    document.querySelectorAll("[role=listbox]:not([tabindex])").forEach((list) => {
      list.setAttribute("tabindex", "-1");
    });
  };
  // Choosing from a dropdown blurs its field, so the focus falls to <body> and the next Tab
  // starts at the top of the page. The field gets the focus back, and with it Gradio opens
  // the list again: an Escape closes it, as the student's own would.
  // Gradio also takes a Tab pressed in the field for a typed key: after the field has lost
  // the focus (and closed its list), it opens the list again, which then covers the fields
  // below. A Tab is not passed on to Gradio's handlers; it still moves the focus.
  let choosing = null;
  document.addEventListener("keydown", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLInputElement) || field.getAttribute("role") !== "combobox") return;
    if (event.key === "Tab") event.stopPropagation();
    if (event.isTrusted && event.key === "Enter"
        && field.getAttribute("aria-expanded") === "true") choosing = field;
  }, true);
  document.addEventListener("mousedown", (event) => {
    const option = event.target instanceof Element && event.target.closest("[role=option]");
    const list = option && option.closest("[role=listbox]");
    choosing = list && document.querySelector(`[aria-controls="${list.id}"]`);
  }, true);
  document.addEventListener("focusout", (event) => {
    const field = event.target;
    if (field !== choosing) return;
    choosing = null;
    if (event.relatedTarget) return;  // the focus went somewhere on purpose
    setTimeout(() => {
      if (document.activeElement !== document.body || !field.isConnected) return;
      field.focus();
      field.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape", bubbles: true}));
    });
  }, true);
  // Results announced (tabs/common/announce.py): after an event that showed its progress,
  // the page calls xaiAnnounce with the event's outputs; a polite live region, there from the
  // start (a region added with its text is not read), says "Result ready:" and their gist:
  // the first sentence of a picture's caption, else a label's top class, else the first
  // sentence of the first text.
  const plain = (text) => new DOMParser().parseFromString(text, "text/html").body.textContent
    .replace(/[*_`#|>]+/g, " ").replace(/\s+/g, " ").trim();
  const sentence = (text) => (text.match(/^.*?[.!?](\s|$)/) || [text])[0].trim().slice(0, 240);
  const gist = (values) => {
    const texts = values.filter((value) => typeof value === "string" && plain(value));
    const caption = texts.find((text) => text.includes("data-for="));
    const label = values.find((value) => value && typeof value.label === "string");
    if (caption) return sentence(plain(caption));
    if (label) return label.label;
    return texts.length ? sentence(plain(texts[0])) : "";
  };
  window.xaiAnnounce = (values) => {
    const region = document.getElementById("xai-announce");
    if (!region) return;
    region.textContent = "";  // the same words again are a new announcement
    const words = [say("ready"), gist(values || [])].filter(Boolean).join(" ");
    setTimeout(() => { region.textContent = words; }, 150);
  };
  const addRegion = () => {
    const region = document.createElement("div");
    Object.assign(region, {id: "xai-announce", className: "xai-visually-hidden"});
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.appendChild(region);
  };
  // (Gradio may put this script into the head after the page has loaded.)
  if (document.body) addRegion();
  else document.addEventListener("DOMContentLoaded", addRegion);
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
      groupRadios();
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
