// Runs first in <body> (a classic, blocking script: the CSP forbids the inline snippet nhsuk-frontend's
// page template uses). `js-enabled` and `nhsuk-frontend-supported` tell the nhsuk CSS that its
// JavaScript will run, so it can style for it (for example hide collapsed conditional content).
// `noModule` support means the browser can also run the ES module build loaded by app.mjs.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
