// nhsuk-frontend's "JavaScript is on" classes, which its page template sets with an inline
// script. Here as a file, because the Content-Security-Policy allows no inline script.
// Loaded synchronously as the first element of <body> (templates/layout/nhsuk_page.jinja).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
