/* Help center progressive enhancement: search suggestions as you type, votes without a reload. */
(function () {
  "use strict";

  /* Suggestions: 3+ characters, debounced, newest answer wins. */
  function suggest(input) {
    var list = document.getElementById("kb-suggest");
    var url = input.getAttribute("data-suggest");
    var timer = null, seq = 0;
    if (!list || !url) return;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-controls", "kb-suggest");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-autocomplete", "list");

    function hide() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }
    /* Nothing matches: the closest topics and the contact form instead. */
    function fallback(j) {
      var out = (j.categories || []).map(function (c) {
        return { url: c.url, title: "Topic: " + c.name };
      });
      if (j.contact_url) out.push({ url: j.contact_url, title: "Ask our support team" });
      return out;
    }
    function show(items) {
      while (list.firstChild) list.removeChild(list.firstChild);
      items.forEach(function (it) {
        var li = document.createElement("li"), a = document.createElement("a");
        li.setAttribute("role", "option");
        a.href = it.url;
        a.textContent = it.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }
    input.addEventListener("input", function () {
      var q = input.value.trim(), mine = ++seq;
      clearTimeout(timer);
      if (q.replace(/[^0-9A-Za-z\u0080-\uFFFF]/g, "").length < 3) { hide(); return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (j) {
            var s = j.suggestions || [];
            if (mine === seq) show(s.length ? s : fallback(j));
          })
          .catch(hide);
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      var links = list.querySelectorAll("a");
      if (e.key === "Escape") hide();
      else if (e.key === "ArrowDown" && links.length && !list.hidden) {
        e.preventDefault();
        links[0].focus();
      }
    });
    list.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i < links.length - 1) { e.preventDefault(); links[i + 1].focus(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      else if (e.key === "Escape") { hide(); input.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (!list.contains(e.target) && e.target !== input) hide();
    });
  }

  /* Votes: POST JSON with the form's CSRF token, then thank the visitor in place. */
  function vote(form) {
    var api = form.getAttribute("data-api");
    var clicked = null;
    /* Without the clicked button, form.submit() would lose its value. */
    function fallback() {
      var h = document.createElement("input");
      h.type = "hidden";
      h.name = "helpful";
      h.value = clicked;
      form.appendChild(h);
      form.submit();
    }
    if (!api || !window.fetch) return;
    form.addEventListener("click", function (e) {
      if (e.target && e.target.name === "helpful") clicked = e.target.value;
    });
    form.addEventListener("submit", function (e) {
      var token = form.querySelector("input[name=csrf_token]");
      var reason = form.querySelector("input[name=reason]");
      var note = form.querySelector(".kb-thanks");
      if (!clicked) return;
      e.preventDefault();
      fetch(api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
          "X-CSRF-Token": token ? token.value : "" },
        body: JSON.stringify({ helpful: clicked === "yes", reason: reason ? reason.value : "" })
      }).then(function (r) {
        if (r.status === 201 || r.status === 409) {
          Array.prototype.forEach.call(form.querySelectorAll("button, input[name=reason], label, p:not(.kb-thanks)"),
            function (el) { el.hidden = true; });
          note.textContent = r.status === 201 ? "Thank you for your feedback!" :
            "You already told us about this article today. Thank you!";
          note.hidden = false;
        } else {
          fallback();
        }
      }).catch(fallback);
    });
  }

  var q = document.getElementById("kb-q");
  if (q) suggest(q);
  Array.prototype.forEach.call(document.querySelectorAll("form.kb-vote-form"), vote);
})();
