/* The branding page's live preview: the colour fields drive the preview's stylesheet (progressive enhancement). */
(function () {
  "use strict";
  var link = document.getElementById("brand-preview-css");
  if (!link) { return; }
  var names = ["primary_color", "secondary_color", "accent_color"];
  var timer = null;
  function refresh() {
    var q = names.map(function (n) {
      var el = document.getElementById("f-" + n);
      return encodeURIComponent(n) + "=" + encodeURIComponent(el ? el.value : "");
    }).join("&");
    link.href = "/admin/branding/preview.css?" + q;
  }
  names.forEach(function (n) {
    var el = document.getElementById("f-" + n);
    if (el) {
      el.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, 250);
      });
    }
  });
}());
