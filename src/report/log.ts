// The runner's log and annotations carry text from servers and stored state.
// core.error/warning/notice/debug escape %, CR and LF (@actions/core's
// command.js escapeData), so their message cannot start another workflow
// command; core.info writes raw to stdout, where a line beginning (after
// spaces) with `::` or `##[` is one. Every message is bounded in length too.
import { cut } from '../redact.ts';
import type { Log } from '../rotation/ports.ts';

/** Characters kept of one log line or annotation; the rest is cut with `…`. */
export const MAX_LOG_MESSAGE = 4000;

export function bounded(text: string): string {
  return cut(text, MAX_LOG_MESSAGE);
}

/** Each line that the runner would read as a command gets a visible `| ` in front. */
export function inertLines(text: string): string {
  return text.replace(/^(?=[^\S\r\n]*(?:::|##\[))/gm, '| ');
}

/** `log` with every message bounded and info lines inert. */
export function safeLog(log: Log): Log {
  return {
    info: (message) => log.info(inertLines(bounded(message))),
    warning: (message) => log.warning(bounded(message)),
    notice: (message) => log.notice(bounded(message)),
    debug: (message) => log.debug(bounded(message)),
    setSecret: (secret) => log.setSecret(secret),
    group: (title, fn) => log.group(bounded(title), fn),
  };
}
