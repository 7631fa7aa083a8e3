/**
 * Recognises tofu init failures caused by providers that cannot be downloaded (no network to
 * the registry), so imports can report "provider X not available offline" instead of a crash.
 */

/** Provider addresses tofu could not get, or [] when the failure is something else. */
export function unavailableProviders(lines: string[]): string[] {
  const text = lines.join('\n');
  if (!/Failed to (resolve|query available|install) provider|could not connect to registry|Failed to query provider|provider registry .* (could not|failed)/i.test(text)) return [];
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:Could not resolve provider|provider|retrieve the list of available versions for provider)\s+([a-z0-9.-]+\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?)/gi)) {
    found.add(m[1].replace(/[.:,]$/, ''));
  }
  return [...found];
}
