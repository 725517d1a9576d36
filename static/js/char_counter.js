// Character counters for long text fields (progressive enhancement: the form works without them;
// the server checks the length too). Every textarea with a maxlength inside a form marked
// data-char-counters gets a visible "N characters left" line that the field is described by, and
// a polite live region that speaks the count once typing pauses, so screen reader users are told
// without being interrupted on every key.
(() => {
  const PAUSE_MS = 1200;
  // The length the server's max_length sees: characters (code points, so an emoji is one, not
  // the two UTF-16 units of field.value.length), and each line break as the two characters
  // (CR LF) the browser sends.
  const length = (value) => [...value].length + (value.match(/\n/g) || []).length;
  const words = (left, max) =>
    left < 0
      ? `${(-left).toLocaleString("en-GB")} characters too many (the limit is ${max.toLocaleString("en-GB")})`
      : `${left.toLocaleString("en-GB")} ${left === 1 ? "character" : "characters"} left of ${max.toLocaleString("en-GB")}`;

  const attach = (field) => {
    const max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max || !field.id) return;
    const counter = document.createElement("div");
    counter.id = `${field.id}_counter`;
    counter.className = "form-text char-counter";
    const live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    live.dataset.charCounterLive = "";
    field.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", live);
    const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    field.setAttribute("aria-describedby", [...described, counter.id].join(" "));

    let timer = null;
    const update = (announce) => {
      const left = max - length(field.value);
      counter.textContent = words(left, max);
      counter.classList.toggle("text-danger", left < max * 0.1);
      if (announce) {
        clearTimeout(timer);
        timer = setTimeout(() => {
          live.textContent = words(max - length(field.value), max);
        }, PAUSE_MS);
      }
    };
    update(false);
    field.addEventListener("input", () => update(true));
  };

  document.addEventListener("DOMContentLoaded", () => {
    document
      .querySelectorAll("form[data-char-counters] textarea[maxlength]")
      .forEach(attach);
  });
})();
