/**
 * Part of the compiled CLI (scripts/build.mjs bundles it into dist/cli.js; unused when renkei runs
 * from the sources through tsx). User code that the CLI imports by a computed specifier — the .ts or
 * .js file of a `module` stage — runs as it would from the sources: the first time, tsx is
 * registered (TypeScript costs nothing until then), and user-code-hooks.js hands user code the
 * bundle's own instances of the project modules it imports, so `reject()` from engine/types.ts
 * makes the Drop the runner knows and a thrown ConfigError is the runner's ConfigError.
 */
import module from 'node:module';

/** The bundle's URL and its project modules by source URL (set by the bundle's entry). */
let bundle = { url: '', modules: {} };
let ready;

export function setBundle(url, modules) {
  bundle = { url, modules };
}

/** `import(specifier)` as written in the source file `fromUrl`. */
export async function importUserCode(fromUrl, specifier, options) {
  if (options !== undefined) throw new TypeError('renkei (compiled): import() with options of a computed specifier is not supported; run from the sources (tsx)');
  const url = /^(\.{1,2})?\//.test(String(specifier)) ? new URL(specifier, fromUrl).href : String(specifier);
  if (url.startsWith('file:') && !url.includes('/node_modules/')) await (ready ??= enableUserCode());
  return import(url);
}

async function enableUserCode() {
  const { register } = await import('tsx/esm/api');
  register();
  const modules = {};
  for (const [url, namespace] of Object.entries(bundle.modules)) modules[url] = Object.keys(namespace);
  // Registered after tsx, so its hooks run first and see what tsx resolved.
  module.register(new URL('./user-code-hooks.js', import.meta.url), { data: { bundleUrl: bundle.url, modules } });
}
