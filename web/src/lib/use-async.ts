import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (value: T | ((prev: T | undefined) => T)) => void;
}

/** Loads once per dependency change; reload() refetches without clearing what is shown. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setDataState] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    let alive = true;
    setLoading(true);
    loader
      .current()
      .then((value) => {
        if (!alive) return;
        setDataState(value);
        setError(null);
      })
      .catch((err: unknown) => {
        if (alive) setError(err);
      })
      .finally(() => {
        if (alive) setLoading(false);
      });
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const setData = useCallback((value: T | ((prev: T | undefined) => T)) => {
    setDataState((prev) =>
      typeof value === 'function' ? (value as (p: T | undefined) => T)(prev) : value,
    );
  }, []);
  return { data, error, loading, reload, setData };
}
