import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/modes.ts
var modes = ["auto", "rotate", "stage", "activate", "status", "plan"];
var managements = ["setup", "api"];
var act = (whenIdle, finishes2 = true, notUsableInTime = "fail") => ({ effect: "act", whenIdle, finishes: finishes2, notUsableInTime });
var remind = (whenIdle) => ({ effect: "act", whenIdle });
function finishes(rule) {
  return rule.effect !== "act" || rule.finishes;
}
function startsWhenIdle(rule, due) {
  return rule.whenIdle === "start" || rule.whenIdle === "start-when-due" && due;
}
var modeRules = {
  api: {
    // A secret usable only after max-wait-seconds is left to a later run (api-flow.ts awaitUsable).
    auto: act("start-when-due", true, "later-run"),
    rotate: act("start"),
    // The stage job of a two-job workflow (`finishes: false`) stops once staged, never continues a
    // staged rotation and never stages a second one while an escrow is left unconfirmed (the
    // activate job holds the escrow).
    stage: act("start", false),
    // `activate` with nothing staged (or a staging not in hand) fails.
    activate: act("fail"),
    // `report`: what would stop a run is reported, not raised; the steps listed are a scheduled `auto` run's.
    status: { effect: "report", whenIdle: "start-when-due" },
    // `plan` lists the steps `rotate` would take: it stages even when not due.
    plan: { effect: "dry-run", whenIdle: "start" }
  },
  setup: {
    // setup-flow.ts: the action never stages or activates; "start" is a reminder to a person,
    // and a staged secret in hand is always carried on (distributed, then confirmed).
    auto: remind("start-when-due"),
    // `rotate`, `stage` and `activate` act as `auto` but remind even when no rotation is due
    // (`whenIdle: 'start'`); `activate` with nothing staged reminds rather than fails.
    rotate: remind("start"),
    stage: remind("start"),
    activate: remind("start"),
    status: { effect: "report", whenIdle: "start-when-due" },
    // Unlike under `api`, `plan` lists what `auto` would do (setup-plan.ts `planSetup`).
    plan: { effect: "dry-run", whenIdle: "start-when-due" }
  }
};
var managementSpecs = {
  api: {
    usesManagementService: true,
    remindsAPerson: false,
    describe: "`api` (a service at `management-url` implementing docs/management-api.openapi.yaml stages and activates)"
  },
  setup: {
    usesManagementService: false,
    remindsAPerson: true,
    describe: "`setup` (a person clicks Generate and Activate in Setup; works on every tenant)"
  }
};

export {
  modes,
  managements,
  finishes,
  startsWhenIdle,
  modeRules,
  managementSpecs
};
