import type { Command } from '../command.ts';
import { UsageError } from '../session.ts';
import { pipelineJsonSchema } from '../../config/schema.ts';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'Print the JSON Schema of pipeline files (for editor completion)',
  help: `Usage: renkei schema > renkei.schema.json

Prints the JSON Schema (draft 2020-12) of pipeline files, built from the registered sources,
transforms and sinks. Point your editor's YAML language server at it, e.g. first line of a pipeline:
  # yaml-language-server: $schema=./renkei.schema.json`,
  async run(argv, io) {
    if (argv.length) throw new UsageError(`schema takes no arguments (got ${argv.join(' ')})`);
    io.stdout.write(JSON.stringify(pipelineJsonSchema(), null, 2) + '\n');
    return 0;
  },
};
