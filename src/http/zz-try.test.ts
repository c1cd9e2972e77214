import { it } from 'vitest';
import { SchemaSet } from '/work/main/src/contract/schema-set.ts';
it('x', async () => {
  const s = await SchemaSet.load();
  const schema = { type: 'object', additionalProperties: false,
    properties: { connector: { type: 'string', minLength: 1 }, from: { type: 'string' }, to: { type: 'string' }, ids: { type: 'array', items: { type: 'string' } } },
    if: { properties: { ids: true }, required: ['ids'] }, then: { properties: { from: false, to: false } }, else: { properties: { connector: true }, required: ['connector'] } };
  const v = s.validator(schema);
  console.log(JSON.stringify([v({ from: 'soon', extra: 1 }), v({ ids: ['1'], from: 'x' }), v({ connector: 'a' }), v({ ids: ['1'] })]));
});
