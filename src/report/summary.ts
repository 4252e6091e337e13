// The job summary (GitHub-flavoured Markdown for GITHUB_STEP_SUMMARY). It
// renders only RunResult, which holds no secret.
import type { AgeSource, RunResult } from '../rotation/result.ts';

const dayMs = 86_400_000;

const sourceText: Record<AgeSource, string> = {
  'management-api': 'Marketing Cloud management API',
  state: 'the last recorded activation',
  destination: "the first destination's updated_at",
};

/**
 * A table cell: `|` would end the cell and a newline the row. Backslashes
 * right before a pipe are doubled so they cannot cancel its escape.
 */
function cell(text: string): string {
  return text
    .replace(/\\+(?=\|)/g, (run) => run + run)
    .replaceAll('|', '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** A list item; continuation lines are indented so they stay inside it. */
function item(marker: string, text: string): string {
  return `${marker} ${text.split(/\r\n|\r|\n/).join(`\n${' '.repeat(marker.length + 1)}`)}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- |').join('')}`, ...rows.map(line)].join('\n');
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
  const headline = result.headline.replace(/\s*[\r\n]+\s*/g, ' ');
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
