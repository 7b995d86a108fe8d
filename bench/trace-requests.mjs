// A request log for the time breakdown of one run (not a test): preload it with
//   NODE_OPTIONS="--import ./bench/trace-requests.mjs" kubectl nsdebug pod/web --ns uts -- hostname
// and every HTTP(S) request the plugin sends (API calls, watches, the exec's
// upgrade) is printed on stderr with the milliseconds since the process started,
// when it leaves and when its answer arrives; `exit` marks the end.
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';

const log = (text) => process.stderr.write(`trace ${performance.now().toFixed(0).padStart(5)} ms ${text}\n`);
for (const mod of [http, https]) {
  const original = mod.request;
  mod.request = function (...args) {
    const options = typeof args[0] === 'object' && !(args[0] instanceof URL) ? args[0] : (args[1] ?? {});
    const target = typeof args[0] === 'string' ? args[0] : args[0] instanceof URL ? args[0].href : `${options.path}`;
    const what = `${options.method ?? 'GET'} ${target.replace(/\?.*/, '')}`;
    const request = original.apply(this, args);
    const sent = performance.now();
    log(`> ${what}`);
    request.on('response', (response) => log(`< ${response.statusCode} ${what} (${(performance.now() - sent).toFixed(0)} ms)`));
    request.on('upgrade', () => log(`< 101 ${what} (${(performance.now() - sent).toFixed(0)} ms)`));
    return request;
  };
}
// `import { request } from 'node:https'` (src/kube/rest.ts) sees the wrapper only after this.
syncBuiltinESMExports();
process.on('exit', () => log('exit'));
