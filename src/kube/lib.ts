// The parts of @kubernetes/client-node the plugin uses, named one by one: the
// bundler then leaves out the API groups we never call (about half of the
// client's 3.4 MB, ~55 ms of start-up on Node 20 where no compile cache helps).
// client.ts loads this module on demand; everything else reaches it as kube.lib.
export { AppsV1Api, AuthenticationV1Api, AuthorizationV1Api, BatchV1Api, CoreV1Api, Exec, KubeConfig, loadYaml, Watch } from '@kubernetes/client-node';
// Not re-exported by the package's index (it has no exports map): the exec's socket factory goes through it.
export { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
