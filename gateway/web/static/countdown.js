// Countdowns to the response target, and the 100-second rule of chat shops (千牛: an unanswered chat turns red and a
// corner note sends the agent to the longest-waiting buyer).
//
// Due times are on the shop's clock, waiting times on the wall clock. Each fragment carries the shop's clock as the
// server read it (shop now, wall now, speed, paused); we count from the moment the fragment arrived, so the
// browser's own clock never matters.
"use strict";

(() => {
  const ShopLab = (window.ShopLab = window.ShopLab || {});
  const warned = new Set();
  let note = null;

  function clockOf(element) {
    const root = element.closest("[data-shop-now]");
    if (!root) return null;
    if (!root._arrived) root._arrived = performance.now();
    const elapsed = (performance.now() - root._arrived) / 1000;
    const speed = parseFloat(root.dataset.speed) || 1;
    const paused = root.dataset.paused === "true";
    return {
      speed,
      paused,
      shopNow: Date.parse(root.dataset.shopNow) + (paused ? 0 : elapsed * speed * 1000),
      wallNow: Date.parse(root.dataset.wallNow) + elapsed * 1000,
      qianniu: parseFloat(root.dataset.qianniu) || 100,
    };
  }

  function clockText(seconds) {
    const whole = Math.floor(Math.abs(seconds));
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = whole % 60;
    const mm = String(m).padStart(2, "0");
    const ss = String(s).padStart(2, "0");
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  }

  function tickCountdown(element) {
    const clock = clockOf(element);
    if (!clock) return;
    const due = Date.parse(element.dataset.due);
    const target = parseFloat(element.dataset.target) || 0;
    const leftShop = (due - clock.shopNow) / 1000; // shop seconds to the target
    const leftWall = leftShop / clock.speed; // what the student really has
    // amber: a third of the target left, or (chat shops) the buyer has waited past the 100-second line; red: missed
    const row = element.closest(".queue-row");
    const late = row && row.classList.contains("qianniu-late");
    element.classList.remove("ok", "amber", "red");
    if (leftShop <= 0) {
      element.classList.add("red");
      element.textContent = `${ShopLab.say("overdue")} ${clockText(leftWall)}`;
    } else {
      element.classList.add(late || (target && leftShop <= target / 3) ? "amber" : "ok");
      element.textContent = clockText(leftWall);
    }
    if (clock.paused) element.title = ShopLab.say("paused");
  }

  function tickWaiting(element, late) {
    const clock = clockOf(element);
    if (!clock) return;
    const waited = (clock.wallNow - Date.parse(element.dataset.waitingSince)) / 1000;
    element.textContent = `${ShopLab.say("waited")} ${clockText(waited)}`;
    const row = element.closest(".queue-row");
    if (row && row.dataset.chat === "true" && waited >= clock.qianniu) {
      if (!row.classList.contains("qianniu-late")) {
        row.classList.add("qianniu-late");
        const badge = Object.assign(document.createElement("span"), {
          className: "badge qianniu",
          textContent: ShopLab.say("qianniu_badge"),
        });
        row.querySelector(".row-top").appendChild(badge);
      }
      late.push({ row, waited, key: `${row.dataset.ticketId}@${element.dataset.waitingSince}` });
    }
  }

  function warn(late) {
    const fresh = late.filter((item) => !warned.has(item.key));
    if (!late.length) {
      if (note) note.remove();
      note = null;
      return;
    }
    if (!fresh.length) return; // shown once for each buyer who crossed the line
    fresh.forEach((item) => warned.add(item.key));
    const longest = late.sort((a, b) => b.waited - a.waited)[0];
    if (note) note.remove();
    note = document.createElement("div");
    note.className = "qianniu-note";
    note.setAttribute("role", "alert");
    const title = Object.assign(document.createElement("strong"), { textContent: ShopLab.say("qianniu_title") });
    const go = Object.assign(document.createElement("button"), {
      type: "button",
      className: "primary",
      textContent: ShopLab.say("qianniu_go"),
    });
    go.addEventListener("click", () => {
      const link = document.querySelector(`.queue-row[data-ticket-id="${longest.row.dataset.ticketId}"] .row-link`);
      if (link) link.click();
      note.remove();
      note = null;
    });
    const close = Object.assign(document.createElement("button"), { type: "button", className: "link", textContent: "×" });
    close.addEventListener("click", () => {
      note.remove();
      note = null;
    });
    note.append(title, go, close);
    document.body.appendChild(note);
  }

  function tick() {
    const late = [];
    document.querySelectorAll(".queue [data-waited]").forEach((element) => tickWaiting(element, late));
    if (document.querySelector(".queue")) warn(late);
    document.querySelectorAll("[data-countdown]").forEach(tickCountdown);
  }

  document.addEventListener("DOMContentLoaded", () => {
    tick();
    setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", tick);
})();
