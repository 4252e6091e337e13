import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  InputError
} from "./chunk-IBD4EVJW.js";

// src/destination-kinds.ts
var kindTable = {
  repo: {
    target: "repository",
    example: "repo:octo-org/app",
    secretsPath: "/repos/{owner}/{repo}/actions/secrets",
    permission: { on: "repository", fineGrained: "Secrets", app: "secrets" }
  },
  environment: {
    target: "environment",
    example: "environment:octo-org/app:production",
    secretsPath: "/repos/{owner}/{repo}/environments/{environment_name}/secrets",
    permission: { on: "repository", fineGrained: "Environments", app: "environments" }
  },
  org: {
    target: "organization",
    example: "org:octo-org visibility=private",
    secretsPath: "/orgs/{org}/actions/secrets",
    permission: { on: "organization", fineGrained: "Secrets", app: "organization_secrets" }
  },
  dependabot: {
    target: "repository",
    example: "dependabot:octo-org/app",
    secretsPath: "/repos/{owner}/{repo}/dependabot/secrets",
    permission: { on: "repository", fineGrained: "Dependabot secrets", app: "dependabot_secrets" }
  },
  "dependabot-org": {
    target: "organization",
    example: "dependabot-org:octo-org visibility=selected repositories=app,api",
    secretsPath: "/orgs/{org}/dependabot/secrets",
    permission: {
      on: "organization",
      fineGrained: "Dependabot secrets",
      app: "organization_dependabot_secrets"
    }
  }
};
var destinationKinds = kindTable;
var kindNames = Object.keys(kindTable);
function byTarget(d, handlers) {
  return handlers[destinationKinds[d.kind].target](d);
}
var atOrganization = (d) => destinationKinds[d.kind].target === "organization";
function describePermission(kind) {
  const { on, fineGrained, app } = destinationKinds[kind].permission;
  return `the ${on} permission "${fineGrained}: write" (GitHub App: \`${app}: write\`)`;
}
function describePlace(d) {
  return byTarget(d, {
    repository: (r) => `repository ${r.owner}/${r.repo}`,
    environment: (e) => `environment "${e.environment}" of ${e.owner}/${e.repo}`,
    organization: (o) => `organization ${o.org}`
  });
}

// src/destinations.ts
var visibilities = ["all", "private", "selected"];
var example = (kind) => destinationKinds[kind].example;
var optionsOf = {
  repository: ["name"],
  environment: ["name"],
  organization: ["name", "visibility", "repositories"]
};
function secretNameProblem(name) {
  if (name === "") return "is empty";
  if (!/^[A-Za-z0-9_]+$/.test(name)) return "may contain only letters, digits and underscores";
  if (/^[0-9]/.test(name)) return "must not start with a digit";
  if (/^GITHUB_/i.test(name)) return "must not start with GITHUB_ (GitHub reserves that prefix)";
  return void 0;
}
function isRepoName(text) {
  return /^[A-Za-z0-9._-]+$/.test(text) && text !== "." && text !== "..";
}
var isOrgName = (text) => /^[A-Za-z0-9-]+$/.test(text);
function staysOneSegment(name) {
  const segment = encodeURIComponent(name);
  return new URL(`https://api.invalid/environments/${segment}/secrets`).pathname === `/environments/${segment}/secrets`;
}
function fail(line, what, fix, example2) {
  throw new InputError(line, `\`${line}\`: ${what} \u2014 ${fix}, e.g. \`${example2}\``);
}
function ownerRepo(text) {
  const parts = text.split("/");
  if (parts.length !== 2) return void 0;
  const [owner = "", repo = ""] = parts;
  return isRepoName(owner) && isRepoName(repo) ? { owner, repo } : void 0;
}
function parseOptions(line, kind, tokens) {
  const target = destinationKinds[kind].target;
  const allowed = optionsOf[target];
  const options = /* @__PURE__ */ new Map();
  for (const token of tokens) {
    const eq = token.indexOf("=");
    if (eq < 0) {
      if (target === "environment") {
        fail(
          line,
          `\`${token}\` is not a key=value option (environment names containing spaces cannot be written here, because fields are separated by spaces)`,
          "rename the environment without spaces, or remove the stray word",
          example(kind)
        );
      }
      fail(line, `\`${token}\` is not a key=value option`, "write options as key=value", example(kind));
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (!allowed.includes(key)) {
      const known = allowed.map((k) => `${k}=`).join(", ");
      fail(line, `unknown option \`${key}\` for a ${kind} line`, `use only ${known}`, example(kind));
    }
    if (options.has(key)) fail(line, `\`${key}=\` is given twice`, "keep one", example(kind));
    if (value === "")
      fail(line, `\`${key}=\` has no value`, `give ${key} a value or remove it`, example(kind));
    options.set(key, value);
  }
  return options;
}
function parseRepositories(line, text) {
  const names = text.split(",");
  const seen = /* @__PURE__ */ new Set();
  for (const name of names) {
    if (!isRepoName(name)) {
      fail(
        line,
        `\`${name}\` in repositories= is not a repository name`,
        "list repository names of the organization (letters, digits, `.`, `_`, `-`), comma-separated without spaces",
        destinationKinds["dependabot-org"].example
      );
    }
    if (seen.has(name.toLowerCase())) {
      fail(
        line,
        `repository \`${name}\` is listed twice`,
        "list each repository once",
        destinationKinds["dependabot-org"].example
      );
    }
    seen.add(name.toLowerCase());
  }
  return [...names].sort((a, b) => a.toLowerCase() < b.toLowerCase() ? -1 : 1);
}
function scopeId(d) {
  return byTarget(d, {
    repository: (r) => `${r.kind}:${r.owner}/${r.repo}`,
    environment: (e) => `${e.kind}:${e.owner}/${e.repo}:${e.environment}`,
    organization: (o) => {
      const repositories = o.repositories ? ` repositories=${o.repositories.join(",")}` : "";
      return `${o.kind}:${o.org} visibility=${o.visibility}${repositories}`;
    }
  });
}
function renameDestination(d, name, defaults) {
  const upper = name.toUpperCase();
  const renamed = { ...d, name: upper };
  const suffix = upper === defaults.secretName.toUpperCase() ? "" : ` name=${upper}`;
  return { ...renamed, id: `${scopeId(renamed)}${suffix}` };
}
function secretKey(d) {
  const scope = "org" in d ? `${d.kind}:${d.org}` : scopeId(d);
  return `${scope} ${d.name}`.toLowerCase();
}
function parseRepository({ line, kind, target, name }) {
  const parsed = ownerRepo(target);
  if (!parsed) {
    fail(
      line,
      `\`${target}\` is not OWNER/REPO`,
      "name the repository as owner/name (letters, digits, `.`, `_`, `-`)",
      example(kind)
    );
  }
  return { kind, id: "", name, ...parsed };
}
function parseEnvironment({ line, kind, target, name }) {
  const sep = target.indexOf(":");
  const parsed = ownerRepo(sep < 0 ? target : target.slice(0, sep));
  const environment = sep < 0 ? "" : target.slice(sep + 1);
  if (!parsed || environment === "") {
    fail(
      line,
      `\`${target}\` is not OWNER/REPO:ENVIRONMENT`,
      "name the repository and the environment",
      example(kind)
    );
  }
  if (environment.length > 255 || new RegExp("\\p{Cc}", "u").test(environment)) {
    fail(
      line,
      "the environment name is longer than 255 characters or holds control characters",
      "use the environment name as shown in the repository settings",
      example(kind)
    );
  }
  if (!staysOneSegment(environment)) {
    fail(
      line,
      `the environment name \`${environment}\` would be read as a URL path step, not a name, and the secret written elsewhere`,
      "use the environment name as shown in the repository settings",
      example(kind)
    );
  }
  return { kind, id: "", name, ...parsed, environment };
}
function parseOrganization({ line, kind, target, options, name }) {
  if (!isOrgName(target)) {
    fail(
      line,
      `\`${target}\` is not an organization name`,
      "use the organization login (letters, digits and `-`)",
      example(kind)
    );
  }
  const visibility = visibilities.find((v) => v === options.get("visibility"));
  if (!options.has("visibility")) {
    fail(
      line,
      "visibility= is missing",
      "add visibility=all, private or selected (it is required because a default could silently widen or narrow who can read an existing organization secret)",
      example(kind)
    );
  }
  if (visibility === void 0) {
    fail(
      line,
      `visibility \`${options.get("visibility")}\` is not one of all, private, selected`,
      "pick one of those",
      example(kind)
    );
  }
  const repositories = options.get("repositories");
  if (visibility === "selected" && repositories === void 0) {
    fail(
      line,
      "visibility=selected needs repositories=",
      "list the repositories that may read the secret",
      `${kind}:${target} visibility=selected repositories=app,api`
    );
  }
  if (visibility !== "selected" && repositories !== void 0) {
    fail(
      line,
      `repositories= applies only with visibility=selected, not ${visibility}`,
      "remove repositories= or use visibility=selected",
      `${kind}:${target} visibility=selected repositories=${repositories}`
    );
  }
  const base = { kind, id: "", name, org: target, visibility };
  return repositories === void 0 ? base : { ...base, repositories: parseRepositories(line, repositories) };
}
var targetParsers = {
  repository: parseRepository,
  environment: parseEnvironment,
  organization: parseOrganization
};
function parseDestinationLine(line, defaults) {
  const text = line.trim();
  const [head = "", ...tokens] = text.split(/\s+/);
  const colon = head.indexOf(":");
  const kind = kindNames.find((k) => k === head.slice(0, colon));
  if (colon < 0 || kind === void 0) {
    fail(
      text,
      colon < 0 ? "has no `<kind>:` prefix" : `unknown kind \`${head.slice(0, colon)}\``,
      `start the line with one of ${kindNames.map((k) => `${k}:`).join(", ")}`,
      destinationKinds.repo.example
    );
  }
  const options = parseOptions(text, kind, tokens);
  const name = options.get("name") ?? defaults.secretName;
  const nameProblem = secretNameProblem(name);
  if (nameProblem) {
    fail(
      text,
      `secret name \`${name}\` ${nameProblem}`,
      "use letters, digits and underscores, not starting with a digit or GITHUB_",
      `${example(kind)} name=SFMC_CLIENT_SECRET`
    );
  }
  const parts = { line: text, kind, target: head.slice(colon + 1), options, name };
  const parse = targetParsers[destinationKinds[kind].target];
  return renameDestination(parse(parts), name, defaults);
}
function parseDestinations(text, defaults, inputName) {
  const problems = [];
  const destinations = [];
  const firstLineOf = /* @__PURE__ */ new Map();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const number = index + 1;
    if (line === "" || line.startsWith("#")) return;
    let destination;
    try {
      destination = parseDestinationLine(line, defaults);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(`input \`${inputName}\` line ${number}: ${error.message}`);
      return;
    }
    const key = secretKey(destination);
    const first = firstLineOf.get(key);
    if (first !== void 0) {
      problems.push(
        `input \`${inputName}\` line ${number}: \`${line}\` writes the same secret as line ${first} \u2014 remove one of them, or give one another name, e.g. \`${scopeId(destination)} name=OTHER_SECRET\``
      );
      return;
    }
    firstLineOf.set(key, number);
    destinations.push(destination);
  });
  if (problems.length === 0 && destinations.length === 0) {
    problems.push(
      `input \`${inputName}\`: lists no destination \u2014 add at least one line, e.g. \`${destinationKinds.repo.example}\``
    );
  }
  if (problems.length > 0) throw new InputError(inputName, problems.join("\n"));
  return destinations;
}

export {
  destinationKinds,
  kindNames,
  byTarget,
  atOrganization,
  describePermission,
  describePlace,
  secretNameProblem,
  renameDestination,
  secretKey,
  parseDestinationLine,
  parseDestinations
};
