import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { UsageError } from '../session.ts';
import { pipelineJsonSchema } from '../../config/schema.ts';
import { componentDocFor, componentDocs, componentTypes } from '../../config/component-docs.ts';
import { didYouMean } from '../../config/suggest.ts';
import { tenantsJsonSchema } from '../../config/tenants.ts';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'Print the JSON Schema of pipeline files (for editor completion), or the component reference',
  help: `Usage: renkei schema > renkei.schema.json
       renkei schema --component TYPE
       renkei schema --docs > docs/components.md
       renkei schema --tenants > tenants.schema.json

Prints the JSON Schema (draft 2020-12) of pipeline files, built from the registered sources,
transforms and sinks. Point your editor's YAML language server at it, e.g. first line of a pipeline:
  # yaml-language-server: $schema=./renkei.schema.json

Options:
  --component TYPE   one component's options (type, default, what each does) and an example, e.g. dedupe
  --docs             the whole component reference as Markdown (docs/components.md)
  --tenants          the JSON Schema of tenants files (renkei schedule / enqueue / worker)`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { component: { type: 'string' }, docs: { type: 'boolean', default: false }, tenants: { type: 'boolean', default: false } } });
    if (positionals.length) throw new UsageError(`schema takes no arguments (got ${positionals.join(' ')})`);
    if (values.component !== undefined) {
      const doc = componentDocFor(values.component);
      if (!doc) throw new UsageError(`no component of type "${values.component}"${didYouMean(values.component, componentTypes())}; valid: ${componentTypes().join(', ')}`);
      io.stdout.write(doc);
      return 0;
    }
    if (values.tenants) { io.stdout.write(JSON.stringify(tenantsJsonSchema(), null, 2) + '\n'); return 0; }
    if (values.docs) { io.stdout.write(componentDocs()); return 0; }
    io.stdout.write(JSON.stringify(pipelineJsonSchema(), null, 2) + '\n');
    return 0;
  },
};
