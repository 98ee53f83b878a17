// ShopLab's own script: behaviours the pages declare with data- attributes (no inline script: the pages'
// Content-Security-Policy forbids it). Every action is a call of the public JSON API; its refusal is shown in words.
"use strict";

const ShopLab = (window.ShopLab = window.ShopLab || {});
ShopLab.strings = {};
ShopLab.say = (key) => ShopLab.strings[key] || key;

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// ---- errors in words ------------------------------------------------------------------------------------------

function errorWords(status, data) {
  const say = ShopLab.say;
  const lines = [say(`error_${status}`) !== `error_${status}` ? say(`error_${status}`) : say("error_other")];
  if (data && typeof data === "object") {
    const reasonKey = data.reason ? `reason_${data.reason}` : "";
    const violations = Array.isArray(data.violations) && data.violations.length;
    if (reasonKey && ShopLab.strings[reasonKey]) lines.push(ShopLab.strings[reasonKey]);
    else if (data.assignee_id) lines.push(say("held_by"));
    else if (data.message && !violations) lines.push(data.message);
    if (data.assignee_id) {
      // who holds it shows on the page, refreshed
    } else if (violations) {
      lines.push(say("refused_rule"));
      data.violations.forEach((v) => lines.push(`${ruleName(v)}: ${(v.matched || []).join("、")}`));
    } else if (data.fields && typeof data.fields === "object") {
      for (const [field, reasons] of Object.entries(data.fields)) {
        const text = Array.isArray(reasons) ? reasons.join("; ") : JSON.stringify(reasons);
        lines.push(`${field}: ${text}`);
      }
    }
    if (data.next_allowed_at) lines.push(`${say("next_allowed")} ${data.next_allowed_at.replace("T", " ").slice(0, 16)}`);
  }
  return lines;
}

function ruleName(violation) {
  const chinese = document.documentElement.lang.startsWith("zh");
  return (chinese && violation.description_zh) || violation.description || violation.rule;
}
ShopLab.ruleName = ruleName;

function showError(form, lines) {
  const box = form.querySelector(":scope > .form-error") || form.querySelector(".form-error");
  if (!box) return;
  box.replaceChildren(...lines.map((line) => Object.assign(document.createElement("span"), { textContent: line })));
  box.classList.add("shown");
}

function clearError(form) {
  const box = form.querySelector(":scope > .form-error") || form.querySelector(".form-error");
  if (box) {
    box.replaceChildren();
    box.classList.remove("shown");
  }
}

function toast(text, tone = "good", seconds = 4) {
  const box = document.getElementById("toasts");
  if (!box) return null;
  const note = Object.assign(document.createElement("div"), { className: `toast ${tone}`, textContent: text });
  box.appendChild(note);
  if (seconds) setTimeout(() => note.remove(), seconds * 1000);
  return note;
}
ShopLab.toast = toast;

// ---- forms that call the public API ---------------------------------------------------------------------------

function formJson(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name || field.disabled || field.type === "submit" || field.type === "button") continue;
    const type = field.dataset.type;
    if (type === "bool") {
      body[field.name] = field.checked;
    } else if (type === "int") {
      if (field.value !== "") body[field.name] = parseInt(field.value, 10);
    } else if (type === "lines") {
      const lines = field.value.split("\n").map((line) => line.trim()).filter(Boolean);
      if (lines.length) body[field.name] = lines;
    } else if (field.value !== "") {
      body[field.name] = field.value;
    }
  }
  return form.dataset.nest ? { [form.dataset.nest]: body } : body;
}

async function callApi(form) {
  const detail = { body: formJson(form), cancel: false };
  form.dispatchEvent(new CustomEvent("shoplab:prepare", { detail }));
  if (detail.cancel) return;
  const button = form.querySelector('[type="submit"]');
  clearError(form);
  form.classList.add("busy");
  if (button) button.disabled = true;
  let response;
  let data = null;
  try {
    // a file upload (data-upload) goes as the form itself, multipart; everything else as JSON
    const upload = form.hasAttribute("data-upload");
    response = await fetch(form.dataset.api, {
      method: form.dataset.method || "POST",
      headers: upload ? { "X-CSRF-Token": csrfToken() } : { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: upload ? new FormData(form) : JSON.stringify(detail.body),
      credentials: "same-origin",
    });
    data = await response.json().catch(() => null);
  } catch (error) {
    showError(form, [ShopLab.say("error_network")]);
    return;
  } finally {
    form.classList.remove("busy");
    if (button) button.disabled = false;
  }
  if (!response.ok) {
    showError(form, errorWords(response.status, data));
    if (response.status === 401) setTimeout(() => (window.location.href = "/login"), 1500);
    if (response.status === 409 || response.status === 404) {
      // the page was behind: say why where it stays visible, and look again
      toast(errorWords(response.status, data).join(" "), "bad", 8);
      refresh(["queue", "conversation", "work"]);
    }
    return;
  }
  delete form.dataset.dirty;
  form.dispatchEvent(new CustomEvent("shoplab:done", { detail: { data }, bubbles: true }));
  if (form.dataset.done) toast(form.dataset.done);
  if (form.hasAttribute("data-reset")) {
    form.reset();
    const details = form.closest("details");
    if (details) details.open = false;
  }
  refresh((form.dataset.refresh || "").split(/\s+/).filter(Boolean));
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-api]");
  if (!form) return;
  event.preventDefault();
  callApi(form);
});

document.addEventListener("input", (event) => {
  const form = event.target.closest && event.target.closest("form[data-api]");
  if (form) form.dataset.dirty = "true";
});

// ---- refreshing what changed ----------------------------------------------------------------------------------

const scheduled = new Map();
const deferred = new Set();
const causes = new WeakMap(); // element -> "message" while every pending reason to refresh is a message

function busy(region) {
  const active = document.activeElement;
  if (active && region.contains(active) && active.matches("input, textarea, select")) return true;
  return Boolean(region.querySelector("form[data-dirty]"));
}

function schedule(element, cause) {
  // a refresh for a message may reuse what the server read of the orders a moment ago; any other reason may not
  causes.set(element, cause === "message" && (!scheduled.has(element) || causes.get(element) === "message") ? "message" : "");
  if (scheduled.has(element)) return;
  scheduled.set(
    element,
    setTimeout(() => {
      scheduled.delete(element);
      if (!document.contains(element)) return;
      if (busy(element) && !element.matches(".queue")) {
        deferred.add(element);
        return;
      }
      htmx.trigger(element, "shoplab:refresh");
    }, 120),
  );
}

function refresh(names, cause) {
  for (const name of names) {
    document.querySelectorAll(`[data-refresh~="${name}"][hx-get]`).forEach((element) => schedule(element, cause));
  }
}
ShopLab.refresh = refresh;

function refreshAll() {
  refresh(["queue", "conversation", "work", "reviews", "customers"]);
}

document.addEventListener("focusout", () => {
  setTimeout(() => {
    for (const element of [...deferred]) {
      if (!document.contains(element)) deferred.delete(element);
      else if (!busy(element)) {
        deferred.delete(element);
        schedule(element, "");
      }
    }
  }, 50);
});

// A conversation's live refresh brings the panel out of band: keep the panel while a form in it is being filled.
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const target = event.detail.target;
  if (target && target.id === "panel" && busy(target)) {
    event.detail.shouldSwap = false;
    const live = document.getElementById("conv-live");
    if (live) deferred.add(live);
  }
});

// ---- live updates: the gateway's event stream -----------------------------------------------------------------

function setLive(state) {
  const box = document.getElementById("live-state");
  if (!box) return;
  box.dataset.state = state;
  const text = box.querySelector(".live-text");
  if (text) text.textContent = ShopLab.say(`live_${state}`);
}

function onShopEvent(event) {
  let data = {};
  try {
    data = JSON.parse(event.data);
  } catch (error) {
    return;
  }
  const ids = data.ids || {};
  const names = ["queue", "work"];
  const open = document.querySelector(".conversation[data-ticket-id], .order-page[data-order-id]");
  if (open) {
    const sameTicket = ids.ticket_id && ids.ticket_id === open.dataset.ticketId;
    const sameOrder = ids.order_id && ids.order_id === open.dataset.orderId;
    const customer = document.querySelector("#customer-card[data-customer-id]");
    const sameCustomer = ids.customer_id && customer && ids.customer_id === customer.dataset.customerId;
    if (sameTicket || sameOrder || sameCustomer || event.type === "shop.clock_changed") names.push("conversation");
  }
  // the Reviews, Customers and Care pages look again on what concerns them
  if (/^review\./.test(event.type)) names.push("reviews");
  if (/^(customer|care)\./.test(event.type)) names.push("customers");
  refresh(names, /^(message|ticket|csat)\./.test(event.type) ? "message" : "");
}

function connectStream() {
  const url = document.body.dataset.stream;
  if (!url || !window.EventSource) return;
  let connectedBefore = false;
  const open = () => {
    const source = new EventSource(url);
    source.addEventListener("hello", () => {
      setLive("on");
      if (connectedBefore) refreshAll(); // back after a drop: the missed events follow, and we look again anyway
      connectedBefore = true;
    });
    source.addEventListener("reset", refreshAll);
    source.addEventListener("signed_out", () => {
      source.close();
      window.location.href = "/login";
    });
    (document.body.dataset.events || "").split(/\s+/).filter(Boolean).forEach((type) => {
      source.addEventListener(type, onShopEvent);
    });
    source.onerror = () => {
      setLive("lost");
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 3000); // the browser gave up: we do not
    };
  };
  open();
}

// ---- small behaviours -----------------------------------------------------------------------------------------

function markOpenTicket() {
  const open = document.querySelector(".conversation[data-ticket-id]");
  document.querySelectorAll(".queue-row").forEach((row) => {
    row.classList.toggle("is-open", Boolean(open) && row.dataset.ticketId === open.dataset.ticketId);
  });
}

function scrollTimeline() {
  const timeline = document.getElementById("timeline");
  if (timeline) timeline.scrollTop = timeline.scrollHeight;
}

document.addEventListener("shoplab:done", (event) => {
  const form = event.target;
  if (form.matches("[data-toggle-status]")) {
    const button = form.querySelector("button");
    const online = (event.detail.data || {}).status === "online";
    button.dataset.online = String(online);
    button.classList.toggle("is-online", online);
    button.classList.toggle("is-offline", !online);
    button.textContent = online ? button.dataset.labelOnline : button.dataset.labelOffline;
    form.querySelector('[name="status"]').value = online ? "offline" : "online";
  }
});

document.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = csrfToken();
  const element = event.detail.elt;
  if (event.detail.triggeringEvent && event.detail.triggeringEvent.type === "shoplab:refresh") {
    if (causes.get(element) === "message") {
      event.detail.path += (event.detail.path.includes("?") ? "&" : "?") + "cause=message";
      // the conversation asks only for the messages after the last one it shows (the answer appends them)
      // (the highest id, not the last row: rows are in time order, ids in the order they were saved)
      const shown = element.id === "conv-live" ? element.querySelectorAll("#timeline [data-message-id]") : [];
      const last = Math.max(...Array.from(shown, (row) => Number(row.dataset.messageId)));
      if (shown.length) event.detail.path += `&after=${last}`;
    }
    causes.delete(element);
  }
});

document.addEventListener("htmx:afterSwap", () => {
  markOpenTicket();
  scrollTimeline();
});

// new messages appended out of band to the open conversation (its live part with ``after``); a whole refresh that
// landed meanwhile may show some of them already: each message is kept once
document.addEventListener("htmx:oobAfterSwap", (event) => {
  const timeline = event.detail.target;
  if (!timeline || timeline.id !== "timeline") return;
  const seen = new Set();
  timeline.querySelectorAll("[data-message-id]").forEach((row) => {
    if (seen.has(row.dataset.messageId)) row.remove();
    seen.add(row.dataset.messageId);
  });
  scrollTimeline();
});

document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  toast(ShopLab.say(`error_${status}`) || ShopLab.say("error_other"), "bad");
});

document.addEventListener("DOMContentLoaded", () => {
  try {
    ShopLab.strings = JSON.parse(document.body.dataset.strings || "{}");
  } catch (error) {
    ShopLab.strings = {};
  }
  // A <select data-autosubmit> sends its form when changed (the language switch).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  markOpenTicket();
  scrollTimeline();
  connectStream();
  document.dispatchEvent(new CustomEvent("shoplab:ready"));
});
