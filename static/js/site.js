// Move focus to the error summary of an invalid form, so keyboard and screen reader users
// hear what went wrong first (the summary links to each field).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
