/** The formatting and parsing helpers every client shares (CLI, TUI, Backstage frontend). */
import { addLines, autostopText, checkParameter, checkWorkspaceName, emptyLog, endLog, localTime, parseScheduleFields, relative, scheduleFieldsOf, stageDuration, stageMark, type ApiBuildLog, type ApiParameter, type ApiWorkspace } from '../src';

const line = (seq: number, stage: ApiBuildLog['stage'], atMs: number): ApiBuildLog => ({ seq, created_at: new Date(atMs).toISOString(), level: 'info', stage, source: 'provisioner', output: `line ${seq}` });

describe('parseScheduleFields', () => {
  it.each([
    ['09:00 Mon-Fri Europe/Berlin', '8h', { autostart_schedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', ttl_ms: 28_800_000 }],
    ['', '', { autostart_schedule: null, ttl_ms: null }],
    ['off', 'off', { autostart_schedule: null, ttl_ms: null }],
    ['none', '0', { autostart_schedule: null, ttl_ms: null }],
    ['7:30am sat,sun', '90m', { autostart_schedule: 'CRON_TZ=America/New_York 30 7 * * 6,0', ttl_ms: 5_400_000 }],
  ])('%j + %j', (start, ttl, want) => {
    expect(parseScheduleFields(start, ttl, 'America/New_York')).toEqual(want);
  });
  it.each([
    ['25:00', '8h', 0, /not a time of day/],
    ['09:00 Funday', '8h', 0, /not a day/],
    ['09:00 Mars/Base', '8h', 0, /unknown time zone/],
    ['09:00', 'eight hours', 1, /not a duration/],
    ['09:00', '8', 1, /not a duration/],
  ])('%j + %j points at field %j', (start, ttl, field, message) => {
    const r = parseScheduleFields(start, ttl, 'UTC');
    expect(r).toMatchObject({ field });
    expect((r as { error: string }).error).toMatch(message);
  });
});

describe('scheduleFieldsOf', () => {
  it.each([
    [{ autostart_schedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', ttl_ms: 28_800_000 }, { start: '09:00 Mon-Fri Europe/Berlin', ttl: '8h' }],
    [{ autostart_schedule: 'CRON_TZ=UTC 30 7 * * *', ttl_ms: null }, { start: '07:30 UTC', ttl: '' }],
    [{ autostart_schedule: null, ttl_ms: 5_400_000 }, { start: '', ttl: '1h30m' }],
  ])('%j → %j', (stored, fields) => {
    expect(scheduleFieldsOf(stored)).toEqual(fields);
    // what the editor shows parses back to what is stored
    const back = parseScheduleFields(fields.start, fields.ttl, 'UTC');
    expect(back).toEqual(stored);
  });
});

describe('times', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  it.each([
    ['2026-12-03T11:57:00Z', '3m ago'],
    ['2026-12-03T14:00:00Z', 'in 2h'],
    ['2026-12-03T11:59:30Z', '30s ago'],
    [null, '-'],
    ['garbage', '-'],
  ])('relative(%j) = %j', (iso, want) => expect(relative(iso, now)).toBe(want));
  it.each([
    ['2026-12-03T16:00:00Z', 'Europe/Berlin', false, 'Thu 17:00'],
    ['2026-12-03T16:00:00Z', 'America/New_York', true, '2026-12-03 11:00'],
    [null, 'UTC', false, '-'],
  ])('localTime(%j, %j, %j) = %j', (iso, zone, withDate, want) => expect(localTime(iso, zone, withDate)).toBe(want));
  it('autostop shows the deadline of a running workspace, else the TTL', () => {
    const ws = { status: 'running', ttl_ms: 3_600_000, latest_build: { deadline: '2026-12-03T16:00:00Z' } } as unknown as ApiWorkspace;
    expect(autostopText(ws, 'UTC')).toBe('Thu 16:00');
    expect(autostopText({ ...ws, status: 'stopped' }, 'UTC')).toBe('1h after start');
    expect(autostopText({ ...ws, status: 'stopped', ttl_ms: null }, 'UTC')).toBe('-');
  });
});

describe('staged log', () => {
  it('groups lines by stage, ignores repeated seqs, and marks the failing stage', () => {
    let log = addLines(emptyLog(), [line(1, 'init', 0), line(2, 'plan', 100), line(2, 'plan', 100), line(3, 'plan', 300)]);
    expect(log.stages.map((s) => [s.name, s.state, s.lines.length])).toEqual([['init', 'done', 1], ['plan', 'running', 2]]);
    expect(stageDuration(log.stages[0])).toBe(100);
    expect(stageDuration(log.stages[1], 1_000)).toBe(900);
    log = endLog(log, 'failed');
    expect(log.stages[1]).toMatchObject({ state: 'failed', startedAt: 100, endedAt: 300 });
    expect(log.end).toBe('failed');
    expect(log.stages.map((s) => stageMark(s.state))).toEqual(['✔', '✘']);
  });
  it('a canceled job ends its running stage as canceled; a succeeded one as done', () => {
    const log = addLines(emptyLog(), [line(1, 'apply', 0)]);
    expect(endLog(log, 'canceled').stages[0].state).toBe('canceled');
    expect(endLog(log, 'succeeded').stages[0].state).toBe('done');
  });
});

describe('form pre-checks', () => {
  const p = (over: Partial<ApiParameter>): ApiParameter => ({ name: 'x', display_name: 'X', description: '', icon: '', order: 0, type: 'string', default_value: null, required: true, sensitive: false, mutable: true, ephemeral: false, options: [], validation: {}, ...over });
  it.each([
    ['', 'a name is required'],
    ['dev', null],
    ['my-dev-2', null],
    ['My-Dev', 'lowercase letters, digits and single hyphens, not at the start or end'],
    ['-dev', 'lowercase letters, digits and single hyphens, not at the start or end'],
    ['a--b', 'lowercase letters, digits and single hyphens, not at the start or end'],
    ['a'.repeat(33), 'at most 32 characters'],
  ])('workspace name %j → %j', (name, want) => expect(checkWorkspaceName(name)).toBe(want));
  it.each([
    ['required and empty', p({}), '', 'X is required'],
    ['optional and empty', p({ required: false, default_value: 'd' }), '', null],
    ['number', p({ type: 'number', validation: { min: 1, max: 8 } }), '4', null],
    ['not a number', p({ type: 'number' }), 'four', 'must be a number'],
    ['below min', p({ type: 'number', validation: { min: 1 } }), '0', 'at least 1'],
    ['above max with message', p({ type: 'number', validation: { max: 8, error: 'at most 8 CPUs' } }), '9', 'at most 8 CPUs'],
    ['bool', p({ type: 'bool' }), 'yes', 'true or false'],
    ['option', p({ options: [{ value: 'eu', name: 'EU', description: '', icon: '' }] }), 'us', 'one of eu'],
    ['regex', p({ validation: { regex: '^https://', error: 'use https' } }), 'http://x', 'use https'],
    ['bad regex left to the API', p({ validation: { regex: '(' } }), 'x', null],
  ])('%s', (_n, param, value, want) => expect(checkParameter(param, value)).toBe(want));
});

describe('stage durations', () => {
  it('never go negative when the browser clock is behind the server', () => {
    const log = addLines(emptyLog(), [line(1, 'plan', 10_000)]);
    expect(stageDuration(log.stages[0], 9_000)).toBe(0);
  });
});
