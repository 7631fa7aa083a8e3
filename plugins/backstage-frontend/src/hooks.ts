/** Data hooks of the Berth components: polled loads that keep the last value through refresh errors. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { berthApiRef, type BerthApi } from './api';

/** The Berth API client of the app. */
export function useBerthApi(): BerthApi {
  return useApi(berthApiRef);
}

/** A polled value: `value` stays while a refresh fails (the error is shown beside it). */
export interface Polled<T> {
  value: T | undefined;
  error: Error | undefined;
  /** True until the first load settles. */
  loading: boolean;
  /** Loads again now. */
  refresh(): void;
}

/**
 * Loads with `load` when `key` changes, then again after `intervalMs(value)` milliseconds (null:
 * stop polling). A stale answer (an older key) is dropped. Refresh failures keep the last value and
 * retry after `intervalMs(undefined)` (at least 5 s; null: no retry).
 */
export function usePolled<T>(key: string, load: () => Promise<T>, intervalMs: (value: T | undefined) => number | null): Polled<T> {
  const [state, setState] = useState<{ key: string; value: T | undefined; error: Error | undefined; loading: boolean }>({ key, value: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const intervalRef = useRef(intervalMs);
  intervalRef.current = intervalMs;

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((s) => (s.key === key ? s : { key, value: undefined, error: undefined, loading: true }));
    loadRef.current().then(
      (value) => {
        if (!alive) return;
        setState({ key, value, error: undefined, loading: false });
        const next = intervalRef.current(value);
        if (next !== null) timer = setTimeout(() => setTick((t) => t + 1), next);
      },
      (error: Error) => {
        if (!alive) return;
        setState((s) => ({ key, value: s.key === key ? s.value : undefined, error, loading: false }));
        const next = intervalRef.current(undefined);
        if (next !== null) timer = setTimeout(() => setTick((t) => t + 1), Math.max(next, 5_000));
      },
    );
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
  }, [key, tick]);

  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return { value: state.key === key ? state.value : undefined, error: state.key === key ? state.error : undefined, loading: state.key !== key || state.loading, refresh };
}

/** Runs a one-off load when `key` changes (no polling). */
export function useLoaded<T>(key: string, load: () => Promise<T>): Polled<T> {
  return usePolled(key, load, () => null);
}
