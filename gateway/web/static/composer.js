// The reply composer: quick phrases by typing "/" and a few letters (their {placeholders} filled from the order and
// previewed before sending), the platform-rule check while typing (which rule, which words), Ctrl+Enter to send.
"use strict";

(() => {
  const ShopLab = (window.ShopLab = window.ShopLab || {});
  const SLASH = /(^|\s)\/([^\s/]*)$/;

  function phrasesOf(form) {
    return [...form.querySelectorAll(".phrase-source li")].map((li) => ({
      id: li.dataset.id,
      title: li.dataset.title,
      body: li.dataset.body,
    }));
  }

  function fill(body, values) {
    const missing = [];
    const text = body
      .replace(/\{(\w+)\}/g, (whole, name) => {
        if (values[name]) return values[name];
        if (!missing.includes(name)) missing.push(name);
        return whole;
      })
      .replaceAll("{{", "{")
      .replaceAll("}}", "}");
    return { text, missing };
  }

  function slashQuery(area) {
    const before = area.value.slice(0, area.selectionStart);
    const match = SLASH.exec(before);
    return match ? { query: match[2].toLowerCase(), start: before.length - match[2].length - 1 } : null;
  }

  function showMenu(form, area) {
    const menu = form.querySelector(".phrase-menu");
    const found = slashQuery(area);
    if (!found) {
      menu.hidden = true;
      return;
    }
    const matches = phrasesOf(form)
      .filter((p) => !found.query || `${p.title} ${p.body}`.toLowerCase().includes(found.query))
      .slice(0, 8);
    menu.replaceChildren();
    if (!matches.length) {
      menu.appendChild(Object.assign(document.createElement("li"), { className: "empty", textContent: ShopLab.say("no_phrase") }));
    }
    matches.forEach((phrase, index) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.id = phrase.id;
      item.className = index === 0 ? "active" : "";
      item.append(
        Object.assign(document.createElement("strong"), { textContent: `/${phrase.title}` }),
        Object.assign(document.createElement("span"), { textContent: phrase.body }),
      );
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(form, area, phrase);
      });
      menu.appendChild(item);
    });
    menu.hidden = false;
  }

  function choose(form, area, phrase) {
    const found = slashQuery(area);
    const values = JSON.parse(form.dataset.placeholders || "{}");
    const filled = fill(phrase.body, values);
    const start = found ? found.start : area.selectionStart;
    area.value = area.value.slice(0, start) + filled.text + area.value.slice(area.selectionStart);
    area.selectionStart = area.selectionEnd = start + filled.text.length;
    form.querySelector('[name="phrase_id"]').value = phrase.id;
    form._phrase = { id: parseInt(phrase.id, 10), text: filled.text };
    form.querySelector(".phrase-menu").hidden = true;
    preview(form, filled);
    area.focus();
    check(form);
  }

  function preview(form, filled) {
    const box = form.querySelector(".phrase-preview");
    box.replaceChildren(
      Object.assign(document.createElement("span"), { className: "label", textContent: ShopLab.say("phrase_filled") }),
      Object.assign(document.createElement("q"), { textContent: filled.text }),
    );
    if (filled.missing.length) {
      box.appendChild(
        Object.assign(document.createElement("span"), {
          className: "missing",
          textContent: `${ShopLab.say("phrase_missing")} ${filled.missing.map((n) => `{${n}}`).join(" ")}`,
        }),
      );
    }
    box.hidden = false;
  }

  function forget(form) {
    form._phrase = null;
    form.querySelector('[name="phrase_id"]').value = "";
    form.querySelector(".phrase-preview").hidden = true;
  }

  function moveInMenu(menu, step) {
    const items = [...menu.querySelectorAll("li[role=option]")];
    if (!items.length) return;
    const current = items.findIndex((item) => item.classList.contains("active"));
    const next = (current + step + items.length) % items.length;
    items.forEach((item, index) => item.classList.toggle("active", index === next));
  }

  // ---- the platform-rule check while typing ----

  let checking = null;
  function check(form) {
    clearTimeout(checking);
    checking = setTimeout(() => runCheck(form), 350);
  }

  async function runCheck(form) {
    const box = form.querySelector(".rule-check");
    const text = form.querySelector("textarea").value.trim();
    if (!text) {
      box.hidden = true;
      return;
    }
    let verdict;
    try {
      const response = await fetch(form.dataset.check, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
        body: JSON.stringify({ body: text }),
        credentials: "same-origin",
      });
      if (!response.ok) return;
      verdict = await response.json();
    } catch (error) {
      return;
    }
    showVerdict(box, verdict.verdict, verdict.violations);
  }

  function showVerdict(box, verdict, violations) {
    box.className = `rule-check verdict-${verdict}`;
    const head = { ok: "check_ok", warn: "check_warn", refuse: "check_refuse" }[verdict] || "check_ok";
    const lines = [Object.assign(document.createElement("strong"), { textContent: ShopLab.say(head) })];
    (violations || []).forEach((v) => {
      const line = document.createElement("span");
      line.className = `violation action-${v.action}`;
      line.append(
        Object.assign(document.createElement("span"), { className: "rule", textContent: ShopLab.ruleName(v) }),
        Object.assign(document.createElement("span"), { className: "words", textContent: (v.matched || []).join("、") }),
      );
      lines.push(line);
    });
    box.replaceChildren(...lines);
    box.hidden = false;
  }

  // ---- sending ----

  function prepare(event) {
    const form = event.target;
    const body = event.detail.body;
    const text = (body.body || "").trim();
    delete body.phrase_id;
    if (form._phrase && text.startsWith(form._phrase.text.trim())) {
      // the phrase as the shop fills it, and whatever was added after it
      body.phrase_id = form._phrase.id;
      const rest = text.slice(form._phrase.text.trim().length).trim();
      if (rest) body.body = rest;
      else delete body.body;
    } else {
      body.body = text;
    }
  }

  function sent(event) {
    const form = event.target;
    const data = event.detail.data || {};
    const area = form.querySelector("textarea");
    area.value = "";
    forget(form);
    form.querySelector('[name="await_buyer"]').checked = false;
    const box = form.querySelector(".rule-check");
    if (data.warnings && data.warnings.length) {
      showVerdict(box, "warn", data.warnings);
      ShopLab.toast(`${ShopLab.say("sent_with_warning")} ${data.warnings.map(ShopLab.ruleName).join("; ")}`, "warn", 6);
    } else {
      box.hidden = true;
    }
    area.focus();
  }

  function wire(form) {
    if (form._wired) return;
    form._wired = true;
    const area = form.querySelector("textarea");
    const menu = form.querySelector(".phrase-menu");
    area.addEventListener("input", () => {
      showMenu(form, area);
      if (form._phrase && !area.value.includes(form._phrase.text.trim())) forget(form);
      check(form);
    });
    area.addEventListener("keydown", (event) => {
      if (!menu.hidden) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          moveInMenu(menu, event.key === "ArrowDown" ? 1 : -1);
          return;
        }
        if (event.key === "Enter" || event.key === "Tab") {
          const active = menu.querySelector("li.active");
          if (active) {
            event.preventDefault();
            const phrase = phrasesOf(form).find((p) => p.id === active.dataset.id);
            if (phrase) choose(form, area, phrase);
            return;
          }
        }
        if (event.key === "Escape") {
          menu.hidden = true;
          return;
        }
      }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    area.addEventListener("blur", () => setTimeout(() => (menu.hidden = true), 150));
    form.addEventListener("shoplab:prepare", prepare);
    form.addEventListener("shoplab:done", sent);
  }

  // a reply outside the chat (a review's public reply): the same rule check while typing, its warnings after sending
  function wireCheck(form) {
    if (form._checked) return;
    form._checked = true;
    form.querySelector("textarea").addEventListener("input", () => check(form));
    form.addEventListener("shoplab:done", (event) => {
      const warnings = (event.detail.data || {}).warnings || [];
      const box = form.querySelector(".rule-check");
      if (warnings.length) showVerdict(box, "warn", warnings);
      else box.hidden = true;
    });
  }

  function wireAll() {
    document.querySelectorAll("form.composer").forEach(wire);
    document.querySelectorAll("form[data-rule-check]").forEach(wireCheck);
    document.querySelectorAll("textarea[data-ctrl-enter]").forEach((area) => {
      if (area._ctrlEnter || area.closest("form.composer")) return;
      area._ctrlEnter = true;
      area.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          area.form.requestSubmit();
        }
      });
    });
  }

  // a phrase just saved joins the composer's list at once
  document.addEventListener("shoplab:done", (event) => {
    if (!event.target.matches("[data-add-phrase]")) return;
    const phrase = event.detail.data || {};
    const source = document.querySelector("form.composer .phrase-source");
    if (!source || !phrase.id) return;
    const item = document.createElement("li");
    Object.assign(item.dataset, { id: String(phrase.id), title: phrase.title, body: phrase.body });
    source.appendChild(item);
  });

  document.addEventListener("DOMContentLoaded", wireAll);
  document.addEventListener("htmx:afterSwap", wireAll);
})();
