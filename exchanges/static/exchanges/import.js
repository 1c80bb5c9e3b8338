// While a spreadsheet is checked or imported, show how many rows are done.
// The form submits as usual; this page asks the server how far it got
// until the answer arrives.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-import-progress]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var bar = form.querySelector("progress");
      var words = form.querySelector(".import-progress");
      var url = form.getAttribute("data-import-progress");
      bar.hidden = false;
      function ask() {
        fetch(url, { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (state) {
            if (state.total) {
              bar.max = state.total;
              bar.value = state.done;
              words.textContent = state.done + " / " + state.total;
            }
          })
          .catch(function () {})
          .finally(function () { setTimeout(ask, 700); });
      }
      setTimeout(ask, 300);
    });
  });
});
