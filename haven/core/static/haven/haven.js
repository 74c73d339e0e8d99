// Progressive enhancement only: every form works without this file.
// Nothing submits on its own: a change of a menu never moves the user (WCAG 3.2.2).
document.addEventListener("DOMContentLoaded", function () {
  document.documentElement.classList.add("js");
});
