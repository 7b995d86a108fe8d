import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { UserError, formatError } from '../../src/base/errors.js';
import { visible } from '../../src/base/visible.js';
import { buildHelperRow, renderHelperTable } from '../../src/helper/helper-list.js';
import { readFileSync } from 'node:fs';
import { parseStats } from '../../src/inspect/stats-parse.js';
import { renderStatsLine, renderStatsTable } from '../../src/inspect/stats-render.js';

const ESC = '\u001b';

describe('visible', () => {
  it('leaves printable text (UTF-8 included) alone', () => {
    expect(visible('pod/web-1 läuft ✓ "quoted" \\ back')).toBe('pod/web-1 läuft ✓ "quoted" \\ back');
  });
  it('shows ESC, newlines, tabs, other C0/C1 controls, DEL and bidi overrides as escapes', () => {
    expect(visible(`${ESC}[2J${ESC}]8;;http://x${ESC}\\a${ESC}]8;;${ESC}\\`)).toBe('\\e[2J\\e]8;;http://x\\e\\a\\e]8;;\\e\\');
    expect(visible('a\nb\rc\td\u0007e\u0000f\u007fg\u009bh\u202ei\u2066j')).toBe('a\\nb\\rc\\td\\x07e\\x00f\\x7fg\\x9bh\\u202ei\\u2066j');
  });
});

describe('cluster text nsdebug prints itself', () => {
  it('the final error line', () => {
    const line = formatError(new UserError(`pods "x" is forbidden: ${ESC}[2Jgone\nsecond`, { hint: `try ${ESC}]0;title${'\u0007'}` }));
    expect(line).not.toContain(ESC);
    expect(line).not.toContain('\n');
    expect(line).toBe('error: pods "x" is forbidden: \\e[2Jgone\\nsecond; try \\e]0;title\\x07');
    expect(formatError(new Error(`boom${ESC}[31m`))).not.toContain(ESC);
  });
  it('list rows (annotations, names)', () => {
    const pod: V1Pod = {
      metadata: { name: 'nsdebug-web-abcde', namespace: 'default', annotations: { 'nsdebug.dev/target': `pod/default/${ESC}[2J`, 'nsdebug.dev/created-by': `eve${ESC}]8;;http://evil${ESC}\\` } },
      spec: { nodeName: 'node-1', containers: [] },
      status: { phase: 'Running' },
    };
    const table = renderHelperTable([buildHelperRow(pod, new Date())], false);
    expect(table).not.toContain(ESC);
    expect(table).toContain('pod/default/\\e[2J');
    expect(table).toContain('eve\\e]8;;http://evil\\e\\');
  });
  it('stats interface names (the kernel accepts ESC in one)', () => {
    const dump = readFileSync(new URL('./inspect/fixtures/stats-v2-limited.txt', import.meta.url), 'utf8').replace(/\beth0:/, `${ESC}[2J:`);
    const stats = parseStats(dump, 'app');
    expect(Object.keys(stats.network)).toContain(`${ESC}[2J`);
    for (const out of [renderStatsTable(stats), renderStatsLine(stats, null, new Date(0))]) {
      expect(out).not.toContain(ESC);
      expect(out).toContain('\\e[2J');
    }
  });
});
