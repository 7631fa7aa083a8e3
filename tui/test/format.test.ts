/** Pure helpers: durations, the autostart grammar, staged logs, keymap dispatch. */
import { describe, expect, it } from '@jest/globals';
import { describeAutostart, formatDuration, parseAutostart, parseDuration } from '../src/format.js';
import { addLines, emptyLog, endLog } from '@berth/backstage-plugin-common';
import { commandFor, footerHints } from '../src/tui/keymap.js';
import { logLine } from './helpers/fake-client.js';

describe('durations', () => {
  it.each([['8h', 28_800_000], ['90m', 5_400_000], ['1h30m', 5_400_000], ['2d', 172_800_000], ['45s', 45_000], ['', null], ['8', null], ['h8', null], ['8hx', null]])('parseDuration(%j) = %j', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });
  it('formats', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(null)).toBe('-');
  });
});

describe('autostart grammar', () => {
  it.each([
    ['09:00 Mon-Fri Europe/Berlin', 'CRON_TZ=Europe/Berlin 0 9 * * 1-5'],
    ['9:30am', 'CRON_TZ=UTC 30 9 * * *'],
    ['6pm sat,sun', 'CRON_TZ=UTC 0 18 * * 6,0'],
    ['12am', 'CRON_TZ=UTC 0 0 * * *'],
  ])('%j → %j', (text, cron) => expect(parseAutostart(text, 'UTC')).toBe(cron));
  it.each(['25:00', '9:60', 'noon', '09:00 Funday', '09:00 Mars/Base', '13pm'])('rejects %j', (text) => {
    expect(() => parseAutostart(text, 'UTC')).toThrow();
  });
  it('describes a stored schedule in the same grammar', () => {
    expect(describeAutostart('CRON_TZ=Europe/Berlin 0 9 * * 1-5')).toBe('09:00 Mon-Fri Europe/Berlin');
    expect(describeAutostart(null)).toBe('off');
  });
});

describe('staged log', () => {
  it('closes a stage when the next starts and the last one on the end', () => {
    let log = addLines(emptyLog(), [logLine(1, 'init', 'a', 0), logLine(2, 'plan', 'b', 100), logLine(2, 'plan', 'dup', 100), logLine(3, 'plan', 'c', 300)]);
    expect(log.stages.map((s) => [s.name, s.state, s.lines.length])).toEqual([['init', 'done', 1], ['plan', 'running', 2]]);
    log = endLog(log, 'failed');
    expect(log.stages[1]).toMatchObject({ state: 'failed', startedAt: 100, endedAt: 300 });
  });
});

describe('keymap', () => {
  it('dispatches by view', () => {
    expect(commandFor('home', 'x')).toBe('stop');
    expect(commandFor('logs', 'ctrl-c')).toBe('detach');
    expect(commandFor('home', 'ctrl-c')).toBe('quit');
    expect(commandFor('logs', 'x')).toBeNull();
    expect(footerHints('home', 20).length).toBeLessThanOrEqual(20);
  });
});

describe('splitChunk', () => {
  it('splits text and Enter typed together, keeps other chunks whole', async () => {
    const { splitChunk } = await import('../src/tui/hooks.js');
    const key = { return: false, ctrl: false, meta: false, escape: false } as never;
    expect(splitChunk('e2e\rx', key).map((p) => [p.input, p.key.return])).toEqual([['e2e', false], ['', true], ['x', false]]);
    expect(splitChunk('abc', key)).toHaveLength(1);
  });
});
