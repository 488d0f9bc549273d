/**
 * `--param name=value` for every command that loads a pipeline file: the parseArgs option and its
 * help line. The values go to `loadPipeline(file, { params: values.param })`, which checks them
 * against the file's `params:` declarations (config/params.ts).
 */
export const PARAM_OPTIONS = { param: { type: 'string', multiple: true } } as const;

export const PARAM_HELP = '  --param name=value     set a parameter the pipeline declares under params: (repeatable; used as ${param.name})';
