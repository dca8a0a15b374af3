/* The new-initiative form proposes the slug from the name as the person types, until they
   edit the slug themselves. While the slug is the proposed one, `slug_proposed` tells the
   portal so, and the portal makes it unique ("invoice-matching-2") instead of refusing it
   as taken. Without this script the slug may be left empty: the portal derives it then. */
(function () {
  "use strict";

  var MAX_LENGTH = 80;

  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "") // accents off: "Prévision" → "Prevision"
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, MAX_LENGTH)
      .replace(/-+$/, "");
  }

  function start() {
    var slug = document.querySelector("input[data-slug-from]");
    if (!slug) return;
    var name = document.getElementById(slug.getAttribute("data-slug-from"));
    var proposed = slug.form && slug.form.elements.namedItem("slug_proposed");
    if (!name) return;
    // A slug already typed (the form came back with an error) is the person's own unless
    // it is exactly what the name proposes.
    var following = !slug.value || slug.value === slugify(name.value);

    function propose() {
      if (!following) return;
      slug.value = slugify(name.value);
      if (proposed) proposed.value = slug.value ? "1" : "";
    }

    name.addEventListener("input", propose);
    slug.addEventListener("input", function () {
      following = false;
      if (proposed) proposed.value = "";
    });
    if (proposed && following && slug.value) proposed.value = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
