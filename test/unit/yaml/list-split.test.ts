import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { splitListItems } from '../../../src/yaml/stream.js';
import { parseDocument } from '../../../src/yaml/parse.js';
import { YamlSyntaxError } from '../../../src/yaml/errors.js';

const dashAt0 = 'apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: ""\nitems:\n- a: 1\n  b:\n  - x\n# between\n- c: |\n    text\n\n    more\n- 7\n';
const dashAt2 = 'apiVersion: v1\nkind: PyTorchJobList\nmetadata: {}\nitems:\n  - a: 1\n    b:\n      - x\n\n  - c: "q"\n';

describe('splitListItems', () => {
  test.each([dashAt0, dashAt2])('items parse to the same values as the whole document', (text) => {
    const split = splitListItems(text, 1);
    expect(split).toBeDefined();
    const whole = parse(text);
    expect(split!.items.map((i) => parse(i.text).items[0])).toEqual(whole.items);
    const { items: _items, ...head } = whole;
    expect(parse(split!.header)).toEqual(head);
    expect(split!.items.map((i) => i.index)).toEqual(whole.items.map((_: unknown, i: number) => i));
  });

  test('startLine points an error inside an item at its absolute line and column', () => {
    const bad = dashAt2.replace('c: "q"', 'c: "q"\n    d: e: f');
    const split = splitListItems(bad, 11)!;
    const whole = (() => { try { parseDocument(bad, { startLine: 11 }); } catch (e) { return e as YamlSyntaxError; } })();
    const part = (() => { try { parseDocument(split.items[1]!.text, { startLine: split.items[1]!.startLine }); } catch (e) { return e as YamlSyntaxError; } })();
    expect(whole).toBeInstanceOf(YamlSyntaxError);
    expect([part?.line, part?.column]).toEqual([whole?.line, whole?.column]);
  });

  test.each([
    ['items not last', `${dashAt0}extra: 1\n`],
    ['flow sequence', 'kind: List\nitems: [1, 2]\n'],
    ['comment on the items line', 'kind: List\nitems: # x\n- a: 1\n'],
    ['no sequence under items', 'kind: List\nitems:\n  a: 1\n'],
    ['empty items', 'kind: List\nitems:\n'],
    ['explicit document marker', '---\nkind: List\nitems:\n- a: 1\n'],
    ['tab indentation', 'kind: List\nitems:\n\t- a: 1\n'],
    ['no items key', 'kind: List\nmetadata: {}\n'],
  ])('falls back (undefined) when %s', (_name, text) => {
    expect(splitListItems(text, 1)).toBeUndefined();
  });
});
