// Start the NHS.UK frontend components (nhsuk-frontend 10 ships an ES module).
// Loaded with <script type="module">, so browsers too old for modules skip it and the
// pages keep working without JavaScript.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
