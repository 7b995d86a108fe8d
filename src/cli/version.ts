// Set by scripts/build.mjs from package.json (absent under the unit tests).
declare const __NSDEBUG_VERSION__: string;
export const VERSION = typeof __NSDEBUG_VERSION__ === 'string' ? __NSDEBUG_VERSION__ : '0.0.0-dev';
