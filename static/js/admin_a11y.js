// Names the admin's autocomplete boxes (select2) after their field's label: select2's combobox
// is labelled only by the text of the current choice, so an empty box has no name at all.
// Watches the page, so that boxes made later (an inline row added) are named too.
(() => {
  const name = (combobox) => {
    const container = combobox.closest(".select2-container");
    const select = container && container.previousElementSibling;
    if (!select || select.tagName !== "SELECT" || !select.id) return;
    const label = document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    if (!label) return;
    if (!label.id) label.id = `${select.id}_label`;
    const current = (combobox.getAttribute("aria-labelledby") || "").split(" ");
    if (!current.includes(label.id)) {
      combobox.setAttribute("aria-labelledby", [label.id, ...current].join(" ").trim());
    }
    // The current choice inside it is shown as a nameless read-only "textbox": it is only the
    // combobox's text, already part of its name.
    combobox.querySelectorAll('.select2-selection__rendered[role="textbox"]').forEach((text) => {
      text.removeAttribute("role");
      text.removeAttribute("aria-readonly");
    });
  };
  const nameAll = (root) => {
    if (!(root instanceof Element)) return;
    if (root.matches('[role="combobox"].select2-selection')) name(root);
    root.querySelectorAll('[role="combobox"].select2-selection').forEach(name);
  };
  new MutationObserver((records) =>
    records.forEach((record) => record.addedNodes.forEach(nameAll))
  ).observe(document.documentElement, { childList: true, subtree: true });
})();
