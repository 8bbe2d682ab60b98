// Small behaviours shared by every page; page-specific code lives in its own file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the first field in error so screen readers and keyboard users land on it.
  var invalid = document.querySelector(".is-invalid");
  if (invalid) { invalid.focus(); }
});
