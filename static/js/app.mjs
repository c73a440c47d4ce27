// nhsuk-frontend v10 ships as an ES module: import it and start every component on the page (header
// menu, error summary focus, radios/checkboxes conditionals, buttons...). Pages work without this;
// it only enhances them.
import { initAll } from "../nhsuk/nhsuk-frontend-10.6.1.min.js";

initAll();

// nhsuk-frontend's conditional reveal sets aria-expanded on the radio or checkbox it reveals from. ARIA does not
// allow aria-expanded on those roles (axe: aria-allowed-attr), and GOV.UK Frontend dropped it for that reason; the
// revealed content follows the input in reading order, so nothing is lost by removing it as soon as it is set.
const dropExpanded = (input) => input.removeAttribute("aria-expanded");
const revealInputs = 'input[type="radio"][aria-expanded], input[type="checkbox"][aria-expanded]';
document.querySelectorAll(revealInputs).forEach(dropExpanded);
new MutationObserver((records) => {
  records.forEach((record) => {
    if (record.target.matches && record.target.matches(revealInputs)) dropExpanded(record.target);
  });
}).observe(document.body, { attributes: true, attributeFilter: ["aria-expanded"], subtree: true });
