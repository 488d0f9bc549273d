/**
 * Module hooks for user code run by the compiled CLI (registered by user-code.js): an import that
 * resolves to a project source file bundled in dist/cli.js gets that bundle's module instead of a
 * second copy compiled from the source. The stand-in module re-exports the bundled module's exports
 * (as constants: a project module that reassigns an exported `let` would not be seen updated).
 */
const SCHEME = 'renkei-bundle:';
let bundleUrl = '';
/** Source URL → export names of the bundled module. */
let modules = {};

export function initialize(data) {
  ({ bundleUrl, modules } = data);
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const source = resolved.url.replace(/[?#].*$/, '');
  if (Object.hasOwn(modules, source)) return { url: SCHEME + source, format: 'module', shortCircuit: true };
  return resolved;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith(SCHEME)) return nextLoad(url, context);
  const source = url.slice(SCHEME.length);
  const lines = [`import { modules } from ${JSON.stringify(bundleUrl)};`, `const m = modules[${JSON.stringify(source)}];`];
  for (const name of modules[source]) lines.push(name === 'default' ? 'export default m.default;' : `export const ${name} = m.${name};`);
  return { format: 'module', source: lines.join('\n'), shortCircuit: true };
}
