// ShopLab's own script: small behaviours the pages declare with data- attributes (no inline script: the pages'
// Content-Security-Policy forbids it).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A <select data-autosubmit> sends its form when changed (the language switch).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
});

// htmx sends the page's CSRF token with every request it makes.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
});
