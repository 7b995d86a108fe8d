// esbuild bundles the on-node agent as text (loader '.sh': 'text').
declare module '*.sh' {
  const text: string;
  export default text;
}
