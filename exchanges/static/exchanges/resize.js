/*
 * On the page that embeds fact boxes: fit each <iframe data-exchanges-embed>
 * to the height its box reports. Safe to include more than once.
 */
(function () {
  "use strict";
  if (window.exchangesEmbedResize) return;
  window.exchangesEmbedResize = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "exchanges:resize" || typeof data.height !== "number") return;
    var frames = document.querySelectorAll("iframe[data-exchanges-embed]");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      if (new URL(frame.src, document.baseURI).origin !== event.origin) continue;
      frame.style.border = "0";
      frame.style.display = "block";
      frame.style.height = Math.max(0, Math.ceil(data.height)) + "px";
    }
  });
})();
