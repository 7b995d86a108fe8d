// The young-generation collection cp's copy-out runs every few MiB: it really
// frees dead buffers (V8 alone would keep them until ~32 MB of them pile up).
import { expect, it } from 'vitest';
import { collectYoungGarbage } from '../../src/session/young-garbage.js';

it('frees dead young buffers at once', () => {
  collectYoungGarbage();
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 20; i++) Buffer.alloc(1024 * 1024, i).at(-1);
  const piled = process.memoryUsage().arrayBuffers;
  expect(piled - before).toBeGreaterThan(15 * 1024 * 1024);
  collectYoungGarbage();
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
});
