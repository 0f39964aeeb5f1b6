import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * The cohort a board shows, kept in `?cohort=` (a reload or a shared link keeps it) and in
 * state: the router applies a URL change in a transition, a render later, and a controlled
 * radio or select would snap back to the old cohort meanwhile. `write` gives "" for the
 * default, which leaves the URL bare.
 */
export function useCohortParam<T>(
  parse: (raw: string) => T,
  write: (value: T) => string,
): [T, (value: T) => void] {
  const [search, setSearch] = useSearchParams();
  const [value, setValue] = useState(() => parse(search.get('cohort') ?? ''));
  const choose = (next: T) => {
    setValue(next);
    const raw = write(next);
    setSearch(raw ? { cohort: raw } : {}, { replace: true });
  };
  return [value, choose];
}
