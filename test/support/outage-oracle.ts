// The no-outage invariant, checked continuously: after every secret write on
// the GitHub side and every state change on the Marketing Cloud side, each
// watched destination's plaintext (decrypted by the GitHub emulator's oracle)
// must be accepted by Marketing Cloud, unless it was already rejected before
// the run and has not held an accepted secret since.
import type { GitHubEmulator, SecretScope } from '../emulators/github/index.ts';
import type { MarketingCloudEmulator } from '../emulators/marketing-cloud/index.ts';

export interface WatchedDestination {
  id: string;
  scope: SecretScope;
  name: string;
}

export interface Violation {
  at: string;
  destination: string;
  /** What had just happened when the violation was seen. */
  trigger: string;
}

export class OutageOracle {
  readonly violations: Violation[] = [];
  private readonly mc: MarketingCloudEmulator;
  private readonly gh: GitHubEmulator;
  private readonly clientId: string;
  private readonly watched: WatchedDestination[];
  /** Destinations that held a rejected secret before the run and have not been fixed since. */
  private readonly badBefore = new Set<string>();
  private readonly onSecretWrite = (e: { name: string; action: string }) =>
    this.check(`github ${e.action} ${e.name}`);
  private readonly onChange = (e: { type: string; clientId: string }) =>
    this.check(`marketing cloud ${e.type} ${e.clientId}`);

  constructor(
    mc: MarketingCloudEmulator,
    gh: GitHubEmulator,
    clientId: string,
    watched: WatchedDestination[],
  ) {
    this.mc = mc;
    this.gh = gh;
    this.clientId = clientId;
    this.watched = watched;
    for (const d of watched) if (!this.accepted(d)) this.badBefore.add(d.id);
    gh.on('secret-write', this.onSecretWrite);
    mc.on('change', this.onChange);
  }

  stop(): void {
    this.gh.off('secret-write', this.onSecretWrite);
    this.mc.off('change', this.onChange);
  }

  private accepted(d: WatchedDestination): boolean {
    const value = this.gh.secretValue(d.scope, d.name);
    return value !== undefined && this.mc.accepts(this.clientId, value);
  }

  /** Checks every watched destination now; also callable by a test at any instant. */
  check(trigger = 'explicit check'): void {
    for (const d of this.watched) {
      if (this.accepted(d)) {
        this.badBefore.delete(d.id);
      } else if (!this.badBefore.has(d.id)) {
        this.violations.push({ at: new Date().toISOString(), destination: d.id, trigger });
      }
    }
  }
}
