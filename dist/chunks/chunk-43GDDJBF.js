import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  MarketingCloudError
} from "./chunk-IBD4EVJW.js";

// src/rotation/ports.ts
var NothingStagedError = class extends MarketingCloudError {
};

export {
  NothingStagedError
};
