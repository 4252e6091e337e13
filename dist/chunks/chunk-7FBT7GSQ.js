import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/service-url.ts
var LOOPBACK_HOSTS = /* @__PURE__ */ new Set(["127.0.0.1", "localhost", "[::1]"]);
function secureScheme(url) {
  return url.protocol === "https:" || url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

export {
  secureScheme
};
