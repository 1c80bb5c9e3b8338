/* Inside an embedded fact box: tell the host page how tall the box is. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    // 0 only means "not laid out": folding the frame to 0 would hide the box for
    // good (browsers stop laying out a cross-origin frame with no area).
    if (!height || height === last) return;
    last = height;
    window.parent.postMessage({ type: "exchanges:resize", height: height }, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  send();
})();
