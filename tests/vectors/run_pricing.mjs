// Runs static/pos/pricing.js over the shared vectors: `node tests/vectors/run_pricing.mjs`.
// The same function runs in Chromium (tests/browser/test_pricing_vectors.py); it is kept here,
// free of Node APIs, and the Node entry point only feeds it the file.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import * as pricing from "../../static/pos/pricing.js";
import { checkVectors } from "./check_pricing.js";

const path = fileURLToPath(new URL("./pricing.json", import.meta.url));
const { vectors } = JSON.parse(readFileSync(path, "utf8"));
const report = checkVectors(pricing, vectors);
process.stdout.write(JSON.stringify(report));
