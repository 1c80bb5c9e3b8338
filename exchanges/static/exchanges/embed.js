/* Inside an embedded fact box: tell the host page how tall the box is. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = -1;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    // Not laid out yet: folding the frame to 0 now would hide a box about to show.
    // Once loaded, 0 is real (nothing public to show) and the frame folds away.
    if (!height && document.readyState !== "complete") return;
    last = height;
    window.parent.postMessage({ type: "exchanges:resize", height: height }, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  send();
})();
