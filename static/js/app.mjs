// nhsuk-frontend v10 ships as an ES module: import it and start every component on the page (header
// menu, error summary focus, radios/checkboxes conditionals, buttons...). Pages work without this;
// it only enhances them.
import { initAll } from "../nhsuk/nhsuk-frontend-10.6.1.min.js";

initAll();
