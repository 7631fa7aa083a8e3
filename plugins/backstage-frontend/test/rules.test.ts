/** Pure rules of the plugin: which actions a status offers, and reading the Berth annotations. */
import type { ApiWorkspace } from '@berth/backstage-plugin-common';
import { isTransitioning, workspaceActions } from '../src/actions';
import { isBerthAvailable, parseParametersAnnotation, readBerthEntityConfig } from '../src/annotations';
import { listPollMs } from '../src/components/WorkspacesPanel';
import { build, workspace } from './support/fakeApi';
import { entity } from './support/render';

const enabled = (ws: ApiWorkspace) => workspaceActions(ws).filter((a) => a.enabled).map((a) => a.action);
const at = (status: ApiWorkspace['status'], job: string, over: Partial<ApiWorkspace> = {}) =>
  workspace({ status, latest_build: build({ status, job_status: job as never }), ...over });

describe('workspaceActions', () => {
  it.each([
    ['running', 'succeeded', {}, ['stop', 'restart', 'delete']],
    ['running', 'succeeded', { outdated: true }, ['stop', 'restart', 'update', 'delete']],
    ['stopped', 'succeeded', {}, ['start', 'delete']],
    ['stopped', 'succeeded', { outdated: true }, ['start', 'update', 'delete']],
    ['failed', 'failed', {}, ['start', 'stop', 'delete']],
    ['canceled', 'canceled', {}, ['start', 'stop', 'delete']],
    ['pending', 'pending', {}, ['cancel']],
    ['starting', 'running', {}, ['cancel']],
    ['stopping', 'running', {}, ['cancel']],
    ['canceling', 'canceling', {}, []],
    ['deleting', 'running', {}, ['cancel']],
    ['deleted', 'succeeded', { deleted: true }, []],
  ] as const)('%s (job %s, %j) offers %j', (status, job, over, want) => {
    expect(enabled(at(status, job, over))).toEqual(want);
  });

  it('says why an action is off', () => {
    const reasons = Object.fromEntries(workspaceActions(at('starting', 'running')).map((a) => [a.action, a.reason]));
    expect(reasons.start).toBe('a start build is in progress: wait for it or cancel it');
    expect(reasons.cancel).toBe('Cancel the running build');
    expect(workspaceActions(at('stopped', 'succeeded')).find((a) => a.action === 'stop')!.reason).toBe('the workspace is already stopped');
  });

  it('polls fast only while something builds', () => {
    expect(isTransitioning(at('running', 'succeeded'))).toBe(false);
    expect(isTransitioning(at('starting', 'pending'))).toBe(true);
    expect(listPollMs({ workspaces: [at('running', 'succeeded')], count: 1 })).toBe(15_000);
    expect(listPollMs({ workspaces: [at('running', 'succeeded'), at('stopping', 'running')], count: 2 })).toBe(3000);
    expect(listPollMs(undefined)).toBe(15_000);
  });
});

describe('annotations', () => {
  it.each([
    ['JSON object', '{"region":"eu","cpus":4,"gpu":true,"repos":["a","b"]}', { region: 'eu', cpus: '4', gpu: 'true', repos: '["a","b"]' }],
    ['pairs', 'region=eu, cpus=4', { region: 'eu', cpus: '4' }],
    ['value with =', 'flags=a=b', { flags: 'a=b' }],
    ['empty pairs skipped', 'region=eu,,', { region: 'eu' }],
  ])('parses %s', (_name, raw, want) => expect(parseParametersAnnotation(raw)).toEqual(want));

  it.each([
    ['{"region": ', /not valid JSON/],
    ['[1,2]', /not name=value/],
    ['{"a":{"b":1}}', /value of "a" must be/],
    ['region', /"region" is not name=value/],
    ['=eu', /"=eu" is not name=value/],
  ])('refuses %j', (raw, message) => expect(() => parseParametersAnnotation(raw)).toThrow(message));

  it('reads template, preset, parameters and the entity ref; never throws', () => {
    expect(readBerthEntityConfig(entity({ 'berth.dev/template': ' local ', 'berth.dev/preset': 'small', 'berth.dev/parameters': 'region=eu' }))).toEqual({
      entityRef: 'component:default/shop', template: 'local', preset: 'small', parameters: { region: 'eu' }, error: null,
    });
    const bad = readBerthEntityConfig(entity({ 'berth.dev/template': 'local', 'berth.dev/parameters': 'oops' }));
    expect(bad.parameters).toEqual({});
    expect(bad.error).toMatch(/^annotation berth.dev\/parameters: "oops" is not name=value/);
    expect(isBerthAvailable(entity({ 'berth.dev/template': 'local' }))).toBe(true);
    expect(isBerthAvailable(entity({ 'berth.dev/template': '  ' }))).toBe(false);
    expect(isBerthAvailable(entity({}))).toBe(false);
  });
});
