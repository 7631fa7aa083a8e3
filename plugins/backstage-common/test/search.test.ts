/** Coder-style workspace search: one row per rule. */
import { formatWorkspaceSearch, parseWorkspaceSearch, SearchSyntaxError } from '../src';

const empty = { owners: [], templates: [], entities: [], statuses: [], names: [], outdated: null, text: [] };

describe('parseWorkspaceSearch', () => {
  test.each([
    ['empty string', '', empty],
    ['undefined', undefined, empty],
    ['owner:me', 'owner:me', { ...empty, owners: ['me'] }],
    ['full entity ref', 'owner:user:default/ana', { ...empty, owners: ['user:default/ana'] }],
    ['template and status', 'template:docker status:running', { ...empty, templates: ['docker'], statuses: ['running'] }],
    ['status is case-insensitive', 'status:RUNNING', { ...empty, statuses: ['running'] }],
    ['keys are case-insensitive', 'Owner:me Template:x', { ...empty, owners: ['me'], templates: ['x'] }],
    ['free text lowercased', 'My-WS', { ...empty, text: ['my-ws'] }],
    ['free text and filters mixed', 'owner:me dev status:stopped', { ...empty, owners: ['me'], statuses: ['stopped'], text: ['dev'] }],
    ['repeated key ORs values', 'status:running status:stopped', { ...empty, statuses: ['running', 'stopped'] }],
    ['quoted value keeps spaces', 'template:"my template"', { ...empty, templates: ['my template'] }],
    ['extra whitespace', '  owner:me   \t dev  ', { ...empty, owners: ['me'], text: ['dev'] }],
    ['name filter', 'name:dev', { ...empty, names: ['dev'] }],
    ['entity ref keeps its colon', 'entity:component:default/shop', { ...empty, entities: ['component:default/shop'] }],
    ['outdated:true', 'outdated:true', { ...empty, outdated: true }],
    ['outdated:false', 'outdated:FALSE', { ...empty, outdated: false }],
    ['leading colon is free text', ':x', { ...empty, text: [':x'] }],
  ])('%s', (_name, q, want) => {
    expect(parseWorkspaceSearch(q)).toEqual(want);
  });

  test.each([
    ['unknown key', 'colour:blue', /unknown search filter "colour"/],
    ['empty value', 'owner:', /needs a value/],
    ['unknown status', 'status:sleeping', /unknown status "sleeping"/],
    ['bad outdated', 'outdated:maybe', /true or false/],
    ['unclosed quote', 'template:"abc', /unclosed/],
    ['too long', `x${'a'.repeat(1100)}`, /longer than 1024/],
  ])('refuses %s', (_name, q, msg) => {
    expect(() => parseWorkspaceSearch(q)).toThrow(SearchSyntaxError);
    expect(() => parseWorkspaceSearch(q)).toThrow(msg);
  });

  test('formatting round-trips', () => {
    for (const q of ['owner:me template:"my template" status:running dev', 'outdated:true name:x entity:component:default/a']) {
      expect(parseWorkspaceSearch(formatWorkspaceSearch(parseWorkspaceSearch(q)))).toEqual(parseWorkspaceSearch(q));
    }
  });
});
