/** Light and dark themes: the log and the status lights take their colours from the Backstage theme, not fixed ones. */
import { screen } from '@testing-library/react';
import { UnifiedThemeProvider, themes } from '@backstage/theme';
import { BuildLog } from '../src/components/BuildLog';
import { FakeBerthApi, logLine } from './support/fakeApi';
import { renderBerth } from './support/render';

/** A CSS colour as the browser reports it (so '#333' and 'rgb(51, 51, 51)' compare equal). */
const css = (color: string) => {
  const probe = document.createElement('span');
  probe.style.color = color;
  document.body.appendChild(probe);
  const out = getComputedStyle(probe).color;
  probe.remove();
  return out;
};

describe.each([
  ['light', themes.light, (t: typeof themes.light) => t.getTheme('v4')!.palette.grey[100]],
  ['dark', themes.dark, (t: typeof themes.dark) => t.getTheme('v4')!.palette.background.default],
])('%s theme', (_name, theme, expectedBackground) => {
  it("paints the log with the theme's colours", async () => {
    const api = new FakeBerthApi();
    api.logs = [logLine(1, 'init', 'tofu init')];
    await renderBerth(<UnifiedThemeProvider theme={theme}><BuildLog workspaceId="ws-1" buildNumber={1} /></UnifiedThemeProvider>, api);
    await screen.findByText('tofu init');
    const log = screen.getByRole('log');
    const v4 = theme.getTheme('v4')!;
    expect(getComputedStyle(log).backgroundColor).toBe(css(expectedBackground(theme)));
    expect(getComputedStyle(log).color).toBe(css(v4.palette.text.primary));
    expect(css(expectedBackground(theme))).not.toBe(css(v4.palette.text.primary));
  });
});
