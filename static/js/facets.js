// Deferred facets: progressive enhancement only. A paper list whose facet
// counts were not ready has `<aside data-facets-fragment="URL">` holding a
// link to a page of them; this fetches the fragment (the same sidebar the
// list shows when they are ready) and puts it in the aside's place. Without
// JavaScript, or when the fetch fails, the link stays.
(function () {
  "use strict";
  var placeholder = document.querySelector("aside[data-facets-fragment]");
  if (!placeholder || !window.fetch || !window.DOMParser) {
    return;
  }
  placeholder.setAttribute("aria-busy", "true");
  fetch(placeholder.getAttribute("data-facets-fragment"), {
    credentials: "same-origin",
    headers: { Accept: "text/html" }
  })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("facets: HTTP " + response.status);
      }
      return response.text();
    })
    .then(function (html) {
      var parsed = new DOMParser().parseFromString(html, "text/html");
      var facets = parsed.querySelector("aside.facets");
      if (!facets) {
        throw new Error("facets: no sidebar in the answer");
      }
      // Focus stays where it is, unless it was on the link being replaced:
      // then it moves to the new sidebar's heading, not back to the top.
      var hadFocus = placeholder.contains(document.activeElement);
      facets = document.importNode(facets, true);
      placeholder.replaceWith(facets);
      if (hadFocus) {
        var heading = facets.querySelector("h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      }
    })
    .catch(function () {
      placeholder.removeAttribute("aria-busy");
    });
})();
