// The parts of @kubernetes/client-node the plugin uses, each from its own module:
// the package's index (and its yaml helper) pulls in the generated API classes and
// their serializer for every Kubernetes type, which we do not use (kube/rest.ts
// makes our requests). scripts/build.mjs also cuts config.js's one import of the
// generated code (makeApiClient's, which we never call).
// client.ts loads this module on demand; everything else reaches it as kube.lib.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { Watch } from '@kubernetes/client-node/dist/watch.js';
export { Exec } from '@kubernetes/client-node/dist/exec.js';
// Not re-exported by the package's index (it has no exports map): the exec's socket factory goes through it.
export { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
// client-node's own YAML parser (its loadYaml would run the serializer too).
export { load as loadYaml } from 'js-yaml';
