// The job summary (GitHub-flavoured Markdown for GITHUB_STEP_SUMMARY). It
// renders only RunResult, which holds no secret.
import { cut } from '../redact.ts';
import type { AgeSource, RunResult } from '../rotation/result.ts';

const dayMs = 86_400_000;

const sourceText: Record<AgeSource, string> = {
  'management-api': 'Marketing Cloud management API',
  state: 'the last recorded activation',
  destination: "the first destination's updated_at",
};

/** Characters kept of any one text from outside the action's code (a cell, a note, a plan step). */
export const MAX_TEXT = 1000;

/**
 * The one escape for text that may come from outside the action's code
 * (stored state, server and error messages, names): it renders as itself.
 * CommonMark lets any ASCII punctuation be backslash-escaped; only what can
 * start a construct is, so plain names stay readable in the raw Markdown:
 * `\` (so no escape can be cancelled), code spans, emphasis and strikethrough
 * (`` ` ``, `*`, `~`, and `_` unless inside a word, where it cannot emphasise),
 * links and images (`[`, `]`), raw HTML, entities and block quotes (`<`, `>`,
 * `&`), table pipes (`|`, which GFM honours escaped), math (`$`), autolinks
 * (`\://`, `www\.`, `\@`), and at the start of a line headings, lists and
 * setext underlines (`#`, `-`, `+`, `=`, and `1.` before a space). Other control characters
 * than line breaks are dropped; line breaks are left to the caller. Cut to
 * MAX_TEXT characters before escaping, so no escape is split.
 */
export function text(raw: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping them is the point
  const clean = raw.replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/g, '');
  return cut(clean, MAX_TEXT)
    .replace(/[\\`*~[\]<>&|$@]|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])_/g, '\\$&')
    .replace(/:\/\//g, '\\://')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/^([^\S\r\n]*)([#+=-]|\d+(?=[.)](?:\s|$)))/gm, (_, space: string, mark: string) =>
      /\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
    );
}

const LINE_BREAK = /\r\n|\r|\n/;

/** A table cell: escaped, and a line break (which would end the row) shown as `<br>`. */
function cell(raw: string): string {
  return text(raw).split(LINE_BREAK).join('<br>');
}

/** A list item; continuation lines are indented so they stay inside it. */
function item(marker: string, raw: string): string {
  return `${marker} ${text(raw)
    .split(LINE_BREAK)
    .join(`\n${' '.repeat(marker.length + 1)}`)}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    `|${header.map(() => ' --- |').join('')}`,
    ...rows.map((r) => line(r.map(cell))),
  ].join('\n');
}

/** `2026-03-01 14:05 UTC`. */
function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

function days(count: number): string {
  return `${count} day${count === 1 ? '' : 's'}`;
}

/** `in 12 days` / `3 days ago` / `today`, counted in whole days from `now`. */
function relative(date: Date, now: Date): string {
  const delta = Math.trunc((date.getTime() - now.getTime()) / dayMs);
  if (delta === 0) return 'today';
  return delta > 0 ? `in ${days(delta)}` : `${days(-delta)} ago`;
}

function secretSection(result: RunResult, now: Date): string[] {
  const lines: string[] = [];
  if (result.secretAge) {
    const { createdAt, source } = result.secretAge;
    const age = Math.max(0, Math.floor((now.getTime() - createdAt.getTime()) / dayMs));
    lines.push(`- Age: ${days(age)} (generated ${when(createdAt)}; source: ${sourceText[source]})`);
  } else {
    lines.push('- Age: unknown');
  }
  if (result.expiresAt)
    lines.push(`- Expires: ${when(result.expiresAt)} (${relative(result.expiresAt, now)})`);
  if (result.nextRotationAt) {
    lines.push(`- Next rotation: ${when(result.nextRotationAt)} (${relative(result.nextRotationAt, now)})`);
  }
  return lines;
}

/** `now` is when the report is written; ages and countdowns are measured from it. */
export function summaryMarkdown(result: RunResult, now: Date = new Date()): string {
  const headline = text(result.headline.replace(/\s*[\r\n]+\s*/g, ' '));
  const parts: string[] = [`## SFMC secret rotation (${result.mode}): ${headline}`];

  if (result.steps.length > 0) {
    parts.push(
      table(
        ['Step', 'Started (UTC)', 'Duration', 'Outcome', 'Detail'],
        result.steps.map((s) => [
          s.step,
          s.startedAt.toISOString().slice(11, 19),
          duration(s.endedAt.getTime() - s.startedAt.getTime()),
          s.outcome,
          s.detail,
        ]),
      ),
    );
  }

  if (result.destinations.length > 0) {
    parts.push(
      '### Destinations',
      table(
        ['Destination', 'Kind', 'Secret name', 'Result', 'Error'],
        result.destinations.map((d) => [
          d.destination.id,
          d.destination.kind,
          d.destination.name,
          d.outcome,
          d.error ?? '',
        ]),
      ),
    );
  }

  parts.push('### Active secret', secretSection(result, now).join('\n'));

  if (result.plan.length > 0) {
    parts.push('### Plan', result.plan.map((step, i) => item(`${i + 1}.`, step)).join('\n'));
  }
  if (result.notes.length > 0) {
    parts.push('### Notes', result.notes.map((note) => item('-', note)).join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}
