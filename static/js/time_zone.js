// Suggest the browser's own time zone on the time-zone page (progressive enhancement: the form
// works without this). If the browser's zone differs from the one chosen, say so in a polite live
// region with a button that selects it, in the short list or else in the full list.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-time-zone-form]");
  if (!form) return;
  const common = form.querySelector("[data-time-zone-common]");
  const other = form.querySelector("[data-time-zone-other]");
  const region = form.querySelector("[data-time-zone-suggestion]");
  if (!common || !other || !region) return;
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  const option = (select, value) => Array.from(select.options).find((o) => o.value === value);
  const chosen = common.value === "other" ? other.value : common.value;
  const inCommon = option(common, zone);
  const inOther = option(other, zone);
  if (!zone || zone === chosen || !(inCommon || inOther)) return;
  const label = inCommon ? inCommon.textContent.trim() : zone.replace(/_/g, " ");

  const box = document.createElement("div");
  box.className = "alert alert-info d-flex flex-wrap align-items-center gap-2";
  const text = document.createElement("span");
  text.textContent = `Your browser says ${zone}.`;
  const use = document.createElement("button");
  use.type = "button";
  use.className = "btn btn-sm btn-outline-primary";
  use.textContent = `Use ${label}`;
  box.append(text, use);
  region.append(box);

  use.addEventListener("click", () => {
    if (inCommon) {
      common.value = zone;
      other.value = "";
    } else {
      common.value = "other";
      other.value = zone;
      const more = form.querySelector("[data-time-zone-more]");
      if (more) more.open = true;
    }
    text.textContent = `${label} is chosen. Press “Save time zone” to keep it.`;
    use.remove();
    common.focus();
  });
});
