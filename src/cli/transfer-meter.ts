// cp's progress: bytes, rate and (when the total is known) ETA, redrawn on one
// stderr line a few times a second. Only on a terminal and without -q.
export interface TransferMeter {
  readonly add: (bytes: number) => void;
  readonly stop: () => void;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** One progress line: pure, for the tests. */
export function renderTransferLine(label: string, bytes: number, seconds: number, total: number | undefined): string {
  const rate = seconds > 0 ? bytes / seconds : 0;
  const parts = [`${formatBytes(bytes)}${total !== undefined ? ` / ${formatBytes(total)}` : ''}`, `${formatBytes(Math.round(rate))}/s`];
  if (total !== undefined && rate > 0 && total >= bytes) parts.push(`ETA ${Math.ceil((total - bytes) / rate)}s`);
  return `${label}: ${parts.join(', ')}`;
}

export function startTransferMeter(opts: { quiet: boolean; total: number | undefined; label: string; stream?: NodeJS.WriteStream }): TransferMeter {
  const stream = opts.stream ?? process.stderr;
  let bytes = 0;
  if (opts.quiet || stream.isTTY !== true) return { add: (n) => void (bytes += n), stop: () => {} };
  const started = Date.now();
  const draw = () => stream.write(`\r\u001b[K${renderTransferLine(opts.label, bytes, (Date.now() - started) / 1000, opts.total)}`);
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    add: (n) => void (bytes += n),
    stop: () => {
      clearInterval(timer);
      draw();
      stream.write('\n');
    },
  };
}
