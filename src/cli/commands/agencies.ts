/**
 * `lgsp agencies import <file.json|file.csv>` (`POST /v1/agencies:import`, all-or-nothing) and
 * `lgsp agencies list` (`GET /v1/agencies`).
 */
import { extname } from 'node:path';
import { cell, clip, json, plural, table, usageError } from '../output.ts';
import { operator, positionals, readText, type Command } from './command.ts';

interface AgencyView {
  code: string;
  name: string;
  level: string;
  parent?: string;
  children?: string[];
}

const CONTENT_TYPES: Readonly<Record<string, string>> = { '.json': 'application/json', '.csv': 'text/csv' };

export const agenciesImport: Command = {
  words: ['agencies', 'import'],
  usage: '<file.json|file.csv>',
  summary: 'load agency records (a JSON array, or CSV with the header code,name,level,parent); all or nothing',
  async run(ctx) {
    const [file] = positionals(ctx, this, ['file']);
    const contentType = CONTENT_TYPES[extname(file!).toLowerCase()];
    if (!contentType)
      throw usageError(
        `${file} is neither .json nor .csv`,
        'give a JSON array of { code, name, level, parent? } as .json, or CSV with the header code,name,level,parent as .csv.',
      );
    const body = await readText(file!);
    const answer = await ctx.hub.request<{ imported: number }>({
      method: 'POST',
      path: '/v1/agencies:import',
      credential: operator(ctx.io),
      body,
      contentType,
    });
    ctx.io.out(ctx.json ? json(answer) : `imported ${plural(answer.imported, 'agency', 'agencies')} from ${file}`);
  },
};

export const agenciesList: Command = {
  words: ['agencies', 'list'],
  usage: '',
  summary: 'the agency directory',
  async run(ctx) {
    positionals(ctx, this, []);
    const answer = await ctx.hub.request<{ agencies: AgencyView[] }>({ method: 'GET', path: '/v1/agencies', credential: operator(ctx.io) });
    if (ctx.json) return ctx.io.out(json(answer));
    if (answer.agencies.length === 0) return ctx.io.out('the directory is empty; load it with: lgsp agencies import <file.json|file.csv>');
    const rows = answer.agencies.map((a) => [a.code, a.level, cell(a.parent), String(a.children?.length ?? 0), clip(a.name, 60)]);
    ctx.io.out(`${table(['code', 'level', 'parent', 'children', 'name'], rows)}\n${plural(answer.agencies.length, 'agency', 'agencies')}`);
  },
};
